"""Accounts in bulk (issue 15 item 6): an Excel or CSV list of 用户名, 姓名, 角色 and 所属乡镇 or
所属成员单位 becomes accounts with one-time passwords — all or none, each row checked by the same
rules as one account made by hand (areas/admin/writes.check_new_account), every user forced to
change the password at first sign-in. Importing the same list again creates nobody twice:
a username that exists with the same role and scope is "已存在，跳过"; with another, an error."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.excel_safety import sheet_bytes
from core.importing import Issue, norm_header
from core.roles import ROLE_LABELS, Actor
from core import access, uploads
from db import audit
from db.errors import ServiceError, require
from db.models import Region, Unit, User
from areas.admin.writes import NewAccount, check_new_account, create_account
from areas.registry.importer import ImportRefused, read_tables

TEMPLATE_HEADER = ["用户名", "姓名", "角色", "所属乡镇", "所属成员单位"]
_HEADERS = {"username": ("用户名", "账号", "登录名"), "name": ("姓名", "显示名"), "role": ("角色",),
            "township": ("所属乡镇", "乡镇", "乡镇(街道)"), "unit": ("所属成员单位", "成员单位", "单位")}
# A role as the list may write it: its label, a short form, or the code.
_ROLE_WORDS = {**{label: code for code, label in ROLE_LABELS.items()}, **{code: code for code in ROLE_LABELS},
               "管理员": "admin", "联席办": "office", "民政局": "office", "乡镇": "township", "乡镇民政办": "township",
               "成员单位": "unit", "联络员": "unit", "领导": "leader"}
SHEET_LIMIT = 2000  # accounts in one list


@dataclass
class AccountRow:
    row: int
    username: str
    display_name: str
    role: str
    township_id: int | None
    unit_id: int | None
    exists: bool = False  # same account already there: skipped


@dataclass
class AccountPreview:
    rows: list[AccountRow] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    @property
    def new(self) -> list[AccountRow]:
        return [r for r in self.rows if not r.exists]


def _cols(header) -> dict[str, int]:
    out = {}
    for i, h in enumerate(header):
        key = norm_header(h)
        for fld, names in _HEADERS.items():
            if fld not in out and key in (norm_header(n) for n in names):
                out[fld] = i
    return out


def preview(session: Session, actor: Actor, filename: str, data: bytes) -> AccountPreview:
    require(actor, "user.manage")
    sheet, rows = read_tables(filename, data, kind=uploads.ROSTER)[0]
    out = AccountPreview()
    start = next((k for k, r in enumerate(rows[:10]) if {"username", "name", "role"} <= set(_cols(list(r or ())))), None)
    if start is None:
        out.errors.append(Issue(sheet, None, None, "找不到表头：需要「用户名」「姓名」「角色」三列（乡镇账户另需「所属乡镇」，"
                                                    "成员单位账户另需「所属成员单位」），请下载模板对照"))
        return out
    cols = _cols(list(rows[start]))
    towns = {}
    for rid, code, name in session.execute(select(Region.id, Region.code, Region.name).where(Region.level == "township")):
        towns[name] = towns[code] = rid
    units = {}
    for uid, name, short in session.execute(select(Unit.id, Unit.name, Unit.short_name)):
        units[name] = uid
        if short:
            units.setdefault(short, uid)
    existing = {u.username: u for u in session.scalars(select(User))}
    seen: dict[str, int] = {}
    data_rows = [(k, list(r or ())) for k, r in enumerate(rows[start + 1:], start=start + 2)
                 if any(v not in (None, "") and str(v).strip() for v in (r or ()))]
    if len(data_rows) > SHEET_LIMIT:
        out.errors.append(Issue(sheet, None, None, f"一次最多导入{SHEET_LIMIT}个账户，请分批导入"))
        return out
    for k, r in data_rows:
        def cell(fld):
            i = cols.get(fld)
            v = r[i] if i is not None and i < len(r) else None
            return "" if v is None else str(v).strip()

        bad = lambda col, why: out.errors.append(Issue(sheet, k, col, why))  # noqa: E731
        values = [cell(f) for f in _HEADERS]
        if any(v.startswith("=") for v in values):
            bad(None, "单元格含公式，请改为纯文本后再导入")
            continue
        role = _ROLE_WORDS.get(cell("role"))
        if role is None:
            bad("角色", f"无法识别的角色「{cell('role')}」，应为：{'、'.join(ROLE_LABELS.values())}")
            continue
        township_id = unit_id = None
        if role in access.TOWNSHIP_BOUND:
            township_id = towns.get(cell("township"))
            if township_id is None:
                bad("所属乡镇", f"找不到乡镇「{cell('township')}」" if cell("township") else "乡镇账户须填写所属乡镇")
                continue
        if role in access.UNIT_BOUND:
            unit_id = units.get(cell("unit"))
            if unit_id is None:
                bad("所属成员单位", f"找不到成员单位「{cell('unit')}」" if cell("unit") else "成员单位账户须填写所属成员单位")
                continue
        username = cell("username").lower()
        if username in seen:
            bad("用户名", f"用户名{username}与第{seen[username]}行重复")
            continue
        seen[username] = k
        have = existing.get(username)
        if have is not None:
            if (have.role, have.township_id, have.unit_id) == (role, township_id, unit_id):
                out.rows.append(AccountRow(k, username, have.display_name, role, township_id, unit_id, exists=True))
            else:
                bad("用户名", f"用户名{username}已存在且角色或所属不同，请在用户管理中修改该账户")
            continue
        try:
            username, name, township_id, unit_id = check_new_account(session, username, cell("name"), role,
                                                                      township_id, unit_id)
        except ServiceError as e:
            bad(None, str(e))
            continue
        out.rows.append(AccountRow(k, username, name, role, township_id, unit_id))
    if not data_rows:
        out.errors.append(Issue(sheet, None, None, "文件中没有账户数据行"))
    return out


def apply(session: Session, actor: Actor, filename: str, data: bytes) -> list[NewAccount]:
    """Every new account of the list or none; returns them with their one-time passwords
    (to be shown or exported once; only their hashes are kept)."""
    require(actor, "user.manage")
    pv = preview(session, actor, filename, data)
    if pv.errors:
        raise ImportRefused(f"账户名单有 {len(pv.errors)} 处问题，未创建任何账户，请修改后重新上传。", pv.errors)
    made = [create_account(session, actor, r.username, r.display_name, r.role, r.township_id, r.unit_id)
            for r in pv.new]
    audit.record(session, "import", "user", None,
                 summary=f"批量导入账户 {filename}：新建{len(made)}个，已存在跳过{len(pv.rows) - len(made)}个"[:500])
    return made


def passwords_xlsx(made: list[NewAccount], names: dict[str, str]) -> bytes:
    """The one-time passwords as a workbook, for the administrator to hand out."""
    return sheet_bytes("初始密码", ["用户名", "姓名", "初始密码（首次登录须修改）"],
                       [[a.username, names.get(a.username, ""), a.initial_password] for a in made])


def template() -> bytes:
    return sheet_bytes("账户", TEMPLATE_HEADER, [["chengguan", "张三", ROLE_LABELS["township"], "城关镇", ""],
                                             ["jiaoyu", "李四", ROLE_LABELS["unit"], "", "县教育局"]])

