"""Registry writes: quick edits, the person form, 纳入/退出, categories, guardians, helpers,
care measures, age-rule exit confirmations. Every function validates again on the
server and leaves the audit trail to db/audit.py (same transaction)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import idnumber
from core.categories import ACTIVE, CATEGORIES, DIFFICULTIES, EXITED, SERVICE_TYPES, SUBTYPES, exit_proposal, label
from core.audit_labels import DUPLICATE_REFUSED
from core.masking import scrub_text
from core import access
from core.roles import Actor
from core.validation import date_error, phone_error, text_error
from db import audit
from db.models import Assignment, CareMeasure, Guardian, Helper, Person, PersonCategory, Region, utcnow
from areas.registry import reads as rq
from db.conditions import assignment_current, category_current
from db.scope import township_clause
from db import locking
from db.errors import ForbiddenError, ServiceError, require

QUICK_FIELDS = ("phone", "difficulty", "helper_id", "notes")
TEXT_FIELDS = {
    "family_situation": ("家庭状况", 2000), "living_situation": ("生活情况", 2000),
    "parents_status": ("父母或子女动态", 2000), "school_situation": ("学习状况", 2000),
    "health_situation": ("健康状况", 2000), "psychological_situation": ("心理健康状况", 2000),
    "notes": ("备注", 2000), "address": ("住址", 200), "name": ("姓名", 64),
}
FORM_FIELDS = ("name", "phone", "village_id", "address", "difficulty", "enrolled_on", "reviewed_on",
               "family_situation", "living_situation", "parents_status", "school_situation", "health_situation",
               "psychological_situation", "notes")
MEASURE_TYPES = SERVICE_TYPES + ("低保", "临时救助", "特困供养", "残疾人两项补贴", "教育资助", "医疗救助", "台账帮扶措施", "其他")


class ValidationFailed(ServiceError):
    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


class DuplicatePerson(ServiceError):
    """The ID number is on file already; `person_id` is set when the actor may open that file."""

    def __init__(self, message: str, person_id: int | None):
        super().__init__(message)
        self.person_id = person_id


# ---------------------------------------------------------------- helpers
def _person(session: Session, actor: Actor, person_id: int) -> Person:
    require(actor, "registry.edit")
    p = session.scalar(select(Person).where(Person.id == int(person_id), township_clause(Person.township_id, actor)))
    if p is None:
        raise ForbiddenError("无权修改或该人员不存在。")
    return p


def _what(person: Person) -> str:
    return f"“{person.name}”的记录"


def _check_version(session: Session, person: Person, expected: int | None, loaded_at: dt.datetime | None) -> None:
    """db/locking.check_version, with the changes to the whole file (categories, guardians …)
    made since the user opened it."""
    locking.check_version(session, person, expected, _what(person), changes=lambda: rq.change_rows(
        session, person.id, since=loaded_at, limit=20).to_dict("records"))


def _clean_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v != v:  # NaN from a DataFrame cell
        return None
    s = str(v).strip()
    return s or None


def _as_date(v, label_: str, errors: list[str], *, required: bool = False, today: dt.date | None = None) -> dt.date | None:
    if v is None or v == "" or (isinstance(v, float) and v != v):
        if required:
            errors.append(f"{label_}不能为空")
        return None
    if isinstance(v, dt.datetime):
        v = v.date()
    err = date_error(v, label=label_, not_after=today, not_before=dt.date(1900, 1, 1))
    if err:
        errors.append(err)
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v).strip())


def _validate_fields(session: Session, actor: Actor, person: Person | None, fields: dict[str, Any],
                     today: dt.date) -> dict[str, Any]:
    """Checked and normalised values, or ValidationFailed listing every problem."""
    errors: list[str] = []
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "phone":
            v = _clean_text(value)
            if v is not None:
                v = v.replace(" ", "")
            err = phone_error(v)
            if err:
                errors.append(err)
            out[key] = v
        elif key == "difficulty":
            if value not in DIFFICULTIES:
                errors.append(f"困难程度只能是：{'、'.join(DIFFICULTIES)}")
            out[key] = value
        elif key in TEXT_FIELDS:
            lbl, n = TEXT_FIELDS[key]
            v = _clean_text(value)
            err = text_error(v, n, lbl)
            if err:
                errors.append(err)
            if key == "name" and not v:
                errors.append("姓名不能为空")
            out[key] = v
        elif key == "village_id":
            village = session.get(Region, int(value)) if value else None
            if village is None or village.level != "village" or (
                not access.may(actor, "registry.edit", township_id=village.parent_id)
            ):
                errors.append("村(居)不在您的管辖范围内")
            else:
                out["village_id"] = village.id
                out["township_id"] = village.parent_id
        elif key in ("enrolled_on", "reviewed_on"):
            lbl = "纳入日期" if key == "enrolled_on" else "台账核对日期"
            d = _as_date(value, lbl, errors, required=key == "enrolled_on", today=today)
            out[key] = d
        elif key == "helper_id":
            out[key] = None if value in (None, "") or (isinstance(value, float) and value != value) else int(value)
            if out[key] is not None:
                h = session.get(Helper, out[key])
                town = person.township_id if person is not None else None
                if h is None or h.deleted_at is not None or (h.township_id is not None and town is not None
                                                             and h.township_id != town):
                    errors.append("所选帮扶责任人不属于该人员所在乡镇")
        else:
            errors.append(f"字段“{key}”不能在此修改")
    if errors:
        raise ValidationFailed(errors)
    return out


def _set_helper(session: Session, person: Person, helper_id: int | None, today: dt.date) -> bool:
    """End the current assignment and start a new one; True when something changed."""
    current = session.scalars(
        select(Assignment).where(Assignment.person_id == person.id, assignment_current(today))
    ).all()
    if helper_id is not None and any(a.helper_id == helper_id for a in current) and len(current) == 1:
        return False
    if helper_id is None and not current:
        return False
    for a in current:
        if a.start_on >= today:  # assigned today by mistake: close the same day
            a.end_on = a.start_on
        else:
            a.end_on = today
    if helper_id is not None:
        session.add(Assignment(helper_id=helper_id, person_id=person.id, start_on=today))
    person.updated_at = utcnow()  # bumps the person's version: helper changes are lock-checked too
    return True


# ---------------------------------------------------------------- quick edits from the table
@dataclass
class RowEdit:
    person_id: int
    version: int
    changes: dict[str, Any]  # subset of QUICK_FIELDS
    row_label: str = ""  # "第3行" for messages


def save_quick_edits(session: Session, actor: Actor, edits: list[RowEdit], loaded_at: dt.datetime | None = None,
                     today: dt.date | None = None) -> int:
    """All rows or none. Returns how many people changed."""
    require(actor, "registry.edit")
    today = today or dt.date.today()
    errors: list[str] = []
    planned = []
    for e in edits:
        p = _person(session, actor, e.person_id)
        _check_version(session, p, e.version, loaded_at)
        bad = [k for k in e.changes if k not in QUICK_FIELDS]
        if bad:
            raise ForbiddenError("表格中只能修改联系电话、困难程度、帮扶责任人和备注。")
        try:
            planned.append((p, _validate_fields(session, actor, p, e.changes, today)))
        except ValidationFailed as v:
            errors += [f"{e.row_label or p.name}：{m}" for m in v.errors]
    if errors:
        raise ValidationFailed(errors)
    changed = 0
    for p, values in planned:
        touched = False
        for k, v in values.items():
            if k == "helper_id":
                touched |= _set_helper(session, p, v, today)
            elif getattr(p, k) != v:
                setattr(p, k, v)
                touched = True
        changed += touched
        locking.flush(session, _what(p))
    return changed


# ---------------------------------------------------------------- the person form
def update_person(session: Session, actor: Actor, person_id: int, version: int, fields: dict[str, Any],
                  loaded_at: dt.datetime | None = None, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    p = _person(session, actor, person_id)
    _check_version(session, p, version, loaded_at)
    bad = [k for k in fields if k not in FORM_FIELDS]
    if bad:
        raise ForbiddenError("这些字段不能在档案表单中修改：" + "、".join(bad))
    values = _validate_fields(session, actor, p, fields, today)
    touched = False
    for k, v in values.items():
        if getattr(p, k) != v:
            setattr(p, k, v)
            touched = True
    locking.flush(session, _what(p))
    return touched


# ---------------------------------------------------------------- 纳入 / 退出
@dataclass
class IdInfo:
    id_number: str
    gender: str
    birth_date: dt.date
    age: int


def check_id_number(raw, today: dt.date | None = None) -> IdInfo:
    today = today or dt.date.today()
    chk = idnumber.validate(raw, today=today)
    if not chk.ok:
        raise ValidationFailed([chk.error])
    gender, birth = idnumber.derive(chk.value)
    return IdInfo(chk.value, gender, birth, idnumber.age_on(birth, today))


# An ID number on file in a township the actor may not see: the refusal names no township
# (it would tell one township about another's people); the attempt is audited and the office
# finds it on 待处理 (areas/registry/reads.py refused_duplicates).
REGISTERED_ELSEWHERE = "该身份证号码不能在本乡镇纳入，已通知联席办/民政局核查；如需迁入，请联系县民政局。"


def find_duplicate(session: Session, actor: Actor, id_number: str, via: str = "纳入") -> DuplicatePerson | None:
    """The refusal for an ID number already on file, or None. `via` (纳入 / 导入) goes into
    the audit row of a refusal the actor may not see the reason of."""
    row = session.execute(select(Person.id, Person.township_id, Person.status).where(Person.id_number == id_number)).first()
    if row is None:
        return None
    visible = session.scalar(select(Person.id).where(Person.id == row[0], township_clause(Person.township_id, actor)))
    if visible:
        state = "（已退出）" if row[2] == EXITED else ""
        return DuplicatePerson(f"该身份证号码已有档案{state}，不能重复纳入。", row[0])
    towns = dict(session.execute(select(Region.id, Region.name).where(Region.id.in_([row[1], actor.township_id]))).all())
    audit.record(session, DUPLICATE_REFUSED, "person", row[0], outcome="denied", actor=actor,
                 summary=f"{via}：{towns.get(actor.township_id, '—')}申请纳入身份证号码 {scrub_text(id_number)}，"
                         f"该人员已在{towns.get(row[1], '—')}登记，已拒绝")
    return DuplicatePerson(REGISTERED_ELSEWHERE, None)


def enroll(session: Session, actor: Actor, id_number, name: str, village_id: int, categories: list[tuple[str, str | None]],
           enrolled_on: dt.date | None = None, phone: str | None = None, difficulty: str = "一般",
           address: str | None = None, notes: str | None = None, today: dt.date | None = None) -> int:
    """纳入: returns the new person's id."""
    require(actor, "registry.edit")
    today = today or dt.date.today()
    errors: list[str] = []
    info = None
    try:
        info = check_id_number(id_number, today)
    except ValidationFailed as v:
        errors += v.errors
    if info is not None:
        dup = find_duplicate(session, actor, info.id_number)
        if dup is not None:
            if dup.person_id is None:
                session.commit()  # its audit row outlives the refusal (the caller rolls back); nothing else written yet
            raise dup
    if not categories:
        errors.append("请至少选择一个人员类别")
    for cat, sub in categories:
        if cat not in CATEGORIES:
            errors.append(f"未知人员类别：{cat}")
        elif sub and sub not in SUBTYPES.get(cat, ()):
            errors.append(f"{label(cat)}没有“{sub}”这一子类")
    try:
        values = _validate_fields(session, actor, None, {
            "name": name, "phone": phone, "village_id": village_id, "difficulty": difficulty,
            "address": address, "notes": notes, "enrolled_on": enrolled_on or today,
        }, today)
    except ValidationFailed as v:
        errors += v.errors
        values = {}
    if errors:
        raise ValidationFailed(errors)
    assert info is not None
    require(actor, "registry.enroll", township_id=values["township_id"])
    p = Person(id_number=info.id_number, gender=info.gender, birth_date=info.birth_date, status=ACTIVE, **values)
    session.add(p)
    session.flush()
    for cat, sub in categories:
        session.add(PersonCategory(person_id=p.id, category=cat, subtype=sub or None, start_on=values["enrolled_on"]))
    session.flush()
    return p.id


def exit_person(session: Session, actor: Actor, person_id: int, version: int, reason: str, on: dt.date,
                loaded_at: dt.datetime | None = None, today: dt.date | None = None) -> None:
    """退出: the file stays; open categories and helper assignments end on the exit date."""
    today = today or dt.date.today()
    p = _person(session, actor, person_id)
    _check_version(session, p, version, loaded_at)
    if p.status == EXITED:
        raise ServiceError("该人员已退出。")
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append("请填写退出原因")
    elif len(reason) > 64:
        errors.append("退出原因不能超过64个字")
    d = _as_date(on, "退出日期", errors, required=True, today=today)
    if d is not None and d < p.enrolled_on:
        errors.append("退出日期不能早于纳入日期")
    if errors:
        raise ValidationFailed(errors)
    p.status, p.exited_on, p.exit_reason = EXITED, d, reason
    for c in session.scalars(select(PersonCategory).where(PersonCategory.person_id == p.id, PersonCategory.end_on.is_(None))):
        c.end_on = max(d, c.start_on)
    for a in session.scalars(select(Assignment).where(Assignment.person_id == p.id, Assignment.end_on.is_(None))):
        a.end_on = max(d, a.start_on)
    locking.flush(session, _what(p))


def reenroll(session: Session, actor: Actor, person_id: int, version: int, categories: list[tuple[str, str | None]],
             on: dt.date | None = None) -> None:
    """Undo an exit (e.g. parents left again): status back to 在册 with new categories."""
    on = on or dt.date.today()
    p = _person(session, actor, person_id)
    _check_version(session, p, version, None)
    if p.status != EXITED:
        raise ServiceError("该人员在册，无需重新纳入。")
    if not categories:
        raise ValidationFailed(["请至少选择一个人员类别"])
    p.status, p.exited_on, p.exit_reason, p.enrolled_on = ACTIVE, None, None, on
    for cat, sub in categories:
        if cat not in CATEGORIES:
            raise ValidationFailed([f"未知人员类别：{cat}"])
        session.add(PersonCategory(person_id=p.id, category=cat, subtype=sub or None, start_on=on))
    locking.flush(session, _what(p))


def confirm_exit_proposals(session: Session, actor: Actor, category_ids: list[int], today: dt.date | None = None) -> dict:
    """End each proposed child category; a person with no category left exits with the proposal's reason.
    Proposals are checked again: a row that no longer qualifies is skipped."""
    require(actor, "registry.edit")
    today = today or dt.date.today()
    ended, exited, skipped = 0, 0, 0
    for cid in category_ids:
        c = session.get(PersonCategory, int(cid))
        p = session.scalar(select(Person).where(Person.id == c.person_id, township_clause(Person.township_id, actor))) if c else None
        if c is None or p is None:
            raise ForbiddenError("无权处理或记录不存在。")
        reason = exit_proposal(c.category, p.birth_date, today)
        active = session.scalar(select(PersonCategory.id).where(PersonCategory.id == c.id, category_current(today)))
        if p.status != ACTIVE or active is None or reason is None:
            skipped += 1
            continue
        # end_on is the last day the category held (inclusive): it stops counting from today
        c.end_on = max(c.start_on, today - dt.timedelta(days=1))
        ended += 1
        session.flush()
        remaining = session.scalar(
            select(func.count()).select_from(PersonCategory).where(
                PersonCategory.person_id == p.id, category_current(today))
        ) or 0
        if remaining == 0:
            p.status, p.exited_on, p.exit_reason = EXITED, today, reason
            for a in session.scalars(select(Assignment).where(Assignment.person_id == p.id, Assignment.end_on.is_(None))):
                a.end_on = max(today, a.start_on)
            exited += 1
        locking.flush(session, _what(p))
    return {"ended": ended, "exited": exited, "skipped": skipped}


# ---------------------------------------------------------------- categories, guardians, helpers, measures
def add_category(session: Session, actor: Actor, person_id: int, category: str, subtype: str | None,
                 start_on: dt.date, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    p = _person(session, actor, person_id)
    errors = []
    if category not in CATEGORIES:
        errors.append(f"未知人员类别：{category}")
    elif subtype and subtype not in SUBTYPES.get(category, ()):
        errors.append(f"{label(category)}没有“{subtype}”这一子类")
    d = _as_date(start_on, "开始日期", errors, required=True, today=today)
    if not errors:
        dup = session.scalar(select(PersonCategory.id).where(
            PersonCategory.person_id == p.id, PersonCategory.category == category, PersonCategory.end_on.is_(None)))
        if dup:
            errors.append(f"该人员已有未结束的“{label(category)}”类别")
    if errors:
        raise ValidationFailed(errors)
    c = PersonCategory(person_id=p.id, category=category, subtype=subtype or None, start_on=d)
    session.add(c)
    session.flush()
    return c.id


def end_category(session: Session, actor: Actor, category_id: int, end_on: dt.date, version: int | None = None,
                 today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    c = session.get(PersonCategory, int(category_id))
    if c is None:
        raise ForbiddenError("无权修改或记录不存在。")
    _person(session, actor, c.person_id)
    locking.check_version(session, c, version, "该类别")
    errors = []
    d = _as_date(end_on, "结束日期", errors, required=True)
    if d is not None and d < c.start_on:
        errors.append("结束日期不能早于开始日期")
    if errors:
        raise ValidationFailed(errors)
    c.end_on = d
    locking.flush(session, "该类别")


def add_guardian(session: Session, actor: Actor, person_id: int, name: str, relation: str, phone: str | None = None,
                 id_number: str | None = None, capacity: str = "待评估", entrusted: bool = False,
                 agreement_signed_on: dt.date | None = None, witnessed_by: str | None = None,
                 today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    p = _person(session, actor, person_id)
    errors = []
    name, relation = _clean_text(name), _clean_text(relation)
    if not name:
        errors.append("监护人姓名不能为空")
    if not relation:
        errors.append("与本人关系不能为空")
    err = phone_error(phone)
    if err:
        errors.append(err)
    idn = _clean_text(id_number)
    if idn:
        chk = idnumber.validate(idn, today=today)
        if not chk.ok:
            errors.append("监护人" + chk.error)
        idn = chk.value
    if capacity not in ("有", "无", "待评估"):
        errors.append("监护能力只能是：有、无、待评估")
    signed = _as_date(agreement_signed_on, "协议签订日期", errors, today=today)
    if entrusted and signed and not _clean_text(witnessed_by):
        errors.append("委托监护协议须填写村(居)见证人")
    if errors:
        raise ValidationFailed(errors)
    g = Guardian(person_id=p.id, name=name, relation=relation, phone=_clean_text(phone), id_number=idn,
                 capacity=capacity, entrusted=bool(entrusted), agreement_signed_on=signed,
                 witnessed_by=_clean_text(witnessed_by))
    session.add(g)
    session.flush()
    return g.id


def create_helper(session: Session, actor: Actor, township_id: int, name: str, position: str | None = None,
                  unit: str | None = None, phone: str | None = None) -> int:
    require(actor, "helper.create", township_id=township_id)
    errors = []
    name = _clean_text(name)
    if not name:
        errors.append("帮扶责任人姓名不能为空")
    err = phone_error(phone)
    if err:
        errors.append(err)
    if errors:
        raise ValidationFailed(errors)
    h = Helper(name=name, position=_clean_text(position), unit=_clean_text(unit), phone=_clean_text(phone),
               township_id=township_id)
    session.add(h)
    session.flush()
    return h.id


def assign_helper(session: Session, actor: Actor, person_id: int, version: int, helper_id: int | None,
                  loaded_at: dt.datetime | None = None, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    p = _person(session, actor, person_id)
    _check_version(session, p, version, loaded_at)
    values = _validate_fields(session, actor, p, {"helper_id": helper_id}, today)
    changed = _set_helper(session, p, values["helper_id"], today)
    locking.flush(session, _what(p))
    return changed


def add_care_measure(session: Session, actor: Actor, person_id: int, type_: str, text: str | None,
                     start_on: dt.date, end_on: dt.date | None = None, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    p = _person(session, actor, person_id)
    errors = []
    if type_ not in MEASURE_TYPES:
        errors.append(f"未知帮扶措施类型：{type_}")
    err = text_error(_clean_text(text), 2000, "措施内容")
    if err:
        errors.append(err)
    s = _as_date(start_on, "开始日期", errors, required=True)
    e = _as_date(end_on, "结束日期", errors)
    if s and e and e < s:
        errors.append("结束日期不能早于开始日期")
    if errors:
        raise ValidationFailed(errors)
    m = CareMeasure(person_id=p.id, type=type_, text=_clean_text(text), start_on=s, end_on=e)
    session.add(m)
    session.flush()
    return m.id


# ---------------------------------------------------------------- reading a file leaves a trace
def open_file(session: Session, actor: Actor, person_id: int, today: dt.date | None = None) -> rq.PersonFile | None:
    """The person file with a 'view' audit row (also for a refused or absent id)."""
    f = rq.person_file(session, actor, person_id, today)
    audit.record(session, "view", "person", person_id, summary="查看人员档案",
                 outcome="ok" if f is not None else "denied")
    return f


def record_search(session: Session, actor: Actor, where: str, text: str) -> None:
    """Searches for people are audited (PIPL: access to minors' data); the typed text may
    itself be an ID number or phone, so it is scrubbed first."""
    audit.record(session, "search", "person", None, summary=f"{where}：{scrub_text(text.strip())[:100]}", actor=actor)
