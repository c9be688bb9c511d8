"""The demo generator's PostgreSQL COPY path (frozen COPY, foreign keys and indexes dropped for
the load and restored) writes exactly the rows of its plain INSERT path; both leave the schema
as the migrations made it and the loaded tables analysed. Statistics after bulk loads
(db/maintenance.py) on both backends: the generator and the Excel import."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db import models as m
from db.engine import make_engine
from tests.conftest import _template, pg_create_database, pg_drop_database, require_pg
from tools import demo

TODAY = dt.date(2026, 11, 22)
SEED = 4242
# bcrypt draws a fresh salt per hash: the one column that differs between two runs by design.
RANDOM_COLUMNS = {("users", "password_hash")}

_SCHEMA = """
SELECT 'fk', c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
  FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
UNION ALL
SELECT 'ix', i.tablename, i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema()
ORDER BY 1, 2, 3"""


def _dump(conn) -> dict[str, list[tuple]]:
    out = {}
    for table in m.Base.metadata.sorted_tables:
        cols = [c.name for c in table.columns if (table.name, c.name) not in RANDOM_COLUMNS]
        names = ", ".join(f'"{c}"' for c in cols)
        order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)  # json has no ordering
        out[table.name] = conn.exec_driver_sql(f'SELECT {names} FROM "{table.name}" ORDER BY {order}').all()
    return out


def _analysed(conn) -> set[str]:
    """Tables with planner statistics (SQLite: rows in sqlite_stat1, if it exists yet)."""
    if conn.dialect.name == "sqlite":
        if not conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            return set()
        return {r[0] for r in conn.exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1")}
    return {r[0] for r in conn.exec_driver_sql("SELECT DISTINCT tablename FROM pg_stats "
                                               "WHERE schemaname = current_schema()")}


@pytest.fixture
def pg_pair(templates, tmp_path_factory):
    require_pg()
    tpl = make_url(_template("postgresql", templates, tmp_path_factory)).database
    urls = [pg_create_database(template=tpl), pg_create_database(template=tpl)]
    engines = [make_engine(u) for u in urls]
    yield tpl, engines
    for e in engines:
        e.dispose()
    for u in urls:
        pg_drop_database(u)


def test_copy_and_insert_paths_write_the_same_rows(pg_pair, templates):
    tpl, (copy_engine, insert_engine) = pg_pair
    r_copy = demo.generate(copy_engine, people=300, seed=SEED, today=TODAY)
    r_insert = demo.generate(insert_engine, people=300, seed=SEED, today=TODAY, copy=False)
    assert {k: v for k, v in r_copy.items() if k != "seconds"} == {k: v for k, v in r_insert.items()
                                                                   if k != "seconds"}
    with copy_engine.connect() as a, insert_engine.connect() as b:
        rows_a, rows_b = _dump(a), _dump(b)
        for table in rows_a:
            assert rows_a[table] == rows_b[table], table
        assert len(rows_a["people"]) == 300 and len(rows_a["visits"]) > 3000 and rows_a["care_status"]
        # Both paths give back every foreign key and index the migrations created.
        fresh = pg_create_database(template=tpl)  # as migrated, never loaded
        try:
            eng = make_engine(fresh)
            with eng.connect() as t:
                schema = t.exec_driver_sql(_SCHEMA).all()
            eng.dispose()
        finally:
            pg_drop_database(fresh)
        assert any(kind == "fk" and table == "visits" for kind, table, *_ in schema)
        assert a.exec_driver_sql(_SCHEMA).all() == schema == b.exec_driver_sql(_SCHEMA).all()
        # The COPY path wrote the big tables frozen: every page all-visible (index-only scans
        # work before any vacuum); the INSERT path cannot.
        pages = "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'visits'"
        relpages, visible = a.exec_driver_sql(pages).one()
        assert relpages > 0 and visible == relpages
        assert b.exec_driver_sql(pages).one()[1] == 0
        # Loaded tables and care_status carry statistics as soon as the load commits.
        for conn in (a, b):
            assert {"people", "visits", "assessments", "care_status"} <= _analysed(conn)


def test_generator_leaves_statistics_on_both_backends(engine):
    with engine.connect() as c:
        assert "visits" not in _analysed(c)
    demo.generate(engine, people=120, today=TODAY)
    with engine.connect() as c:
        assert {"people", "visits", "person_categories", "care_status"} <= _analysed(c)
        if c.dialect.name == "sqlite":  # the bounded sample size was for the load only
            assert c.exec_driver_sql("PRAGMA analysis_limit").scalar() == 0


def test_import_analyses_what_it_wrote(engine):
    """The Excel import ends its write with the statistics of the tables it loaded."""
    from areas.registry import importer
    from db.engine import session_scope
    from tests.registry.conftest import TODAY as REG_TODAY, build
    from tests.registry.test_import_export import ledger_xlsx, new_id, row

    w = build(engine)
    with engine.connect() as c:  # the hand-built county has none yet
        assert not {"people", "person_categories", "care_status"} & _analysed(c)
    names = [f"导入{a}{b}" for a in "甲乙丙" for b in "子丑寅卯辰巳午未申酉"]
    data = ledger_xlsx([row(i + 1, name, new_id(100 + 2 * i)) for i, name in enumerate(names)])
    with session_scope(engine, actor=w["tw1"]) as s:
        counts = importer.apply(s, w["tw1"], "台账.xlsx", data, REG_TODAY)
    assert counts["add"] == 30
    with engine.connect() as c:
        assert {"people", "person_categories", "care_status"} <= _analysed(c)
