"""Cross-process cache invalidation: the data generation.

Every app process keeps its own `st.cache_data` (components/cached.py, the one cached-read layer).
To stay correct when several processes share one PostgreSQL database, cached readers take
the *data generation* as part of their cache key:

* `app_settings['data_generation']` holds a random token (row inserted by migration 0002).
* The single audit mechanism (db/audit.py) replaces the token inside every write
  transaction: once per ORM flush that wrote audited rows, and in `audit.record()` for
  import / delete / restore events (bulk writes below the ORM). The token commits or rolls
  back with the write itself.
* A page run reads the token with one primary-key SELECT (`generation(engine)`); a write
  committed by process A changes it, so process B misses its cache on its next page run.
* Entries also expire after config.cache_ttl_s seconds (CAREDESK_CACHE_TTL, default 60 s): that bounds
  how long row-level personal data stays in memory, and covers writes that bypass the ORM
  and the audit log (db/demo.py bulk load, a restore done by another tool).

A token rather than a counter: a restored backup brings an old value back, and a counter
could then count up to a number already used as a cache key before the restore.
"""
from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

KEY = "data_generation"

_READ = text("SELECT value FROM app_settings WHERE key = :k")
_BUMP = text("UPDATE app_settings SET value = :v, updated_at = CURRENT_TIMESTAMP WHERE key = :k")


def bump(conn: Connection | Session) -> None:
    """Replace the token in the caller's transaction (no row → nothing: the TTL still applies)."""
    conn.execute(_BUMP, {"v": uuid.uuid4().hex, "k": KEY})


def generation(bind: Engine | Connection | Session) -> str:
    """The current token: one primary-key lookup."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return conn.execute(_READ, {"k": KEY}).scalar() or ""
    return bind.execute(_READ, {"k": KEY}).scalar() or ""
