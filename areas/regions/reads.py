"""Regions the actor may see: the one list of townships every page and report uses."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.roles import Actor
from db.models import Region
from db.scope import township_clause


@dataclass(frozen=True)
class Township:
    id: int
    code: str
    name: str


def townships(session: Session, actor: Actor) -> list[Township]:
    """Townships in the actor's aggregate scope, in the county's order.

    A township's name is not personal data, so the aggregate scope is the one definition:
    a township user gets its own, every other role the county. Each page still lists only
    rows its own scope allows (a unit never opens a row-level page)."""
    rows = session.execute(
        select(Region.id, Region.code, Region.name)
        .where(Region.level == "township", township_clause(Region.id, actor, aggregate=True))
        .order_by(Region.sort_order, Region.code)
    )
    return [Township(*r) for r in rows]


def township_options(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) pairs of `townships` for select boxes."""
    return [(t.id, t.name) for t in townships(session, actor)]
