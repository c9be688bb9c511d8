"""The visibility policy (core/visibility.py): each personal kind masked for roles without
personal data and on the shared screen, shown in full to the staff roles entitled to it."""
import pandas as pd
import pytest

from core import visibility as v
from core.roles import Actor

OFFICE = Actor("office", "office")
TOWNSHIP = Actor("tw1", "township", township_id=1)
ADMIN = Actor("admin", "admin")
LEADER = Actor("leader", "leader")
UNIT = Actor("unit1", "unit", unit_id=1)
PRESENTING = [Actor(a.username, a.role, township_id=a.township_id, unit_id=a.unit_id, presentation=True)
              for a in (OFFICE, TOWNSHIP, ADMIN, LEADER, UNIT)]
ENTITLED = [OFFICE, TOWNSHIP, ADMIN]
NOT_ENTITLED = [LEADER, UNIT, *PRESENTING]

# kind → (value, masked value)
PERSONAL = {
    v.NAME: ("张小华", "张*华"),
    v.ID_NUMBER: ("422823199001011234", "422823********1234"),
    v.PHONE: ("13812341234", "138****1234"),
    v.ADDRESS: ("湖北省恩施州建始县业州镇幸福村3组", "湖北省恩施州****"),
    v.FREE_TEXT: ("患有癫痫，母亲再婚", "（已隐藏）"),
}


def _ids(actors):
    return [f"{a.role}{'-投屏' if a.presentation else ''}" for a in actors]


@pytest.mark.parametrize("actor", NOT_ENTITLED, ids=_ids(NOT_ENTITLED))
@pytest.mark.parametrize("kind", list(PERSONAL))
def test_personal_kinds_masked_without_entitlement(kind, actor):
    raw, masked = PERSONAL[kind]
    assert v.shown(actor, kind, raw) == masked


@pytest.mark.parametrize("actor", ENTITLED, ids=_ids(ENTITLED))
@pytest.mark.parametrize("kind", list(PERSONAL))
def test_personal_kinds_shown_to_office_township_admin(kind, actor):
    raw, _ = PERSONAL[kind]
    assert v.shown(actor, kind, raw) == raw


@pytest.mark.parametrize("kind", list(PERSONAL))
def test_blank_values_stay_blank(kind):
    assert v.shown(LEADER, kind, None) is None
    assert v.shown(LEADER, kind, "") == ""


def test_staff_names_one_way_masked_only_on_the_shared_screen():
    label = "邬春清（乡镇干部）"
    for actor in (OFFICE, TOWNSHIP, LEADER, UNIT):
        assert v.shown(actor, v.STAFF_NAME, label) == label
    for actor in PRESENTING:
        assert v.shown(actor, v.STAFF_NAME, label) == "邬*清（乡镇干部）"
        assert v.shown(actor, v.STAFF_NAME, "邬春清") == "邬*清"
        assert v.shown(actor, v.STAFF_NAME, "张三、李小四") == "张*、李*四"
        assert v.shown(actor, v.STAFF_NAME, "（未落实帮扶责任人）") == "（未落实帮扶责任人）"


def test_listed_id_masked_for_everyone():
    for actor in ENTITLED + NOT_ENTITLED:
        assert v.shown(actor, v.LISTED_ID, "422823199001011234") == "422823********1234"


def test_case_text_hidden_only_on_the_shared_screen():
    for actor in (OFFICE, UNIT, LEADER):
        assert v.shown(actor, v.CASE_TEXT, "联系138") == "联系138"
    assert v.shown(PRESENTING[0], v.CASE_TEXT, "联系138") == "（已隐藏）"
    assert v.shown(PRESENTING[0], v.CASE_TEXT, None) is None


def _ledger():
    return pd.DataFrame({
        "姓名": ["张小华", "李四"], "身份证号码": ["422823199001011234", None], "联系电话": ["13812341234", ""],
        "帮扶责任人(职务)": ["邬春清（乡镇干部）", ""], "帮扶措施": ["每月走访，电话 13812341234", ""],
        "备注": ["私密", None], "乡镇": ["业州镇", "高坪镇"], "身份证号": ["422823199001011234", None],
    })


def test_apply_masks_a_frame_by_display_names_and_leaves_the_argument():
    df = _ledger()
    out = v.apply(df, LEADER)
    assert out is not df and df["姓名"].tolist() == ["张小华", "李四"]
    assert out["姓名"].tolist() == ["张*华", "李*"]
    assert out["身份证号码"][0] == "422823********1234" and pd.isna(out["身份证号码"][1])
    assert out["联系电话"].tolist() == ["138****1234", ""]
    assert out["帮扶措施"].tolist() == ["（已隐藏）", ""]
    assert out["备注"][0] == "（已隐藏）" and pd.isna(out["备注"][1])
    assert out["帮扶责任人(职务)"].tolist() == ["邬春清（乡镇干部）", ""]  # staff: the leader sees who is responsible
    assert out["乡镇"].tolist() == ["业州镇", "高坪镇"]  # not personal
    assert out["身份证号"][0] == "422823********1234" and pd.isna(out["身份证号"][1])


def test_apply_for_office_changes_only_worklist_ids_and_presenting_masks_staff_too():
    office = v.apply(_ledger(), OFFICE)
    assert office["姓名"].tolist() == ["张小华", "李四"] and office["身份证号码"][0] == "422823199001011234"
    assert office["身份证号"][0] == "422823********1234"
    presenting = v.apply(_ledger(), PRESENTING[0])
    assert presenting["帮扶责任人(职务)"].tolist() == ["邬*清（乡镇干部）", ""]
    assert presenting["姓名"][0] == "张*华"


def test_apply_to_records_by_internal_names():
    rec = {"id": 7, "name": "张小华", "id_number": "422823199001011234", "phone": "13812341234",
           "address": "湖北省恩施州建始县业州镇幸福村", "health_situation": "癫痫", "gender": "男"}
    out = v.apply(rec, Actor("tw1", "township", township_id=1, presentation=True))
    assert out == {"id": 7, "name": "张*华", "id_number": "422823********1234", "phone": "138****1234",
                   "address": "湖北省恩施州****", "health_situation": "（已隐藏）", "gender": "男"}
    assert v.apply(rec, TOWNSHIP) == rec
    assert v.apply([rec, rec], LEADER)[1]["name"] == "张*华"


def test_staff_rows_name_is_a_staff_name():
    workers = pd.DataFrame({"姓名": ["王芳"], "联系电话": ["13912345678"]})
    out = v.apply(workers, LEADER, v.STAFF_ROWS)
    assert out.to_dict("records") == [{"姓名": "王芳", "联系电话": "139****5678"}]
    out = v.apply(workers, PRESENTING[0], v.STAFF_ROWS)
    assert out.to_dict("records") == [{"姓名": "王*", "联系电话": "139****5678"}]


def test_overrides_none_means_not_personal_here():
    df = pd.DataFrame({"内容": ["第3次会议决定"]})
    assert v.apply(df, LEADER)["内容"][0] == "（已隐藏）"
    assert v.apply(df, LEADER, {"内容": None})["内容"][0] == "第3次会议决定"


def test_export_choice_narrows_the_office():
    df = _ledger()
    full = v.apply(df, OFFICE, v.LEDGER_EXPORT, personal=True)
    assert full["姓名"][0] == "张小华" and full["帮扶措施"][0] == df["帮扶措施"][0]
    masked = v.apply(df, OFFICE, v.LEDGER_EXPORT, personal=False)
    assert masked["姓名"][0] == "张*华" and masked["备注"][0] == "（已隐藏）"
    assert masked["帮扶措施"][0] == "每月走访，电话 138****1234"  # text kept, the number inside masked


def test_nan_cells_are_left_alone():
    df = pd.DataFrame({"姓名": ["张三", float("nan")]})
    out = v.apply(df, LEADER)
    assert out["姓名"][0] == "张*" and pd.isna(out["姓名"][1])


def test_every_kind_has_a_rule_and_every_field_a_known_kind():
    assert set(v.FIELDS.values()) <= set(v.RULES)
    assert {v.STAFF_NAME, v.LISTED_ID, v.CASE_TEXT, v.NUMBERS_IN_TEXT} <= set(v.RULES)
    assert all(k is None or k in v.RULES for k in {**v.STAFF_ROWS, **v.LEDGER_EXPORT}.values())
