"""The frequency rule of core/visits.py in plain Python (the test oracle of
tests/care/visit_oracle.py, which test_visit_rule_grid.py checks against the SQL);
every expected value is worked out by hand."""
import datetime as dt
from fractions import Fraction

import pytest

from core.visits import DEFAULT_RULES, MAX_MIN_VISITS, Rule, rule_error
from tests.care.visit_oracle import month_compliance, next_due, required_in_month, resolve, resolved

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


@pytest.mark.parametrize("month, week, required", [(9, 2, 9), (15, 3, 15)])
def test_two_categories_the_rule_asking_most_visits_binds(month, week, required):
    # issue 12: 每月9次 + 每周2次 → 9 visits (2 a week is only 8 in any month); 每月15次 + 每周3次 → 15
    table = {("a", "一般"): Rule("month", month), ("b", "一般"): Rule("week", week)}
    assert resolve(["a", "b"], "一般", table) == resolve(["b", "a"], "一般", table) == Rule("month", month)
    rules = resolved(["a", "b"], table)
    for year, m in ((2026, 1), (2026, 2), (2026, 4)):
        assert required_in_month(year, m, D(2020, 1, 1), "一般", rules) == required
        assert required >= Rule("week", week).min_visits * (31 if m == 1 else 30 if m == 4 else 28) // 7


def _all_rules():
    return [Rule("month", n) for n in range(1, MAX_MIN_VISITS + 1)] + [Rule("week", k) for k in range(1, 8)]


def test_strictness_orders_by_visit_rate_with_ties_to_the_weekly_rule():
    # strictness = thousandths of a day per visit (month = 30 days): the same order as the
    # exact rate min_visits / period days; equal only for the same rule or 每月30次 / 每周7次
    rate = {r: Fraction(r.min_visits, 30 if r.period == "month" else 7) for r in _all_rules()}
    for a in _all_rules():
        for b in _all_rules():
            if rate[a] != rate[b]:
                assert (a.strictness < b.strictness) == (rate[a] > rate[b]), (a, b)
            elif a != b:
                assert a.pace == b.pace and {a, b} == {Rule("month", 30), Rule("week", 7)}
    assert min(Rule("month", 30), Rule("week", 7), key=lambda r: r.strictness) == Rule("week", 7)
