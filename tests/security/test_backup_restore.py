"""Online backup while another thread writes, restore into a fresh database, and every
table's row count and checksum equal to the backup's manifest (SQLite and PostgreSQL)."""
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select, text, update

from db import backup
from db.engine import make_engine, session_scope
from db.models import AppSetting, AuditLog, Person
from areas.admin import reads as q
from db.restore import restore
from tests import factories as f
from tests.conftest import pg_create_database, pg_drop_database
from tests.harness import ROOT


def _people(engine) -> int:
    with session_scope(engine, write=False) as s:
        return s.scalar(select(func.count()).select_from(Person))


def _cli(module, *args, env_extra=None):
    env = {**os.environ, "CAREDESK_DEMO": "0", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def fresh_target(backend, tmp_path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'fresh.db'}"
    else:
        url = pg_create_database()  # blank: no tables at all
        yield url
        pg_drop_database(url)


def test_backup_during_writes_then_restore_matches_manifest(engine, backend, fresh_target, tmp_path):
    with session_scope(engine) as s:
        ids = f.county(s)
        admin = f.account(s, "admin1", "admin")
        for i in range(150):
            f.person(s, ids["T1"], ids["V11"], name=f"备份{i}", phone=f"1390000{i:04d}")
    stop = threading.Event()
    written = []
    errors = []

    def writer():
        try:
            while not stop.is_set():
                with session_scope(engine) as s:
                    p = f.person(s, ids["T2"], ids["V21"])
                    written.append(p.id)
                with session_scope(engine) as s:  # and an update of an existing row
                    s.execute(update(Person).where(Person.id == written[-1]).values(notes=f"更新{len(written)}"))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    try:
        while len(written) < 5:  # the writer is really running before the backup starts
            time.sleep(0.01)
        at_start = _people(engine)
        result = backup.make_backup(engine, tmp_path / "backups", actor=admin)
        at_end = _people(engine)
        while len(written) < at_end - 150 + 3:  # and keeps going after it
            time.sleep(0.01)
    finally:
        stop.set()
        t.join(30)
    assert not errors, errors
    manifest = json.loads(result.manifest_path.read_text("utf-8"))
    assert manifest == result.manifest
    in_backup = manifest["tables"]["people"]["rows"]
    assert at_start <= in_backup <= at_end, (at_start, in_backup, at_end)
    assert _people(engine) > in_backup  # the database moved on after the snapshot
    assert manifest["tables"]["regions"]["rows"] == 7  # county + 2 townships + 4 villages
    assert manifest["tables"]["users"]["rows"] == 1
    assert manifest["format"] == ("sqlite" if backend == "sqlite" else "pg_dump")
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"

    # the last backup is recorded, with an audit row
    with session_scope(engine, write=False) as s:
        info = q.last_backup(s, admin)
        assert info["file"] == result.path.name and info["people"] == in_backup and info["by"] == "admin1"
        row = s.scalars(select(AuditLog).where(AuditLog.action == "backup")).one()
        assert (row.username, row.entity_id, row.outcome) == ("admin1", result.path.name, "ok")
    assert [b.name for b in backup.list_backups(tmp_path / "backups")] == [result.path.name]

    # restore through the command line into a fresh database
    proc = _cli("db.restore", str(result.path), "--database-url", fresh_target)
    assert proc.returncode == 0, proc.stderr
    assert "逐表核对一致" in proc.stdout
    target = make_engine(fresh_target)
    try:
        audit_rows = manifest["tables"]["audit_log"]["rows"]
        with target.connect() as conn:
            restored = backup.table_fingerprints(conn, only_first={"audit_log": audit_rows})
            # Recording the restore is a write, and every write replaces the cache token in
            # app_settings (db/cache.py) so no process serves pre-restore figures: that one
            # value differs, every other table matches the manifest exactly.
            tables = manifest["tables"]
            assert {k: v for k, v in restored.items() if k != "app_settings"} == {
                k: v for k, v in tables.items() if k != "app_settings"}
            assert restored["app_settings"]["rows"] == tables["app_settings"]["rows"]
            # counted independently of the fingerprint code
            assert conn.execute(text("SELECT count(*) FROM people")).scalar() == in_backup
            assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == audit_rows + 1
            last = conn.execute(text("SELECT action, entity_id FROM audit_log ORDER BY id DESC LIMIT 1")).one()
            assert tuple(last) == ("restore", result.path.name)
            names = {r[0] for r in conn.execute(text("SELECT name FROM people WHERE name LIKE '备份%'"))}
            assert len(names) == 150
        # the checksums do notice a changed value
        with target.begin() as conn:
            conn.execute(text("UPDATE people SET phone = '13999999999' WHERE name = '备份7'"))
        with target.connect() as conn:
            changed = backup.compare(manifest["tables"], backup.table_fingerprints(conn, {"audit_log": audit_rows}))
            assert [c for c in changed if not c.startswith("app_settings")] == ["people: 内容校验值不一致"]
    finally:
        target.dispose()

    # a database that holds data is refused without --force, and left as it was
    before = _people(engine)
    proc = _cli("db.restore", str(result.path), "--database-url", engine.url.render_as_string(hide_password=False))
    assert proc.returncode == 2 and "不是空库" in proc.stderr
    assert _people(engine) == before


def test_force_replaces_a_non_empty_target_and_cli_backup(engine, backend, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    with session_scope(engine) as s:
        ids = f.county(s)
        for _ in range(3):
            f.person(s, ids["T1"], ids["V11"])
    proc = _cli("db.backup", "--dest", str(tmp_path / "b"), "--database-url", url)
    assert proc.returncode == 0, proc.stderr
    files = backup.list_backups(tmp_path / "b")
    assert len(files) == 1 and files[0].people == 3 and files[0].verified
    with session_scope(engine) as s:
        f.person(s, ids["T1"], ids["V11"])
    assert _people(engine) == 4
    engine.dispose()
    res = restore(files[0].path, url, force=True, actor="test")
    assert res.problems == []
    assert _people(engine) == 3  # back to the backup's state
    with session_scope(engine, write=False) as s:
        # the CLI backup's audit row is after the snapshot; the restore's is in the restored DB
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "database")).all()
        assert actions == ["restore"]
        assert s.get(AppSetting, "last_backup") is None


def test_wrong_format_and_pruning(tmp_path, sqlite_url):
    eng = make_engine(sqlite_url)
    try:
        r1 = backup.make_backup(eng, tmp_path / "b", now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
        r2 = backup.make_backup(eng, tmp_path / "b", now=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc))
    finally:
        eng.dispose()
    assert [b.name for b in backup.list_backups(tmp_path / "b")] == [r2.path.name, r1.path.name]
    removed = backup.prune(tmp_path / "b", 30, now=dt.datetime(2026, 3, 5, tzinfo=dt.timezone.utc))
    assert removed == [r1.path.name] and not r1.path.exists() and not r1.manifest_path.exists()
    assert backup.prune(tmp_path / "b", 1, now=dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)) == []  # newest stays
    with pytest.raises(backup.BackupError, match="不匹配"):
        restore(r2.path, "postgresql+psycopg://postgres@127.0.0.1:5432/none")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database")
    with pytest.raises(backup.BackupError, match="无法识别"):
        restore(junk, f"sqlite:///{tmp_path / 'x.db'}")
