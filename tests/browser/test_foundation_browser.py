"""Each role signs in through the real form in headless Chromium and sees its 工作台."""
import re

from tests import factories as f
from tests.conftest import ARTIFACTS
from tests.harness import goto, live_server, login, settle, wait_shown

ROLES = {"admin": "系统管理员", "office": "联席办/民政局", "tw1": "乡镇(街道)民政办", "unit": "成员单位联络员", "leader": "领导(只读)"}


def test_every_role_signs_in_and_sees_the_workbench(page, small_county):
    with live_server(small_county["url"], small_county["dir"]) as base:
        for username, label in ROLES.items():
            login(page, base, username, f.PASSWORD)
            body = page.locator("body").inner_text()
            assert "工作台" in body and "在册人数" in body, body[:500]
            assert label in body
            assert re.search(r"[\u4e00-\u9fff]{4,}", body)
            page.screenshot(path=str(ARTIFACTS / f"workbench_{username}.png"), full_page=True)
            # the grid draws on a canvas; the metric is text: 4 in 测试1镇, 10 county-wide
            count = page.get_by_test_id("stMetricValue").first.inner_text()
            assert count == ("4" if username == "tw1" else "10"), (username, count)
            page.get_by_role("button", name="退出登录").click()
            wait_shown(page.get_by_role("button", name="登录"))
            settle(page)


def test_wrong_password_shows_the_generic_message(page, small_county):
    with live_server(small_county["url"], small_county["dir"]) as base:
        goto(page, base)
        page.get_by_label("用户名").fill("office")
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
        wait_shown(page.get_by_text("用户名或密码错误"))
        page.screenshot(path=str(ARTIFACTS / "login_failed.png"))
