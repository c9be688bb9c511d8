"""The one cached-read layer of the pages (st.cache_data), correct across several app processes.

Every cached function has one key: the database URL, the *scope* of the actor, the *cache
token* of what it reads and the arguments of the read.
* scope — role, township, unit and the presentation flag: what decides what the actor may
  see (masking happens in areas/*/reads.py before caching, by the scope), so no cached row
  crosses from one scope to another; never the username.
* cache token (db/cache.py) — the one invalidation path: each reader declares the areas of
  figures it shows (READS below); its token covers those areas' generation tokens for the
  townships the actor reaches (a township user: its own; everyone else: all) plus the
  county-wide ones, read with one SELECT per call. Every audited write in any process
  (db/audit.py) replaces the tokens of exactly the (area, township) it can change, so it is
  seen on the next page run wherever it matters and leaves every other entry valid. Nothing
  clears these caches by hand.

Entries expire after config.cache_ttl_s seconds (CAREDESK_CACHE_TTL, default 60 s) and at
most `max_entries` are kept per function: row-level personal data (a registry page) stays
in memory at most that long. Aggregates (workbench figures, indicators) are the bulk.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

from core import access
from core.roles import Actor
from db import cache as _cache
from db import config as _config
from db.engine import get_engine, session_scope
from areas.indicators import reads as _ind
from areas.registry import reads as _rq
from areas.workbench import reads as _wb

TTL_S: int = _config.load().cache_ttl_s


def scope(actor: Actor) -> tuple:
    """What a cached answer may depend on: role, township, unit, presentation."""
    return (actor.role, actor.township_id, actor.unit_id, bool(actor.presentation))


def _actor(sc: tuple) -> Actor:
    role, township_id, unit_id, presentation = sc
    return Actor(f"cache:{role}", role, township_id=township_id, unit_id=unit_id, presentation=presentation)


def _url() -> str:
    return _config.load().database_url


# What each cached reader shows, by area of figures (db/cache.py decides which write feeds which).
READS: dict[str, tuple[str, ...]] = {
    "workbench": (_cache.PEOPLE, _cache.CARE, _cache.MEETINGS),
    "registry_page": (_cache.REGISTRY, _cache.CARE),
    "township_shapes": (_cache.REGIONS,),
    "indicators": (_cache.INDICATORS,),  # board, compute, trend
}


def _own_township(actor: Actor) -> int | None:
    """The one township every read of the actor is limited to, or None (reads reach them all)."""
    kinds = (access.ROWS, access.LIST, access.AGGREGATE)
    return actor.township_id if all(access.reach(actor, k) == access.OWN for k in kinds) else None


def token(reader: str, actor: Actor) -> str:
    """The invalidation part of `reader`'s key for this actor (one SELECT)."""
    return _cache.token(get_engine(_url()), READS[reader], _own_township(actor))


# ---------------------------------------------------------------- 工作台
@st.cache_data(ttl=TTL_S, max_entries=64, show_spinner=False)
def _workbench(url: str, sc: tuple, today: str, gen: str):
    actor, day = _actor(sc), dt.date.fromisoformat(today)
    with session_scope(get_engine(url), write=False) as s:
        return (
            _wb.people_by_category_township(s, actor, day),
            _wb.overdue_by_township(s, actor, day),
            _wb.incident_summary(s, actor, day),
            _wb.open_tasks(s, actor, day),
        )


def workbench(actor: Actor, today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    """(by category × township, overdue by township, incident summary, open tasks)."""
    return _workbench(_url(), scope(actor), today.isoformat(), token("workbench", actor))


# ---------------------------------------------------------------- 人员台账
@st.cache_data(ttl=TTL_S, max_entries=100, show_spinner=False)
def _registry_page(url: str, sc: tuple, flt: tuple, page_no: int, today: str, gen: str) -> _rq.RegistryPage:
    f = _rq.RegistryFilter(*flt)
    with session_scope(get_engine(url), write=False) as s:
        return _rq.page(s, _actor(sc), f, page_no, today=dt.date.fromisoformat(today))


def registry_page(actor: Actor, f: _rq.RegistryFilter, page_no: int, today: dt.date) -> _rq.RegistryPage:
    """Count + one page of the registry (masked per scope in areas/registry/reads.py)."""
    return _registry_page(_url(), scope(actor), dataclasses.astuple(f), page_no, today.isoformat(),
                          token("registry_page", actor))


# ---------------------------------------------------------------- 乡镇地图
@st.cache_data(ttl=TTL_S, max_entries=32, show_spinner=False)
def _township_shapes(url: str, sc: tuple, gen: str):
    with session_scope(get_engine(url), write=False) as s:
        return _ind.township_shapes(s, _actor(sc))


def township_shapes(actor: Actor):
    return _township_shapes(_url(), scope(actor), token("township_shapes", actor))


# ---------------------------------------------------------------- 指标 (board, map, slides)
# Indicator figures for today's date: a few aggregate queries each.
@st.cache_data(ttl=TTL_S, max_entries=200, show_spinner="正在计算指标……")
def _board(url: str, sc: tuple, label: str, today: str, gen: str) -> pd.DataFrame:
    with session_scope(get_engine(url), write=False) as s:
        return _ind.board(s, _actor(sc), label, today=dt.date.fromisoformat(today))


@st.cache_data(ttl=TTL_S, max_entries=200, show_spinner=False)
def _compute(url: str, sc: tuple, label: str, codes: tuple, today: str, gen: str) -> pd.DataFrame:
    with session_scope(get_engine(url), write=False) as s:
        return _ind.compute(s, _actor(sc), label, list(codes) or None, today=dt.date.fromisoformat(today))


@st.cache_data(ttl=TTL_S, max_entries=200, show_spinner="正在计算趋势……")
def _trend(url: str, sc: tuple, code: str, label: str, township_id, today: str, gen: str) -> pd.DataFrame:
    with session_scope(get_engine(url), write=False) as s:
        return _ind.trend(s, _actor(sc), code, label, 12, township_id, today=dt.date.fromisoformat(today))


def board(actor: Actor, label: str) -> pd.DataFrame:
    """Every indicator for `label`, county and per township."""
    return _board(_url(), scope(actor), label, dt.date.today().isoformat(), token("indicators", actor))


def compute(actor: Actor, label: str, codes: list[str] | None = None) -> pd.DataFrame:
    return _compute(_url(), scope(actor), label, tuple(codes or ()), dt.date.today().isoformat(),
                    token("indicators", actor))


def trend(actor: Actor, code: str, label: str, township_id: int | None = None) -> pd.DataFrame:
    """The last 12 months of one indicator (county, or one township)."""
    return _trend(_url(), scope(actor), code, label, township_id, dt.date.today().isoformat(),
                  token("indicators", actor))
