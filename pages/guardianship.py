"""监护落实: every child in a child category has a capable guardian or a signed
entrusted-guardianship agreement (seed 002); those lacking both form a worklist."""
import datetime as dt

import streamlit as st

from core import access
from components.page import page_header
from components.tables import count_table
from components.worklist import paged_worklist
from db.engine import session_scope
from areas.care import reads as q
from areas.regions.reads import township_options

actor = page_header("guardianship", "文件002：监护人须具备监护能力；委托监护须签订委托监护协议（责任确认书）并经村(居)见证。")
today = dt.date.today()

with session_scope(write=False) as s:
    summary = q.guardianship_summary(s, actor, today)
kids, ok = int(summary["儿童人数"].sum()), int(summary["监护已落实"].sum())
c1, c2, c3 = st.columns(3)
c1.metric("儿童类别在册人数", f"{kids:,}")
c2.metric("监护已落实", f"{ok:,}")
c3.metric("监护落实率", f"{100 * ok / kids:.1f}%" if kids else "—")
count_table(summary, actor, columns=["儿童人数", "监护已落实"], hide_index=True,
            column_config={"落实率(%)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f%%")})

st.subheader("监护未落实名单")
st.caption("既没有具备监护能力的监护人，也没有已签协议的委托监护人的儿童。请在人员档案中补录监护人或协议签订日期。")
township_id = 0
if not access.township_bound(actor):
    with session_scope(write=False) as s:
        townships = dict(township_options(s, actor))
    township_id = st.selectbox("乡镇", [0] + list(townships), key="gd_tw",
                               format_func=lambda i: townships.get(i, "全部乡镇"))
def _fetch(limit: int, offset: int):
    with session_scope(write=False) as s:
        return q.guardianship_worklist(s, actor, today, township_id=township_id or None, limit=limit, offset=offset)


paged_worklist("gd_page", 100, _fetch, empty="所有儿童的监护均已落实。", caption=lambda n: f"共 {n} 人",
               column_config={"出生日期": st.column_config.DateColumn(format="YYYY-MM-DD")})
