"""Import (bad inputs each refused with row/column/reason, nothing written; idempotent re-import)
and export (masking, escaping, audit, scope)."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core import idnumber
from core.excel_safety import UploadLimits
from areas.registry import exporter
from areas.registry import importer
from db.engine import session_scope
from db.models import AuditLog, Helper, LedgerTouch, Person
from areas.registry.reads import RegistryFilter
from tests import factories as f
from tests.registry.conftest import TODAY

V11, V12, V21 = "测试1-1村", "测试1-2村", "测试2-1村"
HEAD = ["序号", "姓名", "性别", "身份证号码", "人员类别", "帮扶责任人(职务)", "帮扶措施", "联系电话", "备注"]


def new_id(seq, birth=dt.date(2016, 3, 8), gender="女"):
    return idnumber.make("429901", birth, seq, gender)


def id_ending_x():
    for seq in range(0, 999, 2):
        v = idnumber.make("429901", dt.date(2016, 3, 8), seq, "女")
        if v.endswith("X"):
            return v
    raise AssertionError


def ledger_xlsx(rows, village=V11, title=True, header=HEAD, sheet="Sheet1"):
    above = [["测试1镇农村留守儿童关爱帮扶台账"], [f"村(居)：{village}" if village else "填报单位：测试1镇"]]
    return f.workbook(header, rows, above if title else (), sheet)


def row(seq, name, idn, cat="农村留守儿童", helper="周帮扶（村支书）", measure="每月走访", phone="13800001111", note="",
        gender="女"):
    return [seq, name, gender, idn, cat, helper, measure, phone, note]


def people_count(engine):
    with session_scope(engine, write=False) as s:
        return s.scalar(select(func.count()).select_from(Person))


def import_audits(engine):
    with session_scope(engine, write=False) as s:
        return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "import"))


def run_preview(w, data, filename="台账.xlsx", actor="tw1", limits=None):
    with session_scope(w["engine"], write=False) as s:
        return importer.preview(s, w[actor], filename, data, TODAY, limits)


def run_apply(w, data, filename="台账.xlsx", actor="tw1", limits=None):
    with session_scope(w["engine"], actor=w[actor]) as s:
        return importer.apply(s, w[actor], filename, data, TODAY, limits)


def assert_refused(w, data, expected, filename="台账.xlsx", limits=None):
    """`expected`: list of (row, column, reason fragment). Preview and apply both refuse; nothing written."""
    before = people_count(w["engine"])
    pv = run_preview(w, data, filename, limits=limits)
    got = [(i.row, i.column, i.reason) for i in pv.errors]
    for r, c, frag in expected:
        assert any(gr == r and gc == c and frag in reason for gr, gc, reason in got), (r, c, frag, got)
    assert len(got) == len(expected), got
    with pytest.raises(importer.ImportRefused):
        run_apply(w, data, filename, limits=limits)
    assert people_count(w["engine"]) == before
    assert import_audits(w["engine"]) == 0


def test_good_ledger_import_then_reimport_is_idempotent(world):
    eng = world["engine"]
    data = ledger_xlsx([row(1, "新甲", new_id(501)), row(2, "新乙", new_id(503), cat="困境儿童（经济困难）、低保")])
    pv = run_preview(world, data)
    assert pv.errors == [] and pv.counts() == {"add": 2, "update": 0, "unchanged": 0}
    assert people_count(eng) == 6  # preview wrote nothing
    assert run_apply(world, data) == {"add": 2, "update": 0, "unchanged": 0}
    assert people_count(eng) == 8
    assert run_apply(world, data) == {"add": 0, "update": 0, "unchanged": 2}
    assert people_count(eng) == 8
    changed = ledger_xlsx([row(1, "新甲", new_id(501), phone="13900002222"), row(2, "新乙", new_id(503), cat="困境儿童（经济困难）、低保")])
    assert run_apply(world, changed) == {"add": 0, "update": 1, "unchanged": 1}
    with session_scope(eng, write=False) as s:
        p = s.scalar(select(Person).where(Person.id_number == new_id(501)))
        assert (p.phone, p.village_id, p.township_id, p.gender, p.birth_date) == (
            "13900002222", world["ids"]["V11"], world["ids"]["T1"], "女", dt.date(2016, 3, 8))
        assert s.scalar(select(func.count()).select_from(Helper).where(Helper.name == "周帮扶")) == 1  # reused
        b = s.scalar(select(Person).where(Person.id_number == new_id(503)))
        assert sorted((c.category, c.subtype) for c in b.categories) == [
            ("child_in_difficulty", "经济困难"), ("subsistence_allowance", None)]
        summaries = list(s.scalars(select(AuditLog.summary).where(AuditLog.action == "import").order_by(AuditLog.id)))
    assert summaries[-1].endswith("新增0人，更新1人，未变1人")
    with session_scope(eng, write=False) as s:  # 台账月度更新率's history: the month of the import
        touched = set(s.execute(select(LedgerTouch.person_id, LedgerTouch.month)
                                .where(LedgerTouch.person_id.in_([p.id, b.id]))).tuples())
    assert touched == {(p.id, f"{TODAY:%Y-%m}"), (b.id, f"{TODAY:%Y-%m}")}


def test_lowercase_x_and_fullwidth_digits_are_normalised_with_a_note(world):
    x = id_ending_x()
    fw = new_id(505).translate({ord(str(i)): chr(ord("０") + i) for i in range(10)})
    data = ledger_xlsx([row(1, "小写", x.lower()), row(2, "全角", fw)])
    pv = run_preview(world, data)
    assert pv.errors == []
    assert [(n.row, n.column) for n in pv.notes] == [(4, "身份证号码"), (5, "身份证号码")]
    assert people_count(world["engine"]) == 6
    run_apply(world, data)
    with session_scope(world["engine"], write=False) as s:
        got = set(s.scalars(select(Person.id_number).where(Person.name.in_(["小写", "全角"]))))
    assert got == {x, new_id(505)}


def test_wrong_check_digit(world):
    good = new_id(507)
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    assert_refused(world, ledger_xlsx([row(1, "甲", new_id(509)), row(2, "乙", bad)]), [(5, "身份证号码", "校验位错误")])


def test_fifteen_digit_old_id(world):
    assert_refused(world, ledger_xlsx([row(1, "甲", "429901160308123")]), [(4, "身份证号码", "15位旧身份证号码")])


def test_id_read_by_excel_as_number(world):
    assert_refused(world, ledger_xlsx([row(1, "甲", 1.10105e17), row(2, "乙", 429901201603081234)]),
                   [(4, "身份证号码", "科学计数法"), (5, "身份证号码", "科学计数法")])


def test_id_as_scientific_text_in_csv(world):
    csv = "姓名,身份证号码,人员类别,村(居)\n甲,1.10105E+17,农村留守儿童,测试1-1村\n".encode("utf-8")
    assert_refused(world, csv, [(2, "身份证号码", "科学计数法")], filename="台账.csv")


def test_duplicate_rows_in_file(world):
    i = new_id(511)
    assert_refused(world, ledger_xlsx([row(1, "甲", i), row(2, "甲", i)]), [(5, "身份证号码", "与第4行的身份证号码重复")])


def test_unknown_category(world):
    assert_refused(world, ledger_xlsx([row(1, "甲", new_id(513), cat="留守儿童、外星人")]),
                   [(4, "人员类别", "未知人员类别“外星人”")])


def test_village_of_another_township(world):
    assert_refused(world, ledger_xlsx([row(1, "甲", new_id(515))], village=V21), [(4, "村(居)", "不属于您管辖的乡镇")])


def test_existing_person_of_another_township(world):
    assert_refused(world, ledger_xlsx([row(1, "张四", world["idn"]["e"], gender="男")]), [(4, "身份证号码", "不能在本乡镇纳入")])


def test_formula_cells(world):
    data = ledger_xlsx([row(1, '=HYPERLINK("http://evil.example","甲")', new_id(517)),
                        row(2, "乙", new_id(519), phone="=1+1")])
    assert_refused(world, data, [(4, "姓名", "单元格含公式"), (5, "联系电话", "单元格含公式")])


def test_empty_file(world):
    assert_refused(world, b"", [(None, None, "文件为空")])


def test_workbook_without_rows(world):
    assert_refused(world, ledger_xlsx([], title=False), [(None, None, "没有可导入的数据行")])


def test_missing_headers(world):
    data = ledger_xlsx([["甲", new_id(521), "农村留守儿童"]], header=["名字", "证件", "类型"])
    assert_refused(world, data, [(None, None, "未找到表头")])


def test_missing_village(world):
    assert_refused(world, ledger_xlsx([row(1, "甲", new_id(523))], village=None), [(4, "村(居)", "缺少村(居)")])


def test_bad_phone_and_gender(world):
    r = row(1, "甲", new_id(525), phone="12345")
    r[2] = "男"
    assert_refused(world, ledger_xlsx([r]), [(4, "性别", "与身份证号码不符"), (4, "联系电话", "联系电话格式不正确")])


def test_gbk_csv_imports(world):
    text = "序号,村(居),姓名,身份证号码,人员类别,联系电话\n1,测试1-2村,国标,%s,留守儿童,0718-1234567\n" % new_id(527)
    data = text.encode("gbk")
    pv = run_preview(world, data, "台账.csv")
    assert pv.errors == [] and pv.counts()["add"] == 1
    run_apply(world, data, "台账.csv")
    with session_scope(world["engine"], write=False) as s:
        p = s.scalar(select(Person).where(Person.name == "国标"))
        assert (p.village_id, p.phone) == (world["ids"]["V12"], "0718-1234567")


def test_sheet_named_after_village(world):
    data = ledger_xlsx([row(1, "甲", new_id(529))], title=False, sheet=V12)
    assert run_apply(world, data)["add"] == 1


def test_oversize_file(world):
    data = ledger_xlsx([row(1, "甲", new_id(531))])
    assert_refused(world, data, [(None, None, "文件过大")], limits=UploadLimits(max_bytes=1000))


def test_too_many_rows(world):
    data = ledger_xlsx([row(i, f"人{i}", new_id(600 + i)) for i in range(1, 12)])
    assert_refused(world, data, [(None, None, "数据行数过多")], limits=UploadLimits(max_rows=5))


# ---------------------------------------------------------------- export
def _read(data):
    ws = load_workbook(io.BytesIO(data)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_export_masked_by_default_escaped_and_audited(world):
    eng, tw1 = world["engine"], world["tw1"]
    with session_scope(eng, actor=tw1) as s:
        p = s.get(Person, world["p"]["a"])
        p.notes = "=cmd|' /C calc'!A0"
        p.name = "+张三"
    with session_scope(eng, actor=tw1) as s:
        data, n = exporter.export_registry(s, tw1, RegistryFilter(), today=TODAY)
    rows = _read(data)
    assert n == 3  # 张三, 李四, 王_五 (not 赵六: exited; not T2)
    assert rows[1] == exporter.EXPORT_COLUMNS
    body = [r for r in rows[2:2 + n]]
    names = sorted(r[1] for r in body)
    assert names == sorted(["'+*三", "李*", "王*五"])  # masked, and the masked name still escaped
    assert all("*" in r[3] for r in body)
    assert not any(world["idn"]["e"][:10] in str(r) for r in rows)
    with session_scope(eng, actor=tw1) as s:
        data, n = exporter.export_registry(s, tw1, RegistryFilter(text="张"), full_identity=True,
                                           reason="报送县民政局核对", today=TODAY)
    rows = _read(data)
    assert n == 1 and rows[2][1] == "'+张三" and rows[2][3] == world["idn"]["a"]
    assert rows[2][8] == "'=cmd|' /C calc'!A0"
    with session_scope(eng, write=False) as s:
        audits = list(s.scalars(select(AuditLog).where(AuditLog.action == "export").order_by(AuditLog.id)))
    assert [a.username for a in audits] == ["tw1", "tw1"]
    assert "导出人员台账3行；完整身份信息：否" in audits[0].summary
    assert "导出人员台账1行；完整身份信息：是；用途：报送县民政局核对" in audits[1].summary


def test_export_full_identity_needs_reason_and_role(world):
    from db.errors import ForbiddenError, ServiceError

    with pytest.raises(ServiceError, match="用途"):
        with session_scope(world["engine"], actor=world["tw1"]) as s:
            exporter.export_registry(s, world["tw1"], RegistryFilter(), full_identity=True, reason="", today=TODAY)
    with pytest.raises(ForbiddenError):
        with session_scope(world["engine"], actor=world["leader"]) as s:
            exporter.export_registry(s, world["leader"], RegistryFilter(), today=TODAY)
    with session_scope(world["engine"], write=False) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "export")) == 0


def test_export_township_scope(world):
    with session_scope(world["engine"], actor=world["tw2"]) as s:
        data, n = exporter.export_registry(s, world["tw2"], RegistryFilter(township_id=world["ids"]["T1"]), today=TODAY)
    assert n == 0
    with session_scope(world["engine"], actor=world["tw2"]) as s:
        data, n = exporter.export_registry(s, world["tw2"], RegistryFilter(), full_identity=True, reason="月度核对", today=TODAY)
    ids = {r[3] for r in _read(data)[2:2 + n]}
    assert ids == {world["idn"]["e"], world["idn"]["f"]}


def test_template_is_importable_header(world):
    ws = load_workbook(io.BytesIO(exporter.template_xlsx())).active
    header = [c.value for c in ws[1]]
    from core.importing import find_header

    idx, mapping = find_header([header])
    assert idx == 0 and {"name", "id_number", "categories", "village", "phone"} <= set(mapping.values())
