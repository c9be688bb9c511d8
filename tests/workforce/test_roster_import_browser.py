"""A township account imports its workers from Excel on 队伍与阵地 in Chromium: preview, import,
and the roster and the vacancies show them (issue 15 item 5)."""
from __future__ import annotations

import pytest

from tests import factories as f
from tests.conftest import ARTIFACTS
from tests.harness import live_server, login, migrated_sqlite, open_page, settle, wait_shown
from tests.workforce.test_roster_import import W, book


def _county(s):
    ids = f.county(s, townships=2, villages=2)
    f.account(s, "tw1", "township", township_id=ids["T1"])


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return migrated_sqlite(tmp_path_factory, "roster", _county)


def test_township_imports_its_workers(page, county):
    path = county["dir"] / "队伍名单.xlsx"
    path.write_bytes(book(W, [["儿童主任", "王芳", "测试1镇", "测试1-1村", None, None, "2024-03-01", None, None],
                              ["儿童主任", "张伟", "测试1镇", "测试1-2村", None, None, "2024-03-01", None, None],
                              ["儿童督导员", "李四", "测试1镇", None, None, None, "2023-09-01", None, None]]))
    with live_server(county["url"], county["dir"]) as base:
        login(page, base, "tw1", f.PASSWORD)
        open_page(page, "队伍与阵地")
        wait_shown(page.get_by_text("空缺岗位（3）"))
        page.get_by_text("从 Excel 导入").first.click()
        settle(page)
        page.locator(".st-key-ri_worker_file input[type=file]").set_input_files(str(path))
        button = page.get_by_role("button", name="导入（新增 3 行，更新 0 行）")
        wait_shown(button)
        page.screenshot(path=str(ARTIFACTS / "workforce_roster_preview.png"), full_page=True)
        button.click()
        wait_shown(page.get_by_text("队伍名单已导入：新增 3 行，更新 0 行，无变化 0 行。"))
        wait_shown(page.get_by_text("所有村都有在任儿童主任，所有乡镇都有儿童督导员。"))
        page.screenshot(path=str(ARTIFACTS / "workforce_roster_done.png"), full_page=True)
