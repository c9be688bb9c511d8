"""Task status in SQL agrees with core.tasks; scorecard figures; unit scope (SQLite and PostgreSQL)."""
import datetime as dt

import pytest
from sqlalchemy import select

from core import tasks as rules
from db.engine import session_scope
from db.models import Task, TaskUpdate
from areas.meetings import task_reads as q
from tests import factories as f
from tests.meetings.data import TODAY, build

D = dt.date


@pytest.fixture
def data(engine):
    with session_scope(engine) as s:
        ids = build(s)
        ids["office"] = f.account(s, "office", "office")
        ids["leader"] = f.account(s, "leader", "leader")
        ids["uA"] = f.account(s, "unit_a", "unit", unit_id=ids["A"])
        ids["uB"] = f.account(s, "unit_b", "unit", unit_id=ids["B"])
        ids["uC"] = f.account(s, "unit_c", "unit", unit_id=ids["C"])
        ids["tw"] = f.account(s, "tw", "township")
    return ids


EXPECTED_STATUS = {
    TODAY: {"t1": "已完成", "t2": "已完成", "t3": "已逾期", "t4": "推进中", "t5": "推进中", "t6": "已逾期",
            "t7": "未开始", "t8": "已完成", "t9": "已逾期", "t10": "未开始"},
    # t3's first report is dated 04-01; t8 was accepted on 03-05
    D(2026, 3, 30): {"t1": "已完成", "t2": "未开始", "t3": "未开始", "t4": "未开始", "t5": "未开始", "t6": "未开始",
                     "t7": "未开始", "t8": "已完成", "t9": "已逾期", "t10": "未开始"},
}


@pytest.mark.parametrize("day", [TODAY, D(2026, 3, 30), D(2026, 7, 15)])
def test_sql_status_agrees_with_python(engine, data, day):
    with session_scope(engine, write=False) as s:
        df = q.list_tasks(s, data["office"], day)
        sql = dict(zip(df["编号"], df["状态"]))
        py = {}
        for t in s.scalars(select(Task)):
            last = max((u.reported_on for u in s.scalars(select(TaskUpdate).where(TaskUpdate.task_id == t.id))
                        if u.reported_on <= day), default=None)
            py[t.id] = rules.derive_status(t.due_on, day, closed_on=t.closed_on, claimed_on=t.completion_claimed_on,
                                           last_report_on=last)
    assert sql == py and len(sql) == 10
    if day in EXPECTED_STATUS:
        assert {k: sql[data[k]] for k in EXPECTED_STATUS[day]} == EXPECTED_STATUS[day]


def test_list_is_overdue_first_then_by_due_date_and_filters_by_status(engine, data):
    with session_scope(engine, write=False) as s:
        df = q.list_tasks(s, data["office"], TODAY)
        ids = {v: k for k, v in data.items() if isinstance(v, int) and k.startswith("t")}
        order = [ids[i] for i in df["编号"]]
        assert order == ["t9", "t3", "t6", "t5", "t4", "t10", "t7", "t8", "t1", "t2"]
        overdue = q.list_tasks(s, data["office"], TODAY, statuses=["已逾期"])
        assert sorted(ids[i] for i in overdue["编号"]) == ["t3", "t6", "t9"]
        counts = q.count_tasks_by_status(s, data["office"], TODAY)
        assert counts == {"已逾期": 3, "推进中": 2, "未开始": 2, "已完成": 3}
        by_b = q.list_tasks(s, data["office"], TODAY, unit_id=data["B"])
        assert sorted(ids[i] for i in by_b["编号"]) == ["t10", "t5", "t6", "t7"]
        t5 = df[df["编号"] == data["t5"]].iloc[0]
        assert t5["待销号"] == "是" and t5["进度%"] == 100


def test_unit_sees_only_tasks_where_it_is_lead_or_co_unit(engine, data):
    with session_scope(engine, write=False) as s:
        def seen(actor):
            return {k for k, v in data.items() if k.startswith("t") and k != "tw"
                    and v in set(q.list_tasks(s, actor, TODAY)["编号"])}
        assert seen(data["uA"]) == {"t1", "t2", "t3", "t4", "t10"}
        assert seen(data["uB"]) == {"t5", "t6", "t7", "t10"}
        assert seen(data["uC"]) == {"t8", "t9"}
        assert seen(data["tw"]) == set()
        assert seen(data["leader"]) == {f"t{i}" for i in range(1, 11)}
        # another unit's task: not visible, not even by id or by filtering on that unit
        assert q.get_task(s, data["uB"], data["t1"], TODAY) is None
        assert q.get_task(s, data["uA"], data["t1"], TODAY).status == "已完成"
        assert q.list_tasks(s, data["uC"], TODAY, unit_id=data["A"]).empty
        assert q.count_tasks_by_status(s, data["uC"], TODAY) == {"已逾期": 1, "推进中": 0, "未开始": 0, "已完成": 1}


def _row(df, unit_id):
    return df[df["unit_id"] == unit_id].iloc[0]


def test_scorecard_figures_for_the_half_year(engine, data):
    with session_scope(engine, write=False) as s:
        df = q.unit_scorecard(s, data["office"], D(2026, 1, 1), D(2026, 6, 30), today=TODAY)
        assert list(df["单位"]) == ["县教育局", "县民政局", "县妇联"]
        a, b, c = (_row(df, data[k]) for k in "ABC")
        # A: t1 on time, t2 late 10 d, t3 overdue 61 d, t10 due today (open); t4 is due after the period
        assert (a["交办任务"], a["按期办结"], a["逾期办结"], a["逾期未办结"], a["在办未到期"]) == (4, 1, 1, 1, 1)
        assert a["平均逾期天数"] == 35.5 and a["按期办结率"] == 33.3 and a["配合任务"] == 0
        assert a["最近报送日期"] == D(2026, 5, 1)
        # B: t5 claimed in time and waiting (open), t6 claimed 5 d late and not accepted: overdue 15 d
        assert (b["交办任务"], b["按期办结"], b["逾期办结"], b["逾期未办结"], b["在办未到期"]) == (2, 0, 0, 1, 1)
        assert b["平均逾期天数"] == 15.0 and b["按期办结率"] == 0.0 and b["配合任务"] == 1
        assert b["最近报送日期"] == D(2026, 6, 20)
        # C: t8 accepted 5 days late; t9 fell due before the period
        assert (c["交办任务"], c["按期办结"], c["逾期办结"], c["逾期未办结"]) == (1, 0, 1, 0)
        assert c["平均逾期天数"] == 5.0 and c["最近报送日期"] is None
        assert q.on_time_rate(s, D(2026, 1, 1), D(2026, 6, 30), today=TODAY) == (1, 5)
        assert q.on_time_rate(s, D(2026, 1, 1), D(2026, 6, 30), today=TODAY) == (
            int(df["按期办结"].sum()), int((df["按期办结"] + df["逾期办结"] + df["逾期未办结"]).sum()))


def test_scorecard_of_a_past_quarter_is_judged_at_its_end(engine, data):
    with session_scope(engine, write=False) as s:
        df = q.unit_scorecard(s, data["office"], D(2026, 1, 1), D(2026, 3, 31), today=TODAY)
        a, c = _row(df, data["A"]), _row(df, data["C"])
        # on 03-31 t2 was due that very day and not yet done: open, not late
        assert (a["交办任务"], a["按期办结"], a["逾期办结"], a["逾期未办结"], a["在办未到期"]) == (2, 1, 0, 0, 1)
        assert a["平均逾期天数"] is None or a["平均逾期天数"] != a["平均逾期天数"]  # None/NaN: nothing late
        assert (c["逾期办结"], c["平均逾期天数"]) == (1, 5.0)
        assert q.on_time_rate(s, D(2026, 1, 1), D(2026, 3, 31), today=TODAY) == (1, 2)
        # a unit user gets its own row only
        mine = q.unit_scorecard(s, data["uB"], D(2026, 1, 1), D(2026, 6, 30), today=TODAY)
        assert list(mine["单位"]) == ["县民政局"]
