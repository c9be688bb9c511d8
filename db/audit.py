"""The single audit mechanism.

Row changes: every flush of an `Audited` model writes one audit row per inserted,
updated or soft-deleted object, inside the same transaction (so a rolled-back change
leaves no audit row). Personal values are masked before they are stored.

Other events (login, view, search, export, import, presentation-mode toggle …) go
through `record()`.

Rows are queued in the session and inserted as the transaction's last statements (before
commit), in one hash chain: the chain head is locked there (SELECT … FOR UPDATE on its
app_settings row; on SQLite writers are already serialised by BEGIN IMMEDIATE), so two
writers never fork it, and the lock is held only while committing — a long import never
makes a sign-in wait for the chain.

The listeners are registered by `install()`, which db/engine.py calls when it loads:
importing this module registers nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session

from core.masking import HIDDEN, PERSONAL_FIELDS, mask_field
from db.cache import DIRTY, bump, note_entity, note_rows
from db.models import AppSetting, Audited, AuditLog, utcnow

# The hash chain (issue 13): every audit row carries the hash of the row before it (by id)
# and its own hash over its content and that previous hash, so an edited, replaced, removed
# or forged row breaks the chain at that row. The head hash and the row count are kept in
# app_settings[ANCHOR_KEY], written in the same transaction, so removing the newest rows or
# every row is detected too. db/audit_verify.py checks it.
GENESIS = "0" * 64
ANCHOR_KEY = "audit_chain"
# The hashed fields, in order; id is left out because it is assigned by the database after
# the hash is computed (the order by id is checked through prev_hash instead).
CHAINED = ("ts", "username", "role", "action", "entity", "entity_id", "summary", "changes", "outcome")


def _ts_text(value: Any) -> str | None:
    """UTC, microseconds, no offset: SQLite hands back naive UTC, PostgreSQL an aware value."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def row_hash(row: Any, prev_hash: str) -> str:
    """SHA-256 of the canonical JSON of an audit row's content and the previous row's hash.
    `row` is a mapping or an object with the CHAINED attributes."""
    get = row.get if isinstance(row, Mapping) else (lambda k: getattr(row, k))
    content = {k: get(k) for k in CHAINED}
    content["ts"] = _ts_text(content["ts"])
    content["prev_hash"] = prev_hash
    text_ = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(("caredesk-audit-v1\n" + text_).encode("utf-8")).hexdigest()


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


_GEN_DIRTY = DIRTY  # the cache keys this transaction replaces (db/cache.py)
_PENDING = "caredesk_audit_pending"  # audit rows of this transaction, not yet inserted
_MARKS = "caredesk_audit_marks"  # savepoint → how many rows were pending when it began
_COMMITTING = "caredesk_audit_committing"  # past before_commit: rows are appended at once


def anchor(conn, lock: bool = False) -> tuple[int, str] | None:
    """(row count, head hash) as last written by the chain, or None if never written."""
    stmt = select(AppSetting.value).where(AppSetting.key == ANCHOR_KEY)
    value = conn.execute(stmt.with_for_update() if lock else stmt).scalar()
    if not value:
        return None
    data = json.loads(value)
    return int(data["count"]), str(data["head"])


def _append(session: Session) -> None:
    """Insert the queued rows at the chain head, under the head's lock."""
    rows = session.info.pop(_PENDING, None)
    if not rows:
        return
    conn = session.connection()
    count, prev = anchor(conn, lock=True) or (0, GENESIS)
    for row in rows:
        if row["ts"].tzinfo is not None:  # stored as UTC: SQLite keeps the wall time only
            row["ts"] = row["ts"].astimezone(dt.timezone.utc)
        row["prev_hash"] = prev
        row["row_hash"] = prev = row_hash(row, prev)
    conn.execute(insert(AuditLog), rows)
    value = json.dumps({"count": count + len(rows), "head": prev})
    done = conn.execute(
        update(AppSetting).where(AppSetting.key == ANCHOR_KEY).values(value=value, updated_at=utcnow())
    )
    if not done.rowcount:  # a database restored from before the anchor existed
        conn.execute(insert(AppSetting).values(key=ANCHOR_KEY, value=value))


def _before_commit(session: Session) -> None:
    """The transaction's last statements: its audit rows, then the data generation
    (db/cache.py). Holding these two app_settings row locks only while committing keeps
    writers from deadlocking on them."""
    session.flush()
    _append(session)
    # A flush after this point (a later before_commit listener, commit's own flush) still
    # gets its rows into this transaction.
    session.info[_COMMITTING] = True
    bump(session, session.info.pop(_GEN_DIRTY, None))


def _forget(session: Session, previous) -> None:
    if previous.nested:  # a savepoint: drop only the rows queued inside it
        mark = session.info.get(_MARKS, {}).pop(previous, None)
        if mark is not None and session.info.get(_PENDING):
            del session.info[_PENDING][mark:]
        return
    session.info.pop(_GEN_DIRTY, None)
    session.info.pop(_PENDING, None)
    session.info.pop(_COMMITTING, None)


def _mark_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = len(session.info.get(_PENDING, ()))


def _end_transaction(session: Session, transaction) -> None:
    # A savepoint's mark stays until after_soft_rollback (which runs after this) has used it.
    if transaction.parent is None and not transaction.nested:  # closed without commit: its rows go with it
        session.info.pop(_PENDING, None)
        session.info.pop(_MARKS, None)
        session.info.pop(_COMMITTING, None)


def _queue(session: Session, rows: list[dict]) -> None:
    session.info.setdefault(_PENDING, []).extend(rows)
    if session.info.get(_COMMITTING):
        _append(session)


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
    """Write one audit row in the session's transaction (inserted when it commits)."""
    if action in _WRITE_EVENTS:
        note_entity(session, entity)
    _queue(
        session,
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


def _adopt(session: Session, _ctx, _instances) -> None:
    """An AuditLog added through the ORM joins the chain like any other row: taken out of
    the flush and queued (the table refuses rows without hashes)."""
    for obj in [o for o in session.new if isinstance(o, AuditLog)]:
        row = {k: getattr(obj, k) for k in CHAINED}
        row["ts"] = row["ts"] or utcnow()
        row["outcome"] = row["outcome"] or "ok"
        _queue(session, [row])
        session.expunge(obj)


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
    note_rows(session, [(r["obj"], None if r["action"] in ("create", "purge") else r["changes"]) for r in rows])
    _queue(
        session,
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
    ("before_commit", _before_commit),
    ("after_soft_rollback", _forget),
    ("after_transaction_create", _mark_savepoint),
    ("after_transaction_end", _end_transaction),
    ("before_flush", _stamp),
    ("before_flush", _adopt),
    ("after_flush", _audit_rows),
)


def install(target=Session) -> None:
    """Register the audit and data-generation listeners on `target` (every Session by
    default); calling it again changes nothing."""
    for name, fn in _LISTENERS:
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)


# ---------------------------------------------------------------- bulk statements
def actor_name(session: Session) -> str:
    """The user a bulk statement stamps into created_by / updated_by (as `_stamp` does)."""
    return _actor_fields(session)["username"]


def record_bulk(session: Session, action: str, model, rows: list[tuple[Any, dict]]) -> None:
    """Audit rows for rows written by bulk statements, which bypass the flush events (the
    ledger import): one per row, the same row a flush of `model` would write, queued in
    the same chain. `rows`: (id, changes); for "create" changes are {column: value}, for
    "update" {column: (old, new)}. Values are masked here."""
    if not rows:
        return
    entity = model.__audit_entity__ or model.__tablename__
    base, now = _actor_fields(session), utcnow()
    # tens of thousands of rows: decide once per column whether its values are masked
    show: dict[str, Any] = {}
    for _id, changes in rows:
        for k in changes:
            show.setdefault(k, (lambda v, k=k: _masked(k, v)) if k in _SECRET or k in PERSONAL_FIELDS else _plain)
    skip = _SKIP | {"id"}
    out = []
    for entity_id, changes in rows:
        if action == "create":
            shown = {k: [None, show[k](v)] for k, v in changes.items() if v is not None and k not in skip}
        else:
            shown = {k: [show[k](old), show[k](new)] for k, (old, new) in changes.items()
                     if k not in _SKIP and old != new}
        out.append({**base, "ts": now, "action": action, "entity": entity, "entity_id": str(entity_id),
                    "summary": None, "changes": shown, "outcome": "ok"})
    note_entity(session, entity)
    _queue(session, out)
