"""Roles (DESIGN.md §2) and what an actor may do; scope is enforced by the query layer."""
from __future__ import annotations

from dataclasses import dataclass

ADMIN = "admin"
OFFICE = "office"
TOWNSHIP = "township"
UNIT = "unit"
LEADER = "leader"
ROLES = (ADMIN, OFFICE, TOWNSHIP, UNIT, LEADER)
ROLE_LABELS = {
    ADMIN: "系统管理员",
    OFFICE: "联席办/民政局",
    TOWNSHIP: "乡镇(街道)民政办",
    UNIT: "成员单位联络员",
    LEADER: "领导(只读)",
}


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    display_name: str = ""
    township_id: int | None = None
    unit_id: int | None = None
    # Screen-sharing in a meeting: everyone on the call sees the screen, so mask and freeze.
    presentation: bool = False

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role: {self.role!r}")

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def sees_personal_data(self) -> bool:
        return not self.presentation and self.role in (ADMIN, OFFICE, TOWNSHIP)

    @property
    def can_edit_registry(self) -> bool:
        return not self.presentation and self.role in (OFFICE, TOWNSHIP)

    @property
    def county_wide(self) -> bool:
        return self.role in (ADMIN, OFFICE, LEADER)

    @property
    def is_read_only(self) -> bool:
        return self.presentation or self.role == LEADER
