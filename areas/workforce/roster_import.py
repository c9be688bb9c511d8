"""队伍与阵地名单导入 (issue 15 items 5 and 8): workers (儿童主任, 儿童督导员, 志愿者, 看护岗) and
facilities (儿童之家 …) from an Excel or CSV roster — a preview with row/column/reason errors in
Chinese, then every row or none. Each row meets the rules of a record saved by hand
(areas/workforce/writes.check_worker / check_facility, the one-per-village vacancy rule included)
and names its place by 乡镇 and 村（社区）(village names repeat across townships) or a 12-digit
区划代码. Importing the same roster again changes nothing: a worker is the same one when
(类别, 姓名, 区划, 任职日期) or (类别, 区划, 联系电话) match, a facility when (类别, 名称, 区划) do.
A township account imports its own township's rows only; another township's row is a row error."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from core import access, geo, uploads
from core import indicators as ci
from core.divisions import normalize_code
from core.excel_safety import sheet_bytes
from core.importing import Issue, norm_header, parse_date
from core.roles import Actor
from core.validation import control_error, date_error
from db import audit
from db.errors import require
from db.models import Facility, Region, Worker
from areas.registry.importer import ImportRefused, read_tables
from areas.workforce.writes import check_facility, check_worker

WORKER, FACILITY = "worker", "facility"
LABEL = {WORKER: "队伍名单", FACILITY: "阵地名单"}
TEMPLATE_HEADER = {
    WORKER: ["类别", "姓名", "乡镇", "村（社区）", "区划代码", "联系电话", "任职日期", "离任日期", "培训日期"],
    FACILITY: ["类别", "名称", "乡镇", "村（社区）", "区划代码", "状态", "达标", "启用日期"],
}
_PLACE = {"kind": ("类别", "岗位类别", "人员类别", "阵地类别"), "township": ("乡镇", "乡镇(街道)", "所属乡镇"),
          "village": ("村(社区)", "村(居)", "村", "所在村", "村(社区)名称"), "code": ("区划代码", "统计用区划代码")}
_HEADERS = {
    WORKER: {**_PLACE, "name": ("姓名",), "phone": ("联系电话", "电话", "手机号码"),
             "appointed": ("任职日期", "任命日期"), "left": ("离任日期",), "trained": ("培训日期", "最近培训日期")},
    FACILITY: {**_PLACE, "name": ("名称", "阵地名称"), "status": ("状态", "运行状态"),
               "standard": ("达标", "是否达标", "达到建设标准"), "opened": ("启用日期", "建成日期")},
}
_COLUMN = {"kind": "类别", "township": "乡镇", "village": "村（社区）", "code": "区划代码", "phone": "联系电话",
           "appointed": "任职日期", "left": "离任日期", "trained": "培训日期", "status": "状态", "standard": "达标",
           "opened": "启用日期"}
# The column a rule's reason speaks of (the rules answer in sentences, not per field).
_REASON_COLUMN = (("姓名", "姓名"), ("名称", "名称"), ("任职日期", "任职日期"), ("离任日期", "离任日期"),
                  ("联系电话", "联系电话"), ("培训日期", "培训日期"), ("状态", "状态"), ("运行中的阵地启用日期", "启用日期"))
_YES = {"是", "达标", "标准", "1", "true", "y", "yes", "√"}
_NO = {"否", "不达标", "未达标", "0", "false", "n", "no", "×"}


@dataclass
class RosterRow:
    row: int  # as Excel numbers it
    place: str  # 乡镇 / 村（社区）, for the preview
    values: dict  # the model's fields
    existing_id: int | None
    action: str  # 新增 / 更新 / 无变化


@dataclass
class RosterPreview:
    what: str
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"新增": 0, "更新": 0, "无变化": 0}
        for r in self.rows:
            out[r.action] += 1
        return out


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v).strip()


class _Places:
    """Townships and villages of the county, found by code, by name, or by normalised name
    (镇/乡/街道/村/社区 dropped); a village always within its township."""

    def __init__(self, session: Session):
        self.regions: dict[int, tuple[str, str, int | None]] = {}  # id → level, name, township id
        self.by_code: dict[str, int] = {}
        self.towns: dict[str, set[int]] = {}
        self.villages: dict[tuple[int, str], set[int]] = {}
        self.village_towns: dict[str, set[int]] = {}
        self._loaded: dict[int, Region] = {}  # strong references: the session's identity map is weak
        rows = session.execute(select(Region.id, Region.code, Region.name, Region.level, Region.parent_id)
                               .where(Region.level.in_(("township", "village")))).all()
        for rid, code, name, level, parent in rows:
            tid = rid if level == "township" else parent
            self.regions[rid] = (level, name, tid)
            self.by_code[code] = rid
            for key in {name, geo.normalize_name(name)}:
                if level == "township":
                    self.towns.setdefault(key, set()).add(rid)
                else:
                    self.villages.setdefault((tid, key), set()).add(rid)
                    self.village_towns.setdefault(key, set()).add(tid)

    def region(self, session: Session, rid: int) -> Region:
        """The Region object the rules take, loaded once per import (without its boundary)."""
        if rid not in self._loaded:
            self._loaded[rid] = session.get(Region, rid, options=[defer(Region.boundary)])
        return self._loaded[rid]

    def label(self, rid: int) -> str:
        level, name, tid = self.regions[rid]
        return name if level == "township" else f"{self.regions[tid][1]} / {name}"

    @staticmethod
    def _one(found: dict, key) -> int | None:
        """The one region of this name (exact first, then normalised); None if none or several."""
        exact, loose = key(lambda n: n), key(geo.normalize_name)
        ids = found.get(exact) or found.get(loose) or set()
        return next(iter(ids)) if len(ids) == 1 else None

    def find(self, township: str, village: str, code) -> tuple[int | None, str, str]:
        """(region id, column, reason): the region, or the column and the Chinese reason why not."""
        if _text(code):
            c, why = normalize_code(code)
            if why:
                return None, "区划代码", why
            if c not in self.by_code:
                return None, "区划代码", f"找不到区划代码「{c}」对应的乡镇或村（社区）"
            return self.by_code[c], "", ""
        if not township:
            return None, "乡镇", "乡镇为空（或填写12位区划代码）"
        tid = self.by_code.get(township) if township.isdigit() else self._one(self.towns, lambda norm: norm(township))
        if tid is None or self.regions.get(tid, ("",))[0] != "township":
            return None, "乡镇", f"找不到乡镇「{township}」"
        if not village:
            return tid, "", ""
        vid = self._one(self.villages, lambda norm: (tid, norm(village)))
        if vid is not None:
            return vid, "", ""
        elsewhere = self.village_towns.get(village) or self.village_towns.get(geo.normalize_name(village)) or set()
        if elsewhere:
            names = "、".join(sorted(self.regions[t][1] for t in elsewhere))
            return None, "村（社区）", f"「{village}」不属于{self.regions[tid][1]}（属于{names}）"
        return None, "村（社区）", f"在{self.regions[tid][1]}找不到村（社区）「{village}」"


def _columns(header, names: dict) -> dict[str, int]:
    out = {}
    for i, h in enumerate(header or ()):
        key = norm_header(h)
        for fld, words in names.items():
            if fld not in out and key in (norm_header(w) for w in words):
                out[fld] = i
    return out


def _needed(what: str) -> set[str]:
    return {"kind", "name", "appointed"} if what == WORKER else {"kind", "name"}


def _column_of(reason: str) -> str | None:
    if "应配备到" in reason:
        return "村（社区）"
    return next((col for word, col in _REASON_COLUMN if reason.startswith(word)), None)


def preview(session: Session, actor: Actor, what: str, filename: str, data: bytes,
            today: dt.date | None = None) -> RosterPreview:
    """Every row read and checked; nothing written."""
    require(actor, "workforce.edit")
    today = today or dt.date.today()
    sheet, rows = read_tables(filename, data, kind=uploads.ROSTER)[0]
    out = RosterPreview(what)
    names = _HEADERS[what]
    start = next((k for k, r in enumerate(rows[:10]) if _needed(what) <= set(c := _columns(r, names))
                  and ({"township", "code"} & set(c))), None)
    if start is None:
        need = "「类别」「姓名」「任职日期」" if what == WORKER else "「类别」「名称」"
        out.errors.append(Issue(sheet, None, None, f"找不到表头：需要{need}和「乡镇」「村（社区）」（或「区划代码」）列，请下载模板对照"))
        return out
    cols = _columns(rows[start], names)
    places = _Places(session)
    model = Worker if what == WORKER else Facility
    known: dict[tuple, object] = {}  # the records a row may be: by each of its keys
    for obj in session.scalars(select(model).where(model.deleted_at.is_(None)).order_by(model.id)):
        for key in _keys(what, obj.kind, obj.name, obj.region_id, getattr(obj, "appointed_on", None),
                         getattr(obj, "phone", None)):
            known.setdefault(key, obj)
    check = _worker_row if what == WORKER else _facility_row
    seen: dict = {}
    for k, r in enumerate(rows[start + 1:], start=start + 2):
        r = list(r or ())
        if all(_text(v) == "" for v in r):
            continue
        bad = lambda col, why: out.errors.append(Issue(sheet, k, col, why))  # noqa: E731
        if any(isinstance(v, str) and v.strip().startswith("=") for v in r):
            bad(None, "单元格含公式，请改为纯文本后再导入")
            continue
        cell = {f: (r[i] if i < len(r) else None) for f, i in cols.items()}
        kind = _text(cell.get("kind"))
        kinds = ci.WORKER_KINDS if what == WORKER else ci.FACILITY_KINDS
        if kind not in kinds:
            bad("类别", f"类别应为{'、'.join(kinds)}之一，而不是「{kind}」")
            continue
        rid, col, why = places.find(_text(cell.get("township")), _text(cell.get("village")), cell.get("code"))
        if rid is None:
            bad(col, why)
            continue
        refused = access.refusal(actor, "workforce.edit", township_id=places.regions[rid][2])
        if refused:
            bad("乡镇", refused)
            continue
        row = check(session, actor, k, kind, rid, cell, places, known, seen, today, bad)
        if row is not None:
            out.rows.append(row)
    if what == WORKER:
        out.rows = _worker_rules(session, actor, out.rows, places, today,
                                 lambda k, col, why: out.errors.append(Issue(sheet, k, col, why)))
        out.errors.sort(key=lambda i: i.row or 0)  # stable: a row's reasons keep their order
    if not out.rows and not out.errors:
        out.errors.append(Issue(sheet, None, None, "文件中没有数据行"))
    return out


def _keys(what: str, kind: str, name: str, region_id: int, appointed_on=None, phone=None) -> list[tuple]:
    """What makes a row the same record: a worker by 类别, 姓名, 区划 and 任职日期, or by 类别, 区划
    and 联系电话; a facility by 类别, 名称 and 区划."""
    if what == FACILITY:
        return [("site", kind, name, region_id)]
    return [("who", kind, name, region_id, appointed_on)] + ([("phone", kind, region_id, phone)] if phone else [])


def _dates(cell: dict, fields: tuple[str, ...], bad) -> dict | None:
    got = {}
    for f in fields:
        try:
            got[f] = parse_date(cell.get(f))
        except ValueError:
            bad(_COLUMN[f], f"{_COLUMN[f]}「{_text(cell.get(f))}」无法识别，请写成 2025-03-01")
            return None
    return got


def _same(existing, values: dict) -> bool:
    return all(getattr(existing, k) == v for k, v in values.items())


def _worker_row(session, actor, k, kind, rid, cell, places, known, seen, today, bad) -> RosterRow | None:
    """A worker row read and matched; its rules are checked once every row is (_worker_rules)."""
    d = _dates(cell, ("appointed", "left", "trained"), bad)
    if d is None:
        return None
    name, phone = _text(cell.get("name")), _text(cell.get("phone")) or None
    values = dict(kind=kind, name=name, region_id=rid, phone=phone, appointed_on=d["appointed"],
                  left_on=d["left"], trained_on=d["trained"])
    keys = _keys(WORKER, kind, name, rid, d["appointed"], phone)
    for key in keys:
        if key in seen:
            what = "类别、姓名、区划和任职日期" if key[0] == "who" else "类别、区划和联系电话"
            bad("姓名" if key[0] == "who" else "联系电话", f"与第{seen[key]}行重复（{what}相同）")
            return None
    match = next((known[key] for key in keys if key in known), None)
    if match is not None and ("match", match.id) in seen:
        bad("姓名", f"与第{seen[('match', match.id)]}行对应同一条已有记录")
        return None
    for key in keys + ([("match", match.id)] if match is not None else []):
        seen[key] = k
    action = "新增" if match is None else ("无变化" if _same(match, values) else "更新")
    return RosterRow(k, places.label(rid), values, match.id if match else None, action)


def _worker_rules(session, actor, rows: list[RosterRow], places, today, bad) -> list[RosterRow]:
    """The rules of a worker saved by hand, with the roster's own rows in place of the stored
    records they update (a handover in one file: the old one's 离任日期, the new one's row)."""
    updated = {r.existing_id for r in rows if r.existing_id is not None}
    posts: dict[tuple, list] = {}
    ok = []
    for r in rows:
        v = r.values
        level, place_name, _tid = places.regions[v["region_id"]]
        errors = check_worker(session, actor, kind=v["kind"], name=v["name"], region=places.region(session, v["region_id"]),
                              phone=v["phone"], appointed_on=v["appointed_on"], left_on=v["left_on"], today=today,
                              exclude_ids=updated)
        errors += [e for e in (control_error(v["name"], "姓名"),
                               date_error(v["trained_on"], not_after=today, label="培训日期")) if e]
        post = posts.setdefault((v["kind"], v["region_id"]), [])
        if not errors and v["kind"] in ci.ONE_PER_REGION:  # two tenures of one post in the same roster
            end = v["left_on"] or dt.date.max
            clash = next((row2 for row2, a2, e2 in post if v["appointed_on"] < e2 and a2 < end), None)
            if clash is not None:
                errors.append(f"与第{clash}行同为{place_name}的{v['kind']}，任职时间重叠"
                              f"（每{'村' if level == 'village' else '乡镇'}只设1名）")
        for why in errors:
            bad(r.row, _column_of(why), why)
        if not errors:
            post.append((r.row, v["appointed_on"], v["left_on"] or dt.date.max))
            ok.append(r)
    return ok


def _standard(raw) -> bool | None:
    s = _text(raw).lower()
    if not s:
        return True  # the form's default
    return True if s in _YES else False if s in _NO else None


def _facility_row(session, actor, k, kind, rid, cell, places, known, seen, today, bad) -> RosterRow | None:
    d = _dates(cell, ("opened",), bad)
    if d is None:
        return None
    name, status = _text(cell.get("name")), _text(cell.get("status")) or "运行"
    standard = _standard(cell.get("standard"))
    if standard is None:
        bad("达标", f"达标应填“是”或“否”，而不是「{_text(cell.get('standard'))}」")
        return None
    errors = check_facility(actor, kind=kind, name=name, region=places.region(session, rid), status=status,
                            opened_on=d["opened"], today=today)
    if err := control_error(name, "名称"):
        errors.append(err)
    if errors:
        for why in errors:
            bad(_column_of(why), why)
        return None
    [key] = _keys(FACILITY, kind, name, rid)
    if key in seen:
        bad("名称", f"与第{seen[key]}行重复（类别、名称和区划相同）")
        return None
    seen[key] = k
    values = dict(kind=kind, name=name, region_id=rid, status=status, standard=standard, opened_on=d["opened"])
    match = known.get(key)
    action = "新增" if match is None else ("无变化" if _same(match, values) else "更新")
    return RosterRow(k, places.label(rid), values, match.id if match else None, action)


def apply(session: Session, actor: Actor, what: str, filename: str, data: bytes,
          today: dt.date | None = None) -> dict[str, int]:
    """Every row or none; returns how many were 新增 / 更新 / 无变化."""
    require(actor, "workforce.edit")
    pv = preview(session, actor, what, filename, data, today)
    if pv.errors:
        raise ImportRefused(f"{LABEL[what]}有 {len(pv.errors)} 处问题，未导入任何数据，请修改后重新上传。", pv.errors)
    model = Worker if what == WORKER else Facility
    for r in pv.rows:
        if r.action == "新增":
            session.add(model(**r.values))
        elif r.action == "更新":
            obj = session.get(model, r.existing_id)
            for key, value in r.values.items():
                setattr(obj, key, value)
    session.flush()  # each row audited by the flush (Worker and Facility are Audited)
    counts = pv.counts()
    audit.record(session, "import", what, None,
                 summary=f"导入{LABEL[what]} {filename}：新增{counts['新增']}行，更新{counts['更新']}行，无变化{counts['无变化']}行")
    return counts


def template(what: str) -> bytes:
    if what == WORKER:
        examples = [["儿童主任", "张三", "城关镇", "东门村", "", "13800000000", "2024-03-01", "", "2025-05-20"],
                    ["儿童督导员", "李四", "城关镇", "", "", "", "2023-09-01", "", ""]]
    else:
        examples = [["儿童之家", "东门村儿童之家", "城关镇", "东门村", "", "运行", "是", "2022-06-01"]]
    return sheet_bytes(LABEL[what], TEMPLATE_HEADER[what], examples)
