"""A small hand-built county for the registry tests; every expected figure is counted by hand.

today = 2026-06-15. Visit rule (core.visits): 一般 every 15 days, 特别困难 every 7 days.

| key | township/village | name | category | birth (age) | difficulty | status | helper | last visit → overdue |
| a | T1/V11 | 张三  | left_behind_child     | 2014-05-06 (12) | 一般     | 在册   | yes | 06-10 → no  |
| b | T1/V11 | 李四  | child_in_difficulty   | 2010-01-01 (16) | 特别困难 | 在册   | no  | none  → yes |
| c | T1/V12 | 王_五 | left_behind_elderly   | 1950-03-03 (76) | 一般     | 在册   | no  | 05-01 → yes |
| d | T1/V12 | 赵六  | left_behind_child     | 2013-01-01 (13) | 一般     | 已退出 | no  | none        |
| e | T2/V21 | 张四  | left_behind_child     | 2015-07-07 (10) | 一般     | 在册   | no  | none  → yes |
| f | T2/V22 | 钱七  | severe_disability     | 1980-02-02 (46) | 特别困难 | 在册   | no  | 06-12 → no  |
"""
import datetime as dt

import pytest

from db.engine import session_scope
from db.models import Assignment, Helper, Visit
from tests import factories as f

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def world(engine):
    return build(engine)


@pytest.fixture
def app_world(sqlite_url, monkeypatch):
    """The same county in a SQLite file that the real app (AppTest) reads via DATABASE_URL."""
    from db.engine import get_engine

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    return build(get_engine(sqlite_url))


def build(engine):
    with session_scope(engine) as s:
        ids = f.county(s)
        office = f.account(s, "office1", "office")
        tw1 = f.account(s, "tw1", "township", township_id=ids["T1"])
        tw2 = f.account(s, "tw2", "township", township_id=ids["T2"])
        leader = f.account(s, "leader1", "leader")
        p = {}
        p["a"] = f.person(s, ids["T1"], ids["V11"], name="张三", birth=dt.date(2014, 5, 6), phone="13800000001")
        p["b"] = f.person(s, ids["T1"], ids["V11"], name="李四", birth=dt.date(2010, 1, 1), difficulty="特别困难",
                          categories=("child_in_difficulty",), phone="13800000002")
        p["c"] = f.person(s, ids["T1"], ids["V12"], name="王_五", birth=dt.date(1950, 3, 3),
                          categories=("left_behind_elderly",), phone="13800000003")
        p["d"] = f.person(s, ids["T1"], ids["V12"], name="赵六", birth=dt.date(2013, 1, 1), status="已退出",
                          phone="13800000004")
        p["e"] = f.person(s, ids["T2"], ids["V21"], name="张四", birth=dt.date(2015, 7, 7), phone="13900000005")
        p["f"] = f.person(s, ids["T2"], ids["V22"], name="钱七", birth=dt.date(1980, 2, 2), difficulty="特别困难",
                          categories=("severe_disability",), phone="13800000006")
        h = Helper(name="周帮扶", position="村支书", township_id=ids["T1"])
        h2 = Helper(name="吴帮扶", position="妇联主席", township_id=ids["T1"])
        h3 = Helper(name="郑帮扶", position="村主任", township_id=ids["T2"])
        s.add_all([h, h2, h3])
        s.flush()
        s.add(Assignment(helper_id=h.id, person_id=p["a"].id, start_on=dt.date(2025, 1, 1)))
        s.add(Visit(person_id=p["a"].id, visited_on=dt.date(2026, 6, 10)))
        s.add(Visit(person_id=p["c"].id, visited_on=dt.date(2026, 5, 1)))
        s.add(Visit(person_id=p["f"].id, visited_on=dt.date(2026, 6, 12)))
        pids = {k: v.id for k, v in p.items()}
        idn = {k: v.id_number for k, v in p.items()}
        helpers = {"zhou": h.id, "wu": h2.id, "zheng": h3.id}
    return {"engine": engine, "ids": ids, "p": pids, "idn": idn, "helpers": helpers,
            "office": office, "tw1": tw1, "tw2": tw2, "leader": leader}
