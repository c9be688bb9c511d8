"""Figures for the 工作台 (today's view), scoped to the actor."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from core.categories import CATEGORIES
from core import access
from core.roles import Actor
from db.models import IncidentCard, Person, PersonCategory, Region
from areas.care import reads as care
from db.conditions import active_person, category_current
from db.scope import township_clause

def people_by_category_township(session: Session, actor: Actor, today: dt.date) -> pd.DataFrame:
    township = aliased(Region)
    stmt = (
        select(township.name.label("乡镇"), PersonCategory.category, func.count(func.distinct(Person.id)).label("人数"))
        .join(PersonCategory, PersonCategory.person_id == Person.id)
        .join(township, township.id == Person.township_id)
        .where(active_person(), category_current(today), township_clause(Person.township_id, actor, aggregate=True))
        .group_by(township.name, township.sort_order, PersonCategory.category)
        .order_by(township.sort_order)
    )
    df = pd.DataFrame(session.execute(stmt).all(), columns=["乡镇", "category", "人数"])
    if df.empty:
        return df
    df["人员类别"] = df["category"].map(CATEGORIES).fillna(df["category"])
    return df.pivot_table(index="乡镇", columns="人员类别", values="人数", aggfunc="sum", fill_value=0, sort=False)


def overdue_condition(last_visit_col, today: dt.date, *where):
    """True for an active person whose next visit is overdue on `today` under the
    frequency rule (core/visits.py, office-configured rules, high-risk raise).

    `last_visit_col` and `where` are kept for the callers' signature: the answer is read from
    the stored status (areas/care/reads.current_due), the overdue rows by index, and the
    caller's query applies its own conditions to the people it keeps.
    """
    del last_visit_col, where
    return Person.id.in_(care.overdue_person_ids(today))


def overdue_by_township(session: Session, actor: Actor, today: dt.date) -> pd.DataFrame:
    """在册人数 and 走访逾期 per township in one grouped pass over the stored per-person rows."""
    due = care.current_due(today, scope=lambda col: township_clause(col, actor, aggregate=True))
    township = aliased(Region)
    stmt = (
        select(
            township.name.label("乡镇"),
            func.count().label("在册人数"),
            func.count().filter(due.c.next_due < today).label("走访逾期"),
        )
        .select_from(due)
        .join(township, township.id == due.c.township_id)
        .group_by(township.name, township.sort_order)
        .order_by(township.sort_order)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=["乡镇", "在册人数", "走访逾期"])


def incident_summary(session: Session, actor: Actor, today: dt.date) -> dict[str, int]:
    scope = township_clause(IncidentCard.township_id, actor, aggregate=True)
    if access.unit_bound(actor):
        scope = IncidentCard.referred_unit_id == actor.unit_id
    open_ = and_(IncidentCard.status != "closed", IncidentCard.deleted_at.is_(None), scope)
    overdue = and_(open_, IncidentCard.deadline < today, IncidentCard.status.in_(("referred",)))
    row = session.execute(
        select(func.count().filter(open_), func.count().filter(overdue)).select_from(IncidentCard)
    ).one()
    return {"open": row[0] or 0, "overdue": row[1] or 0}


def open_tasks(session: Session, actor: Actor, today: dt.date) -> pd.DataFrame:
    """Open tasks in the actor's task scope (a unit's own as lead or co-unit; county roles
    all), overdue first — the task module's status rule and scope, not a copy of them."""
    from areas.meetings.task_reads import list_tasks

    df = list_tasks(session, actor, today, statuses=("未开始", "推进中", "已逾期"), limit=50)
    return df[["编号", "议定事项", "状态", "截止日期", "牵头单位"]]
