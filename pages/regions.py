"""区划与边界 (admin): import township boundaries from GeoJSON with a preview before saving."""
import altair as alt
import pandas as pd
import streamlit as st

from components import flash
from components.action import run_action

from components.divisions import division_section
from components.page import page_header
from components.text import md
from components import tables
from core import geo, uploads
from db.engine import session_scope
from areas.indicators import reads as q
from areas.regions import writes as svc

actor = page_header("regions", "先导入本县区划（统计用区划代码），再上传乡镇边界 GeoJSON。")

flash.show("regions_flash")
division_section(actor)
st.divider()
st.subheader("乡镇边界")
st.caption("上传乡镇边界 GeoJSON（经纬度坐标，Polygon 或 MultiPolygon）。"
           "按属性中的区划代码或名称匹配乡镇；顺时针、逆时针环绕都可，导入时统一校正。")

with session_scope(write=False) as s:
    shapes = q.township_shapes(s, actor)
status = pd.DataFrame([{
    "区划代码": sh.code, "乡镇": sh.name,
    "边界": "已导入" if sh.boundary else "未导入",
    "类型": sh.boundary["type"] if sh.boundary else "",
    "顶点数": geo.vertex_count(sh.boundary) if sh.boundary else 0,
} for sh in shapes])
st.markdown(f"**边界导入情况：{sum(1 for sh in shapes if sh.boundary)}/{len(shapes)} 个乡镇已导入**")  # md-ok: counts
if status.empty:
    st.info("还没有乡镇区划。")
else:
    tables.dataframe(status, hide_index=True, width="stretch")

st.markdown("**导入边界**")  # md-ok: constant
upload = st.file_uploader(f"GeoJSON 文件（{uploads.hint(uploads.BOUNDARY)}）", type=list(uploads.BOUNDARY.types),  # md-ok: limit
                          key="geo_upload", max_upload_size=uploads.BOUNDARY.max_mb, help=uploads.help_text(uploads.BOUNDARY))
if upload is not None:
    raw = upload.getvalue()
    preview = run_action(actor, svc.preview_boundaries, raw, write=False)  # nothing is written
    if not preview:
        st.stop()
    result = preview.result

    ready, unmatched, invalid = result.ready, result.unmatched, result.invalid
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("可保存", len(ready), border=True)
    c2.metric("未匹配的要素", len(unmatched), border=True)
    c3.metric("几何无效", len(invalid), border=True)
    c4.metric("仍无边界的乡镇", len(result.missing), border=True)

    if unmatched:
        st.warning("以下要素没有匹配到任何乡镇（请检查属性中的 name / code），不会保存：")
        tables.dataframe(pd.DataFrame([{"序号": m.index + 1, "文件中的名称/代码": m.label, "说明": m.error or ""}
                                   for m in unmatched]), hide_index=True, width="stretch")
    if invalid:
        st.error("以下要素的几何图形无效，不会保存：")
        tables.dataframe(pd.DataFrame([{"序号": m.index + 1, "文件中的名称/代码": m.label,
                                    "匹配乡镇": m.township_name or "", "原因": m.error} for m in invalid]),
                     hide_index=True, width="stretch")
    if result.missing:
        st.info(f"文件中没有这些乡镇的边界：{md('、'.join(result.missing))}")
    if ready:
        tables.dataframe(pd.DataFrame([{"文件中的名称/代码": m.label, "匹配乡镇": m.township_name, "匹配方式": m.matched_by,
                                    "类型": m.geometry["type"], "顶点数": m.vertices} for m in ready]),
                     hide_index=True, width="stretch")
        fc = geo.feature_collection([({"name": m.township_name}, m.geometry) for m in ready])
        preview = (alt.Chart(alt.Data(values=fc, format=alt.DataFormat(property="features", type="json")))
                   .mark_geoshape(fill="#90caf9", stroke="#ffffff")
                   .encode(tooltip=alt.Tooltip("properties.name:N", title="乡镇"))
                   .project(type="mercator").properties(height=360, title="预览（校正后）"))
        st.altair_chart(preview, width="stretch")
        sure = st.checkbox(f"确认用该文件覆盖这 {len(ready)} 个乡镇的边界", key="geo_confirm")
        if st.button("保存边界", key="geo_save", type="primary", disabled=not sure):
            # the map caches see the new boundaries through the data generation (components/cached.py)
            run_action(actor, svc.save_boundaries, result, upload.name, flash_key="regions_flash",
                       then=lambda _n: st.session_state.pop("geo_confirm", None),
                       success=lambda n: f"已保存 {n} 个乡镇的边界。")
