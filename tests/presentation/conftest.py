"""A small demo county (tools.demo, 300 people) on SQLite that the app under AppTest reads,
and the full names of everybody in it (people and guardians) for the leak checks."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from tools import demo
from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from db.models import Guardian, Person

USERS = {"admin": "admin", "office": "office", "township": "township", "unit": "unit", "leader": "leader"}


@pytest.fixture(scope="session")
def demo_county(tmp_path_factory):
    d = tmp_path_factory.mktemp("present")
    url = f"sqlite:///{d / 'demo.db'}"
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "CAREDESK_DATA_DIR", "CAREDESK_DEMO")}
    os.environ.update(DATABASE_URL=url, CAREDESK_DATA_DIR=str(d), CAREDESK_DEMO="0")
    engine = get_engine(url)
    upgrade(engine)
    demo.generate(engine, people=300, seed=7)
    with session_scope(engine, write=False) as s:
        people = s.execute(select(Person.id, Person.name, Person.id_number, Person.phone, Person.township_id)).all()
        guardians = list(s.scalars(select(Guardian.name)))
    yield {"url": url, "engine": engine, "dir": d, "people": people,
           "names": {n for n in [p.name for p in people] + guardians if n and len(n) >= 2}}
    dispose_all()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
