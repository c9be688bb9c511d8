"""One masking implementation (core/masking.py): no other module builds masked values itself."""
import re

from tests.harness import ROOT

# What a hand-rolled mask looks like: the hidden-text marker, or asterisks glued to a slice.
# (Validation regexes for phone numbers are not masking and are allowed.)
PATTERNS = [
    re.compile(r"（已隐藏）"),
    re.compile(r"\]\s*\+\s*\"\*+"),           # s[:3] + "****"
    re.compile(r"\"\*\"\s*\*\s*"),            # "*" * n
]


def test_no_second_masking_implementation():
    offenders = []
    for folder in ("pages", "components", "db", "core", "areas", "tools"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ("core/masking.py", "core/idnumber.py") or "/migrations/" in rel:
                continue
            src = path.read_text(encoding="utf-8")
            for pat in PATTERNS:
                for m in pat.finditer(src):
                    line = src.count("\n", 0, m.start()) + 1
                    offenders.append(f"{rel}:{line}: {m.group()}")
    assert offenders == [], "\n".join(offenders)


def test_exports_and_meeting_pack_use_core_masking():
    for rel in ("areas/registry/exporter.py", "areas/meetings/pack.py", "db/audit.py"):
        src = (ROOT / rel).read_text(encoding="utf-8")
        assert "from core.masking import" in src or "from core import visibility" in src, rel


# A read deciding masking itself: a field mask called directly, or the old `show` switch.
SELF_MASKING = re.compile(
    r"\b(mask_(?:name|id_number|phone|address|staff_label|field|record)|hide_text)\b"
    r"|\bif\s+(?:not\s+)?show\b|\bshow\s*=\s*actor\.sees_personal_data|sees_personal_data\s+else\b"
)


def test_reads_mask_only_through_the_visibility_policy():
    """Every query result is masked by core/visibility.py (the field policy); no per-column
    `x if show else mask_name(x)` left in areas/, components/, pages/ or tools/. db/audit.py
    masks what it stores, for everyone, and keeps its own call."""
    offenders = []
    for folder in ("areas", "components", "pages", "tools", "db", "core"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ("core/masking.py", "core/visibility.py", "db/audit.py"):
                continue
            src = path.read_text(encoding="utf-8")
            for m in SELF_MASKING.finditer(src):
                offenders.append(f"{rel}:{src.count(chr(10), 0, m.start()) + 1}: {m.group()}")
    assert offenders == [], "\n".join(offenders)


def test_the_self_masking_check_fires():
    for line in ('"姓名": name if show else mask_name(name),', "df['联系电话'].map(mask_phone)",
                 "show = actor.sees_personal_data", "x if actor.sees_personal_data else y", "hide(f) if not show"):
        assert SELF_MASKING.search(line), line
    assert not SELF_MASKING.search("df = visibility.apply(df, actor)")
