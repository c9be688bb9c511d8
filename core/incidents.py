"""通报处置卡 state machine (seed 002 附件3): 发现 → 报告 → 转介 → 处置 → 结案.

Steps cannot be skipped and never go backwards; each step is dated by the service
that performs it. Who may perform a step (the rule lives in core/access.py):

    report  (discovered → reported): office, township (own township)
    refer   (reported → referred):   office, township (own township) — to a member
                                     unit, with a deadline
    handle  (referred → handled):    the unit the card is referred to; the office may
                                     record it on the unit's behalf
    close   (handled → closed):      office only

A card is *overdue* while it is referred and not handled after its deadline
(deadline < today). A card handled after its deadline is *handled late*.
"""
from __future__ import annotations

import datetime as dt

DISCOVERED, REPORTED, REFERRED, HANDLED, CLOSED = "discovered", "reported", "referred", "handled", "closed"
STATES = (DISCOVERED, REPORTED, REFERRED, HANDLED, CLOSED)
STATE_LABELS = {DISCOVERED: "已发现", REPORTED: "已报告", REFERRED: "已转介", HANDLED: "已处置", CLOSED: "已结案"}

# action → (from, to)
ACTIONS: dict[str, tuple[str, str]] = {
    "report": (DISCOVERED, REPORTED),
    "refer": (REPORTED, REFERRED),
    "handle": (REFERRED, HANDLED),
    "close": (HANDLED, CLOSED),
}
ACTION_LABELS = {"report": "报告", "refer": "转介", "handle": "登记处置", "close": "结案"}
# Who may perform each step: core/access.py, actions "incident.<action>".

SOURCES = ("学校", "医院", "公安", "村(居)", "群众", "热线", "其他")
TYPES = ("监护缺失", "遭受侵害", "辍学", "重病", "生活无着", "意外伤害", "心理危机", "其他")
MAX_DEADLINE_DAYS = 90


class TransitionError(ValueError):
    """An illegal step; str(e) is a Chinese message."""


def next_action(status: str) -> str | None:
    for action, (src, _dst) in ACTIONS.items():
        if src == status:
            return action
    return None


def transition(status: str, action: str) -> str:
    """The state after `action`, or TransitionError (skips and reversals refused)."""
    if status not in STATES:
        raise TransitionError(f"未知的状态：{status}")
    if action not in ACTIONS:
        raise TransitionError(f"未知的操作：{action}")
    src, dst = ACTIONS[action]
    if status != src:
        expected = next_action(status)
        if expected is None:
            raise TransitionError("该卡已结案，不能再办理")
        raise TransitionError(
            f"当前状态为“{STATE_LABELS[status]}”，下一步只能是“{ACTION_LABELS[expected]}”，"
            f"不能直接“{ACTION_LABELS[action]}”"
        )
    return dst


def access_action(action: str) -> str:
    """The access-table action (core/access.py) for a step of the card."""
    return f"incident.{action}"


def is_overdue(status: str, deadline: dt.date | None, today: dt.date) -> bool:
    return status == REFERRED and deadline is not None and deadline < today


def deadline_error(deadline: dt.date | None, today: dt.date) -> str | None:
    if deadline is None:
        return "转介须设定办理期限"
    if deadline < today:
        return "办理期限不能早于今天"
    if deadline > today + dt.timedelta(days=MAX_DEADLINE_DAYS):
        return f"办理期限不能超过{MAX_DEADLINE_DAYS}天"
    return None
