"""Soft deletion and restore: the one mechanism for every record that can be deleted.

Nothing is hard-deleted from the UI. A deletion stamps who, when and why; the office can
restore it. Both are audited by db/audit.py ('delete' / 'restore', from the change of
`deleted_at`). Scope: a township user may delete records of its own township's people,
workers and facilities; restoring is the office's.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from core import access
from core.roles import Actor
from core.validation import text_error
from db.models import (
    Facility,
    Helper,
    IncidentCard,
    Meeting,
    Person,
    Region,
    Task,
    Worker,
    utcnow,
)
from areas.records.kinds import KINDS
from db import locking
from db.errors import ForbiddenError, ServiceError, require



def township_of(session: Session, obj) -> int | None:
    """The township a record belongs to, for scope; None = county level."""
    if hasattr(obj, "person_id") and getattr(obj, "person_id", None) is not None:
        person = session.get(Person, obj.person_id)
        return person.township_id if person else None
    if isinstance(obj, IncidentCard):
        return obj.township_id
    if isinstance(obj, Helper):
        return obj.township_id
    if isinstance(obj, (Worker, Facility)):
        region = session.get(Region, obj.region_id)
        if region is None:
            return None
        return region.id if region.level == "township" else region.parent_id
    return None


def _load(session: Session, kind: str, record_id: int):
    spec = KINDS.get(kind)
    if spec is None:
        raise ServiceError("不支持删除此类记录。")
    obj = session.get(spec.model, record_id)
    if obj is None:
        raise ServiceError(f"{spec.label}不存在。")
    return spec, obj


def _may_delete(session: Session, actor: Actor, obj) -> bool:
    # Meetings and tasks are the county office's, never a township's.
    if isinstance(obj, (Meeting, Task)) and access.township_bound(actor):
        return False
    return access.may(actor, "record.delete", township_id=township_of(session, obj))


def soft_delete(session: Session, actor: Actor, kind: str, record_id: int, reason: str,
                expected_version: int | None = None) -> None:
    spec, obj = _load(session, kind, record_id)
    if not _may_delete(session, actor, obj):
        raise ForbiddenError(f"您无权删除该{spec.label}。")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写删除原因（至少2个字）。")
    err = text_error(reason, 200, "删除原因")  # the column's length, said rather than cut
    if err:
        raise ServiceError(err)
    if obj.deleted_at is not None:
        raise ServiceError(f"该{spec.label}已被删除。")
    locking.check_version(session, obj, expected_version, f"该{spec.label}")
    obj.deleted_at, obj.deleted_by, obj.delete_reason = utcnow(), actor.username, reason
    locking.flush(session, f"该{spec.label}")


def restore(session: Session, actor: Actor, kind: str, record_id: int) -> None:
    spec, obj = _load(session, kind, record_id)
    require(actor, "record.restore")
    if obj.deleted_at is None:
        raise ServiceError(f"该{spec.label}未被删除。")
    obj.deleted_at = obj.deleted_by = obj.delete_reason = None
    locking.flush(session, f"该{spec.label}")
