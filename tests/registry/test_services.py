"""Registry writes: quick edits with the optimistic lock, 纳入/退出, proposals, file view audit."""
import datetime as dt

import pytest
from sqlalchemy import select

from core import idnumber
from db.engine import session_scope
from db.models import Assignment, AuditLog, Person, PersonCategory
from areas.registry import reads as rq
from db import locking
from db.errors import ConflictError, ForbiddenError
from areas.registry import writes as svc
from tests.registry.conftest import TODAY


def _audit(engine, entity="person", entity_id=None, action=None):
    with session_scope(engine, write=False) as s:
        stmt = select(AuditLog).where(AuditLog.entity == entity).order_by(AuditLog.id)
        if entity_id is not None:
            stmt = stmt.where(AuditLog.entity_id == str(entity_id))
        if action:
            stmt = stmt.where(AuditLog.action == action)
        return s.scalars(stmt).all()


def _load(w, actor, pid):
    with session_scope(w["engine"], write=False) as s:
        p = s.get(Person, pid)
        return p.version


def test_two_sessions_edit_same_row_second_refused(world):
    eng, pid, tw1, office = world["engine"], world["p"]["a"], world["tw1"], world["office"]
    v_first = _load(world, tw1, pid)
    v_second = _load(world, office, pid)  # both loaded the same version
    loaded_at = dt.datetime.now(dt.timezone.utc)
    with session_scope(eng, actor=tw1) as s:
        svc.save_quick_edits(s, tw1, [svc.RowEdit(pid, v_first, {"phone": "13711112222"})], loaded_at, TODAY)
    with pytest.raises(ConflictError) as exc:
        with session_scope(eng, actor=office) as s:
            svc.save_quick_edits(s, office, [svc.RowEdit(pid, v_second, {"phone": "13600000000", "notes": "x"})],
                                 loaded_at, TODAY)
    assert "tw1" in str(exc.value)
    assert any("联系电话" in c["变更内容"] and c["用户"] == "tw1" for c in exc.value.changes)
    with session_scope(eng, write=False) as s:
        p = s.get(Person, pid)
        assert (p.phone, p.notes, p.version) == ("13711112222", None, v_first + 1)
    updates = _audit(eng, entity_id=pid, action="update")
    assert len(updates) == 1
    assert updates[0].username == "tw1" and updates[0].changes == {"phone": ["138****0001", "137****2222"]}


def test_stale_version_at_flush_becomes_conflict(world, backend):
    """The lock holds even when the version check passed before the other write landed."""
    if backend == "sqlite":
        pytest.skip("SQLite write transactions begin IMMEDIATE: a second writer cannot interleave")
    eng, pid, tw1 = world["engine"], world["p"]["a"], world["tw1"]
    v = _load(world, tw1, pid)
    with pytest.raises(ConflictError):
        with session_scope(eng, actor=tw1) as s:
            p = s.get(Person, pid)
            assert p.version == v
            with eng.begin() as c:  # another writer between our read and our update
                c.execute(Person.__table__.update().where(Person.id == pid).values(version=v + 1, phone="13000000000"))
            p.phone = "13111111111"
            locking.flush(s, "该人员")  # the one flush every writes module uses
    with session_scope(eng, write=False) as s:
        assert s.get(Person, pid).phone == "13000000000"


def test_quick_edit_validates_on_server_and_saves_all_or_nothing(world):
    eng, tw1, p = world["engine"], world["tw1"], world["p"]
    va, vb = _load(world, tw1, p["a"]), _load(world, tw1, p["b"])
    with pytest.raises(svc.ValidationFailed) as exc:
        with session_scope(eng, actor=tw1) as s:
            svc.save_quick_edits(s, tw1, [
                svc.RowEdit(p["a"], va, {"phone": "13711112222"}, "第1行"),
                svc.RowEdit(p["b"], vb, {"phone": "12345", "difficulty": "很困难"}, "第2行"),
            ], today=TODAY)
    assert "第2行：联系电话格式不正确" in str(exc.value)
    assert "困难程度只能是" in str(exc.value)
    with session_scope(eng, write=False) as s:
        assert s.get(Person, p["a"]).phone == "13800000001"  # nothing written
    with session_scope(eng, actor=tw1) as s:
        n = svc.save_quick_edits(s, tw1, [
            svc.RowEdit(p["a"], va, {"phone": " 13711112222 ", "notes": "父亲已返乡"}),
            svc.RowEdit(p["b"], vb, {"helper_id": world["helpers"]["wu"], "difficulty": "一般"}),
        ], today=TODAY)
    assert n == 2
    with session_scope(eng, write=False) as s:
        a, b = s.get(Person, p["a"]), s.get(Person, p["b"])
        assert (a.phone, a.notes, b.difficulty) == ("13711112222", "父亲已返乡", "一般")
        asg = s.scalars(select(Assignment).where(Assignment.person_id == p["b"])).all()
        assert [(x.helper_id, x.start_on, x.end_on) for x in asg] == [(world["helpers"]["wu"], TODAY, None)]
        pg = rq.page(s, tw1, rq.RegistryFilter(text="李四"), today=TODAY)
    assert pg.rows.iloc[0]["帮扶责任人(职务)"] == "吴帮扶（妇联主席）"


def test_quick_edit_refuses_other_township_helper_and_rows(world):
    eng, tw1, p = world["engine"], world["tw1"], world["p"]
    with pytest.raises(svc.ValidationFailed, match="帮扶责任人不属于"):
        with session_scope(eng, actor=tw1) as s:
            svc.save_quick_edits(s, tw1, [svc.RowEdit(p["a"], 1, {"helper_id": world["helpers"]["zheng"]})], today=TODAY)
    with pytest.raises(ForbiddenError):
        with session_scope(eng, actor=tw1) as s:
            svc.save_quick_edits(s, tw1, [svc.RowEdit(p["e"], 1, {"phone": "13711112222"})], today=TODAY)
    with pytest.raises(ForbiddenError):
        with session_scope(eng, actor=world["leader"]) as s:
            svc.save_quick_edits(s, world["leader"], [svc.RowEdit(p["a"], 1, {"phone": "13711112222"})], today=TODAY)
    with pytest.raises(ForbiddenError):
        with session_scope(eng, actor=tw1) as s:
            svc.save_quick_edits(s, tw1, [svc.RowEdit(p["a"], 1, {"name": "改名"})], today=TODAY)


def test_enroll_validates_id_derives_and_refuses_duplicates(world):
    eng, tw1, ids = world["engine"], world["tw1"], world["ids"]
    good = idnumber.make("429901", dt.date(2016, 3, 8), 123, "女")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(svc.ValidationFailed, match="校验位错误"):
        with session_scope(eng, actor=tw1) as s:
            svc.enroll(s, tw1, wrong, "新人", ids["V11"], [("left_behind_child", None)], today=TODAY)
    with pytest.raises(svc.ValidationFailed, match="不在您的管辖范围"):
        with session_scope(eng, actor=tw1) as s:
            svc.enroll(s, tw1, good, "新人", ids["V21"], [("left_behind_child", None)], today=TODAY)
    with session_scope(eng, actor=tw1) as s:
        pid = svc.enroll(s, tw1, good.lower(), "新人", ids["V11"], [("left_behind_child", None),
                                                                   ("child_in_difficulty", "经济困难")], today=TODAY)
    with session_scope(eng, write=False) as s:
        p = s.get(Person, pid)
        assert (p.gender, p.birth_date, p.township_id, p.enrolled_on) == ("女", dt.date(2016, 3, 8), ids["T1"], TODAY)
        assert sorted(c.category for c in p.categories) == ["child_in_difficulty", "left_behind_child"]
    with pytest.raises(svc.DuplicatePerson) as exc:
        with session_scope(eng, actor=tw1) as s:
            svc.enroll(s, tw1, good, "又一次", ids["V11"], [("left_behind_child", None)], today=TODAY)
    assert exc.value.person_id == pid
    # the same number from another township: refused, without a link to a file it may not open
    with pytest.raises(svc.DuplicatePerson) as exc:
        with session_scope(eng, actor=world["tw2"]) as s:
            svc.enroll(s, world["tw2"], good, "又一次", ids["V21"], [("left_behind_child", None)], today=TODAY)
    assert exc.value.person_id is None and str(exc.value) == svc.REGISTERED_ELSEWHERE


def test_exit_leaves_lists_but_keeps_file(world):
    eng, tw1, pid = world["engine"], world["tw1"], world["p"]["a"]
    v = _load(world, tw1, pid)
    with pytest.raises(svc.ValidationFailed, match="请填写退出原因"):
        with session_scope(eng, actor=tw1) as s:
            svc.exit_person(s, tw1, pid, v, "", TODAY, today=TODAY)
    with session_scope(eng, actor=tw1) as s:
        svc.exit_person(s, tw1, pid, v, "父母返乡", TODAY, today=TODAY)
    with session_scope(eng, write=False) as s:
        assert rq.count(s, tw1, rq.RegistryFilter(), TODAY) == 2  # 李四, 王_五
        f = rq.person_file(s, tw1, pid, TODAY)
        assert f.person["status"] == "已退出" and f.person["exit_reason"] == "父母返乡"
        assert all(e is not None for e in f.assignments["结束日期"])
        assert "状态：在册 → 已退出" in " ".join(f.timeline["变更内容"])


def test_confirm_exit_proposals(world):
    from tests import factories as fac

    eng, tw1, ids = world["engine"], world["tw1"], world["ids"]
    with session_scope(eng) as s:
        g = fac.person(s, ids["T1"], ids["V11"], name="孙八", birth=dt.date(2010, 6, 15))
        k = fac.person(s, ids["T1"], ids["V11"], name="吴十", birth=dt.date(2010, 1, 1),
                       categories=("left_behind_child", "child_in_difficulty"))
        gid, kid = g.id, k.id
    with session_scope(eng, write=False) as s:
        total, df = rq.exit_proposals(s, tw1, TODAY)
    assert total == 2
    with session_scope(eng, actor=tw1) as s:
        res = svc.confirm_exit_proposals(s, tw1, list(df["category_id"]), TODAY)
    assert res == {"ended": 2, "exited": 1, "skipped": 0}
    with session_scope(eng, write=False) as s:
        assert s.get(Person, gid).status == "已退出" and s.get(Person, gid).exit_reason == "年满16周岁"
        assert s.get(Person, kid).status == "在册"  # still a 困境儿童 until 18
        cats = {c.category: c.end_on for c in s.scalars(select(PersonCategory).where(PersonCategory.person_id == kid))}
        assert cats == {"left_behind_child": TODAY - dt.timedelta(days=1), "child_in_difficulty": None}
        assert rq.exit_proposals(s, tw1, TODAY)[0] == 0


def test_open_file_records_view_and_denies_other_township(world):
    eng, tw1, p = world["engine"], world["tw1"], world["p"]
    with session_scope(eng, actor=tw1) as s:
        assert svc.open_file(s, tw1, p["a"], TODAY) is not None
    with session_scope(eng, actor=tw1) as s:
        assert svc.open_file(s, tw1, p["e"], TODAY) is None
    views = _audit(eng, action="view")
    assert [(v.entity_id, v.username, v.outcome) for v in views] == [(str(p["a"]), "tw1", "ok"), (str(p["e"]), "tw1", "denied")]
