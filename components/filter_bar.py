"""The registry filter bar. Every widget is bound to the URL (`bind="query-params"`, so a
filtered list can be shared as a link) and kept for the session (`persist_state`), so
the filter survives switching pages. Returns a `RegistryFilter` and remembers it in
`st.session_state["registry_filter"]` for the export."""
from __future__ import annotations

import streamlit as st

from core.categories import AGE_BANDS, CATEGORIES, DIFFICULTIES, STATUSES
from core import access
from core.roles import Actor
from areas.registry.reads import SORTS, RegistryFilter

STATUS_OPTIONS = (*STATUSES, "全部")
HELPER_OPTIONS = {"已落实": "assigned", "未落实": "none"}
OVERDUE_OPTIONS = {"走访逾期": "overdue", "走访按期": "ok"}
LABEL_TO_CODE = {v: k for k, v in CATEGORIES.items()}
KEYS = ("town", "village", "cat", "diff", "status", "helper", "visit", "age", "q", "sort")
STATE_KEY = "registry_filter"


def _kw(key: str) -> dict:
    return {"key": key, "bind": "query-params", "persist_state": "session"}


def _select(label: str, options, key: str, placeholder: str, container):
    opts = list(options)
    if st.session_state.get(key) not in opts + [None]:
        st.session_state.pop(key, None)
    return container.selectbox(label, opts, index=None, placeholder=placeholder, **_kw(key))  # md-ok: callers pass fixed labels


def filter_bar(actor: Actor, townships: list[tuple[int, str]], villages: list[tuple[int, str, int]]) -> RegistryFilter:
    town_by_name = {n: i for i, n in townships}
    c1, c2, c3, c4 = st.columns([1, 1, 2, 2])
    if access.township_bound(actor):
        town_id = actor.township_id
        c1.text_input("乡镇", value=next((n for i, n in townships if i == town_id), ""), disabled=True,
                      key="town_fixed")
    else:
        town_name = _select("乡镇", town_by_name, "town", "全部乡镇", c1)
        town_id = town_by_name.get(town_name) if town_name else None
    vill = {n if list(v[1] for v in villages).count(n) == 1 else f"{n}（{t}）": i
            for i, n, t in villages if town_id is None or t == town_id}
    village_name = _select("村(居)", vill, "village", "全部村(居)", c2)
    cats = c3.multiselect("人员类别", list(CATEGORIES.values()), placeholder="全部类别", **_kw("cat"))
    text = c4.text_input("搜索姓名/身份证号/电话", placeholder="输入姓名、身份证号码或电话的一部分", **_kw("q"))

    d1, d2, d3, d4, d5, d6 = st.columns(6)
    difficulty = _select("困难程度", DIFFICULTIES, "diff", "全部", d1)
    status = d2.selectbox("状态", STATUS_OPTIONS, **_kw("status"))
    helper = _select("帮扶责任人", HELPER_OPTIONS, "helper", "全部", d3)
    visit = _select("走访", OVERDUE_OPTIONS, "visit", "全部", d4)
    age = _select("年龄段", AGE_BANDS, "age", "全部", d5)
    sort = d6.selectbox("排序", list(SORTS), **_kw("sort"))

    flt = RegistryFilter(
        township_id=town_id,
        village_id=vill.get(village_name) if village_name else None,
        categories=tuple(LABEL_TO_CODE[c] for c in cats if c in LABEL_TO_CODE),
        difficulty=difficulty,
        status=None if status == "全部" else status,
        helper=HELPER_OPTIONS.get(helper) if helper else None,
        overdue=OVERDUE_OPTIONS.get(visit) if visit else None,
        age_band=age,
        text=(text or "").strip()[:50],
        sort=SORTS.get(sort, "village"),
    )
    st.session_state[STATE_KEY] = flt
    return flt
