"""从 Excel 导入 in the 队伍 and 阵地 tabs of 队伍与阵地: template, preview with the reasons per
row, then the whole roster or nothing (areas/workforce/roster_import)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.action import run_action
from components.table_upload import preview_once, show_issues, upload_with_template
from components import tables
from core import uploads
from areas.workforce import roster_import as svc

_NAME = {svc.WORKER: "姓名", svc.FACILITY: "名称"}
_HINT = {svc.WORKER: "列：类别（儿童主任、儿童督导员、志愿者、看护岗）、姓名、乡镇、村（社区）（督导员留空）或12位区划代码、"
                     "联系电话、任职日期、离任日期、培训日期。",
         svc.FACILITY: "列：类别（儿童之家等）、名称、乡镇、村（社区）（乡镇级阵地留空）或12位区划代码、状态（运行、建设中、停用）、"
                       "达标（是/否）、启用日期。"}


def roster_import_section(actor, what: str, flash_key: str) -> None:
    """`what`: svc.WORKER or svc.FACILITY; widget keys are prefixed by it."""
    label, key = svc.LABEL[what], f"ri_{what}"
    st.caption(_HINT[what] + "整份名单有一处问题就不导入任何一行；同一份名单再导入一次不会重复登记。")
    up = upload_with_template(label, uploads.ROSTER, key, svc.template(what), f"{label}模板")
    pv = preview_once(actor, up, f"{key}_preview",
                      lambda session, actor_, name, data: svc.preview(session, actor_, what, name, data))
    if pv is None:
        return
    if pv.errors:
        show_issues(pv.errors, "整份名单不会导入")
        return
    tables.dataframe(pd.DataFrame([{"行": r.row, "类别": r.values["kind"], _NAME[what]: r.values["name"],
                                    "乡镇 / 村（社区）": r.place, "处理": r.action} for r in pv.rows]),
                     hide_index=True, width="stretch")
    n = pv.counts()
    if st.button(f"导入（新增 {n['新增']} 行，更新 {n['更新']} 行）", type="primary", key=f"{key}_apply"):  # md-ok: counts
        run_action(actor, svc.apply, what, up.name, up.getvalue(), flash_key=flash_key,
                   then=lambda _r: st.session_state.pop(f"{key}_preview", None),
                   success=lambda r: f"{label}已导入：新增 {r['新增']} 行，更新 {r['更新']} 行，无变化 {r['无变化']} 行。")
