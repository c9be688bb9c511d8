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
