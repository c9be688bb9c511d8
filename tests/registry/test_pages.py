"""AppTest: the registry, person, pending and import/export pages run in the real app."""
import datetime as dt

from sqlalchemy import select

from db.engine import session_scope
from db.models import AuditLog, Person
from tests.harness import all_text, app_test


def _table(at):
    """The DataFrame of the data_editor / dataframe on the page."""
    return at.dataframe[0].value


def test_township_filter_shows_right_rows(app_world):
    at = app_test("tw1", "registry")
    assert not at.exception
    df = _table(at)
    assert sorted(df["姓名"]) == ["张三", "李四", "王_五"]  # own township, 在册 only
    at.multiselect(key="cat").set_value(["农村留守儿童"]).run()
    assert list(_table(at)["姓名"]) == ["张三"]
    at.multiselect(key="cat").set_value([]).run()
    at.text_input(key="q").set_value("王_").run()
    assert list(_table(at)["姓名"]) == ["王_五"]
    at.text_input(key="q").set_value("").run()
    at.selectbox(key="status").set_value("全部").run()
    assert sorted(_table(at)["姓名"]) == ["张三", "李四", "王_五", "赵六"]
    assert "张四" not in all_text(at)


def test_filter_survives_page_switch(app_world):
    at = app_test("tw1", "registry")
    at.selectbox(key="diff").set_value("特别困难").run()
    assert list(_table(at)["姓名"]) == ["李四"]
    at.switch_page("pages/workbench.py").run()
    at.switch_page("pages/registry.py").run()
    assert at.selectbox(key="diff").value == "特别困难"
    assert list(_table(at)["姓名"]) == ["李四"]


def test_leader_sees_masked_rows_and_no_editor(app_world):
    at = app_test("leader1", "registry")
    assert not at.exception
    df = _table(at)
    assert "张*" in list(df["姓名"]) and "张三" not in all_text(at)
    assert all("****" in v for v in df["联系电话"])
    assert "reg_editor" not in at.session_state
    assert not [b for b in at.button if b.key == "reg_save"]


def _edit(at, row, col, value):
    at.session_state["reg_editor"] = {"edited_rows": {row: {col: value}}, "added_rows": [], "deleted_rows": []}
    at.run()


def test_data_editor_edit_saves_with_audit(app_world):
    at = app_test("tw1", "registry")
    df = _table(at)
    row = list(df["姓名"]).index("张三")
    _edit(at, row, "联系电话", "13912345678")
    at.button(key="reg_save").click().run()
    assert not at.exception
    assert any("已保存 1 人" in s.value for s in at.success)
    pid = app_world["p"]["a"]
    with session_scope(app_world["engine"], write=False) as s:
        assert s.get(Person, pid).phone == "13912345678"
        rows = s.scalars(select(AuditLog).where(AuditLog.entity == "person", AuditLog.entity_id == str(pid),
                                                AuditLog.action == "update")).all()
    assert [(r.username, r.changes) for r in rows] == [("tw1", {"phone": ["138****0001", "139****5678"]})]
    assert "13912345678" in list(_table(at)["联系电话"])


def test_data_editor_invalid_value_refused(app_world):
    at = app_test("tw1", "registry")
    row = list(_table(at)["姓名"]).index("张三")
    _edit(at, row, "联系电话", "12345")
    at.button(key="reg_save").click().run()
    assert any("联系电话格式不正确" in e.value for e in at.error)
    with session_scope(app_world["engine"], write=False) as s:
        assert s.get(Person, app_world["p"]["a"]).phone == "13800000001"


def test_conflicting_edit_is_reported(app_world):
    at = app_test("tw1", "registry")
    row = list(_table(at)["姓名"]).index("张三")
    # someone else saves the row after this user loaded the page
    with session_scope(app_world["engine"], actor=app_world["office"]) as s:
        s.get(Person, app_world["p"]["a"]).phone = "13700000000"
    _edit(at, row, "联系电话", "13912345678")
    at.button(key="reg_save").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "office1" in errors and "未保存" in errors
    assert "联系电话" in at.dataframe[1].value.to_csv()  # who changed what
    with session_scope(app_world["engine"], write=False) as s:
        assert s.get(Person, app_world["p"]["a"]).phone == "13700000000"
    at.button(key="reg_conflict_reload").click().run()
    assert "13700000000" in list(_table(at)["联系电话"])


def test_person_page_scope_and_view_audit(app_world):
    at = app_test("tw1")
    at.switch_page("pages/person.py")
    at.query_params["id"] = str(app_world["p"]["e"])  # another township's person
    at.run()
    assert any("无权查看或不存在" in e.value for e in at.error)
    assert "张四" not in all_text(at)
    at.query_params["id"] = str(app_world["p"]["a"])
    at.run()
    assert not at.exception
    assert "张三" in at.subheader[0].value
    with session_scope(app_world["engine"], write=False) as s:
        views = s.scalars(select(AuditLog).where(AuditLog.action == "view")).all()
    assert [(v.entity_id, v.outcome) for v in views] == [(str(app_world["p"]["e"]), "denied"),
                                                        (str(app_world["p"]["a"]), "ok")]


def test_pending_page_lists_and_confirms(app_world):
    from tests import factories as f

    ids = app_world["ids"]
    sixteen = dt.date.today().replace(year=dt.date.today().year - 16) - dt.timedelta(days=1)
    with session_scope(app_world["engine"]) as s:
        f.person(s, ids["T1"], ids["V11"], name="孙八", birth=sixteen)
    at = app_test("tw1", "pending")
    assert not at.exception
    assert list(_table(at)["姓名"]) == ["孙八"]
    at.session_state["pending_editor"] = {"edited_rows": {0: {"确认": True}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="pending_confirm").click().run()
    assert any("1 人退出台账" in s.value for s in at.success)
    with session_scope(app_world["engine"], write=False) as s:
        assert s.scalar(select(Person.status).where(Person.name == "孙八")) == "已退出"


def test_import_export_page_runs_for_township(app_world):
    at = app_test("tw1", "import_export")
    assert not at.exception
    assert "3" in " ".join(m.value for m in at.markdown)  # 3 people in the default export


def test_unit_cannot_open_registry(app_world):
    from tests import factories as f

    with session_scope(app_world["engine"]) as s:
        u = f.unit(s)
        actor = f.account(s, "unit1", "unit", unit_id=u.id)
    # not in the unit's navigation; served directly, the page refuses on the server
    from streamlit.testing.v1 import AppTest

    from tests.harness import ROOT

    for page in ("registry", "person", "pending", "import_export"):
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
        at.session_state["actor"] = actor
        at.run()
        assert any("无权访问" in e.value for e in at.error)
        assert not at.dataframe
