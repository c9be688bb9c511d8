"""人员台账: filter, page through, quick-edit (phone, difficulty, helper, notes)."""
import datetime as dt

import pandas as pd
import streamlit as st

from components import flash

from components import cached
from components.action import run_action
from components.filter_bar import filter_bar
from core import access
from components.page import audit_search, page_header
from db.engine import session_scope
from core.clock import utcnow
from core.validation import PHONE_OR_EMPTY
from areas.registry import reads as rq
from areas.regions.reads import township_options
from areas.registry import writes as svc

EDITOR = "reg_editor"
SNAP = "reg_snapshot"
EDITABLE = {"联系电话": "phone", "困难程度": "difficulty", "帮扶责任人(职务)": "helper_id", "备注": "notes"}
SHOWN = ["档案", "序号", "姓名", "性别", "身份证号码", "人员类别", "帮扶责任人(职务)", "帮扶措施", "联系电话", "困难程度",
         "备注", "村(居)", "乡镇", "最近走访"]

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


# The page shown stays the same (rows and versions) until a save, a reload or another
# filter/page: edits are always checked against the versions the user actually saw.
# Entering 投屏模式 is another view too: the rows kept from before it are unmasked.
sig = (flt, st.session_state.get("reg_page", 1), actor.presentation)
snap = st.session_state.get(SNAP)
if snap is None or snap["sig"] != sig:
    if snap is not None and snap["sig"][0] != flt:
        st.session_state["reg_page"] = 1
        sig = (flt, 1, actor.presentation)
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
view["档案"] = [f"person?id={i}" for i in view["id"]]
view["帮扶责任人(职务)"] = [helper_label.get(h, lbl) if pd.notna(h) else "" for h, lbl in
                        zip(view["helper_id"], view["帮扶责任人(职务)"])]
config = {
    "档案": st.column_config.LinkColumn("档案", display_text="打开", width="small"),
    "序号": st.column_config.NumberColumn("序号", width="small"),
    "最近走访": st.column_config.DateColumn("最近走访", format="YYYY-MM-DD"),
}

if view.empty:
    st.info("没有符合条件的人员。")
elif can_edit:
    config.update({
        "联系电话": st.column_config.TextColumn("联系电话", max_chars=20, validate=PHONE_OR_EMPTY),
        "困难程度": st.column_config.SelectboxColumn("困难程度", options=["一般", "特别困难"], required=True),
        "帮扶责任人(职务)": st.column_config.SelectboxColumn("帮扶责任人(职务)", options=[""] + list(helper_label.values())),
        "备注": st.column_config.TextColumn("备注", max_chars=2000),
    })
    st.caption("可直接修改“联系电话”“困难程度”“帮扶责任人”“备注”，改完点“保存修改”。")
    st.data_editor(view[SHOWN], key=EDITOR, hide_index=True, width="stretch", column_config=config,
                   disabled=[c for c in SHOWN if c not in EDITABLE], num_rows="fixed")
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
    b1, b2 = st.columns([1, 5])
    save = b1.button(f"保存修改（{len(edits)}行）", type="primary", disabled=not edits, key="reg_save")
    if edits and b2.button("放弃修改", key="reg_discard"):
        st.session_state.pop(EDITOR, None)
        st.rerun()
    if save:
        run_action(actor, svc.save_quick_edits, edits, loaded_at=snap["at"], today=today, flash_key="reg_flash",
                   then=lambda _n: _reset(), success=lambda n: f"已保存 {n} 人的修改。", reload=_reset, key="reg")
else:
    st.dataframe(view[SHOWN], hide_index=True, width="stretch", column_config=config)

if pg.pages > 1:
    st.pagination(pg.pages, key="reg_page", default=1, bind="query-params", persist_state="session")

if not view.empty and actor.sees_personal_data:
    with st.container(horizontal=True, vertical_alignment="bottom"):
        choice = st.selectbox("打开档案", list(range(len(view))), index=None, placeholder="选择本页人员",
                              format_func=lambda i: f"{view['序号'].iloc[i]}. {view['姓名'].iloc[i]}（{view['村(居)'].iloc[i]}）",
                              key="reg_open")
        if st.button("打开档案", key="reg_open_btn", disabled=choice is None):
            st.switch_page("pages/person.py", query_params={"id": str(int(view["id"].iloc[choice]))})
