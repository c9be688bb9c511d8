"""Writes for care work: visits, visit rules, assessment rounds and assessments, incident
cards. Every function validates again on the server and raises ServiceError /
ConflictError / ForbiddenError with a Chinese message. Audit rows come from db/audit.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import incidents as inc
from core.assessments import LEVELS
from core.categories import ACTIVE, CATEGORIES, SERVICE_TYPES
from core import access
from core.roles import Actor
from core.validation import text_error
from core.visits import ANY_CATEGORY, rule_error
from db.models import (
    Assessment, AssessmentRound, Helper, IncidentCard, Person, Region, Unit, Visit, VisitRule, utcnow,
)
from areas.registry.person_reads import get_person_in_scope
from db import locking
from db.conditions import child_on
from db.errors import ConflictError, ForbiddenError, ServiceError, require

TEXT_MAX = 2000


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _texts(**fields: tuple[str | None, str]) -> dict[str, str | None]:
    out = {}
    for key, (value, label) in fields.items():
        value = (value or "").strip() or None
        err = text_error(value, TEXT_MAX, label)
        if err:
            raise ServiceError(err)
        out[key] = value
    return out


# ================================================================ visits
def record_visit(session: Session, actor: Actor, *, person_id: int, visited_on: dt.date, helper_id: int | None,
                 service_types: list[str], findings: str | None = None, problems: str | None = None,
                 follow_up: str | None = None, today: dt.date | None = None) -> int:
    """Record one visit; returns its id."""
    require(actor, "visit.record")
    today = _today(today)
    person = get_person_in_scope(session, actor, person_id)
    if person is None:
        raise ForbiddenError("找不到该对象，或该对象不在您的管辖范围内。")
    if person.status != ACTIVE:
        when = f"（{person.exited_on:%Y-%m-%d}）" if person.exited_on else ""
        raise ServiceError(f"{person.name}已退出台账{when}，不能登记走访。")
    if not isinstance(visited_on, dt.date):
        raise ServiceError("请填写走访日期。")
    if visited_on > today:
        raise ServiceError(f"走访日期{visited_on:%Y-%m-%d}晚于今天，不能登记未来的走访。")
    if visited_on < person.birth_date:
        raise ServiceError(f"走访日期{visited_on:%Y-%m-%d}早于该对象的出生日期{person.birth_date:%Y-%m-%d}。")
    types = list(dict.fromkeys(service_types or []))
    if not types:
        raise ServiceError("请至少选择一项服务类型。")
    bad = [t for t in types if t not in SERVICE_TYPES]
    if bad:
        raise ServiceError(f"未知的服务类型：{'、'.join(bad)}")
    if helper_id is not None:
        helper = session.get(Helper, helper_id)
        if helper is None or helper.deleted_at is not None:
            raise ServiceError("所选帮扶责任人不存在或已停用。")
        if helper.township_id is not None and helper.township_id != person.township_id:
            raise ServiceError("所选帮扶责任人不属于该对象所在乡镇。")
    texts = _texts(findings=(findings, "发现情况"), problems=(problems, "存在问题"), follow_up=(follow_up, "后续跟进"))
    visit = Visit(person_id=person.id, helper_id=helper_id, visited_on=visited_on, service_types=types, **texts)
    session.add(visit)
    locking.flush(session, "走访记录")
    return visit.id


def save_visit_rule(session: Session, actor: Actor, *, category: str, difficulty: str, period: str,
                    min_visits: int) -> int:
    """Create or change the frequency rule of (category, difficulty). Office only."""
    require(actor, "visit_rule.edit")
    err = rule_error(category, difficulty, period, min_visits)
    if err:
        raise ServiceError(err)
    if category != ANY_CATEGORY and category not in CATEGORIES:
        raise ServiceError(f"未知的人员类别：{category}")
    rule = session.scalar(select(VisitRule).where(VisitRule.category == category, VisitRule.difficulty == difficulty))
    if rule is None:
        rule = VisitRule(category=category, difficulty=difficulty, period=period, min_visits=int(min_visits))
        session.add(rule)
    else:
        rule.period, rule.min_visits = period, int(min_visits)
    locking.flush(session, "走访频次规则")
    return rule.id


def delete_visit_rule(session: Session, actor: Actor, *, category: str, difficulty: str) -> bool:
    """Remove a configured rule (the default of seed 001 applies again)."""
    require(actor, "visit_rule.edit")
    rule = session.scalar(select(VisitRule).where(VisitRule.category == category, VisitRule.difficulty == difficulty))
    if rule is None:
        return False
    session.delete(rule)
    locking.flush(session, "走访频次规则")
    return True


# ================================================================ assessment rounds
def _period_error(period: str) -> str | None:
    if len(period or "") != 7 or period[4] != "-" or not period[:4].isdigit() or period[5:] not in ("03", "09"):
        return "评估期次格式应为“YYYY-03”或“YYYY-09”（每年3月、9月各一次）"
    return None


def open_round(session: Session, actor: Actor, *, period: str, today: dt.date | None = None) -> int:
    require(actor, "assessment_round.manage", what="开启评估轮次")
    err = _period_error(period)
    if err:
        raise ServiceError(err)
    if session.scalar(select(AssessmentRound.id).where(AssessmentRound.period == period)):
        raise ConflictError(f"{period}评估轮次已经开启过。")
    r = AssessmentRound(period=period, opened_on=_today(today))
    session.add(r)
    locking.flush(session, "评估轮次")
    return r.id


def close_round(session: Session, actor: Actor, *, round_id: int, today: dt.date | None = None) -> None:
    require(actor, "assessment_round.manage", what="结束评估轮次")
    r = session.get(AssessmentRound, round_id)
    if r is None:
        raise ServiceError("找不到该评估轮次。")
    if r.closed_on is not None:
        raise ConflictError("该评估轮次已经结束。")
    r.closed_on = _today(today)
    locking.flush(session, "评估轮次")


def record_assessment(session: Session, actor: Actor, *, person_id: int, round_id: int, risk_level: str,
                      issues: str | None = None, actions: str | None = None, assessed_on: dt.date | None = None,
                      assessor: str | None = None, today: dt.date | None = None) -> int:
    require(actor, "assessment.record")
    today = _today(today)
    assessed_on = assessed_on or today
    r = session.get(AssessmentRound, round_id)
    if r is None:
        raise ServiceError("找不到该评估轮次。")
    if r.closed_on is not None:
        raise ServiceError(f"{r.period}评估轮次已于{r.closed_on:%Y-%m-%d}结束，不能再登记。")
    person = get_person_in_scope(session, actor, person_id)
    if person is None:
        raise ForbiddenError("找不到该对象，或该对象不在您的管辖范围内。")
    if person.status != ACTIVE:
        raise ServiceError(f"{person.name}已退出台账，不能登记评估。")
    is_child = session.scalar(select(Person.id).where(Person.id == person.id, child_on(today)))
    if is_child is None:
        raise ServiceError("风险评估对象为儿童类别人员（文件002），该对象不属于儿童类别。")
    if risk_level not in LEVELS:
        raise ServiceError("风险等级只能是“低”“中”“高”。")
    if assessed_on > today:
        raise ServiceError("评估日期不能晚于今天。")
    if assessed_on < r.opened_on:
        raise ServiceError(f"评估日期不能早于本轮开启日期{r.opened_on:%Y-%m-%d}。")
    if session.scalar(select(Assessment.id).where(Assessment.person_id == person.id, Assessment.round_id == r.id,
                                                  Assessment.deleted_at.is_(None))):
        raise ConflictError(f"{person.name}在{r.period}轮次已有评估记录。")
    texts = _texts(issues=(issues, "存在问题"), actions=(actions, "处置措施"), assessor=(assessor, "评估人"))
    if texts["assessor"] and len(texts["assessor"]) > 64:
        raise ServiceError("评估人不能超过64个字")
    a = Assessment(person_id=person.id, round_id=r.id, period=r.period, assessed_on=assessed_on,
                   risk_level=risk_level, **texts)
    session.add(a)
    locking.flush(session, "风险评估")
    return a.id


# ================================================================ incident cards
def create_card(session: Session, actor: Actor, *, source: str, type: str, discovered_on: dt.date,
                description: str | None = None, person_id: int | None = None, township_id: int | None = None,
                today: dt.date | None = None) -> int:
    """发现: a new card (status discovered)."""
    require(actor, "incident.create")
    today = _today(today)
    if source not in inc.SOURCES:
        raise ServiceError("请选择信息来源。")
    if type not in inc.TYPES:
        raise ServiceError("请选择事件类型。")
    if not isinstance(discovered_on, dt.date) or discovered_on > today:
        raise ServiceError("发现日期不能晚于今天。")
    if person_id is not None:
        person = get_person_in_scope(session, actor, person_id)
        if person is None:
            raise ForbiddenError("找不到该对象，或该对象不在您的管辖范围内。")
        township_id = person.township_id
    if access.township_bound(actor):
        if township_id is not None:
            require(actor, "incident.create", township_id=township_id)
        township_id = actor.township_id
    region = session.get(Region, township_id) if township_id else None
    if region is None or region.level != "township":
        raise ServiceError("请选择事件发生的乡镇。")
    texts = _texts(description=(description, "情况描述"))
    card = IncidentCard(person_id=person_id, township_id=township_id, source=source, type=type,
                        discovered_on=discovered_on, status=inc.DISCOVERED, **texts)
    session.add(card)
    locking.flush(session, "通报处置卡")
    return card.id


def _card_for_action(session: Session, actor: Actor, card_id: int, action: str, version: int | None) -> IncidentCard:
    card = session.get(IncidentCard, card_id)
    if card is None or card.deleted_at is not None:
        raise ServiceError("找不到该通报处置卡。")
    require(actor, inc.access_action(action), township_id=card.township_id, unit_id=card.referred_unit_id)
    locking.check_version(session, card, version, "该通报处置卡")
    try:
        card.status = inc.transition(card.status, action)
    except inc.TransitionError as e:
        raise ServiceError(str(e)) from e
    return card


def report_card(session: Session, actor: Actor, card_id: int, *, version: int | None = None,
                now: dt.datetime | None = None) -> None:
    card = _card_for_action(session, actor, card_id, "report", version)
    card.reported_at = now or utcnow()
    locking.flush(session, "通报处置卡")


def refer_card(session: Session, actor: Actor, card_id: int, *, unit_id: int, deadline: dt.date,
               needs_contact: bool = False, version: int | None = None, now: dt.datetime | None = None,
               today: dt.date | None = None) -> None:
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None or not unit.active:
        raise ServiceError("请选择转介的成员单位。")
    err = inc.deadline_error(deadline, _today(today))
    if err:
        raise ServiceError(err)
    card = _card_for_action(session, actor, card_id, "refer", version)
    card.referred_unit_id = unit.id
    card.deadline = deadline
    card.needs_contact = bool(needs_contact)
    card.referred_at = now or utcnow()
    locking.flush(session, "通报处置卡")


def _written_step(session: Session, actor: Actor, card_id: int, action: str, version: int | None, *, field: str,
                  text: str | None, label: str, stamp: str, now: dt.datetime | None) -> IncidentCard:
    """A step that must say what was done (处置情况, 结案意见): the text is required, the step
    taken, the text kept in `field` and the time in `stamp`."""
    value = _texts(**{field: (text, label)})[field]
    if not value:
        raise ServiceError(f"请填写{label}。")
    card = _card_for_action(session, actor, card_id, action, version)
    setattr(card, field, value)
    setattr(card, stamp, now or utcnow())
    return card


def handle_card(session: Session, actor: Actor, card_id: int, *, handling: str, version: int | None = None,
                now: dt.datetime | None = None) -> None:
    _written_step(session, actor, card_id, "handle", version, field="handling", text=handling, label="处置情况",
                  stamp="handled_at", now=now)
    locking.flush(session, "通报处置卡")


def close_card(session: Session, actor: Actor, card_id: int, *, resolution: str, version: int | None = None,
               now: dt.datetime | None = None) -> None:
    card = _written_step(session, actor, card_id, "close", version, field="resolution", text=resolution,
                         label="结案意见", stamp="closed_at", now=now)
    card.closed_by = actor.username
    locking.flush(session, "通报处置卡")


ACTION_FUNCS = {"report": report_card, "refer": refer_card, "handle": handle_card, "close": close_card}


def advance_card(session: Session, actor: Actor, card_id: int, action: str, **kwargs) -> None:
    """Perform `action` on a card (used by tests to try every jump)."""
    if action not in ACTION_FUNCS:
        raise ServiceError(f"未知的操作：{action}")
    ACTION_FUNCS[action](session, actor, card_id, **kwargs)
