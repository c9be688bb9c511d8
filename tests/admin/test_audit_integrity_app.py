"""审计日志 page shows the hash-chain check (db/audit_verify.py): the number of rows checked
when intact, the first broken row when the log was rewritten (issue 13 item 12)."""
import re

from sqlalchemy import func, select, text

from db import audit
from db.engine import session_scope
from db.models import AuditLog
from tests.app.conftest import app_db  # noqa: F401
from tests.harness import app_test


def _integrity(at) -> tuple[str, str]:
    found = [("success", e.value) for e in at.success if "审计日志完整性" in e.value]
    found += [("error", e.value) for e in at.error if "审计日志完整性" in e.value]
    assert len(found) == 1, found
    return found[0]


def test_audit_page_shows_the_chain_check_and_the_first_broken_row(app_db):
    engine = app_db["engine"]
    with session_scope(engine) as s:
        for i in range(5):
            audit.record(s, "view", "person", 2000 + i, actor="tw1")
    with session_scope(engine, write=False) as s:
        rows = s.scalar(select(func.count()).select_from(AuditLog))
        target = s.scalars(select(AuditLog.id).where(AuditLog.entity_id == "2002")).one()

    at = app_test("admin", "audit")
    assert not at.exception, at.exception
    kind, value = _integrity(at)
    assert kind == "success"
    checked = int(re.search(r"已校验 (\d+) 条，未发现篡改", value).group(1))
    assert checked >= rows

    with engine.begin() as c:  # what the attacker did on SQLite: drop the trigger, then edit
        c.execute(text("DROP TRIGGER audit_log_no_update"))
        c.execute(text(f"UPDATE audit_log SET entity_id = '9999' WHERE id = {target}"))
    [b for b in at.button if b.label == "重新校验"][0].click()
    at.run()
    assert not at.exception, at.exception
    kind, value = _integrity(at)
    assert kind == "error" and f"第 {target} 号记录" in value and "未发现篡改" not in value

    fresh = app_test("admin", "audit")  # a new visit checks on arrival
    assert _integrity(fresh)[0] == "error"
