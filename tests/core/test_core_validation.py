from datetime import date, datetime

import pytest

from core import validation as v


@pytest.mark.parametrize("s", [None, "", "  ", "13812341234", "19912345678", "0718-1234567", "010-12345678", "0718-1234567-801"])
def test_phone_ok(s):
    assert v.phone_error(s) is None


@pytest.mark.parametrize("s", ["12812341234", "1381234123", "138123412345", "07181234567x", "718-1234567", "0718-123", "abc"])
def test_phone_bad(s):
    assert "联系电话格式不正确" in v.phone_error(s)


@pytest.mark.parametrize("s", ["", "13812341234", "19912345678", "0718-1234567", "010-12345678", "0718-1234567-801",
                               "12812341234", "1381234123", "138123412345", "07181234567x", "718-1234567", "0718-123",
                               "abc", "138-1234-1234"])
def test_table_editor_pattern_is_phone_error_rule(s):
    """The registry's table editor validates with PHONE_OR_EMPTY; it must accept exactly what
    phone_error accepts (stripped input)."""
    import re

    assert (re.search(v.PHONE_OR_EMPTY, s) is not None) == (v.phone_error(s) is None)


def test_date_ok_and_empty():
    assert v.date_error(None) is None
    assert v.date_error(date(2026, 1, 1), not_before=date(2025, 1, 1), not_after=date(2026, 1, 1)) is None
    assert v.date_error("2026-01-01") is None
    assert v.date_error(datetime(2026, 1, 1, 9, 30), not_after=date(2026, 1, 1)) is None


def test_date_bounds_messages():
    assert v.date_error(date(2024, 12, 31), not_before=date(2025, 1, 1), label="走访日期") == "走访日期不能早于2025-01-01"
    assert v.date_error(date(2026, 1, 2), not_after=date(2026, 1, 1)) == "日期不能晚于2026-01-01"


@pytest.mark.parametrize("d", ["2026-13-01", "昨天", 20260101])
def test_date_bad_format(d):
    assert v.date_error(d, label="签订日期") == "签订日期格式不正确，应为YYYY-MM-DD"


def test_text_error():
    assert v.text_error(None, 5, "备注") is None
    assert v.text_error("一二三四五", 5, "备注") is None
    assert v.text_error("一二三四五六", 5, "备注") == "备注不能超过5个字（当前6个字）"
