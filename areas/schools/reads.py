"""学年统计 reads: the figures per school year, township and level, in the actor's scope."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from core.roles import Actor
from db.models import Region, SchoolStat
from db.scope import township_clause

COLUMNS = ["学年", "乡镇", "学段", "在校生数", "辍学人数", "辍学率%"]


def stats(session: Session, actor: Actor, school_year: str | None = None) -> pd.DataFrame:
    stmt = (select(SchoolStat.school_year, Region.name, SchoolStat.level, SchoolStat.enrolled, SchoolStat.dropouts)
            .join(Region, Region.id == SchoolStat.township_id)
            .where(township_clause(SchoolStat.township_id, actor, aggregate=True))
            .order_by(SchoolStat.school_year.desc(), Region.sort_order, Region.code,
                      case((SchoolStat.level == "小学", 0), else_=1)))  # 小学 before 初中
    if school_year:
        stmt = stmt.where(SchoolStat.school_year == school_year)
    df = pd.DataFrame(session.execute(stmt).all(), columns=COLUMNS[:-1])
    df["辍学率%"] = [round(100 * d / e, 2) if e else None for d, e in zip(df["辍学人数"], df["在校生数"])]
    return df


def school_years(session: Session) -> list[str]:
    return list(session.scalars(select(SchoolStat.school_year).distinct().order_by(SchoolStat.school_year.desc())))
