"""The meeting pack opens with python-docx/openpyxl, lists every township and unit, and
leaks no ID number or mobile number even when one was typed into free text."""
import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from core.masking import ID_NUMBER_RE, MOBILE_RE
from areas.meetings import pack as meeting_pack
from db.engine import session_scope
from db.models import AuditLog, IncidentCard, Meeting, Region, Task, Unit
from db.errors import ForbiddenError
from tests import factories as f
from tests.meetings.data import TODAY, build

D = dt.date
PLANTED_ID = "420101199001011234"
PLANTED_PHONE = "13912345678"


@pytest.fixture
def data(engine):
    with session_scope(engine) as s:
        ids = build(s)
        town = f.county(s, townships=3, villages=1)
        ids.update(town)
        p = f.person(s, town["T1"], town["V11"], name="王小明", phone="13700001111")
        ids["person_id_number"] = p.id_number
        # free text with personal data typed by a careless user
        t3 = s.get(Task, ids["t3"])
        t3.title = f"为王小明（{PLANTED_ID}，电话{PLANTED_PHONE}）落实监护"
        s.get(Meeting, ids["M1"]).minutes = f"联系人电话 {PLANTED_PHONE}"
        s.add(IncidentCard(person_id=p.id, township_id=town["T1"], source="学校", type="监护缺失",
                           description=f"王小明 {p.id_number} {PLANTED_PHONE}", status="referred",
                           discovered_on=D(2026, 5, 1), referred_unit_id=ids["A"], deadline=D(2026, 6, 1)))
        s.add(IncidentCard(township_id=town["T2"], source="热线", type="其他", status="closed",
                           discovered_on=D(2026, 5, 1)))
        ids["office"] = f.account(s, "office", "office")
        ids["uA"] = f.account(s, "unit_a", "unit", unit_id=ids["A"])
    return ids


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    for sec in doc.sections:
        parts.extend(p.text for p in sec.header.paragraphs)
        parts.extend(p.text for p in sec.footer.paragraphs)
    return "\n".join(parts)


def _xlsx_text(data: bytes) -> str:
    wb = load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)


def test_pack_contains_every_township_and_unit_and_no_personal_numbers(engine, data):
    office = data["office"]
    steps = []
    with session_scope(engine, actor=office) as s:
        pack = meeting_pack.build_pack(s, office, TODAY, progress=steps.append)
        towns = s.scalars(select(Region.name).where(Region.level == "township")).all()
        units = s.scalars(select(Unit.name)).all()
    assert len(steps) >= 4
    text = _docx_text(pack.docx)
    assert pack.title in text
    assert sorted(towns) == ["测试1镇", "测试2镇", "测试3镇"] and len(units) == 3
    for name in towns + units:
        assert name in text, name
    # the last meeting's decisions with their derived status, and the scorecard
    assert "2026年上半年全体会议" in text and "任务t1" in text and "已逾期" in text and "按期办结" in text
    # no unmasked ID number or mobile number anywhere in either file
    for blob in (text, _xlsx_text(pack.xlsx)):
        assert not ID_NUMBER_RE.search(blob), ID_NUMBER_RE.search(blob)
        assert not MOBILE_RE.search(blob), MOBILE_RE.search(blob)
        assert data["person_id_number"] not in blob and "王小明" not in blob.replace("为王小明", "")
    assert "420101********1234" in text and "139****5678" in text  # the planted ones, masked
    wb = load_workbook(io.BytesIO(pack.xlsx))
    assert {"关键指标", "红旗乡镇", "单位考评", "上次会议议定事项", "通报处置卡"} <= set(wb.sheetnames)
    cards = wb["通报处置卡"]
    rows = {r[0]: r for r in cards.iter_rows(values_only=True) if r and r[0] in ("测试1镇", "全县")}
    assert rows["测试1镇"][3] == 1 and rows["全县"][-2] == 1 and rows["全县"][-1] == 1  # 1 referred, overdue
    with session_scope(engine, write=False) as s:
        rec = s.scalars(select(AuditLog).where(AuditLog.action == "export", AuditLog.entity == "meeting_pack")).all()
        assert len(rec) == 1 and rec[0].username == "office"


def test_xlsx_escapes_formula_like_text(engine, data):
    office = data["office"]
    with session_scope(engine, actor=office) as s:
        s.get(Task, data["t1"]).title = "=HYPERLINK(\"http://x\")"
    with session_scope(engine, actor=office) as s:
        pack = meeting_pack.build_pack(s, office, TODAY)
    ws = load_workbook(io.BytesIO(pack.xlsx))["上次会议议定事项"]
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://x\")" in values and not any(v.startswith("=") for v in values)


def test_only_the_office_builds_the_pack(engine, data):
    with pytest.raises(ForbiddenError):
        with session_scope(engine, actor=data["uA"]) as s:
            meeting_pack.build_pack(s, data["uA"], TODAY)
