"""Finding people, scoped to the actor. One place for person look-ups used by every page."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from core import visibility
from core.assessments import period_label
from core.audit_labels import FIELD_LABELS, NAMED_FIELDS, PERSON_FILE_ENTITY_LABELS, value_text
from core.roles import Actor
from db.locking import CHANGE_COLUMNS, change_row
from db.models import (
    Assessment, AssessmentRound, Assignment, AuditLog, CareMeasure, Guardian, Helper, IncidentCard, Person,
    PersonCategory, Region, Unit, Visit,
)
from db.conditions import active_person
from db.scope import township_clause


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` literally (SQL wildcards escaped with '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# The fields a person search looks in, with their visibility kinds.
SEARCHED = ((Person.name, visibility.NAME), (Person.id_number, visibility.ID_NUMBER), (Person.phone, visibility.PHONE))


def _raw_filter(text: str):
    """The query anywhere in the stored values (for an actor who sees them in full)."""
    pattern = like_pattern(text)
    return or_(
        Person.name.like(pattern, escape="\\"),
        Person.id_number.like(pattern.upper(), escape="\\"),
        Person.phone.like(pattern, escape="\\"),
    )


def text_filter(session: Session, actor: Actor, text: str, *scope):
    """The search condition for `actor`: name, ID number or phone containing `text`.

    An actor who sees one of these fields masked may not filter on its hidden part (a
    search would be an oracle for it): its matches are decided by core/visibility.py
    (`found_by`, over what the actor sees) for the people within `scope` (the caller's
    row conditions; the caller's statement applies them again), and come back as a list
    of ids."""
    text = text.strip()
    if all(visibility.sees(actor, kind) for _, kind in SEARCHED):
        return _raw_filter(text)
    # Candidates: what the actor sees is part of the stored value, so each piece of the
    # query between mask stars is in it too (a superset, checked exactly below).
    pieces = [p for p in text.split("*") if p]
    stmt = select(Person.id, *(col for col, _ in SEARCHED)).where(*scope)
    if pieces:
        stmt = stmt.where(or_(*(and_(*(func.upper(col).like(like_pattern(p).upper(), escape="\\") for p in pieces))
                                for col, _ in SEARCHED)))
    ids = [row[0] for row in session.execute(stmt)
           if any(visibility.found_by(actor, kind, value, text) for (_, kind), value in zip(SEARCHED, row[1:]))]
    # rendered into the statement: a common query can match thousands (no bound-parameter limit)
    return Person.id.in_(bindparam("search_ids", ids, expanding=True, literal_execute=True))


@dataclass(frozen=True)
class PersonHit:
    id: int
    label: str  # what a picker shows: name, masked ID, village


def search_people(session: Session, actor: Actor, text: str, limit: int = 20, active_only: bool = True) -> list[PersonHit]:
    """Name / ID number / phone search within the actor's row scope."""
    if not text or not text.strip():
        return []
    stmt = (
        select(Person.id, Person.name, Person.id_number, Region.name)
        .join(Region, Region.id == Person.village_id)
        .where(text_filter(session, actor, text, township_clause(Person.township_id, actor)),
               township_clause(Person.township_id, actor))
        .order_by(Person.name, Person.id)
        .limit(limit)
    )
    if active_only:
        stmt = stmt.where(active_person())
    hits = visibility.apply([{"id": pid, "姓名": name, "身份证号": idn, "村(居)": village}
                             for pid, name, idn, village in session.execute(stmt)], actor)
    return [PersonHit(h["id"], f"{h['姓名']} · {h['身份证号']} · {h['村(居)']}") for h in hits]


def get_person_in_scope(session: Session, actor: Actor, person_id: int) -> Person | None:
    """The person if the actor may read their file, else None (same answer for 'absent')."""
    return session.scalar(
        select(Person).where(Person.id == person_id, township_clause(Person.township_id, actor))
    )


# ---------------------------------------------------------------- a person file's 变更记录, in words
def _child_ids(session: Session, person_id: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"person": [str(person_id)]}
    for entity, model in (("person_category", PersonCategory), ("guardian", Guardian), ("assignment", Assignment),
                          ("care_measure", CareMeasure), ("visit", Visit), ("assessment", Assessment),
                          ("incident_card", IncidentCard)):
        out[entity] = [str(i) for i in session.scalars(select(model.id).where(model.person_id == person_id))]
    return out


def _names(session: Session, changes: list[dict]) -> dict[tuple[str, object], str]:
    """The names behind the ids these changes hold (helper, township/village, unit, round),
    keyed as core.audit_labels.value_text reads them."""
    wanted: dict[str, set[int]] = {}
    for ch in changes:
        for k, pair in ch.items():
            table = NAMED_FIELDS.get(k)
            for v in pair if table else ():
                for x in v if isinstance(v, list) else [v]:
                    if isinstance(x, int) or (isinstance(x, str) and x.isdigit()):
                        wanted.setdefault(table, set()).add(int(x))
    models = {"helper": (Helper, Helper.name), "region": (Region, Region.name), "unit": (Unit, Unit.name),
              "assessment_round": (AssessmentRound, AssessmentRound.period)}
    out: dict[tuple[str, object], str] = {}
    for table, ids in wanted.items():
        model, col = models[table]
        for i, name in session.execute(select(model.id, col).where(model.id.in_(ids))):
            out[(table, i)] = period_label(name) if table == "assessment_round" else name
    return out


def change_rows(session: Session, person_id: int, since: dt.datetime | None = None, limit: int = 500,
                actions: tuple[str, ...] = ("create", "update", "delete", "restore")) -> pd.DataFrame:
    """Audit rows about a person and the rows hanging off them: who, when, and each field as
    its Chinese label with its values in words (core/audit_labels.py): field：from → to."""
    ids = _child_ids(session, person_id)
    entity_conds = [and_(AuditLog.entity == e, AuditLog.entity_id.in_(v)) for e, v in ids.items() if v]
    stmt = select(AuditLog.ts, AuditLog.username, AuditLog.action, AuditLog.entity, AuditLog.changes).where(
        or_(*entity_conds), AuditLog.action.in_(actions)
    )
    if since is not None:
        stmt = stmt.where(AuditLog.ts > since)
    rows = session.execute(stmt.order_by(AuditLog.ts.desc(), AuditLog.id.desc()).limit(limit)).all()
    names = _names(session, [r.changes or {} for r in rows])
    recs = []
    for ts, user, action, entity, changes in rows:
        shown = {k: (value_text(entity, k, old, names), value_text(entity, k, new, names))
                 for k, (old, new) in (changes or {}).items() if k not in ("person_id", "id")}
        # the shape of ConflictError.changes (db/locking.py): a conflict on a file lists these rows
        recs.append(change_row(ts, user, action, PERSON_FILE_ENTITY_LABELS.get(entity, entity), shown, FIELD_LABELS))
    return pd.DataFrame(recs, columns=list(CHANGE_COLUMNS))


def timeline(session: Session, actor: Actor, person_id: int) -> pd.DataFrame:
    """Every change to the file (audit values are stored masked already)."""
    return change_rows(session, person_id)
