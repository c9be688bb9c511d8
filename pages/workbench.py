"""工作台: today's figures for the signed-in user's scope."""
import datetime as dt

import streamlit as st

from components import cached
from core import access
from components.page import page_header
from components.setup import setup_checklist
from components.tables import count_table
from components import tables

actor = page_header("workbench")
today = dt.date.today()
setup_checklist(actor)  # a county not set up yet: what to do next, with links
scope = "全县" if access.reach(actor, access.AGGREGATE) == access.COUNTY else "本乡镇"
st.caption(f"{scope} · {today:%Y年%m月%d日}")  # md-ok: fixed scope, a date

# aggregates for the actor's scope, cached (TTL, and invalidated by any write: components/cached.py)
by_cat, overdue, incidents, tasks = cached.workbench(actor, today)

c1, c2, c3, c4 = st.columns(4)
c1.metric("在册人数", f"{int(overdue['在册人数'].sum()):,}" if not overdue.empty else "0")
c2.metric("走访逾期", f"{int(overdue['走访逾期'].sum()):,}" if not overdue.empty else "0")
c3.metric("未结通报处置卡", incidents["open"], delta=f"{incidents['overdue']} 张逾期" if incidents["overdue"] else None,
          delta_color="inverse")
if access.may_open(actor.role, "tasks"):  # tasks belong to member units and the office, not townships
    c4.metric("未办结任务", len(tasks), delta=f"{int((tasks['状态'] == '已逾期').sum())} 项逾期" if len(tasks) else None,
              delta_color="inverse")

st.subheader("各乡镇分类人数")
if by_cat.empty:
    st.info("暂无在册人员。")
else:
    count_table(by_cat, actor)

left, right = st.columns(2) if access.may_open(actor.role, "tasks") else (st.container(), None)
with left:
    st.subheader("走访逾期（按乡镇）")
    count_table(overdue, actor, hide_index=True)
if right is not None:
    with right:
        st.subheader("我的待办任务" if access.unit_bound(actor) else "未办结的议定事项")
        if tasks.empty:
            st.info("没有未办结的任务。")
        else:
            tables.dataframe(tasks, hide_index=True, width="stretch")
