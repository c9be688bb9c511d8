"""AppTest for the four care pages, as the roles that use them."""
import datetime as dt

from sqlalchemy import select

from db.engine import session_scope
from db.models import Assessment, AssessmentRound, IncidentCard, Visit
from tests.harness import all_text, app_test


def _tab(at, label):
    return next(t for t in at.tabs if t.label == label)


def test_visits_page_township_records_a_visit(care_app_db):
    at = app_test("tw1", "visits")
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["登记走访", "逾期名单", "按期率", "最近走访", "频次规则"]
    od = _tab(at, "逾期名单")
    assert list(od.dataframe[0].value["姓名"]) == ["逾期甲"]
    at.text_input(key="visit_person_q").set_value("逾期").run()
    assert "逾期甲" in at.selectbox(key="visit_person_sel").value.label
    assert any(m.label == "应访日期" for m in at.metric)
    # nothing chosen: refused with a reason, nothing saved
    form_submit = next(b for b in at.button if b.label == "保存走访记录")
    form_submit.click().run()
    assert any("至少选择一项服务类型" in e.value for e in at.error)
    at.multiselect[0].set_value(["精神陪伴", "应急救助"])
    at.text_area[0].set_value("家中无人照看，已联系村委会")
    next(b for b in at.button if b.label == "保存走访记录").click().run()
    assert not at.exception, at.exception
    assert any("已保存" in m.value for m in at.success)
    with session_scope(care_app_db["engine"], write=False) as s:
        v = s.scalars(select(Visit).where(Visit.person_id == care_app_db["people"]["late"])
                      .order_by(Visit.id.desc())).first()
        assert v.visited_on == dt.date.today() and v.service_types == ["精神陪伴", "应急救助"]
    assert any("没有走访逾期" in m.value for m in _tab(at, "逾期名单").success)


def test_visits_page_leader_sees_only_aggregates(care_app_db):
    at = app_test("leader", "visits")
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["按期率", "频次规则"]
    text = all_text(at)
    assert "逾期甲" not in text and "按期乙" not in text
    assert "测试1镇" in text


def test_visits_page_office_changes_the_rule(care_app_db):
    at = app_test("office", "visits")
    assert not at.exception, at.exception
    rules = _tab(at, "频次规则")
    rules.number_input[0].set_value(3)
    next(b for b in at.button if b.label == "保存频次规则").click().run()
    assert not at.exception, at.exception
    assert "每月至少3次" in _tab(at, "频次规则").dataframe[0].value.to_csv()


def test_assessments_page(care_app_db):
    at = app_test("tw1", "assessments")
    assert not at.exception, at.exception
    text = all_text(at)
    assert "逾期甲" in text and "外乡丙" not in text  # pending list is the township's own
    # record an assessment for the first pending child
    at.radio(key="as_level").set_value("高")
    at.text_area(key="as_issues").set_value("父母外出，祖母年迈")
    next(b for b in at.button if b.label == "保存评估").click().run()
    assert not at.exception, at.exception
    assert any("已保存" in m.value for m in at.success)
    with session_scope(care_app_db["engine"], write=False) as s:
        assert s.scalar(select(Assessment.risk_level).where(Assessment.issues == "父母外出，祖母年迈")) == "高"
    office = app_test("office", "assessments")
    assert not office.exception, office.exception
    assert "测试1镇" in all_text(office)


def test_assessments_page_office_opens_a_round(care_app_db):
    with session_scope(care_app_db["engine"]) as s:
        for r in s.scalars(select(AssessmentRound)):
            r.closed_on = dt.date.today()
    at = app_test("office", "assessments")
    at.text_input(key="round_period").set_value("2027-03")
    next(b for b in at.button if b.label == "开启评估轮次").click().run()
    assert not at.exception, at.exception
    with session_scope(care_app_db["engine"], write=False) as s:
        assert s.scalar(select(AssessmentRound.id).where(AssessmentRound.period == "2027-03"))


def test_incidents_page_unit_handles_its_card_without_contact_data(care_app_db):
    at = app_test("unit", "incidents")
    assert not at.exception, at.exception
    text = all_text(at)
    assert "逾*甲" in text and "逾期甲" not in text and "13912345678" not in text
    assert "按期乙" not in text and "按*乙" not in text  # card not referred to the unit
    at.text_area(key="card_handle_text").set_value("已与学校联系，孩子已返校")
    next(b for b in at.button if b.label == "登记处置").click().run()
    assert not at.exception, at.exception
    with session_scope(care_app_db["engine"], write=False) as s:
        assert s.scalar(select(IncidentCard.status).where(IncidentCard.handling.is_not(None))) == "handled"


def test_incidents_page_township_creates_and_reports(care_app_db):
    at = app_test("tw1", "incidents")
    assert not at.exception, at.exception
    at.text_area(key="card_new_desc").set_value("村民反映老人独居无人照料")
    next(b for b in at.button if b.label == "新建通报处置卡").click().run()
    assert not at.exception, at.exception
    assert any("已新建" in m.value for m in at.success)
    with session_scope(care_app_db["engine"], write=False) as s:
        assert s.scalar(select(IncidentCard.status).where(IncidentCard.description == "村民反映老人独居无人照料")) == "discovered"


def test_guardianship_page(care_app_db):
    at = app_test("tw1", "guardianship")
    assert not at.exception, at.exception
    text = all_text(at)
    assert "逾期甲" in text and "按期乙" not in text and "外乡丙" not in text
    office = app_test("office", "guardianship")
    assert "外乡丙" in all_text(office)
