"""Township boundaries: GeoJSON validation, ring winding for d3, matching to townships.

d3 (and so Vega-Lite / Altair) treats a ring's winding as meaningful on the sphere: an outer
ring must be CLOCKWISE in lon/lat (negative shoelace area with x = lon, y = lat) and holes
counter-clockwise. RFC 7946 files use the opposite, which d3 would fill as "the whole globe
minus the township". Every geometry is therefore rewound on import (DESIGN.md §8).

Pure Python: no Streamlit, no SQLAlchemy.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from core import uploads

MAX_BYTES = uploads.BOUNDARY.max_bytes  # the size limit lives in core/uploads.py
MAX_VERTICES = 500_000
_SIMPLE_CHECK_MAX = 400  # self-intersection is checked on rings up to this many vertices

CODE_KEYS = ("code", "CODE", "adcode", "ADCODE", "区划代码", "统计用区划代码", "xzqdm", "XZQDM", "gb", "GB")
NAME_KEYS = ("name", "NAME", "名称", "乡镇", "乡镇名称", "township", "xzqmc", "XZQMC", "Name")
# Longest first: a name is compared without its one division suffix (issue 15: 区/县/市/镇/乡/
# 街道/村/社区 normalised), e.g. 城关镇 ≈ 城关, 东门社区居委会 ≈ 东门.
_SUFFIXES = ("街道办事处", "社区居民委员会", "村民委员会", "居民委员会", "社区居委会", "街道", "办事处", "民族乡",
             "村委会", "居委会", "社区", "镇", "乡", "村", "区", "县", "市")


class GeoError(ValueError):
    """A boundary file or geometry that cannot be used; str() is a Chinese reason."""


# ---------------------------------------------------------------- geometry
def signed_area(ring) -> float:
    """Shoelace area with x = lon, y = lat; negative = clockwise."""
    s = 0.0
    for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2.0


def _segments_cross(p1, p2, p3, p4) -> bool:
    def orient(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 1e-15) - (v < -1e-15)

    o1, o2, o3, o4 = orient(p1, p2, p3), orient(p1, p2, p4), orient(p3, p4, p1), orient(p3, p4, p2)
    return o1 != o2 and o3 != o4 and 0 not in (o1, o2, o3, o4)


def is_simple(ring) -> bool:
    """True when no two non-adjacent edges of the closed ring cross."""
    edges = list(zip(ring, ring[1:]))
    n = len(edges)
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            if _segments_cross(edges[i][0], edges[i][1], edges[j][0], edges[j][1]):
                return False
    return True


def _clean_ring(ring, where: str) -> list[list[float]]:
    if not isinstance(ring, list):
        raise GeoError(f"{where}：坐标环不是数组。")
    pts: list[list[float]] = []
    for p in ring:
        if not isinstance(p, (list, tuple)) or len(p) < 2:
            raise GeoError(f"{where}：坐标点格式错误（应为 [经度, 纬度]）。")
        try:
            x, y = float(p[0]), float(p[1])
        except (TypeError, ValueError):
            raise GeoError(f"{where}：坐标不是数字。") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise GeoError(f"{where}：坐标不是有限数值。")
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise GeoError(f"{where}：坐标 ({x}, {y}) 超出经纬度范围，文件可能是投影坐标（如 CGCS2000 平面坐标），请先转换为经纬度。")
        pts.append([x, y])
    if pts and pts[0] != pts[-1]:
        pts.append(list(pts[0]))  # close it (many exporters drop the repeat)
    if len({(x, y) for x, y in pts}) < 3:
        raise GeoError(f"{where}：坐标环少于 3 个不同的点。")
    if len(pts) <= _SIMPLE_CHECK_MAX and not is_simple(pts):
        raise GeoError(f"{where}：边界自相交。")
    if abs(signed_area(pts)) < 1e-12:
        raise GeoError(f"{where}：坐标环面积为零。")
    return pts


def _wind(ring: list[list[float]], clockwise: bool) -> list[list[float]]:
    cw = signed_area(ring) < 0
    return ring if cw == clockwise else ring[::-1]


def _polygon(rings, where: str) -> list[list[list[float]]]:
    if not isinstance(rings, list) or not rings:
        raise GeoError(f"{where}：多边形没有坐标环。")
    out = []
    for k, ring in enumerate(rings):
        clean = _clean_ring(ring, where if k == 0 else f"{where}（第{k}个内环）")
        out.append(_wind(clean, clockwise=(k == 0)))  # outer clockwise, holes counter-clockwise
    return out


def rewind(geometry) -> dict:
    """A validated copy of a Polygon / MultiPolygon wound the way d3 draws it."""
    where = "边界"
    if not isinstance(geometry, dict):
        raise GeoError("缺少几何图形（geometry）。")
    gtype = geometry.get("type")
    coords = geometry.get("coordinates")
    if gtype == "Polygon":
        return {"type": "Polygon", "coordinates": _polygon(coords, where)}
    if gtype == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise GeoError(f"{where}：MultiPolygon 没有多边形。")
        return {"type": "MultiPolygon",
                "coordinates": [_polygon(p, f"{where}第{i + 1}块") for i, p in enumerate(coords)]}
    if gtype is None:
        raise GeoError("缺少几何图形类型（type）。")
    raise GeoError(f"几何类型 {gtype} 不是面（只接受 Polygon 或 MultiPolygon）。")


def polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def vertex_count(geometry: dict) -> int:
    return sum(len(r) for p in polygons(geometry) for r in p)


def centroid(geometry: dict) -> tuple[float, float]:
    """Label point: area centroid of the largest outer ring."""
    ring = max((p[0] for p in polygons(geometry)), key=lambda r: abs(signed_area(r)))
    a = signed_area(ring)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(a) < 1e-15:
        xs, ys = zip(*ring)
        return (sum(xs) / len(xs), sum(ys) / len(ys))
    return (cx / (6 * a), cy / (6 * a))


def bbox(geometries) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for g in geometries:
        for p in polygons(g):
            for x, y in p[0]:
                xs.append(x)
                ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys))


# ---------------------------------------------------------------- files
def parse(raw: bytes, max_bytes: int = MAX_BYTES) -> list[dict]:
    """The features of an uploaded GeoJSON file (FeatureCollection, Feature or bare geometry).

    Raises GeoError with a reason for a file that is too big, not JSON or not GeoJSON.
    Geometries are validated per feature later (one bad township must not hide the others).
    """
    too_large = uploads.too_large(uploads.BOUNDARY, len(raw), max_bytes)
    if too_large:
        raise GeoError(f"{too_large}。请先简化边界（如用 mapshaper 抽稀）再导入。")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GeoError("文件不是 UTF-8 编码的文本，不是有效的 GeoJSON。") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise GeoError(f"文件不是有效的 JSON（第 {e.lineno} 行第 {e.colno} 列：{e.msg}）。") from None
    if not isinstance(data, dict):
        raise GeoError("文件内容不是 GeoJSON 对象。")
    t = data.get("type")
    if t == "FeatureCollection":
        feats = data.get("features")
        if not isinstance(feats, list):
            raise GeoError("FeatureCollection 缺少 features 数组。")
    elif t == "Feature":
        feats = [data]
    elif t in ("Polygon", "MultiPolygon"):
        feats = [{"type": "Feature", "properties": {}, "geometry": data}]
    else:
        raise GeoError(f"不是 GeoJSON：type 为 {t!r}（应为 FeatureCollection）。")
    if not feats:
        raise GeoError("文件中没有任何要素（features 为空）。")
    total = 0
    for ft in feats:
        if not isinstance(ft, dict):
            raise GeoError("features 中有一项不是对象。")
        g = ft.get("geometry") or {}
        total += _count_numbers(g.get("coordinates") if isinstance(g, dict) else None)
    if total // 2 > MAX_VERTICES:
        raise GeoError(f"边界点数过多（约 {total // 2:,} 个，上限 {MAX_VERTICES:,}），请先简化。")
    return feats


def _count_numbers(c) -> int:
    if isinstance(c, list):
        if c and not isinstance(c[0], list):
            return len(c)
        return sum(_count_numbers(x) for x in c)
    return 0


def normalize_name(name: str) -> str:
    s = re.sub(r"\s+", "", str(name or ""))
    for suf in _SUFFIXES:
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)]
    return s


def normalize_code(code) -> str:
    digits = re.sub(r"\D", "", str(code or ""))
    if not digits:
        return ""
    if len(digits) == 9:  # 9-digit township adcode (e.g. 420704001) → 12-digit 统计用区划代码
        digits += "000"
    return digits[:12].ljust(12, "0")


def _first(props: dict, keys) -> str:
    for k in keys:
        v = props.get(k)
        if v not in (None, ""):
            return str(v).strip()
    return ""


@dataclass
class FeatureMatch:
    index: int  # position in the file
    label: str  # what the file calls it (name / code)
    township_id: int | None = None
    township_name: str | None = None
    matched_by: str | None = None  # 区划代码 / 名称
    geometry: dict | None = None  # rewound, when valid
    error: str | None = None  # why the geometry is refused
    vertices: int = 0


@dataclass
class MatchResult:
    features: list[FeatureMatch] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # townships no feature matched

    @property
    def ready(self) -> list[FeatureMatch]:
        return [f for f in self.features if f.township_id is not None and f.geometry is not None]

    @property
    def unmatched(self) -> list[FeatureMatch]:
        return [f for f in self.features if f.township_id is None]

    @property
    def invalid(self) -> list[FeatureMatch]:
        return [f for f in self.features if f.error]


def match(features: list[dict], townships: list[tuple[int, str, str]]) -> MatchResult:
    """Match features to townships (id, code, name): by code first, then by name
    (exact, then without 镇/乡/街道 suffixes). Each township takes at most one feature."""
    by_code = {normalize_code(c): (i, n) for i, c, n in townships if c}
    by_name = {str(n).strip(): (i, n) for i, _c, n in townships}
    by_short = {}
    for i, _c, n in townships:
        by_short.setdefault(normalize_name(n), []).append((i, n))
    taken: set[int] = set()
    out = MatchResult()
    for k, ft in enumerate(features):
        props = ft.get("properties") if isinstance(ft.get("properties"), dict) else {}
        code, name = _first(props, CODE_KEYS), _first(props, NAME_KEYS)
        fm = FeatureMatch(k, name or code or f"第{k + 1}个要素")
        hit, how = None, None
        if code and normalize_code(code) in by_code:
            hit, how = by_code[normalize_code(code)], "区划代码"
        elif name and name in by_name:
            hit, how = by_name[name], "名称"
        elif name and len(by_short.get(normalize_name(name), [])) == 1:
            hit, how = by_short[normalize_name(name)][0], "名称"
        if hit is not None and hit[0] in taken:
            fm.error = f"与前面的要素重复匹配到「{hit[1]}」，已忽略。"
            hit = None
        if hit is not None:
            fm.township_id, fm.township_name, fm.matched_by = hit[0], hit[1], how
            taken.add(hit[0])
        try:
            fm.geometry = rewind(ft.get("geometry"))
            fm.vertices = vertex_count(fm.geometry)
        except GeoError as e:
            fm.error = str(e)
        out.features.append(fm)
    out.missing = [n for i, _c, n in townships if i not in taken]
    return out


def feature_collection(items: list[tuple[dict, dict]]) -> dict:
    """(properties, geometry) pairs → FeatureCollection."""
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in items]}
