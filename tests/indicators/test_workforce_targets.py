"""队伍与阵地 and 指标目标 services (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt

import pytest

from core import indicators as ci
from core.roles import Actor
from db.engine import session_scope
from db.models import AuditLog
from areas.indicators import reads as q
from areas.workforce import reads as wq
from db.errors import ConflictError, ForbiddenError, ServiceError
from areas.indicators import writes as ts
from areas.workforce import writes as ws
from tests import factories as f

D = dt.date
TODAY = D(2026, 3, 20)
OFFICE = Actor("office1", "office")
LEADER = Actor("leader1", "leader")


@pytest.fixture
def ids(engine):
    with session_scope(engine) as s:
        return f.county(s, townships=2, villages=2)


def test_one_director_per_village_and_vacancy(engine, ids):
    with session_scope(engine, actor=OFFICE) as s:
        w = ws.add_worker(s, OFFICE, kind="儿童主任", name="王芳", region_id=ids["V11"], phone="13912345678",
                          appointed_on=D(2025, 1, 1), today=TODAY)
        wid, ver = w.id, w.version
        with pytest.raises(ServiceError, match="已有在任儿童主任「王芳」"):
            ws.add_worker(s, OFFICE, kind="儿童主任", name="李娜", region_id=ids["V11"], phone=None,
                          appointed_on=D(2026, 1, 1), today=TODAY)
        with pytest.raises(ServiceError, match="应配备到村"):
            ws.add_worker(s, OFFICE, kind="儿童主任", name="李娜", region_id=ids["T1"], phone=None,
                          appointed_on=D(2026, 1, 1), today=TODAY)
        with pytest.raises(ServiceError, match="联系电话格式不正确"):
            ws.add_worker(s, OFFICE, kind="志愿者", name="李娜", region_id=ids["V12"], phone="123",
                          appointed_on=D(2026, 1, 1), today=TODAY)
    with session_scope(engine, actor=OFFICE) as s:
        ws.update_worker(s, OFFICE, wid, ver, name="王芳", phone="13912345678", appointed_on=D(2025, 1, 1),
                         left_on=D(2026, 3, 1), trained_on=None, today=TODAY)
        # she has left on 03-01: a successor appointed 03-02 is fine
        ws.add_worker(s, OFFICE, kind="儿童主任", name="李娜", region_id=ids["V11"], phone=None,
                      appointed_on=D(2026, 3, 2), today=TODAY)
    with session_scope(engine, actor=OFFICE) as s:
        with pytest.raises(ConflictError):
            ws.update_worker(s, OFFICE, wid, ver, name="王芳", phone=None, appointed_on=D(2025, 1, 1),
                             left_on=D(2026, 3, 1), trained_on=None, today=TODAY)
    with session_scope(engine, write=False) as s:
        vac = wq.vacancies(s, OFFICE, today=TODAY)
        people = wq.workers(s, LEADER, include_left=True, today=TODAY)
        df = q.compute(s, OFFICE, "2026-03", ["director_coverage"], today=TODAY)
    # directors serve in V11 only: 3 villages and 2 townships (no supervisor anywhere) are vacant
    assert sorted(vac[vac["岗位"] == "儿童主任"]["村（社区）"]) == ["测试1-2村", "测试2-1村", "测试2-2村"]
    assert (vac["岗位"] == "儿童督导员").sum() == 2
    assert set(people["联系电话"].dropna()) == {"139****5678"}  # leader sees masked phones
    total = df[df["township_id"] == q.TOTAL].iloc[0]
    assert (total["numerator"], total["denominator"]) == (1, 4)


def test_township_user_limited_to_own_township(engine, ids):
    me = Actor("t1", "township", township_id=ids["T1"])
    with session_scope(engine, actor=me) as s:
        ws.add_worker(s, me, kind="儿童督导员", name="赵强", region_id=ids["T1"], phone=None,
                      appointed_on=D(2025, 6, 1), today=TODAY)
        with pytest.raises(ForbiddenError):
            ws.add_worker(s, me, kind="志愿者", name="钱多", region_id=ids["V21"], phone=None,
                          appointed_on=D(2025, 6, 1), today=TODAY)
        with pytest.raises(ForbiddenError):
            ws.add_facility(s, LEADER, kind="儿童之家", name="之家", region_id=ids["T1"])
        ws.add_facility(s, me, kind="儿童之家", name="测试1镇儿童之家", region_id=ids["V11"], opened_on=D(2025, 1, 1),
                        today=TODAY)
    with session_scope(engine, write=False) as s:
        df = q.compute(s, OFFICE, "2026-03", ["supervisor_coverage", "home_coverage"], today=TODAY)
        assert wq.summary(s, me, today=TODAY).iloc[0]["儿童之家"] == 1
    t1 = df[df["township_id"] == ids["T1"]].set_index("code")
    assert t1.loc["supervisor_coverage", "numerator"] == 1 and t1.loc["home_coverage", "numerator"] == 1


def test_targets_set_override_reset_and_audit(engine, ids):
    with session_scope(engine, actor=OFFICE) as s:
        row = ts.set_target(s, OFFICE, "visit_on_time", 90)
        ver = row.version
        ts.set_target(s, OFFICE, "visit_on_time", 80, township_id=ids["T2"])
        with pytest.raises(ServiceError, match="0 到 100"):
            ts.set_target(s, OFFICE, "visit_on_time", 120)
        with pytest.raises(ServiceError, match="只在全县层面"):
            ts.set_target(s, OFFICE, "task_on_time", 80, township_id=ids["T1"])
        with pytest.raises(ForbiddenError):
            ts.set_target(s, LEADER, "visit_on_time", 50)
    with session_scope(engine, actor=OFFICE) as s:
        ts.set_target(s, OFFICE, "visit_on_time", 92, expected_version=ver)
        with pytest.raises(ConflictError):
            ts.set_target(s, OFFICE, "visit_on_time", 93, expected_version=ver)
    with session_scope(engine, write=False) as s:
        ov = q.target_overrides(s)
        assert q.target_for(ov, "visit_on_time", ids["T1"]) == 92
        assert q.target_for(ov, "visit_on_time", ids["T2"]) == 80
        assert q.target_for(ov, "helper_rate", ids["T2"]) == ci.get("helper_rate").default_target
        table = q.target_table(s).set_index("code")
        assert table.loc["visit_on_time", "生效目标"] == 92
        assert "测试2镇 80" in table.loc["visit_on_time", "乡镇单独目标"]
        audits = s.query(AuditLog).filter_by(entity="target").count()
        assert audits == 3  # two creates and one update
    with session_scope(engine, actor=OFFICE) as s:
        assert ts.reset_target(s, OFFICE, "visit_on_time", ids["T2"]) is True
    with session_scope(engine, write=False) as s:
        assert q.target_for(q.target_overrides(s), "visit_on_time", ids["T2"]) == 92
