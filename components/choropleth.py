"""Township choropleth, fully offline (DESIGN.md §8).

Boundaries go inline as `alt.Data(values=geojson, format=DataFormat(property="features"))`,
indicator values are joined with `transform_lookup`, `project(type="mercator")`; township
names are text marks at centroids. No tiles, no URL: the chart makes no network request.
Geometries are stored rewound (clockwise outer rings) by core.geo on import.

The fill says 达标/预警/未达标/无数据 — the `status` of each row as the indicator builders
classify it against that township's own target (core.indicators.status, the 指标看板's
classification), in the board's colours (core.indicators.STATUS_COLORS); value and target are
in the tooltip. A click on a township selects it (selection "town", field `area_id`).
Villages are classified against their township's target by the same function.
"""
from __future__ import annotations

from typing import Callable

import altair as alt
import pandas as pd
import streamlit as st

from components.tables import suppress_counts
from components.text import md
from components import tables
from core import geo
from core import indicators as ci


_classify = ci.status  # the board's 达标/预警/未达标 (named apart from st.status for the Markdown check)
SELECTION = "town"  # the click selection's name: event.selection["town"] == [{"area_id": …}]
_FIELDS = ["area_id", "value", "value_text", "fraction", "target_text", "status"]


def _target_text(ind: ci.Indicator, target) -> str:
    return f"{'≥' if ind.direction == ci.HIGHER else '≤'}{ci.fmt_value(float(target))}{ind.unit}"


def classified(values: pd.DataFrame, ind: ci.Indicator) -> pd.DataFrame:
    """What the map draws, one row per township: id, name, value, target and the board's status
    (the `status` column the indicator reads computed with core.indicators.status)."""
    v = values[(values["township_id"] != 0) & (values["code"] == ind.code)] if "code" in values else values
    rows = []
    for r in v.itertuples(index=False):
        val = None if r.value is None or pd.isna(r.value) else float(r.value)
        has_nd = r.numerator is not None and not pd.isna(r.numerator)
        rows.append({
            "area_id": int(r.township_id),
            "name": r.乡镇,
            "value": val,
            "value_text": "无数据" if val is None else f"{ci.fmt_value(val, 1)}{ind.unit}",
            "fraction": f"{int(r.numerator)} / {int(r.denominator)}" if has_nd else "—",
            "target": float(r.target),
            "target_text": _target_text(ind, r.target),
            "status": r.status,
        })
    return pd.DataFrame(rows, columns=["area_id", "name", "value", "value_text", "fraction", "target",
                                       "target_text", "status"])


def classified_villages(villages: pd.DataFrame, ind: ci.Indicator, target: float) -> pd.DataFrame:
    """Villages of one township (areas/indicators/reads.village_breakdown) against the township's
    target, by the board's function; best first, no-data last (as the board's ranking)."""
    # a Python list, not the column: a float column turns None into NaN, which `is None` misses
    values = [None if v is None or pd.isna(v) else float(v) for v in villages["value"]]
    out = pd.DataFrame({
        "area_id": villages["village_id"].astype(int),
        "name": villages["村"],
        "value": values,
        "numerator": villages["numerator"], "denominator": villages["denominator"],
    })
    out["value_text"] = ["无数据" if v is None else f"{ci.fmt_value(v, 1)}{ind.unit}" for v in values]
    out["fraction"] = [f"{int(n)} / {int(d)}" for n, d in zip(out["numerator"], out["denominator"])]
    out["target"] = float(target)
    out["target_text"] = _target_text(ind, target)
    out["status"] = [_classify(v, target, ind.direction, ind.warning_band) for v in values]
    return out.sort_values("value", ascending=ind.direction == ci.LOWER, na_position="last",
                           kind="stable").reset_index(drop=True)


def status_scale() -> alt.Scale:
    """The board's colours for the four statuses, in a fixed order (a one-township map's legend
    still lists all four)."""
    return alt.Scale(domain=list(ci.STATUSES), range=[ci.STATUS_COLORS[s] for s in ci.STATUSES])


def map_frames(shapes, values: pd.DataFrame, ind: ci.Indicator) -> tuple[dict, pd.DataFrame, pd.DataFrame, list[str]]:
    """(FeatureCollection, lookup values, label points, names without a boundary). `shapes`:
    objects with township_id (or id), name and boundary; `values`: a compute() table."""
    return area_frames(shapes, classified(values, ind))


def area_frames(shapes, vals: pd.DataFrame) -> tuple[dict, pd.DataFrame, pd.DataFrame, list[str]]:
    items, labels, missing = [], [], []
    for s in shapes:
        area_id = getattr(s, "township_id", None) or s.id
        if not s.boundary:
            missing.append(s.name)
            continue
        items.append(({"township_id": area_id, "name": s.name}, s.boundary))
        lon, lat = geo.centroid(s.boundary)
        labels.append({"area_id": area_id, "name": s.name, "lon": lon, "lat": lat})
    fc = geo.feature_collection(items)
    # labels carry area_id too: a click on a name selects its area like a click on the shape
    return fc, vals, pd.DataFrame(labels, columns=["area_id", "name", "lon", "lat"]), missing


def build_chart(shapes, values: pd.DataFrame, ind: ci.Indicator, height: int | None = 560,
                label_size: int | None = None, clickable: bool = False) -> alt.LayerChart | None:
    fc, vals, labels, _missing = map_frames(shapes, values, ind)
    return area_chart(fc, vals, labels, ind, "乡镇", height, label_size, clickable)


def area_chart(fc: dict, vals: pd.DataFrame, labels: pd.DataFrame, ind: ci.Indicator, level: str,
               height: int | None = 560, label_size: int | None = None,
               clickable: bool = False) -> alt.LayerChart | None:
    if not fc["features"]:
        return None
    vals = vals[_FIELDS]
    shapes_layer = (
        alt.Chart(alt.Data(values=fc, format=alt.DataFormat(property="features", type="json")))
        .mark_geoshape(stroke="#616161", strokeWidth=1.2, cursor="pointer" if clickable else "default")
        .transform_lookup(lookup="properties.township_id",
                          from_=alt.LookupData(data=vals, key="area_id", fields=_FIELDS))
        # an area without a figure row (outside the indicator's table) is 无数据, not blank
        .transform_calculate(status=f"isValid(datum.status) ? datum.status : '{ci.NO_DATA}'")
        .encode(
            color=alt.Color("status:N", scale=status_scale(), title="对照目标",
                            legend=alt.Legend(orient="right", symbolType="square", symbolStrokeColor="#616161")),
            tooltip=[
                alt.Tooltip("properties.name:N", title=level),
                alt.Tooltip("value_text:N", title=ind.name),
                alt.Tooltip("target_text:N", title="目标"),
                alt.Tooltip("status:N", title="状态"),
                alt.Tooltip("fraction:N", title=f"{ind.numerator} / {ind.denominator}"),
            ],
        )
    )
    if clickable:
        shapes_layer = shapes_layer.add_params(
            alt.selection_point(name=SELECTION, fields=["area_id"], on="click", clear="dblclick"))
    size = label_size or (12 if len(labels) <= 30 else (9 if len(labels) <= 80 else 7))
    base = alt.Chart(labels).encode(longitude="lon:Q", latitude="lat:Q", text="name:N")
    halo = base.mark_text(fontSize=size, fontWeight="bold", color="#ffffff", stroke="#ffffff", strokeWidth=3,
                          strokeJoin="round", opacity=0.85)
    text = base.mark_text(fontSize=size, fontWeight="bold", color="#1f1f1f")
    chart = alt.layer(shapes_layer, halo, text).project(type="mercator")
    return chart.properties(height=height) if height else chart  # None: the container's height


def township_map(shapes, values: pd.DataFrame, ind: ci.Indicator, key: str = "choropleth",
                 on_pick: Callable[[int], None] | None = None) -> None:
    """The map; with `on_pick`, a click on a township calls on_pick(township_id) before the rerun."""
    fc, vals, labels, missing = map_frames(shapes, values, ind)
    chart = area_chart(fc, vals, labels, ind, "乡镇", clickable=on_pick is not None)
    if chart is None:
        st.info("尚未导入乡镇边界。系统管理员可在「区划与边界」上传 GeoJSON 文件。")
        return
    if on_pick is None:
        st.altair_chart(chart, width="stretch", key=key)
    else:
        def picked() -> None:
            tid = picked_area(st.session_state.get(key))
            if tid is not None:
                on_pick(tid)

        st.altair_chart(chart, width="stretch", key=key, on_select=picked, selection_mode=SELECTION)
    if missing:
        st.caption(f"以下乡镇没有边界，未在地图上显示：{md('、'.join(missing))}")


def picked_area(event) -> int | None:
    """The area id a click selected (st.altair_chart's event state), or None."""
    rows = ((event or {}).get("selection") or {}).get(SELECTION) or []
    for row in rows if isinstance(rows, list) else [rows]:
        if isinstance(row, dict) and row.get("area_id") is not None:
            return int(row["area_id"])
    return None


def village_view(shapes, villages: pd.DataFrame, ind: ci.Indicator, target: float, key: str = "village_map",
                 suppress: bool = False) -> None:
    """A township's villages against its target: a map when their boundaries exist, else a table
    in the same order and colours. `suppress`: counts of people under 5 shown as "<5" (投屏)."""
    vals = classified_villages(villages, ind, target)
    if suppress:
        vals = suppress_counts(vals, ["numerator", "denominator", "fraction"])
    fc, vals, labels, _missing = area_frames(shapes, vals)
    chart = area_chart(fc, vals, labels, ind, "村（社区）", height=420)
    if chart is not None:
        st.altair_chart(chart, width="stretch", key=key)
    else:
        st.caption("尚未导入村（社区）边界，按数值排序列出，颜色同地图。")
    table = pd.DataFrame({"村": vals["name"], ind.numerator: vals["numerator"], ind.denominator: vals["denominator"],
                          "数值": vals["value_text"], "目标": vals["target_text"], "状态": vals["status"]})
    tables.dataframe(table.style.map(lambda v: f"background-color: {ci.STATUS_COLORS[v]}", subset=["状态"]),
                 hide_index=True, width="stretch", key=f"{key}_table")
