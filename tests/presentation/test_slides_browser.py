"""会议投屏 in headless Chromium at 1920×1080: step through every slide, screenshot each
(tests/artifacts/slide_<n>.png), each has its title and a chart or a table, and the page
text holds no ID number, mobile number or full name."""
from core.masking import ID_NUMBER_RE, MOBILE_RE
from tools.demo import DEMO_PASSWORD
from tests.conftest import ARTIFACTS
from tests.harness import WAIT_MS, goto, live_server, login, settle, wait_drawn

TITLES = ("主要指标", "乡镇地图", "红旗乡镇", "成员单位考评", "逾期议定事项", "通报处置卡")


def test_slides_at_1920x1080(browser, demo_county):
    # CAREDESK_DEMO=1: the demo county's published password is accepted as is (no forced change)
    with live_server(demo_county["url"], demo_county["dir"], {"CAREDESK_DEMO": "1"}) as base:
        ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        page = ctx.new_page()
        try:
            login(page, base, "leader", DEMO_PASSWORD)
            goto(page, f"{base}/slides?present=1")
            page.locator("[data-testid='stMain'] h2").first.wait_for(timeout=WAIT_MS)
            settle(page)
            assert page.get_by_text("退出投屏模式").count() >= 1  # opened in presentation mode
            for n, title in enumerate(TITLES, start=1):
                heading = page.locator("[data-testid='stMain'] h2").first
                heading.wait_for(timeout=WAIT_MS)
                page.wait_for_function(
                    "t => [...document.querySelectorAll('[data-testid=stMain] h2')].some(h => h.innerText.includes(t))",
                    arg=f"{n}. {title}", timeout=WAIT_MS)
                wait_drawn(page)  # vega renders after the script has finished
                shown = page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg, "
                                     "[data-testid='stTable'] table, [data-testid='stDataFrame']")
                assert shown.count() >= 1, f"slide {n} has neither chart nor table"
                text = page.locator("body").inner_text()
                assert "统计期间" in text and "数据时间" in text
                assert "leader" in text and "投屏模式" in text  # watermark
                assert not ID_NUMBER_RE.search(text) and not MOBILE_RE.search(text)
                leaked = [nm for nm in demo_county["names"] if nm in text]
                assert leaked == [], leaked
                page.screenshot(path=str(ARTIFACTS / f"slide_{n}.png"))
                page.get_by_role("button", name="下一页").click()
                settle(page)
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=stMain] h2')].some(h => h.innerText.includes('1. 主要指标'))",
                timeout=WAIT_MS)
        finally:
            ctx.close()
