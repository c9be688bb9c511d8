from datetime import date

import pytest

from core import categories as c


def test_categories_and_children():
    assert len(c.CATEGORIES) == 10
    assert c.CATEGORIES["orphan"] == "孤儿"
    assert c.CHILD_CATEGORIES == {"left_behind_child", "child_in_difficulty", "dropout_child", "orphan"}
    assert set(c.SUBTYPES) <= set(c.CATEGORIES)
    assert c.SUBTYPES["extremely_poor"] == ("分散供养", "集中供养")
    assert "事实无人抚养" in c.SUBTYPES["child_in_difficulty"]


def test_vocabularies():
    assert c.DIFFICULTIES == ("一般", "特别困难")
    assert c.STATUSES == ("在册", "已退出")
    assert c.SERVICE_TYPES == ("生活照料", "精神陪伴", "就业创业指导", "应急救助", "健康保健", "法律援助", "文体活动")
    assert {"年满16周岁", "年满18周岁", "其他"} <= set(c.EXIT_REASONS)


def test_label():
    assert c.label("left_behind_child") == "农村留守儿童"
    assert c.label("unknown") == "unknown"


@pytest.mark.parametrize("text,code", [
    ("农村留守儿童", "left_behind_child"), ("留守儿童", "left_behind_child"),
    ("left_behind_child", "left_behind_child"), (" 困境儿童 ", "child_in_difficulty"),
    ("特困", "extremely_poor"), ("特困人员", "extremely_poor"), ("低保", "subsistence_allowance"),
    ("低保对象", "subsistence_allowance"), ("残疾人", "severe_disability"), ("重度残疾人", "severe_disability"),
    ("空巢老人", "left_behind_elderly"), ("留守老人", "left_behind_elderly"), ("留守妇女", "left_behind_woman"),
    ("孤儿", "orphan"), ("辍学", "dropout_child"), ("监测对象", "poverty_risk"), ("ORPHAN", "orphan"),
])
def test_code_for(text, code):
    assert c.code_for(text) == code


@pytest.mark.parametrize("text", [None, "", "外星人", "儿童"])
def test_code_for_unknown(text):
    assert c.code_for(text) is None


def test_every_label_round_trips():
    for code, lab in c.CATEGORIES.items():
        assert c.code_for(lab) == code and c.code_for(code) == code


TODAY = date(2026, 6, 1)


def born_aged(years: int) -> date:
    return date(TODAY.year - years, TODAY.month, TODAY.day)  # birthday today -> exactly `years`


@pytest.mark.parametrize("age,expect", [(15, None), (16, "年满16周岁"), (17, "年满16周岁"), (18, "年满18周岁")])
def test_exit_left_behind_child(age, expect):
    assert c.exit_proposal("left_behind_child", born_aged(age), TODAY) == expect


def test_exit_day_before_16th_birthday():
    assert c.exit_proposal("left_behind_child", date(2010, 6, 2), TODAY) is None
    assert c.exit_proposal("left_behind_child", date(2010, 6, 1), TODAY) == "年满16周岁"


@pytest.mark.parametrize("cat", ["child_in_difficulty", "dropout_child", "orphan"])
@pytest.mark.parametrize("age,expect", [(15, None), (16, None), (17, None), (18, "年满18周岁"), (30, "年满18周岁")])
def test_exit_other_children(cat, age, expect):
    assert c.exit_proposal(cat, born_aged(age), TODAY) == expect


@pytest.mark.parametrize("cat", ["extremely_poor", "left_behind_elderly", "severe_disability"])
def test_exit_adult_categories(cat):
    assert c.exit_proposal(cat, born_aged(90), TODAY) is None


def test_age_band_bounds():
    assert [c.age_band_bounds(b) for b in ("0-5", "6-11", "12-15", "16-17", "18-59", "60-79", "80+")] == [
        (0, 5), (6, 11), (12, 15), (16, 17), (18, 59), (60, 79), (80, None)]
    # bands tile the ages without gaps or overlaps
    bounds = [c.age_band_bounds(b) for b in c.AGE_BANDS]
    assert all(hi + 1 == nxt[0] for (_, hi), nxt in zip(bounds, bounds[1:]))
    with pytest.raises(ValueError):
        c.age_band_bounds("5-10")
