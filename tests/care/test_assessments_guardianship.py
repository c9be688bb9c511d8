import datetime as dt

import pytest

from db.engine import session_scope
from db.models import Guardian
from areas.care import reads as q
from db.errors import ConflictError, ForbiddenError, ServiceError
from areas.care import writes as svc
from tests import factories as f

D = dt.date
TODAY = D(2026, 3, 20)


def _do(engine, actor, fn, **kw):
    with session_scope(engine, actor=actor) as s:
        return fn(s, actor, **kw)


@pytest.fixture
def world(engine):
    with session_scope(engine) as s:
        ids = f.county(s)
        kids = {}
        for key, t, v in (("K1", "T1", "V11"), ("K2", "T1", "V11"), ("K3", "T1", "V12"), ("K4", "T2", "V21"),
                          ("K5", "T2", "V22")):
            kids[key] = f.person(s, ids[t], ids[v], name=f"儿童{key}").id
        kids["OLD"] = f.person(s, ids["T2"], ids["V21"], name="老人甲", birth=D(1950, 1, 1),
                               categories=("left_behind_elderly",)).id
        w = {"ids": ids, "p": kids, "office": f.account(s, "office1", "office"),
             "tw1": f.account(s, "tw1", "township", township_id=ids["T1"]),
             "tw2": f.account(s, "tw2", "township", township_id=ids["T2"]),
             "leader": f.account(s, "boss", "leader")}
    return w


def test_rounds_and_assessments(engine, world):
    p, office, tw1, tw2 = world["p"], world["office"], world["tw1"], world["tw2"]
    with pytest.raises(ForbiddenError):
        _do(engine, tw1, svc.open_round, period="2025-09", today=D(2025, 9, 1))
    with pytest.raises(ServiceError, match="3月、9月"):
        _do(engine, office, svc.open_round, period="2025-10", today=D(2025, 9, 1))
    r1 = _do(engine, office, svc.open_round, period="2025-09", today=D(2025, 9, 1))
    with pytest.raises(ConflictError):
        _do(engine, office, svc.open_round, period="2025-09", today=D(2025, 9, 1))
    for key, lvl in (("K1", "低"), ("K2", "中"), ("K3", "高")):
        _do(engine, tw1, svc.record_assessment, person_id=p[key], round_id=r1, risk_level=lvl,
            assessed_on=D(2025, 9, 10), today=D(2025, 9, 30))
    _do(engine, office, svc.close_round, round_id=r1, today=D(2025, 10, 1))
    with pytest.raises(ServiceError, match="已于2025-10-01结束"):
        _do(engine, tw2, svc.record_assessment, person_id=p["K4"], round_id=r1, risk_level="低", today=TODAY)

    r2 = _do(engine, office, svc.open_round, period="2026-03", today=D(2026, 3, 1))
    for actor, key, lvl in ((tw1, "K1", "中"), (tw1, "K2", "中"), (tw1, "K3", "高"), (tw2, "K4", "高")):
        _do(engine, actor, svc.record_assessment, person_id=p[key], round_id=r2, risk_level=lvl,
            issues="监护薄弱", actions="每周走访", today=TODAY)
    with pytest.raises(ConflictError, match="已有评估记录"):
        _do(engine, tw1, svc.record_assessment, person_id=p["K1"], round_id=r2, risk_level="低", today=TODAY)
    with pytest.raises(ForbiddenError):
        _do(engine, tw1, svc.record_assessment, person_id=p["K5"], round_id=r2, risk_level="低", today=TODAY)
    with pytest.raises(ServiceError, match="儿童类别"):
        _do(engine, tw2, svc.record_assessment, person_id=p["OLD"], round_id=r2, risk_level="低", today=TODAY)
    with pytest.raises(ServiceError, match="低"):
        _do(engine, tw2, svc.record_assessment, person_id=p["K5"], round_id=r2, risk_level="很高", today=TODAY)
    with pytest.raises(ServiceError, match="晚于今天"):
        _do(engine, tw2, svc.record_assessment, person_id=p["K5"], round_id=r2, risk_level="低",
            assessed_on=D(2026, 3, 21), today=TODAY)

    with session_scope(engine, write=False) as s:
        pend = q.pending_assessment(s, tw2, r2, TODAY)
        assert list(pend.rows["姓名"]) == ["儿童K5"] and pend.total == 1
        assert q.pending_assessment(s, tw1, r2, TODAY).total == 0
        comp = q.completion_by_township(s, world["leader"], r2, TODAY)
        assert comp.to_dict("records") == [
            {"乡镇": "测试1镇", "应评估人数": 3, "已评估人数": 3, "完成率(%)": 100.0},
            {"乡镇": "测试2镇", "应评估人数": 2, "已评估人数": 1, "完成率(%)": 50.0},
        ]
        m = q.grade_matrix(s, office, r2)
        assert m.attrs["previous_period"] == "2025-09"
        assert m.to_dict("index") == {
            "上轮低": {"本轮低": 0, "本轮中": 1, "本轮高": 0},
            "上轮中": {"本轮低": 0, "本轮中": 1, "本轮高": 0},
            "上轮高": {"本轮低": 0, "本轮中": 0, "本轮高": 1},
            "上轮未评估": {"本轮低": 0, "本轮中": 0, "本轮高": 1},
        }
        assert int(q.grade_matrix(s, tw2, r2).to_numpy().sum()) == 1  # township: own township only
        hi = q.high_risk_list(s, office, TODAY)
        assert list(hi["姓名"]) == ["儿童K3", "儿童K4"]
        assert list(hi["高风险起始"]) == [D(2025, 9, 10), TODAY]
        assert q.high_risk_list(s, world["leader"], TODAY).empty
        # K3 is treated as 特别困难: weekly rule
        st = q.visit_status(s, office, p["K3"], TODAY)
        assert st.effective == "特别困难" and st.rule_label == "每周至少1次"


def test_guardianship_worklist(engine, world):
    p = world["p"]
    with session_scope(engine) as s:
        s.add_all([
            Guardian(person_id=p["K1"], name="爷爷", relation="祖父", capacity="有"),
            Guardian(person_id=p["K2"], name="奶奶", relation="祖母", capacity="无"),
            Guardian(person_id=p["K3"], name="邻居", relation="其他", capacity="待评估", entrusted=True,
                     agreement_signed_on=D(2025, 6, 1)),
            Guardian(person_id=p["K4"], name="姑姑", relation="姑母", capacity="待评估", entrusted=True),
            # a capable guardian that was removed does not count
            Guardian(person_id=p["K5"], name="旧监护人", relation="其他", capacity="有",
                     deleted_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), deleted_by="x", delete_reason="错录"),
            Guardian(person_id=p["OLD"], name="儿子", relation="子", capacity="无"),
        ])
    with session_scope(engine, write=False) as s:
        page = q.guardianship_worklist(s, world["office"], TODAY)
        assert page.total == 3
        assert dict(zip(page.rows["姓名"], page.rows["缺失情况"])) == {
            "儿童K2": "监护人无监护能力或待评估",
            "儿童K4": "委托监护未签协议",
            "儿童K5": "未登记监护人",  # its only guardian record was removed
        }
        assert list(q.guardianship_worklist(s, world["tw2"], TODAY).rows["姓名"]) == ["儿童K4", "儿童K5"]
        assert q.guardianship_worklist(s, world["leader"], TODAY).total == 0
        summ = q.guardianship_summary(s, world["leader"], TODAY)
        assert summ.to_dict("records") == [
            {"乡镇": "测试1镇", "儿童人数": 3, "监护已落实": 2, "未落实": 1, "落实率(%)": 66.7},
            {"乡镇": "测试2镇", "儿童人数": 2, "监护已落实": 0, "未落实": 2, "落实率(%)": 0.0},
        ]
