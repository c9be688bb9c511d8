"""Access scope, applied in SQL (DESIGN.md §2). Pages never filter by role themselves;
how far each role reaches is the access table (core/access.py, REACH)."""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from core import access
from core.access import AGGREGATE, LIST, ROWS
from core.roles import Actor

__all__ = ["AGGREGATE", "LIST", "ROWS", "township_clause"]


def township_clause(column, actor: Actor, aggregate: bool = False, *, read: str | None = None) -> ColumnElement[bool]:
    """Rows keyed by a township column that this actor may read, for a kind of read:
    ROWS (default: row-level personal data), LIST (the registry list, masked where the
    actor sees no personal data) or AGGREGATE (counts, rates; also `aggregate=True`).
    """
    reach = access.reach(actor, read or (AGGREGATE if aggregate else ROWS))
    if reach == access.COUNTY:
        return true()
    if reach == access.OWN:
        return column == actor.township_id
    return false()
