"""Pure frequency rule (core/visits.py); every expected value is worked out by hand."""
import datetime as dt

import pytest

from core.visits import (
    DEFAULT_RULES, Rule, month_compliance, next_due, required_in_month, resolve, rule_error,
)

D = dt.date


def test_default_rule_is_seed_001():
    assert DEFAULT_RULES["一般"] == Rule("month", 2)
    assert DEFAULT_RULES["特别困难"] == Rule("week", 1)
    assert DEFAULT_RULES["一般"].interval_days == 15
    assert DEFAULT_RULES["特别困难"].interval_days == 7


@pytest.mark.parametrize(
    "last, difficulty, expected",
    [
        (D(2026, 1, 25), "一般", D(2026, 2, 9)),  # across a month boundary
        (D(2025, 12, 20), "一般", D(2026, 1, 4)),  # across a year boundary
        (D(2026, 2, 25), "一般", D(2026, 3, 12)),  # February has 28 days
        (D(2026, 1, 28), "特别困难", D(2026, 2, 4)),  # weekly across a month boundary
        (D(2026, 2, 26), "特别困难", D(2026, 3, 5)),
    ],
)
def test_next_due_across_boundaries(last, difficulty, expected):
    assert next_due(last, D(2025, 1, 1), difficulty) == expected


def test_next_due_without_visit_counts_from_enrolment():
    assert next_due(None, D(2026, 1, 17), "一般") == D(2026, 2, 1)


@pytest.mark.parametrize(
    "last, raised, expected",
    [
        (D(2026, 1, 1), D(2026, 1, 20), D(2026, 1, 16)),  # already due before the raise: stays
        (D(2026, 1, 10), D(2026, 1, 12), D(2026, 1, 19)),  # raise brings the date forward
        (D(2026, 1, 10), D(2026, 1, 5), D(2026, 1, 17)),  # raised earlier: weekly from the last visit
    ],
)
def test_next_due_after_high_risk_raise(last, raised, expected):
    assert next_due(last, D(2025, 1, 1), "一般", raised_on=raised) == expected


def test_full_month_ordinary_counts_only_visits_inside_the_month():
    # February 2026: two visits needed; Jan 31 and Mar 1 are outside the month.
    assert month_compliance([D(2026, 1, 31), D(2026, 2, 1)], 2026, 2, D(2025, 1, 1), "一般") is False
    assert month_compliance([D(2026, 2, 1), D(2026, 2, 28)], 2026, 2, D(2025, 1, 1), "一般") is True
    assert month_compliance([D(2026, 2, 27), D(2026, 3, 1)], 2026, 2, D(2025, 1, 1), "一般") is False


@pytest.mark.parametrize("year, month, req", [(2026, 1, 4), (2026, 2, 4), (2026, 4, 4), (2024, 2, 4)])
def test_weekly_rule_needs_four_visits_in_any_whole_month(year, month, req):
    assert required_in_month(year, month, D(2020, 1, 1), "特别困难") == req


def test_weekly_rule_compliance():
    four = [D(2026, 1, 2), D(2026, 1, 9), D(2026, 1, 16), D(2026, 1, 23)]
    assert month_compliance(four, 2026, 1, D(2025, 1, 1), "特别困难") is True
    assert month_compliance(four[:3], 2026, 1, D(2025, 1, 1), "特别困难") is False
    # the week of Dec 29 – Jan 4 straddles the boundary: a Dec 30 visit does not count for January
    assert month_compliance([D(2025, 12, 30)] + four[1:], 2026, 1, D(2025, 1, 1), "特别困难") is False


@pytest.mark.parametrize(
    "enrolled, difficulty, req",
    [
        (D(2026, 1, 16), "一般", 1),  # 16 days: 2*16//31 = 1 (due by Jan 31 = enrolled + 15)
        (D(2026, 1, 17), "一般", 0),  # 15 days: 2*15//31 = 0 — first due Feb 1, not counted in Jan
        (D(2026, 1, 20), "特别困难", 1),  # 12 days: 12//7 = 1
        (D(2026, 1, 26), "特别困难", 0),  # 6 days
        (D(2026, 1, 1), "一般", 2),
        (D(2026, 2, 1), "一般", 0),  # enrolled after the month
    ],
)
def test_person_enrolled_mid_month(enrolled, difficulty, req):
    assert required_in_month(2026, 1, enrolled, difficulty) == req


def test_enrolled_mid_month_compliance_counts_only_the_window():
    # enrolled Jan 16: one visit needed between Jan 16 and Jan 31
    assert month_compliance([D(2026, 1, 20)], 2026, 1, D(2026, 1, 16), "一般") is True
    assert month_compliance([D(2026, 1, 10)], 2026, 1, D(2026, 1, 16), "一般") is False
    assert month_compliance([], 2026, 1, D(2026, 1, 17), "一般") is None  # not yet due


@pytest.mark.parametrize(
    "raised, req",
    [
        (D(2026, 1, 15), 2),  # 14 days ordinary: 2*14//31 = 0; 17 days weekly: 2
        (D(2026, 1, 8), 3),  # 7 days: 0; 24 days: 3
        (D(2026, 1, 20), 2),  # 19 days: 38//31 = 1; 12 days: 1
        (D(2026, 1, 1), 4),  # the whole month weekly
        (D(2025, 11, 3), 4),  # raised before the month
        (D(2026, 2, 2), 2),  # after the month: ordinary all January
    ],
)
def test_difficulty_change_mid_month(raised, req):
    assert required_in_month(2026, 1, D(2025, 1, 1), "一般", raised_on=raised) == req


def test_difficulty_change_mid_month_compliance():
    # raised Jan 15: 2 visits needed in the month; visits before the raise count too
    assert month_compliance([D(2026, 1, 3), D(2026, 1, 20)], 2026, 1, D(2025, 1, 1), "一般",
                            raised_on=D(2026, 1, 15)) is True
    assert month_compliance([D(2026, 1, 20)], 2026, 1, D(2025, 1, 1), "一般", raised_on=D(2026, 1, 15)) is False


def test_exited_person_not_counted_in_the_month_of_exit():
    assert required_in_month(2026, 1, D(2025, 1, 1), "一般", exited_on=D(2026, 1, 20)) == 0
    assert required_in_month(2026, 1, D(2025, 1, 1), "一般", exited_on=D(2026, 2, 3)) == 2


def test_strictest_category_rule_wins():
    table = {("extremely_poor", "一般"): Rule("month", 4), ("*", "一般"): Rule("month", 3)}
    assert resolve(["left_behind_child"], "一般", table) == Rule("month", 3)
    assert resolve(["left_behind_child", "extremely_poor"], "一般", table) == Rule("month", 4)
    assert resolve([], "一般", table) == Rule("month", 3)
    assert resolve(["extremely_poor"], "特别困难", table) == Rule("week", 1)
    # a laxer category rule applies to a person holding only that category
    lax = {("left_behind_woman", "一般"): Rule("month", 1)}
    assert resolve(["left_behind_woman"], "一般", lax) == Rule("month", 1)
    assert resolve(["left_behind_woman", "orphan"], "一般", lax) == Rule("month", 2)


def test_rule_key_round_trip_and_validation():
    for r in (Rule("month", 2), Rule("week", 1), Rule("week", 3), Rule("month", 31)):
        assert Rule.from_key(r.key) == r
    assert rule_error("*", "一般", "month", 0)
    assert rule_error("*", "一般", "week", 8)
    assert rule_error("*", "其他", "month", 2)
    assert rule_error("*", "一般", "month", 2) is None
