import pytest

from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from tests import factories as f


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    """A small hand-built county on SQLite with one account per role; the app under
    AppTest reads it through DATABASE_URL like the real server does."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CAREDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CAREDESK_DEMO", "0")
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        ids = f.county(s, townships=2, villages=2)
        edu = f.unit(s)
        f.account(s, "admin", "admin")
        f.account(s, "office", "office")
        f.account(s, "tw1", "township", township_id=ids["T1"])
        f.account(s, "unit", "unit", unit_id=edu.id)
        f.account(s, "leader", "leader")
        for i in range(3):
            f.person(s, ids["T1"], ids["V11"])
        for i in range(5):
            f.person(s, ids["T2"], ids["V21"])
        f.person(s, ids["T1"], ids["V12"], status="已退出")
    yield {"url": url, "engine": engine, "ids": ids}
    dispose_all()
