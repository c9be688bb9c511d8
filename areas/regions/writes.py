"""Township boundaries (admin): preview a GeoJSON upload, then save the matched ones."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import geo
from core.roles import Actor
from db import audit
from db.models import Region
from db.errors import ServiceError, require


def township_keys(session: Session) -> list[tuple[int, str, str]]:
    return list(session.execute(
        select(Region.id, Region.code, Region.name).where(Region.level == "township")
        .order_by(Region.sort_order, Region.code)))


def preview_boundaries(session: Session, actor: Actor, raw: bytes, max_bytes: int = geo.MAX_BYTES) -> geo.MatchResult:
    """Parse, validate, rewind and match — nothing is written."""
    require(actor, "boundary.edit")
    try:
        feats = geo.parse(raw, max_bytes=max_bytes)
    except geo.GeoError as e:
        raise ServiceError(str(e)) from None
    keys = township_keys(session)
    if not keys:
        raise ServiceError("系统中还没有乡镇区划，无法匹配边界。")
    return geo.match(feats, keys)


def save_boundaries(session: Session, actor: Actor, result: geo.MatchResult, filename: str = "") -> int:
    """Store the matched, valid geometries; returns how many townships got a boundary."""
    require(actor, "boundary.edit")
    ready = result.ready
    if not ready:
        raise ServiceError("没有可保存的边界：没有要素匹配到乡镇，或几何图形都无效。")
    valid_ids = {i for i, _c, _n in township_keys(session)}
    for fm in ready:
        if fm.township_id not in valid_ids:
            raise ServiceError(f"乡镇「{fm.township_name}」已不存在，请重新上传预览。")
        # Validate again on the server side of the write (the preview may be stale or forged).
        geometry = geo.rewind(fm.geometry)
        region = session.get(Region, fm.township_id)
        region.boundary = geometry
    session.flush()
    audit.record(session, "import", "region_boundary", None,
                 summary=f"导入乡镇边界 {filename}：保存 {len(ready)} 个，未匹配 {len(result.unmatched)} 个，"
                         f"无效 {len(result.invalid)} 个，缺边界乡镇 {len(result.missing)} 个"[:500])
    return len(ready)


def clear_boundary(session: Session, actor: Actor, township_id: int) -> None:
    require(actor, "boundary.edit")
    region = session.get(Region, township_id)
    if region is None or region.level != "township":
        raise ServiceError("找不到该乡镇。")
    region.boundary = None
    audit.record(session, "delete", "region_boundary", township_id, summary=f"清除「{region.name}」的边界")
