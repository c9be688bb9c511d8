"""The SQL conditions that reads (and writes) of several areas share, each defined once.

Every function returns a boolean SQL expression (or a subquery) to put in a `where`.
`day` is a Python date or a SQL date expression (e.g. care's `_d(today)`); the model
argument lets a caller pass an alias (`aliased(PersonCategory)`).

Two kinds of period end on purpose (see each docstring):
- PersonCategory.end_on (and CareMeasure.end_on) is the LAST day it held: [start_on, end_on].
- Assignment.end_on is the day the helper handed over: [start_on, end_on), the handover
  day belongs to the next helper.

The township scope is not here: it is db.scope.township_clause (one definition, imported
from there), because it depends on the actor, not on a date.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Subquery, and_, func, or_, select
from sqlalchemy.orm import aliased

from core.categories import ACTIVE, CHILD_AGE_LIMIT, CHILD_CATEGORIES, LEFT_BEHIND_AGE_LIMIT
from core.idnumber import born_by
from db.models import Assignment, CareMeasure, Person, PersonCategory


# ---------------------------------------------------------------- people
def active_person(person=Person) -> ColumnElement[bool]:
    """In the registry now (在册). People are never soft-deleted — 退出 keeps the file with
    status 已退出 — so the status is the whole condition."""
    return person.status == ACTIVE


def in_registry_on(day, person=Person) -> ColumnElement[bool]:
    """In the registry on `day` (figures as of a past date): enrolled by then and not yet
    exited — 在册 now, or exited after `day`. On the exit day itself the person is out."""
    return and_(person.enrolled_on <= day, or_(person.status == ACTIVE, person.exited_on > day))


# ---------------------------------------------------------------- categories
def category_current(day, pc=PersonCategory) -> ColumnElement[bool]:
    """The category holds on `day`. end_on is INCLUSIVE: the last day it held (NULL = open).
    Ending a category "from today" therefore writes end_on = yesterday
    (areas/registry/writes.confirm_exit_proposals); 退出 writes end_on = the exit day."""
    return and_(pc.start_on <= day, or_(pc.end_on.is_(None), pc.end_on >= day))


def child_on(day, person=Person) -> ColumnElement[bool]:
    """A child on `day`: the person holds a child category (core.categories.CHILD_CATEGORIES)
    on that day. Age alone does not end it: staff confirm the aged-out proposal
    (aged_out_category), which ends the category."""
    pc = aliased(PersonCategory)  # the caller's query may join PersonCategory itself
    # The set of children, read once (ix_person_categories_category), rather than a correlated
    # EXISTS seeking into person_categories once per person of the county (issue 14).
    return person.id.in_(select(pc.person_id).where(pc.category.in_(sorted(CHILD_CATEGORIES)),
                                                    category_current(day, pc)))


def aged_out_category(day: dt.date, pc=PersonCategory, person=Person) -> ColumnElement[bool]:
    """The category row is a child category its person has outgrown on `day`: 农村留守儿童
    at 16, every child category at 18 (the SQL side of core.categories.exit_proposal)."""
    return or_(
        and_(pc.category == "left_behind_child", person.birth_date <= born_by(day, LEFT_BEHIND_AGE_LIMIT)),
        and_(pc.category.in_(sorted(CHILD_CATEGORIES)), person.birth_date <= born_by(day, CHILD_AGE_LIMIT)),
    )


def measure_current(day, m=CareMeasure) -> ColumnElement[bool]:
    """A care measure in force on `day` (not deleted). end_on is INCLUSIVE, as for categories:
    a replaced measure ends yesterday (areas/registry/importer)."""
    return and_(m.deleted_at.is_(None), m.start_on <= day, or_(m.end_on.is_(None), m.end_on >= day))


# ---------------------------------------------------------------- 帮扶责任人
def assignment_current(day, a=Assignment) -> ColumnElement[bool]:
    """The assignment is in force on `day`. end_on is EXCLUSIVE — [start_on, end_on):
    when the helper changes, the old assignment gets end_on = the change day and the new one
    starts that day (areas/registry/writes._set_helper), so on the change day the new helper
    is the current one, everywhere. An assignment made and withdrawn the same day
    (end_on = start_on) was never in force."""
    return and_(a.start_on <= day, or_(a.end_on.is_(None), a.end_on > day))


def current_helpers(day, *where) -> Subquery:
    """(person_id, helper_id): THE current helper of each person on `day` — the assignment in
    force that started last (the highest id on the same day). The writes keep one in force;
    should data hold several, every screen still names the same one. `where` (conditions on
    Assignment, e.g. `Assignment.person_id.in_(ids)`) narrows the people ranked."""
    rank = func.row_number().over(partition_by=Assignment.person_id,
                                  order_by=(Assignment.start_on.desc(), Assignment.id.desc()))
    ranked = (
        select(Assignment.person_id, Assignment.helper_id, rank.label("rank"))
        .where(assignment_current(day), *where)
        .subquery()
    )
    return select(ranked.c.person_id, ranked.c.helper_id).where(ranked.c.rank == 1).subquery()
