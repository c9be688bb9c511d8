"""Incident cards: one scrubbing rule for every free-text field (issue 13, item 4).

A unit without contact permission got the ID and phone masked in the description but in
full in 处置情况 (handling) and 结案意见 (resolution). Every narrative field now follows
core/visibility.py's NARRATIVE: numbers masked for a reader who may not see the person's
contact data, the text hidden whole on the shared screen."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from areas.care import reads as q
from areas.care import writes as svc
from core.masking import HIDDEN, mask_id_number
from core.roles import Actor
from db.engine import session_scope
from tests import factories as f

TODAY = dt.date(2026, 3, 10)
PHONE = "13812345678"
FIELDS = ("description", "handling", "resolution")


def _do(engine, actor, fn, *args, **kw):
    with session_scope(engine, actor=actor) as s:
        return fn(s, actor, *args, **kw)


@pytest.fixture
def cards(engine):
    with session_scope(engine) as s:
        ids = f.county(s)
        unit = f.unit(s)
        kid = f.person(s, ids["T1"], ids["V11"], name="王小明", phone=PHONE)
        kid_id, idn = kid.id, kid.id_number
        tw1 = f.account(s, "tw1", "township", township_id=ids["T1"])
        office = f.account(s, "office1", "office")
        liaison = f.account(s, "edu", "unit", unit_id=unit.id)
    text = f"身份证{idn}，电话{PHONE}"
    out = {}
    for needs in (False, True):
        cid = _do(engine, tw1, svc.create_card, source="学校", type="监护缺失", discovered_on=dt.date(2026, 3, 1),
                  description=f"发现：{text}", person_id=kid_id, today=TODAY)
        _do(engine, tw1, svc.report_card, cid)
        _do(engine, office, svc.refer_card, cid, unit_id=unit.id, deadline=dt.date(2026, 3, 20),
            needs_contact=needs, today=TODAY)
        _do(engine, liaison, svc.handle_card, cid, handling=f"已上门核实，{text}")
        _do(engine, office, svc.close_card, cid, resolution=f"同意结案，{text}")
        out[needs] = cid
    return {"quiet": out[False], "contact": out[True], "idn": idn, "unit": liaison, "office": office, "tw1": tw1}


def _texts(view) -> dict[str, str]:
    return {name: getattr(view, name) for name in FIELDS}


def test_every_free_text_field_follows_one_rule(engine, cards):
    idn, unit = cards["idn"], cards["unit"]
    with session_scope(engine, actor=unit) as s:
        view = q.get_card(s, unit, cards["quiet"], TODAY)
        listed = q.list_cards(s, unit, TODAY).rows
    for name, text in _texts(view).items():
        assert idn not in text and PHONE not in text, name
        assert mask_id_number(idn) in text and "138****5678" in text, name
    every_value = " ".join(str(getattr(view, fld.name)) for fld in dataclasses.fields(view))
    assert idn not in every_value and PHONE not in every_value
    cells = " ".join(str(v) for v in listed.to_numpy().ravel())
    assert idn not in cells and PHONE not in cells
    # the same rule for the readers entitled to the person's contact data: the text as written
    with session_scope(engine, actor=unit) as s:
        contact = q.get_card(s, unit, cards["contact"], TODAY)  # the card needs contact: the unit may see it
        staff = [q.get_card(s, a, cards["quiet"], TODAY) for a in (cards["office"], cards["tw1"])]
    for view in [contact, *staff]:
        for name, text in _texts(view).items():
            assert idn in text and PHONE in text, name
    # and on the shared screen every field is hidden whole, whoever presents
    for actor in (cards["office"], cards["tw1"], cards["unit"]):
        presenting = Actor(**{**actor.__dict__, "presentation": True})
        with session_scope(engine, actor=presenting) as s:
            for cid in (cards["quiet"], cards["contact"]):
                view = q.get_card(s, presenting, cid, TODAY)
                assert _texts(view) == {name: HIDDEN for name in FIELDS}, (actor.username, cid)
