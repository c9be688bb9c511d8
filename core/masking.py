"""The one masking implementation: pages, exports, meeting pack and presentation mode."""
from __future__ import annotations

import re
from typing import Callable

from core.validation import MOBILE_FULL_RE

HIDDEN = "（已隐藏）"

# 17 digits + digit/X, not embedded in a longer digit run.
ID_NUMBER_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
# Mainland mobile, optionally written 138-1234-1234 / 138 1234 1234 or after a +86/86 prefix.
MOBILE_RE = re.compile(r"(?:(?<=86)|(?<!\d))1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")


def _blank(value) -> bool:
    return value is None or value == ""


def mask_name(name):
    if _blank(name):
        return name
    s = str(name)
    if len(s) == 1:
        return "*"
    if len(s) == 2:
        return s[0] + "*"
    return s[0] + "*" * (len(s) - 2) + s[-1]


def mask_staff_label(label):
    """A staff name as lists show it: '邬春清（乡镇干部）' → '邬*清（乡镇干部）', several joined
    by '、' each masked, a placeholder such as '（未落实帮扶责任人）' kept (it names nobody)."""
    if _blank(label):
        return label
    out = []
    for part in str(label).split("、"):
        name, sep, rest = part.partition("（")
        out.append((mask_name(name) if name else name) + sep + rest)
    return "、".join(out)


def _keep_ends(s: str, head: int, tail: int) -> str:
    """`s` with every character but the first `head` and the last `tail` starred; a value
    too short to keep both ends is starred whole."""
    if len(s) <= head + tail:
        return "*" * len(s)
    return s[:head] + "*" * (len(s) - head - tail) + s[len(s) - tail:]


def mask_id_number(value):
    if _blank(value):
        return value
    s = str(value).strip()
    # 18 digits: the region code (6) and the last 4 stay, as on a printed notice.
    return _keep_ends(s, 6, 4) if len(s) == 18 else _keep_ends(s, 2, 2)


def mask_phone(value):
    if _blank(value):
        return value
    s = str(value).strip()
    digits = re.sub(r"[- ]", "", s)
    if MOBILE_FULL_RE.fullmatch(digits):
        return _keep_ends(digits, 3, 4)
    # landline 0718-1234567: the area code stays useful, the number does not leak
    return _keep_ends(s, 4, 2) if len(s) > 6 else "*" * len(s)


def mask_address(value):
    if _blank(value):
        return value
    s = str(value).strip()
    # At most 6 characters (county/township level) and never more than half the text.
    return s[: min(6, len(s) // 2)] + "****"


def hide_text(value):
    """Free text can hold anything (diagnoses, family events): hide it whole."""
    return value if _blank(value) else HIDDEN


PERSONAL_FIELDS: dict[str, Callable] = {
    "name": mask_name,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "address": mask_address,
    "guardian_name": mask_name,
    "guardian_phone": mask_phone,
    "guardian_id_number": mask_id_number,
    "health_situation": hide_text,
    "psychological_situation": hide_text,
    "family_situation": hide_text,
    "living_situation": hide_text,
    "school_situation": hide_text,
    "notes": hide_text,
}


def mask_field(field: str, value):
    fn = PERSONAL_FIELDS.get(field)
    return fn(value) if fn else value


def mask_record(rec: dict) -> dict:
    return {k: mask_field(k, v) for k, v in rec.items()}


def suppress_small(n: int | None, threshold: int = 5) -> str | int | None:
    """Small non-zero counts could identify people; zero discloses nobody."""
    if n is None or n <= 0 or n >= threshold:
        return n
    return f"<{threshold}"


def scrub_text(s: str) -> str:
    """Last-line defence for exports: mask ID and mobile numbers inside free text."""
    if not s:
        return s
    s = ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group()), str(s))
    return MOBILE_RE.sub(lambda m: mask_phone(m.group()), s)
