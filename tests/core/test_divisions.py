"""Reading a division list (core/divisions.py): levels and parents from the codes, and every
bad row refused with its row, column and a Chinese reason."""
from core import divisions as dv

HEAD = ["统计用区划代码", "名称", "级别", "上级代码"]
COUNTY = ["429901000000", "示范县", "县", ""]
T1 = ["429901100000", "城关镇", "乡镇", "429901000000"]
V1 = ["429901100201", "东门社区", "村", "429901100000"]


def issues(rows, existing=None):
    return [(i.row, i.column, i.reason) for i in dv.parse("区划", [HEAD, *rows], existing).issues]


def test_levels_and_parents_come_from_the_code():
    assert [dv.level_of(c) for c in ("420000000000", "429900000000", "429901000000", "429901100000",
                                     "429901100201")] == [dv.ABOVE_COUNTY, dv.ABOVE_COUNTY, dv.COUNTY,
                                                          dv.TOWNSHIP, dv.VILLAGE]
    assert dv.parent_of("429901100201") == "429901100000" and dv.parent_of("429901100000") == "429901000000"
    assert dv.code_prefixes("429901100000") == ("429901100000", "429901100")
    assert dv.code_prefixes("429901000000") == ("429901000000", "429901000", "429901")


def test_a_good_list_with_excel_number_codes_and_a_title_line():
    rows = [["示范县区划（2026年）"], HEAD, COUNTY, [429901100000, "城关镇", None, None], V1,
            ["420000000000", "湖北省", "省", ""], [None, None, None, None]]
    p = dv.parse("区划", rows)
    assert p.issues == [] and p.skipped_above == 1
    assert [(d.code, d.level, d.parent) for d in p.divisions] == [
        ("429901000000", dv.COUNTY, None), ("429901100000", dv.TOWNSHIP, "429901000000"),
        ("429901100201", dv.VILLAGE, "429901100000")]
    assert [d.row for d in p.divisions] == [3, 4, 5]


def test_wrong_code_length_and_non_digits():
    got = issues([COUNTY, ["4299011000", "城关镇", "", ""], ["42990110000A", "西门村", "", ""]])
    assert got == [(3, "统计用区划代码", "区划代码应为12位数字（统计用区划代码），「4299011000」为10位"),
                   (4, "统计用区划代码", "区划代码「42990110000A」含非数字字符")]


def test_parent_missing_in_file_and_system():
    got = issues([COUNTY, V1])
    assert got == [(3, "上级代码", "上级乡镇（街道）429901100000不存在：文件中没有，系统中也没有")]
    assert issues([V1], existing={"429901100000": dv.TOWNSHIP}) == []  # the township is already in the system


def test_duplicate_code_level_mismatch_and_formula():
    got = issues([COUNTY, T1, ["429901100000", "城关镇", "", ""], ["429901100202", "西门村", "乡镇", ""],
                  ["429901100203", "=HYPERLINK(\"x\")", "", ""]])
    assert got == [(4, "统计用区划代码", "区划代码429901100000与第3行重复"),
                   (5, "级别", "级别「乡镇」与区划代码不符：代码429901100202是村（社区）级"),
                   (6, "名称", "单元格含公式，请改为纯文本后再导入")]


def test_parent_of_the_wrong_level_and_a_cycle():
    # two villages naming each other as parents: wrong level, and a loop
    got = issues([COUNTY, T1, ["429901100201", "甲村", "", "429901100202"], ["429901100202", "乙村", "", "429901100201"]])
    assert (4, "上级代码", "上级代码429901100202是村（社区）级，村（社区）的上级应为乡镇（街道）") in got
    assert any(r == 4 and "循环" in why for r, _c, why in got) and any(r == 5 and "循环" in why for r, _c, why in got)


def test_one_county_per_file_and_the_systems_county():
    assert issues([COUNTY, ["429902000000", "邻县", "", ""]]) == [
        (3, "统计用区划代码", "一个文件只能有一个县（区）：已有第2行的429901000000")]
    assert issues([COUNTY], existing={"429902000000": dv.COUNTY}) == [
        (2, "统计用区划代码", "系统中的县（区）代码是429902000000，与文件中的429901000000不同")]


def test_missing_header_says_what_is_needed():
    p = dv.parse("区划", [["代号", "地名"], ["429901000000", "示范县"]])
    assert [i.reason for i in p.issues] == ["找不到表头：需要「统计用区划代码」和「名称」两列（可另有「级别」「上级代码」），请下载模板对照"]
