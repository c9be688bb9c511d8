"""Printing: who may print which document (core/access.py), the reason asked for it, the
files (Word, optionally PDF, a zip for a batch) and one audit row per printed document.

Two steps, so that building a village's files and converting them to PDF (up to a minute)
never holds the database's write lock (SQLite takes it at BEGIN of a write transaction):

    prepared = prepare(session, actor, request)   # a read transaction: checks, reads, builds
    printed = record(session, actor, prepared)    # a short write transaction: the audit rows

The files are handed out only after `record` has committed their audit rows. All data
comes from the existing reads (areas/registry/reads.person_file, areas/care/reads.get_card,
areas/documents/reads), masked there by core/visibility.py for the actor who prints.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.roles import Actor
from areas.care import reads as care_reads
from areas.documents import builders, pdf
from areas.documents import reads as dq
from areas.registry import reads as rq
from db import audit
from db.errors import ForbiddenError, ServiceError, require

WORD, PDF_ONLY, BOTH = "docx", "pdf", "both"
FORMAT_LABELS = {WORD: "Word", PDF_ONLY: "PDF", BOTH: "Word和PDF"}
PERSON, GUARDIAN, CARD, VISIT_FORM, BATCH = "person", "guardian", "card", "visit_form", "batch"
KIND_LABELS = {PERSON: "一人一档", GUARDIAN: "委托监护责任确认书", CARD: "通报处置卡", VISIT_FORM: "走访记录表",
               BATCH: "一人一档（批量）"}
# Who may print what (core/access.py): everything about people is a row read of staff;
# a card also goes to the unit it was referred to, with the card's own contact rule.
ACTION = {PERSON: "document.person", GUARDIAN: "document.person", VISIT_FORM: "document.person",
          BATCH: "document.person", CARD: "document.card"}
REASON_MIN = 4
MAX_BATCH = 500
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
ZIP = "application/zip"
NOT_FOUND = "无权查看或不存在。"

Progress = Callable[[float, str], None]  # (fraction done 0..1, what is happening), e.g. st.progress


@dataclass(frozen=True)
class PrintRequest:
    kind: str
    reason: str
    person_id: int | None = None
    guardian_id: int | None = None
    card_id: int | None = None
    village_id: int | None = None  # visit form: the village (none: a blank form); batch: its people
    registry_filter: rq.RegistryFilter | None = None  # batch: the registry's current filter
    blank: bool = False  # visit form without the people due
    fmt: str = "docx"  # WORD / PDF_ONLY / BOTH (a batch always has its Word files)
    today: dt.date | None = None


@dataclass
class Prepared:
    request: PrintRequest
    files: dict[str, bytes]  # file name → bytes (Word and/or PDF)
    audits: list[tuple[str, str | None, str]] = field(default_factory=list)  # (entity, id, what was printed)
    name: str = ""  # the download's name (without extension)


@dataclass(frozen=True)
class Printed:
    file_name: str
    data: bytes
    mime: str
    documents: int  # documents printed (a batch: one per person)


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ServiceError(f"请填写打印事由（至少{REASON_MIN}个字），该事由将记入审计日志。")
    return reason


def _safe(name: str) -> str:
    """A file name part: no path separators or characters Windows refuses."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", str(name)).strip("_") or "文书"


def _meta(session: Session, actor: Actor) -> builders.Meta:
    return builders.Meta(dq.county_name(session), utcnow(), actor.display_name or actor.username)


def _person_doc(session: Session, actor: Actor, person_id: int, today: dt.date, meta: builders.Meta):
    f = rq.person_file(session, actor, person_id, today)
    if f is None:
        raise ForbiddenError(NOT_FOUND)
    require(actor, "document.person", township_id=f.person["township_id"])
    status = care_reads.visit_status(session, actor, person_id, today)
    return f, builders.person_file(f, meta, visit_status=status)


def _batch_ids(session: Session, actor: Actor, req: PrintRequest, today: dt.date) -> tuple[list[int], str]:
    if req.village_id is not None:
        township, village, _ = dq.place(session, req.village_id)
        return dq.village_people(session, actor, req.village_id), f"{township}{village}"
    if req.registry_filter is not None:
        n = rq.count(session, actor, req.registry_filter, today)
        if n > MAX_BATCH:
            raise ServiceError(f"筛选结果有{n}人，超过单次批量打印上限{MAX_BATCH}人，请缩小筛选范围。")
        rows = rq.all_rows(session, actor, req.registry_filter, MAX_BATCH, today)
        return [int(i) for i in rows["id"]], "台账筛选结果"
    raise ServiceError("请选择村(居)或使用人员台账的筛选结果。")


def prepare(session: Session, actor: Actor, req: PrintRequest, progress: Progress | None = None) -> Prepared:
    """Check, read and build the documents of `req` (a read transaction)."""
    require(actor, ACTION[req.kind])
    check_reason(req.reason)
    today = req.today or dt.date.today()
    meta = _meta(session, actor)
    label = KIND_LABELS[req.kind]
    docs: dict[str, bytes] = {}
    audits: list[tuple[str, str | None, str]] = []
    if req.kind == PERSON:
        f, doc = _person_doc(session, actor, req.person_id, today, meta)
        name = f"{_safe(f.person['name'])}_{label}"
        audits.append(("person", str(req.person_id), label))
        docs[f"{name}.docx"] = builders.to_bytes(doc)
    elif req.kind == GUARDIAN:
        f = rq.person_file(session, actor, req.person_id, today)
        rows = [] if f is None else f.guardians[f.guardians["id"] == req.guardian_id].to_dict("records")
        if not rows:
            raise ForbiddenError(NOT_FOUND)
        require(actor, "document.person", township_id=f.person["township_id"])
        name = f"{_safe(f.person['name'])}_{label}"
        audits.append(("guardian", str(req.guardian_id), f"{label}（人员编号{req.person_id}）"))
        docs[f"{name}.docx"] = builders.to_bytes(builders.guardian_confirmation(f, rows[0], meta))
    elif req.kind == CARD:
        card = care_reads.get_card(session, actor, req.card_id, today)
        if card is None:
            raise ForbiddenError(NOT_FOUND)
        require(actor, "document.card", township_id=card.township_id, unit_id=card.referred_unit_id)
        name = f"{label}_{card.id}"
        audits.append(("incident_card", str(card.id), label))
        docs[f"{name}.docx"] = builders.to_bytes(builders.incident_card(card, meta))
    elif req.kind == VISIT_FORM:
        if req.village_id is None:
            name = f"{label}_空白"
            audits.append(("region", None, f"{label}（空白）"))
            docs[f"{name}.docx"] = builders.to_bytes(builders.visit_form(meta))
        else:
            township, village, township_id = dq.place(session, req.village_id)
            if township_id is None:
                raise ForbiddenError(NOT_FOUND)
            require(actor, "document.person", township_id=township_id)
            rows = None if req.blank else dq.village_due(session, actor, req.village_id, today)
            name = f"{label}_{_safe(township + village)}" + ("_空白" if req.blank else "")
            what = f"{label}（{township}{village}，" + ("空白" if req.blank else f"应访{len(rows)}人") + "）"
            audits.append(("region", str(req.village_id), what))
            docs[f"{name}.docx"] = builders.to_bytes(
                builders.visit_form(meta, township=township, village=village, rows=rows))
    elif req.kind == BATCH:
        ids, where = _batch_ids(session, actor, req, today)
        if not ids:
            raise ServiceError("所选范围内没有在册人员。")
        if len(ids) > MAX_BATCH:
            raise ServiceError(f"所选范围有{len(ids)}人，超过单次批量打印上限{MAX_BATCH}人。")
        name = f"{label}_{_safe(where)}"
        steps = len(ids) * (1 if req.fmt == WORD else 2)
        for n, pid in enumerate(ids, start=1):
            f, doc = _person_doc(session, actor, pid, today, meta)
            docs[f"{n:03d}_{_safe(f.person['name'])}_{pid}.docx"] = builders.to_bytes(doc)
            audits.append(("person", str(pid), f"一人一档（批量：{where}，共{len(ids)}人）"))
            if progress:
                progress(n / steps, f"已生成 {n}/{len(ids)} 份 Word 文档")
    else:
        raise ServiceError("未知的文书类型。")
    if req.fmt not in FORMAT_LABELS:
        raise ServiceError("未知的文件格式。")
    if req.fmt != WORD:
        if progress:
            progress(0.5, "正在转换为 PDF…")
        pdfs = pdf.convert(docs)
        docs = pdfs if req.fmt == PDF_ONLY and req.kind != BATCH else {**docs, **pdfs}
    if progress:
        progress(1.0, "已生成")
    return Prepared(req, docs, audits, name)


def record(session: Session, actor: Actor, prepared: Prepared) -> Printed:
    """One audit row per printed document, with the reason; then the file to hand out."""
    req = prepared.request
    require(actor, ACTION[req.kind])
    reason = check_reason(req.reason)
    fmt = FORMAT_LABELS[req.fmt]
    for entity, entity_id, what in prepared.audits:
        audit.record(session, "print", entity, entity_id, summary=f"打印{what}（{fmt}）；事由：{reason}")
    if len(prepared.files) == 1:
        (file_name, data), = prepared.files.items()
        return Printed(file_name, data, PDF if file_name.endswith(".pdf") else DOCX, len(prepared.audits))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for file_name, data in prepared.files.items():
            z.writestr(file_name, data)
    return Printed(f"{prepared.name}.zip", buf.getvalue(), ZIP, len(prepared.audits))
