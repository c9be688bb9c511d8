"""学年统计 (issue 15 item 5): entered by form or imported from Excel, all or nothing, and
feeding the 辍学率 indicators (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import pytest
from sqlalchemy import func, select

from core import schools
from core.roles import Actor
from db.engine import session_scope
from db.errors import ForbiddenError, ServiceError
from db.models import AuditLog, SchoolStat
from areas.indicators import reads as iq
from areas.registry.importer import ImportRefused
from areas.schools import reads as q
from areas.schools import writes as svc
from tests import factories as f
from tests.app.conftest import app_db  # noqa: F401  (the AppTest county)
from tests.harness import app_test

OFFICE = Actor("office1", "office")


def test_school_year_and_counts_rules():
    assert schools.school_year("2025—2026学年") == ("2025-2026", None)
    assert schools.school_year("2025/2026")[0] == "2025-2026"
    assert schools.school_year("2025-2027")[1] == "学年「2025-2027」的两个年份应相邻，如 2025-2026"
    assert schools.school_year("25-26")[0] is None
    assert schools.current_school_year(dt.date(2026, 8, 31)) == "2025-2026"
    assert schools.current_school_year(dt.date(2026, 9, 1)) == "2026-2027"
    assert schools.counts(1200.0, "3") == ((1200, 3), [])
    assert schools.counts(3, 5)[1] == ["辍学人数（5）不能多于在校生数（3）"]
    assert schools.counts(-1, None)[1] == ["在校生数应为不小于0的整数，而不是「-1」", "辍学人数为空"]


@pytest.fixture
def county(engine):
    with session_scope(engine) as s:
        return f.county(s, townships=2, villages=1)


def book(rows):
    return f.workbook(svc.TEMPLATE_HEADER, rows)


def _dropout(engine, code, label, today):
    with session_scope(engine, write=False) as s:
        df = iq.compute(s, OFFICE, label, [code], today=today)
    r = df[df["township_id"] == iq.TOTAL].iloc[0]
    return int(r["numerator"]), int(r["denominator"])


def test_form_then_import_feed_the_dropout_indicators(engine, county):
    with session_scope(engine, actor=OFFICE) as s:
        assert svc.set_stat(s, OFFICE, county["T1"], "2025-2026", "小学", 500, 2) == "新增"
    with session_scope(engine, actor=OFFICE) as s:
        assert svc.set_stat(s, OFFICE, county["T1"], "2025-2026", "小学", 500, 2) == "无变化"
        assert svc.set_stat(s, OFFICE, county["T1"], "2025-2026", "小学", 500, 3) == "更新"
    data = book([["2025-2026", "测试2镇", "小学", 300, 1], ["2025-2026", "测试1镇", "初中", 400, 4]])
    with session_scope(engine, actor=OFFICE) as s:
        assert svc.import_stats(s, OFFICE, "学年统计.xlsx", data) == {"新增": 2, "更新": 0, "无变化": 0}
    with session_scope(engine, actor=OFFICE) as s:  # the same file again changes nothing
        assert svc.import_stats(s, OFFICE, "学年统计.xlsx", data) == {"新增": 0, "更新": 0, "无变化": 2}
    assert _dropout(engine, "primary_dropout", "2026-03", dt.date(2026, 3, 20)) == (4, 800)
    assert _dropout(engine, "junior_dropout", "2026-03", dt.date(2026, 3, 20)) == (4, 400)
    with session_scope(engine, write=False) as s:
        table = q.stats(s, OFFICE, "2025-2026")
        assert list(table["辍学率%"]) == [0.6, 1.0, 0.33]  # T1 小学 3/500, T1 初中 4/400, T2 小学 1/300
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "school_stat")) >= 5


def test_bad_rows_refuse_the_whole_table(engine, county):
    rows = [["2025-2026", "测试1镇", "小学", 500, 2], ["2025-2027", "测试1镇", "小学", 1, 0],
            ["2025-2026", "外县镇", "小学", 1, 0], ["2025-2026", "测试1镇", "高中", 1, 0],
            ["2025-2026", "测试2镇", "初中", 10, 11], ["2025-2026", "测试1镇", "小学", 500, 2],
            ["2025-2026", "测试2镇", "小学", "=1+1", 0]]
    with pytest.raises(ImportRefused) as e, session_scope(engine, actor=OFFICE) as s:
        svc.import_stats(s, OFFICE, "学年统计.xlsx", book(rows))
    assert [(i.row, i.column) for i in e.value.issues] == [(3, "学年"), (4, "乡镇"), (5, "学段"), (6, "辍学人数"),
                                                             (7, "乡镇"), (8, None)]
    with session_scope(engine, write=False) as s:
        assert s.scalar(select(func.count()).select_from(SchoolStat)) == 0


def test_form_refusals_and_who_may(engine, county):
    with pytest.raises(ServiceError, match="不能多于"), session_scope(engine, actor=OFFICE) as s:
        svc.set_stat(s, OFFICE, county["T1"], "2025-2026", "初中", 3, 4)
    tw = Actor("tw1", "township", township_id=county["T1"])
    with pytest.raises(ForbiddenError), session_scope(engine, actor=tw) as s:
        svc.set_stat(s, tw, county["T1"], "2025-2026", "初中", 3, 1)


def test_the_tab_saves_through_the_form(app_db):
    at = app_test("office", "workforce")
    assert not at.exception
    at.selectbox(key="ss_town").set_value(app_db["ids"]["T1"])
    at.number_input(key="ss_enrolled").set_value(900)
    at.number_input(key="ss_dropouts").set_value(9)
    next(b for b in at.button if b.label == "保存学年统计").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("学年" in m.value and "新增" in m.value for m in at.success)
    [table] = [d.value for d in at.dataframe if "辍学率%" in d.value.columns]
    assert list(zip(table["在校生数"], table["辍学人数"], table["辍学率%"])) == [(900, 9, 1.0)]
