"""区划 import (issue 15 item 1): a county's divisions from the statistics bureau's list
(统计用区划代码; .xlsx or .csv, UTF-8 or GBK) — previewed with row-level Chinese reasons, then
written all or nothing; importing the same list again changes nothing.

What an import does to a division already in the system: a new name is a rename (audited); a
different parent is refused here — moving a village or merging townships takes effect on a
date and moves people with it, which is the division maintenance's work, not a list's.
Divisions in the system but not in the file are left as they are and listed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import divisions as dv
from core.excel_safety import sheet_bytes
from core import uploads
from core.importing import Issue
from core.roles import Actor
from db import audit
from db.errors import ServiceError, require
from db.models import Region
from areas.registry.importer import ImportRefused, read_tables

ADD, RENAME, UNCHANGED = "add", "rename", "unchanged"
ACTION_NAMES = {ADD: "新增", RENAME: "更名", UNCHANGED: "不变"}


@dataclass
class Planned:
    division: dv.Division
    action: str
    old_name: str | None = None


@dataclass
class DivisionPreview:
    plan: list[Planned] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    skipped_above: int = 0
    not_in_file: list[tuple[str, str, str]] = field(default_factory=list)  # code, name, level

    def counts(self) -> dict[str, int]:
        out = {ADD: 0, RENAME: 0, UNCHANGED: 0}
        for p in self.plan:
            out[p.action] += 1
        return out


def _existing(session: Session) -> dict[str, tuple[int, str, str, int | None]]:
    """code → (id, name, level, parent id)."""
    return {c: (i, n, lv, p) for i, c, n, lv, p in session.execute(
        select(Region.id, Region.code, Region.name, Region.level, Region.parent_id))}


def preview(session: Session, actor: Actor, filename: str, data: bytes) -> DivisionPreview:
    """Read and check the list against the system; nothing is written."""
    require(actor, "division.edit")
    sheet, rows = read_tables(filename, data, kind=uploads.DIVISIONS)[0]
    return _plan(session, sheet, rows)


def _plan(session: Session, sheet: str, rows: list[list]) -> DivisionPreview:
    existing = _existing(session)
    code_of = {i: c for c, (i, _n, _lv, _p) in existing.items()}
    out = DivisionPreview()
    parsed = dv.parse(sheet, rows, {c: lv for c, (_i, _n, lv, _p) in existing.items()})
    out.errors.extend(parsed.issues)
    out.skipped_above = parsed.skipped_above
    for d in parsed.divisions:
        have = existing.get(d.code)
        if have is None:
            out.plan.append(Planned(d, ADD))
            continue
        _id, name, level, parent_id = have
        if level != d.level:
            out.errors.append(Issue(sheet, d.row, "统计用区划代码",
                                    f"系统中{d.code}是{dv.LEVEL_NAMES.get(level, level)}，文件中是{dv.LEVEL_NAMES[d.level]}"))
        elif d.parent is not None and code_of.get(parent_id) != d.parent:
            out.errors.append(Issue(sheet, d.row, "上级代码",
                                    f"「{name}」在系统中属于{code_of.get(parent_id)}，文件中为{d.parent}："
                                    "调整隶属或撤并请用「区划调整」（带生效日期，人员随村调整）"))
        else:
            out.plan.append(Planned(d, RENAME if name != d.name else UNCHANGED, old_name=name))
    if not parsed.divisions and not parsed.issues:
        out.errors.append(Issue(sheet, None, None, "文件中没有区划数据行"))
    in_file = {d.code for d in parsed.divisions}
    out.not_in_file = sorted((c, n, lv) for c, (_i, n, lv, _p) in existing.items() if c not in in_file)
    return out


def apply(session: Session, actor: Actor, filename: str, data: bytes,
          prepared: DivisionPreview | None = None) -> dict[str, int]:
    """Write every row or none (the preview is made again inside this transaction: the page's
    copy may be stale). Returns the counts of the plan."""
    require(actor, "division.edit")
    pv = preview(session, actor, filename, data)
    if pv.errors:
        raise ImportRefused(f"区划文件有 {len(pv.errors)} 处问题，未导入任何数据，请修改后重新上传。", pv.errors)
    counts = _write(session, pv)
    audit.record(session, "import", "region", None,
                 summary=f"导入区划 {filename}：新增{counts[ADD]}个，更名{counts[RENAME]}个，不变{counts[UNCHANGED]}个"[:500])
    return counts


def add_division(session: Session, actor: Actor, code: str, name: str) -> str:
    """One township or village added by hand, checked by the same rules as a list (its parent
    is the one its code gives, and must exist). Returns the level's Chinese name."""
    require(actor, "division.edit")
    pv = _plan(session, "手工添加", [dv.TEMPLATE_HEADER, [code, name, "", ""]])
    if not pv.errors and [p.action for p in pv.plan] != [ADD]:
        raise ServiceError(f"区划代码{pv.plan[0].division.code}已存在（「{pv.plan[0].old_name}」）。" if pv.plan
                           else "没有可添加的区划。")
    if pv.errors:
        raise ServiceError("；".join(i.reason for i in pv.errors))
    _write(session, pv)
    return dv.LEVEL_NAMES[pv.plan[0].division.level]


def _write(session: Session, pv: DivisionPreview) -> dict[str, int]:
    ids = {c: i for c, (i, _n, _lv, _p) in _existing(session).items()}
    created, renamed = [], []
    # parents before children: county, then townships, then villages (codes sort that way within a level)
    order = {dv.COUNTY: 0, dv.TOWNSHIP: 1, dv.VILLAGE: 2}
    for p in sorted(pv.plan, key=lambda p: (order[p.division.level], p.division.code)):
        d = p.division
        if p.action == ADD:
            r = Region(code=d.code, name=d.name, level=d.level, parent_id=ids.get(d.parent) if d.parent else None,
                       sort_order=int(d.code[-6:]) if d.level != dv.COUNTY else 0)
            session.add(r)
            session.flush()
            ids[d.code] = r.id
            # Chinese keys: the audit log shows them as they are, and a division's name is not a
            # person's (the field "name" would be masked as one)
            created.append((r.id, {"区划代码": d.code, "名称": d.name, "级别": dv.LEVEL_NAMES[d.level],
                                   "上级代码": d.parent}))
        elif p.action == RENAME:
            r = session.get(Region, ids[d.code])
            r.name = d.name
            renamed.append((r.id, {"名称": (p.old_name, d.name)}))
    session.flush()
    audit.record_bulk(session, "create", Region, created)
    audit.record_bulk(session, "update", Region, renamed)
    return pv.counts()


def template() -> bytes:
    """The list's template: the four columns and one example of each level, codes as text."""
    return sheet_bytes("区划", dv.TEMPLATE_HEADER, [("429901000000", "示范县", "县", ""),
                                                ("429901100000", "城关镇", "乡镇", "429901000000"),
                                                ("429901100201", "东门村", "村", "429901100000")], text_columns="AD")
