"""单位考评: per member unit, how its tasks were handled in a period, with a ranking chart."""
import datetime as dt

import altair as alt
import streamlit as st

from components.page import page_header
from components.task_view import with_dates
from components import tables
from db.engine import session_scope
from areas.meetings import reads as mq
from areas.meetings import task_reads as q

actor = page_header("scorecards", "统计口径：牵头任务中截止日期落在考评期内的；按期办结率 = 按期办结 ÷（按期办结 + 逾期办结 + 逾期未办结）。"
                                  "申请销号在期限内、尚待联席办审核的不计逾期。"
                                  "指标看板的「成员单位任务按期办结率」是同一口径，按统计月份计算：选「自定义」同一月份，两处数字一致。")
today = dt.date.today()

with session_scope(write=False) as s:
    last = mq.last_meeting(s, before=today, kind="全体会议")

presets = {}
if last is not None:
    presets[f"自上次全体会议（{last.held_on:%Y-%m-%d}）以来"] = (last.held_on, today)
presets[f"{today.year}年全年"] = (dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
half = (dt.date(today.year, 1, 1), dt.date(today.year, 6, 30)) if today.month <= 6 else \
    (dt.date(today.year, 7, 1), dt.date(today.year, 12, 31))
presets[f"{today.year}年{'上' if today.month <= 6 else '下'}半年"] = half
presets[f"{today.year - 1}年全年"] = (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
presets["自定义"] = None

c1, c2 = st.columns([2, 3])
choice = c1.selectbox("考评期", list(presets), key="sc_preset")
if presets[choice] is None:
    picked = c2.date_input("起止日期", value=(dt.date(today.year, 1, 1), today), key="sc_range", format="YYYY-MM-DD")
    if not isinstance(picked, (tuple, list)) or len(picked) != 2:
        st.info("请选择起止日期。")
        st.stop()
    start, end = picked
else:
    start, end = presets[choice]
    c2.text_input("起止日期", value=f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}" + ("（截至今天）" if end > today else ""),
                  disabled=True, key=f"sc_range_text_{choice}")
if start > end:
    st.error("开始日期不能晚于结束日期。")
    st.stop()

with session_scope(write=False) as s:
    df = q.unit_scorecard(s, actor, start, end, today=today)
    num, den = q.on_time_rate(s, start, end, today=today)

m1, m2, m3, m4 = st.columns(4)
m1.metric("全县按期办结率", f"{100 * num / den:.1f}%" if den else "—", help=f"{num} ÷ {den}")  # md-ok: counts
m2.metric("到期任务", den)
m3.metric("逾期未办结", int(df["逾期未办结"].sum()) if len(df) else 0)
m4.metric("逾期办结", int(df["逾期办结"].sum()) if len(df) else 0)

if df.empty or int(df["交办任务"].sum()) == 0:
    st.info("该考评期内没有到期的牵头任务。")
else:
    ranked = df[(df["按期办结"] + df["逾期办结"] + df["逾期未办结"]) > 0].copy()
    if not ranked.empty:
        ranked = ranked.sort_values(["按期办结率", "逾期未办结"], ascending=[False, True], kind="stable")
        ranked["名次"] = range(1, len(ranked) + 1)
        base = alt.Chart(ranked).encode(
            y=alt.Y("单位:N", sort=list(ranked["单位"]), title=None, axis=alt.Axis(labelLimit=220)),
            tooltip=["名次:O", "单位:N", "按期办结率:Q", "按期办结:Q", "逾期办结:Q", "逾期未办结:Q", "平均逾期天数:Q"],
        )
        bars = base.mark_bar().encode(
            x=alt.X("按期办结率:Q", title="按期办结率（%）", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("按期办结率:Q", scale=alt.Scale(domain=[0, 60, 90, 100],
                                                      range=["#c62828", "#f9a825", "#9ccc65", "#2e7d32"]),
                            legend=None),
        )
        labels = base.mark_text(align="left", dx=4).encode(
            x=alt.X("按期办结率:Q"), text=alt.Text("按期办结率:Q", format=".1f"))
        chart = (bars + labels).properties(height=alt.Step(26), title="成员单位按期办结率排名（有到期任务的单位）")
        st.altair_chart(chart, width="stretch")
    table = with_dates(df.drop(columns=["unit_id"]).sort_values(["逾期未办结", "交办任务"], ascending=[False, False],
                                                               kind="stable"))
    # no figure (nothing fell due / nothing late) reads "—", not the grid's grey "None"
    table["按期办结率"] = ["—" if v is None or v != v else f"{v:.1f}%" for v in table["按期办结率"]]
    table["平均逾期天数"] = ["—" if v is None or v != v else f"{v:.1f}" for v in table["平均逾期天数"]]
    tables.dataframe(
        table,
        hide_index=True,
        width="stretch",
    )
    st.caption("平均逾期天数：逾期办结的按办结日期、逾期未办结的按今天（或考评期末）计算。配合任务为作为责任单位参与的任务数，不计入按期办结率。")
