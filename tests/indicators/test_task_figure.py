"""成员单位任务按期办结率 is one figure: 指标看板 (its numerator, denominator and the list of
tasks behind the shortfall) and 单位考评 give the same numbers for the same period
(issue 20 item 8: the board said 100 % while 单位考评 said 44.4 %)."""
from __future__ import annotations

import datetime as dt

from core.roles import Actor
from db.engine import session_scope
from db.models import Task
from areas.indicators import reads as q
from areas.meetings import task_reads as tq
from tests import factories as f

D = dt.date
TODAY = D(2026, 3, 20)
OFFICE = Actor("office1", "office")


def test_board_shortfall_and_scorecard_agree(engine):
    with session_scope(engine) as s:
        a, b = f.unit(s, name="县教育局"), f.unit(s, name="县民政局", short="民政")

        def task(unit, due, closed=None, claimed=None):
            s.add(Task(title=f"任务{due}{closed}{claimed}", lead_unit_id=unit.id, assigned_on=D(2026, 1, 5),
                       due_on=due, closed_on=closed, completion_claimed_on=claimed))

        task(a, D(2026, 3, 10), closed=D(2026, 3, 9))                          # on time
        task(a, D(2026, 3, 11), closed=D(2026, 3, 14), claimed=D(2026, 3, 10))  # claimed in time: on time
        task(a, D(2026, 3, 15), closed=D(2026, 3, 16))                         # late
        task(b, D(2026, 3, 16), claimed=D(2026, 3, 15))  # claimed in time, acceptance pending: not missed
        task(b, D(2026, 3, 18))                          # overdue
        task(b, D(2026, 3, 25))                          # not yet due: outside both
        task(b, D(2026, 2, 10), closed=D(2026, 2, 20))   # another month
    with session_scope(engine, actor=OFFICE) as s:
        board = q.compute(s, OFFICE, "2026-03", ["task_on_time"], today=TODAY)
        row = board[board["township_id"] == q.TOTAL].iloc[0]
        short = q.complement(s, OFFICE, "task_on_time", None, "2026-03", today=TODAY)
        cards = tq.unit_scorecard(s, OFFICE, D(2026, 3, 1), D(2026, 3, 31), today=TODAY)
        rate = tq.on_time_rate(s, D(2026, 3, 1), D(2026, 3, 31), today=TODAY)
    assert (row["numerator"], row["denominator"]) == rate == (2, 4)
    assert short.count == row["denominator"] - row["numerator"] == 2
    assert sorted(short.rows["截止日期"]) == [D(2026, 3, 15), D(2026, 3, 18)]
    assert int(cards["按期办结"].sum()) == 2
    assert int((cards["逾期办结"] + cards["逾期未办结"]).sum()) == short.count
