"""Field validators shared by forms, data_editor saves and imports; return a Chinese error or None."""
from __future__ import annotations

import re
from datetime import date, datetime

# The phone shapes, one place (masking and the registry's table editor use them too):
# a mainland mobile, 11 digits 13x–19x; a landline 区号 (3-4 digits starting 0) - 号码
# (7-8 digits), optional -分机.
MOBILE = r"1[3-9]\d{9}"
LANDLINE = r"0\d{2,3}-\d{7,8}(-\d{1,6})?"
MOBILE_FULL_RE = re.compile(MOBILE)
LANDLINE_RE = re.compile(LANDLINE)
# phone_error's rule as one regex (empty allowed), for st.column_config.TextColumn(validate=…).
PHONE_OR_EMPTY = rf"^({MOBILE}|{LANDLINE})?$"


def phone_error(s) -> str | None:
    if s is None:
        return None
    s = str(s).strip()
    if not s:
        return None
    if MOBILE_FULL_RE.fullmatch(s) or LANDLINE_RE.fullmatch(s):
        return None
    return "联系电话格式不正确（手机号为11位，座机请写成“区号-号码”，如0718-1234567）"


def date_error(d, *, not_before: date | None = None, not_after: date | None = None,
               label: str = "日期") -> str | None:
    if d is None or d == "":
        return None  # whether a date is required is the caller's decision
    if isinstance(d, datetime):
        d = d.date()
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d.strip())
        except ValueError:
            return f"{label}格式不正确，应为YYYY-MM-DD"
    if not isinstance(d, date):
        return f"{label}格式不正确，应为YYYY-MM-DD"
    if not_before is not None and d < not_before:
        return f"{label}不能早于{not_before.isoformat()}"
    if not_after is not None and d > not_after:
        return f"{label}不能晚于{not_after.isoformat()}"
    return None


# Control characters: C0 except tab/LF/CR, DEL and C1. Invisible on screen, refused by
# openpyxl (an export of the whole county would fail on one of them) and unsafe in logs.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The longest free text any form or import may store (agendas, minutes, narratives).
LONG_TEXT_MAX = 20000


def control_error(s, label: str) -> str | None:
    if s is not None and CONTROL_RE.search(str(s)):
        return f"{label}含有不可见的控制字符（如NUL），请删除后重试"
    return None


def without_controls(s: str) -> str:
    """For output only (exports, logs) of values stored before inputs were checked."""
    return CONTROL_RE.sub("", s)


def text_error(s, max_len: int, label: str) -> str | None:
    """The one rule for every free-text input: no control characters, at most `max_len`."""
    if s is None:
        return None
    err = control_error(s, label)
    if err:
        return err
    if len(str(s)) > max_len:
        return f"{label}不能超过{max_len}个字（当前{len(str(s))}个字）"
    return None
