"""Soft deletion and restore (issue 8 §4): scoped, reasoned, audited, reversible by the office."""
import datetime as dt

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models import AuditLog, Visit, Worker
from areas.records import reads as rq
from db.errors import ForbiddenError, ServiceError
from areas.records import writes as records
from tests import factories as f


@pytest.fixture
def world(engine):
    with session_scope(engine) as s:
        ids = f.county(s)
        tw1 = f.account(s, "tw1", "township", township_id=ids["T1"])
        tw2 = f.account(s, "tw2", "township", township_id=ids["T2"])
        office = f.account(s, "office", "office")
        unit = f.account(s, "unit", "unit", unit_id=f.unit(s).id)
        p1 = f.person(s, ids["T1"], ids["V11"])
        v = Visit(person_id=p1.id, visited_on=dt.date(2026, 11, 1), service_types=["生活照料"])
        w = Worker(kind="儿童主任", name="测试主任", region_id=ids["V21"], appointed_on=dt.date(2025, 1, 1))
        s.add_all([v, w])
        s.flush()
        return {"ids": ids, "tw1": tw1, "tw2": tw2, "office": office, "unit": unit, "visit": v.id, "worker": w.id}


def _actions(engine, entity, rid):
    with session_scope(engine, write=False) as s:
        return s.scalars(select(AuditLog.action).where(AuditLog.entity == entity, AuditLog.entity_id == str(rid))
                         .order_by(AuditLog.id)).all()


def test_township_deletes_own_record_office_restores(engine, world):
    vid = world["visit"]
    with pytest.raises(ServiceError, match="删除原因"):
        with session_scope(engine, actor=world["tw1"]) as s:
            records.soft_delete(s, world["tw1"], "visit", vid, " ")
    with session_scope(engine, actor=world["tw1"]) as s:
        records.soft_delete(s, world["tw1"], "visit", vid, "重复录入")
    with session_scope(engine, write=False) as s:
        v = s.get(Visit, vid)
        assert v is not None and v.deleted_by == "tw1" and v.delete_reason == "重复录入"
        total, df = rq.deleted_records(s, world["tw1"])
        assert (total, list(df["kind"]), list(df["删除人"])) == (1, ["visit"], ["tw1"])
        assert rq.deleted_records(s, world["tw2"])[0] == 0  # another township does not see it
    with pytest.raises(ForbiddenError):
        with session_scope(engine, actor=world["tw1"]) as s:
            records.restore(s, world["tw1"], "visit", vid)
    with session_scope(engine, actor=world["office"]) as s:
        records.restore(s, world["office"], "visit", vid)
    with session_scope(engine, write=False) as s:
        assert s.get(Visit, vid).deleted_at is None
        assert rq.deleted_records(s, world["office"])[0] == 0
    assert _actions(engine, "visit", vid)[-2:] == ["delete", "restore"]


def test_scope_and_roles_are_enforced(engine, world):
    for actor, kind, rid in ((world["tw2"], "visit", world["visit"]),    # another township's person
                             (world["tw1"], "worker", world["worker"]),  # a worker of township 2
                             (world["unit"], "visit", world["visit"])):
        with pytest.raises(ForbiddenError):
            with session_scope(engine, actor=actor) as s:
                records.soft_delete(s, actor, kind, rid, "测试原因")
    with session_scope(engine, actor=world["tw2"]) as s:
        records.soft_delete(s, world["tw2"], "worker", world["worker"], "录入错误")
    with session_scope(engine, write=False) as s:
        assert s.get(Worker, world["worker"]).deleted_at is not None
        total, df = rq.deleted_records(s, world["tw2"], kind="worker")
        assert total == 1 and list(df["记录编号"]) == [world["worker"]]
