"""The printable documents as Word files (python-docx), built from reads that are already
masked for the actor (core/visibility.py): nothing here decides what a reader may see.

一人一档 (seeds 000, 001), 委托监护责任确认书 (002 附件2), 通报处置卡 (002 附件3: the card
with its dated steps 发现→报告→转介→处置→结案) and the 走访记录表 helpers carry on paper.
Every page footer names the county, the print time and who printed it.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from areas.admin.reads import LOCAL_TZ
from core import incidents as inc
from core.categories import SERVICE_TYPES

# Debian's fonts-noto-cjk: the names LibreOffice resolves for the PDF; Word falls back to its own.
BODY_FONT = "Noto Serif CJK SC"
TITLE_FONT = "Noto Sans CJK SC"
BLANK = "＿＿＿＿＿＿＿＿"  # a line to write on
NONE_TEXT = "无"


@dataclass(frozen=True)
class Meta:
    """What every printed page says about its printing (the footer)."""
    county: str
    printed_at: dt.datetime
    printed_by: str

    def footer(self) -> str:
        return f"{self.county} · 打印时间 {local(self.printed_at):%Y-%m-%d %H:%M} · 打印人 {self.printed_by}"


# ---------------------------------------------------------------- plain values
def local(ts: dt.datetime) -> dt.datetime:
    """A stored UTC instant in the office's time zone (SQLite hands back naive UTC)."""
    return (ts if ts.tzinfo else ts.replace(tzinfo=dt.timezone.utc)).astimezone(LOCAL_TZ)


def text(value: Any) -> str:
    """A cell's text: empty for missing values, dates as YYYY-MM-DD, booleans as 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value != value:
        return ""
    if value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):  # a stored instant, printed in the office's time zone
        return f"{local(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


# ---------------------------------------------------------------- the document frame
def _set_font(style, name: str, size: float | None = None, bold: bool | None = None) -> None:
    style.font.name = name
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")  # Simplified Chinese glyphs from the CJK font


def new_document(title: str, meta: Meta, *, landscape: bool = False) -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(2.0)
    _set_font(doc.styles["Normal"], BODY_FONT, 10.5)
    for name, size in (("Title", 18), ("Heading 1", 13), ("Heading 2", 11.5)):
        _set_font(doc.styles[name], TITLE_FONT, size, True)
    footer = section.footer.paragraphs[0]
    footer.text = meta.footer()
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading = doc.add_paragraph(title, style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return doc


def _table(doc: Document, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float] | None = None,
           row_height: float | None = None):
    rows = list(rows)
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.text = h
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for r, row in enumerate(rows, start=1):
        cells = table.rows[r].cells
        for i, value in enumerate(row):
            cells[i].text = text(value)
    if widths:
        table.autofit = False
        for i, w in enumerate(widths):
            table.columns[i].width = Cm(w)  # the grid: what LibreOffice lays out by
            for cell in table.columns[i].cells:
                cell.width = Cm(w)  # the cells: what Word lays out by
    if row_height:
        _tall(table.rows[1:], row_height)
    return table


def _tall(rows, height_cm: float) -> None:
    """Rows at least this tall: room to write or sign by hand."""
    for row in rows:
        row.height = Cm(height_cm)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def _pairs(doc: Document, pairs: Sequence[tuple[str, Any]], per_row: int = 2):
    """A form of label | value cells, `per_row` pairs to a row."""
    n_rows = (len(pairs) + per_row - 1) // per_row
    table = doc.add_table(rows=n_rows, cols=2 * per_row)
    table.style = "Table Grid"
    for k, (label, value) in enumerate(pairs):
        row = table.rows[k // per_row].cells
        row[2 * (k % per_row)].text = label
        row[2 * (k % per_row)].paragraphs[0].runs[0].bold = True
        row[2 * (k % per_row) + 1].text = text(value) if text(value) else ""
    return table


def _frame(doc: Document, heading: str, df: pd.DataFrame, columns: Sequence[str]) -> None:
    doc.add_paragraph(heading, style="Heading 2")
    if df is None or df.empty:
        doc.add_paragraph(NONE_TEXT)
        return
    _table(doc, columns, df[list(columns)].itertuples(index=False))


def to_bytes(doc: Document) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- 一人一档
PERSON_SITUATION = (
    ("family_situation", "家庭状况"), ("living_situation", "生活情况"), ("parents_status", "父母或子女动态"),
    ("school_situation", "学习状况"), ("health_situation", "健康状况"), ("psychological_situation", "心理健康状况"),
    ("notes", "备注"),
)


def person_file(f, meta: Meta, *, visit_status=None) -> Document:
    """一人一档 from areas/registry/reads.PersonFile (masked by the read)."""
    p = f.person
    doc = new_document("一人一档（个人档案）", meta)
    doc.add_paragraph(f"{f.township} · {f.village}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("一、基本信息", style="Heading 1")
    _pairs(doc, [
        ("姓名", p["name"]), ("性别", p["gender"]),
        ("身份证号码", p["id_number"]), ("出生日期", p["birth_date"]),
        ("年龄", f"{f.age}周岁"), ("联系电话", p["phone"]),
        ("乡镇", f.township), ("村(居)", f.village),
        ("住址", p["address"]), ("困难程度", p["difficulty"]),
        ("状态", p["status"]), ("纳入日期", p["enrolled_on"]),
    ])
    doc.add_paragraph("二、人员类别", style="Heading 1")
    cats = f.categories.assign(是否有效=f.categories["当前有效"].map(lambda v: "有效" if v else "已结束"))
    _frame(doc, "类别及起止日期", cats, ["人员类别", "子类", "开始日期", "结束日期", "是否有效"])
    doc.add_paragraph("三、家庭与生活情况", style="Heading 1")
    _pairs(doc, [(label, p.get(key)) for key, label in PERSON_SITUATION], per_row=1)
    doc.add_paragraph("四、监护与帮扶", style="Heading 1")
    _frame(doc, "监护人", f.guardians, ["姓名", "关系", "联系电话", "身份证号码", "监护能力", "委托监护", "协议签订日期", "见证人"])
    _frame(doc, "帮扶责任人", f.assignments, ["帮扶责任人", "职务", "单位", "联系电话", "开始日期", "结束日期"])
    _frame(doc, "帮扶措施", f.measures, ["类型", "内容", "开始日期", "结束日期"])
    doc.add_paragraph("五、走访与评估", style="Heading 1")
    if visit_status is not None:
        doc.add_paragraph(f"走访频次：{visit_status.rule_label}；最近走访：{text(visit_status.last_visit) or '无'}；"
                          f"下次应访：{text(visit_status.next_due)}")
    _frame(doc, "走访记录", f.visits, ["走访日期", "走访人", "服务类型", "发现情况", "存在问题", "后续跟进"])
    _frame(doc, "风险评估", f.assessments, ["评估期", "评估日期", "风险等级", "存在问题", "措施", "评估人"])
    doc.add_paragraph("六、通报处置", style="Heading 1")
    cards = f.incidents.assign(状态=f.incidents["状态"].map(lambda v: inc.STATE_LABELS.get(v, v)))
    _frame(doc, "通报处置卡", cards, ["编号", "发现日期", "来源", "类型", "状态", "办结期限", "处置结果"])
    doc.add_paragraph("七、退出情况", style="Heading 1")
    if p.get("exited_on"):
        _pairs(doc, [("退出日期", p["exited_on"]), ("退出原因", p.get("exit_reason"))])
    else:
        doc.add_paragraph("在册，未退出。")
    return doc


# ---------------------------------------------------------------- 委托监护责任确认书 (002 附件2)
def guardian_confirmation(f, guardian: dict, meta: Meta) -> Document:
    """The entrusted-guardianship confirmation for one guardian record of the file `f`."""
    p = f.person
    doc = new_document("困境儿童及农村留守儿童委托监护责任确认书", meta)
    doc.add_paragraph("一、被监护儿童", style="Heading 1")
    _pairs(doc, [("姓名", p["name"]), ("性别", p["gender"]), ("身份证号码", p["id_number"]),
                 ("出生日期", p["birth_date"]), ("乡镇", f.township), ("村(居)", f.village),
                 ("住址", p["address"]), ("联系电话", p["phone"])])
    doc.add_paragraph("二、受委托监护人", style="Heading 1")
    _pairs(doc, [("姓名", guardian.get("姓名")), ("与儿童关系", guardian.get("关系")),
                 ("身份证号码", guardian.get("身份证号码")), ("联系电话", guardian.get("联系电话")),
                 ("监护能力评估", guardian.get("监护能力")), ("委托监护", guardian.get("委托监护")),
                 ("协议签订日期", guardian.get("协议签订日期") or BLANK), ("村(居)见证人", guardian.get("见证人") or BLANK)])
    doc.add_paragraph("三、责任确认", style="Heading 1")
    for line in (
        "1. 受委托监护人自愿接受儿童父母（或其他法定监护人）的委托，代为履行监护职责，保障儿童的生活、"
        "学习和人身安全，督促其按时入学、完成义务教育。",
        "2. 受委托监护人应与儿童父母保持联系，每周至少一次告知儿童的学习、生活、心理状况；发现儿童"
        "受到侵害、走失或出现重大疾病等情况，应立即报告村(社区)和公安机关。",
        "3. 儿童父母（或其他法定监护人）仍依法承担监护主体责任，应定期与儿童电话、视频联系，"
        "并承担儿童的抚养费用。",
        "4. 本确认书经村(社区)主持、见证签订，一式三份，委托方、受委托方和村(社区)各执一份。",
    ):
        doc.add_paragraph(line)
    doc.add_paragraph("四、签字", style="Heading 1")
    table = doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for r, (who, sign) in enumerate((("委托方（父母或法定监护人）", "签字："),
                                     ("受委托监护人", "签字："),
                                     ("村(社区)见证人", "签字（盖章）："),
                                     ("乡镇(街道)民政办", "备案（盖章）："))):
        cells = table.rows[r].cells
        cells[0].text = who
        cells[1].text = sign
        cells[2].text = "日期：　　　年　　月　　日"
    _tall(table.rows, 1.3)
    return doc


# ---------------------------------------------------------------- 通报处置卡 (002 附件3)
def incident_card(card, meta: Meta) -> Document:
    """The card from areas/care/reads.CardView (personal data already decided by the read)."""
    doc = new_document("困境儿童及农村留守儿童关爱保护情况通报处置卡", meta)
    doc.add_paragraph(f"卡号：{card.id}　　乡镇(街道)：{card.township}　　状态：{inc.STATE_LABELS.get(card.status, card.status)}")
    doc.add_paragraph("一、基本情况", style="Heading 1")
    _pairs(doc, [
        ("涉及对象", card.person_name or "（未关联人员）"), ("村(居)", card.person_village),
        ("身份证号码", card.person_id_number or "（不显示）"), ("联系电话", card.person_phone or "（不显示）"),
        ("信息来源", card.source), ("事件类型", card.type),
        ("发现日期", card.discovered_on), ("办结期限", card.deadline),
    ])
    doc.add_paragraph("二、情况描述", style="Heading 1")
    doc.add_paragraph(text(card.description) or NONE_TEXT)
    doc.add_paragraph("三、处置流程", style="Heading 1")
    _table(doc, ["环节", "日期", "责任单位/经办", "情况"], [
        ("发现", card.discovered_on, card.source, ""),
        ("报告", card.reported_at, card.township, ""),
        ("转介", card.referred_at, card.unit_name, f"办结期限 {text(card.deadline)}" if card.deadline else ""),
        ("处置", card.handled_at, card.unit_name, card.handling),
        ("结案", card.closed_at, card.closed_by, card.resolution),
    ], widths=(2.2, 3.8, 4.0, 7.0))
    if card.overdue:
        doc.add_paragraph("注：已超过办结期限。")
    doc.add_paragraph("四、签字", style="Heading 1")
    table = doc.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text = "报告人签字：\n\n日期：　　　年　　月　　日"
    table.rows[0].cells[1].text = "处置单位签字（盖章）：\n\n日期：　　　年　　月　　日"
    table.rows[1].cells[0].text = "乡镇(街道)民政办意见：\n\n"
    table.rows[1].cells[1].text = "联席会议办公室意见：\n\n"
    _tall(table.rows, 2.5)
    return doc


# ---------------------------------------------------------------- 走访记录表
VISIT_FORM_COLUMNS = ("序号", "姓名", "身份证号", "困难程度", "帮扶责任人", "最近走访", "应访日期",
                      "走访日期", "服务类型", "发现情况及问题", "走访人签字")
BLANK_ROWS = 12


def visit_form(meta: Meta, *, township: str = "", village: str = "", rows: pd.DataFrame | None = None) -> Document:
    """Blank (rows None: empty lines to fill in) or pre-filled with the people due, one row each."""
    doc = new_document("走访记录表", meta, landscape=True)
    doc.add_paragraph(f"乡镇(街道)：{township or BLANK}　　村(居)：{village or BLANK}　　"
                      f"走访月份：　　　年　　月")
    prefilled = rows is not None
    body = []
    if prefilled:
        for n, rec in enumerate(rows.to_dict("records"), start=1):
            body.append((n, rec.get("姓名"), rec.get("身份证号"), rec.get("困难程度"), rec.get("帮扶责任人"),
                         rec.get("最近走访"), rec.get("应访日期"), "", "", "", ""))
    else:
        body = [(n, *[""] * (len(VISIT_FORM_COLUMNS) - 1)) for n in range(1, BLANK_ROWS + 1)]
    _table(doc, VISIT_FORM_COLUMNS, body, widths=(1.0, 1.8, 4.0, 1.6, 2.4, 2.2, 2.2, 2.2, 2.4, 4.0, 2.0),
           row_height=1.2)  # room to write by hand
    doc.add_paragraph("服务类型：" + "、".join(SERVICE_TYPES) + "。")
    if prefilled and not body:
        doc.add_paragraph("本村(居)当前没有应访人员。")
    return doc
