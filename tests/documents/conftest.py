"""A small county for the printed documents: one child with a whole file (categories, a
guardian with an entrusted agreement, a helper, a measure, visits, an assessment, two cards,
an exit of a category), accounts of every role, and helpers to read the Word files."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from docx import Document
from lxml import etree

from db.models import Assessment, CareMeasure, Guardian, IncidentCard, PersonCategory, Visit
from tests import factories as f
from tests.care import data

TODAY = dt.date.today()
ID_GUARDIAN = "422823198001011234"
PHONE_GUARDIAN = "13711112222"
PHONE_CHILD = "13912345678"
CARD_TEXT = "家长电话13655556666，连续一周未到校"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def build(s) -> dict:
    ids = f.county(s)
    u = f.unit(s)
    other_unit = f.unit(s, "县公安局", "公安")
    actors = {
        "admin": f.account(s, "admin", "admin"),
        "office": f.account(s, "office", "office"),
        "tw1": f.account(s, "tw1", "township", township_id=ids["T1"]),
        "tw2": f.account(s, "tw2", "township", township_id=ids["T2"]),
        "unit": f.account(s, "unit", "unit", unit_id=u.id),
        "unit2": f.account(s, "unit2", "unit", unit_id=other_unit.id),
        "leader": f.account(s, "leader", "leader"),
    }
    h = data.helper(s, "帮扶甲", ids["T1"], position="村支书")
    enrolled = TODAY - dt.timedelta(days=200)
    child = f.person(s, ids["T1"], ids["V11"], name="档案甲", enrolled_on=enrolled, phone=PHONE_CHILD,
                     categories=("left_behind_child", "child_in_difficulty"))
    child.address = "湖北省恩施州示范县测试1-1村3组"
    child.family_situation = "父母均在外务工"
    child.parents_status = "父亲在广东务工"
    s.flush()
    cat = s.query(PersonCategory).filter_by(person_id=child.id, category="child_in_difficulty").one()
    cat.end_on = TODAY - dt.timedelta(days=30)
    data.assign(s, h.id, child.id, start=enrolled)
    g = Guardian(person_id=child.id, name="祖母乙", relation="祖母", phone=PHONE_GUARDIAN, id_number=ID_GUARDIAN,
                 capacity="有", entrusted=True, agreement_signed_on=TODAY - dt.timedelta(days=100),
                 witnessed_by="村委丙")
    s.add(g)
    s.add(CareMeasure(person_id=child.id, type="精神陪伴", text="每周电话陪伴", start_on=enrolled))
    s.add(Visit(person_id=child.id, helper_id=h.id, visited_on=TODAY - dt.timedelta(days=40),
                service_types=["精神陪伴"], findings="情绪稳定", problems="学习吃力"))
    s.add(Assessment(person_id=child.id, period=f"{TODAY:%Y-%m}", assessed_on=TODAY - dt.timedelta(days=20),
                     risk_level="中", issues="监护较弱", actions="加密走访"))
    now = dt.datetime.now(dt.timezone.utc)
    card = IncidentCard(person_id=child.id, township_id=ids["T1"], source="学校", type="辍学", status="handled",
                        discovered_on=TODAY - dt.timedelta(days=10), description=CARD_TEXT,
                        referred_unit_id=u.id, deadline=TODAY + dt.timedelta(days=5), needs_contact=False,
                        reported_at=now - dt.timedelta(days=9), referred_at=now - dt.timedelta(days=8),
                        handled_at=now - dt.timedelta(days=3), handling="已劝返复学")
    s.add(card)
    ok = f.person(s, ids["T1"], ids["V11"], name="按期乙", enrolled_on=enrolled)
    data.assign(s, h.id, ok.id, start=enrolled)
    s.add(Visit(person_id=ok.id, helper_id=h.id, visited_on=TODAY - dt.timedelta(days=1), service_types=["生活照料"]))
    away = f.person(s, ids["T2"], ids["V21"], name="外乡丙", enrolled_on=enrolled)
    s.flush()
    return {"ids": ids, "actors": actors, "child": child.id, "ok": ok.id, "away": away.id, "guardian": g.id,
            "card": card.id, "unit": u.id, "child_id_number": child.id_number, "ok_id_number": ok.id_number}


@pytest.fixture
def world(engine):
    from db.engine import session_scope

    with session_scope(engine) as s:
        w = build(s)
    w["engine"] = engine
    return w


def docx_text(data: bytes) -> str:
    """Every paragraph of a Word file as stored — body, tables, headers and footers — one a line."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [z.read(n) for n in z.namelist() if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
    return "\n".join("".join(t.text or "" for t in p.iter(W + "t"))
                     for xml in parts for p in etree.fromstring(xml).iter(W + "p"))


def table_rows(data: bytes, index: int = -1) -> list[list[str]]:
    doc = Document(io.BytesIO(data))
    return [[c.text for c in row.cells] for row in doc.tables[index].rows]


def zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.namelist()


@pytest.fixture
def docs_app_db(sqlite_url, tmp_path, monkeypatch):
    """The same county in a SQLite file the app itself opens (AppTest, the browser)."""
    from db.engine import dispose_all, get_engine, session_scope

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CAREDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CAREDESK_DEMO", "0")
    engine = get_engine(sqlite_url)
    with session_scope(engine) as s:
        w = build(s)
    w.update(url=sqlite_url, engine=engine, tmp=tmp_path)
    yield w
    dispose_all()
