"""会议材料: the half-yearly joint-meeting pack, as a Word document (python-docx) and the same
tables as an Excel workbook (openpyxl).

Contents: key indicators by township with the change since the last plenary meeting,
red-flag townships, unit scorecards, the status of every decision of the last meeting,
and open incident cards (counts only). No personal data is selected at all; as a last line
of defence every text cell goes through core.masking.scrub_text, and every spreadsheet
string through core.excel_safety.escape_cell.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from core import incidents as ci_cards
from core import indicators as ci
from core.excel_safety import escape_cell
from core.masking import scrub_text
from core.roles import Actor
from db import audit
from db.models import IncidentCard, Region, Unit
from areas.meetings import reads as mq
from areas.meetings import task_reads as tq
from areas.regions.reads import townships
from db.errors import require

OPEN_CARD_STATES = ("discovered", "reported", "referred", "handled")
FALLBACK_NOTE = ("说明：指标计算模块（areas/indicators/reads.py）暂不可用，本表为工作台口径的在册人数与走访逾期人数，"
                 "不含目标与达标判断。")


@dataclass
class PackTable:
    key: str  # sheet name
    title: str
    df: pd.DataFrame
    note: str | None = None


@dataclass
class MeetingPack:
    title: str
    generated_on: dt.date
    last_meeting: str | None
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
def _indicator_tables(session: Session, actor: Actor, today: dt.date, since: dt.date | None) -> list[PackTable]:
    try:
        from areas.indicators import reads as qi

        label = ci.month_label(today)
        cur = qi.compute(session, actor, label, today=today)
        prev = qi.compute(session, actor, ci.month_label(since), today=today) if since else None
    except (ImportError, AttributeError) as e:  # the indicators module is not there (yet)
        return _fallback_tables(session, actor, today, f"{FALLBACK_NOTE}（{type(e).__name__}）")
    if prev is not None:
        prev = prev[["code", "township_id", "value"]].rename(columns={"value": "previous"})
        cur = cur.merge(prev, on=["code", "township_id"], how="left")
    else:
        cur["previous"] = None
    cur["change"] = [None if (a is None or b is None or pd.isna(a) or pd.isna(b)) else a - b
                     for a, b in zip(cur["value"], cur["previous"])]
    since_text = f"{since:%Y年%m月}（上次全体会议）" if since else "（无上次会议）"
    long = pd.DataFrame({
        "乡镇": cur["乡镇"], "指标": cur["指标"], "本期值(%)": cur["value"], "上次会议时(%)": cur["previous"],
        "变化(百分点)": cur["change"], "目标(%)": cur["target"], "状态": cur["status"],
        "分子": cur["numerator"], "分母": cur["denominator"],
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
    wide = cur.pivot_table(index="乡镇", columns="指标", values="cell", aggfunc="first", sort=False)
    order = list(dict.fromkeys(cur["乡镇"]))
    names = list(dict.fromkeys(cur["指标"]))
    wide = wide.reindex(index=order, columns=names).fillna("—").reset_index()
    note = (f"统计期：{today:%Y年%m月}；括号内为较{since_text}的变化（百分点）。"
            "成员单位任务按期办结率为全县指标。")
    tables = [PackTable("关键指标", "一、关键指标（按乡镇）", wide, note),
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
            progress: Callable[[str], None] | None = None) -> tuple[list[PackTable], str | None]:
    say = progress or (lambda _m: None)
    last = mq.last_meeting(session, before=today, kind="全体会议")
    since = last.held_on if last else None
    say("正在计算各乡镇关键指标……")
    tables = _indicator_tables(session, actor, today, since)
    say("正在汇总成员单位考评……")
    start = since or dt.date(today.year, 1, 1)
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
        note = "尚无已召开的全体会议。"
    tables.append(PackTable("上次会议议定事项", "四、上次会议议定事项办理情况", dec, note))
    say("正在统计未结通报处置卡……")
    tables.append(_incident_table(session, today))
    # every cell through the last line of defence
    for t in tables:
        t.df = t.df.map(_safe) if len(t.df) else t.df
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
    if pack.last_meeting:
        doc.add_paragraph(f"上次全体会议：{pack.last_meeting}")
    doc.add_paragraph("本材料不含个人身份信息；如需核实个人情况，请在系统内按权限查阅。")
    for t in pack.tables:
        if t.key == "关键指标明细":
            continue  # the workbook carries the long table
        doc.add_heading(t.title, level=1)
        if t.note:
            doc.add_paragraph(t.note)
        if t.df.empty:
            doc.add_paragraph("（无）")
            continue
        chunks = [list(t.df.columns)]
        if t.key == "关键指标" and len(t.df.columns) > 8:  # too wide for one table: split the indicators
            first, rest = t.df.columns[0], list(t.df.columns[1:])
            chunks = [[first, *rest[i:i + 7]] for i in range(0, len(rest), 7)]
        for cols in chunks:
            table = doc.add_table(rows=1, cols=len(cols))
            table.style = "Table Grid"
            for i, c in enumerate(cols):
                table.rows[0].cells[i].text = str(c)
            for row in t.df[cols].itertuples(index=False):
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
            out = []
            for v in row:
                if v is None or (isinstance(v, float) and pd.isna(v)):
                    out.append(None)
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    out.append(v)
                elif isinstance(v, (dt.date, dt.datetime)):
                    out.append(v)
                else:
                    out.append(escape_cell(_safe(str(v))))
            ws.append(out)
        for i, c in enumerate(t.df.columns, 1):
            width = max([len(str(c))] + [len(_fmt(v)) for v in t.df[c].head(200)]) * 2 + 2
            ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 60)
            for r in range(header_row + 1, ws.max_row + 1):
                cell = ws.cell(row=r, column=i)
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_pack(session: Session, actor: Actor, today: dt.date | None = None,
               progress: Callable[[str], None] | None = None) -> MeetingPack:
    """Builds both files and records the export in the audit log (office/admin only)."""
    require(actor, "meeting.pack")
    today = today or dt.date.today()
    tables, last = collect(session, actor, today, progress)
    half = "上" if today.month <= 6 else "下"
    pack = MeetingPack(f"{today.year}年{half}半年联席会议全体会议材料", today, last, tables)
    (progress or (lambda _m: None))("正在生成Word和Excel文件……")
    pack.docx = _docx(pack)
    pack.xlsx = _xlsx(pack)
    n_units = session.scalar(select(func.count()).select_from(Unit).where(Unit.active.is_(True)))
    audit.record(session, "export", "meeting_pack", today.isoformat(),
                 summary=f"生成会议材料（{len(tables)}张表，{n_units}个成员单位；Word+Excel）")
    return pack
