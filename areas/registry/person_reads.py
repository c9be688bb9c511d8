"""Finding people, scoped to the actor. One place for person look-ups used by every page."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
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


def text_filter(text: str):
    pattern = like_pattern(text.strip())
    return or_(
        Person.name.like(pattern, escape="\\"),
        Person.id_number.like(pattern.upper(), escape="\\"),
        Person.phone.like(pattern, escape="\\"),
    )


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
        .where(text_filter(text), township_clause(Person.township_id, actor))
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
