import datetime as dt

import pytest

from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from db.models import Assessment, AssessmentRound, Guardian, IncidentCard, Visit
from tests import factories as f
from tests.care import data


@pytest.fixture
def care_app_db(tmp_path, monkeypatch):
    """A small county dated relative to the real today, for AppTest and the browser:
    T1 has one overdue person (逾期甲, last visit 40 days ago), one up to date (按期乙),
    one high-risk child, one child without guardian, and a card referred to the unit."""
    url = f"sqlite:///{tmp_path / 'care.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CAREDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CAREDESK_DEMO", "0")
    engine = get_engine(url)
    upgrade(engine)
    today = dt.date.today()
    with session_scope(engine) as s:
        ids = f.county(s)
        u = f.unit(s)
        f.unit(s, "县公安局", "公安")
        f.account(s, "admin", "admin")
        f.account(s, "office", "office")
        f.account(s, "tw1", "township", township_id=ids["T1"])
        f.account(s, "unit", "unit", unit_id=u.id)
        f.account(s, "leader", "leader")
        h = data.helper(s, "帮扶甲", ids["T1"])
        enrolled = today - dt.timedelta(days=200)
        late = f.person(s, ids["T1"], ids["V11"], name="逾期甲", enrolled_on=enrolled, phone="13912345678")
        ok = f.person(s, ids["T1"], ids["V11"], name="按期乙", enrolled_on=enrolled)
        other = f.person(s, ids["T2"], ids["V21"], name="外乡丙", enrolled_on=enrolled)
        for p in (late, ok, other):
            data.assign(s, h.id, p.id, start=enrolled)
        s.add(Visit(person_id=late.id, helper_id=h.id, visited_on=today - dt.timedelta(days=40), service_types=["精神陪伴"]))
        s.add(Visit(person_id=ok.id, helper_id=h.id, visited_on=today - dt.timedelta(days=2), service_types=["生活照料"]))
        s.add(Guardian(person_id=ok.id, name="爷爷", relation="祖父", capacity="有"))
        rnd = AssessmentRound(period="2026-09", opened_on=today - dt.timedelta(days=30))
        s.add(rnd)
        s.flush()
        s.add(Assessment(person_id=other.id, round_id=rnd.id, period="2026-09", risk_level="高",
                         assessed_on=today - dt.timedelta(days=20), issues="监护缺失"))
        s.add(IncidentCard(person_id=late.id, township_id=ids["T1"], source="学校", type="辍学", status="referred",
                           discovered_on=today - dt.timedelta(days=10), description="连续一周未到校",
                           referred_unit_id=u.id, deadline=today - dt.timedelta(days=1), needs_contact=False,
                           reported_at=dt.datetime.now(dt.timezone.utc), referred_at=dt.datetime.now(dt.timezone.utc)))
        s.add(IncidentCard(person_id=ok.id, township_id=ids["T1"], source="群众", type="生活无着", status="discovered",
                           discovered_on=today - dt.timedelta(days=1)))
        people = {"late": late.id, "ok": ok.id, "other": other.id}
    yield {"url": url, "engine": engine, "ids": ids, "people": people, "tmp": tmp_path, "unit_id": u.id}
    dispose_all()
