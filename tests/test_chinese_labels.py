"""Issue 20 item 6, the pieces the browser walk cannot see: the data grid paints its cells on a
canvas, so "—" for an empty cell is held by components/tables.py being the one way to draw a
table; and components/zh.py translates texts that must still be Streamlit's own (an upgrade
that rewords one is noticed here)."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import streamlit

from components import tables, zh
from core import uploads
from core.excel_safety import UploadLimits, check_upload
from tests.harness import ROOT

_FRONTEND = Path(streamlit.__file__).parent / "static" / "static" / "js"


def test_every_table_goes_through_the_table_helper():
    direct = []
    for path in sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "components").glob("*.py")]):
        if path.name == "tables.py":
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if re.search(r"\bst\.(dataframe|data_editor)\(", line):
                direct.append(f"{path.relative_to(ROOT)}:{n}")
    assert direct == [], "call components.tables.dataframe / data_editor instead: " + ", ".join(direct)


def test_the_helper_shows_empty_cells_as_a_dash(monkeypatch):
    seen = {}
    monkeypatch.setattr(tables.st, "dataframe", lambda data, **kw: seen.update(kw))
    tables.dataframe(pd.DataFrame({"a": [None]}), hide_index=True)
    assert seen["placeholder"] == tables.EMPTY == "—"
    monkeypatch.setattr(tables.st, "data_editor", lambda data, **kw: seen.update(editor=kw))
    tables.data_editor(pd.DataFrame({"a": [None]}))
    assert seen["editor"]["placeholder"] == "—"


def test_translated_texts_are_streamlits_own():
    """Each text zh.py rewrites occurs in the installed Streamlit frontend (so the rewrite still
    matches), and each replacement is Chinese."""
    bundle = "\n".join(p.read_text("utf-8", errors="replace") for p in _FRONTEND.glob("*.js"))
    missing = [t for t in zh.TEXTS if f"`{t}`" not in bundle and f'"{t}"' not in bundle]
    assert missing == [], missing
    for source in ("per file", "or smaller.", "files are not allowed.", "matches"):
        assert source in bundle, source
    assert all(re.search(r"[\u4e00-\u9fff]", v) for v in zh.TEXTS.values())
    assert "unsafe_allow_javascript" not in zh.script() and "__TEXTS__" not in zh.script()


def test_uploader_limit_line_reads_as_the_kind_limit():
    """The uploader writes "<max_upload_size>MB per file"; with the page's per-kind limit the
    rewritten line is the same sentence as core.uploads.hint."""
    [(pattern, to)] = [p for p in zh.PATTERNS if "per file" in p[0]]
    for kind in uploads.KINDS:
        shown = re.sub(pattern, to.replace("$", "\\"), f"{kind.max_mb}MB per file")
        assert shown == uploads.hint(kind)


def test_sizes_are_rounded():
    """A zip bomb's refusal said "文件解压后过大（57.00718MB）": sizes are said as people read them."""
    assert uploads.size_text(int(7.00718 * uploads.MB)) == "7.0 MB"
    lim = UploadLimits(max_uncompressed=1000)
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "x" * 5000)
        z.writestr("xl/worksheets/sheet1.xml", "<dimension ref=\"A1:B2\"/>" + "y" * 5000)
    err = check_upload("a.xlsx", buf.getvalue(), lim)
    assert err and err.startswith("文件解压后过大"), err
    assert not re.search(r"\d+\.\d{3,}", err), err
