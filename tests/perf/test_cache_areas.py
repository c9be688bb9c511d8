"""Narrow invalidation (issue 14 item 4): a write replaces only the cache tokens of the
(area, township) it can change (db/cache.py), so the cached readers of components/cached.py
recompute exactly the entries it made stale. Both databases; the cached readers run outside a
Streamlit server (st.cache_data works there in memory), each cold computation counted."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import streamlit as st
from sqlalchemy import delete, update

from core import indicators as ci
from core.roles import Actor
from db import cache
from db.engine import session_scope
from db.models import Audited, Base, CareStatus, LedgerTouch, Person
from areas.care import status
from areas.care import writes as care
from areas.indicators import reads as ind
from areas.registry import reads as rq
from areas.registry import writes as svc
from areas.workbench import reads as wb
from components import cached
from tests import factories as f

OFFICE = Actor("office", "office")


@pytest.fixture
def county(engine, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    with session_scope(engine) as s:
        ids = f.county(s, townships=2, villages=1)
        a = f.person(s, ids["T1"], ids["V11"], phone="13800000001")
        b = f.person(s, ids["T2"], ids["V21"], phone="13800000002")
        old = f.person(s, ids["T1"], ids["V11"], phone="13800000003")
        out = {"ids": ids, "a": a.id, "b": b.id, "old": old.id}
    # `old` was filed long ago and not checked this month: its next edit moves 台账月度更新率
    with engine.begin() as c:
        c.execute(update(Person).where(Person.id == out["old"])
                  .values(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc), updated_at=None))
        c.execute(delete(LedgerTouch).where(LedgerTouch.person_id == out["old"]))  # its history agrees
    st.cache_data.clear()
    yield out
    st.cache_data.clear()


@pytest.fixture
def computed(monkeypatch):
    """How often each cached reader computed (a cache miss), by (reader, township scope)."""
    calls: Counter = Counter()

    def counting(name, fn):
        def run(session, actor, *args, **kwargs):
            calls[(name, actor.township_id)] += 1
            return fn(session, actor, *args, **kwargs)
        return run

    monkeypatch.setattr(ind, "board", counting("board", ind.board))
    monkeypatch.setattr(rq, "page", counting("registry", rq.page))
    monkeypatch.setattr(wb, "overdue_by_township", counting("workbench", wb.overdue_by_township))
    return calls


def _township(ids, t):
    return Actor(f"town{t}", "township", township_id=ids[f"T{t}"])


def _views(ids, today):
    """Every cached reader once, for township 1, township 2 and the office."""
    label = ci.month_label(today)
    for actor in (_township(ids, 1), _township(ids, 2), OFFICE):
        cached.board(actor, label)
        cached.registry_page(actor, rq.RegistryFilter(), 0, today)
        cached.workbench(actor, today)


def _save(engine, actor, fn):
    with session_scope(engine, actor=actor) as s:
        fn(s)


def _quick_edit(pid, **changes):
    def run(s):
        version = s.get(Person, pid).version
        assert svc.save_quick_edits(s, OFFICE, [svc.RowEdit(pid, version, changes)]) == 1
    return run


def test_every_audited_model_has_its_line():
    """A new audited model must be given its areas deliberately (else it replaces everything)."""
    entities = {m.class_.__audit_entity__ for m in Base.registry.mappers if issubclass(m.class_, Audited)}
    assert entities and entities <= set(cache.FEEDS), entities - set(cache.FEEDS)
    assert all(a in cache.AREAS for areas in cache.FEEDS.values() for a in areas)


def test_an_edit_in_one_township_leaves_the_other_townships_entries(engine, county, computed):
    ids, today = county["ids"], dt.date.today()
    t1, t2 = ids["T1"], ids["T2"]
    _views(ids, today)
    assert computed[("board", t1)] == computed[("board", t2)] == computed[("board", None)] == 1
    _views(ids, today)  # all cached
    assert sum(computed.values()) == 9
    # 困难程度 feeds the visit rule, the ledger and the indicators of township 1
    _save(engine, OFFICE, _quick_edit(county["a"], difficulty="特别困难"))
    _views(ids, today)
    for reader in ("board", "registry", "workbench"):
        assert computed[(reader, t1)] == 2, reader  # township 1: recomputed
        assert computed[(reader, None)] == 2, reader  # the office reaches township 1
        assert computed[(reader, t2)] == 1, reader  # township 2: still cached


def test_a_phone_edit_leaves_the_indicator_board_cached(engine, county, computed, monkeypatch):
    ids, today = county["ids"], dt.date.today()
    t1 = ids["T1"]
    refreshed = []
    monkeypatch.setattr(status, "refresh", lambda *a, **k: refreshed.append(a[1:]))
    _views(ids, today)
    # `a` was filed this month: already counted by 台账月度更新率, nothing but the ledger moves
    _save(engine, OFFICE, _quick_edit(county["a"], phone="13900000001"))
    _save(engine, OFFICE, _quick_edit(county["a"], notes="已电话回访"))
    _views(ids, today)
    assert computed[("board", t1)] == computed[("board", None)] == 1  # still cached
    assert computed[("workbench", t1)] == 1
    assert computed[("registry", t1)] == computed[("registry", None)] == 2  # the new number is shown
    assert computed[("registry", ids["T2"])] == 1
    assert refreshed == []  # the visit rule's stored answer is left alone
    with session_scope(engine, write=False) as s:
        assert s.get(Person, county["a"]).phone == "13900000001"
        assert s.get(CareStatus, county["a"]) is not None
    # `old` was not counted this month: its first edit moves the figure, so the board follows
    _save(engine, OFFICE, _quick_edit(county["old"], phone="13900000003"))
    _views(ids, today)
    assert computed[("board", t1)] == computed[("board", None)] == 2
    assert computed[("board", ids["T2"])] == 1


def test_a_visit_invalidates_care_and_indicators_of_its_township_only(engine, county, computed):
    ids, today = county["ids"], dt.date.today()
    t1, t2 = ids["T1"], ids["T2"]
    before = {(a, t): cache.token(engine, [a], t) for a in cache.AREAS for t in (t1, t2)}
    _views(ids, today)
    _save(engine, OFFICE, lambda s: care.record_visit(s, OFFICE, person_id=county["a"], visited_on=today,
                                                      helper_id=None, service_types=["精神陪伴"]))
    after = {(a, t): cache.token(engine, [a], t) for a in cache.AREAS for t in (t1, t2)}
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {(cache.CARE, t1), (cache.INDICATORS, t1), (cache.REGISTRY, t1)}
    _views(ids, today)
    assert computed[("board", t1)] == computed[("workbench", t1)] == 2
    assert computed[("board", t2)] == computed[("workbench", t2)] == 1
    assert computed[("board", None)] == 2


def test_county_wide_writes_reach_every_township(engine, county):
    """A visit rule or a bulk import belongs to no township: every township's key moves."""
    ids = county["ids"]
    keys = lambda: [cache.token(engine, [cache.CARE], ids[t]) for t in ("T1", "T2")]  # noqa: E731
    before = keys()
    _save(engine, OFFICE, lambda s: care.save_visit_rule(s, OFFICE, category="left_behind_child", difficulty="一般",
                                                         period="month", min_visits=2))
    mid = keys()
    assert all(x != y for x, y in zip(before, mid))
    with session_scope(engine, actor=OFFICE) as s:
        from db import audit
        audit.record(s, "import", "person", None, summary="导入 3 人")
    assert all(x != y for x, y in zip(mid, keys()))


def test_a_person_moved_to_another_township_invalidates_both(engine, county):
    ids = county["ids"]
    before = [cache.token(engine, [cache.REGISTRY], ids[t]) for t in ("T1", "T2")]
    with session_scope(engine, actor=OFFICE) as s:
        p = s.get(Person, county["a"])
        svc.update_person(s, OFFICE, p.id, p.version, {"village_id": ids["V21"]})
    after = [cache.token(engine, [cache.REGISTRY], ids[t]) for t in ("T1", "T2")]
    assert before[0] != after[0] and before[1] != after[1]
