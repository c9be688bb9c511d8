"""队伍与阵地 writes: workers and facilities. Office county-wide, a township its own."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import indicators as ci
from core.roles import Actor
from core.validation import phone_error
from db.models import Facility, Region, Worker
from areas.records import writes as records
from db import locking
from db.errors import ServiceError, require


def _township_of(region: Region) -> int | None:
    return region.id if region.level == "township" else region.parent_id


def _region_in_scope(session: Session, actor: Actor, region_id: int) -> Region:
    region = session.get(Region, region_id)
    if region is None or region.level not in ("township", "village"):
        raise ServiceError("请选择有效的乡镇或村（社区）。")
    require(actor, "workforce.edit", township_id=_township_of(region))
    return region


def _incumbent(session: Session, kind: str, region_id: int, start: dt.date, exclude_ids: Collection[int] = (),
               end: dt.date | None = None):
    """Another worker of this one-per-region post whose tenure overlaps [start, end)."""
    stmt = select(Worker).where(
        Worker.kind == kind, Worker.region_id == region_id, Worker.deleted_at.is_(None),
        or_(Worker.left_on.is_(None), Worker.left_on > start))
    if end is not None:  # a past tenure only clashes with one that began before it ended
        stmt = stmt.where(Worker.appointed_on < end)
    if exclude_ids:
        stmt = stmt.where(Worker.id.not_in(list(exclude_ids)))
    return session.scalars(stmt.limit(1)).first()


def check_worker(session: Session, actor: Actor, *, kind: str, name: str, region: Region, phone: str | None,
                 appointed_on: dt.date | None, left_on: dt.date | None, today: dt.date,
                 exclude_ids: Collection[int] = ()) -> list[str]:
    """The rules every worker record meets (by form or from a roster): the Chinese reasons it
    cannot be saved, empty when fine. `exclude_ids`: records being saved at the same time
    (itself; a roster's other rows), whose stored tenure does not count."""
    require(actor, "workforce.edit", township_id=_township_of(region))
    errors = ci.worker_errors(kind, name, region.level, appointed_on, left_on, today)
    if err := phone_error(phone):
        errors.append(err)
    if not errors and kind in ci.ONE_PER_REGION:
        cur = _incumbent(session, kind, region.id, appointed_on, exclude_ids=exclude_ids, end=left_on)
        if cur is not None:
            errors.append(f"{region.name}已有在任{kind}「{cur.name}」，请先登记其离任日期再任命新人。")
    return errors


def check_facility(actor: Actor, *, kind: str, name: str, region: Region, status: str, opened_on: dt.date | None,
                   today: dt.date) -> list[str]:
    """The rules every facility record meets (by form or from a roster), as Chinese reasons."""
    require(actor, "workforce.edit", township_id=_township_of(region))
    return ci.facility_errors(kind, name, status, opened_on, today)


def add_worker(session: Session, actor: Actor, *, kind: str, name: str, region_id: int, phone: str | None,
               appointed_on: dt.date, trained_on: dt.date | None = None, today: dt.date | None = None) -> Worker:
    require(actor, "workforce.edit")
    today = today or dt.date.today()
    region = _region_in_scope(session, actor, region_id)
    errors = check_worker(session, actor, kind=kind, name=name, region=region, phone=phone,
                          appointed_on=appointed_on, left_on=None, today=today)
    if errors:
        raise ServiceError("；".join(errors))
    w = Worker(kind=kind, name=name.strip(), region_id=region_id, phone=(phone or "").strip() or None,
               appointed_on=appointed_on, trained_on=trained_on)
    session.add(w)
    session.flush()
    return w


def _get_worker(session: Session, actor: Actor, worker_id: int) -> Worker:
    w = session.get(Worker, worker_id)
    if w is None or w.deleted_at is not None:
        raise ServiceError("找不到该人员，可能已被删除。")
    _region_in_scope(session, actor, w.region_id)
    return w


def update_worker(session: Session, actor: Actor, worker_id: int, expected_version: int | None, *,
                  name: str, phone: str | None, appointed_on: dt.date, left_on: dt.date | None,
                  trained_on: dt.date | None, today: dt.date | None = None) -> Worker:
    """Edit a worker; a left_on date ends the post (the vacancy starts that day)."""
    require(actor, "workforce.edit")
    today = today or dt.date.today()
    w = _get_worker(session, actor, worker_id)
    locking.check_version(session, w, expected_version, "该人员")
    region = session.get(Region, w.region_id)
    errors = check_worker(session, actor, kind=w.kind, name=name, region=region, phone=phone,
                          appointed_on=appointed_on, left_on=left_on, today=today, exclude_ids=(w.id,))
    if errors:
        raise ServiceError("；".join(errors))
    w.name, w.phone = name.strip(), (phone or "").strip() or None
    w.appointed_on, w.left_on, w.trained_on = appointed_on, left_on, trained_on
    locking.flush(session, "该人员")
    return w


def delete_worker(session: Session, actor: Actor, worker_id: int, expected_version: int | None, reason: str) -> None:
    """Soft delete for a record entered by mistake (someone who left gets a 离任日期 instead)."""
    require(actor, "workforce.edit")
    _get_worker(session, actor, worker_id)
    records.soft_delete(session, actor, "worker", worker_id, reason, expected_version)


def add_facility(session: Session, actor: Actor, *, kind: str, name: str, region_id: int, status: str = "运行",
                 standard: bool = True, opened_on: dt.date | None = None, today: dt.date | None = None) -> Facility:
    require(actor, "workforce.edit")
    today = today or dt.date.today()
    region = _region_in_scope(session, actor, region_id)
    errors = check_facility(actor, kind=kind, name=name, region=region, status=status, opened_on=opened_on,
                            today=today)
    if errors:
        raise ServiceError("；".join(errors))
    f = Facility(kind=kind, name=name.strip(), region_id=region_id, status=status, standard=bool(standard),
                 opened_on=opened_on)
    session.add(f)
    session.flush()
    return f


def update_facility(session: Session, actor: Actor, facility_id: int, expected_version: int | None, *,
                    name: str, status: str, standard: bool, opened_on: dt.date | None,
                    today: dt.date | None = None) -> Facility:
    require(actor, "workforce.edit")
    today = today or dt.date.today()
    f = session.get(Facility, facility_id)
    if f is None or f.deleted_at is not None:
        raise ServiceError("找不到该阵地，可能已被删除。")
    region = _region_in_scope(session, actor, f.region_id)
    locking.check_version(session, f, expected_version, "该阵地")
    errors = check_facility(actor, kind=f.kind, name=name, region=region, status=status, opened_on=opened_on,
                            today=today)
    if errors:
        raise ServiceError("；".join(errors))
    f.name, f.status, f.standard, f.opened_on = name.strip(), status, bool(standard), opened_on
    locking.flush(session, "该阵地")
    return f


def delete_facility(session: Session, actor: Actor, facility_id: int, expected_version: int | None,
                    reason: str) -> None:
    require(actor, "workforce.edit")
    f = session.get(Facility, facility_id)
    if f is None or f.deleted_at is not None:
        raise ServiceError("找不到该阵地，可能已被删除。")
    _region_in_scope(session, actor, f.region_id)
    records.soft_delete(session, actor, "facility", facility_id, reason, expected_version)
