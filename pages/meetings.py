"""会议与议定事项: meetings, their decisions (→ tasks), carried-over items, and the meeting pack."""
import datetime as dt

import streamlit as st

from components import flash
from components.action import run_action

from core import access
from components.page import page_header
from components.task_view import styled, with_dates
from components.text import md
from components import tables
from core import tasks as rules
from areas.meetings import pack as meeting_pack
from db.engine import session_scope
from areas.meetings import reads as mq
from areas.meetings import writes as svc

actor = page_header("meetings", "全体会议原则上每半年召开一次；议定事项明确牵头单位、责任单位、办结时限和验收标准，由联席办督促落实。")
today = dt.date.today()
manage = access.may(actor, "meeting.manage")

flash.show("meetings_flash")


with session_scope(write=False) as s:
    meetings = mq.list_meetings(s, actor, today)
    units = mq.unit_options(s)

# ---------------------------------------------------------------- meeting pack
if manage:
    with st.container(border=True):
        st.markdown("**会议材料**：各乡镇关键指标及较上次会议变化、红旗乡镇、成员单位考评、上次会议议定事项办理情况、"
                    "未结通报处置卡（不含个人信息），生成Word文档和同样内容的Excel表。")
        # the review period, chosen explicitly: by default since the plenary before today's
        with session_scope(write=False) as s:
            reviews = meeting_pack.previous_plenaries(s, today) or [meeting_pack.default_review(s, today)]
        review = st.selectbox("回顾期（对比的上次全体会议）", reviews, key="pack_review",
                              format_func=lambda r: f"{r.text}（{r.meeting or '无上次全体会议，自年初起'}）")
        if st.button("生成半年度会议材料", key="pack_build", type="primary"):
            with st.status("正在生成会议材料……", expanded=True) as status:
                made = run_action(actor, meeting_pack.build_pack, today, progress=status.write, review=review)
                if made:
                    pack = made.result
                    st.session_state["pack_files"] = (pack.stem, pack.docx, pack.xlsx)
                    status.update(label="会议材料已生成", state="complete", expanded=False)
                else:
                    status.update(label="生成失败", state="error")
        files = st.session_state.get("pack_files")
        if files:
            stem, docx_bytes, xlsx_bytes = files
            c1, c2 = st.columns(2)
            c1.download_button("下载Word文档", docx_bytes, file_name=f"{stem}.docx", key="pack_docx", on_click="ignore",
                               mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                               icon=":material/description:")
            c2.download_button("下载Excel表", xlsx_bytes, file_name=f"{stem}.xlsx", key="pack_xlsx", on_click="ignore",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               icon=":material/table:")

# ---------------------------------------------------------------- new meeting
if manage:
    with st.expander("登记新会议"):
        with st.form("meeting_new", clear_on_submit=True):
            c1, c2 = st.columns(2)
            kind = c1.selectbox("会议类型", rules.MEETING_KINDS, key="mn_kind")
            held_on = c2.date_input("会议日期", value=today, key="mn_date", format="YYYY-MM-DD")
            title = st.text_input("会议名称", key="mn_title", max_chars=200,
                                  placeholder=f"{today.year}年{'上' if today.month <= 6 else '下'}半年联席会议全体会议")
            attendees = st.multiselect("参会单位", list(units), format_func=units.get, default=list(units),
                                       key="mn_att")
            agenda = st.text_area("议程", key="mn_agenda",
                                  help="上次会议未办结的议定事项会自动列入议程，无需手工填写。")
            minutes = st.text_area("会议纪要", key="mn_minutes")
            if st.form_submit_button("保存会议", type="primary"):
                def _create(s, actor, *args):
                    m = svc.create_meeting(s, actor, *args)
                    return m.id, len(mq.carried_over_tasks(s, held_on, exclude_meeting_id=m.id))

                made = run_action(actor, _create, kind, held_on, title, agenda, minutes, attendees)
                if made:
                    st.session_state["meetings_pick"], carried = made.result
                    flash.done("meetings_flash",
                               f"会议已登记，{carried}项未办结事项已自动列入议程。" if carried else "会议已登记。")

if meetings.empty:
    st.info("尚未登记会议。")
    st.stop()

tables.dataframe(with_dates(meetings.drop(columns=["meeting_id"])), hide_index=True, width="stretch")

options = dict(zip(meetings["meeting_id"].astype(int), meetings["会议日期"].astype(str) + " " + meetings["会议名称"]))
if st.session_state.get("meetings_pick") not in options:
    st.session_state.pop("meetings_pick", None)
meeting_id = st.selectbox("查看会议", list(options), format_func=options.get, key="meetings_pick")
with session_scope(write=False) as s:
    m = mq.get_meeting(s, actor, meeting_id, today)
if m is None:
    st.warning("该会议不存在。")
    st.stop()

with st.container(border=True):
    st.markdown(f"#### {md(m.title)}")
    st.markdown(f"**类型**：{md(m.kind)}　**日期**：{m.held_on:%Y-%m-%d}　**参会单位**（{len(m.attendees)}）："
                f"{md('、'.join(m.attendees)) or '未登记'}")
    left, right = st.columns(2)
    with left:
        st.markdown("**议程**")
        st.markdown(md(m.agenda) or "未填写")
    with right:
        st.markdown("**会议纪要**")
        st.markdown(md(m.minutes) or "未填写")

st.subheader(f"议定事项（{len(m.decisions)}项）")
if m.decisions.empty:
    st.caption("本次会议尚无议定事项。")
else:
    tables.dataframe(styled(m.decisions), hide_index=True, width="stretch")
    st.caption("办理详情和督办请到「任务督办」页面。")

st.subheader(f"自动列入本次会议的往次未办结事项（{len(m.carried_over)}项）")
if m.carried_over.empty:
    st.caption("会议召开时没有往次未办结的议定事项。")
else:
    tables.dataframe(styled(m.carried_over), hide_index=True, width="stretch")

if manage:
    with st.expander("新增议定事项（交办任务）", expanded=m.decisions.empty):
        with st.form(f"decision_new_{m.id}", clear_on_submit=True):
            title = st.text_input("议定事项", key="dn_title", max_chars=200)
            c1, c2 = st.columns(2)
            lead = c1.selectbox("牵头单位", list(units), format_func=units.get, key="dn_lead", index=None,
                                placeholder="请选择")
            due_on = c2.date_input("办结时限", value=m.held_on + dt.timedelta(days=90), min_value=m.held_on,
                                   key="dn_due", format="YYYY-MM-DD")
            co = st.multiselect("责任单位（配合）", list(units), format_func=units.get, key="dn_co")
            acceptance = st.text_area("验收标准", key="dn_acceptance", placeholder="怎样算办结，需要报送哪些佐证材料")
            detail = st.text_area("具体要求", key="dn_detail")
            if st.form_submit_button("交办", type="primary"):
                if lead is None:
                    st.error("请选择牵头单位")
                else:
                    run_action(actor, svc.add_decision, m.id, title=title, acceptance=acceptance, lead_unit_id=lead,
                               co_unit_ids=co, due_on=due_on, detail=detail, flash_key="meetings_flash",
                               success=f"议定事项已交办给{units[lead]}。")
    with st.expander("修改议程和会议纪要"):
        with st.form(f"meeting_edit_{m.id}"):
            title = st.text_input("会议名称", value=m.title, key=f"me_title_{m.id}", max_chars=200)
            attendees = st.multiselect("参会单位", list(units), format_func=units.get,
                                       default=[u for u in m.attendee_ids if u in units], key=f"me_att_{m.id}")
            agenda = st.text_area("议程", value=m.agenda or "", key=f"me_agenda_{m.id}", height=200)
            minutes = st.text_area("会议纪要", value=m.minutes or "", key=f"me_minutes_{m.id}", height=200)
            if st.form_submit_button("保存"):
                run_action(actor, svc.update_meeting, m.id, m.version, title=title, agenda=agenda, minutes=minutes,
                           attendee_unit_ids=attendees, flash_key="meetings_flash", success="会议记录已保存。")
