"""Generated township boundaries for the fictional demo county (示范县).

Pure Python, no SQLAlchemy. The county is a 4×4 grid of cells minus its four corners
(12 townships, a rough octagon about 0.4° across around 110.3°E, 31.0°N). Grid vertices
are jittered and every cell edge is bent by a few jittered points; both are shared by the
two townships on either side of an edge, so neighbours touch exactly and the county has
no gaps or overlaps.

Outer rings are CLOCKWISE in lon/lat (negative shoelace area with x=lon, y=lat): that is
the winding d3 / Vega-Lite expect (the opposite of RFC 7946). Rings are closed.
"""
from __future__ import annotations

import random

from core.geo import is_simple, signed_area  # one implementation; re-exported for the tests

__all__ = ["CELLS", "feature_collection", "is_simple", "signed_area", "township_boundaries"]

CENTER = (110.3, 31.0)
CELL_W = 0.105  # degrees of longitude per cell
CELL_H = 0.090  # degrees of latitude per cell
GRID = 4
# (row, col) of the 12 township cells, row 0 at the top (north), in township order.
CELLS = [(r, c) for r in range(GRID) for c in range(GRID)
         if (r, c) not in {(0, 0), (0, GRID - 1), (GRID - 1, 0), (GRID - 1, GRID - 1)}]
_BENDS = 2  # jittered points inserted on every cell edge


def township_boundaries(count: int, seed: int) -> list[dict]:
    """GeoJSON Polygon geometries (dicts) for `count` townships, count <= 12."""
    if not 1 <= count <= len(CELLS):
        raise ValueError(f"the demo map has room for 1..{len(CELLS)} townships")
    rng = random.Random(seed * 7919 + 17)
    x0 = CENTER[0] - GRID * CELL_W / 2
    y0 = CENTER[1] + GRID * CELL_H / 2

    # Jittered grid vertices, (row, col) with row 0 at the top.
    vert: dict[tuple[int, int], tuple[float, float]] = {}
    for r in range(GRID + 1):
        for c in range(GRID + 1):
            jx = rng.uniform(-0.18, 0.18) * CELL_W
            jy = rng.uniform(-0.18, 0.18) * CELL_H
            vert[(r, c)] = (x0 + c * CELL_W + jx, y0 - r * CELL_H + jy)

    bends: dict[tuple, list[tuple[float, float]]] = {}

    def edge(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[float, float]]:
        """Interior points from vertex a to vertex b, shared with the neighbour."""
        key = (a, b) if a < b else (b, a)
        if key not in bends:
            (ax, ay), (bx, by) = vert[key[0]], vert[key[1]]
            dx, dy = bx - ax, by - ay
            pts = []
            for k in range(1, _BENDS + 1):
                t = k / (_BENDS + 1) + rng.uniform(-0.06, 0.06)
                off = rng.uniform(-0.07, 0.07)  # perpendicular, as a share of the edge length
                pts.append((ax + t * dx - off * dy, ay + t * dy + off * dx))
            bends[key] = pts
        pts = bends[key]
        return pts if key[0] == a else pts[::-1]

    out = []
    for r, c in CELLS[:count]:
        # Clockwise with north up: top-left → top-right → bottom-right → bottom-left.
        corners = [(r, c), (r, c + 1), (r + 1, c + 1), (r + 1, c)]
        ring: list[list[float]] = []
        for i, a in enumerate(corners):
            b = corners[(i + 1) % 4]
            ring.append([round(vert[a][0], 5), round(vert[a][1], 5)])
            ring.extend([round(x, 5), round(y, 5)] for x, y in edge(a, b))
        ring.append(list(ring[0]))
        if signed_area(ring) > 0:  # cannot happen with the order above; keep d3 safe anyway
            ring.reverse()
        out.append({"type": "Polygon", "coordinates": [ring]})
    return out


def feature_collection(rows: list[tuple[str, str, dict]]) -> dict:
    """(code, name, geometry) → a FeatureCollection, e.g. for a quick look in a viewer."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geom}
            for code, name, geom in rows
        ],
    }
