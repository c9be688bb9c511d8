"""Word → PDF on the server, offline: LibreOffice headless (Debian's libreoffice-writer-nogui).

One soffice call converts a whole batch (starting LibreOffice costs seconds, a page far
less). Each call gets its own user profile (-env:UserInstallation): two conversions sharing
the default profile block or fail on its lock, and the server may convert for several users
at once. The Chinese text needs fonts-noto-cjk (the builders name Noto CJK SC).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from db.errors import ServiceError

# LibreOffice starts in seconds and converts a file in about a second (100 files: ~130 s on the
# shared 2-core test machine): the time allowed grows with the batch.
TIMEOUT_BASE_S, TIMEOUT_PER_FILE_S = 60, 5
MISSING = ("服务器未安装 LibreOffice，无法生成 PDF，请下载 Word 版本，或请系统管理员安装 "
           "libreoffice-writer-nogui（见 README 的安装说明）。")
FAILED = "生成 PDF 失败（LibreOffice 转换出错或超时），请稍后重试或下载 Word 版本。"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def _run(cmd: list[str], cwd: str, timeout: float) -> None:
    """Run soffice in its own process group: on a timeout the whole group goes (soffice is a
    script that starts soffice.bin, which a plain kill of the child would leave running)."""
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                                start_new_session=True)
    except OSError as e:
        raise ServiceError(FAILED) from e
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired as e:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise ServiceError(FAILED) from e
    if code != 0:
        raise ServiceError(FAILED)


def convert(files: dict[str, bytes], timeout: float | None = None) -> dict[str, bytes]:
    """{name.docx: bytes} → {name.pdf: bytes}, in one LibreOffice run."""
    exe = soffice()
    if exe is None:
        raise ServiceError(MISSING)
    if not files:
        return {}
    with tempfile.TemporaryDirectory(prefix="caredesk-pdf-") as tmp:
        root = Path(tmp)
        src, out = root / "in", root / "out"
        src.mkdir()
        paths = []
        for i, (name, data) in enumerate(files.items()):
            # ASCII names on disk (LibreOffice and the locale need not agree on encodings)
            path = src / f"{i:05d}.docx"
            path.write_bytes(data)
            paths.append(path)
        cmd = [exe, f"-env:UserInstallation={(root / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out), *map(str, paths)]
        _run(cmd, tmp, timeout or TIMEOUT_BASE_S + TIMEOUT_PER_FILE_S * len(files))
        result = {}
        for (name, _), path in zip(files.items(), paths):
            pdf = out / (path.stem + ".pdf")
            if not pdf.exists():
                raise ServiceError(FAILED)
            result[str(Path(name).with_suffix(".pdf"))] = pdf.read_bytes()
        return result
