"""系统管理 writes: accounts and the audit-log export. Administrator only.

Account changes are plain UPDATEs guarded by the row's `version` (optimistic lock) and
write exactly one, well-named audit row each (role_change, disable, enable,
password_reset, unlock, revoke_sessions) instead of a generic 'update'.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.excel_safety import escape_cell
from core.passwords import generate_password, policy_errors
from core import access
from core.roles import ADMIN, ROLE_LABELS, ROLES, Actor
from db import audit
from areas.admin import users
from db.models import Region, Unit, User, utcnow
from areas.admin.reads import AUDIT_COLUMNS, AuditFilter, audit_count, audit_rows, require_admin
from db import locking
from db.errors import ServiceError, require

EXPORT_MAX_ROWS = 50_000
# The name is shown in the sidebar and lists; markup characters have no place in it.
_MARKUP = set("<>[]()*_`\\|#!{}~$&\"'=")
_ACCOUNT = "该账户"  # what a version conflict names (db/locking.py)


@dataclass(frozen=True)
class NewAccount:
    user_id: int
    username: str
    initial_password: str  # shown once to the administrator, never stored in clear


def _scope(session: Session, role: str, township_id: int | None, unit_id: int | None) -> tuple[int | None, int | None]:
    if role not in ROLES:
        raise ServiceError(f"未知角色：{role}")
    if role in access.TOWNSHIP_BOUND:
        if not township_id or session.scalar(
            select(Region.id).where(Region.id == township_id, Region.level == "township")
        ) is None:
            raise ServiceError("乡镇(街道)民政办账户须选择所属乡镇")
        return township_id, None
    if role in access.UNIT_BOUND:
        if not unit_id or session.get(Unit, unit_id) is None:
            raise ServiceError("成员单位联络员账户须选择所属成员单位")
        return None, unit_id
    return None, None


def _user(session: Session, user_id: int) -> User:
    u = session.get(User, user_id)
    if u is None:
        raise ServiceError("账户不存在")
    return u


def _active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(User.role == ADMIN, User.active.is_(True))
    ) or 0


def _guarded_update(session: Session, u: User, expected_version: int, **values) -> None:
    """UPDATE … WHERE id AND version; nothing matched means someone saved in between."""
    locking.check_version(session, u, expected_version, _ACCOUNT)
    res = session.execute(
        update(User)
        .where(User.id == u.id, User.version == expected_version)
        .values(version=User.version + 1, updated_by=_who(session), updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        raise locking.conflict(_ACCOUNT, [])
    session.expire(u)


def _who(session: Session) -> str:
    actor = session.info.get("actor")
    return getattr(actor, "username", None) or "system"


# ---------------------------------------------------------------- accounts
def check_new_account(session: Session, username: str, display_name: str, role: str, township_id: int | None,
                      unit_id: int | None) -> tuple[str, str, int | None, int | None]:
    """The rules every new account meets (one by one or from a list): the cleaned username and
    name and the scope, or ServiceError with the Chinese reason."""
    username = (username or "").strip().lower()
    display_name = (display_name or "").strip()
    if not username or not username.replace("_", "").replace(".", "").replace("-", "").isalnum() or not username.isascii():
        raise ServiceError("用户名只能由小写字母、数字、点、下划线或连字符组成")
    if len(username) > 64 or len(display_name) > 64:
        raise ServiceError("用户名和姓名均不能超过64个字符")
    if not display_name:
        raise ServiceError("请填写姓名")
    if any(c in _MARKUP for c in display_name):
        raise ServiceError("姓名不能包含 < > [ ] ( ) * _ ` 等符号")
    township_id, unit_id = _scope(session, role, township_id, unit_id)
    if users.get_user(session, username) is not None:
        raise ServiceError(f"用户名已存在：{username}")
    return username, display_name, township_id, unit_id


def create_account(
    session: Session,
    actor: Actor,
    username: str,
    display_name: str,
    role: str,
    township_id: int | None = None,
    unit_id: int | None = None,
    password: str | None = None,
) -> NewAccount:
    """A new account with an initial password the user must change at first sign-in."""
    require(actor, "user.manage")
    username, display_name, township_id, unit_id = check_new_account(session, username, display_name, role,
                                                                     township_id, unit_id)
    password = password or generate_password()
    errors = policy_errors(password, username)
    if errors:
        raise ServiceError("；".join(errors))
    try:
        u = users.create_user(session, username, password, role, display_name, township_id, unit_id, must_change=True)
    except ValueError as e:
        raise ServiceError(str(e)) from e
    return NewAccount(u.id, u.username, password)


def change_role(
    session: Session,
    actor: Actor,
    user_id: int,
    role: str,
    expected_version: int,
    township_id: int | None = None,
    unit_id: int | None = None,
) -> None:
    """New role and scope; the user's open sessions end so the change applies at once."""
    require(actor, "user.manage")
    u = _user(session, user_id)
    township_id, unit_id = _scope(session, role, township_id, unit_id)
    if u.username == actor.username:
        raise ServiceError("不能修改自己的角色，请由另一位管理员操作")
    if u.role == ADMIN and role != ADMIN and u.active and _active_admins(session) <= 1:
        raise ServiceError("这是唯一在用的管理员账户，不能改为其他角色")
    changes = {}
    for key, old, new in (("role", u.role, role), ("township_id", u.township_id, township_id), ("unit_id", u.unit_id, unit_id)):
        if old != new:
            changes[key] = [old, new]
    if not changes:
        raise ServiceError("角色和范围没有变化")
    _guarded_update(session, u, expected_version, role=role, township_id=township_id, unit_id=unit_id,
                    sessions_valid_after=utcnow())
    audit.record(
        session, "role_change", "user", u.username, changes=changes,
        summary=f"{ROLE_LABELS.get(changes.get('role', [u.role])[0], '')} → {ROLE_LABELS[role]}，已强制重新登录",
    )


def set_active(session: Session, actor: Actor, user_id: int, active: bool, expected_version: int, reason: str = "") -> None:
    """Disable (every session ends at once) or enable an account. Nothing is deleted."""
    require(actor, "user.manage")
    u = _user(session, user_id)
    if u.active == active:
        raise ServiceError("账户已是" + ("启用" if active else "停用") + "状态")
    if not active:
        if u.username == actor.username:
            raise ServiceError("不能停用自己的账户")
        if u.role == ADMIN and _active_admins(session) <= 1:
            raise ServiceError("这是唯一在用的管理员账户，不能停用")
        _guarded_update(session, u, expected_version, active=False, sessions_valid_after=utcnow())
    else:
        _guarded_update(session, u, expected_version, active=True, failed_logins=0, locked_until=None)
    audit.record(session, "enable" if active else "disable", "user", u.username,
                 changes={"active": [not active, active]}, summary=(reason or "").strip()[:200] or None)


def reset_password(session: Session, actor: Actor, user_id: int, expected_version: int) -> str:
    """A new random initial password (returned once); must be changed at next sign-in.
    Also lifts a lockout and ends every open session of the account."""
    require(actor, "user.manage")
    u = _user(session, user_id)
    password = generate_password()
    now = utcnow()
    _guarded_update(session, u, expected_version, password_hash=users.hash_password(password),
                    must_change_password=True, password_changed_at=now, sessions_valid_after=now,
                    failed_logins=0, locked_until=None)
    audit.record(session, "password_reset", "user", u.username, summary="管理员重置密码，下次登录须修改")
    return password


def unlock(session: Session, actor: Actor, user_id: int, expected_version: int) -> None:
    require(actor, "user.manage")
    u = _user(session, user_id)
    _guarded_update(session, u, expected_version, failed_logins=0, locked_until=None)
    audit.record(session, "unlock", "user", u.username)


def sign_out_everywhere(session: Session, actor: Actor, user_id: int) -> None:
    """Every cookie and open session of the account stops working now."""
    require(actor, "user.manage")
    u = _user(session, user_id)
    users.revoke_sessions(session, u.username, utcnow(), reason="revoke_sessions")


# ---------------------------------------------------------------- audit export
@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    mime: str
    rows: int
    truncated: bool


def export_audit(session: Session, actor: Actor, flt: AuditFilter, fmt: str = "xlsx",
                 now: dt.datetime | None = None) -> Export:
    """The filtered audit log as .xlsx or .csv (cells escaped against formula injection);
    the export itself is audited."""
    require_admin(actor)
    if fmt not in ("xlsx", "csv"):
        raise ServiceError("只支持导出 .xlsx 或 .csv")
    total = audit_count(session, actor, flt)
    frame = audit_rows(session, actor, flt, EXPORT_MAX_ROWS)
    rows = [[escape_cell(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    now = now or utcnow()
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(AUDIT_COLUMNS)
        w.writerows(rows)
        data = buf.getvalue().encode("utf-8-sig")  # Excel/WPS open UTF-8 with BOM correctly
        mime = "text/csv"
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("审计日志")
        ws.append(AUDIT_COLUMNS)
        for r in rows:
            ws.append(r)
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit.record(session, "export", "audit_log", None,
                 summary=f"导出审计日志 {len(rows)} 条（{fmt}），筛选：{flt.describe()}"
                         + (f"，超过上限仅导出最新 {EXPORT_MAX_ROWS} 条" if total > len(rows) else ""))
    return Export(data, f"审计日志-{stamp}.{fmt}", mime, len(rows), total > len(rows))
