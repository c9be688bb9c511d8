"""乡镇地图: an offline choropleth of any indicator, coloured 达标/预警/未达标 against each
township's target; click a township (or choose it below) to see its villages."""
import pandas as pd
import streamlit as st

from components import cached, kpi
from components.choropleth import township_map, village_view
from components.page import page_header
from components.text import md
from core import indicators as ci
from db.engine import session_scope
from areas.indicators import reads as q
from areas.regions import reads as rq

actor = page_header("map")

mappable = [i for i in ci.INDICATORS if not i.county_only]
c1, c2 = st.columns([1, 2])
with c1:
    label = kpi.period_picker("map_period")
with c2:
    code = st.selectbox("指标", [i.code for i in mappable], key="map_indicator",
                        format_func=lambda c: f"{ci.get(c).name}（目标 {ci.get(c).target_text}）")
ind = ci.get(code)
per = ci.period(label)

df = cached.compute(actor, label, [code])
shapes = cached.township_shapes(actor)

total = df[df["township_id"] == q.TOTAL]
if not total.empty:
    r = total.iloc[0]
    m1, m2, m3 = st.columns(3)
    m1.metric(f"全县{ind.name}",  # md-ok: indicator definitions
              "—" if pd.isna(r["value"]) else f"{ci.fmt_value(r['value'], 1)}{ind.unit}", border=True)
    m2.metric(f"{ind.numerator} / {ind.denominator}",  # md-ok: indicator definitions
              "—" if pd.isna(r["numerator"]) else f"{int(r['numerator'])} / {int(r['denominator'])}", border=True)
    towns = df[df["township_id"] != q.TOTAL]
    m3.metric("达标乡镇", f"{int((towns['status'] == ci.MET).sum())} / {len(towns)}", border=True)

st.caption(f"{per.title}（截至 {per.as_of:%Y-%m-%d}）· {ind.formula} · 颜色为对照各乡镇目标的达标情况（同指标看板），"
           "悬停看数值与目标，点击乡镇查看村（社区）。地图离线绘制，不加载任何在线底图。")  # md-ok: definitions


def _pick(tid: int) -> None:
    st.session_state["map_township"] = tid


township_map(shapes, df, ind, key="township_choropleth", on_pick=_pick)

# ---- drill-down into villages
st.subheader("村（社区）明细")
towns = df[df["township_id"] != q.TOTAL]
if towns.empty:
    st.info("当前范围内没有乡镇。")
    st.stop()
names = dict(zip(towns["township_id"].astype(int), towns["乡镇"]))
if st.session_state.get("map_township") not in names:
    st.session_state.pop("map_township", None)
tid = st.selectbox("选择乡镇", list(names), format_func=names.get, key="map_township")
if not ind.village_breakdown:
    st.info(f"「{ind.name}」按乡镇统计，没有村级数据。")  # md-ok: indicator definitions
else:
    with session_scope(write=False) as s:
        vdf = q.village_breakdown(s, actor, code, tid, label)
        villages = rq.village_shapes(s, actor, tid)
    if vdf.empty:
        st.info("该乡镇没有村（社区）。")
    else:
        target = float(towns[towns["township_id"] == tid]["target"].iloc[0])
        st.caption(f"{md(names[tid])}各村（社区）对照本乡镇目标 {ci.fmt_value(target)}{ind.unit}。")  # md-ok: a figure
        village_view(villages, vdf, ind, target, key="village_map",
                     suppress=actor.presentation and ind.basis == ci.PEOPLE)
