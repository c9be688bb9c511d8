"""通报处置卡: the state machine, the unit's narrow view."""
import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from core import incidents as inc
from db.engine import session_scope
from db.models import AuditLog, IncidentCard
from areas.care import reads as q
from areas.workbench import reads as wb
from db.errors import ConflictError, ForbiddenError, ServiceError
from areas.care import writes as svc
from tests import factories as f

D = dt.date
TODAY = D(2026, 3, 10)
ALL_ACTIONS = tuple(inc.ACTIONS)


def test_pure_state_machine_every_legal_step_and_every_illegal_jump():
    path = [inc.DISCOVERED, inc.REPORTED, inc.REFERRED, inc.HANDLED, inc.CLOSED]
    legal = {"report": (0, 1), "refer": (1, 2), "handle": (2, 3), "close": (3, 4)}
    for action, (a, b) in legal.items():
        assert inc.transition(path[a], action) == path[b]
    for status, action in itertools.product(inc.STATES, ALL_ACTIONS):
        if inc.ACTIONS[action][0] == status:
            continue
        with pytest.raises(inc.TransitionError):
            inc.transition(status, action)
    with pytest.raises(inc.TransitionError, match="下一步只能是“报告”"):
        inc.transition(inc.DISCOVERED, "close")
    with pytest.raises(inc.TransitionError, match="已结案"):
        inc.transition(inc.CLOSED, "report")


@pytest.fixture
def world(engine):
    with session_scope(engine) as s:
        ids = f.county(s)
        u1, u2 = f.unit(s, "县教育局", "教育"), f.unit(s, "县公安局", "公安")
        kid = f.person(s, ids["T1"], ids["V11"], name="王小明", phone="13912345678")
        other = f.person(s, ids["T2"], ids["V21"], name="李小红", phone="13700001111")
        w = {
            "ids": ids, "u1": u1.id, "u2": u2.id, "kid": kid.id, "kid_idn": kid.id_number, "other": other.id,
            "office": f.account(s, "office1", "office"),
            "tw1": f.account(s, "tw1", "township", township_id=ids["T1"]),
            "unit1": f.account(s, "edu", "unit", unit_id=u1.id),
            "unit2": f.account(s, "police", "unit", unit_id=u2.id),
            "leader": f.account(s, "boss", "leader"),
        }
    return w


def _do(engine, actor, fn, *args, **kw):
    with session_scope(engine, actor=actor) as s:
        return fn(s, actor, *args, **kw)


def _card(engine, w, person="kid", **kw):
    return _do(engine, w["tw1"] if person == "kid" else w["office"], svc.create_card, source="学校", type="监护缺失",
               discovered_on=D(2026, 3, 1), description="发现该儿童长期独自在家，联系电话13912345678",
               person_id=w[person], today=TODAY, **kw)


def _args(w, action):
    return {
        "report": {},
        "refer": {"unit_id": w["u1"], "deadline": D(2026, 3, 20), "today": TODAY},
        "handle": {"handling": "已上门核实并落实临时监护"},
        "close": {"resolution": "处置到位，同意结案"},
    }[action]


ACTOR_FOR = {"report": "tw1", "refer": "office", "handle": "unit1", "close": "office"}


def test_every_legal_step_is_dated_and_audited(engine, world):
    cid = _card(engine, world)
    for action in ALL_ACTIONS:
        _do(engine, world[ACTOR_FOR[action]], svc.advance_card, cid, action, **_args(world, action))
    with session_scope(engine, write=False) as s:
        card = s.get(IncidentCard, cid)
        assert card.status == inc.CLOSED
        assert card.reported_at and card.referred_at and card.handled_at and card.closed_at
        assert card.reported_at <= card.referred_at <= card.handled_at <= card.closed_at
        assert card.closed_by == "office1" and card.referred_unit_id == world["u1"]
        rows = s.scalars(select(AuditLog).where(AuditLog.entity == "incident_card", AuditLog.entity_id == str(cid))
                         .order_by(AuditLog.id)).all()
        steps = [(r.username, r.changes["status"]) for r in rows if r.changes and "status" in r.changes]
    assert steps == [
        ("tw1", [None, "discovered"]),
        ("tw1", ["discovered", "reported"]),
        ("office1", ["reported", "referred"]),
        ("edu", ["referred", "handled"]),
        ("office1", ["handled", "closed"]),
    ]


@pytest.mark.parametrize("reached", range(5))
def test_every_illegal_jump_is_refused(engine, world, reached):
    cid = _card(engine, world)
    for action in ALL_ACTIONS[:reached]:
        _do(engine, world[ACTOR_FOR[action]], svc.advance_card, cid, action, **_args(world, action))
    for action in ALL_ACTIONS:
        if reached < 4 and action == ALL_ACTIONS[reached]:
            continue
        with pytest.raises(ServiceError):
            _do(engine, world["office"], svc.advance_card, cid, action, **_args(world, action))
    with session_scope(engine, write=False) as s:
        assert s.get(IncidentCard, cid).status == inc.STATES[reached]


def test_who_may_do_which_step(engine, world):
    cid = _card(engine, world)
    with pytest.raises(ForbiddenError):
        _do(engine, world["unit1"], svc.report_card, cid)
    _do(engine, world["tw1"], svc.report_card, cid)
    with pytest.raises(ForbiddenError):
        _do(engine, world["leader"], svc.refer_card, cid, **_args(world, "refer"))
    with pytest.raises(ServiceError, match="期限"):
        _do(engine, world["office"], svc.refer_card, cid, unit_id=world["u1"], deadline=D(2026, 3, 1), today=TODAY)
    _do(engine, world["office"], svc.refer_card, cid, **_args(world, "refer"))
    with pytest.raises(ForbiddenError, match="未转介给本单位"):
        _do(engine, world["unit2"], svc.handle_card, cid, handling="x")
    _do(engine, world["unit1"], svc.handle_card, cid, handling="已处置")
    with pytest.raises(ForbiddenError):
        _do(engine, world["tw1"], svc.close_card, cid, resolution="x")
    with pytest.raises(ForbiddenError):
        _do(engine, world["unit1"], svc.close_card, cid, resolution="x")
    # stale version: someone else acted since the page loaded
    with pytest.raises(ConflictError):
        _do(engine, world["office"], svc.close_card, cid, resolution="好", version=1)
    _do(engine, world["office"], svc.close_card, cid, resolution="好")
    with pytest.raises(ForbiddenError):  # township cannot create for another township
        _do(engine, world["tw1"], svc.create_card, source="学校", type="辍学", discovered_on=D(2026, 3, 1),
            person_id=world["other"], today=TODAY)


def test_unit_sees_only_its_cards_and_no_contact_unless_needed(engine, world):
    quiet = _card(engine, world)
    contact = _card(engine, world)
    elsewhere = _card(engine, world, person="other")
    unreferred = _card(engine, world)
    for cid, unit, needs in ((quiet, "u1", False), (contact, "u1", True), (elsewhere, "u2", True)):
        _do(engine, world["tw1"] if cid != elsewhere else world["office"], svc.report_card, cid)
        _do(engine, world["office"], svc.refer_card, cid, unit_id=world[unit], deadline=D(2026, 3, 20),
            needs_contact=needs, today=TODAY)
    _do(engine, world["tw1"], svc.report_card, unreferred)
    u1 = world["unit1"]
    with session_scope(engine, actor=u1) as s:
        page = q.list_cards(s, u1, TODAY)
        assert sorted(page.rows["卡号"]) == sorted([quiet, contact])
        assert set(page.rows["涉及对象"]) == {"王*明"}
        assert q.get_card(s, u1, elsewhere, TODAY) is None
        assert q.get_card(s, u1, unreferred, TODAY) is None
        v = q.get_card(s, u1, quiet, TODAY)
        assert (v.person_name, v.person_id_number, v.person_phone) == ("王*明", None, None)
        assert "13912345678" not in (v.description or "") and "139****5678" in v.description
        c = q.get_card(s, u1, contact, TODAY)
        assert (c.person_id_number, c.person_phone) == (world["kid_idn"], "13912345678")
        # one entitlement for the three: whoever may phone the person sees whom they phone
        assert c.person_name == "王小明"
    with session_scope(engine, write=False) as s:
        views = s.scalars(select(AuditLog).where(AuditLog.action == "view", AuditLog.entity == "incident_card")).all()
        assert [(a.username, a.entity_id) for a in views] == [("edu", str(contact))]
        # the office sees everything, the leader no rows, the township its own township only
        assert q.list_cards(s, world["office"], TODAY).total == 4
        assert q.list_cards(s, world["leader"], TODAY).total == 0
        assert q.list_cards(s, world["tw1"], TODAY).total == 3
        full = q.get_card(s, world["tw1"], quiet, TODAY)
        assert full.person_name == "王小明" and full.person_id_number == world["kid_idn"]


def test_overdue_cards_on_the_workbench(engine, world):
    a, b, c = _card(engine, world), _card(engine, world), _card(engine, world)
    for cid in (a, b, c):
        _do(engine, world["tw1"], svc.report_card, cid)
        _do(engine, world["office"], svc.refer_card, cid, unit_id=world["u1"], deadline=D(2026, 3, 12), today=TODAY)
    _do(engine, world["unit1"], svc.handle_card, c, handling="已处置")
    later = D(2026, 3, 13)
    with session_scope(engine, write=False) as s:
        assert wb.incident_summary(s, world["office"], later) == {"open": 3, "overdue": 2}
        assert wb.incident_summary(s, world["office"], D(2026, 3, 12)) == {"open": 3, "overdue": 0}
        assert wb.incident_summary(s, world["unit2"], later) == {"open": 0, "overdue": 0}
        page = q.list_cards(s, world["office"], later, overdue_only=True)
        assert sorted(page.rows["卡号"]) == sorted([a, b])
