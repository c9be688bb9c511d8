"""What every page does first: find the actor and check the page is theirs."""
from __future__ import annotations

import streamlit as st

from core.pages import BY_KEY, allowed
from core.roles import Actor


def current_actor() -> Actor:
    actor = st.session_state.get("actor")
    if actor is None:  # a page run outside app.py's sign-in: refuse
        st.error("请先登录。")
        st.stop()
    if st.session_state.get("presentation") and not actor.presentation:
        actor = Actor(**{**actor.__dict__, "presentation": True})
    return actor


def page_header(key: str, caption: str | None = None) -> Actor:
    """Checks the role may open this page (server side), then draws its title."""
    actor = current_actor()
    if not allowed(actor.role, key):
        st.error("您的角色无权访问此页面。")
        st.stop()
    st.title(BY_KEY[key].title)
    if caption:
        st.caption(caption)
    return actor
