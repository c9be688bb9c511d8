"""任务督办 and 单位考评 reads, scoped to the actor in SQL.

Scope: a `unit` user sees only tasks where its unit is the lead unit or a co-unit;
admin, office and leader see all; a township user sees none.

The task status (core.tasks.derive_status) is re-expressed here as a SQL CASE so lists
can be filtered, sorted (overdue first) and counted in the database; the meeting tests
check both versions agree.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import and_, case, false, func, literal, not_, or_, select, true
from sqlalchemy.orm import Session, aliased

from core import tasks as rules
from core import access
from core.roles import Actor
from db.models import Meeting, Task, TaskEvent, TaskUpdate, Unit, task_co_units
from db.sql import day, days_between


# ---------------------------------------------------------------- scope
def co_unit_task_ids(unit_id: int):
    return select(task_co_units.c.task_id).where(task_co_units.c.unit_id == unit_id)


def task_scope(actor: Actor):
    """Tasks this actor may read, as a SQL clause."""
    if access.unit_bound(actor):
        if actor.unit_id is None:
            return false()
        return or_(Task.lead_unit_id == actor.unit_id, Task.id.in_(co_unit_task_ids(actor.unit_id)))
    if access.may_open(actor.role, "tasks"):
        return true()
    return false()


# ---------------------------------------------------------------- status in SQL
def last_report_subquery(as_of: dt.date):
    return (
        select(TaskUpdate.task_id, func.max(TaskUpdate.reported_on).label("last_report"))
        .where(TaskUpdate.reported_on <= as_of)
        .group_by(TaskUpdate.task_id)
        .subquery()
    )


def _closed(as_of: dt.date):
    return and_(Task.closed_on.is_not(None), Task.closed_on <= as_of)


def _claimed(as_of: dt.date):
    return and_(Task.completion_claimed_on.is_not(None), Task.completion_claimed_on <= as_of)


def _overdue(as_of: dt.date):
    claimed_in_time = and_(_claimed(as_of), Task.completion_claimed_on <= Task.due_on)
    return and_(not_(_closed(as_of)), Task.due_on < as_of, not_(claimed_in_time))


def status_expr(as_of: dt.date, last_report_col=None):
    """SQL twin of core.tasks.derive_status."""
    progressed = _claimed(as_of)
    if last_report_col is not None:
        progressed = or_(progressed, last_report_col.is_not(None))
    return case(
        (_closed(as_of), literal(rules.DONE)),
        (_overdue(as_of), literal(rules.OVERDUE)),
        (progressed, literal(rules.IN_PROGRESS)),
        else_=literal(rules.NOT_STARTED),
    )


def status_rank_expr(status):
    return case(*[(status == s, i) for i, s in enumerate(rules.STATUSES)], else_=len(rules.STATUSES))


def completed_on_expr():
    """SQL twin of core.tasks.completed_on."""
    c = Task.completion_claimed_on
    return case((and_(c.is_not(None), c <= Task.closed_on), c), else_=Task.closed_on)


def _late(as_of: dt.date):
    return and_(_closed(as_of), completed_on_expr() > Task.due_on)


def missed_deadline(as_of: dt.date):
    """Tasks that count against 按期办结率 as of `as_of`: done late, or overdue and not done.
    The complement of the rate's numerator within its denominator (单位考评, 指标看板)."""
    return or_(_late(as_of), _overdue(as_of))


# ---------------------------------------------------------------- task lists
TASK_COLUMNS = ["编号", "议定事项", "状态", "进度%", "牵头单位", "责任单位", "截止日期", "最近报送", "待销号",
                "交办日期", "销号日期", "来源会议"]


def list_tasks(
    session: Session,
    actor: Actor,
    today: dt.date,
    *,
    unit_id: int | None = None,
    statuses: list[str] | tuple[str, ...] | None = None,
    meeting_id: int | None = None,
    text: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> pd.DataFrame:
    """Tasks in scope, overdue first, then by due date. `unit_id` filters lead or co-unit."""
    lr = last_report_subquery(today)
    latest = (
        select(TaskUpdate.task_id, func.max(TaskUpdate.progress).label("progress"))
        .where(TaskUpdate.reported_on <= today)
        .group_by(TaskUpdate.task_id)
        .subquery()
    )
    status = status_expr(today, lr.c.last_report).label("status")
    lead = aliased(Unit)
    stmt = (
        select(
            Task.id, Task.title, Meeting.title, lead.short_name, Task.assigned_on, Task.due_on, status,
            latest.c.progress, lr.c.last_report, Task.completion_claimed_on, Task.closed_on,
        )
        .join(lead, lead.id == Task.lead_unit_id)
        .outerjoin(Meeting, Meeting.id == Task.meeting_id)
        .outerjoin(lr, lr.c.task_id == Task.id)
        .outerjoin(latest, latest.c.task_id == Task.id)
        .where(Task.deleted_at.is_(None), task_scope(actor))
    )
    if unit_id is not None:
        stmt = stmt.where(or_(Task.lead_unit_id == unit_id, Task.id.in_(co_unit_task_ids(unit_id))))
    if statuses:
        stmt = stmt.where(status.in_(list(statuses)))
    if meeting_id is not None:
        stmt = stmt.where(Task.meeting_id == meeting_id)
    if text and text.strip():
        from areas.registry.person_reads import like_pattern

        stmt = stmt.where(Task.title.like(like_pattern(text.strip()), escape="\\"))
    stmt = stmt.order_by(status_rank_expr(status), Task.due_on, Task.id).limit(limit).offset(offset)
    rows = session.execute(stmt).all()
    co = co_unit_names(session, [r[0] for r in rows])
    data = [
        [r[0], r[1], r[6], int(r[7]) if r[7] is not None else 0, r[3], "、".join(co.get(r[0], [])), r[5], r[8],
         "是" if (r[9] and not r[10]) else "", r[4], r[10], r[2] or "（日常交办）"]
        for r in rows
    ]
    return pd.DataFrame(data, columns=TASK_COLUMNS)


def count_tasks_by_status(session: Session, actor: Actor, today: dt.date, unit_id: int | None = None) -> dict[str, int]:
    lr = last_report_subquery(today)
    status = status_expr(today, lr.c.last_report)
    stmt = (
        select(status, func.count())
        .select_from(Task)
        .outerjoin(lr, lr.c.task_id == Task.id)
        .where(Task.deleted_at.is_(None), task_scope(actor))
        .group_by(status)
    )
    if unit_id is not None:
        stmt = stmt.where(or_(Task.lead_unit_id == unit_id, Task.id.in_(co_unit_task_ids(unit_id))))
    out = {s: 0 for s in rules.STATUSES}
    out.update({s: n for s, n in session.execute(stmt).all()})
    return out


def co_unit_names(session: Session, task_ids: list[int]) -> dict[int, list[str]]:
    if not task_ids:
        return {}
    rows = session.execute(
        select(task_co_units.c.task_id, Unit.short_name)
        .join(Unit, Unit.id == task_co_units.c.unit_id)
        .where(task_co_units.c.task_id.in_(task_ids))
        .order_by(Unit.sort_order, Unit.id)
    ).all()
    out: dict[int, list[str]] = {}
    for tid, name in rows:
        out.setdefault(tid, []).append(name)
    return out


@dataclass
class TaskDetail:
    id: int
    version: int
    title: str
    detail: str | None
    acceptance: str | None
    meeting_title: str | None
    lead_unit_id: int
    lead_unit: str
    co_unit_ids: list[int]
    co_units: list[str]
    assigned_on: dt.date
    due_on: dt.date
    claimed_on: dt.date | None
    closed_on: dt.date | None
    closed_by: str | None
    status: str
    progress: int
    last_report_on: dt.date | None
    updates: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)


def get_task(session: Session, actor: Actor, task_id: int, today: dt.date) -> TaskDetail | None:
    """One task with its updates and office events, or None when out of scope (same as absent)."""
    task = session.scalar(select(Task).where(Task.id == task_id, Task.deleted_at.is_(None), task_scope(actor)))
    if task is None:
        return None
    ups = session.execute(
        select(TaskUpdate.reported_on, Unit.short_name, TaskUpdate.progress, TaskUpdate.text, TaskUpdate.created_by)
        .join(Unit, Unit.id == TaskUpdate.unit_id)
        .where(TaskUpdate.task_id == task_id)
        .order_by(TaskUpdate.reported_on.desc(), TaskUpdate.id.desc())
    ).all()
    updates = pd.DataFrame(ups, columns=["报送日期", "报送单位", "进度%", "进展情况", "报送人"])
    evs = session.execute(
        select(TaskEvent.on, TaskEvent.kind, TaskEvent.text, TaskEvent.created_by)
        .where(TaskEvent.task_id == task_id)
        .order_by(TaskEvent.on.desc(), TaskEvent.id.desc())
    ).all()
    events = pd.DataFrame(
        [(on, rules.EVENT_LABELS.get(kind, kind), text, by) for on, kind, text, by in evs],
        columns=["日期", "事项", "说明", "经办人"],
    )
    co = sorted(task.co_units, key=lambda u: (u.sort_order, u.id))
    last_report = max((r[0] for r in ups if r[0] <= today), default=None)
    progress = max((r[2] for r in ups if r[0] <= today), default=0)
    return TaskDetail(
        id=task.id, version=task.version, title=task.title, detail=task.detail, acceptance=task.acceptance,
        meeting_title=task.meeting.title if task.meeting else None,
        lead_unit_id=task.lead_unit_id, lead_unit=task.lead_unit.name,
        co_unit_ids=[u.id for u in co], co_units=[u.name for u in co],
        assigned_on=task.assigned_on, due_on=task.due_on, claimed_on=task.completion_claimed_on,
        closed_on=task.closed_on, closed_by=task.closed_by,
        status=rules.derive_status(task.due_on, today, closed_on=task.closed_on,
                                   claimed_on=task.completion_claimed_on, last_report_on=last_report),
        progress=progress, last_report_on=last_report, updates=updates, events=events,
    )


def task_choices(session: Session, actor: Actor, task_ids: list[int]) -> dict[int, str]:
    """Labels for a task picker, in scope only."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(Task.id, Task.title).where(Task.id.in_(task_ids), Task.deleted_at.is_(None), task_scope(actor))
    ).all()
    return {tid: f"#{tid} {title}" for tid, title in rows}


# ---------------------------------------------------------------- scorecards
SCORECARD_COLUMNS = ["单位", "交办任务", "按期办结", "逾期办结", "逾期未办结", "在办未到期", "按期办结率",
                     "平均逾期天数", "配合任务", "最近报送日期"]


def _scorecard_rows(session: Session, start: dt.date, end: dt.date, as_of: dt.date, unit_id: int | None = None):
    """Per active unit: the cohort is tasks the unit leads whose due date falls in [start, end],
    judged as of `as_of`. Returns raw aggregates (unit id, name, counts, total days late)."""
    closed = _closed(as_of)
    done_on = completed_on_expr()
    on_time = and_(closed, done_on <= Task.due_on)
    late = _late(as_of)
    overdue = _overdue(as_of)
    days = case(
        (late, days_between(done_on, Task.due_on)),
        (overdue, days_between(day(as_of), Task.due_on)),
        else_=0,
    )
    cohort = and_(Task.lead_unit_id == Unit.id, Task.deleted_at.is_(None), Task.due_on >= start, Task.due_on <= end)
    stmt = (
        select(
            Unit.id, Unit.name, Unit.sort_order,
            func.count(Task.id),
            func.coalesce(func.sum(case((on_time, 1), else_=0)), 0),
            func.coalesce(func.sum(case((late, 1), else_=0)), 0),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
            func.coalesce(func.sum(days), 0),
        )
        .select_from(Unit)
        .outerjoin(Task, cohort)
        .where(Unit.active.is_(True))
        .group_by(Unit.id, Unit.name, Unit.sort_order)
        .order_by(Unit.sort_order, Unit.id)
    )
    if unit_id is not None:
        stmt = stmt.where(Unit.id == unit_id)
    return session.execute(stmt).all()


def on_time_rate(session: Session, start: dt.date, end: dt.date, today: dt.date | None = None) -> tuple[int, int]:
    """成员单位任务按期办结率 as (numerator, denominator): tasks completed by their due date over
    tasks that fell due in [start, end] (judged at the period end, or today while it runs).
    The same figures as the sum of unit_scorecard's 按期办结 and 按期+逾期办结+逾期未办结."""
    as_of = rules.period_as_of(end, today or dt.date.today())
    num = den = 0
    for _uid, _name, _sort, _n, on_time, late, overdue, _days_sum in _scorecard_rows(session, start, end, as_of):
        num += int(on_time)
        den += int(on_time) + int(late) + int(overdue)
    return num, den


def unit_scorecard(
    session: Session, actor: Actor, start: dt.date, end: dt.date, today: dt.date | None = None
) -> pd.DataFrame:
    """单位考评 for [start, end]: one row per active unit (a unit user gets its own row only).

    交办任务 = tasks the unit leads that fall due in the period; 按期/逾期办结 by the accepted
    completion date; 逾期未办结 = still open past due; 平均逾期天数 over late and overdue
    tasks; 配合任务 = same-period tasks where it is a co-unit; 最近报送日期 = its latest progress
    report on or before the period end."""
    as_of = rules.period_as_of(end, today or dt.date.today())
    only = None
    if access.unit_bound(actor):
        if actor.unit_id is None:
            return pd.DataFrame(columns=["unit_id", *SCORECARD_COLUMNS])
        only = actor.unit_id
    rows = _scorecard_rows(session, start, end, as_of, only)
    co = dict(
        session.execute(
            select(task_co_units.c.unit_id, func.count())
            .join(Task, Task.id == task_co_units.c.task_id)
            .where(Task.deleted_at.is_(None), Task.due_on >= start, Task.due_on <= end)
            .group_by(task_co_units.c.unit_id)
        ).all()
    )
    last = dict(
        session.execute(
            select(TaskUpdate.unit_id, func.max(TaskUpdate.reported_on))
            .where(TaskUpdate.reported_on <= as_of)
            .group_by(TaskUpdate.unit_id)
        ).all()
    )
    data = []
    for uid, name, _sort, n, on_time, late, overdue, days in rows:
        sc = rules.Scorecard(int(n), int(on_time), int(late), int(overdue),
                             int(n) - int(on_time) - int(late) - int(overdue), int(round(float(days))))
        data.append([
            uid, name, sc.assigned, sc.on_time, sc.late, sc.overdue, sc.open_not_due,
            None if sc.rate is None else round(sc.rate * 100, 1),
            None if sc.avg_days_late is None else round(sc.avg_days_late, 1),
            int(co.get(uid, 0)), last.get(uid),
        ])
    return pd.DataFrame(data, columns=["unit_id", *SCORECARD_COLUMNS])
