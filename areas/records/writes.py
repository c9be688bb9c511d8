"""Soft deletion and restore: the one mechanism for every record that can be deleted.

Nothing is hard-deleted from the UI. A deletion stamps who, when and why; the office can
restore it. Both are audited by db/audit.py ('delete' / 'restore', from the change of
`deleted_at`). Scope: a township user may delete records of its own township's people,
workers and facilities; restoring is the office's.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.roles import OFFICE, TOWNSHIP, Actor
from db.models import (
    Assessment,
    CareMeasure,
    Facility,
    Guardian,
    Helper,
    IncidentCard,
    Meeting,
    Person,
    Region,
    SoftDelete,
    Task,
    Visit,
    Worker,
    utcnow,
)
from db.errors import ConflictError, ForbiddenError, ServiceError


@dataclass(frozen=True)
class Kind:
    model: type
    label: str  # what the user calls it


KINDS: dict[str, Kind] = {
    "visit": Kind(Visit, "走访记录"),
    "assessment": Kind(Assessment, "风险评估"),
    "guardian": Kind(Guardian, "监护人"),
    "care_measure": Kind(CareMeasure, "帮扶措施"),
    "incident_card": Kind(IncidentCard, "通报处置卡"),
    "worker": Kind(Worker, "工作队伍人员"),
    "facility": Kind(Facility, "阵地设施"),
    "helper": Kind(Helper, "帮扶责任人"),
    "meeting": Kind(Meeting, "会议"),
    "task": Kind(Task, "议定事项"),
}
assert all(issubclass(k.model, SoftDelete) for k in KINDS.values())


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
    if actor.presentation:
        return False
    if actor.role == OFFICE:
        return True
    if actor.role == TOWNSHIP:
        town = township_of(session, obj)
        return town is not None and town == actor.township_id and not isinstance(obj, (Meeting, Task))
    return False


def soft_delete(session: Session, actor: Actor, kind: str, record_id: int, reason: str,
                expected_version: int | None = None) -> None:
    spec, obj = _load(session, kind, record_id)
    if not _may_delete(session, actor, obj):
        raise ForbiddenError(f"您无权删除该{spec.label}。")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写删除原因（至少2个字）。")
    if obj.deleted_at is not None:
        raise ServiceError(f"该{spec.label}已被删除。")
    if expected_version is not None and obj.version != expected_version:
        raise ConflictError(f"该{spec.label}已被他人修改，请刷新后重试。")
    obj.deleted_at, obj.deleted_by, obj.delete_reason = utcnow(), actor.username, reason[:200]
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(f"该{spec.label}已被他人修改，请刷新后重试。") from None


def restore(session: Session, actor: Actor, kind: str, record_id: int) -> None:
    spec, obj = _load(session, kind, record_id)
    if actor.role != OFFICE or actor.presentation:
        raise ForbiddenError("只有联席办/民政局可以恢复已删除的记录。")
    if obj.deleted_at is None:
        raise ServiceError(f"该{spec.label}未被删除。")
    obj.deleted_at = obj.deleted_by = obj.delete_reason = None
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(f"该{spec.label}已被他人修改，请刷新后重试。") from None
