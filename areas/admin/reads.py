"""系统管理 reads: accounts, the audit log (filtered and paged in SQL), last backup.

Only the administrator reads these; every function checks it again on the server.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from core.roles import ROLE_LABELS, Actor
from db.audit_verify import ChainReport
from db.audit_verify import verify as verify_chain
from db.models import AppSetting, AuditLog, Region, Unit, User
from areas.registry.person_reads import like_pattern
from db.errors import require
from core.audit_labels import ACTION_LABELS, ENTITY_LABELS, OUTCOME_LABELS  # noqa: F401  (pages read them here)

LOCAL_TZ = ZoneInfo(os.environ.get("CAREDESK_TZ", "Asia/Shanghai"))
PAGE_SIZE = 50



def require_admin(actor: Actor) -> None:
    """Accounts, audit log and backups are the administrator's to read (core/access.py)."""
    require(actor, "admin.view")


def local_time(ts: dt.datetime | None) -> str:
    """'2026-11-22 20:18:30 +08:00' — the stored UTC instant in the office's time zone."""
    if ts is None:
        return ""
    if ts.tzinfo is None:  # SQLite hands back naive UTC
        ts = ts.replace(tzinfo=dt.timezone.utc)
    local = ts.astimezone(LOCAL_TZ)
    z = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {z[:3]}:{z[3:]}"


def _utc_bound(day: dt.date) -> dt.datetime:
    """Local midnight of `day` as a UTC instant (naive on SQLite compares as UTC text)."""
    return dt.datetime.combine(day, dt.time(), LOCAL_TZ).astimezone(dt.timezone.utc)


# ---------------------------------------------------------------- accounts
@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    township_id: int | None
    unit_id: int | None
    active: bool
    locked: bool
    must_change_password: bool
    last_login: str
    version: int


def list_users(session: Session, actor: Actor, now: dt.datetime | None = None) -> pd.DataFrame:
    require_admin(actor)
    now = now or dt.datetime.now(dt.timezone.utc)
    tw = Region.__table__.alias("tw")
    stmt = (
        select(User, tw.c.name, Unit.short_name)
        .outerjoin(tw, tw.c.id == User.township_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .order_by(User.role, User.username)
    )
    rows = []
    for u, tw_name, unit_name in session.execute(stmt):
        locked = u.locked_until is not None and _aware(u.locked_until) > now
        rows.append({
            "id": u.id,
            "用户名": u.username,
            "姓名": u.display_name,
            "角色": ROLE_LABELS.get(u.role, u.role),
            "范围": tw_name or unit_name or "全县",
            "状态": "已停用" if not u.active else ("已锁定" if locked else "正常"),
            "须改密码": "是" if u.must_change_password else "",
            "最近登录": local_time(u.last_login_at),
        })
    return pd.DataFrame(rows, columns=["id", "用户名", "姓名", "角色", "范围", "状态", "须改密码", "最近登录"])


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def get_user_row(session: Session, actor: Actor, user_id: int, now: dt.datetime | None = None) -> UserRow | None:
    require_admin(actor)
    now = now or dt.datetime.now(dt.timezone.utc)
    u = session.get(User, user_id)
    if u is None:
        return None
    return UserRow(
        u.id, u.username, u.display_name, u.role, u.township_id, u.unit_id, u.active,
        u.locked_until is not None and _aware(u.locked_until) > now, u.must_change_password,
        local_time(u.last_login_at), u.version,
    )


@dataclass(frozen=True)
class MyAccount:
    username: str
    display_name: str
    role_label: str
    scope: str
    last_login: str
    password_changed: str


def my_account(session: Session, actor: Actor) -> MyAccount | None:
    """The signed-in user's own account (any role; only their own row)."""
    tw = Region.__table__.alias("tw")
    row = session.execute(
        select(User, tw.c.name, Unit.name)
        .outerjoin(tw, tw.c.id == User.township_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.username == actor.username)
    ).first()
    if row is None:
        return None
    u, tw_name, unit_name = row
    return MyAccount(u.username, u.display_name, ROLE_LABELS.get(u.role, u.role), tw_name or unit_name or "全县",
                     local_time(u.last_login_at), local_time(u.password_changed_at))


def scope_choices(session: Session, actor: Actor) -> tuple[dict[int, str], dict[int, str]]:
    """({township id: name}, {unit id: name}) for the account form."""
    require_admin(actor)
    towns = dict(session.execute(
        select(Region.id, Region.name).where(Region.level == "township").order_by(Region.sort_order, Region.code)
    ).all())
    units = dict(session.execute(
        select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.sort_order, Unit.name)
    ).all())
    return towns, units


# ---------------------------------------------------------------- audit log
@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    actions: tuple[str, ...] = ()
    entity: str = ""
    entity_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    outcome: str = ""

    def describe(self) -> str:
        parts = []
        if self.username:
            parts.append(f"用户={self.username}")
        if self.actions:
            parts.append("操作=" + "、".join(ACTION_LABELS.get(a, a) for a in self.actions))
        if self.entity:
            parts.append(f"对象={ENTITY_LABELS.get(self.entity, self.entity)}")
        if self.entity_id:
            parts.append(f"编号={self.entity_id}")
        if self.date_from or self.date_to:
            parts.append(f"日期={self.date_from or ''}至{self.date_to or ''}")
        if self.outcome:
            parts.append(f"结果={OUTCOME_LABELS.get(self.outcome, self.outcome)}")
        return "，".join(parts) or "全部"


def _filtered(flt: AuditFilter, stmt: Select) -> Select:
    conds = []
    if flt.username.strip():
        conds.append(AuditLog.username.like(like_pattern(flt.username.strip()), escape="\\"))
    if flt.actions:
        conds.append(AuditLog.action.in_(flt.actions))
    if flt.entity:
        conds.append(AuditLog.entity == flt.entity)
    if flt.entity_id.strip():
        conds.append(AuditLog.entity_id == flt.entity_id.strip())
    if flt.date_from:
        conds.append(AuditLog.ts >= _utc_bound(flt.date_from))
    if flt.date_to:
        conds.append(AuditLog.ts < _utc_bound(flt.date_to + dt.timedelta(days=1)))
    if flt.outcome:
        conds.append(AuditLog.outcome == flt.outcome)
    return stmt.where(and_(*conds)) if conds else stmt


def format_changes(changes) -> str:
    """{'phone': ['139****5678', '137****2222']} → 'phone: 139****5678 → 137****2222'."""
    if not changes:
        return ""
    if isinstance(changes, str):
        try:
            changes = json.loads(changes)
        except ValueError:
            return changes
    parts = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            old, new = ("" if v is None else v for v in value)
            parts.append(f"{key}: {old} → {new}" if old != "" else f"{key}: {new}")
        else:
            parts.append(f"{key}: {value}")
    return "；".join(parts)


AUDIT_COLUMNS = ["序号", "时间", "用户", "角色", "操作", "对象", "编号", "结果", "说明", "字段变更"]


def _frame(rows) -> pd.DataFrame:
    out = [
        {
            "序号": r.id,
            "时间": local_time(r.ts),
            "用户": r.username or "",
            "角色": ROLE_LABELS.get(r.role, r.role or ""),
            "操作": ACTION_LABELS.get(r.action, r.action),
            "对象": ENTITY_LABELS.get(r.entity, r.entity or ""),
            "编号": r.entity_id or "",
            "结果": OUTCOME_LABELS.get(r.outcome, r.outcome),
            "说明": r.summary or "",
            "字段变更": format_changes(r.changes),
        }
        for r in rows
    ]
    return pd.DataFrame(out, columns=AUDIT_COLUMNS)


@dataclass(frozen=True)
class AuditPage:
    rows: pd.DataFrame
    total: int
    page: int
    pages: int
    page_size: int = PAGE_SIZE
    filter: AuditFilter = field(default_factory=AuditFilter)


def audit_page(session: Session, actor: Actor, flt: AuditFilter, page: int = 1, page_size: int = PAGE_SIZE) -> AuditPage:
    """One page of the audit log, newest first; filtering, counting and paging in SQL."""
    require_admin(actor)
    total = session.scalar(_filtered(flt, select(func.count()).select_from(AuditLog))) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    stmt = _filtered(flt, select(AuditLog)).order_by(AuditLog.id.desc()).offset((page - 1) * page_size).limit(page_size)
    return AuditPage(_frame(session.scalars(stmt)), total, page, pages, page_size, flt)


def audit_rows(session: Session, actor: Actor, flt: AuditFilter, limit: int) -> pd.DataFrame:
    """The filtered log for an export, newest first, at most `limit` rows."""
    require_admin(actor)
    stmt = _filtered(flt, select(AuditLog)).order_by(AuditLog.id.desc()).limit(limit)
    return _frame(session.scalars(stmt))


def audit_count(session: Session, actor: Actor, flt: AuditFilter) -> int:
    require_admin(actor)
    return session.scalar(_filtered(flt, select(func.count()).select_from(AuditLog))) or 0


def audit_integrity(session: Session, actor: Actor) -> ChainReport:
    """The audit log's hash chain checked row by row (db/audit_verify.py): how many rows,
    or the first broken one."""
    require_admin(actor)
    return verify_chain(session)


# ---------------------------------------------------------------- backups
def last_backup(session: Session, actor: Actor) -> dict | None:
    """{'at': iso, 'file', 'size', 'people', 'by'} of the last successful backup, or None."""
    require_admin(actor)
    value = session.scalar(select(AppSetting.value).where(AppSetting.key == "last_backup"))
    if not value:
        return None
    try:
        info = json.loads(value)
    except ValueError:
        return None
    info["at_local"] = local_time(dt.datetime.fromisoformat(info["at"])) if info.get("at") else ""
    return info
