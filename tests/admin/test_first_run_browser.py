"""From nothing to a working county, in Chromium, as a new county would (issue 15, the first
run): an empty database with CAREDESK_DEMO=0, the first administrator made on the command line
(no default password), then — through the pages only — the county's divisions, the member
units of seed 004, accounts from a list, a township's first ledger, and the office's indicator
board and map with figures. No demo code runs. Screenshots of every step in tests/artifacts."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.admin.test_account_import import book as accounts_book
from tests.conftest import ARTIFACTS
from tests.harness import ROOT, goto, live_server, migrated_sqlite, open_page, settle, wait_drawn, wait_shown
from tests.registry.test_import_export import ledger_xlsx, new_id, row
from tests.regions.test_divisions_import import county_rows, xlsx as divisions_xlsx

ADMIN_PW = "Kx7#first-county-2026"
NEW_PW = "Nw9#county-live-2026"


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"first_run_{name}.png"), full_page=True)


def sign_in(page, base, username, password):
    goto(page, base)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=60_000)
    settle(page)


def first_password_change(page, base, username, initial):
    """A new account: sign in with the one-time password, change it, sign in again."""
    sign_in(page, base, username, initial)
    wait_shown(page.get_by_text("须先修改密码"))
    page.get_by_label("原密码").fill(initial)
    page.get_by_label("新密码", exact=True).fill(NEW_PW)
    page.get_by_label("再次输入新密码").fill(NEW_PW)
    page.get_by_role("button", name="确认修改").click()
    wait_shown(page.get_by_text("密码已修改"))
    sign_in(page, base, username, NEW_PW)


def upload(page, key, path):
    page.locator(f".st-key-{key} input[type=file]").set_input_files(str(path))
    settle(page)


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    return migrated_sqlite(tmp_path_factory, "first_run")  # no account, no division, no person


def test_from_nothing_to_a_working_county(browser, empty):
    env = {**os.environ, "DATABASE_URL": empty["url"], "CAREDESK_DATA_DIR": str(empty["dir"]), "CAREDESK_DEMO": "0",
           "CAREDESK_NEW_PASSWORD": ADMIN_PW}
    made = subprocess.run([sys.executable, "-m", "areas.admin.users", "create", "--username", "admin", "--role", "admin",
                           "--display-name", "系统管理员"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    d = empty["dir"]
    (d / "区划.xlsx").write_bytes(divisions_xlsx(county_rows(10, 15)))
    from tools.seed_joint_meeting import SEED_UNITS

    edu = next(name for name, _short, _duty in SEED_UNITS if "教育" in name)
    (d / "账户.xlsx").write_bytes(accounts_book([["office1", "联席办甲", "联席办/民政局", "", ""],
                                                ["tw1", "第1镇干部", "乡镇(街道)民政办", "第1镇", ""],
                                                ["edu1", "教育联络员", "成员单位联络员", "", edu]]))
    (d / "台账.xlsx").write_bytes(ledger_xlsx([row(k + 1, f"新{k}", new_id(601 + 2 * k)) for k in range(5)],
                                              village="第1镇1村"))

    with live_server(empty["url"], d) as base:
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        sign_in(page, base, "admin", ADMIN_PW)
        wait_shown(page.get_by_text("开通设置"))
        wait_shown(page.get_by_text("还没有区划"))
        shot(page, "1_checklist")

        open_page(page, "区划与边界")
        upload(page, "div_file", d / "区划.xlsx")
        page.get_by_text("确认导入：新增 161 个、更名 0 个").click()
        settle(page)
        page.get_by_role("button", name="确认导入区划").click()
        wait_shown(page.get_by_text("区划已导入：新增 161 个"))
        shot(page, "2_divisions")

        open_page(page, "成员单位")
        page.get_by_role("button", name="导入制度文件中的成员单位").click()
        wait_shown(page.get_by_text("已导入"))
        shot(page, "3_units")

        open_page(page, "用户管理")
        page.get_by_role("tab", name="批量导入账户").click()
        upload(page, "acct_file", d / "账户.xlsx")
        page.get_by_role("button", name="创建 3 个账户").click()
        wait_shown(page.get_by_text("已创建 3 个账户"))
        page.get_by_role("tab", name="批量导入账户").click()
        grid = page.locator('[data-testid="stDataFrame"]').filter(has_text="初始密码").first
        grid.locator("table td").first.wait_for(state="attached")
        passwords = {}
        for tr in grid.locator("table tr").all()[1:]:
            cells = [c.text_content() for c in tr.locator("td").all()]
            passwords[cells[0]] = cells[2]
        assert set(passwords) == {"office1", "tw1", "edu1"}
        shot(page, "4_accounts")
        open_page(page, "工作台")
        wait_shown(page.get_by_text("联席办 1 个、乡镇 1 个、成员单位 1 个"))
        ctx.close()

        # the township's first ledger, after its first password change
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        first_password_change(page, base, "tw1", passwords["tw1"])
        open_page(page, "导入导出")
        upload(page, "imp_file", d / "台账.xlsx")
        page.get_by_role("button", name="确认导入").click()
        wait_shown(page.get_by_text("导入完成：新增 5 人"))
        shot(page, "5_ledger")
        ctx.close()

        # the office sees the county's figures
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        first_password_change(page, base, "office1", passwords["office1"])
        assert page.get_by_text("开通设置").count() == 0  # every required step is done
        open_page(page, "指标看板")
        wait_shown(page.get_by_text("帮扶责任人落实率"))
        shot(page, "6_indicators")
        body = page.locator("[data-testid='stMain']").inner_text()
        assert "帮扶责任人落实率" in body and "第1镇" in body
        shot(page, "6_indicators")
        open_page(page, "乡镇地图")
        wait_drawn(page)
        shot(page, "7_map")
        ctx.close()
