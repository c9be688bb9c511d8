"""The live SQLite database holds every person's file: 0600 in a 0700 data folder, like the
secrets and backups, with its -wal/-shm files 0600 too (issue 13 item 13)."""
from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from db import config
from db.engine import make_engine, session_scope
from db.migrate import upgrade


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)  # the usual umask, under which files came out 0644
    yield
    os.umask(old)


def _write_and_hold(engine):
    """A write through the app's own session, then an open connection (keeps -wal/-shm)."""
    with session_scope(engine) as s:
        s.execute(text("INSERT INTO app_settings (key, value) VALUES ('k', 'v')"))
    conn = engine.connect()
    conn.execute(text("SELECT count(*) FROM app_settings")).scalar()
    return conn


def test_a_new_database_is_private_with_its_wal_files(tmp_path, monkeypatch, umask_022):
    data = tmp_path / "data"
    monkeypatch.setattr(config, "DATA_DIR", data)
    db = data / "caredesk.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    conn = _write_and_hold(engine)
    try:
        assert _mode(data) == 0o700
        assert _mode(db) == 0o600
        for suffix in ("-wal", "-shm"):
            side = db.with_name(db.name + suffix)
            assert side.exists() and _mode(side) == 0o600, suffix
    finally:
        conn.close()
        engine.dispose()


def test_an_existing_world_readable_database_is_made_private(tmp_path, monkeypatch, umask_022):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    monkeypatch.setattr(config, "DATA_DIR", data)
    db = data / "caredesk.db"
    old = make_engine(f"sqlite:///{db}")
    upgrade(old)
    old.dispose()
    for p in (data, db):
        os.chmod(p, 0o755 if p == data else 0o644)  # as an earlier version left them
    engine = make_engine(f"sqlite:///{db}")
    conn = _write_and_hold(engine)
    try:
        assert (_mode(data), _mode(db)) == (0o700, 0o600)
        assert _mode(db.with_name(db.name + "-wal")) == 0o600
    finally:
        conn.close()
        engine.dispose()


def test_a_folder_that_is_not_the_data_folder_is_left_alone(tmp_path, umask_022):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    engine = make_engine(f"sqlite:///{shared / 'x.db'}")
    try:
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
        assert _mode(shared) == 0o755  # e.g. /tmp must never become 0700
        assert _mode(shared / "x.db") == 0o600
    finally:
        engine.dispose()
