"""Reads the printable documents need beyond the person file and the card (areas/registry,
areas/care): the county's name, a village's people and the people due for a visit there.
Scoped to the actor in SQL; masked by core/visibility.py."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from core import visibility
from core.roles import Actor
from core.visits import month_bounds
from areas.care.reads import current_due
from areas.registry.reads import helper_label
from db.conditions import active_person, current_helpers
from db.models import Guardian, Helper, Person, Region
from db.scope import township_clause
from db.sql import day


def county_name(session: Session) -> str:
    """The county at the top of the region tree (the printed footer names it)."""
    name = session.scalar(select(Region.name).where(Region.parent_id.is_(None)).order_by(Region.id).limit(1))
    return name or ""


def place(session: Session, village_id: int) -> tuple[str, str, int | None]:
    """(township, village, township_id) of a village; empty names when there is none."""
    village, township = aliased(Region), aliased(Region)
    row = session.execute(
        select(township.name, village.name, township.id)
        .join(township, township.id == village.parent_id)
        .where(village.id == village_id)
    ).one_or_none()
    return tuple(row) if row else ("", "", None)


def village_people(session: Session, actor: Actor, village_id: int) -> list[int]:
    """Ids of the active people of a village within the actor's row scope, in name order."""
    return list(session.scalars(
        select(Person.id)
        .where(Person.village_id == village_id, active_person(), township_clause(Person.township_id, actor))
        .order_by(Person.name, Person.id)
    ))


def due_until(today: dt.date) -> dt.date:
    """A visit form covers the month: people due by its last day (and those overdue)."""
    return month_bounds(today.year, today.month)[1]


def village_due(session: Session, actor: Actor, village_id: int, today: dt.date) -> pd.DataFrame:
    """The active people of a village due for a visit by the end of this month, one row each,
    with their current helper and the due date of the visit rule (areas/care/reads.current_due)."""
    due = current_due(today, Person.village_id == village_id,
                      scope=lambda col: township_clause(col, actor))
    ch = current_helpers(day(today))
    rows = session.execute(
        select(Person.id, Person.name, Person.id_number, due.c.effective, Helper.name, Helper.position,
               due.c.last_visit, due.c.next_due)
        .select_from(due)
        .join(Person, Person.id == due.c.person_id)
        .outerjoin(ch, ch.c.person_id == Person.id)
        .outerjoin(Helper, Helper.id == ch.c.helper_id)
        .where(due.c.next_due <= day(due_until(today)))
        .order_by(due.c.next_due, Person.name, Person.id)
    ).all()
    df = pd.DataFrame(
        [(i, n, idn, eff, helper_label(h, pos) if h else "", lv, nd) for i, n, idn, eff, h, pos, lv, nd in rows],
        columns=["编号", "姓名", "身份证号", "困难程度", "帮扶责任人", "最近走访", "应访日期"],
    )
    return visibility.apply(df, actor)



def guardians(session: Session, actor: Actor, person_id: int) -> list[tuple[int, str]]:
    """(id, label) of a person's guardian records within the actor's row scope, entrusted first."""
    rows = session.execute(
        select(Guardian.id, Guardian.name, Guardian.relation, Guardian.entrusted)
        .join(Person, Person.id == Guardian.person_id)
        .where(Guardian.person_id == person_id, Guardian.deleted_at.is_(None),
               township_clause(Person.township_id, actor))
        .order_by(Guardian.entrusted.desc(), Guardian.id)
    ).all()
    return [(i, f"{visibility.shown(actor, visibility.NAME, n)}（{rel}）" + (" · 委托监护" if e else ""))
            for i, n, rel, e in rows]


def person_label(session: Session, actor: Actor, person_id: int) -> str | None:
    """What a picker shows of one person in scope (name, masked ID, village), or None."""
    row = session.execute(
        select(Person.name, Person.id_number, Region.name)
        .join(Region, Region.id == Person.village_id)
        .where(Person.id == person_id, township_clause(Person.township_id, actor))
    ).one_or_none()
    if row is None:
        return None
    shown = visibility.apply({"姓名": row[0], "身份证号": row[1]}, actor)
    return f"{shown['姓名']} · {shown['身份证号']} · {row[2]}"
