"""Optimistic locking for every writes module: one version check, one flush, one conflict shape.

Versioned rows (db/models.py) carry a `version`; a page keeps the version it showed and the
service passes it back as `expected`. Two ways to lose the race, both raise ConflictError:

* `check_version`: the row already moved on when the service loads it;
* `flush`: another transaction committed in between (StaleDataError at the UPDATE).

ConflictError.changes always has one shape, CHANGE_COLUMNS: one row per audited change
made since (who, when, what), newest first, read from audit_log (db/audit.py) — the page
shows it as a table under the message.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.audit_labels import action_label
from db.errors import ConflictError
from db.models import AuditLog

CHANGE_COLUMNS = ("时间", "用户", "操作", "对象", "变更内容")
_CHANGES = ("update", "delete", "restore")  # the audit actions that change a row a user loaded
_MAX_ROWS = 20


def _fmt(v) -> str:
    if v is None or v == "":
        return "（空）"
    if isinstance(v, bool):
        return "是" if v else "否"
    return str(v)


def change_row(ts, user, action: str, what: str, changes: dict | None, labels: dict | None = None) -> dict:
    """One row of ConflictError.changes (audit values are stored masked already)."""
    labels = labels or {}
    parts = [f"{labels.get(k, k)}：{_fmt(old)} → {_fmt(new)}" for k, (old, new) in (changes or {}).items()]
    return dict(zip(CHANGE_COLUMNS, (ts, user, action_label(action), what, "；".join(parts))))


def audit_changes(session: Session, obj, what: str, limit: int = _MAX_ROWS) -> list[dict]:
    """The last `limit` audited changes of `obj`, newest first."""
    entity = type(obj).__audit_entity__ or type(obj).__tablename__
    rows = session.execute(
        select(AuditLog.ts, AuditLog.username, AuditLog.action, AuditLog.changes)
        .where(AuditLog.entity == entity, AuditLog.entity_id == str(obj.id), AuditLog.action.in_(_CHANGES))
        .order_by(AuditLog.ts.desc(), AuditLog.id.desc()).limit(max(1, min(limit, _MAX_ROWS)))
    )
    return [change_row(ts, user, action, what, changes) for ts, user, action, changes in rows]


def conflict(what: str, changes: list[dict], fallback_by: str | None = None) -> ConflictError:
    """`what` (“该任务”, “王小明”的记录 …) was changed by someone else since the user loaded it."""
    who = "、".join(sorted({c["用户"] for c in changes if c.get("用户")})) or fallback_by or "他人"
    return ConflictError(f"{what}已被{who}修改，您的修改未保存，请刷新后重试。", changes)


def check_version(session: Session, obj, expected: int | None, what: str,
                  changes: Callable[[], list[dict]] | None = None) -> None:
    """Refuse when `obj` is no longer at the version the user saw (None: nothing to check).
    `changes` overrides where the rows come from (the registry shows a whole person file)."""
    if expected is None or int(expected) == obj.version:
        return
    rows = changes() if changes is not None else audit_changes(session, obj, what, obj.version - int(expected))
    raise conflict(what, rows, getattr(obj, "updated_by", None) or getattr(obj, "created_by", None))


def flush(session: Session, what: str) -> None:
    """Flush; a row changed by a concurrent transaction becomes a ConflictError. The session
    is unusable after a failed flush, so the change rows are left empty (the page reloads)."""
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(f"{what}已被他人同时修改，您的修改未保存，请刷新后重试。", []) from None
