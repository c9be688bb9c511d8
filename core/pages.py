"""The page registry: the screens, their titles and menu groups (DESIGN.md §6).

Which role has which page is core/access.py (PAGE_ROLES). app.py builds `st.navigation`
from it, and every page checks it again at its top, so a page is never served to a role
that may not have it.
"""
from __future__ import annotations

from dataclasses import dataclass

from core import access


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the file name: pages/<key>.py
    title: str
    icon: str
    group: str

    @property
    def roles(self) -> tuple[str, ...]:
        return access.PAGE_ROLES[self.key]


PAGES: tuple[PageSpec, ...] = (
    PageSpec("workbench", "工作台", ":material/dashboard:", "工作台"),
    PageSpec("registry", "人员台账", ":material/groups:", "台账"),
    PageSpec("person", "人员档案", ":material/badge:", "台账"),
    PageSpec("pending", "待处理", ":material/pending_actions:", "台账"),
    PageSpec("import_export", "导入导出", ":material/upload_file:", "台账"),
    PageSpec("documents", "打印文书", ":material/print:", "台账"),
    PageSpec("visits", "走访记录", ":material/directions_walk:", "关爱服务"),
    PageSpec("assessments", "风险评估", ":material/assignment:", "关爱服务"),
    PageSpec("incidents", "通报处置", ":material/report:", "关爱服务"),
    PageSpec("guardianship", "监护落实", ":material/family_restroom:", "关爱服务"),
    PageSpec("indicators", "指标看板", ":material/monitoring:", "覆盖与指标"),
    PageSpec("map", "乡镇地图", ":material/map:", "覆盖与指标"),
    PageSpec("workforce", "队伍与阵地", ":material/diversity_3:", "覆盖与指标"),
    PageSpec("units", "成员单位", ":material/account_balance:", "联席会议"),
    PageSpec("meetings", "会议与议定事项", ":material/event_note:", "联席会议"),
    PageSpec("tasks", "任务督办", ":material/task_alt:", "联席会议"),
    PageSpec("scorecards", "单位考评", ":material/leaderboard:", "联席会议"),
    PageSpec("slides", "会议投屏", ":material/slideshow:", "投屏"),
    PageSpec("recycle", "回收站", ":material/restore_from_trash:", "系统管理"),
    PageSpec("users", "用户管理", ":material/manage_accounts:", "系统管理"),
    PageSpec("audit", "审计日志", ":material/policy:", "系统管理"),
    PageSpec("regions", "区划与边界", ":material/public:", "系统管理"),
    PageSpec("targets", "指标目标", ":material/flag:", "系统管理"),
    PageSpec("backup", "备份", ":material/backup:", "系统管理"),
    PageSpec("account", "我的账户", ":material/person:", "系统管理"),
)
BY_KEY = {p.key: p for p in PAGES}


def allowed(role: str, key: str) -> bool:
    return key in BY_KEY and access.may_open(role, key)


def pages_for(role: str, existing: set[str]) -> list[PageSpec]:
    """Only pages whose file exists: a screen appears when it is built."""
    return [p for p in PAGES if access.may_open(role, p.key) and p.key in existing]
