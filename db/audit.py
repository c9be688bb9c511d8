"""The single audit mechanism.

Row changes: every flush of an `Audited` model writes one audit row per inserted,
updated or soft-deleted object, inside the same transaction (so a rolled-back change
leaves no audit row). Personal values are masked before they are stored.

Other events (login, view, search, export, import, presentation-mode toggle …) go
through `record()`.

The listeners are registered by `install()`, which db/engine.py calls when it loads:
importing this module registers nothing.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from core.masking import HIDDEN, mask_field
from db.cache import bump
from db.models import Audited, AuditLog, utcnow

# Columns that change on every write and say nothing to a reader.
_SKIP = {"version", "updated_at", "updated_by", "created_at", "created_by"}


def _actor_fields(session: Session, actor=None) -> dict[str, Any]:
    actor = actor or session.info.get("actor")
    if isinstance(actor, str):  # a name typed at the login form, maybe no such user
        return {"username": actor, "role": None}
    if actor is None:
        return {"username": "system", "role": None}
    return {"username": actor.username, "role": actor.role}


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


# Secrets never reach the audit log, not even hashed: a change is shown as hidden.
_SECRET = {"password_hash"}


def _masked(field: str, value: Any) -> Any:
    if field in _SECRET:
        return None if value is None else HIDDEN
    return _plain(mask_field(field, value))


# Events recorded through record() that change data below the ORM (bulk imports, restores):
# they invalidate the page caches of every process (db/cache.py), as audited flushes do.
_WRITE_EVENTS = {"import", "delete", "restore", "purge", "create", "update"}


_GEN_DIRTY = "caredesk_generation_dirty"


def _bump_generation(session: Session) -> None:
    """Once per write transaction, as its last statement (db/cache.py): holding the
    app_settings row lock only while committing keeps writers from deadlocking on it."""
    session.flush()
    if session.info.pop(_GEN_DIRTY, False):
        bump(session)


def _forget_generation(session: Session, _previous) -> None:
    session.info.pop(_GEN_DIRTY, None)


def record(
    session: Session,
    action: str,
    entity: str | None = None,
    entity_id: Any = None,
    summary: str | None = None,
    changes: dict | None = None,
    outcome: str = "ok",
    actor=None,
) -> None:
    """Write one audit row in the session's transaction."""
    if action in _WRITE_EVENTS:
        session.info[_GEN_DIRTY] = True
    session.execute(
        insert(AuditLog),
        [
            {
                **_actor_fields(session, actor),
                "ts": utcnow(),
                "action": action,
                "entity": entity,
                "entity_id": None if entity_id is None else str(entity_id),
                "summary": (summary or "")[:500] or None,
                "changes": changes,
                "outcome": outcome,
            }
        ],
    )


def _column_changes(obj) -> dict[str, list]:
    state = inspect(obj)
    out: dict[str, list] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SKIP:
            continue
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old == new:
            continue
        out[key] = [_masked(key, old), _masked(key, new)]
    return out


def _new_values(obj) -> dict[str, list]:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _SKIP or key == "id":
            continue
        value = getattr(obj, key)
        if value is not None:
            out[key] = [None, _masked(key, value)]
    return out


def _entity_id(obj) -> str | None:
    # New objects have no identity key yet inside after_flush, but their primary key
    # attribute is already set by the INSERT.
    state = inspect(obj)
    key = state.identity or state.mapper.primary_key_from_instance(obj)
    return None if not key or key[0] is None else str(key[0])


def _stamp(session: Session, _ctx, _instances) -> None:
    username = _actor_fields(session)["username"]
    for obj in session.new:
        if isinstance(obj, Audited) and hasattr(obj, "created_by") and obj.created_by is None:
            obj.created_by = username
    for obj in session.dirty:
        if isinstance(obj, Audited) and hasattr(obj, "updated_by") and session.is_modified(obj):
            obj.updated_by = username


def _audit_rows(session: Session, _ctx) -> None:
    rows = []
    base = _actor_fields(session)
    now = utcnow()
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append({"action": "create", "obj": obj, "changes": _new_values(obj)})
    for obj in session.dirty:
        if not isinstance(obj, Audited) or not session.is_modified(obj):
            continue
        changes = _column_changes(obj)
        if not changes:
            continue
        action = "update"
        if "deleted_at" in changes:
            action = "delete" if getattr(obj, "deleted_at") is not None else "restore"
        rows.append({"action": action, "obj": obj, "changes": changes})
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append({"action": "purge", "obj": obj, "changes": None})
    if not rows:
        return
    session.info[_GEN_DIRTY] = True
    session.connection().execute(
        insert(AuditLog),
        [
            {
                **base,
                "ts": now,
                "action": r["action"],
                "entity": type(r["obj"]).__audit_entity__ or type(r["obj"]).__tablename__,
                "entity_id": _entity_id(r["obj"]),
                "summary": None,
                "changes": r["changes"],
                "outcome": "ok",
            }
            for r in rows
        ],
    )


_LISTENERS = (
    ("before_commit", _bump_generation),
    ("after_soft_rollback", _forget_generation),
    ("before_flush", _stamp),
    ("after_flush", _audit_rows),
)


def install(target=Session) -> None:
    """Register the audit and data-generation listeners on `target` (every Session by
    default); calling it again changes nothing."""
    for name, fn in _LISTENERS:
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)
