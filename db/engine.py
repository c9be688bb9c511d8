"""The one engine/session module."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from db import audit, config

# Every Session writes its audit rows and bumps the data generation. Installed when this
# module loads, before any session can exist, so no engine (even one a caller built with
# create_engine) can write unaudited, and listeners added later by others run after it.
audit.install()

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    # Write transactions take the lock at BEGIN so two writers queue on busy_timeout
    # instead of failing later with "database is locked" on lock upgrade; reads stay
    # deferred so they never wait for a writer (WAL).
    if conn.get_execution_options().get("caredesk_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_conn, _rec):
            dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def get_engine(url: str | None = None) -> Engine:
    url = url or config.load().database_url
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def dispose_all() -> None:
    with _lock:
        for e in _engines.values():
            e.dispose()
        _engines.clear()


@contextmanager
def session_scope(engine: Engine | None = None, actor=None, write: bool = True) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any error.

    `actor` (core.roles.Actor) is what the audit mechanism writes as the user.
    `write=False` for read-only work (on SQLite: a deferred transaction).
    """
    engine = engine or get_engine()
    bind = engine.execution_options(caredesk_write=True) if write else engine
    session = Session(bind=bind, expire_on_commit=False)
    session.info["actor"] = actor
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
