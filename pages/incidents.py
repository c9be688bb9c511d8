"""通报处置: incident cards from discovery to closure (发现→报告→转介→处置→结案)."""
import datetime as dt

import streamlit as st

from components import flash
from components.action import run_action

from components.care_person_picker import person_picker
from core import access
from components.page import page_header
from components.text import md
from components import tables
from core import incidents as inc
from db.engine import session_scope
from areas.care import reads as q
from areas.regions.reads import township_options
from areas.care import writes as svc

actor = page_header("incidents", "文件002附件3 通报处置卡：发现 → 报告 → 转介 → 处置 → 结案，逐步办理，不能跳步。")
today = dt.date.today()
flash.show("card_flash")

# ---------------------------------------------------------------- new card
if access.may(actor, "incident.create"):
    with st.expander("新建通报处置卡（发现）"):
        with session_scope(write=False) as s:
            townships = township_options(s, actor)
        linked = st.toggle("关联台账中的对象", key="card_new_link")
        person_id = person_picker(actor, "card_person", "涉及对象") if linked else None
        with st.form("card_new", clear_on_submit=True):
            c1, c2, c3 = st.columns(3)
            source = c1.selectbox("信息来源", inc.SOURCES)
            kind = c2.selectbox("事件类型", inc.TYPES)
            discovered_on = c3.date_input("发现日期", value=today, max_value=today, format="YYYY-MM-DD")
            township_id = None
            if not access.township_bound(actor) and not person_id:
                township_id = st.selectbox("发生乡镇", [i for i, _ in townships], format_func=dict(townships).get)
            desc = st.text_area("情况描述", key="card_new_desc", max_chars=2000, height=100,
                                placeholder="发现的时间、地点、经过和目前状况")
            go = st.form_submit_button("新建通报处置卡", type="primary")
        if go:
            run_action(actor, svc.create_card, source=source, type=kind, discovered_on=discovered_on,
                       description=desc, person_id=person_id, township_id=township_id, today=today,
                       success=lambda cid: f"已新建通报处置卡 {cid} 号，请尽快报告。")

# ---------------------------------------------------------------- list
f1, f2 = st.columns([2, 1])
status = f1.selectbox("状态", ["", *inc.STATES], key="card_status",
                      format_func=lambda v: inc.STATE_LABELS.get(v, "全部"))
overdue_only = f2.checkbox("只看逾期未处置", key="card_overdue")
with session_scope(write=False) as s:
    page = q.list_cards(s, actor, today, status=status or None, overdue_only=overdue_only, limit=200)
if page.total == 0:
    st.info("没有符合条件的通报处置卡。" + ("（只显示转介给本单位的卡）" if access.unit_bound(actor) else ""))
    st.stop()
st.caption(f"共 {page.total} 张" + ("，显示最近200张" if page.total > 200 else "") + "；逾期：已转介、超过办理期限仍未处置。")  # md-ok: a count
tables.dataframe(page.rows, hide_index=True, width="stretch",
             column_config={"发现日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
                            "办理期限": st.column_config.DateColumn(format="YYYY-MM-DD")})

# ---------------------------------------------------------------- one card
labels = {r["卡号"]: f"{r['卡号']}号 · {r['状态']} · {r['类型']} · {r['乡镇']}" for r in page.rows.to_dict("records")}
card_id = st.selectbox("查看和办理", list(labels), format_func=labels.get, key="card_sel")
with session_scope(actor=actor) as s:  # a unit reading contact data is audited
    card = q.get_card(s, actor, card_id, today)
    units = q.active_units(s) if card and card.status == inc.REPORTED else []
if card is None:
    st.warning("该卡不存在或不在您的办理范围内。")
    st.stop()

st.subheader(f"{card.id}号 {md(card.type)}（来源：{md(card.source)}）")  # md-ok: an id
st.page_link("pages/documents.py", label="打印此卡", icon=":material/print:",
             query_params={"kind": "card", "card": str(card.id)}, disabled=not access.may(actor, "document.card"))
if card.overdue:
    st.error(f"已超过办理期限 {card.deadline:%Y-%m-%d}，" + ("请尽快处置并登记。" if access.unit_bound(actor) else f"请督促{md(card.unit_name)}尽快处置。"))


def _when(v):
    if v is None:
        return "—"
    return v.strftime("%Y-%m-%d") if isinstance(v, dt.date) and not isinstance(v, dt.datetime) \
        else v.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


steps = st.columns(5)
for col, (label, when) in zip(steps, [("发现", card.discovered_on), ("报告", card.reported_at), ("转介", card.referred_at),
                                      ("处置", card.handled_at), ("结案", card.closed_at)]):
    col.metric(label, _when(when))  # md-ok: fixed labels

left, right = st.columns(2)
with left:
    st.markdown("**涉及对象**")
    if card.person_name is None:
        st.caption("未关联台账对象")
    else:
        st.text(f"姓名：{card.person_name}\n村(居)：{card.person_village or ''}\n"
                f"身份证号：{card.person_id_number or '（无需联系，不显示）'}\n"
                f"联系电话：{card.person_phone or '（无需联系，不显示）'}")
    st.markdown("**情况描述**")
    st.text(card.description or "（无）")
with right:
    st.markdown("**办理情况**")
    st.text(f"乡镇：{card.township}\n转介单位：{card.unit_name or '—'}\n办理期限：{_when(card.deadline)}\n"
            f"处置情况：{card.handling or '—'}\n结案意见：{card.resolution or '—'}")

action = inc.next_action(card.status)
mine = (
    action is not None
    and access.may(actor, inc.access_action(action), township_id=card.township_id, unit_id=card.referred_unit_id)
)
if action is None:
    st.success("本卡已结案。")
elif not mine:
    st.info(f"下一步：{inc.ACTION_LABELS[action]}（由{'、'.join({'office': '联席办', 'township': '乡镇', 'unit': '成员单位'}[r] for r in access.ACTIONS[inc.access_action(action)].roles)}办理）")  # md-ok: fixed labels
else:
    st.markdown(f"**下一步：{inc.ACTION_LABELS[action]}**")
    with st.form(f"card_{action}"):
        kwargs: dict = {}
        if action == "report":
            ok = st.checkbox("已核实情况，向联席办报告", key="card_report_ok")
        elif action == "refer":
            kwargs["unit_id"] = st.selectbox("转介成员单位", [i for i, _ in units], format_func=dict(units).get)
            kwargs["deadline"] = st.date_input("办理期限", value=today + dt.timedelta(days=7), min_value=today,
                                               max_value=today + dt.timedelta(days=inc.MAX_DEADLINE_DAYS),
                                               format="YYYY-MM-DD")
            kwargs["needs_contact"] = st.checkbox("处置需要联系本人（允许该单位查看身份证号和电话）")
            kwargs["today"] = today
            ok = True
        elif action == "handle":
            kwargs["handling"] = st.text_area("处置情况", key="card_handle_text", max_chars=2000)
            ok = True
        else:
            kwargs["resolution"] = st.text_area("结案意见", key="card_close_text", max_chars=2000)
            ok = st.checkbox("确认结案（结案后不能再办理）", key="card_close_ok")
        go = st.form_submit_button(inc.ACTION_LABELS[action], type="primary")
    if go:
        if not ok:
            st.warning("请先勾选确认。")
        else:
            run_action(actor, svc.advance_card, card.id, action, version=card.version, **kwargs,
                       flash_key="card_flash", success=f"{card.id}号卡已{inc.ACTION_LABELS[action]}。")
