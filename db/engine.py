"""The one engine/session module."""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, String, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.validation import LONG_TEXT_MAX, text_error
from db import audit, config
from db.errors import BUSY_MESSAGE, Busy, ServiceError
from db.models import Audited

# Every Session writes its audit rows and bumps the data generation. Installed when this
# module loads, before any session can exist, so no engine (even one a caller built with
# create_engine) can write unaudited, and listeners added later by others run after it.
audit.install()


def _check_texts(session: Session, _ctx, _instances) -> None:
    """The last line behind every write service's own checks: no text an audited row is
    given may hold a control character or exceed its column (or LONG_TEXT_MAX), on any
    backend (SQLite enforces neither). The rule is core/validation.text_error's."""
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Audited):
            continue
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            col = attr.columns[0]
            if not isinstance(col.type, String):  # Text is a String
                continue
            added = state.attrs[attr.key].history.added
            if not added or not isinstance(added[0], str):
                continue
            err = text_error(added[0], getattr(col.type, "length", None) or LONG_TEXT_MAX, "填写的内容")
            if err:
                raise ServiceError(err + "，未保存。")


event.listen(Session, "before_flush", _check_texts)

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


# A writer that finds the write lock taken (SQLite: another write transaction, e.g. an
# import's) waits BUSY_TIMEOUT_MS per attempt and tries again until WRITE_WAIT_S have passed;
# only then is the user told, in Chinese, to try again (Busy). Reads never wait (WAL).
BUSY_TIMEOUT_MS = 5000
WRITE_WAIT_S = 30.0


def _locked(e: BaseException) -> bool:
    """A lock wait that ran out, not a fault: SQLite "database is locked", PostgreSQL lock
    timeout or deadlock."""
    if not isinstance(e, OperationalError):
        return False
    return "database is locked" in str(e) or getattr(e.orig, "sqlstate", None) in ("55P03", "40P01")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    # Write transactions take the lock at BEGIN so two writers queue on busy_timeout
    # instead of failing later with "database is locked" on lock upgrade; reads stay
    # deferred so they never wait for a writer (WAL).
    if not conn.get_execution_options().get("caredesk_write"):
        conn.exec_driver_sql("BEGIN")
        return
    deadline = time.monotonic() + WRITE_WAIT_S
    while True:  # nothing has happened in this transaction yet: BEGIN may simply be tried again
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as e:
            if not _locked(e):
                raise
            if time.monotonic() >= deadline:
                raise Busy(BUSY_MESSAGE) from e
            time.sleep(0.1)


def _private_sqlite_file(path: Path) -> None:
    """The live database holds every person's file: 0600 in a 0700 folder, like the secrets
    and the backups. Made before SQLite first opens it, because SQLite gives the -wal and
    -shm files it creates the mode of the database file. A folder we did not create is only
    tightened when it is the data folder (never e.g. /tmp)."""
    folder = path.parent
    try:
        if not folder.exists():
            folder.mkdir(parents=True, mode=0o700)
            os.chmod(folder, 0o700)  # mkdir's mode passes through the umask
        elif folder.resolve() == config.DATA_DIR.resolve():
            os.chmod(folder, 0o700)
        if not path.exists():  # an empty file is an empty database
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        for f in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if f.exists():
                os.chmod(f, 0o600)  # a file made 0644 by an older version
    except OSError:  # not ours to change (a read-only mount, another owner): SQLite still decides
        pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            _private_sqlite_file(Path(database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_conn, _rec):
            dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # JIT off for the app's connections: on the hot aggregates most of the time was JIT
    # compilation, not work (measured in docs/PERFORMANCE.md, "PostgreSQL: JIT").
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         connect_args={"options": "-c jit=off"})


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
    except BaseException as e:
        session.rollback()
        if _locked(e):
            raise Busy(BUSY_MESSAGE) from e
        raise
    finally:
        session.close()
