"""PostgreSQL deployment with an app role that may only INSERT and SELECT on audit_log
(docs/DEPLOYMENT.md, "Audit log integrity"): the app still signs in, writes and audits,
and the chain verifies; UPDATE, DELETE, TRUNCATE and switching the triggers off are refused."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from db import audit
from db.audit_verify import verify
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.models import Person
from tests import factories as f
from tests.conftest import require_pg

DOC = Path(__file__).resolve().parents[2] / "docs" / "DEPLOYMENT.md"


def _documented_grants() -> str:
    """The grant block of docs/DEPLOYMENT.md, so the test runs what the operator is told to."""
    blocks = re.findall(r"```sql\n(.*?)```", DOC.read_text("utf-8"), re.S)
    grants = [b for b in blocks if "ON audit_log FROM caredesk_app" in b]
    assert len(grants) == 1, "docs/DEPLOYMENT.md must hold one grant block for caredesk_app"
    return grants[0]


@pytest.fixture
def app_role_url(db_url):
    """A fresh login role with exactly the documented grants on the test database."""
    role = f"caredesk_app_{uuid.uuid4().hex[:8]}"
    owner = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as c:
        c.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        for stmt in _documented_grants().replace("caredesk_app", f'"{role}"').split(";"):
            if stmt.strip():
                c.execute(text(stmt))
    try:
        yield make_url(db_url).set(username=role).render_as_string(hide_password=False)
    finally:
        from db.engine import dispose_all

        dispose_all()
        with owner.connect() as c:
            c.execute(text(f'DROP OWNED BY "{role}"'))
            c.execute(text(f'DROP ROLE "{role}"'))
        owner.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_app_role_writes_and_audits_but_cannot_rewrite_the_log(backend, app_role_url):
    require_pg()
    app = make_engine(app_role_url)
    try:
        with app.connect() as c:
            assert c.execute(text("SELECT current_user")).scalar() == make_url(app_role_url).username
        upgrade(app)  # the app's start-up: at head, nothing to do and nothing it may not do
        with session_scope(app) as s:
            ids = f.county(s)
            actor = f.account(s, "tw1", "township", township_id=ids["T1"])
        with session_scope(app, actor=actor) as s:
            pid = f.person(s, ids["T1"], ids["V11"], name="王小明").id
        with session_scope(app, actor=actor) as s:
            s.get(Person, pid).name = "王晓明"
            audit.record(s, "view", "person", pid, summary="查看人员档案")
        with app.connect() as c:
            report = verify(c)
        assert report.ok and report.checked >= 4, report.problem

        refused = (
            "UPDATE audit_log SET username = 'x'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "ALTER TABLE audit_log DISABLE TRIGGER USER",
            "DROP TABLE audit_log CASCADE",
        )
        for sql in refused:
            with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
                with app.begin() as c:
                    c.execute(text(sql))
        with app.connect() as c:
            assert verify(c).checked == report.checked
    finally:
        app.dispose()
