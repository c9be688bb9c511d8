"""指标目标 (admin/office): county-wide target per indicator, optionally per township.
Target is an Audited model, so every change lands in audit_log by itself."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import indicators as ci
from core.roles import Actor
from db.models import Region, Target
from db import locking
from db.errors import ConflictError, ServiceError, require


def _find(session: Session, code: str, township_id: int | None) -> Target | None:
    cond = Target.township_id.is_(None) if township_id is None else Target.township_id == township_id
    return session.scalar(select(Target).where(Target.indicator_code == code, cond))


def set_target(session: Session, actor: Actor, code: str, value, township_id: int | None = None,
               expected_version: int | None = None) -> Target:
    """Create or change a target. `expected_version` is the version the user saw (None: new)."""
    require(actor, "target.edit")
    if code not in ci.BY_CODE:
        raise ServiceError("未知指标。")
    ind = ci.get(code)
    if err := ci.validate_target(ind, value):
        raise ServiceError(err)
    if township_id is not None:
        if ind.county_only:
            raise ServiceError(f"「{ind.name}」只在全县层面统计，不能按乡镇设定目标。")
        region = session.get(Region, township_id)
        if region is None or region.level != "township":
            raise ServiceError("请选择有效的乡镇。")
    row = _find(session, code, township_id)
    if row is None:
        if expected_version is not None:
            raise ConflictError("该目标已被他人删除（恢复为默认值），请刷新后重试。")
        row = Target(indicator_code=code, township_id=township_id, target_value=float(value))
        session.add(row)
    else:
        locking.check_version(session, row, expected_version, "该目标")
        row.target_value = float(value)
    locking.flush(session, "该目标")
    return row


def reset_target(session: Session, actor: Actor, code: str, township_id: int | None = None) -> bool:
    """Remove an override (back to the county target or the default). True when one existed."""
    require(actor, "target.edit")
    row = _find(session, code, township_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
