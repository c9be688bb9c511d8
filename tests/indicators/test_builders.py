"""Every indicator of core/indicators.py has exactly one numerator/denominator builder in
areas/indicators/reads.py, and every builder belongs to a defined indicator."""
from __future__ import annotations

import datetime as dt

import pytest

from areas.indicators import reads as q
from core import indicators as ci


def test_one_builder_per_indicator_and_no_other():
    assert sorted(q.BUILDERS) == sorted(ci.CODES)


def test_a_second_builder_for_a_code_is_refused():
    with pytest.raises(ValueError, match="helper_rate"):
        q.builder("helper_rate")(lambda per: None)
    assert q.BUILDERS["helper_rate"].__name__ == "_helper_rate"  # the first one stays


def test_a_builder_for_an_undefined_indicator_is_refused():
    with pytest.raises(KeyError):
        q.builder("no_such_indicator")
    assert "no_such_indicator" not in q.BUILDERS


@pytest.mark.parametrize("code", ci.CODES)
def test_builder_counts_what_the_definition_says(code):
    """The builder's kind of count matches the definition's basis, so drill-down and
    complement (which follow the basis) can use it; village breakdowns only where defined."""
    ind = ci.get(code)
    spec = q.build(code, ci.period("2025-03", today=dt.date(2025, 3, 20)))
    assert spec.basis == ind.basis
    if ind.village_breakdown:
        assert isinstance(spec, (q.PeopleCount, q.VillagePost))
    if ind.county_only:
        assert isinstance(spec, q.TasksOnTime)


def test_build_an_unknown_code_names_it_in_chinese():
    with pytest.raises(KeyError, match="未知指标"):
        q.build("no_such_indicator", ci.period("2025-03"))
