"""Township choropleth, fully offline (DESIGN.md §8).

Boundaries go inline as `alt.Data(values=geojson, format=DataFormat(property="features"))`,
indicator values are joined with `transform_lookup`, `project(type="mercator")`; township
names are text marks at centroids. No tiles, no URL: the chart makes no network request.
Geometries are stored rewound (clockwise outer rings) by core.geo on import.
"""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from components.text import md
from core import geo
from core import indicators as ci


def map_frames(shapes, values: pd.DataFrame, ind: ci.Indicator) -> tuple[dict, pd.DataFrame, pd.DataFrame, list[str]]:
    """(FeatureCollection, lookup values, label points, names without a boundary)."""
    items, labels, missing = [], [], []
    for s in shapes:
        if not s.boundary:
            missing.append(s.name)
            continue
        items.append(({"township_id": s.township_id, "name": s.name}, s.boundary))
        lon, lat = geo.centroid(s.boundary)
        labels.append({"township_id": s.township_id, "name": s.name, "lon": lon, "lat": lat})
    fc = geo.feature_collection(items)
    v = values[values["township_id"] != 0]
    rows = []
    for r in v.itertuples(index=False):
        val = None if r.value is None or pd.isna(r.value) else float(r.value)
        has_nd = r.numerator is not None and not pd.isna(r.numerator)
        rows.append({
            "township_id": int(r.township_id),
            "name": r.乡镇,
            "value": val,
            "value_text": "无数据" if val is None else f"{ci.fmt_value(val, 2)}{ind.unit}",
            "fraction": f"{int(r.numerator)} / {int(r.denominator)}" if has_nd else "—",
            "target_text": f"{'≥' if ind.direction == ci.HIGHER else '≤'}{ci.fmt_value(r.target)}{ind.unit}",
            "status": r.status,
        })
    return fc, pd.DataFrame(rows, columns=["township_id", "name", "value", "value_text", "fraction", "target_text",
                                           "status"]), pd.DataFrame(labels, columns=["township_id", "name", "lon", "lat"]), missing


def build_chart(shapes, values: pd.DataFrame, ind: ci.Indicator, height: int = 560,
                label_size: int | None = None) -> alt.LayerChart | None:
    fc, vals, labels, _missing = map_frames(shapes, values, ind)
    if not fc["features"]:
        return None
    scheme = "greens" if ind.direction == ci.HIGHER else "reds"
    fields = ["value", "value_text", "fraction", "target_text", "status"]
    color = alt.condition(
        "isValid(datum.value)",
        alt.Color("value:Q", title=f"{ind.name}（{ind.unit}）", scale=alt.Scale(scheme=scheme, zero=False),
                  legend=alt.Legend(orient="right", gradientLength=220)),
        alt.value("#e0e0e0"),
    )
    shapes_layer = (
        alt.Chart(alt.Data(values=fc, format=alt.DataFormat(property="features", type="json")))
        .mark_geoshape(stroke="#ffffff", strokeWidth=1.2)
        .transform_lookup(lookup="properties.township_id",
                          from_=alt.LookupData(data=vals, key="township_id", fields=fields))
        .encode(
            color=color,
            tooltip=[
                alt.Tooltip("properties.name:N", title="乡镇"),
                alt.Tooltip("value_text:N", title=ind.name),
                alt.Tooltip("fraction:N", title=f"{ind.numerator} / {ind.denominator}"),
                alt.Tooltip("target_text:N", title="目标"),
                alt.Tooltip("status:N", title="状态"),
            ],
        )
    )
    size = label_size or (12 if len(labels) <= 30 else (9 if len(labels) <= 80 else 7))
    base = alt.Chart(labels).encode(longitude="lon:Q", latitude="lat:Q", text="name:N")
    halo = base.mark_text(fontSize=size, fontWeight="bold", color="#ffffff", stroke="#ffffff", strokeWidth=3,
                          strokeJoin="round", opacity=0.85)
    text = base.mark_text(fontSize=size, fontWeight="bold", color="#1f1f1f")
    return alt.layer(shapes_layer, halo, text).project(type="mercator").properties(height=height)


def township_map(shapes, values: pd.DataFrame, ind: ci.Indicator, key: str = "choropleth") -> None:
    chart = build_chart(shapes, values, ind)
    _fc, _vals, _labels, missing = map_frames(shapes, values, ind)
    if chart is None:
        st.info("尚未导入乡镇边界。系统管理员可在「区划与边界」上传 GeoJSON 文件。")
        return
    st.altair_chart(chart, width="stretch", key=key)
    if missing:
        st.caption(f"以下乡镇没有边界，未在地图上显示：{md('、'.join(missing))}")


def village_bars(df: pd.DataFrame, ind: ci.Indicator, target: float) -> alt.LayerChart:
    """Drill-down: one bar per village, a rule at the target."""
    data = df.assign(value_text=[("无数据" if v is None or pd.isna(v) else f"{ci.fmt_value(v, 1)}{ind.unit}")
                                 for v in df["value"]],
                     fraction=[f"{n} / {d}" for n, d in zip(df["numerator"], df["denominator"])])
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("村:N", sort=None, title=None, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("value:Q", title=f"{ind.name}（{ind.unit}）"),
        color=alt.condition(
            (alt.datum.value >= target) if ind.direction == ci.HIGHER else (alt.datum.value <= target),
            alt.value("#43a047"), alt.value("#e57373")),
        tooltip=[alt.Tooltip("村:N"), alt.Tooltip("value_text:N", title=ind.name),
                 alt.Tooltip("fraction:N", title=f"{ind.numerator} / {ind.denominator}")],
    )
    rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(color="#333333", strokeDash=[4, 3]).encode(
        y="target:Q")
    return alt.layer(bars, rule).properties(height=320)
