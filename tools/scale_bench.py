"""Server time of the hot reads at province scale (docs/SCALE.md), and the plans of the slowest
statements.

    .venv/bin/python -m tools.scale_bench --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench1m \\
        [--runs 5] [--explain 8] [--out /tmp/scale.md]

Calls the area reads the pages call (uncached: components/cached.py would answer a repeat from
memory), as an office (county) and a township user, each in its own read transaction. First
every read once, timed alone ("first read": the first read of a closed month stores it in
indicator_months), then `--runs` rounds interleaved (bench/common.interleave: one of each per
round, rotating order, so load from elsewhere falls on all alike). Median and min–max, with the
load average. `--explain N`: the N slowest statements seen in one round, each run once more
under EXPLAIN (ANALYZE, BUFFERS) on the app's engine (JIT off as the app has it); prints the
plan's top lines and whether a big table was read with a Seq Scan.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CAREDESK_DEMO", "0")

BIG_TABLES = ("people", "visits", "assessments", "person_categories", "assignments", "care_measures",
              "guardians", "care_status")


def reads(engine, today: dt.date, township_id: int) -> dict:
    """name -> zero-argument function doing what one page run reads (server side)."""
    from core import indicators as ci
    from core.roles import Actor
    from db.engine import session_scope
    from areas.indicators import reads as ind
    from areas.registry import reads as rq
    from areas.workbench import reads as wb

    office = Actor("bench:office", "office")
    town = Actor("bench:township", "township", township_id=township_id)
    label = ci.month_label(today)

    def run(fn):
        def go():
            with session_scope(engine, write=False) as s:
                return fn(s)
        return go

    def workbench(actor):
        return run(lambda s: (wb.people_by_category_township(s, actor, today), wb.overdue_by_township(s, actor, today),
                              wb.incident_summary(s, actor, today), wb.open_tasks(s, actor, today)))

    def registry(actor, **f):
        return run(lambda s: rq.page(s, actor, rq.RegistryFilter(**f), 1, today=today))

    return {
        "工作台 office": workbench(office),
        "工作台 township": workbench(town),
        "人员台账 在册 office": registry(office),
        "人员台账 在册 township": registry(town),
        "人员台账 走访逾期 office": registry(office, overdue="overdue"),
        "人员台账 走访逾期 township": registry(town, overdue="overdue"),
        "人员台账 类别 留守儿童 office": registry(office, categories=("left_behind_child",)),
        "人员台账 未落实帮扶 office": registry(office, helper="none"),
        "人员台账 搜索 '张' office": registry(office, text="张"),
        "指标看板 office (this + last month)": run(lambda s: ind.board(s, office, label, today=today)),
        "指标看板 township": run(lambda s: ind.board(s, town, label, today=today)),
        "12-month trend 走访按期率 office": run(lambda s: ind.trend(s, office, "visit_on_time", label, 12, None,
                                                                 today=today)),
        "乡镇地图 office (one indicator + shapes)": run(lambda s: (ind.compute(s, office, label, ["visit_on_time"],
                                                                            today=today),
                                                                ind.township_shapes(s, office))),
        "人员档案 one person": run(lambda s: rq.person_file(s, office, 500_000, today=today)),
    }


def capture(engine, fn) -> list[tuple[float, str, object]]:
    """(seconds, statement, parameters) of every statement `fn` sends."""
    from sqlalchemy import event

    seen: list[tuple[float, str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        seen.append((time.perf_counter() - conn.info.pop("t0"), statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return seen


def explain(engine, statement: str, parameters) -> list[str]:
    with engine.connect() as c:
        cur = c.connection.driver_connection.cursor()
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        lines = [r[0] for r in cur.fetchall()]
        c.rollback()
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.scale_bench")
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--township", type=int, default=2, help="the township user's township id (default: 青石镇)")
    ap.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    ap.add_argument("--explain", type=int, default=0)
    ap.add_argument("--only", default="", help="comma-separated name fragments")
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)

    from bench.common import Table, interleave, loadavg
    from db.engine import get_engine

    engine = get_engine(args.database_url)
    fns = reads(engine, args.today, args.township)
    if args.only:
        keep = [x.strip() for x in args.only.split(",")]
        fns = {k: v for k, v in fns.items() if any(x in k for x in keep)}
    out = []
    first = Table(f"first read, one sample each ({engine.url.database})")
    for name, fn in fns.items():
        t = time.perf_counter()
        fn()
        first.add(name, [time.perf_counter() - t])
    out.append(first.markdown())
    rounds = interleave(fns, runs=args.runs, warm=0)
    table = Table(f"server time, {args.runs} interleaved rounds ({engine.url.database})")
    for name in fns:
        table.add(name, rounds[name])
    out.append(table.markdown())

    if args.explain:
        seen = []
        for name, fn in fns.items():
            seen += [(secs, name, sql, p) for secs, sql, p in capture(engine, fn)]
        seen.sort(key=lambda x: -x[0])
        lines = [f"### slowest statements (EXPLAIN ANALYZE, BUFFERS), loadavg {loadavg()}", ""]
        for secs, name, sql, p in seen[:args.explain]:
            plan = explain(engine, sql, p)
            seq = sorted({t for t in BIG_TABLES for ln in plan if f"Seq Scan on {t} " in ln})
            lines += [f"#### {name}: {secs * 1000:,.0f} ms — seq scans of big tables: {', '.join(seq) or 'none'}",
                      "", "```", sql.strip()[:1500], "--", *plan, "```", ""]
        out.append("\n".join(lines))
    text = "\n\n".join(out)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
