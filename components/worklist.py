"""A paged worklist of people (逾期名单, 监护未落实名单 …): one page at a time from SQL, the
page number kept in session state, and back to page 1 when a filter shrinks the list under
a later page."""
from __future__ import annotations

from typing import Callable

import streamlit as st


def paged_worklist(key: str, size: int, fetch: Callable, *, empty: str, caption: Callable[[int], str],
                   column_config: dict | None = None):
    """fetch(limit, offset) -> an object with `.rows` (DataFrame) and `.total`; returns it."""
    page_no = st.session_state.get(key, 1)
    page = fetch(size, (page_no - 1) * size)
    if page.rows.empty and page.total and page_no > 1:  # the filters changed under a later page
        st.session_state[key] = 1
        st.rerun()
    if page.total == 0:
        st.success(empty)  # md-ok: callers pass fixed text
        return page
    st.caption(caption(page.total))  # md-ok: callers format a count
    st.dataframe(page.rows, hide_index=True, width="stretch",
                 column_order=[c for c in page.rows.columns if c != "编号"], column_config=column_config or {})
    pages = -(-page.total // size)
    if pages > 1:
        st.number_input("页码", 1, pages, key=key, help=f"共 {pages} 页")  # md-ok: a count
    return page
