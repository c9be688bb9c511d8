"""AppTest: 乡镇地图 (vega-lite data holds every township, also at 120 townships), 指标看板
(colours follow targets; leader gets counts only), 指标目标, 队伍与阵地, 区划与边界."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from core import geo
from core import indicators as ci
from tools.demo_geo import township_boundaries
from db.engine import get_engine, session_scope
from db.models import Assignment, Helper, Region, Target
from tests import factories as f
from tests.harness import all_text, app_test


def grid_boundaries(n: int) -> list[dict]:
    """n square townships on a grid, counter-clockwise (RFC 7946) — rewound like an import."""
    cols = 12
    out = []
    for k in range(n):
        r, c = divmod(k, cols)
        x, y = 110 + c * 0.05, 31 - r * 0.05
        ring = [[x, y], [x + 0.05, y], [x + 0.05, y + 0.05], [x, y + 0.05], [x, y]]
        out.append(geo.rewind({"type": "Polygon", "coordinates": [ring]}))
    return out


def seed(url: str, townships: int = 3) -> dict:
    eng = get_engine(url)
    with session_scope(eng) as s:
        ids = f.county(s, townships=townships, villages=2)
        shapes = township_boundaries(townships, 7) if townships <= 12 else grid_boundaries(townships)
        for i, g in enumerate(shapes, start=1):
            s.get(Region, ids[f"T{i}"]).boundary = g
        h = Helper(name="帮扶人甲")
        s.add(h)
        s.flush()
        if townships == 3:
            # helper_rate: T1 1/1 = 100 % (达标); T2 1/2 = 50 % vs target 55 (预警); T3 0/1 (未达标)
            people = [f.person(s, ids["T1"], ids["V11"], name="张三丰"),
                      f.person(s, ids["T2"], ids["V21"], name="李四光"),
                      f.person(s, ids["T2"], ids["V22"], name="王五常"),
                      f.person(s, ids["T3"], ids["V31"], name="赵六合")]
            for p in people[:2]:
                s.add(Assignment(helper_id=h.id, person_id=p.id, start_on=dt.date(2025, 1, 1)))
            s.add(Target(indicator_code="helper_rate", township_id=ids["T2"], target_value=55))
        f.account(s, "office1", "office")
        f.account(s, "leader1", "leader")
        f.account(s, "admin1", "admin")
        f.account(s, "town1", "township", township_id=ids["T1"])
    return ids


@pytest.fixture
def app_db(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    import streamlit as st

    st.cache_data.clear()
    return sqlite_url


def _vega_specs(at):
    return [json.loads(e.proto.spec) for e in at.main if getattr(e, "type", None) == "vega_lite_chart"]


def _features(spec) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("values"), dict):
                found.extend(data["values"].get("features", []))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return found


def test_map_has_every_township(app_db):
    seed(app_db, 3)
    at = app_test("office1", "map")
    assert not at.exception
    specs = _vega_specs(at)
    maps = [s for s in specs if _features(s)]
    assert len(maps) == 1
    spec = maps[0]
    names = sorted(ft["properties"]["name"] for ft in _features(spec))
    assert names == ["测试1镇", "测试2镇", "测试3镇"]
    text = json.dumps(spec, ensure_ascii=False)
    assert '"mercator"' in text and "lookup" in text
    assert "http" not in json.dumps(_features(spec))  # inline data, nothing fetched
    # every outer ring is clockwise (d3 winding)
    assert all(geo.signed_area(ft["geometry"]["coordinates"][0]) < 0 for ft in _features(spec))


def test_map_scales_to_120_townships(app_db):
    seed(app_db, 120)
    at = app_test("leader1", "map", timeout=120)
    assert not at.exception
    spec = [s for s in _vega_specs(at) if _features(s)][0]
    assert len({ft["properties"]["township_id"] for ft in _features(spec)}) == 120


def test_map_drills_into_villages(app_db):
    ids = seed(app_db, 3)
    at = app_test("office1", "map")
    at.selectbox(key="map_township").set_value(ids["T2"]).run()
    assert not at.exception
    # no village boundaries: the villages as a table, best first, classified against 测试2镇's target (55)
    assert not [s for s in _vega_specs(at) if not _features(s)]
    table = at.dataframe[-1].value
    assert list(table["村"]) == ["测试2-1村", "测试2-2村"]
    assert list(table["状态"]) == ["达标", "未达标"] and list(table["目标"]) == ["≥55%", "≥55%"]


def _cell_colours(df_element) -> dict[tuple[int, int], str]:
    styles = df_element.proto.arrow_data.styler.styles
    out = {}
    for selectors, colour in re.findall(r"([^{}]+)\{\s*background-color:\s*(#[0-9a-fA-F]{6})", styles):
        for r, c in re.findall(r"row(\d+)_col(\d+)", selectors):
            out[(int(r), int(c))] = colour.lower()
    return out


def test_board_colours_follow_targets(app_db):
    seed(app_db, 3)
    at = app_test("office1", "indicators")
    assert not at.exception
    board = at.dataframe[0]
    frame = board.value
    col = list(frame.columns).index("帮扶责任人落实率")
    rows = list(frame.index)
    colours = _cell_colours(board)
    assert colours, "the board is styled"
    want = {"测试1镇": ci.MET, "测试2镇": ci.WARN, "测试3镇": ci.MISSED, "全县": ci.MISSED}  # county 2/4 vs 100
    for name, status in want.items():
        assert colours[(rows.index(name), col)] == ci.STATUS_COLORS[status].lower(), name


def test_board_explains_cell_and_lists_people_for_office_only(app_db):
    seed(app_db, 3)
    at = app_test("office1", "indicators")
    at.selectbox(key="explain_town").set_value("测试2镇")
    at.selectbox(key="explain_ind").set_value("帮扶责任人落实率").run()
    assert "1 ÷ 2" in all_text(at)
    at.toggle(key="show_complement").set_value(True).run()
    assert not at.exception
    assert "王五常" in all_text(at)

    leader = app_test("leader1", "indicators")
    leader.selectbox(key="explain_town").set_value("测试2镇")
    leader.selectbox(key="explain_ind").set_value("帮扶责任人落实率").run()
    leader.toggle(key="show_complement").set_value(True).run()
    text = all_text(leader)
    assert "王五常" not in text and "只能查看汇总人数" in text


def test_board_township_user_sees_own_township(app_db):
    seed(app_db, 3)
    at = app_test("town1", "indicators")
    assert not at.exception
    assert list(at.dataframe[0].value.index) == ["测试1镇"]


def test_targets_page_saves_and_refuses_leader(app_db):
    ids = seed(app_db, 3)
    at = app_test("office1", "targets")
    assert not at.exception
    at.selectbox(key="target_indicator").set_value("visit_on_time").run()
    at.number_input(key="target_county_value_visit_on_time").set_value(88.0)
    at.button(key="target_county_save").click().run()
    assert not at.exception
    with session_scope(get_engine(app_db), write=False) as s:
        row = s.query(Target).filter_by(indicator_code="visit_on_time", township_id=None).one()
        assert row.target_value == 88.0
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app_test("leader1", "targets")  # not in a leader's navigation at all
    assert ids


def test_workforce_page_adds_director_and_lists_vacancy(app_db):
    ids = seed(app_db, 3)
    at = app_test("office1", "workforce")
    assert not at.exception
    vac = [d.value for d in at.dataframe if "空缺起始" in d.value.columns][0]
    assert len(vac[vac["岗位"] == "儿童主任"]) == 6  # 3 townships × 2 villages, nobody appointed
    at.selectbox(key="wf_kind").set_value("儿童主任")
    at.selectbox(key="wf_region").set_value(ids["V11"])
    at.text_input(key="wf_name").input("周桂兰")
    at.button(key="wf_add").click().run()
    assert not at.exception
    vac = [d.value for d in at.dataframe if "空缺起始" in d.value.columns][0]
    assert len(vac[vac["岗位"] == "儿童主任"]) == 5


def test_regions_page_preview_unmatched_then_save(app_db):
    ids = seed(app_db, 3)
    ccw = [[110.0, 30.0], [110.1, 30.0], [110.1, 30.1], [110.0, 30.1], [110.0, 30.0]]
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "测试1镇"}, "geometry": {"type": "Polygon", "coordinates": [ccw]}},
        {"type": "Feature", "properties": {"name": "邻县某镇"}, "geometry": {"type": "Polygon", "coordinates": [ccw]}},
    ]}
    at = app_test("admin1", "regions")
    assert not at.exception
    at.file_uploader(key="geo_upload").set_value(("b.geojson", json.dumps(fc).encode(), "application/geo+json")).run()
    assert not at.exception
    text = all_text(at)
    assert "邻县某镇" in text  # unmatched feature previewed before saving
    assert "测试2镇" in text and "测试3镇" in text  # townships still without a boundary
    with session_scope(get_engine(app_db), write=False) as s:
        before = s.get(Region, ids["T1"]).boundary
    at.checkbox(key="geo_confirm").check().run()
    at.button(key="geo_save").click().run()
    assert not at.exception
    with session_scope(get_engine(app_db), write=False) as s:
        after = s.get(Region, ids["T1"]).boundary
    assert after != before and after["coordinates"][0] == ccw[::-1]  # stored clockwise

    at.file_uploader(key="geo_upload").set_value(("bad.geojson", b"{oops", "application/json")).run()
    assert "不是有效的 JSON" in all_text(at)
