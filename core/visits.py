"""Visit frequency (seed 001: "对一般关爱对象帮扶责任人每月走访探视至少2次；对特别困难的关爱
对象帮扶责任人每周至少上门关爱帮扶1次"): ordinary cases at least 2 visits a month, especially
difficult (特别困难) cases at least 1 visit a week.

The rule runs in one place, the SQL of areas/care/reads.py ("the rule in SQL"). This module
holds its definition and the parameters that SQL is built from (`Rule.key`,
`Rule.interval_days`, `Rule.strictness`, DEFAULT_RULES). tests/care/visit_oracle.py is a
plain-Python reading of the same definition, checked against the SQL over a grid of rules,
people and dates (tests/care/test_visit_rule_grid.py); it is a test oracle, not runtime code.

Definitions (decided here, used everywhere):

Rule
    A rule is (period, min_visits): period "month" (calendar month) or "week" (7 days).
    The office may configure one per (category, difficulty); category "*" is the
    default for every category. Unconfigured pairs fall back to DEFAULT_RULES.

The strictest rule (a person holding several categories)
    Seed 001 sets a *minimum* per category, so a person must meet the rule of every
    category they hold: the binding rule is the one asking the most visits, i.e. the
    highest rate min_visits / period days, a month counted as 30 days (as for
    interval_days). `Rule.strictness` compares thousandths of a day per visit,
    PERIOD_DAYS[period] * 1000 // min_visits (smaller = stricter), integer arithmetic
    that the SQL reproduces exactly. So 每月9次 (3333) binds over 每周2次 (3500) and
    每月15次 (2000) over 每周3次 (2333): 9 (15) visits in a month also meet "twice (three
    times) a week" for the month (8; 12 or 13 visits), the reverse does not hold.
    Ties: two different rules tie only at an equal rate (每月30次 vs 每周7次, one visit a
    day); the weekly rule wins (the larger `Rule.key`), a fixed choice so that the result
    does not depend on row order. The choice is one rule per person and
    difficulty for every month (a month = 30 days): with configured pairs whose rates
    differ by less than one visit a month (e.g. 每月17次 vs 每周4次 in February) the chosen
    rule can ask one visit fewer in a short month or a part month than the other rule.

Effective difficulty
    The registry field `difficulty` (一般/特别困难). In addition, a person whose latest
    risk assessment is 高 is treated as 特别困难 from the date of the first 高 assessment
    of the current run of 高 assessments (`raised_on`) until a later assessment is not 高
    (a 高 and a non-高 assessment on the same day: not raised).
    The registry field has no history, so its current value applies to every period.

Next due date and "overdue" (the worklist)
    interval_days = 30 // min_visits for a monthly rule, 7 // min_visits for a weekly
    rule, at least 1 (2 a month → 15 days, 1 a week → 7 days, 31 a month → 1). The clock starts at the last visit
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
    The categories and the raise are taken as of the window's last day.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

ORDINARY = "一般"
SPECIAL = "特别困难"
ANY_CATEGORY = "*"
PERIODS = {"month": "每月", "week": "每周"}
PERIOD_DAYS = {"month": 30, "week": 7}
WEEK_KEY_OFFSET = 1000  # Rule.key: min_visits, +1000 for a weekly rule (decoded in SQL too)
PACE_SCALE = 1000  # Rule.pace: thousandths of a day per visit (integer, exact in SQL)
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
    def key(self) -> int:
        """One integer that encodes the rule (the SQL carries this through subqueries)."""
        return self.min_visits + (WEEK_KEY_OFFSET if self.period == "week" else 0)

    @property
    def pace(self) -> int:
        """Thousandths of a day per required visit, a month counted as 30 days."""
        return PERIOD_DAYS[self.period] * PACE_SCALE // self.min_visits

    @property
    def strictness(self) -> tuple[int, int]:
        """Sort key, smaller = stricter: the higher visit rate, ties → the weekly rule
        (see "The strictest rule" above; the SQL packs the same pair into one integer)."""
        return (self.pace, -self.key)

    @classmethod
    def from_key(cls, key: int) -> "Rule":
        return cls("week", key - WEEK_KEY_OFFSET) if key >= WEEK_KEY_OFFSET else cls("month", key)

    @property
    def label(self) -> str:
        return f"{PERIODS[self.period]}至少{self.min_visits}次"


DEFAULT_RULES: dict[str, Rule] = {ORDINARY: Rule("month", 2), SPECIAL: Rule("week", 1)}

# Configured rules: {(category, difficulty): Rule}; category "*" = all categories.
RuleTable = dict[tuple[str, str], Rule]


def days_overdue(today: dt.date, due: dt.date) -> int:
    return max(0, (today - due).days)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


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
