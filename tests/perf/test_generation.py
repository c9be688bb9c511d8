"""The cache tokens (db/cache.py): every audited write replaces the tokens of what it can
change in its own transaction; reads and rolled-back writes leave them alone. Both databases.
Here the readers' key over every area and township (the widest) is checked; which write
leaves which key alone: tests/perf/test_cache_areas.py."""
import pytest

from core.roles import Actor
from db import audit
from db import cache
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


def generation(bind) -> str:
    """The key of a reader of every area in every township."""
    return cache.token(bind, cache.AREAS)


def test_migration_seeds_the_generation_row(engine):
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT value FROM app_settings WHERE key = 'data_generation'").scalar() == "0"
        assert c.exec_driver_sql("SELECT count(*) FROM cache_tokens").scalar() == 0
    assert generation(engine) == generation(engine)


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
    assert after != before
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


def test_every_write_the_indicator_caches_read_replaces_the_generation(engine, county):
    """components/cached.py has no manual clear: targets, workforce and boundaries must go
    through the audit mechanism like every other write."""
    import datetime as dt
    import json

    from areas.indicators import writes as targets
    from areas.regions import writes as regions
    from areas.workforce import writes as workforce

    office, admin = Actor("office1", "office"), Actor("admin1", "admin")
    square = [[[110, 30], [111, 30], [111, 31], [110, 31], [110, 30]]]
    raw = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "测试1镇"}, "geometry": {"type": "Polygon", "coordinates": square}},
    ]}).encode()
    writes = [
        (office, lambda s: targets.set_target(s, office, "director_coverage", 90.0)),
        (office, lambda s: targets.reset_target(s, office, "director_coverage")),
        (office, lambda s: workforce.add_worker(s, office, kind="儿童主任", name="王芳", region_id=county["ids"]["V11"],
                                                phone=None, appointed_on=dt.date(2025, 1, 1))),
        (admin, lambda s: regions.save_boundaries(s, admin, regions.preview_boundaries(s, admin, raw), "县界.geojson")),
        (admin, lambda s: regions.clear_boundary(s, admin, county["ids"]["T1"])),
    ]
    for actor, write in writes:
        before = generation(engine)
        with session_scope(engine, actor=actor) as s:
            write(s)
        assert generation(engine) != before, write


def test_a_database_restore_replaces_every_key(engine, county):
    """A restore (db/restore.py records it) changes data below the ORM: every reader misses."""
    t1 = county["ids"]["T1"]
    before = {a: cache.token(engine, [a], t1) for a in cache.AREAS}
    with session_scope(engine, actor=Actor("admin", "admin")) as s:
        audit.record(s, "restore", "database", "backup.db")
    assert all(cache.token(engine, [a], t1) != before[a] for a in cache.AREAS)
