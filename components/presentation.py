"""投屏模式: one deliberate switch for screen-sharing in meetings.

While on, `components.page.current_actor()` hands every page an actor with
`presentation=True`, so the query layer masks personal data on the server and edit
controls are not drawn; this module only adds the look (large type, no sidebar, a
watermark) and the switch itself. Entering and leaving are audited.
"""
from __future__ import annotations

import datetime as dt
import html

import streamlit as st

from core.roles import Actor
from db import audit
from db.engine import session_scope

_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"] {display: none !important;}
html, body, [data-testid="stAppViewContainer"] {font-size: 22px;}
h1 {font-size: 3.0rem !important;}
h2, h3 {font-size: 2.1rem !important;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: 3.4rem !important; line-height: 1.2;}
[data-testid="stMetricLabel"] p {font-size: 1.4rem !important;}
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"], [data-testid="stText"] {font-size: 1.15rem;}
[data-testid="stTab"] p, [data-testid="stExpander"] summary p {font-size: 1.3rem !important;}
[data-testid="stVegaLiteChart"] {min-height: 360px;}
.caredesk-watermark {position: fixed; right: 1.2rem; bottom: 0.8rem; opacity: 0.35; font-size: 0.9rem;
  pointer-events: none; z-index: 999990; color: #555;}
</style>
"""




def presenting(actor: Actor) -> Actor:
    """The same actor with presentation on: the query layer masks for it, pages draw no edit controls."""
    return actor if actor.presentation else Actor(**{**actor.__dict__, "presentation": True})


def watermark(actor: Actor) -> None:
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    st.html(f'<div class="caredesk-watermark">{html.escape(actor.username)} · {stamp} · 投屏模式</div>')


def _toggle(actor: Actor, on: bool) -> None:
    st.session_state["presentation"] = on
    if on:
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]
    with session_scope(actor=actor) as s:
        audit.record(s, "presentation_on" if on else "presentation_off", "session", actor.username)


def is_on() -> bool:
    return bool(st.session_state.get("presentation"))


def controls(actor: Actor) -> None:
    """Called by app.py on every run after sign-in."""
    if st.query_params.get("present") == "1" and not is_on():
        _toggle(actor, True)  # a bookmark opens in presentation mode
    if is_on():
        st.html(_CSS)
        watermark(actor)
        st.button("退出投屏模式", key="presentation_off", on_click=_toggle, args=(actor, False), icon=":material/close:")
    else:
        st.sidebar.button("进入投屏模式", key="presentation_on", on_click=_toggle, args=(actor, True),
                          icon=":material/slideshow:", width="stretch",
                          help="会议共享屏幕时使用：个人信息在服务器端脱敏，隐藏编辑控件")


_SLIDE_CSS = """
<style>
[data-testid="stMain"] h1 {display: none;}  /* the slide's own title (h2) is the heading */
[data-testid="stMain"] h2 {font-size: 2.8rem !important;}
[data-testid="stMain"] h4 {font-size: 1.7rem !important;}
[data-testid="stMain"] [data-testid="stCaptionContainer"] {font-size: 1.25rem !important;}
[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] * {font-size: 3.2rem !important; line-height: 1.2;}
[data-testid="stMain"] [data-testid="stMetricLabel"] p {font-size: 1.4rem !important;}
[data-testid="stMain"] [data-testid="stTable"] td, [data-testid="stMain"] [data-testid="stTable"] th {font-size: 1.35rem !important; padding: 0.35rem 0.8rem !important;}
[data-testid="stMainBlockContainer"] {padding-top: 1.5rem !important; max-width: 100% !important;}
.caredesk-watermark {position: fixed; right: 1.2rem; bottom: 0.8rem; opacity: 0.35; font-size: 0.9rem;
  pointer-events: none; z-index: 999990; color: #555;}
</style>
"""


def slide_style(actor: Actor) -> None:
    """会议投屏 is always presented: large type and the watermark even with the switch off
    (with it on, controls() has drawn the watermark already)."""
    st.html(_SLIDE_CSS)
    if not is_on():
        watermark(actor)
