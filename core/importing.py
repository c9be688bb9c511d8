"""Import-row validation for the township ledger (seed 001 附件2) and the full template.

Pure: takes the cell values of each sheet (lists of rows), returns cleaned rows and a
list of problems, each with sheet, row number (as Excel shows it), column and a Chinese
reason. Nothing here knows about the database: the caller passes the villages in scope
and checks the ID numbers against the registry itself.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from . import idnumber
from .categories import CATEGORIES, DIFFICULTIES, SUBTYPES, code_for
from .excel_safety import unescape_cell
from .masking import HIDDEN
from .validation import control_error, phone_error, text_error

# The ledger the townships already keep (001 附件2), in its order.
LEDGER_HEADERS = ["序号", "姓名", "性别", "身份证号码", "人员类别", "帮扶责任人(职务)", "帮扶措施", "联系电话", "备注"]
# The full template the app offers for download.
TEMPLATE_HEADERS = [
    "序号", "乡镇", "村(居)", "姓名", "性别", "身份证号码", "人员类别", "困难程度", "帮扶责任人(职务)", "帮扶措施",
    "联系电话", "住址", "纳入日期", "家庭状况", "生活情况", "父母或子女动态", "学习状况", "健康状况", "心理健康状况", "备注",
]
FIELD_OF = {
    "序号": "seq", "姓名": "name", "性别": "gender", "身份证号码": "id_number", "身份证号": "id_number",
    "公民身份号码": "id_number", "身份证": "id_number", "人员类别": "categories", "类别": "categories",
    "帮扶责任人(职务)": "helper", "帮扶责任人": "helper", "帮扶人(职务)": "helper", "帮扶措施": "measures",
    "联系电话": "phone", "电话": "phone", "联系方式": "phone", "备注": "notes", "村(居)": "village", "村": "village",
    "村居": "village", "村(社区)": "village", "所在村": "village", "乡镇": "township", "乡镇(街道)": "township",
    "困难程度": "difficulty", "纳入日期": "enrolled_on", "住址": "address", "家庭住址": "address",
    "家庭状况": "family_situation", "生活情况": "living_situation", "父母或子女动态": "parents_status",
    "学习状况": "school_situation", "健康状况": "health_situation", "心理健康状况": "psychological_situation",
}
COLUMN_OF = {  # field → the column name shown in messages
    "seq": "序号", "name": "姓名", "gender": "性别", "id_number": "身份证号码", "categories": "人员类别",
    "helper": "帮扶责任人(职务)", "measures": "帮扶措施", "phone": "联系电话", "notes": "备注", "village": "村(居)",
    "township": "乡镇", "difficulty": "困难程度", "enrolled_on": "纳入日期", "address": "住址",
    "family_situation": "家庭状况", "living_situation": "生活情况", "parents_status": "父母或子女动态",
    "school_situation": "学习状况", "health_situation": "健康状况", "psychological_situation": "心理健康状况",
}
TEXT_LIMITS = {"name": 64, "helper": 130, "notes": 2000, "address": 200, "measures": 2000, "family_situation": 2000,
               "living_situation": 2000, "parents_status": 2000, "school_situation": 2000,
               "health_situation": 2000, "psychological_situation": 2000}
SITUATION_FIELDS = ("address", "family_situation", "living_situation", "parents_status", "school_situation",
                    "health_situation", "psychological_situation")
# A masked export (core/masking.py) re-imported: these cells then hold a mask, never a value.
# Names, ID numbers, phones and staff names are masked with '*', which none of them may
# contain; free text is hidden whole.
STARRED_FIELDS = ("name", "id_number", "phone", "helper")
HIDDEN_FIELDS = ("notes",) + SITUATION_FIELDS
MASKED_ID_NOTE = "身份证号码已脱敏，无法确定是哪个人，本行不导入（脱敏导出的文件不能用来更新台账）"


def masked_cell(fld: str, value) -> bool:
    """Whether an import cell holds a mask instead of a value (it must then change nothing)."""
    if not isinstance(value, str):
        return False
    if fld in STARRED_FIELDS:
        return "*" in value
    return fld in HIDDEN_FIELDS and value.strip() == HIDDEN
_TITLE_VILLAGE_RE = re.compile(r"村[(（]居[)）]\s*[:：]\s*([^\s:：,，;；]+)")
_SPLIT_RE = re.compile(r"[、,，;；/\s]+")
_SUBTYPE_RE = re.compile(r"^(.+?)[(（](.+?)[)）]$")
_HELPER_RE = re.compile(r"^(.+?)\s*[(（](.+?)[)）]$")
_DEFAULT_SHEET_RE = re.compile(r"^(sheet|工作表)\s*\d*$", re.IGNORECASE)


@dataclass(frozen=True)
class Issue:
    sheet: str
    row: int | None  # as Excel numbers it (1-based); None = the whole sheet/file
    column: str | None
    reason: str


@dataclass
class RawRow:
    sheet: str
    row: int
    values: dict[str, Any]  # field → raw cell value
    sheet_village: str | None = None


@dataclass
class CleanRow:
    sheet: str
    row: int
    id_number: str
    name: str | None  # None only when the cell was masked (see `masked`)
    gender: str
    birth_date: dt.date
    categories: list[tuple[str, str | None]]
    village_id: int
    township_id: int
    present: set[str] = field(default_factory=set)  # fields whose column exists and cell is not empty
    phone: str | None = None
    difficulty: str | None = None
    helper: tuple[str, str | None] | None = None
    measures: str | None = None
    notes: str | None = None
    enrolled_on: dt.date | None = None
    extra: dict[str, str | None] = field(default_factory=dict)  # address and situation texts
    masked: set[str] = field(default_factory=set)  # fields whose cell held a mask: left as they are


@dataclass(frozen=True)
class VillageRef:
    id: int
    name: str
    township_id: int
    township: str


def norm_header(value) -> str:
    s = "".join(str(value or "").split())
    s = s.replace("（", "(").replace("）", ")").rstrip("*＊:：")
    return s


def _is_empty(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def find_header(rows: list[list]) -> tuple[int, dict[int, str]] | None:
    """(index of the header row, column index → field) within the first 15 rows."""
    for i, row in enumerate(rows[:15]):
        mapping = {}
        for j, cell in enumerate(row or ()):
            f = FIELD_OF.get(norm_header(cell))
            if f and f not in mapping.values():
                mapping[j] = f
        if "name" in mapping.values() and "id_number" in mapping.values():
            return i, mapping
    return None


def village_from_title(rows: list[list], sheet_name: str) -> str | None:
    """村(居) written above the header ('村(居)：张家村'), else a sheet named after the village."""
    for row in rows:
        for cell in row or ():
            m = _TITLE_VILLAGE_RE.search(str(cell or ""))
            if m:
                return m.group(1)
    name = (sheet_name or "").strip()
    if name and not _DEFAULT_SHEET_RE.match(name) and name.endswith(("村", "社区", "居委会")):
        return name
    return None


def extract(sheets: list[tuple[str, list[list]]]) -> tuple[list[RawRow], list[Issue]]:
    """Rows with their fields, and sheet-level problems (no header, nothing to import)."""
    out: list[RawRow] = []
    issues: list[Issue] = []
    for name, rows in sheets:
        if not any(not _is_empty(c) for r in rows for c in (r or ())):
            continue  # an empty sheet carries nothing
        hdr = find_header(rows)
        if hdr is None:
            issues.append(Issue(name, None, None, "未找到表头：表头行须包含“姓名”和“身份证号码”列（模板见“下载导入模板”）"))
            continue
        h, mapping = hdr
        sheet_village = None if "village" in mapping.values() else village_from_title(rows[:h], name)
        for i, row in enumerate(rows[h + 1:], start=h + 2):
            values = {f: (row[j] if row is not None and j < len(row) else None) for j, f in mapping.items()}
            content = {k: v for k, v in values.items() if k != "seq" and not _is_empty(v)}
            if not content:
                continue
            first = str(next(iter(content.values()))).strip()
            if len(content) == 1 and first.startswith(("合计", "填表", "说明", "注：", "注:")):
                continue
            out.append(RawRow(name, i, values, sheet_village))
    if not out and not issues:
        issues.append(Issue("", None, None, "文件中没有可导入的数据行"))
    return out, issues


def _text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def parse_categories(raw) -> tuple[list[tuple[str, str | None]], list[str]]:
    """'农村留守儿童、困境儿童(经济困难)' → codes with subtypes, and unknown names."""
    found: list[tuple[str, str | None]] = []
    unknown: list[str] = []
    for part in _SPLIT_RE.split(str(raw or "").strip()):
        if not part:
            continue
        sub = None
        m = _SUBTYPE_RE.match(part)
        code = code_for(part)
        if code is None and m:
            code, sub = code_for(m.group(1)), m.group(2).strip()
        if code is None:
            unknown.append(part)
            continue
        if sub and sub not in SUBTYPES.get(code, ()):
            unknown.append(part)
            continue
        if code not in [c for c, _ in found]:
            found.append((code, sub))
    return found, unknown


def parse_helper(raw) -> tuple[str, str | None] | None:
    s = _text(raw)
    if not s:
        return None
    m = _HELPER_RE.match(s)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return s, None


def parse_date(v) -> dt.date | None:
    """None on empty; raises ValueError on anything unreadable."""
    if _is_empty(v):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = str(v).strip().replace("/", "-").replace(".", "-")
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", s)
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(s)


def _id_number(raw) -> tuple[str | None, str | None, str | None]:
    """(normalised value, error, note)."""
    if isinstance(raw, bool):
        return None, "身份证号码格式不正确", None
    if isinstance(raw, int):
        return None, "身份证号码被Excel存成了数字，末几位可能已丢失，请将该列设为文本格式后重新填写", None
    chk = idnumber.validate(raw)
    if not chk.ok:
        return None, chk.error, None
    note = None
    if isinstance(raw, str) and raw.strip() != chk.value:
        note = "身份证号码已规范为" + chk.value + "（去除空格、全角数字转半角、小写x转大写X）"
    return chk.value, None, note


def validate(
    raw_rows: list[RawRow],
    villages: list[VillageRef],
    today: dt.date,
    all_village_names: set[str] | None = None,
) -> tuple[list[CleanRow], list[Issue], list[Issue]]:
    """(clean rows, errors, notes). `villages` are the ones the importing user may write to;
    `all_village_names` lets the message tell 'another township' from 'no such village'."""
    by_name: dict[str, list[VillageRef]] = {}
    for v in villages:
        by_name.setdefault(v.name, []).append(v)
    clean: list[CleanRow] = []
    errors: list[Issue] = []
    notes: list[Issue] = []
    seen: dict[str, tuple[str, int]] = {}

    for r in raw_rows:
        row_errors: list[Issue] = []

        def bad(fld: str, reason: str) -> None:
            row_errors.append(Issue(r.sheet, r.row, COLUMN_OF.get(fld, fld), reason))

        vals = dict(r.values)
        formula: set[str] = set()
        masked: set[str] = set()
        for fld, v in list(vals.items()):
            if isinstance(v, str) and v.strip().startswith("="):
                bad(fld, "单元格含公式（如=HYPERLINK(...)），请改为纯文本后再导入")
                vals[fld] = None
                formula.add(fld)
                continue
            v = vals[fld] = unescape_cell(v)  # our own export's escape (core/excel_safety.py)
            err = control_error(v, COLUMN_OF.get(fld, fld))
            if err:
                bad(fld, err)
                vals[fld] = None
                formula.add(fld)  # reported: no second message for the same cell
            elif masked_cell(fld, v):
                vals[fld] = None
                masked.add(fld)
        if "id_number" in masked:
            notes.append(Issue(r.sheet, r.row, COLUMN_OF["id_number"], MASKED_ID_NOTE))
            continue
        present = {k for k, v in vals.items() if not _is_empty(v)}

        idn, err, note = _id_number(vals.get("id_number")) if "id_number" in present else (None, "身份证号码为空", None)
        if "id_number" in formula:
            err = None  # already reported as a formula
        if err:
            bad("id_number", err)
        if note:
            notes.append(Issue(r.sheet, r.row, "身份证号码", note))
        gender = birth = None
        if idn:
            gender, birth = idnumber.derive(idn)
            if idn in seen:
                s0, r0 = seen[idn]
                where = f"第{r0}行" if s0 == r.sheet else f"工作表“{s0}”第{r0}行"
                bad("id_number", f"与{where}的身份证号码重复")
            else:
                seen[idn] = (r.sheet, r.row)

        name = _text(vals.get("name"))
        if not name and "name" not in formula and "name" not in masked:
            bad("name", "姓名不能为空")

        g = _text(vals.get("gender"))
        if g and gender and g not in (gender, gender + "性"):
            bad("gender", f"性别“{g}”与身份证号码不符（应为{gender}）")

        cats: list[tuple[str, str | None]] = []
        if "categories" in present:
            cats, unknown = parse_categories(vals["categories"])
            for u in unknown:
                bad("categories", f"未知人员类别“{u}”（可用：{'、'.join(CATEGORIES.values())}）")
        elif "categories" not in formula:
            bad("categories", "人员类别不能为空")

        vname = _text(vals.get("village")) or r.sheet_village
        village: VillageRef | None = None
        if not vname:
            if "village" not in formula:
                bad("village", "缺少村(居)：请填写“村(居)”列，或在表头上方写明“村(居)：XX村”")
        else:
            cands = by_name.get(vname, [])
            town = _text(vals.get("township"))
            if town:
                cands = [c for c in cands if c.township == town]
            if len(cands) == 1:
                village = cands[0]
            elif len(cands) > 1:
                bad("village", f"村(居)“{vname}”在多个乡镇重名，请填写“乡镇”列")
            elif all_village_names is not None and vname in all_village_names:
                bad("village", f"村(居)“{vname}”不属于您管辖的乡镇，不能导入")
            else:
                bad("village", f"未找到村(居)“{vname}”，请核对名称")

        phone = _text(vals.get("phone"))
        if phone:
            phone = phone.replace(" ", "")
            err = phone_error(phone)
            if err:
                bad("phone", err)

        difficulty = _text(vals.get("difficulty"))
        if difficulty and difficulty not in DIFFICULTIES:
            bad("difficulty", f"困难程度只能是：{'、'.join(DIFFICULTIES)}")

        enrolled = None
        if "enrolled_on" in present:
            try:
                enrolled = parse_date(vals["enrolled_on"])
                if enrolled and enrolled > today:
                    bad("enrolled_on", "纳入日期不能晚于今天")
                elif enrolled and birth and enrolled < birth:
                    bad("enrolled_on", "纳入日期不能早于出生日期")
            except ValueError:
                bad("enrolled_on", "纳入日期格式不正确，应为YYYY-MM-DD")

        for fld, n in TEXT_LIMITS.items():
            err = text_error(_text(vals.get(fld)), n, COLUMN_OF[fld])
            if err:
                bad(fld, err)

        if row_errors:
            errors += row_errors
            continue
        clean.append(CleanRow(
            sheet=r.sheet, row=r.row, id_number=idn, name=name, gender=gender, birth_date=birth,
            categories=cats, village_id=village.id, township_id=village.township_id, present=present,
            phone=phone, difficulty=difficulty, helper=parse_helper(vals.get("helper")),
            measures=_text(vals.get("measures")), notes=_text(vals.get("notes")), enrolled_on=enrolled,
            extra={f: _text(vals.get(f)) for f in SITUATION_FIELDS if f in present}, masked=masked,
        ))
    return clean, errors, notes
