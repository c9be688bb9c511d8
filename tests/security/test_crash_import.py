"""Crash safety: a 5,000-row ledger import is killed with SIGKILL at several points while
it writes (the import writes with bulk statements: before its first INSERT of people, of
their categories and of its audit rows — early, middle and late in the write transaction;
the child holds there until killed, so the point does not depend on how fast the machine
is); afterwards the database is consistent (SQLite integrity_check ok), holds none
of the import's people, and has no audit row for the rolled-back work. A final import
then runs to completion on the same database."""
import datetime as dt
import io
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text

from core import idnumber
from areas.registry import importer
from db.engine import session_scope
from db.models import AuditLog, Person, PersonCategory
from tests import factories as f
from tests.harness import ROOT

ROWS = 5000
KILL_AT_INSERT = ("people", "person_categories", "audit_log")  # early, middle, late in the write transaction

CHILD = textwrap.dedent("""
    import pathlib, sys, time
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from areas.registry import importer
    from areas.admin import users
    from db.engine import make_engine, session_scope

    url, ledger, marker, kill_at = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), sys.argv[4]

    @event.listens_for(Engine, "before_cursor_execute")
    def _hold(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().startswith(f"INSERT INTO {kill_at} "):  # mid-transaction: tell the test, wait for the kill
            marker.write_text(kill_at)
            time.sleep(600)

    engine = make_engine(url)
    with session_scope(engine, write=False) as s:
        actor = users.actor_for(users.get_user(s, "tw1"))
    with session_scope(engine, actor=actor) as s:
        importer.apply(s, actor, "台账.xlsx", pathlib.Path(ledger).read_bytes())
    print("DONE", flush=True)
""")


@pytest.fixture(scope="module")
def ledger_file(tmp_path_factory):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(["测试1镇农村留守儿童关爱帮扶台账"])
    ws.append(["村(居)：测试1-1村"])
    ws.append(["序号", "姓名", "性别", "身份证号码", "人员类别", "帮扶责任人(职务)", "帮扶措施", "联系电话", "备注"])
    for i in range(ROWS):
        birth = dt.date(2012, 1, 1) + dt.timedelta(days=i // 400)
        ws.append([i + 1, f"导入{i}", "女", idnumber.make("429901", birth, (2 * i) % 800, "女"), "农村留守儿童",
                   "", "", "13800007777", ""])
    path = tmp_path_factory.mktemp("crash") / "ledger.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def _state(engine):
    with session_scope(engine, write=False) as s:
        return (
            s.scalar(select(func.count()).select_from(Person)),
            s.scalar(select(func.count()).select_from(PersonCategory)),
            s.scalar(select(func.count()).select_from(AuditLog)),
            s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "import")),
        )


def test_kill_during_import_leaves_a_consistent_database(engine, backend, ledger_file, tmp_path):
    with session_scope(engine) as s:
        ids = f.county(s)
        f.account(s, "tw1", "township", township_id=ids["T1"])
        for _ in range(3):
            f.person(s, ids["T1"], ids["V11"])
    baseline = _state(engine)
    assert baseline[:2] == (3, 3) and baseline[3] == 0
    script = tmp_path / "child.py"
    script.write_text(CHILD, "utf-8")
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREDESK_DEMO": "0"}
    engine.dispose()

    for n, kill_at in enumerate(KILL_AT_INSERT):
        marker = tmp_path / f"flushed-{n}"
        proc = subprocess.Popen([sys.executable, str(script), url, str(ledger_file), str(marker), kill_at],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 300
            while not marker.exists():  # polls the child's progress, not a guess at its speed
                assert proc.poll() is None, f"the import ended before writing {kill_at}: " + proc.stderr.read().decode()[-2000:]
                assert time.time() < deadline, f"the import did not reach its INSERT into {kill_at}"
                time.sleep(0.05)
            assert proc.poll() is None
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        assert _state(engine) == baseline, f"partial import after kill #{n + 1} (at the INSERT into {kill_at})"
        if backend == "sqlite":
            with engine.connect() as c:
                assert c.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert c.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        else:
            with engine.connect() as c:  # the server rolled the dead client's transaction back
                dbname = engine.url.database
                for _ in range(100):
                    left = c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND "
                                          "state LIKE 'idle in transaction%'"), {"d": dbname}).scalar()
                    if not left:
                        break
                    time.sleep(0.1)
                assert left == 0

    # the database is still fully usable: the same import now completes, exactly once
    with session_scope(engine, write=False) as s:
        from areas.admin import users

        tw1 = users.actor_for(users.get_user(s, "tw1"))
    with session_scope(engine, actor=tw1) as s:
        counts = importer.apply(s, tw1, "台账.xlsx", ledger_file.read_bytes())
    assert counts == {"add": ROWS, "update": 0, "unchanged": 0}
    people, cats, audits, imports = _state(engine)
    assert (people, cats, imports) == (baseline[0] + ROWS, baseline[1] + ROWS, 1)
    assert audits == baseline[2] + 2 * ROWS + 1  # a create row per person and per category, one import row
