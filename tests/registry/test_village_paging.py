"""The registry page in the default (village) order is read from the villages it falls in
(areas/registry/reads.page, issue 14): every page, laid end to end, must be exactly the ledger
order of one sorted statement (all_rows), the total exactly count() — across village borders,
empty villages, and two villages of different townships with the same sort order and name
(their people interleave by name in the ledger order)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from areas.registry import reads as rq
from db.engine import session_scope
from db.models import Region
from tests import factories as f

TODAY = dt.date(2026, 6, 15)


def _pages(s, actor, flt, size):
    first = rq.page(s, actor, flt, 1, size, today=TODAY)
    ids = list(first.rows["id"])
    for n in range(2, first.pages + 1):
        p = rq.page(s, actor, flt, n, size, today=TODAY)
        assert p.total == first.total and p.page == n
        ids += list(p.rows["id"])
    return first.total, ids


def test_pages_in_village_order_are_the_ledger_order(engine):
    with session_scope(engine) as s:
        ids = f.county(s, townships=3, villages=3)
        # V21 gets V11's name (both sort order 1): one group whose people interleave by name
        s.execute(update(Region).where(Region.id == ids["V21"]).values(name="测试1-1村"))
        office = f.account(s, "office1", "office")
        tw2 = f.account(s, "tw2", "township", township_id=ids["T2"])
        names = ["甲", "乙", "丙", "丁", "戊", "己", "庚"]
        k = 0
        for t in (1, 2, 3):
            for v in (1, 2, 3):
                if (t, v) == (3, 2):
                    continue  # an empty village in the middle
                for i in range(2 + (t * v) % 4):
                    k += 1
                    cats = ("left_behind_child",) if k % 3 else ("orphan",)
                    f.person(s, ids[f"T{t}"], ids[f"V{t}{v}"], name=names[k % len(names)] + str(k % 5),
                             categories=cats, status="在册" if k % 7 else "已退出")
    filters = [rq.RegistryFilter(), rq.RegistryFilter(categories=("left_behind_child",)),
               rq.RegistryFilter(status=None), rq.RegistryFilter(helper="none")]
    with session_scope(engine, write=False) as s:
        for actor in (office, tw2):
            for flt in filters:
                expected = list(rq.all_rows(s, actor, flt, 10_000, today=TODAY)["id"])
                assert len(expected) > 4
                for size in (1, 3, 4, 50):
                    total, got = _pages(s, actor, flt, size)
                    assert total == rq.count(s, actor, flt, TODAY) == len(expected), (flt, size)
                    assert got == expected, (actor.role, flt, size)
        # a page past the end is the last page, as before
        last = rq.page(s, office, rq.RegistryFilter(), 999, 4, today=TODAY)
        assert last.page == last.pages and len(last.rows) >= 1
