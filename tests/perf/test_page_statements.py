"""No N+1: the SQL statements one page run sends are a fixed number, the same for a small
and a four-times larger county; the registry page reads one page of people, not more.

Demo data (db/demo.py) on SQLite; caches are cleared before each counted run, so the
count is the cold one (the cached run sends only the generation SELECTs)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import streamlit as st
from sqlalchemy import delete, event
from sqlalchemy.engine import Engine

from core import indicators as ci
from tools import demo
from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from db.models import IndicatorMonth
from areas.registry.reads import PAGE_SIZE
from tests.harness import app_test

# Upper bounds per cold page run as office (app.py sign-in check included). Measured at
# 150 and at 600 people: workbench 7, registry 13, map 12, indicators (this month and last
# month) with the 12-month trend switched on 78 — a fixed number of statements per month.
LIMITS = {"workbench": 10, "registry": 16, "indicators": 85, "map": 16}


class Recorder:
    def __init__(self):
        self.statements: list[tuple[str, object]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, context))

    def __enter__(self):
        event.listen(Engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(Engine, "before_cursor_execute", self)


def _db(tmp_path_factory, monkeypatch, people: int) -> str:
    d = tmp_path_factory.mktemp(f"perf{people}")
    url = f"sqlite:///{d / 'app.db'}"
    engine = get_engine(url)
    upgrade(engine)
    demo.generate(engine, people=people)
    return url


@pytest.fixture(scope="module")
def dbs(tmp_path_factory):
    urls = {}
    mp = pytest.MonkeyPatch()
    for n in (150, 600):
        urls[n] = _db(tmp_path_factory, mp, n)
    yield urls
    dispose_all()


def _run_page(monkeypatch, tmp_path, url: str, page: str, username: str = "office"):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CAREDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CAREDESK_DEMO", "0")
    at = app_test(username, timeout=120, show_trend=True)  # the board's most expensive view
    st.cache_data.clear()
    at.switch_page(f"pages/{page}.py")
    with Recorder() as rec:
        at.run()
    assert not at.exception, at.exception
    return at, rec.statements


@pytest.mark.parametrize("page", sorted(LIMITS))
def test_statements_per_page_run_are_bounded_and_do_not_grow_with_data(dbs, page, monkeypatch, tmp_path):
    counts = {}
    for n, url in dbs.items():
        _at, stmts = _run_page(monkeypatch, tmp_path, url, page)
        counts[n] = len(stmts)
    assert counts[150] <= LIMITS[page], f"{page}: {counts}"
    assert counts[600] <= LIMITS[page], f"{page}: {counts}"
    # 4× the people, the same statements (an N+1 would add one per row shown)
    assert counts[600] <= counts[150] + 1, f"{page}: {counts}"


def test_cached_page_run_sends_only_cheap_statements(dbs, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", dbs[600])
    monkeypatch.setenv("CAREDESK_DATA_DIR", str(tmp_path))
    at = app_test("office", timeout=120)
    st.cache_data.clear()
    at.switch_page("pages/workbench.py").run()
    with Recorder() as rec:
        at.run()  # same page again: served from the cache
    assert not at.exception
    heavy = [s for s, _ in rec.statements if "visits" in s or "person_categories" in s]
    assert heavy == [], heavy
    assert any("data_generation" in str(ctx.compiled.params if ctx.compiled is not None else "") or
               "app_settings" in s for s, ctx in rec.statements)


def _selected_columns(sql: str) -> str:
    return re.split(r"\bFROM\b", sql, maxsplit=1)[0]


def test_registry_page_reads_one_page_of_people(dbs, monkeypatch, tmp_path):
    at, stmts = _run_page(monkeypatch, tmp_path, dbs[600], "registry")
    personal = [(s, ctx) for s, ctx in stmts if "people.id_number" in _selected_columns(s)]
    assert personal, "the registry page must read people rows"
    for sql, ctx in personal:
        limit = getattr(ctx.compiled.statement, "_limit", None)
        assert limit is not None and limit <= PAGE_SIZE, sql
    shown = at.data_editor[0].value if len(at.data_editor) else at.dataframe[0].value
    assert len(shown) == PAGE_SIZE
    assert "共 **" in at.markdown[0].value and f"每页 {PAGE_SIZE} 人" in at.markdown[0].value
    total = int(re.search(r"共 \*\*([\d,]+)\*\*", at.markdown[0].value).group(1).replace(",", ""))
    assert total > 10 * PAGE_SIZE  # many pages exist, one was read


# The board with the 12-month trend (issue 14): the first page run computes the closed months
# and stores them; every later cold run reads them with one statement and computes only the
# open month(s): this month, and last month while it is within its late-entry days
# (core.indicators.closes_on). Measured at 150 and 600 people on 2026-11-29 (one open month):
# first run 77, stored 29; the board and trend alone 24 with one open month, 40 with two.
STORED_LIMIT = 32
PER_OPEN_MONTH = 18


def _open_months(today: dt.date) -> int:
    return 1 + (not ci.is_closed(ci.shift_month(ci.month_label(today), -1), today))


def test_board_with_trend_reads_stored_months(dbs, monkeypatch, tmp_path):
    first, stored = {}, {}
    for n, url in dbs.items():
        with session_scope(get_engine(url)) as s:  # whatever earlier page runs stored
            s.execute(delete(IndicatorMonth))
        first[n] = len(_run_page(monkeypatch, tmp_path, url, "indicators")[1])
        stored[n] = len(_run_page(monkeypatch, tmp_path, url, "indicators")[1])  # cold again, months stored
        with session_scope(get_engine(url), write=False) as s:
            assert s.query(IndicatorMonth).count() > 0
    for n in dbs:
        assert stored[n] < first[n], (first, stored)
        assert stored[n] <= STORED_LIMIT + PER_OPEN_MONTH * (_open_months(dt.date.today()) - 1), (first, stored)
    # 4× the people, the same statements
    assert stored[600] <= stored[150] + 1, stored
