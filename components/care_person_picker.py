"""Find one person in the actor's scope: a search box and a pick list (care pages)."""
from __future__ import annotations

import streamlit as st

from core.roles import Actor
from db.engine import session_scope
from components.page import audit_search
from areas.registry.person_reads import search_people


def person_picker(actor: Actor, key: str, label: str = "选择对象") -> int | None:
    """Returns the chosen person's id, or None. Owns the widget keys `{key}_q`, `{key}_sel`."""
    text = st.text_input("查找对象", key=f"{key}_q", placeholder="输入姓名、身份证号或电话的一部分",
                         max_chars=30)
    if not text.strip():
        st.caption("先输入姓名、身份证号或电话查找对象（仅在您的管辖范围内查找在册人员）。")
        return None
    audit_search(actor, "走访/评估对象查找", text)
    with session_scope(write=False) as s:
        hits = search_people(s, actor, text, limit=30)
    if not hits:
        st.info("没有找到匹配的在册人员，请换个关键字。")
        return None
    choice = st.selectbox(label, hits, format_func=lambda h: h.label, key=f"{key}_sel")  # md-ok: a fixed label; options are plain text
    return choice.id if choice else None
