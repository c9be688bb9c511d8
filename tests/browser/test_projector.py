"""投屏 at a projector (issue 20 item 2): in headless Chromium at 1280×720 and 1920×1080 every
slide of 会议投屏 — opened in 投屏模式 and without it — fits the screen with no vertical scroll,
no button label, KPI value or table cell is cut or squeezed to a character per line; in
投屏模式 at 1600 px the 指标看板's KPI cards show their whole value. Screenshots in
tests/artifacts/projector_*.png."""
from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS
from tests.harness import WAIT_MS, goto, live_server, login, settle, wait_drawn
from tests.presentation.conftest import demo_county  # noqa: F401  (the fixture)
from tools.demo import DEMO_PASSWORD

SLIDES = ("主要指标", "乡镇地图", "红旗乡镇", "成员单位考评", "逾期议定事项", "通报处置卡")
SIZES = ((1280, 720), (1920, 1080))

# What a projector would hide: the height the page scrolls beyond the screen (the document and
# every scroll box of the app's main area), and every label or value drawn narrower than its text.
MEASURE_JS = """
() => {
  const out = {inner: innerHeight, doc: document.scrollingElement.scrollHeight, scroll: [], cut: [], squeezed: []};
  const main = document.querySelector('[data-testid="stMain"]');
  for (const el of [document.scrollingElement, ...document.querySelectorAll('[data-testid="stApp"] *')]) {
    if (el.closest('[data-testid="stPopoverBody"], [data-baseweb="popover"], [data-testid="stTooltipContent"]')) continue;
    const cs = getComputedStyle(el);
    if (el !== document.scrollingElement && !['auto', 'scroll'].includes(cs.overflowY)) continue;
    if (el.clientHeight > 0 && el.scrollHeight > el.clientHeight + 1)
      out.scroll.push(`${el.dataset.testid || el.tagName}: ${el.scrollHeight} > ${el.clientHeight}`);
  }
  // nothing drawn below the screen's bottom edge either (a clipped box scrolls nowhere)
  for (const el of main.querySelectorAll('[data-testid="stElementContainer"], [data-testid="stVegaLiteChart"], tr')) {
    const r = el.getBoundingClientRect();
    if (r.height > 0 && r.bottom > innerHeight + 1 && getComputedStyle(el).position !== 'fixed')
      out.scroll.push(`${el.dataset.testid || el.tagName} ends at ${Math.round(r.bottom)}`);
  }
  const watched = '[data-testid="stMetricValue"], [data-testid="stMetricLabel"], [data-testid="stMetricDelta"], '
    + '[data-testid="stMain"] button, [data-testid="stTable"] td, [data-testid="stTable"] th, [data-testid="stMain"] h2';
  for (const top of main.querySelectorAll(watched)) {
    for (const el of [top, ...top.querySelectorAll('*')]) {
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible' && el.innerText.trim())
        out.cut.push(`${top.dataset.testid || top.tagName}: ${el.innerText.trim().slice(0, 30)}`);
    }
  }
  // a KPI value wider than its card spills over its neighbour even when nothing clips it
  for (const v of main.querySelectorAll('[data-testid="stMetricValue"]')) {
    const range = document.createRange();
    range.selectNodeContents(v);
    const card = v.closest('[data-testid="stMetric"]').getBoundingClientRect();
    const text = range.getBoundingClientRect();
    if (text.right > card.right + 1 || text.left < card.left - 1) out.cut.push(`stMetricValue spills: ${v.innerText}`);
  }
  for (const td of main.querySelectorAll('[data-testid="stTable"] td, [data-testid="stTable"] th')) {
    const text = td.innerText.trim();
    if (text.length < 3) continue;
    const range = document.createRange();
    range.selectNodeContents(td);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom))).size;
    if (lines > 2) out.squeezed.push(`${text.slice(0, 20)} (${lines} lines)`);
  }
  return out;
}
"""


def _check(page, where: str) -> dict:
    m = page.evaluate(MEASURE_JS)
    problems = []
    if m["doc"] > m["inner"]:
        problems.append(f"document {m['doc']} > {m['inner']}")
    problems += [f"scrolls {s}" for s in m["scroll"]]
    problems += [f"cut {c}" for c in m["cut"]]
    problems += [f"wraps {s}" for s in m["squeezed"]]
    return {"where": where, "problems": problems, "height": m["doc"]}


def _walk_slides(page, tag: str) -> list[dict]:
    found = []
    for n, title in enumerate(SLIDES, start=1):
        page.wait_for_function(
            "t => [...document.querySelectorAll('[data-testid=stMain] h2')].some(h => h.innerText.includes(t))",
            arg=f"{n}. {title}", timeout=WAIT_MS)
        wait_drawn(page)
        page.screenshot(path=str(ARTIFACTS / f"projector_{tag}_{n}.png"))
        found.append(_check(page, f"{tag} slide {n} {title}"))
        page.get_by_role("button", name="下一页").click()
        settle(page)
    return found


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_slides_fit_the_projector(browser, demo_county, width, height):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    results = []
    with live_server(demo_county["url"], demo_county["dir"], {"CAREDESK_DEMO": "1"}) as base:
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = ctx.new_page()
        try:
            login(page, base, "leader", DEMO_PASSWORD)
            goto(page, f"{base}/slides")  # 会议投屏 without the switch
            page.locator("[data-testid='stMain'] h2").first.wait_for(timeout=WAIT_MS)
            results += _walk_slides(page, f"{width}x{height}")
            goto(page, f"{base}/slides?present=1")  # and in 投屏模式
            page.get_by_text("退出投屏模式").first.wait_for(timeout=WAIT_MS)
            settle(page)
            results += _walk_slides(page, f"{width}x{height}_present")
        finally:
            ctx.close()
    for r in results:
        print(r["where"], r["height"], r["problems"])
    bad = [r for r in results if r["problems"]]
    assert bad == [], "\n".join(f"{r['where']}: {r['problems']}" for r in bad)


def test_presenting_kpi_cards_whole_at_1600(browser, demo_county):  # noqa: F811
    """The pages with KPI cards, in 投屏模式 at 1600 px: every value whole inside its card."""
    found = {}
    with live_server(demo_county["url"], demo_county["dir"], {"CAREDESK_DEMO": "1"}) as base:
        ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        try:
            login(page, base, "leader", DEMO_PASSWORD)
            for key in ("indicators", "map", "", "scorecards"):  # "": 工作台, the default page
                goto(page, f"{base}/{key}?present=1")
                assert "Page not found" not in page.locator("body").inner_text()
                page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=WAIT_MS)
                settle(page)  # (charts in hidden tabs never paint: not wait_drawn)
                page.screenshot(path=str(ARTIFACTS / f"projector_{key or 'workbench'}_1600.png"))
                m = page.evaluate(MEASURE_JS)
                values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
                found[key] = ([v for v in values if "…" in v]
                              + [c for c in m["cut"] if c.startswith(("stMetric", "BUTTON"))])
        finally:
            ctx.close()
    assert found and all(v == [] for v in found.values()), found
