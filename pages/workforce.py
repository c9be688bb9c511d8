"""队伍与阵地: 儿童主任 / 儿童督导员 / 志愿者 / 看护岗 and facilities; vacancies.
These records feed the coverage indicators (儿童主任村覆盖率, 督导员乡镇覆盖, …) directly."""
import datetime as dt

import streamlit as st

from components import flash
from components.action import run_action

from components.page import page_header
from components.roster_import import roster_import_section
from components.school_stats import school_stats_section
from components import tables
from core import indicators as ci
from db.engine import session_scope
from areas.workforce import reads as wq
from areas.workforce import writes as svc

actor = page_header("workforce", "每村1名儿童主任、每乡镇1名儿童督导员、每村至少1名关爱儿童志愿者；"
                                 "每乡镇1所标准化儿童之家和寄宿制学校（002、003）。")
today = dt.date.today()
editable = actor.can_edit_registry

flash.show("wf_flash")


with session_scope(write=False) as s:
    summary = wq.summary(s, actor, today)
    vacancies = wq.vacancies(s, actor, today)

st.subheader("各乡镇队伍与阵地")
if summary.empty:
    st.info("当前范围内没有乡镇。")
else:
    tables.dataframe(summary, hide_index=True, width="stretch")

st.subheader(f"空缺岗位（{len(vacancies)}）")
if vacancies.empty:
    st.success("所有村都有在任儿童主任，所有乡镇都有儿童督导员。")
else:
    tables.dataframe(vacancies, hide_index=True, width="stretch",
                 column_config={"空缺起始": st.column_config.DateColumn(format="YYYY-MM-DD"),
                                "空缺天数": st.column_config.NumberColumn(format="%d 天")})

tab_people, tab_sites, tab_schools = st.tabs(["队伍", "阵地", "学年统计（辍学率）"])

with tab_schools:
    school_stats_section(actor, today)

with tab_people:
    f1, f2 = st.columns([2, 1])
    kind_filter = f1.selectbox("类别", ["全部", *ci.WORKER_KINDS], key="wf_filter_kind")
    include_left = f2.toggle("包含已离任", key="wf_include_left")
    with session_scope(write=False) as s:
        people = wq.workers(s, actor, None if kind_filter == "全部" else kind_filter, include_left=include_left,
                            today=today)
    tables.dataframe(people.drop(columns=["id", "version"]), hide_index=True, width="stretch")

    if editable:
        with st.expander("从 Excel 导入", expanded=False):
            roster_import_section(actor, "worker", "wf_flash")
        with st.expander("新增人员", expanded=False):
            kind = st.selectbox("岗位类别", list(ci.WORKER_KINDS), key="wf_kind")
            level = ci.WORKER_KINDS[kind]
            with session_scope(write=False) as s:
                regions = dict(wq.region_choices(s, actor, level))
            if not regions:
                st.info("没有可选的区划。")
            else:
                region_id = st.selectbox("村（社区）" if level == "village" else "乡镇（街道）", list(regions),
                                         format_func=regions.get, key="wf_region")
                c1, c2 = st.columns(2)
                name = c1.text_input("姓名", max_chars=64, key="wf_name")
                phone = c2.text_input("联系电话", max_chars=20, key="wf_phone")
                c3, c4 = st.columns(2)
                appointed = c3.date_input("任职日期", value=today, max_value=today, key="wf_appointed")
                trained = c4.date_input("最近培训日期（可空）", value=None, max_value=today, key="wf_trained")
                if st.button("保存", key="wf_add", type="primary"):
                    run_action(actor, svc.add_worker, kind=kind, name=name, region_id=region_id, phone=phone,
                               appointed_on=appointed, trained_on=trained, today=today, flash_key="wf_flash",
                               success=f"已登记{kind}「{name.strip()}」（{regions[region_id]}）。")

        if not people.empty:
            with st.expander("修改 / 登记离任 / 删除", expanded=False):
                labels = {int(r.id): f"{r.类别} · {r.姓名} · {r.乡镇} {r._5}" for r in people.itertuples()}
                wid = st.selectbox("选择人员", list(labels), format_func=labels.get, key="wf_edit_id")
                w = people[people["id"] == wid].iloc[0]
                c1, c2 = st.columns(2)
                e_name = c1.text_input("姓名", value=w["姓名"], max_chars=64, key=f"wf_e_name_{wid}")
                e_phone = c2.text_input("联系电话", value=w["联系电话"] or "", max_chars=20, key=f"wf_e_phone_{wid}",
                                        disabled=not actor.sees_personal_data)
                c3, c4, c5 = st.columns(3)
                e_app = c3.date_input("任职日期", value=w["任职日期"], max_value=today, key=f"wf_e_app_{wid}")
                e_left = c4.date_input("离任日期（离任时填写）", value=w["离任日期"], max_value=today,
                                       key=f"wf_e_left_{wid}")
                e_tr = c5.date_input("最近培训日期", value=w["培训日期"], max_value=today, key=f"wf_e_tr_{wid}")
                if st.button("保存修改", key="wf_edit_save", type="primary"):
                    run_action(actor, svc.update_worker, wid, int(w["version"]), name=e_name, phone=e_phone,
                               appointed_on=e_app, left_on=e_left, trained_on=e_tr, today=today, flash_key="wf_flash",
                               success="已保存。" + ("离任后该岗位计为空缺。" if e_left else ""))
                st.divider()
                reason = st.text_input("删除原因（仅用于录入错误；人员离任请登记离任日期）", key=f"wf_del_reason_{wid}")
                sure = st.checkbox("确认删除这条记录", key=f"wf_del_sure_{wid}")
                if st.button("删除", key="wf_delete", disabled=not sure):
                    run_action(actor, svc.delete_worker, wid, int(w["version"]), reason, flash_key="wf_flash",
                               success="已删除。")

with tab_sites:
    fk = st.selectbox("阵地类别", ["全部", *ci.FACILITY_KINDS], key="wf_fac_filter")
    with session_scope(write=False) as s:
        sites = wq.facilities(s, actor, None if fk == "全部" else fk)
    tables.dataframe(sites.drop(columns=["id", "version"]), hide_index=True, width="stretch")
    if editable:
        with st.expander("从 Excel 导入", expanded=False):
            roster_import_section(actor, "facility", "wf_flash")
        with st.expander("新增阵地", expanded=False):
            with session_scope(write=False) as s:
                regions = dict(wq.facility_region_choices(s, actor))
            if regions:
                c1, c2 = st.columns(2)
                f_kind = c1.selectbox("类别", list(ci.FACILITY_KINDS), key="wf_fac_kind")
                f_region = c2.selectbox("所在乡镇或村", list(regions), format_func=regions.get, key="wf_fac_region")
                f_name = st.text_input("名称", max_chars=64, key="wf_fac_name")
                c3, c4, c5 = st.columns(3)
                f_status = c3.selectbox("状态", list(ci.FACILITY_STATUSES), key="wf_fac_status")
                f_std = c4.checkbox("达到建设标准", value=True, key="wf_fac_std")
                f_open = c5.date_input("启用日期（可空）", value=None, key="wf_fac_open")
                if st.button("保存阵地", key="wf_fac_add", type="primary"):
                    run_action(actor, svc.add_facility, kind=f_kind, name=f_name, region_id=f_region, status=f_status,
                               standard=f_std, opened_on=f_open, today=today, flash_key="wf_flash",
                               success=f"已登记{f_kind}「{f_name.strip()}」。")
        if not sites.empty:
            with st.expander("修改 / 删除阵地", expanded=False):
                labels = {int(r.id): f"{r.类别} · {r.名称} · {r.乡镇}" for r in sites.itertuples()}
                fid = st.selectbox("选择阵地", list(labels), format_func=labels.get, key="wf_fac_edit_id")
                row = sites[sites["id"] == fid].iloc[0]
                e_name = st.text_input("名称", value=row["名称"], max_chars=64, key=f"wf_fe_name_{fid}")
                c1, c2, c3 = st.columns(3)
                e_status = c1.selectbox("状态", list(ci.FACILITY_STATUSES),
                                        index=list(ci.FACILITY_STATUSES).index(row["状态"])
                                        if row["状态"] in ci.FACILITY_STATUSES else 0, key=f"wf_fe_status_{fid}")
                e_std = c2.checkbox("达到建设标准", value=bool(row["达标"]), key=f"wf_fe_std_{fid}")
                e_open = c3.date_input("启用日期", value=row["启用日期"], key=f"wf_fe_open_{fid}")
                if st.button("保存修改", key="wf_fac_save"):
                    run_action(actor, svc.update_facility, fid, int(row["version"]), name=e_name, status=e_status,
                               standard=e_std, opened_on=e_open, today=today, flash_key="wf_flash", success="已保存。")
                reason = st.text_input("删除原因", key=f"wf_fd_reason_{fid}")
                sure = st.checkbox("确认删除这个阵地", key=f"wf_fd_sure_{fid}")
                if st.button("删除阵地", key="wf_fac_delete", disabled=not sure):
                    run_action(actor, svc.delete_facility, fid, int(row["version"]), reason, flash_key="wf_flash",
                               success="已删除。")
