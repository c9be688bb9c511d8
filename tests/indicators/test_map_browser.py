"""Browser: the 乡镇地图 page in headless Chromium fills the townships and makes no request
outside the app's own origin (an intranet has no internet)."""
from __future__ import annotations

import io
from urllib.parse import urlparse


from tests.conftest import ARTIFACTS
from tests.harness import WAIT_MS, live_server, login, open_page, wait_drawn
from tests.indicators.test_pages import seed
from tests import factories as f



def test_map_fills_townships_offline(browser, sqlite_url, tmp_path):
    seed(sqlite_url, 3)
    from db.engine import dispose_all

    dispose_all()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "indicators_map.png"
    requests: list[str] = []
    with live_server(sqlite_url, tmp_path) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        page.on("request", lambda r: requests.append(r.url))
        login(page, base, "office1", f.PASSWORD)
        open_page(page, "乡镇地图")
        page.wait_for_url("**/map", timeout=WAIT_MS)
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        try:
            chart.wait_for(timeout=WAIT_MS)
            wait_drawn(page)  # vega draws after the element mounts
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "indicators_map_failed.png"), full_page=True)
            raise
        chart.scroll_into_view_if_needed()
        page.screenshot(path=str(shot), full_page=True)
        png = chart.screenshot()
        page.close()

    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    colours = img.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 10, "the chart is not a single flat colour"
    # the fill is a green scale (higher-is-better indicator) or the no-data grey: a good share of
    # the chart must be non-white, i.e. the polygons are filled rather than drawn as outlines
    px = list(img.getdata())
    filled = sum(1 for r, g, b in px if not (r > 245 and g > 245 and b > 245))
    assert filled / len(px) > 0.15, f"only {filled / len(px):.1%} of the chart is filled"

    origin = urlparse(base).netloc
    outside = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and urlparse(u).netloc != origin]
    assert outside == [], outside
