"""Roles (DESIGN.md §2) and the signed-in actor; what a role may do is core/access.py."""
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

    # What the actor may see and do lives in core/access.py; these delegate (many callers).
    @property
    def sees_personal_data(self) -> bool:
        from core import access
        return access.sees_personal_data(self)

    @property
    def can_edit_registry(self) -> bool:
        from core import access
        return access.may(self, "registry.edit")

    @property
    def county_wide(self) -> bool:
        from core import access
        return access.county_wide(self)

    @property
    def is_read_only(self) -> bool:
        from core import access
        return access.read_only(self)
