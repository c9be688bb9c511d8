"""The kinds of record that can be soft-deleted and restored (回收站), read by both the
recycle-bin reads and the delete/restore writes."""
from __future__ import annotations

from dataclasses import dataclass

from db.models import (
    Assessment,
    CareMeasure,
    Facility,
    Guardian,
    Helper,
    IncidentCard,
    Meeting,
    SoftDelete,
    Task,
    Visit,
    Worker,
)


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
