import datetime as dt

import pytest
from sqlalchemy import select

from db.engine import session_scope
from db.models import AuditLog, Visit, VisitRule
from areas.care import reads as q
from db.errors import ForbiddenError, ServiceError
from areas.care import writes as svc
from tests import factories as f
from tests.care import data

D = dt.date


@pytest.fixture
def world(engine):
    with session_scope(engine) as s:
        w = data.build(s)
        w["tw1"] = f.account(s, "tw1", "township", township_id=w["ids"]["T1"])
        w["office"] = f.account(s, "office1", "office")
        w["leader"] = f.account(s, "boss", "leader")
        return w


def _record(engine, actor, **kw):
    with session_scope(engine, actor=actor) as s:
        return svc.record_visit(s, actor, **kw)


def test_recording_a_visit_takes_the_person_off_the_overdue_list(engine, world):
    p, tw1 = world["people"], world["tw1"]
    vid = _record(engine, tw1, person_id=p["B"], visited_on=D(2026, 3, 9), helper_id=world["helpers"]["H1"],
                  service_types=["精神陪伴", "健康保健"], findings="情况良好", today=data.TODAY)
    with session_scope(engine, write=False) as s:
        v = s.get(Visit, vid)
        assert v.service_types == ["精神陪伴", "健康保健"] and v.created_by == "tw1"
        names = list(q.overdue_list(s, tw1, data.TODAY).rows["姓名"])
        assert names == ["对象I", "对象C", "对象D"]
        assert q.visit_status(s, tw1, p["B"], data.TODAY).next_due == D(2026, 3, 24)
        audit = s.scalars(select(AuditLog).where(AuditLog.entity == "visit", AuditLog.entity_id == str(vid))).all()
        assert [a.action for a in audit] == ["create"] and audit[0].username == "tw1"
        assert audit[0].changes["visited_on"] == [None, "2026-03-09"]


@pytest.mark.parametrize(
    "key, day, types, message",
    [
        ("B", D(2026, 3, 11), ["精神陪伴"], "晚于今天"),
        ("B", D(2014, 5, 5), ["精神陪伴"], "早于该对象的出生日期"),
        ("G", D(2026, 3, 1), ["精神陪伴"], "已退出台账"),
        ("B", D(2026, 3, 1), [], "至少选择一项服务类型"),
        ("B", D(2026, 3, 1), ["打扫卫生"], "未知的服务类型"),
    ],
)
def test_refused_visits(engine, world, key, day, types, message):
    office = world["office"]
    with pytest.raises(ServiceError, match=message):
        _record(engine, office, person_id=world["people"][key], visited_on=day, helper_id=None,
                service_types=types, today=data.TODAY)
    with session_scope(engine, write=False) as s:
        assert s.scalar(select(Visit.id).where(Visit.visited_on == day, Visit.person_id == world["people"][key])) is None


def test_scope_and_role_are_enforced(engine, world):
    p = world["people"]
    with pytest.raises(ForbiddenError):  # T2 person, T1 user
        _record(engine, world["tw1"], person_id=p["E"], visited_on=D(2026, 3, 1), helper_id=None,
                service_types=["精神陪伴"], today=data.TODAY)
    with pytest.raises(ForbiddenError):
        _record(engine, world["leader"], person_id=p["E"], visited_on=D(2026, 3, 1), helper_id=None,
                service_types=["精神陪伴"], today=data.TODAY)
    with pytest.raises(ServiceError, match="不属于该对象所在乡镇"):  # T2 helper on a T1 person
        _record(engine, world["tw1"], person_id=p["B"], visited_on=D(2026, 3, 1), helper_id=world["helpers"]["H3"],
                service_types=["精神陪伴"], today=data.TODAY)


def test_helpers_for_person_lists_the_assigned_helper_first(engine, world):
    with session_scope(engine, write=False) as s:
        opts = q.helpers_for_person(s, world["tw1"], world["people"]["D"], data.TODAY)
        other = q.helpers_for_person(s, world["tw1"], world["people"]["E"], data.TODAY)
    assert [label for _i, label in opts] == ["帮扶乙（村干部） · 责任人", "帮扶甲（村干部）"]
    assert other == []


def test_only_the_office_configures_rules(engine, world):
    with pytest.raises(ForbiddenError):
        with session_scope(engine, actor=world["tw1"]) as s:
            svc.save_visit_rule(s, world["tw1"], category="*", difficulty="一般", period="month", min_visits=3)
    with pytest.raises(ServiceError, match="1到7"):
        with session_scope(engine, actor=world["office"]) as s:
            svc.save_visit_rule(s, world["office"], category="*", difficulty="特别困难", period="week", min_visits=9)
    with session_scope(engine, actor=world["office"]) as s:
        svc.save_visit_rule(s, world["office"], category="*", difficulty="一般", period="month", min_visits=3)
        svc.save_visit_rule(s, world["office"], category="extremely_poor", difficulty="一般", period="week", min_visits=1)
    with session_scope(engine, write=False) as s:
        rules = q.visit_rules(s)
        n = s.scalar(select(VisitRule.min_visits).where(VisitRule.category == "extremely_poor"))
    assert n == 1
    assert rules.to_dict("records")[:2] == [
        {"人员类别": "全部类别", "困难程度": "一般", "频次要求": "每月至少3次", "来源": "已配置"},
        {"人员类别": "全部类别", "困难程度": "特别困难", "频次要求": "每周至少1次", "来源": "默认（文件001）"},
    ]
    with session_scope(engine, actor=world["office"]) as s:
        assert svc.delete_visit_rule(s, world["office"], category="*", difficulty="一般") is True
    with session_scope(engine, write=False) as s:
        assert q.visit_rules(s).iloc[0]["频次要求"] == "每月至少2次"
