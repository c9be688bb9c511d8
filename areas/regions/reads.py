"""Regions the actor may see: the one list of townships every page and report uses."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.roles import Actor
from db.models import Region
from db.scope import township_clause


@dataclass(frozen=True)
class Township:
    id: int
    code: str
    name: str


def townships(session: Session, actor: Actor) -> list[Township]:
    """Townships in the actor's aggregate scope, in the county's order.

    A township's name is not personal data, so the aggregate scope is the one definition:
    a township user gets its own, every other role the county. Each page still lists only
    rows its own scope allows (a unit never opens a row-level page)."""
    rows = session.execute(
        select(Region.id, Region.code, Region.name)
        .where(Region.level == "township", township_clause(Region.id, actor, aggregate=True))
        .order_by(Region.sort_order, Region.code)
    )
    return [Township(*r) for r in rows]


@dataclass(frozen=True)
class Village:
    id: int
    name: str
    boundary: dict | None


def village_shapes(session: Session, actor: Actor, township_id: int) -> list[Village]:
    """The villages of one township in the actor's aggregate scope, with their boundary (None
    where none was imported): the 乡镇地图's village view."""
    rows = session.execute(
        select(Region.id, Region.name, Region.boundary)
        .where(Region.level == "village", Region.parent_id == township_id,
               township_clause(Region.parent_id, actor, aggregate=True))
        .order_by(Region.sort_order, Region.code)
    )
    return [Village(*r) for r in rows]


def township_options(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) pairs of `townships` for select boxes."""
    return [(t.id, t.name) for t in townships(session, actor)]


def division_table(session: Session) -> tuple[str | None, "pd.DataFrame"]:
    """The county's name and its townships with their codes and village counts (区划 page)."""
    import pandas as pd
    from sqlalchemy import func
    from sqlalchemy.orm import aliased

    county = session.execute(select(Region.name, Region.code).where(Region.level == "county")).first()
    v = aliased(Region)
    rows = session.execute(
        select(Region.code, Region.name, func.count(v.id))
        .outerjoin(v, (v.parent_id == Region.id) & (v.level == "village"))
        .where(Region.level == "township").group_by(Region.id, Region.code, Region.name)
        .order_by(Region.sort_order, Region.code)).all()
    label = f"{county[0]}（{county[1]}）" if county else None
    return label, pd.DataFrame(rows, columns=["区划代码", "乡镇（街道）", "村（社区）数"])
