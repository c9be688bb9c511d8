"""乡镇地图 (issue 20 item 3): the fill says 达标/预警/未达标 against each township's own target —
the 指标看板's classification in the board's colours — with a Chinese legend for every role, and
a click on a township opens its villages."""
from __future__ import annotations

import io
import json

import pytest

from areas.indicators import reads as q
from core import indicators as ci
from db.engine import dispose_all, get_engine, session_scope
from tests import factories as f
from tests.conftest import ARTIFACTS
from tests.harness import WAIT_MS, app_test, live_server, login, open_page, settle, wait_drawn
from tests.indicators.test_pages import seed


@pytest.fixture
def app_db(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    import streamlit as st

    st.cache_data.clear()
    return sqlite_url


def _map_spec(at) -> dict:
    """The map's Vega-Lite spec, with the named datasets Streamlit sends beside it put back."""
    import pyarrow as pa

    charts = [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart" and "geoshape" in e.proto.spec]
    assert len(charts) == 1, len(charts)
    spec = json.loads(charts[0].proto.spec)
    spec["datasets"] = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist()
                        for d in charts[0].proto.datasets}
    return spec


def _find(node, pred):
    if isinstance(node, dict):
        if pred(node):
            yield node
        for v in node.values():
            yield from _find(v, pred)
    elif isinstance(node, list):
        for v in node:
            yield from _find(v, pred)


def _drawn_colours(spec: dict) -> dict[int, str]:
    """township id → the fill colour the spec gives it: the looked-up status through the colour scale."""
    layer = next(_find(spec, lambda n: isinstance(n.get("mark"), dict) and n["mark"].get("type") == "geoshape"))
    colour = layer["encoding"]["color"]
    assert colour["field"] == "status" and colour["type"] == "nominal", colour  # not a scale of the value
    scale = dict(zip(colour["scale"]["domain"], colour["scale"]["range"]))
    lookup = next(t for t in layer["transform"] if "lookup" in t)
    rows = lookup["from"]["data"].get("values")
    if rows is None:  # altair puts inline frames into the top-level datasets
        rows = spec["datasets"][lookup["from"]["data"]["name"]]
    return {int(r["area_id"]): scale[r["status"]] for r in rows}


def _board(url: str, username: str, label: str) -> dict[int, str]:
    """township id → the 指标看板's status of 帮扶责任人落实率 for that month, as its colour."""
    from areas.admin import users

    with session_scope(get_engine(url), write=False) as s:
        board = q.board(s, users.actor_for(users.get_user(s, username)), label)
    rows = board[(board["code"] == "helper_rate") & (board["township_id"] != q.TOTAL)]
    return {int(t): ci.STATUS_COLORS[st] for t, st in zip(rows["township_id"], rows["status"])}


def _show(at, code: str = "helper_rate"):
    at.selectbox(key="map_indicator").set_value(code).run()
    assert not at.exception
    return _map_spec(at)


def test_map_colours_are_the_boards_statuses(app_db):
    ids = seed(app_db, 3)  # helper_rate: T1 100 % 达标, T2 50 % vs its own 55 预警, T3 0 % 未达标
    at = app_test("office1", "map")
    spec = _show(at)
    label = at.selectbox(key="map_period").value
    drawn = _drawn_colours(spec)
    board = _board(app_db, "office1", label)
    assert drawn == board
    assert drawn == {ids["T1"]: ci.STATUS_COLORS[ci.MET], ids["T2"]: ci.STATUS_COLORS[ci.WARN],
                     ids["T3"]: ci.STATUS_COLORS[ci.MISSED]}
    text = json.dumps(spec, ensure_ascii=False)
    assert '"目标"' in text and "≥55%" in text and "≥100%" in text  # value and target on hover
    assert '"title": "对照目标"' in text  # a Chinese legend of the four statuses
    # a click selection on the township id drives the drill-down
    assert any(p.get("name") == "town" for p in _find(spec, lambda n: "select" in n and "name" in n))


def test_township_account_same_colouring_and_a_status_legend(app_db):
    ids = seed(app_db, 3)
    at = app_test("town1", "map")
    spec = _show(at)
    drawn = _drawn_colours(spec)
    assert drawn == {ids["T1"]: ci.STATUS_COLORS[ci.MET]}
    assert drawn == _board(app_db, "town1", at.selectbox(key="map_period").value)
    layer = next(_find(spec, lambda n: isinstance(n.get("mark"), dict) and n["mark"].get("type") == "geoshape"))
    assert layer["encoding"]["color"]["scale"]["domain"] == list(ci.STATUSES)  # no "93.480033" gradient


def _pixel_of(png: bytes, hex_colour: str) -> tuple[int, int]:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    want = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    w, h = img.size
    hits = [(x, y) for y in range(0, h, 3) for x in range(0, w, 3) if img.getpixel((x, y)) == want]
    assert hits, f"no pixel of {hex_colour} on the map"
    hits.sort()
    return hits[len(hits) // 2]  # a pixel well inside the area, away from its edge


def test_click_on_a_township_opens_its_villages(browser, sqlite_url, tmp_path):
    ids = seed(sqlite_url, 3)
    dispose_all()
    ARTIFACTS.mkdir(exist_ok=True)
    with live_server(sqlite_url, tmp_path) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1300})
        login(page, base, "office1", f.PASSWORD)
        open_page(page, "乡镇地图")
        page.wait_for_url("**/map", timeout=WAIT_MS)
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.wait_for(timeout=WAIT_MS)
        wait_drawn(page)
        chart.scroll_into_view_if_needed()
        png = chart.screenshot()
        page.screenshot(path=str(ARTIFACTS / "map_status.png"), full_page=True)
        # 测试3镇 is 未达标: click inside its red fill
        x, y = _pixel_of(png, ci.STATUS_COLORS[ci.MISSED])
        chart.click(position={"x": x, "y": y})
        settle(page)
        # the village grid (its accessible table) now lists 测试3镇's villages, not 测试1镇's
        page.locator('[data-testid="stDataFrame"] td').filter(has_text="测试3-1村").first.wait_for(
            state="attached", timeout=WAIT_MS)
        wait_drawn(page)
        picked = page.locator('[data-testid="stMain"]').inner_text()
        page.screenshot(path=str(ARTIFACTS / "map_status_drilled.png"), full_page=True)
        page.close()
    assert "测试3镇各村（社区）对照本乡镇目标" in picked
