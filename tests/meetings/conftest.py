import pytest

from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from tests import factories as f
from tests.meetings.data import build


@pytest.fixture
def page_db(tmp_path, monkeypatch):
    """The hand-built joint-meeting data set plus a small county and one account per role,
    in a SQLite file the app under AppTest reads through DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CAREDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CAREDESK_DEMO", "0")
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        ids = build(s)
        ids.update(f.county(s, townships=2, villages=1))
        f.account(s, "admin", "admin")
        f.account(s, "office", "office")
        f.account(s, "leader", "leader")
        f.account(s, "tw1", "township", township_id=ids["T1"])
        f.account(s, "unit_a", "unit", unit_id=ids["A"])
        f.account(s, "unit_b", "unit", unit_id=ids["B"])
    yield {"url": url, "engine": engine, "ids": ids}
    dispose_all()
