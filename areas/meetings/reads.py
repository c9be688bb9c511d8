"""联席会议 reads: member units and seats, meetings with their decisions.

Units and seats are about office holders, not the protected people; their names are public
(seed 004 publishes them), but phone numbers are masked for roles without personal-data
access. Meetings are readable by admin/office/leader (the page registry), and every
decision list is also scoped by areas/meetings/task_reads.task_scope.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core import tasks as rules
from core import visibility
from core.roles import Actor
from db.models import Meeting, Task, Unit, UnitMember, meeting_attendees
from areas.meetings.task_reads import co_unit_names, last_report_subquery, status_expr, status_rank_expr, task_scope

SEAT_ORDER = {r: i for i, r in enumerate(rules.SEAT_ROLES)}


def _current(as_of: dt.date):
    return (UnitMember.from_on <= as_of) & or_(UnitMember.to_on.is_(None), UnitMember.to_on >= as_of)


def list_units(session: Session, actor: Actor, as_of: dt.date, include_inactive: bool = False) -> pd.DataFrame:
    """Units with who holds their seats on `as_of`."""
    stmt = select(Unit.id, Unit.name, Unit.short_name, Unit.active, Unit.version).order_by(Unit.sort_order, Unit.id)
    if not include_inactive:
        stmt = stmt.where(Unit.active.is_(True))
    units = session.execute(stmt).all()
    seats = session.execute(
        select(UnitMember.unit_id, UnitMember.seat_role, UnitMember.person_name, UnitMember.title)
        .where(_current(as_of))
        .order_by(UnitMember.unit_id, UnitMember.from_on)
    ).all()
    holders: dict[int, dict[str, list[str]]] = {}
    for uid, role, name, _title in seats:
        holders.setdefault(uid, {}).setdefault(role, []).append(name)
    rows = []
    for uid, name, short, active, _v in units:
        h = holders.get(uid, {})
        principal = "、".join(h.get("总召集人", []) + h.get("召集人", []) + h.get("成员", []))
        seat = "、".join(r for r in ("总召集人", "召集人", "成员") if h.get(r))
        rows.append([uid, name, short, seat or "成员", principal, "、".join(h.get("联络员", [])),
                     "在用" if active else "停用"])
    return visibility.apply(pd.DataFrame(rows, columns=["unit_id", "单位", "简称", "席位", "组成人员", "联络员", "状态"]),
                            actor)


@dataclass
class UnitDetail:
    id: int
    version: int
    name: str
    short_name: str
    duties: str | None
    active: bool
    current: pd.DataFrame
    history: pd.DataFrame


def get_unit(session: Session, actor: Actor, unit_id: int, as_of: dt.date) -> UnitDetail | None:
    u = session.get(Unit, unit_id)
    if u is None:
        return None
    members = session.execute(
        select(UnitMember.id, UnitMember.seat_role, UnitMember.person_name, UnitMember.title, UnitMember.phone,
               UnitMember.from_on, UnitMember.to_on)
        .where(UnitMember.unit_id == unit_id)
        .order_by(UnitMember.from_on.desc(), UnitMember.id.desc())
    ).all()
    cols = ["member_id", "席位", "姓名", "职务", "联系电话", "任职日期", "卸任日期"]
    df = visibility.apply(pd.DataFrame([list(m) for m in members], columns=cols), actor, visibility.STAFF_ROWS)
    is_current = df.apply(lambda r: r["任职日期"] <= as_of and (r["卸任日期"] is None or pd.isna(r["卸任日期"])
                                                             or r["卸任日期"] >= as_of), axis=1) if len(df) else []
    current = df[is_current] if len(df) else df
    if len(current):
        current = current.sort_values("席位", key=lambda s: s.map(SEAT_ORDER))
    return UnitDetail(u.id, u.version, u.name, u.short_name, u.duties, u.active,
                      current.reset_index(drop=True), df)


def unit_options(session: Session, active_only: bool = True) -> dict[int, str]:
    stmt = select(Unit.id, Unit.name).order_by(Unit.sort_order, Unit.id)
    if active_only:
        stmt = stmt.where(Unit.active.is_(True))
    return dict(session.execute(stmt).all())


# ---------------------------------------------------------------- meetings
def list_meetings(session: Session, actor: Actor, today: dt.date) -> pd.DataFrame:
    """Meetings newest first, with decision counts and how many are still open."""
    open_ = (Task.closed_on.is_(None)) & Task.deleted_at.is_(None)
    decisions = (
        select(Task.meeting_id, func.count().label("n"), func.count().filter(open_).label("open"))
        .where(Task.deleted_at.is_(None), task_scope(actor))
        .group_by(Task.meeting_id)
        .subquery()
    )
    att = (
        select(meeting_attendees.c.meeting_id, func.count().label("n"))
        .group_by(meeting_attendees.c.meeting_id)
        .subquery()
    )
    rows = session.execute(
        select(Meeting.id, Meeting.held_on, Meeting.kind, Meeting.title, func.coalesce(att.c.n, 0),
               func.coalesce(decisions.c.n, 0), func.coalesce(decisions.c.open, 0))
        .outerjoin(decisions, decisions.c.meeting_id == Meeting.id)
        .outerjoin(att, att.c.meeting_id == Meeting.id)
        .where(Meeting.deleted_at.is_(None))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ).all()
    return pd.DataFrame(rows, columns=["meeting_id", "会议日期", "类型", "会议名称", "参会单位数", "议定事项", "未办结"])


def decisions_table(session: Session, actor: Actor, today: dt.date, *, meeting_id: int | None = None,
                    task_ids: list[int] | None = None) -> pd.DataFrame:
    """Decisions with derived status (overdue first) — of one meeting, or a given set of tasks."""
    lr = last_report_subquery(today)
    status = status_expr(today, lr.c.last_report)
    stmt = (
        select(Task.id, Task.title, Unit.short_name, Task.due_on, status, Task.completion_claimed_on,
               Task.closed_on, Task.acceptance)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .outerjoin(lr, lr.c.task_id == Task.id)
        .where(Task.deleted_at.is_(None), task_scope(actor))
        .order_by(status_rank_expr(status), Task.due_on, Task.id)
    )
    if meeting_id is not None:
        stmt = stmt.where(Task.meeting_id == meeting_id)
    if task_ids is not None:
        stmt = stmt.where(Task.id.in_(task_ids or [-1]))
    rows = session.execute(stmt).all()
    co = co_unit_names(session, [r[0] for r in rows])
    data = []
    for tid, title, lead, due, st, claimed, closed, acceptance in rows:
        timely = rules.timeliness(due, closed, claimed) if closed and closed <= today else None
        note = timely or ("待销号" if claimed and not closed else "")
        data.append([tid, title, lead, "、".join(co.get(tid, [])), due, st, note, closed, acceptance])
    return pd.DataFrame(data, columns=["编号", "议定事项", "牵头单位", "责任单位", "办结时限", "状态", "办结情况",
                                       "销号日期", "验收标准"])


@dataclass
class MeetingDetail:
    id: int
    version: int
    kind: str
    held_on: dt.date
    title: str
    agenda: str | None
    minutes: str | None
    attendee_ids: list[int]
    attendees: list[str]
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)
    carried_over: pd.DataFrame = field(default_factory=pd.DataFrame)


def carried_over_tasks(session: Session, held_on: dt.date, exclude_meeting_id: int | None = None) -> list[Task]:
    """Decisions of earlier meetings still open on `held_on` — the previous meeting's open
    tasks, and any carried over before and still open."""
    stmt = (
        select(Task)
        .join(Meeting, Meeting.id == Task.meeting_id)
        .where(Meeting.held_on < held_on, Meeting.deleted_at.is_(None), Task.deleted_at.is_(None),
               (Task.closed_on.is_(None)) | (Task.closed_on >= held_on))
        .order_by(Meeting.held_on, Task.id)
    )
    if exclude_meeting_id is not None:
        stmt = stmt.where(Meeting.id != exclude_meeting_id)
    return list(session.scalars(stmt))


def get_meeting(session: Session, actor: Actor, meeting_id: int, today: dt.date) -> MeetingDetail | None:
    m = session.get(Meeting, meeting_id)
    if m is None or m.deleted_at is not None:
        return None
    carried_ids = [t.id for t in carried_over_tasks(session, m.held_on)]
    atts = sorted(m.attendees, key=lambda u: (u.sort_order, u.id))
    return MeetingDetail(
        m.id, m.version, m.kind, m.held_on, m.title, m.agenda, m.minutes,
        [u.id for u in atts], [u.short_name for u in atts],
        decisions_table(session, actor, today, meeting_id=m.id),
        decisions_table(session, actor, today, task_ids=carried_ids),
    )


def last_meeting(session: Session, before: dt.date | None = None, kind: str | None = "全体会议") -> Meeting | None:
    """The latest meeting (of `kind`) held on or before `before`."""
    stmt = select(Meeting).where(Meeting.deleted_at.is_(None)).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    if kind:
        stmt = stmt.where(Meeting.kind == kind)
    if before is not None:
        stmt = stmt.where(Meeting.held_on <= before)
    return session.scalars(stmt.limit(1)).first()


def meeting_options(session: Session) -> dict[int, str]:
    rows = session.execute(
        select(Meeting.id, Meeting.held_on, Meeting.title).where(Meeting.deleted_at.is_(None))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ).all()
    return {mid: f"{d:%Y-%m-%d} {t}" for mid, d, t in rows}
