"""队伍与阵地名单导入 (issue 15 items 5 and 8): workers and facilities from Excel or CSV — a
preview, all or nothing, the same roster again changes nothing, the vacancy rule as by hand,
a township account only its own rows (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core import uploads
from core.roles import Actor
from db.engine import session_scope
from db.errors import ServiceError
from db.models import AuditLog, Facility, Region, Worker
from areas.registry.importer import ImportRefused
from areas.workforce import reads as wq
from areas.workforce import roster_import as svc
from areas.workforce import writes as ws
from tests import factories as f

OFFICE = Actor("office1", "office")
TODAY = dt.date(2026, 6, 1)
W, F = svc.TEMPLATE_HEADER[svc.WORKER], svc.TEMPLATE_HEADER[svc.FACILITY]


@pytest.fixture
def county(engine):
    with session_scope(engine) as s:
        ids = f.county(s, townships=2, villages=2)
        # a village name that repeats in another township: matched by (乡镇, 村)
        s.add(Region(code="429901002009", name="测试1-1村", level="village", parent_id=ids["T2"], sort_order=9))
        s.flush()
        ids["V2dup"] = s.scalar(select(Region.id).where(Region.code == "429901002009"))
        return ids


def book(header, rows) -> bytes:
    wb = Workbook()
    wb.active.append(header)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD_WORKERS = [
    ["儿童主任", "王芳", "测试1镇", "测试1-1村", None, "13912345678", "2024-03-01", None, "2025-05-20"],
    ["儿童主任", "赵敏", "测试2镇", "测试1-1村", None, None, dt.date(2024, 4, 1), None, None],  # the repeated name
    ["儿童督导员", "李四", "测试1镇", None, None, None, "2023年9月1日", None, None],
    ["志愿者", "陈晨", None, None, "429901002001", "0718-1234567", "2025/1/2", None, None],
    ["儿童主任", "前任", "测试1镇", "测试1-2村", None, None, "2020-01-01", "2023-12-31", None],
    ["儿童主任", "现任", "测试1镇", "测试1-2村", None, None, "2024-01-01", None, None],
]
GOOD_SITES = [
    ["儿童之家", "一村儿童之家", "测试1镇", "测试1-1村", None, "运行", "是", "2022-06-01"],
    ["寄宿制学校", "测试1镇中学", "测试1镇", None, None, None, None, None],
    ["儿童之家", "二村儿童之家", "测试2镇", "测试2-2村", None, "建设中", "否", None],
]


def _import(engine, actor, what, data, name="名单.xlsx"):
    with session_scope(engine, actor=actor) as s:
        return svc.apply(s, actor, what, name, data, today=TODAY)


def _count(engine, model):
    with session_scope(engine, write=False) as s:
        return s.scalar(select(func.count()).select_from(model).where(model.deleted_at.is_(None)))


def test_workers_then_the_same_roster_again_changes_nothing(engine, county):
    data = book(W, GOOD_WORKERS)
    assert _import(engine, OFFICE, svc.WORKER, data) == {"新增": 6, "更新": 0, "无变化": 0}
    assert _import(engine, OFFICE, svc.WORKER, data) == {"新增": 0, "更新": 0, "无变化": 6}
    with session_scope(engine, write=False) as s:
        by_name = {w.name: w for w in s.scalars(select(Worker))}
        assert by_name["赵敏"].region_id == county["V2dup"] and by_name["王芳"].region_id == county["V11"]
        assert by_name["李四"].region_id == county["T1"] and by_name["陈晨"].region_id == county["V21"]
        assert by_name["李四"].appointed_on == dt.date(2023, 9, 1) and by_name["前任"].left_on == dt.date(2023, 12, 31)
        vacant = wq.vacancies(s, OFFICE, TODAY)
        # left vacant: the two villages of 测试2镇 without a row, and its 督导员 (测试2镇's 测试1-1村 is filled)
        assert sorted(zip(vacant["岗位"], vacant["乡镇"], vacant["村（社区）"])) == [
            ("儿童主任", "测试2镇", "测试2-1村"), ("儿童主任", "测试2镇", "测试2-2村"), ("儿童督导员", "测试2镇", "")]
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "worker", AuditLog.action == "import")) == 2
    # a changed phone (matched by 类别, 姓名, 区划, 任职日期) is an update, not a second 王芳
    rows = [list(r) for r in GOOD_WORKERS]
    rows[0][5] = "13900000000"
    assert _import(engine, OFFICE, svc.WORKER, book(W, rows)) == {"新增": 0, "更新": 1, "无变化": 5}
    assert _count(engine, Worker) == 6


def test_facilities_then_again_and_a_csv_in_gbk(engine, county):
    assert _import(engine, OFFICE, svc.FACILITY, book(F, GOOD_SITES)) == {"新增": 3, "更新": 0, "无变化": 0}
    text = "\n".join(",".join("" if v is None else str(v) for v in r) for r in [F, *GOOD_SITES])
    csv_gbk = text.replace("建设中", "运行").encode("gbk")
    assert _import(engine, OFFICE, svc.FACILITY, csv_gbk, "阵地.csv") == {"新增": 0, "更新": 1, "无变化": 2}
    with session_scope(engine, write=False) as s:
        sites = {x.name: x for x in s.scalars(select(Facility))}
        assert sites["二村儿童之家"].status == "运行" and sites["二村儿童之家"].standard is False
        assert sites["测试1镇中学"].region_id == county["T1"] and sites["测试1镇中学"].status == "运行"


def test_bad_rows_refuse_the_whole_roster(engine, county):
    with session_scope(engine, actor=OFFICE) as s:  # serving since 2024: a second one in the file clashes
        ws.add_worker(s, OFFICE, kind="儿童主任", name="在任者", region_id=county["V22"], phone=None,
                      appointed_on=dt.date(2024, 1, 1), today=TODAY)
    rows = GOOD_WORKERS[:1] + [
        ["儿童主任", "甲", "测试1镇", "无此村", None, None, "2024-01-01", None, None],
        ["儿童主任", "乙", "测试1镇", "测试2-1村", None, None, "2024-01-01", None, None],
        ["队长", "丙", "测试1镇", "测试1-2村", None, None, "2024-01-01", None, None],
        ["志愿者", "丁", "测试1镇", "测试1-2村", None, None, "去年", None, None],
        ["儿童主任", "王芳", "测试1镇", "测试1-1村", None, None, "2024-03-01", None, None],
        ["志愿者", "=HYPERLINK(\"x\")", "测试1镇", "测试1-2村", None, None, "2024-01-01", None, None],
        ["儿童主任", "戊", "测试2镇", "测试2-2村", None, None, "2025-01-01", None, None],
        ["儿童督导员", "己", "测试1镇", "测试1-1村", None, None, "2024-01-01", None, None],
        ["志愿者", "庚", "外县镇", None, None, None, "2024-01-01", None, None],
        ["志愿者", "辛", None, None, "4299010020", None, "2024-01-01", None, None],
        ["志愿者", "壬", "测试1镇", "测试1-2村", None, "123", "2024-01-01", "2023-01-01", None],
    ]
    with pytest.raises(ImportRefused) as e:
        _import(engine, OFFICE, svc.WORKER, book(W, rows))
    got = [(i.row, i.column, i.reason) for i in e.value.issues]
    assert [(r, c) for r, c, _ in got] == [
        (3, "村（社区）"), (4, "村（社区）"), (5, "类别"), (6, "任职日期"), (7, "姓名"), (8, None), (9, None),
        (10, "村（社区）"), (11, "乡镇"), (12, "区划代码"), (13, "离任日期"), (13, "联系电话")], got
    reasons = dict(((r, c), why) for r, c, why in got)
    assert reasons[(3, "村（社区）")] == "在测试1镇找不到村（社区）「无此村」"
    assert reasons[(4, "村（社区）")] == "「测试2-1村」不属于测试1镇（属于测试2镇）"
    assert reasons[(7, "姓名")] == "与第2行重复（类别、姓名、区划和任职日期相同）"
    assert "公式" in reasons[(8, None)] and "已有在任儿童主任「在任者」" in reasons[(9, None)]
    assert _count(engine, Worker) == 1  # nothing of the file, not even its good first row


def test_a_second_holder_of_one_post_in_the_same_roster_is_refused(engine, county):
    rows = [["儿童主任", "甲", "测试1镇", "测试1-1村", None, None, "2024-01-01", None, None],
            ["儿童主任", "乙", "测试1镇", "测试1-1村", None, None, "2025-01-01", None, None]]
    with pytest.raises(ImportRefused) as e:
        _import(engine, OFFICE, svc.WORKER, book(W, rows))
    assert [i.reason for i in e.value.issues] == ["与第2行同为测试1-1村的儿童主任，任职时间重叠（每村只设1名）"]
    assert _count(engine, Worker) == 0


def test_a_handover_in_one_roster(engine, county):
    old = ["儿童主任", "王芳", "测试1镇", "测试1-1村", None, None, "2024-03-01", None, None]
    new = ["儿童主任", "接任者", "测试1镇", "测试1-1村", None, None, "2026-01-01", None, None]
    _import(engine, OFFICE, svc.WORKER, book(W, [old]))
    with pytest.raises(ImportRefused, match="1 处问题") as e:  # the new one alone: 王芳 still serves
        _import(engine, OFFICE, svc.WORKER, book(W, [old, new]))
    assert [(i.row, i.reason) for i in e.value.issues] == [(3, "与第2行同为测试1-1村的儿童主任，任职时间重叠（每村只设1名）")]
    with pytest.raises(ImportRefused) as e:
        _import(engine, OFFICE, svc.WORKER, book(W, [new]))
    assert "已有在任儿童主任「王芳」" in e.value.issues[0].reason
    left = old[:7] + ["2026-01-01", None]  # her 离任日期 and her successor in the same file
    assert _import(engine, OFFICE, svc.WORKER, book(W, [left, new])) == {"新增": 1, "更新": 1, "无变化": 0}
    with session_scope(engine, write=False) as s:
        vacant = wq.vacancies(s, OFFICE, TODAY)
        assert ("测试1镇", "测试1-1村") not in set(zip(vacant["乡镇"], vacant["村（社区）"]))
        assert {w.name: w.left_on for w in s.scalars(select(Worker))} == {"王芳": dt.date(2026, 1, 1), "接任者": None}


def test_facility_rows_and_oversize_and_no_header(engine, county):
    rows = GOOD_SITES + [["儿童之家", "一村儿童之家", "测试1镇", "测试1-1村", None, "运行", "是", None],
                         ["文化站", "x", "测试1镇", None, None, None, None, None],
                         ["儿童之家", "y", "测试1镇", None, None, "关门", None, None],
                         ["儿童之家", "z", "测试1镇", None, None, None, "也许", None]]
    with pytest.raises(ImportRefused) as e:
        _import(engine, OFFICE, svc.FACILITY, book(F, rows))
    assert [(i.row, i.column) for i in e.value.issues] == [(5, "名称"), (6, "类别"), (7, "状态"), (8, "达标")]
    big = book(F, GOOD_SITES) + b"\0" * (uploads.ROSTER.max_bytes + 1)
    with pytest.raises(ImportRefused, match="MB|过大|超过"):
        _import(engine, OFFICE, svc.FACILITY, big)
    with pytest.raises(ImportRefused) as e:
        _import(engine, OFFICE, svc.FACILITY, book(["名字", "地方"], [["a", "b"]]))
    assert "找不到表头" in e.value.issues[0].reason
    assert _count(engine, Facility) == 0


def test_a_township_imports_its_own_rows_only(engine, county):
    with session_scope(engine) as s:
        tw = f.account(s, "tw1", "township", township_id=county["T1"])
    mine = [r for r in GOOD_WORKERS if r[2] == "测试1镇"]
    with pytest.raises(ImportRefused) as e:
        _import(engine, tw, svc.WORKER, book(W, GOOD_WORKERS))
    assert [(i.row, i.column, i.reason) for i in e.value.issues] == [
        (3, "乡镇", "只能维护本乡镇的队伍与阵地。"), (5, "乡镇", "只能维护本乡镇的队伍与阵地。")]
    assert _import(engine, tw, svc.WORKER, book(W, mine))["新增"] == len(mine) == 4
    unit = Actor("u1", "unit", unit_id=1)
    with pytest.raises(ServiceError, match="不能维护队伍与阵地"), session_scope(engine, actor=unit) as s:
        svc.preview(s, unit, svc.WORKER, "名单.xlsx", book(W, mine), today=TODAY)


def test_the_templates_are_what_the_import_reads():
    for what in (svc.WORKER, svc.FACILITY):
        wb = load_workbook(io.BytesIO(svc.template(what)))
        assert [c.value for c in wb.active[1]] == svc.TEMPLATE_HEADER[what]
