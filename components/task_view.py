"""Pieces shared by the 任务督办 and 会议 pages: status colouring and one task's detail card.
User text goes into Markdown only through components.text.md."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.text import md
from components import tables
from core import tasks as rules

STATUS_COLORS = {
    rules.OVERDUE: "#ffcdd2",
    rules.IN_PROGRESS: "#fff3b0",
    rules.NOT_STARTED: "#eeeeee",
    rules.DONE: "#c8e6c9",
}
# Markdown colours (metric labels, badges); no emoji — the intranet PCs often lack an emoji font.
STATUS_MD_COLORS = {rules.OVERDUE: "red", rules.IN_PROGRESS: "orange", rules.NOT_STARTED: "gray", rules.DONE: "green"}
DATE_COLUMNS = {"交办日期", "截止日期", "最近报送", "销号日期", "办结时限", "报送日期", "日期", "最近报送日期",
                "任职日期", "卸任日期", "会议日期"}
def _iso(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    return v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else str(v)


def with_dates(df: pd.DataFrame) -> pd.DataFrame:
    """Date columns as YYYY-MM-DD text (sorts like the date), a missing date as an empty cell
    rather than the grey "None" the grid shows for nulls."""
    if df.empty:
        return df
    out = df.copy()
    for c in out.columns:
        if c in DATE_COLUMNS:
            out[c] = [_iso(v) for v in out[c]]
    return out


def styled(df: pd.DataFrame, column: str = "状态"):
    """Status cells coloured (overdue red, in progress yellow, done green); dates cleaned."""
    df = with_dates(df)
    if df.empty or column not in df.columns:
        return df
    return df.style.map(lambda v: f"background-color: {STATUS_COLORS.get(v, '')}" if v in STATUS_COLORS else "",
                        subset=[column])


def status_metrics(counts: dict[str, int]) -> None:
    cols = st.columns(len(rules.STATUSES))
    for col, s in zip(cols, rules.STATUSES):
        col.metric(f":{STATUS_MD_COLORS[s]}[**{s}**]", counts.get(s, 0))  # md-ok: fixed status names


def task_detail(detail) -> None:
    """One task (areas.meetings.task_reads.TaskDetail): what, who, when, acceptance, reports, office actions."""
    st.markdown(f"#### {md(detail.title)}")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("状态", detail.status, delta=None)
    c2.metric("进度", f"{detail.progress}%")
    c3.metric("办结时限", f"{detail.due_on:%Y-%m-%d}")
    c4.metric("最近报送", f"{detail.last_report_on:%Y-%m-%d}" if detail.last_report_on else "未报送")
    lines = [
        f"**牵头单位**：{md(detail.lead_unit)}",
        f"**责任单位**：{md('、'.join(detail.co_units)) or '无'}",
        f"**来源**：{md(detail.meeting_title) or '日常交办'}　**交办日期**：{detail.assigned_on:%Y-%m-%d}",
    ]
    st.markdown("  \n".join(lines))  # md-ok: each line escapes its values
    st.markdown(f"**验收标准**：{md(detail.acceptance) or '未填写'}")
    if detail.detail:
        st.markdown(f"**具体要求**：{md(detail.detail)}")
    if detail.closed_on:
        timely = rules.timeliness(detail.due_on, detail.closed_on, detail.claimed_on)
        st.success(f"已于 {detail.closed_on:%Y-%m-%d} 销号（{timely}），经办人：{md(detail.closed_by)}")  # md-ok: timeliness is a fixed word
    elif detail.claimed_on:
        st.info(f"牵头单位已于 {detail.claimed_on:%Y-%m-%d} 申请销号，等待联席办审核。")
    st.markdown("**进展报送**")
    if detail.updates.empty:
        st.caption("尚未报送进展。")
    else:
        tables.dataframe(with_dates(detail.updates), hide_index=True, width="stretch")
    if not detail.events.empty:
        st.markdown("**督办记录**（催办、申请销号、销号、退回）")
        tables.dataframe(with_dates(detail.events), hide_index=True, width="stretch")
