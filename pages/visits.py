"""走访记录: record a visit, the overdue list, compliance by township and helper, the rule."""
import datetime as dt

import streamlit as st

from components import flash
from components.action import run_action
from components.care_person_picker import person_picker
from core import access
from components.page import page_header
from components.tables import count_table
from components.worklist import paged_worklist
from components import tables
from core.categories import CATEGORIES, DIFFICULTIES, SERVICE_TYPES
from core.visits import ANY_CATEGORY, PERIODS
from db.engine import session_scope
from areas.care import reads as q
from areas.care import writes as svc

actor = page_header("visits", "频次要求（文件001）：一般对象每月至少走访2次，特别困难对象每周至少1次；联席办可按类别调整。")
today = dt.date.today()
rows_visible = access.sees_rows(actor)
can_record = access.may(actor, "visit.record")
can_configure = access.may(actor, "visit_rule.edit")

names = (["登记走访"] if can_record else []) + (["逾期名单"] if rows_visible else []) + ["按期率"] \
    + (["最近走访"] if rows_visible else []) + ["频次规则"]
tabs = dict(zip(names, st.tabs(names)))  # md-ok: fixed tab names

# ---------------------------------------------------------------- record a visit
if "登记走访" in tabs:
    with tabs["登记走访"]:
        person_id = person_picker(actor, "visit_person", "走访对象")
        # The save reruns the page (flash_key), so the panel below is read again: it shows the
        # new last visit and due date, not the state from before the save (issue 20 item 5).
        flash.show("visit_flash")
        if person_id:
            with session_scope(write=False) as s:
                status = q.visit_status(s, actor, person_id, today)
                helpers = q.helpers_for_person(s, actor, person_id, today)
            if status:
                c1, c2, c3 = st.columns(3)
                c1.metric("最近走访", status.last_visit.strftime("%Y-%m-%d") if status.last_visit else "尚无记录")
                c2.metric("应访日期", status.next_due.strftime("%Y-%m-%d"),
                          delta=f"已逾期{status.days_overdue}天" if status.days_overdue else None, delta_color="inverse")
                c3.metric("频次要求", status.rule_label, help=f"按{status.effective}对象要求"  # md-ok: category labels, a date
                          + (f"（{status.raised_on:%Y-%m-%d}评估为高风险）" if status.raised_on else ""))
            with st.form("visit_form", clear_on_submit=True):
                left, right = st.columns(2)
                visited_on = left.date_input("走访日期", value=today, max_value=today, format="YYYY-MM-DD")
                helper_names = {**dict(helpers), 0: "（不指定）"}  # the assigned helper comes first
                helper = right.selectbox("走访人（帮扶责任人）", list(helper_names), format_func=helper_names.get) or None
                types = st.multiselect("服务类型（可多选）", SERVICE_TYPES, placeholder="请选择服务类型")
                findings = st.text_area("发现情况", max_chars=2000, height=80)
                problems = st.text_area("存在问题", max_chars=2000, height=80)
                follow_up = st.text_area("后续跟进", max_chars=2000, height=80)
                submitted = st.form_submit_button("保存走访记录", type="primary")
            if submitted:
                run_action(actor, svc.record_visit, person_id=person_id, visited_on=visited_on, helper_id=helper,
                           service_types=types, findings=findings, problems=problems, follow_up=follow_up,
                           today=today, success=f"已保存 {visited_on:%Y-%m-%d} 的走访记录。", flash_key="visit_flash")

# ---------------------------------------------------------------- overdue list
if "逾期名单" in tabs:
    with tabs["逾期名单"]:
        with session_scope(write=False) as s:
            choices = q.overdue_choices(s, actor)
        cols = iter(st.columns(3 if access.township_bound(actor) else 4))
        township_id = 0
        if not access.township_bound(actor):
            tw_names = dict(choices["townships"])
            township_id = next(cols).selectbox("乡镇", [0] + list(tw_names), key="od_tw",
                                               format_func=lambda i: tw_names.get(i, "全部乡镇"))
        villages = {i: n for i, n in choices["villages"]
                    if not township_id or choices["village_parent"].get(i) == township_id}
        village_id = next(cols).selectbox("村(居)", [0] + list(villages), key="od_vi",
                                          format_func=lambda i: villages.get(i, "全部村(居)"))
        helper_names = {0: "全部", -1: q.NO_HELPER, **dict(choices["helpers"])}
        helper_id = next(cols).selectbox("帮扶责任人", list(helper_names), key="od_hp", format_func=helper_names.get)
        sort_label = next(cols).selectbox("排序", list(q.OVERDUE_SORTS), key="od_sort")
        def _fetch(limit: int, offset: int):
            with session_scope(write=False) as s:
                return q.overdue_list(s, actor, today, township_id=township_id or None,
                                      village_id=village_id or None, helper_id=helper_id or None,
                                      sort=q.OVERDUE_SORTS[sort_label], limit=limit, offset=offset)

        paged_worklist("od_page", 50, _fetch, empty="没有走访逾期的对象。",
                       caption=lambda n: f"共 {n} 人走访逾期（截至 {today:%Y-%m-%d}）",
                       column_config={
                           "最近走访": st.column_config.DateColumn(format="YYYY-MM-DD"),
                           "应访日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
                           "逾期天数": st.column_config.NumberColumn(format="%d 天"),
                       })

# ---------------------------------------------------------------- compliance
with tabs["按期率"]:
    months = []
    y, m = today.year, today.month
    for _ in range(13):
        months.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    ym = st.selectbox("月份", months, index=1, format_func=lambda t: f"{t[0]}年{t[1]}月" + ("（本月，截至月底）" if t == months[0] else ""))
    st.caption("按期：该月应走访次数已完成。月中纳入的对象按剩余天数折算；月中评估为高风险的，自评估日起按每周1次计算；"
               "折算后应走访0次的对象（月末几天纳入）不计入。")
    with session_scope(write=False) as s:
        by_tw = q.compliance_by_township(s, actor, *ym)
        by_helper = q.compliance_by_helper(s, actor, *ym) if rows_visible else None
    st.subheader("各乡镇走访按期率")
    total_due, total_ok = int(by_tw["应访人数"].sum()), int(by_tw["按期人数"].sum())
    st.metric("合计按期率", f"{100 * total_ok / total_due:.1f}%" if total_due else "—",
              help=f"按期 {total_ok} 人 / 应访 {total_due} 人")  # md-ok: counts
    count_table(by_tw, actor, columns=["应访人数", "按期人数"], hide_index=True,
                column_config={"按期率(%)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f%%")})
    if by_helper is not None:
        st.subheader("各帮扶责任人走访按期率")
        if by_helper.empty:
            st.info("该月没有应走访的对象。")
        else:
            count_table(by_helper.sort_values("按期率(%)"), actor, columns=["应访人数", "按期人数"], hide_index=True,
                        column_config={"按期率(%)": st.column_config.ProgressColumn(min_value=0, max_value=100,
                                                                                  format="%.1f%%")})

# ---------------------------------------------------------------- recent visits
if "最近走访" in tabs:
    with tabs["最近走访"]:
        with session_scope(write=False) as s:
            recent = q.recent_visits(s, actor, limit=50)
        if recent.empty:
            st.info("还没有走访记录。")
        else:
            st.caption("最近登记的50条走访记录")
            tables.dataframe(recent, hide_index=True, width="stretch")

# ---------------------------------------------------------------- rules
with tabs["频次规则"]:
    flash.show("visit_rules_flash")
    with session_scope(write=False) as s:
        rules = q.visit_rules(s)
    tables.dataframe(rules, hide_index=True, width="stretch")
    st.caption("同一对象属于多个类别时，按其中最严格的要求；风险评估为“高”的对象自评估之日起按“特别困难”要求。")
    if can_configure:
        cat_opts = [ANY_CATEGORY] + list(CATEGORIES)
        with st.form("rule_form"):
            st.markdown("**调整走访频次**")
            c1, c2, c3, c4 = st.columns(4)
            cat = c1.selectbox("人员类别", cat_opts, format_func=lambda c: "全部类别" if c == ANY_CATEGORY else CATEGORIES[c])
            diff = c2.selectbox("困难程度", DIFFICULTIES)
            period = c3.selectbox("周期", list(PERIODS), format_func=PERIODS.get)
            n = c4.number_input("最少走访次数", min_value=1, max_value=31, value=2, step=1)
            restore = st.checkbox("恢复为默认（删除该类别和困难程度的配置）")
            go = st.form_submit_button("保存频次规则")
        if go:
            if restore:
                saved = run_action(actor, svc.delete_visit_rule, category=cat, difficulty=diff)
            else:
                saved = run_action(actor, svc.save_visit_rule, category=cat, difficulty=diff, period=period,
                                   min_visits=int(n))
            if saved and (saved.result or not restore):
                flash.done("visit_rules_flash", "已保存，逾期名单和按期率即按新规则计算。")
            elif saved:
                st.info("该类别和困难程度没有单独配置，无需恢复。")
