"""Units, seats, meetings, decisions, progress and the office's actions (SQLite and PostgreSQL)."""
import datetime as dt

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models import AuditLog, Task, TaskEvent, UnitMember
from areas.meetings import reads as mq
from areas.meetings import task_reads as tq
from db.errors import ConflictError, ForbiddenError, ServiceError
from areas.meetings import writes as svc
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
    return ids


def test_unit_cannot_see_or_change_another_units_task(engine, data):
    uB = data["uB"]
    with pytest.raises(ServiceError, match="任务不存在"):
        with session_scope(engine, actor=uB) as s:
            svc.report_progress(s, uB, data["t1"], progress=50, text="越权报送", reported_on=TODAY, today=TODAY)
    with pytest.raises(ForbiddenError):
        with session_scope(engine, actor=uB) as s:
            svc.accept_completion(s, uB, data["t1"], None, today=TODAY)
    with pytest.raises(ForbiddenError):
        with session_scope(engine, actor=uB) as s:
            svc.remind(s, uB, data["t1"])
    with session_scope(engine, write=False) as s:
        t1 = s.get(Task, data["t1"])
        assert t1.version == 1 and len(s.scalars(select(TaskEvent)).all()) == 0


def test_lead_unit_claims_but_cannot_accept_its_own_completion_office_accepts(engine, data):
    uA, office = data["uA"], data["office"]
    with session_scope(engine, actor=uA) as s:
        svc.report_progress(s, uA, data["t10"], progress=100, text="已全部完成", reported_on=D(2026, 6, 29),
                            claim_complete=True, today=TODAY)
    with pytest.raises(ForbiddenError, match="成员单位不能为任务销号"):
        with session_scope(engine, actor=uA) as s:
            svc.accept_completion(s, uA, data["t10"], None, today=TODAY)
    with session_scope(engine, write=False) as s:
        detail = tq.get_task(s, uA, data["t10"], TODAY)
        assert detail.claimed_on == D(2026, 6, 29) and detail.closed_on is None and detail.status == "推进中"
        version = detail.version
    with session_scope(engine, actor=office) as s:
        svc.accept_completion(s, office, data["t10"], version, on=TODAY, text="符合验收标准", today=TODAY)
    with session_scope(engine, write=False) as s:
        t = s.get(Task, data["t10"])
        assert (t.closed_on, t.closed_by) == (TODAY, "office")
        kinds = [e.kind for e in s.scalars(select(TaskEvent).where(TaskEvent.task_id == t.id).order_by(TaskEvent.id))]
        assert kinds == ["claim", "accept"]
        audit = s.scalars(select(AuditLog).where(AuditLog.entity == "task", AuditLog.entity_id == str(t.id))).all()
        assert {a.username for a in audit} >= {"unit_a", "office"}
        # on time: claimed 06-29, due 06-30
        assert tq.get_task(s, office, t.id, TODAY).status == "已完成"
        sc = tq.unit_scorecard(s, office, D(2026, 1, 1), D(2026, 6, 30), today=TODAY)
        assert int(sc[sc["unit_id"] == data["A"]]["按期办结"].iloc[0]) == 2
    # nothing happens to an accepted task any more
    with pytest.raises(ServiceError, match="已销号"):
        with session_scope(engine, actor=uA) as s:
            svc.report_progress(s, uA, data["t10"], progress=100, text="再报", reported_on=TODAY, today=TODAY)


def test_co_unit_reports_but_cannot_claim(engine, data):
    uB = data["uB"]
    with pytest.raises(ServiceError, match="只有牵头单位可以申请销号"):
        with session_scope(engine, actor=uB) as s:
            svc.report_progress(s, uB, data["t10"], progress=100, text="完成", reported_on=TODAY,
                                claim_complete=True, today=TODAY)
    with session_scope(engine, actor=uB) as s:
        svc.report_progress(s, uB, data["t10"], progress=40, text="配合推进", reported_on=TODAY, today=TODAY)
    with session_scope(engine, write=False) as s:
        d = tq.get_task(s, uB, data["t10"], TODAY)
        assert d.progress == 40 and d.status == "推进中" and d.claimed_on is None


def test_bad_progress_is_refused_with_every_reason(engine, data):
    uA = data["uA"]
    with pytest.raises(ServiceError) as e:
        with session_scope(engine, actor=uA) as s:
            svc.report_progress(s, uA, data["t4"], progress=120, text="", reported_on=D(2026, 7, 5), today=TODAY)
    assert "进度须为0到100之间的整数" in str(e.value) and "报送日期不能晚于今天" in str(e.value)
    assert "请填写进展情况" in str(e.value)


def test_send_back_needs_a_reason_and_withdraws_the_claim(engine, data):
    office = data["office"]
    with pytest.raises(ServiceError, match="请填写退回原因"):
        with session_scope(engine, actor=office) as s:
            svc.send_back(s, office, data["t5"], None, "  ")
    with pytest.raises(ServiceError, match="未申请销号"):
        with session_scope(engine, actor=office) as s:
            svc.send_back(s, office, data["t3"], None, "材料不全")
    with session_scope(engine, actor=office) as s:
        svc.send_back(s, office, data["t5"], None, "佐证材料不全，请补充各乡镇汇总表", on=TODAY)
        svc.remind(s, office, data["t3"], "请于本周内报送进展", on=TODAY)
    with session_scope(engine, write=False) as s:
        t5 = tq.get_task(s, office, data["t5"], TODAY)
        assert t5.claimed_on is None and t5.status == "已逾期"  # due 05-31, claim withdrawn
        assert list(t5.events["事项"]) == ["退回"] and "佐证材料不全" in t5.events["说明"].iloc[0]
        assert list(tq.get_task(s, office, data["t3"], TODAY).events["事项"]) == ["催办"]


def test_stale_accept_is_a_conflict(engine, data):
    office, uA = data["office"], data["uA"]
    with session_scope(engine, write=False) as s:
        v = s.get(Task, data["t4"]).version
    with session_scope(engine, actor=uA) as s:
        svc.report_progress(s, uA, data["t4"], progress=100, text="完成", reported_on=TODAY, claim_complete=True,
                            today=TODAY)
    with pytest.raises(ConflictError, match="unit_a"):
        with session_scope(engine, actor=office) as s:
            svc.accept_completion(s, office, data["t4"], v, today=TODAY)


def test_leader_is_read_only(engine, data):
    leader = data["leader"]
    for call in (lambda s: svc.remind(s, leader, data["t3"]),
                 lambda s: svc.accept_completion(s, leader, data["t5"], None, today=TODAY),
                 lambda s: svc.add_decision(s, leader, data["M1"], title="x", acceptance="y",
                                            lead_unit_id=data["A"], due_on=TODAY)):
        with pytest.raises(ForbiddenError):
            with session_scope(engine, actor=leader) as s:
                call(s)


def test_seat_succession_keeps_history(engine, data):
    office = data["office"]
    with session_scope(engine, actor=office) as s:
        svc.assign_seat(s, office, data["A"], "成员", "陈世友", "县教育局局长", D(2018, 11, 5))
        svc.assign_seat(s, office, data["A"], "联络员", "谭晓东", "基础教育股股长", D(2020, 1, 1), phone="13912345678")
    with pytest.raises(ServiceError, match="继任日期须晚于"):
        with session_scope(engine, actor=office) as s:
            svc.assign_seat(s, office, data["A"], "成员", "某某", "局长", D(2018, 1, 1))
    with session_scope(engine, actor=office) as s:
        svc.assign_seat(s, office, data["A"], "成员", "向东升", "县教育局局长", D(2025, 3, 1))
    with session_scope(engine, write=False) as s:
        seats = s.scalars(select(UnitMember).where(UnitMember.unit_id == data["A"], UnitMember.seat_role == "成员")
                          .order_by(UnitMember.from_on)).all()
        assert [(m.person_name, m.to_on) for m in seats] == [("陈世友", D(2025, 2, 28)), ("向东升", None)]
        units = mq.list_units(s, office, TODAY)
        row = units[units["unit_id"] == data["A"]].iloc[0]
        assert row["组成人员"] == "向东升" and row["联络员"] == "谭晓东"
        then = mq.list_units(s, office, D(2024, 1, 1))
        assert then[then["unit_id"] == data["A"]].iloc[0]["组成人员"] == "陈世友"
        d = mq.get_unit(s, office, data["A"], TODAY)
        assert list(d.current["姓名"]) == ["向东升", "谭晓东"] and len(d.history) == 3
        assert "13912345678" in set(d.current["联系电话"])
        masked = mq.get_unit(s, data["uB"], data["A"], TODAY)
        assert set(masked.current["联系电话"].dropna()) == {"139****5678"}


def test_next_meeting_gets_open_decisions_on_its_agenda(engine, data):
    office = data["office"]
    with session_scope(engine, actor=office) as s:
        m2 = svc.create_meeting(s, office, "全体会议", D(2026, 7, 10), "2026年下半年全体会议",
                                agenda="一、通报工作情况", attendee_unit_ids=[data["A"], data["B"]])
        m2_id = m2.id
        task = svc.add_decision(s, office, m2_id, title="开展秋季入学核查", acceptance="核查结果报联席办",
                                lead_unit_id=data["A"], co_unit_ids=[data["A"], data["C"]], due_on=D(2026, 10, 31))
        assert task.assigned_on == D(2026, 7, 10) and [u.id for u in task.co_units] == [data["C"]]
    with pytest.raises(ServiceError, match="办结时限不能早于交办日期"):
        with session_scope(engine, actor=office) as s:
            svc.add_decision(s, office, m2_id, title="x", acceptance="y", lead_unit_id=data["A"], due_on=D(2026, 1, 1))
    with session_scope(engine, write=False) as s:
        d = mq.get_meeting(s, office, m2_id, TODAY)
        # open on 07-10: everything of M1 except t1, t2, t8 (accepted before)
        assert d.agenda.startswith("一、通报工作情况") and "【自动列入】上次会议未办结事项" in d.agenda
        for k in ("t3", "t4", "t5", "t6", "t7", "t9", "t10"):
            assert f"任务{k}（" in d.agenda
        for k in ("t1", "t2", "t8"):
            assert f"任务{k}（" not in d.agenda
        carried = {int(i) for i in d.carried_over["编号"]}
        assert carried == {data[k] for k in ("t3", "t4", "t5", "t6", "t7", "t9", "t10")}
        assert list(d.decisions["议定事项"]) == ["开展秋季入学核查"] and d.attendees == ["教育局", "民政局"]
        meetings = mq.list_meetings(s, office, TODAY)
        assert list(meetings["会议名称"]) == ["2026年下半年全体会议", "2026年上半年全体会议"]
        assert list(meetings["未办结"]) == [1, 7]


def test_seed_004_units_load_once_without_real_seat_holders(engine, data):
    office = data["office"]
    with session_scope(engine, actor=office) as s:
        added = svc.load_seed_units(s, office)
    with session_scope(engine, actor=office) as s:
        again = svc.load_seed_units(s, office)
    # seed 004 lists 28 units; 县教育局, 县民政局 and 县妇联 are in the data set already
    assert (added, again) == (25, 0)
    with pytest.raises(ForbiddenError):
        with session_scope(engine, actor=data["uA"]) as s:
            svc.load_seed_units(s, data["uA"])
    with session_scope(engine, write=False) as s:
        units = mq.list_units(s, office, TODAY)
        assert len(units) == 28
        police = mq.get_unit(s, office, int(units[units["单位"] == "县公安局"].iloc[0]["unit_id"]), TODAY)
        # the notice names real officials: seats are the office's to fill, none are shipped
        assert "第一时间出警调查" in police.duties and police.current.empty
