"""投屏模式: one deliberate switch for screen-sharing in meetings.

While on, `components.page.current_actor()` hands every page an actor with
`presentation=True`, so the query layer masks personal data on the server and edit
controls are not drawn; this module only adds the look (components/projector.py: large
type, no sidebar; a watermark) and the switch itself. Entering and leaving are audited.

The switch is kept on the server, per sign-in (areas/admin/users.py, table presentations):
every run reads it before any page is drawn, so a reload (a new Streamlit session of the
same sign-in), a page change or an edited URL cannot leave it. It ends only by
退出投屏模式, sign-out or the end of the sign-in, and every end is audited.
"""
from __future__ import annotations

import datetime as dt
import html
import uuid

import streamlit as st

from components import projector
from core.roles import Actor
from areas.admin import users
from core.clock import utcnow
from db.engine import session_scope


def presenting(actor: Actor) -> Actor:
    """The same actor with presentation on: the query layer masks for it, pages draw no edit controls."""
    return actor if actor.presentation else Actor(**{**actor.__dict__, "presentation": True})


def watermark(actor: Actor) -> None:
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    st.html(f'<div class="caredesk-watermark">{html.escape(actor.username)} · {stamp} · 投屏模式</div>')


def _login() -> tuple[str, dt.datetime]:
    """The sign-in this session belongs to (components/auth.py sets both at sign-in)."""
    state = st.session_state
    if "login_key" not in state:  # signed in without a cookie stamp: this session only
        state["login_key"] = f"session-{uuid.uuid4().hex}"
    return state["login_key"], state.get("login_expires") or utcnow() + dt.timedelta(hours=12)


def _toggle(actor: Actor, on: bool) -> None:
    key, expires = _login()
    st.session_state["presentation"] = on
    if on:
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]
    with session_scope(actor=actor) as s:
        if on:
            users.start_presentation(s, actor, key, utcnow(), expires)
        else:
            users.end_presentations(s, actor.username, key, "退出投屏模式")


def is_on() -> bool:
    return bool(st.session_state.get("presentation"))


def _sync(actor: Actor) -> None:
    """The server's answer, read on every run before anything is drawn. A bookmark with
    ?present=1 starts it; so does a flag set on a fresh session (tests seed it so)."""
    state = st.session_state
    key, _ = _login()
    with session_scope(write=False) as s:
        on = users.presenting(s, actor.username, key, utcnow())
    fresh = not state.get("_presentation_synced")
    state["_presentation_synced"] = True
    if not on and (st.query_params.get("present") == "1" or (fresh and state.get("presentation"))):
        _toggle(actor, True)
        return
    state["presentation"] = on


def controls(actor: Actor) -> None:
    """Called by app.py on every run after sign-in."""
    _sync(actor)
    if is_on():
        projector.presenting_style()
        watermark(actor)
        st.button("退出投屏模式", key="presentation_off", on_click=_toggle, args=(actor, False), icon=":material/close:")
    else:
        st.sidebar.button("进入投屏模式", key="presentation_on", on_click=_toggle, args=(actor, True),
                          icon=":material/slideshow:", width="stretch",
                          help="会议共享屏幕时使用：个人信息在服务器端脱敏，隐藏编辑控件")


def slide_style(actor: Actor) -> None:
    """会议投屏 is always presented: large type and the watermark even with the switch off
    (with it on, controls() has drawn the watermark already). The layout: components/projector.py."""
    projector.slide_style()
    if not is_on():
        watermark(actor)
