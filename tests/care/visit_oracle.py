"""Test oracle: the visit-frequency rule of core/visits.py read literally in plain Python.

Not runtime code — the app evaluates the rule only in SQL (areas/care/reads.py,
person_due / person_month). The tests check that SQL against this module over a grid of
rules, people and dates (test_visit_rule_grid.py), and this module against hand-worked
values (test_visit_rule.py). Every name follows the definitions in core/visits.py.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from core.visits import ANY_CATEGORY, DEFAULT_RULES, ORDINARY, SPECIAL, Rule, RuleTable, month_bounds


def required(rule: Rule, days: int, month_days: int) -> int:
    """Visits `rule` requires in a window of `days` days inside a month of `month_days` days."""
    if days <= 0:
        return 0
    if rule.period == "week":
        return rule.min_visits * days // 7
    return rule.min_visits * days // month_days


def rule_for(difficulty: str, rules: dict[str, Rule] | None = None) -> Rule:
    """The rule for a difficulty from {difficulty: Rule} (default: seed 001)."""
    rules = rules or DEFAULT_RULES
    return rules.get(difficulty, rules[ORDINARY])


def resolve(categories: Iterable[str], difficulty: str, table: RuleTable | None = None) -> Rule:
    """The strictest rule among a person's categories for one difficulty (Rule.strictness)."""
    table = table or {}
    difficulty = difficulty if difficulty in DEFAULT_RULES else ORDINARY
    star = table.get((ANY_CATEGORY, difficulty), DEFAULT_RULES[difficulty])
    candidates = [table.get((c, difficulty), star) for c in categories] or [star]
    return min(candidates, key=lambda r: r.strictness)


def resolved(categories: Iterable[str], table: RuleTable | None = None) -> dict[str, Rule]:
    cats = list(categories)
    return {d: resolve(cats, d, table) for d in DEFAULT_RULES}


def raised_from(assessments: Iterable[tuple[dt.date, str]], as_of: dt.date) -> dt.date | None:
    """First day of the current run of 高 assessments up to `as_of`; None when the latest
    assessment is not 高 (a 高 and a non-高 on the same day: not raised)."""
    seen = [(d, level) for d, level in assessments if d <= as_of]
    lows = [d for d, level in seen if level != "高"]
    last_low = max(lows) if lows else None
    highs = [d for d, level in seen if level == "高" and (last_low is None or d > last_low)]
    return min(highs) if highs else None


def next_due(last_visit: dt.date | None, enrolled_on: dt.date, difficulty: str,
             rules: dict[str, Rule] | None = None, raised_on: dt.date | None = None) -> dt.date:
    """Date by which the next visit is due; `rules` maps difficulty → Rule (resolved)."""
    start = last_visit or enrolled_on
    base = rule_for(difficulty, rules)
    due = start + dt.timedelta(days=base.interval_days)
    if raised_on is not None and difficulty != SPECIAL:
        raised_due = max(start, raised_on) + dt.timedelta(days=rule_for(SPECIAL, rules).interval_days)
        due = min(due, raised_due)
    return due


def month_window(year: int, month: int, enrolled_on: dt.date, exited_on: dt.date | None = None,
                 as_of: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The part of month M the person is obliged for (to `as_of` in the month in
    progress), or None when not counted."""
    first, last = month_bounds(year, month)
    if as_of is not None:
        last = min(last, as_of)
    if enrolled_on > last or (exited_on is not None and exited_on <= last):
        return None
    return max(first, enrolled_on), last


def required_in_month(year: int, month: int, enrolled_on: dt.date, difficulty: str,
                      rules: dict[str, Rule] | None = None, raised_on: dt.date | None = None,
                      exited_on: dt.date | None = None, as_of: dt.date | None = None) -> int:
    """Visits required of a person in month M (0 = not due / not counted)."""
    window = month_window(year, month, enrolled_on, exited_on, as_of)
    if window is None:
        return 0
    start, end = window
    month_days = month_bounds(year, month)[1].day
    ordinary, special = rule_for(difficulty, rules), rule_for(SPECIAL, rules)
    days = (end - start).days + 1
    if difficulty == SPECIAL:
        return required(special, days, month_days)
    if raised_on is None or raised_on > end:
        return required(ordinary, days, month_days)
    if raised_on <= start:
        return required(special, days, month_days)
    before = (raised_on - start).days
    after = (end - raised_on).days + 1
    return required(ordinary, before, month_days) + required(special, after, month_days)


def month_compliance(visit_dates: Iterable[dt.date], year: int, month: int, enrolled_on: dt.date,
                     difficulty: str, rules: dict[str, Rule] | None = None, raised_on: dt.date | None = None,
                     exited_on: dt.date | None = None, as_of: dt.date | None = None) -> bool | None:
    """True/False for a person counted in month M; None when not counted (not due)."""
    need = required_in_month(year, month, enrolled_on, difficulty, rules, raised_on, exited_on, as_of)
    if need == 0:
        return None
    start, end = month_window(year, month, enrolled_on, exited_on, as_of)  # type: ignore[misc]
    return sum(1 for d in visit_dates if start <= d <= end) >= need


# ---------------------------------------------------------------- a whole person
@dataclass
class Person:
    """What the rule reads of one person (deleted visits / assessments already left out)."""

    enrolled_on: dt.date
    difficulty: str = ORDINARY
    active: bool = True  # status 在册
    exited_on: dt.date | None = None
    categories: list[tuple[str, dt.date, dt.date | None]] = field(default_factory=list)  # (code, start, end)
    visits: list[dt.date] = field(default_factory=list)
    assessments: list[tuple[dt.date, str]] = field(default_factory=list)

    def categories_on(self, day: dt.date) -> list[str]:
        return [c for c, start, end in self.categories if start <= day and (end is None or end >= day)]


@dataclass(frozen=True)
class Due:
    last_visit: dt.date | None
    raised_on: dt.date | None
    effective: str
    rule: Rule
    next_due: dt.date


def person_due(p: Person, today: dt.date, table: RuleTable) -> Due | None:
    """areas/care/reads.person_due for one person; None when not active."""
    if not p.active:
        return None
    rules = resolved(p.categories_on(today), table)
    last = max((d for d in p.visits if d <= today), default=None)
    raised = raised_from(p.assessments, today)
    effective = SPECIAL if raised is not None else p.difficulty
    return Due(last, raised, effective, rules[effective], next_due(last, p.enrolled_on, p.difficulty, rules, raised))


def person_month(p: Person, year: int, month: int, as_of: dt.date, table: RuleTable) -> tuple[int, int] | None:
    """areas/care/reads.person_month for one person: (visits in the window, required), or
    None when the person is not counted for the month. Categories and the raise are read
    as of the window's last day."""
    window = month_window(year, month, p.enrolled_on, p.exited_on, as_of)
    if window is None or (not p.active and p.exited_on is None):
        return None
    start, end = window
    rules = resolved(p.categories_on(end), table)
    need = required_in_month(year, month, p.enrolled_on, p.difficulty, rules, raised_from(p.assessments, end),
                             p.exited_on, as_of)
    return sum(1 for d in p.visits if start <= d <= end), need
