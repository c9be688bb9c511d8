"""人员档案: one person's whole file (?id=N, scope-checked), and 纳入 of a new person."""
import datetime as dt

import streamlit as st

from components import cached, flash

from components import person_form as pf
from components.action import run_action, show_error
from core import access
from components.page import audit_search, page_header
from components.record_delete import delete_control
from components.filter_bar import STATE_KEY as REGISTRY_FILTER
from components.text import md
from components.worklist import people_table
from components import tables
from core.categories import ACTIVE, CATEGORIES, EXITED, SUBTYPES, label
from db.engine import session_scope
from core.clock import utcnow
from areas.registry import person_reads as pq
from areas.registry import reads as rq
from areas.registry import writes as svc

actor = page_header("person")
today = dt.date.today()
can_edit = actor.can_edit_registry
RECENT = "person_recent"  # files opened in this session, newest first: (id, label)
LIST_COLUMNS = ["姓名", "性别", "人员类别", "村(居)", "乡镇", "最近走访"]


def _open(pid: int) -> None:
    st.query_params["id"] = str(pid)
    st.session_state.pop("person_viewed", None)
    st.rerun()


raw_id = st.query_params.get("id")
if not raw_id:
    if can_edit:
        find, new = st.tabs(["查找人员", "纳入新人员"])
    else:
        find = new = st.container()
    with find:
        q = st.text_input("姓名 / 身份证号码 / 电话", key="person_search", max_chars=50)
        if q.strip():
            audit_search(actor, "人员档案查找", q)
            with session_scope(write=False) as s:
                hits = pq.search_people(s, actor, q, limit=30, active_only=False)
            if not hits:
                st.info("没有找到。")
            for h in hits:
                st.page_link("pages/person.py", label=md(h.label), query_params={"id": str(h.id)}, icon=":material/badge:")
        else:
            # Not a bare search box: the files opened lately, and the people of the registry's
            # current filter (first page), each a click from the file.
            recent = st.session_state.get(RECENT) or []
            if recent:
                st.markdown("**最近打开**")
                with st.container(horizontal=True):
                    for rid, lbl in recent:
                        st.page_link("pages/person.py", label=md(lbl), query_params={"id": str(rid)},
                                     icon=":material/history:")
            flt = st.session_state.get(REGISTRY_FILTER) or rq.RegistryFilter(
                township_id=actor.township_id if access.township_bound(actor) else None)
            pg = cached.registry_page(actor, flt, 1, today)
            if pg.total:
                st.markdown(f"**人员台账（{md(flt.describe()) or '全部在册人员'}）** · 共 {pg.total:,} 人，"
                            f"这里列出前 {len(pg.rows)} 人，可在上方查找其他人员")  # md-ok: counts
                people_table(pg.rows[["id"] + LIST_COLUMNS], "person_list_open", "id",
                             column_config={"最近走访": st.column_config.DateColumn(format="YYYY-MM-DD")})
                st.page_link("pages/registry.py", label="到人员台账筛选", icon=":material/filter_alt:")
            else:
                st.info("当前范围内没有在册人员。")
    if can_edit:
        with new:
            with session_scope(write=False) as s:
                villages = rq.villages(s, actor)
            raw = st.text_input("身份证号码（18位）", key="enroll_id", max_chars=22)
            info = None
            if raw.strip():
                try:
                    info = svc.check_id_number(raw, today)
                    st.success(f"号码有效：{md(info.id_number)} · 性别 {info.gender} · 出生 {info.birth_date:%Y-%m-%d} · {info.age} 周岁")  # md-ok: gender, date, age
                    with session_scope(write=False) as s:
                        dup = svc.find_duplicate(s, actor, info.id_number)
                    if dup is not None:
                        st.error(md(str(dup)))
                        if dup.person_id:
                            st.page_link("pages/person.py", label="打开已有档案", query_params={"id": str(dup.person_id)},
                                         icon=":material/badge:")
                        info = None
                except svc.ValidationFailed as e:
                    show_error(e)
            data = pf.enroll_form(villages)
            if data is not None:
                if info is None:
                    st.error("请先填写有效且未登记的身份证号码。")
                else:
                    cats = data.pop("categories")
                    made = run_action(actor, svc.enroll, raw, categories=cats, today=today, **data)
                    if made:
                        st.session_state.pop("enroll_id", None)
                        st.toast("已纳入台账。")
                        _open(made.result)
                    elif isinstance(made.error, svc.DuplicatePerson) and made.error.person_id:
                        st.page_link("pages/person.py", label="打开已有档案",
                                     query_params={"id": str(made.error.person_id)})
    st.stop()

try:
    pid = int(raw_id)
except ValueError:
    pid = -1
# The view is audited once per opening, not on every rerun of the page.
if st.session_state.get("person_viewed") != pid:
    with session_scope(actor=actor) as s:
        file = svc.open_file(s, actor, pid, today)
    st.session_state["person_viewed"] = pid
    st.session_state["person_loaded_at"] = utcnow()
    if file is not None:
        label_now = f"{file.person['name']}（{file.village}）"
        st.session_state[RECENT] = ([(pid, label_now)] + [r for r in st.session_state.get(RECENT) or []
                                                          if r[0] != pid])[:8]
else:
    with session_scope(write=False) as s:
        file = rq.person_file(s, actor, pid, today)
if file is None:
    st.error("无权查看或不存在。")
    st.page_link("pages/registry.py", label="返回人员台账", icon=":material/arrow_back:")
    st.stop()

p = file.person
loaded_at = st.session_state.get("person_loaded_at")
flash.show("person_flash")
st.subheader(f"{md(p['name'])}（{md(p['gender'])}，{file.age}周岁）")  # md-ok: an age
st.caption(f"{md(file.township)} · {md(file.village)} · 身份证号码 {md(p['id_number'])} · 状态：{md(p['status'])}"
           + (f"（{p['exited_on']} {md(p['exit_reason'])}）" if p["status"] == EXITED else "")
           + f" · 纳入日期 {p['enrolled_on']}")  # md-ok: dates
for cat, reason in file.proposals:
    st.warning(f"{md(label(cat))}：{md(reason)}，建议退出该类别。请到“待处理”页确认。")
st.page_link("pages/registry.py", label="返回人员台账", icon=":material/arrow_back:")
st.page_link("pages/documents.py", label="打印文书（一人一档等）", icon=":material/print:",
             query_params={"kind": "person", "person": str(pid)})


def _reload(_result=None) -> None:
    st.session_state.pop("person_viewed", None)  # reload the file (new versions) on the next run


def _save(fn, *args, success: str, **kwargs) -> None:
    """A change to this file: then the file reloads and shows `success`; a conflict offers the reload."""
    run_action(actor, fn, *args, success=success, flash_key="person_flash", then=_reload, reload=_reload,
               key="person", **kwargs)


editable = can_edit and p["status"] == ACTIVE
tabs = st.tabs(["基本信息", "人员类别", "监护人", "帮扶责任人", "帮扶措施", "走访记录", "风险评估", "通报处置", "变更记录",
                "纳入/退出"])
with tabs[0]:
    with session_scope(write=False) as s:
        villages = rq.villages(s, actor, p["township_id"] if access.township_bound(actor) else None)
    changes = pf.person_fields_form(p, villages, disabled=not editable)
    if changes is not None:
        if not changes:
            st.info("没有修改。")
        else:
            _save(svc.update_person, pid, p["version"], changes, loaded_at=loaded_at, today=today,
                  success="基本信息已保存。")

with tabs[1]:
    cats = file.categories
    tables.dataframe(cats[["人员类别", "子类", "开始日期", "结束日期", "当前有效"]], hide_index=True, width="stretch")
    if editable:
        c1, c2 = st.columns(2)
        with c1.form("cat_add"):
            lbl = st.selectbox("新增类别", list(CATEGORIES.values()), index=None, placeholder="请选择")
            code = {v: k for k, v in CATEGORIES.items()}.get(lbl)
            sub = st.selectbox("子类", sum((list(v) for v in SUBTYPES.values()), []), index=None, placeholder="（可不选）")
            start = st.date_input("开始日期", value=today, max_value=today, format="YYYY-MM-DD")
            if st.form_submit_button("添加类别"):
                _save(svc.add_category, pid, code or "", sub, start, today=today, success="已添加类别。")
        open_cats = cats[cats["结束日期"].isna()]
        if not open_cats.empty:
            with c2.form("cat_end"):
                i = st.selectbox("结束类别", list(range(len(open_cats))),
                                 format_func=lambda i: f"{open_cats['人员类别'].iloc[i]}（自{open_cats['开始日期'].iloc[i]}）")
                end = st.date_input("结束日期", value=today, max_value=today, format="YYYY-MM-DD")
                if st.form_submit_button("结束该类别"):
                    _save(svc.end_category, int(open_cats["id"].iloc[i]), end, int(open_cats["version"].iloc[i]),
                          today=today, success="已结束该类别。")

def _options(frame, *cols) -> dict[int, str]:
    """Delete-control choices: record id → the columns a user recognises it by."""
    return {int(r["id"]): " · ".join(str(r[c]) for c in cols) for _, r in frame.iterrows()} if not frame.empty else {}


with tabs[2]:
    tables.dataframe(file.guardians.drop(columns=["id"]), hide_index=True, width="stretch")
    delete_control(actor, "guardian", _options(file.guardians, "姓名", "关系"), "del_guardian")
    if editable:
        with st.form("guardian_add", clear_on_submit=True):
            st.markdown("**新增监护人**")
            c1, c2, c3 = st.columns(3)
            g_name = c1.text_input("姓名", max_chars=64)
            g_rel = c2.selectbox("关系", ["父亲", "母亲", "祖父", "祖母", "外祖父", "外祖母", "其他亲属", "受委托人"])
            g_phone = c3.text_input("联系电话", max_chars=20)
            c1, c2, c3 = st.columns(3)
            g_id = c1.text_input("身份证号码（可不填）", max_chars=22)
            g_cap = c2.selectbox("监护能力", ["待评估", "有", "无"])
            g_ent = c3.checkbox("委托监护")
            c1, c2 = st.columns(2)
            g_signed = c1.date_input("委托监护协议签订日期", value=None, max_value=today, format="YYYY-MM-DD")
            g_wit = c2.text_input("村(居)见证人", max_chars=64)
            if st.form_submit_button("添加监护人"):
                _save(svc.add_guardian, pid, g_name, g_rel, g_phone or None, g_id or None, g_cap, g_ent, g_signed,
                      g_wit or None, today=today, success="已添加监护人。")

with tabs[3]:
    tables.dataframe(file.assignments.drop(columns=["id", "helper_id"]), hide_index=True, width="stretch")
    if editable:
        with session_scope(write=False) as s:
            opts = rq.helpers(s, actor, [p["township_id"]])
        ids = [None] + [h for h, _, _ in opts]
        names = {h: lbl for h, lbl, _ in opts}
        c1, c2 = st.columns(2)
        with c1.form("helper_assign"):
            cur = ids.index(file.current_helper_id) if file.current_helper_id in ids else 0
            hid = st.selectbox("更换帮扶责任人", ids, index=cur, format_func=lambda h: "（无）" if h is None else names[h])
            if st.form_submit_button("保存"):
                _save(svc.assign_helper, pid, p["version"], hid, loaded_at=loaded_at, today=today,
                      success="帮扶责任人已更新。")
        with c2.form("helper_new", clear_on_submit=True):
            st.markdown("**登记新的帮扶责任人**")
            h_name = st.text_input("姓名", max_chars=64)
            h_pos = st.text_input("职务", max_chars=64)
            h_unit = st.text_input("单位", max_chars=64)
            h_phone = st.text_input("联系电话", max_chars=20)
            if st.form_submit_button("登记"):
                _save(svc.create_helper, p["township_id"], h_name, h_pos, h_unit, h_phone or None,
                      success="已登记，可在左侧选择。")

with tabs[4]:
    tables.dataframe(file.measures.drop(columns=["id"]), hide_index=True, width="stretch")
    delete_control(actor, "care_measure", _options(file.measures, "类型", "开始日期"), "del_measure")
    if editable:
        with st.form("measure_add", clear_on_submit=True):
            c1, c2 = st.columns([1, 2])
            m_type = c1.selectbox("类型", svc.MEASURE_TYPES)
            m_start = c1.date_input("开始日期", value=today, max_value=today, format="YYYY-MM-DD")
            m_text = c2.text_area("措施内容", max_chars=2000)
            if st.form_submit_button("添加帮扶措施"):
                _save(svc.add_care_measure, pid, m_type, m_text, m_start, today=today, success="已添加帮扶措施。")

for i, (frame, empty, kind, cols) in enumerate((
        (file.visits, "暂无走访记录。", "visit", ("走访日期", "走访人")),
        (file.assessments, "暂无风险评估。", "assessment", ("评估期", "风险等级")),
        (file.incidents, "暂无通报处置卡。", None, ())), start=5):
    with tabs[i]:
        if frame.empty:
            st.info(empty)  # md-ok: fixed texts
        else:
            tables.dataframe(frame.drop(columns=["id"], errors="ignore"), hide_index=True, width="stretch")
            if kind:
                delete_control(actor, kind, _options(frame, *cols), f"del_{kind}")

with tabs[8]:
    if file.timeline.empty:
        st.info("暂无变更记录。")
    else:
        tables.dataframe(file.timeline, hide_index=True, width="stretch")

with tabs[9]:
    if not can_edit:
        st.info("您的角色只能查看。")
    elif p["status"] == ACTIVE:
        data = pf.exit_form()
        if data is not None:
            if not data["confirmed"]:
                st.error("请勾选确认后再退出。")
            else:
                _save(svc.exit_person, pid, p["version"], data["reason"], data["on"], loaded_at, today,
                      success="已退出台账，档案保留。")
    else:
        st.info(f"该人员已于 {p['exited_on']} 退出（{md(p['exit_reason'])}）。如需重新纳入，请选择类别。")  # md-ok: a date
        cats = pf.category_picker("reenroll")
        if st.button("重新纳入", key="reenroll_btn", type="primary"):
            _save(svc.reenroll, pid, p["version"], cats, today, success="已重新纳入台账。")
