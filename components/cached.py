"""Cached reads for the pages (st.cache_data), correct across several app processes.

Every cached function takes, as part of its key:
* the database URL;
* the *scope* of the actor — role, township, unit and the presentation flag — never more
  personal than what that scope may see (masking happens in db/queries before caching, and
  the scope decides it), so no cached row crosses from one scope to another;
* the *data generation* (db/cache.py): replaced by every audited write in any process, read
  with one primary-key SELECT per call, so a write made through another process is seen on
  the next page run.

Entries expire after config.cache_ttl_s seconds (CAREDESK_CACHE_TTL, default 60 s) and at
most `max_entries` are kept per function: row-level personal data (a registry page) stays
in memory at most that long. Aggregates (workbench figures, indicators) are the bulk.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

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


def generation() -> str:
    """The data generation of the database (one cheap SELECT)."""
    return _cache.generation(get_engine(_url()))


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
    return _workbench(_url(), scope(actor), today.isoformat(), generation())


# ---------------------------------------------------------------- 人员台账
@st.cache_data(ttl=TTL_S, max_entries=100, show_spinner=False)
def _registry_page(url: str, sc: tuple, flt: tuple, page_no: int, today: str, gen: str) -> _rq.RegistryPage:
    f = _rq.RegistryFilter(*flt)
    with session_scope(get_engine(url), write=False) as s:
        return _rq.page(s, _actor(sc), f, page_no, today=dt.date.fromisoformat(today))


def registry_page(actor: Actor, f: _rq.RegistryFilter, page_no: int, today: dt.date) -> _rq.RegistryPage:
    """Count + one page of the registry (masked per scope in db/queries)."""
    return _registry_page(_url(), scope(actor), dataclasses.astuple(f), page_no, today.isoformat(), generation())


# ---------------------------------------------------------------- 乡镇地图
@st.cache_data(ttl=TTL_S, max_entries=32, show_spinner=False)
def _township_shapes(url: str, sc: tuple, gen: str):
    with session_scope(get_engine(url), write=False) as s:
        return _ind.township_shapes(s, _actor(sc))


def township_shapes(actor: Actor):
    return _township_shapes(_url(), scope(actor), generation())


def clear() -> None:
    for f in (_workbench, _registry_page, _township_shapes):
        f.clear()
