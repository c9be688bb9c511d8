"""人员台账: filter, page through, quick-edit (phone, difficulty, helper, notes)."""
import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from components import flash

from components import cached
from components.action import run_action
from components.filter_bar import filter_bar
from components.worklist import OPEN_LABEL, follow_open, open_column
from core import access
from components.page import audit_search, page_header
from components import tables
from db.engine import session_scope
from core.clock import utcnow
from areas.registry import reads as rq
from areas.regions.reads import township_options
from areas.registry import writes as svc

EDITOR = "reg_editor"
SNAP = "reg_snapshot"
OPEN_KEY = "reg_open_click"
EDITABLE = {"联系电话": "phone", "困难程度": "difficulty", "帮扶责任人(职务)": "helper_id", "备注": "notes"}
# In the quick edit the editable columns come first, after who the row is, and their headers
# carry a mark: on a 1280 px screen they are in view without scrolling the grid sideways.
MARK = "✎ "
SHOWN = ["档案", "序号", "姓名", "性别", "身份证号码", "人员类别", "帮扶责任人(职务)", "帮扶措施", "联系电话", "困难程度",
         "备注", "村(居)", "乡镇", "最近走访"]
SHOWN_EDIT = ["档案", "序号", "姓名"] + list(EDITABLE) + [c for c in SHOWN if c not in EDITABLE][3:]

actor = page_header("registry")
today = dt.date.today()
can_edit = actor.can_edit_registry

with session_scope(write=False) as s:
    towns = township_options(s, actor)
    vills = rq.villages(s, actor)
flt = filter_bar(actor, towns, vills)
audit_search(actor, "人员台账", flt.text)


def _reset(clear_editor: bool = True) -> None:
    st.session_state.pop(SNAP, None)
    if clear_editor:
        st.session_state.pop(EDITOR, None)


# The page number belongs to the filter: each filter has its own pager widget (key), so
# another filter starts on page 1 without the script writing a widget's value (that write
# is what logged "reg_page was created with a default value but also had its value set via
# the Session State API"); going back to a filter finds its page again.
PAGE_KEY = "reg_page_" + hashlib.sha1(repr(flt).encode()).hexdigest()[:10]

# The page shown stays the same (rows and versions) until a save, a reload or another
# filter/page: edits are always checked against the versions the user actually saw.
# Entering 投屏模式 is another view too: the rows kept from before it are unmasked.
sig = (flt, st.session_state.get(PAGE_KEY, 1), actor.presentation)
snap = st.session_state.get(SNAP)
if snap is None or snap["sig"] != sig:
    pg = cached.registry_page(actor, flt, sig[1], today)  # cached ≤ TTL, invalidated by any write
    with session_scope(write=False) as s:
        helper_opts = rq.helpers(s, actor, set(pg.rows["township_id"])) if can_edit and len(pg.rows) else []
    labels = [lbl for _, lbl, _ in helper_opts]
    helper_label = {hid: (lbl if labels.count(lbl) == 1 else f"{lbl}·{hid}") for hid, lbl, _ in helper_opts}
    snap = {"sig": sig, "page": pg, "at": utcnow(), "helpers": helper_label}
    st.session_state[SNAP] = snap
    st.session_state.pop(EDITOR, None)
pg: rq.RegistryPage = snap["page"]
helper_label: dict = snap["helpers"]

flash.show("reg_flash")

top = st.columns([3, 1, 1])
top[0].markdown(f"共 **{pg.total:,}** 人 · 第 {pg.page}/{pg.pages} 页 · 每页 {rq.PAGE_SIZE} 人")  # md-ok: counts
if top[1].button("重新加载", key="reg_reload", icon=":material/refresh:"):
    _reset()
    st.rerun()
if access.may_open(actor.role, "import_export"):
    top[2].page_link("pages/import_export.py", label="导出当前结果", icon=":material/download:")

view = pg.rows.copy()
view["档案"] = OPEN_LABEL
view["帮扶责任人(职务)"] = [helper_label.get(h, lbl) if pd.notna(h) else "" for h, lbl in
                        zip(view["helper_id"], view["帮扶责任人(职务)"])]
# 打开 opens the file in this tab (components/worklist.py), for the roles that have files.
opens_files = access.may_open(actor.role, "person")
shown_cols = SHOWN if opens_files else SHOWN[1:]
config = {
    "序号": st.column_config.NumberColumn("序号", width="small"),
    "最近走访": st.column_config.DateColumn("最近走访", format="YYYY-MM-DD"),
}
if opens_files:
    config["档案"] = open_column(OPEN_KEY)

if view.empty:
    st.info("没有符合条件的人员。")
elif can_edit:
    # No validate= on the phone column: the grid would silently revert a bad phone. The
    # service checks it (core/validation.py) and its message names the row and the cell.
    config.update({
        "联系电话": st.column_config.TextColumn(MARK + "联系电话", max_chars=20, width="medium"),
        "困难程度": st.column_config.SelectboxColumn(MARK + "困难程度", options=["一般", "特别困难"], required=True),
        "帮扶责任人(职务)": st.column_config.SelectboxColumn(MARK + "帮扶责任人(职务)",
                                                      options=[""] + list(helper_label.values())),
        "备注": st.column_config.TextColumn(MARK + "备注", max_chars=2000, width="medium"),
    })
    st.caption("带 ✎ 的列（联系电话、困难程度、帮扶责任人、备注）可直接修改，改完点“保存修改”；点“打开”查看档案。")
    shown_edit = SHOWN_EDIT if opens_files else SHOWN_EDIT[1:]
    tables.data_editor(view[shown_edit], key=EDITOR, hide_index=True, width="stretch",
                       height=min(35 * (len(view) + 1) + 3, 640), column_config=config,
                       disabled=[c for c in shown_edit if c not in EDITABLE], num_rows="fixed")
    edited = (st.session_state.get(EDITOR) or {}).get("edited_rows", {})
    label_to_helper = {v: k for k, v in helper_label.items()}
    edits = []
    for idx, cols in edited.items():
        row = pg.rows.iloc[int(idx)]
        changes = {}
        for col, val in cols.items():
            fld = EDITABLE.get(col)
            if fld is None:
                continue
            if fld == "helper_id":
                new = label_to_helper.get(val) if val else None
                old = None if pd.isna(row["helper_id"]) else int(row["helper_id"])
                if new != old:
                    changes[fld] = new
            elif (val or "") != (row[col] or ""):
                changes[fld] = val
        if changes:
            edits.append(svc.RowEdit(int(row["id"]), int(row["version"]), changes, f"第{row['序号']}行（{row['姓名']}）"))
    follow_open(OPEN_KEY, list(pg.rows["id"]), blocked="有未保存的修改：请先点“保存修改”或“放弃修改”，再打开档案。" if edits else None)
    with st.container(horizontal=True):  # sized to their labels, never cut to "保存修改（1…"
        save = st.button(f"保存修改（{len(edits)}行）", type="primary", disabled=not edits, key="reg_save")
        if edits and st.button("放弃修改", key="reg_discard"):
            st.session_state.pop(EDITOR, None)
            st.rerun()
    if save:
        run_action(actor, svc.save_quick_edits, edits, loaded_at=snap["at"], today=today, flash_key="reg_flash",
                   then=lambda _n: _reset(), success=lambda n: f"已保存 {n} 人的修改。", reload=_reset, key="reg")
else:
    tables.dataframe(view[shown_cols], hide_index=True, width="stretch", column_config=config,
                 height=min(35 * (len(view) + 1) + 3, 640))
    if opens_files:
        follow_open(OPEN_KEY, list(pg.rows["id"]))

if pg.pages > 1:
    st.pagination(pg.pages, key=PAGE_KEY, persist_state="session")

if not view.empty and actor.sees_personal_data:
    with st.container(horizontal=True, vertical_alignment="bottom"):
        choice = st.selectbox("打开档案", list(range(len(view))), index=None, placeholder="选择本页人员",
                              format_func=lambda i: f"{view['序号'].iloc[i]}. {view['姓名'].iloc[i]}（{view['村(居)'].iloc[i]}）",
                              key="reg_open")
        if st.button("打开档案", key="reg_open_btn", disabled=choice is None):
            st.switch_page("pages/person.py", query_params={"id": str(int(view["id"].iloc[choice]))})
