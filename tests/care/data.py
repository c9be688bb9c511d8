"""The hand-built care data set. Expected figures are worked out by hand in the tests.

Today = 2026-03-10; compliance month = February 2026 (28 days).

person T/V  difficulty  helper  visits (Feb unless noted)        notes
A      T1/V11 一般       H1     Feb 3, Feb 20, Mar 1              Feb ok; due Mar 16 (not overdue)
B      T1/V11 一般       H1     Feb 10                            Feb 1/2; due Feb 25 → 13 days
C      T1/V12 特别困难   H2     Feb 2, 9, 16, 23                  Feb 4/4; due Mar 2 → 8 days
D      T1/V12 一般       H2     —  (enrolled Feb 20)              Feb not counted; due Mar 7 → 3 days
I      T1/V11 一般       H1     Feb 14 (+ deleted Feb 28)         高 Jan 10 then 中 Feb 1; Feb 1/2; due Mar 1 → 9
E      T2/V21 一般       H3     Feb 5, 16, 25                     高 Feb 15: Feb needs 1+2 = 3 → ok;
                                                                  due min(Mar 12, Feb 25+7) = Mar 4 → 6 days
F      T2/V22 一般       —      —  (enrolled 2025-12-01)          Feb 0/2; due Dec 16 → 84 days
G      T2/V21 一般       H3     —  exited Feb 10                  not counted, not listed
H      T2/V22 一般       H3     Feb 1, 8, 15   (特困: office rule 每月4次)  Feb 3/4; due Feb 22 → 16 days
"""
import datetime as dt

from db.models import Assessment, Assignment, Helper, Visit, VisitRule
from tests import factories as f

D = dt.date
TODAY = D(2026, 3, 10)
ENROLLED = D(2025, 12, 1)


def helper(s, name, township_id, position="村干部"):
    h = Helper(name=name, position=position, unit="村委会", phone="13900000000", township_id=township_id)
    s.add(h)
    s.flush()
    return h


def assign(s, helper_id, person_id, start=ENROLLED):
    s.add(Assignment(helper_id=helper_id, person_id=person_id, start_on=start))
    s.flush()


def visit(s, person_id, day, helper_id=None, deleted=False):
    v = Visit(person_id=person_id, helper_id=helper_id, visited_on=day, service_types=["精神陪伴"])
    if deleted:
        v.deleted_at = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
        v.deleted_by = "t"
        v.delete_reason = "录入错误"
    s.add(v)
    s.flush()


def assess(s, person_id, day, level, period=None):
    s.add(Assessment(person_id=person_id, period=period or f"{day:%Y-%m}", assessed_on=day, risk_level=level))
    s.flush()


def build(s) -> dict:
    ids = f.county(s)
    h1, h2, h3 = helper(s, "帮扶甲", ids["T1"]), helper(s, "帮扶乙", ids["T1"]), helper(s, "帮扶丙", ids["T2"])
    P = {}

    def mk(key, t, v, difficulty="一般", enrolled=ENROLLED, h=None, cats=("left_behind_child",), **kw):
        p = f.person(s, ids[t], ids[v], name=f"对象{key}", difficulty=difficulty, enrolled_on=enrolled,
                     categories=cats, **kw)
        if h is not None:
            assign(s, h.id, p.id, start=enrolled)
        P[key] = p
        return p

    a = mk("A", "T1", "V11", h=h1)
    for d in (D(2026, 2, 3), D(2026, 2, 20), D(2026, 3, 1)):
        visit(s, a.id, d, h1.id)
    b = mk("B", "T1", "V11", h=h1)
    visit(s, b.id, D(2026, 2, 10), h1.id)
    c = mk("C", "T1", "V12", difficulty="特别困难", h=h2)
    for d in (D(2026, 2, 2), D(2026, 2, 9), D(2026, 2, 16), D(2026, 2, 23)):
        visit(s, c.id, d, h2.id)
    mk("D", "T1", "V12", enrolled=D(2026, 2, 20), h=h2)
    i = mk("I", "T1", "V11", h=h1)
    visit(s, i.id, D(2026, 2, 14), h1.id)
    visit(s, i.id, D(2026, 2, 28), h1.id, deleted=True)
    assess(s, i.id, D(2026, 1, 10), "高")
    assess(s, i.id, D(2026, 2, 1), "中")
    e = mk("E", "T2", "V21", h=h3)
    for d in (D(2026, 2, 5), D(2026, 2, 16), D(2026, 2, 25)):
        visit(s, e.id, d, h3.id)
    assess(s, e.id, D(2026, 2, 15), "高")
    mk("F", "T2", "V22")
    g = mk("G", "T2", "V21", h=h3, status="已退出")
    g.exited_on = D(2026, 2, 10)
    g.exit_reason = "迁出"
    hh = mk("H", "T2", "V22", h=h3, cats=("extremely_poor",), birth=D(1950, 3, 3))
    for d in (D(2026, 2, 1), D(2026, 2, 8), D(2026, 2, 15)):
        visit(s, hh.id, d, h3.id)
    s.add(VisitRule(category="extremely_poor", difficulty="一般", period="month", min_visits=4))
    s.flush()
    return {"ids": ids, "people": {k: p.id for k, p in P.items()}, "helpers": {"H1": h1.id, "H2": h2.id, "H3": h3.id}}
