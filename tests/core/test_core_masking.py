import pytest

from core import masking as m


@pytest.mark.parametrize("raw,masked", [
    ("张三", "张*"), ("张小华", "张*华"), ("欧阳小华", "欧**华"), ("张", "*"),
    ("阿卜杜拉·买买提", "阿******提"), (None, None), ("", ""),
])
def test_mask_name(raw, masked):
    assert m.mask_name(raw) == masked


@pytest.mark.parametrize("raw,masked", [
    ("422823199001011234", "422823********1234"),
    ("11010519491231002X", "110105********002X"),
    ("110105491231002", "11***********02"),  # 15-digit old number
    ("12345", "12*45"),
    ("1234", "****"),
    (None, None), ("", ""),
])
def test_mask_id_number(raw, masked):
    assert m.mask_id_number(raw) == masked


@pytest.mark.parametrize("raw,masked", [
    ("13812341234", "138****1234"),
    ("138-1234-1234", "138****1234"),
    (" 19912345678 ", "199****5678"),
    ("0718-1234567", "0718******67"),
    ("010-12345678", "010-******78"),
    ("123456", "******"),
    (None, None), ("", ""),
])
def test_mask_phone(raw, masked):
    assert m.mask_phone(raw) == masked


def test_mask_phone_int():
    assert m.mask_phone(13812341234) == "138****1234"


@pytest.mark.parametrize("raw,masked", [
    ("湖北省恩施州建始县业州镇幸福村3组12号", "湖北省恩施州****"),
    ("幸福村3组", "幸福****"),  # short: never more than half shown
    ("村", "****"),
    (None, None), ("", ""),
])
def test_mask_address(raw, masked):
    assert m.mask_address(raw) == masked


def test_personal_fields_cover_required_names():
    required = {"name", "id_number", "phone", "address", "guardian_name", "guardian_phone",
                "guardian_id_number", "health_situation", "psychological_situation",
                "family_situation", "notes"}
    assert required <= set(m.PERSONAL_FIELDS)
    assert all(callable(f) for f in m.PERSONAL_FIELDS.values())


@pytest.mark.parametrize("field", ["health_situation", "psychological_situation", "family_situation", "notes"])
def test_free_text_hidden(field):
    assert m.mask_field(field, "患有癫痫，母亲再婚") == "（已隐藏）"
    assert m.mask_field(field, None) is None
    assert m.mask_field(field, "") == ""


def test_mask_field_non_personal_unchanged():
    assert m.mask_field("township", "业州镇") == "业州镇"
    assert m.mask_field("difficulty", "特别困难") == "特别困难"


def test_mask_record_returns_new_dict():
    rec = {"id": 7, "name": "张小华", "id_number": "422823199001011238", "phone": "13812341234",
           "guardian_name": "张大山", "guardian_phone": "0718-1234567", "guardian_id_number": "11010519491231002X",
           "address": "湖北省恩施州建始县业州镇幸福村", "notes": "私密", "gender": "男"}
    out = m.mask_record(rec)
    assert out is not rec and rec["name"] == "张小华"  # original untouched
    assert out == {"id": 7, "name": "张*华", "id_number": "422823********1238", "phone": "138****1234",
                   "guardian_name": "张*山", "guardian_phone": "0718******67",
                   "guardian_id_number": "110105********002X", "address": "湖北省恩施州****",
                   "notes": "（已隐藏）", "gender": "男"}
    leaked = " ".join(str(v) for v in out.values())
    assert not m.ID_NUMBER_RE.search(leaked) and not m.MOBILE_RE.search(leaked)


@pytest.mark.parametrize("n,out", [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (120, 120), (None, None)])
def test_suppress_small(n, out):
    assert m.suppress_small(n) == out


def test_suppress_small_threshold_in_text():
    assert m.suppress_small(9, threshold=10) == "<10"
    assert m.suppress_small(10, threshold=10) == 10
    assert m.suppress_small(0, threshold=10) == 0


def test_scrub_text_masks_ids_and_mobiles():
    text = "张小华（身份证422823199001011238，电话13812341234）监护人11010519491231002x，座机0718-1234567"
    out = m.scrub_text(text)
    assert "422823********1238" in out and "138****1234" in out and "110105********002x" in out
    assert not m.ID_NUMBER_RE.search(out) and not m.MOBILE_RE.search(out)
    assert "0718-1234567" in out  # landlines are not in scope of the scrubber
    assert out.startswith("张小华（身份证")


def test_scrub_text_separated_and_prefixed_mobiles():
    out = m.scrub_text("电话：138-1234-1234 或 +8613912345678 或 139 1234 5678")
    assert out == "电话：138****1234 或 +86139****5678 或 139****5678"


def test_scrub_text_leaves_other_numbers():
    text = "2026年3月走访12户，共计1234567元；编号12345678901234567890"
    assert m.scrub_text(text) == text  # 20 digits: not an ID, not a phone


def test_scrub_text_empty():
    assert m.scrub_text("") == "" and m.scrub_text(None) is None


def test_regexes_detect_raw_values():
    assert m.ID_NUMBER_RE.search("x422823199001011238y")
    assert m.MOBILE_RE.search("tel:15012345678")
    assert not m.MOBILE_RE.search("12012345678")  # 12x is not a mobile prefix
