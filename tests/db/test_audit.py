import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from db.engine import session_scope
from db.models import AuditLog, Person
from tests import factories as f


def _audit(engine):
    with session_scope(engine, write=False) as s:
        return s.scalars(select(AuditLog).order_by(AuditLog.id)).all()


def test_create_and_update_write_masked_audit_rows(engine):
    with session_scope(engine) as s:
        ids = f.county(s)
        actor = f.account(s, "tw1", "township", township_id=ids["T1"])
    before = len(_audit(engine))
    with session_scope(engine, actor=actor) as s:
        p = f.person(s, ids["T1"], ids["V11"], name="王小明", phone="13912345678")
        pid = p.id
    with session_scope(engine, actor=actor) as s:
        p = s.get(Person, pid)
        p.phone = "13711112222"
    rows = _audit(engine)[before:]
    person_rows = [r for r in rows if r.entity == "person"]
    assert [r.action for r in person_rows] == ["create", "update"]
    assert all(r.username == "tw1" and r.role == "township" for r in person_rows)
    upd = person_rows[1]
    assert upd.entity_id == str(pid)
    assert upd.changes == {"phone": ["139****5678", "137****2222"]}
    assert "王小明" not in str(person_rows[0].changes)
    with session_scope(engine, write=False) as s:
        assert s.get(Person, pid).updated_by == "tw1"


def test_rolled_back_change_leaves_no_audit_row(engine):
    with session_scope(engine) as s:
        ids = f.county(s)
    before = len(_audit(engine))
    with pytest.raises(RuntimeError):
        with session_scope(engine) as s:
            f.person(s, ids["T1"], ids["V11"])
            raise RuntimeError("boom")
    assert len(_audit(engine)) == before


def test_audit_rows_cannot_be_changed_or_deleted(engine):
    with session_scope(engine) as s:
        f.county(s)
    with session_scope(engine) as s:
        from db import audit

        audit.record(s, "view", "person", 1)
    for sql in ("UPDATE audit_log SET action='x'", "DELETE FROM audit_log"):
        with pytest.raises((DBAPIError, IntegrityError, OperationalError)):
            with engine.begin() as c:
                c.execute(text(sql))
    assert all(r.action != "x" for r in _audit(engine))
