"""KPI cards (one st.metric per indicator, delta coloured by direction), the status legend
and the month picker. Drawing only: the indicator figures are read through components/cached.py."""
from __future__ import annotations

import datetime as _dt

import pandas as pd
import streamlit as st

from core import indicators as ci

_BADGE = {ci.MET: "green", ci.WARN: "orange", ci.MISSED: "red", ci.NO_DATA: "gray"}


def badge(status: str) -> str:
    """Markdown badge (captions, markdown); plain text elsewhere."""
    return f":{_BADGE.get(status, 'gray')}-badge[{status}]"


LEGEND = " ".join(badge(s) for s in ci.STATUSES)


def kpi_cards(rows: pd.DataFrame, per_row: int = 4, key: str = "kpi") -> None:
    """rows: one row per indicator (code, value, numerator, denominator, target, status[, change])."""
    records = rows.to_dict("records")
    for start in range(0, len(records), per_row):
        cols = st.columns(per_row)
        for col, r in zip(cols, records[start:start + per_row]):
            ind = ci.get(r["code"])
            change = r.get("change")
            if change is None or pd.isna(change):
                delta = None
            elif abs(change) < 0.05:
                delta = "与上月持平"
            else:
                delta = f"{change:+.1f} 个百分点"
            value = "—" if r["value"] is None or pd.isna(r["value"]) else f"{ci.fmt_value(r['value'], 1)}{ind.unit}"
            n, d = r.get("numerator"), r.get("denominator")
            nd = "" if n is None or pd.isna(n) else f"{int(n)}/{int(d)} · "
            col.metric(
                ind.name, value, delta=delta,  # md-ok: indicator definitions
                delta_color="off" if delta == "与上月持平" else ("normal" if ind.direction == ci.HIGHER else "inverse"),
                delta_arrow="off" if delta == "与上月持平" else "auto",
                help=f"{ind.formula}\n\n目标 {'≥' if ind.direction == ci.HIGHER else '≤'}"  # md-ok: definitions
                     f"{ci.fmt_value(r['target'])}{ind.unit}",
                border=True,
            )
            col.caption(f"{nd}{badge(r['status'])}")  # md-ok: counts and a status badge


def month_options(months: int = 24) -> list[str]:
    cur = ci.month_label(_dt.date.today())
    return list(reversed(ci.last_months(cur, months)))


def period_picker(key: str, label: str = "统计月份") -> str:
    opts = month_options()
    return st.selectbox(label, opts, index=0, key=key, format_func=lambda m: ci.period(m).title)  # md-ok: a fixed label
