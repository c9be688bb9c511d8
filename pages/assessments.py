"""风险评估: rounds (March/September), who still needs assessing, grades, completion,
grade changes since the previous round, high-risk follow-up."""
import datetime as dt

import streamlit as st

from core import access
from components import flash
from components.action import run_action
from components.page import page_header
from components.tables import count_table
from components.text import md
from components import tables
from core.assessments import HIGH, LEVELS, period_label, suggest_period
from db.engine import session_scope
from areas.care import reads as q
from areas.care import writes as svc

actor = page_header("assessments", "文件002：每年3月、9月各开展一次儿童风险分类评估，高风险对象持续跟踪。")
today = dt.date.today()
rows_visible = access.sees_rows(actor)

flash.show("assessments_flash")
with session_scope(write=False) as s:
    rounds = q.rounds(s)

if access.may(actor, "assessment_round.manage"):
    with st.expander("开启新一轮评估", expanded=not rounds or all(r.closed_on for r in rounds)):
        period = st.text_input("评估期次", value=suggest_period(today), key="round_period", max_chars=7,
                               help="格式 YYYY-03 或 YYYY-09")
        if st.button("开启评估轮次", key="round_open"):
            run_action(actor, svc.open_round, period=period.strip(), today=today, flash_key="assessments_flash",
                       success=f"已开启{period}评估轮次，各乡镇可开始登记。")

if not rounds:
    st.info("尚未开启评估轮次。" + ("请先开启本期评估。" if access.role_may(actor.role, "assessment_round.manage") else "请等待联席办开启。"))
    st.stop()

rnd = st.selectbox("评估轮次", rounds, key="round_sel",
                   format_func=lambda r: f"{r.period} {period_label(r.period)} · "
                                         + (f"已于{r.closed_on:%Y-%m-%d}结束" if r.closed_on else "进行中"))

if access.may(actor, "assessment_round.manage") and rnd.closed_on is None:
    confirm = st.checkbox("确认结束本轮（结束后各乡镇不能再登记）", key="round_close_ok")
    if st.button("结束本轮评估", key="round_close", disabled=not confirm):
        if run_action(actor, svc.close_round, round_id=rnd.id, today=today):
            st.rerun()

names = (["待评估"] if rows_visible else []) + ["完成情况", "等级变化"] + (["高风险名单"] if rows_visible else [])
tabs = dict(zip(names, st.tabs(names)))  # md-ok: fixed tab names

if "待评估" in tabs:
    with tabs["待评估"]:
        with session_scope(write=False) as s:
            pending = q.pending_assessment(s, actor, rnd.id, today, limit=200)
        if pending.total == 0:
            st.success("本轮评估对象均已完成评估。")
        else:
            st.caption(f"尚未评估 {pending.total} 人" + ("（显示前200人）" if pending.total > 200 else ""))  # md-ok: a count
            tables.dataframe(pending.rows, hide_index=True, width="stretch",
                         column_order=[c for c in pending.rows.columns if c != "编号"])
            if access.may(actor, "assessment.record") and rnd.closed_on is None:
                labels = {r["编号"]: f"{r['姓名']} · {r['村(居)']} · {r['身份证号']}" for r in pending.rows.to_dict("records")}
                with st.form("assessment_form", clear_on_submit=True):
                    st.markdown("**登记评估结果**")
                    pid = st.selectbox("评估对象", list(labels), format_func=labels.get, key="as_person")
                    c1, c2 = st.columns(2)
                    level = c1.radio("风险等级", LEVELS, horizontal=True, key="as_level")
                    assessed_on = c2.date_input("评估日期", value=today, max_value=today, min_value=rnd.opened_on,
                                                format="YYYY-MM-DD")
                    issues = st.text_area("存在的困难和问题", key="as_issues", max_chars=2000, height=80)
                    actions = st.text_area("处置措施", key="as_actions", max_chars=2000, height=80)
                    assessor = st.text_input("评估人", max_chars=64)
                    go = st.form_submit_button("保存评估", type="primary")
                if go:
                    note = "；该对象自评估日起按“特别困难”每周走访。" if level == HIGH else "。"
                    run_action(actor, svc.record_assessment, person_id=pid, round_id=rnd.id, risk_level=level,
                               issues=issues, actions=actions, assessed_on=assessed_on, assessor=assessor, today=today,
                               success=f"已保存{labels[pid].split(' · ')[0]}的评估结果（{level}风险）{note}")

with tabs["完成情况"]:
    with session_scope(write=False) as s:
        comp = q.completion_by_township(s, actor, rnd.id, today)
    need, done = int(comp["应评估人数"].sum()), int(comp["已评估人数"].sum())
    st.metric("评估完成率", f"{100 * done / need:.1f}%" if need else "—", help=f"已评估 {done} 人 / 应评估 {need} 人")  # md-ok: counts
    count_table(comp, actor, columns=["应评估人数", "已评估人数"], hide_index=True,
                column_config={"完成率(%)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f%%")})
    st.caption("应评估：当前在册、属于儿童类别（留守儿童、困境儿童、辍学儿童、孤儿）的对象。")

with tabs["等级变化"]:
    with session_scope(write=False) as s:
        matrix = q.grade_matrix(s, actor, rnd.id)
    prev = matrix.attrs.get("previous_period")
    st.caption(f"与上一轮（{md(prev)}）相比，本轮已评估对象的风险等级变化（人数）。" if prev else "这是第一轮评估，没有可比较的上一轮。")
    count_table(matrix, actor)

if "高风险名单" in tabs:
    with tabs["高风险名单"]:
        with session_scope(write=False) as s:
            high = q.high_risk_list(s, actor, today)
        if high.empty:
            st.success("目前没有高风险对象。")
        else:
            st.caption(f"最近一次评估为“高”的在册对象 {len(high)} 人：持续跟踪，按每周至少1次走访。")
            tables.dataframe(high, hide_index=True, width="stretch")
