"""AppTest of 打印文书 (pages/documents.py) as the roles that use it, and of the links that
open it preselected from a person's file and from a card."""
from __future__ import annotations

from sqlalchemy import select

from db.engine import session_scope
from db.models import AuditLog
from tests.harness import all_text, app_test


def _prints(engine) -> list[AuditLog]:
    with session_scope(engine, write=False) as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == "print")))


def _documents(username: str, **params):
    at = app_test(username)
    for k, v in params.items():  # as a link from a file or a card opens the page
        at.query_params[k] = v
    at.switch_page("pages/documents.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_office_prints_a_person_file_preselected(docs_app_db):
    at = _documents("office", kind="person", person=str(docs_app_db["child"]))
    assert at.radio(key="doc_kind").value == "person"
    assert list(at.radio(key="doc_kind").options) == ["一人一档", "委托监护责任确认书", "通报处置卡", "走访记录表",
                                                      "一人一档（批量）"]
    assert "档案甲" in at.toggle(key="doc_preset").label
    at.button(key="doc_go").click().run()
    assert any("打印事由" in e.value for e in at.error)  # no reason: refused, nothing printed
    assert _prints(docs_app_db["engine"]) == []
    at.text_input(key="doc_reason").set_value("县督查组调阅").run()
    at.button(key="doc_go").click().run()
    assert not at.exception, at.exception
    assert any("已生成 1 份文书" in m.value for m in at.success)
    rows = _prints(docs_app_db["engine"])
    assert [(r.entity, r.entity_id) for r in rows] == [("person", str(docs_app_db["child"]))]
    assert "县督查组调阅" in rows[0].summary


def test_a_unit_prints_only_its_cards(docs_app_db):
    at = _documents("unit")
    assert list(at.radio(key="doc_kind").options) == ["通报处置卡"]
    sel = at.selectbox(key="doc_card")
    assert list(sel.options) and all(str(docs_app_db["card"]) in o for o in sel.options)
    text = all_text(at)
    assert "档案甲" not in text and docs_app_db["child_id_number"] not in text


def test_the_leader_has_no_printing(docs_app_db):
    from streamlit.testing.v1 import AppTest

    from tests.harness import ROOT

    # not in the leader's menu; served directly, the page refuses on the server
    at = AppTest.from_file(str(ROOT / "pages" / "documents.py"), default_timeout=60)
    at.session_state["actor"] = docs_app_db["actors"]["leader"]
    at.run()
    assert any("无权访问" in e.value for e in at.error)
    assert not at.radio and not at.button


def test_presenting_staff_cannot_print(docs_app_db):
    at = app_test("office", "documents", presentation=True)
    assert not at.exception, at.exception
    assert any("投屏模式下不能打印文书" in m.value for m in at.info)
    assert not at.button


def test_links_from_the_file_and_the_card(docs_app_db):
    at = app_test("office", "person")
    at.query_params["id"] = str(docs_app_db["child"])
    at.run()
    assert not at.exception, at.exception
    assert "打印文书" in all_text(at)
    at = app_test("unit", "incidents")
    assert not at.exception, at.exception
    assert "打印此卡" in all_text(at)


def test_batch_of_a_village_shows_progress(docs_app_db):
    at = _documents("office", kind="batch", village=str(docs_app_db["ids"]["V11"]))
    assert at.radio(key="doc_source").value == "village"
    assert at.selectbox(key="doc_village").value == docs_app_db["ids"]["V11"]
    at.text_input(key="doc_reason").set_value("年度档案归档").run()
    at.button(key="doc_go").click().run()
    assert not at.exception, at.exception
    bars = at.get("progress")
    assert bars and bars[-1].proto.value == 100 and "已生成" in bars[-1].proto.text
    assert any("已生成 2 份文书" in m.value for m in at.success)
    assert len(_prints(docs_app_db["engine"])) == 2
