"""GB 11643-1999 citizen ID numbers (居民身份证号码): check digit, validation, derivation."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"  # indexed by (weighted sum mod 11)

# Full-width digits and x/X as typed with a Chinese IME.
_FULLWIDTH = {ord("０") + i: str(i) for i in range(10)} | {ord("ｘ"): "X", ord("Ｘ"): "X"}
# What Excel shows after turning a long number into a float, e.g. 1.10105E+17.
_SCI_RE = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_WS_RE = re.compile(r"\s+")
_CHARS_RE = re.compile(r"\d*[\dX]")  # digits, X allowed only as the last character


def check_digit(first17: str) -> str:
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("first17 must be 17 digits")
    return _CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def normalize(raw) -> str:
    """Whitespace and full-width forms only; never guesses missing digits."""
    if raw is None:
        return ""
    if isinstance(raw, float):
        # Keep the float shape visible so validate() can name the Excel problem.
        return repr(raw).upper()
    # \s also covers the full-width space U+3000.
    return _WS_RE.sub("", str(raw)).translate(_FULLWIDTH).replace("x", "X")


@dataclass(frozen=True)
class IdCheck:
    ok: bool
    value: str
    error: str | None


def _birth(s: str) -> date | None:
    try:
        return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return None


def validate(raw, *, today: date | None = None) -> IdCheck:
    s = normalize(raw)

    def bad(msg: str) -> IdCheck:
        return IdCheck(False, s, msg)

    if not s:
        return bad("身份证号码为空")
    if isinstance(raw, float) or _SCI_RE.match(s):
        return bad("身份证号码被Excel转成了科学计数法，请将该列设为文本格式后重新填写")
    if len(s) == 15 and s.isdigit():
        return bad("15位旧身份证号码，请换成18位号码")
    if not _CHARS_RE.fullmatch(s):
        return bad("身份证号码含有非法字符")
    if len(s) != 18:
        return bad(f"身份证号码应为18位（当前{len(s)}位）")
    birth = _birth(s)
    if birth is None or birth.year < 1900:
        return bad("身份证号码中的出生日期无效")
    if birth > (today or date.today()):
        return bad("身份证号码中的出生日期无效（晚于今天）")
    expected = check_digit(s[:17])
    if s[17] != expected:
        return bad(f"身份证号码校验位错误（应为{expected}）")
    return IdCheck(True, s, None)


def derive(id18: str) -> tuple[str, date]:
    """(gender, birth date) of an already validated 18-digit number."""
    birth = _birth(id18)
    if birth is None:
        raise ValueError("invalid birth date in ID number")
    return ("男" if int(id18[16]) % 2 else "女"), birth


def make(region6: str, birth: date, seq3: int, gender: str) -> str:
    """Valid ID for demo data; the sequence's last digit is bumped to match gender."""
    if len(region6) != 6 or not region6.isdigit():
        raise ValueError("region6 must be 6 digits")
    if not 0 <= seq3 <= 999:
        raise ValueError("seq3 must be in 0..999")
    if gender not in ("男", "女"):
        raise ValueError("gender must be 男 or 女")
    want_odd = gender == "男"
    if (seq3 % 2 == 1) != want_odd:
        seq3 = seq3 - 1 if seq3 % 2 else seq3 + 1  # stays within 0..999
    first17 = f"{region6}{birth:%Y%m%d}{seq3:03d}"
    return first17 + check_digit(first17)


def age_on(birth: date, on: date) -> int:
    """Completed years (周岁)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def born_by(on: date, years: int) -> date:
    """The latest birth date of someone at least `years` old on `on`, so that in SQL
    `birth_date <= born_by(on, n)` says exactly `age_on(birth_date, on) >= n`."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 Feb in a non-leap target year: a 29 Feb child is n on 1 March
        return on.replace(year=on.year - years, day=28)
