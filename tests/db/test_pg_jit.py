"""PostgreSQL JIT is off for the app's connections (issue 14): on the hot aggregates most of
the execution time was JIT compilation (docs/PERFORMANCE.md, "PostgreSQL: JIT"). The server's
default (on) is left alone, so the setting must come from db/engine.make_engine. PostgreSQL
only (SQLite has no JIT); with CI=true a missing server fails the test."""
from __future__ import annotations

from sqlalchemy import text

from db.engine import make_engine, session_scope
from tests.conftest import pg_create_database, pg_drop_database, require_pg


def test_app_connections_run_with_jit_off():
    require_pg()
    url = pg_create_database()
    engine = make_engine(url)
    try:
        with session_scope(engine, write=False) as s:
            assert s.execute(text("SHOW jit")).scalar() == "off"
        with session_scope(engine) as s:
            assert s.execute(text("SHOW jit")).scalar() == "off"
        conns = [engine.connect() for _ in range(3)]  # every pooled connection, not only the first
        try:
            assert [c.execute(text("SHOW jit")).scalar() for c in conns] == ["off"] * 3
        finally:
            for c in conns:
                c.close()
    finally:
        engine.dispose()
        pg_drop_database(url)
