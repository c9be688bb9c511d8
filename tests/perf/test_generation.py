"""The data generation (db/cache.py): every audited write replaces it in its own
transaction; reads and rolled-back writes leave it alone. Both databases."""
import pytest

from core.roles import Actor
from db import audit
from db.cache import generation
from db.engine import session_scope
from db.models import Person
from areas.registry import writes as svc
from tests import factories as f


@pytest.fixture
def county(engine):
    with session_scope(engine) as s:
        ids = f.county(s, townships=1, villages=1)
        office = f.account(s, "office", "office")
        p = f.person(s, ids["T1"], ids["V11"], phone="13800000001")
        return {"ids": ids, "office": office, "pid": p.id}


def test_migration_seeds_the_generation_row(engine):
    assert generation(engine) == "0"


def test_a_read_keeps_the_generation(engine, county):
    before = generation(engine)
    with session_scope(engine, write=False) as s:
        s.get(Person, county["pid"]).name  # noqa: B018
    assert generation(engine) == before


def test_an_audited_write_replaces_the_generation_once_per_transaction(engine, county):
    before = generation(engine)
    office = county["office"]
    with session_scope(engine, actor=office) as s:
        p = s.get(Person, county["pid"])
        svc.save_quick_edits(s, office, [svc.RowEdit(p.id, p.version, {"phone": "13900000002"})])
        s.flush()
        inside = generation(s)  # the token changes at commit, not at each flush
        assert inside == before
    after = generation(engine)
    assert after != before and len(after) == 32
    with session_scope(engine, actor=office) as s:
        p = s.get(Person, county["pid"])
        svc.save_quick_edits(s, office, [svc.RowEdit(p.id, p.version, {"phone": "13900000003"})])
    assert generation(engine) not in (before, after)


def test_a_rolled_back_write_keeps_the_generation(engine, county):
    before = generation(engine)
    office = county["office"]
    with pytest.raises(RuntimeError):
        with session_scope(engine, actor=office) as s:
            p = s.get(Person, county["pid"])
            p.phone = "13900000009"
            s.flush()
            raise RuntimeError("abort")
    assert generation(engine) == before
    with session_scope(engine, write=False) as s:
        assert s.get(Person, county["pid"]).phone == "13800000001"


def test_import_event_replaces_the_generation_but_a_view_does_not(engine, county):
    before = generation(engine)
    with session_scope(engine, actor=Actor("office", "office")) as s:
        audit.record(s, "view", "person", county["pid"])
    assert generation(engine) == before
    with session_scope(engine, actor=Actor("office", "office")) as s:
        audit.record(s, "import", "person", None, summary="导入 3 人")
    assert generation(engine) != before
