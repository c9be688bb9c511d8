"""School statistics (学年统计表): per school year, township and level, 在校生 and 辍学 — the
inputs of the two 辍学率 indicators (core/indicators.py). Pure checks shared by the form and
the Excel import."""
from __future__ import annotations

import re

LEVELS = ("小学", "初中")
_YEAR = re.compile(r"(\d{4})\s*[-－—~至/]\s*(\d{4})(?:学年)?")


def school_year(raw) -> tuple[str | None, str | None]:
    """(YYYY-YYYY, reason): "2025-2026", "2025—2026学年", "2025/2026" are one school year."""
    m = _YEAR.fullmatch(str(raw or "").strip())
    if not m:
        return None, f"学年应写作“2025-2026”，而不是「{str(raw or '').strip()[:20]}」"
    a, b = int(m.group(1)), int(m.group(2))
    if b != a + 1 or not 2000 <= a <= 2100:
        return None, f"学年「{raw}」的两个年份应相邻，如 2025-2026"
    return f"{a}-{b}", None


def current_school_year(today) -> str:
    """The school year a date falls in (it starts on 1 September)."""
    a = today.year if today.month >= 9 else today.year - 1
    return f"{a}-{a + 1}"


def counts(enrolled, dropouts) -> tuple[tuple[int, int] | None, list[str]]:
    """(在校生, 辍学) as whole numbers, or the reasons they are not acceptable."""
    out, errors = [], []
    for label, raw in (("在校生数", enrolled), ("辍学人数", dropouts)):
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        s = str(raw).strip() if raw is not None else ""
        if not s.isdigit():
            errors.append(f"{label}应为不小于0的整数，而不是「{s[:12]}」" if s else f"{label}为空")
        else:
            out.append(int(s))
    if not errors and out[1] > out[0]:
        errors.append(f"辍学人数（{out[1]}）不能多于在校生数（{out[0]}）")
    return (tuple(out) if not errors else None), errors
