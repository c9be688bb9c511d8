"""The read functions the pages call, as the leader and as staff presenting (投屏), over the
demo county: no full 18-digit ID, full mobile number or full name of a registered person or
guardian leaves them (core/visibility.py applies the policy where each result leaves its read).
test_presentation_pages checks the rendered pages; this checks the results themselves, and the
leader outside presentation mode too."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from sqlalchemy import select

from areas.care import reads as cq
from areas.indicators import reads as iq
from areas.meetings import reads as mq
from areas.registry import person_reads as pq
from areas.registry import reads as rq
from areas.workforce import reads as wq
from core.masking import ID_NUMBER_RE, MOBILE_RE
from core.roles import Actor
from db.engine import session_scope
from db.models import IncidentCard, Region, Unit

# Staff names are working identities, shown off the shared screen (the policy's STAFF_NAME);
# a helper can share a name with someone in the registry, so they are not name-checked there.
STAFF_COLUMNS = {"帮扶责任人", "帮扶责任人(职务)", "走访人", "组成人员", "联络员", "helpers"}
ASSESSOR = "评估人"  # a helper's name or a 民政办: not a registered person


def _cells(obj, where=""):
    """(where, column, text) of every string a result carries."""
    if isinstance(obj, pd.DataFrame):
        for col in obj.columns:
            for v in obj[col]:
                if isinstance(v, str):
                    yield where, str(col), v
    elif dataclasses.is_dataclass(obj):
        yield from _cells({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}, where)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, str):
                yield where, str(k), v
            else:
                yield from _cells(v, f"{where}.{k}")
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            if isinstance(v, str):
                yield where, where.rsplit(".", 1)[-1], v
            else:
                yield from _cells(v, where)


def _walk(s, actor: Actor, county, today: dt.date):
    """{read: result} of the reads behind the pages, for one actor."""
    tw = s.scalar(select(Region.id).where(Region.level == "township").order_by(Region.sort_order, Region.id))
    person = next(p for p in county["people"] if p.township_id == tw)
    card = s.scalar(select(IncidentCard.id).where(IncidentCard.person_id.is_not(None), IncidentCard.deleted_at.is_(None),
                                                  IncidentCard.description.is_not(None))
                    .order_by(IncidentCard.township_id != tw, IncidentCard.id))
    unit = s.scalar(select(Unit.id).order_by(Unit.sort_order, Unit.id))
    rounds = cq.rounds(s)
    out = {
        "registry.page": rq.page(s, actor, rq.RegistryFilter(), today=today),
        "registry.person_file": rq.person_file(s, actor, person.id, today),
        "registry.exit_proposals": rq.exit_proposals(s, actor, today)[1],
        "person_reads.search_people": pq.search_people(s, actor, person.name[0], limit=50),
        "care.overdue_list": cq.overdue_list(s, actor, today, limit=200),
        "care.overdue_choices": cq.overdue_choices(s, actor),
        "care.compliance_by_helper": cq.compliance_by_helper(s, actor, today.year, today.month),
        "care.recent_visits": cq.recent_visits(s, actor, limit=200),
        "care.high_risk_list": cq.high_risk_list(s, actor, today),
        "care.list_cards": cq.list_cards(s, actor, today, limit=200),
        "care.guardianship_worklist": cq.guardianship_worklist(s, actor, today, limit=200),
        "workforce.workers": wq.workers(s, actor, today=today),
        "meetings.list_units": mq.list_units(s, actor, today),
        "meetings.get_unit": mq.get_unit(s, actor, unit, today),
        "indicators.complement": iq.complement(s, actor, "visit_on_time", None, today.strftime("%Y-%m"), today),
    }
    if rounds:
        out["care.pending_assessment"] = cq.pending_assessment(s, actor, rounds[0].id, today, limit=200)
    if card and actor.role != "unit":  # a unit handling a card may get the contact it needs (by design)
        out["care.get_card"] = cq.get_card(s, actor, card, today)
    return out


def _leaks(results, names: set[str], staff_shown: bool) -> list[str]:
    found = []
    for read, result in results.items():
        for where, col, text in _cells(result):
            at = f"{read}{where}[{col}]"
            found += [f"{at}: ID {m}" for m in ID_NUMBER_RE.findall(text)]
            found += [f"{at}: mobile {m}" for m in MOBILE_RE.findall(text)]
            if col == ASSESSOR or (staff_shown and (col in STAFF_COLUMNS or read in (
                    "workforce.workers", "meetings.get_unit"))):
                continue
            found += [f"{at}: name {n}" for n in names if n in text]
    return found


def _filled(results) -> int:
    return sum(1 for _ in _cells(results))


def test_the_walk_finds_personal_data_for_the_office(demo_county):
    """The same walk for the office, off screen: the check sees IDs, mobiles and names."""
    today = dt.date.today()
    with session_scope(demo_county["engine"], write=False) as s:
        results = _walk(s, Actor("office", "office"), demo_county, today)
    leaks = _leaks(results, demo_county["names"], staff_shown=True)
    assert any(": ID " in x for x in leaks) and any(": mobile " in x for x in leaks)
    assert any(": name " in x for x in leaks)


def test_reads_send_nothing_personal_to_leader_or_presenting_staff(demo_county):
    today = dt.date.today()
    with session_scope(demo_county["engine"], write=False) as s:
        tw = s.scalar(select(Region.id).where(Region.level == "township").order_by(Region.sort_order, Region.id))
    actors = [
        Actor("leader", "leader"),
        Actor("leader", "leader", presentation=True),
        Actor("office", "office", presentation=True),
        Actor("admin", "admin", presentation=True),
        Actor("township", "township", township_id=tw, presentation=True),
        Actor("unit", "unit", unit_id=1),
    ]
    for actor in actors:
        with session_scope(demo_county["engine"], write=False) as s:
            results = _walk(s, actor, demo_county, today)
        assert _leaks(results, demo_county["names"], staff_shown=not actor.presentation) == [], actor
        if actor.role in ("office", "township"):  # staff presenting still get their rows, masked
            assert not results["registry.page"].rows.empty and results["registry.person_file"] is not None
            assert not results["care.recent_visits"].empty
            assert not results["registry.person_file"].guardians.empty or not results["registry.person_file"].visits.empty
            assert _filled(results) > 500, _filled(results)
            assert any("*" in n for n in results["registry.page"].rows["姓名"])
        if actor.role == "office":
            assert "*" in results["care.get_card"].person_name
        if actor.role == "leader":  # the leader's ledger: rows, masked
            rows = results["registry.page"].rows
            assert not rows.empty and all("*" in n for n in rows["姓名"])
