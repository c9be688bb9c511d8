"""Indicators (DESIGN.md §5) computed by SQL aggregation, per township and for the county,
for one month. Numerator and denominator are always kept, so every figure can be explained.

Scope: aggregates follow db.scope.township_clause(aggregate=True) (a township user sees its
own township only; every other role the whole county). The people behind a numerator's
complement are listed only for roles entitled to personal data (row scope); everyone
else gets the count.

No caching here: pages cache with a short TTL if they want to. A closed month's figures
are stored once (indicator_months, see "closed months" below); only the open months are
computed live.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from abc import ABC, abstractmethod
from typing import Any, Callable, ClassVar

import pandas as pd
from sqlalchemy import Date, and_, case, cast, exists, func, literal, not_, or_, select
from sqlalchemy.orm import Session, aliased

from core import indicators as ci
from core import visibility
from core import access
from core.roles import LEADER, Actor
from db import audit
from db.engine import session_scope
from db.errors import Busy
from db.models import (
    LedgerTouch,
    Assessment,
    AssessmentRound,
    Assignment,
    Facility,
    Guardian,
    Helper,
    IncidentCard,
    IndicatorMonth,
    Person,
    Region,
    SchoolStat,
    Target,
    Task,
    Worker,
    utcnow,
)
from areas.care import reads as care
from areas.meetings.task_reads import completed_on_expr, missed_deadline, on_time_rate
from areas.regions.reads import townships
from db.conditions import assignment_current, child_on, in_registry_on
from db.scope import township_clause

TOTAL = 0  # township_id of the county-total row
TOTAL_NAME = "全县"
COLUMNS = ["code", "指标", "township_id", "乡镇", "numerator", "denominator", "value", "target", "status"]

DIRECTOR = "儿童主任"
SUPERVISOR = "儿童督导员"
VOLUNTEER = "志愿者"
HOME = "儿童之家"
BOARDING = "寄宿制学校"


# ---------------------------------------------------------------- building blocks
def _round_in_force(as_of: dt.date):
    """id of the latest assessment round opened on or before as_of (NULL when none)."""
    return (
        select(AssessmentRound.id)
        .where(AssessmentRound.opened_on <= as_of)
        .order_by(AssessmentRound.opened_on.desc(), AssessmentRound.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _worker_active(as_of: dt.date, kind: str):
    return and_(
        Worker.kind == kind,
        Worker.deleted_at.is_(None),
        Worker.appointed_on <= as_of,
        or_(Worker.left_on.is_(None), Worker.left_on > as_of),
    )


def _facility_ok(as_of: dt.date, kind: str):
    return and_(
        Facility.kind == kind,
        Facility.deleted_at.is_(None),
        Facility.status == "运行",
        Facility.standard.is_(True),
        or_(Facility.opened_on.is_(None), Facility.opened_on <= as_of),
    )


def _handled_date(session: Session):
    col = func.coalesce(IncidentCard.handled_at, IncidentCard.closed_at)
    if session.get_bind().dialect.name == "sqlite":
        return func.date(col)
    return cast(col, Date)


def _school_year_for(session: Session, level: str, as_of: dt.date) -> str | None:
    """The school year in force, or the latest one reported before it."""
    sy = ci.school_year(as_of)
    return session.scalar(
        select(func.max(SchoolStat.school_year)).where(SchoolStat.level == level, SchoolStat.school_year <= sy)
    )


# ---------------------------------------------------------------- counts per township
Counts = dict[int, tuple[int, int]]  # township_id -> (numerator, denominator)


def _rows_to_counts(rows) -> Counts:
    return {int(t): (int(n or 0), int(d or 0)) for t, n, d in rows if t is not None}


def _per_township(session: Session, actor: Actor, stmt, township, *where) -> Counts:
    """`stmt` selects (township, numerator, denominator): add `where`, the actor's aggregate
    scope and the grouping by township, and count."""
    stmt = stmt.where(*where, township_clause(township, actor, aggregate=True)).group_by(township)
    return _rows_to_counts(session.execute(stmt))


# What a builder returns: the numerator and denominator of one indicator for one period, as
# SQL conditions, and how to count them per township. One class per basis (core.indicators);
# building reads nothing from the database, counting does.
class _Count(ABC):
    basis: ClassVar[str]

    @abstractmethod
    def by_township(self, session: Session, actor: Actor) -> Counts:
        """(numerator, denominator) per township in the actor's aggregate scope."""

    def total(self, session: Session, counts: Counts) -> tuple[int, int]:
        """The county row: the sum of the townships (unless the indicator is county only)."""
        return sum(n for n, _ in counts.values()), sum(d for _, d in counts.values())


@dataclass(frozen=True, eq=False)
class PeopleCount(_Count):
    """Registry people: denominator = who meets `population`, numerator = who also meets `numerator`."""

    population: Any
    numerator: Any
    outer: tuple | None = None  # (subquery, on clause) outer-joined to Person
    extras: tuple[tuple[str, Any], ...] = ()  # extra columns of the complement's name list
    basis: ClassVar[str] = ci.PEOPLE

    def select(self, *columns):
        stmt = select(*columns).select_from(Person)
        return stmt if self.outer is None else stmt.outerjoin(*self.outer)

    def by_township(self, session: Session, actor: Actor) -> Counts:
        stmt = self.select(Person.township_id, func.sum(case((self.numerator, 1), else_=0)), func.count())
        return _per_township(session, actor, stmt, Person.township_id, self.population)


@dataclass(frozen=True, eq=False)
class VillagePost(_Count):
    """Villages: 1 in the numerator when a worker of `kind` is in post there on `as_of`."""

    kind: str
    as_of: dt.date
    basis: ClassVar[str] = ci.VILLAGES

    def has(self, village):
        return exists(select(Worker.id).where(Worker.region_id == village.id, _worker_active(self.as_of, self.kind)))

    def by_township(self, session: Session, actor: Actor) -> Counts:
        v = aliased(Region)
        stmt = select(v.parent_id, func.sum(case((self.has(v), 1), else_=0)), func.count())
        return _per_township(session, actor, stmt, v.parent_id, v.level == "village")


@dataclass(frozen=True, eq=False)
class TownshipHas(_Count):
    """1 per township: numerator 1 when the township or one of its villages has a `model`
    row (Worker or Facility) meeting `condition`."""

    model: Any
    condition: Any
    basis: ClassVar[str] = ci.TOWNSHIPS

    def has(self, township):
        r = aliased(Region)
        return exists(select(self.model.id).join(r, r.id == self.model.region_id)
                      .where(or_(r.id == township.id, r.parent_id == township.id), self.condition))

    def by_township(self, session: Session, actor: Actor) -> Counts:
        t = aliased(Region)
        stmt = select(t.id, case((self.has(t), 1), else_=0), literal(1)).where(
            t.level == "township", township_clause(t.id, actor, aggregate=True)
        )
        return _rows_to_counts(session.execute(stmt))


@dataclass(frozen=True, eq=False)
class Dropouts(_Count):
    """School statistics of one level, in the school year in force (or the latest before it)."""

    level: str
    as_of: dt.date
    basis: ClassVar[str] = ci.PUPILS

    def by_township(self, session: Session, actor: Actor) -> Counts:
        sy = _school_year_for(session, self.level, self.as_of)
        if sy is None:
            return {}
        stmt = select(SchoolStat.township_id, func.sum(SchoolStat.dropouts), func.sum(SchoolStat.enrolled))
        return _per_township(session, actor, stmt, SchoolStat.township_id,
                             SchoolStat.level == self.level, SchoolStat.school_year == sy)


@dataclass(frozen=True, eq=False)
class CardsOnTime(_Count):
    """Incident cards due in the period (up to as_of): handled on or before the deadline."""

    start: dt.date
    as_of: dt.date
    basis: ClassVar[str] = ci.CARDS

    def by_township(self, session: Session, actor: Actor) -> Counts:
        on_time = and_(IncidentCard.deadline.is_not(None), _handled_date(session) <= IncidentCard.deadline)
        stmt = select(IncidentCard.township_id, func.sum(case((on_time, 1), else_=0)), func.count())
        return _per_township(session, actor, stmt, IncidentCard.township_id, IncidentCard.deleted_at.is_(None),
                             IncidentCard.deadline >= self.start, IncidentCard.deadline <= self.as_of)


@dataclass(frozen=True, eq=False)
class TasksOnTime(_Count):
    """Joint-meeting tasks: county only (no township rows), the task module's own definition."""

    per: ci.Period
    basis: ClassVar[str] = ci.TASKS

    def by_township(self, session: Session, actor: Actor) -> Counts:
        return {}

    def total(self, session: Session, counts: Counts) -> tuple[int, int]:
        return task_on_time_counts(session, self.per)


# ---------------------------------------------------------------- one builder per indicator
Builder = Callable[[ci.Period], _Count]
BUILDERS: dict[str, Builder] = {}


def builder(code: str):
    """Register the numerator/denominator builder of the indicator `code` of core.indicators."""
    ci.get(code)  # an unknown code fails at import

    def register(fn: Builder) -> Builder:
        if code in BUILDERS:
            raise ValueError(f"indicator {code!r} already has a builder: {BUILDERS[code].__name__}")
        BUILDERS[code] = fn
        return fn

    return register


def build(code: str, per: ci.Period) -> _Count:
    ci.get(code)  # 未知指标 for an unknown code
    return BUILDERS[code](per)


def _in_set(person_ids) -> tuple:
    """(numerator, outer) of PeopleCount for "the person is in this set": the SELECT of person
    ids, deduplicated, outer-joined to Person once. A correlated EXISTS inside the sum's CASE
    is a probe per person (PostgreSQL cannot make it a join: a SubPlan per row); the set is
    read once and hash-joined (measured in docs/PERFORMANCE.md)."""
    ids = person_ids.distinct().subquery()
    pid = ids.c.person_id
    return pid.is_not(None), (ids, pid == Person.id)


@builder("helper_rate")
def _helper_rate(per: ci.Period) -> PeopleCount:
    as_of = per.as_of
    has_helper, outer = _in_set(
        select(Assignment.person_id.label("person_id"))
        .join(Helper, Helper.id == Assignment.helper_id)
        .where(assignment_current(as_of), Helper.deleted_at.is_(None))
    )
    return PeopleCount(in_registry_on(as_of), has_helper, outer)


@builder("visit_on_time")
def _visit_on_time(per: ci.Period) -> PeopleCount:
    # The visit rule and the monthly 按期 definition belong to core/visits.py and
    # areas/care/reads.person_month (one place): counted = required > 0 in month M,
    # compliant = visits inside the window >= required.
    pm = care.person_month(per.start.year, per.start.month, as_of=per.as_of)
    return PeopleCount(pm.c.required > 0, pm.c.visits >= pm.c.required, (pm, pm.c.person_id == Person.id),
                       extras=(("本月走访次数", pm.c.visits), ("应访次数", pm.c.required)))


@builder("assessment_rate")
def _assessment_rate(per: ci.Period) -> PeopleCount:
    # Children (as the assessment module counts them), assessed in the round in force on as_of.
    as_of = per.as_of
    rnd = _round_in_force(as_of)
    done, outer = _in_set(
        select(Assessment.person_id.label("person_id")).where(
            Assessment.deleted_at.is_(None),
            Assessment.assessed_on <= as_of,
            or_(Assessment.round_id == rnd,
                and_(Assessment.round_id.is_(None), Assessment.period == ci.assessment_round(as_of))),
        )
    )
    return PeopleCount(and_(in_registry_on(as_of), child_on(as_of)), done, outer)


@builder("guardianship_rate")
def _guardianship_rate(per: ci.Period) -> PeopleCount:
    as_of = per.as_of
    ok, outer = _in_set(
        select(Guardian.person_id.label("person_id")).where(
            Guardian.deleted_at.is_(None),
            or_(
                Guardian.capacity == "有",
                and_(Guardian.entrusted.is_(True), Guardian.agreement_signed_on.is_not(None),
                     Guardian.agreement_signed_on <= as_of),
            ),
        )
    )
    return PeopleCount(and_(in_registry_on(as_of), child_on(as_of)), ok, outer)


@builder("ledger_monthly")
def _ledger_monthly(per: ci.Period) -> PeopleCount:
    # From the history of checks and changes (areas/registry/ledger.py), not from the latest
    # dates on the file, which this month's checks overwrite.
    touched = Person.id.in_(select(LedgerTouch.person_id).where(LedgerTouch.month == per.label))
    return PeopleCount(in_registry_on(per.as_of), touched, extras=(("最近核查", Person.reviewed_on),))


@builder("director_coverage")
def _director_coverage(per: ci.Period) -> VillagePost:
    return VillagePost(DIRECTOR, per.as_of)


@builder("volunteer_coverage")
def _volunteer_coverage(per: ci.Period) -> VillagePost:
    return VillagePost(VOLUNTEER, per.as_of)


@builder("supervisor_coverage")
def _supervisor_coverage(per: ci.Period) -> TownshipHas:
    return TownshipHas(Worker, _worker_active(per.as_of, SUPERVISOR))


@builder("home_coverage")
def _home_coverage(per: ci.Period) -> TownshipHas:
    return TownshipHas(Facility, _facility_ok(per.as_of, HOME))


@builder("boarding_coverage")
def _boarding_coverage(per: ci.Period) -> TownshipHas:
    return TownshipHas(Facility, _facility_ok(per.as_of, BOARDING))


@builder("primary_dropout")
def _primary_dropout(per: ci.Period) -> Dropouts:
    return Dropouts("小学", per.as_of)


@builder("junior_dropout")
def _junior_dropout(per: ci.Period) -> Dropouts:
    return Dropouts("初中", per.as_of)


@builder("incident_on_time")
def _incident_on_time(per: ci.Period) -> CardsOnTime:
    return CardsOnTime(per.start, per.as_of)


@builder("task_on_time")
def _task_on_time(per: ci.Period) -> TasksOnTime:
    return TasksOnTime(per)


def counts_by_township(session: Session, actor: Actor, code: str, per: ci.Period) -> Counts:
    """Numerator and denominator per township for one indicator, in the actor's scope."""
    return build(code, per).by_township(session, actor)


def task_on_time_counts(session: Session, per: ci.Period) -> tuple[int, int]:
    """成员单位任务按期办结率 (numerator, denominator): the task module's own definition, the one
    单位考评 shows for the same period (no second copy here)."""
    n, d = on_time_rate(session, per.start, per.end, today=per.as_of)
    return int(n), int(d)


# ---------------------------------------------------------------- targets
def target_overrides(session: Session) -> dict[tuple[str, int | None], float]:
    """Targets saved in the `targets` table: (code, township_id or None) -> value."""
    return {(c, t): float(v) for c, t, v in session.execute(
        select(Target.indicator_code, Target.township_id, Target.target_value))}


def target_for(overrides: dict, code: str, township_id: int | None) -> float:
    """Township override, else the county override, else the default of core.indicators."""
    if township_id and (code, township_id) in overrides:
        return overrides[(code, township_id)]
    if (code, None) in overrides:
        return overrides[(code, None)]
    return ci.get(code).default_target


def shows_total(actor: Actor) -> bool:
    """A township user's aggregates are its own township; there is no county row for them."""
    return access.reach(actor, access.AGGREGATE) == access.COUNTY


# ---------------------------------------------------------------- closed months (issue 14)
# A closed month (core.indicators.is_closed) is read from indicator_months: its figures are
# computed once, by the builders above, county-wide, and stored by the first read that needs
# them; a later correction of the month's data changes them only through the office's audited
# recompute (areas/indicators/writes.recompute_month). The open months are computed live.
# Only numerator and denominator are stored: targets and statuses apply at read time.
Figures = dict[int, tuple[int, int]]  # township_id (TOTAL = the county row) -> (numerator, denominator)

# Stored figures are the county's, whoever first reads them: an actor with county aggregate
# reach and nothing else (no action, no personal data).
_COUNTY = Actor("system:indicator_months", LEADER)


def fresh_figures(session: Session, code: str, per: ci.Period) -> Figures:
    """One indicator of one period computed by its builder, per township and for the county."""
    spec = build(code, per)
    counts = spec.by_township(session, _COUNTY)
    return {**counts, TOTAL: spec.total(session, counts)}


def stored_figures(session: Session, labels: list[str], codes: list[str]) -> dict[tuple[str, str], Figures]:
    """(month, code) -> stored figures, for the months and codes stored (one statement)."""
    if not labels or not codes:
        return {}
    out: dict[tuple[str, str], Figures] = {}
    rows = session.execute(
        select(IndicatorMonth.month, IndicatorMonth.code, IndicatorMonth.township_id, IndicatorMonth.numerator,
               IndicatorMonth.denominator)
        .where(IndicatorMonth.month.in_(labels), IndicatorMonth.code.in_(codes)))
    for m, c, t, n, d in rows:
        out.setdefault((m, c), {})[int(t)] = (int(n), int(d))
    # One (month, code) is written in one statement, its county row included: that row marks it whole.
    return {k: v for k, v in out.items() if TOTAL in v}


def insert_figures(session: Session, label: str, figures: dict[str, Figures]) -> None:
    """Insert a month's figures, ignoring any already there: two first reads of the same
    month store the same figures once (primary key month, code, township_id)."""
    rows = [{"month": label, "code": code, "township_id": tid, "numerator": n, "denominator": d,
             "computed_at": utcnow()}
            for code, fig in figures.items() for tid, (n, d) in fig.items()]
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(IndicatorMonth).on_conflict_do_nothing(), rows)


def _keep(session: Session, label: str, figures: dict[str, Figures]) -> None:
    """Store what a read computed for a closed month. A page's read-only session stays
    read-only: the rows go in a short write transaction of their own (committed at once, so
    the next page run finds them). A session that is already a write transaction (an action,
    a test) stores them in a savepoint of its own transaction instead: on SQLite a second
    writer would wait for it. A busy database only skips the storing — the next read stores."""
    bind = session.get_bind()
    if bind.get_execution_options().get("caredesk_write"):
        with session.begin_nested():
            insert_figures(session, label, figures)
        return
    try:
        with session_scope(bind, write=True) as own:
            insert_figures(own, label, figures)
    except Busy:
        pass


def month_figures(session: Session, actor: Actor, labels: list[str], codes: list[str],
                  today: dt.date | None = None) -> dict[tuple[str, str], Figures]:
    """(month, code) -> figures: closed months from indicator_months (computed and stored by
    the first read), open months computed live in the actor's scope."""
    day = today or dt.date.today()
    closed = [m for m in labels if ci.is_closed(m, day)]
    out = stored_figures(session, closed, codes)
    for label in closed:
        per = ci.period(label, day)
        missing = {code: fresh_figures(session, code, per) for code in codes if (label, code) not in out}
        if missing:
            _keep(session, label, missing)
            out.update({(label, code): fig for code, fig in missing.items()})
    for label in labels:
        if label in closed:
            continue
        per = ci.period(label, today)
        for code in codes:
            spec = build(code, per)
            counts = spec.by_township(session, actor)
            out[(label, code)] = {**counts, TOTAL: spec.total(session, counts) if shows_total(actor) else (0, 0)}
    return out


# ---------------------------------------------------------------- the whole table
def compute(session: Session, actor: Actor, label: str, codes: list[str] | None = None,
            today: dt.date | None = None) -> pd.DataFrame:
    """Long table (COLUMNS): one row per indicator × township, plus the county total
    (township_id = TOTAL) for roles that see the county."""
    return _tables(session, actor, [label], codes, today)[label]


def _tables(session: Session, actor: Actor, labels: list[str], codes: list[str] | None,
            today: dt.date | None) -> dict[str, pd.DataFrame]:
    """compute() for several months, reading the townships, targets and stored months once."""
    codes = list(codes or ci.CODES)
    towns = townships(session, actor)
    overrides = target_overrides(session)
    figures = month_figures(session, actor, labels, codes, today)
    out = {}
    for label in labels:
        rows = []
        for code in codes:
            ind = ci.get(code)
            fig = figures[(label, code)]
            for t in towns:
                n, d = fig.get(t.id, (0, 0))
                if ind.county_only:
                    n = d = None
                rows.append(_row(ind, t.id, t.name, n, d, target_for(overrides, code, t.id)))
            if shows_total(actor):
                n, d = fig[TOTAL]
                rows.append(_row(ind, TOTAL, TOTAL_NAME, n, d, target_for(overrides, code, None)))
        out[label] = pd.DataFrame(rows, columns=COLUMNS)
    return out


def _row(ind: ci.Indicator, tid: int, tname: str, n, d, target: float) -> dict:
    value = None if n is None else ci.rate(n, d)
    return {
        "code": ind.code, "指标": ind.name, "township_id": tid, "乡镇": tname,
        "numerator": n, "denominator": d, "value": value, "target": target,
        "status": ci.status(value, target, ind.direction, ind.warning_band),
    }


def board(session: Session, actor: Actor, label: str, today: dt.date | None = None) -> pd.DataFrame:
    """This month's table with the previous month's value and the change (percentage points)."""
    before = ci.shift_month(label, -1)
    tables = _tables(session, actor, [label, before], None, today)
    cur, prev = tables[label], tables[before]
    prev = prev[["code", "township_id", "value"]].rename(columns={"value": "previous"})
    out = cur.merge(prev, on=["code", "township_id"], how="left")
    out["change"] = [None if (pd.isna(a) or pd.isna(b)) else a - b for a, b in zip(out["value"], out["previous"])]
    return out


def wide(df: pd.DataFrame, column: str = "value") -> pd.DataFrame:
    """乡镇 × 指标 (Chinese names, in definition order), county row last."""
    if df.empty:
        return pd.DataFrame()
    names = [ci.get(c).name for c in dict.fromkeys(df["code"])]
    order = list(dict.fromkeys(df["乡镇"]))
    w = df.pivot(index="乡镇", columns="指标", values=column)
    w = w.reindex(index=order, columns=names)
    w.index.name, w.columns.name = "乡镇", None
    return w


def ranking(df: pd.DataFrame, code: str) -> pd.DataFrame:
    """Townships ranked best first for one indicator (no county row, no-data rows last)."""
    ind = ci.get(code)
    part = df[(df["code"] == code) & (df["township_id"] != TOTAL)].copy()
    part = part.sort_values("value", ascending=ind.direction == ci.LOWER, na_position="last", kind="stable")
    part.insert(0, "名次", range(1, len(part) + 1))
    part.loc[part["value"].isna(), "名次"] = None
    return part


def trend(session: Session, actor: Actor, code: str, label: str, months: int = 12,
          township_id: int | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """The last `months` months of one indicator, for the county (or one township)."""
    out = []
    want = TOTAL if township_id is None else township_id
    labels = ci.last_months(label, months)
    tables = _tables(session, actor, labels, [code], today)
    for m in labels:
        df = tables[m]
        row = df[df["township_id"] == want]
        if row.empty:  # a township user asking for the county gets their township
            row = df[df["township_id"] != TOTAL]
        n = row["numerator"].sum(min_count=1) if not row.empty else None
        d = row["denominator"].sum(min_count=1) if not row.empty else None
        n = None if pd.isna(n) else int(n)
        d = None if pd.isna(d) else int(d)
        target = float(row["target"].iloc[0]) if not row.empty else ci.get(code).default_target
        out.append({"期间": m, "value": None if n is None else ci.rate(n, d), "numerator": n,
                    "denominator": d, "target": target})
    return pd.DataFrame(out)


# ---------------------------------------------------------------- drill-down
def village_breakdown(session: Session, actor: Actor, code: str, township_id: int, label: str,
                      today: dt.date | None = None) -> pd.DataFrame:
    """Per village of one township (indicators that have a village figure)."""
    ind = ci.get(code)
    per = ci.period(label, today)
    cols = ["village_id", "村", "numerator", "denominator", "value"]
    if not ind.village_breakdown:
        return pd.DataFrame(columns=cols)
    v = aliased(Region)
    scope = and_(v.level == "village", v.parent_id == township_id, township_clause(v.parent_id, actor, aggregate=True))
    spec = build(code, per)
    if ind.basis == ci.PEOPLE:
        agg = (
            spec.select(Person.village_id.label("vid"), func.sum(case((spec.numerator, 1), else_=0)).label("n"),
                        func.count().label("d"))
            .where(spec.population, Person.township_id == township_id)
            .group_by(Person.village_id)
            .subquery()
        )
        stmt = (select(v.id, v.name, func.coalesce(agg.c.n, 0), func.coalesce(agg.c.d, 0))
                .outerjoin(agg, agg.c.vid == v.id).where(scope).order_by(v.sort_order, v.code))
    else:
        stmt = (select(v.id, v.name, case((spec.has(v), 1), else_=0), literal(1))
                .where(scope).order_by(v.sort_order, v.code))
    rows = [(vid, name, int(n), int(d), ci.rate(int(n), int(d))) for vid, name, n, d in session.execute(stmt)]
    return pd.DataFrame(rows, columns=cols)


@dataclass
class Complement:
    """Who or what is behind `denominator − numerator` of one cell."""

    label: str
    count: int
    rows: pd.DataFrame | None = None  # None: the actor gets the count only
    note: str = ""
    truncated: bool = False
    columns: list[str] = field(default_factory=list)


def complement(session: Session, actor: Actor, code: str, township_id: int | None, label: str,
               today: dt.date | None = None, limit: int = 500) -> Complement:
    """The complement of a cell's numerator. People are listed only for roles entitled to
    personal data, within their row scope, and the viewing is audited."""
    ind = ci.get(code)
    per = ci.period(label, today)
    tid = None if township_id in (None, TOTAL) else township_id
    if ind.basis == ci.PEOPLE:
        return _people_complement(session, actor, ind, per, tid, limit)
    if ind.basis in (ci.VILLAGES, ci.TOWNSHIPS):
        return _region_complement(session, actor, ind, per, tid)
    if ind.basis == ci.CARDS:
        return _card_complement(session, actor, ind, per, tid, limit)
    if ind.basis == ci.TASKS:
        return _task_complement(session, actor, ind, per, limit)
    return Complement(ind.complement or "—", 0, None, "该指标来自学校统计表，没有逐人名单。")


def _people_complement(session, actor, ind, per, tid, limit) -> Complement:
    spec = build(ind.code, per)
    where = [spec.population, not_(spec.numerator)]
    if tid is not None:
        where.append(Person.township_id == tid)
    if not actor.sees_personal_data:
        count = session.scalar(spec.select(func.count())
                               .where(*where, township_clause(Person.township_id, actor, aggregate=True))) or 0
        return Complement(ind.complement, int(count), None, "您的角色只能查看汇总人数，不能查看人员名单。")
    where.append(township_clause(Person.township_id, actor))
    count = session.scalar(spec.select(func.count()).where(*where)) or 0
    t, v = aliased(Region), aliased(Region)
    extras = spec.extras
    cols = [Person.id, Person.name, Person.id_number, t.name, v.name, Person.difficulty] + [e for _, e in extras]
    stmt = (spec.select(*cols)
            .join(t, t.id == Person.township_id).join(v, v.id == Person.village_id)
            .where(*where).order_by(t.sort_order, v.sort_order, Person.name, Person.id).limit(limit))
    names = ["person_id", "姓名", "身份证号", "乡镇", "村", "困难程度"] + [n for n, _ in extras]
    df = pd.DataFrame(session.execute(stmt).all(), columns=names)
    df = visibility.apply(df, actor)
    audit.record(session, "view", "indicator", ind.code,
                 summary=f"查看{ind.name}「{ind.complement}」名单（{per.label}，{len(df)}/{count} 人）")
    return Complement(ind.complement, int(count), df, truncated=count > len(df), columns=names)


def vacancy_since(session: Session, village_ids: list[int], kind: str) -> dict[int, dt.date]:
    """For each village, the day its last worker of `kind` left (the vacancy's start)."""
    if not village_ids:
        return {}
    rows = session.execute(
        select(Worker.region_id, func.max(Worker.left_on))
        .where(Worker.kind == kind, Worker.deleted_at.is_(None), Worker.left_on.is_not(None),
               Worker.region_id.in_(village_ids))
        .group_by(Worker.region_id)
    )
    return {r: d for r, d in rows if d is not None}


def _region_complement(session, actor, ind, per, tid) -> Complement:
    r = aliased(Region)
    t = aliased(Region)
    spec = build(ind.code, per)
    has = spec.has(r)
    if ind.basis == ci.VILLAGES:
        stmt = (select(r.id, t.name, r.name).join(t, t.id == r.parent_id)
                .where(r.level == "village", not_(has), township_clause(r.parent_id, actor, aggregate=True)))
        if tid is not None:
            stmt = stmt.where(r.parent_id == tid)
        rows = session.execute(stmt.order_by(t.sort_order, r.sort_order, r.code)).all()
        since = vacancy_since(session, [x[0] for x in rows], spec.kind)
        df = pd.DataFrame([(tn, vn, since.get(vid), "曾有人在任" if vid in since else "从未配备")
                           for vid, tn, vn in rows], columns=["乡镇", "村", "空缺起始", "说明"])
        return Complement(ind.complement, len(df), df, columns=list(df.columns))
    stmt = (select(r.name).where(r.level == "township", not_(has), township_clause(r.id, actor, aggregate=True))
            .order_by(r.sort_order, r.code))
    if tid is not None:
        stmt = stmt.where(r.id == tid)
    df = pd.DataFrame(session.execute(stmt).all(), columns=["乡镇"])
    return Complement(ind.complement, len(df), df, columns=["乡镇"])


def _card_complement(session, actor, ind, per, tid, limit) -> Complement:
    handled = _handled_date(session)
    late = or_(IncidentCard.deadline.is_(None), handled.is_(None), handled > IncidentCard.deadline)
    where = [IncidentCard.deleted_at.is_(None), IncidentCard.deadline >= per.start,
             IncidentCard.deadline <= per.as_of, late]
    if tid is not None:
        where.append(IncidentCard.township_id == tid)
    if not actor.sees_personal_data:
        n = session.scalar(select(func.count()).select_from(IncidentCard)
                           .where(*where, township_clause(IncidentCard.township_id, actor, aggregate=True))) or 0
        return Complement(ind.complement, int(n), None, "您的角色只能查看汇总张数。")
    t = aliased(Region)
    stmt = (select(IncidentCard.id, t.name, IncidentCard.source, IncidentCard.type, IncidentCard.deadline,
                   IncidentCard.status)
            .join(t, t.id == IncidentCard.township_id)
            .where(*where, township_clause(IncidentCard.township_id, actor))
            .order_by(IncidentCard.deadline, IncidentCard.id).limit(limit))
    df = pd.DataFrame(session.execute(stmt).all(), columns=["卡号", "乡镇", "来源", "类型", "处置期限", "状态"])
    return Complement(ind.complement, len(df), df, columns=list(df.columns))


def _task_complement(session, actor, ind, per, limit) -> Complement:
    # exactly the tasks in the rate's denominator but not its numerator (the task module's rule)
    done_on = completed_on_expr()
    where = [Task.deleted_at.is_(None), Task.due_on >= per.start, Task.due_on <= per.end,
             missed_deadline(per.as_of)]
    if not actor.county_wide:
        n = session.scalar(select(func.count()).select_from(Task).where(*where)) or 0
        return Complement(ind.complement, int(n), None, "任务明细请在「任务督办」中查看。")
    from db.models import Unit

    stmt = (select(Task.id, Task.title, Unit.short_name, Task.due_on, done_on)
            .join(Unit, Unit.id == Task.lead_unit_id).where(*where).order_by(Task.due_on, Task.id).limit(limit))
    df = pd.DataFrame(session.execute(stmt).all(), columns=["编号", "任务", "牵头单位", "截止日期", "办结日期"])
    return Complement(ind.complement, len(df), df, columns=list(df.columns))


# ---------------------------------------------------------------- map data
@dataclass(frozen=True)
class Shape:
    township_id: int
    code: str
    name: str
    boundary: dict | None


def township_shapes(session: Session, actor: Actor) -> list[Shape]:
    """Townships in aggregate scope with their boundary (None when not imported)."""
    rows = session.execute(
        select(Region.id, Region.code, Region.name, Region.boundary)
        .where(Region.level == "township", township_clause(Region.id, actor, aggregate=True))
        .order_by(Region.sort_order, Region.code)
    )
    return [Shape(*r) for r in rows]


# ---------------------------------------------------------------- targets page
def target_table(session: Session) -> pd.DataFrame:
    """Every indicator with its default, county target and township overrides."""
    t = aliased(Region)
    rows = session.execute(
        select(Target.id, Target.indicator_code, Target.township_id, t.name, Target.target_value, Target.version,
               Target.updated_by, Target.created_by)
        .outerjoin(t, t.id == Target.township_id)
        .order_by(Target.indicator_code, t.sort_order)
    ).all()
    county = {r.indicator_code: r for r in rows if r.township_id is None}
    per_town: dict[str, list[str]] = {}
    for r in rows:
        if r.township_id is not None:
            per_town.setdefault(r.indicator_code, []).append(f"{r.name} {ci.fmt_value(r.target_value)}")
    out = []
    for ind in ci.INDICATORS:
        c = county.get(ind.code)
        out.append({
            "code": ind.code, "指标": ind.name, "方向": "越高越好" if ind.direction == ci.HIGHER else "越低越好",
            "默认目标": ind.default_target, "全县目标": c.target_value if c else None,
            "生效目标": c.target_value if c else ind.default_target, "预警区间(百分点)": ind.warning_band,
            "乡镇单独目标": "；".join(per_town.get(ind.code, [])), "依据": ind.seed,
            "version": c.version if c else None,
        })
    return pd.DataFrame(out)


def township_targets(session: Session, code: str) -> pd.DataFrame:
    """Townships with their override (None = follows the county target) for one indicator."""
    t = aliased(Region)
    stmt = (select(t.id, t.name, Target.target_value, Target.version)
            .outerjoin(Target, and_(Target.township_id == t.id, Target.indicator_code == code))
            .where(t.level == "township").order_by(t.sort_order, t.code))
    return pd.DataFrame(session.execute(stmt).all(), columns=["township_id", "乡镇", "单独目标", "version"])
