"""Spreadsheet safety: formula-injection escaping on export, upload checks before parsing.

openpyxl does not defend against zip/XML bombs by itself (DESIGN.md §8), so an upload is
checked from the zip directory alone before anything is decompressed or parsed.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from core import uploads

# OWASP CSV injection: these leading characters make Excel/WPS evaluate the cell.
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """A text the spreadsheet would evaluate gets an apostrophe in front; so does a text that
    already starts with one, so that unescape_cell can tell the two apart."""
    if isinstance(value, str) and value.startswith(_FORMULA_LEADS + ("'",)):
        return "'" + value
    return value


def unescape_cell(value):
    """escape_cell's inverse, for a re-imported export: unescape_cell(escape_cell(v)) == v."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_FORMULA_LEADS + ("'",)):
        return value[1:]
    return value


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = uploads.LEDGER.max_bytes  # the size limit lives in core/uploads.py
    max_rows: int = 20000
    max_sheets: int = 20
    max_uncompressed: int = 50 * 1024 * 1024
    max_entries: int = 200
    max_ratio: int = 100  # deflate of real sheets stays far below this; bombs go far above


_SHEET_RE = re.compile(r"xl/worksheets/sheet\d*\.xml")
_DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls and password-protected .xlsx
_NOT_XLSX = "文件不是有效的Excel(.xlsx)文件，请用Excel或WPS另存为.xlsx后再上传"


def check_upload(filename: str, data: bytes, limits: UploadLimits | None = None,
                 kind: uploads.UploadKind = uploads.LEDGER) -> str | None:
    """Chinese error message, or None when the file may be handed to the parser."""
    lim = limits or UploadLimits(max_bytes=kind.max_bytes)
    if not data:
        return "文件为空"
    too_large = uploads.too_large(kind, len(data), lim.max_bytes)
    if too_large:
        return too_large
    ext = PurePath(filename or "").suffix.lower()
    if ext == ".xls":
        return "不支持旧版.xls文件，请用Excel或WPS另存为.xlsx后再上传"
    if ext not in (".xlsx", ".csv"):
        return "只支持上传.xlsx或.csv文件"
    if ext == ".csv":
        return _check_csv(data, lim)
    return _check_xlsx(data, lim)


def _check_csv(data: bytes, lim: UploadLimits) -> str | None:
    if b"\x00" in data:
        return "文件不是文本格式的CSV"
    try:
        text = decode_csv(data)
    except ValueError as e:
        return str(e)
    rows = len(text.splitlines()) - 1  # header
    if rows > lim.max_rows:
        return f"数据行数过多（{rows}行），上限为{lim.max_rows}行，请分批导入"
    return None


def _check_xlsx(data: bytes, lim: UploadLimits) -> str | None:
    if data.startswith(_OLE_MAGIC):
        return "文件已设置打开密码或是旧版.xls格式，请取消密码并另存为.xlsx后再上传"
    if not data.startswith(b"PK"):
        return _NOT_XLSX
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return _NOT_XLSX
    with zf:
        if len(infos) > lim.max_entries:
            return f"文件内部结构异常（包含{len(infos)}个部件，上限{lim.max_entries}），拒绝处理"
        total = sum(i.file_size for i in infos)
        if total > lim.max_uncompressed:
            return f"文件解压后过大（{uploads.size_text(total)}），上限为 {uploads.size_text(lim.max_uncompressed)}"
        for i in infos:
            if i.file_size > lim.max_ratio * max(i.compress_size, 1):
                return "文件压缩比异常，疑似压缩炸弹，拒绝处理"
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            return _NOT_XLSX
        sheets = [n for n in names if _SHEET_RE.fullmatch(n)]
        if len(sheets) > lim.max_sheets:
            return f"工作表过多（{len(sheets)}个），上限为{lim.max_sheets}个"
        rows = 0
        for name in sheets:
            try:
                with zf.open(name) as f:
                    head = f.read(4096)  # the <dimension> element sits near the top
            except (zipfile.BadZipFile, OSError, RuntimeError):
                return _NOT_XLSX  # RuntimeError: encrypted entry
            m = _DIMENSION_RE.search(head)
            if m and m.group(1):
                rows = max(rows, int(m.group(1)) - 1)
        if rows > lim.max_rows:
            return f"数据行数过多（{rows}行），上限为{lim.max_rows}行，请分批导入"
    return None


def decode_csv(data: bytes) -> str:
    """Excel writes UTF-8 with BOM or, on Chinese Windows, GBK; gb18030 is GBK's superset."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError("无法识别文件编码，请另存为UTF-8或GBK编码的CSV")


def sheet_bytes(title: str, header: list, rows: list, text_columns: str = "") -> bytes:
    """A one-sheet .xlsx (templates, the one-time password list): the header, then the rows.
    Text stays text — openpyxl would store a value starting with "=" as a formula — and the
    `text_columns` (letters) are formatted as text, so Excel shows a 12-digit code as typed."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for values in (header, *rows):
        ws.append(list(values))
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for col in text_columns:
        ws.column_dimensions[col].width = 18
        for cell in ws[col]:
            cell.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
