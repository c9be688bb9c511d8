"""Benchmark of the registry: filtered count + first page (query layer) and a full page run (AppTest).

    .venv/bin/python bench/registry.py --people 200000                 # temp SQLite file
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/registry.py --people 200000

The database must be empty (it is filled with tools.demo.generate) unless --reuse is given.
Prints the median of --runs runs per measurement.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CAREDESK_DEMO", "0")


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reuse", action="store_true", help="the database is already filled")
    args = ap.parse_args(argv)

    url = os.environ.get("DATABASE_URL")
    if not url:
        d = tempfile.mkdtemp(prefix="caredesk_bench_")
        url = f"sqlite:///{d}/bench.db"
        os.environ["DATABASE_URL"] = url
    from sqlalchemy import select

    from areas.admin import users
    from db.engine import get_engine, session_scope
    from db.migrate import upgrade
    from db.models import User
    from areas.registry import reads as rq

    engine = get_engine(url)
    upgrade(engine)
    if not args.reuse:
        from tools import demo

        t = time.perf_counter()
        demo.generate(engine, people=args.people)
        print(f"generated {args.people} people in {time.perf_counter() - t:.1f}s ({engine.dialect.name})")

    with session_scope(engine, write=False) as s:
        office = users.actor_for(s.scalar(select(User).where(User.role == "office")))
        township = users.actor_for(s.scalar(select(User).where(User.role == "township")))
    filters = {
        "default (在册)": rq.RegistryFilter(),
        "category 留守儿童": rq.RegistryFilter(categories=("left_behind_child",)),
        "overdue visits": rq.RegistryFilter(overdue="overdue"),
        "no helper": rq.RegistryFilter(helper="none"),
        "age 12-15 + 特别困难": rq.RegistryFilter(age_band="12-15", difficulty="特别困难"),
        "text search '张'": rq.RegistryFilter(text="张"),
        "sort by last visit": rq.RegistryFilter(sort="last_visit"),
    }
    print(f"{'filter':<26}{'actor':<10}{'rows':>9}{'count+page (ms)':>18}")
    for name, flt in filters.items():
        for label, actor in (("office", office), ("township", township)):
            def run():
                with session_scope(engine, write=False) as s:
                    return rq.page(s, actor, flt)

            total = run().total
            ms = _median(run, args.runs) * 1000
            print(f"{name:<26}{label:<10}{total:>9}{ms:>18.1f}")

    from streamlit.testing.v1 import AppTest

    def page_run(username: str):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.run()
        t = time.perf_counter()
        at.switch_page("pages/registry.py").run()
        assert not at.exception, at.exception
        return time.perf_counter() - t

    for username in (office.username, township.username):
        times = [page_run(username) for _ in range(args.runs)]
        print(f"AppTest registry page run as {username:<10}{statistics.median(times) * 1000:>10.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
