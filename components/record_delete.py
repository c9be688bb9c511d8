"""A deliberate soft-delete control: choose the record, give a reason, tick to confirm."""
from __future__ import annotations

import streamlit as st

from core.roles import Actor
from db.engine import session_scope
from db.errors import ServiceError
from areas.records import writes as records


def delete_control(actor: Actor, kind: str, options: dict[int, str], key: str) -> None:
    """`options`: record id → label. Owns the widget keys `{key}_*`. Draws nothing for
    read-only actors or when there is nothing to delete."""
    if actor.is_read_only or not options or actor.role not in ("office", "township"):
        return
    label = records.KINDS[kind].label
    with st.expander(f"删除{label}（录入错误时使用，联席办可恢复）", icon=":material/delete:"):
        with st.form(f"{key}_form", clear_on_submit=True):
            rid = st.selectbox(label, list(options), format_func=lambda i: options[i], key=f"{key}_id")
            reason = st.text_input("删除原因", max_chars=200, key=f"{key}_reason")
            sure = st.checkbox("确认删除这条记录", key=f"{key}_sure")
            if st.form_submit_button("删除", type="secondary"):
                if not sure:
                    st.warning("请先勾选“确认删除这条记录”。")
                    return
                try:
                    with session_scope(actor=actor) as s:
                        records.soft_delete(s, actor, kind, int(rid), reason)
                except ServiceError as e:
                    st.error(str(e))
                    return
                st.success(f"已删除该{label}，可在“回收站”由联席办恢复。")
                st.rerun()
