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

from sqlalchemy import Connection, insert, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from core.indicators import month_label
from db import cache
from db.models import LedgerTouch, Person

CHUNK = 2000


def _today() -> dt.date:
    """The day of a write (tests set it here)."""
    return dt.date.today()


def touch(target: Session | Connection, pairs: Iterable[tuple[int, dt.date | str]]) -> set[tuple[int, str]]:
    """Record (person id, day or YYYY-MM) pairs; returns the pairs that were not recorded yet
    (pairs already there are left as they are)."""
    rows = sorted({(int(pid), d if isinstance(d, str) else month_label(d)) for pid, d in pairs if pid is not None})
    if not rows:
        return set()
    conn = target.connection() if isinstance(target, Session) else target
    have = set()
    for k in range(0, len(rows), CHUNK):
        part = rows[k:k + CHUNK]
        have.update(conn.execute(select(LedgerTouch.person_id, LedgerTouch.month).where(
            LedgerTouch.person_id.in_({p for p, _m in part}), LedgerTouch.month.in_({m for _p, m in part}))).tuples())
    new = [r for r in rows if r not in have]
    if conn.dialect.name == "postgresql":  # a concurrent writer may record the same pair
        stmt = pg_insert(LedgerTouch).on_conflict_do_nothing(index_elements=["person_id", "month"])
    else:
        stmt = insert(LedgerTouch).prefix_with("OR IGNORE")
    for k in range(0, len(new), CHUNK):
        conn.execute(stmt, [{"person_id": p, "month": m} for p, m in new[k:k + CHUNK]])
    return set(new)


def _after_flush(session: Session, _ctx) -> None:
    today = _today()
    pairs, township = [], {}
    for obj in session.new:
        if isinstance(obj, Person):
            township[obj.id] = obj.township_id
            pairs.append((obj.id, today))
            if obj.reviewed_on:
                pairs.append((obj.id, obj.reviewed_on))
    for obj in session.dirty:
        if isinstance(obj, Person) and session.is_modified(obj, include_collections=False):
            township[obj.id] = obj.township_id
            pairs.append((obj.id, today))
            hist = inspect(obj).attrs.reviewed_on.history
            pairs.extend((obj.id, d) for d in hist.added if d)
    # A month counted for the first time moves 台账月度更新率 in the person's township: the one
    # place that knows it tells the cache (db/cache.py "ledger_touch").
    for t in {township[pid] for pid, _m in touch(session, pairs)}:
        cache.note_entity(session, "ledger_touch", t)


def install() -> None:
    """Register the flush listener on every Session; calling it again changes nothing."""
    from sqlalchemy import event

    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
