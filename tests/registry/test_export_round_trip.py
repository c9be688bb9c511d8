"""Export → import is the identity (issue 13, item 10): a small demo county, with names, a
helper and texts that the export has to escape, exported in full and masked and imported
again by the same user: the preview shows nothing to add or update, applying writes nothing,
and the next export equals the first."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from areas.admin import users
from areas.registry import exporter, importer
from areas.registry.reads import RegistryFilter
from db.engine import session_scope
from db.models import Assignment, AuditLog, CareMeasure, Helper, Person, PersonCategory
from tests import factories as f
from tools import demo

TODAY = dt.date(2026, 6, 15)
TABLES = (Person, PersonCategory, Helper, Assignment, CareMeasure, AuditLog)


@pytest.fixture
def county(engine):
    demo.generate(engine, people=120, seed=13, today=TODAY)
    with session_scope(engine) as s:
        office = f.account(s, "office_rt", "office")
        # values the export escapes (formula leads, a leading apostrophe) or lists with others
        people = s.scalars(select(Person).where(Person.status == "在册").order_by(Person.id).limit(4)).all()
        people[0].name = "-张三"
        people[1].name = "'@李四"
        people[2].notes = "=1+1 不是公式"
        hostile = Helper(name="@王某", position="村支书", township_id=people[3].township_id)
        s.add(hostile)
        s.flush()
        for a in s.scalars(select(Assignment).where(Assignment.person_id == people[3].id, Assignment.end_on.is_(None))):
            a.end_on = TODAY
        s.add(Assignment(helper_id=hostile.id, person_id=people[3].id, start_on=TODAY - dt.timedelta(days=30)))
        s.add(CareMeasure(person_id=people[0].id, type=importer.LEDGER_MEASURE, text="+每月走访，电话13912345678",
                          start_on=TODAY - dt.timedelta(days=30)))
    return office


def _export(engine, actor, full):
    with session_scope(engine, actor=actor) as s:
        data, n = exporter.export_registry(s, actor, RegistryFilter(), full_identity=full,
                                           reason="核对往返导入" if full else "", today=TODAY)
    return data, n


def _cells(data):
    ws = load_workbook(io.BytesIO(data)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _counts(engine):
    with session_scope(engine, write=False) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in TABLES}


@pytest.mark.parametrize("full", [True, False], ids=["full", "masked"])
def test_export_then_import_changes_nothing(engine, county, full):
    office = county
    first, n = _export(engine, office, full)
    assert n > 100
    text = str(_cells(first))
    if full:  # the export did escape them: the import has to undo it
        assert "'-张三" in text and "'@王某（村支书）" in text
    before = _counts(engine)
    with session_scope(engine, write=False) as s:
        pv = importer.preview(s, office, "台账.xlsx", first, TODAY)
    assert pv.errors == []
    counts = pv.counts()
    assert (counts["add"], counts["update"]) == (0, 0), [(p.row.row, p.changes) for p in pv.plan if p.changes][:5]
    if full:
        assert counts["unchanged"] == n and pv.notes == []
    else:  # a masked ID number identifies nobody: the row is skipped with a note, never matched
        assert counts["unchanged"] == 0 and len(pv.notes) == n
        assert all("已脱敏" in i.reason for i in pv.notes)
    if pv.plan:
        with session_scope(engine, actor=office) as s:
            assert importer.apply(s, office, "台账.xlsx", first, TODAY, prepared=pv) == counts
        after = _counts(engine)
        assert after == {**before, "audit_log": before["audit_log"] + 1}  # the import's own row only
    else:
        with pytest.raises(importer.ImportRefused):
            with session_scope(engine, actor=office) as s:
                importer.apply(s, office, "台账.xlsx", first, TODAY)
        assert _counts(engine) == before
    with session_scope(engine, write=False) as s:
        names = set(s.scalars(select(Person.name)))
        assert {"-张三", "'@李四"} <= names
        assert s.scalar(select(func.count()).select_from(Helper).where(Helper.name.like("%王某%"))) == 1
    second, _ = _export(engine, office, full)
    assert _cells(second) == _cells(first)


def test_masked_cells_never_overwrite_real_values(engine, county):
    """A masked export edited by hand and imported: the masked cells change nothing, the
    real edit does."""
    office = county
    with session_scope(engine, write=False) as s:
        p = s.scalars(select(Person).where(Person.status == "在册", Person.phone.is_not(None),
                                           Person.notes.is_not(None)).order_by(Person.id)).first()
        pid, idn, name, phone, notes = p.id, p.id_number, p.name, p.phone, p.notes
    masked, _ = _export(engine, office, False)
    rows = _cells(masked)
    header = rows[1]
    for r in rows[2:]:
        if r[header.index("姓名")] and r[header.index("身份证号码")] and r[header.index("身份证号码")][-4:] == idn[-4:] \
                and r[header.index("身份证号码")][:6] == idn[:6]:
            target = r
            break
    target[header.index("身份证号码")] = idn  # the user fills in the real number
    target[header.index("困难程度")] = "特别困难" if target[header.index("困难程度")] == "一般" else "一般"
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    ws.append(target)
    buf = io.BytesIO()
    wb.save(buf)
    with session_scope(engine, write=False) as s:
        pv = importer.preview(s, office, "台账.xlsx", buf.getvalue(), TODAY)
    assert pv.errors == [] and pv.counts()["update"] == 1
    assert pv.plan[0].changes == ["困难程度"]  # not 姓名, 联系电话, 备注: those cells were masked
    with session_scope(engine, actor=office) as s:
        importer.apply(s, office, "台账.xlsx", buf.getvalue(), TODAY, prepared=pv)
    with session_scope(engine, write=False) as s:
        p = s.get(Person, pid)
        assert (p.name, p.phone, p.notes) == (name, phone, notes)
