"""Accounts: credentials for the authenticator, lockout, throttle, cookie revocation.

Lockout and failed-login counts live in the database (streamlit-authenticator keeps
them only in memory). Every time-dependent function takes `now` so tests can move
the clock.

CLI: python -m areas.admin.users create --username NAME --role admin [--display-name 名字]
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys

import bcrypt
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from core.passwords import policy_errors
from core.roles import ROLES, Actor
from db import audit
from db.models import LoginAttempt, Presentation, User, utcnow

GENERIC_LOGIN_ERROR = "用户名或密码错误，或账户已被临时锁定。连续失败多次将锁定一段时间。"
CLIENT_MAX_FAILURES = 20  # per client address within the lockout window


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=dt.timezone.utc)
    return t


def hash_password(password: str) -> str:
    rounds = int(os.environ.get("CAREDESK_BCRYPT_ROUNDS", "12"))
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False


def published_password(password: str | None) -> bool:
    """The demo county's accounts share one password, printed at every start and in the
    README (tools/demo.py). Outside demo mode an account signing in with it must change it."""
    if not password:
        return False
    from tools.demo import DEMO_PASSWORD

    return password == DEMO_PASSWORD


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def is_locked(user: User, now: dt.datetime) -> bool:
    until = _aware(user.locked_until)
    return until is not None and until > now


def credentials(session: Session, now: dt.datetime | None = None) -> dict:
    """The authenticator's credentials dict. Disabled and locked accounts are left out,
    so the authenticator refuses them exactly like an unknown user."""
    now = now or utcnow()
    users = {}
    for u in session.scalars(select(User).where(User.active.is_(True))):
        if is_locked(u, now):
            continue
        users[u.username] = {
            "name": u.display_name,
            "password": u.password_hash,
            "roles": [u.role],
            "email": f"{u.username}@caredesk.invalid",
        }
    return {"usernames": users}


def client_throttled(session: Session, client: str | None, now: dt.datetime, window_min: int) -> bool:
    if not client:
        return False
    since = now - dt.timedelta(minutes=window_min)
    n = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.client == client, LoginAttempt.success.is_(False), LoginAttempt.ts >= since)
    )
    return (n or 0) >= CLIENT_MAX_FAILURES


def record_failure(
    session: Session, username: str, client: str | None, now: dt.datetime, max_failures: int, lock_minutes: int
) -> None:
    session.add(LoginAttempt(ts=now, username=username[:64], client=client, success=False))
    user = get_user(session, username)
    if user is not None and not is_locked(user, now):
        # A plain UPDATE: the counter must not go through the optimistic lock, two
        # failing attempts at once must both count.
        failed = (user.failed_logins or 0) + 1
        values: dict = {"failed_logins": failed}
        if failed >= max_failures:
            values = {"failed_logins": 0, "locked_until": now + dt.timedelta(minutes=lock_minutes)}
        session.execute(update(User).where(User.id == user.id).values(**values))
    audit.record(
        session, "login_failed", "user", username[:64], summary=f"客户端 {client or '-'}", outcome="denied",
        actor=username[:64] or "-",
    )


def record_success(session: Session, user: User, client: str | None, now: dt.datetime, via: str) -> None:
    session.add(LoginAttempt(ts=now, username=user.username, client=client, success=True))
    session.execute(
        update(User).where(User.id == user.id).values(failed_logins=0, locked_until=None, last_login_at=now, last_seen_at=now)
    )
    audit.record(session, "login", "user", user.username, summary=f"{via}，客户端 {client or '-'}", actor=actor_for(user))


def cookie_valid(user: User | None, issued_at: float, now: dt.datetime, idle_minutes: int) -> bool:
    """A re-authentication cookie is accepted only for an active, unlocked user whose
    sessions were not revoked after it was issued, and who was active recently."""
    if user is None or not user.active or is_locked(user, now):
        return False
    valid_after = _aware(user.sessions_valid_after)
    if valid_after is not None and issued_at < valid_after.timestamp():
        return False
    seen = _aware(user.last_seen_at)
    if seen is not None and now - seen > dt.timedelta(minutes=idle_minutes):
        return False
    return True


def touch(session: Session, username: str, now: dt.datetime) -> None:
    session.execute(update(User).where(User.username == username).values(last_seen_at=now))


def revoke_sessions(session: Session, username: str, now: dt.datetime | None = None, reason: str = "logout") -> None:
    """Every cookie issued before now stops working (logout, password change, disable, admin)."""
    now = now or utcnow()
    session.execute(update(User).where(User.username == username).values(sessions_valid_after=now))
    audit.record(session, reason, "user", username)
    end_presentations(session, username, None, "退出登录" if reason == "logout" else "登录已失效")


# ---------------------------------------------------------------- 投屏模式 (issue 13)
# One row per presenting sign-in: a reload starts a new Streamlit session of the same
# sign-in (same cookie, same login_key), which finds its row before any page is drawn.

def presenting(session: Session, username: str, login_key: str | None, now: dt.datetime) -> bool:
    if not login_key:
        return False
    expires = session.scalar(select(Presentation.expires_at)
                             .where(Presentation.username == username, Presentation.login_key == login_key))
    return expires is not None and _aware(expires) > now


def start_presentation(session: Session, actor: Actor, login_key: str, now: dt.datetime,
                       expires_at: dt.datetime) -> bool:
    """Audited once per start; False when this sign-in is presenting already."""
    if session.get(Presentation, (actor.username, login_key)) is not None:
        return False
    session.add(Presentation(username=actor.username, login_key=login_key, started_at=now, expires_at=expires_at))
    audit.record(session, "presentation_on", "session", actor.username, actor=actor)
    return True


def end_presentations(session: Session, username: str, login_key: str | None, reason: str,
                      dead_at: dt.datetime | None = None) -> int:
    """Ends the presentation of one sign-in (login_key), of every sign-in (None), or with
    `dead_at` only those whose sign-in is over by then (expired, or revoked after it
    started). One presentation_off row per presentation ended, with the reason."""
    q = select(Presentation).where(Presentation.username == username)
    if login_key is not None:
        q = q.where(Presentation.login_key == login_key)
    if dead_at is not None:
        valid_after = session.scalar(select(User.sessions_valid_after).where(User.username == username))
        dead = Presentation.expires_at <= dead_at
        q = q.where(or_(dead, Presentation.started_at < valid_after) if valid_after is not None else dead)
    rows = list(session.scalars(q))
    for row in rows:
        session.execute(delete(Presentation).where(Presentation.username == row.username,
                                                   Presentation.login_key == row.login_key))
        audit.record(session, "presentation_off", "session", username, summary=reason,
                     actor=session.info.get("actor") or username)
    return len(rows)


def actor_for(user: User, presentation: bool = False) -> Actor:
    return Actor(
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        township_id=user.township_id,
        unit_id=user.unit_id,
        presentation=presentation,
    )


def change_password(session: Session, username: str, old: str, new: str, now: dt.datetime | None = None) -> list[str]:
    """Returns Chinese error messages; empty list on success."""
    now = now or utcnow()
    user = get_user(session, username)
    if user is None or not verify_password(old, user.password_hash):
        return ["原密码不正确"]
    errors = policy_errors(new, username)
    if old == new:
        errors.append("新密码不能与原密码相同")
    if errors:
        return errors
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    user.must_change_password = False
    user.sessions_valid_after = now
    session.flush()
    audit.record(session, "password_change", "user", username)
    end_presentations(session, username, None, "修改密码")  # every sign-in of the user ends here
    return []


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    township_id: int | None = None,
    unit_id: int | None = None,
    must_change: bool = True,
) -> User:
    if role not in ROLES:
        raise ValueError(f"未知角色：{role}")
    if username != username.lower().strip() or not username:
        raise ValueError("用户名须为小写字母、数字，不含空格")
    errors = policy_errors(password, username)
    if errors:
        raise ValueError("；".join(errors))
    if get_user(session, username) is not None:
        raise ValueError(f"用户名已存在：{username}")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        township_id=township_id,
        unit_id=unit_id,
        must_change_password=must_change,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def main(argv: list[str] | None = None) -> int:
    from db.engine import get_engine, session_scope
    from db.migrate import upgrade

    p = argparse.ArgumentParser(prog="python -m areas.admin.users", description="管理账户")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("create", help="创建账户（首个管理员）")
    c.add_argument("--username", required=True)
    c.add_argument("--role", required=True, choices=ROLES)
    c.add_argument("--display-name")
    c.add_argument("--township-id", type=int)
    c.add_argument("--unit-id", type=int)
    args = p.parse_args(argv)
    engine = get_engine()
    upgrade(engine)
    password = os.environ.get("CAREDESK_NEW_PASSWORD") or getpass.getpass("密码：")
    try:
        with session_scope(engine) as s:
            create_user(s, args.username, password, args.role, args.display_name, args.township_id, args.unit_id, must_change=False)
    except ValueError as e:
        print(f"创建失败：{e}", file=sys.stderr)
        return 2
    print(f"已创建账户 {args.username}（{args.role}）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
