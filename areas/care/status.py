"""The stored visit status (issue 14): table care_status, one row per active person, the rule's
answer kept instead of recomputed on every view.

The rule keeps its one home, areas/care/reads.person_due; the table is its cache and
`refresh` is the one function that writes it: it deletes the people's rows and inserts
person_due's rows for them, in the caller's transaction.

When it runs:
- every ORM flush that adds, changes or deletes a Visit, Assessment, PersonCategory or Person
  refreshes those people — a Person only when a column the rule can read changed, not for
  联系电话, 备注 … (db/cache.person_areas) — and a VisitRule change refreshes everyone
  (`_after_flush`, installed for every Session by areas/__init__.py). So every write service — visit saved, edited,
  deleted or restored; assessment; category, difficulty, enrolment, exit, re-enrolment,
  township — keeps the table right in its own transaction without a call of its own, and a
  service written later cannot forget it;
- bulk statements that bypass the ORM call `refresh` themselves: the Excel import
  (areas/registry/importer), the demo generator (tools/demo.py) and the migration (0005).

The day: person_due(d) depends on d only through the person's inputs dated after d (a visit
or assessment counts from its date, a category holds from start_on to end_on). A row computed
on `computed_on` is therefore the rule's answer on every day in [valid_from, valid_until) —
the latest input date up to computed_on and the next one after it — and "overdue" is
next_due < today, compared when read. Readers (reads.current_due) use a row only on those days
and compute the rule live for the rest, found through the two indexes; every refresh also
recomputes the rows stale today, so no scheduled daily roll is needed (`roll` does it on
demand).
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from itertools import chain

from sqlalchemy import Connection, bindparam, case, delete, exists, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from db import cache
from db.conditions import active_person
from db.models import Assessment, CareStatus, Person, PersonCategory, Visit, VisitRule
from db.sql import date_add, day
from areas.care.reads import person_due, status_stale

CHUNK = 1000  # people per statement (bound parameters stay well under every backend's limit)


def _today() -> dt.date:
    """The date a refresh computes for; the one clock of this module (tests set the day here)."""
    return dt.date.today()


def _conn(target: Session | Connection) -> Connection:
    return target.connection() if isinstance(target, Session) else target


def _agg(agg, col, *where):
    """Correlated: agg(col) over the person's rows matching `where` (one index seek)."""
    return select(agg(col)).where(*where).scalar_subquery()


def _extreme(values, latest: bool):
    """The latest (or earliest) of nullable dates, NULL when all are NULL; portable."""
    out = values[0]
    for v in values[1:]:
        out = case((out.is_(None), v), (v.is_(None), out), ((v > out) if latest else (v < out), v), else_=out)
    return out


@functools.lru_cache(maxsize=8)
def _insert(c: dt.date, some: bool, upsert: bool):
    """INSERT … SELECT of person_due's rows on `c` — for the people of the expanding parameter
    `ids` when `some`, else for everyone — each with the days it stays the rule's answer: the
    latest input date up to `c` and the first after it. Built once per day and process (building
    the rule's statement costs tens of milliseconds; a write should not pay it every time)."""
    due = person_due(c, *([Person.id.in_(bindparam("ids", expanding=True))] if some else []))
    d = day(c)
    v, a, pc = Visit, Assessment, PersonCategory
    pid = due.c.person_id
    visit = (v.person_id == pid, v.deleted_at.is_(None))
    assessed = (a.person_id == pid, a.deleted_at.is_(None))
    held = pc.person_id == pid
    parts = select(
        due,
        _agg(func.min, v.visited_on, *visit, v.visited_on > d).label("v_hi"),
        _agg(func.max, a.assessed_on, *assessed, a.assessed_on <= d).label("a_lo"),
        _agg(func.min, a.assessed_on, *assessed, a.assessed_on > d).label("a_hi"),
        _agg(func.max, pc.start_on, held, pc.start_on <= d).label("s_lo"),
        _agg(func.min, pc.start_on, held, pc.start_on > d).label("s_hi"),
        # end_on is the last day a category held: the change is the day after it
        date_add(_agg(func.max, pc.end_on, held, pc.end_on < d), 1).label("e_lo"),
        date_add(_agg(func.min, pc.end_on, held, pc.end_on >= d), 1).label("e_hi"),
    ).offset(0).subquery()  # fence: each part computed once per person
    p = parts.c
    rows = select(p.person_id, p.township_id, p.last_visit, p.raised_on, p.effective, p.rkey, p.next_due,
                  d.label("computed_on"), _extreme((p.last_visit, p.a_lo, p.s_lo, p.e_lo), latest=True),
                  _extreme((p.v_hi, p.a_hi, p.s_hi, p.e_hi), latest=False))
    cols = ["person_id", "township_id", "last_visit", "raised_on", "effective", "rkey", "next_due", "computed_on",
            "valid_from", "valid_until"]
    if not upsert:
        return insert(CareStatus).from_select(cols, rows)
    stmt = pg_insert(CareStatus).from_select(cols, rows)
    return stmt.on_conflict_do_update(index_elements=["person_id"],
                                      set_={k: stmt.excluded[k] for k in cols if k != "person_id"})


def refresh(target: Session | Connection, person_ids: Iterable[int] | None = None,
            today: dt.date | None = None) -> None:
    """Recompute the stored status of `person_ids` (None: everyone) from the rule, on `today`
    (default: the date today), together with every row that is stale on that day. People not
    active get no row."""
    conn = _conn(target)
    c = today or _today()
    upsert = conn.dialect.name == "postgresql"
    if person_ids is None:
        _replace(conn, c, None, upsert)
        return
    ids = set(person_ids) | set(conn.execute(select(CareStatus.person_id).where(status_stale(c))).scalars())
    ids.discard(None)
    todo = sorted(ids)
    for k in range(0, len(todo), CHUNK):
        _replace(conn, c, todo[k:k + CHUNK], upsert)


def _replace(conn: Connection, c: dt.date, chunk: list[int] | None, upsert: bool) -> None:
    """The rows of `chunk` (None: everyone) become the rule's. SQLite runs one writer at a time:
    delete, then insert. PostgreSQL lets two transactions refresh the same person at once (two
    visits saved together, a rule change during a save): the rows of people no longer active are
    deleted and the others upserted, so neither transaction fails on the other's new row."""
    mine = CareStatus.person_id.in_(chunk) if chunk is not None else None
    if upsert:
        # NOT EXISTS, not NOT IN (…active people…): PostgreSQL hashed the whole registry for
        # the NOT IN on every save (0.5–0.8 s at 200k people for one person's refresh);
        # the correlated form is one primary-key probe per row of the chunk.
        gone = ~exists(select(Person.id).where(Person.id == CareStatus.person_id, active_person()))
        conn.execute(delete(CareStatus).where(gone, *([mine] if mine is not None else [])))
    else:
        conn.execute(delete(CareStatus).where(*([mine] if mine is not None else [])))
    conn.execute(_insert(c, chunk is not None, upsert), {"ids": chunk} if chunk is not None else {})


def roll(target: Session | Connection, today: dt.date | None = None) -> None:
    """The daily roll: recompute the rows stale on `today`. Optional — readers compute those
    rows live, and every refresh rolls them — but it keeps the live part empty."""
    refresh(target, (), today)


# ---------------------------------------------------------------- kept in step with every ORM write
_PERSON_INPUTS = (Visit, Assessment, PersonCategory)


def _after_flush(session: Session, _ctx) -> None:
    everyone, ids = False, set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, _PERSON_INPUTS):
            ids.add(obj.person_id)
        elif isinstance(obj, Person):
            # a change of what only the ledger shows (联系电话, 备注 …: db/cache.py, the one
            # mapping of columns to areas) cannot move the rule: no refresh (issue 14 item 4)
            changed = None if obj in session.new or obj in session.deleted else cache.changed_columns(obj)
            if cache.CARE in cache.person_areas(obj, changed):
                ids.add(obj.id)
        elif isinstance(obj, VisitRule):
            everyone = True
    if everyone:
        refresh(session)
    elif ids:
        refresh(session, ids)


def install() -> None:
    """Register the flush listener on every Session; calling it again changes nothing."""
    from sqlalchemy import event

    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
