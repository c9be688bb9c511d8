"""导入导出: ledger import with a preview before anything is written; export of the current
filtered registry list; the import template."""
import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from components import flash
from components.action import run_action
from components.downloads import personal_download
from components.filter_bar import STATE_KEY
from core import access, uploads
from components.page import page_header
from components.text import md
from components import tables
from areas.registry import exporter
from areas.registry import importer
from db.engine import session_scope
from areas.registry import reads as rq

actor = page_header("import_export")
today = dt.date.today()
PREVIEW = "imp_preview"  # (file digest, name, day) → its preview: a rerun does not check the file again
RUNNING = "imp_running"  # 确认导入 was clicked: the button is drawn disabled while the rows are written


def _bar(text: str):
    """A progress bar and its reporter for importer's `progress` parameter."""
    bar = st.progress(0.0, text=text)
    return lambda done, what: bar.progress(min(max(done, 0.0), 1.0), text=what)


def _start_import() -> None:
    st.session_state[RUNNING] = True


def _imported(_counts) -> None:
    for key in ("imp_file", PREVIEW, RUNNING):
        st.session_state.pop(key, None)
imp_tab, exp_tab = st.tabs(["导入台账", "导出台账"])

with imp_tab:
    st.markdown("上传乡镇台账（附件2格式：序号、姓名、性别、身份证号码、人员类别、帮扶责任人(职务)、帮扶措施、联系电话、备注；"
                "村(居)作为一列或写在表头上方）或本系统模板。支持 .xlsx 和 .csv（UTF-8/GBK），"
                f"{uploads.hint(uploads.LEDGER)}、2万行。")  # md-ok: the limit table
    st.download_button("下载导入模板", exporter.template_xlsx(), file_name="人员台账导入模板.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="imp_template",
                       icon=":material/download:")
    up = st.file_uploader(f"选择文件（{uploads.hint(uploads.LEDGER)}）", type=list(uploads.LEDGER.types),  # md-ok: limit
                          key="imp_file", max_upload_size=uploads.LEDGER.max_mb, help=uploads.help_text(uploads.LEDGER))
    flash.show("imp_result")
    if up is None:
        st.session_state.pop(PREVIEW, None)
    else:
        data = up.getvalue()
        ident = (hashlib.sha256(data).hexdigest(), up.name, today)
        kept = st.session_state.get(PREVIEW)
        if kept and kept[0] == ident:
            pv = kept[1]
        else:
            with st.status(f"正在检查“{md(up.name)}”…", expanded=True) as box:
                with session_scope(write=False) as s:
                    pv = importer.preview(s, actor, up.name, data, today, progress=_bar("正在读取文件"))
                box.update(label=f"已检查 {pv.rows:,} 行", state="complete", expanded=False)  # md-ok: a count
            st.session_state[PREVIEW] = (ident, pv)
        if pv.errors:
            st.error(f"发现 {len(pv.errors)} 处问题，整份文件不会导入。请修改后重新上传。")
            tables.dataframe(pd.DataFrame([{"工作表": i.sheet, "行": i.row, "列": i.column, "问题": i.reason} for i in pv.errors]),
                         hide_index=True, width="stretch")
        if pv.notes:
            st.info("以下内容已自动规范或跳过（无需处理）：")
            tables.dataframe(pd.DataFrame([{"工作表": i.sheet, "行": i.row, "列": i.column, "说明": i.reason} for i in pv.notes]),
                         hide_index=True, width="stretch")
        if not pv.errors and not pv.plan:  # e.g. a masked export: every row skipped
            st.info("文件中没有可导入的数据行，未导入任何数据。")
        if pv.ok:
            c = pv.counts()
            st.markdown(f"检查通过：共 **{len(pv.plan)}** 行，将新增 **{c['add']}** 人、更新 **{c['update']}** 人、"
                        f"**{c['unchanged']}** 人无变化。")  # md-ok: counts
            names = {"add": "新增", "update": "更新", "unchanged": "无变化"}
            tables.dataframe(pd.DataFrame([{"行": x.row.row, "姓名": x.row.name, "操作": names[x.action],
                                        "变更": "、".join(x.changes)} for x in pv.plan]),
                         hide_index=True, width="stretch")
            running = bool(st.session_state.get(RUNNING))
            st.button("确认导入", type="primary", key="imp_apply", disabled=running, on_click=_start_import,
                      help="导入进行中，请稍候" if running else None)
            if running:
                # the plan shown above is what gets written: apply re-checks it, it does not redo it
                with st.status(f"正在导入 {len(pv.plan):,} 行…", expanded=True):  # md-ok: a count
                    try:
                        run_action(actor, importer.apply, up.name, data, today, prepared=pv, flash_key="imp_result",
                                   progress=_bar("正在准备写入"), then=_imported,
                                   success=lambda c: f"导入完成：新增 {c['add']} 人，更新 {c['update']} 人，"
                                                     f"{c['unchanged']} 人无变化。")
                    finally:  # a refusal is shown in this box; the next run offers the button again
                        st.session_state.pop(RUNNING, None)  # and checks the file afresh (the plan
                        st.session_state.pop(PREVIEW, None)  # was filled in by the rolled-back write)

with exp_tab:
    flt = st.session_state.get(STATE_KEY) or rq.RegistryFilter(
        township_id=actor.township_id if access.township_bound(actor) else None)
    with session_scope(write=False) as s:
        n = rq.count(s, actor, flt, today)
    st.markdown(f"导出人员台账当前的筛选结果：**{n:,}** 人。")
    st.caption("筛选条件：" + (md(flt.describe()) or "全部") + "（在“人员台账”页调整）")
    st.page_link("pages/registry.py", label="去人员台账调整筛选", icon=":material/filter_alt:")
    full = False
    reason = ""
    if actor.sees_personal_data:
        full = st.checkbox("含完整身份信息", key="exp_full", help="不勾选时，姓名、身份证号码、电话、备注均脱敏")
        if full:
            reason = st.text_input("导出用途（必填，记入审计日志）", key="exp_reason", max_chars=100)
    if st.button("生成导出文件", key="exp_make", type="primary", disabled=n == 0):
        made = run_action(actor, exporter.export_registry, flt, full, reason, today)  # the export is audited
        if made:
            st.session_state["exp_file"] = made.result  # (data, rows)
    made = st.session_state.get("exp_file")
    if made:
        # Made on the click for this signed-in session and served once (components/downloads.py).
        personal_download(f"下载（{made[1]}行）", lambda data=made[0]: data,  # md-ok: a count
                          file_name=f"人员台账_{today:%Y%m%d}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="exp_dl",
                          icon=":material/download:")
