"""Enrolling an ID number on file in another township (issue 13, item 6).

The refusal stays, but it no longer tells the township where the person is registered; the
attempt is audited (dup_refused, the existing person, no full ID number) and the office finds
it on 待处理. Enrolment (the page's look-up and the service) and the import preview alike."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from areas.registry import importer
from areas.registry import reads as rq
from areas.registry import writes as svc
from core.audit_labels import ACTION_LABELS, DUPLICATE_REFUSED
from db.engine import session_scope
from db.models import AuditLog, Region
from tests.harness import all_text, app_test
from tests.registry.conftest import TODAY
from tests.registry.test_import_export import ledger_xlsx, row


def _townships(engine) -> list[str]:
    with session_scope(engine, write=False) as s:
        return list(s.scalars(select(Region.name).where(Region.level == "township")))


def _refusals(engine) -> list[AuditLog]:
    with session_scope(engine, write=False) as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == DUPLICATE_REFUSED).order_by(AuditLog.id)))


def _assert_discreet(message: str, engine) -> None:
    assert "联席办" in message and "不能在本乡镇纳入" in message
    assert "其他乡镇" not in message
    for name in _townships(engine):
        assert name not in message


def test_enrol_refusal_names_no_township_and_is_audited(world):
    eng, tw2 = world["engine"], world["tw2"]
    idn = world["idn"]["a"]  # 张三, in 测试1镇
    with pytest.raises(svc.DuplicatePerson) as exc:
        with session_scope(eng, actor=tw2) as s:
            svc.enroll(s, tw2, idn, "又一个", world["ids"]["V21"], [("left_behind_child", None)], today=TODAY)
    assert exc.value.person_id is None
    _assert_discreet(str(exc.value), eng)
    rows = _refusals(eng)
    assert [(r.username, r.role, r.entity, r.entity_id, r.outcome) for r in rows] == [
        ("tw2", "township", "person", str(world["p"]["a"]), "denied")]
    assert idn not in rows[0].summary and idn[-4:] in rows[0].summary and rows[0].summary.startswith("纳入：")
    assert "测试1镇" in rows[0].summary and "测试2镇" in rows[0].summary  # for the office: who asked, where it is
    assert ACTION_LABELS[DUPLICATE_REFUSED] != DUPLICATE_REFUSED


def test_the_pages_look_up_is_audited_too(world):
    """pages/person.py checks the number as it is typed (find_duplicate), before any submit."""
    eng, tw2 = world["engine"], world["tw2"]
    with session_scope(eng, write=False) as s:
        dup = svc.find_duplicate(s, tw2, world["idn"]["b"])
    _assert_discreet(str(dup), eng)
    assert [r.entity_id for r in _refusals(eng)] == [str(world["p"]["b"])]
    # one's own township: the file is named and linked, nothing to report
    with session_scope(eng, write=False) as s:
        own = svc.find_duplicate(s, world["tw1"], world["idn"]["b"])
    assert own.person_id == world["p"]["b"] and len(_refusals(eng)) == 1


def test_office_pending_list_shows_refusals(world):
    eng = world["engine"]
    for _ in range(2):
        with session_scope(eng, write=False) as s:
            svc.find_duplicate(s, world["tw2"], world["idn"]["a"])
    with session_scope(eng, write=False) as s:
        office = rq.refused_duplicates(s, world["office"])
        own = rq.refused_duplicates(s, world["tw2"])
        later = rq.refused_duplicates(s, world["office"],
                                      now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=rq.REFUSED_DAYS + 1))
    assert own.empty and later.empty
    assert office[["账户", "次数", "姓名", "身份证号码", "登记乡镇", "person_id"]].values.tolist() == [
        ["tw2", 2, "张三", world["idn"]["a"], "测试1镇", world["p"]["a"]]]


def test_import_preview_refusal_is_audited(world):
    eng = world["engine"]
    data = ledger_xlsx([row(1, "张四", world["idn"]["e"], gender="男")])  # 张四 is in 测试2镇
    with session_scope(eng, write=False) as s:
        pv = importer.preview(s, world["tw1"], "台账.xlsx", data, TODAY)
    [issue] = pv.errors
    assert (issue.row, issue.column) == (4, "身份证号码")
    _assert_discreet(issue.reason, eng)
    rows = _refusals(eng)
    assert [(r.username, r.entity_id) for r in rows] == [("tw1", str(world["p"]["e"]))]
    assert rows[0].summary.startswith("导入：") and world["idn"]["e"] not in rows[0].summary
    with session_scope(eng, write=False) as s:
        listed = rq.refused_duplicates(s, world["office"])
    assert listed["person_id"].tolist() == [world["p"]["e"]]


def test_pending_page_office_sees_refusals_township_does_not(app_world):
    eng = app_world["engine"]
    with session_scope(eng, write=False) as s:
        svc.find_duplicate(s, app_world["tw2"], app_world["idn"]["a"])
    at = app_test("office1", "pending")
    assert not at.exception
    tables = [d.value for d in at.dataframe if "账户" in d.value.columns]
    assert len(tables) == 1 and tables[0]["账户"].tolist() == ["tw2"]
    assert "重复纳入被拒" in all_text(at)
    at = app_test("tw2", "pending")
    assert not at.exception
    assert "重复纳入被拒" not in all_text(at) and "测试1镇" not in all_text(at)
