"""指标目标 (admin/office): county-wide target per indicator, optionally per township.
Target is an Audited model, so every change lands in audit_log by itself.

重算已关账月份 (office): a closed month's stored figures (areas/indicators/reads.py) are
replaced by a fresh computation only here, with a reason, and audited."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import indicators as ci
from core.roles import Actor
from areas.indicators import reads as q
from db import audit
from db.models import IndicatorMonth, Region, Target
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


def recompute_month(session: Session, actor: Actor, label: str, reason: str,
                    today: dt.date | None = None) -> dict[str, tuple[tuple[int, int] | None, tuple[int, int]]]:
    """Replace the stored figures of the closed month `label` by a fresh computation (after a
    correction of that month's data). Audited with the reason and every county figure that
    changed; the audit row replaces the data generation, so cached boards follow.
    Returns code -> (county figures before or None, county figures now)."""
    require(actor, "indicator.recompute")
    try:
        per = ci.period(label, today)
    except ValueError as e:
        raise ServiceError(str(e)) from None
    if not ci.is_closed(label, today):
        raise ServiceError(f"{per.title}尚未关账（{ci.closes_on(label):%Y年%m月%d日}起关账），"
                           "指标按实时数据计算，无需重算。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写重算原因（例如更正了哪些数据）。")
    if len(reason) > 200:
        raise ServiceError("重算原因不能超过200个字。")
    before = q.stored_figures(session, [label], list(ci.CODES))
    fresh = {code: q.fresh_figures(session, code, per) for code in ci.CODES}
    session.execute(delete(IndicatorMonth).where(IndicatorMonth.month == label))
    q.insert_figures(session, label, fresh)
    summary = {code: (before[(label, code)][q.TOTAL] if (label, code) in before else None, fig[q.TOTAL])
               for code, fig in fresh.items()}
    changes = {ci.get(code).name: [None if old is None else f"{old[0]}/{old[1]}", f"{new[0]}/{new[1]}"]
               for code, (old, new) in summary.items() if old != new}
    audit.record(session, "update", "indicator_month", label,
                 summary=f"重算{per.title}指标（已关账），原因：{reason}；全县数据变化 {len(changes)} 项",
                 changes=changes)
    return summary
