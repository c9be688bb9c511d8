import re
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"


def test_core_imports_no_ui_or_db():
    pattern = re.compile(r"^\s*(import|from)\s+(streamlit|sqlalchemy)\b", re.M)
    files = list(CORE.glob("*.py"))
    assert files
    assert [f.name for f in files if pattern.search(f.read_text("utf-8"))] == []
