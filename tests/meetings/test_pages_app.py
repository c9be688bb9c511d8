"""AppTest for 成员单位, 会议与议定事项, 任务督办 and 单位考评, per role."""
import datetime as dt
import re

from sqlalchemy import func, select

from db.engine import session_scope
from db.models import AuditLog, Meeting, Task, TaskEvent, TaskUpdate, UnitMember
from tests.harness import all_text, app_test

A_TASKS = {"任务t1", "任务t2", "任务t3", "任务t4", "任务t10"}
B_ONLY = {"任务t5", "任务t6", "任务t7"}


def _button(at, label):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}: {[b.label for b in at.button]}"
    return found[0]


def _labels(at):
    return [b.label for b in at.button]


def _task_titles(at):
    return set(at.dataframe[0].value["议定事项"])


# ---------------------------------------------------------------- 任务督办
def test_unit_sees_only_its_own_tasks_and_has_no_office_controls(page_db):
    at = app_test("unit_a", "tasks")
    assert not at.exception and not at.error
    assert _task_titles(at) == A_TASKS
    text = all_text(at)
    assert not any(t in text for t in B_ONLY) and "任务t8" not in text
    assert "成员单位" not in [s.label for s in at.selectbox]  # no unit filter for a unit user
    picker = at.selectbox(key="tasks_pick")
    assert {o.split(" ")[1].split("（")[0] for o in picker.options} == A_TASKS
    assert "确认销号" not in _labels(at) and "退回重办" not in _labels(at) and "发送催办" not in _labels(at)


def test_unit_cannot_open_another_units_task_by_forcing_the_picker(page_db):
    ids = page_db["ids"]
    at = app_test("unit_b", "tasks")
    assert _task_titles(at) == B_ONLY | {"任务t10"}
    # a crafted session asking for unit A's task: the page falls back to its own tasks
    forced = app_test("unit_b", "tasks", tasks_pick=ids["t1"])
    assert not forced.exception
    text = all_text(forced)
    assert not re.search(r"任务t1(?!0)|任务t2|任务t3|任务t4", text)
    assert forced.selectbox(key="tasks_pick").value != ids["t1"]
    with session_scope(page_db["engine"], write=False) as s:
        assert s.scalar(select(func.count()).select_from(TaskUpdate).where(TaskUpdate.task_id == ids["t1"])) == 1


def test_unit_reports_progress_through_the_form(page_db):
    ids = page_db["ids"]
    at = app_test("unit_a", "tasks")
    at.selectbox(key="tasks_pick").set_value(ids["t4"]).run()
    at.slider(key=f"rp_progress_{ids['t4']}").set_value(70)
    at.text_area(key=f"rp_text_{ids['t4']}").input("已完成七个乡镇的核查")
    _button(at, "提交报送").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("进展已报送" in s.value for s in at.success)
    with session_scope(page_db["engine"], write=False) as s:
        up = s.scalars(select(TaskUpdate).where(TaskUpdate.task_id == ids["t4"]).order_by(TaskUpdate.id.desc())).first()
        assert (up.progress, up.text, up.unit_id, up.created_by) == (70, "已完成七个乡镇的核查", ids["A"], "unit_a")


def test_progress_slider_keeps_the_reported_figure(page_db):
    """A unit that reported 21 % sees 21 % again, and a new report without touching the slider
    keeps 21 (the slider used to round to steps of 5: 21 → 20)."""
    ids = page_db["ids"]
    at = app_test("unit_a", "tasks")
    at.selectbox(key="tasks_pick").set_value(ids["t4"]).run()
    at.slider(key=f"rp_progress_{ids['t4']}").set_value(21)
    at.text_area(key=f"rp_text_{ids['t4']}").input("第一次报送")
    _button(at, "提交报送").click()
    at.run()
    again = app_test("unit_a", "tasks")
    again.selectbox(key="tasks_pick").set_value(ids["t4"]).run()
    assert again.slider(key=f"rp_progress_{ids['t4']}").value == 21
    again.text_area(key=f"rp_text_{ids['t4']}").input("第二次报送，进度未变")
    _button(again, "提交报送").click()
    again.run()
    with session_scope(page_db["engine"], write=False) as s:
        up = s.scalars(select(TaskUpdate).where(TaskUpdate.task_id == ids["t4"]).order_by(TaskUpdate.id.desc())).first()
        assert (up.progress, up.text) == (21, "第二次报送，进度未变")


def test_office_accepts_a_claimed_completion_and_leader_is_read_only(page_db):
    ids = page_db["ids"]
    at = app_test("office", "tasks")
    assert not at.exception
    assert _task_titles(at) == {f"任务t{i}" for i in range(1, 11)}
    assert at.dataframe[0].value["状态"].iloc[0] == "已逾期"  # overdue first
    at.selectbox(key="tasks_pick").set_value(ids["t5"]).run()
    assert {"确认销号", "退回重办", "发送催办"} <= set(_labels(at))
    _button(at, "确认销号").click()
    at.run()
    assert any("请先勾选确认" in e.value for e in at.error)  # confirmation first
    at.checkbox(key=f"ac_sure_{ids['t5']}").check()
    _button(at, "确认销号").click()
    at.run()
    assert not at.exception and any("已销号" in s.value for s in at.success)
    with session_scope(page_db["engine"], write=False) as s:
        t5 = s.get(Task, ids["t5"])
        assert t5.closed_on == dt.date.today() and t5.closed_by == "office"
    leader = app_test("leader", "tasks")
    assert not leader.exception and _task_titles(leader) == {f"任务t{i}" for i in range(1, 11)}
    assert not ({"确认销号", "退回重办", "发送催办", "提交报送"} & set(_labels(leader)))


def test_office_sends_back_with_a_reason(page_db):
    ids = page_db["ids"]
    at = app_test("office", "tasks")
    at.selectbox(key="tasks_pick").set_value(ids["t6"]).run()
    _button(at, "退回重办").click()
    at.run()
    assert any("请填写退回原因" in e.value for e in at.error)
    at.text_area(key=f"rt_text_{ids['t6']}").input("缺少各乡镇汇总表")
    _button(at, "退回重办").click()
    at.run()
    with session_scope(page_db["engine"], write=False) as s:
        assert s.get(Task, ids["t6"]).completion_claimed_on is None
        ev = s.scalars(select(TaskEvent).where(TaskEvent.task_id == ids["t6"])).one()
        assert (ev.kind, ev.text) == ("return", "缺少各乡镇汇总表")


def test_township_user_cannot_open_tasks(page_db):
    at = app_test("tw1")
    try:
        at.switch_page("pages/tasks.py")
    except ValueError:
        return  # not even registered for this role
    at.run()
    assert any("无权" in e.value for e in at.error)


# ---------------------------------------------------------------- 成员单位
def test_units_page_for_unit_role_is_read_only(page_db):
    at = app_test("unit_a", "units")
    assert not at.exception
    assert set(at.dataframe[0].value["单位"]) == {"县教育局", "县民政局", "县妇联"}
    assert not {"保存任职", "保存修改", "新增"} & set(_labels(at))


def test_office_records_a_successor(page_db):
    ids = page_db["ids"]
    at = app_test("office", "units")
    at.selectbox(key="units_pick").set_value(ids["B"]).run()
    at.selectbox(key="seat_role").set_value("联络员")
    at.text_input(key="seat_name").input("向红梅")
    at.text_input(key="seat_title").input("社会事务股股长")
    at.date_input(key="seat_from").set_value(dt.date(2024, 1, 1))
    _button(at, "保存任职").click()
    at.run()
    assert not at.exception and not at.error
    at.selectbox(key="seat_role").set_value("联络员")
    at.text_input(key="seat_name").input("覃思远")
    at.date_input(key="seat_from").set_value(dt.date(2026, 3, 1))
    _button(at, "保存任职").click()
    at.run()
    with session_scope(page_db["engine"], write=False) as s:
        seats = s.execute(select(UnitMember.person_name, UnitMember.to_on).where(UnitMember.unit_id == ids["B"])
                          .order_by(UnitMember.from_on)).all()
    assert seats == [("向红梅", dt.date(2026, 2, 28)), ("覃思远", None)]
    row = at.dataframe[0].value.set_index("单位").loc["县民政局"]
    assert row["联络员"] == "覃思远"


# ---------------------------------------------------------------- 会议与议定事项
def test_meetings_page_office_creates_meeting_with_carry_over_and_a_decision(page_db):
    ids = page_db["ids"]
    at = app_test("office", "meetings")
    assert not at.exception
    at.selectbox(key="mn_kind").set_value("联络员会议")
    at.date_input(key="mn_date").set_value(dt.date(2026, 7, 10))
    at.text_input(key="mn_title").input("2026年第三季度联络员会议")
    _button(at, "保存会议").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("7项未办结事项已自动列入议程" in s.value for s in at.success)
    # the new meeting is selected: no decisions yet, the 7 open items of the first meeting carried over
    assert any("自动列入本次会议的往次未办结事项（7项）" in h.value for h in at.subheader)
    assert len(at.dataframe[-1].value) == 7
    at.text_input(key="dn_title").input("开展秋季学期入学核查")
    at.selectbox(key="dn_lead").set_value(ids["C"])
    at.multiselect(key="dn_co").set_value([ids["A"]])
    at.text_area(key="dn_acceptance").input("核查结果报联席办")
    _button(at, "交办").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    with session_scope(page_db["engine"], write=False) as s:
        m = s.scalars(select(Meeting).where(Meeting.title == "2026年第三季度联络员会议")).one()
        t = s.scalars(select(Task).where(Task.meeting_id == m.id)).one()
        assert (t.lead_unit_id, [u.id for u in t.co_units], t.assigned_on) == (ids["C"], [ids["A"]], dt.date(2026, 7, 10))
        assert "【自动列入】" in m.agenda


def test_meeting_pack_is_generated_and_audited(page_db):
    at = app_test("office", "meetings")
    _button(at, "生成半年度会议材料").click()
    at.run()
    assert not at.exception and not at.error
    assert "pack_files" in at.session_state
    stem, docx_bytes, xlsx_bytes = at.session_state["pack_files"]
    assert docx_bytes[:2] == b"PK" and xlsx_bytes[:2] == b"PK"
    with session_scope(page_db["engine"], write=False) as s:
        rec = s.scalars(select(AuditLog).where(AuditLog.action == "export", AuditLog.entity == "meeting_pack")).all()
        assert [r.username for r in rec] == ["office"]


def test_meetings_page_leader_read_only_unit_refused(page_db):
    at = app_test("leader", "meetings")
    assert not at.exception
    assert "2026年上半年全体会议" in all_text(at)
    assert not {"生成半年度会议材料", "保存会议", "交办", "保存"} & set(_labels(at))
    unit = app_test("unit_a")
    try:
        unit.switch_page("pages/meetings.py")
    except ValueError:
        return
    unit.run()
    assert any("无权" in e.value for e in unit.error)


# ---------------------------------------------------------------- 单位考评
def test_scorecards_page_shows_chart_and_figures(page_db):
    at = app_test("office", "scorecards")
    assert not at.exception
    at.selectbox(key="sc_preset").set_value("2026年全年").run()
    df = at.dataframe[0].value.set_index("单位")
    # all due dates of the data set fall in 2026 and are past on any day after 2026-09-30
    assert int(df["交办任务"].sum()) == 9  # t9 fell due in 2025
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    leader = app_test("leader", "scorecards")
    assert not leader.exception and leader.dataframe
