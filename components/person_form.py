"""Forms for one person's file: the fields form, 纳入 (enrolment) and small add-forms.
Each function owns its widget keys and returns the submitted values (or None); the page
hands them to areas/registry/writes.py, which validates again."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from core.categories import CATEGORIES, DIFFICULTIES, EXIT_REASONS, SUBTYPES

TEXT_AREAS = (
    ("family_situation", "家庭状况"), ("living_situation", "生活情况"), ("parents_status", "父母或子女动态"),
    ("school_situation", "学习状况"), ("health_situation", "健康状况"), ("psychological_situation", "心理健康状况"),
    ("notes", "备注"),
)
CAT_LABELS = {v: k for k, v in CATEGORIES.items()}


def _village_index(villages: list[tuple[int, str, int]], village_id) -> int | None:
    ids = [v[0] for v in villages]
    return ids.index(village_id) if village_id in ids else None


def person_fields_form(person: dict, villages: list[tuple[int, str, int]], disabled: bool, key: str = "pf") -> dict | None:
    """All editable fields; returns only the fields that changed, on submit. Read-only
    (disabled): the same fields without a form, so no submit button is drawn."""
    with st.form(f"{key}_form") if not disabled else st.container():
        c1, c2, c3 = st.columns(3)
        name = c1.text_input("姓名", value=person["name"] or "", max_chars=64, disabled=disabled)
        c2.text_input("身份证号码", value=person["id_number"], disabled=True, help="身份证号码不能修改；录错请退出后重新纳入")
        c3.text_input("性别 / 出生日期", value=f"{person['gender']} / {person['birth_date']}", disabled=True)
        c1, c2, c3 = st.columns(3)
        phone = c1.text_input("联系电话", value=person["phone"] or "", max_chars=20, disabled=disabled)
        vi = c2.selectbox("村(居)", list(range(len(villages))), index=_village_index(villages, person["village_id"]),
                          format_func=lambda i: villages[i][1], disabled=disabled)
        difficulty = c3.selectbox("困难程度", DIFFICULTIES, index=DIFFICULTIES.index(person["difficulty"])
                                  if person["difficulty"] in DIFFICULTIES else 0, disabled=disabled)
        c1, c2, c3 = st.columns(3)
        address = c1.text_input("住址", value=person["address"] or "", max_chars=200, disabled=disabled)
        enrolled = c2.date_input("纳入日期", value=person["enrolled_on"], max_value=dt.date.today(), disabled=disabled,
                                 format="YYYY-MM-DD")
        reviewed = c3.date_input("台账核对日期", value=person["reviewed_on"], max_value=dt.date.today(),
                                 disabled=disabled, format="YYYY-MM-DD")
        texts = {}
        cols = st.columns(2)
        for n, (fld, lbl) in enumerate(TEXT_AREAS):
            texts[fld] = cols[n % 2].text_area(lbl, value=person[fld] or "", max_chars=2000, height=90, disabled=disabled)  # md-ok: fixed labels
        submitted = st.form_submit_button("保存基本信息", type="primary") if not disabled else False
    if not submitted:
        return None
    new = {"name": name, "phone": phone, "address": address, "difficulty": difficulty, "enrolled_on": enrolled,
           "reviewed_on": reviewed, **texts}
    if vi is not None:
        new["village_id"] = villages[vi][0]
    return {k: v for k, v in new.items() if (v or None) != (person.get(k) or None)}


def category_picker(key: str) -> list[tuple[str, str | None]]:
    labels = st.multiselect("人员类别（可多选）", list(CATEGORIES.values()), key=f"{key}_cats")
    out = []
    for lbl in labels:
        code = CAT_LABELS[lbl]
        sub = None
        if code in SUBTYPES:
            sub = st.selectbox(f"{lbl} 子类", SUBTYPES[code], index=None, placeholder="（可不选）", key=f"{key}_sub_{code}")  # md-ok: fixed labels
        out.append((code, sub))
    return out


def enroll_form(villages: list[tuple[int, str, int]], key: str = "enroll") -> dict | None:
    """Fields of a new person except the ID number (checked live by the page above the form)."""
    cats = category_picker(key)
    with st.form(f"{key}_form"):
        c1, c2, c3 = st.columns(3)
        name = c1.text_input("姓名", max_chars=64)
        vi = c2.selectbox("村(居)", list(range(len(villages))), index=None, placeholder="请选择",
                          format_func=lambda i: villages[i][1])
        difficulty = c3.selectbox("困难程度", DIFFICULTIES)
        c1, c2, c3 = st.columns(3)
        phone = c1.text_input("联系电话", max_chars=20)
        address = c2.text_input("住址", max_chars=200)
        enrolled = c3.date_input("纳入日期", value=dt.date.today(), max_value=dt.date.today(), format="YYYY-MM-DD")
        notes = st.text_area("备注", max_chars=2000, height=80)
        ok = st.form_submit_button("确认纳入", type="primary")
    if not ok:
        return None
    return {"name": name, "village_id": villages[vi][0] if vi is not None else None, "difficulty": difficulty,
            "phone": phone or None, "address": address or None, "enrolled_on": enrolled, "notes": notes or None,
            "categories": cats}


def exit_form(key: str = "exit") -> dict | None:
    with st.form(f"{key}_form"):
        c1, c2 = st.columns(2)
        reason = c1.selectbox("退出原因", EXIT_REASONS, index=None, placeholder="请选择")
        other = c1.text_input("其他原因说明", max_chars=60)
        on = c2.date_input("退出日期", value=dt.date.today(), max_value=dt.date.today(), format="YYYY-MM-DD")
        sure = st.checkbox("我已核实，确认该人员退出台账（档案保留，可重新纳入）")
        ok = st.form_submit_button("确认退出", type="primary")
    if not ok:
        return None
    text = other.strip() if reason == "其他" and other.strip() else reason
    return {"reason": text or "", "on": on, "confirmed": sure}
