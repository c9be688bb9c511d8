"""Planner statistics after a bulk load (issue 14: "statistics after bulk loads").

A bulk write (the demo generator, the Excel import) changes row counts faster than autovacuum
notices: PostgreSQL then plans the visit rule over a table it believes empty (a nested loop,
126 s instead of ~5 s for the registry's overdue filter at 200k people), and SQLite plans
without sqlite_stat1. `analyze` refreshes the statistics of the tables the load wrote, in the
caller's transaction (PostgreSQL's ANALYZE counts the transaction's own uncommitted rows; its
statistics commit or roll back with the load).
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

# SQLite reads at most this many index entries per index (PRAGMA analysis_limit): approximate
# statistics in milliseconds instead of a full pass over every index of a table of millions.
SQLITE_ANALYSIS_LIMIT = 1000
# …except these, read whole: a sample of 1,000 entries makes people.status look selective and
# SQLite then walks the status index where the birth-date or category index is ~10x better
# (特别困难 + 年龄 at 200k). A full ANALYZE of people takes ~0.35 s at 200k.
SQLITE_FULL = frozenset({"people"})


def analyze(target: Session | Connection, tables: Iterable[str]) -> list[str]:
    """ANALYZE `tables` (names from our own metadata, never user input); returns them sorted.

    PostgreSQL: one `ANALYZE t1, t2, …` (a sample of each table). SQLite: `ANALYZE t` per
    table under a bounded analysis_limit, then `PRAGMA optimize`. Other dialects: nothing."""
    conn = target.connection() if isinstance(target, Session) else target
    names = sorted({t for t in tables if t})
    if not names:
        return []
    q = conn.dialect.identifier_preparer.quote
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE " + ", ".join(q(t) for t in names))
    elif conn.dialect.name == "sqlite":
        before = conn.exec_driver_sql("PRAGMA analysis_limit").scalar()
        try:
            for t in names:
                conn.exec_driver_sql(f"PRAGMA analysis_limit={0 if t in SQLITE_FULL else SQLITE_ANALYSIS_LIMIT}")
                conn.exec_driver_sql(f"ANALYZE {q(t)}")
            conn.exec_driver_sql("PRAGMA optimize")
        finally:
            conn.exec_driver_sql(f"PRAGMA analysis_limit={int(before or 0)}")
    else:
        return []
    return names
