"""Access scope, applied in SQL (DESIGN.md §2). Pages never filter by role themselves."""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from core.roles import ADMIN, LEADER, OFFICE, TOWNSHIP, UNIT, Actor


def township_clause(column, actor: Actor, aggregate: bool = False) -> ColumnElement[bool]:
    """Rows keyed by a township column that this actor may read.

    Row-level personal data: county roles all; township its own; unit and leader none.
    Aggregates (counts, rates): everyone county-wide except a township user (own only).
    """
    if actor.role == TOWNSHIP:
        return column == actor.township_id
    if actor.role in (ADMIN, OFFICE):
        return true()
    if actor.role in (UNIT, LEADER):
        return true() if aggregate else false()
    return false()


def may_read_rows(actor: Actor) -> bool:
    return actor.role in (ADMIN, OFFICE, TOWNSHIP)
