"""Task (议定事项/督办任务) status rules — derived from dates and updates, never typed in.

The same rules exist once more as a SQL expression in areas/meetings/task_reads.py (for filtering
and aggregation); tests/meetings checks that both give the same answer on the same data.

Definitions (all as of a day `today`):
- 已完成  the office accepted the completion (销号) on or before `today`;
- 已逾期  not accepted, past its due date, and not claimed complete on or before the due date
          (a unit that reported completion in time is not blamed for the office's review time);
- 推进中  not accepted, not overdue, and some progress was reported (or completion claimed);
- 未开始  none of the above.

The completion date of an accepted task is the date the unit claimed completion (the claim
the office accepted); without a claim, the acceptance date. It decides on time vs late.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import access

NOT_STARTED = "未开始"
IN_PROGRESS = "推进中"
DONE = "已完成"
OVERDUE = "已逾期"
STATUSES = (OVERDUE, IN_PROGRESS, NOT_STARTED, DONE)  # display order: overdue first

ON_TIME = "按期办结"
LATE = "逾期办结"

SEAT_ROLES = ("总召集人", "召集人", "成员", "联络员")
MEETING_KINDS = ("全体会议", "联络员会议", "专题会议")

EVENT_LABELS = {"reminder": "催办", "accept": "销号", "return": "退回", "claim": "申请销号"}


def completed_on(closed_on: dt.date | None, claimed_on: dt.date | None) -> dt.date | None:
    """The date the task counts as done, or None while it is not accepted."""
    if closed_on is None:
        return None
    if claimed_on is not None and claimed_on <= closed_on:
        return claimed_on
    return closed_on


def derive_status(
    due_on: dt.date,
    today: dt.date,
    *,
    closed_on: dt.date | None = None,
    claimed_on: dt.date | None = None,
    last_report_on: dt.date | None = None,
) -> str:
    """未开始 / 推进中 / 已完成 / 已逾期 as of `today` (see the module docstring)."""
    if closed_on is not None and closed_on <= today:
        return DONE
    claimed = claimed_on if claimed_on is not None and claimed_on <= today else None
    if due_on < today and not (claimed is not None and claimed <= due_on):
        return OVERDUE
    if claimed is not None or (last_report_on is not None and last_report_on <= today):
        return IN_PROGRESS
    return NOT_STARTED


def timeliness(due_on: dt.date, closed_on: dt.date | None, claimed_on: dt.date | None) -> str | None:
    """按期办结 / 逾期办结 for an accepted task, None otherwise."""
    done = completed_on(closed_on, claimed_on)
    if done is None:
        return None
    return ON_TIME if done <= due_on else LATE


def days_late(
    due_on: dt.date, today: dt.date, *, closed_on: dt.date | None = None, claimed_on: dt.date | None = None
) -> int:
    """Days past the due date: to completion for accepted tasks, to `today` for overdue ones; 0 otherwise."""
    if closed_on is not None and closed_on <= today:
        done = completed_on(closed_on, claimed_on)
        return max(0, (done - due_on).days)
    if derive_status(due_on, today, closed_on=closed_on, claimed_on=claimed_on) == OVERDUE:
        return (today - due_on).days
    return 0


def awaiting_acceptance(closed_on: dt.date | None, claimed_on: dt.date | None) -> bool:
    """The unit says it is done and the office has not yet accepted or sent it back (待销号)."""
    return closed_on is None and claimed_on is not None


@dataclass(frozen=True)
class Scorecard:
    """One unit's figures for a period; `rate` is on-time completions over tasks that fell due."""

    assigned: int
    on_time: int
    late: int
    overdue: int
    open_not_due: int
    total_days_late: int

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> float | None:
        return None if self.due == 0 else self.on_time / self.due

    @property
    def avg_days_late(self) -> float | None:
        n = self.late + self.overdue
        return None if n == 0 else self.total_days_late / n


def period_as_of(end: dt.date, today: dt.date) -> dt.date:
    """A period is judged at its end, or today while it is still running."""
    return min(end, today)


def validate_progress(progress, reported_on: dt.date | None, today: dt.date, assigned_on: dt.date) -> list[str]:
    errors = []
    try:
        p = int(progress)
    except (TypeError, ValueError):
        return ["进度须为0到100之间的整数"]
    if p != progress or not 0 <= p <= 100:
        errors.append("进度须为0到100之间的整数")
    if reported_on is None:
        errors.append("请填写报送日期")
    elif reported_on > today:
        errors.append("报送日期不能晚于今天")
    elif reported_on < assigned_on:
        errors.append("报送日期不能早于任务交办日期")
    return errors


def validate_decision(title: str, acceptance: str, assigned_on: dt.date | None, due_on: dt.date | None) -> list[str]:
    errors = []
    if not (title or "").strip():
        errors.append("请填写议定事项名称")
    elif len(title.strip()) > 200:
        errors.append("议定事项名称不能超过200字")
    if not (acceptance or "").strip():
        errors.append("请填写验收标准（怎样算办结）")
    if due_on is None:
        errors.append("请填写办结时限")
    elif assigned_on is not None and due_on < assigned_on:
        errors.append("办结时限不能早于交办日期")
    return errors


# ---------------------------------------------------------------- who may do what
REPORT = "report"  # 报送进度
CLAIM = "claim"  # 申请销号 (lead unit only)
REMIND = "remind"  # 催办
ACCEPT = "accept"  # 销号
RETURN = "return"  # 退回


def allowed_actions(
    role: str,
    actor_unit_id: int | None,
    lead_unit_id: int,
    co_unit_ids: tuple[int, ...] | list[int],
    closed: bool,
    claimed: bool,
    read_only: bool = False,
) -> set[str]:
    """Actions on one task (role sets: core/access.py). Units report on their own tasks and the
    lead unit may claim completion; only the office (or admin) reminds, accepts or sends back — so a unit can
    never accept its own completion. Nothing happens to an accepted task."""
    if closed or read_only:
        return set()
    acts = set()
    if access.role_may(role, "task.report") and actor_unit_id is not None:
        if actor_unit_id == lead_unit_id:
            acts |= {REPORT} if claimed else {REPORT, CLAIM}
        elif actor_unit_id in co_unit_ids:
            acts.add(REPORT)
    if access.role_may(role, "task.remind"):
        acts.add(REMIND)
    if access.role_may(role, "task.accept"):
        acts.add(ACCEPT)
    if claimed and access.role_may(role, "task.return"):
        acts.add(RETURN)
    return acts
