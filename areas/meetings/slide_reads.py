"""Figures for 会议投屏 that no other screen reads: open incident cards counted by township
and state (counts only, never a card), and the red-flag townships derived from the
indicator board (areas/indicators/reads.board — no indicator is computed again here)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from core import incidents as inc
from core import indicators as ci
from core import access
from core.masking import suppress_small
from core.roles import Actor
from db.models import IncidentCard, Region
from areas.indicators.reads import TOTAL
from db.scope import township_clause

OPEN_STATES = tuple(s for s in inc.STATES if s != inc.CLOSED)


def open_card_counts(session: Session, actor: Actor, today: dt.date) -> pd.DataFrame:
    """乡镇 × state of the open cards in the actor's aggregate scope (counts, as on the 工作台:
    a unit counts the cards referred to it), with 合计 and 逾期 (referred, past the deadline)."""
    scope = (IncidentCard.referred_unit_id == actor.unit_id if access.unit_bound(actor)
             else township_clause(IncidentCard.township_id, actor, aggregate=True))
    township = aliased(Region)
    overdue = and_(IncidentCard.status == inc.REFERRED, IncidentCard.deadline < today)
    rows = session.execute(
        select(township.name, IncidentCard.status, func.count(), func.count().filter(overdue))
        .join(township, township.id == IncidentCard.township_id)
        .where(IncidentCard.deleted_at.is_(None), IncidentCard.status.in_(OPEN_STATES), scope)
        .group_by(township.name, township.sort_order, IncidentCard.status)
        .order_by(township.sort_order, township.name)
    ).all()
    labels = [inc.STATE_LABELS[s] for s in OPEN_STATES]
    cols = ["乡镇", *labels, "合计", "逾期"]
    if not rows:
        return pd.DataFrame(columns=cols)
    order = list(dict.fromkeys(r[0] for r in rows))
    table = {t: {c: 0 for c in cols[1:]} for t in order}
    for town, status, n, od in rows:
        table[town][inc.STATE_LABELS[status]] += int(n)
        table[town]["合计"] += int(n)
        table[town]["逾期"] += int(od)
    return pd.DataFrame([{"乡镇": t, **v} for t, v in table.items()], columns=cols)


@dataclass(frozen=True)
class CardFigures:
    """Slide 6 as shown: every count under the threshold is "<5" in the totals, the chart and the table."""
    total: int | str
    overdue: int | str
    by_state: pd.DataFrame  # 状态, 张数 (the bar; None where suppressed), 标注 (the figure shown)
    table: pd.DataFrame


def card_figures(counts: pd.DataFrame, threshold: int = 5) -> CardFigures:
    """open_card_counts → what 会议投屏 shows: one rule (core.masking.suppress_small) for the
    "其中逾期" figure, the bars by state and the township table alike."""
    states = [c for c in counts.columns if c not in ("乡镇", "合计", "逾期")]
    shown = counts.copy()
    for c in counts.columns[1:]:
        shown[c] = [suppress_small(int(v), threshold) for v in counts[c]]
    by_state = pd.DataFrame({"状态": states, "张数": [int(counts[c].sum()) for c in states]})
    by_state["标注"] = [suppress_small(n, threshold) for n in by_state["张数"]]
    by_state["张数"] = [n if isinstance(m, int) else None for n, m in zip(by_state["张数"], by_state["标注"])]
    by_state["标注"] = by_state["标注"].astype(str)
    return CardFigures(suppress_small(int(counts["合计"].sum()), threshold),
                       suppress_small(int(counts["逾期"].sum()), threshold), by_state, shown.astype(object))


def red_flags(board: pd.DataFrame) -> pd.DataFrame:
    """Townships with at least one indicator 未达标 in the board, most flags first."""
    cols = ["乡镇", "未达标指标数", "预警指标数", "未达标指标"]
    if board.empty:
        return pd.DataFrame(columns=cols)
    towns = board[board["township_id"] != TOTAL]
    out = []
    for name, g in towns.groupby("乡镇", sort=False):
        missed = g[g["status"] == ci.MISSED]
        if missed.empty:
            continue
        out.append({"乡镇": name, "未达标指标数": len(missed), "预警指标数": int((g["status"] == ci.WARN).sum()),
                    "未达标指标": "、".join(missed["指标"])})
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values(["未达标指标数", "预警指标数"], ascending=False, kind="stable").reset_index(drop=True)
