"""CareDesk benchmark: one command, one table (docs/PERFORMANCE.md).

    .venv/bin/pip install -r bench/requirements.txt          # datasette, for the comparison only
    .venv/bin/python bench/run.py --people 200000             # generates /tmp/bench/p200000.db once
    .venv/bin/python bench/run.py --people 20000 --parts memory

Parts (--parts, comma separated; default all but memory):
  registry   filtered count + first page (areas/registry/reads.page, uncached) for 5 typical
             filters and a free-text search, office scope; the raw SQL floor = the very
             statements that call sends, replayed on the DBAPI cursor; ratio page/SQL
  naive      whole people (+ categories) table into pandas, filter/sort/slice in pandas
  datasette  `datasette serve` on the same file, the same filter as its HTML table page
  apptest    a full AppTest run of 人员台账, 工作台, 指标看板, 乡镇地图: cold (caches cleared)
             and cached (second run)
  memory     peak RSS of a `streamlit run` server after 5 browser sessions open each page
Every figure: median of --runs runs after one warm-up run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CAREDESK_DEMO", "0")
os.environ.setdefault("CAREDESK_COOKIE_KEY", "bench-only-cookie-key-0123456789abcdef")
logging.getLogger("streamlit").setLevel(logging.ERROR)

ROWS: list[tuple[str, str, str]] = []


def out(what: str, value: str, note: str = "") -> None:
    ROWS.append((what, value, note))
    print(f"{what:<58} {value:>14}  {note}", flush=True)


def median(fn, runs: int, warm: int = 1) -> float:
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def ensure_db(people: int, path: str | None) -> str:
    path = path or f"/tmp/bench/p{people}.db"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    from db.engine import get_engine
    from db.migrate import upgrade

    eng = get_engine(url)
    upgrade(eng)
    from sqlalchemy import text

    with eng.connect() as c:
        n = c.execute(text("SELECT count(*) FROM people")).scalar()
    if not n:
        from tools import demo

        t = time.perf_counter()
        demo.generate(eng, people=people)
        print(f"generated {people:,} people in {time.perf_counter() - t:.0f}s → {path}", flush=True)
    return url


def filters():
    from areas.registry import reads as rq

    return {
        "在册 (default)": rq.RegistryFilter(),
        "类别 留守儿童": rq.RegistryFilter(categories=("left_behind_child",)),
        "特别困难 + 年龄12-15": rq.RegistryFilter(difficulty="特别困难", age_band="12-15"),
        "未落实帮扶责任人": rq.RegistryFilter(helper="none"),
        "走访逾期": rq.RegistryFilter(overdue="overdue"),
        "搜索 '张'": rq.RegistryFilter(text="张"),
    }


# ---------------------------------------------------------------- registry + floor
def part_registry(url: str, runs: int, results: dict) -> None:
    from sqlalchemy import event

    from core.roles import Actor
    from db.engine import get_engine, session_scope
    from areas.registry import reads as rq

    eng = get_engine(url)
    office = Actor("office", "office")
    for name, f in filters().items():
        def page():
            with session_scope(eng, write=False) as s:
                return rq.page(s, office, f)

        captured = []

        def grab(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                captured.append((statement, parameters))

        event.listen(eng, "before_cursor_execute", grab)
        total = page().total
        event.remove(eng, "before_cursor_execute", grab)
        t_page = median(page, runs)

        raw = eng.raw_connection()

        def floor():
            cur = raw.cursor()
            for sql, params in captured:
                cur.execute(sql, params)
                cur.fetchall()
            cur.close()

        t_sql = median(floor, runs)
        raw.close()
        results[name] = t_page
        out(f"registry: {name} ({total:,} rows) count+page", f"{t_page * 1000:.0f} ms",
            f"raw SQL {t_sql * 1000:.0f} ms, ratio {t_page / t_sql:.2f}×")


# ---------------------------------------------------------------- naive
def part_naive(url: str, runs: int, results: dict) -> None:
    import pandas as pd
    from sqlalchemy import create_engine

    from core.categories import age_band_bounds

    eng = create_engine(url)
    today = pd.Timestamp(dt.date.today())

    def load():
        with eng.connect() as c:
            return pd.read_sql("SELECT * FROM people", c)

    def cats():
        with eng.connect() as c:
            return pd.read_sql("SELECT * FROM person_categories", c)

    def first_page(df):
        df = df.sort_values(["village_id", "name", "id"])
        return len(df), df.head(50)

    def run(name):
        people = load()
        df = people[people["status"] == "在册"]
        if name == "类别 留守儿童":
            pc = cats()
            ids = pc[(pc["category"] == "left_behind_child") & pc["end_on"].isna()]["person_id"]
            df = df[df["id"].isin(ids)]
        elif name == "特别困难 + 年龄12-15":
            lo, hi = age_band_bounds("12-15")
            age = (today - pd.to_datetime(df["birth_date"])).dt.days // 365.25
            df = df[(df["difficulty"] == "特别困难") & (age >= lo) & (age <= hi)]
        elif name == "搜索 '张'":
            df = df[df["name"].str.contains("张") | df["id_number"].str.contains("张") | df["phone"].fillna("").str.contains("张")]
        return first_page(df)

    for name in ("在册 (default)", "类别 留守儿童", "特别困难 + 年龄12-15", "搜索 '张'"):
        t = median(lambda: run(name), max(3, runs // 2))
        ours = results.get(name)
        out(f"naive pandas: {name}", f"{t * 1000:.0f} ms",
            f"ours {ours * 1000:.0f} ms → {t / ours:.0f}× faster" if ours else "")


# ---------------------------------------------------------------- datasette
def part_datasette(url: str, runs: int, results: dict) -> None:
    from tests.harness import free_port

    path = url.removeprefix("sqlite:///")
    exe = Path(sys.executable).with_name("datasette")
    if not exe.exists():
        out("datasette", "n/a", "pip install -r bench/requirements.txt")
        return
    port = free_port()
    proc = subprocess.Popen([str(exe), "serve", path, "--port", str(port), "--setting", "sql_time_limit_ms", "60000",
                             "--setting", "facet_suggest_time_limit_ms", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = Path(path).stem
    try:
        base = f"http://127.0.0.1:{port}/{db}/people"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        queries = {
            "在册 (default)": {"status": "在册"},
            "类别 留守儿童": {"status": "在册", "_where": "id in (select person_id from person_categories "
                                                       "where category='left_behind_child' and end_on is null)"},
            "特别困难 + 年龄12-15": {"status": "在册", "difficulty": "特别困难",
                                   "birth_date__gt": str(dt.date.today().replace(year=dt.date.today().year - 16)),
                                   "birth_date__lte": str(dt.date.today().replace(year=dt.date.today().year - 12))},
            "搜索 '张'": {"status": "在册", "name__contains": "张"},
        }
        for name, q in queries.items():
            q = {**q, "_sort": "village_id", "_size": "50"}
            u = base + "?" + urllib.parse.urlencode(q)

            def get():
                with urllib.request.urlopen(u, timeout=120) as r:
                    assert r.status == 200
                    r.read()

            t = median(get, runs)
            ours = results.get(name)
            out(f"datasette table page: {name}", f"{t * 1000:.0f} ms",
                f"ours {ours * 1000:.0f} ms → {t / ours:.1f}×" if ours else "")
    finally:
        proc.terminate()
        proc.wait(10)


# ---------------------------------------------------------------- AppTest
def part_apptest(url: str, runs: int) -> None:
    import streamlit as st

    from tests.harness import app_test

    os.environ["DATABASE_URL"] = url
    for page in ("registry", "workbench", "indicators", "map"):
        def cold():
            at = app_test("office", timeout=600)
            st.cache_data.clear()
            t = time.perf_counter()
            at.switch_page(f"pages/{page}.py").run()
            dt_ = time.perf_counter() - t
            assert not at.exception, at.exception
            return at, dt_

        def cached_run(at):
            t = time.perf_counter()
            at.run()
            return time.perf_counter() - t

        n = max(3, runs) if page != "indicators" else runs
        cold()
        samples = [cold() for _ in range(n)]
        t_cold = statistics.median(s for _, s in samples)
        at = samples[-1][0]
        cached_run(at)
        t_cached = statistics.median(cached_run(at) for _ in range(n))
        out(f"AppTest page run: {page}", f"{t_cold * 1000:.0f} ms", f"cached {t_cached * 1000:.0f} ms")


# ---------------------------------------------------------------- memory
def part_memory(url: str, people: int) -> None:
    import psutil
    from playwright.sync_api import sync_playwright

    from tools import demo
    from tests.harness import CHROMIUM_ARGS, live_server, login, wait_idle

    data = Path(f"/tmp/bench/mem{people}")
    data.mkdir(parents=True, exist_ok=True)
    with live_server(url, data) as base, sync_playwright() as p:
        port = int(base.rsplit(":", 1)[1])
        server = next(c for c in psutil.net_connections("tcp") if c.laddr.port == port and c.status == "LISTEN")
        proc = psutil.Process(server.pid)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        rss0 = proc.memory_info().rss
        pages = []
        for i in range(5):
            pg = browser.new_context().new_page()
            login(pg, base, "office", demo.DEMO_PASSWORD)
            for path in ("registry", "workbench", "indicators", "map"):
                pg.goto(f"{base}/{path}")
                pg.locator("[data-testid='stMain'] h1").first.wait_for(timeout=300000)
                wait_idle(pg, timeout=300000)
            pages.append(pg)
        rss = proc.memory_info().rss
        peak = _peak(proc.pid)
        browser.close()
    out(f"server RSS after 5 sessions × 4 pages ({people:,} people)", f"{rss / 2**20:.0f} MB",
        f"peak {peak / 2**20:.0f} MB, at start {rss0 / 2**20:.0f} MB")


def _peak(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--db", default=None, help="SQLite file (default /tmp/bench/p<people>.db)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--parts", default="registry,naive,datasette,apptest")
    args = ap.parse_args(argv)
    parts = set(args.parts.split(","))
    url = ensure_db(args.people, args.db)
    print(f"{args.people:,} people · {url} · median of {args.runs} after warm-up", flush=True)
    results: dict = {}
    if parts & {"registry", "naive", "datasette"}:
        part_registry(url, args.runs, results)
    if "naive" in parts:
        part_naive(url, args.runs, results)
    if "datasette" in parts:
        part_datasette(url, args.runs, results)
    if "apptest" in parts:
        part_apptest(url, args.runs)
    if "memory" in parts:
        part_memory(url, args.people)
    print("\n| measurement | value | note |\n|---|---:|---|")
    for what, value, note in ROWS:
        print(f"| {what} | {value} | {note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
