"""PostgreSQL JIT on vs off for two hot statements, side by side (docs/PERFORMANCE.md, "PostgreSQL: JIT").

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/<db filled by tools.demo> \\
        .venv/bin/python bench/pg_jit.py --runs 5

The statements are captured from the app itself, as it sends them (with their parameters):
the registry's 走访逾期 count as the issue measured it (the visit rule's SQL over every active
person, areas/care/reads.person_due) and the
走访按期率 of this month per township (the builder of areas/indicators/reads.py). Each is run
under EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) with `SET jit = on` and `SET jit = off` on one
connection, interleaved (on, off, off, on, …) after one warm-up of each, so both settings see
the same caches and the same machine load. Prints per setting the median and the range of the
execution time and, with JIT on, of the time JIT took (generation + inlining + optimisation +
emission).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CAREDESK_DEMO", "0")


def _capture(engine, fn) -> list[tuple[str, object]]:
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def statements(engine, today: dt.date) -> dict[str, tuple[str, object]]:
    from core import indicators as ci
    from core.roles import Actor
    from db.engine import session_scope
    from sqlalchemy import func, select

    from core.categories import ACTIVE
    from db.models import Person
    from db.sql import day
    from areas.care import reads as care
    from areas.indicators import reads as q

    office = Actor("bench", "office")

    def registry():
        # The registry's 走访逾期 count as the issue measured it: the visit rule's SQL
        # (areas/care/reads.person_due) evaluated per active person, then counted. (The
        # registry now reads the stored care status instead; the rule's SQL still runs in full
        # where the status is rebuilt.)
        due = care.person_due(today)
        stmt = (select(func.count()).select_from(Person)
                .where(Person.status == ACTIVE, Person.id.in_(select(due.c.person_id)
                                                              .where(due.c.next_due < day(today)))))
        with session_scope(engine, write=False) as s:
            s.scalar(stmt)

    def on_time():
        with session_scope(engine, write=False) as s:
            q.build("visit_on_time", ci.period(ci.month_label(today), today)).by_township(s, office)

    reg = [(sql, p) for sql, p in _capture(engine, registry) if "count(" in sql.lower()]
    ont = [(sql, p) for sql, p in _capture(engine, on_time) if "visits" in sql]
    return {"registry 走访逾期 count": reg[0], "走访按期率 (this month, by township)": ont[0]}


def explain(cur, jit: str, sql: str, params) -> tuple[float, float]:
    """(execution ms, JIT ms) of one EXPLAIN ANALYZE run."""
    cur.execute(f"SET jit = {jit}")
    cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
    plan = cur.fetchone()[0][0]
    timing = plan.get("JIT", {}).get("Timing", {})
    jit_ms = timing.get("Total", sum(v for v in timing.values() if isinstance(v, (int, float))))
    return float(plan["Execution Time"]), float(jit_ms or 0.0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = ap.parse_args(argv)
    from sqlalchemy import create_engine, func, select

    from db.models import Person, Visit

    url = os.environ["DATABASE_URL"]
    engine = create_engine(url)  # the server's defaults: the SET below decides
    with engine.connect() as c:
        people = c.scalar(select(func.count()).select_from(Person))
        visits = c.scalar(select(func.count()).select_from(Visit))
        version = c.exec_driver_sql("SHOW server_version").scalar()
    print(f"PostgreSQL {version}: {people} people, {visits} visits, {args.runs} runs per setting, interleaved")
    for name, (sql, params) in statements(engine, args.today).items():
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            explain(cur, "on", sql, params)  # warm-up, not counted
            explain(cur, "off", sql, params)
            res: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
            for i in range(args.runs):
                for jit in (("on", "off") if i % 2 == 0 else ("off", "on")):
                    res[jit].append(explain(cur, jit, sql, params))
            raw.rollback()
        finally:
            raw.close()
        print(f"\n{name}")
        for jit in ("on", "off"):
            ex = [e for e, _ in res[jit]]
            line = (f"  jit={jit:3}  execution median {statistics.median(ex):8.1f} ms"
                    f"  (min {min(ex):.1f}, max {max(ex):.1f})")
            if jit == "on":
                jt = [j for _, j in res[jit]]
                line += f"   of which JIT median {statistics.median(jt):.1f} ms (min {min(jt):.1f}, max {max(jt):.1f})"
            print(line)
        on, off = (statistics.median(e for e, _ in res[j]) for j in ("on", "off"))
        print(f"  on/off: {on / off:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
