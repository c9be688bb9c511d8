"""开通设置: the first-run checklist on 工作台 (areas/admin/setup.py), for the administrator
and the office, shown until every required step is done."""
from __future__ import annotations

import streamlit as st

from components.text import md
from core import access
from core.pages import PAGES
from db.engine import session_scope
from areas.admin import setup

_TITLES = {spec.key: spec.title for spec in PAGES}


def setup_checklist(actor) -> bool:
    """Draws the checklist when the county is not set up yet; True when it was drawn."""
    if not access.may(actor, "setup.view"):
        return False
    with session_scope(write=False) as s:
        if not setup.incomplete(s):
            return False
        steps = setup.steps(s)
    with st.container(border=True):
        st.subheader("开通设置")
        st.caption("本县还没有设置完成。按顺序完成以下各步（带“可选”的可以稍后再做）。")
        for n, step in enumerate(steps, 1):
            mark = "✅" if step.done else "⬜"
            c1, c2 = st.columns([3, 1])
            c1.markdown(f"{mark} **{n}. {md(step.title)}**{'（可选）' if not step.required else ''}  \n"  # md-ok: md() inside
                        f"{md(step.status)}")
            if access.may_open(actor.role, step.page):
                c2.page_link(f"pages/{step.page}.py", label=f"前往{_TITLES.get(step.page, '')}")  # md-ok: page titles
    return True
