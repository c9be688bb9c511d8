"""Person categories and registry vocabularies (DESIGN.md §3)."""
from __future__ import annotations

from datetime import date

from .idnumber import age_on

CATEGORIES: dict[str, str] = {
    "left_behind_child": "农村留守儿童",
    "child_in_difficulty": "困境儿童",
    "dropout_child": "辍学失学儿童",
    "orphan": "孤儿",
    "extremely_poor": "特困人员",
    "left_behind_elderly": "留守老人",
    "left_behind_woman": "留守妇女",
    "severe_disability": "重度残疾人",
    "subsistence_allowance": "低保对象",
    "poverty_risk": "易返贫致贫户",
}

SUBTYPES: dict[str, tuple[str, ...]] = {
    "child_in_difficulty": ("经济困难", "残疾", "人身安全缺失", "事实无人抚养", "患大病", "受侵害"),
    "extremely_poor": ("分散供养", "集中供养"),
    "severe_disability": ("一级", "二级"),
    "left_behind_elderly": ("留守", "空巢"),
}

CHILD_CATEGORIES = frozenset({"left_behind_child", "child_in_difficulty", "dropout_child", "orphan"})
# A child category ends by age: every one at 18, 农村留守儿童 already at 16 (exit_proposal).
CHILD_AGE_LIMIT = 18
LEFT_BEHIND_AGE_LIMIT = 16

# Names townships actually write in their ledgers (001 附件2 人员类别 column).
_ALIASES = {
    "留守儿童": "left_behind_child",
    "农村留守": "left_behind_child",
    "困境": "child_in_difficulty",
    "辍学儿童": "dropout_child",
    "失学儿童": "dropout_child",
    "辍学": "dropout_child",
    "特困": "extremely_poor",
    "特困供养": "extremely_poor",
    "特困供养人员": "extremely_poor",
    "五保户": "extremely_poor",
    "留守老年人": "left_behind_elderly",
    "空巢老人": "left_behind_elderly",
    "留守空巢老人": "left_behind_elderly",
    "农村留守老人": "left_behind_elderly",
    "农村留守妇女": "left_behind_woman",
    "残疾人": "severe_disability",
    "重度残疾": "severe_disability",
    "一二级残疾人": "severe_disability",
    "一、二级残疾人": "severe_disability",
    "低保": "subsistence_allowance",
    "低保户": "subsistence_allowance",
    "易返贫致贫": "poverty_risk",
    "监测对象": "poverty_risk",
    "防返贫监测对象": "poverty_risk",
}
_LOOKUP = {**{v: k for k, v in CATEGORIES.items()}, **_ALIASES, **{k: k for k in CATEGORIES}}

DIFFICULTIES = ("一般", "特别困难")
# Person.status. 退出 keeps the file (nothing is deleted), so 在册 alone says "in the registry now".
ACTIVE, EXITED = "在册", "已退出"
STATUSES = (ACTIVE, EXITED)
EXIT_REASONS = ("年满16周岁", "年满18周岁", "父母返乡", "死亡", "迁出", "脱贫", "其他")
SERVICE_TYPES = ("生活照料", "精神陪伴", "就业创业指导", "应急救助", "健康保健", "法律援助", "文体活动")

AGE_BANDS = ("0-5", "6-11", "12-15", "16-17", "18-59", "60-79", "80+")


def label(code: str) -> str:
    return CATEGORIES.get(code, code)


def code_for(label_or_code) -> str | None:
    if label_or_code is None:
        return None
    key = "".join(str(label_or_code).split())  # ledgers often carry stray spaces
    return _LOOKUP.get(key) or _LOOKUP.get(key.lower())


def exit_proposal(category: str, birth: date, today: date) -> str | None:
    """Suggested exit reason when a child ages out; staff confirm, nothing exits by itself."""
    if category not in CHILD_CATEGORIES:
        return None
    age = age_on(birth, today)
    if age >= CHILD_AGE_LIMIT:
        return f"年满{CHILD_AGE_LIMIT}周岁"
    if category == "left_behind_child" and age >= LEFT_BEHIND_AGE_LIMIT:
        return f"年满{LEFT_BEHIND_AGE_LIMIT}周岁"
    return None


def age_band_bounds(band: str) -> tuple[int | None, int | None]:
    """Inclusive (min_age, max_age); None means open-ended."""
    if band not in AGE_BANDS:
        raise ValueError(f"unknown age band: {band!r}")
    if band.endswith("+"):
        return int(band[:-1]), None
    lo, hi = band.split("-")
    return int(lo), int(hi)
