"""Closed months stored (issue 14): a closed month's indicator figures are computed once by the
builders and kept in indicator_months; a later correction of that month's data leaves them as
they are until the office's audited recompute; the open month stays live. SQLite and
PostgreSQL (`engine` fixture).

Judged on 2026-03-20: February is closed (since 2026-03-06), March is open."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from core import indicators as ci
from core.roles import Actor
from db.engine import get_engine, session_scope
from db.errors import ForbiddenError, ServiceError
from db.models import AuditLog, IndicatorMonth, Meeting, Visit
from areas.care import writes as care
from areas.indicators import reads as q
from areas.indicators import writes as svc
from tests import factories as f

D = dt.date
TODAY = D(2026, 3, 20)
CLOSED, OPEN = "2026-02", "2026-03"


@pytest.fixture
def county(engine):
    with session_scope(engine) as s:
        ids = f.county(s, townships=2, villages=1)
        ids["office"] = f.account(s, "office1", "office")
        ids["town"] = f.account(s, "town1", "township", township_id=ids["T1"])
        ids["admin"] = f.account(s, "admin1", "admin")
        people = {}
        for key, t, v in (("a", "T1", "V11"), ("b", "T1", "V11"), ("c", "T2", "V21")):
            p = f.person(s, ids[t], ids[v], name=f"人员{key}")
            people[key] = p.id
            s.add(Visit(person_id=p.id, visited_on=D(2026, 2, 3), service_types=["精神陪伴"]))
        # a: 2 visits in February (on time); b and c: 1 (short)
        s.add(Visit(person_id=people["a"], visited_on=D(2026, 2, 17), service_types=["精神陪伴"]))
        ids["people"] = people
    return ids


def _read(engine, label, actor, codes=None, today=TODAY):
    with session_scope(engine, write=False) as s:  # as a page reads: a read-only session
        return q.compute(s, actor, label, codes, today=today)


def _fresh(engine, label, today=TODAY):
    with session_scope(engine, write=False) as s:
        return {code: q.fresh_figures(s, code, ci.period(label, today)) for code in ci.CODES}


def _stored(engine, label):
    with session_scope(engine, write=False) as s:
        rows = s.execute(select(IndicatorMonth.code, IndicatorMonth.township_id, IndicatorMonth.numerator,
                                IndicatorMonth.denominator).where(IndicatorMonth.month == label)).all()
    out: dict[str, dict] = {}
    for code, tid, n, d in rows:
        out.setdefault(code, {})[tid] = (n, d)
    return out


def _shown(df) -> dict:
    """What a table shows for every indicator, county row included: (numerator, denominator)."""
    return {(r.code, r.township_id): (None, None) if pd.isna(r.numerator) else (int(r.numerator), int(r.denominator))
            for r in df.itertuples()}


def _visit(engine, actor, person_id, on):
    with session_scope(engine, actor=actor) as s:  # the real write service, as the page saves
        care.record_visit(s, actor, person_id=person_id, visited_on=on, helper_id=None,
                          service_types=["精神陪伴"], today=TODAY)


def _figure(df, code="visit_on_time", tid=q.TOTAL):
    r = df[(df["code"] == code) & (df["township_id"] == tid)].iloc[0]
    return int(r["numerator"]), int(r["denominator"])


def test_month_closes_after_the_late_entry_days():
    assert ci.closes_on("2026-02") == D(2026, 3, 1) + dt.timedelta(days=ci.LATE_ENTRY_DAYS)
    assert ci.closes_on("2026-12") == D(2027, 1, 1) + dt.timedelta(days=ci.LATE_ENTRY_DAYS)
    assert not ci.is_closed("2026-02", ci.closes_on("2026-02") - dt.timedelta(days=1))
    assert ci.is_closed("2026-02", ci.closes_on("2026-02"))
    assert not ci.is_closed("2026-03", TODAY)


def test_first_read_stores_the_closed_month_as_a_fresh_computation(engine, county):
    assert _stored(engine, CLOSED) == {}
    df = _read(engine, CLOSED, county["office"])
    stored = _stored(engine, CLOSED)
    fresh = _fresh(engine, CLOSED)
    assert set(stored) == set(ci.CODES)
    for code in ci.CODES:
        assert stored[code] == fresh[code], code
    assert _figure(df) == (1, 3)  # a on time; b and c one visit short
    assert _figure(df, tid=county["T1"]) == (1, 2)
    # what the board shows of the stored month equals the builders' own answer
    for (code, tid), shown in _shown(df).items():
        if ci.get(code).county_only and tid != q.TOTAL:
            assert shown == (None, None), (code, tid)
        else:
            assert shown == fresh[code].get(tid, (0, 0)), (code, tid)
    # a township user sees its own township of the same stored figures
    mine = _read(engine, CLOSED, county["town"])
    assert set(mine["township_id"]) == {county["T1"]}
    assert _figure(mine, tid=county["T1"]) == (1, 2)


def test_late_entries_inside_the_grace_days_are_still_counted_live(engine, county):
    in_grace = ci.closes_on(CLOSED) - dt.timedelta(days=1)
    assert _figure(_read(engine, CLOSED, county["office"], today=in_grace)) == (1, 3)
    assert _stored(engine, CLOSED) == {}  # not closed yet: nothing stored
    _visit(engine, county["office"], county["people"]["b"], D(2026, 2, 26))
    assert _figure(_read(engine, CLOSED, county["office"], today=in_grace)) == (2, 3)


def test_a_correction_changes_the_closed_month_only_through_the_audited_recompute(engine, county):
    office = county["office"]
    before = _read(engine, CLOSED, office)
    with session_scope(engine, write=False) as s:
        board = q.board(s, office, OPEN, today=TODAY)
        trend = q.trend(s, office, "visit_on_time", OPEN, months=3, today=TODAY)
    assert trend.set_index("期间").loc[CLOSED, "numerator"] == 1
    # a visit dated in the closed month, saved through the real write service
    _visit(engine, office, county["people"]["b"], D(2026, 2, 26))
    assert _fresh(engine, CLOSED)["visit_on_time"][q.TOTAL] == (2, 3)  # the data did change
    after = _read(engine, CLOSED, office)
    assert _shown(after) == _shown(before)  # the stored figures did not
    with session_scope(engine, write=False) as s:
        board2 = q.board(s, office, OPEN, today=TODAY)
        trend2 = q.trend(s, office, "visit_on_time", OPEN, months=3, today=TODAY)
    assert board2["previous"].fillna(-1).tolist() == board["previous"].fillna(-1).tolist()
    assert trend2.set_index("期间").loc[CLOSED, "numerator"] == 1

    with session_scope(engine, actor=office) as s:
        result = svc.recompute_month(s, office, CLOSED, "补录了2月26日的走访", today=TODAY)
    assert result["visit_on_time"] == ((1, 3), (2, 3))
    fresh = _fresh(engine, CLOSED)
    assert _stored(engine, CLOSED) == fresh
    assert _figure(_read(engine, CLOSED, office)) == (2, 3)
    with session_scope(engine, write=False) as s:
        trend3 = q.trend(s, office, "visit_on_time", OPEN, months=3, today=TODAY)
        audit = s.execute(select(AuditLog).where(AuditLog.entity == "indicator_month")).scalars().all()
    assert trend3.set_index("期间").loc[CLOSED, "numerator"] == 2
    assert len(audit) == 1
    row = audit[0]
    assert (row.username, row.action, row.entity_id) == ("office1", "update", CLOSED)
    assert "补录了2月26日的走访" in row.summary
    assert row.changes == {ci.get("visit_on_time").name: ["1/3", "2/3"]}


def test_meeting_pack_and_slides_compare_with_the_stored_month(engine, county):
    """The pack's 上次会议时 column and the slides' board read the closed month as stored."""
    from areas.meetings import pack
    from areas.meetings import slide_reads

    office = county["office"]
    with session_scope(engine) as s:
        s.add(Meeting(kind="全体会议", held_on=D(2026, 2, 20), title="2月全体会议"))
    _read(engine, CLOSED, office)  # stored: 1/3 on time
    _visit(engine, office, county["people"]["b"], D(2026, 2, 26))  # live it would be 2/3

    def previous():
        with session_scope(engine, actor=office) as s:  # the pack is built inside an action
            tables, _ = pack.collect(s, office, TODAY)
        long = next(t.df for t in tables if t.key == "关键指标明细")
        row = long[(long["乡镇"] == q.TOTAL_NAME) & (long["指标"] == ci.get("visit_on_time").name)].iloc[0]
        return round(float(row["上次会议时(%)"]), 1)

    assert previous() == 33.3
    with session_scope(engine, write=False) as s:
        board = q.board(s, office, OPEN, today=TODAY)
    assert board.set_index(["code", "township_id"]).loc[("visit_on_time", q.TOTAL), "previous"] == pytest.approx(100 / 3)
    assert slide_reads.red_flags(board)["乡镇"].tolist() == ["测试1镇", "测试2镇"]
    with session_scope(engine, actor=office) as s:
        svc.recompute_month(s, office, CLOSED, "补录走访", today=TODAY)
    assert previous() == 66.7


def test_the_open_month_stays_live(engine, county):
    office = county["office"]
    assert _figure(_read(engine, OPEN, office)) == (0, 3)
    _visit(engine, office, county["people"]["a"], D(2026, 3, 2))
    _visit(engine, office, county["people"]["a"], D(2026, 3, 16))
    assert _figure(_read(engine, OPEN, office)) == (1, 3)
    assert _stored(engine, OPEN) == {}


def test_targets_apply_at_read_time_to_a_stored_month(engine, county):
    office = county["office"]
    assert _read(engine, CLOSED, office, ["visit_on_time"]).set_index("township_id").loc[q.TOTAL, "target"] == 95.0
    with session_scope(engine, actor=office) as s:
        svc.set_target(s, office, "visit_on_time", 30.0)
    df = _read(engine, CLOSED, office, ["visit_on_time"]).set_index("township_id")
    assert df.loc[q.TOTAL, "target"] == 30.0 and df.loc[q.TOTAL, "status"] == ci.MET  # 33.3 % ≥ 30 %


def test_two_first_reads_store_the_month_once(engine, county, monkeypatch):
    office = county["office"]
    _read(engine, CLOSED, office)
    with session_scope(engine, write=False) as s:
        rows = s.scalar(select(func.count()).select_from(IndicatorMonth))
    # the second reader started before the first had stored: it saw nothing and stores again
    monkeypatch.setattr(q, "stored_figures", lambda *a, **k: {})
    _read(engine, CLOSED, office)
    with session_scope(engine, write=True) as s:  # and inside a write transaction (a savepoint)
        q.compute(s, office, CLOSED, today=TODAY)
    monkeypatch.undo()
    with session_scope(engine, write=False) as s:
        assert s.scalar(select(func.count()).select_from(IndicatorMonth)) == rows
    assert _stored(engine, CLOSED) == _fresh(engine, CLOSED)


def test_recompute_is_the_offices_and_needs_a_closed_month_and_a_reason(engine, county):
    for who in ("town", "admin"):
        with pytest.raises(ForbiddenError), session_scope(engine, actor=county[who]) as s:
            svc.recompute_month(s, county[who], CLOSED, "原因", today=TODAY)
    office = county["office"]
    with pytest.raises(ServiceError, match="尚未关账"), session_scope(engine, actor=office) as s:
        svc.recompute_month(s, office, OPEN, "原因", today=TODAY)
    with pytest.raises(ServiceError, match="重算原因"), session_scope(engine, actor=office) as s:
        svc.recompute_month(s, office, CLOSED, "  ", today=TODAY)
    presenting = Actor("office1", "office", presentation=True)
    with pytest.raises(ForbiddenError), session_scope(engine, actor=presenting) as s:
        svc.recompute_month(s, presenting, CLOSED, "原因", today=TODAY)
    assert _stored(engine, CLOSED) == {}


def test_targets_page_recompute_control_for_the_office(sqlite_url, monkeypatch):
    """The control on 指标目标: the office picks a closed month, gives the reason, recomputes
    (through run_action: audited); an admin, who may open the page, gets no control."""
    import streamlit as st

    from tests.harness import all_text, app_test
    from tests.indicators.test_pages import seed

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    st.cache_data.clear()
    seed(sqlite_url, 3)
    engine = get_engine(sqlite_url)
    at = app_test("office1", "targets")
    assert not at.exception
    last_closed = at.selectbox(key="recompute_month").value
    assert ci.is_closed(last_closed) and not ci.is_closed(ci.shift_month(last_closed, 1))
    at.button(key="recompute_go").click().run()  # no reason: refused, nothing stored
    assert "请填写重算原因" in all_text(at)
    assert _stored(engine, last_closed) == {}
    at.text_input(key="recompute_reason").set_value("更正了走访记录")
    at.button(key="recompute_go").click().run()
    assert not at.exception
    assert _stored(engine, last_closed) == _fresh(engine, last_closed, today=dt.date.today())
    with session_scope(engine, write=False) as s:
        row = s.execute(select(AuditLog).where(AuditLog.entity == "indicator_month")).scalar_one()
    assert (row.username, row.entity_id) == ("office1", last_closed) and "更正了走访记录" in row.summary
    admin = app_test("admin1", "targets")
    assert not admin.exception
    assert not [b for b in admin.button if b.key == "recompute_go"]
    assert "只有联席办（民政局）可以重算" in all_text(admin)
