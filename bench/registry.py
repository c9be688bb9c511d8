"""Registry benchmark: filtered count + first page (server time) against its raw SQL floor,
interleaved, and full AppTest page runs with the caches cleared before every run.

    DATABASE_URL=sqlite:////tmp/bench/p200000.db .venv/bin/python bench/registry.py --reuse
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/registry.py --reuse
    .venv/bin/python bench/registry.py --people 20000          # generates a temporary SQLite file

page      = areas/registry/reads.page (count + first page of 50), uncached, in this process
raw SQL   = the very statements that call sent (captured once), replayed on a DBAPI cursor of
            the same engine: no SQLAlchemy, no pandas, no masking
Both run in the same loop, one of each per round (order alternating), after one warm-up round:
the ratio is taken per round, so a burst of load elsewhere hits both alike.
AppTest   = a full run of pages/registry.py in streamlit.testing (AppTest), st.cache_data cleared
            before every run (cold page layer; database caches warm).
Every row: median, min–max, n, loadavg.
"""
from __future__ import annotations

import argparse
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

from common import Table, interleave, median, ratios, spread  # noqa: E402


def filters() -> dict:
    """The filters every registry benchmark measures (bench/run.py too): one per filter kind."""
    from areas.registry import reads as rq

    return {
        "在册 (default)": rq.RegistryFilter(),
        "类别 留守儿童": rq.RegistryFilter(categories=("left_behind_child",)),
        "特别困难 + 年龄12-15": rq.RegistryFilter(difficulty="特别困难", age_band="12-15"),
        "未落实帮扶责任人": rq.RegistryFilter(helper="none"),
        "走访逾期": rq.RegistryFilter(overdue="overdue"),
        "搜索 '张'": rq.RegistryFilter(text="张"),
        "排序 最近走访": rq.RegistryFilter(sort="last_visit"),
        "排序 姓名": rq.RegistryFilter(sort="name"),
    }


def page_and_floor(engine, actor, flt, runs: int) -> tuple[int, list[float], list[float]]:
    """(rows matched, page samples, raw-SQL samples), interleaved in one loop."""
    from sqlalchemy import event

    from areas.registry import reads as rq
    from db.engine import session_scope

    def page():
        with session_scope(engine, write=False) as s:
            return rq.page(s, actor, flt)

    captured: list = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        total = page().total
    finally:
        event.remove(engine, "before_cursor_execute", grab)

    raw = engine.raw_connection()

    def floor():
        cur = raw.cursor()
        for sql, params in captured:
            cur.execute(sql, params)
            cur.fetchall()
        cur.close()
        raw.rollback()  # end the read transaction, as the session does

    try:
        got = interleave({"page": page, "floor": floor}, runs)
    finally:
        raw.close()
    return total, got["page"], got["floor"]


def registry_rows(table: Table, engine, actors: dict, runs: int, names: list[str] | None = None) -> dict:
    """Adds page-vs-floor rows to `table`; returns {(filter, actor label): page samples}."""
    out = {}
    for name, flt in filters().items():
        if names and name not in names:
            continue
        for label, actor in actors.items():
            total, pg, fl = page_and_floor(engine, actor, flt, runs)
            r = ratios(pg, fl)
            lo, hi = spread(r)
            table.add(f"registry {name}, {label} ({total:,} rows): count + page", pg,
                      note=f"raw SQL {median(fl) * 1000:,.0f} ms ({min(fl) * 1000:,.0f}–{max(fl) * 1000:,.0f}); "
                           f"page/SQL {median(r):.2f}× ({lo:.2f}–{hi:.2f})")
            out[(name, label)] = pg
    return out


def apptest_cold(username: str, page: str, runs: int) -> list[float]:
    """A full AppTest run of pages/<page>.py, st.cache_data cleared before every run."""
    import streamlit as st

    from tests.harness import app_test

    def one() -> float:
        at = app_test(username, timeout=600)
        st.cache_data.clear()
        t = time.perf_counter()
        at.switch_page(f"pages/{page}.py").run()
        secs = time.perf_counter() - t
        assert not at.exception, at.exception
        return secs

    one()  # warm-up: imports, database caches
    return [one() for _ in range(runs)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reuse", action="store_true", help="DATABASE_URL is already filled")
    ap.add_argument("--no-apptest", action="store_true")
    args = ap.parse_args(argv)

    url = os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='caredesk_bench_')}/bench.db"
        os.environ["DATABASE_URL"] = url
    from sqlalchemy import select

    from areas.admin import users
    from db.engine import get_engine, session_scope
    from db.migrate import upgrade
    from db.models import User

    engine = get_engine(url)
    upgrade(engine)
    if not args.reuse:
        from tools import demo

        t = time.perf_counter()
        demo.generate(engine, people=args.people)
        print(f"generated {args.people:,} people in {time.perf_counter() - t:.1f}s ({engine.dialect.name})")

    with session_scope(engine, write=False) as s:
        office = users.actor_for(s.scalar(select(User).where(User.username == "office")))
        township = users.actor_for(s.scalar(select(User).where(User.username == "township")))
    table = Table(f"registry, {engine.dialect.name} ({url.rsplit('/', 1)[-1]}), server time")
    registry_rows(table, engine, {"office": office, "township": township}, args.runs)
    if not args.no_apptest:
        for username in ("office", "township"):
            table.add(f"AppTest 人员台账, {username}, cold (st.cache_data cleared)",
                      apptest_cold(username, "registry", args.runs))
    print("\n" + table.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
