"""Issue 20 item 6: a person's 变更记录 in words — field names as their Chinese labels, a
helper as a name (not "4"), lists joined with 、, dates as dates; no raw keys (visited_on,
service_types) and no Python list text (['精神陪伴'])."""
import datetime as dt
import re

from areas.care import writes as care
from areas.registry import reads as rq
from areas.registry import writes as svc
from core.audit_labels import FIELD_LABELS, value_text
from db.engine import session_scope
from db.models import Person

from .conftest import TODAY

RAW_KEY = re.compile(r"(?<![A-Za-z0-9_])[a-z]+(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")


def test_values_in_words():
    names = {("helper", 4): "周帮扶", ("region", 7): "测试1镇"}
    assert value_text("visit", "helper_id", 4, names) == "周帮扶"
    assert value_text("visit", "helper_id", "4", names) == "周帮扶"  # JSON may carry ids as text
    assert value_text("person", "township_id", 7, names) == "测试1镇"
    assert value_text("visit", "helper_id", 9, names) == "（编号 9）"  # a deleted helper: not a bare "9"
    assert value_text("visit", "service_types", ["精神陪伴", "生活照料"]) == "精神陪伴、生活照料"
    assert value_text("person_category", "category", "left_behind_child") == "农村留守儿童"
    assert value_text("incident_card", "status", "referred") == "已转介"
    assert value_text("incident_card", "reported_at", "2026-06-10T08:30:00.123+00:00") == "2026-06-10 08:30"
    assert value_text("visit", "visited_on", "2026-06-10") == "2026-06-10"
    assert value_text("guardian", "entrusted", False) == "否"
    assert value_text("visit", "findings", None) == value_text("visit", "findings", "") == "（空）"


def test_every_audited_field_of_a_file_has_a_label():
    from db import models as m

    skip = {"id", "version", "created_at", "created_by", "updated_at", "updated_by"}
    for model in (m.Person, m.PersonCategory, m.Guardian, m.Assignment, m.CareMeasure, m.Visit, m.Assessment,
                  m.IncidentCard):
        missing = [c.name for c in model.__table__.columns if c.name not in skip and c.name not in FIELD_LABELS]
        assert missing == [], (model.__name__, missing)


def test_a_visit_and_a_helper_change_read_in_words(world):
    eng, a = world["engine"], world["p"]["a"]
    with session_scope(eng, actor=world["tw1"]) as s:
        care.record_visit(s, world["tw1"], person_id=a, visited_on=dt.date(2026, 6, 14),
                          helper_id=world["helpers"]["zhou"], service_types=["精神陪伴", "生活照料"],
                          findings="情况良好", today=TODAY)
    with session_scope(eng, actor=world["tw1"]) as s:
        version = s.get(Person, a).version
        svc.assign_helper(s, world["tw1"], a, version, world["helpers"]["wu"], today=TODAY)
    with session_scope(eng, write=False) as s:
        tl = rq.timeline(s, world["tw1"], a)
    text = "\n".join(tl["变更内容"].astype(str))
    assert "走访日期：（空） → 2026-06-14" in text
    assert "服务类型：（空） → 精神陪伴、生活照料" in text
    assert "帮扶责任人：（空） → 周帮扶" in text and "吴帮扶" in text
    assert not RAW_KEY.search(text), RAW_KEY.findall(text)
    assert "[" not in text and "'" not in text
    assert not re.search(r"帮扶责任人：[^；]*→ \d+(；|$)", text), text
