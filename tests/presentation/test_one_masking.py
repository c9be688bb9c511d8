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
    for folder in ("pages", "components", "db", "core"):
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
    for rel in ("db/exporter.py", "db/meeting_pack.py", "db/audit.py"):
        assert "from core.masking import" in (ROOT / rel).read_text(encoding="utf-8"), rel
