"""Visit frequency (seed 001): ordinary cases at least 2 visits a month, especially
difficult (特别困难) cases at least 1 visit a week. One place for the rule; the SQL
that finds overdue people takes its parameters from here."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    period: str  # "month" or "week"
    min_visits: int

    @property
    def max_gap_days(self) -> int:
        """Longest allowed gap between two visits that still meets the rule on average."""
        days = 30 if self.period == "month" else 7
        return max(1, days // max(1, self.min_visits))


DEFAULT_RULES: dict[str, Rule] = {"一般": Rule("month", 2), "特别困难": Rule("week", 1)}


def rule_for(difficulty: str, rules: dict[str, Rule] | None = None) -> Rule:
    rules = rules or DEFAULT_RULES
    return rules.get(difficulty, rules["一般"])


def next_due(last_visit: dt.date | None, enrolled_on: dt.date, difficulty: str,
             rules: dict[str, Rule] | None = None) -> dt.date:
    start = last_visit or enrolled_on
    return start + dt.timedelta(days=rule_for(difficulty, rules).max_gap_days)
