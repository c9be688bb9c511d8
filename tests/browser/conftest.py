import datetime as dt
from pathlib import Path

import pytest

from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from tests import factories as f


@pytest.fixture(scope="module")
def small_county(tmp_path_factory):
    """A hand-built county with one account per role, in a SQLite file a live server reads."""
    d = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{d / 'live.db'}"
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        ids = f.county(s, townships=2, villages=2)
        edu = f.unit(s)
        for name, role, scope in (("admin", "admin", {}), ("office", "office", {}),
                                  ("tw1", "township", {"township_id": ids["T1"]}),
                                  ("unit", "unit", {"unit_id": edu.id}), ("leader", "leader", {})):
            f.account(s, name, role, **scope)
        for _ in range(4):
            f.person(s, ids["T1"], ids["V11"])
        for _ in range(6):
            f.person(s, ids["T2"], ids["V21"], categories=("extremely_poor",), birth=dt.date(1950, 3, 3))
    engine.dispose()
    dispose_all()
    return {"url": url, "dir": Path(d), "ids": ids}
