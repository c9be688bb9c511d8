"""Small hand-built data sets: every expected figure in a test is computed from these."""
from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from core import idnumber
from core.roles import Actor
from areas.admin import users
from db.models import Person, PersonCategory, Region, Unit

_seq = itertools.count(1)


def county(session: Session, townships: int = 2, villages: int = 2) -> dict:
    """示范县 with townships T1..Tn and villages V{t}{v}; returns ids by name."""
    ids: dict[str, int] = {}
    c = Region(code="429901000000", name="示范县", level="county")
    session.add(c)
    session.flush()
    ids["county"] = c.id
    for t in range(1, townships + 1):
        tw = Region(code=f"429901{t:03d}000", name=f"测试{t}镇", level="township", parent_id=c.id, sort_order=t)
        session.add(tw)
        session.flush()
        ids[f"T{t}"] = tw.id
        for v in range(1, villages + 1):
            vi = Region(code=f"429901{t:03d}{v:03d}", name=f"测试{t}-{v}村", level="village", parent_id=tw.id, sort_order=v)
            session.add(vi)
            session.flush()
            ids[f"V{t}{v}"] = vi.id
    return ids


def person(
    session: Session,
    township_id: int,
    village_id: int,
    *,
    name: str | None = None,
    birth: dt.date = dt.date(2014, 5, 6),
    gender: str = "男",
    categories: tuple[str, ...] = ("left_behind_child",),
    difficulty: str = "一般",
    enrolled_on: dt.date = dt.date(2025, 1, 1),
    status: str = "在册",
    phone: str | None = "13800000000",
) -> Person:
    n = next(_seq)
    # even sequence numbers: make() may bump one to fix the gender parity, never onto the next
    pid = idnumber.make(f"4299{n // 500 % 100:02d}", birth, (2 * n) % 1000, gender)
    p = Person(
        id_number=pid,
        name=name or f"测试{n}号",
        gender=gender,
        birth_date=birth,
        phone=phone,
        township_id=township_id,
        village_id=village_id,
        difficulty=difficulty,
        status=status,
        enrolled_on=enrolled_on,
    )
    session.add(p)
    session.flush()
    for cat in categories:
        session.add(PersonCategory(person_id=p.id, category=cat, start_on=enrolled_on))
    session.flush()
    return p


def unit(session: Session, name: str = "县教育局", short: str = "教育") -> Unit:
    u = Unit(name=name, short_name=short, duties="测试职责")
    session.add(u)
    session.flush()
    return u


PASSWORD = "Test#Pass2026x"


def account(session: Session, username: str, role: str, **scope) -> Actor:
    u = users.create_user(session, username, PASSWORD, role, display_name=username, must_change=False, **scope)
    return users.actor_for(u)


def workbook(header: list, rows: list[list], above: list[list] = (), sheet: str = "Sheet") -> bytes:
    """An .xlsx file of one sheet: lines `above` the header (a title), the header, the rows —
    as a user's Excel stores them (a text starting with "=" is a formula)."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for line in above:
        ws.append(line)
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
