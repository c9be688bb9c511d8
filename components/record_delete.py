"""A deliberate soft-delete control: choose the record, give a reason, tick to confirm."""
from __future__ import annotations

import streamlit as st

from components import flash
from components.action import run_action
from core import access
from core.roles import Actor
from areas.records import writes as records


def delete_control(actor: Actor, kind: str, options: dict[int, str], key: str) -> None:
    """`options`: record id → label. Owns the widget keys `{key}_*`. Draws nothing for
    read-only actors or when there is nothing to delete."""
    flash.show(f"{key}_flash")  # the confirmation outlives the rerun (and the deleted option)
    if not options or not access.may(actor, "record.delete"):
        return
    label = records.KINDS[kind].label
    with st.expander(f"删除{label}（录入错误时使用，联席办可恢复）", icon=":material/delete:"):  # md-ok: fixed kinds
        with st.form(f"{key}_form", clear_on_submit=True):
            rid = st.selectbox(label, list(options), format_func=lambda i: options[i], key=f"{key}_id")  # md-ok: fixed kinds
            reason = st.text_input("删除原因", max_chars=200, key=f"{key}_reason")
            sure = st.checkbox("确认删除这条记录", key=f"{key}_sure")
            if st.form_submit_button("删除", type="secondary"):
                if not sure:
                    st.warning("请先勾选“确认删除这条记录”。")
                    return
                run_action(actor, records.soft_delete, kind, int(rid), reason, flash_key=f"{key}_flash",
                           success=f"已删除该{label}，可在“回收站”由联席办恢复。")
