"""Administrative divisions (区划) as the statistics bureau publishes them (统计用区划代码):
12-digit codes whose zero tails give the level — county xxxxxx000000, township xxxxxxxxx000,
village anything else — and whose prefixes give the parent. Pure rules: reading a division
list (rows of code, name, optional level and parent) into checked rows with row-level Chinese
reasons. Writing them is areas/regions/divisions.py's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.importing import Issue, norm_header

COUNTY, TOWNSHIP, VILLAGE = "county", "township", "village"
LEVEL_NAMES = {COUNTY: "县（区）", TOWNSHIP: "乡镇（街道）", VILLAGE: "村（社区）"}
PARENT_LEVEL = {TOWNSHIP: COUNTY, VILLAGE: TOWNSHIP}
ABOVE_COUNTY = "above"  # province / city rows of the bureau's full tree: skipped

# What a file may call each column (headers compared after core.importing.norm_header).
HEADERS = {
    "code": ("统计用区划代码", "区划代码", "代码", "编码", "code"),
    "name": ("名称", "区划名称", "单位名称", "name"),
    "level": ("级别", "层级", "区划级别", "类型", "level"),
    "parent": ("上级代码", "上级区划代码", "父级代码", "上级编码", "parent", "pcode", "parent_code"),
}
_LEVEL_WORDS = {
    COUNTY: ("县", "区", "县级", "区县", "县区", "县（区）", "county", "3"),
    TOWNSHIP: ("乡", "镇", "乡镇", "乡级", "街道", "乡镇街道", "乡镇（街道）", "township", "4"),
    VILLAGE: ("村", "社区", "村级", "村委会", "居委会", "村（社区）", "村居", "village", "5"),
}
_CODE = re.compile(r"\d{12}")
MAX_NAME = 64

TEMPLATE_HEADER = ["统计用区划代码", "名称", "级别", "上级代码"]


def level_of(code: str) -> str:
    """The level a 12-digit code denotes."""
    if code.endswith("0000000000") or code.endswith("00000000"):
        return ABOVE_COUNTY
    if code.endswith("000000"):
        return COUNTY
    if code.endswith("000"):
        return TOWNSHIP
    return VILLAGE


def parent_of(code: str) -> str | None:
    """The parent code the prefix gives (None for a county)."""
    lv = level_of(code)
    if lv == VILLAGE:
        return code[:9] + "000"
    if lv == TOWNSHIP:
        return code[:6] + "000000"
    return None


def code_prefixes(code: str) -> tuple[str, ...]:
    """The 12-, 9- and 6-digit forms a code may be written in elsewhere (boundary files,
    other departments' rolls), longest first, without their zero tails."""
    lv = level_of(code)
    if lv == VILLAGE:
        return (code,)
    if lv == TOWNSHIP:
        return (code, code[:9])
    return (code, code[:9], code[:6])


def parse_level(raw) -> str | None:
    s = norm_header(raw).casefold()
    for level, words in _LEVEL_WORDS.items():
        if s in (w.casefold() for w in words):
            return level
    return None


def normalize_code(raw) -> tuple[str | None, str | None]:
    """(code, reason): digits only, as text; Excel's number and float forms are accepted."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "区划代码为空"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    s = re.sub(r"\s", "", str(raw))
    if s.startswith("="):
        return None, "单元格含公式，请改为纯文本后再导入"
    if not s.isdigit():
        return None, f"区划代码「{s[:20]}」含非数字字符"
    if not _CODE.fullmatch(s):
        return None, f"区划代码应为12位数字（统计用区划代码），「{s}」为{len(s)}位"
    return s, None


@dataclass(frozen=True)
class Division:
    row: int  # as Excel numbers it
    code: str
    name: str
    level: str
    parent: str | None


@dataclass
class Parsed:
    divisions: list[Division] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    skipped_above: int = 0  # province / city rows


def _columns(header: list) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        key = norm_header(h).casefold()
        for fld, names in HEADERS.items():
            if fld not in cols and key in (norm_header(n).casefold() for n in names):
                cols[fld] = i
    return cols


def parse(sheet: str, rows: list[list], existing: dict[str, str] | None = None) -> Parsed:
    """Check a division list. `rows`: the sheet's rows, header first (blank lines and a title
    line above the header are allowed). `existing`: code → level of the divisions already in
    the system, which a row may name as its parent. Every problem is an Issue with its row."""
    existing = existing or {}
    out = Parsed()
    start = next((k for k, r in enumerate(rows[:10]) if {"code", "name"} <= set(_columns(list(r or ())))), None)
    if start is None:
        out.issues.append(Issue(sheet, None, None, "找不到表头：需要「统计用区划代码」和「名称」两列"
                                                    "（可另有「级别」「上级代码」），请下载模板对照"))
        return out
    cols = _columns(list(rows[start]))

    def cell(r, fld):
        i = cols.get(fld)
        return r[i] if i is not None and i < len(r) else None

    seen: dict[str, int] = {}
    for k, r in enumerate(rows[start + 1:], start=start + 2):
        r = list(r or ())
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in r):
            continue
        bad = lambda col, reason: out.issues.append(Issue(sheet, k, col, reason))  # noqa: E731
        code, why = normalize_code(cell(r, "code"))
        if why:
            bad("统计用区划代码", why)
            continue
        level = level_of(code)
        if level == ABOVE_COUNTY:
            out.skipped_above += 1
            continue
        raw_name = cell(r, "name")
        name = re.sub(r"\s", "", str(raw_name)) if raw_name is not None else ""
        if not name:
            bad("名称", "名称为空")
            continue
        if name.startswith("="):
            bad("名称", "单元格含公式，请改为纯文本后再导入")
            continue
        if len(name) > MAX_NAME:
            bad("名称", f"名称过长（{len(name)}个字），上限{MAX_NAME}个字")
            continue
        raw_level = cell(r, "level")
        if raw_level not in (None, ""):
            said = parse_level(raw_level)
            if said is None:
                bad("级别", f"无法识别的级别「{raw_level}」，应为 县/乡镇/村")
                continue
            if said != level:
                bad("级别", f"级别「{raw_level}」与区划代码不符：代码{code}是{LEVEL_NAMES[level]}级")
                continue
        raw_parent = cell(r, "parent")
        parent = parent_of(code)
        if raw_parent not in (None, "") and level != COUNTY:
            given, why = normalize_code(raw_parent)
            if why:
                bad("上级代码", why)
                continue
            parent = given
        if code in seen:
            bad("统计用区划代码", f"区划代码{code}与第{seen[code]}行重复")
            continue
        seen[code] = k
        out.divisions.append(Division(k, code, name, level, parent))

    _check_parents(sheet, out, existing)
    return out


def _check_parents(sheet: str, out: Parsed, existing: dict[str, str]) -> None:
    """Every parent exists (in the file or the system), one level up, and no chain loops."""
    in_file = {d.code: d for d in out.divisions}
    levels = {**existing, **{d.code: d.level for d in out.divisions}}
    counties = [d for d in out.divisions if d.level == COUNTY]
    sys_counties = [c for c, lv in existing.items() if lv == COUNTY]
    if len(counties) > 1:
        out.issues.append(Issue(sheet, counties[1].row, "统计用区划代码",
                                f"一个文件只能有一个县（区）：已有第{counties[0].row}行的{counties[0].code}"))
    if counties and sys_counties and counties[0].code not in sys_counties:
        out.issues.append(Issue(sheet, counties[0].row, "统计用区划代码",
                                f"系统中的县（区）代码是{sys_counties[0]}，与文件中的{counties[0].code}不同"))
    for d in out.divisions:
        if d.level == COUNTY:
            continue
        want = PARENT_LEVEL[d.level]
        if d.parent not in levels:
            out.issues.append(Issue(sheet, d.row, "上级代码",
                                    f"上级{LEVEL_NAMES[want]}{d.parent}不存在：文件中没有，系统中也没有"))
        elif levels[d.parent] != want:
            out.issues.append(Issue(sheet, d.row, "上级代码",
                                    f"上级代码{d.parent}是{LEVEL_NAMES[levels[d.parent]]}级，"
                                    f"{LEVEL_NAMES[d.level]}的上级应为{LEVEL_NAMES[want]}"))
    for d in out.divisions:  # a chain that comes back to itself (only explicit parents can)
        seen, cur = {d.code}, in_file[d.code].parent
        while cur in in_file:
            if cur in seen:
                out.issues.append(Issue(sheet, d.row, "上级代码", f"上级关系形成循环：{d.code} → … → {cur}"))
                break
            seen.add(cur)
            cur = in_file[cur].parent
