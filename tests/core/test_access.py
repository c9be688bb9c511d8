"""The access table (core/access.py) is complete, matches the behaviour it replaced, and is
the only place that asks which role an actor has."""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from core import access
from core import incidents as inc
from core import tasks as task_rules
from core.pages import BY_KEY
from core.roles import ADMIN, LEADER, OFFICE, ROLES, TOWNSHIP, UNIT, Actor

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------- golden sets (behaviour before the table)
PAGES = {
    ADMIN: {"workbench", "registry", "person", "visits", "assessments", "incidents", "guardianship", "indicators",
            "map", "workforce", "units", "meetings", "tasks", "scorecards", "slides", "users", "audit", "regions",
            "targets", "backup", "account", "documents"},
    OFFICE: {"workbench", "registry", "person", "pending", "import_export", "visits", "assessments", "incidents",
             "guardianship", "indicators", "map", "workforce", "units", "meetings", "tasks", "scorecards", "slides",
             "recycle", "targets", "account", "documents"},
    TOWNSHIP: {"workbench", "registry", "person", "pending", "import_export", "visits", "assessments", "incidents",
               "guardianship", "indicators", "map", "workforce", "units", "slides", "recycle", "account", "documents"},
    UNIT: {"workbench", "incidents", "indicators", "map", "units", "tasks", "slides", "account", "documents"},
    LEADER: {"workbench", "registry", "visits", "assessments", "incidents", "indicators", "map", "workforce", "units",
             "meetings", "tasks", "scorecards", "slides", "account"},
}
ACTIONS = {
    ADMIN: {"visit_rule.edit", "unit.manage", "meeting.manage", "meeting.pack", "task.assign", "task.remind",
            "task.accept", "task.return", "target.edit", "boundary.edit", "user.manage", "admin.view",
            "registry.export", "document.person", "document.card",
            "division.edit", "school_stat.edit", "setup.view"},  # issue 15: divisions, school statistics, first run
    OFFICE: {"registry.edit", "registry.enroll", "helper.create", "registry.import", "registry.export", "visit.record",
             "visit_rule.edit", "assessment.record", "assessment_round.manage", "incident.create", "incident.report",
             "incident.refer", "incident.handle", "incident.close", "workforce.edit", "unit.manage", "meeting.manage",
             "meeting.pack", "task.assign", "task.remind", "task.accept", "task.return", "target.edit",
             "record.delete", "record.restore",
             "indicator.recompute",  # issue 14: the audited recompute of a closed month, office only
             "document.person", "document.card",  # issue 19: printing
             "school_stat.edit", "setup.view"},  # issue 15: school statistics, first run
    TOWNSHIP: {"registry.edit", "registry.enroll", "helper.create", "registry.import", "registry.export",
               "visit.record", "assessment.record", "incident.create", "incident.report", "incident.refer",
               "workforce.edit", "record.delete", "document.person", "document.card"},
    UNIT: {"incident.handle", "task.report", "document.card"},  # issue 19: printing (not the leader: no rows)
    LEADER: set(),
}
HIDDEN_WHILE_PRESENTING = {"users", "audit", "regions", "backup", "targets", "import_export", "pending", "account",
                           "recycle"}


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(role):
    assert access.allowed_pages(role) == PAGES[role]


@pytest.mark.parametrize("role", ROLES)
def test_actions_per_role(role):
    assert access.allowed_actions(role) == ACTIONS[role]


def test_presentation_hides_the_editing_screens():
    assert access.PRESENTATION_HIDDEN_PAGES == HIDDEN_WHILE_PRESENTING


# ---------------------------------------------------------------- completeness
def test_every_page_file_is_in_the_table():
    files = {p.stem for p in (ROOT / "pages").glob("*.py")}
    assert files == set(access.PAGE_ROLES) == set(BY_KEY)
    assert HIDDEN_WHILE_PRESENTING <= files


def _public_services() -> set[str]:
    found = set()
    for path in sorted((ROOT / "areas").glob("*/writes.py")):
        module = importlib.import_module(f"areas.{path.parent.name}.writes")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                assert callable(getattr(module, node.name))
                found.add(f"{path.parent.name}.{node.name}")
    return found


def test_every_service_has_an_entry():
    services = _public_services()
    assert len(services) > 50
    missing = services - set(access.SERVICES)
    assert not missing, f"services without an access entry in core/access.py SERVICES: {sorted(missing)}"
    assert not set(access.SERVICES) - services, "SERVICES names a function that no longer exists"


def test_services_name_known_actions_and_every_action_is_used():
    used = set()
    for action in access.SERVICES.values():
        used.update((action,) if isinstance(action, str) else action or ())
    assert used <= set(access.ACTIONS)
    # actions outside writes.py: the importer/exporter, the meeting pack, admin reads
    code = "\n".join(p.read_text(encoding="utf-8") for d in ("areas", "pages", "components")
                     for p in (ROOT / d).rglob("*.py"))
    quoted = set(re.findall(r'"([a-z_]+\.[a-z_]+)"', code))
    steps = {inc.access_action(a) for a in inc.ACTIONS}
    assert set(access.ACTIONS) <= used | quoted | steps


def test_incident_steps_are_actions():
    assert {inc.access_action(a) for a in inc.ACTIONS} <= set(access.ACTIONS)


# ---------------------------------------------------------------- one function answers
def _actor(role, **kw):
    return Actor("u", role, township_id=3 if role == TOWNSHIP else None, unit_id=7 if role == UNIT else None, **kw)


def test_bound_roles_act_only_on_their_own_records():
    town, unit, office = _actor(TOWNSHIP), _actor(UNIT), _actor(OFFICE)
    assert access.may(town, "workforce.edit", township_id=3)
    assert not access.may(town, "workforce.edit", township_id=4)
    assert not access.may(town, "workforce.edit", township_id=None)
    assert access.may(office, "workforce.edit", township_id=4)
    assert access.refusal(town, "incident.report", township_id=4) == "该卡不属于本乡镇。"
    assert access.may(unit, "incident.handle", township_id=4, unit_id=7)
    assert access.refusal(unit, "incident.handle", unit_id=None) == "该卡未转介给本单位。"
    assert access.refusal(unit, "incident.handle", unit_id=8) == "该卡未转介给本单位。"
    assert access.may(office, "incident.handle", unit_id=8)  # on the unit's behalf


def test_refusal_messages():
    assert access.refusal(_actor(LEADER), "registry.edit") == "您的角色只能查看，不能修改台账。"
    assert access.refusal(_actor(UNIT), "task.accept", what="销号") == \
        "成员单位不能为任务销号，请在完成后申请销号，由联席办审核。"
    assert access.refusal(_actor(TOWNSHIP), "task.accept", what="销号") == "只有联席办（民政局）可以销号。"
    assert access.refusal(_actor(TOWNSHIP), "record.delete", township_id=4, what="走访记录") == "您无权删除该走访记录。"
    assert access.refusal(_actor(OFFICE), "record.delete", township_id=4) is None


@pytest.mark.parametrize("role", ROLES)
def test_presentation_withholds_actions_and_personal_data(role):
    a = _actor(role, presentation=True)
    allowed = {x for x in access.ACTIONS if access.may(a, x)}
    assert allowed == {x for x in ACTIONS[role] if access.ACTIONS[x].while_presenting}
    assert allowed <= {"meeting.pack", "admin.view"}
    assert not access.sees_personal_data(a)
    assert access.read_only(a)
    assert access.reach(a, access.ROWS) == access.reach(_actor(role), access.ROWS)  # scope itself unchanged


def test_read_only_is_the_role_without_actions():
    assert {r for r in ROLES if access.read_only(_actor(r))} == {LEADER}


def test_task_rules_take_role_sets_from_the_table():
    assert task_rules.allowed_actions(UNIT, 7, 7, [], closed=False, claimed=False) == {"report", "claim"}
    assert task_rules.allowed_actions(ADMIN, None, 7, [], closed=False, claimed=True) == {"remind", "accept", "return"}
    assert task_rules.allowed_actions(TOWNSHIP, None, 7, [], closed=False, claimed=True) == set()
    assert task_rules.allowed_actions(LEADER, None, 7, [], closed=False, claimed=True) == set()


# ---------------------------------------------------------------- what a leader sees (the contradiction resolved)
def test_reach_per_role():
    table = {r: tuple(access.reach(_actor(r), k) for k in (access.ROWS, access.LIST, access.AGGREGATE)) for r in ROLES}
    C, O, N = access.COUNTY, access.OWN, access.NONE
    assert table == {ADMIN: (C, C, C), OFFICE: (C, C, C), TOWNSHIP: (O, O, O), UNIT: (N, N, C), LEADER: (N, C, C)}
    leader = _actor(LEADER)
    assert not access.sees_personal_data(leader)  # the county list it reads is masked
    assert not access.sees_rows(leader) and access.sees_rows(_actor(TOWNSHIP))


def test_scope_clause_follows_reach():
    from sqlalchemy import column

    from db.scope import AGGREGATE, LIST, township_clause

    col = column("township_id")

    def sql(actor, **kw):
        return str(township_clause(col, actor, **kw).compile(compile_kwargs={"literal_binds": True}))

    assert sql(_actor(TOWNSHIP)) == "township_id = 3"
    assert sql(_actor(LEADER)) == "false" and sql(_actor(UNIT)) == "false"
    assert sql(_actor(LEADER), read=LIST) == "true" and sql(_actor(UNIT), read=LIST) == "false"
    assert sql(_actor(UNIT), aggregate=True) == "true" == sql(_actor(UNIT), read=AGGREGATE)
    assert sql(_actor(OFFICE)) == "true"


# ---------------------------------------------------------------- no role checks elsewhere
ROLE_CHECK = re.compile(r"""actor\.role\s*(==|!=|\bin\b|\bnot\s+in\b)|\brole\s*(==|!=)\s*["'](admin|office|township|unit|leader)["']""")


def test_no_role_check_outside_the_table():
    offenders = []
    for d in ("areas", "pages", "components", "core", "db"):
        for path in (ROOT / d).rglob("*.py"):
            if path == ROOT / "core" / "access.py":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ROLE_CHECK.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    assert not ROLE_CHECK.search(app)
    assert not offenders, "ask core/access.py instead:\n" + "\n".join(offenders)
