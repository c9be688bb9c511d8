"""人员台账 reads: filtered, sorted, counted and paged in SQL; scoped to the actor.

The filter is a plain dataclass (`RegistryFilter`) so the page, the export and the
benchmark build exactly the same statement.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

import pandas as pd
from sqlalchemy import Date, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from core.categories import ACTIVE, AGE_BANDS, CATEGORIES, age_band_bounds, exit_proposal, label
from core.idnumber import age_on, born_by
from core import visibility
from core.roles import Actor
from db.models import (
    Assessment,
    Assignment,
    AuditLog,
    CareMeasure,
    Guardian,
    Helper,
    IncidentCard,
    Person,
    PersonCategory,
    Region,
    Visit,
)
from areas.registry.person_reads import change_rows, text_filter, timeline  # noqa: F401 (writes, person_file)
from areas.care.reads import last_visit_of_person
from areas.workbench.reads import overdue_condition
from db.conditions import (
    active_person, aged_out_category, assignment_current, category_current, current_helpers, measure_current,
)
from core.audit_labels import DUPLICATE_REFUSED, FIELD_LABELS  # noqa: F401 (the importer reads rq.FIELD_LABELS)
from areas.admin.reads import local_time
from db.scope import LIST, township_clause

PAGE_SIZE = 50
# Ledger layout (seed 001 附件2) plus village and last visit.
LEDGER_COLUMNS = ["序号", "姓名", "性别", "身份证号码", "人员类别", "帮扶责任人(职务)", "帮扶措施", "联系电话", "备注"]
SORTS = {
    "村(居)、姓名": "village",
    "姓名": "name",
    "最近走访（久未走访在前）": "last_visit",
    "纳入日期（新在前）": "enrolled",
}


@dataclass(frozen=True)
class RegistryFilter:
    township_id: int | None = None
    village_id: int | None = None
    categories: tuple[str, ...] = ()
    difficulty: str | None = None
    status: str | None = ACTIVE  # None = all
    helper: str | None = None  # "assigned" / "none"
    overdue: str | None = None  # "overdue" / "ok"
    age_band: str | None = None
    text: str = ""
    sort: str = "village"

    def describe(self) -> str:
        parts = []
        if self.categories:
            parts.append("类别：" + "、".join(label(c) for c in self.categories))
        if self.difficulty:
            parts.append(f"困难程度：{self.difficulty}")
        parts.append(f"状态：{self.status or '全部'}")
        if self.helper:
            parts.append("帮扶责任人：" + ("已落实" if self.helper == "assigned" else "未落实"))
        if self.overdue:
            parts.append("走访：" + ("逾期" if self.overdue == "overdue" else "按期"))
        if self.age_band:
            parts.append(f"年龄段：{self.age_band}")
        if self.text.strip():
            parts.append(f"搜索：{self.text.strip()}")
        return "；".join(parts)


def row_scope(actor: Actor):
    """Rows of the registry this actor may list. The leader sees the county's list,
    masked (DESIGN.md §2: read-only, personal data masked); a unit sees none."""
    return township_clause(Person.township_id, actor, read=LIST)


def _conditions(session: Session, actor: Actor, f: RegistryFilter, today: dt.date, last_visit_col) -> list:
    conds = [row_scope(actor)]
    if f.township_id:
        conds.append(Person.township_id == f.township_id)
    if f.village_id:
        conds.append(Person.village_id == f.village_id)
    if f.status:
        conds.append(Person.status == f.status)
    if f.difficulty:
        conds.append(Person.difficulty == f.difficulty)
    # Category and helper as a set of ids (IN) rather than a correlated EXISTS: the set is read
    # once in index order, where EXISTS seeks into the table once per person (SQLite: 190k
    # seeks, ~2 s at county scale; PostgreSQL plans both as a semi-join).
    if f.categories:
        conds.append(Person.id.in_(
            select(PersonCategory.person_id)
            .where(PersonCategory.category.in_(list(f.categories)), category_current(today))
        ))
    if f.helper:
        helped = select(Assignment.person_id).where(assignment_current(today))
        if f.helper == "assigned":
            conds.append(Person.id.in_(helped))
        elif session.get_bind().dialect.name == "sqlite":
            conds.append(Person.id.not_in(helped))  # person_id is NOT NULL: NOT IN = NOT EXISTS
        else:  # PostgreSQL: an anti-join; NOT IN would need its whole set hashed in work_mem
            conds.append(~exists().where(Assignment.person_id == Person.id, assignment_current(today)))
    if f.age_band:
        lo, hi = age_band_bounds(f.age_band)
        if lo is not None:
            conds.append(Person.birth_date <= born_by(today, lo))  # age >= lo
        if hi is not None:
            conds.append(Person.birth_date > born_by(today, hi + 1))  # age <= hi
    if f.text and f.text.strip():
        conds.append(text_filter(session, actor, f.text, *conds))  # after the scope: searched within it
    if f.overdue:
        # the rule is evaluated once, only for the people the other conditions keep
        od = overdue_condition(last_visit_col, today, *conds)
        conds.append(od if f.overdue == "overdue" else ~od)
    return conds


def _base(session: Session, actor: Actor, f: RegistryFilter, today: dt.date):
    lv = last_visit_of_person()
    return lv, _conditions(session, actor, f, today, lv)


def count(session: Session, actor: Actor, f: RegistryFilter, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    _, conds = _base(session, actor, f, today)
    return _count(session, conds)


def _count(session: Session, conds: list) -> int:
    return session.scalar(select(func.count()).select_from(Person).where(*conds)) or 0


def _order(sort: str, village, lv):
    if sort == "name":
        return [Person.name, Person.id]
    if sort == "last_visit":
        return [func.coalesce(lv, Person.enrolled_on), Person.id]
    if sort == "enrolled":
        return [Person.enrolled_on.desc(), Person.id.desc()]
    return [village.sort_order, village.name, Person.name, Person.id]


def _ids_page(session: Session, actor: Actor, f: RegistryFilter, today: dt.date, offset: int, limit: int | None,
              base: tuple | None = None):
    """The rows of one page; `base` = (last visit column, conditions) when the caller built them."""
    lv, conds = base or _base(session, actor, f, today)
    village = aliased(Region)
    township = aliased(Region)
    stmt = (
        select(
            Person.id,
            Person.version,
            Person.name,
            Person.gender,
            Person.id_number,
            Person.phone,
            Person.notes,
            Person.difficulty,
            Person.status,
            Person.birth_date,
            Person.township_id,
            township.name.label("township"),
            village.name.label("village"),
            # sorted by last visit: needed for every row; otherwise read for the page's rows only
            (lv if f.sort == "last_visit" else literal(None, Date)).label("last_visit"),
        )
        .select_from(Person)
        .join(village, village.id == Person.village_id)
        .join(township, township.id == Person.township_id)
        .where(*conds)
        .order_by(*_order(f.sort, village, lv))
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = [dict(r) for r in session.execute(stmt).mappings().all()]
    if f.sort != "last_visit" and rows:
        last = {}
        for chunk in _chunks([r["id"] for r in rows]):
            last.update(session.execute(
                select(Visit.person_id, func.max(Visit.visited_on))
                .where(Visit.person_id.in_(chunk), Visit.deleted_at.is_(None))
                .group_by(Visit.person_id)
            ).all())
        for r in rows:
            r["last_visit"] = last.get(r["id"])
    return rows


def _chunks(ids: list[int], n: int = 900) -> Iterable[list[int]]:
    for i in range(0, len(ids), n):
        yield ids[i : i + n]


def _details(session: Session, ids: list[int], today: dt.date) -> tuple[dict, dict, dict]:
    """Categories, current helper, current care measures for the given people only."""
    cats: dict[int, list[str]] = {}
    helpers: dict[int, tuple[int, str]] = {}
    measures: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        for pid, cat, sub in session.execute(
            select(PersonCategory.person_id, PersonCategory.category, PersonCategory.subtype)
            .where(PersonCategory.person_id.in_(chunk), category_current(today))
            .order_by(PersonCategory.person_id, PersonCategory.id)
        ):
            cats.setdefault(pid, []).append(label(cat) + (f"（{sub}）" if sub else ""))
        ch = current_helpers(today, Assignment.person_id.in_(chunk))
        for pid, hid, name, pos in session.execute(
            select(ch.c.person_id, Helper.id, Helper.name, Helper.position).join(Helper, Helper.id == ch.c.helper_id)
        ):
            helpers[pid] = (hid, helper_label(name, pos))
        for pid, typ, text in session.execute(
            select(CareMeasure.person_id, CareMeasure.type, CareMeasure.text)
            .where(CareMeasure.person_id.in_(chunk), measure_current(today))
            .order_by(CareMeasure.person_id, CareMeasure.id)
        ):
            measures.setdefault(pid, []).append(measure_label(typ, text))
    return cats, helpers, measures


# The measure type of the ledger's 帮扶措施 column (areas/registry/importer.py writes it).
LEDGER_MEASURE = "台账帮扶措施"
MEASURE_SEP = "；"  # between measures in the ledger's 帮扶措施 cell


def measure_label(typ: str, text: str | None) -> str:
    """A current care measure as the ledger's 帮扶措施 cell lists it (joined by MEASURE_SEP)."""
    return (text or typ) if typ == LEDGER_MEASURE else typ + (f"：{text}" if text else "")


def helper_label(name: str, position: str | None) -> str:
    return f"{name}（{position}）" if position else name


@dataclass
class RegistryPage:
    total: int
    page: int
    pages: int
    rows: pd.DataFrame  # display columns + hidden: id, version, township_id, helper_id


DISPLAY_COLUMNS = LEDGER_COLUMNS[:8] + ["困难程度"] + LEDGER_COLUMNS[8:] + ["村(居)", "乡镇", "最近走访", "状态"]


def _frame(session: Session, rows, today: dt.date, offset: int) -> pd.DataFrame:
    """The ledger rows unmasked: callers pass them through core.visibility."""
    ids = [r["id"] for r in rows]
    cats, helpers, measures = _details(session, ids, today) if ids else ({}, {}, {})
    recs = []
    for i, r in enumerate(rows):
        pid = r["id"]
        helper = helpers.get(pid)
        recs.append(
            {
                "序号": offset + i + 1,
                "姓名": r["name"],
                "性别": r["gender"],
                "身份证号码": r["id_number"],
                "人员类别": "、".join(cats.get(pid, [])),
                "帮扶责任人(职务)": helper[1] if helper else "",
                "帮扶措施": MEASURE_SEP.join(measures.get(pid, [])),
                "联系电话": r["phone"] or "",
                "困难程度": r["difficulty"],
                "备注": r["notes"] or "",
                "村(居)": r["village"],
                "乡镇": r["township"],
                "最近走访": r["last_visit"],
                "状态": r["status"],
                "id": pid,
                "version": r["version"],
                "township_id": r["township_id"],
                "helper_id": helper[0] if helper else None,
            }
        )
    cols = DISPLAY_COLUMNS + ["id", "version", "township_id", "helper_id"]
    return pd.DataFrame(recs, columns=cols)


def page(
    session: Session,
    actor: Actor,
    f: RegistryFilter,
    page_no: int = 1,
    page_size: int = PAGE_SIZE,
    today: dt.date | None = None,
) -> RegistryPage:
    """Count + one page. Only `page_size` rows are read.

    In the default (village) order the count is taken per village (`_village_counts`): the
    total is their sum, and the page is then read from the few villages it falls in, so no
    statement sorts every matching person (190k at county scale) to return 50."""
    today = today or dt.date.today()
    lv, conds = _base(session, actor, f, today)
    groups = _village_counts(session, conds) if f.sort == "village" else None
    total = sum(n for _, n in groups) if groups is not None else _count(session, conds)
    pages = max(1, -(-total // page_size))
    page_no = min(max(1, page_no), pages)
    offset = (page_no - 1) * page_size
    if groups is None:
        rows = _ids_page(session, actor, f, today, offset, page_size, base=(lv, conds))
    else:
        ids, skip = _villages_of_page(groups, offset, page_size)
        rows = _ids_page(session, actor, f, today, skip, page_size,
                         base=(lv, [*conds, Person.village_id.in_(ids)])) if ids else []
    return RegistryPage(total, page_no, pages, visibility.apply(_frame(session, rows, today, offset), actor))


def _village_counts(session: Session, conds: list) -> list[tuple[list[int], int]]:
    """The matching people counted per village, in the ledger's village order: one entry per
    (sort_order, name) — villages of two townships that share both are interleaved by the
    ledger order (by name), so they form one group: ([village ids], count)."""
    v = aliased(Region)
    per = select(Person.village_id.label("vid"), func.count().label("n")).where(*conds).group_by(Person.village_id)
    per = per.subquery()
    groups: dict[tuple, tuple[list[int], int]] = {}
    for vid, so, name, n in session.execute(
        select(per.c.vid, v.sort_order, v.name, per.c.n).join(v, v.id == per.c.vid).order_by(v.sort_order, v.name)
    ):
        ids, m = groups.get((so, name), ([], 0))
        groups[(so, name)] = ([*ids, vid], m + n)
    return list(groups.values())


def _villages_of_page(groups: list[tuple[list[int], int]], offset: int, size: int) -> tuple[list[int], int]:
    """The village ids holding rows offset … offset+size-1 of the ledger order, and the offset
    of the page's first row among the rows of those villages."""
    ids: list[int] = []
    start, skip = 0, None
    for vids, n in groups:
        if start + n > offset and start < offset + size:
            skip = offset - start if skip is None else skip
            ids += vids
        start += n
    return ids, skip or 0


def all_rows(session: Session, actor: Actor, f: RegistryFilter, limit: int, today: dt.date | None = None) -> pd.DataFrame:
    """Every filtered row up to `limit` (for the export), unmasked: the caller masks."""
    today = today or dt.date.today()
    rows = _ids_page(session, actor, f, today, 0, limit)
    return _frame(session, rows, today, 0)


# ---------------------------------------------------------------- option lists
def villages(session: Session, actor: Actor, township_id: int | None = None) -> list[tuple[int, str, int]]:
    """(id, name, township_id) of villages in scope."""
    stmt = select(Region.id, Region.name, Region.parent_id).where(Region.level == "village")
    stmt = stmt.where(township_clause(Region.parent_id, actor, read=LIST))
    if township_id:
        stmt = stmt.where(Region.parent_id == township_id)
    return [tuple(r) for r in session.execute(stmt.order_by(Region.parent_id, Region.sort_order, Region.name))]


def helpers(session: Session, actor: Actor, township_ids: Iterable[int] | None = None) -> list[tuple[int, str, int | None]]:
    """(id, label, township_id) of helpers the actor may assign."""
    stmt = select(Helper.id, Helper.name, Helper.position, Helper.township_id).where(Helper.deleted_at.is_(None))
    stmt = stmt.where(or_(Helper.township_id.is_(None), township_clause(Helper.township_id, actor)))
    if township_ids is not None:
        ids = list(township_ids)
        stmt = stmt.where(or_(Helper.township_id.is_(None), Helper.township_id.in_(ids)))
    return [(hid, helper_label(n, p), t) for hid, n, p, t in session.execute(stmt.order_by(Helper.name, Helper.id))]


# ---------------------------------------------------------------- the person file
@dataclass
class PersonFile:
    person: dict[str, Any]
    village: str
    township: str
    age: int
    categories: pd.DataFrame
    guardians: pd.DataFrame
    assignments: pd.DataFrame
    measures: pd.DataFrame
    visits: pd.DataFrame
    assessments: pd.DataFrame
    incidents: pd.DataFrame
    timeline: pd.DataFrame
    current_helper_id: int | None = None
    proposals: list[tuple[str, str]] = field(default_factory=list)  # (category, reason)


PERSON_FIELDS = (
    "id", "version", "id_number", "name", "gender", "birth_date", "phone", "township_id", "village_id", "address",
    "difficulty", "status", "enrolled_on", "exited_on", "exit_reason", "family_situation", "living_situation",
    "parents_status", "school_situation", "health_situation", "psychological_situation", "notes", "reviewed_on",
    "updated_at", "updated_by",
)
# the Chinese labels of fields: core/audit_labels.py (also read by the importer as rq.FIELD_LABELS)


def _df(session: Session, stmt, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in session.execute(stmt)], columns=columns)


def person_file(session: Session, actor: Actor, person_id: int, today: dt.date | None = None) -> PersonFile | None:
    """The whole file of one person, or None when absent or out of scope (same answer)."""
    today = today or dt.date.today()
    p = session.scalar(select(Person).where(Person.id == person_id, township_clause(Person.township_id, actor)))
    if p is None:
        return None
    rec = {k: getattr(p, k) for k in PERSON_FIELDS}
    village = session.get(Region, p.village_id)
    township = session.get(Region, p.township_id)
    cats = _df(
        session,
        select(PersonCategory.id, PersonCategory.category, PersonCategory.subtype, PersonCategory.start_on,
               PersonCategory.end_on, PersonCategory.version, category_current(today))
        .where(PersonCategory.person_id == p.id).order_by(PersonCategory.start_on, PersonCategory.id),
        ["id", "category", "子类", "开始日期", "结束日期", "version", "当前有效"],
    )
    cats.insert(2, "人员类别", [label(c) for c in cats["category"]])
    cats["当前有效"] = cats["当前有效"].astype(bool)  # SQLite answers 0/1
    cats = cats[["id", "category", "人员类别", "子类", "开始日期", "结束日期", "version", "当前有效"]]
    guardians = _df(
        session,
        select(Guardian.id, Guardian.name, Guardian.relation, Guardian.phone, Guardian.id_number, Guardian.capacity,
               Guardian.entrusted, Guardian.agreement_signed_on, Guardian.witnessed_by)
        .where(Guardian.person_id == p.id, Guardian.deleted_at.is_(None)).order_by(Guardian.id),
        ["id", "姓名", "关系", "联系电话", "身份证号码", "监护能力", "委托监护", "协议签订日期", "见证人"],
    )
    assignments = _df(
        session,
        select(Assignment.id, Helper.id, Helper.name, Helper.position, Helper.unit, Helper.phone, Assignment.start_on,
               Assignment.end_on)
        .join(Helper, Helper.id == Assignment.helper_id)
        .where(Assignment.person_id == p.id).order_by(Assignment.start_on.desc(), Assignment.id.desc()),
        ["id", "helper_id", "帮扶责任人", "职务", "单位", "联系电话", "开始日期", "结束日期"],
    )
    ch = current_helpers(today, Assignment.person_id == p.id)
    current_helper_id = session.scalar(select(ch.c.helper_id))
    measures = _df(
        session,
        select(CareMeasure.id, CareMeasure.type, CareMeasure.text, CareMeasure.start_on, CareMeasure.end_on)
        .where(CareMeasure.person_id == p.id, CareMeasure.deleted_at.is_(None))
        .order_by(CareMeasure.start_on.desc(), CareMeasure.id.desc()),
        ["id", "类型", "内容", "开始日期", "结束日期"],
    )
    visits = _df(
        session,
        select(Visit.id, Visit.visited_on, Helper.name, Visit.service_types, Visit.findings, Visit.problems,
               Visit.follow_up)
        .outerjoin(Helper, Helper.id == Visit.helper_id)
        .where(Visit.person_id == p.id, Visit.deleted_at.is_(None))
        .order_by(Visit.visited_on.desc(), Visit.id.desc()).limit(200),
        ["id", "走访日期", "走访人", "服务类型", "发现情况", "存在问题", "后续跟进"],
    )
    if not visits.empty:
        visits["服务类型"] = visits["服务类型"].map(lambda v: "、".join(v or []))
    assessments = _df(
        session,
        select(Assessment.id, Assessment.period, Assessment.assessed_on, Assessment.risk_level, Assessment.issues,
               Assessment.actions, Assessment.assessor)
        .where(Assessment.person_id == p.id, Assessment.deleted_at.is_(None))
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc()),
        ["id", "评估期", "评估日期", "风险等级", "存在问题", "措施", "评估人"],
    )
    incidents = _df(
        session,
        select(IncidentCard.id, IncidentCard.discovered_on, IncidentCard.source, IncidentCard.type,
               IncidentCard.status, IncidentCard.deadline, IncidentCard.resolution)
        .where(IncidentCard.person_id == p.id, IncidentCard.deleted_at.is_(None))
        .order_by(IncidentCard.discovered_on.desc(), IncidentCard.id.desc()),
        ["编号", "发现日期", "来源", "类型", "状态", "办结期限", "处置结果"],
    )
    proposals = []
    if p.status == ACTIVE:
        for c, active in zip(cats["category"], cats["当前有效"]):
            reason = exit_proposal(c, p.birth_date, today) if active else None
            if reason:
                proposals.append((c, reason))

    def shown(result):
        return visibility.apply(result, actor)

    return PersonFile(
        person=shown(rec),
        village=village.name if village else "",
        township=township.name if township else "",
        age=age_on(p.birth_date, today),
        categories=cats,
        guardians=shown(guardians),
        assignments=shown(assignments),
        measures=shown(measures),
        visits=shown(visits),
        assessments=shown(assessments),
        incidents=shown(incidents),
        timeline=timeline(session, actor, p.id),  # audit values are stored masked
        current_helper_id=current_helper_id,
        proposals=proposals,
    )


# A person file's 变更记录 (and a conflict's rows) in words: areas/registry/person_reads.py.


# ---------------------------------------------------------------- 待处理: age-rule exit proposals
def _proposal_conditions(actor: Actor, today: dt.date):
    return [
        active_person(),
        township_clause(Person.township_id, actor),
        category_current(today),
        aged_out_category(today),
    ]


def exit_proposals(session: Session, actor: Actor, today: dt.date | None = None, limit: int = 500) -> tuple[int, pd.DataFrame]:
    """(total, first `limit` proposals): people whose child category ended by age (SQL selects them)."""
    today = today or dt.date.today()
    conds = _proposal_conditions(actor, today)
    total = session.scalar(
        select(func.count()).select_from(PersonCategory).join(Person, Person.id == PersonCategory.person_id).where(*conds)
    ) or 0
    village = aliased(Region)
    stmt = (
        select(PersonCategory.id, PersonCategory.category, Person.id, Person.name, Person.id_number, Person.birth_date,
               village.name)
        .join(Person, Person.id == PersonCategory.person_id)
        .join(village, village.id == Person.village_id)
        .where(*conds)
        .order_by(Person.birth_date, Person.id, PersonCategory.id)
        .limit(limit)
    )
    recs = []
    for cid, cat, pid, name, idn, birth, vname in session.execute(stmt):
        recs.append({
            "category_id": cid, "person_id": pid,
            "姓名": name,
            "身份证号码": idn,
            "村(居)": vname, "人员类别": label(cat), "出生日期": birth, "年龄": age_on(birth, today),
            "建议": exit_proposal(cat, birth, today) or "",
        })
    cols = ["category_id", "person_id", "姓名", "身份证号码", "村(居)", "人员类别", "出生日期", "年龄", "建议"]
    return total, visibility.apply(pd.DataFrame(recs, columns=cols), actor)


# ---------------------------------------------------------------- 待处理: refused duplicate enrolments
REFUSED_DAYS = 90
REFUSED_COLUMNS = ["最近一次", "次数", "账户", "说明", "姓名", "身份证号码", "登记乡镇", "person_id"]


def refused_duplicates(session: Session, actor: Actor, now: dt.datetime | None = None, limit: int = 200) -> pd.DataFrame:
    """Enrolments and imports refused because the ID number is on file in another township
    (writes.find_duplicate audits them; the township is not told where): for the county
    (the office), from the audit log of the last REFUSED_DAYS days, one row per account and
    person, latest first."""
    if not actor.county_wide:
        return pd.DataFrame(columns=REFUSED_COLUMNS)
    since = (now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=REFUSED_DAYS)
    rows = session.execute(
        select(AuditLog.ts, AuditLog.username, AuditLog.entity_id, AuditLog.summary)
        .where(AuditLog.action == DUPLICATE_REFUSED, AuditLog.entity == "person", AuditLog.ts >= since)
        .order_by(AuditLog.id.desc())
    ).all()
    groups: dict[tuple[str, str], dict] = {}
    for ts, user, pid, summary in rows:
        g = groups.setdefault((user, pid), {"最近一次": local_time(ts), "次数": 0, "账户": user, "说明": summary,
                                            "person_id": int(pid)})
        g["次数"] += 1
    recs = list(groups.values())[:limit]
    township = aliased(Region)
    people = {pid: (name, idn, tw) for pid, name, idn, tw in session.execute(
        select(Person.id, Person.name, Person.id_number, township.name)
        .join(township, township.id == Person.township_id)
        .where(Person.id.in_([r["person_id"] for r in recs]), township_clause(Person.township_id, actor)))}
    for r in recs:
        r["姓名"], r["身份证号码"], r["登记乡镇"] = people.get(r["person_id"], (None, None, None))
    return visibility.apply(pd.DataFrame(recs, columns=REFUSED_COLUMNS), actor)


def category_options() -> dict[str, str]:
    return dict(CATEGORIES)


def age_band_options() -> tuple[str, ...]:
    return AGE_BANDS
