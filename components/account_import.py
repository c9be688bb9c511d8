"""批量导入账户 on the 用户管理 page: template, preview, all-or-none import, and the one-time
passwords shown once (table and workbook) — gone after the next page run."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.action import run_action
from components.table_upload import preview_once, show_issues, upload_with_template
from components import tables
from core import uploads
from core.roles import ROLE_LABELS
from areas.admin import account_import as svc

_PREVIEW, _MADE = "acct_preview", "acct_made"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def account_import_section(actor) -> None:
    made = st.session_state.pop(_MADE, None)  # shown on this run only
    if made:
        st.success(f"已创建 {len(made[0])} 个账户。")  # md-ok: a count
        st.warning("初始密码只显示这一次（本页刷新后不再显示），请下载或抄录后当面告知本人；本人首次登录时须修改。")
        tables.dataframe(pd.DataFrame([{"用户名": a.username, "姓名": made[1].get(a.username, "—"),
                                    "初始密码": a.initial_password} for a in made[0]]),
                     hide_index=True, width="stretch")
        st.download_button("下载初始密码表（仅此一次）", svc.passwords_xlsx(*made), file_name="初始密码.xlsx", mime=XLSX,
                           key="acct_passwords", icon=":material/download:")
    st.caption("名单列：用户名、姓名、角色（系统管理员、联席办/民政局、乡镇(街道)民政办、成员单位联络员、领导）、"
               "所属乡镇（乡镇账户）、所属成员单位（成员单位账户）。整份名单有一处问题就不创建任何账户；"
               "已存在且角色相同的账户跳过。")
    up = upload_with_template("账户名单", uploads.ROSTER, "acct", svc.template(), "账户名单模板")
    pv = preview_once(actor, up, _PREVIEW, svc.preview)
    if pv is None:
        return
    if pv.errors:
        show_issues(pv.errors, "不会创建任何账户")
        return
    tables.dataframe(pd.DataFrame([{"行": r.row, "用户名": r.username, "姓名": r.display_name, "角色": ROLE_LABELS[r.role],
                                "处理": "已存在，跳过" if r.exists else "新建"} for r in pv.rows]),
                 hide_index=True, width="stretch")
    if not pv.new:
        st.info("名单中的账户都已存在，无需导入。")
        return
    names = {r.username: r.display_name for r in pv.new}
    if st.button(f"创建 {len(pv.new)} 个账户", type="primary", key="acct_apply"):
        with st.spinner("正在创建账户…"):
            done = run_action(actor, svc.apply, up.name, up.getvalue())
        if done:
            st.session_state.pop(_PREVIEW, None)
            st.session_state[_MADE] = (done.result, names)
            st.rerun()
