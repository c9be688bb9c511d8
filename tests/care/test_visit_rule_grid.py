"""The visit rule's SQL (areas/care/reads.person_due and person_month — the only runtime
home) checked against the plain-Python oracle (tests/care/visit_oracle.py) for every
person of a grid, on SQLite and PostgreSQL.

Grid: categories m{n} configured 每月n次 and w{k} configured 每周k次 (category codes are
free strings to the rule), every pair m{n} × w{k}, single and same-period pairs, no rule
(the configured '*' rule) and no category; each crossed with variants: 一般/特别困难, a 高
assessment inside a month / before it / ended by a later 中 / a 高 and a 中 the same day,
enrolment mid-month, exit mid-month, a category ending mid-month. Visits are random at
several densities so that both compliant and non-compliant people occur. Dates cover the
last and first days of months, February (28 days), 31- and 30-day months, and the month
in progress at windows of 1, 6, 7, 8, 14, 15 days. One database, one query per date.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import Integer, String, delete, insert, literal, select, text

from core import idnumber
from core.visits import ANY_CATEGORY, Rule, month_bounds
from db.engine import session_scope
from db.models import Assessment, Person, PersonCategory, Visit, VisitRule
from areas.care import reads as q
from tests import factories as f
from tests.care import visit_oracle as oracle

D = dt.date
MONTHS = (1, 2, 3, 4, 5, 8, 9, 13, 15, 17, 26, 30, 31)
WEEKS = (1, 2, 3, 4, 5, 7)
FIRST, LAST = D(2025, 11, 1), D(2026, 4, 30)  # visits are drawn in this range
ENROLLED = D(2025, 11, 1)

# (category, difficulty) → Rule; the 特别困难 side differs so that raised people use other keys
TABLE: dict[tuple[str, str], Rule] = {
    (ANY_CATEGORY, "一般"): Rule("month", 3),
    **{(f"m{n}", "一般"): Rule("month", n) for n in MONTHS},
    **{(f"w{k}", "一般"): Rule("week", k) for k in WEEKS},
    **{(f"w{k}", "特别困难"): Rule("week", k) for k in WEEKS if k >= 2},
    **{(f"m{n}", "特别困难"): Rule("month", n) for n in (9, 15, 30, 31)},
}

# variant → (difficulty, assessments, enrolled_on, exited_on, end of the second category)
VARIANTS = {
    "plain": ("一般", (), ENROLLED, None, None),
    "special": ("特别困难", (), ENROLLED, None, None),
    "high_in_feb": ("一般", ((D(2026, 1, 20), "中"), (D(2026, 2, 11), "高"), (D(2026, 3, 20), "高")), ENROLLED, None, None),
    "high_before_then_mid": ("一般", ((D(2025, 12, 3), "高"), (D(2026, 3, 5), "中")), ENROLLED, None, None),
    "high_last_day": ("一般", ((D(2026, 3, 31), "高"),), ENROLLED, None, None),
    "special_and_high": ("特别困难", ((D(2026, 2, 1), "高"),), ENROLLED, None, None),
    "same_day": ("一般", ((D(2026, 1, 5), "高"), (D(2026, 2, 20), "高"), (D(2026, 2, 20), "中")), ENROLLED, None, None),
    "enrolled_mid_feb": ("一般", (), D(2026, 2, 17), None, None),
    "enrolled_mar_31": ("一般", ((D(2026, 4, 2), "高"),), D(2026, 3, 31), None, None),
    "exited_mid_mar": ("一般", ((D(2026, 1, 2), "高"),), ENROLLED, D(2026, 3, 14), None),
    "category_ends_feb_14": ("一般", (), ENROLLED, None, D(2026, 2, 14)),
}
DENSITIES = (0.0, 0.04, 0.1, 0.2, 0.35, 0.6, 0.95)

DUE_DATES = [D(2025, 12, 31), D(2026, 1, 31), D(2026, 2, 1), D(2026, 2, 11), D(2026, 2, 14), D(2026, 2, 15),
             D(2026, 2, 20), D(2026, 2, 28), D(2026, 3, 1), D(2026, 3, 5), D(2026, 3, 14), D(2026, 3, 31),
             D(2026, 4, 1), D(2026, 4, 2), D(2026, 4, 30), D(2026, 5, 20)]
# (year, month, as_of): whole months (as_of after the month) and the month in progress
MONTH_CASES = [(2025, 12, D(2026, 5, 1)), (2026, 1, D(2026, 5, 1)), (2026, 2, D(2026, 5, 1)),
               (2026, 3, D(2026, 5, 1)), (2026, 4, D(2026, 5, 1)), (2026, 2, D(2026, 2, 14)),
               (2026, 2, D(2026, 2, 28)), (2026, 3, D(2026, 3, 1)), (2026, 3, D(2026, 3, 6)),
               (2026, 3, D(2026, 3, 7)), (2026, 3, D(2026, 3, 8)), (2026, 3, D(2026, 3, 14)),
               (2026, 3, D(2026, 3, 15)), (2026, 3, D(2026, 3, 31)), (2026, 4, D(2026, 4, 2))]


def _category_sets() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(categories, variants): every m{n} × w{k} pair with the core variants, the other
    category sets with every variant."""
    core = ("plain", "special", "high_in_feb", "high_before_then_mid", "category_ends_feb_14")
    pairs = [((f"m{n}", f"w{k}"), core) for n in MONTHS for k in WEEKS]
    others = [*dict.fromkeys((c,) for c, _ in TABLE if c != ANY_CATEGORY),
              ("m2", "m9", "w1"), ("w2", "w3"), ("m13", "m30"), ("w7", "m30"), ("plain",), ()]
    return [*pairs, *((cats, tuple(VARIANTS)) for cats in others)]


def _build(engine) -> dict[int, tuple[str, oracle.Person]]:
    """The grid in one database (Core bulk inserts); {person_id: (label, oracle.Person)}."""
    rnd = random.Random(12)
    people: dict[int, tuple[str, oracle.Person]] = {}
    rows: dict[type, list[dict]] = {Person: [], PersonCategory: [], Visit: [], Assessment: []}
    deleted = {"deleted_at": dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc), "deleted_by": "t",
               "delete_reason": "录入错误"}
    with session_scope(engine) as s:
        ids = f.county(s, townships=1, villages=1)
        s.execute(insert(VisitRule), [
            {"category": c, "difficulty": d, "period": r.period, "min_visits": r.min_visits} for (c, d), r in TABLE.items()
        ])
        pid = 0
        for cats, variants in _category_sets():
            for name in variants:
                difficulty, assess, enrolled, exited, cat_end = VARIANTS[name]
                pid += 1
                birth = D(1940, 1, 1) + dt.timedelta(days=pid)
                rows[Person].append({
                    "id": pid, "id_number": idnumber.make("429901", birth, 2, "男"), "name": f"网格{pid}",
                    "gender": "男", "birth_date": birth, "township_id": ids["T1"], "village_id": ids["V11"],
                    "difficulty": difficulty, "status": "已退出" if exited else "在册", "enrolled_on": enrolled,
                    "exited_on": exited})
                held = [(c, enrolled, cat_end if i == 1 else None) for i, c in enumerate(cats)]
                rows[PersonCategory] += [{"person_id": pid, "category": c, "start_on": a, "end_on": b} for c, a, b in held]
                density = rnd.choice(DENSITIES)
                days = [enrolled + dt.timedelta(days=i) for i in range((LAST - enrolled).days + 1)]
                dates = [d for d in days if rnd.random() < density]
                rows[Visit] += [{"person_id": pid, "visited_on": d, "service_types": ["精神陪伴"]} for d in dates]
                # soft-deleted rows count nowhere: a visit, and a 高 assessment that would raise
                rows[Visit].append({"person_id": pid, "visited_on": rnd.choice(days), "service_types": [], **deleted})
                if pid % 7 == 0:
                    rows[Assessment].append({"person_id": pid, "period": "2026-02", "assessed_on": D(2026, 2, 5),
                                             "risk_level": "高", **deleted})
                rows[Assessment] += [{"person_id": pid, "period": f"{d:%Y-%m}", "assessed_on": d, "risk_level": lv}
                                     for d, lv in assess]
                people[pid] = (f"{'+'.join(cats) or '无类别'}/{name}/{density}", oracle.Person(
                    enrolled_on=enrolled, difficulty=difficulty, active=not exited, exited_on=exited,
                    categories=held, visits=dates, assessments=list(assess)))
        for model, values in rows.items():
            s.execute(insert(model), values)
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:  # planner statistics for the freshly loaded tables, as in service
            c.execute(text("ANALYZE"))
            c.commit()
    return people


def _sql_due(s, today):
    due = q.person_due(today)
    rows = s.execute(select(due.c.person_id, due.c.last_visit, due.c.raised_on, due.c.effective, due.c.rkey,
                            due.c.next_due)).all()
    return {pid: oracle.Due(lv, r, eff, Rule.from_key(key), nd) for pid, lv, r, eff, key, nd in rows}


def _sql_month(s, year, month, as_of):
    pm = q.person_month(year, month, as_of=as_of)
    return {pid: (v, req) for pid, v, req in s.execute(select(pm.c.person_id, pm.c.visits, pm.c.required))}


def _same(label, people, got, want):
    bad = [(people[pid][0], got.get(pid), want.get(pid)) for pid in sorted(set(got) | set(want))
           if got.get(pid) != want.get(pid)]
    assert not bad, f"{label}: {len(bad)} of {len(want)} differ, e.g. (person, sql, oracle) {bad[:4]}"
    assert want  # never an empty comparison


def _check_all(s, people, table, due_dates=DUE_DATES, month_cases=MONTH_CASES):
    for today in due_dates:
        want = {pid: d for pid, (_, p) in people.items() if (d := oracle.person_due(p, today, table)) is not None}
        got = _sql_due(s, today)
        _same(f"person_due {today}", people, got, want)
    for year, month, as_of in month_cases:
        want = {pid: m for pid, (_, p) in people.items()
                if (m := oracle.person_month(p, year, month, as_of, table)) is not None}
        got = _sql_month(s, year, month, as_of)
        _same(f"person_month {year}-{month} as of {as_of}", people, got, want)
        # compliant (the 按期率 numerator) as the oracle's month_compliance decides it
        for pid, (visits, need) in got.items():
            _, p = people[pid]
            rules = oracle.resolved(p.categories_on(min(as_of, month_bounds(year, month)[1])), table)
            end = min(as_of, month_bounds(year, month)[1])
            expected = oracle.month_compliance(p.visits, year, month, p.enrolled_on, p.difficulty, rules,
                                               oracle.raised_from(p.assessments, end), p.exited_on, as_of)
            assert (None if need == 0 else visits >= need) == expected, (people[pid][0], year, month, as_of)


def test_sql_rule_matches_the_oracle_on_the_grid(engine):
    people = _build(engine)
    by_label = {label.rsplit("/", 1)[0]: pid for pid, (label, _) in people.items()}

    # the grid is not vacuous: in February some people are compliant, some not, some not due
    outcomes = set()
    for _, p in people.values():
        rules = oracle.resolved(p.categories_on(D(2026, 2, 28)), TABLE)
        outcomes.add(oracle.month_compliance(p.visits, 2026, 2, p.enrolled_on, p.difficulty, rules,
                                             oracle.raised_from(p.assessments, D(2026, 2, 28)), p.exited_on))
    assert outcomes == {True, False, None}

    with session_scope(engine, write=False) as s:
        # issue 12: 每月9次 + 每周2次 → 9 visits a month (not 8); 每月15次 + 每周3次 → 15 (not 12)
        for month_rule, week_rule, need in (("m9", "w2", 9), ("m15", "w3", 15)):
            pid = by_label[f"{month_rule}+{week_rule}/plain"]
            for year, month in ((2026, 2), (2026, 3), (2026, 4)):
                assert _sql_month(s, year, month, D(2026, 5, 1))[pid][1] == need
            due = _sql_due(s, D(2026, 3, 31))[pid]
            assert due.rule == Rule("month", need) and due.effective == "一般"
            # raised to 特别困难: the two categories' 特别困难 rules are the same pair
            raised = by_label[f"{month_rule}+{week_rule}/high_before_then_mid"]
            assert _sql_due(s, D(2026, 3, 1))[raised].rule == Rule("month", need)

        _check_all(s, people, TABLE)

    # without any category rule (the SQL's shortcut), then without any rule (seed 001)
    dates, months = [D(2026, 2, 28), D(2026, 3, 5)], [(2026, 2, D(2026, 5, 1)), (2026, 3, D(2026, 3, 14))]
    with session_scope(engine) as s:
        s.execute(delete(VisitRule).where(VisitRule.category != ANY_CATEGORY))
    with session_scope(engine, write=False) as s:
        _check_all(s, people, {k: r for k, r in TABLE.items() if k[0] == ANY_CATEGORY}, dates, months)
    with session_scope(engine) as s:
        s.execute(delete(VisitRule))
    with session_scope(engine, write=False) as s:
        _check_all(s, people, {}, dates, months)


def test_sql_strictness_is_rule_strictness(engine):
    """The SQL's packed strictness of every legal rule equals Rule.strictness packed the same
    way, so min() in SQL and min(key=Rule.strictness) in Python pick the same rule."""
    rules = [Rule("month", n) for n in range(1, 32)] + [Rule("week", k) for k in range(1, 8)]

    with engine.connect() as c:
        got = c.execute(select(*[q._enc(literal(r.period, String), literal(r.min_visits, Integer)) for r in rules])).one()
    assert list(got) == [q._packed(r) for r in rules]
    assert sorted(rules, key=lambda r: q._packed(r)) == sorted(rules, key=lambda r: r.strictness)
