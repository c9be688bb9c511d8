"""Ledger import: limits checked before parsing, every row validated, a preview before
anything is written, then all rows in one transaction (or none). Re-importing the same
file updates by ID number and creates no duplicates; re-importing our own export (full or
masked) changes nothing.

The write transaction is short, because on SQLite it holds the one write lock (others
queue behind it): `preview` reads and validates everything and plans every write (outside
it, in a read transaction); `apply` re-checks only what can have moved since (the rows it
is about to change, the ID numbers it is about to add) and writes with bulk statements.
Their audit rows go through db/audit.record_bulk, the same rows a flush would write."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Callable

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from core import importing as imp
from core import uploads
from core.categories import ACTIVE
from core.excel_safety import UploadLimits, check_upload, decode_csv
from core import access
from core.masking import scrub_text
from core.roles import Actor
from db import audit, maintenance
from db.models import Assignment, CareMeasure, CareStatus, Helper, Person, PersonCategory, Region
from areas.care import status as care_status
from areas.registry import ledger
from areas.registry import reads as rq
from areas.registry.writes import find_duplicate
from db.conditions import assignment_current, category_current, current_helpers, measure_current
from db.scope import township_clause
from db.errors import ConflictError, ServiceError, require

LEDGER_MEASURE = rq.LEDGER_MEASURE
# progress(fraction done 0..1, what is being done, in Chinese): the page draws it (a 20,000-row
# file takes seconds to check and longer to write).
Progress = Callable[[float, str], None]


def _no_progress(_done: float, _text: str) -> None:
    pass
CHUNK = 500  # ids per IN (…) list
# The person columns an import may set (empty cells never clear a value).
PERSON_FIELDS = ("name", "phone", "difficulty", "notes", "village_id", "township_id") + imp.SITUATION_FIELDS


class ImportRefused(ServiceError):
    """The whole file is refused; `issues` lists row/column/reason."""

    def __init__(self, message: str, issues: list[imp.Issue] | None = None):
        super().__init__(message)
        self.issues = issues or []


@dataclass(frozen=True)
class State:
    """What an update of one person rests on, read at preview and again before writing."""
    person: tuple  # (version, *PERSON_FIELDS)
    categories: frozenset[str]
    helper: tuple[int, str, str | None] | None  # the current helper: id, name, position
    assignments: tuple[int, ...]  # ids of the assignments in force (ended on a change of helper)
    measures: tuple[str, ...]  # current measures as the export's 帮扶措施 lists them
    ledger: tuple[int, str | None, dt.date] | None  # the open ledger measure: id, text, start_on

    def value(self, fld: str):
        return self.person[1 + PERSON_FIELDS.index(fld)]


@dataclass
class Planned:
    row: imp.CleanRow
    action: str  # add / update / unchanged
    person_id: int | None = None
    changes: list[str] = field(default_factory=list)
    # what the write does (filled by preview)
    state: State | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # person columns to set
    categories: list[tuple[str, str | None]] = field(default_factory=list)  # to add
    helper: tuple[int, str, str | None] | None = None  # new current helper: (township, name, position)
    measure: str | None = None  # new ledger measure text


@dataclass
class Preview:
    filename: str
    rows: int
    errors: list[imp.Issue]
    notes: list[imp.Issue]
    plan: list[Planned]
    digest: str = ""  # of the file, and who previewed on which day: apply takes the plan only
    username: str = ""  # for the same file, user and day
    today: dt.date | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.plan)

    def counts(self) -> dict[str, int]:
        out = {"add": 0, "update": 0, "unchanged": 0}
        for p in self.plan:
            out[p.action] += 1
        return out


def read_tables(filename: str, data: bytes, limits: UploadLimits | None = None,
                kind: uploads.UploadKind = uploads.LEDGER) -> list[tuple[str, list[list]]]:
    """Sheets as lists of rows. Limits are checked on the raw bytes before any parsing."""
    limits = limits or UploadLimits(max_bytes=kind.max_bytes)
    err = check_upload(filename, data, limits, kind)
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


def _chunks(items: list, n: int = CHUNK):
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _states(session: Session, ids: list[int], today: dt.date, lock: bool = False) -> dict[int, State]:
    """The State of each person, a few queries per CHUNK people. `lock`: FOR UPDATE on the
    people (PostgreSQL; SQLite's writer already holds the database)."""
    cols = [getattr(Person, f) for f in PERSON_FIELDS]
    out: dict[int, State] = {}
    for chunk in _chunks(sorted(ids)):
        stmt = select(Person.id, Person.version, *cols).where(Person.id.in_(chunk))
        people = {r[0]: tuple(r[1:]) for r in session.execute(stmt.with_for_update() if lock else stmt)}
        cats: dict[int, set] = {}
        for pid, cat in session.execute(select(PersonCategory.person_id, PersonCategory.category)
                                        .where(PersonCategory.person_id.in_(chunk), category_current(today))):
            cats.setdefault(pid, set()).add(cat)
        ch = current_helpers(today, Assignment.person_id.in_(chunk))
        helpers = {pid: (hid, n, pos) for pid, hid, n, pos in session.execute(
            select(ch.c.person_id, Helper.id, Helper.name, Helper.position).join(Helper, Helper.id == ch.c.helper_id))}
        assigned: dict[int, list] = {}
        for pid, aid in session.execute(select(Assignment.person_id, Assignment.id).where(
                Assignment.person_id.in_(chunk), assignment_current(today)).order_by(Assignment.id)):
            assigned.setdefault(pid, []).append(aid)
        labels: dict[int, list] = {}
        for pid, typ, body in session.execute(
            select(CareMeasure.person_id, CareMeasure.type, CareMeasure.text)
            .where(CareMeasure.person_id.in_(chunk), measure_current(today)).order_by(CareMeasure.person_id, CareMeasure.id)
        ):
            labels.setdefault(pid, []).append(rq.measure_label(typ, body))
        ledger: dict[int, tuple] = {}
        for mid, pid, body, start in session.execute(  # the newest open one, as before
            select(CareMeasure.id, CareMeasure.person_id, CareMeasure.text, CareMeasure.start_on)
            .where(CareMeasure.person_id.in_(chunk), CareMeasure.type == LEDGER_MEASURE,
                   CareMeasure.end_on.is_(None), CareMeasure.deleted_at.is_(None)).order_by(CareMeasure.id)
        ):
            ledger[pid] = (mid, body, start)
        for pid, person in people.items():
            out[pid] = State(person, frozenset(cats.get(pid, ())), helpers.get(pid), tuple(assigned.get(pid, ())),
                             tuple(labels.get(pid, ())), ledger.get(pid))
    return out


def _helper_changes(cur: tuple[int, str, str | None] | None, new: tuple[str, str | None]) -> bool:
    """The ledger often writes the helper's name alone: then any position matches."""
    if cur is None:
        return True
    return (cur[1], cur[2]) != new and not (cur[1] == new[0] and new[1] is None)


def _ledger_text(cell: str, st: State) -> str | None:
    """The ledger measure a 帮扶措施 cell asks for, or None for "as it is". The export lists
    every current measure in that cell; those parts are not new ledger text. A masked
    export's cell (numbers starred) is left alone too."""
    whole = rq.MEASURE_SEP.join(st.measures)
    if cell == whole or (cell == scrub_text(whole) and st.measures):
        return None
    own = [part for part in cell.split(rq.MEASURE_SEP) if part.strip() and part not in st.measures]
    text = rq.MEASURE_SEP.join(own) or None
    current = st.ledger[1] if st.ledger else None
    return None if text is None or text == current else text


def _plan_update(item: Planned, st: State) -> None:
    """Fill in what an import of item.row would change on the person (empty and masked cells
    change nothing)."""
    r = item.row
    wanted = {"name": r.name, "phone": r.phone, "difficulty": r.difficulty, "notes": r.notes,
              "village_id": r.village_id, **r.extra}
    for k, v in wanted.items():
        if v is not None and st.value(k) != v:
            item.fields[k] = v
            item.changes.append(rq.FIELD_LABELS.get(k, k))
    if "village_id" in item.fields and st.value("township_id") != r.township_id:
        item.fields["township_id"] = r.township_id
    item.categories = [(c, sub) for c, sub in r.categories if c not in st.categories]
    if item.categories:
        item.changes.append("人员类别")
    if r.helper and _helper_changes(st.helper, r.helper):
        item.helper = (r.township_id, *r.helper)
        item.changes.append("帮扶责任人")
    if r.measures:
        item.measure = _ledger_text(r.measures, st)
        if item.measure is not None:
            item.changes.append("帮扶措施")


def preview(session: Session, actor: Actor, filename: str, data: bytes, today: dt.date | None = None,
            limits: UploadLimits | None = None, progress: Progress | None = None) -> Preview:
    """Validate everything and plan every write; write nothing. `progress`: see Progress."""
    require(actor, "registry.import")
    today = today or dt.date.today()
    progress = progress or _no_progress
    digest = hashlib.sha256(data).hexdigest()
    progress(0.0, "正在读取文件")
    try:
        sheets = read_tables(filename, data, limits)
    except ImportRefused as e:
        return Preview(filename, 0, e.issues, [], [], digest, actor.username, today)
    raw, sheet_issues = imp.extract(sheets)
    progress(0.3, f"正在逐行校验（{len(raw):,} 行）")
    refs, all_names = _village_refs(session, actor)
    clean, errors, notes = imp.validate(raw, refs, today, all_names)
    errors = sheet_issues + errors
    progress(0.6, "正在与已登记的人员比对")
    existing: dict[str, tuple[int, int, str]] = {}  # id_number → id, township_id, status
    for chunk in _chunks([r.id_number for r in clean]):
        for pid, idn, tid, status in session.execute(
                select(Person.id, Person.id_number, Person.township_id, Person.status).where(Person.id_number.in_(chunk))):
            existing[idn] = (pid, tid, status)
    progress(0.75, "正在读取已登记人员的现有信息")
    states = _states(session, [existing[r.id_number][0] for r in clean if r.id_number in existing], today)
    progress(0.9, "正在生成导入计划")
    plan: list[Planned] = []
    for r in clean:
        found = existing.get(r.id_number)
        if found is None:
            if "name" in r.masked:
                errors.append(imp.Issue(r.sheet, r.row, "姓名", "姓名已脱敏，不能用来新增人员，请填写完整姓名"))
                continue
            plan.append(Planned(r, "add"))
            continue
        pid, township_id, status = found
        visible = access.may(actor, "registry.import", township_id=township_id)
        if not visible:
            # one refusal for enrolling and importing: names no township, audited for the office
            refusal = find_duplicate(session, actor, r.id_number, via="导入")
            errors.append(imp.Issue(r.sheet, r.row, "身份证号码", str(refusal)))
            continue
        if status != ACTIVE:
            errors.append(imp.Issue(r.sheet, r.row, "身份证号码", "该人员已退出，如需重新纳入请在人员档案中操作"))
            continue
        if township_id != r.township_id and access.township_bound(actor):
            errors.append(imp.Issue(r.sheet, r.row, "村(居)", "不能把人员改到其他乡镇"))
            continue
        item = Planned(r, "update", pid, state=states[pid])
        _plan_update(item, states[pid])
        if not item.changes:
            item.action = "unchanged"
        plan.append(item)
    errors.sort(key=lambda i: (i.sheet, i.row or 0))
    progress(1.0, "检查完成")
    return Preview(filename, len(raw), errors, notes, plan, digest, actor.username, today)


def _preview_apart(session: Session, actor: Actor, filename: str, data: bytes, today: dt.date,
                   limits: UploadLimits | None) -> Preview:
    """The preview in a read transaction of its own, so that parsing and validating never run
    inside the caller's write transaction (on SQLite: while holding the write lock)."""
    from db.engine import session_scope

    bind = session.get_bind().execution_options(caredesk_write=False)
    with session_scope(bind, write=False) as s:
        return preview(s, actor, filename, data, today, limits)


class _Helpers:
    """帮扶责任人 by (township, name, position), position None matching any position (the
    lowest id wins, as before); the missing ones are created once each."""

    def __init__(self, session: Session, township_ids: set[int]):
        self.found: dict[tuple, int] = {}
        for chunk in _chunks(sorted(township_ids)):
            for hid, tid, name, pos in session.execute(
                select(Helper.id, Helper.township_id, Helper.name, Helper.position)
                .where(Helper.township_id.in_(chunk), Helper.deleted_at.is_(None)).order_by(Helper.id)
            ):
                self.found.setdefault((tid, name, pos), hid)
                self.found.setdefault((tid, name, None), hid)
        self.new: list[tuple] = []  # keys to create, in order

    def key_for(self, tid: int, name: str, pos: str | None) -> tuple:
        """The key under which the helper is found or will be created."""
        if (tid, name, pos) in self.found:
            return (tid, name, pos)
        if pos is None:
            for key in self.new:
                if key[:2] == (tid, name):
                    return key
        key = (tid, name, pos)
        if key not in self.new:
            self.new.append(key)
        return key


def _check_unchanged(session: Session, pv: Preview, today: dt.date) -> None:
    """The plan rests on what preview read: refuse if any of it has moved since (someone
    saved one of these people, or enrolled one of these ID numbers)."""
    adds = [p.row.id_number for p in pv.plan if p.action == "add"]
    taken = 0
    for chunk in _chunks(adds):
        taken += len(session.scalars(select(Person.id).where(Person.id_number.in_(chunk))).all())
    updates = {p.person_id: p.state for p in pv.plan if p.action == "update"}
    now = _states(session, list(updates), today, lock=True)
    moved = sum(1 for pid, st in updates.items() if now.get(pid) != st)
    if taken or moved:
        raise ConflictError(f"预览之后，文件中有{taken + moved}人的信息已被他人修改或登记，未导入任何数据。"
                            "请重新上传文件，核对预览后再导入。")


def _new_ids(session: Session, table, n: int) -> list[int]:
    """Ids for `n` new rows, taken before the INSERT so that one executemany writes them all
    (INSERT … RETURNING goes row by row where it has to keep the order)."""
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                                    {"t": table.name, "n": n}))
    # SQLite: this transaction holds the write lock, so nobody else takes an id meanwhile
    start = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(start + 1, start + n + 1))


def _insert(session: Session, model, rows: list[dict]) -> list[int]:
    """Bulk INSERT of `rows`; their ids in the same order. Audited like a flush."""
    if not rows:
        return []
    t = model.__table__
    ids = _new_ids(session, t, len(rows))
    stamp = audit.actor_name(session)
    rows = [{**r, "id": i, "created_by": stamp} for i, r in zip(ids, rows)]
    session.execute(insert(t), rows)
    audit.record_bulk(session, "create", model, list(zip(ids, rows)))
    return ids


def _update(session: Session, model, rows: list[tuple[int, int, dict[str, tuple]]]) -> None:
    """Bulk UPDATE by (id, version) of rows `(id, version, {column: (old, new)})`, the version
    bumped as the ORM does; audited like a flush. Rows with the same columns go in one statement."""
    t = model.__table__
    stamp = audit.actor_name(session)
    groups: dict[tuple, list] = {}
    for rid, version, changes in rows:
        groups.setdefault(tuple(sorted(changes)), []).append((rid, version, changes))
    for cols, group in groups.items():
        stmt = (update(t).where(t.c.id == bindparam("b_id"), t.c.version == bindparam("b_version"))
                .values(version=t.c.version + 1, updated_by=stamp, **{c: bindparam("b_" + c) for c in cols}))
        params = [{"b_id": rid, "b_version": v, **{"b_" + c: ch[c][1] for c in cols}} for rid, v, ch in group]
        done = session.execute(stmt, params)
        if session.get_bind().dialect.supports_sane_multi_rowcount and done.rowcount != len(params):
            raise ConflictError("导入过程中有记录被他人修改，未导入任何数据，请重新导入。")
    audit.record_bulk(session, "update", model, [(rid, ch) for rid, _v, ch in rows])


def _versions(session: Session, model, ids: list[int]) -> dict[int, int]:
    out = {}
    for chunk in _chunks(sorted(set(ids))):
        out.update(session.execute(select(model.id, model.version).where(model.id.in_(chunk))).tuples())
    return out


def _write(session: Session, pv: Preview, today: dt.date, progress: Progress = _no_progress) -> None:
    """The write transaction: a re-check, then a few bulk statements per table."""
    progress(0.05, "正在确认预览之后没有他人修改")
    _check_unchanged(session, pv, today)
    progress(0.2, "正在写入帮扶责任人")
    todo = [p for p in pv.plan if p.action != "unchanged"]
    # 帮扶责任人 first: the assignments need their ids
    helpers = _Helpers(session, {p.row.township_id for p in todo if p.row.helper})
    helper_key: dict[int, tuple] = {}
    for n, p in enumerate(todo):
        want = (p.row.township_id, *p.row.helper) if p.action == "add" and p.row.helper else p.helper
        if want:
            helper_key[n] = helpers.key_for(*want)
    created = _insert(session, Helper, [{"township_id": t, "name": name, "position": pos} for t, name, pos in helpers.new])
    helper_id = {**helpers.found, **dict(zip(helpers.new, created))}

    adds = [p for p in todo if p.action == "add"]
    progress(0.3, f"正在写入人员（新增 {len(adds):,} 人）")
    new_ids = _insert(session, Person, [
        {"id_number": r.id_number, "name": r.name, "gender": r.gender, "birth_date": r.birth_date, "phone": r.phone,
         "township_id": r.township_id, "village_id": r.village_id, "difficulty": r.difficulty or "一般",
         "status": ACTIVE, "enrolled_on": r.enrolled_on or today, "notes": r.notes,
         **{f: r.extra.get(f) for f in imp.SITUATION_FIELDS}}
        for r in (p.row for p in adds)])
    for p, pid in zip(adds, new_ids):
        p.person_id = pid
        p.categories = list(p.row.categories)
        p.measure = p.row.measures
    _update(session, Person, [(p.person_id, p.state.person[0], {k: (p.state.value(k), v) for k, v in p.fields.items()})
                              for p in todo if p.action == "update" and p.fields])

    progress(0.5, "正在写入人员类别")
    _insert(session, PersonCategory, [
        {"person_id": p.person_id, "category": cat, "subtype": sub, "start_on": p.row.enrolled_on or today}
        for p in todo for cat, sub in p.categories])

    progress(0.6, "正在写入帮扶关系")
    changed = [(n, p) for n, p in enumerate(todo) if n in helper_key]
    ending = [aid for _n, p in changed if p.state for aid in p.state.assignments]
    versions = _versions(session, Assignment, ending)
    _update(session, Assignment, [(aid, versions[aid], {"end_on": (None, today)}) for aid in ending])
    _insert(session, Assignment, [{"helper_id": helper_id[helper_key[n]], "person_id": p.person_id, "start_on": today}
                                  for n, p in changed])

    progress(0.7, "正在写入帮扶措施")
    measured = [p for p in todo if p.measure]
    old = [(p.state.ledger[0], p.state.ledger[2]) for p in measured if p.state and p.state.ledger]
    versions = _versions(session, CareMeasure, [mid for mid, _s in old])
    _update(session, CareMeasure, [(mid, versions[mid], {"end_on": (None, max(start, today - dt.timedelta(days=1)))})
                                   for mid, start in old])
    _insert(session, CareMeasure, [{"person_id": p.person_id, "type": LEDGER_MEASURE, "text": p.measure,
                                    "start_on": today} for p in measured])
    progress(0.8, "正在更新走访状态")
    care_status.refresh(session, [p.person_id for p in todo], today)  # bulk statements pass no ORM flush
    ledger.touch(session, [(p.person_id, today) for p in todo])  # 台账月度更新率's history, likewise
    # Statistics after a bulk load: the planner must not keep planning for the table before it.
    maintenance.analyze(session, [t.__tablename__ for t in (Person, PersonCategory, Helper, Assignment, CareMeasure,
                                                             CareStatus)])


def apply(session: Session, actor: Actor, filename: str, data: bytes, today: dt.date | None = None,
          limits: UploadLimits | None = None, prepared: Preview | None = None,
          progress: Progress | None = None) -> dict[str, int]:
    """Writes every row or none. `prepared`: the page's preview of this same file, by this
    user, today; otherwise the preview is made here, in a read transaction of its own.
    `progress`: see Progress (the writing only; the commit follows the last call)."""
    today = today or dt.date.today()
    require(actor, "registry.import")
    pv = prepared
    if pv is None or (pv.digest, pv.username, pv.today, pv.filename) != (
            hashlib.sha256(data).hexdigest(), actor.username, today, filename):
        pv = _preview_apart(session, actor, filename, data, today, limits)
    if pv.errors:
        raise ImportRefused(f"文件有{len(pv.errors)}处问题，未导入任何数据。", pv.errors)
    if not pv.plan:
        raise ImportRefused("文件中没有可导入的数据行", [])
    _write(session, pv, today, progress or _no_progress)
    counts = pv.counts()
    audit.record(session, "import", "person", None,
                 summary=f"导入台账“{filename}”：新增{counts['add']}人，更新{counts['update']}人，未变{counts['unchanged']}人")
    return counts
