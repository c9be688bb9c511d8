"""The meeting pack's review period and its workbook (issue 20 item 4): generated after
today's plenary is registered, the pack still looks back to the previous plenary; the
workbook holds numbers as numbers, rounded as shown, the change in a column of its own."""
import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from areas.indicators import reads as qi
from areas.meetings import pack as meeting_pack
from core import indicators as ci
from db.engine import session_scope
from db.models import Meeting, Task
from tests import factories as f
from tests.meetings.data import TODAY, build

D = dt.date


@pytest.fixture
def data(engine):
    with session_scope(engine) as s:
        ids = build(s)  # 2026年上半年全体会议 on 2026-01-10 with ten decisions
        town = f.county(s, townships=2, villages=1)
        ids.update(town)
        for i in range(3):
            f.person(s, town["T1"], town["V11"], name=f"测试{i}")
        today = Meeting(kind="全体会议", held_on=TODAY, title="今天的全体会议")
        s.add(today)
        s.flush()
        s.add(Task(meeting_id=today.id, title="今天交办的事项", acceptance="完成", lead_unit_id=ids["A"],
                   assigned_on=TODAY, due_on=TODAY + dt.timedelta(days=60)))
        ids["today"] = today.id
        ids["office"] = f.account(s, "office", "office")
    return ids


def test_default_period_is_since_the_plenary_before_today(engine, data):
    with session_scope(engine, write=False) as s:
        review = meeting_pack.default_review(s, TODAY)
        choices = meeting_pack.previous_plenaries(s, TODAY)
    assert (review.meeting_id, review.start, review.end) == (data["M1"], D(2026, 1, 10), TODAY)
    assert [c.meeting_id for c in choices] == [data["M1"]]  # today's plenary is not a choice
    office = data["office"]
    with session_scope(engine, actor=office) as s:
        pack = meeting_pack.build_pack(s, office, TODAY)
    assert pack.review == review
    text = "\n".join(p.text for p in Document(io.BytesIO(pack.docx)).paragraphs)
    assert "回顾期：2026-01-10 至 2026-06-30" in text and "2026年上半年全体会议" in text
    decisions = next(t.df for t in pack.tables if t.key == "上次会议议定事项")
    assert len(decisions) == 10 and "今天交办的事项" not in set(decisions["议定事项"])
    scorecard = next(t for t in pack.tables if t.key == "单位考评")
    assert "2026-01-10 至 2026-06-30" in scorecard.note


def test_an_explicit_period_without_a_meeting(engine, data):
    office = data["office"]
    review = meeting_pack.Review(D(2026, 4, 1), TODAY)
    with session_scope(engine, actor=office) as s:
        pack = meeting_pack.build_pack(s, office, TODAY, review=review)
    decisions = next(t for t in pack.tables if t.key == "上次会议议定事项")
    assert decisions.df.empty and pack.last_meeting is None
    assert "2026年04月（回顾期起点）" in next(t.note for t in pack.tables if t.key == "关键指标")


def test_workbook_numbers_are_numbers_rounded_with_the_change_in_its_own_column(engine, data):
    office = data["office"]
    with session_scope(engine, actor=office) as s:
        pack = meeting_pack.build_pack(s, office, TODAY)
        live = qi.compute(s, office, ci.month_label(TODAY), today=TODAY)
    wb = load_workbook(io.BytesIO(pack.xlsx))
    ws = wb["关键指标"]
    rows = list(ws.iter_rows())
    header_at = next(i for i, r in enumerate(rows) if r[0].value == "乡镇")
    header = [c.value for c in rows[header_at]]
    name = ci.get("helper_rate").name
    assert f"{name}(%)" in header and f"{name}变化" in header
    body = rows[header_at + 1:]
    assert body, "no township rows"
    numbers = 0
    for r in body:
        for head, c in zip(header[1:], r[1:]):
            assert not isinstance(c.value, str), (head, c.value)  # never "93.5(+0.0)"
            if c.value is not None:
                numbers += 1
                assert c.value == round(c.value, 1)
                assert c.number_format == ("+0.0;-0.0;0.0" if head.endswith("变化") else "0.0"), head
    assert numbers >= len(body)
    # the same figure as the board's, rounded to one place
    t1 = live[(live["code"] == "helper_rate") & (live["township_id"] == data["T1"])].iloc[0]
    row = next(r for r in body if r[0].value == t1["乡镇"])
    assert row[header.index(f"{name}(%)")].value == round(t1["value"], 1)
    # the detail sheet: counts as whole numbers, values as rounded numbers
    detail = wb["关键指标明细"]
    drows = list(detail.iter_rows(values_only=True))
    dhead = next(r for r in drows if r and r[0] == "乡镇")
    i_val, i_num = dhead.index("本期值(%)"), dhead.index("分子")
    vals = [r[i_val] for r in drows[drows.index(dhead) + 1:] if r[i_val] is not None]
    nums = [r[i_num] for r in drows[drows.index(dhead) + 1:] if r[i_num] is not None]
    assert vals and all(isinstance(v, (int, float)) and v == round(v, 1) for v in vals)  # 0.0 reads back as 0
    assert nums and all(isinstance(n, int) for n in nums)
