"""Reads for care work: visits and the frequency rule, risk assessments, incident cards,
guardianship. Scoped to the actor in SQL; filtering, paging and aggregation in SQL.

The first section is the frequency rule of core/visits.py in SQL — its only runtime home
(tests/care/visit_oracle.py is a test oracle checked against it). Its per-person answer is
kept in care_status by areas/care/status.py; the screens read it through `current_due`
(the overdue list, visit_status, the high-risk list, and through
areas/workbench/reads.overdue_condition the 工作台 and the registry). `person_month` (the
monthly 按期率) is computed from the rule directly.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Integer, String, and_, case, exists, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from core import incidents as inc
from core.assessments import HIGH, LEVELS
from core import indicators as ci
from core.categories import CATEGORIES
from core import visibility
from core import access
from core.roles import Actor
from core.visits import (
    ANY_CATEGORY, DEFAULT_RULES, ORDINARY, PACE_SCALE, PERIOD_DAYS, SPECIAL, WEEK_KEY_OFFSET, Rule, RuleTable,
    days_overdue, month_bounds,
)
from db import audit
from db.models import (
    Assessment, AssessmentRound, Assignment, CareStatus, Guardian, Helper, IncidentCard, Person, PersonCategory, Region,
    Unit, Visit, VisitRule,
)
from areas.regions.reads import township_options
from db.conditions import active_person, category_current, in_registry_on, assignment_current, child_on, current_helpers
from db.scope import township_clause
from db.sql import date_add, day, days_between, later

NO_HELPER = "（未落实帮扶责任人）"


# ================================================================ the rule in SQL
_ENC = 10000  # Rule.strictness packed: pace * _ENC + (9999 - key); min() picks the strictest


def interval_days(key) -> ColumnElement[int]:
    """core.visits.Rule.interval_days in SQL (at least 1 day: 每月31次 → 1, not 30 // 31 = 0)."""
    return case(
        (key > WEEK_KEY_OFFSET + PERIOD_DAYS["week"], 1),
        (key >= WEEK_KEY_OFFSET, PERIOD_DAYS["week"] // (key - WEEK_KEY_OFFSET)),
        (key > PERIOD_DAYS["month"], 1),
        else_=PERIOD_DAYS["month"] // key,
    )


def required(key, days, month_days: int) -> ColumnElement[int]:
    """Visits rule `key` requires in a window of `days` days of a month of `month_days` days
    (core/visits.py, "Compliant for a month")."""
    return case(
        (days <= 0, 0),
        (key >= WEEK_KEY_OFFSET, (key - WEEK_KEY_OFFSET) * days // 7),
        else_=key * days // month_days,
    )


def next_due_expr(start, difficulty, key_ord, key_sd, raised):
    """The next due date (core/visits.py, "Next due date"): start + interval of the
    difficulty; a person raised to 特别困难 is due by max(start, raised) + the 特别困难 interval
    when that is earlier."""
    special = difficulty == SPECIAL
    base_due = date_add(start, case((special, interval_days(key_sd)), else_=interval_days(key_ord)))
    raised_due = date_add(later(start, raised), interval_days(key_sd))
    return case((and_(~special, raised.is_not(None), raised_due < base_due), raised_due), else_=base_due)


# ---------------------------------------------------------------- per-person correlated parts
# The rule is evaluated per person row with correlated subqueries that each read a handful of
# index entries (visits by (person_id, visited_on), categories by person, assessments by
# person), instead of grouping every visit / category / assessment of the county and joining
# the result back. The derived tables built from them carry OFFSET 0: SQLite (flattening rule
# 14) and PostgreSQL (subquery pull-up) then keep them as one subquery, so each correlated
# value is computed once per person and not once per reference in the outer expressions.

def _enc(period, min_visits):
    """core.visits.Rule.strictness of a rule row packed in one integer,
    pace * _ENC + (_ENC - 1 - key), so that min() picks the strictest rule.

    The strictest rule is the one asking the most visits (seed 001 sets a minimum per
    category and a person must meet each): the smallest pace, thousandths of a day per
    visit with a month of 30 days — 每月9次 (3333) over 每周2次 (3500), 每月15次 (2000)
    over 每周3次 (2333). Equal pace (每月30次 vs 每周7次): the larger key, the weekly rule.
    See core/visits.py, "The strictest rule"."""
    key = min_visits + case((period == "week", WEEK_KEY_OFFSET), else_=0)
    days = case((period == "week", PERIOD_DAYS["week"]), else_=PERIOD_DAYS["month"])
    pace = days * PACE_SCALE // min_visits
    return pace * _ENC + (_ENC - 1 - key)


def _packed(rule: Rule) -> int:
    """_enc of a Python Rule."""
    return rule.pace * _ENC + (_ENC - 1 - rule.key)


def _star_enc(difficulty: str):
    """Encoded '*' rule of a difficulty: configured, else the core default (uncorrelated, once)."""
    vr = aliased(VisitRule)
    default = _packed(DEFAULT_RULES[difficulty])
    configured = (
        select(_enc(vr.period, vr.min_visits))
        .where(vr.category == ANY_CATEGORY, vr.difficulty == difficulty)
        .scalar_subquery()
    )
    return func.coalesce(configured, literal(default, Integer))


def rule_key_of_person(difficulty: str, as_of, person_id=None):
    """Correlated: the key (core.visits.Rule.key) of the strictest rule of the person's
    categories active on `as_of` for `difficulty`; the '*' rule without an active category."""
    pc = aliased(PersonCategory)
    vr = aliased(VisitRule)
    star = _star_enc(difficulty)
    enc = (
        select(func.min(func.coalesce(_enc(vr.period, vr.min_visits), star)))
        .select_from(pc)
        .outerjoin(vr, and_(vr.category == pc.category, vr.difficulty == difficulty))
        .where(pc.person_id == (Person.id if person_id is None else person_id), category_current(as_of, pc))
        .scalar_subquery()
    )
    specific = exists().where(VisitRule.category != ANY_CATEGORY)  # uncorrelated: evaluated once
    return case((specific, _ENC - 1 - func.coalesce(enc, star) % _ENC), else_=_ENC - 1 - star % _ENC)


def raised_table(as_of):
    """Per person whose latest assessment up to `as_of` is 高: the first date of that run of
    高 (`raised_on`, core/visits.py "Effective difficulty"). One pass over the 高 assessments
    only (ix_assessments_risk_person), each checked for a non-高 assessment on the same day
    or later by one seek."""
    hi, lo = aliased(Assessment), aliased(Assessment)
    later_not_high = exists().where(
        lo.person_id == hi.person_id, lo.risk_level != HIGH, lo.deleted_at.is_(None),
        lo.assessed_on >= hi.assessed_on, lo.assessed_on <= as_of,
    )
    return (
        select(hi.person_id.label("person_id"), func.min(hi.assessed_on).label("raised_on"))
        .where(hi.risk_level == HIGH, hi.deleted_at.is_(None), hi.assessed_on <= as_of, ~later_not_high)
        .group_by(hi.person_id)
        .subquery()
    )


def last_visit_of_person(as_of: dt.date | None = None, person_id=None):
    """Correlated: the person's latest visit (up to `as_of`), one backward seek on
    ix_visits_person_date."""
    v = aliased(Visit)
    stmt = select(v.visited_on).where(v.person_id == (Person.id if person_id is None else person_id),
                                      v.deleted_at.is_(None))
    if as_of is not None:
        stmt = stmt.where(v.visited_on <= day(as_of))
    return stmt.order_by(v.visited_on.desc()).limit(1).scalar_subquery()


def _rule_inputs(as_of, raised) -> tuple:
    """Per person, what the rule needs on `as_of`: id, township, registry difficulty, the
    strictest ordinary and special rule keys, and the date raised to 高 (`raised` outer-joined)."""
    return (
        Person.id.label("person_id"),
        Person.township_id.label("township_id"),
        Person.difficulty.label("difficulty"),
        rule_key_of_person(ORDINARY, as_of).label("key_ord"),
        rule_key_of_person(SPECIAL, as_of).label("key_sd"),
        raised.c.raised_on.label("raised_on"),
    )


def person_due(today: dt.date, *where):
    """Per active person: last visit, effective difficulty, rule key, next due date."""
    lv = last_visit_of_person(today)
    raised = raised_table(day(today))
    s0 = (
        select(*_rule_inputs(day(today), raised), Person.enrolled_on.label("enrolled_on"), lv.label("last_visit"))
        .select_from(Person)
        .outerjoin(raised, raised.c.person_id == Person.id)
        .where(active_person(), *where)
        .offset(0)  # fence: computed once per person (see above)
        .subquery()
    )
    start = func.coalesce(s0.c.last_visit, s0.c.enrolled_on)
    due = next_due_expr(start, s0.c.difficulty, s0.c.key_ord, s0.c.key_sd, s0.c.raised_on)
    eff = case((s0.c.raised_on.is_not(None), literal(SPECIAL, String)), else_=s0.c.difficulty)
    eff_key = case((eff == SPECIAL, s0.c.key_sd), else_=s0.c.key_ord)
    return select(
        s0.c.person_id, s0.c.township_id, s0.c.last_visit, s0.c.raised_on, eff.label("effective"),
        eff_key.label("rkey"), due.label("next_due"),
    ).subquery()


# ---------------------------------------------------------------- the rule's answer as stored
def status_valid(today) -> ColumnElement[bool]:
    """The stored row (care_status) is the rule's answer on `today` (areas/care/status.py)."""
    cs, d = CareStatus, day(today)
    return and_(or_(cs.valid_from.is_(None), cs.valid_from <= d), or_(cs.valid_until.is_(None), cs.valid_until > d))


def status_stale(today) -> ColumnElement[bool]:
    """The negation of status_valid, written so that each index (valid_from, valid_until) can
    find the rows by a seek."""
    cs, d = CareStatus, day(today)
    return or_(cs.valid_until <= d, cs.valid_from > d)


@functools.lru_cache(maxsize=8)
def _stale_due(today: dt.date):
    """person_due on `today` for the people whose stored row is stale that day. Built once per
    day and process: building the rule's statement costs tens of milliseconds in Python, and
    this part is in every read of the status (it is almost always empty)."""
    return person_due(today, Person.id.in_(select(CareStatus.person_id).where(status_stale(today))))


def current_due(today: dt.date, *where, scope=None, overdue: bool = False):
    """person_due(today, …) read from the stored status: the rows that are the rule's answer
    on `today` from care_status, the rule computed live for the few people whose row is not
    (status_stale). The same columns as person_due.

    `where`: conditions on Person (each part then joins people). `scope`: a function of a
    township column giving the township condition, applied to each part's own column so that
    the stored part reads ix_care_status_due. `overdue`: only people with next_due < today."""
    cs, d = CareStatus, day(today)
    live = _stale_due(today)
    parts = []
    for src, stored in ((cs, True), (live.c, False)):
        stmt = select(src.person_id, src.township_id, src.last_visit, src.raised_on, src.effective, src.rkey,
                      src.next_due)
        if stored:
            stmt = stmt.where(status_valid(today))
        if where:
            stmt = stmt.join(Person, Person.id == src.person_id).where(*where)
        if scope is not None:
            stmt = stmt.where(scope(src.township_id))
        if overdue:
            stmt = stmt.where(src.next_due < d)
        parts.append(stmt)
    return union_all(*parts).subquery()


def overdue_person_ids(today: dt.date, *where, scope=None):
    """SELECT of the ids of active people whose next visit is overdue on `today`
    (optionally only among people matching `where`, conditions on Person, and `scope`)."""
    due = current_due(today, *where, scope=scope, overdue=True)
    return select(due.c.person_id)


def person_month(year: int, month: int, *where, as_of: dt.date | None = None):
    """Per person counted in month M: visits in the window and visits required.

    A month that is not over yet is judged to date: the window ends on `as_of` (default
    today) and the requirement is pro-rated to the days elapsed (`required`),
    so on the 22nd an ordinary case owes 1 visit, not the whole month's 2."""
    first, last = month_bounds(year, month)
    md = last.day
    last = min(last, as_of or dt.date.today())
    ws = later(day(first), Person.enrolled_on)
    raised = raised_table(day(last))
    vis = aliased(Visit)
    visits = (
        select(func.count())
        .select_from(vis)
        .where(vis.person_id == Person.id, vis.deleted_at.is_(None), vis.visited_on <= day(last), vis.visited_on >= ws)
        .scalar_subquery()
    )
    s1 = (
        select(*_rule_inputs(day(last), raised), ws.label("ws"), visits.label("visits"))
        .select_from(Person)
        .outerjoin(raised, raised.c.person_id == Person.id)
        .where(in_registry_on(day(last)), *where)
        .offset(0)  # fence: computed once per person
        .subquery()
    )
    days = days_between(day(last), s1.c.ws) + 1
    r = s1.c.raised_on
    req = case(
        (s1.c.difficulty == SPECIAL, required(s1.c.key_sd, days, md)),
        (r.is_(None), required(s1.c.key_ord, days, md)),
        (r <= s1.c.ws, required(s1.c.key_sd, days, md)),
        else_=required(s1.c.key_ord, days_between(r, s1.c.ws), md)
        + required(s1.c.key_sd, days_between(day(last), r) + 1, md),
    )
    return select(s1.c.person_id, s1.c.township_id, s1.c.visits, req.label("required")).subquery()


# ================================================================ rules (read)
def rule_table(session: Session) -> RuleTable:
    rows = session.execute(select(VisitRule.category, VisitRule.difficulty, VisitRule.period, VisitRule.min_visits))
    return {(c, d): Rule(p, n) for c, d, p, n in rows}


def visit_rules(session: Session) -> pd.DataFrame:
    """The rules in force: configured rows and the defaults they do not override."""
    table = rule_table(session)
    rows = []
    for d, rule in DEFAULT_RULES.items():
        star = table.get((ANY_CATEGORY, d))
        rows.append(("全部类别", d, (star or rule).label, "已配置" if star else "默认（文件001）"))
    for (c, d), rule in sorted(table.items()):
        if c != ANY_CATEGORY:
            rows.append((CATEGORIES.get(c, c), d, rule.label, "已配置"))
    return pd.DataFrame(rows, columns=["人员类别", "困难程度", "频次要求", "来源"])


# ================================================================ visits
@dataclass(frozen=True)
class VisitStatus:
    last_visit: dt.date | None
    next_due: dt.date
    effective: str
    rule_label: str
    days_overdue: int
    raised_on: dt.date | None


def visit_status(session: Session, actor: Actor, person_id: int, today: dt.date) -> VisitStatus | None:
    due = current_due(today, Person.id == person_id, township_clause(Person.township_id, actor))
    row = session.execute(select(due)).one_or_none()
    if row is None:
        return None
    days = days_overdue(today, row.next_due)
    return VisitStatus(row.last_visit, row.next_due, row.effective, Rule.from_key(row.rkey).label, days, row.raised_on)


def _current_helper(today: dt.date):
    """(person_id, helper_id): the current helper, as every screen names it (db.conditions)."""
    return current_helpers(day(today))


def helpers_for_person(session: Session, actor: Actor, person_id: int, today: dt.date) -> list[tuple[int, str]]:
    """Helpers who may be named on a visit: the person's current helpers first, then the
    township's (and county-level) helpers."""
    person = session.scalar(select(Person).where(Person.id == person_id, township_clause(Person.township_id, actor)))
    if person is None:
        return []
    assigned = (
        select(Assignment.helper_id)
        .where(Assignment.person_id == person_id, assignment_current(day(today)))
    )
    is_assigned = Helper.id.in_(assigned)
    rows = session.execute(
        select(Helper.id, Helper.name, Helper.position, is_assigned.label("a"))
        .where(Helper.deleted_at.is_(None),
               or_(Helper.township_id == person.township_id, Helper.township_id.is_(None), is_assigned))
        .order_by(case((is_assigned, 0), else_=1), Helper.name, Helper.id)
        .limit(300)
    ).all()
    return [(hid, f"{name}{'（' + pos + '）' if pos else ''}{' · 责任人' if a else ''}") for hid, name, pos, a in rows]


@dataclass(frozen=True)
class Page:
    rows: pd.DataFrame
    total: int


OVERDUE_SORTS = {"逾期天数（多→少）": "days_desc", "逾期天数（少→多）": "days_asc", "乡镇、村": "place"}


def overdue_list(session: Session, actor: Actor, today: dt.date, *, township_id: int | None = None,
                 village_id: int | None = None, helper_id: int | None = None, sort: str = "days_desc",
                 limit: int = 50, offset: int = 0) -> Page:
    """People whose next visit is overdue, with the days overdue; row-scoped."""
    def scope(col):
        return and_(township_clause(col, actor), col == township_id) if township_id else township_clause(col, actor)

    due = current_due(today, *([Person.village_id == village_id] if village_id else []), scope=scope, overdue=True)
    ch = _current_helper(today)
    village, township = aliased(Region), aliased(Region)
    days = days_between(day(today), due.c.next_due)
    base = (
        select(
            Person.id, township.name, village.name, Person.name, Person.id_number, due.c.effective,
            func.coalesce(Helper.name, NO_HELPER), due.c.last_visit, due.c.next_due, days.label("days"),
        )
        .select_from(due)
        .join(Person, Person.id == due.c.person_id)
        .join(village, village.id == Person.village_id)
        .join(township, township.id == Person.township_id)
        .outerjoin(ch, ch.c.person_id == Person.id)
        .outerjoin(Helper, Helper.id == ch.c.helper_id)
        .where(due.c.next_due < day(today))
    )
    if helper_id == -1:
        base = base.where(ch.c.helper_id.is_(None))
    elif helper_id:
        base = base.where(ch.c.helper_id == helper_id)
    order = {
        "days_desc": (days.desc(), Person.id),
        "days_asc": (days.asc(), Person.id),
        "place": (township.sort_order, village.sort_order, Person.name, Person.id),
    }.get(sort, (days.desc(), Person.id))
    # one pass: the total rides along as a window count (the rule's SQL is the costly part)
    rows = session.execute(base.add_columns(func.count().over().label("total"))
                           .order_by(*order).limit(limit).offset(offset)).all()
    if rows:
        total = rows[0].total
    else:
        total = session.scalar(select(func.count()).select_from(base.subquery())) or 0 if offset else 0
    df = pd.DataFrame(
        [row[:-1] for row in rows],
        columns=["编号", "乡镇", "村(居)", "姓名", "身份证号", "困难程度", "帮扶责任人", "最近走访", "应访日期", "逾期天数"],
    )
    return Page(visibility.apply(df, actor), total)


def overdue_choices(session: Session, actor: Actor) -> dict[str, list[tuple[int, str]]]:
    """Options for the overdue-list filters, within the actor's scope."""
    tw = township_options(session, actor)  # the list is only drawn for row roles: same scope
    vi = session.execute(
        select(Region.id, Region.name, Region.parent_id).where(Region.level == "village", township_clause(Region.parent_id, actor))
        .order_by(Region.parent_id, Region.sort_order, Region.id)
    ).all()
    if access.township_bound(actor):
        helper_scope = or_(Helper.township_id == actor.township_id, Helper.township_id.is_(None))
    else:
        helper_scope = true() if access.reach(actor, access.ROWS) == access.COUNTY else Helper.id.is_(None)
    hp = session.execute(
        select(Helper.id, Helper.name, Helper.position).where(Helper.deleted_at.is_(None), helper_scope)
        .order_by(Helper.name, Helper.id).limit(1000)
    ).all()
    return {
        "townships": [(i, n) for i, n in tw],
        "villages": [(i, n) for i, n, _p in vi],
        "village_parent": {i: p for i, _n, p in vi},
        "helpers": [(i, visibility.shown(actor, visibility.STAFF_NAME, f"{n}（{p}）" if p else n)) for i, n, p in hp],
    }


def _rate(done, due):
    return case((due > 0, func.round(100.0 * done / due, 1)), else_=None)


def compliance_by_township(session: Session, actor: Actor, year: int, month: int) -> pd.DataFrame:
    """走访按期率 of month M per township (aggregate scope). See core/visits.py for the definition."""
    pm = person_month(year, month, township_clause(Person.township_id, actor, aggregate=True))
    township = aliased(Region)
    counted = pm.c.required > 0
    due_n = func.count().filter(counted)
    ok_n = func.count().filter(and_(counted, pm.c.visits >= pm.c.required))
    stmt = (
        select(township.name, due_n, ok_n)
        .select_from(township)
        .outerjoin(pm, pm.c.township_id == township.id)
        .where(township.level == "township", township_clause(township.id, actor, aggregate=True))
        .group_by(township.id, township.name, township.sort_order)
        .order_by(township.sort_order, township.id)
    )
    df = pd.DataFrame(session.execute(stmt).all(), columns=["乡镇", "应访人数", "按期人数"])
    df["按期率(%)"] = ci.percents(df["按期人数"], df["应访人数"])
    return df


def compliance_by_helper(session: Session, actor: Actor, year: int, month: int,
                         township_id: int | None = None) -> pd.DataFrame:
    """走访按期率 of month M per helper (the helper assigned at the end of the month)."""
    first, last = month_bounds(year, month)
    where = [township_clause(Person.township_id, actor, aggregate=True)]
    if township_id:
        where.append(Person.township_id == township_id)
    pm = person_month(year, month, *where)
    ch = _current_helper(last)
    township = aliased(Region)
    counted = pm.c.required > 0
    stmt = (
        select(
            func.coalesce(Helper.name, NO_HELPER),
            func.coalesce(Helper.position, ""),
            township.name,
            func.count().filter(counted),
            func.count().filter(and_(counted, pm.c.visits >= pm.c.required)),
        )
        .select_from(pm)
        .join(township, township.id == pm.c.township_id)
        .outerjoin(ch, ch.c.person_id == pm.c.person_id)
        .outerjoin(Helper, Helper.id == ch.c.helper_id)
        .group_by(Helper.id, Helper.name, Helper.position, township.id, township.name, township.sort_order)
        .having(func.count().filter(counted) > 0)
        .order_by(township.sort_order, Helper.name)
    )
    df = pd.DataFrame(session.execute(stmt).all(), columns=["帮扶责任人", "职务", "乡镇", "应访人数", "按期人数"])
    df["按期率(%)"] = ci.percents(df["按期人数"], df["应访人数"])
    return visibility.apply(df, actor)


def recent_visits(session: Session, actor: Actor, *, person_id: int | None = None, limit: int = 50) -> pd.DataFrame:
    village = aliased(Region)
    stmt = (
        select(Visit.visited_on, village.name, Person.name, Helper.name, Visit.service_types, Visit.findings,
               Visit.problems, Visit.follow_up)
        .join(Person, Person.id == Visit.person_id)
        .join(village, village.id == Person.village_id)
        .outerjoin(Helper, Helper.id == Visit.helper_id)
        .where(Visit.deleted_at.is_(None), township_clause(Person.township_id, actor))
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(limit)
    )
    if person_id:
        stmt = stmt.where(Visit.person_id == person_id)
    rows = [(d, v, n, h or "", "、".join(st or []), f, p, fu) for d, v, n, h, st, f, p, fu in session.execute(stmt)]
    df = pd.DataFrame(rows, columns=["走访日期", "村(居)", "姓名", "走访人", "服务类型", "发现情况", "存在问题", "后续跟进"])
    return visibility.apply(df, actor)


# ================================================================ assessments
def rounds(session: Session) -> list[AssessmentRound]:
    return list(session.scalars(select(AssessmentRound).order_by(AssessmentRound.period.desc())))


def _assessed_in(round_id: int):
    return exists().where(Assessment.person_id == Person.id, Assessment.round_id == round_id,
                          Assessment.deleted_at.is_(None))


def _children_worklist(session: Session, actor: Actor, today: dt.date, township_id: int | None, limit: int,
                       offset: int, extra: tuple, *where) -> tuple[list, int]:
    """A page of children in the registry today (row scope) matching `where`, in village order:
    rows (id, 乡镇, 村(居), 姓名, 身份证号码, 出生日期, *extra) and the total count."""
    village, township = aliased(Region), aliased(Region)
    base = (
        select(Person.id, township.name, village.name, Person.name, Person.id_number, Person.birth_date, *extra)
        .join(village, village.id == Person.village_id)
        .join(township, township.id == Person.township_id)
        .where(active_person(), child_on(day(today)), township_clause(Person.township_id, actor), *where)
    )
    if township_id:
        base = base.where(Person.township_id == township_id)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(base.order_by(township.sort_order, village.sort_order, Person.name, Person.id)
                           .limit(limit).offset(offset)).all()
    return rows, total


def pending_assessment(session: Session, actor: Actor, round_id: int, today: dt.date, *,
                       township_id: int | None = None, limit: int = 100, offset: int = 0) -> Page:
    """Children in scope (active, in a child category) not yet assessed in the round."""
    rows, total = _children_worklist(session, actor, today, township_id, limit, offset, (), ~_assessed_in(round_id))
    df = pd.DataFrame(rows, columns=["编号", "乡镇", "村(居)", "姓名", "身份证号", "出生日期"])
    return Page(visibility.apply(df, actor), total)


def _children_by_township(session: Session, actor: Actor, today: dt.date, flag) -> list:
    """Per township in the actor's aggregate scope, in map order: (name, children in the
    registry today, of whom `flag` holds) — every township listed, empty ones with 0."""
    township = aliased(Region)
    kids = (
        select(Person.id.label("pid"), Person.township_id.label("tid"), flag.label("ok"))
        .where(active_person(), child_on(day(today)), township_clause(Person.township_id, actor, aggregate=True))
        .subquery()
    )
    stmt = (
        select(township.name, func.count(kids.c.pid), func.count(kids.c.pid).filter(kids.c.ok))
        .select_from(township)
        .outerjoin(kids, kids.c.tid == township.id)
        .where(township.level == "township", township_clause(township.id, actor, aggregate=True))
        .group_by(township.id, township.name, township.sort_order)
        .order_by(township.sort_order, township.id)
    )
    return session.execute(stmt).all()


def completion_by_township(session: Session, actor: Actor, round_id: int, today: dt.date) -> pd.DataFrame:
    rows = _children_by_township(session, actor, today, _assessed_in(round_id))
    df = pd.DataFrame(rows, columns=["乡镇", "应评估人数", "已评估人数"])
    df["完成率(%)"] = ci.percents(df["已评估人数"], df["应评估人数"])
    return df


NOT_ASSESSED = "未评估"


def grade_matrix(session: Session, actor: Actor, round_id: int) -> pd.DataFrame:
    """Rows: grade in the previous round (or 未评估); columns: grade in this round; counts.
    Only people assessed in this round are counted."""
    this = session.get(AssessmentRound, round_id)
    if this is None:
        return pd.DataFrame()
    prev_period = session.scalar(select(func.max(AssessmentRound.period)).where(AssessmentRound.period < this.period))
    cur = aliased(Assessment)
    prev = aliased(Assessment)
    prev_sub = (
        select(prev.person_id, func.max(prev.risk_level).label("lvl"))  # one row per person and period
        .where(prev.period == (prev_period or "0000-00"), prev.deleted_at.is_(None))
        .group_by(prev.person_id)
        .subquery()
    )
    stmt = (
        select(prev_sub.c.lvl, cur.risk_level, func.count())
        .select_from(cur)
        .join(Person, Person.id == cur.person_id)
        .outerjoin(prev_sub, prev_sub.c.person_id == cur.person_id)
        .where(cur.round_id == round_id, cur.deleted_at.is_(None),
               township_clause(Person.township_id, actor, aggregate=True))
        .group_by(prev_sub.c.lvl, cur.risk_level)
    )
    counts = {(a or NOT_ASSESSED, b): n for a, b, n in session.execute(stmt)}
    index = [f"上轮{lv}" for lv in LEVELS] + [f"上轮{NOT_ASSESSED}"]
    data = [[counts.get((p, c), 0) for c in LEVELS] for p in (*LEVELS, NOT_ASSESSED)]
    df = pd.DataFrame(data, index=index, columns=[f"本轮{c}" for c in LEVELS])
    df.attrs["previous_period"] = prev_period
    return df


def high_risk_list(session: Session, actor: Actor, today: dt.date, *, limit: int = 200) -> pd.DataFrame:
    """Active people whose latest assessment is 高 — for continuous follow-up."""
    latest = (
        select(Assessment.person_id, func.max(Assessment.assessed_on).label("d"))
        .where(Assessment.deleted_at.is_(None))
        .group_by(Assessment.person_id)
        .subquery()
    )
    raised = raised_table(day(today))
    due = current_due(today, scope=lambda col: township_clause(col, actor))
    village, township = aliased(Region), aliased(Region)
    a = aliased(Assessment)
    stmt = (
        select(township.name, village.name, Person.name, Person.id_number, raised.c.raised_on, a.assessed_on, a.issues,
               a.actions, due.c.last_visit, due.c.next_due)
        .select_from(raised)
        .join(Person, Person.id == raised.c.person_id)
        .join(latest, latest.c.person_id == Person.id)
        .join(a, and_(a.person_id == Person.id, a.assessed_on == latest.c.d, a.deleted_at.is_(None), a.risk_level == HIGH))
        .join(due, due.c.person_id == Person.id)
        .join(village, village.id == Person.village_id)
        .join(township, township.id == Person.township_id)
        .where(active_person(), township_clause(Person.township_id, actor))
        .order_by(raised.c.raised_on, Person.id)
        .limit(limit)
    )
    df = pd.DataFrame(session.execute(stmt).all(), columns=["乡镇", "村(居)", "姓名", "身份证号", "高风险起始",
                                                            "最近评估", "主要问题", "措施", "最近走访", "应访日期"])
    return visibility.apply(df, actor).drop_duplicates()  # masked first, as the screen shows it


# ================================================================ incident cards
def _card_scope(actor: Actor):
    """Cards this actor may read row by row."""
    if access.unit_bound(actor):
        return and_(IncidentCard.referred_unit_id == actor.unit_id, IncidentCard.referred_unit_id.is_not(None),
                    IncidentCard.status.in_((inc.REFERRED, inc.HANDLED, inc.CLOSED)))
    return township_clause(IncidentCard.township_id, actor)


def list_cards(session: Session, actor: Actor, today: dt.date, *, status: str | None = None,
               overdue_only: bool = False, limit: int = 100, offset: int = 0) -> Page:
    township, unit = aliased(Region), aliased(Unit)
    overdue = and_(IncidentCard.status == inc.REFERRED, IncidentCard.deadline < day(today))
    base = (
        select(IncidentCard.id, township.name, IncidentCard.status, IncidentCard.source, IncidentCard.type,
               IncidentCard.discovered_on, unit.short_name, IncidentCard.deadline,
               case((overdue, 1), else_=0).label("od"), Person.name)
        .join(township, township.id == IncidentCard.township_id)
        .outerjoin(unit, unit.id == IncidentCard.referred_unit_id)
        .outerjoin(Person, Person.id == IncidentCard.person_id)
        .where(IncidentCard.deleted_at.is_(None), _card_scope(actor))
    )
    if status:
        base = base.where(IncidentCard.status == status)
    if overdue_only:
        base = base.where(overdue)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(
        base.order_by(case((overdue, 0), else_=1), IncidentCard.discovered_on.desc(), IncidentCard.id.desc())
        .limit(limit).offset(offset)
    ).all()
    df = pd.DataFrame(
        [
            (i, tw, inc.STATE_LABELS.get(st, st), src, tp, d, u or "", dl, "是" if od else "", n or "")
            for i, tw, st, src, tp, d, u, dl, od, n in rows
        ],
        columns=["卡号", "乡镇", "状态", "来源", "类型", "发现日期", "转介单位", "办理期限", "逾期", "涉及对象"],
    )
    return Page(visibility.apply(df, actor), total)


@dataclass(frozen=True)
class CardView:
    id: int
    version: int
    status: str
    township: str
    township_id: int
    source: str
    type: str
    description: str | None
    discovered_on: dt.date
    reported_at: dt.datetime | None
    referred_at: dt.datetime | None
    unit_name: str | None
    referred_unit_id: int | None
    deadline: dt.date | None
    needs_contact: bool
    handled_at: dt.datetime | None
    handling: str | None
    closed_at: dt.datetime | None
    closed_by: str | None
    resolution: str | None
    person_id: int | None
    person_name: str | None  # masked unless the actor sees personal data
    person_village: str | None
    person_id_number: str | None  # full only for staff, or for a unit when the card needs contact
    person_phone: str | None
    overdue: bool


def _card_contact(actor: Actor, needs_contact):
    """Whether `actor` may see the card's person in full — name, ID number, phone, numbers in
    the card's text: staff always; a member unit only when the card says 处置需要联系本人;
    nobody on the shared screen. `needs_contact` is the column (in SQL) or the card's value."""
    if actor.presentation:
        return literal(False) if not isinstance(needs_contact, bool) else False
    if access.unit_bound(actor):
        return needs_contact
    staff = actor.sees_personal_data
    return literal(staff) if not isinstance(needs_contact, bool) else staff


def get_card(session: Session, actor: Actor, card_id: int, today: dt.date) -> CardView | None:
    """One card, with only the personal data the actor is entitled to (decided here, in
    the query: a unit gets the ID number and phone only when the card needs contact)."""
    township, village = aliased(Region), aliased(Region)
    u = aliased(Unit)
    contact_ok = _card_contact(actor, IncidentCard.needs_contact)
    row = session.execute(
        select(
            IncidentCard, township.name, u.name, Person.name, village.name,
            case((contact_ok, Person.id_number), else_=None),
            case((contact_ok, Person.phone), else_=None),
        )
        .join(township, township.id == IncidentCard.township_id)
        .outerjoin(u, u.id == IncidentCard.referred_unit_id)
        .outerjoin(Person, Person.id == IncidentCard.person_id)
        .outerjoin(village, village.id == Person.village_id)
        .where(IncidentCard.id == card_id, IncidentCard.deleted_at.is_(None), _card_scope(actor))
    ).one_or_none()
    if row is None:
        return None
    card, tw, uname, pname, pvillage, idn, phone = row
    if access.unit_bound(actor) and (idn is not None or phone is not None):
        audit.record(session, "view", "incident_card", card.id, summary="成员单位查看处置所需联系方式")
    # The name, the free text (visibility.NARRATIVE) and the contact columns above follow one
    # entitlement: whoever may phone the person also sees whom they are phoning.
    plain = _card_contact(actor, bool(card.needs_contact))
    description, handling, resolution = (visibility.narrative(actor, t, contact=plain)
                                         for t in (card.description, card.handling, card.resolution))
    return CardView(
        id=card.id, version=card.version, status=card.status, township=tw, township_id=card.township_id,
        source=card.source, type=card.type, description=description, discovered_on=card.discovered_on,
        reported_at=card.reported_at, referred_at=card.referred_at, unit_name=uname,
        referred_unit_id=card.referred_unit_id, deadline=card.deadline, needs_contact=card.needs_contact,
        handled_at=card.handled_at, handling=handling, closed_at=card.closed_at, closed_by=card.closed_by,
        resolution=resolution, person_id=card.person_id,
        person_name=visibility.shown(actor, visibility.NAME, pname, personal=plain),
        person_village=pvillage,
        person_id_number=idn,
        person_phone=phone,
        overdue=inc.is_overdue(card.status, card.deadline, today),
    )


def active_units(session: Session) -> list[tuple[int, str]]:
    return [(i, n) for i, n in session.execute(
        select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.sort_order, Unit.id))]


# ================================================================ guardianship
def _capable_guardian():
    return exists().where(Guardian.person_id == Person.id, Guardian.deleted_at.is_(None), Guardian.capacity == "有")


def _signed_agreement():
    return exists().where(Guardian.person_id == Person.id, Guardian.deleted_at.is_(None),
                          Guardian.entrusted.is_(True), Guardian.agreement_signed_on.is_not(None))


def guardianship_summary(session: Session, actor: Actor, today: dt.date) -> pd.DataFrame:
    """监护落实 per township: children in a child category; with a capable guardian or a
    signed entrusted agreement; lacking both (aggregate scope)."""
    rows = _children_by_township(session, actor, today, or_(_capable_guardian(), _signed_agreement()))
    df = pd.DataFrame(rows, columns=["乡镇", "儿童人数", "监护已落实"])
    df["未落实"] = df["儿童人数"] - df["监护已落实"]
    df["落实率(%)"] = ci.percents(df["监护已落实"], df["儿童人数"])
    return df


def guardianship_worklist(session: Session, actor: Actor, today: dt.date, *, township_id: int | None = None,
                          limit: int = 100, offset: int = 0) -> Page:
    """Children lacking both a capable guardian and a signed entrusted agreement."""
    g_count = (
        select(func.count()).where(Guardian.person_id == Person.id, Guardian.deleted_at.is_(None)).scalar_subquery()
    )
    entrusted_unsigned = exists().where(Guardian.person_id == Person.id, Guardian.deleted_at.is_(None),
                                        Guardian.entrusted.is_(True), Guardian.agreement_signed_on.is_(None))
    rows, total = _children_worklist(session, actor, today, township_id, limit, offset, (g_count, entrusted_unsigned),
                                     ~_capable_guardian(), ~_signed_agreement())

    def why(n, unsigned):
        if not n:
            return "未登记监护人"
        if unsigned:
            return "委托监护未签协议"
        return "监护人无监护能力或待评估"

    df = pd.DataFrame(
        [(i, t, v, n, idn, b, g, why(g, u)) for i, t, v, n, idn, b, g, u in rows],
        columns=["编号", "乡镇", "村(居)", "姓名", "身份证号", "出生日期", "监护人记录数", "缺失情况"],
    )
    return Page(visibility.apply(df, actor), total)

