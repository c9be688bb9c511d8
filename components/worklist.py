"""Lists of people and the way from each row to the person's file.

`paged_worklist`: a paged worklist (逾期名单, 监护未落实名单 …): one page at a time from SQL, the
page number kept in session state, and back to page 1 when a filter shrinks the list under
a later page.

`open_column` / `follow_open`: an 打开 button in each row of a grid (st.dataframe or
st.data_editor) that opens the person's file in the same tab. A LinkColumn would open a new
browser tab (Streamlit opens every link cell with target _blank), which starts a new
session and, while its cookie sign-in settles, can land on 工作台 (issue 20 item 7)."""
from __future__ import annotations

from typing import Callable, Sequence

import streamlit as st

from components import tables

OPEN_LABEL = "打开"
PERSON_PAGE = "pages/person.py"


def open_column(key: str, label: str = "档案"):
    """The column config of an 打开 button column; the column's cells hold OPEN_LABEL."""
    return st.column_config.ButtonColumn(label, key=key, type="tertiary", width="small", pinned=True,
                                         help="在本页打开该人员的档案")


def follow_open(key: str, person_ids: Sequence, blocked: str | None = None) -> None:
    """After a click in `open_column(key)`: open the clicked row's file (person_ids[row]).
    `blocked`: a reason not to leave the page now (unsaved edits), shown instead."""
    click = st.session_state.get(key)
    if not click:
        return
    row = int(click["row"])
    if not 0 <= row < len(person_ids) or person_ids[row] is None:
        return
    if blocked:
        st.warning(blocked)  # md-ok: callers pass fixed text
        return
    st.switch_page(PERSON_PAGE, query_params={"id": str(int(person_ids[row]))})


def people_table(frame, key: str, id_column: str, **kwargs) -> None:
    """st.dataframe of people with an 打开 button in front of each row (the id column hidden)."""
    shown = frame.drop(columns=[id_column]).copy()
    shown.insert(0, "档案", OPEN_LABEL)
    config = {"档案": open_column(key), **kwargs.pop("column_config", {})}
    tables.dataframe(shown, hide_index=True, width="stretch", column_config=config, **kwargs)
    follow_open(key, list(frame[id_column]))


def paged_worklist(key: str, size: int, fetch: Callable, *, empty: str, caption: Callable[[int], str],
                   column_config: dict | None = None, id_column: str | None = "编号"):
    """fetch(limit, offset) -> an object with `.rows` (DataFrame) and `.total`; returns it.
    `id_column`: the person id column (hidden); each row then opens that person's file."""
    page_no = st.session_state.get(key, 1)
    page = fetch(size, (page_no - 1) * size)
    if page.rows.empty and page.total and page_no > 1:  # the filters changed under a later page
        st.session_state[key] = 1
        st.rerun()
    if page.total == 0:
        st.success(empty)  # md-ok: callers pass fixed text
        return page
    st.caption(caption(page.total))  # md-ok: callers format a count
    if id_column and id_column in page.rows.columns:
        people_table(page.rows, f"{key}_open", id_column, column_config=column_config or {})
    else:
        tables.dataframe(page.rows, hide_index=True, width="stretch", column_config=column_config or {})
    pages = -(-page.total // size)
    if pages > 1:
        st.number_input("页码", 1, pages, key=key, help=f"共 {pages} 页")  # md-ok: a count
    return page
