"""The audit log's hash chain (issue 13 item 12): written by db/audit.py, checked by
db/audit_verify.py. Every way of rewriting the log an attacker with SQL access tried —
edit, delete, INSERT OR REPLACE, TRUNCATE, removing the newest rows, appending a forged
row — is found, and the first broken row is named. Both databases."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from db import audit
from db.audit_verify import verify
from db.engine import session_scope
from db.migrate import downgrade, upgrade
from db.models import AuditLog, Person
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def _report(engine, expected=()):
    with engine.connect() as conn:
        return verify(conn, expected)


def _ids(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditLog.id).order_by(AuditLog.id)).scalars())


@pytest.fixture
def logged(engine):
    """A county, a person created and edited (ORM flushes) and a few record() events."""
    with session_scope(engine) as s:
        ids = f.county(s)
        actor = f.account(s, "tw1", "township", township_id=ids["T1"])
    with session_scope(engine, actor=actor) as s:
        pid = f.person(s, ids["T1"], ids["V11"], name="王小明", phone="13912345678").id
    with session_scope(engine, actor=actor) as s:
        s.get(Person, pid).phone = "13711112222"
        audit.record(s, "view", "person", pid, summary="查看人员档案")
    for i in range(3):
        with session_scope(engine, actor=actor) as s:
            audit.record(s, "search", "person", None, summary=f"人员台账搜索 {i}", changes={"q": ["", "张"]})
    return engine


def _tamper(engine, *statements: str) -> None:
    """What an attacker with the owner's SQL access does: switch the append-only triggers
    off, then rewrite the table."""
    with engine.begin() as c:
        if engine.dialect.name == "postgresql":
            c.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"):
                c.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        for sql in statements:
            c.execute(text(sql))


def test_every_audit_row_is_chained_and_the_chain_verifies(logged):
    report = _report(logged)
    assert report.ok, report.problem
    with logged.connect() as c:
        rows = c.execute(select(AuditLog).order_by(AuditLog.id)).all()
        assert report.checked == len(rows) >= 6
        assert rows[0].prev_hash == audit.GENESIS
        assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:]))
        assert audit.anchor(c) == (len(rows), rows[-1].row_hash)
    assert report.message() == f"审计日志完整性：已校验 {len(rows)} 条，未发现篡改"


def test_an_edited_row_is_found_and_named(logged):
    target = _ids(logged)[2]
    _tamper(logged, f"UPDATE audit_log SET username = 'nobody' WHERE id = {target}")
    report = _report(logged)
    assert not report.ok and report.broken_id == target
    assert f"第 {target} 号记录" in report.problem and "修改" in report.problem


def test_an_edited_row_with_its_own_hash_recomputed_still_breaks_the_next_link(logged):
    ids = _ids(logged)
    with logged.connect() as c:
        row = c.execute(select(AuditLog).where(AuditLog.id == ids[1])).one()
    forged = dict(row._mapping, summary="伪造")
    new_hash = audit.row_hash(forged, row.prev_hash)
    _tamper(logged, f"UPDATE audit_log SET summary = '伪造', row_hash = '{new_hash}' WHERE id = {ids[1]}")
    report = _report(logged)
    assert report.broken_id == ids[2] and "接不上" in report.problem


def test_a_deleted_row_is_found(logged):
    ids = _ids(logged)
    _tamper(logged, f"DELETE FROM audit_log WHERE id = {ids[3]}")
    report = _report(logged)
    assert report.broken_id == ids[4] and "接不上" in report.problem


def test_deleting_the_newest_rows_is_found_by_the_anchor(logged):
    ids = _ids(logged)
    _tamper(logged, f"DELETE FROM audit_log WHERE id >= {ids[-2]}")
    report = _report(logged)
    assert not report.ok
    assert f"应有 {len(ids)} 条，现只有 {len(ids) - 2} 条" in report.problem


def test_truncation_is_found(logged):
    n = len(_ids(logged))
    truncate = "TRUNCATE audit_log" if logged.dialect.name == "postgresql" else "DELETE FROM audit_log"
    _tamper(logged, truncate)
    report = _report(logged)
    assert report.checked == 0 and not report.ok
    assert f"应有 {n} 条，现只有 0 条" in report.problem


def test_a_replaced_row_is_found(logged):
    target = _ids(logged)[1]
    if logged.dialect.name == "sqlite":
        replace = (f"INSERT OR REPLACE INTO audit_log (id, ts, username, role, action, outcome, prev_hash, row_hash) "
                   f"SELECT id, ts, 'nobody', role, action, outcome, prev_hash, row_hash FROM audit_log WHERE id = {target}")
        # With its triggers in place SQLite now refuses the replacement outright...
        with pytest.raises(DBAPIError):
            with logged.begin() as c:
                c.execute(text(replace))
        assert _report(logged).ok
        statements = (replace,)
    else:  # PostgreSQL has no INSERT OR REPLACE: delete and insert under the same id
        statements = (
            f"CREATE TEMP TABLE keep AS SELECT * FROM audit_log WHERE id = {target}",
            f"DELETE FROM audit_log WHERE id = {target}",
            "UPDATE keep SET username = 'nobody'",
            "INSERT INTO audit_log SELECT * FROM keep",
        )
    _tamper(logged, *statements)  # ...and with them dropped, the chain finds it
    with logged.connect() as c:
        assert c.execute(select(AuditLog.username).where(AuditLog.id == target)).scalar() == "nobody"
    report = _report(logged)
    assert report.broken_id == target and "修改或伪造" in report.problem


def test_an_appended_forged_row_is_found(logged):
    with logged.connect() as c:
        head = audit.anchor(c)[1]
    # Linked to the real head, but its own hash is made up.
    _tamper(logged, "INSERT INTO audit_log (ts, username, action, outcome, prev_hash, row_hash) "
                    f"VALUES (CURRENT_TIMESTAMP, 'admin', 'login', 'ok', '{head}', '{'f' * 64}')")
    forged = _ids(logged)[-1]
    report = _report(logged)
    assert report.broken_id == forged and "修改或伪造" in report.problem


def test_an_appended_row_with_a_valid_hash_but_no_anchor_update_is_found(logged):
    with logged.connect() as c:
        head = audit.anchor(c)[1]
    row = {"ts": dt.datetime(2026, 1, 1), "username": "admin", "role": None, "action": "login", "entity": None,
           "entity_id": None, "summary": None, "changes": None, "outcome": "ok"}
    h = audit.row_hash(row, head)
    ts = "2026-01-01 00:00:00+00" if logged.dialect.name == "postgresql" else "2026-01-01 00:00:00.000000"
    _tamper(logged, "INSERT INTO audit_log (ts, username, action, outcome, prev_hash, row_hash) "
                    f"VALUES ('{ts}', 'admin', 'login', 'ok', '{head}', '{h}')")
    assert _report(logged).checked == len(_ids(logged))  # every row's own hash and link hold
    report = _report(logged)
    assert not report.ok and "末尾有未经审计机制写入的记录" in report.problem


def test_a_row_without_hashes_is_refused(logged):
    with pytest.raises(DBAPIError):
        with logged.begin() as c:
            c.execute(text("INSERT INTO audit_log (username, action, outcome) VALUES ('x', 'login', 'ok')"))
    assert _report(logged).ok


def test_a_rewritten_chain_is_found_against_a_backup_manifest_anchor(logged, tmp_path):
    """An attacker who recomputes every hash and the anchor leaves a consistent chain; the
    anchor a backup kept outside the database still shows the rewrite."""
    from db.audit_verify import manifest_anchor
    from db.backup import make_backup

    result = make_backup(logged, tmp_path / "bk")
    kept = manifest_anchor(result.manifest_path)
    with logged.connect() as c:
        assert kept is not None and kept[0] == c.scalar(select(func.count()).select_from(AuditLog)) - 1
    assert _report(logged, [kept]).ok  # the backup's own audit row came after it
    # Rewrite everything from row 2 on, hashes and anchor included.
    with logged.connect() as c:
        rows = [dict(r._mapping) for r in c.execute(select(AuditLog).order_by(AuditLog.id))]
    statements, prev = [], rows[0]["row_hash"]
    for r in rows[1:]:
        r["summary"] = "改写"
        h = audit.row_hash(r, prev)
        statements.append(f"UPDATE audit_log SET summary = '改写', prev_hash = '{prev}', row_hash = '{h}' WHERE id = {r['id']}")
        prev = h
    statements.append("UPDATE app_settings SET value = '" + json.dumps({"count": len(rows), "head": prev})
                      + f"' WHERE key = '{audit.ANCHOR_KEY}'")
    _tamper(logged, *statements)
    assert _report(logged).ok  # consistent on its own...
    report = _report(logged, [kept])
    assert not report.ok and "备份清单" in report.problem  # ...but not with the kept anchor


def test_rolled_back_work_and_savepoints_leave_no_row_in_the_chain(logged):
    before = len(_ids(logged))
    with pytest.raises(RuntimeError):
        with session_scope(logged) as s:
            audit.record(s, "view", "person", 1)
            raise RuntimeError("boom")
    with session_scope(logged) as s:
        audit.record(s, "view", "person", 2)
        sp = s.begin_nested()
        audit.record(s, "view", "person", 3)
        sp.rollback()
        with s.begin_nested():
            audit.record(s, "view", "person", 4)
    with logged.connect() as c:
        new = c.execute(select(AuditLog.entity_id).where(AuditLog.id > _ids(logged)[before - 1])).scalars().all()
    assert new == ["2", "4"]
    assert _report(logged).ok


def test_concurrent_writers_do_not_fork_the_chain(logged):
    before = len(_ids(logged))
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with session_scope(logged, actor=f"w{n}") as s:
                    audit.record(s, "view", "person", n * 100 + i)
                    audit.record(s, "search", "person", None, summary=f"{n}-{i}")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = _report(logged)
    assert report.ok, report.problem
    assert report.checked == before + 4 * 15 * 2


def test_migration_0003_backfills_rows_written_before_it(engine):
    downgrade(engine, "0002")
    with engine.begin() as c:
        for i in range(3):
            c.execute(text("INSERT INTO audit_log (ts, username, action, changes, outcome) VALUES "
                           "(CURRENT_TIMESTAMP, :u, 'view', :ch, 'ok')"),
                      {"u": f"old{i}", "ch": json.dumps({"phone": ["139****5678", None]})})
    upgrade(engine)
    report = _report(engine)
    assert report.ok and report.checked == 3
    with session_scope(engine, actor="new") as s:
        audit.record(s, "view", "person", 1)
    assert _report(engine).checked == 4 and _report(engine).ok


def _cli(url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "db.audit_verify", "--database-url", url],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_verify_command_reports_the_first_broken_row(logged):
    url = logged.url.render_as_string(hide_password=False)
    ok = _cli(url)
    assert ok.returncode == 0 and "未发现篡改" in ok.stdout
    target = _ids(logged)[1]
    _tamper(logged, f"UPDATE audit_log SET action = 'x' WHERE id = {target}")
    bad = _cli(url)
    assert bad.returncode == 1 and f"第 {target} 号记录" in bad.stderr


def test_rows_queued_after_the_chain_was_appended_still_commit(logged):
    """A before_commit listener registered after the audit's (so it runs later) that still
    writes: its audit row joins the same transaction and the chain."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    def late(session):
        if session.info.get("late"):
            audit.record(session, "view", "person", 99)

    event.listen(Session, "before_commit", late)
    try:
        with session_scope(logged) as s:
            s.info["late"] = True
            audit.record(s, "view", "person", 98)
    finally:
        event.remove(Session, "before_commit", late)
    with logged.connect() as c:
        tail = c.execute(select(AuditLog.entity_id).order_by(AuditLog.id.desc()).limit(2)).scalars().all()
    assert tail == ["99", "98"]
    assert _report(logged).ok


@pytest.fixture
def blank_target(backend, tmp_path):
    from tests.conftest import pg_create_database, pg_drop_database

    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'fresh.db'}"
    else:
        url = pg_create_database()
        yield url
        pg_drop_database(url)


def test_a_restored_backup_keeps_a_verifying_chain_that_the_restore_continues(logged, blank_target, tmp_path):
    from db.backup import make_backup
    from db.engine import make_engine
    from db.restore import restore

    result = make_backup(logged, tmp_path / "bk")
    chain = result.manifest["audit_chain"]
    restored = restore(result.path, blank_target)
    assert restored.problems == []
    target = make_engine(blank_target)
    try:
        report = _report(target, [(chain["count"], chain["head"])])
        assert report.ok and report.checked == chain["count"] + 1  # + the restore's own row
        with target.connect() as c:
            assert c.execute(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(1)).scalar() == "restore"
    finally:
        target.dispose()
