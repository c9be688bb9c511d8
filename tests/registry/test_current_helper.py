"""One current 帮扶责任人 everywhere (db.conditions.assignment_current, [start_on, end_on)).

On the day of a change made through the registry's write service, the registry list, the
person file, the overdue list, the visit form's helper list and the indicator 帮扶责任人
落实率 all name the same helper — the new one; the day before, all the old one.
"""
import datetime as dt

from sqlalchemy import select

from areas.care import reads as care
from areas.indicators import reads as qi
from areas.registry import reads as rq
from areas.registry import writes as svc
from core.indicators import month_label
from db.engine import session_scope
from db.models import Assignment, Person
from tests.registry.conftest import TODAY

YESTERDAY = TODAY - dt.timedelta(days=1)
LABELS = {"zhou": "周帮扶（村支书）", "wu": "吴帮扶（妇联主席）"}


def _with_helper_since_last_year(world, key="zhou") -> int:
    """李四 (p b, overdue: no visit) gets a helper before the test changes it."""
    pid = world["p"]["b"]
    with session_scope(world["engine"]) as s:
        s.add(Assignment(helper_id=world["helpers"][key], person_id=pid, start_on=dt.date(2025, 1, 1)))
    return pid


def _change_helper(world, pid: int, helper_id: int | None) -> None:
    """Through the real write service, on TODAY."""
    eng, tw1 = world["engine"], world["tw1"]
    with session_scope(eng, write=False) as s:
        version = s.get(Person, pid).version
    with session_scope(eng, actor=tw1) as s:
        assert svc.save_quick_edits(s, tw1, [svc.RowEdit(pid, version, {"helper_id": helper_id})], today=TODAY) == 1


def _seen(world, pid: int, day: dt.date) -> dict:
    """The helper of `pid` as each screen shows it on `day`."""
    office = world["office"]
    with session_scope(world["engine"], write=False) as s:
        row = rq.page(s, office, rq.RegistryFilter(text="李四"), today=day).rows.iloc[0]
        overdue = care.overdue_list(s, office, day, limit=500).rows
        marked = [label for hid, label in care.helpers_for_person(s, office, pid, day) if label.endswith("· 责任人")]
        missing = qi.complement(s, office, "helper_rate", world["ids"]["T1"], month_label(day), today=day)
        return {
            "registry": row["帮扶责任人(职务)"],
            "registry_id": row["helper_id"],
            "file": rq.person_file(s, office, pid, day).current_helper_id,
            "overdue": overdue.loc[overdue["编号"] == pid, "帮扶责任人"].tolist(),
            "visit_form": marked,
            "indicator_counts_helper": pid not in set(missing.rows["person_id"]),
        }


def test_helper_change_today_names_the_new_helper_everywhere(world):
    pid = _with_helper_since_last_year(world, "zhou")
    _change_helper(world, pid, world["helpers"]["wu"])
    with session_scope(world["engine"], write=False) as s:  # the write's shape: handover day = end_on = start_on
        rows = s.execute(select(Assignment.helper_id, Assignment.start_on, Assignment.end_on)
                         .where(Assignment.person_id == pid).order_by(Assignment.id)).all()
    assert [tuple(r) for r in rows] == [(world["helpers"]["zhou"], dt.date(2025, 1, 1), TODAY),
                                        (world["helpers"]["wu"], TODAY, None)]

    wu, zhou = world["helpers"]["wu"], world["helpers"]["zhou"]
    assert _seen(world, pid, TODAY) == {
        "registry": LABELS["wu"], "registry_id": wu, "file": wu, "overdue": ["吴帮扶"],
        "visit_form": [LABELS["wu"] + " · 责任人"], "indicator_counts_helper": True,
    }
    assert _seen(world, pid, YESTERDAY) == {
        "registry": LABELS["zhou"], "registry_id": zhou, "file": zhou, "overdue": ["周帮扶"],
        "visit_form": [LABELS["zhou"] + " · 责任人"], "indicator_counts_helper": True,
    }
    with session_scope(world["engine"], write=False) as s:  # the overdue list's helper filter agrees
        by_wu = care.overdue_list(s, world["office"], TODAY, helper_id=wu).rows["编号"].tolist()
        by_zhou = care.overdue_list(s, world["office"], TODAY, helper_id=zhou).rows["编号"].tolist()
    assert pid in by_wu and pid not in by_zhou


def test_helper_removed_today_is_no_helper_everywhere(world):
    pid = _with_helper_since_last_year(world, "zhou")
    _change_helper(world, pid, None)
    assert _seen(world, pid, TODAY) == {
        "registry": "", "registry_id": None, "file": None, "overdue": [care.NO_HELPER],
        "visit_form": [], "indicator_counts_helper": False,
    }
    assert _seen(world, pid, YESTERDAY)["indicator_counts_helper"] is True
    office, t1 = world["office"], world["ids"]["T1"]
    with session_scope(world["engine"], write=False) as s:
        assigned = rq.count(s, office, rq.RegistryFilter(township_id=t1, helper="assigned"), TODAY)
        df = qi.compute(s, office, month_label(TODAY), ["helper_rate"], today=TODAY)
        unassigned = care.overdue_list(s, office, TODAY, helper_id=-1).rows["编号"].tolist()
    cell = df[(df["code"] == "helper_rate") & (df["township_id"] == t1)].iloc[0]
    assert cell["numerator"] == assigned == 1  # 张三 only, in the registry and in the indicator
    assert pid in unassigned
