"""GeoJSON import: winding, MultiPolygon, matching, refusals (core.geo + areas.regions.writes)."""
from __future__ import annotations

import json

import pytest

from core import geo
from core.roles import Actor
from db.engine import session_scope
from db.models import AuditLog, Region
from db.errors import ForbiddenError, ServiceError
from areas.regions import writes as svc
from tests import factories as f

ADMIN = Actor("admin1", "admin")

# A 1°×1° square, counter-clockwise (RFC 7946) and clockwise (d3) — the same township.
CCW = [[110.0, 30.0], [111.0, 30.0], [111.0, 31.0], [110.0, 31.0], [110.0, 30.0]]
CW = [[110.0, 30.0], [110.0, 31.0], [111.0, 31.0], [111.0, 30.0], [110.0, 30.0]]
HOLE_CW = [[110.4, 30.4], [110.4, 30.6], [110.6, 30.6], [110.6, 30.4], [110.4, 30.4]]
HOLE_CCW = HOLE_CW[::-1]


def fc(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feat(geometry, **props):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_ccw_and_cw_give_the_same_rewound_rings():
    a = geo.rewind({"type": "Polygon", "coordinates": [CCW, HOLE_CCW]})
    b = geo.rewind({"type": "Polygon", "coordinates": [CW, HOLE_CW]})
    assert a == b
    outer, hole = a["coordinates"]
    assert outer == CW  # clockwise outer ring, as d3 needs
    assert geo.signed_area(outer) < 0
    assert hole == HOLE_CCW and geo.signed_area(hole) > 0  # hole counter-clockwise


def test_multipolygon_each_part_rewound():
    other_ccw = [[112.0, 30.0], [112.5, 30.0], [112.5, 30.5], [112.0, 30.0]]
    g = geo.rewind({"type": "MultiPolygon", "coordinates": [[CCW], [other_ccw]]})
    assert g["type"] == "MultiPolygon" and len(g["coordinates"]) == 2
    assert g["coordinates"][0][0] == CW
    assert g["coordinates"][1][0] == other_ccw[::-1]
    assert all(geo.signed_area(p[0]) < 0 for p in g["coordinates"])


def test_unclosed_ring_is_closed():
    g = geo.rewind({"type": "Polygon", "coordinates": [CCW[:-1]]})
    assert g["coordinates"][0] == CW


@pytest.mark.parametrize("geometry,reason", [
    ({"type": "Point", "coordinates": [110, 30]}, "Polygon 或 MultiPolygon"),
    ({"type": "Polygon", "coordinates": [[[110, 30], [111, 30], [110, 30]]]}, "少于 3 个"),
    ({"type": "Polygon", "coordinates": [[[110, 30], [111, 31], [111, 30], [110, 31], [110, 30]]]}, "自相交"),
    ({"type": "Polygon", "coordinates": [[[500000, 3300000], [500100, 3300000], [500100, 3300100], [500000, 3300000]]]},
     "超出经纬度范围"),
    ({"type": "Polygon", "coordinates": [[["a", 30], [111, 30], [111, 31], ["a", 30]]]}, "不是数字"),
])
def test_invalid_geometry_refused_with_reason(geometry, reason):
    with pytest.raises(geo.GeoError, match=reason):
        geo.rewind(geometry)


def test_invalid_json_refused():
    with pytest.raises(geo.GeoError, match="不是有效的 JSON"):
        geo.parse(b'{"type": "FeatureCollection", "features": [')
    with pytest.raises(geo.GeoError, match="不是 GeoJSON"):
        geo.parse(b'{"type": "Topology"}')


def test_fifty_megabytes_refused_before_parsing():
    raw = b" " * (50 * 1024 * 1024)
    with pytest.raises(geo.GeoError, match="文件过大"):
        geo.parse(raw)


def test_match_by_code_name_and_short_name():
    towns = [(1, "429901001000", "测试1镇"), (2, "429901002000", "测试2镇"), (3, "429901003000", "城关街道")]
    feats = geo.parse(fc(
        feat({"type": "Polygon", "coordinates": [CCW]}, adcode="429901001"),  # 9-digit code
        feat({"type": "Polygon", "coordinates": [CW]}, name="测试2镇"),
        feat({"type": "Polygon", "coordinates": [CW]}, NAME="城关"),  # suffix dropped
        feat({"type": "Polygon", "coordinates": [CW]}, name="不存在乡"),
    ))
    r = geo.match(feats, towns)
    assert [(m.township_id, m.matched_by) for m in r.features] == [(1, "区划代码"), (2, "名称"), (3, "名称"), (None, None)]
    assert [m.label for m in r.unmatched] == ["不存在乡"]
    assert r.missing == []


def test_names_compare_without_their_division_suffix():
    pairs = {"城关镇": "城关", "东门社区": "东门", "东门社区居委会": "东门", "新华街道办事处": "新华", "白沙乡": "白沙",
             "石桥村": "石桥", "石桥村民委员会": "石桥", "示范县": "示范", "高新区": "高新", "镇": "镇"}
    assert {k: geo.normalize_name(k) for k in pairs} == pairs
    towns = [(1, "429901001000", "白沙乡")]
    feats = geo.parse(fc(feat({"type": "Polygon", "coordinates": [CW]}, name="白沙镇")))  # 撤乡设镇: the file is newer
    assert [(m.township_id, m.matched_by) for m in geo.match(feats, towns).features] == [(1, "名称")]


def test_centroid_inside_square():
    x, y = geo.centroid(geo.rewind({"type": "Polygon", "coordinates": [CCW]}))
    assert x == pytest.approx(110.5) and y == pytest.approx(30.5)


def test_preview_then_save_boundaries(engine):
    with session_scope(engine) as s:
        ids = f.county(s, townships=3, villages=1)
    raw = fc(
        feat({"type": "Polygon", "coordinates": [CCW]}, code="429901001000", name="测试1镇"),
        feat({"type": "MultiPolygon", "coordinates": [[CW], [[[112, 30], [112.5, 30], [112.5, 30.5], [112, 30]]]]},
             name="测试2镇"),
        feat({"type": "Polygon", "coordinates": [CCW]}, name="外县某镇"),
        feat({"type": "Point", "coordinates": [1, 2]}, name="测试3镇"),
    )
    with session_scope(engine, actor=ADMIN) as s:
        preview = svc.preview_boundaries(s, ADMIN, raw)
        assert [m.label for m in preview.unmatched] == ["外县某镇"]
        assert [m.township_name for m in preview.invalid] == ["测试3镇"]
        assert len(preview.ready) == 2
        assert svc.save_boundaries(s, ADMIN, preview, "县界.geojson") == 2
    with session_scope(engine, write=False) as s:
        t1 = s.get(Region, ids["T1"]).boundary
        t2 = s.get(Region, ids["T2"]).boundary
        assert t1 == {"type": "Polygon", "coordinates": [CW]}
        assert t2["type"] == "MultiPolygon" and geo.signed_area(t2["coordinates"][1][0]) < 0
        assert s.get(Region, ids["T3"]).boundary is None
        assert s.query(AuditLog).filter_by(action="import", entity="region_boundary").count() == 1


def test_preview_refusals(engine):
    with session_scope(engine) as s:
        f.county(s, townships=1, villages=1)
    with session_scope(engine, actor=ADMIN) as s:
        with pytest.raises(ServiceError, match="不是有效的 JSON"):
            svc.preview_boundaries(s, ADMIN, b"not json")
        with pytest.raises(ServiceError, match="文件过大"):
            svc.preview_boundaries(s, ADMIN, b"{" + b" " * (50 * 1024 * 1024) + b"}")
        with pytest.raises(ForbiddenError):
            svc.preview_boundaries(s, Actor("o", "office"), fc())
