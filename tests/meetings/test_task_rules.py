"""core.tasks: status derivation, on time vs late, who may do what (pure)."""
import datetime as dt

from core import tasks as r

D = dt.date
DUE = D(2026, 3, 31)


def test_status_from_dates_and_updates():
    assert r.derive_status(DUE, D(2026, 3, 1)) == "未开始"
    assert r.derive_status(DUE, D(2026, 3, 1), last_report_on=D(2026, 2, 1)) == "推进中"
    # a report dated after "today" does not count yet
    assert r.derive_status(DUE, D(2026, 3, 1), last_report_on=D(2026, 3, 5)) == "未开始"
    assert r.derive_status(DUE, DUE) == "未开始"  # due today is not overdue
    assert r.derive_status(DUE, D(2026, 4, 1)) == "已逾期"
    assert r.derive_status(DUE, D(2026, 4, 1), last_report_on=D(2026, 3, 1)) == "已逾期"
    assert r.derive_status(DUE, D(2026, 4, 1), closed_on=D(2026, 4, 1)) == "已完成"
    # accepted after "today": not complete yet on that day
    assert r.derive_status(DUE, D(2026, 3, 20), closed_on=D(2026, 3, 25)) == "未开始"


def test_claim_in_time_is_not_overdue_while_the_office_reviews():
    assert r.derive_status(DUE, D(2026, 4, 20), claimed_on=D(2026, 3, 30)) == "推进中"
    assert r.derive_status(DUE, D(2026, 4, 20), claimed_on=D(2026, 4, 2)) == "已逾期"
    assert r.awaiting_acceptance(None, D(2026, 3, 30)) and not r.awaiting_acceptance(D(2026, 4, 1), D(2026, 3, 30))


def test_on_time_vs_late_and_days_late():
    assert r.timeliness(DUE, D(2026, 4, 5), D(2026, 3, 30)) == "按期办结"  # the accepted claim counts
    assert r.timeliness(DUE, D(2026, 4, 5), None) == "逾期办结"
    assert r.timeliness(DUE, None, D(2026, 3, 30)) is None
    assert r.days_late(DUE, D(2026, 5, 1), closed_on=D(2026, 4, 12), claimed_on=D(2026, 4, 10)) == 10
    assert r.days_late(DUE, D(2026, 5, 1)) == 31
    assert r.days_late(DUE, D(2026, 5, 1), claimed_on=D(2026, 3, 1)) == 0


def test_scorecard_rate_and_average():
    sc = r.Scorecard(assigned=4, on_time=1, late=1, overdue=1, open_not_due=1, total_days_late=71)
    assert sc.due == 3 and round(sc.rate, 4) == 0.3333 and sc.avg_days_late == 35.5
    empty = r.Scorecard(0, 0, 0, 0, 0, 0)
    assert empty.rate is None and empty.avg_days_late is None


def test_a_unit_can_never_accept_and_only_the_lead_claims():
    lead, co, other = 1, 2, 3
    assert r.allowed_actions("unit", lead, lead, [co], closed=False, claimed=False) == {"report", "claim"}
    assert r.allowed_actions("unit", co, lead, [co], closed=False, claimed=False) == {"report"}
    assert r.allowed_actions("unit", other, lead, [co], closed=False, claimed=False) == set()
    for claimed in (False, True):
        assert "accept" not in r.allowed_actions("unit", lead, lead, [co], closed=False, claimed=claimed)
    assert r.allowed_actions("office", None, lead, [co], closed=False, claimed=True) == {"remind", "accept", "return"}
    assert r.allowed_actions("office", None, lead, [co], closed=True, claimed=True) == set()
    assert r.allowed_actions("leader", None, lead, [co], closed=False, claimed=True) == set()
    assert r.allowed_actions("office", None, lead, [co], closed=False, claimed=True, read_only=True) == set()


def test_validation_messages():
    assert r.validate_progress(50, D(2026, 3, 1), D(2026, 3, 2), D(2026, 1, 1)) == []
    assert r.validate_progress(101, D(2026, 3, 1), D(2026, 3, 2), D(2026, 1, 1)) == ["进度须为0到100之间的整数"]
    assert r.validate_progress(50, D(2026, 3, 3), D(2026, 3, 2), D(2026, 1, 1)) == ["报送日期不能晚于今天"]
    assert r.validate_decision("", "", D(2026, 1, 1), D(2025, 1, 1)) == [
        "请填写议定事项名称", "请填写验收标准（怎样算办结）", "办结时限不能早于交办日期"]
