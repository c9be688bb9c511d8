"""学年统计 writes (issue 15 item 5): one township's figures by form, or a county's by Excel
(学年, 乡镇, 学段, 在校生数, 辍学人数; all or nothing; the same file again changes nothing).
They feed the 小学/初中辍学率 indicators of the months they cover."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import schools as rules
from core import uploads
from core.excel_safety import sheet_bytes
from core.importing import Issue, norm_header
from core.roles import Actor
from db import audit
from db.errors import ServiceError, require
from db.models import Region, SchoolStat
from areas.registry.importer import ImportRefused, read_tables

TEMPLATE_HEADER = ["学年", "乡镇", "学段", "在校生数", "辍学人数"]
_HEADERS = {"year": ("学年",), "township": ("乡镇", "乡镇(街道)", "所属乡镇"), "level": ("学段", "学校类别", "类别"),
            "enrolled": ("在校生数", "在校生", "在校学生数"), "dropouts": ("辍学人数", "辍学", "辍学学生数")}


def set_stat(session: Session, actor: Actor, township_id: int, school_year: str, level: str, enrolled,
             dropouts) -> str:
    """Enter or correct one township's figures; returns 新增 / 更新 / 无变化."""
    require(actor, "school_stat.edit")
    year, why = rules.school_year(school_year)
    if why:
        raise ServiceError(why)
    if level not in rules.LEVELS:
        raise ServiceError(f"学段应为{'或'.join(rules.LEVELS)}")
    if session.scalar(select(Region.id).where(Region.id == township_id, Region.level == "township")) is None:
        raise ServiceError("请选择乡镇。")
    numbers, errors = rules.counts(enrolled, dropouts)
    if errors:
        raise ServiceError("；".join(errors))
    return _upsert(session, township_id, year, level, *numbers)


def _upsert(session: Session, township_id: int, year: str, level: str, enrolled: int, dropouts: int) -> str:
    row = session.scalar(select(SchoolStat).where(SchoolStat.township_id == township_id,
                                                  SchoolStat.school_year == year, SchoolStat.level == level))
    if row is None:
        session.add(SchoolStat(township_id=township_id, school_year=year, level=level, enrolled=enrolled,
                               dropouts=dropouts))
        session.flush()
        return "新增"
    if (row.enrolled, row.dropouts) == (enrolled, dropouts):
        return "无变化"
    row.enrolled, row.dropouts = enrolled, dropouts
    session.flush()  # audited by the flush (SchoolStat is Audited)
    return "更新"


@dataclass
class StatPreview:
    rows: list[tuple[int, int, str, str, int, int]] = field(default_factory=list)  # row, township, year, level, e, d
    errors: list[Issue] = field(default_factory=list)


def preview_import(session: Session, actor: Actor, filename: str, data: bytes) -> StatPreview:
    require(actor, "school_stat.edit")
    sheet, rows = read_tables(filename, data, kind=uploads.ROSTER)[0]
    out = StatPreview()

    def cols(r):
        got = {}
        for i, h in enumerate(r or ()):
            for fld, names in _HEADERS.items():
                if fld not in got and norm_header(h) in (norm_header(n) for n in names):
                    got[fld] = i
        return got

    start = next((k for k, r in enumerate(rows[:10]) if set(_HEADERS) <= set(cols(r))), None)
    if start is None:
        out.errors.append(Issue(sheet, None, None, "找不到表头：需要「学年」「乡镇」「学段」「在校生数」「辍学人数」五列，请下载模板对照"))
        return out
    c = cols(rows[start])
    towns = {}
    for rid, code, name in session.execute(select(Region.id, Region.code, Region.name).where(Region.level == "township")):
        towns[name] = towns[code] = rid
    seen = {}
    for k, r in enumerate(rows[start + 1:], start=start + 2):
        r = list(r or ())
        if all(v is None or not str(v).strip() for v in r):
            continue
        cell = lambda f: r[c[f]] if c[f] < len(r) else None  # noqa: E731
        bad = lambda col, why: out.errors.append(Issue(sheet, k, col, why))  # noqa: E731
        if any(isinstance(v, str) and v.strip().startswith("=") for v in r):
            bad(None, "单元格含公式，请改为纯文本后再导入")
            continue
        year, why = rules.school_year(cell("year"))
        if why:
            bad("学年", why)
            continue
        tid = towns.get(str(cell("township") or "").strip())
        if tid is None:
            bad("乡镇", f"找不到乡镇「{str(cell('township') or '').strip()}」")
            continue
        level = str(cell("level") or "").strip()
        if level not in rules.LEVELS:
            bad("学段", f"学段应为{'或'.join(rules.LEVELS)}，而不是「{level}」")
            continue
        numbers, errors = rules.counts(cell("enrolled"), cell("dropouts"))
        if errors:
            for e in errors:
                bad("辍学人数" if e.startswith("辍学") else "在校生数", e)
            continue
        key = (tid, year, level)
        if key in seen:
            bad("乡镇", f"与第{seen[key]}行是同一乡镇、学年和学段")
            continue
        seen[key] = k
        out.rows.append((k, tid, year, level, *numbers))
    if not out.rows and not out.errors:
        out.errors.append(Issue(sheet, None, None, "文件中没有数据行"))
    return out


def import_stats(session: Session, actor: Actor, filename: str, data: bytes) -> dict[str, int]:
    """Every row or none; returns how many were 新增 / 更新 / 无变化."""
    require(actor, "school_stat.edit")
    pv = preview_import(session, actor, filename, data)
    if pv.errors:
        raise ImportRefused(f"学年统计表有 {len(pv.errors)} 处问题，未导入任何数据，请修改后重新上传。", pv.errors)
    out = {"新增": 0, "更新": 0, "无变化": 0}
    for _k, tid, year, level, enrolled, dropouts in pv.rows:
        out[_upsert(session, tid, year, level, enrolled, dropouts)] += 1
    audit.record(session, "import", "school_stat", None,
                 summary=f"导入学年统计 {filename}：新增{out['新增']}行，更新{out['更新']}行，无变化{out['无变化']}行")
    return out


def template() -> bytes:
    return sheet_bytes("学年统计", TEMPLATE_HEADER, [["2025-2026", "城关镇", "小学", 1200, 3],
                                                ["2025-2026", "城关镇", "初中", 800, 5]])
