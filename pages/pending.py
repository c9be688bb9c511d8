"""待处理: children who aged out of a category (left-behind at 16, any child category at 18).
Nothing exits by itself: staff tick the rows and confirm."""
import datetime as dt

import streamlit as st

from components import flash
from components.action import run_action

from components.page import page_header
from components import tables
from db.engine import session_scope
from areas.registry import reads as rq
from areas.registry import writes as svc

actor = page_header("pending", "按出生日期计算：农村留守儿童年满16周岁、各类儿童年满18周岁，建议退出相应类别。")
today = dt.date.today()
flash.show("pending_flash")

with session_scope(write=False) as s:
    total, df = rq.exit_proposals(s, actor, today)
    refused = rq.refused_duplicates(s, actor)  # the office's only (empty for a township)

if not refused.empty:
    st.subheader("重复纳入被拒")
    st.caption(f"近{rq.REFUSED_DAYS}天，乡镇纳入或导入的身份证号码已在其他乡镇登记、被系统拒绝（乡镇只被告知已转联席办核查，"  # md-ok: a constant
               "不知道登记在哪个乡镇）。请与双方乡镇核实是否需要迁入或更正号码。")
    shown = refused.drop(columns=["person_id"])
    shown["档案"] = [f"person?id={i}" for i in refused["person_id"]]
    tables.dataframe(shown, hide_index=True, width="stretch", key="pending_refused",
                 column_config={"档案": st.column_config.LinkColumn("档案", display_text="打开")})
    st.subheader("年龄到期")

if total == 0:
    st.info("目前没有需要处理的年龄到期人员。")
    st.stop()
st.markdown(f"共 **{total}** 条建议" + ("（显示前500条）" if total > len(df) else ""))  # md-ok: a count
view = df.drop(columns=["category_id", "person_id"]).copy()
view.insert(0, "确认", False)
view["档案"] = [f"person?id={i}" for i in df["person_id"]]
edited = tables.data_editor(
    view, key="pending_editor", hide_index=True, width="stretch",
    disabled=[c for c in view.columns if c != "确认"],
    column_config={"确认": st.column_config.CheckboxColumn("确认", default=False),
                   "档案": st.column_config.LinkColumn("档案", display_text="打开")},
)
chosen = [int(df["category_id"].iloc[i]) for i, v in enumerate(edited["确认"]) if v]
c1, c2 = st.columns([1, 4])
if c2.checkbox("全选本页", key="pending_all"):
    chosen = [int(x) for x in df["category_id"]]
st.caption("确认后：结束该人员的相应类别；如该人员没有其他在册类别，则以建议的原因退出台账（档案保留）。")
if c1.button(f"确认处理（{len(chosen)}条）", type="primary", disabled=not chosen or not actor.can_edit_registry,
             key="pending_confirm"):
    run_action(actor, svc.confirm_exit_proposals, chosen, today, flash_key="pending_flash",
               then=lambda _res: st.session_state.pop("pending_editor", None),
               success=lambda res: f"已结束 {res['ended']} 个类别，其中 {res['exited']} 人退出台账"
                                   + (f"；{res['skipped']} 条已不符合条件，未处理" if res["skipped"] else "") + "。")
