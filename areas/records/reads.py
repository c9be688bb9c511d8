"""The 回收站: soft-deleted records in the actor's scope, newest first, paged in SQL."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.orm import Session

from core import access
from core.roles import Actor
from db.models import Person, Region
from areas.records.kinds import KINDS

COLUMNS = ["类别", "kind", "记录编号", "删除时间", "删除人", "删除原因"]


def _township_col(model):
    """SQL for the township a deleted row belongs to (mirrors records.township_of)."""
    if "person_id" in model.__table__.c:
        return select(Person.township_id).where(Person.id == model.person_id).scalar_subquery()
    if "township_id" in model.__table__.c:
        return model.township_id
    if "region_id" in model.__table__.c:
        town = case((Region.level == "township", Region.id), else_=Region.parent_id)
        return select(town).where(Region.id == model.region_id).scalar_subquery()
    return literal(None)


def deleted_records(session: Session, actor: Actor, kind: str | None = None, limit: int = 50,
                    offset: int = 0) -> tuple[int, pd.DataFrame]:
    if not access.may_open(actor.role, "recycle"):
        return 0, pd.DataFrame(columns=COLUMNS)
    parts = []
    for key, spec in KINDS.items():
        if kind and key != kind:
            continue
        m = spec.model
        town = _township_col(m)
        stmt = select(
            literal(spec.label).label("label"), literal(key).label("kind"), m.id.label("rid"),
            m.deleted_at.label("at"), m.deleted_by.label("by"), m.delete_reason.label("why"),
        ).where(m.deleted_at.is_not(None))
        if access.township_bound(actor):
            stmt = stmt.where(town == actor.township_id)
        parts.append(stmt)
    u = union_all(*parts).subquery()
    total = session.scalar(select(func.count()).select_from(u)) or 0
    rows = session.execute(select(u).order_by(u.c.at.desc()).limit(limit).offset(offset)).all()
    return total, pd.DataFrame(rows, columns=COLUMNS)
