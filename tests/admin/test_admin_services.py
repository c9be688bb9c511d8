"""Accounts (create, role change, disable, reset, sign out everywhere) and the audit-log
queries and export, through the service and query functions the pages call."""
import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from db import audit
from areas.admin import users
from db.engine import session_scope
from db.models import AuditLog, User
from areas.admin import reads as q
from db.errors import ConflictError, ForbiddenError, ServiceError
from areas.admin import writes as svc
from tests import factories as f


@pytest.fixture
def world(engine):
    with session_scope(engine) as s:
        ids = f.county(s)
        edu = f.unit(s)
        admin = f.account(s, "admin1", "admin")
        office = f.account(s, "office1", "office")
    return {"engine": engine, "ids": ids, "unit": edu.id, "admin": admin, "office": office}


def _audit(engine, **where):
    with session_scope(engine, write=False) as s:
        stmt = select(AuditLog).order_by(AuditLog.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(AuditLog, k) == v)
        return s.scalars(stmt).all()


def _user(engine, username):
    with session_scope(engine, write=False) as s:
        return users.get_user(s, username)


def test_create_account_sets_must_change_and_checks_scope_and_role(world):
    e, admin = world["engine"], world["admin"]
    with session_scope(e, actor=admin) as s:
        new = svc.create_account(s, admin, " Wang.Li ", "王丽", "township", township_id=world["ids"]["T1"])
    assert new.username == "wang.li"
    u = _user(e, "wang.li")
    assert u.must_change_password is True and u.township_id == world["ids"]["T1"] and u.unit_id is None
    assert users.verify_password(new.initial_password, u.password_hash)
    assert len(new.initial_password) >= 10
    # the hash never reaches the audit log
    created = _audit(e, entity="user", entity_id=str(u.id), action="create")
    assert len(created) == 1 and created[0].username == "admin1"
    assert created[0].changes["password_hash"] == [None, "（已隐藏）"]
    assert "$2b$" not in str(created[0].changes)

    bad = [
        (dict(username="x1", display_name="甲", role="township"), "所属乡镇"),  # no township
        (dict(username="x2", display_name="乙", role="township", township_id=world["ids"]["V11"]), "所属乡镇"),  # a village
        (dict(username="x3", display_name="丙", role="unit"), "成员单位"),
        (dict(username="x4", display_name="丁", role="boss"), "未知角色"),
        (dict(username="张三", display_name="戊", role="office"), "用户名"),
        (dict(username="x5", display_name="<img src=x onerror=alert(1)>", role="office"), "符号"),
        (dict(username="wang.li", display_name="重名", role="office"), "已存在"),
        (dict(username="x6", display_name="己", role="office", password="password123"), "至少3类"),
    ]
    for kwargs, fragment in bad:
        with pytest.raises(ServiceError, match=fragment):
            with session_scope(e, actor=admin) as s:
                svc.create_account(s, admin, **kwargs)
    with pytest.raises(ForbiddenError):
        with session_scope(e, actor=world["office"]) as s:
            svc.create_account(s, world["office"], "x7", "庚", "office")
    with session_scope(e, write=False) as s:
        assert s.scalar(select(User.id).where(User.username.like("x%"))) is None


def test_role_change_is_one_audited_row_revokes_sessions_and_is_lock_checked(world):
    e, admin = world["engine"], world["admin"]
    before = _user(e, "office1")
    issued = dt.datetime.now(dt.timezone.utc).timestamp() - 1
    n_before = len(_audit(e))
    with session_scope(e, actor=admin) as s:
        svc.change_role(s, admin, before.id, "unit", before.version, unit_id=world["unit"])
    rows = _audit(e)[n_before:]
    assert [(r.action, r.entity, r.entity_id, r.username, r.role) for r in rows] == [
        ("role_change", "user", "office1", "admin1", "admin")]
    assert rows[0].changes == {"role": ["office", "unit"], "unit_id": [None, world["unit"]]}
    after = _user(e, "office1")
    assert after.role == "unit" and after.version == before.version + 1
    assert not users.cookie_valid(after, issued, dt.datetime.now(dt.timezone.utc), 30)
    # a second admin working from the stale form loses, nothing changes
    with pytest.raises(ConflictError):
        with session_scope(e, actor=admin) as s:
            svc.change_role(s, admin, before.id, "leader", before.version)
    assert _user(e, "office1").role == "unit"
    # an admin cannot demote themselves, nor remove the last admin
    me = _user(e, "admin1")
    with pytest.raises(ServiceError, match="自己"):
        with session_scope(e, actor=admin) as s:
            svc.change_role(s, admin, me.id, "office", me.version)


def test_disable_revokes_sessions_and_enable_restores(world):
    e, admin = world["engine"], world["admin"]
    u = _user(e, "office1")
    issued = dt.datetime.now(dt.timezone.utc).timestamp() - 1
    with session_scope(e, actor=admin) as s:
        svc.set_active(s, admin, u.id, False, u.version, reason="调岗")
    u2 = _user(e, "office1")
    now = dt.datetime.now(dt.timezone.utc)
    assert not u2.active
    assert not users.cookie_valid(u2, now.timestamp() + 5, now, 30)  # even a fresh cookie
    with session_scope(e, write=False) as s:
        assert "office1" not in users.credentials(s)["usernames"]
    row = _audit(e, action="disable")[-1]
    assert (row.entity_id, row.summary, row.changes) == ("office1", "调岗", {"active": [True, False]})
    with session_scope(e, actor=admin) as s:
        svc.set_active(s, admin, u2.id, True, u2.version)
    with session_scope(e, write=False) as s:
        assert "office1" in users.credentials(s)["usernames"]
    assert users.cookie_valid(_user(e, "office1"), now.timestamp() + 1, now, 30)
    assert not users.cookie_valid(_user(e, "office1"), issued, now, 30)  # the old cookie stays dead
    me = _user(e, "admin1")
    with pytest.raises(ServiceError, match="自己"):
        with session_scope(e, actor=admin) as s:
            svc.set_active(s, admin, me.id, False, me.version)


def test_last_active_admin_cannot_be_disabled_or_demoted(world):
    e, admin = world["engine"], world["admin"]
    with session_scope(e, actor=admin) as s:
        second = f.account(s, "admin2", "admin")
    a1 = _user(e, "admin1")
    with session_scope(e, actor=second) as s:
        svc.set_active(s, second, a1.id, False, a1.version)  # two admins: fine
    a2 = _user(e, "admin2")
    # admin1 is disabled; admin2 is the last one. Another admin account must not remove it.
    with session_scope(e, actor=admin) as s:
        a3 = f.account(s, "admin3", "admin")
    with session_scope(e, actor=a3) as s:
        svc.set_active(s, a3, a2.id, False, a2.version)
    a3row = _user(e, "admin3")
    with pytest.raises(ServiceError, match="唯一"):
        with session_scope(e, actor=second) as s:  # admin2 (disabled) acting via a stale actor
            svc.change_role(s, second, a3row.id, "office", a3row.version)
    assert _user(e, "admin3").role == "admin"


def test_reset_password_unlocks_requires_change_and_kills_old_password(world):
    e, admin = world["engine"], world["admin"]
    t0 = dt.datetime.now(dt.timezone.utc)
    for _ in range(5):
        with session_scope(e) as s:
            users.record_failure(s, "office1", "10.0.0.9", t0, 5, 15)
    u = _user(e, "office1")
    assert users.is_locked(u, t0 + dt.timedelta(minutes=1))
    with session_scope(e, actor=admin) as s:
        new_pw = svc.reset_password(s, admin, u.id, u.version)
    u2 = _user(e, "office1")
    assert not users.is_locked(u2, t0 + dt.timedelta(minutes=1))
    assert u2.must_change_password
    assert users.verify_password(new_pw, u2.password_hash)
    assert not users.verify_password(f.PASSWORD, u2.password_hash)
    row = _audit(e, action="password_reset")[-1]
    assert row.entity_id == "office1" and new_pw not in str(row.summary) and row.changes is None


def test_sign_out_everywhere_and_unlock(world):
    e, admin = world["engine"], world["admin"]
    u = _user(e, "office1")
    issued = dt.datetime.now(dt.timezone.utc).timestamp() - 1
    with session_scope(e, actor=admin) as s:
        svc.sign_out_everywhere(s, admin, u.id)
    now = dt.datetime.now(dt.timezone.utc)
    assert not users.cookie_valid(_user(e, "office1"), issued, now, 30)
    row = _audit(e, action="revoke_sessions")[-1]
    assert (row.username, row.entity_id) == ("admin1", "office1")
    with pytest.raises(ForbiddenError):
        with session_scope(e, actor=world["office"]) as s:
            svc.sign_out_everywhere(s, world["office"], u.id)


def _seed_audit(engine):
    """12 rows at known instants: 2026-03-01 23:30 UTC is 2026-03-02 07:30 in Beijing."""
    base = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone.utc)
    with session_scope(engine) as s:
        from db.models import AuditLog as A

        for i in range(12):
            s.add(A(ts=base + dt.timedelta(days=i), username="tw1" if i % 3 == 0 else "office1",
                    role="township" if i % 3 == 0 else "office", action="view" if i % 2 == 0 else "search",
                    entity="person", entity_id=str(100 + i), summary=f"=HYPERLINK(\"http://x\",\"{i}\")",
                    changes={"phone": ["139****0000", "137****1111"]} if i == 5 else None,
                    outcome="denied" if i == 7 else "ok"))
    return base


def test_audit_filters_and_paging_in_sql(world):
    e, admin = world["engine"], world["admin"]
    _seed_audit(e)
    with session_scope(e, write=False) as s:
        everything = q.audit_page(s, admin, q.AuditFilter(entity="person"), 1, page_size=5)
        assert (everything.total, everything.pages, len(everything.rows)) == (12, 3, 5)
        assert everything.rows["编号"].tolist() == ["111", "110", "109", "108", "107"]  # newest first
        last = q.audit_page(s, admin, q.AuditFilter(entity="person"), 3, page_size=5)
        assert last.rows["编号"].tolist() == ["101", "100"]
        # i in {0,3,6,9} are tw1; of those, views are i even: 0, 6
        tw_views = q.audit_page(s, admin, q.AuditFilter(username="tw", actions=("view",), entity="person"))
        assert sorted(tw_views.rows["编号"]) == ["100", "106"]
        assert set(tw_views.rows["操作"]) == {"查看档案"} and set(tw_views.rows["角色"]) == {"乡镇(街道)民政办"}
        # Beijing dates: row i happened on 2026-03-(2+i) local time
        window = q.audit_page(s, admin, q.AuditFilter(entity="person", date_from=dt.date(2026, 3, 2),
                                                       date_to=dt.date(2026, 3, 3)))
        assert sorted(window.rows["编号"]) == ["100", "101"]
        assert window.rows["时间"].tolist()[-1] == "2026-03-02 07:30:00 +08:00"
        denied = q.audit_page(s, admin, q.AuditFilter(outcome="denied"))
        assert denied.rows["编号"].tolist() == ["107"] and denied.rows["结果"].tolist() == ["拒绝"]
        one = q.audit_page(s, admin, q.AuditFilter(entity="person", entity_id="105"))
        assert one.rows["字段变更"].tolist() == ["phone: 139****0000 → 137****1111"]
        wildcard = q.audit_page(s, admin, q.AuditFilter(username="%"))
        assert wildcard.total == 0  # LIKE wildcards are literal
        with pytest.raises(ForbiddenError):
            q.audit_page(s, world["office"], q.AuditFilter())


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_escapes_formulas_and_is_audited(world, fmt):
    e, admin = world["engine"], world["admin"]
    _seed_audit(e)
    flt = q.AuditFilter(entity="person", actions=("search",))
    with session_scope(e, actor=admin) as s:
        out = svc.export_audit(s, admin, flt, fmt)
    assert out.rows == 6 and not out.truncated and out.filename.endswith("." + fmt)
    if fmt == "xlsx":
        ws = load_workbook(io.BytesIO(out.data)).active
        table = [[c.value for c in r] for r in ws.iter_rows()]
    else:
        assert out.data.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(out.data.decode("utf-8-sig"))))
    assert table[0] == q.AUDIT_COLUMNS
    summaries = [r[q.AUDIT_COLUMNS.index("说明")] for r in table[1:]]
    assert len(summaries) == 6 and all(v.startswith("'=HYPERLINK") for v in summaries)
    row = _audit(e, action="export")[-1]
    assert (row.username, row.role, row.entity) == ("admin1", "admin", "audit_log")
    assert "6 条" in row.summary and "操作=搜索" in row.summary
    with pytest.raises(ForbiddenError):
        with session_scope(e, actor=world["office"]) as s:
            svc.export_audit(s, world["office"], flt, fmt)


def test_my_account_and_last_backup(world):
    e = world["engine"]
    with session_scope(e, write=False) as s:
        me = q.my_account(s, world["office"])
        assert (me.username, me.role_label, me.scope) == ("office1", "联席办/民政局", "全县")
        assert q.last_backup(s, world["admin"]) is None
        with pytest.raises(ForbiddenError):
            q.last_backup(s, world["office"])
    with session_scope(e) as s:
        audit.record(s, "view", "person", 1)
    with session_scope(e, write=False) as s:
        df = q.list_users(s, world["admin"])
        assert sorted(df["用户名"]) == ["admin1", "office1"]
        assert set(df["状态"]) == {"正常"}
