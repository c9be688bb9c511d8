"""成员单位: the member units of the joint meeting, their duties and seats (with succession)."""
import datetime as dt

import streamlit as st

from components import flash
from components.action import run_action

from core import access
from components.page import page_header
from components.task_view import with_dates
from components.text import md
from components import tables
from core import tasks as rules
from db.engine import session_scope
from areas.meetings import reads as mq
from areas.meetings import writes as svc

actor = page_header("units", "联席会议成员单位、职责分工和组成人员。成员因工作调整或职位变动的，由继任者履行成员职责（席位属于单位）。")
today = dt.date.today()
manage = access.may(actor, "unit.manage")

flash.show("units_flash")


with session_scope(write=False) as s:
    units = mq.list_units(s, actor, today, include_inactive=manage)

if units.empty:
    st.info("尚未登记成员单位。" + ("可一键导入联席会议制度文件（巴政办函〔2018〕39号）中的成员单位、职责和组成人员，或在下方逐个新增。"
                                  if manage else ""))
    if manage and st.button("导入制度文件中的成员单位", key="units_seed", type="primary"):
        run_action(actor, svc.load_seed_units, flash_key="units_flash", success=lambda n: f"已导入{n}个成员单位。")
else:
    tables.dataframe(units.drop(columns=["unit_id"]), hide_index=True, width="stretch")
    options = dict(zip(units["unit_id"], units["单位"]))
    unit_id = st.selectbox("查看单位", list(options), format_func=options.get, key="units_pick")
    with session_scope(write=False) as s:
        u = mq.get_unit(s, actor, int(unit_id), today)
    with st.container(border=True):
        st.markdown(f"#### {md(u.name)}（{md(u.short_name)}）" + ("　已停用" if not u.active else ""))
        st.markdown("**职责**")
        st.markdown(md(u.duties) or "未填写")
        st.markdown("**现任组成人员**")
        if u.current.empty:
            st.caption("暂无在任人员。")
        else:
            tables.dataframe(with_dates(u.current.drop(columns=["member_id", "卸任日期"])), hide_index=True, width="stretch")
        with st.expander(f"任职历史（{len(u.history)}条）"):
            tables.dataframe(with_dates(u.history.drop(columns=["member_id"])), hide_index=True, width="stretch")

    if manage:
        with st.expander("调整组成人员（继任）"):
            with st.form("seat_form", clear_on_submit=True):
                st.caption("新任人员从任职日期起接任该单位的同一席位，前任自动卸任（前一日），历史保留。")
                c1, c2 = st.columns(2)
                seat = c1.selectbox("席位", rules.SEAT_ROLES, index=2, key="seat_role")
                from_on = c2.date_input("任职日期", value=today, key="seat_from", format="YYYY-MM-DD")
                name = c1.text_input("姓名", key="seat_name", max_chars=64)
                title = c2.text_input("职务", key="seat_title", max_chars=64)
                phone = c1.text_input("联系电话", key="seat_phone", max_chars=20)
                if st.form_submit_button("保存任职", type="primary"):
                    run_action(actor, svc.assign_seat, u.id, seat, name, title, from_on, phone=phone,
                               flash_key="units_flash", success=f"{name} 已任{u.short_name}{seat}。")
        with st.expander("修改单位信息和职责"):
            with st.form("unit_edit"):
                name = st.text_input("单位全称", value=u.name, max_chars=64, key="ue_name")
                short = st.text_input("简称", value=u.short_name, max_chars=16, key="ue_short")
                duties = st.text_area("职责", value=u.duties or "", height=200, key="ue_duties")
                active = st.checkbox("在用（停用后不再出现在交办和考评中）", value=u.active, key="ue_active")
                if st.form_submit_button("保存修改"):
                    run_action(actor, svc.update_unit, u.id, u.version, name=name, short_name=short, duties=duties,
                               active=active, flash_key="units_flash", success="单位信息已保存。")

if manage:
    with st.expander("新增成员单位"):
        with st.form("unit_new", clear_on_submit=True):
            name = st.text_input("单位全称", max_chars=64, key="un_name")
            short = st.text_input("简称", max_chars=16, key="un_short")
            duties = st.text_area("职责", key="un_duties")
            if st.form_submit_button("新增", type="primary"):
                run_action(actor, svc.create_unit, name, short, duties, flash_key="units_flash",
                           success=f"已新增成员单位：{name}")
