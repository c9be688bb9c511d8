"""Free text is checked on the server (issue 13, item 11): a NUL (or any other control
character) and an over-long text are refused with a Chinese message by every kind of write
service that takes free text — through its own check or, behind it, the flush check of
db/engine.py, both core/validation.text_error — and by the ledger import; and a control
character stored before these checks does not break the full-identity export."""
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from areas.admin import writes as admin
from areas.care import writes as care
from areas.meetings import writes as meetings
from areas.records import writes as records
from areas.registry import exporter, importer
from areas.registry import writes as registry
from areas.registry.reads import RegistryFilter
from areas.workforce import writes as workforce
from core import idnumber
from db.engine import session_scope
from db.errors import ServiceError
from db.models import Person
from tests import factories as f

TODAY = dt.date.today()
NUL = "张\x00三"
LONG = "长" * 30622  # the agenda the issue found accepted


@pytest.fixture
def w(engine):
    with session_scope(engine) as s:
        ids = f.county(s)
        out = {"engine": engine, "ids": ids,
               "admin": f.account(s, "admin1", "admin"), "office": f.account(s, "office1", "office"),
               "tw1": f.account(s, "tw1", "township", township_id=ids["T1"])}
        p = f.person(s, ids["T1"], ids["V11"], name="王小明")
        out["pid"] = p.id
        worker = workforce.add_worker(s, out["tw1"], kind="志愿者", name="志愿者甲", region_id=ids["V11"], phone=None,
                                      appointed_on=TODAY)
        s.flush()
        out["worker"] = (worker.id, worker.version)
    return out


def _version(w):
    with session_scope(w["engine"], write=False) as s:
        return s.get(Person, w["pid"]).version


SERVICES = {  # name → fn(session, w, text): one free-text field of each service
    "enroll.name": lambda s, w, t: registry.enroll(s, w["tw1"], idnumber.make("429901", dt.date(2016, 3, 8), 700, "女"),
                                                   t, w["ids"]["V11"], [("left_behind_child", None)]),
    "update_person.notes": lambda s, w, t: registry.update_person(s, w["tw1"], w["pid"], _version(w), {"notes": t}),
    "add_guardian.name": lambda s, w, t: registry.add_guardian(s, w["tw1"], w["pid"], t, "母亲"),
    "create_helper.name": lambda s, w, t: registry.create_helper(s, w["tw1"], w["ids"]["T1"], t, "村支书"),
    "add_care_measure.text": lambda s, w, t: registry.add_care_measure(s, w["tw1"], w["pid"], "其他", t, TODAY),
    "exit_person.reason": lambda s, w, t: registry.exit_person(s, w["tw1"], w["pid"], _version(w), t, TODAY),
    "record_visit.findings": lambda s, w, t: care.record_visit(s, w["tw1"], person_id=w["pid"], visited_on=TODAY,
                                                               helper_id=None, service_types=["生活照料"], findings=t),
    "create_card.description": lambda s, w, t: care.create_card(s, w["tw1"], source="学校", type="辍学",
                                                                discovered_on=TODAY, description=t, person_id=w["pid"]),
    "create_unit.duties": lambda s, w, t: meetings.create_unit(s, w["office"], "县测试局", "测试", duties=t),
    "create_meeting.agenda": lambda s, w, t: meetings.create_meeting(s, w["office"], "全体会议", TODAY, "全体会议",
                                                                     agenda=t),
    "add_worker.name": lambda s, w, t: workforce.add_worker(s, w["tw1"], kind="志愿者", name=t,
                                                            region_id=w["ids"]["V11"], phone=None, appointed_on=TODAY),
    "add_facility.name": lambda s, w, t: workforce.add_facility(s, w["tw1"], kind="儿童之家", name=t,
                                                                region_id=w["ids"]["V11"]),
    "create_account.display_name": lambda s, w, t: admin.create_account(s, w["admin"], "newuser", t, "office"),
    "soft_delete.reason": lambda s, w, t: records.soft_delete(s, w["tw1"], "worker", w["worker"][0], t, w["worker"][1]),
}


@pytest.mark.parametrize("text,expected", [(NUL, "控制字符"), (LONG, "不能超过")], ids=["nul", "long"])
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_write_services_refuse_control_characters_and_long_text(w, service, text, expected):
    with pytest.raises(ServiceError) as e:
        with session_scope(w["engine"], actor=w["tw1"]) as s:
            SERVICES[service](s, w, text)
    assert expected in str(e.value)
    assert "\x00" not in str(e.value)  # the message does not echo the character either


def _ledger(name):
    wb = Workbook()
    ws = wb.active
    ws.append(["村(居)", "姓名", "身份证号码", "人员类别", "备注"])
    ws.append(["测试1-1村", name, idnumber.make("429901", dt.date(2016, 3, 8), 702, "女"), "农村留守儿童", "备注"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_refuses_control_characters(w):
    csv = ("村(居),姓名,身份证号码,人员类别\n测试1-1村,张\x01三,%s,农村留守儿童\n"
           % idnumber.make("429901", dt.date(2016, 3, 8), 704, "女")).encode("utf-8")
    with session_scope(w["engine"], write=False) as s:
        pv = importer.preview(s, w["tw1"], "台账.csv", csv, TODAY)
    assert [(i.row, i.column) for i in pv.errors] == [(2, "姓名")] and "控制字符" in pv.errors[0].reason
    with session_scope(w["engine"], write=False) as s:
        pv = importer.preview(s, w["tw1"], "台账.xlsx", _ledger("张" * 65), TODAY)
    assert [(i.row, i.column) for i in pv.errors] == [(2, "姓名")] and "不能超过" in pv.errors[0].reason


def test_full_export_survives_a_stored_control_character(w):
    # stored before the checks existed, written below the ORM as an old database holds it
    # (SQLite took a NUL; PostgreSQL refuses NUL itself, but takes the other control characters)
    stored = NUL if w["engine"].dialect.name == "sqlite" else "张\x01三"
    with session_scope(w["engine"]) as s:
        s.execute(Person.__table__.update().where(Person.__table__.c.id == w["pid"]).values(name=stored, notes="a\x0bb"))
    with session_scope(w["engine"], actor=w["tw1"]) as s:
        data, n = exporter.export_registry(s, w["tw1"], RegistryFilter(), full_identity=True, reason="核对控制字符")
    rows = [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    assert n == 1 and rows[2][1] == "张三" and rows[2][8] == "ab"
