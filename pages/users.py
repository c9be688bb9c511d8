"""用户管理: accounts, role and scope, disable/enable, password reset, sign out everywhere."""
import streamlit as st

from components.action import run_action
from components.account_import import account_import_section
from components.page import page_header
from components.text import md
from components import tables
from core import access
from core.roles import ROLE_LABELS, ROLES
from db.engine import session_scope
from areas.admin import reads as q
from areas.admin import writes as svc

actor = page_header("users", "账户不会被删除：停用后保留全部记录，可随时重新启用。所有操作记入审计日志。")

flash = st.session_state.pop("users_flash", None)
if flash:
    st.success(md(flash["message"]))
    if flash.get("password"):
        st.warning("初始密码只显示这一次，请当面或电话告知本人；本人首次登录时须修改。")
        st.code(flash["password"], language=None)


def run(fn, *args, message: str, **kwargs) -> None:
    """Call a service in its own transaction; on success show `message` after a rerun."""
    done = run_action(actor, fn, *args, **kwargs)
    if not done:
        return
    result = done.result
    password = getattr(result, "initial_password", None) or (result if isinstance(result, str) else None)
    st.session_state["users_flash"] = {"message": message, "password": password}
    st.rerun()


def scope_inputs(prefix: str, role: str, towns: dict, units: dict, township_id=None, unit_id=None):
    town = unit = None
    if role in access.TOWNSHIP_BOUND:
        keys = list(towns)
        town = st.selectbox("所属乡镇", keys, index=keys.index(township_id) if township_id in keys else None,
                            format_func=towns.get, key=f"{prefix}_town", placeholder="请选择乡镇")
    elif role in access.UNIT_BOUND:
        keys = list(units)
        unit = st.selectbox("所属成员单位", keys, index=keys.index(unit_id) if unit_id in keys else None,
                            format_func=units.get, key=f"{prefix}_unit", placeholder="请选择成员单位")
    return town, unit


with session_scope(write=False) as s:
    table = q.list_users(s, actor)
    towns, units = q.scope_choices(s, actor)

tables.dataframe(table.drop(columns=["id"]), hide_index=True, width="stretch")

tab_manage, tab_new, tab_bulk = st.tabs(["管理账户", "新建账户", "批量导入账户"])

with tab_bulk:
    account_import_section(actor)

with tab_new:
    c1, c2 = st.columns(2)
    username = c1.text_input("用户名", max_chars=64, key="new_username", help="小写字母、数字、点、下划线，用于登录")
    display_name = c2.text_input("姓名", max_chars=64, key="new_display")
    role = c1.selectbox("角色", ROLES, format_func=ROLE_LABELS.get, key="new_role")
    with c2:
        town, unit = scope_inputs("new", role, towns, units)
    st.caption("系统自动生成符合密码策略的初始密码，本人首次登录须修改。")
    if st.button("创建账户", type="primary", key="new_submit"):
        run(svc.create_account, username, display_name, role, town, unit,
            message=f"已创建账户 {username.strip().lower()}。")

with tab_manage:
    if table.empty:
        st.info("还没有账户。")
        st.stop()
    labels = {int(r["id"]): f"{r['用户名']} · {r['姓名']} · {r['角色']} · {r['状态']}" for _, r in table.iterrows()}
    user_id = st.selectbox("选择账户", list(labels), format_func=labels.get, key="manage_user")
    with session_scope(write=False) as s:
        row = q.get_user_row(s, actor, user_id)
    if row is None:
        st.warning("该账户不存在，请刷新页面。")
        st.stop()
    status = "已停用" if not row.active else ("已锁定（连续登录失败）" if row.locked else "正常")
    st.caption(f"状态：{status} · 最近登录：{row.last_login or '从未登录'}"  # md-ok: fixed states, a timestamp
               + (" · 须在下次登录时修改密码" if row.must_change_password else ""))

    left, right = st.columns(2)
    with left:
        st.subheader("角色与范围")
        new_role = st.selectbox("角色", ROLES, index=ROLES.index(row.role), format_func=ROLE_LABELS.get,
                                key=f"role_{row.id}")
        town, unit = scope_inputs(f"edit_{row.id}", new_role, towns, units, row.township_id, row.unit_id)
        st.caption("保存后该用户须重新登录，新权限立即生效。")
        if st.button("保存角色与范围", key=f"save_role_{row.id}"):
            run(svc.change_role, row.id, new_role, row.version, town, unit,
                message=f"已将 {row.username} 的角色改为 {ROLE_LABELS[new_role]}。")

        st.subheader("强制下线")
        st.caption("使该用户在所有电脑和浏览器上的登录立即失效（例如电脑遗失时）。")
        if st.button("强制下线", key=f"revoke_{row.id}"):
            run(svc.sign_out_everywhere, row.id, message=f"{row.username} 的所有登录已失效。")

    with right:
        st.subheader("启用 / 停用")
        if row.active:
            reason = st.text_input("停用原因", max_chars=200, key=f"reason_{row.id}", placeholder="如：调岗、离职")
            sure = st.checkbox(f"确认停用 {md(row.username)}（立即下线，不能再登录）", key=f"sure_disable_{row.id}")
            if st.button("停用账户", disabled=not sure, key=f"disable_{row.id}"):
                run(svc.set_active, row.id, False, row.version, reason, message=f"已停用 {row.username}。")
        else:
            if st.button("重新启用", key=f"enable_{row.id}"):
                run(svc.set_active, row.id, True, row.version, message=f"已启用 {row.username}。")

        st.subheader("重置密码")
        st.caption("生成新的初始密码并解除锁定；原密码和所有登录立即失效，本人下次登录须修改。")
        sure_reset = st.checkbox(f"确认重置 {md(row.username)} 的密码", key=f"sure_reset_{row.id}")
        if st.button("重置密码", disabled=not sure_reset, key=f"reset_{row.id}"):
            run(svc.reset_password, row.id, row.version, message=f"已重置 {row.username} 的密码。")
        if row.locked:
            if st.button("解除锁定", key=f"unlock_{row.id}"):
                run(svc.unlock, row.id, row.version, message=f"已解除 {row.username} 的锁定。")
