"""Headless Chromium: a township user filters the registry, opens a file, edits a phone number
and sees it saved."""
import re

from sqlalchemy import select

from db.engine import dispose_all, get_engine, session_scope
from db.models import Person
from tests.conftest import ARTIFACTS
from tests.factories import PASSWORD
from tests.harness import WAIT_MS, live_server, login, open_page, settle, wait_shown
from tests.registry.conftest import build



def test_township_user_filters_opens_file_and_edits_phone(browser, sqlite_url, tmp_path):
    world = build(get_engine(sqlite_url))
    dispose_all()
    ARTIFACTS.mkdir(exist_ok=True)
    with live_server(sqlite_url, tmp_path) as base:
        page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
        try:
            login(page, base, "tw1", PASSWORD)
            open_page(page, "人员台账")
            page.wait_for_url(re.compile(r"/registry"), timeout=WAIT_MS)
            search = page.get_by_label("搜索姓名/身份证号/电话")
            search.fill("张")
            search.press("Enter")
            settle(page)
            page.wait_for_function("() => document.body.innerText.includes('共 1 人')", timeout=WAIT_MS)
            assert re.search(r"[?&]q=", page.url), page.url  # the filter is in the shareable URL
            page.screenshot(path=str(ARTIFACTS / "registry_filtered.png"), full_page=True)

            page.get_by_role("combobox", name="打开档案").click()
            page.get_by_role("option", name=re.compile("张三")).click()
            settle(page)
            page.get_by_role("button", name="打开档案").click()
            page.wait_for_url(re.compile(r"/person\?id=\d+"), timeout=WAIT_MS)
            settle(page)
            wait_shown(page.get_by_text("张三（男，12周岁）"))

            phone = page.get_by_label("联系电话").first
            phone.fill("13987654321")
            page.get_by_role("button", name="保存基本信息").click()
            settle(page)
            wait_shown(page.get_by_text("基本信息已保存。"))
            assert page.get_by_label("联系电话").first.input_value() == "13987654321"
            page.screenshot(path=str(ARTIFACTS / "person_phone_saved.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "registry_browser_failure.png"), full_page=True)
            raise
        finally:
            page.close()
    with session_scope(get_engine(sqlite_url), write=False) as s:
        assert s.scalar(select(Person.phone).where(Person.id == world["p"]["a"])) == "13987654321"
