import io
import zipfile

import openpyxl
import pytest

from core.excel_safety import UploadLimits, check_upload, decode_csv, escape_cell


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_escape_cell_formula_leads(lead):
    v = lead + "HYPERLINK(\"http://x\")"
    assert escape_cell(v) == "'" + v


@pytest.mark.parametrize("v", ["张三", "13812341234", " =1+1", "a=b", "", None, 5, -5, 1.5])
def test_escape_cell_leaves_others(v):
    assert escape_cell(v) == v


def xlsx_bytes(sheets: int = 1, rows: int = 3) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "性别", "身份证号码", "人员类别", "帮扶责任人(职务)", "帮扶措施", "联系电话", "备注"])
    for i in range(rows):
        ws.append([i + 1, "张小华", "女", "11010519491231002X", "农村留守儿童", "李四(村支书)", "生活照料", "13812341234", ""])
    for i in range(sheets - 1):
        wb.create_sheet(f"S{i}")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


MINIMAL = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


def test_real_xlsx_accepted():
    data = xlsx_bytes()
    assert data[:2] == b"PK"
    assert check_upload("台账.xlsx", data) is None
    assert check_upload("台账.XLSX", data) is None


def test_empty():
    assert check_upload("a.xlsx", b"") == "文件为空"


def test_oversize():
    err = check_upload("a.csv", b"x" * 2000, UploadLimits(max_bytes=1000))
    assert err and err.startswith("文件过大")
    assert check_upload("a.csv", b"a,b\n" * 250, UploadLimits(max_bytes=1000)) is None


@pytest.mark.parametrize("name", ["a.exe", "a.xlsm", "a.txt", "xlsx", "a.xlsx.exe", ""])
def test_wrong_extension(name):
    assert check_upload(name, xlsx_bytes()) == "只支持上传.xlsx或.csv文件"


def test_old_xls_named():
    assert "旧版.xls" in check_upload("a.xls", b"\xd0\xcf\x11\xe0rest")


def test_encrypted_or_ole_xlsx():
    assert "密码" in check_upload("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04garbage-truncated"])
def test_not_a_zip(data):
    assert check_upload("a.xlsx", data).startswith("文件不是有效的Excel(.xlsx)文件")


def test_zip_without_workbook():
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<doc/>"})
    assert check_upload("a.xlsx", data).startswith("文件不是有效的Excel(.xlsx)文件")


def test_zip_bomb_ratio():
    data = zip_bytes({**MINIMAL, "xl/worksheets/sheet1.xml": b"\0" * (20 * 1024 * 1024)})
    assert len(data) < 100_000  # tiny on disk, 20 MB inflated
    assert check_upload("a.xlsx", data) == "文件压缩比异常，疑似压缩炸弹，拒绝处理"


def test_uncompressed_total():
    big = bytes(range(256)) * 4000  # ~1 MB, compresses poorly so the ratio rule does not fire
    data = zip_bytes({**MINIMAL, "xl/worksheets/sheet1.xml": big})
    err = check_upload("a.xlsx", data, UploadLimits(max_uncompressed=500_000))
    assert err and err.startswith("文件解压后过大")


def test_too_many_entries():
    data = zip_bytes({**MINIMAL, **{f"xl/media/{i}.bin": b"" for i in range(30)}})
    assert "部件" in check_upload("a.xlsx", data, UploadLimits(max_entries=20))


def test_too_many_sheets():
    data = xlsx_bytes(sheets=4)
    assert check_upload("a.xlsx", data, UploadLimits(max_sheets=3)) == "工作表过多（4个），上限为3个"
    assert check_upload("a.xlsx", data, UploadLimits(max_sheets=4)) is None


def test_too_many_rows_xlsx():
    data = xlsx_bytes(rows=30)
    assert check_upload("a.xlsx", data, UploadLimits(max_rows=29)) == "数据行数过多（30行），上限为29行，请分批导入"
    assert check_upload("a.xlsx", data, UploadLimits(max_rows=30)) is None


def test_csv_checks():
    assert check_upload("a.csv", "姓名,电话\n张三,13812341234\n".encode("gbk")) is None
    assert check_upload("a.csv", b"a\n" * 12, UploadLimits(max_rows=10)).startswith("数据行数过多（11行）")
    assert check_upload("a.csv", b"\x00\x01binary") == "文件不是文本格式的CSV"
    assert check_upload("a.csv", b"\xff\xfe\xfa") == "无法识别文件编码，请另存为UTF-8或GBK编码的CSV"


def test_decode_csv_utf8_bom():
    data = "\ufeff姓名,身份证号码\n张小华,11010519491231002X\n".encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert decode_csv(data) == "姓名,身份证号码\n张小华,11010519491231002X\n"  # BOM stripped


def test_decode_csv_plain_utf8():
    assert decode_csv("农村留守儿童".encode("utf-8")) == "农村留守儿童"


def test_decode_csv_gbk():
    text = "姓名,人员类别\n张小华,农村留守儿童\n欧阳娟,特困人员\n"
    data = text.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # make sure the fallback is what is being tested
    assert decode_csv(data) == text


def test_decode_csv_rejects_garbage():
    with pytest.raises(ValueError, match="无法识别文件编码"):
        decode_csv(b"\x80\xff\xfe")


def test_sheet_bytes_keeps_text_as_text():
    import io as _io

    from openpyxl import load_workbook

    from core.excel_safety import sheet_bytes

    data = sheet_bytes("初始密码", ["用户名", "初始密码"], [["a", "=1+1"], ["b", "429901000000"]], text_columns="B")
    ws = load_workbook(_io.BytesIO(data)).active
    assert ws.title == "初始密码"
    assert [(c.value, c.data_type) for c in ws["B"]][1:] == [("=1+1", "s"), ("429901000000", "s")]  # not a formula
    assert ws["B3"].number_format == "@"
