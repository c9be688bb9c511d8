"""Risk assessment rounds (seed 002: 每年两次，3月份一次，9月份一次)."""
from __future__ import annotations

import datetime as dt

LEVELS = ("低", "中", "高")
# A 高 assessment raises the person to 特别困难 (weekly visits) until a later one is not 高 (core/visits.py).
HIGH = LEVELS[-1]
ROUND_MONTHS = (3, 9)


def suggest_period(today: dt.date) -> str:
    """The round in force on a date, which is the one a user most likely means today: the
    latest March/September not in the future. The indicators count assessments against it
    (core.indicators.assessment_round)."""
    if today.month >= 9:
        return f"{today.year}-09"
    if today.month >= 3:
        return f"{today.year}-03"
    return f"{today.year - 1}-09"


def period_label(period: str) -> str:
    year, month = period.split("-")
    return f"{year}年{'上半年（3月）' if month == '03' else '下半年（9月）'}"
