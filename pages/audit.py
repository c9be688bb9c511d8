"""审计日志: who did what, when, with what outcome. Filtered and paged in SQL; export audited."""
import datetime as dt

import streamlit as st

from components.action import run_action
from components.downloads import personal_download
from components.page import page_header
from components.text import md
from components import tables
from db import config
from db.engine import session_scope
from areas.admin import reads as q
from areas.admin import writes as svc

actor = page_header(
    "audit",
    f"登录、查看、搜索、新增、修改、删除、导入、导出、角色变更等全部操作；个人信息已脱敏。"
    f"日志只可追加，不能修改或删除；保留期不少于 {config.load().audit_retention_days} 天。"
    f"时间为北京时间（UTC+08:00）。",
)

# The hash chain (db/audit_verify.py) is read row by row: checked on arrival, again after
# five minutes or on request, not on every filter change.
def _check_integrity() -> None:
    with session_scope(write=False) as s:
        st.session_state["audit_integrity"] = (q.audit_integrity(s, actor), dt.datetime.now(q.LOCAL_TZ))


checked = st.session_state.get("audit_integrity")
if checked is None or dt.datetime.now(q.LOCAL_TZ) - checked[1] > dt.timedelta(minutes=5):
    _check_integrity()
report, checked_at = st.session_state["audit_integrity"]
i1, i2 = st.columns([5, 1], vertical_alignment="center")
with i1:
    (st.success if report.ok else st.error)(f"{md(report.message())}（{checked_at:%H:%M:%S} 校验）")
if i2.button("重新校验", key="audit_verify"):
    _check_integrity()
    st.rerun()

today = dt.datetime.now(q.LOCAL_TZ).date()
c1, c2, c3, c4 = st.columns([1, 2, 1, 1])
username = c1.text_input("用户", key="audit_user", placeholder="用户名，可部分匹配")
actions = c2.multiselect("操作", list(q.ACTION_LABELS), format_func=q.ACTION_LABELS.get, key="audit_actions",
                         placeholder="全部操作")
entity = c3.selectbox("对象", ["", *q.ENTITY_LABELS], format_func=lambda k: q.ENTITY_LABELS.get(k, "全部对象"),
                      key="audit_entity")
entity_id = c4.text_input("对象编号", key="audit_entity_id", placeholder="如人员编号")
d1, d2, d3 = st.columns([1, 1, 2])
date_from = d1.date_input("起始日期", value=today - dt.timedelta(days=30), max_value=today, key="audit_from",
                          format="YYYY-MM-DD")
date_to = d2.date_input("截止日期", value=today, key="audit_to", format="YYYY-MM-DD")
outcome = d3.selectbox("结果", ["", *q.OUTCOME_LABELS], format_func=lambda k: q.OUTCOME_LABELS.get(k, "全部结果"),
                       key="audit_outcome")

flt = q.AuditFilter(username=username or "", actions=tuple(actions), entity=entity or "", entity_id=entity_id or "",
                    date_from=date_from, date_to=date_to, outcome=outcome or "")
if st.session_state.get("audit_last_filter") != flt:  # new filter: back to the first page
    st.session_state["audit_last_filter"] = flt
    st.session_state["audit_page"] = 1
    st.session_state.pop("audit_export", None)

with session_scope(write=False) as s:
    total = q.audit_count(s, actor, flt)
pages = max(1, -(-total // q.PAGE_SIZE))
if st.session_state.get("audit_page", 1) > pages:
    st.session_state["audit_page"] = 1

table_area = st.container()
page_no = st.pagination(pages, key="audit_page", width="stretch") if pages > 1 else 1
with session_scope(write=False) as s:
    result = q.audit_page(s, actor, flt, page_no)
with table_area:
    st.caption(f"共 {result.total:,} 条 · 第 {result.page}/{result.pages} 页 · 每页 {result.page_size} 条")  # md-ok: counts
    if result.rows.empty:
        st.info("没有符合条件的记录。")
    else:
        tables.dataframe(
            result.rows, hide_index=True, width="stretch",
            column_config={"序号": st.column_config.NumberColumn(format="%d", width="small"),
                           "字段变更": st.column_config.TextColumn(width="large")},
        )

st.subheader("导出")
st.caption("按当前筛选条件导出（最多 50,000 条）；导出操作本身也记入审计日志。")
e1, e2, _ = st.columns([1, 1, 3])
for col, fmt, label in ((e1, "xlsx", "生成 Excel 文件"), (e2, "csv", "生成 CSV 文件")):
    if col.button(label, key=f"audit_export_{fmt}", disabled=total == 0):  # md-ok: fixed labels
        made = run_action(actor, svc.export_audit, flt, fmt)  # the export itself is audited
        if made:
            st.session_state["audit_export"] = made.result
export = st.session_state.get("audit_export")
if export is not None:
    note = "（超过上限，仅含最新的记录）" if export.truncated else ""
    # Who viewed and changed whose file, from which address: served to this session only, briefly.
    personal_download(f"下载 {md(export.filename)}（{export.rows:,} 条）{note}", lambda: export.data,  # md-ok: a count, a fixed note
                      file_name=export.filename, mime=export.mime, key="audit_download", type="primary")
