"""No N+1 on the 指标看板 with its trend (issue 14), read by read: the statements the board
(this month and last month) plus the 12-month trend send are a fixed number — the same for
300 and for 1,200 people, on SQLite and PostgreSQL — both on the first read (which computes
and stores the closed months) and once the closed months are stored (one SELECT for them all).

Next to test_page_statements.py, which counts whole page runs (AppTest) on SQLite."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.engine import Engine

from areas.admin import users
from areas.indicators import reads as ind
from core import indicators as ci
from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from db.models import IndicatorMonth, User
from tests.conftest import pg_create_database, pg_drop_database, require_pg
from tools import demo

SIZES = (300, 1200)
TODAY = dt.date.today()


def _count(url: str, fn) -> int:
    seen: list[str] = []

    def rec(conn, cursor, statement, *_):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", rec)
    try:
        with session_scope(get_engine(url), write=False) as s:
            fn(s)
    finally:
        event.remove(Engine, "before_cursor_execute", rec)
    return len(seen)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def dbs(request, tmp_path_factory):
    urls, made = {}, []
    for n in SIZES:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp(f'board{n}') / 'app.db'}"
        else:
            require_pg()
            url = pg_create_database()
            made.append(url)
        engine = get_engine(url)
        upgrade(engine)
        demo.generate(engine, people=n)
        urls[n] = url
    yield urls
    dispose_all()
    for url in made:
        pg_drop_database(url)


def _board_and_trend(session):
    office = users.actor_for(session.scalar(select(User).where(User.role == "office")))
    label = ci.month_label(TODAY)
    board = ind.board(session, office, label, today=TODAY)
    trend = ind.trend(session, office, ci.CODES[0], label, 12, None, today=TODAY)
    assert len(trend) == 12 and not board.empty


def test_board_with_trend_sends_a_fixed_number_of_statements(dbs):
    first, stored = {}, {}
    for n, url in dbs.items():
        with session_scope(get_engine(url)) as s:
            s.execute(delete(IndicatorMonth))
        first[n] = _count(url, _board_and_trend)  # computes and stores the closed months
        stored[n] = _count(url, _board_and_trend)  # reads them: one SELECT for all
    # 4× the people, the same statements: per month and indicator, never per township or person
    assert first[SIZES[0]] == first[SIZES[1]], first
    assert stored[SIZES[0]] == stored[SIZES[1]], stored
    assert stored[SIZES[0]] < first[SIZES[0]], (first, stored)
    # the stored run: the open month(s) live (a fixed set of grouped statements each), every
    # closed month of the board and the trend in one read
    open_months = 1 + (not ci.is_closed(ci.shift_month(ci.month_label(TODAY), -1), TODAY))
    assert stored[SIZES[0]] <= 12 + 18 * open_months, stored
