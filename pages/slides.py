"""会议投屏: full-screen slides for the joint meeting — headline indicators, the township map,
red-flag townships, unit scorecards, overdue decisions, open incident cards (counts only).

Always masked: the page works with `presentation.presenting(actor)` whether or not the
投屏模式 switch is on. Advances by 上一页/下一页 (or ←/→) and, when 自动播放 is on, every N
seconds through `st.fragment(run_every=N)`; only the current slide's data is read.
The projector layout (a slide fits the screen, type and chart fonts scaled) is
components/projector.py's: each slide draws into `projector.slide_body()`.
"""
import datetime as dt
import time

import altair as alt
import pandas as pd
import streamlit as st

from components import cached, kpi, presentation, projector
from components.choropleth import build_chart
from components.page import page_header
from core import indicators as ci
from core import tasks as task_rules
from db.engine import session_scope
from areas.indicators import reads as iq
from areas.meetings import slide_reads as sq
from areas.meetings import task_reads as tq

actor = presentation.presenting(page_header("slides"))
presentation.slide_style(actor)
today = dt.date.today()

SLIDES = ("主要指标", "乡镇地图", "红旗乡镇", "成员单位考评", "逾期议定事项", "通报处置卡")
INTERVALS = (10, 20, 30, 60)
ROWS = 8  # table rows a slide shows: what fits 1280×720 at the projector type
mappable = [i for i in ci.INDICATORS if not i.county_only]


def _go(step: int) -> None:
    st.session_state["slide_idx"] = (st.session_state.get("slide_idx", 0) + step) % len(SLIDES)
    st.session_state["slide_shown_at"] = time.time()


bar = st.container(horizontal=True, vertical_alignment="center", gap="small", key="slide_bar")
prev_slot, next_slot, info_slot = bar.empty(), bar.empty(), bar.container(width="stretch")
bar.page_link("pages/workbench.py", label="返回工作台", icon=":material/home:")
with bar.popover("放映设置", icon=":material/tune:"):
    label = st.selectbox("统计月份", kpi.month_options(), key="slides_period", format_func=lambda m: ci.period(m).title)
    map_code = st.selectbox("地图指标", [i.code for i in mappable], key="slides_map_code",
                            format_func=lambda c: ci.get(c).name)
    auto = st.toggle("自动播放", key="slides_auto")
    interval = st.selectbox("每页停留", INTERVALS, index=1, key="slides_interval", format_func=lambda v: f"{v} 秒")
per = ci.period(label)


_table = projector.table


def _board() -> pd.DataFrame:
    return cached.board(actor, label)


def slide_indicators() -> None:
    df = _board()
    if df.empty:
        st.info("当前范围内没有指标数据。")
        return
    head = df[df["township_id"] == iq.TOTAL] if iq.shows_total(actor) else df[df["township_id"] == actor.township_id]
    head = head.drop_duplicates("code")
    higher = head[head["code"].map(lambda c: ci.get(c).direction == ci.HIGHER)]
    lower = head[head["code"].map(lambda c: ci.get(c).direction == ci.LOWER)]
    data = higher.assign(
        指标=[ci.get(c).name for c in higher["code"]],
        数值=[None if pd.isna(v) else round(float(v), 1) for v in higher["value"]],
        目标=higher["target"].astype(float),
        状态=higher["status"],
    )[["指标", "数值", "目标", "状态"]]
    colors = alt.Scale(domain=list(ci.STATUSES), range=["#2e7d32", "#f9a825", "#c62828", "#9e9e9e"])  # bars: strong
    base = alt.Chart(data).encode(y=alt.Y("指标:N", sort=None, title=None))
    bars = base.mark_bar().encode(x=alt.X("数值:Q", title="%（竖线为目标）", scale=alt.Scale(domain=[0, 105])),
                                  color=alt.Color("状态:N", scale=colors, title="状态"),
                                  tooltip=["指标", "数值", "目标", "状态"])
    ticks = base.mark_tick(color="#222222", thickness=3, size=34).encode(x="目标:Q")
    text = base.mark_text(align="left", dx=6).encode(x="数值:Q", text=alt.Text("数值:Q", format=".1f"))
    left, right = st.columns([3, 1.1])
    with left:
        projector.chart(bars + ticks + text)
    with right:
        kpi.kpi_cards(lower, per_row=1, key="slides_kpi")


def slide_map() -> None:
    ind = ci.get(map_code)
    df = cached.compute(actor, label, [map_code])
    with session_scope(write=False) as s:
        shapes = iq.township_shapes(s, actor)
    st.markdown(f"#### {ind.name}：颜色为对照各乡镇目标的达标情况（县目标 {ind.target_text}）")  # md-ok: indicator definitions
    chart = build_chart(shapes, df, ind, height=None, label_size=projector.LABEL_FONT)
    if chart is None:
        st.info("尚未导入乡镇边界，无法显示地图。")
        towns = df[df["township_id"] != iq.TOTAL]
        _table(towns[["乡镇", "value", "status"]].rename(columns={"value": "数值", "status": "状态"}))
        return
    projector.chart(chart)


def slide_red_flags() -> None:
    flags = sq.red_flags(_board())
    if flags.empty:
        st.success("本期所有乡镇的各项指标均未出现“未达标”。")
        _table(flags[["乡镇", "未达标指标数", "预警指标数"]])
        return
    more = f"，右表列前 {ROWS} 个" if len(flags) > ROWS else ""
    st.caption(f"{len(flags)} 个乡镇有未达标指标（左图为全部{more}；逐项见「指标看板」）。")  # md-ok: counts
    left, right = st.columns([3, 2])
    with left:
        bars = alt.Chart(flags).mark_bar(color="#c62828").encode(
            y=alt.Y("乡镇:N", sort=None, title=None),
            x=alt.X("未达标指标数:Q", title="未达标指标数", axis=alt.Axis(tickMinStep=1)),
        )
        text = alt.Chart(flags).mark_text(align="left", dx=6).encode(
            y=alt.Y("乡镇:N", sort=None), x="未达标指标数:Q", text="未达标指标数:Q")
        projector.chart(bars + text)
    with right:
        _table(flags[["乡镇", "未达标指标数", "预警指标数"]].head(ROWS))


def slide_scorecards() -> None:
    start = dt.date(today.year, 1, 1)
    with session_scope(write=False) as s:
        df = tq.unit_scorecard(s, actor, start, today, today=today)
    st.caption(f"考评期 {start:%Y-%m-%d} 至 {today:%Y-%m-%d}，牵头任务中到期的；右表为有逾期的单位。")
    ranked = df[(df["按期办结"] + df["逾期办结"] + df["逾期未办结"]) > 0] if len(df) else df
    if ranked.empty:
        st.info("考评期内没有到期的牵头任务。")
        _table(df.drop(columns=["unit_id"]).head(0))
        return
    ranked = ranked.sort_values(["按期办结率", "逾期未办结"], ascending=[False, True], kind="stable")
    left, right = st.columns([3, 2])
    with left:
        order = list(ranked["单位"])
        bars = alt.Chart(ranked).mark_bar().encode(
            y=alt.Y("单位:N", sort=order, title=None),
            x=alt.X("按期办结率:Q", title="按期办结率（%）", scale=alt.Scale(domain=[0, 110])),
            color=alt.Color("按期办结率:Q", legend=None,
                            scale=alt.Scale(domain=[0, 60, 90, 100], range=["#c62828", "#f9a825", "#9ccc65", "#2e7d32"])),
        )
        text = alt.Chart(ranked).mark_text(align="left", dx=6).encode(
            y=alt.Y("单位:N", sort=order), x="按期办结率:Q", text=alt.Text("按期办结率:Q", format=".0f"))
        projector.chart(bars + text)
    with right:
        late = ranked[(ranked["逾期办结"] + ranked["逾期未办结"]) > 0]
        late = late.sort_values(["逾期未办结", "逾期办结"], ascending=False, kind="stable")
        _table(late[["单位", "逾期办结", "逾期未办结"]].head(ROWS))


def slide_overdue() -> None:
    with session_scope(write=False) as s:
        df = tq.list_tasks(s, actor, today, statuses=[task_rules.OVERDUE], limit=200)
    if df.empty:
        st.success("没有逾期未办结的议定事项。")
        _table(pd.DataFrame({"议定事项": [], "牵头单位": []}))
        return
    days = [(today - d).days for d in df["截止日期"]]
    shown = df.assign(逾期天数=days, 截止日期=[f"{d:%Y-%m-%d}" for d in df["截止日期"]])
    st.markdown(f"#### 共 {len(df)} 项逾期未办结")
    left, right = st.columns([3, 2])
    with left:
        _table(shown[["议定事项", "牵头单位", "截止日期", "逾期天数", "进度%"]].head(ROWS))
        if len(shown) > ROWS:
            st.caption(f"另有 {len(shown) - ROWS} 项，见「任务督办」。")
    with right:
        by_unit = shown.groupby("牵头单位", sort=False).size().reset_index(name="逾期事项")
        bars = alt.Chart(by_unit).mark_bar(color="#c62828").encode(
            y=alt.Y("牵头单位:N", sort="-x", title=None),
            x=alt.X("逾期事项:Q", title="逾期事项（项）", axis=alt.Axis(tickMinStep=1)))
        projector.chart(bars)


def slide_incidents() -> None:
    with session_scope(write=False) as s:
        df = sq.open_card_counts(s, actor, today)
    if df.empty:
        st.success("目前没有未结案的通报处置卡。")
        _table(df)
        return
    shown = sq.card_figures(df)  # one suppression for the two figures, the bars and the table
    states = list(shown.by_state["状态"])
    left, right = st.columns([2, 3])
    with left:
        m1, m2 = st.columns(2)
        m1.metric("未结案通报处置卡", shown.total, border=True)
        m2.metric("其中逾期", shown.overdue, border=True)
        # a suppressed state has no bar, only its "<5" at the axis
        data = shown.by_state.assign(at=shown.by_state["张数"].fillna(0))
        base = alt.Chart(data).encode(y=alt.Y("状态:N", sort=states, title=None))
        bars = base.mark_bar().encode(x=alt.X("张数:Q", title="张数", axis=alt.Axis(tickMinStep=1, format="d")),
                                      color=alt.Color("状态:N", legend=None))
        text = base.mark_text(align="left", dx=6).encode(x=alt.X("at:Q"), text="标注:N")
        projector.chart(bars + text)
    with right:
        _table(shown.table)
        st.caption("只显示数量，不显示任何卡片内容；少于5张显示为“<5”。")


RENDER = (slide_indicators, slide_map, slide_red_flags, slide_scorecards, slide_overdue, slide_incidents)


def _due(now: float) -> bool:
    return auto and now - st.session_state.get("slide_shown_at", now) >= interval - 0.5


@st.fragment(run_every=interval if auto else None)
def _timer() -> None:
    """Ticks every `interval` seconds while 自动播放 is on; when the slide's time is up it
    reruns the page, which advances (below). Draws nothing."""
    if _due(time.time()):
        st.rerun()


now = time.time()
st.session_state.setdefault("slide_shown_at", now)
if _due(now):
    _go(1)
idx = st.session_state.get("slide_idx", 0) % len(SLIDES)
prev_slot.button("上一页", key="slide_prev", on_click=_go, args=(-1,), icon=":material/arrow_back:",
                 shortcut="Left")
next_slot.button("下一页", key="slide_next", on_click=_go, args=(1,), icon=":material/arrow_forward:",
                 shortcut="Right")
info_slot.caption(f"第 {idx + 1} / {len(SLIDES)} 页" + (f" · 自动播放，每 {interval} 秒翻页" if auto else "")
                  + " · 键盘 ← → 翻页")  # md-ok: counts
st.header(f"{idx + 1}. {SLIDES[idx]}", anchor=False)  # md-ok: fixed slide titles
st.caption(f"统计期间：{per.title}（截至 {per.as_of:%Y-%m-%d}）· 数据时间：{dt.datetime.now():%Y-%m-%d %H:%M}"
           " · 投屏脱敏显示")  # md-ok: a period and times
with projector.slide_body():
    RENDER[idx]()
_timer()
