"""Searching for people is audited once per distinct text, with ID numbers scrubbed."""
from sqlalchemy import select

from db.engine import get_engine, session_scope
from db.models import AuditLog
from tests.harness import app_test


def _searches(url):
    with session_scope(get_engine(url), write=False) as s:
        return s.execute(select(AuditLog.username, AuditLog.summary).where(AuditLog.action == "search")
                         .order_by(AuditLog.id)).all()


def test_registry_search_is_audited_once_and_scrubbed(app_world, sqlite_url):
    at = app_test("tw1", "registry")
    box = next(t for t in at.text_input if t.label == "搜索姓名/身份证号/电话")
    box.set_value("张").run()
    at.run()  # a rerun with the same text is not a new search
    box = next(t for t in at.text_input if t.label == "搜索姓名/身份证号/电话")
    box.set_value("11010519491231002X").run()
    rows = _searches(sqlite_url)
    assert [r.username for r in rows] == ["tw1", "tw1"]
    assert rows[0].summary == "人员台账：张"
    assert "11010519491231002X" not in rows[1].summary and rows[1].summary.startswith("人员台账：110105")
