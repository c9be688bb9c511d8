"""Indicator benchmark: every indicator for every township, the board and the 12-month trend.

    DATABASE_URL=sqlite:////tmp/bench/p200000.db .venv/bin/python bench/indicators.py --reuse
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/indicators.py --reuse
    .venv/bin/python bench/indicators.py --people 20000 [--backend postgresql]   # generates a temporary database

compute  = areas.indicators.reads.compute, this month, all indicators (no Streamlit cache)
board    = areas.indicators.reads.board: this month + last month (what 指标看板 computes)
trend    = areas.indicators.reads.trend, 走访按期率 over 12 months
slowest  = compute of one indicator at a time (the four slowest)
page layer = components.cached.compute (st.cache_data): a call after st.cache_data.clear(), and
           a second call (cached)
A closed month is computed once and then read from indicator_months: the very first call of
each (the warm-up, printed separately) may store closed months; the samples after it are the
steady state. Every row: median, min–max, n of --runs samples, with the load average.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("CAREDESK_DEMO", "0")
logging.getLogger("streamlit").setLevel(logging.ERROR)

from common import Table, timed  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--reuse", action="store_true", help="use DATABASE_URL as it is (no generation)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)

    from core.roles import Actor
    from db.engine import dispose_all, get_engine, session_scope
    from db.migrate import upgrade

    drop = None
    if args.reuse:
        url = os.environ["DATABASE_URL"]
    elif args.backend == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench_ind_')}/bench.db"
    else:
        from tests.conftest import pg_create_database, pg_drop_database

        url = pg_create_database()
        drop = lambda: pg_drop_database(url)  # noqa: E731
    os.environ["DATABASE_URL"] = url
    try:
        if not args.reuse:
            from tools import demo

            eng = get_engine(url)
            upgrade(eng)
            t = time.perf_counter()
            demo.generate(eng, people=args.people)
            print(f"generated {args.people:,} people in {time.perf_counter() - t:.1f}s ({args.backend})")
            dispose_all()

        import streamlit as st

        from areas.indicators import reads as q
        from components import cached
        from core import indicators as ci

        actor = Actor("bench", "office")
        label = ci.month_label(dt.date.today())
        table = Table(f"indicators, {get_engine(url).dialect.name} ({url.rsplit('/', 1)[-1]}), office, {label}")

        def measured(what: str, fn) -> list[float]:
            first = timed(fn)
            xs = [timed(fn) for _ in range(args.runs)]
            table.add(what, xs, note=f"first call {first * 1000:,.0f} ms")
            return xs

        def in_session(fn):
            def run():
                with session_scope(get_engine(url), write=False) as s:
                    return fn(s)
            return run

        measured(f"all {len(ci.CODES)} indicators, this month (compute)", in_session(lambda s: q.compute(s, actor, label)))
        measured("board: this month + last month", in_session(lambda s: q.board(s, actor, label)))
        measured("trend 走访按期率, 12 months", in_session(lambda s: q.trend(s, actor, "visit_on_time", label)))

        # one pass to find the four slowest, then those measured like the rest
        per_code = [(timed(in_session(lambda s, c=code: q.compute(s, actor, label, [c]))), code) for code in ci.CODES]
        slowest = sorted(per_code, reverse=True)[:4]
        for _, code in slowest:
            measured(f"one indicator: {code}", in_session(lambda s, c=code: q.compute(s, actor, label, [c])))

        def page_cold():
            st.cache_data.clear()
            return cached.compute(actor, label)

        measured("page layer cached.compute, cache cleared", page_cold)
        cached.compute(actor, label)
        measured("page layer cached.compute, cached", lambda: cached.compute(actor, label))
        print("\n" + table.markdown())
    finally:
        dispose_all()
        if drop:
            drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
