"""会议材料: the half-yearly joint-meeting pack, as a Word document (python-docx) and the same
tables as an Excel workbook (openpyxl).

Contents: key indicators by township with the change over the review period (by default
since the previous plenary meeting held before the day of the pack, so a plenary registered
today is not compared with itself), red-flag townships, unit scorecards, the status of every
decision of that previous meeting, and open incident cards (counts only). The workbook holds
numbers as numbers, rounded to the precision the document shows. No personal data is selected at all; as a last line
of defence every text cell goes through core.masking.scrub_text, and every spreadsheet
string through core.excel_safety.escape_cell.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from core import incidents as ci_cards
from core import indicators as ci
from core.excel_safety import escape_cell
from core.masking import scrub_text
from core.roles import Actor
from db import audit
from db.models import IncidentCard, Meeting, Region, Unit
from areas.meetings import reads as mq
from areas.meetings import task_reads as tq
from areas.regions.reads import townships
from db.errors import require

PLENARY = "全体会议"
CHANGE = "变化"  # a column whose name ends so holds a change: signed in the workbook
OPEN_CARD_STATES = ("discovered", "reported", "referred", "handled")
FALLBACK_NOTE = ("说明：指标计算模块（areas/indicators/reads.py）暂不可用，本表为工作台口径的在册人数与走访逾期人数，"
                 "不含目标与达标判断。")


@dataclass
class PackTable:
    key: str  # sheet name
    title: str
    df: pd.DataFrame
    note: str | None = None
    doc: pd.DataFrame | None = None  # the Word document's text version, when it differs from df


@dataclass(frozen=True)
class Review:
    """The period a pack looks back over: from the previous plenary (or a chosen start) to `end`."""
    start: dt.date
    end: dt.date
    meeting_id: int | None = None
    meeting: str | None = None  # "title（date）" of the meeting it looks back to

    @property
    def text(self) -> str:
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


def previous_plenaries(session: Session, before: dt.date) -> list[Review]:
    """A review for every plenary held strictly before `before`, latest first (the page's choices)."""
    rows = session.execute(
        select(Meeting.id, Meeting.held_on, Meeting.title)
        .where(Meeting.deleted_at.is_(None), Meeting.kind == PLENARY, Meeting.held_on < before)
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ).all()
    return [Review(d, before, mid, f"{t}（{d:%Y-%m-%d}）") for mid, d, t in rows]


def default_review(session: Session, end: dt.date) -> Review:
    """Since the latest plenary held before `end` (not one held on `end`: that is the meeting the
    pack is for); without one, since the first of January."""
    found = previous_plenaries(session, end)
    return found[0] if found else Review(dt.date(end.year, 1, 1), end)


@dataclass
class MeetingPack:
    title: str
    generated_on: dt.date
    last_meeting: str | None
    review: Review | None = None
    tables: list[PackTable] = field(default_factory=list)
    docx: bytes = b""
    xlsx: bytes = b""

    @property
    def stem(self) -> str:
        return f"联席会议材料_{self.generated_on:%Y%m%d}"


def _safe(value):
    """Every text cell: mask ID/mobile numbers that may hide in free text."""
    if isinstance(value, str):
        return scrub_text(value)
    return value


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)


# ---------------------------------------------------------------- the tables
def _number(v, digits: int = 1):
    """A figure as the document shows it: rounded, None for no value."""
    return None if v is None or pd.isna(v) else round(float(v), digits)


def _count(v):
    return None if v is None or pd.isna(v) else int(v)


def _indicator_tables(session: Session, actor: Actor, today: dt.date, review: Review) -> list[PackTable]:
    since = review.start
    try:
        from areas.indicators import reads as qi

        label = ci.month_label(today)
        cur = qi.compute(session, actor, label, today=today)
        prev = qi.compute(session, actor, ci.month_label(since), today=today)
    except (ImportError, AttributeError) as e:  # the indicators module is not there (yet)
        return _fallback_tables(session, actor, today, f"{FALLBACK_NOTE}（{type(e).__name__}）")
    prev = prev[["code", "township_id", "value"]].rename(columns={"value": "previous"})
    cur = cur.merge(prev, on=["code", "township_id"], how="left")
    # the change of the figures as shown (rounded), so 93.5 − 93.4 reads +0.1 in both files
    cur["change"] = [None if (a is None or b is None or pd.isna(a) or pd.isna(b)) else _number(a) - _number(b)
                     for a, b in zip(cur["value"], cur["previous"])]
    since_text = (f"{since:%Y年%m月}（上次全体会议，{review.meeting}）" if review.meeting_id
                  else f"{since:%Y年%m月}（回顾期起点）")
    long = pd.DataFrame({
        "乡镇": cur["乡镇"], "指标": cur["指标"], "本期值(%)": [_number(v) for v in cur["value"]],
        "上次会议时(%)": [_number(v) for v in cur["previous"]],
        f"{CHANGE}(百分点)": [_number(v) for v in cur["change"]], "目标(%)": [_number(v) for v in cur["target"]],
        "状态": cur["status"], "分子": [_count(v) for v in cur["numerator"]],
        "分母": [_count(v) for v in cur["denominator"]],
    })
    # wide view for the document: 乡镇 × 指标, "value (±change)"
    def cell(v, c):
        if v is None or pd.isna(v):
            return "—"
        s = f"{v:.1f}"
        if c is not None and not pd.isna(c):
            s += f"({c:+.1f})"
        return s

    cur["cell"] = [cell(v, c) for v, c in zip(cur["value"], cur["change"])]
    order = list(dict.fromkeys(cur["乡镇"]))
    names = list(dict.fromkeys(cur["指标"]))

    def pivot(column: str):
        return cur.pivot_table(index="乡镇", columns="指标", values=column, aggfunc="first", sort=False,
                               dropna=False).reindex(index=order, columns=names)

    doc = pivot("cell").fillna("—").reset_index()
    # the workbook: each indicator's value, then its change in a column of its own
    values, changes = pivot("value"), pivot("change")
    wide = pd.DataFrame({"乡镇": order})
    for name in names:
        wide[f"{name}(%)"] = [_number(v) for v in values[name]]
        wide[f"{name}{CHANGE}"] = [_number(v) for v in changes[name]]
    note = (f"统计期：{today:%Y年%m月}；变化为较{since_text}（百分点；文档中在括号内）。"
            "成员单位任务按期办结率为全县指标。")
    tables = [PackTable("关键指标", "一、关键指标（按乡镇）", wide, note, doc=doc),
              PackTable("关键指标明细", "关键指标明细（含分子分母、目标与状态）", long, None)]
    # red flags: any indicator 未达标 in a township
    missed = cur[(cur["status"] == ci.MISSED) & (cur["township_id"] != qi.TOTAL)]
    towns = [t.name for t in townships(session, actor)]
    rows = []
    for name in towns:
        part = missed[missed["乡镇"] == name]
        if len(part):
            rows.append([name, len(part), "；".join(f"{i}{_fmt(v)}%（目标{_fmt(t)}%）" for i, v, t in
                                                   zip(part["指标"], part["value"], part["target"]))])
    flags = pd.DataFrame(rows, columns=["乡镇", "未达标指标数", "未达标指标"]).sort_values(
        "未达标指标数", ascending=False, kind="stable")
    tables.append(PackTable("红旗乡镇", "二、需重点督导的乡镇（红旗乡镇）", flags,
                            "口径：本期任一指标未达标（低于目标且超出预警区间）的乡镇，按未达标指标数排序。"
                            if len(flags) else "本期没有指标未达标的乡镇。"))
    return tables


def _fallback_tables(session: Session, actor: Actor, today: dt.date, note: str) -> list[PackTable]:
    from areas.workbench import reads as wq

    ov = wq.overdue_by_township(session, actor, today)
    towns = session.execute(select(Region.name).where(Region.level == "township")
                            .order_by(Region.sort_order, Region.code)).scalars().all()
    ov = pd.DataFrame({"乡镇": towns}).merge(ov, on="乡镇", how="left").fillna(0)
    ov["走访逾期率(%)"] = ci.percents(ov["走访逾期"], ov["在册人数"])
    flags = ov[ov["走访逾期率(%)"].fillna(0) >= 20][["乡镇", "走访逾期率(%)"]]
    return [PackTable("关键指标", "一、关键指标（按乡镇）", ov, note),
            PackTable("红旗乡镇", "二、需重点督导的乡镇（红旗乡镇）", flags, "口径：走访逾期率≥20%的乡镇（工作台口径）。")]


def _incident_table(session: Session, today: dt.date) -> PackTable:
    open_ = and_(IncidentCard.deleted_at.is_(None), IncidentCard.status.in_(OPEN_CARD_STATES))
    overdue = and_(open_, IncidentCard.status == ci_cards.REFERRED, IncidentCard.deadline < today)
    cols = [func.sum(case((and_(open_, IncidentCard.status == s), 1), else_=0)) for s in OPEN_CARD_STATES]
    rows = session.execute(
        select(Region.name, *cols, func.sum(case((open_, 1), else_=0)), func.sum(case((overdue, 1), else_=0)))
        .select_from(Region)
        .outerjoin(IncidentCard, IncidentCard.township_id == Region.id)
        .where(Region.level == "township")
        .group_by(Region.id, Region.name, Region.sort_order, Region.code)
        .order_by(Region.sort_order, Region.code)
    ).all()
    labels = [ci_cards.STATE_LABELS[s] for s in OPEN_CARD_STATES]
    df = pd.DataFrame([[r[0], *[int(x or 0) for x in r[1:]]] for r in rows],
                      columns=["乡镇", *labels, "未结合计", "转介逾期"])
    total = ["全县", *[int(df[c].sum()) for c in df.columns[1:]]]
    df.loc[len(df)] = total
    return PackTable("通报处置卡", "五、未结通报处置卡（张数）", df, "仅统计张数，不含当事人信息。")


def collect(session: Session, actor: Actor, today: dt.date,
            progress: Callable[[str], None] | None = None,
            review: Review | None = None) -> tuple[list[PackTable], str | None]:
    say = progress or (lambda _m: None)
    review = review or default_review(session, today)
    today = review.end
    last = session.get(Meeting, review.meeting_id) if review.meeting_id else None
    say("正在计算各乡镇关键指标……")
    tables = _indicator_tables(session, actor, today, review)
    say("正在汇总成员单位考评……")
    start = review.start
    sc = tq.unit_scorecard(session, actor, start, today, today=today).drop(columns=["unit_id"])
    sc.insert(0, "序号", range(1, len(sc) + 1))
    tables.append(PackTable("单位考评", "三、成员单位任务办理考评", sc,
                            f"考评期：{start:%Y-%m-%d} 至 {today:%Y-%m-%d}；口径：截止日期在考评期内的牵头任务，"
                            "按期办结率 = 按期办结 ÷（按期办结 + 逾期办结 + 逾期未办结）。"))
    say("正在整理上次会议议定事项……")
    if last is not None:
        dec = mq.decisions_table(session, actor, today, meeting_id=last.id).drop(columns=["编号", "验收标准"])
        dec.insert(0, "序号", range(1, len(dec) + 1))
        note = f"{last.title}（{last.held_on:%Y-%m-%d}）共{len(dec)}项议定事项。"
    else:
        dec = pd.DataFrame(columns=["序号", "议定事项", "牵头单位", "责任单位", "办结时限", "状态", "办结情况", "销号日期"])
        note = "回顾期前没有已召开的全体会议。"
    tables.append(PackTable("上次会议议定事项", "四、上次会议议定事项办理情况", dec, note))
    say("正在统计未结通报处置卡……")
    tables.append(_incident_table(session, today))
    # every cell through the last line of defence
    for t in tables:
        t.df = t.df.map(_safe) if len(t.df) else t.df
        t.doc = t.doc.map(_safe) if t.doc is not None and len(t.doc) else t.doc
        t.title, t.note = _safe(t.title), _safe(t.note)
    return tables, (f"{last.title}（{last.held_on:%Y-%m-%d}）" if last else None)


# ---------------------------------------------------------------- rendering
def _docx(pack: MeetingPack) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = sec.page_height, sec.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(1.8))
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2"):
        st = doc.styles[style_name]
        st.font.name = "仿宋" if style_name == "Normal" else "黑体"
        st.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), st.font.name)
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(pack.title, level=0)
    doc.add_paragraph(f"联席会议办公室　{pack.generated_on:%Y年%m月%d日}")
    if pack.review:
        doc.add_paragraph(f"回顾期：{pack.review.text}")
    if pack.last_meeting:
        doc.add_paragraph(f"上次全体会议：{pack.last_meeting}")
    doc.add_paragraph("本材料不含个人身份信息；如需核实个人情况，请在系统内按权限查阅。")
    for t in pack.tables:
        if t.key == "关键指标明细":
            continue  # the workbook carries the long table
        doc.add_heading(t.title, level=1)
        if t.note:
            doc.add_paragraph(t.note)
        df = t.doc if t.doc is not None else t.df
        if df.empty:
            doc.add_paragraph("（无）")
            continue
        chunks = [list(df.columns)]
        if t.key == "关键指标" and len(df.columns) > 8:  # too wide for one table: split the indicators
            first, rest = df.columns[0], list(df.columns[1:])
            chunks = [[first, *rest[i:i + 7]] for i in range(0, len(rest), 7)]
        for cols in chunks:
            table = doc.add_table(rows=1, cols=len(cols))
            table.style = "Table Grid"
            for i, c in enumerate(cols):
                table.rows[0].cells[i].text = str(c)
            for row in df[cols].itertuples(index=False):
                cells = table.add_row().cells
                for i, v in enumerate(row):
                    cells[i].text = _fmt(v)
            for r in table.rows:
                for c in r.cells:
                    for p in c.paragraphs:
                        for run in p.runs:
                            run.font.size = Pt(9)
            doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _cell_value(v):
    """A workbook cell: numbers stay numbers (floats rounded as _fmt shows them), text escaped."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return round(float(v), 1)
    if isinstance(v, (dt.date, dt.datetime)):
        return v
    return escape_cell(_safe(str(v)))


def _number_format(value, column: str) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return "yyyy-mm-dd"
    if isinstance(value, float):
        return "+0.0;-0.0;0.0" if CHANGE in column else "0.0"
    if isinstance(value, int):
        return "0"
    return "General"


def _xlsx(pack: MeetingPack) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for t in pack.tables:
        ws = wb.create_sheet(t.key[:31])
        ws.append([escape_cell(t.title)])
        ws["A1"].font = Font(bold=True, size=12)
        if t.note:
            ws.append([escape_cell(t.note)])
        ws.append([])
        header_row = ws.max_row + 1
        ws.append([escape_cell(str(c)) for c in t.df.columns])
        for c in ws[header_row]:
            c.font = Font(bold=True)
            c.alignment = Alignment(wrap_text=True, vertical="center")
        for row in t.df.itertuples(index=False):
            ws.append([_cell_value(v) for v in row])
        for i, c in enumerate(t.df.columns, 1):
            width = max([len(str(c))] + [len(_fmt(v)) for v in t.df[c].head(200)]) * 2 + 2
            ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 60)
            for r in range(header_row + 1, ws.max_row + 1):
                cell = ws.cell(row=r, column=i)
                cell.number_format = _number_format(cell.value, str(c))
        ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_pack(session: Session, actor: Actor, today: dt.date | None = None,
               progress: Callable[[str], None] | None = None, review: Review | None = None) -> MeetingPack:
    """Builds both files and records the export in the audit log (office/admin only). `review`:
    the period chosen on the page; by default since the previous plenary (default_review)."""
    require(actor, "meeting.pack")
    review = review or default_review(session, today or dt.date.today())
    today = review.end
    tables, last = collect(session, actor, today, progress, review)
    half = "上" if today.month <= 6 else "下"
    pack = MeetingPack(f"{today.year}年{half}半年联席会议全体会议材料", today, last, review, tables)
    (progress or (lambda _m: None))("正在生成Word和Excel文件……")
    pack.docx = _docx(pack)
    pack.xlsx = _xlsx(pack)
    n_units = session.scalar(select(func.count()).select_from(Unit).where(Unit.active.is_(True)))
    audit.record(session, "export", "meeting_pack", today.isoformat(),
                 summary=f"生成会议材料（{len(tables)}张表，{n_units}个成员单位；Word+Excel）")
    return pack
