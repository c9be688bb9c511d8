"""Who may see and do what (DESIGN.md §2): the one access table.

Everything here is data: which role opens which page, which role may perform which
action, which records a role is bound to, how far each kind of read reaches, and what
presentation mode (投屏) withholds. `may()` answers every "may this actor do this (to this
record)" question; `refusal()` gives the Chinese reason, which db.errors.require raises as
ForbiddenError (core does not import db). Scope in SQL (db/scope.py) reads `reach()`.

Nothing outside this module compares `actor.role` (tests/core/test_access.py greps for it).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.roles import ADMIN, LEADER, OFFICE, ROLES, TOWNSHIP, UNIT

ALL = ROLES
STAFF = (ADMIN, OFFICE, TOWNSHIP)

# ---------------------------------------------------------------- pages (file pages/<key>.py)
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "workbench": ALL,
    "registry": (ADMIN, OFFICE, TOWNSHIP, LEADER),
    "person": STAFF,
    "pending": (OFFICE, TOWNSHIP),
    "import_export": (OFFICE, TOWNSHIP),
    "visits": STAFF + (LEADER,),
    "assessments": STAFF + (LEADER,),
    "incidents": ALL,
    "guardianship": STAFF,
    "indicators": ALL,
    "map": ALL,
    "workforce": (ADMIN, OFFICE, TOWNSHIP, LEADER),
    "units": ALL,
    "meetings": (ADMIN, OFFICE, LEADER),
    "tasks": (ADMIN, OFFICE, UNIT, LEADER),
    "scorecards": (ADMIN, OFFICE, LEADER),
    "slides": ALL,
    "recycle": (OFFICE, TOWNSHIP),
    "users": (ADMIN,),
    "audit": (ADMIN,),
    "regions": (ADMIN,),
    "targets": (ADMIN, OFFICE),
    "backup": (ADMIN,),
    "account": ALL,
    "documents": STAFF + (UNIT,),  # 打印文书: a unit prints the cards referred to it
}

# ---------------------------------------------------------------- presentation mode (投屏)
# Screens whose purpose is changing data or the system (accounts, boundaries, imports,
# backups, passwords): while presenting they show a notice instead of their controls.
# Besides these, presentation withholds personal data and every action whose rule does not
# say `while_presenting` (see Rule).
PRESENTATION_HIDDEN_PAGES = frozenset({"users", "audit", "regions", "backup", "targets", "import_export", "pending",
                                       "account", "recycle"})
PRESENTATION_NOTICE = "投屏模式下不显示此页面（用于修改数据或系统设置）。请先点击上方「退出投屏模式」。"

# ---------------------------------------------------------------- personal data
# Row-level personal data (names, ID numbers, phones, addresses) is shown unmasked only to
# these roles, and never while presenting.
PERSONAL_DATA_ROLES = frozenset({ADMIN, OFFICE, TOWNSHIP})

# ---------------------------------------------------------------- records a role is bound to
# A bound role acts only on records of its own township / unit; the others are county-wide.
TOWNSHIP_BOUND = frozenset({TOWNSHIP})
UNIT_BOUND = frozenset({UNIT})

# ---------------------------------------------------------------- how far reads reach
ROWS = "rows"  # rows with personal data: person files, visit lists, cards, helpers
LIST = "list"  # the registry list and its option lists: rows, masked for those without personal data
AGGREGATE = "aggregate"  # counts and rates
COUNTY, OWN, NONE = "county", "own", "none"  # OWN: the actor's own township only

REACH: dict[str, dict[str, str]] = {
    ADMIN: {ROWS: COUNTY, LIST: COUNTY, AGGREGATE: COUNTY},
    OFFICE: {ROWS: COUNTY, LIST: COUNTY, AGGREGATE: COUNTY},
    TOWNSHIP: {ROWS: OWN, LIST: OWN, AGGREGATE: OWN},
    UNIT: {ROWS: NONE, LIST: NONE, AGGREGATE: COUNTY},
    # The leader (read-only) sees county aggregates and the county's registry list masked
    # (personal data withheld by PERSONAL_DATA_ROLES), but no other rows.
    LEADER: {ROWS: NONE, LIST: COUNTY, AGGREGATE: COUNTY},
}


# ---------------------------------------------------------------- actions
@dataclass(frozen=True)
class Rule:
    roles: tuple[str, ...]
    refused: str  # shown to a role not in `roles` ("{what}" filled from require(..., what=))
    outside: str = ""  # shown to a bound role when the record is not its township's / unit's
    by_role: tuple[tuple[str, str], ...] = ()  # a role refused with its own message
    while_presenting: bool = False  # presentation withholds every action unless this is set


_REGISTRY_ONLY_VIEW = "您的角色只能查看，不能修改台账。"
_OFFICE_ONLY = "只有联席办（民政局）可以{what}。"
_MANAGERS = (ADMIN, OFFICE)
_EDITORS = (OFFICE, TOWNSHIP)

ACTIONS: dict[str, Rule] = {
    # registry (台账)
    "registry.edit": Rule(_EDITORS, _REGISTRY_ONLY_VIEW),
    "registry.enroll": Rule(_EDITORS, _REGISTRY_ONLY_VIEW, outside="只能纳入本乡镇的人员。"),
    "helper.create": Rule(_EDITORS, _REGISTRY_ONLY_VIEW, outside="只能为本乡镇登记帮扶责任人。"),
    "registry.import": Rule(_EDITORS, "您的角色不能导入台账。"),
    "registry.export": Rule(STAFF, "您的角色不能导出人员台账。"),
    # care (关爱服务)
    "visit.record": Rule(_EDITORS, "您的角色不能登记走访。"),
    "visit_rule.edit": Rule(_MANAGERS, "只有联席办可以设置走访频次。"),
    "assessment.record": Rule(_EDITORS, "您的角色不能登记风险评估。"),
    "assessment_round.manage": Rule((OFFICE,), "只有联席办可以{what}。"),
    "incident.create": Rule(_EDITORS, "您的角色不能新建通报处置卡。", outside="只能为本乡镇新建通报处置卡。"),
    # the card's steps (core/incidents.py): who may perform each
    "incident.report": Rule(_EDITORS, "您的角色不能“报告”。", outside="该卡不属于本乡镇。"),
    "incident.refer": Rule(_EDITORS, "您的角色不能“转介”。", outside="该卡不属于本乡镇。"),
    "incident.handle": Rule((UNIT, OFFICE), "您的角色不能“登记处置”。", outside="该卡未转介给本单位。"),
    "incident.close": Rule((OFFICE,), "您的角色不能“结案”。"),
    "workforce.edit": Rule(_EDITORS, "您的角色不能维护队伍与阵地。", outside="只能维护本乡镇的队伍与阵地。"),
    # joint meeting (联席会议)
    "unit.manage": Rule(_MANAGERS, _OFFICE_ONLY),
    "meeting.manage": Rule(_MANAGERS, _OFFICE_ONLY),
    "meeting.pack": Rule(_MANAGERS, "只有联席办（民政局）可以生成会议材料。", while_presenting=True),
    "task.assign": Rule(_MANAGERS, _OFFICE_ONLY),
    "task.report": Rule((UNIT,), "进度由成员单位联络员报送。"),  # claiming: lead unit only (core/tasks.py)
    "task.remind": Rule(_MANAGERS, _OFFICE_ONLY),
    "task.accept": Rule(_MANAGERS, _OFFICE_ONLY,
                        by_role=((UNIT, "成员单位不能为任务销号，请在完成后申请销号，由联席办审核。"),)),
    "task.return": Rule(_MANAGERS, _OFFICE_ONLY, by_role=((UNIT, "成员单位不能退回任务。"),)),
    "target.edit": Rule(_MANAGERS, "只有系统管理员和联席办可以修改指标目标。"),
    # a closed month's stored indicator figures are replaced only by the office (issue 14)
    "indicator.recompute": Rule((OFFICE,), "只有联席办（民政局）可以重算已关账月份的指标。"),
    # records and system
    "record.delete": Rule(_EDITORS, "您无权删除该{what}。", outside="您无权删除该{what}。"),
    "record.restore": Rule((OFFICE,), "只有联席办/民政局可以恢复已删除的记录。"),
    "boundary.edit": Rule((ADMIN,), "只有系统管理员可以维护区划边界。"),
    "division.edit": Rule((ADMIN,), "只有系统管理员可以导入和维护区划。"),
    "setup.view": Rule((ADMIN, OFFICE), "只有系统管理员和联席办可以查看开通设置。"),  # the first-run checklist
    # 学年统计表 (feeds the 辍学率 indicators): the office keys in or imports what education reports
    "school_stat.edit": Rule((ADMIN, OFFICE), "只有联席办（民政局）和系统管理员可以录入学年统计。"),
    "user.manage": Rule((ADMIN,), "只有系统管理员可以执行此操作"),
    "admin.view": Rule((ADMIN,), "只有系统管理员可以执行此操作", while_presenting=True),  # accounts, audit, backups
    # printed documents (areas/documents/printing.py): a row read of the people printed, like the
    # person file; a card also by the unit it was referred to. Never while presenting.
    "document.person": Rule(STAFF, "您的角色不能打印人员档案类文书。", outside="只能打印本乡镇人员的文书。"),
    "document.card": Rule(STAFF + (UNIT,), "您的角色不能打印通报处置卡。", outside="只能打印本乡镇或转介给本单位的通报处置卡。"),
}

# Every public function of areas/<area>/writes.py → the action it performs; None for the
# few that change nothing an actor is refused (pure checks, look-ups, audit of a read).
SERVICES: dict[str, str | tuple[str, ...] | None] = {
    "admin.check_new_account": None,  # the rules of a new account, no actor
    "admin.create_account": "user.manage",
    "admin.change_role": "user.manage",
    "admin.set_active": "user.manage",
    "admin.reset_password": "user.manage",
    "admin.unlock": "user.manage",
    "admin.sign_out_everywhere": "user.manage",
    "admin.export_audit": "admin.view",
    "care.record_visit": "visit.record",
    "care.save_visit_rule": "visit_rule.edit",
    "care.delete_visit_rule": "visit_rule.edit",
    "care.open_round": "assessment_round.manage",
    "care.close_round": "assessment_round.manage",
    "care.record_assessment": "assessment.record",
    "care.create_card": "incident.create",
    "care.report_card": "incident.report",
    "care.refer_card": "incident.refer",
    "care.handle_card": "incident.handle",
    "care.close_card": "incident.close",
    "care.advance_card": ("incident.report", "incident.refer", "incident.handle", "incident.close"),
    "indicators.set_target": "target.edit",
    "indicators.reset_target": "target.edit",
    "indicators.recompute_month": "indicator.recompute",
    "meetings.create_unit": "unit.manage",
    "meetings.load_seed_units": "unit.manage",
    "meetings.update_unit": "unit.manage",
    "meetings.assign_seat": "unit.manage",
    "meetings.vacate_seat": "unit.manage",
    "meetings.carry_over_text": None,  # text for a form, no actor
    "meetings.create_meeting": "meeting.manage",
    "meetings.update_meeting": "meeting.manage",
    "meetings.add_decision": "task.assign",
    "meetings.report_progress": "task.report",
    "meetings.remind": "task.remind",
    "meetings.accept_completion": "task.accept",
    "meetings.send_back": "task.return",
    "schools.set_stat": "school_stat.edit",
    "schools.preview_import": "school_stat.edit",
    "schools.import_stats": "school_stat.edit",
    "schools.template": None,  # a blank form
    "records.township_of": None,  # look-up
    "records.soft_delete": "record.delete",
    "records.restore": "record.restore",
    "regions.township_keys": None,  # look-up
    "regions.preview_boundaries": "boundary.edit",
    "regions.save_boundaries": "boundary.edit",
    "regions.clear_boundary": "boundary.edit",
    "registry.save_quick_edits": "registry.edit",
    "registry.update_person": "registry.edit",
    "registry.check_id_number": None,  # pure check
    "registry.find_duplicate": None,  # scoped look-up before enrolling
    "registry.enroll": "registry.enroll",
    "registry.exit_person": "registry.edit",
    "registry.reenroll": "registry.edit",
    "registry.confirm_exit_proposals": "registry.edit",
    "registry.add_category": "registry.edit",
    "registry.end_category": "registry.edit",
    "registry.add_guardian": "registry.edit",
    "registry.create_helper": "helper.create",
    "registry.assign_helper": "registry.edit",
    "registry.add_care_measure": "registry.edit",
    "registry.open_file": None,  # a scoped read, audited
    "registry.record_search": None,  # audit of a search
    "workforce.add_worker": "workforce.edit",
    "workforce.update_worker": "workforce.edit",
    "workforce.delete_worker": "workforce.edit",
    "workforce.add_facility": "workforce.edit",
    "workforce.update_facility": "workforce.edit",
    "workforce.delete_facility": "workforce.edit",
    "workforce.check_worker": "workforce.edit",  # the rules of a worker, by form or roster
    "workforce.check_facility": "workforce.edit",
}


# ---------------------------------------------------------------- questions
_UNSET = object()


def may_open(role: str, page: str) -> bool:
    """The role has this page (presentation hides some: PRESENTATION_HIDDEN_PAGES)."""
    return role in PAGE_ROLES.get(page, ())


def hidden_while_presenting(page: str) -> bool:
    return page in PRESENTATION_HIDDEN_PAGES


def role_may(role: str, action: str) -> bool:
    """The role's standing permission, before presentation mode and record checks."""
    return role in ACTIONS[action].roles


def refusal(actor, action: str, *, township_id=_UNSET, unit_id=_UNSET, what: str = "") -> str | None:
    """None if `actor` may perform `action` (on a record of `township_id` / `unit_id`, when
    given), else the Chinese reason. A bound role needs the record's key to be its own."""
    rule = ACTIONS[action]
    if actor.role not in rule.roles:
        return dict(rule.by_role).get(actor.role, rule.refused).format(what=what)
    if actor.presentation and not rule.while_presenting:
        return rule.refused.format(what=what)
    if township_id is not _UNSET and actor.role in TOWNSHIP_BOUND and (
            township_id is None or township_id != actor.township_id):
        return (rule.outside or rule.refused).format(what=what)
    if unit_id is not _UNSET and actor.role in UNIT_BOUND and (unit_id is None or unit_id != actor.unit_id):
        return (rule.outside or rule.refused).format(what=what)
    return None


def may(actor, action: str, *, township_id=_UNSET, unit_id=_UNSET) -> bool:
    """May `actor` perform `action` (to a record of `township_id` / `unit_id`)?"""
    return refusal(actor, action, township_id=township_id, unit_id=unit_id) is None


def sees_personal_data(actor) -> bool:
    return not actor.presentation and actor.role in PERSONAL_DATA_ROLES


def reach(actor, read: str) -> str:
    """COUNTY, OWN (own township) or NONE for a kind of read (ROWS, LIST, AGGREGATE)."""
    return REACH[actor.role][read]


def sees_rows(actor) -> bool:
    """Reads rows at all (lists of people, visits, cards), not only aggregates."""
    return reach(actor, ROWS) != NONE


def township_bound(actor) -> bool:
    """Works within one township (its screens have no township choice)."""
    return actor.role in TOWNSHIP_BOUND


def unit_bound(actor) -> bool:
    """A member unit's liaison: sees the tasks and cards of its own unit."""
    return actor.role in UNIT_BOUND


def county_wide(actor) -> bool:
    """A county-level role: bound to no township and no unit."""
    return not township_bound(actor) and not unit_bound(actor)


def read_only(actor) -> bool:
    """Presenting, or a role with no action at all (the leader)."""
    return actor.presentation or not any(actor.role in r.roles for r in ACTIONS.values())


def allowed_pages(role: str) -> set[str]:
    return {p for p, roles in PAGE_ROLES.items() if role in roles}


def allowed_actions(role: str) -> set[str]:
    return {a for a, r in ACTIONS.items() if role in r.roles}
