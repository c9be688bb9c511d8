"""台账月度更新率 counts the months a file was checked or changed from their history
(areas/registry/ledger.py), so last month's figure does not shrink when this month's check
overwrites the file's 核查日期 (issue 20 item 8: "+80.6 个百分点")."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.roles import Actor
from db.engine import session_scope
from db.models import LedgerTouch, Person
from areas.indicators import reads as iq
from areas.registry import ledger
from areas.registry import writes as svc
from tests import factories as f

D = dt.date
OFFICE = Actor("office1", "office")


@pytest.fixture
def county(engine, monkeypatch):
    monkeypatch.setattr(ledger, "_today", lambda: D(2026, 10, 20))
    with session_scope(engine) as s:
        ids = f.county(s, townships=1, villages=1)
        people = [f.person(s, ids["T1"], ids["V11"], enrolled_on=D(2026, 1, 5)).id for _ in range(3)]
    return {**ids, "people": people}


def _months(engine, pid):
    with session_scope(engine, write=False) as s:
        return set(s.scalars(select(LedgerTouch.month).where(LedgerTouch.person_id == pid)))


def _ledger(engine, label, today):
    with session_scope(engine, write=False) as s:
        df = iq.compute(s, OFFICE, label, ["ledger_monthly"], today=today)
    row = df[df["township_id"] == iq.TOTAL].iloc[0]
    return int(row["numerator"]), int(row["denominator"])


def _check(engine, pid, on, today):
    with session_scope(engine, actor=OFFICE) as s:
        version = s.get(Person, pid).version
        svc.update_person(s, OFFICE, pid, version, {"reviewed_on": on}, today=today)


def test_a_check_this_month_leaves_last_month_counted(engine, county, monkeypatch):
    a, b, c = county["people"]
    assert _months(engine, a) == {"2026-10"}  # created this month
    monkeypatch.setattr(ledger, "_today", lambda: D(2026, 11, 3))
    _check(engine, a, D(2026, 10, 30), D(2026, 11, 3))  # October's check, keyed in on 3 November
    assert _months(engine, a) == {"2026-10", "2026-11"}
    _check(engine, a, D(2026, 11, 20), D(2026, 11, 25))   # November's check overwrites 核查日期
    _check(engine, b, D(2026, 11, 21), D(2026, 11, 25))
    with session_scope(engine, write=False) as s:
        assert s.get(Person, a).reviewed_on == D(2026, 11, 20)
    assert _ledger(engine, "2026-10", D(2026, 11, 25)) == (3, 3)  # all three were created in October
    assert _ledger(engine, "2026-11", D(2026, 11, 25)) == (2, 3)  # a and b; c untouched since


def test_a_flush_without_a_change_records_nothing(engine, county, monkeypatch):
    a = county["people"][0]
    monkeypatch.setattr(ledger, "_today", lambda: D(2026, 12, 2))
    with session_scope(engine, actor=OFFICE) as s:
        p = s.get(Person, a)
        p.phone = p.phone  # same value: not a change of the file
        s.flush()
    assert _months(engine, a) == {"2026-10"}
    with session_scope(engine, actor=OFFICE) as s:
        s.get(Person, a).phone = "13900001111"
    assert _months(engine, a) == {"2026-10", "2026-12"}
