"""Ledger import: limits checked before parsing, every row validated, a preview before
anything is written, then all rows in one transaction (or none). Re-importing the same
file updates by ID number and creates no duplicates."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import importing as imp
from core.categories import ACTIVE
from core.excel_safety import UploadLimits, check_upload, decode_csv
from core import access
from core.roles import Actor
from db import audit
from db.models import Assignment, CareMeasure, Helper, Person, PersonCategory, Region
from areas.registry import reads as rq
from db.conditions import assignment_current, category_current, current_helpers
from db.scope import township_clause
from db.errors import ServiceError, require

LEDGER_MEASURE = "台账帮扶措施"


class ImportRefused(ServiceError):
    """The whole file is refused; `issues` lists row/column/reason."""

    def __init__(self, message: str, issues: list[imp.Issue] | None = None):
        super().__init__(message)
        self.issues = issues or []


@dataclass
class Planned:
    row: imp.CleanRow
    action: str  # add / update / unchanged
    person_id: int | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class Preview:
    filename: str
    rows: int
    errors: list[imp.Issue]
    notes: list[imp.Issue]
    plan: list[Planned]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.plan)

    def counts(self) -> dict[str, int]:
        out = {"add": 0, "update": 0, "unchanged": 0}
        for p in self.plan:
            out[p.action] += 1
        return out


def read_tables(filename: str, data: bytes, limits: UploadLimits | None = None) -> list[tuple[str, list[list]]]:
    """Sheets as lists of rows. Limits are checked on the raw bytes before any parsing."""
    limits = limits or UploadLimits()
    err = check_upload(filename, data, limits)
    if err:
        raise ImportRefused(err, [imp.Issue("", None, None, err)])
    if PurePath(filename).suffix.lower() == ".csv":
        text = decode_csv(data)
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
        return [(PurePath(filename).stem, rows)]
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any parser failure is the same answer to the user
        msg = "文件无法读取，请用Excel或WPS另存为.xlsx后再上传"
        raise ImportRefused(msg, [imp.Issue("", None, None, msg)]) from None
    try:
        sheets = []
        for ws in wb.worksheets:
            rows = []
            for r in ws.iter_rows(values_only=True):
                rows.append(list(r))
                if len(rows) > limits.max_rows + 20:
                    msg = f"数据行数过多（超过{limits.max_rows}行），请分批导入"
                    raise ImportRefused(msg, [imp.Issue(ws.title, None, None, msg)])
            sheets.append((ws.title, rows))
        return sheets
    finally:
        wb.close()


def _village_refs(session: Session, actor: Actor) -> tuple[list[imp.VillageRef], set[str]]:
    town = Region.__table__.alias("t")
    stmt = (
        select(Region.id, Region.name, Region.parent_id, town.c.name)
        .join(town, town.c.id == Region.parent_id)
        .where(Region.level == "village")
    )
    refs = [imp.VillageRef(i, n, t, tn) for i, n, t, tn in session.execute(stmt.where(township_clause(Region.parent_id, actor)))]
    all_names = set(session.scalars(select(Region.name).where(Region.level == "village")))
    return refs, all_names


def _current_helper(session: Session, pid: int, today: dt.date) -> tuple[int, str, str | None] | None:
    ch = current_helpers(today, Assignment.person_id == pid)
    row = session.execute(
        select(Helper.id, Helper.name, Helper.position).join(ch, ch.c.helper_id == Helper.id)
    ).first()
    return tuple(row) if row else None


def _current_measure(session: Session, pid: int) -> CareMeasure | None:
    return session.scalars(
        select(CareMeasure).where(CareMeasure.person_id == pid, CareMeasure.type == LEDGER_MEASURE,
                                  CareMeasure.end_on.is_(None), CareMeasure.deleted_at.is_(None))
        .order_by(CareMeasure.id.desc())
    ).first()


def _diff(session: Session, p: Person, r: imp.CleanRow, today: dt.date) -> list[str]:
    """What an import of `r` would change on `p` (empty cells never clear a value)."""
    out = []
    simple = {"name": r.name, "phone": r.phone, "difficulty": r.difficulty, "notes": r.notes,
              "village_id": r.village_id, **r.extra}
    for k, v in simple.items():
        if v is not None and getattr(p, k) != v:
            out.append(rq.FIELD_LABELS.get(k, k))
    active = set(session.scalars(select(PersonCategory.category).where(
        PersonCategory.person_id == p.id, category_current(today))))
    if any(c not in active for c, _ in r.categories):
        out.append("人员类别")
    if r.helper:
        cur = _current_helper(session, p.id, today)
        if cur is None or (cur[1], cur[2]) != (r.helper[0], r.helper[1]) and not (cur[1] == r.helper[0] and r.helper[1] is None):
            out.append("帮扶责任人")
    if r.measures:
        m = _current_measure(session, p.id)
        if m is None or m.text != r.measures:
            out.append("帮扶措施")
    return out


def preview(session: Session, actor: Actor, filename: str, data: bytes, today: dt.date | None = None,
            limits: UploadLimits | None = None) -> Preview:
    """Validate everything; write nothing."""
    require(actor, "registry.import")
    today = today or dt.date.today()
    try:
        sheets = read_tables(filename, data, limits)
    except ImportRefused as e:
        return Preview(filename, 0, e.issues, [], [])
    raw, sheet_issues = imp.extract(sheets)
    refs, all_names = _village_refs(session, actor)
    clean, errors, notes = imp.validate(raw, refs, today, all_names)
    errors = sheet_issues + errors
    existing: dict[str, Person] = {}
    ids = [r.id_number for r in clean]
    for i in range(0, len(ids), 500):
        for p in session.scalars(select(Person).where(Person.id_number.in_(ids[i:i + 500]))):
            existing[p.id_number] = p
    plan: list[Planned] = []
    for r in clean:
        p = existing.get(r.id_number)
        if p is None:
            plan.append(Planned(r, "add"))
            continue
        visible = access.may(actor, "registry.import", township_id=p.township_id)
        if not visible:
            errors.append(imp.Issue(r.sheet, r.row, "身份证号码", "该身份证号码已在其他乡镇登记，不能导入；如需迁入请联系县民政局"))
            continue
        if p.status != ACTIVE:
            errors.append(imp.Issue(r.sheet, r.row, "身份证号码", "该人员已退出，如需重新纳入请在人员档案中操作"))
            continue
        if p.township_id != r.township_id and access.township_bound(actor):
            errors.append(imp.Issue(r.sheet, r.row, "村(居)", "不能把人员改到其他乡镇"))
            continue
        changes = _diff(session, p, r, today)
        plan.append(Planned(r, "update" if changes else "unchanged", p.id, changes))
    errors.sort(key=lambda i: (i.sheet, i.row or 0))
    return Preview(filename, len(raw), errors, notes, plan)


def _helper_for(session: Session, township_id: int, name: str, position: str | None, cache: dict) -> int:
    key = (township_id, name, position)
    if key in cache:
        return cache[key]
    stmt = select(Helper.id).where(Helper.township_id == township_id, Helper.name == name, Helper.deleted_at.is_(None))
    if position is not None:  # the ledger often writes the name alone: then any position matches
        stmt = stmt.where(Helper.position == position)
    hid = session.scalars(stmt.order_by(Helper.id)).first()
    if hid is None:
        h = Helper(name=name, position=position, township_id=township_id)
        session.add(h)
        session.flush()
        hid = h.id
    cache[key] = hid
    return hid


def apply(session: Session, actor: Actor, filename: str, data: bytes, today: dt.date | None = None,
          limits: UploadLimits | None = None) -> dict[str, int]:
    """Re-validates inside the write transaction, then writes every row or none."""
    today = today or dt.date.today()
    pv = preview(session, actor, filename, data, today, limits)
    if pv.errors:
        raise ImportRefused(f"文件有{len(pv.errors)}处问题，未导入任何数据。", pv.errors)
    if not pv.plan:
        raise ImportRefused("文件中没有可导入的数据行", [])
    cache: dict = {}
    for item in pv.plan:
        r = item.row
        if item.action == "add":
            p = Person(id_number=r.id_number, name=r.name, gender=r.gender, birth_date=r.birth_date, phone=r.phone,
                       township_id=r.township_id, village_id=r.village_id, difficulty=r.difficulty or "一般",
                       status=ACTIVE, enrolled_on=r.enrolled_on or today, notes=r.notes, **r.extra)
            session.add(p)
            session.flush()
        elif item.action == "update":
            p = session.get(Person, item.person_id)
            for k, v in {"name": r.name, "phone": r.phone, "difficulty": r.difficulty, "notes": r.notes,
                         "village_id": r.village_id, "township_id": r.township_id, **r.extra}.items():
                if v is not None and getattr(p, k) != v:
                    setattr(p, k, v)
        else:
            continue
        active = set(session.scalars(select(PersonCategory.category).where(
            PersonCategory.person_id == p.id, category_current(today))))
        for cat, sub in r.categories:
            if cat not in active:
                session.add(PersonCategory(person_id=p.id, category=cat, subtype=sub,
                                           start_on=r.enrolled_on or today))
        if r.helper:
            hid = _helper_for(session, r.township_id, r.helper[0], r.helper[1], cache)
            cur = _current_helper(session, p.id, today)
            if cur is None or cur[0] != hid:
                for a in session.scalars(select(Assignment).where(Assignment.person_id == p.id,
                                                                   assignment_current(today))):
                    a.end_on = today
                session.add(Assignment(helper_id=hid, person_id=p.id, start_on=today))
        if r.measures:
            m = _current_measure(session, p.id)
            if m is None or m.text != r.measures:
                if m is not None:
                    m.end_on = max(m.start_on, today - dt.timedelta(days=1))
                session.add(CareMeasure(person_id=p.id, type=LEDGER_MEASURE, text=r.measures, start_on=today))
        session.flush()
    counts = pv.counts()
    audit.record(session, "import", "person", None,
                 summary=f"导入台账“{filename}”：新增{counts['add']}人，更新{counts['update']}人，未变{counts['unchanged']}人")
    return counts
