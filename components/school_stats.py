"""学年统计 tab of 队伍与阵地: the figures behind 小学/初中辍学率, entered by form or imported
from the education bureau's table (areas/schools)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.action import run_action
from components.table_upload import preview_once, show_issues, upload_with_template
from components import tables
from core import access, schools, uploads
from db.engine import session_scope
from areas.regions.reads import townships
from areas.schools import reads as q
from areas.schools import writes as svc

_PREVIEW = "ss_preview"


def school_stats_section(actor, today) -> None:
    st.caption("每学年每个乡镇小学、初中的在校生数和辍学人数（学年统计表），用于指标看板的小学辍学率、初中辍学率。")
    with session_scope(write=False) as s:
        years = q.school_years(s)
        towns = {t.id: t.name for t in townships(s, actor)}
    current = schools.current_school_year(today)
    choices = sorted({current, *years}, reverse=True)
    year = st.selectbox("学年", choices, key="ss_year")
    with session_scope(write=False) as s:
        table = q.stats(s, actor, year)
    if table.empty:
        st.info(f"{year}学年还没有统计数据。")  # md-ok: a school year from core.schools
    else:
        tables.dataframe(table.drop(columns=["学年"]), hide_index=True, width="stretch",
                     column_config={"辍学率%": st.column_config.NumberColumn(format="%.2f")})
    if not access.may(actor, "school_stat.edit"):
        return
    with st.expander("录入或更正一个乡镇的数据", expanded=table.empty):
        with st.form("ss_form"):
            c1, c2 = st.columns(2)
            town = c1.selectbox("乡镇", list(towns), format_func=towns.get, key="ss_town", index=None,
                                placeholder="请选择乡镇")
            level = c2.selectbox("学段", schools.LEVELS, key="ss_level")
            enrolled = c1.number_input("在校生数", min_value=0, step=1, key="ss_enrolled")
            dropouts = c2.number_input("辍学人数", min_value=0, step=1, key="ss_dropouts")
            if st.form_submit_button("保存学年统计", type="primary"):
                run_action(actor, svc.set_stat, town, year, level, int(enrolled), int(dropouts), flash_key="wf_flash",
                           success=lambda r: f"{year}学年{towns.get(town, '')}{level}：{r}。")
    with st.expander("从 Excel 导入（学年、乡镇、学段、在校生数、辍学人数）"):
        up = upload_with_template("学年统计表", uploads.ROSTER, "ss", svc.template(), "学年统计模板")
        pv = preview_once(actor, up, _PREVIEW, svc.preview_import)
        if pv is None:
            return
        if pv.errors:
            show_issues(pv.errors, "整份文件不会导入")
            return
        tables.dataframe(pd.DataFrame([{"行": k, "学年": y, "乡镇": towns.get(t, "—"), "学段": lv, "在校生数": e,
                                    "辍学人数": d} for k, t, y, lv, e, d in pv.rows]), hide_index=True, width="stretch")
        if st.button(f"导入 {len(pv.rows)} 行", type="primary", key="ss_apply"):
            run_action(actor, svc.import_stats, up.name, up.getvalue(), flash_key="wf_flash",
                       then=lambda _r: st.session_state.pop(_PREVIEW, None),
                       success=lambda r: f"学年统计已导入：新增 {r['新增']} 行，更新 {r['更新']} 行，无变化 {r['无变化']} 行。")
