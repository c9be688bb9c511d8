"""Finding people, scoped to the actor. One place for person look-ups used by every page."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from core import visibility
from core.roles import Actor
from db.models import Person, Region
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
