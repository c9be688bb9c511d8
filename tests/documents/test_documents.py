"""Printed documents (issue 19): each holds its record's data, masked by the policy of
core/visibility.py for the actor who prints, and every print writes one audit row with its
reason. Word files are opened with python-docx; PDF is covered in test_pdf.py."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from areas.care import reads as care_reads
from areas.documents import printing as pr
from areas.documents import reads as dq
from areas.documents.builders import BLANK_ROWS
from areas.registry import reads as rq
from core.masking import mask_id_number, mask_phone
from db.engine import session_scope
from db.errors import ForbiddenError, ServiceError
from db.models import AuditLog, Person
from tests import factories as f
from tests.documents.conftest import (
    CARD_TEXT, ID_GUARDIAN, PHONE_CHILD, PHONE_GUARDIAN, TODAY, docx_text, table_rows, zip_names,
)

REASON = "县督查组调阅档案"


def run_print(engine, actor, req, progress=None) -> pr.Printed:
    """As the page does: build in a read transaction, then audit in a short write one."""
    with session_scope(engine, actor=actor, write=False) as s:
        prepared = pr.prepare(s, actor, req, progress)
    with session_scope(engine, actor=actor) as s:
        return pr.record(s, actor, prepared)


def print_rows(engine) -> list[AuditLog]:
    with session_scope(engine, write=False) as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == "print").order_by(AuditLog.id)))


def test_person_file_holds_the_whole_file(world):
    office, pid = world["actors"]["office"], world["child"]
    out = run_print(world["engine"], office, pr.PrintRequest(pr.PERSON, REASON, person_id=pid, today=TODAY))
    assert out.file_name.endswith(".docx") and out.mime == pr.DOCX and out.documents == 1
    text = docx_text(out.data)
    for expected in ("一人一档", "档案甲", world["child_id_number"], PHONE_CHILD, "湖北省恩施州示范县测试1-1村3组",
                     "农村留守儿童", "困境儿童", "已结束", "父母均在外务工", "父亲在广东务工",  # categories, family
                     "祖母乙", ID_GUARDIAN, PHONE_GUARDIAN, "村委丙",  # guardian
                     "帮扶甲", "村支书", "每周电话陪伴",  # helper, measure
                     "情绪稳定", "学习吃力", "监护较弱", "加密走访",  # visit, assessment
                     "辍学", "已处置", "下次应访",  # card, visit rule
                     "示范县", "打印时间", "打印人 office", "测试1镇", "测试1-1村"):
        assert expected in text, expected
    # the dates of the categories are printed
    cats = [r for r in table_rows(out.data, 1)]
    assert cats[0][:5] == ["人员类别", "子类", "开始日期", "结束日期", "是否有效"]
    assert any(r[0] == "困境儿童" and r[3] == f"{TODAY - dt.timedelta(days=30):%Y-%m-%d}"
               for r in cats)
    rows = print_rows(world["engine"])
    assert [(r.entity, r.entity_id, r.username) for r in rows] == [("person", str(pid), "office")]
    assert REASON in rows[0].summary and "一人一档" in rows[0].summary


def test_exit_is_printed(world):
    with session_scope(world["engine"]) as s:
        p = s.get(Person, world["ok"])
        p.status, p.exited_on, p.exit_reason = "已退出", TODAY, "年满16周岁"
    out = run_print(world["engine"], world["actors"]["office"],
                    pr.PrintRequest(pr.PERSON, REASON, person_id=world["ok"], today=TODAY))
    text = docx_text(out.data)
    assert "年满16周岁" in text and f"{TODAY:%Y-%m-%d}" in text


def test_guardian_confirmation_is_filled_from_the_record(world):
    tw1 = world["actors"]["tw1"]
    out = run_print(world["engine"], tw1, pr.PrintRequest(pr.GUARDIAN, REASON, person_id=world["child"],
                                                          guardian_id=world["guardian"], today=TODAY))
    text = docx_text(out.data)
    for expected in ("委托监护责任确认书", "档案甲", world["child_id_number"], "祖母乙", "祖母", ID_GUARDIAN,
                     PHONE_GUARDIAN, "村委丙", "受委托监护人", "签字", "日期：", "打印人 tw1"):
        assert expected in text, expected
    rows = print_rows(world["engine"])
    assert [(r.entity, r.entity_id) for r in rows] == [("guardian", str(world["guardian"]))]
    assert REASON in rows[0].summary
    # a guardian record of another person is not found through this person
    with pytest.raises(ForbiddenError):
        run_print(world["engine"], tw1, pr.PrintRequest(pr.GUARDIAN, REASON, person_id=world["ok"],
                                                        guardian_id=world["guardian"], today=TODAY))


def test_card_has_the_layout_and_dated_steps(world):
    out = run_print(world["engine"], world["actors"]["office"],
                    pr.PrintRequest(pr.CARD, REASON, card_id=world["card"], today=TODAY))
    text = docx_text(out.data)
    for expected in ("通报处置卡", f"卡号：{world['card']}", "档案甲", world["child_id_number"], PHONE_CHILD,
                     CARD_TEXT, "学校", "辍学", "县教育局", "已劝返复学", "处置单位签字"):
        assert expected in text, expected
    steps = table_rows(out.data, 1)
    assert [r[0] for r in steps] == ["环节", "发现", "报告", "转介", "处置", "结案"]
    assert all(r[1] for r in steps[1:5]) and not steps[5][1]  # dated up to 处置; not closed yet
    assert [(r.entity, r.entity_id) for r in print_rows(world["engine"])] == [("incident_card", str(world["card"]))]


def test_a_unit_prints_its_card_without_contact_data(world):
    unit = world["actors"]["unit"]
    out = run_print(world["engine"], unit, pr.PrintRequest(pr.CARD, REASON, card_id=world["card"], today=TODAY))
    text = docx_text(out.data)
    assert world["child_id_number"] not in text and PHONE_CHILD not in text
    assert "13655556666" not in text and mask_phone("13655556666") in text  # numbers in the narrative masked
    assert "档案甲" not in text  # the name masked (units see no personal data)
    assert "已劝返复学" in text
    # the card needs contact: then the unit gets them in full, as on the screen
    with session_scope(world["engine"]) as s:
        from db.models import IncidentCard
        s.get(IncidentCard, world["card"]).needs_contact = True
    text = docx_text(run_print(world["engine"], unit,
                               pr.PrintRequest(pr.CARD, REASON, card_id=world["card"], today=TODAY)).data)
    assert world["child_id_number"] in text and PHONE_CHILD in text


@pytest.mark.parametrize("who,req", [
    ("unit2", pr.PrintRequest(pr.CARD, REASON, card_id=0)),  # card id filled below: another unit's card
    ("tw2", pr.PrintRequest(pr.CARD, REASON, card_id=0)),  # another township's card
    ("leader", pr.PrintRequest(pr.CARD, REASON, card_id=0)),
    ("unit", pr.PrintRequest(pr.PERSON, REASON, person_id=0)),
    ("leader", pr.PrintRequest(pr.PERSON, REASON, person_id=0)),
    ("tw2", pr.PrintRequest(pr.PERSON, REASON, person_id=0)),
    ("tw2", pr.PrintRequest(pr.BATCH, REASON, village_id=0)),  # another township's village: nobody in it
    ("leader", pr.PrintRequest(pr.VISIT_FORM, REASON)),
])
def test_refused_outside_the_access_table(world, who, req):
    req = dataclasses.replace(req, card_id=world["card"], person_id=world["child"], village_id=world["ids"]["V11"])
    with pytest.raises(ServiceError):
        run_print(world["engine"], world["actors"][who], req)
    assert print_rows(world["engine"]) == []


def test_printing_is_refused_while_presenting(world):
    presenting = dataclasses.replace(world["actors"]["office"], presentation=True)
    with pytest.raises(ForbiddenError):
        run_print(world["engine"], presenting, pr.PrintRequest(pr.PERSON, REASON, person_id=world["child"]))


def test_a_masked_read_prints_masked(world):
    """The builders print what the read gives: for an actor who may not see personal data
    (here: on the shared screen), the file read is masked and so is the document."""
    from areas.documents import builders

    presenting = dataclasses.replace(world["actors"]["office"], presentation=True)
    with session_scope(world["engine"], write=False) as s:
        file = rq.person_file(s, presenting, world["child"], TODAY)
    text = docx_text(builders.to_bytes(builders.person_file(file, builders.Meta("示范县", pr.utcnow(), "x"))))
    for secret in (world["child_id_number"], PHONE_CHILD, ID_GUARDIAN, PHONE_GUARDIAN, "父母均在外务工",
                   "父亲在广东务工", "档案甲"):
        assert secret not in text, secret
    assert mask_id_number(world["child_id_number"]) in text


def test_reason_is_required(world):
    for reason in ("", "   ", "查看"):
        with pytest.raises(ServiceError, match="打印事由"):
            run_print(world["engine"], world["actors"]["office"],
                      pr.PrintRequest(pr.PERSON, reason, person_id=world["child"]))
    assert print_rows(world["engine"]) == []


def test_visit_form_lists_the_people_due(world):
    tw1, v11 = world["actors"]["tw1"], world["ids"]["V11"]
    out = run_print(world["engine"], tw1, pr.PrintRequest(pr.VISIT_FORM, REASON, village_id=v11, today=TODAY))
    rows = table_rows(out.data, 0)
    assert rows[0][:7] == ["序号", "姓名", "身份证号", "困难程度", "帮扶责任人", "最近走访", "应访日期"]
    with session_scope(world["engine"], write=False) as s:
        due = {r.person_id: r.next_due for r in s.execute(
            select(care_reads.current_due(TODAY, Person.village_id == v11)))}
        names = dict(s.execute(select(Person.id, Person.name).where(Person.id.in_(due))).all())
    until = dq.due_until(TODAY)
    expected = sorted((d, names[p]) for p, d in due.items() if d <= until)
    assert expected, "the fixture has someone due this month"
    body = rows[1:]
    assert [(r[6], r[1]) for r in body] == [(f"{d:%Y-%m-%d}", n) for d, n in expected]  # one row each, by due date
    assert all(r[2] == mask_id_number(r[2]) or "*" in r[2] for r in body)  # a form carries masked ID numbers
    assert world["child_id_number"] not in docx_text(out.data)
    assert "帮扶甲（村支书）" in body[0][4]
    blank = run_print(world["engine"], tw1, pr.PrintRequest(pr.VISIT_FORM, REASON, today=TODAY))
    blank_rows = table_rows(blank.data, 0)
    assert len(blank_rows) == 1 + BLANK_ROWS and all(not c for r in blank_rows[1:] for c in r[1:])
    assert [r.entity_id for r in print_rows(world["engine"])] == [str(v11), None]


def test_batch_of_a_village_of_100(world):
    engine, office = world["engine"], world["actors"]["office"]
    with session_scope(engine) as s:
        for _ in range(100):
            f.person(s, world["ids"]["T2"], world["ids"]["V22"], enrolled_on=TODAY)
    seen: list[tuple[float, str]] = []
    out = run_print(engine, office, pr.PrintRequest(pr.BATCH, REASON, village_id=world["ids"]["V22"], today=TODAY),
                    progress=lambda x, what: seen.append((x, what)))
    names = zip_names(out.data)
    assert out.mime == pr.ZIP and len(names) == 100 and all(n.endswith(".docx") for n in names)
    assert len(set(names)) == 100
    fractions = [x for x, _ in seen]
    assert len(fractions) >= 100 and fractions == sorted(fractions) and fractions[-1] == 1.0
    rows = print_rows(engine)
    assert len(rows) == 100 and all(REASON in r.summary for r in rows)
    with session_scope(engine, write=False) as s:
        ids = set(s.scalars(select(Person.id).where(Person.village_id == world["ids"]["V22"])))
    assert {int(r.entity_id) for r in rows} == ids


def test_batch_of_the_registry_filter(world):
    tw1 = world["actors"]["tw1"]
    flt = rq.RegistryFilter(township_id=world["ids"]["T1"])
    out = run_print(world["engine"], tw1, pr.PrintRequest(pr.BATCH, REASON, registry_filter=flt, today=TODAY))
    assert len(zip_names(out.data)) == 2  # T1's two active people; T2's 外乡丙 is out of reach anyway
    assert len(print_rows(world["engine"])) == 2
