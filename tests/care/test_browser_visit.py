"""One browser test: a township user records a visit and watches the person leave the
overdue list (headless Chromium against a live `streamlit run`)."""
import re


from tests import factories as f
from tests.conftest import ARTIFACTS
from tests.harness import live_server, login, open_page, settle, wait_shown

def test_recorded_visit_leaves_the_overdue_list(care_app_db, page):
    with live_server(care_app_db["url"], care_app_db["tmp"]) as base:
        login(page, base, "tw1", f.PASSWORD)
        open_page(page, "走访记录")
        page.get_by_role("tab", name="逾期名单").click()
        wait_shown(page.get_by_text("共 1 人走访逾期"))
        page.screenshot(path=str(ARTIFACTS / "care_visits_overdue_before.png"), full_page=True)

        page.get_by_role("tab", name="登记走访").click()
        page.get_by_label("查找对象").fill("逾期")
        page.get_by_label("查找对象").press("Enter")
        settle(page)
        wait_shown(page.get_by_text("应访日期"))
        page.locator('[data-testid="stMultiSelect"]').click()
        page.get_by_role("option", name="精神陪伴").click()
        page.keyboard.press("Escape")
        page.get_by_label("发现情况").fill("家中无人照看，已联系村委会")
        page.screenshot(path=str(ARTIFACTS / "care_visits_form.png"), full_page=True)
        page.get_by_role("button", name="保存走访记录").click()
        settle(page)
        wait_shown(page.get_by_text(re.compile("已保存 .* 的走访记录")))

        page.get_by_role("tab", name="逾期名单").click()
        wait_shown(page.get_by_text("没有走访逾期的对象"))
        settle(page)
        assert page.get_by_text("共 1 人走访逾期").count() == 0
        page.screenshot(path=str(ARTIFACTS / "care_visits_overdue_after.png"), full_page=True)
