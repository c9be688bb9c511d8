"""The one table helper. Every st.dataframe / st.data_editor goes through `dataframe` /
`data_editor` here: a missing value (None, NaN, NaT, <NA>) is shown as "—", never as
Streamlit's default "None" (tests/test_chinese_tables.py finds any direct call).

Count tables: small cells suppressed while presenting (core.masking.suppress_small).

In a meeting, "2 high-risk children in 石门乡 村X" can point at a family. While the
actor is presenting, every non-zero count below 5 in the count columns is shown as "<5";
a fraction cell such as "3/12" becomes "<5/12". Zero discloses nobody and stays 0.
"""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from core.masking import suppress_small
from core.roles import Actor

_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
EMPTY = "—"  # what an empty cell shows, in every table


def dataframe(data=None, **kwargs):
    """st.dataframe with empty cells shown as "—" (Streamlit's `placeholder`)."""
    kwargs.setdefault("placeholder", EMPTY)
    return st.dataframe(data, **kwargs)


def data_editor(data, **kwargs):
    """st.data_editor with empty cells shown as "—"."""
    kwargs.setdefault("placeholder", EMPTY)
    return st.data_editor(data, **kwargs)


def _is_count_column(s: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _suppress_cell(v, threshold: int):
    if v is None or (isinstance(v, float) and v != v):
        return v
    if isinstance(v, str):
        m = _FRACTION.match(v)
        if not m:
            return v
        return f"{suppress_small(int(m.group(1)), threshold)}/{suppress_small(int(m.group(2)), threshold)}"
    try:
        n = int(v)
    except (TypeError, ValueError):
        return v
    if n != v:  # a rate, not a count
        return v
    return suppress_small(n, threshold)


def suppress_counts(df: pd.DataFrame, columns: list[str] | None = None, threshold: int = 5) -> pd.DataFrame:
    """A copy with small counts replaced. `columns`: the count columns (also fraction
    columns like '分子分母'); default: every integer column. Shown as text, right-aligned
    readers still see the figure they expect ('12', '<5', '0')."""
    out = df.copy()
    cols = list(columns) if columns is not None else [c for c in out.columns if _is_count_column(out[c])]
    for c in cols:
        if c in out.columns:
            out[c] = [(_suppress_cell(v, threshold)) for v in out[c]]
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str) else str(v)).astype("object")
    return out


def count_table(df: pd.DataFrame, actor: Actor, *, columns: list[str] | None = None, **dataframe_kwargs) -> None:
    """st.dataframe for a table of counts of people: suppressed when the actor presents."""
    dataframe_kwargs.setdefault("width", "stretch")
    shown = suppress_counts(df, columns) if actor.presentation else df
    dataframe(shown, **dataframe_kwargs)
