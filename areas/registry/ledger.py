"""Ledger touches (table ledger_touches): the months in which a person's file was checked
(核查, people.reviewed_on), created or changed — the history that 台账月度更新率 counts
(areas/indicators/reads.py, builder "ledger_monthly").

The one writer. When it runs:
- every ORM flush that adds a Person or changes one of its columns records the month of the
  write, and the month of a new 核查日期 (`_after_flush`, installed for every Session by
  areas/registry/__init__.py), so a service written later cannot forget it;
- bulk statements that bypass the ORM call `touch` themselves (the Excel import, the demo
  generator); migration 0009 backfilled what the people table still held.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, insert, inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from core.indicators import month_label
from db.models import LedgerTouch, Person

CHUNK = 2000


def _today() -> dt.date:
    """The day of a write (tests set it here)."""
    return dt.date.today()


def touch(target: Session | Connection, pairs: Iterable[tuple[int, dt.date | str]]) -> None:
    """Record (person id, day or YYYY-MM) pairs; pairs already recorded are left as they are."""
    rows = sorted({(int(pid), d if isinstance(d, str) else month_label(d)) for pid, d in pairs if pid is not None})
    if not rows:
        return
    conn = target.connection() if isinstance(target, Session) else target
    if conn.dialect.name == "postgresql":
        stmt = pg_insert(LedgerTouch).on_conflict_do_nothing(index_elements=["person_id", "month"])
    else:
        stmt = insert(LedgerTouch).prefix_with("OR IGNORE")
    for k in range(0, len(rows), CHUNK):
        conn.execute(stmt, [{"person_id": p, "month": m} for p, m in rows[k:k + CHUNK]])


def _after_flush(session: Session, _ctx) -> None:
    today = _today()
    pairs = []
    for obj in session.new:
        if isinstance(obj, Person):
            pairs.append((obj.id, today))
            if obj.reviewed_on:
                pairs.append((obj.id, obj.reviewed_on))
    for obj in session.dirty:
        if isinstance(obj, Person) and session.is_modified(obj, include_collections=False):
            pairs.append((obj.id, today))
            hist = inspect(obj).attrs.reviewed_on.history
            pairs.extend((obj.id, d) for d in hist.added if d)
    touch(session, pairs)


def install() -> None:
    """Register the flush listener on every Session; calling it again changes nothing."""
    from sqlalchemy import event

    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
