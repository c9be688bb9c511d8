"""CareDesk benchmark: one command, one table per part (docs/PERFORMANCE.md). SQLite only
(Datasette and the file-based naive load need the file); bench/registry.py, bench/indicators.py
and bench/browser.py take any DATABASE_URL.

    /tmp/bench/dsvenv/bin/pip install -r bench/requirements.txt   # datasette, in a venv of its own
    .venv/bin/python bench/run.py --people 200000 --datasette /tmp/bench/dsvenv/bin/datasette

Parts (--parts, comma separated; default all but memory):
  registry   filtered count + first page (areas/registry/reads.page, uncached) for each filter
             of bench/registry.py, office scope, interleaved with its raw SQL floor
  naive      whole people (+ categories) table into pandas, filter/sort/slice in pandas
  datasette  the same filter, sort (姓名, id) and page size (50) as Datasette's HTML table page
             and as our 人员台账, both over HTTP in headless Chromium, interleaved: navigation start
             → Datasette's load event / our page idle (bench/browser.py's timer); our server runs
             with CAREDESK_CACHE_TTL=1 so every sample computes (Datasette has no result cache);
             the row counts of both pages are compared
  apptest    a full AppTest run of 人员台账, 工作台, 指标看板, 乡镇地图: cold (st.cache_data cleared
             before every run) and cached (the same AppTest run again)
  memory     RSS of a `streamlit run` server after 5 browser sessions open each page
Every figure: median, min–max and n of --runs samples after one warm-up, with the load average.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("CAREDESK_DEMO", "0")
os.environ.setdefault("CAREDESK_COOKIE_KEY", "bench-only-cookie-key-0123456789abcdef")
logging.getLogger("streamlit").setLevel(logging.ERROR)

from common import Table, interleave, median, ratios, samples, spread  # noqa: E402

TABLES: list[Table] = []


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


def _office():
    from core.roles import Actor

    return Actor("office", "office")


# ---------------------------------------------------------------- registry + floor
def part_registry(url: str, runs: int, results: dict) -> None:
    from registry import registry_rows

    from db.engine import get_engine

    table = Table("registry count + first page vs its raw SQL (server time, interleaved)")
    TABLES.append(table)
    got = registry_rows(table, get_engine(url), {"office": _office()}, runs)
    results.update({name: xs for (name, _), xs in got.items()})


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

    table = Table("naive: the whole table into pandas, filter/sort/slice there (in process)")
    TABLES.append(table)
    for name in ("在册 (default)", "类别 留守儿童", "特别困难 + 年龄12-15", "搜索 '张'"):
        xs = samples(lambda: run(name), runs)
        ours = results.get(name)
        table.add(f"naive pandas: {name}", xs,
                  note=f"ours {median(ours) * 1000:,.0f} ms → {median(xs) / median(ours):.0f}× faster" if ours else "")


# ---------------------------------------------------------------- datasette
def _datasette_exe(given: str | None) -> str | None:
    for cand in (given, os.environ.get("DATASETTE"), str(Path(sys.executable).with_name("datasette")),
                 shutil.which("datasette")):
        if cand and Path(cand).exists():
            return cand
    return None


def comparisons(today: dt.date) -> dict[str, tuple[dict, dict]]:
    """filter → (our 人员台账 query parameters, Datasette table-page parameters): the same rows
    (the conditions of areas/registry/reads.py written as Datasette filters and `_where`), the
    same order (姓名, then id: Datasette breaks ties by the primary key) and page size (50)."""
    from core.idnumber import born_by

    active = "在册"
    current = f"start_on <= '{today}' and (end_on is null or end_on >= '{today}')"
    return {
        "在册 (default)": ({}, {"status": active}),
        "类别 留守儿童": ({"cat": "农村留守儿童"},
                     {"status": active, "_where": "id in (select person_id from person_categories where "
                                                  f"category = 'left_behind_child' and {current})"}),
        "特别困难 + 年龄12-15": ({"diff": "特别困难", "age": "12-15"},
                           {"status": active, "difficulty": "特别困难", "birth_date__lte": str(born_by(today, 12)),
                            "birth_date__gt": str(born_by(today, 16))}),
        "搜索 '张'": ({"q": "张"},
                    {"status": active, "_where": "(name like '%张%' or id_number like '%张%' or phone like '%张%')"}),
    }


def part_datasette(url: str, runs: int, exe: str | None) -> None:
    """Both pages over HTTP in one browser, interleaved per filter: navigation start → our page
    idle (the in-page timer of bench/browser.py) vs → Datasette's load event (Navigation Timing).
    Datasette renders the whole page on the server, so its load event is when it is readable."""
    from playwright.sync_api import sync_playwright

    import browser as felt_timer
    from registry import filters

    from areas.registry import reads as rq
    from db.engine import get_engine, session_scope
    from tests.harness import CHROMIUM_ARGS, free_port, live_server

    table = Table("Datasette vs 人员台账 over HTTP, same filter, sort 姓名 and 50 rows (browser, navigation → ready)")
    TABLES.append(table)
    exe = _datasette_exe(exe)
    if not exe:
        table.add("datasette not installed (pip install -r bench/requirements.txt; --datasette PATH)", [])
        return
    path = url.removeprefix("sqlite:///")
    today = dt.date.today()
    eng = get_engine(url)
    port = free_port()
    proc = subprocess.Popen([exe, "serve", path, "--port", str(port), "--setting", "sql_time_limit_ms", "120000",
                             "--setting", "facet_suggest_time_limit_ms", "0", "--setting", "default_facet_size", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**felt_timer.SERVER_ENV, "CAREDESK_CACHE_TTL": "1"}
    data = Path(tempfile.mkdtemp(prefix="caredesk_ds_"))
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        with live_server(url, data, env) as base, sync_playwright() as p:
            br = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            ctx, ours_tab, felt = felt_timer.session(br, 600_000, 500)
            their_tab = ctx.new_page()
            felt_timer._signin(ours_tab, felt, base, "office", felt_timer._demo_password())
            db = Path(path).stem
            for name, (ours_q, ds_q) in comparisons(today).items():
                flt = filters()[name]
                with session_scope(eng, write=False) as s:
                    total = rq.count(s, _office(), flt, today)
                ours_url = f"{base}/registry?" + urllib.parse.urlencode({**ours_q, "sort": "姓名"})
                ds_url = f"http://127.0.0.1:{port}/{db}/people?" + urllib.parse.urlencode({**ds_q, "_sort": "name",
                                                                                          "_size": "50"})
                seen = {}

                def ours():
                    return felt.measure(lambda: ours_tab.goto(ours_url, timeout=600_000), title="人员台账",
                                        text=f"共 {total:,} 人", on_load=True)

                def theirs():
                    their_tab.goto(ds_url, wait_until="load", timeout=600_000)
                    nav = their_tab.evaluate("() => performance.getEntriesByType('navigation')[0].toJSON()")
                    m = re.search(r"([\d,]+) rows? where", their_tab.inner_text("body"))
                    seen["rows"] = int(m.group(1).replace(",", "")) if m else None
                    return (nav["loadEventEnd"] - nav["startTime"]) / 1000

                got = interleave({"ours": ours, "datasette": theirs}, runs, clock=lambda fn: fn())
                r = ratios(got["datasette"], got["ours"])
                lo, hi = spread(r)
                same = "same row count" if seen.get("rows") == total else f"ROW COUNTS DIFFER: Datasette {seen.get('rows')}"
                table.add(f"人员台账 (ours, browser): {name} ({total:,} rows)", got["ours"], note=same)
                table.add(f"Datasette table page: {name}", got["datasette"],
                          note=f"Datasette/ours {median(r):.2f}× ({lo:.2f}–{hi:.2f}) per round")
            br.close()
    finally:
        proc.terminate()
        proc.wait(10)


# ---------------------------------------------------------------- AppTest
def part_apptest(url: str, runs: int) -> None:
    from registry import apptest_cold

    from tests.harness import app_test

    os.environ["DATABASE_URL"] = url
    table = Table("AppTest full page run (office): cold = st.cache_data cleared before every run")
    TABLES.append(table)
    for page in ("registry", "workbench", "indicators", "map"):
        table.add(f"AppTest {page}, cold", apptest_cold("office", page, runs))
        at = app_test("office", page, timeout=600)
        table.add(f"AppTest {page}, cached (same session, run again)", samples(lambda: at.run(), runs))


# ---------------------------------------------------------------- memory
def part_memory(url: str, people: int) -> None:
    import psutil
    from playwright.sync_api import sync_playwright

    import browser as felt_timer
    from tools import demo
    from tests.harness import CHROMIUM_ARGS, live_server, login, wait_idle

    data = Path(f"/tmp/bench/mem{people}")
    data.mkdir(parents=True, exist_ok=True)
    with live_server(url, data, felt_timer.SERVER_ENV) as base, sync_playwright() as p:
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
    table = Table(f"server memory, {people:,} people")
    TABLES.append(table)
    table.add(f"server RSS after 5 sessions × 4 pages: {rss / 2**20:.0f} MB", [],
              note=f"peak {peak / 2**20:.0f} MB, at start {rss0 / 2**20:.0f} MB")


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
    ap.add_argument("--datasette", default=None, help="the datasette executable (default: next to python, PATH)")
    args = ap.parse_args(argv)
    parts = set(args.parts.split(","))
    url = ensure_db(args.people, args.db)
    print(f"{args.people:,} people · {url} · {args.runs} samples after a warm-up", flush=True)
    results: dict = {}
    if parts & {"registry", "naive"}:
        part_registry(url, args.runs, results)
    if "naive" in parts:
        part_naive(url, args.runs, results)
    if "datasette" in parts:
        part_datasette(url, args.runs, args.datasette)
    if "apptest" in parts:
        part_apptest(url, args.runs)
    if "memory" in parts:
        part_memory(url, args.people)
    print("\n" + "\n\n".join(t.markdown() for t in TABLES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
