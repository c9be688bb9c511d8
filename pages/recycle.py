"""回收站: soft-deleted records; the office restores them (nothing is hard-deleted)."""
import streamlit as st

from core import access
from components import flash
from components.action import run_action
from components.page import page_header
from components import tables
from db.engine import session_scope
from areas.records import reads as rq
from areas.records import writes as svc

actor = page_header("recycle", "删除的记录保留删除人、时间和原因；联席办/民政局可恢复。")
flash.show("recycle_flash")
kinds = {None: "全部类别"} | {k: v.label for k, v in svc.KINDS.items()}
kind = st.selectbox("类别", list(kinds), format_func=kinds.get, key="recycle_kind")
PAGE = 50
page_no = st.session_state.get("recycle_page", 1)
with session_scope(write=False) as s:
    total, df = rq.deleted_records(s, actor, kind, limit=PAGE, offset=(page_no - 1) * PAGE)
st.caption(f"共 {total} 条已删除记录")  # md-ok: a count
if total > PAGE:
    st.number_input("页码", 1, (total + PAGE - 1) // PAGE, key="recycle_page")
if df.empty:
    st.info("回收站为空。")
    st.stop()
tables.dataframe(df.drop(columns=["kind"]), hide_index=True, width="stretch")

if access.may(actor, "record.restore"):
    st.subheader("恢复记录")
    choices = {(r.kind, int(r.记录编号)): f"{r.类别} #{r.记录编号}（{r.删除原因 or ''}）" for r in df.itertuples()}
    with st.form("restore_form"):
        pick = st.selectbox("选择要恢复的记录", list(choices), format_func=choices.get)
        sure = st.checkbox("确认恢复")
        if st.form_submit_button("恢复", type="primary"):
            if not sure:
                st.warning("请先勾选“确认恢复”。")
            else:
                run_action(actor, svc.restore, pick[0], pick[1], flash_key="recycle_flash", success="已恢复。")
