"""PDF on the server with LibreOffice headless: Chinese renders (pages rendered to PNG with
pdftoppm, text read back with pdftotext, fonts listed with pdffonts), a batch converts in one
call, two conversions at once do not collide, and a missing LibreOffice says so in Chinese."""
from __future__ import annotations

import io
import shutil
import subprocess
import threading
import zipfile

import pytest

from areas.documents import builders, pdf
from areas.documents import printing as pr
from db.errors import ServiceError
from tests.conftest import ARTIFACTS, IN_CI
from tests.documents.conftest import PHONE_CHILD, TODAY
from tests.documents.test_documents import REASON, print_rows, run_print


@pytest.fixture(autouse=True)
def _tools():
    missing = [t for t in ("soffice", "pdftoppm", "pdftotext", "pdffonts") if shutil.which(t) is None]
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true requires {missing} (make system-deps)")
        pytest.skip(f"missing {missing}")


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def _render(data: bytes, stem: str) -> list:
    """Each page as a PNG in tests/artifacts (looked at by eye: CJK glyphs, no tofu boxes)."""
    ARTIFACTS.mkdir(exist_ok=True)
    src = ARTIFACTS / f"{stem}.pdf"
    src.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(src), str(ARTIFACTS / stem)], check=True)
    return sorted(ARTIFACTS.glob(f"{stem}*.png"))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_person_file_as_pdf_renders_chinese(world, tmp_path):
    out = run_print(world["engine"], world["actors"]["office"],
                    pr.PrintRequest(pr.PERSON, REASON, person_id=world["child"], fmt=pr.PDF_ONLY, today=TODAY))
    assert out.mime == pr.PDF and out.file_name.endswith(".pdf") and out.data.startswith(b"%PDF")
    text = _pdf_text(out.data, tmp_path)
    for expected in ("一人一档", "档案甲", world["child_id_number"], PHONE_CHILD, "祖母乙", "示范县", "打印人"):
        assert expected in text, expected
    fonts = _fonts(out.data, tmp_path)
    assert "CJK" in fonts  # the Chinese text is set in Noto CJK, embedded
    pages = _render(out.data, "documents_person_file")
    assert pages and all(p.stat().st_size > 5000 for p in pages)
    rows = print_rows(world["engine"])
    assert len(rows) == 1 and "PDF" in rows[0].summary and REASON in rows[0].summary


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_card_and_forms_as_pdf(world, tmp_path):
    for kind, extra, stem, words in (
        (pr.CARD, {"card_id": world["card"]}, "documents_card", ("通报处置卡", "转介", "已劝返复学")),
        (pr.GUARDIAN, {"person_id": world["child"], "guardian_id": world["guardian"]}, "documents_guardian",
         ("委托监护责任确认书", "祖母乙", "签字")),
        (pr.VISIT_FORM, {"village_id": world["ids"]["V11"]}, "documents_visit_form", ("走访记录表", "应访日期")),
    ):
        out = run_print(world["engine"], world["actors"]["office"],
                        pr.PrintRequest(kind, REASON, fmt=pr.BOTH, today=TODAY, **extra))
        with zipfile.ZipFile(io.BytesIO(out.data)) as z:
            names = z.namelist()
            assert sorted(n.rsplit(".", 1)[1] for n in names) == ["docx", "pdf"]
            data = z.read(next(n for n in names if n.endswith(".pdf")))
        text = _pdf_text(data, tmp_path)
        for w in words:
            assert w in text, (kind, w)
        assert _render(data, stem)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_batch_with_pdf_converts_in_one_call(world, monkeypatch):
    calls = []
    real = pdf._run
    monkeypatch.setattr(pdf, "_run", lambda cmd, cwd, timeout: (calls.append(cmd), real(cmd, cwd, timeout)))
    out = run_print(world["engine"], world["actors"]["tw1"],
                    pr.PrintRequest(pr.BATCH, REASON, village_id=world["ids"]["V11"], fmt=pr.BOTH, today=TODAY))
    with zipfile.ZipFile(io.BytesIO(out.data)) as z:
        names = z.namelist()
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["docx", "docx", "pdf", "pdf"]
    assert len(calls) == 1 and sum(a.endswith(".docx") for a in calls[0]) == 2


def test_parallel_conversions_do_not_collide(monkeypatch):
    cmds = []
    real = pdf._run
    monkeypatch.setattr(pdf, "_run", lambda cmd, cwd, timeout: (cmds.append(cmd), real(cmd, cwd, timeout)))
    meta = builders.Meta("示范县", pr.utcnow(), "测试")
    files = {"表.docx": builders.to_bytes(builders.visit_form(meta))}
    results, errors = [], []

    def work():
        try:
            results.append(pdf.convert(files))
        except Exception as e:  # noqa: BLE001 — collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 2
    assert all(list(r) == ["表.pdf"] and r["表.pdf"].startswith(b"%PDF") for r in results)
    profiles = {a for cmd in cmds for a in cmd if a.startswith("-env:UserInstallation=")}
    assert len(profiles) == 2  # each call its own LibreOffice profile


def test_missing_libreoffice_is_said_in_chinese(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert not pdf.available()
    with pytest.raises(ServiceError, match="未安装 LibreOffice"):
        pdf.convert({"a.docx": b"x"})


def test_a_hung_conversion_times_out(monkeypatch, tmp_path):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "soffice", lambda: str(fake))
    with pytest.raises(ServiceError, match="生成 PDF 失败"):
        pdf.convert({"a.docx": b"x"}, timeout=1)
