"""Every indicator on a small hand-built county, with the expected numerator and
denominator written by hand (SQLite and PostgreSQL via the `engine` fixture).

Judged on 2026-03-20 for the period 2026-03 (as_of = 2026-03-20).
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, update

from core import indicators as ci
from core.roles import Actor
from db.engine import session_scope
from db.models import (
    LedgerTouch, Assessment, AssessmentRound, Assignment, AuditLog, Facility, Guardian, Helper, IncidentCard, Person, SchoolStat, Task,
    Visit, Worker,
)
from areas.indicators import reads as q
from areas.registry import ledger
from tests import factories as f

D = dt.date
TODAY = D(2026, 3, 20)
PERIOD = "2026-03"
OLD = dt.datetime(2025, 1, 1, 8, 0, tzinfo=dt.timezone.utc)
OFFICE = Actor("office1", "office")
LEADER = Actor("leader1", "leader")


def utc(y, m, d, h=12):
    return dt.datetime(y, m, d, h, 0, tzinfo=dt.timezone.utc)


def _helper(s, name="帮扶人", deleted=False):
    h = Helper(name=name)
    if deleted:
        h.deleted_at = utc(2026, 1, 1)
    s.add(h)
    s.flush()
    return h


def _assign(s, p, h, start=D(2025, 1, 1), end=None):
    s.add(Assignment(helper_id=h.id, person_id=p.id, start_on=start, end_on=end))


def _visit(s, p, on, deleted=False):
    v = Visit(person_id=p.id, visited_on=on, service_types=["精神陪伴"])
    if deleted:
        v.deleted_at = utc(2026, 3, 19)
    s.add(v)


def _assess(s, p, period, on):
    s.add(Assessment(person_id=p.id, period=period, assessed_on=on, risk_level="低"))


def _guardian(s, p, capacity="有", entrusted=False, signed=None, deleted=False):
    g = Guardian(person_id=p.id, name="监护人", relation="祖父", capacity=capacity, entrusted=entrusted,
                 agreement_signed_on=signed)
    if deleted:
        g.deleted_at = utc(2026, 2, 1)
    s.add(g)


def _stamps(s, p, created=OLD, updated=None, reviewed=None):
    """A file created, changed and checked on these dates, as the writes of those days left it:
    the dates on the file and the ledger history (the fixture's flush today is not one of them)."""
    s.flush()
    s.execute(update(Person).where(Person.id == p.id).values(created_at=created, updated_at=updated,
                                                             reviewed_on=reviewed))
    s.execute(delete(LedgerTouch).where(LedgerTouch.person_id == p.id))
    ledger.touch(s, [(p.id, d.date() if isinstance(d, dt.datetime) else d) for d in (created, updated, reviewed) if d])


def _worker(s, kind, region, appointed=D(2025, 1, 1), left=None, deleted=False):
    w = Worker(kind=kind, name=f"{kind}甲", region_id=region, appointed_on=appointed, left_on=left)
    if deleted:
        w.deleted_at = utc(2026, 1, 1)
    s.add(w)


def _facility(s, kind, region, status="运行", standard=True, opened=D(2024, 1, 1)):
    s.add(Facility(kind=kind, name=f"{kind}一", region_id=region, status=status, standard=standard, opened_on=opened))


@pytest.fixture
def county(engine):
    with session_scope(engine) as s:
        ids = f.county(s, townships=2, villages=2)
        T1, T2 = ids["T1"], ids["T2"]
        h = _helper(s)
        gone = _helper(s, "已删帮扶人", deleted=True)

        # ---- 测试1镇: p1, p2, p3, p5 active; p4 exited; p6 enrolled after as_of
        p1 = f.person(s, T1, ids["V11"], name="甲一")
        _assign(s, p1, h)
        _visit(s, p1, D(2026, 3, 2))
        _visit(s, p1, D(2026, 3, 15))  # 2 visits in March: meets 一般 (2 a month)
        _assess(s, p1, "2026-03", D(2026, 3, 10))
        _guardian(s, p1, "有")
        _stamps(s, p1, reviewed=D(2026, 3, 2))

        p2 = f.person(s, T1, ids["V11"], name="乙二")
        _assign(s, p2, h, end=D(2026, 2, 1))  # assignment over
        _visit(s, p2, D(2026, 2, 20))  # none in March
        _assess(s, p2, "2025-09", D(2025, 9, 10))  # last round only
        _guardian(s, p2, "无", entrusted=True, signed=D(2026, 1, 10))  # signed agreement
        _stamps(s, p2, reviewed=D(2026, 2, 15))

        p3 = f.person(s, T1, ids["V12"], name="丙三", difficulty="特别困难", categories=("extremely_poor",),
                      birth=D(1950, 1, 1))
        _assign(s, p3, h)
        _visit(s, p3, D(2026, 3, 10))  # 1 of 4 required (特别困难: weekly)
        _assess(s, p3, "2026-03", D(2026, 3, 25))  # after as_of
        _stamps(s, p3, updated=utc(2026, 3, 5))

        p4 = f.person(s, T1, ids["V12"], name="丁四", status="已退出")
        p4.exited_on = D(2026, 2, 28)
        _assign(s, p4, h)
        _guardian(s, p4, "有")

        p5 = f.person(s, T1, ids["V11"], name="戊五", enrolled_on=D(2026, 3, 18))
        _guardian(s, p5, "待评估")
        _stamps(s, p5, created=utc(2026, 3, 18))

        f.person(s, T1, ids["V11"], name="己六", enrolled_on=D(2026, 3, 25))

        # ---- 测试2镇: q1, q2 active
        q1 = f.person(s, T2, ids["V21"], name="庚七")
        _assign(s, q1, h, start=D(2026, 3, 21))  # starts after as_of
        _visit(s, q1, D(2026, 3, 5))
        _visit(s, q1, D(2026, 3, 19))
        _guardian(s, q1, "有", deleted=True)
        rnd = AssessmentRound(period="2026-03", opened_on=D(2026, 3, 1))
        s.add(rnd)
        s.flush()
        s.add(Assessment(person_id=q1.id, round_id=rnd.id, period="2026-03", assessed_on=D(2026, 3, 1),
                         risk_level="低"))
        _stamps(s, q1)

        q2 = f.person(s, T2, ids["V22"], name="辛八")
        _assign(s, q2, gone)  # helper removed
        _visit(s, q2, D(2026, 3, 19), deleted=True)
        _visit(s, q2, D(2026, 1, 1))
        _stamps(s, q2, reviewed=D(2026, 3, 20))

        # ---- workforce and facilities
        _worker(s, "儿童主任", ids["V11"])
        _worker(s, "儿童主任", ids["V12"], left=D(2026, 3, 1))
        _worker(s, "儿童主任", ids["V21"], appointed=D(2026, 4, 1))
        _worker(s, "儿童主任", ids["V22"], deleted=True)
        _worker(s, "志愿者", ids["V11"])
        _worker(s, "志愿者", ids["V21"])
        _worker(s, "志愿者", ids["V22"], left=D(2026, 3, 20))
        _worker(s, "儿童督导员", T1)
        _worker(s, "看护岗", T2)
        _facility(s, "儿童之家", ids["V11"])
        _facility(s, "儿童之家", T2, status="建设中")
        _facility(s, "儿童之家", ids["V21"], standard=False)
        _facility(s, "寄宿制学校", T2, opened=D(2025, 9, 1))
        _facility(s, "寄宿制学校", T1, opened=D(2026, 4, 1))

        # ---- school statistics
        s.add_all([
            SchoolStat(township_id=T1, school_year="2025-2026", level="小学", enrolled=500, dropouts=2),
            SchoolStat(township_id=T2, school_year="2025-2026", level="小学", enrolled=300, dropouts=3),
            SchoolStat(township_id=T1, school_year="2024-2025", level="小学", enrolled=1000, dropouts=50),
            SchoolStat(township_id=T1, school_year="2024-2025", level="初中", enrolled=400, dropouts=8),
        ])

        # ---- incident cards
        def card(t, deadline, handled=None, closed=None, deleted=False):
            c = IncidentCard(township_id=t, source="学校", type="监护缺失", discovered_on=D(2026, 2, 1),
                             deadline=deadline, handled_at=handled, closed_at=closed, status="referred")
            if deleted:
                c.deleted_at = utc(2026, 3, 6)
            s.add(c)

        card(T1, D(2026, 3, 10), handled=utc(2026, 3, 9, 10))
        card(T1, D(2026, 3, 10), handled=utc(2026, 3, 10, 12))  # the deadline day itself
        card(T1, D(2026, 3, 12), handled=utc(2026, 3, 14))
        card(T1, D(2026, 3, 15))
        card(T1, D(2026, 3, 25))  # not yet due on as_of
        card(T2, D(2026, 2, 28), handled=utc(2026, 2, 27))  # last month
        card(T2, D(2026, 3, 1), closed=utc(2026, 3, 1, 9))
        card(T2, D(2026, 3, 5), deleted=True)

        # ---- joint-meeting tasks
        u = f.unit(s)

        def task(due, closed=None, deleted=False):
            t = Task(title=f"任务{due}", lead_unit_id=u.id, assigned_on=D(2026, 1, 5), due_on=due, closed_on=closed)
            if deleted:
                t.deleted_at = utc(2026, 3, 1)
            s.add(t)

        task(D(2026, 3, 10), closed=D(2026, 3, 9))
        task(D(2026, 3, 15), closed=D(2026, 3, 16))
        task(D(2026, 3, 18))
        task(D(2026, 2, 10), closed=D(2026, 2, 9))
        task(D(2026, 3, 12), deleted=True)
    return ids


# code -> (T1 numerator, T1 denominator, T2 numerator, T2 denominator, county num, county den)
EXPECTED = {
    "helper_rate": (2, 4, 0, 2, 2, 6),
    # monthly 按期 (care.person_month): p5 (enrolled 03-18) and p6 (03-25) owe 0 visits in March → left out
    "visit_on_time": (1, 3, 1, 2, 2, 5),
    # children only (p3 is 特困): p1 by period name, q1 by its round
    "assessment_rate": (1, 3, 1, 2, 2, 5),
    "guardianship_rate": (2, 3, 0, 2, 2, 5),
    "ledger_monthly": (3, 4, 1, 2, 4, 6),
    "director_coverage": (1, 2, 0, 2, 1, 4),
    "volunteer_coverage": (1, 2, 1, 2, 2, 4),
    "supervisor_coverage": (1, 1, 0, 1, 1, 2),
    "home_coverage": (1, 1, 0, 1, 1, 2),
    "boarding_coverage": (0, 1, 1, 1, 1, 2),
    "primary_dropout": (2, 500, 3, 300, 5, 800),
    "junior_dropout": (8, 400, 0, 0, 8, 400),  # only last school year reported: falls back to it
    "incident_on_time": (2, 4, 1, 1, 3, 5),
}


@pytest.fixture
def table(engine, county):
    with session_scope(engine, write=False) as s:
        return q.compute(s, OFFICE, PERIOD, today=TODAY)


def _cell(df, code, tid):
    r = df[(df["code"] == code) & (df["township_id"] == tid)]
    assert len(r) == 1, (code, tid)
    return r.iloc[0]


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_indicator_numerator_denominator(table, county, code):
    n1, d1, n2, d2, nc, dc = EXPECTED[code]
    for tid, n, d in ((county["T1"], n1, d1), (county["T2"], n2, d2), (q.TOTAL, nc, dc)):
        row = _cell(table, code, tid)
        assert (row["numerator"], row["denominator"]) == (n, d), (code, tid)


def test_task_on_time_is_county_only(table, county):
    # due 03-10 closed 03-09 (on time), 03-15 closed 03-16 (late), 03-18 open (overdue); Feb and deleted out
    row = _cell(table, "task_on_time", q.TOTAL)
    assert (row["numerator"], row["denominator"]) == (1, 3)
    assert _cell(table, "task_on_time", county["T1"])["status"] == ci.NO_DATA


def test_every_indicator_is_in_the_table(table):
    assert set(table["code"]) == set(ci.CODES)
    assert len(table) == len(ci.CODES) * 3  # two townships + county


def test_values_and_status_against_default_targets(table, county):
    r = _cell(table, "primary_dropout", county["T1"])  # 0.4 % ≤ 0.6 %
    assert r["value"] == pytest.approx(0.4) and r["status"] == ci.MET
    r = _cell(table, "primary_dropout", county["T2"])  # 1.0 % > 0.6 + 0.2
    assert r["value"] == pytest.approx(1.0) and r["status"] == ci.MISSED
    r = _cell(table, "primary_dropout", q.TOTAL)  # 0.625 % within the band
    assert r["status"] == ci.WARN
    assert _cell(table, "junior_dropout", county["T2"])["status"] == ci.NO_DATA
    assert _cell(table, "home_coverage", county["T1"])["status"] == ci.MET
    assert _cell(table, "helper_rate", county["T1"])["value"] == pytest.approx(50.0)


def test_targets_table_overrides_default_and_per_township(engine, county):
    from db.models import Target

    with session_scope(engine) as s:
        s.add(Target(indicator_code="helper_rate", township_id=None, target_value=40))
        s.add(Target(indicator_code="helper_rate", township_id=county["T2"], target_value=0))
    with session_scope(engine, write=False) as s:
        df = q.compute(s, OFFICE, PERIOD, ["helper_rate"], today=TODAY)
    t1 = _cell(df, "helper_rate", county["T1"])
    assert t1["target"] == 40 and t1["status"] == ci.MET  # 50 % ≥ 40 %
    t2 = _cell(df, "helper_rate", county["T2"])
    assert t2["target"] == 0 and t2["status"] == ci.MET
    total = _cell(df, "helper_rate", q.TOTAL)
    assert total["target"] == 40 and total["status"] == ci.MISSED  # 33.3 % is 6.7 points below, band 5


def test_township_user_sees_own_township_only(engine, county):
    me = Actor("t1", "township", township_id=county["T1"])
    with session_scope(engine, write=False) as s:
        df = q.compute(s, me, PERIOD, ["helper_rate", "director_coverage"], today=TODAY)
    assert set(df["township_id"]) == {county["T1"]}
    assert (_cell(df, "helper_rate", county["T1"])["numerator"], _cell(df, "helper_rate", county["T1"])["denominator"]) == (2, 4)


def test_complement_people_for_office(engine, county):
    with session_scope(engine, actor=OFFICE) as s:
        c = q.complement(s, OFFICE, "helper_rate", county["T1"], PERIOD, today=TODAY)
    assert c.count == 2
    assert sorted(c.rows["姓名"]) == ["乙二", "戊五"]
    assert all("*" in x for x in c.rows["身份证号"])  # ID masked even for office
    with session_scope(engine, write=False) as s:
        assert s.query(AuditLog).filter_by(action="view", entity="indicator", entity_id="helper_rate").count() == 1


def test_complement_county_wide_visits(engine, county):
    with session_scope(engine, actor=OFFICE) as s:
        c = q.complement(s, OFFICE, "visit_on_time", None, PERIOD, today=TODAY)
    assert sorted(c.rows["姓名"]) == ["丙三", "乙二", "辛八"]
    rows = c.rows.set_index("姓名")
    # March is judged to TODAY (the 20th): ordinary 2 × 20 // 31 = 1, weekly 1 × 20 // 7 = 2
    assert (rows.loc["辛八", "本月走访次数"], rows.loc["辛八", "应访次数"]) == (0, 1)  # deleted visit not counted
    assert (rows.loc["丙三", "本月走访次数"], rows.loc["丙三", "应访次数"]) == (1, 2)


def test_complement_leader_gets_count_only(engine, county):
    with session_scope(engine, actor=LEADER) as s:
        c = q.complement(s, LEADER, "guardianship_rate", None, PERIOD, today=TODAY)
    assert c.rows is None and c.count == 3  # 戊五, 庚七, 辛八


def test_complement_villages_with_vacancy_since(engine, county):
    with session_scope(engine, actor=LEADER) as s:
        c = q.complement(s, LEADER, "director_coverage", None, PERIOD, today=TODAY)
    rows = {r["村"]: r for _, r in c.rows.iterrows()}
    assert set(rows) == {"测试1-2村", "测试2-1村", "测试2-2村"}
    assert rows["测试1-2村"]["空缺起始"] == D(2026, 3, 1)
    assert rows["测试2-1村"]["说明"] == "从未配备"


def test_village_breakdown(engine, county):
    with session_scope(engine, write=False) as s:
        df = q.village_breakdown(s, OFFICE, "helper_rate", county["T1"], PERIOD, today=TODAY)
    got = {r["村"]: (r["numerator"], r["denominator"]) for _, r in df.iterrows()}
    assert got == {"测试1-1村": (1, 3), "测试1-2村": (1, 1)}


def test_trend_and_previous_month(engine, county):
    with session_scope(engine, write=False) as s:
        tr = q.trend(s, OFFICE, "helper_rate", PERIOD, months=3, today=TODAY)
        b = q.board(s, OFFICE, PERIOD, today=TODAY)
    assert list(tr["期间"]) == ["2026-01", "2026-02", "2026-03"]
    # January 31: p1 p2 p3 p4 (p2's assignment still running), q1 q2 active → helpers p1 p2 p3 p4 = 4/6
    assert (tr.iloc[0]["numerator"], tr.iloc[0]["denominator"]) == (4, 6)
    # February 28: p4 still in (exits on 02-28 → counted until then? exited_on > as_of is false) → p1 p3 / 5
    assert (tr.iloc[1]["numerator"], tr.iloc[1]["denominator"]) == (2, 5)
    row = b[(b["code"] == "helper_rate") & (b["township_id"] == q.TOTAL)].iloc[0]
    assert row["previous"] == pytest.approx(40.0) and row["change"] == pytest.approx(100 / 3 - 40)


def test_ranking_direction(table, county):
    r = q.ranking(table, "primary_dropout")
    assert list(r["乡镇"]) == ["测试1镇", "测试2镇"]  # lower is better
    r = q.ranking(table, "boarding_coverage")
    assert list(r["乡镇"]) == ["测试2镇", "测试1镇"]
