"""Issue 20 items 5, 7 and 9 under AppTest: the visit panel shows the visit just recorded,
a deep link survives the sign-in's rerun, lists of people open the file, and the ledger
import reports its progress with 确认导入 disabled while it writes."""
import datetime as dt
import io

from openpyxl import Workbook
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from areas.registry import importer
from components.auth import ENTRY
from components.text import md
from core import idnumber
from db.engine import session_scope
from db.models import Person, Visit
from tests.harness import ROOT, app_test


def _person_id(engine, township_id) -> int:
    with session_scope(engine, write=False) as s:
        return s.scalar(select(func.min(Person.id)).where(Person.township_id == township_id))


def test_deep_link_survives_the_sign_in_rerun(app_db):
    """The session was opened on /person?id=N; the run after sign-in asks for the main script
    (as a rerun sent before the browser knew its page does): it lands on the file, not 工作台."""
    pid = _person_id(app_db["engine"], app_db["ids"]["T1"])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "tw1"
    at.session_state[ENTRY] = ("person", {"id": str(pid)})
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["人员档案"]
    with session_scope(app_db["engine"], write=False) as s:
        name = s.get(Person, pid).name
    assert any(name in h.value for h in at.subheader)
    # the user's own navigation afterwards is not pulled back to the file
    at.switch_page("pages/workbench.py").run()
    assert [t.value for t in at.title] == ["工作台"]


def test_deep_link_to_a_page_outside_the_role_is_not_followed(app_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "leader"
    at.session_state[ENTRY] = ("person", {"id": "1"})
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["工作台"]


def test_recorded_visit_updates_the_panel_above(app_db):
    today = dt.date.today()
    pid = _person_id(app_db["engine"], app_db["ids"]["T1"])
    with session_scope(app_db["engine"]) as s:
        s.add(Visit(person_id=pid, visited_on=today - dt.timedelta(days=40), service_types=["精神陪伴"]))
        name = s.get(Person, pid).name
    at = app_test("tw1", "visits")
    at.text_input(key="visit_person_q").input(name).run()
    panel = {m.label: m.value for m in at.metric}
    assert panel["最近走访"] == f"{today - dt.timedelta(days=40):%Y-%m-%d}"
    at.multiselect[0].select("精神陪伴")
    at.text_area[0].input("在家，情况稳定")
    next(b for b in at.button if b.label == "保存走访记录").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [md(f"已保存 {today:%Y-%m-%d} 的走访记录。")]  # kept over the rerun
    panel = {m.label: m.value for m in at.metric}
    assert panel["最近走访"] == f"{today:%Y-%m-%d}", panel  # not the visit of 40 days ago
    assert not any("逾期" in str(m.proto.delta) for m in at.metric)


def _ledger(n: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["村(居)：测试1-1村"])
    ws.append(["序号", "姓名", "性别", "身份证号码", "人员类别", "帮扶责任人(职务)", "帮扶措施", "联系电话", "备注"])
    for i in range(n):
        idn = idnumber.make("429901", dt.date(2016, 3, 8), 2 * i, "女")
        ws.append([i + 1, f"导入{i}号", "女", idn, "农村留守儿童", "周帮扶（村支书）", "每月走访", "13800001111", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_reports_progress_and_disables_the_button_while_writing(app_db, monkeypatch):
    calls: list[tuple[str, float, str]] = []
    seen_button: list[bool] = []
    real_preview, real_apply = importer.preview, importer.apply

    def preview(*a, progress=None, **k):
        return real_preview(*a, progress=lambda d, t: (calls.append(("preview", d, t)), progress(d, t)), **k)

    def apply(*a, progress=None, **k):
        import streamlit as st  # the button as this run drew it, before the rows are written
        seen_button.append(st.session_state.get("imp_running"))
        return real_apply(*a, progress=lambda d, t: (calls.append(("apply", d, t)), progress(d, t)), **k)

    monkeypatch.setattr(importer, "preview", preview)
    monkeypatch.setattr(importer, "apply", apply)
    at = app_test("tw1", "import_export")
    at.file_uploader(key="imp_file").set_value(("台账.xlsx", _ledger(30), "application/octet-stream")).run()
    assert not at.exception, at.exception
    pre = [d for kind, d, _ in calls if kind == "preview"]
    assert pre and pre[0] == 0.0 and pre[-1] == 1.0 and pre == sorted(pre)
    assert at.get("progress"), "no progress bar while checking"
    assert at.button(key="imp_apply").disabled is False
    n_preview = len(pre)
    at.button(key="imp_apply").click().run()
    assert not at.exception, at.exception
    wrote = [d for kind, d, _ in calls if kind == "apply"]
    assert wrote and wrote == sorted(wrote) and len(wrote) >= 5
    assert seen_button == [True]  # the run that writes drew 确认导入 disabled first
    assert len([1 for kind, _, _ in calls if kind == "preview"]) == n_preview  # the kept preview, not redone
    assert any("导入完成：新增 30 人" in s.value for s in at.success), [s.value for s in at.success]
    with session_scope(app_db["engine"], write=False) as s:
        assert s.scalar(select(func.count()).select_from(Person).where(Person.name.like("导入%"))) == 30


def test_person_page_opens_on_a_list_of_people_not_a_bare_search_box(app_db):
    at = app_test("tw1", "person")
    assert not at.exception, at.exception
    with session_scope(app_db["engine"], write=False) as s:
        names = set(s.scalars(select(Person.name).where(Person.township_id == app_db["ids"]["T1"],
                                                        Person.status == "在册")))
    listed = set(at.dataframe[0].value["姓名"])
    assert names and listed == names
    assert list(at.dataframe[0].value.columns)[0] == "档案"  # each row's 打开 button
    # a file opened once is offered again under 最近打开
    pid = _person_id(app_db["engine"], app_db["ids"]["T1"])
    at.query_params["id"] = str(pid)
    at.run()
    at.query_params.pop("id")
    at.run()
    assert any("最近打开" in m.value for m in at.markdown)


def test_registry_and_worklists_draw_for_every_role(app_db):
    for user, page in (("tw1", "registry"), ("office", "registry"), ("leader", "registry"), ("tw1", "guardianship"),
                       ("office", "visits"), ("leader", "visits")):
        at = app_test(user, page)
        assert not at.exception, (user, page, at.exception)
        if page == "registry":
            grid = at.dataframe[0].value if at.dataframe else None
            cols = list(grid.columns) if grid is not None else []
            if user == "leader":  # no 人员档案 for the leader: no 打开 that would end on 工作台
                assert "档案" not in cols
            else:
                assert cols[:3] == ["档案", "序号", "姓名"]
