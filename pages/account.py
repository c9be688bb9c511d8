"""我的账户: who I am signed in as, and changing my password."""
import streamlit as st

from components.auth import password_change_form
from components.page import page_header
from db.engine import session_scope
from areas.admin import reads as q

actor = page_header("account")

with session_scope(write=False) as s:
    me = q.my_account(s, actor)

if me is not None:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("用户名", me.username)
    c2.metric("姓名", me.display_name)  # metric values are plain text, never markdown
    c3.metric("角色", me.role_label)
    c4.metric("范围", me.scope)
    st.caption(f"最近登录：{me.last_login or '-'} · 密码修改于：{me.password_changed or '-'}")  # md-ok: timestamps

password_change_form(actor)
st.caption("修改密码后，您在所有电脑和浏览器上的登录都将失效，须用新密码重新登录。"
           "如怀疑密码泄露，请立即修改并告知系统管理员。")
