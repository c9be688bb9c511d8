"""联席会议 writes: member units and their seats, meetings, decisions (tasks), progress
reports by units, and the office's reminder / acceptance (销号) / send-back.

Every function takes (session, actor, …), checks the role and scope again on the server
and raises ServiceError / ConflictError / ForbiddenError with a Chinese message. Audit
rows are written by db/audit.py on flush.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import tasks as rules
from core import access
from core.roles import Actor
from core.validation import LONG_TEXT_MAX, text_error
from db.models import Meeting, Task, TaskEvent, TaskUpdate, Unit, UnitMember
from areas.meetings.reads import carried_over_tasks
from db import locking
from db.errors import ServiceError, require

TEXT_MAX = 5000  # an agenda, duties, a task's detail; minutes may run to LONG_TEXT_MAX


def _clean(text: str | None, limit: int = TEXT_MAX, label: str = "内容") -> str | None:
    s = (text or "").strip()
    err = text_error(s, limit, label)  # control characters and length: core/validation.py
    if err:
        raise ServiceError(err)
    return s or None


def _one_of(value, options, label: str) -> None:
    if value not in options:
        raise ServiceError(f"{label}须为：" + "、".join(options))


def _required(text: str | None, limit: int, missing: str) -> str:
    """A text that must not be empty: cleaned and length-checked, or refused with `missing`."""
    s = _clean(text, limit)
    if not s:
        raise ServiceError(missing)
    return s


# ---------------------------------------------------------------- units and seats
def create_unit(session: Session, actor: Actor, name: str, short_name: str, duties: str | None = None,
                sort_order: int | None = None) -> Unit:
    require(actor, "unit.manage", what="新增成员单位")
    name = _clean(name, 64)
    short_name = _clean(short_name, 16)
    if not name or not short_name:
        raise ServiceError("请填写单位全称和简称")
    if session.scalar(select(Unit.id).where(Unit.name == name)):
        raise ServiceError(f"成员单位“{name}”已存在")
    if sort_order is None:
        sort_order = (session.scalar(select(Unit.sort_order).order_by(Unit.sort_order.desc()).limit(1)) or 0) + 1
    u = Unit(name=name, short_name=short_name, duties=_clean(duties), sort_order=sort_order)
    session.add(u)
    locking.flush(session, "成员单位")
    return u


def load_seed_units(session: Session, actor: Actor) -> int:
    """Loads the member units, duties and seats of the joint-meeting notice (seed 004) that
    are not there yet; returns how many units were added."""
    require(actor, "unit.manage", what="导入成员单位")
    from tools.seed_joint_meeting import seed_units

    before = len(session.scalars(select(Unit.id)).all())
    seed_units(session)
    return len(session.scalars(select(Unit.id)).all()) - before


def update_unit(session: Session, actor: Actor, unit_id: int, version: int | None, *, name: str | None = None,
                short_name: str | None = None, duties: str | None = None, active: bool | None = None) -> Unit:
    require(actor, "unit.manage", what="修改成员单位")
    u = session.get(Unit, unit_id)
    if u is None:
        raise ServiceError("成员单位不存在")
    locking.check_version(session, u, version, "该成员单位")
    if name is not None:
        name = _required(name, 64, "单位全称不能为空")
        if session.scalar(select(Unit.id).where(Unit.name == name, Unit.id != unit_id)):
            raise ServiceError(f"成员单位“{name}”已存在")
        u.name = name
    if short_name is not None:
        u.short_name = _required(short_name, 16, "单位简称不能为空")
    if duties is not None:
        u.duties = _clean(duties)
    if active is not None:
        u.active = active
    locking.flush(session, "该成员单位")
    return u


def assign_seat(session: Session, actor: Actor, unit_id: int, seat_role: str, person_name: str,
                title: str | None, from_on: dt.date, phone: str | None = None) -> UnitMember:
    """The seat belongs to the unit (seed 004: 由其继任者履行成员职责): the current holder of
    this seat in this unit leaves the day before the successor starts; history is kept."""
    require(actor, "unit.manage", what="调整联席会议组成人员")
    _one_of(seat_role, rules.SEAT_ROLES, "席位")
    person_name = _required(person_name, 64, "请填写姓名")
    if from_on is None:
        raise ServiceError("请填写任职日期")
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.active:
        raise ServiceError("成员单位不存在或已停用")
    current = session.scalars(
        select(UnitMember).where(UnitMember.unit_id == unit_id, UnitMember.seat_role == seat_role,
                                 UnitMember.to_on.is_(None))
    ).all()
    for m in current:
        if from_on <= m.from_on:
            raise ServiceError(f"继任日期须晚于现任{m.person_name}的任职日期（{m.from_on:%Y-%m-%d}）")
        m.to_on = from_on - dt.timedelta(days=1)
    member = UnitMember(unit_id=unit_id, seat_role=seat_role, person_name=person_name,
                        title=_clean(title, 64), phone=_clean(phone, 20), from_on=from_on)
    session.add(member)
    locking.flush(session, "席位")
    return member


def vacate_seat(session: Session, actor: Actor, member_id: int, to_on: dt.date) -> UnitMember:
    require(actor, "unit.manage", what="调整联席会议组成人员")
    m = session.get(UnitMember, member_id)
    if m is None or m.to_on is not None:
        raise ServiceError("该席位不存在或已卸任")
    if to_on < m.from_on:
        raise ServiceError("卸任日期不能早于任职日期")
    m.to_on = to_on
    locking.flush(session, "席位")
    return m


# ---------------------------------------------------------------- meetings
def carry_over_text(session: Session, held_on: dt.date, exclude_meeting_id: int | None = None) -> str:
    items = carried_over_tasks(session, held_on, exclude_meeting_id)
    if not items:
        return ""
    lines = ["【自动列入】上次会议未办结事项："]
    for i, t in enumerate(items, 1):
        status = rules.derive_status(t.due_on, held_on, claimed_on=t.completion_claimed_on)
        lines.append(f"{i}. {t.title}（牵头：{t.lead_unit.short_name}；时限：{t.due_on:%Y-%m-%d}；{status}）")
    return "\n".join(lines)


def create_meeting(session: Session, actor: Actor, kind: str, held_on: dt.date, title: str,
                   agenda: str | None = None, minutes: str | None = None,
                   attendee_unit_ids: Iterable[int] = ()) -> Meeting:
    """A new meeting; open decisions of earlier meetings are appended to its agenda."""
    require(actor, "meeting.manage", what="登记会议")
    _one_of(kind, rules.MEETING_KINDS, "会议类型")
    title = _required(title, 200, "请填写会议名称")
    if held_on is None:
        raise ServiceError("请填写会议日期")
    units = _units(session, attendee_unit_ids)
    agenda = _clean(agenda, label="议程") or ""
    carried = carry_over_text(session, held_on)
    if carried:
        agenda = (agenda + "\n\n" + carried).strip()
    m = Meeting(kind=kind, held_on=held_on, title=title, agenda=agenda or None, minutes=_clean(minutes, LONG_TEXT_MAX, "会议纪要"))
    m.attendees = units
    session.add(m)
    locking.flush(session, "会议")
    return m


def update_meeting(session: Session, actor: Actor, meeting_id: int, version: int | None, *,
                   title: str | None = None, agenda: str | None = None, minutes: str | None = None,
                   attendee_unit_ids: Iterable[int] | None = None) -> Meeting:
    require(actor, "meeting.manage", what="修改会议")
    m = session.get(Meeting, meeting_id)
    if m is None or m.deleted_at is not None:
        raise ServiceError("会议不存在")
    locking.check_version(session, m, version, "该会议记录")
    if title is not None:
        m.title = _required(title, 200, "会议名称不能为空")
    if agenda is not None:
        m.agenda = _clean(agenda, label="议程")
    if minutes is not None:
        m.minutes = _clean(minutes, LONG_TEXT_MAX, "会议纪要")
    if attendee_unit_ids is not None:
        m.attendees = _units(session, attendee_unit_ids)
    locking.flush(session, "该会议记录")
    return m


def _units(session: Session, ids: Iterable[int]) -> list[Unit]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    if not ids:
        return []
    units = list(session.scalars(select(Unit).where(Unit.id.in_(ids))))
    if len(units) != len(ids):
        raise ServiceError("所选成员单位不存在")
    return units


def add_decision(session: Session, actor: Actor, meeting_id: int | None, *, title: str, acceptance: str,
                 lead_unit_id: int, due_on: dt.date, co_unit_ids: Iterable[int] = (),
                 detail: str | None = None, assigned_on: dt.date | None = None) -> Task:
    """议定事项 → a task with a lead unit, co-units, due date and acceptance criterion."""
    require(actor, "task.assign", what="交办议定事项")
    meeting = None
    if meeting_id is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None or meeting.deleted_at is not None:
            raise ServiceError("会议不存在")
    assigned_on = assigned_on or (meeting.held_on if meeting else dt.date.today())
    errors = rules.validate_decision(title, acceptance, assigned_on, due_on)
    if errors:
        raise ServiceError("；".join(errors))
    lead = session.get(Unit, lead_unit_id)
    if lead is None or not lead.active:
        raise ServiceError("请选择牵头单位")
    co_ids = [i for i in dict.fromkeys(int(i) for i in co_unit_ids) if i != lead_unit_id]
    task = Task(meeting_id=meeting_id, title=title.strip(), detail=_clean(detail), acceptance=_clean(acceptance),
                lead_unit_id=lead_unit_id, assigned_on=assigned_on, due_on=due_on)
    task.co_units = _units(session, co_ids)
    session.add(task)
    locking.flush(session, "议定事项")
    return task


def _task_for(session: Session, actor: Actor, task_id: int) -> Task:
    """The task if the actor may act on it; a unit asking about another unit's task gets
    the same answer as for a task that does not exist."""
    task = session.get(Task, task_id)
    if task is None or task.deleted_at is not None:
        raise ServiceError("任务不存在")
    if access.unit_bound(actor):
        co = {u.id for u in task.co_units}
        if actor.unit_id is None or (task.lead_unit_id != actor.unit_id and actor.unit_id not in co):
            raise ServiceError("任务不存在")
    return task


def _actions(actor: Actor, task: Task) -> set[str]:
    return rules.allowed_actions(actor.role, actor.unit_id, task.lead_unit_id, [u.id for u in task.co_units],
                                 closed=task.closed_on is not None, claimed=task.completion_claimed_on is not None,
                                 read_only=actor.is_read_only)


# ---------------------------------------------------------------- progress and office actions
def report_progress(session: Session, actor: Actor, task_id: int, *, progress: int, text: str | None,
                    reported_on: dt.date, claim_complete: bool = False, today: dt.date | None = None) -> TaskUpdate:
    """A unit reports progress on its own task; the lead unit may also claim completion
    (申请销号), which waits for the office to accept or send back."""
    today = today or dt.date.today()
    require(actor, "task.report")
    task = _task_for(session, actor, task_id)
    allowed = _actions(actor, task)
    if rules.REPORT not in allowed:
        raise ServiceError("该任务已销号，不能再报送进度。" if task.closed_on else "您不能报送该任务的进度。")
    errors = rules.validate_progress(progress, reported_on, today, task.assigned_on)
    text = _clean(text, 2000)
    if not text:
        errors.append("请填写进展情况")
    if claim_complete:
        if rules.CLAIM not in allowed:
            errors.append("只有牵头单位可以申请销号" if task.completion_claimed_on is None
                          else "已申请销号，请等待联席办审核")
        elif progress != 100:
            errors.append("申请销号时进度须为100%")
    if errors:
        raise ServiceError("；".join(errors))
    up = TaskUpdate(task_id=task.id, unit_id=actor.unit_id, reported_on=reported_on, progress=int(progress), text=text)
    session.add(up)
    if claim_complete:
        task.completion_claimed_on = reported_on
        session.add(TaskEvent(task_id=task.id, kind="claim", on=reported_on, text=text))
    locking.flush(session, "该任务")
    return up


def remind(session: Session, actor: Actor, task_id: int, text: str | None = None, on: dt.date | None = None) -> TaskEvent:
    """催办: recorded on the task so the unit and the scorecard history see it."""
    require(actor, "task.remind", what="催办")
    task = _task_for(session, actor, task_id)
    if rules.REMIND not in _actions(actor, task):
        raise ServiceError("该任务已销号，无需催办。")
    ev = TaskEvent(task_id=task.id, kind="reminder", on=on or dt.date.today(),
                   text=_clean(text, 500) or "请抓紧落实并按时报送进展。")
    session.add(ev)
    locking.flush(session, "该任务")
    return ev


def accept_completion(session: Session, actor: Actor, task_id: int, version: int | None, *,
                      on: dt.date | None = None, text: str | None = None, today: dt.date | None = None) -> Task:
    """销号: only the office (never a unit, so no unit accepts its own completion)."""
    require(actor, "task.accept", what="销号")  # a unit never accepts its own completion
    today = today or dt.date.today()
    on = on or today
    task = _task_for(session, actor, task_id)
    locking.check_version(session, task, version, "该任务")
    if rules.ACCEPT not in _actions(actor, task):
        raise ServiceError("该任务已销号。")
    if on > today:
        raise ServiceError("销号日期不能晚于今天")
    if on < task.assigned_on:
        raise ServiceError("销号日期不能早于交办日期")
    if task.completion_claimed_on is not None and on < task.completion_claimed_on:
        raise ServiceError("销号日期不能早于单位申请销号的日期")
    task.closed_on = on
    task.closed_by = actor.username
    session.add(TaskEvent(task_id=task.id, kind="accept", on=on, text=_clean(text, 500)))
    locking.flush(session, "该任务")
    return task


def send_back(session: Session, actor: Actor, task_id: int, version: int | None, reason: str,
              on: dt.date | None = None) -> Task:
    """退回: the claimed completion does not meet the acceptance criterion; the claim is withdrawn."""
    require(actor, "task.return", what="退回")
    reason = _required(reason, 500, "请填写退回原因")
    task = _task_for(session, actor, task_id)
    locking.check_version(session, task, version, "该任务")
    if rules.RETURN not in _actions(actor, task):
        raise ServiceError("该任务未申请销号，不能退回。" if task.closed_on is None else "该任务已销号。")
    task.completion_claimed_on = None
    session.add(TaskEvent(task_id=task.id, kind="return", on=on or dt.date.today(), text=reason))
    locking.flush(session, "该任务")
    return task
