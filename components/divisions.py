"""区划 section of the 区划与边界 page: the county's divisions, the list import with its
preview, and adding one township or village by hand (areas/regions/divisions.py)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.action import run_action
from components.table_upload import preview_once, show_issues, upload_with_template
from components.text import md
from components import tables
from core import divisions as dv
from core import uploads
from db.engine import session_scope
from areas.regions import divisions as svc
from areas.regions.reads import division_table

_PREVIEW = "div_preview"


def division_section(actor) -> None:
    st.subheader("行政区划")
    with session_scope(write=False) as s:
        county, table = division_table(s)
    if county is None:
        st.info("系统中还没有区划。请下载模板，填入本县的统计用区划代码（县、乡镇、村三级，12位代码），再上传导入。")
    else:
        st.markdown(f"**{md(county)}**：{len(table)} 个乡镇（街道），{int(table['村（社区）数'].sum())} 个村（社区）")
        with st.expander("查看乡镇列表", expanded=False):
            tables.dataframe(table, hide_index=True, width="stretch")

    st.markdown("**导入区划**")  # md-ok: constant
    st.caption("统计局发布的统计用区划代码格式：统计用区划代码（12位）、名称，可另有级别、上级代码两列；"
               "省、市两级的行会跳过。重复导入同一份文件不会重复添加；名称不同的视为更名。"
               "调整隶属、撤并乡镇或村请用区划调整（带生效日期）。")
    up = upload_with_template("区划文件", uploads.DIVISIONS, "div", svc.template(), "区划导入模板")
    pv = preview_once(actor, up, _PREVIEW, svc.preview)
    if pv is not None:
        _import(actor, up, pv)

    with st.expander("手工添加乡镇或村", expanded=False):
        with st.form("div_add", clear_on_submit=True):
            c1, c2 = st.columns(2)
            code = c1.text_input("统计用区划代码（12位）", key="div_add_code", placeholder="例如 429901100201")
            name = c2.text_input("名称", key="div_add_name", placeholder="例如 东门村")
            if st.form_submit_button("添加", type="primary"):
                run_action(actor, svc.add_division, code, name, flash_key="regions_flash",
                           success=lambda level: f"已添加{level}「{name.strip()}」（{code.strip()}）。")


def _import(actor, up, pv) -> None:
    if pv.errors:
        show_issues(pv.errors, "整份文件不会导入")
        return
    c = pv.counts()
    a, b, d = st.columns(3)
    a.metric("新增", c[svc.ADD], border=True)
    b.metric("更名", c[svc.RENAME], border=True)
    d.metric("不变", c[svc.UNCHANGED], border=True)
    if pv.skipped_above:
        st.caption(f"已跳过省、市级 {pv.skipped_above} 行。")  # md-ok: a count
    changed = [p for p in pv.plan if p.action != svc.UNCHANGED]
    if changed:
        tables.dataframe(pd.DataFrame([{"操作": svc.ACTION_NAMES[p.action], "区划代码": p.division.code,
                                    "名称": p.division.name, "原名称": p.old_name or "—",
                                    "级别": dv.LEVEL_NAMES[p.division.level]} for p in changed]),
                     hide_index=True, width="stretch")
    if pv.not_in_file:
        with st.expander(f"系统中有、文件中没有的区划 {len(pv.not_in_file)} 个（不会删除；撤销请用区划调整）"):  # md-ok: a count
            tables.dataframe(pd.DataFrame([{"区划代码": c_, "名称": n, "级别": dv.LEVEL_NAMES.get(lv, lv)}
                                       for c_, n, lv in pv.not_in_file]), hide_index=True, width="stretch")
    if not changed:
        st.success("文件与系统中的区划一致，无需导入。")
        return
    sure = st.checkbox(f"确认导入：新增 {c[svc.ADD]} 个、更名 {c[svc.RENAME]} 个", key="div_confirm")  # md-ok: counts
    if st.button("确认导入区划", type="primary", key="div_apply", disabled=not sure):
        with st.spinner("正在导入区划…"):
            run_action(actor, svc.apply, up.name, up.getvalue(), flash_key="regions_flash",
                       then=lambda _c: (st.session_state.pop(_PREVIEW, None), st.session_state.pop("div_confirm", None)),
                       success=lambda r: f"区划已导入：新增 {r[svc.ADD]} 个，更名 {r[svc.RENAME]} 个，不变 {r[svc.UNCHANGED]} 个。")
