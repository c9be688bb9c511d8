"""KPI cards (one st.metric per indicator, delta coloured by direction) and the cached
indicator reads the board and map pages share."""
from __future__ import annotations

import datetime as _dt

import pandas as pd
import streamlit as st

from core import indicators as ci
from core.roles import Actor
from db import config as _config
from db.engine import get_engine, session_scope
from areas.indicators import reads as _q

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
                ind.name, value, delta=delta,
                delta_color="off" if delta == "与上月持平" else ("normal" if ind.direction == ci.HIGHER else "inverse"),
                delta_arrow="off" if delta == "与上月持平" else "auto",
                help=f"{ind.formula}\n\n目标 {'≥' if ind.direction == ci.HIGHER else '≤'}"
                     f"{ci.fmt_value(r['target'])}{ind.unit}",
                border=True,
            )
            col.caption(f"{nd}{badge(r['status'])}")


# ---------------------------------------------------------------- cached reads (page layer, short TTL)
# Indicator figures are aggregates and take a few queries each; they are cached per actor scope
# for config.cache_ttl_s seconds. db/queries stays uncached.

_TTL = _config.load().cache_ttl_s


def _scope_key(actor: Actor) -> tuple:
    return (actor.username, actor.role, actor.township_id, actor.unit_id)


def _actor(key: tuple) -> Actor:
    return Actor(key[0], key[1], township_id=key[2], unit_id=key[3])


def _db_url() -> str:
    return _config.load().database_url


def _generation() -> str:
    """Data generation (db/cache.py): any write in any app process changes it, so the
    figures are recomputed on the next page run, not only after the TTL."""
    from db.cache import generation

    return generation(get_engine(_db_url()))


@st.cache_data(ttl=_TTL, show_spinner="正在计算指标……", max_entries=200)
def _board(url: str, scope: tuple, label: str, today: str, gen: str = "") -> pd.DataFrame:
    with session_scope(get_engine(url), write=False) as s:
        return _q.board(s, _actor(scope), label, today=_dt.date.fromisoformat(today))


@st.cache_data(ttl=_TTL, show_spinner=False, max_entries=200)
def _compute(url: str, scope: tuple, label: str, codes: tuple, today: str, gen: str = "") -> pd.DataFrame:
    with session_scope(get_engine(url), write=False) as s:
        return _q.compute(s, _actor(scope), label, list(codes) or None, today=_dt.date.fromisoformat(today))


@st.cache_data(ttl=_TTL, show_spinner="正在计算趋势……", max_entries=200)
def _trend(url: str, scope: tuple, code: str, label: str, township_id, today: str, gen: str = "") -> pd.DataFrame:
    with session_scope(get_engine(url), write=False) as s:
        return _q.trend(s, _actor(scope), code, label, 12, township_id, today=_dt.date.fromisoformat(today))


def board(actor: Actor, label: str) -> pd.DataFrame:
    return _board(_db_url(), _scope_key(actor), label, _dt.date.today().isoformat(), _generation())


def compute(actor: Actor, label: str, codes: list[str] | None = None) -> pd.DataFrame:
    return _compute(_db_url(), _scope_key(actor), label, tuple(codes or ()), _dt.date.today().isoformat(),
                    _generation())


def trend(actor: Actor, code: str, label: str, township_id: int | None = None) -> pd.DataFrame:
    return _trend(_db_url(), _scope_key(actor), code, label, township_id, _dt.date.today().isoformat(),
                  _generation())


def clear_cache() -> None:
    """After targets, workforce or boundaries change."""
    for f in (_board, _compute, _trend):
        f.clear()


def month_options(months: int = 24) -> list[str]:
    cur = ci.month_label(_dt.date.today())
    return list(reversed(ci.last_months(cur, months)))


def period_picker(key: str, label: str = "统计月份") -> str:
    opts = month_options()
    return st.selectbox(label, opts, index=0, key=key, format_func=lambda m: ci.period(m).title)
