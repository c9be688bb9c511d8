"""Benchmark: every indicator for every township (one month), cold and cached.

    .venv/bin/python bench/indicators.py --people 200000                        # temp SQLite file
    .venv/bin/python bench/indicators.py --people 200000 --backend postgresql   # temp PostgreSQL database
    DATABASE_URL=... .venv/bin/python bench/indicators.py --reuse               # an existing database

cold   = areas.indicators.reads.compute on a fresh engine (no Streamlit cache);
warm   = the same query again (database caches warm);
cached = components.cached.compute, the page-layer st.cache_data wrapper, on its second call;
board  = this month + last month (what 指标看板 computes), trend = 12 months of one indicator.
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
os.environ.setdefault("CAREDESK_DEMO", "0")
logging.getLogger("streamlit").setLevel(logging.ERROR)


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--reuse", action="store_true", help="use DATABASE_URL as it is (no generation)")
    args = ap.parse_args()

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
            t, _ = _timed(lambda: demo.generate(eng, people=args.people))
            print(f"generated {args.people:,} people in {t:.1f}s ({args.backend})")
            dispose_all()

        from core import indicators as ci
        from areas.indicators import reads as q

        actor = Actor("bench", "office")
        label = ci.month_label(dt.date.today())

        def run_compute():
            with session_scope(get_engine(url), write=False) as s:
                return q.compute(s, actor, label)

        cold, df = _timed(run_compute)
        warm, _ = _timed(run_compute)
        towns = df["township_id"].nunique() - 1
        print(f"all {len(ci.CODES)} indicators × {towns} townships + county: cold {cold:.2f}s, warm {warm:.2f}s")

        per_code = []
        for code in ci.CODES:
            def one(code=code):
                with session_scope(get_engine(url), write=False) as s:
                    return q.compute(s, actor, label, [code])
            per_code.append((_timed(one)[0], code))
        print("slowest:", ", ".join(f"{c} {t:.2f}s" for t, c in sorted(per_code, reverse=True)[:4]))

        def run_board():
            with session_scope(get_engine(url), write=False) as s:
                return q.board(s, actor, label)

        def run_trend():
            with session_scope(get_engine(url), write=False) as s:
                return q.trend(s, actor, "visit_on_time", label)

        print(f"board (2 months): {_timed(run_board)[0]:.2f}s; trend visit_on_time (12 months): {_timed(run_trend)[0]:.2f}s")

        from components import cached

        first, _ = _timed(lambda: cached.compute(actor, label))
        second, _ = _timed(lambda: cached.compute(actor, label))
        print(f"page layer (st.cache_data): first {first:.2f}s, cached {second * 1000:.1f}ms")
    finally:
        dispose_all()
        if drop:
            drop()


if __name__ == "__main__":
    main()
