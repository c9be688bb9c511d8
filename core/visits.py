"""Visit frequency (seed 001): ordinary cases at least 2 visits a month, especially
difficult (特别困难) cases at least 1 visit a week. One place for the rule; the SQL in
areas/care/reads.py is built from the same parameters (`Rule.key`, `Rule.interval_days`,
`Rule.required`) and the tests check that both give the same answers.

Definitions (decided here, used everywhere):

Rule
    A rule is (period, min_visits): period "month" (calendar month) or "week" (7 days).
    The office may configure one per (category, difficulty); category "*" is the
    default for every category. Unconfigured pairs fall back to DEFAULT_RULES.
    A person holding several categories gets the *strictest* applicable rule: the one
    with the shortest `interval_days` (ties: the one asking more visits).

Effective difficulty
    The registry field `difficulty` (一般/特别困难). In addition, a person whose latest
    risk assessment is 高 is treated as 特别困难 from the date of the first 高 assessment
    of the current run of 高 assessments (`raised_on`) until a later assessment is not 高.
    The registry field has no history, so its current value applies to every period.

Next due date and "overdue" (the worklist)
    interval_days = 30 // min_visits for a monthly rule, 7 // min_visits for a weekly
    rule (2 a month → 15 days, 1 a week → 7 days). The clock starts at the last visit
    or, with no visit yet, at enrolment:  next_due = start + interval(difficulty).
    A person raised to 特别困难 on `raised_on` after the start is due at the earlier of
    the ordinary due date and max(start, raised_on) + weekly interval — raising never
    postpones a visit and never makes a person overdue on the day of the assessment.
    Overdue means today > next_due; days overdue = today − next_due.

"Compliant for a month" (the 按期率 figures)
    Count-based. A person counts for month M when enrolled on or before the last day of
    M and not exited on or before that day. Their window runs from max(first day of M,
    enrolled_on) to the last day of M. Required visits in a window of d days:
        monthly rule n: n × d // days_in_month  (a whole month → n)
        weekly rule k:  k × d // 7              (a whole month → 4k: 28–31 days)
    If the person becomes 特别困难 (raised_on) inside the window, the window is split:
    days before raised_on use the ordinary rule, days from raised_on the weekly rule,
    and the two required counts are added. A person whose required count is 0 (enrolled
    in the last days of the month) is not yet due and is left out of the figures.
    Compliant ⇔ visits dated inside the window ≥ required.
    The month in progress is judged to date: its window ends today, so the requirement
    is pro-rated to the days elapsed (on the 22nd an ordinary case owes 1 visit, not 2).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Iterable

ORDINARY = "一般"
SPECIAL = "特别困难"
ANY_CATEGORY = "*"
PERIODS = {"month": "每月", "week": "每周"}
PERIOD_DAYS = {"month": 30, "week": 7}
WEEK_KEY_OFFSET = 1000  # Rule.key: min_visits, +1000 for a weekly rule (decoded in SQL too)
MAX_MIN_VISITS = 31


@dataclass(frozen=True)
class Rule:
    period: str  # "month" or "week"
    min_visits: int

    def __post_init__(self):
        if self.period not in PERIOD_DAYS:
            raise ValueError(f"unknown period: {self.period!r}")
        if not 1 <= int(self.min_visits) <= MAX_MIN_VISITS:
            raise ValueError("min_visits must be 1..31")

    @property
    def interval_days(self) -> int:
        """Longest allowed gap before the next visit is due."""
        return max(1, PERIOD_DAYS[self.period] // self.min_visits)

    @property
    def max_gap_days(self) -> int:  # older name, kept for callers
        return self.interval_days

    @property
    def key(self) -> int:
        """One integer that encodes the rule (the SQL carries this through subqueries)."""
        return self.min_visits + (WEEK_KEY_OFFSET if self.period == "week" else 0)

    @property
    def strictness(self) -> tuple[int, int]:
        """Sort key: smaller is stricter."""
        return (self.interval_days, -self.key)

    @classmethod
    def from_key(cls, key: int) -> "Rule":
        return cls("week", key - WEEK_KEY_OFFSET) if key >= WEEK_KEY_OFFSET else cls("month", key)

    def required(self, days: int, month_days: int) -> int:
        """Visits required in a window of `days` days inside a month of `month_days` days."""
        if days <= 0:
            return 0
        if self.period == "week":
            return self.min_visits * days // 7
        return self.min_visits * days // month_days

    @property
    def label(self) -> str:
        return f"{PERIODS[self.period]}至少{self.min_visits}次"


DEFAULT_RULES: dict[str, Rule] = {ORDINARY: Rule("month", 2), SPECIAL: Rule("week", 1)}

# Configured rules: {(category, difficulty): Rule}; category "*" = all categories.
RuleTable = dict[tuple[str, str], Rule]


def rule_for(difficulty: str, rules: dict[str, Rule] | None = None) -> Rule:
    """The default ('*') rule for a difficulty."""
    rules = rules or DEFAULT_RULES
    return rules.get(difficulty, rules[ORDINARY])


def resolve(categories: Iterable[str], difficulty: str, table: RuleTable | None = None) -> Rule:
    """The strictest rule among a person's categories for one difficulty."""
    table = table or {}
    difficulty = difficulty if difficulty in DEFAULT_RULES else ORDINARY
    star = table.get((ANY_CATEGORY, difficulty), DEFAULT_RULES[difficulty])
    candidates = [table.get((c, difficulty), star) for c in categories] or [star]
    return min(candidates, key=lambda r: r.strictness)


def next_due(last_visit: dt.date | None, enrolled_on: dt.date, difficulty: str,
             rules: dict[str, Rule] | None = None, raised_on: dt.date | None = None,
             special_rule: Rule | None = None) -> dt.date:
    """Date by which the next visit is due (see the module docstring).

    `rules` maps difficulty → Rule (already resolved for the person's categories).
    """
    start = last_visit or enrolled_on
    base = rule_for(difficulty, rules)
    due = start + dt.timedelta(days=base.interval_days)
    if raised_on is not None and difficulty != SPECIAL:
        special = special_rule or rule_for(SPECIAL, rules)
        raised_due = max(start, raised_on) + dt.timedelta(days=special.interval_days)
        due = min(due, raised_due)
    return due


def days_overdue(today: dt.date, due: dt.date) -> int:
    return max(0, (today - due).days)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def month_window(year: int, month: int, enrolled_on: dt.date,
                 exited_on: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The part of month M the person is obliged for, or None when not counted."""
    first, last = month_bounds(year, month)
    if enrolled_on > last or (exited_on is not None and exited_on <= last):
        return None
    return max(first, enrolled_on), last


def required_in_month(year: int, month: int, enrolled_on: dt.date, difficulty: str,
                      rules: dict[str, Rule] | None = None, raised_on: dt.date | None = None,
                      exited_on: dt.date | None = None) -> int:
    """Visits required of a person in month M (0 = not due / not counted)."""
    window = month_window(year, month, enrolled_on, exited_on)
    if window is None:
        return 0
    start, end = window
    month_days = end.day
    ordinary = rule_for(difficulty, rules)
    special = rule_for(SPECIAL, rules)
    days = (end - start).days + 1
    if difficulty == SPECIAL or raised_on is None or raised_on > end:
        rule = special if difficulty == SPECIAL else ordinary
        return rule.required(days, month_days)
    if raised_on <= start:
        return special.required(days, month_days)
    before = (raised_on - start).days
    after = (end - raised_on).days + 1
    return ordinary.required(before, month_days) + special.required(after, month_days)


def month_compliance(visit_dates: Iterable[dt.date], year: int, month: int, enrolled_on: dt.date,
                     difficulty: str, rules: dict[str, Rule] | None = None,
                     raised_on: dt.date | None = None, exited_on: dt.date | None = None) -> bool | None:
    """True/False for a person counted in month M; None when not counted (not due)."""
    required = required_in_month(year, month, enrolled_on, difficulty, rules, raised_on, exited_on)
    if required == 0:
        return None
    start, end = month_window(year, month, enrolled_on, exited_on)  # type: ignore[misc]
    done = sum(1 for d in visit_dates if start <= d <= end)
    return done >= required


def rule_error(category: str, difficulty: str, period: str, min_visits) -> str | None:
    """Validation of an office-configured rule; a Chinese message or None."""
    if difficulty not in DEFAULT_RULES:
        return "困难程度只能是“一般”或“特别困难”"
    if period not in PERIOD_DAYS:
        return "周期只能是“每月”或“每周”"
    try:
        n = int(min_visits)
    except (TypeError, ValueError):
        return "最少走访次数须为整数"
    if not 1 <= n <= (MAX_MIN_VISITS if period == "month" else 7):
        return f"最少走访次数须在1到{MAX_MIN_VISITS if period == 'month' else 7}之间"
    if not category:
        return "请选择适用的人员类别"
    return None
