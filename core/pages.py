"""The page registry: which screen exists for which role (DESIGN.md §2, §6).

app.py builds `st.navigation` from it, and every page checks it again at its top, so
a page is never served to a role that may not have it.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.roles import ADMIN, LEADER, OFFICE, ROLES, TOWNSHIP, UNIT

ALL = ROLES
STAFF = (ADMIN, OFFICE, TOWNSHIP)


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the file name: pages/<key>.py
    title: str
    icon: str
    group: str
    roles: tuple[str, ...]


PAGES: tuple[PageSpec, ...] = (
    PageSpec("workbench", "工作台", ":material/dashboard:", "工作台", ALL),
    PageSpec("registry", "人员台账", ":material/groups:", "台账", (ADMIN, OFFICE, TOWNSHIP, LEADER)),
    PageSpec("person", "人员档案", ":material/badge:", "台账", STAFF),
    PageSpec("pending", "待处理", ":material/pending_actions:", "台账", (OFFICE, TOWNSHIP)),
    PageSpec("import_export", "导入导出", ":material/upload_file:", "台账", (OFFICE, TOWNSHIP)),
    PageSpec("visits", "走访记录", ":material/directions_walk:", "关爱服务", STAFF + (LEADER,)),
    PageSpec("assessments", "风险评估", ":material/assignment:", "关爱服务", STAFF + (LEADER,)),
    PageSpec("incidents", "通报处置", ":material/report:", "关爱服务", (ADMIN, OFFICE, TOWNSHIP, UNIT, LEADER)),
    PageSpec("guardianship", "监护落实", ":material/family_restroom:", "关爱服务", STAFF),
    PageSpec("indicators", "指标看板", ":material/monitoring:", "覆盖与指标", ALL),
    PageSpec("map", "乡镇地图", ":material/map:", "覆盖与指标", ALL),
    PageSpec("workforce", "队伍与阵地", ":material/diversity_3:", "覆盖与指标", (ADMIN, OFFICE, TOWNSHIP, LEADER)),
    PageSpec("units", "成员单位", ":material/account_balance:", "联席会议", ALL),
    PageSpec("meetings", "会议与议定事项", ":material/event_note:", "联席会议", (ADMIN, OFFICE, LEADER)),
    PageSpec("tasks", "任务督办", ":material/task_alt:", "联席会议", (ADMIN, OFFICE, UNIT, LEADER)),
    PageSpec("scorecards", "单位考评", ":material/leaderboard:", "联席会议", (ADMIN, OFFICE, LEADER)),
    PageSpec("slides", "会议投屏", ":material/slideshow:", "投屏", ALL),
    PageSpec("recycle", "回收站", ":material/restore_from_trash:", "系统管理", (OFFICE, TOWNSHIP)),
    PageSpec("users", "用户管理", ":material/manage_accounts:", "系统管理", (ADMIN,)),
    PageSpec("audit", "审计日志", ":material/policy:", "系统管理", (ADMIN,)),
    PageSpec("regions", "区划与边界", ":material/public:", "系统管理", (ADMIN,)),
    PageSpec("targets", "指标目标", ":material/flag:", "系统管理", (ADMIN, OFFICE)),
    PageSpec("backup", "备份", ":material/backup:", "系统管理", (ADMIN,)),
    PageSpec("account", "我的账户", ":material/person:", "系统管理", ALL),
)
BY_KEY = {p.key: p for p in PAGES}


def allowed(role: str, key: str) -> bool:
    spec = BY_KEY.get(key)
    return spec is not None and role in spec.roles


def pages_for(role: str, existing: set[str]) -> list[PageSpec]:
    """Only pages whose file exists: a screen appears when it is built."""
    return [p for p in PAGES if role in p.roles and p.key in existing]
