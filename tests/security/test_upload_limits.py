"""Item 13.14: one size limit per kind of uploaded file (core/uploads.py), said in Chinese on
the page before the upload, refused in Chinese by the service; each uploader's max_upload_size
is its kind's limit (the uploader shows it, issue 20) and server.maxUploadSize the largest of
ours, so that a file within its limit never meets Streamlit's English 413."""
from __future__ import annotations

import ast
import re
import tomllib

import pytest

from core import geo, uploads
from core.excel_safety import UploadLimits, check_upload
from tests.harness import ROOT, app_test

CJK = re.compile(r"[\u4e00-\u9fff]")


def _config():
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))


def test_one_limit_per_kind_and_the_ceiling_is_the_largest():
    assert {k.key for k in uploads.KINDS} == {"ledger", "boundary", "divisions", "roster"}
    assert uploads.CEILING_MB == max(k.max_mb for k in uploads.KINDS)
    assert all(k.max_bytes == k.max_mb * uploads.MB for k in uploads.KINDS)  # whole MB, as Streamlit counts
    # the services read the same numbers, not copies
    assert UploadLimits().max_bytes == uploads.LEDGER.max_bytes
    assert geo.MAX_BYTES == uploads.BOUNDARY.max_bytes


def test_streamlit_server_limit_equals_the_largest_limit():
    assert _config()["server"]["maxUploadSize"] == uploads.CEILING_MB


def test_every_uploader_states_its_limit_and_lets_it_through():
    """Each st.file_uploader in pages/: Streamlit's per-widget limit is its kind's limit (the
    limit the uploader itself shows agrees with the label; within the ceiling, so a file within
    the limit is never refused), and the label and help state the kind's limit."""
    found = 0
    for path in sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "components").glob("*.py")]):
        for call in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "file_uploader":
                found += 1
                kw = {k.arg: ast.unparse(k.value) for k in call.keywords}
                # uploads.hint(uploads.LEDGER), or components/table_upload.py's hint(kind) for its kind
                kind = re.search(r"uploads\.hint\(((?:uploads\.)?\w+)\)", ast.unparse(call.args[0]))
                assert kind, path.name
                assert kw.get("max_upload_size") == f"{kind.group(1)}.max_mb", (path.name, kw)
                assert kw.get("help", "").startswith("uploads.help_text("), path.name
    assert found == 3  # ledger, boundaries, and table_upload's (divisions, accounts, school statistics, rosters)


@pytest.mark.parametrize("kind", uploads.KINDS, ids=lambda k: k.key)
def test_chinese_texts_before_and_after(kind):
    assert uploads.hint(kind) == f"单个文件不超过 {kind.max_mb} MB"
    assert f"{kind.max_mb} MB" in uploads.help_text(kind) and CJK.search(uploads.help_text(kind))
    assert uploads.too_large(kind, kind.max_bytes) is None  # the limit itself is allowed
    msg = uploads.too_large(kind, kind.max_bytes + 1)
    assert msg.startswith("文件过大（") and f"上限为 {kind.max_mb} MB" in msg
    # Chinese apart from the units: no English sentence
    assert not re.search(r"[A-Za-z]{3,}", msg), msg


def test_services_refuse_an_oversize_file_in_chinese():
    ledger = b"a,b\n" * (uploads.LEDGER.max_bytes // 4 + 1)
    assert check_upload("big.csv", ledger) == uploads.too_large(uploads.LEDGER, len(ledger))
    assert check_upload("ok.csv", b"a,b\n" * 10) is None
    with pytest.raises(geo.GeoError) as e:
        geo.parse(b" " * (uploads.BOUNDARY.max_bytes + 1))
    assert str(e.value).startswith(uploads.too_large(uploads.BOUNDARY, uploads.BOUNDARY.max_bytes + 1))


def _uploaders(at):
    """The FileUploader protos the run sent (AppTest has no typed element for them)."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(proto, "DESCRIPTOR", None) is not None \
                and proto.DESCRIPTOR.name == "FileUploader":
            out.append(proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


@pytest.mark.parametrize("username,page,kind", [("office", "import_export", uploads.LEDGER),
                                                ("admin", "regions", uploads.BOUNDARY),
                                                ("admin", "regions", uploads.DIVISIONS),
                                                ("admin", "users", uploads.ROSTER)])
def test_pages_show_the_limit_before_upload(app_db, username, page, kind):
    at = app_test(username, page)
    assert not at.exception, at.exception
    [up] = [u for u in _uploaders(at) if kind.what in u.label or uploads.help_text(kind) == u.help]
    assert uploads.hint(kind) in up.label and up.help == uploads.help_text(kind)
    assert up.max_upload_size_mb == kind.max_mb <= uploads.CEILING_MB
