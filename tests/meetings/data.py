"""A hand-built joint-meeting data set; every expected figure in the tests is worked out
by hand from the comments below (today = 2026-06-30)."""
from __future__ import annotations

import datetime as dt

from db.models import Meeting, Task, TaskUpdate
from tests import factories as f

D = dt.date
TODAY = D(2026, 6, 30)


def build(session) -> dict:
    a = f.unit(session, "县教育局", "教育局")
    b = f.unit(session, "县民政局", "民政局")
    c = f.unit(session, "县妇联", "妇联")
    a.sort_order, b.sort_order, c.sort_order = 1, 2, 3
    m1 = Meeting(kind="全体会议", held_on=D(2026, 1, 10), title="2026年上半年全体会议")
    m1.attendees = [a, b, c]
    session.add(m1)
    session.flush()
    ids = {"A": a.id, "B": b.id, "C": c.id, "M1": m1.id}

    def task(key, lead, due, *, claimed=None, closed=None, co=(), updates=()):
        t = Task(meeting_id=m1.id, title=f"任务{key}", acceptance="按要求完成", lead_unit_id=lead.id,
                 assigned_on=D(2026, 1, 10), due_on=due, completion_claimed_on=claimed, closed_on=closed,
                 closed_by="office" if closed else None)
        t.co_units = list(co)
        session.add(t)
        session.flush()
        for on, unit, pct in updates:
            session.add(TaskUpdate(task_id=t.id, unit_id=unit.id, reported_on=on, progress=pct, text="进展"))
        ids[key] = t.id

    # A (教育局)
    task("t1", a, D(2026, 3, 31), claimed=D(2026, 3, 25), closed=D(2026, 3, 28),
         updates=[(D(2026, 3, 25), a, 100)])                       # done on time
    task("t2", a, D(2026, 3, 31), claimed=D(2026, 4, 10), closed=D(2026, 4, 12),
         updates=[(D(2026, 4, 10), a, 100)])                       # done 10 days late
    task("t3", a, D(2026, 4, 30), updates=[(D(2026, 4, 1), a, 40)])  # overdue: 61 days on 06-30
    task("t4", a, D(2026, 8, 31), updates=[(D(2026, 5, 1), a, 20)])  # in progress, due after the period
    # B (民政局)
    task("t5", b, D(2026, 5, 31), claimed=D(2026, 5, 30), updates=[(D(2026, 5, 30), b, 100)])  # claimed in time: 推进中
    task("t6", b, D(2026, 6, 15), claimed=D(2026, 6, 20), updates=[(D(2026, 6, 20), b, 100)])  # claimed late: overdue 15
    task("t7", b, D(2026, 9, 30))                                  # not started, due after the period
    # C (妇联)
    task("t8", c, D(2026, 2, 28), closed=D(2026, 3, 5))            # closed by the office without a claim: 5 days late
    task("t9", c, D(2025, 12, 31))                                 # overdue, but due before the period
    # A leads, B co-unit; due today: not overdue yet
    task("t10", a, D(2026, 6, 30), co=[b])
    session.flush()
    return ids
