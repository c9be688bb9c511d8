"""指标看板: townships × indicators coloured against targets, county total, ranking,
change from last month, 12-month trend, and how each figure was computed."""
import altair as alt
import pandas as pd
import streamlit as st

from components import cached, kpi
from components.action import run_action
from components.page import page_header
from components.tables import count_table
from components.text import md
from components.worklist import people_table
from components import tables
from core import access
from core import indicators as ci
from areas.indicators import reads as q

actor = page_header("indicators")

top = st.columns([1, 3])
with top[0]:
    label = kpi.period_picker("ind_period")
per = ci.period(label)
with top[1]:
    st.caption(f"统计期间 {per.title}（截至 {per.as_of:%Y-%m-%d}）· 选中表格中的单元格可查看计算过程")  # md-ok: a period
    st.caption(f"颜色：{kpi.LEGEND}")

# A month not yet in the cache is a full computation (seconds on a county): say so meanwhile.
with st.spinner(f"正在计算 {per.title} 的指标…", show_time=True):  # md-ok: a period
    df = cached.board(actor, label)
if df.empty or not (df["township_id"] != q.TOTAL).any():
    st.info("当前范围内没有乡镇数据。")
    st.stop()

# ---- county (or own township) at a glance
head = df[df["township_id"] == q.TOTAL]
if not q.shows_total(actor):
    head = df[df["township_id"] == actor.township_id]
st.subheader("全县概况" if q.shows_total(actor) else "本乡镇概况")
kpi.kpi_cards(head.drop_duplicates("code"), per_row=5)

# ---- the board
st.subheader("乡镇 × 指标")
values = q.wide(df, "value")
statuses = q.wide(df, "status")
changes = q.wide(df, "change")
fractions = q.wide(df.assign(frac=[
    "—" if pd.isna(n) else f"{int(n)}/{int(d)}" for n, d in zip(df["numerator"], df["denominator"])]), "frac")


def _colours(_frame):
    return statuses.map(lambda s: f"background-color: {ci.STATUS_COLORS.get(s, '#ffffff')}")


def _picked():
    sel = st.session_state.get("board_table")
    cells = sel.selection.cells if sel is not None else []
    if cells:
        row, col = cells[0]
        if 0 <= row < len(values.index) and col in values.columns:
            st.session_state["explain_town"] = values.index[row]
            st.session_state["explain_ind"] = col


tab_status, tab_change, tab_frac = st.tabs(["达标情况（%）", "较上月变化（百分点）", "分子 / 分母"])
with tab_status:
    styler = values.style.format(lambda v: "—" if pd.isna(v) else f"{v:.1f}").apply(_colours, axis=None)
    tables.dataframe(styler, width="stretch", height=min(36 * (len(values) + 1) + 3, 800), on_select=_picked,
                 selection_mode="single-cell", key="board_table")
with tab_change:
    tables.dataframe(changes.style.format(lambda v: "—" if pd.isna(v) else ("0.0" if abs(v) < 0.05 else f"{v:+.1f}")),
                 width="stretch")
with tab_frac:
    count_table(fractions, actor, columns=list(fractions.columns))

# ---- one cell explained
st.subheader("计算说明")
names = [ci.get(c).name for c in ci.CODES]
by_name = {ci.get(c).name: c for c in ci.CODES}
c1, c2 = st.columns(2)
town = c1.selectbox("乡镇", list(values.index), key="explain_town")
ind_name = c2.selectbox("指标", names, key="explain_ind")
ind = ci.get(by_name[ind_name])
cell = df[(df["乡镇"] == town) & (df["code"] == ind.code)]
if ind.county_only and town != q.TOTAL_NAME:
    st.info(f"「{ind.name}」只在全县层面统计（成员单位不按乡镇划分）。")  # md-ok: indicator definitions
    cell = df[(df["township_id"] == q.TOTAL) & (df["code"] == ind.code)]
if not cell.empty:
    r = cell.iloc[0]
    st.markdown(f"**{ind.name}**：{ind.formula}")  # md-ok: indicator definitions
    st.caption(f"依据：{ind.seed}")  # md-ok: indicator definitions
    if pd.isna(r["numerator"]):
        st.write("无数据。")
    else:
        st.info(ci.explain(ind, int(r["numerator"]), int(r["denominator"]), float(r["target"])))  # md-ok: definitions and numbers
        missing = int(r["denominator"]) - int(r["numerator"])
        if ind.basis == ci.PUPILS:
            st.caption("辍学率来自各乡镇学年统计表（小学/初中在校生数与辍学人数），没有逐人名单。")
        elif ind.complement and missing > 0 and st.toggle(f"查看「{ind.complement}」（{missing}）", key="show_complement"):  # md-ok: definition, count
            read = run_action(actor, q.complement, ind.code, int(r["township_id"]), label)  # the view is audited
            if read:
                comp = read.result
                if comp.rows is None:
                    st.warning(f"{comp.label}：{comp.count}。{comp.note}")  # md-ok: definitions, count
                else:
                    shown = comp.rows.drop(columns=["person_id"], errors="ignore")
                    if "person_id" in comp.rows.columns and access.may_open(actor.role, "person"):
                        people_table(comp.rows, "complement_open", "person_id")  # 打开: each person's file
                    else:
                        tables.dataframe(shown, hide_index=True, width="stretch")
                    if comp.truncated:
                        st.caption(f"共 {comp.count} 条，仅显示前 {len(shown)} 条。")  # md-ok: counts

# ---- ranking and trend for the chosen indicator
left, right = st.columns(2)
with left:
    st.subheader(f"乡镇排名 · {ind.name}")  # md-ok: indicator definitions
    if ind.county_only:
        st.caption("全县指标，不分乡镇排名。")
    else:
        rk = q.ranking(df, ind.code)
        rk = rk.assign(
            数值=[ci.fmt_value(v, 1) for v in rk["value"]],
            分子分母=["—" if pd.isna(n) else f"{int(n)}/{int(d)}" for n, d in zip(rk["numerator"], rk["denominator"])],
            较上月=["—" if pd.isna(c) else ("0.0" if abs(c) < 0.05 else f"{c:+.1f}") for c in rk["change"]],
            状态=rk["status"],
        )
        count_table(rk[["名次", "乡镇", "数值", "分子分母", "较上月", "状态"]], actor, columns=["分子分母"], hide_index=True)
with right:
    tid = None
    if not ind.county_only and town != q.TOTAL_NAME:
        tid = int(df[df["乡镇"] == town]["township_id"].iloc[0])
    st.subheader(f"近12个月趋势 · {md(town) if tid else ('全县' if q.shows_total(actor) else '本乡镇')}")
    # Twelve months are twelve full computations: on a large registry that takes a while the
    # first time (then it is cached), so the user asks for it.
    if st.toggle("显示趋势图", value=False, key="show_trend", help="近12个月逐月计算，数据量大时需要数秒"):
        with st.spinner("正在逐月计算近12个月…", show_time=True):
            tr = cached.trend(actor, ind.code, label, tid)
        tr = tr.assign(数值=tr["value"], 目标=tr["target"])
        line = alt.Chart(tr).mark_line(point=True).encode(
            x=alt.X("期间:N", title=None, sort=None),
            y=alt.Y("数值:Q", title=f"{ind.name}（{ind.unit}）"),
            tooltip=["期间", alt.Tooltip("数值:Q", format=".2f"), "numerator", "denominator"],
        )
        target_rule = alt.Chart(tr).mark_line(strokeDash=[4, 3], color="#999999").encode(x="期间:N", y="目标:Q")
        st.altair_chart(alt.layer(line, target_rule).properties(height=300), width="stretch")
