from sqlalchemy import inspect, text

from alembic.script import ScriptDirectory

from db.migrate import alembic_config, current, downgrade, upgrade
from db.models import Base

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_upgrade_empty_database_creates_every_table(engine):
    # the fixture database was upgraded from empty to head
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current(engine) == HEAD


def test_downgrade_then_upgrade_round_trip(engine):
    downgrade(engine, "base")
    assert current(engine) is None
    assert "people" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert current(engine) == HEAD
    assert "people" in inspect(engine).get_table_names()


def test_upgrade_is_idempotent_on_existing_database(engine):
    with engine.begin() as c:
        c.execute(text("INSERT INTO app_settings (key, value) VALUES ('k', 'v')"))
    upgrade(engine)  # start-up runs this every time
    with engine.connect() as c:
        assert c.execute(text("SELECT value FROM app_settings WHERE key='k'")).scalar() == "v"


def test_ledger_history_backfilled_from_the_dates_on_the_files(engine):
    """0009 starts the ledger history with what the people table still holds: the months of
    each file's creation, last change and last check."""
    from tests import factories as f
    from db.engine import session_scope

    before = ScriptDirectory.from_config(alembic_config()).get_revision("0009").down_revision
    with session_scope(engine) as s:
        ids = f.county(s, townships=1, villages=1)
        pid = f.person(s, ids["T1"], ids["V11"]).id
    downgrade(engine, before)
    with engine.begin() as c:
        c.execute(text("UPDATE people SET created_at = :c, updated_at = :u, reviewed_on = :r WHERE id = :id"),
                  {"c": "2025-03-04 08:00:00+00:00", "u": "2026-07-09 08:00:00+00:00", "r": "2026-09-30", "id": pid})
    upgrade(engine)
    with engine.connect() as c:
        months = set(c.execute(text("SELECT month FROM ledger_touches WHERE person_id = :id"), {"id": pid}).scalars())
    assert months == {"2025-03", "2026-07", "2026-09"}
