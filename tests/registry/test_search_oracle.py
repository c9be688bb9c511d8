"""Search is no oracle for masked data (issue 13, item 1).

Two people with the same masked view — 张*华, 429901********dddd, 138****5678 — but
different hidden characters: for every actor that sees these fields masked (the leader,
anyone presenting, a unit), every query built from hidden characters (ID and phone digit
fragments, the hidden middle of the name, the whole name) finds both twins or neither,
through the real reads (the registry list, the person search) and through the registry page
with `?q=` in the URL. What the actor sees still finds both, and a whole ID number or
mobile number typed exactly finds its person. Staff entitled to the data keep the search
they had (any part of name, ID number or phone)."""
from __future__ import annotations

import datetime as dt

import pytest

from areas.registry import person_reads as pq
from areas.registry import reads as rq
from core import idnumber
from core.roles import Actor
from db.engine import session_scope
from tests import factories as f
from tests.harness import app_test
from tests.registry.conftest import TODAY

NAMES = ("张三华", "张四华")
PHONES = ("13812345678", "13887655678")  # both 138****5678
HIDDEN_ID = range(6, 14)  # the birth date: starred in 429901********1234
HIDDEN_PHONE = range(3, 7)
HIDDEN_NAME = range(1, 2)


def _twin_ids() -> tuple[str, str]:
    """Two valid ID numbers differing only in their starred digits."""
    a = idnumber.make("429901", dt.date(2012, 3, 4), 246, "男")
    day = dt.date(2012, 3, 5)
    while True:
        b = idnumber.make("429901", day, 246, "男")
        if b[-4:] == a[-4:]:
            return a, b
        day += dt.timedelta(days=1)


def _add_twins(engine, world) -> dict:
    ids = world["ids"]
    twin_ids = _twin_ids()
    out = {}
    with session_scope(engine) as s:
        for key, name, idn, phone in zip("xy", NAMES, twin_ids, PHONES):
            p = f.person(s, ids["T1"], ids["V11"], name=name, phone=phone)
            p.id_number = idn
            s.flush()
            out[key] = {"id": p.id, "name": name, "id_number": idn, "phone": phone}
    return out


@pytest.fixture
def twins(world):
    return _add_twins(world["engine"], world)


def _masked_actors(world) -> dict[str, Actor]:
    return {
        "leader": Actor("leader1", "leader"),
        "leader presenting": Actor("leader1", "leader", presentation=True),
        "office presenting": Actor("office1", "office", presentation=True),
        "township presenting": Actor("tw1", "township", township_id=world["ids"]["T1"], presentation=True),
        "unit": Actor("unit1", "unit", unit_id=1),
    }


def _fragments(value: str, hidden: range) -> set[str]:
    """Every part of `value` up to 6 characters long that includes a hidden character, and
    the value without its first or last character (the report's sliding windows)."""
    return {value[i:j] for i in range(len(value)) for j in range(i + 1, len(value) + 1)
            if any(i <= h < j for h in hidden) and (j - i <= 6 or j - i >= len(value) - 1)}


def _attacks(twins) -> list[str]:
    qs: set[str] = set()
    for t in twins.values():
        qs |= _fragments(t["id_number"], HIDDEN_ID) - {t["id_number"]}
        qs |= _fragments(t["phone"], HIDDEN_PHONE) - {t["phone"]}
        qs |= _fragments(t["name"], HIDDEN_NAME)  # the whole name too: its hidden character is guessable
    qs |= {f"{n:04d}" for n in range(0, 10000, 331)}  # the report's brute force, thinned
    return sorted(qs)


def _found(s, actor: Actor, q: str) -> tuple[set[int], set[int]]:
    """(registry list, person search) ids found by `q`."""
    page = rq.page(s, actor, rq.RegistryFilter(text=q, status=None), page_size=1000, today=TODAY)
    listed = set(int(i) for i in page.rows["id"]) if len(page.rows) else set()
    searched = {h.id for h in pq.search_people(s, actor, q, limit=1000, active_only=False)}
    return listed, searched


def test_no_query_narrows_by_a_hidden_character(world, twins):
    x, y = twins["x"]["id"], twins["y"]["id"]
    attacks = _attacks(twins)
    assert len(attacks) > 150
    with session_scope(world["engine"], write=False) as s:
        for who, actor in _masked_actors(world).items():
            for q in attacks:
                for where, found in zip(("registry", "search"), _found(s, actor, q)):
                    assert (x in found) == (y in found), f"{who} · {where} · q={q!r} tells the twins apart"


def test_what_each_actor_may_search_still_finds(world, twins):
    x, y = twins["x"]["id"], twins["y"]["id"]
    tx = twins["x"]
    with session_scope(world["engine"], write=False) as s:
        for who, actor in _masked_actors(world).items():
            listed_ok = who != "unit"  # a unit lists nobody
            searched_ok = who in ("office presenting", "township presenting")  # rows reach (the leader has none)
            for q in ("张", "华", "张*华", "429901", tx["id_number"][-4:], "138", "5678", "138****5678",
                      "429901********" + tx["id_number"][-4:]):
                listed, searched = _found(s, actor, q)
                assert ({x, y} <= listed) == listed_ok, (who, q)
                assert ({x, y} <= searched) == searched_ok, (who, q)
            for q in (tx["id_number"], tx["phone"], tx["id_number"].lower()):
                listed, searched = _found(s, actor, q)
                assert (x in listed, y in listed) == (listed_ok, False), (who, q)
                assert (x in searched, y in searched) == (searched_ok, False), (who, q)
            listed, _ = _found(s, actor, "李")
            assert x not in listed and y not in listed
        # staff entitled to the data keep searching any part of it
        staff = {"office": Actor("office1", "office"), "admin": Actor("admin1", "admin"),
                 "township": Actor("tw1", "township", township_id=world["ids"]["T1"])}
        for who, actor in staff.items():
            for q in ("三", "张三华", tx["id_number"][10:14], tx["phone"][3:7], tx["phone"][2:9]):
                listed, searched = _found(s, actor, q)
                assert x in listed and y not in listed, (who, q)
                assert x in searched and y not in searched, (who, q)


def _shown_twins(at) -> int:
    """Rows of the registry table showing the twins' masked name."""
    if not at.dataframe:
        return 0
    return sum(1 for n in at.dataframe[0].value["姓名"] if n == "张*华")


def _open_registry(user: str, q: str, presenting: bool):
    """A fresh session opening /registry?q=… (editing the URL reloads the page)."""
    at = app_test(user, **({"presentation": True} if presenting else {}))
    at.switch_page("pages/registry.py")
    at.query_params["q"] = q
    at.run()
    assert not at.exception
    assert at.text_input(key="q").value == q  # the URL's query is the page's search
    return at


@pytest.mark.parametrize("presenting", [False, True])
def test_registry_page_query_in_url(app_world, presenting):
    """The report's attack: the leader (and the office on the shared screen) edit `q=` in the URL."""
    twins = _add_twins(app_world["engine"], app_world)
    tx = twins["x"]
    user = "office1" if presenting else "leader1"
    for q, shown in [(tx["phone"][3:7], 0), (tx["phone"][2:8], 0), (tx["id_number"][6:14], 0),
                     (tx["id_number"][10:14], 0), ("张三", 0), ("三", 0),
                     ("5678", 2), ("张", 2), (tx["phone"], 1), (tx["id_number"], 1)]:
        assert _shown_twins(_open_registry(user, q, presenting)) == shown, f"q={q!r}"
