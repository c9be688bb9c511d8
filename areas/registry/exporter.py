"""Export of the filtered registry to .xlsx in the ledger layout (seed 001 附件2), and the
import template. Personal fields are masked unless the role may see them and the user
asked for full identity data with a reason; every export is written to the audit log."""
from __future__ import annotations

import datetime as dt
import io

from sqlalchemy.orm import Session

from core.categories import CATEGORIES, DIFFICULTIES
from core.excel_safety import escape_cell
from core.validation import without_controls
from core.importing import TEMPLATE_HEADERS
from core import visibility
from core.roles import Actor
from db import audit
from areas.registry import reads as rq
from db.errors import ForbiddenError, ServiceError, require

MAX_EXPORT_ROWS = 50000
EXPORT_COLUMNS = rq.LEDGER_COLUMNS[:8] + rq.LEDGER_COLUMNS[8:] + ["村(居)", "乡镇", "困难程度", "最近走访"]


def _cell(v):
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime().date()
    # a control character stored before inputs were checked would make openpyxl refuse the file
    return escape_cell(without_controls(v)) if isinstance(v, str) else v


def export_registry(session: Session, actor: Actor, f: rq.RegistryFilter, full_identity: bool = False,
                    reason: str = "", today: dt.date | None = None) -> tuple[bytes, int]:
    """(xlsx bytes, row count). Writes an 'export' audit row in the caller's transaction."""
    today = today or dt.date.today()
    require(actor, "registry.export")
    reason = (reason or "").strip()
    if full_identity:
        if not actor.sees_personal_data:
            raise ForbiddenError("您的角色不能导出完整身份信息。")
        if len(reason) < 4:
            raise ServiceError("导出完整身份信息须填写用途（至少4个字），该用途将记入审计日志。")
    total = rq.count(session, actor, f, today)
    if total > MAX_EXPORT_ROWS:
        raise ServiceError(f"筛选结果有{total}行，超过单次导出上限{MAX_EXPORT_ROWS}行，请缩小筛选范围。")
    df = rq.all_rows(session, actor, f, MAX_EXPORT_ROWS, today)
    df = visibility.apply(df, actor, visibility.LEDGER_EXPORT, personal=full_identity)

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员台账")
    title = "人员台账（" + (f.describe() or "全部") + f"）导出于{today:%Y年%m月%d日}"
    ws.append([_cell(title)])
    ws.append([escape_cell(c) for c in EXPORT_COLUMNS])
    for rec in df[EXPORT_COLUMNS].itertuples(index=False):
        ws.append([_cell(v) for v in rec])
    if not full_identity:
        ws.append([])
        ws.append(["注：个人信息已脱敏。"])
    buf = io.BytesIO()
    wb.save(buf)
    n = len(df)
    audit.record(
        session, "export", "person", None,
        summary=(f"导出人员台账{n}行；完整身份信息：{'是' if full_identity else '否'}"
                 + (f"；用途：{reason}" if full_identity else "") + f"；筛选：{f.describe()}"),
    )
    return buf.getvalue(), n


def template_xlsx() -> bytes:
    """The full import template: header row with text-formatted ID/phone columns, and a notes sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "人员台账"
    ws.append(TEMPLATE_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for idx, name in enumerate(TEMPLATE_HEADERS, start=1):
        letter = ws.cell(row=1, column=idx).column_letter
        ws.column_dimensions[letter].width = 22 if name in ("身份证号码", "帮扶措施", "人员类别") else 14
        if name in ("身份证号码", "联系电话"):
            for r in range(2, 1002):
                ws.cell(row=r, column=idx).number_format = "@"
    notes = wb.create_sheet("填写说明")
    for line in [
        "1. 每行一人；“姓名”“身份证号码”“人员类别”“村(居)”必填。也可使用乡镇原有台账（附件2）格式：序号、姓名、性别、身份证号码、人员类别、帮扶责任人(职务)、帮扶措施、联系电话、备注；村(居)可写成一列，或在表头上方写“村(居)：XX村”，或以村名作为工作表名。",
        "2. 身份证号码须为18位，请先把该列设为“文本”格式，避免Excel转成科学计数法。",
        "3. 人员类别可填多个，用顿号分隔，可用名称：" + "、".join(CATEGORIES.values()) + "；子类写在括号里，如“困境儿童（经济困难）”。",
        "4. 困难程度：" + "、".join(DIFFICULTIES) + "，不填视为“一般”。",
        "5. 帮扶责任人写成“姓名（职务）”。联系电话：手机11位，座机写成“区号-号码”。纳入日期格式YYYY-MM-DD，不填为导入当天。",
        "6. 导入前会逐行检查并预览，有任何错误则整份文件不导入；同一身份证号码再次导入会更新原记录，不会重复。空白单元格不会清除已有信息。",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
