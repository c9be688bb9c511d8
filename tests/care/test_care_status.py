"""The stored visit status (care_status, areas/care/status.py) equals the rule's answer
(areas/care/reads.person_due) after every step of random histories written through the real
services: visits recorded, deleted and restored; difficulty, village (township), enrolment
date and category changes (some ending in the future); exits and re-enrolments;
assessments (高 and not) recorded, deleted and restored; visit-rule changes; days passing.
After each step: the table holds a row for exactly the active people, every row that is
valid today is person_due's row, the readers (current_due, the overdue ids, the 工作台
counts, the overdue list, visit_status) give the rule's answer, and after the daily roll no
row is stale. On SQLite and PostgreSQL."""
import datetime as dt
import random

import pytest
from sqlalchemy import select

from core.roles import Actor
from db.engine import session_scope
from db.errors import ServiceError
from db.models import Assessment, CareStatus, Person, PersonCategory, Visit
from areas.care import reads as q
from areas.care import status
from areas.care import writes as cw
from areas.records import writes as rw
from areas.registry import writes as regw
from areas.workbench import reads as wb
from tests import factories as f

OFFICE = Actor("office1", "office")
START = dt.date(2025, 3, 3)
PEOPLE = 30
STEPS = 100
CATS = ("left_behind_child", "orphan", "extremely_poor")
RULE_CATS = ("*", "left_behind_child", "orphan")
KINDS, WEIGHTS = zip(*{
    "visit": 8, "visit_delete": 2, "visit_restore": 1, "difficulty": 1, "village": 1, "enrolled": 1,
    "category_add": 1, "category_end": 1, "exit": 1, "reenroll": 1, "assess": 3, "assess_delete": 1,
    "assess_restore": 1, "rule": 1, "rule_delete": 1,
}.items())


def _columns(sub):
    c = sub.c
    return (c.person_id, c.township_id, c.last_visit, c.raised_on, c.effective, c.rkey, c.next_due)


def _norm(rows):
    return {r[0]: tuple(r) for r in rows}


def _check(engine, today: dt.date, world) -> int:
    """Assert that every stored answer is the rule's; return how many rows are stale today."""
    with session_scope(engine, write=False) as s:
        want = _norm(s.execute(select(*_columns(q.person_due(today)))).all())
        active = set(s.scalars(select(Person.id).where(Person.status == "在册")))
        assert set(want) == active
        rows = s.execute(select(CareStatus.person_id, CareStatus.township_id, CareStatus.last_visit,
                                CareStatus.raised_on, CareStatus.effective, CareStatus.rkey, CareStatus.next_due,
                                q.status_valid(today).label("ok"))).all()
        assert {r[0] for r in rows} == active, "one stored row per active person"
        stale = 0
        world["raised"] |= any(r.raised_on is not None for r in rows)
        for r in rows:
            if r.ok:
                assert tuple(r[:7]) == want[r[0]], f"stored row of person {r[0]} on {today}"
            else:
                stale += 1
        assert _norm(s.execute(select(*_columns(q.current_due(today)))).all()) == want
        overdue = {pid for pid, row in want.items() if row[6] < today}
        assert set(s.scalars(q.overdue_person_ids(today))) == overdue
        by_tw = wb.overdue_by_township(s, OFFICE, today)
        assert int(by_tw["在册人数"].sum()) == len(want) and int(by_tw["走访逾期"].sum()) == len(overdue)
        assert q.overdue_list(s, OFFICE, today, limit=500).total == len(overdue)
        tw1 = Actor("tw1", "township", township_id=world["T1"])
        listed = set(q.overdue_list(s, tw1, today, limit=500).rows["编号"])
        assert listed == {pid for pid in overdue if want[pid][1] == world["T1"]}
        for pid in random.Random(today.toordinal()).sample(sorted(active), min(3, len(active))):
            st = q.visit_status(s, OFFICE, pid, today)
            assert (st.last_visit, st.raised_on, st.effective, st.next_due) == (
                want[pid][2], want[pid][3], want[pid][4], want[pid][6])
    return stale


def _pick(s, rng, stmt):
    ids = sorted(s.scalars(stmt))
    return rng.choice(ids) if ids else None


def _step(s, rng: random.Random, today: dt.date, world) -> str:
    """One random write through a service; returns what it did."""
    active = select(Person.id).where(Person.status == "在册")
    kind = rng.choices(KINDS, WEIGHTS)[0]
    if kind == "visit":
        pid = _pick(s, rng, active)
        cw.record_visit(s, OFFICE, person_id=pid, visited_on=today - dt.timedelta(days=rng.randint(0, 25)),
                        helper_id=None, service_types=["精神陪伴"], today=today)
    elif kind in ("visit_delete", "assess_delete"):
        model = Visit if kind == "visit_delete" else Assessment
        rid = _pick(s, rng, select(model.id).where(model.deleted_at.is_(None)))
        if rid is None:
            return "nothing to delete"
        rw.soft_delete(s, OFFICE, "visit" if model is Visit else "assessment", rid, "录入错误")
    elif kind in ("visit_restore", "assess_restore"):
        model = Visit if kind == "visit_restore" else Assessment
        rid = _pick(s, rng, select(model.id).where(model.deleted_at.is_not(None)))
        if rid is None:
            return "nothing to restore"
        rw.restore(s, OFFICE, "visit" if model is Visit else "assessment", rid)
    elif kind in ("difficulty", "village", "enrolled"):
        p = s.get(Person, _pick(s, rng, active))
        value = {"difficulty": lambda: rng.choice(["一般", "特别困难"]),
                 "village": lambda: rng.choice(world["villages"]),
                 "enrolled": lambda: today - dt.timedelta(days=rng.randint(0, 200))}[kind]()
        regw.update_person(s, OFFICE, p.id, p.version, {"village_id" if kind == "village" else
                                                       "enrolled_on" if kind == "enrolled" else kind: value},
                           today=today)
    elif kind == "category_add":
        regw.add_category(s, OFFICE, _pick(s, rng, active), rng.choice(CATS), None,
                          today - dt.timedelta(days=rng.randint(0, 30)), today=today)
    elif kind == "category_end":
        c = s.get(PersonCategory, _pick(s, rng, select(PersonCategory.id).join(Person, Person.id == PersonCategory.person_id)
                                        .where(Person.status == "在册", PersonCategory.end_on.is_(None))) or 0)
        if c is None:
            return "no open category"
        # some end in the future: the stored row then holds only until that day
        regw.end_category(s, OFFICE, c.id, max(c.start_on, today + dt.timedelta(days=rng.randint(-5, 8))),
                          version=c.version, today=today)
    elif kind == "exit":
        p = s.get(Person, _pick(s, rng, active))
        regw.exit_person(s, OFFICE, p.id, p.version, "迁出", max(today, p.enrolled_on), today=today)
    elif kind == "reenroll":
        pid = _pick(s, rng, select(Person.id).where(Person.status != "在册"))
        if pid is None:
            return "nobody exited"
        p = s.get(Person, pid)
        regw.reenroll(s, OFFICE, p.id, p.version, [(rng.choice(CATS), None)], on=max(today, p.exited_on))
    elif kind == "assess":
        world["period"] += 1
        year, half = divmod(world["period"], 2)
        rid = cw.open_round(s, OFFICE, period=f"{year}-{'03' if half == 0 else '09'}", today=today)
        cw.record_assessment(s, OFFICE, person_id=_pick(s, rng, active), round_id=rid,
                             risk_level=rng.choice(["高", "高", "中", "低"]), assessed_on=today, today=today)
    elif kind == "rule":
        cw.save_visit_rule(s, OFFICE, category=rng.choice(RULE_CATS), difficulty=rng.choice(["一般", "特别困难"]),
                           period=rng.choice(["month", "week"]), min_visits=rng.randint(1, 6))
    elif kind == "rule_delete":
        cw.delete_visit_rule(s, OFFICE, category=rng.choice(RULE_CATS), difficulty=rng.choice(["一般", "特别困难"]))
    return kind


@pytest.mark.parametrize("seed", [14])
def test_stored_status_is_the_rules_answer_after_random_histories(engine, monkeypatch, seed):
    rng = random.Random(seed)
    clock = {"today": START}
    monkeypatch.setattr(status, "_today", lambda: clock["today"])
    with session_scope(engine) as s:
        ids = f.county(s, townships=2, villages=2)
        villages = [ids[k] for k in ("V11", "V12", "V21", "V22")]
        for n in range(PEOPLE):
            v = villages[n % 4]
            t = ids["T1"] if v in villages[:2] else ids["T2"]
            f.person(s, t, v, difficulty=rng.choice(["一般", "一般", "特别困难"]),
                     enrolled_on=START - dt.timedelta(days=rng.randint(0, 120)),
                     categories=(rng.choice(CATS),))
    with session_scope(engine) as s:  # rules per category, so that category changes change the answer
        cw.save_visit_rule(s, OFFICE, category="extremely_poor", difficulty="一般", period="month", min_visits=5)
        cw.save_visit_rule(s, OFFICE, category="orphan", difficulty="一般", period="week", min_visits=1)
        cw.save_visit_rule(s, OFFICE, category="orphan", difficulty="特别困难", period="week", min_visits=3)
    world = {"T1": ids["T1"], "villages": villages, "period": 2 * 2000, "raised": False}
    assert _check(engine, START, world) == 0

    done, stale_seen = [], 0
    for _ in range(STEPS):
        today = clock["today"]
        if rng.random() < 0.15:  # a new day: nothing is written, "overdue" and stale rows move with it
            clock["today"] = today = today + dt.timedelta(days=rng.randint(1, 9))
            stale_seen += _check(engine, today, world)  # stale rows are computed live meanwhile
            with session_scope(engine) as s:
                status.roll(s)
            assert _check(engine, today, world) == 0, "the daily roll leaves no stale row"
            done.append("day")
            continue
        try:
            with session_scope(engine) as s:
                done.append(_step(s, rng, today, world))
        except ServiceError as e:  # a refused write (e.g. an assessment of a non-child) changes nothing
            done.append(f"refused: {e}")
        _check(engine, today, world)

    # the history exercised what it claims to
    kinds = {d for d in done if not d.startswith("refused")}
    assert {"visit", "visit_delete", "visit_restore", "difficulty", "category_end", "exit", "reenroll", "assess",
            "rule", "day"} <= kinds, done
    assert stale_seen > 0, "some day found rows stale (a category ended in the future) and read them live"
    assert world["raised"], "some stored row carried a 高 raise"
