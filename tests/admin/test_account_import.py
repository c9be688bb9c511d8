"""Accounts in bulk (areas/admin/account_import.py): a list becomes accounts with one-time
passwords, all or none, forced change at first sign-in; re-import creates nobody twice."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.roles import Actor
from db.engine import session_scope
from db.errors import ForbiddenError
from db.models import AuditLog, User
from areas.admin import account_import as svc
from areas.admin import users
from areas.registry.importer import ImportRefused
from tests import factories as f

ADMIN = Actor("admin1", "admin")


@pytest.fixture
def county(engine):
    with session_scope(engine) as s:
        ids = f.county(s, townships=2, villages=1)
        f.unit(s, name="县教育局", short="教育")
    return ids


def book(rows, header=svc.TEMPLATE_HEADER):
    return f.workbook(header, rows)


GOOD = [["tw_a", "甲乡干部", "乡镇(街道)民政办", "测试1镇", ""], ["Edu.B", "乙联络员", "成员单位联络员", "", "教育"],
        ["lead", "丙领导", "领导", "", ""]]


def accounts(engine):
    with session_scope(engine, write=False) as s:
        return {u.username: (u.role, u.township_id, u.unit_id, u.must_change_password) for u in s.scalars(select(User))}


def run(engine, data, actor=ADMIN):
    with session_scope(engine, actor=actor) as s:
        return svc.apply(s, actor, "账户.xlsx", data)


def test_a_list_becomes_accounts_with_one_time_passwords(engine, county):
    made = run(engine, book(GOOD))
    assert [a.username for a in made] == ["tw_a", "edu.b", "lead"]
    got = accounts(engine)
    assert got["tw_a"] == ("township", county["T1"], None, True)
    assert got["edu.b"][0] == "unit" and got["edu.b"][3] is True and got["lead"] == ("leader", None, None, True)
    with session_scope(engine, write=False) as s:  # the password works once handed out, and only its hash is kept
        u = users.get_user(s, "tw_a")
        assert users.verify_password(made[0].initial_password, u.password_hash)
        assert made[0].initial_password not in u.password_hash
    sheet = load_workbook(io.BytesIO(svc.passwords_xlsx(made, {"tw_a": "甲乡干部"}))).active
    assert [c.value for c in sheet[2]] == ["tw_a", "甲乡干部", made[0].initial_password]
    again = run(engine, book(GOOD))  # the same list again: nobody twice
    assert again == [] and len(accounts(engine)) == 3
    with session_scope(engine, write=False) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "import",
                                                                           AuditLog.entity == "user")) == 2


def test_one_bad_row_refuses_the_whole_list(engine, county):
    rows = GOOD + [["tw_x", "丁", "乡镇(街道)民政办", "不存在镇", ""], ["tw_a", "重复", "领导", "", ""],
                   ["bad name", "戊", "领导", "", ""], ["u9", "己", "村官", "", ""], ["u10", "=CMD()", "领导", "", ""]]
    with pytest.raises(ImportRefused) as e:
        run(engine, book(rows))
    got = [(i.row, i.column, i.reason) for i in e.value.issues]
    assert got == [(5, "所属乡镇", "找不到乡镇「不存在镇」"), (6, "用户名", "用户名tw_a与第2行重复"),
                   (7, None, "用户名只能由小写字母、数字、点、下划线或连字符组成"),
                   (8, "角色", "无法识别的角色「村官」，应为：系统管理员、联席办/民政局、乡镇(街道)民政办、成员单位联络员、领导(只读)"),
                   (9, None, "单元格含公式，请改为纯文本后再导入")]
    assert accounts(engine) == {}


def test_an_existing_username_with_another_role_is_an_error(engine, county):
    run(engine, book(GOOD[:1]))
    with pytest.raises(ImportRefused) as e:
        run(engine, book([["tw_a", "甲乡干部", "领导", "", ""]]))
    assert "已存在且角色或所属不同" in e.value.issues[0].reason


def test_only_the_administrator(engine, county):
    with pytest.raises(ForbiddenError):
        run(engine, book(GOOD), actor=Actor("office1", "office"))


def test_the_template_names_what_a_county_has(engine, county):
    with session_scope(engine, actor=ADMIN) as s:
        pv = svc.preview(s, ADMIN, "账户.xlsx", svc.template())
    assert [i.reason for i in pv.errors] == ["找不到乡镇「城关镇」"]  # the example township is not this county's
