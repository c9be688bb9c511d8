"""任务督办: units see and report on their own tasks; the office supervises all of them."""
import datetime as dt

import streamlit as st

from components import flash
from components.action import run_action

from core import access
from components.page import page_header
from components.task_view import status_metrics, styled, task_detail
from components.text import md
from components import tables
from core import tasks as rules
from db.engine import session_scope
from areas.meetings import reads as mq
from areas.meetings import task_reads as q
from areas.meetings import writes as svc

actor = page_header("tasks")
today = dt.date.today()
is_unit = access.unit_bound(actor)
st.caption(("本单位牵头或参与的议定事项；进度由本单位联络员报送，办结后申请销号，由联席办审核。" if is_unit else
            "全部议定事项按状态排列，已逾期的在最前。状态由截止日期和报送情况自动判定，不能手工修改。"))

flash.show("tasks_flash")

with session_scope(write=False) as s:
    units = mq.unit_options(s)
    meetings = mq.meeting_options(s)

# ---------------------------------------------------------------- filters
f1, f2, f3, f4 = st.columns([2, 2, 2, 2])
unit_id = None
if is_unit:
    f2, f3, f4 = st.columns(3)
else:
    unit_id = f1.selectbox("成员单位", [None, *units], format_func=lambda k: "全部单位" if k is None else units[k],
                           key="tasks_unit")
statuses = f2.multiselect("状态", list(rules.STATUSES), key="tasks_status", placeholder="全部状态")
meeting_id = f3.selectbox("来源会议", [None, *meetings], format_func=lambda k: "全部会议" if k is None else meetings[k],
                          key="tasks_meeting")
text = f4.text_input("议定事项关键词", key="tasks_text", max_chars=50)

with session_scope(write=False) as s:
    counts = q.count_tasks_by_status(s, actor, today, unit_id=unit_id)
    df = q.list_tasks(s, actor, today, unit_id=unit_id, statuses=statuses, meeting_id=meeting_id, text=text)

status_metrics(counts)
if df.empty:
    st.info("没有符合条件的任务。" if (statuses or meeting_id or text or unit_id) else "暂无任务。")
    st.stop()

tables.dataframe(
    styled(df),
    hide_index=True,
    width="stretch",
    column_config={
        "编号": st.column_config.NumberColumn(width="small"),
        "进度%": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d%%"),
    },
)
if len(df) >= 200:
    st.caption("仅显示前200项，请用筛选条件缩小范围。")

# ---------------------------------------------------------------- one task
labels = {int(r["编号"]): f"#{r['编号']} {r['议定事项']}（{r['牵头单位']}）" for _, r in df.iterrows()}
task_id = st.selectbox("查看任务", list(labels), format_func=labels.get, key="tasks_pick")
with session_scope(write=False) as s:
    detail = q.get_task(s, actor, task_id, today)
if detail is None:  # gone or out of scope since the list was drawn
    st.warning("该任务不存在或您无权查看。")
    st.stop()

with st.container(border=True):
    task_detail(detail)

actions = rules.allowed_actions(actor.role, actor.unit_id, detail.lead_unit_id, detail.co_unit_ids,
                                closed=detail.closed_on is not None, claimed=detail.claimed_on is not None,
                                read_only=actor.is_read_only)


if rules.REPORT in actions:
    with st.form(f"report_{task_id}", clear_on_submit=False):
        st.markdown("**报送进展**")
        c1, c2 = st.columns(2)
        progress = c1.slider("完成进度（%）", 0, 100, value=max(0, min(100, int(detail.progress or 0))), step=1,  # the reported figure as it is: no rounding
                            key=f"rp_progress_{task_id}")
        reported_on = c2.date_input("报送日期", value=today, max_value=today, min_value=detail.assigned_on,
                                    key=f"rp_date_{task_id}", format="YYYY-MM-DD")
        note = st.text_area("进展情况", key=f"rp_text_{task_id}", max_chars=2000,
                            placeholder="已做了什么、下一步安排、需要协调的问题")
        claim = False
        if rules.CLAIM in actions:
            claim = st.checkbox("已全部完成，申请销号（进度须为100%，由联席办审核）", key=f"rp_claim_{task_id}")
        if st.form_submit_button("提交报送", type="primary"):
            run_action(actor, svc.report_progress, task_id, progress=progress, text=note, reported_on=reported_on,
                       claim_complete=claim, flash_key="tasks_flash",
                       success="已申请销号，等待联席办审核。" if claim else "进展已报送。")

if actions & {rules.REMIND, rules.ACCEPT, rules.RETURN}:
    st.markdown("**联席办督办**")
    tabs = st.tabs([t for t, a in (("销号", rules.ACCEPT), ("退回", rules.RETURN), ("催办", rules.REMIND))  # md-ok: fixed
                    if a in actions])
    i = 0
    if rules.ACCEPT in actions:
        with tabs[i], st.form(f"accept_{task_id}"):
            if detail.claimed_on is None:
                st.warning("牵头单位尚未申请销号。如已核实办结，也可直接销号。")
            st.markdown(f"验收标准：{md(detail.acceptance) or '未填写'}")
            on = st.date_input("销号日期", value=today, max_value=today,
                               min_value=detail.claimed_on or detail.assigned_on, key=f"ac_date_{task_id}",
                               format="YYYY-MM-DD")
            note = st.text_input("审核意见", key=f"ac_text_{task_id}", max_chars=500, value="经核查符合验收标准，同意销号。")
            sure = st.checkbox("已核对佐证材料，确认销号（销号后不能再报送或修改）", key=f"ac_sure_{task_id}")
            if st.form_submit_button("确认销号", type="primary"):
                if not sure:
                    st.error("请先勾选确认。")
                else:
                    run_action(actor, svc.accept_completion, task_id, detail.version, on=on, text=note,
                               flash_key="tasks_flash", success=f"任务 #{task_id} 已销号。")
        i += 1
    # 退回 and 催办 are the same form: one text, one button, one service call.
    for action, form, prefix, widget, label, extra, button, fn, args, success in (
        (rules.RETURN, "return", "rt", st.text_area, "退回原因", {"placeholder": "对照验收标准，说明还缺什么"}, "退回重办",
         svc.send_back, (task_id, detail.version), f"任务 #{task_id} 已退回，牵头单位的销号申请已撤回。"),
        (rules.REMIND, "remind", "rm", st.text_input, "催办内容", {"value": "请抓紧落实并按时报送进展。"}, "发送催办",
         svc.remind, (task_id,), f"已对任务 #{task_id} 催办并记录。"),
    ):
        if action not in actions:
            continue
        with tabs[i], st.form(f"{form}_{task_id}"):
            text = widget(label, key=f"{prefix}_text_{task_id}", max_chars=500, **extra)
            if st.form_submit_button(button):  # md-ok: fixed labels
                run_action(actor, fn, *args, text, flash_key="tasks_flash", success=success)
        i += 1
elif actor.is_read_only:
    st.caption("只读视图。")
