"""Indicator definitions (DESIGN.md §5): one place for code, Chinese name, formula, unit,
direction, default target, warning band and the seed each comes from; plus the pure
arithmetic around them (rate, status against a target, periods).

Values are percentages (0–100). The SQL that counts numerators and denominators lives in
areas/indicators/reads.py; nothing here touches a database.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

# The half-year round in force on a date lives with the other assessment-round rules.
from core.assessments import suggest_period as assessment_round  # noqa: F401

HIGHER = "higher"  # higher is better
LOWER = "lower"  # lower is better

MET = "达标"
WARN = "预警"
MISSED = "未达标"
NO_DATA = "无数据"
STATUSES = (MET, WARN, MISSED, NO_DATA)
STATUS_COLORS = {MET: "#c8e6c9", WARN: "#fff3b0", MISSED: "#ffcdd2", NO_DATA: "#eeeeee"}

# What the numerator counts, which decides how a cell is explained / drilled into.
PEOPLE = "people"  # registry people (personal data behind the complement)
VILLAGES = "villages"  # villages of a township
TOWNSHIPS = "townships"  # 1 per township (coverage of the township itself)
PUPILS = "pupils"  # school statistics
CARDS = "cards"  # incident cards
TASKS = "tasks"  # joint-meeting tasks (county level only)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    formula: str  # how it is computed, in the user's words
    numerator: str  # label of what the numerator counts
    denominator: str
    complement: str  # label of who/what is behind "denominator − numerator"
    unit: str
    direction: str
    default_target: float
    warning_band: float  # percentage points on the wrong side of the target still 预警
    seed: str
    basis: str  # PEOPLE / VILLAGES / TOWNSHIPS / PUPILS / CARDS / TASKS
    county_only: bool = False
    village_breakdown: bool = False  # can be drilled into per village

    @property
    def target_text(self) -> str:
        op = "≥" if self.direction == HIGHER else "≤"
        return f"{op}{fmt_value(self.default_target)}{self.unit}"


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "helper_rate", "帮扶责任人落实率",
        "在册人员中，期末有在岗帮扶责任人（结对未结束）的人数 ÷ 期末在册人数",
        "已落实帮扶责任人人数", "期末在册人数", "未落实帮扶责任人的人员",
        "%", HIGHER, 100.0, 5.0, "001 一帮一、一帮多结对帮扶", PEOPLE, village_breakdown=True),
    Indicator(
        "visit_on_time", "走访按期率",
        "本月应走访人员中（按走访频次规则：一般每月至少2次、特别困难每周至少1次；月末才入册、本月应访0次的不计），"
        "本月走访次数达到应访次数的人数 ÷ 本月应走访人数",
        "按期走访人数", "本月应走访人数", "本月走访不足的人员",
        "%", HIGHER, 95.0, 10.0, "001 每月走访探视至少2次，特别困难每周至少1次", PEOPLE, village_breakdown=True),
    Indicator(
        "assessment_rate", "风险评估完成率",
        "在册儿童（留守、困境、辍学、孤儿）中，在当前半年评估轮次（3月轮或9月轮）已完成风险评估的人数 ÷ 在册儿童数",
        "本轮已评估儿童数", "在册儿童数", "本轮尚未评估的儿童",
        "%", HIGHER, 100.0, 10.0, "002 每年3月、9月两次风险评估", PEOPLE, village_breakdown=True),
    Indicator(
        "guardianship_rate", "监护落实率",
        "在册儿童（留守、困境、辍学、孤儿）中，有具备监护能力的监护人或已签委托监护协议的人数 ÷ 在册儿童数",
        "监护已落实儿童数", "在册儿童数", "监护未落实的儿童",
        "%", HIGHER, 100.0, 5.0, "002 监护能力评估与委托监护协议", PEOPLE, village_breakdown=True),
    Indicator(
        "director_coverage", "儿童主任村覆盖率",
        "期末有在任儿童主任的村（社区）数 ÷ 村（社区）总数",
        "有儿童主任的村数", "村（社区）数", "没有儿童主任的村",
        "%", HIGHER, 100.0, 10.0, "002/003 每个村（社区）配备1名儿童主任", VILLAGES, village_breakdown=True),
    Indicator(
        "supervisor_coverage", "督导员乡镇覆盖",
        "期末有在任儿童督导员的乡镇数 ÷ 乡镇数（单个乡镇为有/无）",
        "有督导员的乡镇数", "乡镇数", "没有儿童督导员的乡镇",
        "%", HIGHER, 100.0, 10.0, "002/003 每个乡镇（街道）配备1名儿童督导员", TOWNSHIPS),
    Indicator(
        "home_coverage", "儿童之家乡镇覆盖",
        "期末有运行中、达标的儿童之家的乡镇数 ÷ 乡镇数",
        "有达标儿童之家的乡镇数", "乡镇数", "没有达标儿童之家的乡镇",
        "%", HIGHER, 100.0, 10.0, "002 每个乡镇建成1所标准化儿童之家", TOWNSHIPS),
    Indicator(
        "boarding_coverage", "寄宿制学校乡镇覆盖",
        "期末有运行中、达标的寄宿制学校的乡镇数 ÷ 乡镇数",
        "有达标寄宿制学校的乡镇数", "乡镇数", "没有达标寄宿制学校的乡镇",
        "%", HIGHER, 100.0, 10.0, "002 每个乡镇建成1所标准化寄宿制学校", TOWNSHIPS),
    Indicator(
        "volunteer_coverage", "志愿者村覆盖率",
        "期末至少有1名在岗关爱儿童志愿者的村（社区）数 ÷ 村（社区）总数",
        "有志愿者的村数", "村（社区）数", "没有志愿者的村",
        "%", HIGHER, 100.0, 10.0, "002 力争每个村（社区）有1名关爱儿童志愿者", VILLAGES, village_breakdown=True),
    Indicator(
        "primary_dropout", "小学辍学率",
        "本学年小学辍学人数 ÷ 小学在校生数（学年统计表）",
        "小学辍学人数", "小学在校生数", "",
        "%", LOWER, 0.6, 0.2, "002 小学辍学率控制在0.6%以内", PUPILS),
    Indicator(
        "junior_dropout", "初中辍学率",
        "本学年初中辍学人数 ÷ 初中在校生数（学年统计表）",
        "初中辍学人数", "初中在校生数", "",
        "%", LOWER, 1.8, 0.4, "002 初中辍学率控制在1.8%以内", PUPILS),
    Indicator(
        "incident_on_time", "通报处置按时率",
        "处置期限落在本期（截至期末）的通报处置卡中，在期限当天或之前完成处置的张数 ÷ 期限在本期的张数",
        "按时处置张数", "本期到期张数", "未按时处置的通报处置卡",
        "%", HIGHER, 95.0, 10.0, "002 附件3 通报处置卡：发现、报告、转介、处置", CARDS),
    Indicator(
        "ledger_monthly", "台账月度更新率",
        "在册人员中，本月内核查过（核查日期）、新建档或更新过档案的人数 ÷ 期末在册人数",
        "本月已核查/更新人数", "期末在册人数", "本月未核查、未更新的人员",
        "%", HIGHER, 100.0, 10.0, "001 台账每月动态调整一次", PEOPLE, village_breakdown=True),
    Indicator(
        "task_on_time", "成员单位任务按期办结率",
        "截止日期在本期（截至期末）的议定事项中，在截止日期当天或之前销号的件数 ÷ 截止日期在本期的件数（全县）",
        "按期办结件数", "本期到期件数", "未按期办结的任务",
        "%", HIGHER, 90.0, 10.0, "004 议定事项督促落实", TASKS, county_only=True),
)
BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}
CODES: tuple[str, ...] = tuple(BY_CODE)


def get(code: str) -> Indicator:
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"未知指标：{code}") from None


# ---------------------------------------------------------------- arithmetic
def rate(numerator: int | None, denominator: int | None) -> float | None:
    """Percentage, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return 100.0 * (numerator or 0) / denominator


def percents(numerators, denominators, digits: int = 1) -> list[float | None]:
    """A table column of rates, rounded for display (None where nothing to divide by)."""
    return [None if r is None else round(r, digits) for r in map(rate, numerators, denominators)]


def status(value: float | None, target: float, direction: str, band: float) -> str:
    """达标 / 预警 / 未达标 (/ 无数据) for a value against its target.

    Higher-is-better: ≥ target 达标; within `band` points below 预警; else 未达标.
    Lower-is-better: ≤ target 达标; within `band` points above 预警; else 未达标.
    """
    if value is None:
        return NO_DATA
    eps = 1e-9
    if direction == HIGHER:
        if value >= target - eps:
            return MET
        return WARN if value >= target - band - eps else MISSED
    if value <= target + eps:
        return MET
    return WARN if value <= target + band + eps else MISSED


def fmt_value(value: float | None, digits: int | None = None) -> str:
    if value is None:
        return "—"
    if digits is None:
        digits = 0 if float(value).is_integer() else (2 if abs(value) < 10 else 1)
    return f"{value:.{digits}f}"


def explain(ind: Indicator, numerator: int, denominator: int, target: float) -> str:
    """One paragraph a user can read aloud: how this figure was computed."""
    v = rate(numerator, denominator)
    st = status(v, target, ind.direction, ind.warning_band)
    op = "≥" if ind.direction == HIGHER else "≤"
    value = "无数据（分母为0）" if v is None else f"{fmt_value(v, 2)}{ind.unit}"
    return (
        f"{ind.name} = {ind.numerator} ÷ {ind.denominator} = {numerator} ÷ {denominator} = {value}。"
        f"目标 {op}{fmt_value(target)}{ind.unit}，预警区间 {fmt_value(ind.warning_band)} 个百分点，结果：{st}。"
    )


def validate_target(ind: Indicator, value) -> str | None:
    """A Chinese reason when `value` cannot be a target for `ind`, else None."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "目标值必须是数字。"
    if v != v or v < 0 or v > 100:
        return "目标值必须在 0 到 100 之间（单位为 %）。"
    return None


# ---------------------------------------------------------------- periods (months)
@dataclass(frozen=True)
class Period:
    label: str  # YYYY-MM
    start: dt.date
    end: dt.date  # last day of the month
    as_of: dt.date  # end, or today when the month is not over

    @property
    def title(self) -> str:
        return f"{self.start.year}年{self.start.month}月"


def month_label(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def parse_month(label: str) -> tuple[int, int]:
    try:
        y, m = label.split("-")
        y, m = int(y), int(m)
    except (ValueError, AttributeError):
        raise ValueError(f"期间格式应为 YYYY-MM：{label!r}") from None
    if not 1 <= m <= 12 or not 1900 <= y <= 9999:
        raise ValueError(f"期间格式应为 YYYY-MM：{label!r}")
    return y, m


def period(label: str, today: dt.date | None = None) -> Period:
    today = today or dt.date.today()
    y, m = parse_month(label)
    start = dt.date(y, m, 1)
    end = dt.date(y, m, calendar.monthrange(y, m)[1])
    return Period(month_label(start), start, end, min(end, today) if start <= today else end)


def shift_month(label: str, months: int) -> str:
    y, m = parse_month(label)
    idx = y * 12 + (m - 1) + months
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def last_months(label: str, n: int = 12) -> list[str]:
    """The n months ending with `label`, oldest first."""
    return [shift_month(label, -k) for k in range(n - 1, -1, -1)]


# When a month's figures stop moving (issue 14). The ledger is adjusted monthly (seed 001) and
# the office keys in the last visits of a month during the first days of the next, so a month
# stays open (computed live) through the LATE_ENTRY_DAYS-th of the next month and closes the
# day after: from then on its figures are stored once and changed only by an audited recompute.
LATE_ENTRY_DAYS = 5


def closes_on(label: str) -> dt.date:
    """The first day on which month `label` is closed."""
    y, m = parse_month(shift_month(label, 1))
    return dt.date(y, m, 1) + dt.timedelta(days=LATE_ENTRY_DAYS)


def is_closed(label: str, today: dt.date | None = None) -> bool:
    return (today or dt.date.today()) >= closes_on(label)


def school_year(on: dt.date) -> str:
    """School year containing a date; a new year starts in September."""
    y = on.year if on.month >= 9 else on.year - 1
    return f"{y}-{y + 1}"


# ---------------------------------------------------------------- workforce and facilities (002, 003, 001)
# They feed the coverage indicators directly: 儿童主任/志愿者 per village, 督导员 per township,
# 儿童之家/寄宿制学校 per township.
WORKER_KINDS: dict[str, str] = {  # kind -> region level it is posted to
    "儿童主任": "village",
    "儿童督导员": "township",
    "志愿者": "village",
    "看护岗": "village",
}
ONE_PER_REGION = frozenset({"儿童主任", "儿童督导员"})  # 每村1名儿童主任、每乡镇1名督导员
FACILITY_KINDS = ("儿童之家", "希望之家", "幸福之家", "寄宿制学校", "四点半学校", "农村幸福院", "心理咨询室")
FACILITY_STATUSES = ("运行", "建设中", "停用")


def worker_errors(kind: str, name: str, region_level: str | None, appointed_on: dt.date | None,
                  left_on: dt.date | None, today: dt.date) -> list[str]:
    """Chinese reasons a worker record cannot be saved (empty list when fine)."""
    errors = []
    if kind not in WORKER_KINDS:
        errors.append(f"人员类别应为：{'、'.join(WORKER_KINDS)}。")
    if not (name or "").strip():
        errors.append("姓名不能为空。")
    elif len(name.strip()) > 64:
        errors.append("姓名不能超过64个字。")
    if kind in WORKER_KINDS and region_level != WORKER_KINDS[kind]:
        errors.append(f"{kind}应配备到{'村（社区）' if WORKER_KINDS[kind] == 'village' else '乡镇（街道）'}。")
    if appointed_on is None:
        errors.append("任职日期不能为空。")
    elif appointed_on > today:
        errors.append("任职日期不能晚于今天。")
    if left_on is not None and appointed_on is not None and left_on < appointed_on:
        errors.append("离任日期不能早于任职日期。")
    if left_on is not None and left_on > today:
        errors.append("离任日期不能晚于今天。")
    return errors


def facility_errors(kind: str, name: str, status: str, opened_on: dt.date | None, today: dt.date) -> list[str]:
    errors = []
    if kind not in FACILITY_KINDS:
        errors.append(f"阵地类别应为：{'、'.join(FACILITY_KINDS)}。")
    if not (name or "").strip():
        errors.append("名称不能为空。")
    elif len(name.strip()) > 64:
        errors.append("名称不能超过64个字。")
    if status not in FACILITY_STATUSES:
        errors.append(f"状态应为：{'、'.join(FACILITY_STATUSES)}。")
    if opened_on is not None and opened_on > today and status == "运行":
        errors.append("运行中的阵地启用日期不能晚于今天。")
    return errors
