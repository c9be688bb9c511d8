import datetime as dt

from areas.admin import users
from db.engine import session_scope
from db.models import AuditLog, utcnow
from sqlalchemy import select
from tests import factories as f

T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.timezone.utc)


def test_five_failures_lock_for_fifteen_minutes_then_unlock(engine):
    with session_scope(engine) as s:
        f.account(s, "alice", "office")
    for i in range(5):
        with session_scope(engine) as s:
            users.record_failure(s, "alice", "10.0.0.1", T0 + dt.timedelta(seconds=i), 5, 15)
    with session_scope(engine, write=False) as s:
        u = users.get_user(s, "alice")
        assert users.is_locked(u, T0 + dt.timedelta(minutes=14))
        assert "alice" not in users.credentials(s, T0 + dt.timedelta(minutes=14))["usernames"]
        assert not users.is_locked(u, T0 + dt.timedelta(minutes=16))
        assert "alice" in users.credentials(s, T0 + dt.timedelta(minutes=16))["usernames"]


def test_four_failures_do_not_lock_and_success_resets(engine):
    with session_scope(engine) as s:
        f.account(s, "bob", "office")
    for i in range(4):
        with session_scope(engine) as s:
            users.record_failure(s, "bob", None, T0, 5, 15)
    with session_scope(engine) as s:
        u = users.get_user(s, "bob")
        assert not users.is_locked(u, T0) and u.failed_logins == 4
        users.record_success(s, u, None, T0, "密码登录")
    with session_scope(engine, write=False) as s:
        assert users.get_user(s, "bob").failed_logins == 0


def test_client_throttle_counts_failures_across_usernames(engine):
    with session_scope(engine) as s:
        for i in range(users.CLIENT_MAX_FAILURES):
            users.record_failure(s, f"nobody{i}", "10.9.9.9", T0, 5, 15)
    with session_scope(engine, write=False) as s:
        assert users.client_throttled(s, "10.9.9.9", T0 + dt.timedelta(minutes=1), 15)
        assert not users.client_throttled(s, "10.1.1.1", T0 + dt.timedelta(minutes=1), 15)
        assert not users.client_throttled(s, "10.9.9.9", T0 + dt.timedelta(minutes=20), 15)


def test_cookie_refused_after_revocation_disable_and_idle(engine):
    with session_scope(engine) as s:
        f.account(s, "carol", "office")
    issued = T0.timestamp()
    with session_scope(engine, write=False) as s:
        assert users.cookie_valid(users.get_user(s, "carol"), issued, T0, 30)
    with session_scope(engine) as s:
        users.revoke_sessions(s, "carol", T0 + dt.timedelta(minutes=1))
    with session_scope(engine, write=False) as s:
        u = users.get_user(s, "carol")
        assert not users.cookie_valid(u, issued, T0 + dt.timedelta(minutes=2), 30)
        # a cookie issued after the revocation is fine
        assert users.cookie_valid(u, (T0 + dt.timedelta(minutes=3)).timestamp(), T0 + dt.timedelta(minutes=4), 30)
    with session_scope(engine) as s:
        users.touch(s, "carol", T0)
    with session_scope(engine, write=False) as s:
        u = users.get_user(s, "carol")
        assert not users.cookie_valid(u, (T0 + dt.timedelta(minutes=3)).timestamp(), T0 + dt.timedelta(minutes=45), 30)
    with session_scope(engine) as s:
        users.get_user(s, "carol").active = False
    with session_scope(engine, write=False) as s:
        assert not users.cookie_valid(users.get_user(s, "carol"), utcnow().timestamp(), utcnow(), 30)
    assert not users.cookie_valid(None, issued, T0, 30)


def test_password_change_enforces_policy_and_revokes(engine):
    with session_scope(engine) as s:
        f.account(s, "dave", "office")
    with session_scope(engine) as s:
        assert users.change_password(s, "dave", "wrong", "Another#Pass2026") == ["原密码不正确"]
        errs = users.change_password(s, "dave", f.PASSWORD, "short")
        assert errs and any("10" in e for e in errs)
        assert users.change_password(s, "dave", f.PASSWORD, "Another#Pass2026", T0) == []
    with session_scope(engine, write=False) as s:
        u = users.get_user(s, "dave")
        assert users.verify_password("Another#Pass2026", u.password_hash)
        assert not users.cookie_valid(u, (T0 - dt.timedelta(seconds=1)).timestamp(), T0, 30)
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity_id == "dave")).all()
        assert "password_change" in actions
