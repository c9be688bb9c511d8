"""Overdue list and compliance figures in SQL (SQLite and PostgreSQL) against the
hand-built set in tests/care/data.py."""
import datetime as dt

import pytest

from core.roles import Actor
from core.visits import DEFAULT_RULES, Rule
from db.engine import session_scope
from db.models import VisitRule
from areas.care import reads as q
from areas.workbench import reads as wb
from tests.care import data
from tests.care.visit_oracle import next_due

D = dt.date
OFFICE = Actor("office1", "office")


@pytest.fixture
def world(engine):
    with session_scope(engine) as s:
        return data.build(s)


def _names(df):
    return list(df["姓名"])


def test_overdue_list_sorted_by_days(engine, world):
    with session_scope(engine, write=False) as s:
        page = q.overdue_list(s, OFFICE, data.TODAY)
    assert page.total == 7
    assert _names(page.rows) == ["对象F", "对象H", "对象B", "对象I", "对象C", "对象E", "对象D"]
    assert list(page.rows["逾期天数"]) == [84, 16, 13, 9, 8, 6, 3]
    e = page.rows.set_index("姓名").loc["对象E"]
    assert e["应访日期"] == D(2026, 3, 4) and e["困难程度"] == "特别困难" and e["最近走访"] == D(2026, 2, 25)
    assert page.rows.set_index("姓名").loc["对象F", "帮扶责任人"] == q.NO_HELPER


def test_overdue_list_filters_and_paging(engine, world):
    ids, helpers = world["ids"], world["helpers"]
    with session_scope(engine, write=False) as s:
        t1 = q.overdue_list(s, OFFICE, data.TODAY, township_id=ids["T1"])
        v12 = q.overdue_list(s, OFFICE, data.TODAY, village_id=ids["V12"], sort="days_asc")
        h3 = q.overdue_list(s, OFFICE, data.TODAY, helper_id=helpers["H3"])
        none = q.overdue_list(s, OFFICE, data.TODAY, helper_id=-1)
        page2 = q.overdue_list(s, OFFICE, data.TODAY, limit=3, offset=3)
    assert _names(t1.rows) == ["对象B", "对象I", "对象C", "对象D"] and t1.total == 4
    assert _names(v12.rows) == ["对象D", "对象C"]
    assert _names(h3.rows) == ["对象H", "对象E"]
    assert _names(none.rows) == ["对象F"]
    assert _names(page2.rows) == ["对象I", "对象C", "对象E"] and page2.total == 7


def test_township_user_sees_only_own_rows_and_leader_none(engine, world):
    ids = world["ids"]
    tw = Actor("tw2", "township", township_id=ids["T2"])
    leader = Actor("boss", "leader")
    with session_scope(engine, write=False) as s:
        assert _names(q.overdue_list(s, tw, data.TODAY).rows) == ["对象F", "对象H", "对象E"]
        assert q.overdue_list(s, leader, data.TODAY).total == 0
        pres = q.overdue_list(s, Actor("o", "office", presentation=True), data.TODAY)
    assert _names(pres.rows)[0] == "对*F"
    assert all("*" in x for x in pres.rows["身份证号"])


def test_sql_next_due_matches_the_python_rule(engine, world):
    people = world["people"]
    rules = {"一般": DEFAULT_RULES["一般"], "特别困难": DEFAULT_RULES["特别困难"]}
    expected = {
        "A": next_due(D(2026, 3, 1), data.ENROLLED, "一般", rules),
        "B": next_due(D(2026, 2, 10), data.ENROLLED, "一般", rules),
        "C": next_due(D(2026, 2, 23), data.ENROLLED, "特别困难", rules),
        "D": next_due(None, D(2026, 2, 20), "一般", rules),
        "E": next_due(D(2026, 2, 25), data.ENROLLED, "一般", rules, raised_on=D(2026, 2, 15)),
        "F": next_due(None, data.ENROLLED, "一般", rules),
        "H": next_due(D(2026, 2, 15), data.ENROLLED, "一般", {"一般": Rule("month", 4), "特别困难": Rule("week", 1)}),
        "I": next_due(D(2026, 2, 14), data.ENROLLED, "一般", rules),
    }
    assert expected["A"] == D(2026, 3, 16) and expected["E"] == D(2026, 3, 4) and expected["H"] == D(2026, 2, 22)
    with session_scope(engine, write=False) as s:
        for key, due in expected.items():
            st = q.visit_status(s, OFFICE, people[key], data.TODAY)
            assert st.next_due == due, key
        st = q.visit_status(s, OFFICE, people["E"], data.TODAY)
        assert (st.effective, st.days_overdue, st.raised_on, st.rule_label) == ("特别困难", 6, D(2026, 2, 15), "每周至少1次")
        assert q.visit_status(s, OFFICE, people["A"], data.TODAY).days_overdue == 0
        assert q.visit_status(s, OFFICE, people["G"], data.TODAY) is None  # exited


def test_compliance_by_township_february(engine, world):
    with session_scope(engine, write=False) as s:
        df = q.compliance_by_township(s, OFFICE, 2026, 2)
    # T1: A ok, B no, C ok, I no, D not yet due → 2/4; T2: E ok, F no, H no (needs 4), G exited → 1/3
    assert df.to_dict("records") == [
        {"乡镇": "测试1镇", "应访人数": 4, "按期人数": 2, "按期率(%)": 50.0},
        {"乡镇": "测试2镇", "应访人数": 3, "按期人数": 1, "按期率(%)": 33.3},
    ]


def test_compliance_by_helper_february(engine, world):
    with session_scope(engine, write=False) as s:
        df = q.compliance_by_helper(s, OFFICE, 2026, 2)
        t2 = q.compliance_by_helper(s, Actor("tw2", "township", township_id=world["ids"]["T2"]), 2026, 2)
    got = {(r["帮扶责任人"], r["乡镇"]): (r["应访人数"], r["按期人数"]) for r in df.to_dict("records")}
    assert got == {
        ("帮扶甲", "测试1镇"): (3, 1),  # A ok, B and I not
        ("帮扶乙", "测试1镇"): (1, 1),  # C ok, D not yet due
        ("帮扶丙", "测试2镇"): (2, 1),  # E ok, H not, G exited
        (q.NO_HELPER, "测试2镇"): (1, 0),  # F
    }
    assert set(t2["帮扶责任人"]) == {"帮扶丙", q.NO_HELPER}


def test_compliance_in_january_and_march(engine, world):
    with session_scope(engine, write=False) as s:
        jan = q.compliance_by_township(s, OFFICE, 2026, 1)
        mar = q.compliance_by_township(s, OFFICE, 2026, 3)
    # January: no visits at all; D not yet enrolled; G still active (exits Feb 10) → T1 4 due, T2 4 due
    assert list(jan["应访人数"]) == [4, 4] and list(jan["按期人数"]) == [0, 0]
    # March (to month end): A has 1 of 2; E (high risk, 4 needed) has none; nobody is compliant yet
    assert list(mar["应访人数"]) == [5, 3] and list(mar["按期人数"]) == [0, 0]


def test_office_rule_change_moves_the_figures(engine, world):
    # The '*' rule for 一般 becomes once a month: B and I become compliant for February,
    # and F/H keep their own (H's category rule 4/month is stricter than 1).
    with session_scope(engine) as s:
        s.add(VisitRule(category="*", difficulty="一般", period="month", min_visits=1))
    with session_scope(engine, write=False) as s:
        df = q.compliance_by_township(s, OFFICE, 2026, 2)
        page = q.overdue_list(s, OFFICE, data.TODAY)
    # T1: A ok, B ok, C ok, I ok; D: 9 days → 1*9//28 = 0 not due → 4/4. T2: E: Feb 1-14 1*14//28=0 + 2 = 2 → ok; F no; H no → 1/3
    assert list(df["应访人数"]) == [4, 3] and list(df["按期人数"]) == [4, 1]
    # interval 30 days: B due Mar 12, I due Mar 16, D due Mar 22 → not overdue; F due Dec 31 → 69 days
    assert _names(page.rows) == ["对象F", "对象H", "对象C", "对象E"]
    assert list(page.rows["逾期天数"]) == [69, 16, 8, 6]


def test_workbench_uses_the_same_rule(engine, world):
    with session_scope(engine, write=False) as s:
        df = wb.overdue_by_township(s, OFFICE, data.TODAY)
    assert df.to_dict("records") == [
        {"乡镇": "测试1镇", "在册人数": 5, "走访逾期": 4},
        {"乡镇": "测试2镇", "在册人数": 3, "走访逾期": 3},
    ]
