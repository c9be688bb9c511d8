"""First run of a real county (issue 15 item 2): what is set up and what is still missing —
the checklist the administrator and the office see on 工作台 until the county can work.
Nothing here writes; each step links to the page where it is done."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from core.roles import OFFICE, TOWNSHIP, UNIT
from db.models import Person, Region, SchoolStat, Unit, User


@dataclass(frozen=True)
class Step:
    title: str
    page: str  # the page key where it is done (core/pages.py)
    done: bool
    status: str  # what is there now, in words
    required: bool = True


def _has_account(role: str):
    return exists().where(User.role == role, User.active.is_(True))


# When each required step is done: one home, read by `incomplete` (one statement on every
# 工作台 view) and by `steps` (only while something is missing).
_REQUIRED = {
    "regions": and_(*(exists().where(Region.level == lv) for lv in ("county", "township", "village"))),
    "units": exists().where(Unit.active.is_(True)),
    "users": and_(_has_account(OFFICE), _has_account(TOWNSHIP), _has_account(UNIT)),
    "import_export": exists().where(Person.id.is_not(None)),
}


def incomplete(session: Session) -> bool:
    """Whether a required step is still missing: one statement."""
    return not session.scalar(select(and_(*_REQUIRED.values())))


def steps(session: Session) -> list[Step]:
    done = dict(zip(_REQUIRED, session.execute(select(*_REQUIRED.values())).one()))

    def count(stmt) -> int:
        return int(session.scalar(stmt) or 0)

    county = session.execute(select(Region.name).where(Region.level == "county")).scalar()
    towns = count(select(func.count()).select_from(Region).where(Region.level == "township"))
    villages = count(select(func.count()).select_from(Region).where(Region.level == "village"))
    bounded = count(select(func.count()).select_from(Region).where(Region.level == "township",
                                                                  Region.boundary.is_not(None)))
    units = count(select(func.count()).select_from(Unit).where(Unit.active.is_(True)))
    roles = dict(session.execute(select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)).all())
    people = count(select(func.count()).select_from(Person))
    stats = count(select(func.count()).select_from(SchoolStat))
    return [
        Step("导入本县区划（县、乡镇、村）", "regions", bool(done["regions"]),
             f"{county}：{towns} 个乡镇（街道），{villages} 个村（社区）" if county else "还没有区划"),
        Step("建立成员单位（可载入联席会议标准成员单位）", "units", bool(done["units"]), f"{units} 个成员单位"),
        Step("建立账户（联席办、乡镇、成员单位）", "users", bool(done["users"]),
             f"联席办 {roles.get(OFFICE, 0)} 个、乡镇 {roles.get(TOWNSHIP, 0)} 个、成员单位 {roles.get(UNIT, 0)} 个"),
        Step("乡镇导入第一批台账", "import_export", bool(done["import_export"]), f"{people:,} 人在台账中"),
        Step("导入乡镇边界（地图用）", "regions", towns > 0 and bounded == towns, f"{bounded}/{towns} 个乡镇有边界",
             required=False),
        Step("录入学年统计（辍学率用）", "workforce", stats > 0, f"{stats} 行学年统计", required=False),
    ]
