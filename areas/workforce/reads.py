"""队伍与阵地: workers (儿童主任/督导员/志愿者/看护岗), facilities and vacancies, scoped to the actor.

Workers are public posts, not registry people: their names are shown to every role that has
the page; their phones only to roles entitled to personal data.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from core import indicators as ci
from core import visibility
from core.roles import Actor
from db.models import Facility, Region, Worker
from areas.indicators.reads import vacancy_since
from db.scope import township_clause

WORKER_COLUMNS = ["id", "类别", "姓名", "乡镇", "村（社区）", "联系电话", "任职日期", "离任日期", "培训日期", "在任", "version"]
FACILITY_COLUMNS = ["id", "类别", "名称", "乡镇", "村（社区）", "状态", "达标", "启用日期", "version"]


def _place(region_id_col):
    """(region, township) aliases and the township id of a region column."""
    r, t = aliased(Region), aliased(Region)
    township_id = case((r.level == "township", r.id), else_=r.parent_id)
    return r, t, township_id


def _posts(model, actor: Actor, kind: str | None, township_id: int | None, limit: int, *columns, order=()):
    """Workers or facilities with their township and village, in the actor's township scope:
    id, kind, name, 乡镇, 村（社区）, then `columns`."""
    r, t, tid = _place(model.region_id)
    stmt = (
        select(model.id, model.kind, model.name, t.name, case((r.level == "village", r.name), else_=""), *columns)
        .join(r, r.id == model.region_id)
        .join(t, t.id == tid)
        .where(model.deleted_at.is_(None), township_clause(tid, actor, aggregate=True))
        .order_by(t.sort_order, *order(r), model.name, model.id)
        .limit(limit)
    )
    if kind:
        stmt = stmt.where(model.kind == kind)
    if township_id:
        stmt = stmt.where(tid == township_id)
    return stmt


def workers(session: Session, actor: Actor, kind: str | None = None, township_id: int | None = None,
            include_left: bool = False, today: dt.date | None = None, limit: int = 2000) -> pd.DataFrame:
    today = today or dt.date.today()
    active = or_(Worker.left_on.is_(None), Worker.left_on > today)
    stmt = _posts(Worker, actor, kind, township_id, limit, Worker.phone, Worker.appointed_on, Worker.left_on,
                  Worker.trained_on, active, Worker.version, order=lambda r: (r.sort_order, Worker.kind))
    if not include_left:
        stmt = stmt.where(active)
    df = pd.DataFrame(session.execute(stmt).all(), columns=WORKER_COLUMNS)
    df["在任"] = df["在任"].astype(bool)
    return visibility.apply(df, actor, visibility.STAFF_ROWS)


def facilities(session: Session, actor: Actor, kind: str | None = None, township_id: int | None = None,
               limit: int = 2000) -> pd.DataFrame:
    stmt = _posts(Facility, actor, kind, township_id, limit, Facility.status, Facility.standard, Facility.opened_on,
                  Facility.version, order=lambda r: (Facility.kind, r.sort_order))
    df = pd.DataFrame(session.execute(stmt).all(), columns=FACILITY_COLUMNS)
    df["达标"] = df["达标"].astype(bool)
    return df


def vacancies(session: Session, actor: Actor, today: dt.date | None = None) -> pd.DataFrame:
    """Villages without a serving 儿童主任 and townships without a 儿童督导员, with since when."""
    today = today or dt.date.today()
    cols = ["岗位", "乡镇", "村（社区）", "空缺起始", "空缺天数", "说明"]
    v, t = aliased(Region), aliased(Region)

    def serving(kind, region):
        return exists(select(Worker.id).where(
            Worker.region_id == region.id, Worker.kind == kind, Worker.deleted_at.is_(None),
            Worker.appointed_on <= today, or_(Worker.left_on.is_(None), Worker.left_on > today)))

    rows = []
    vs = session.execute(
        select(v.id, t.name, v.name).join(t, t.id == v.parent_id)
        .where(v.level == "village", ~serving("儿童主任", v), township_clause(v.parent_id, actor, aggregate=True))
        .order_by(t.sort_order, v.sort_order, v.code)
    ).all()
    since = vacancy_since(session, [x[0] for x in vs], "儿童主任")
    for vid, tn, vn in vs:
        s = since.get(vid)
        rows.append(("儿童主任", tn, vn, s, (today - s).days if s else None, "原儿童主任离任" if s else "从未配备"))
    ts = session.execute(
        select(t.id, t.name).where(t.level == "township", ~serving("儿童督导员", t),
                                   township_clause(t.id, actor, aggregate=True))
        .order_by(t.sort_order, t.code)
    ).all()
    tsince = vacancy_since(session, [x[0] for x in ts], "儿童督导员")
    for tid_, tn in ts:
        s = tsince.get(tid_)
        rows.append(("儿童督导员", tn, "", s, (today - s).days if s else None, "原督导员离任" if s else "从未配备"))
    return pd.DataFrame(rows, columns=cols)


def summary(session: Session, actor: Actor, today: dt.date | None = None) -> pd.DataFrame:
    """Per township: villages, serving workers by kind, running standard facilities by kind."""
    today = today or dt.date.today()
    t = aliased(Region)
    towns = session.execute(select(t.id, t.name).where(t.level == "township",
                                                       township_clause(t.id, actor, aggregate=True))
                            .order_by(t.sort_order, t.code)).all()
    if not towns:
        return pd.DataFrame()
    v = aliased(Region)
    villages = dict(session.execute(select(v.parent_id, func.count()).where(v.level == "village")
                                    .group_by(v.parent_id)).all())
    r, _t, tid = _place(Worker.region_id)
    wk = session.execute(
        select(tid, Worker.kind, func.count()).join(r, r.id == Worker.region_id)
        .where(Worker.deleted_at.is_(None), Worker.appointed_on <= today,
               or_(Worker.left_on.is_(None), Worker.left_on > today))
        .group_by(tid, Worker.kind)).all()
    r2, _t2, tid2 = _place(Facility.region_id)
    fc = session.execute(
        select(tid2, Facility.kind, func.count()).join(r2, r2.id == Facility.region_id)
        .where(Facility.deleted_at.is_(None), Facility.status == "运行", Facility.standard.is_(True))
        .group_by(tid2, Facility.kind)).all()
    counts: dict[tuple[int, str], int] = {(a, k): n for a, k, n in list(wk) + list(fc)}
    rows = []
    for tid_, name in towns:
        row = {"乡镇": name, "村（社区）数": villages.get(tid_, 0)}
        for k in ci.WORKER_KINDS:
            row[k] = counts.get((tid_, k), 0)
        for k in ci.FACILITY_KINDS:
            row[k] = counts.get((tid_, k), 0)
        rows.append(row)
    return pd.DataFrame(rows)


def region_choices(session: Session, actor: Actor, level: str) -> list[tuple[int, str]]:
    """Regions of a level the actor may post workers to: (id, '乡镇 / 村')."""
    r, t = aliased(Region), aliased(Region)
    if level == "township":
        rows = session.execute(select(r.id, r.name).where(r.level == "township", township_clause(r.id, actor))
                               .order_by(r.sort_order, r.code)).all()
        return [(i, n) for i, n in rows]
    rows = session.execute(
        select(r.id, t.name, r.name).join(t, t.id == r.parent_id)
        .where(r.level == "village", township_clause(r.parent_id, actor))
        .order_by(t.sort_order, r.sort_order, r.code)).all()
    return [(i, f"{tn} / {vn}") for i, tn, vn in rows]


def facility_region_choices(session: Session, actor: Actor) -> list[tuple[int, str]]:
    return region_choices(session, actor, "township") + region_choices(session, actor, "village")


