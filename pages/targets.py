"""指标目标 (admin/office): the county target per indicator, optionally one per township.
Every change is audited (Target is an Audited model)."""
import datetime as dt

import pandas as pd
import streamlit as st

from components import flash
from components.action import run_action
from components.page import page_header
from components.text import md
from components import tables
from core import access
from core import indicators as ci
from db.engine import session_scope
from areas.indicators import reads as q
from areas.indicators import writes as svc

actor = page_header("targets", "未设定时使用政策依据中的默认目标；乡镇单独目标优先于全县目标。")

flash.show("targets_flash")

with session_scope(write=False) as s:
    table = q.target_table(s)

show = table.drop(columns=["code", "version"]).assign(
    默认目标=[ci.fmt_value(v) for v in table["默认目标"]],
    全县目标=["（默认）" if pd.isna(v) else ci.fmt_value(v) for v in table["全县目标"]],
    生效目标=[ci.fmt_value(v) for v in table["生效目标"]],
)
tables.dataframe(show, hide_index=True, width="stretch")

code = st.selectbox("选择指标", list(ci.CODES), key="target_indicator",
                    format_func=lambda c: ci.get(c).name)
ind = ci.get(code)
row = table[table["code"] == code].iloc[0]
version = None if pd.isna(row["version"]) else int(row["version"])
st.caption(f"{ind.formula}。方向：{'越高越好' if ind.direction == ci.HIGHER else '越低越好'}；"
           f"偏离目标 {ci.fmt_value(ind.warning_band)} 个百分点以内为预警。依据：{ind.seed}")  # md-ok: indicator definitions

# The indicator caches see a new target through the data generation (components/cached.py).
DONE = "targets_flash"


left, right = st.columns(2)
with left:
    st.subheader("全县目标")
    value = st.number_input(f"{ind.name}目标（{ind.unit}）",  # md-ok: indicator definitions
                            min_value=0.0, max_value=100.0,
                            value=float(row["生效目标"]), step=0.1, format="%.1f", key=f"target_county_value_{code}")
    b1, b2 = st.columns(2)
    if b1.button("保存全县目标", key="target_county_save", type="primary", disabled=actor.is_read_only):
        run_action(actor, svc.set_target, code, value, None, expected_version=version, flash_key=DONE,
                   success=f"已将「{ind.name}」全县目标设为 {ci.fmt_value(value)}{ind.unit}。")
    if version is not None and b2.button("恢复默认目标", key="target_county_reset", disabled=actor.is_read_only):
        run_action(actor, svc.reset_target, code, None, flash_key=DONE,
                   success=f"「{ind.name}」已恢复默认目标 {ci.fmt_value(ind.default_target)}{ind.unit}。")

with right:
    st.subheader("乡镇单独目标")
    if ind.county_only:
        st.info(f"「{ind.name}」只在全县层面统计，不设乡镇目标。")  # md-ok: indicator definitions
    else:
        with session_scope(write=False) as s:
            towns = q.township_targets(s, code)
        if towns.empty:
            st.info("还没有乡镇区划。")
        else:
            tables.dataframe(towns.assign(单独目标=["（随全县）" if pd.isna(v) else ci.fmt_value(v) for v in towns["单独目标"]])
                         [["乡镇", "单独目标"]], hide_index=True, width="stretch", height=220)
            names = dict(zip(towns["township_id"].astype(int), towns["乡镇"]))
            tid = st.selectbox("乡镇", list(names), format_func=names.get, key="target_township")
            cur = towns[towns["township_id"] == tid].iloc[0]
            tver = None if pd.isna(cur["version"]) else int(cur["version"])
            tval = st.number_input(f"{md(names[tid])}目标（{ind.unit}）",  # md-ok: a unit of measure
                                   min_value=0.0, max_value=100.0,
                                   value=float(row["生效目标"] if pd.isna(cur["单独目标"]) else cur["单独目标"]),
                                   step=0.1, format="%.1f", key=f"target_township_value_{code}_{tid}")
            c1, c2 = st.columns(2)
            if c1.button("保存乡镇目标", key="target_township_save", disabled=actor.is_read_only):
                run_action(actor, svc.set_target, code, tval, tid, expected_version=tver, flash_key=DONE,
                           success=f"已将{names[tid]}「{ind.name}」目标设为 {ci.fmt_value(tval)}{ind.unit}。")
            if tver is not None and c2.button("改为随全县目标", key="target_township_reset",
                                              disabled=actor.is_read_only):
                run_action(actor, svc.reset_target, code, tid, flash_key=DONE,
                           success=f"{names[tid]}「{ind.name}」已改为随全县目标。")

# ---- 重算已关账月份 (issue 14): a closed month's figures are stored once; a correction of that
# month's data reaches them only through this audited recompute by the office.
st.divider()
st.subheader("重算已关账月份的指标")
st.caption(f"每月{ci.LATE_ENTRY_DAYS}日之后上月关账，其指标存档，此后补录或更正该月数据不改变存档的指标；"  # md-ok: a constant
           "确需更正时由联席办填写原因后重算，重算记入审计日志。")
if access.may(actor, "indicator.recompute"):
    closed = [m for m in ci.last_months(ci.month_label(dt.date.today()), 25)[::-1] if ci.is_closed(m)]
    m1, m2 = st.columns([1, 3])
    month = m1.selectbox("月份", closed, key="recompute_month", format_func=lambda m: ci.period(m).title)
    reason = m2.text_input("重算原因", key="recompute_reason", max_chars=200, placeholder="例如：补录了该月的走访记录")
    if st.button("重算该月指标", key="recompute_go"):
        run_action(actor, svc.recompute_month, month, reason, flash_key=DONE,
                   success=lambda r: f"已重算{ci.period(month).title}指标（全县数据变化 "
                                     f"{sum(old != new for old, new in r.values())} 项），已记入审计日志。")
else:
    st.caption("只有联席办（民政局）可以重算。")
