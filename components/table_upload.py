"""The shared steps of every "upload a table, preview it, then import all or nothing" section
(区划, 账户名单, 学年统计 …): the service's preview made once per file content and kept for
the reruns that follow, and its row problems shown in one table."""
from __future__ import annotations

import hashlib
from typing import Any, Callable

import pandas as pd
import streamlit as st

from components import tables
from components.action import run_action
from components.text import md
from core import uploads


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload_with_template(label: str, kind, key: str, template: bytes, template_name: str):
    """The template's download button, then the uploader (the kind's limit in its label, help
    and widget, core/uploads.py); returns the uploaded file or None."""
    st.download_button(f"下载{template_name}", template, file_name=f"{template_name}.xlsx", mime=XLSX,  # md-ok: constant names
                       key=f"{key}_template", icon=":material/download:")
    return st.file_uploader(f"{label}（{uploads.hint(kind)}）", type=list(kind.types),  # md-ok: label and limit
                            key=f"{key}_file", max_upload_size=kind.max_mb, help=uploads.help_text(kind))


def preview_once(actor, up, state_key: str, preview: Callable[..., Any]) -> Any | None:
    """`preview(session, actor, filename, data)` of the uploaded file `up`, made on the first run
    that sees this content (a Chinese error and None if it refuses the file); None also when
    nothing is uploaded (then the kept preview is dropped)."""
    if up is None:
        st.session_state.pop(state_key, None)
        return None
    data = up.getvalue()
    ident = (hashlib.sha256(data).hexdigest(), up.name)
    kept = st.session_state.get(state_key)
    if kept and kept[0] == ident:
        return kept[1]
    with st.spinner(f"正在检查“{md(up.name)}”…"):
        done = run_action(actor, preview, up.name, data, write=False)
    if not done:
        return None
    st.session_state[state_key] = (ident, done.result)
    return done.result


def show_issues(issues, what: str) -> None:
    """The problems of a refused file: row, column and reason, nothing imported."""
    st.error(f"发现 {len(issues)} 处问题，{what}。请修改后重新上传。")  # md-ok: a count and a constant
    tables.dataframe(pd.DataFrame([{"行": i.row, "列": i.column, "问题": i.reason} for i in issues]),
                     hide_index=True, width="stretch")
