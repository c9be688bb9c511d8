"""The audit listeners are registered explicitly (db/engine.py calls audit.install()), once,
and the platform modules import each other one way: engine → audit → cache, never back."""
from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

import db.engine  # noqa: F401  (installs the listeners)
from db import audit

ROOT = Path(__file__).resolve().parents[2]


def _imports(module: str) -> set[str]:
    """Every module named by an import statement anywhere in the file (lazy ones included)."""
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def test_loading_the_engine_installs_every_listener_once():
    for name, fn in audit._LISTENERS:
        assert event.contains(Session, name, fn), name
    audit.install()  # a second call adds nothing
    session = Session()
    try:
        for name, fn in audit._LISTENERS:
            assert sum(1 for f in getattr(session.dispatch, name) if f is fn) == 1, name
    finally:
        session.close()


def test_no_import_cycle_between_engine_audit_and_cache():
    assert "db.audit" in _imports("db.engine")
    assert "db.cache" in _imports("db.audit")
    assert "db.engine" not in _imports("db.audit")
    assert not {"db.engine", "db.audit"} & _imports("db.cache")
