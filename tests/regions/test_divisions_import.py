"""区划 import (areas/regions/divisions.py) on SQLite and PostgreSQL: a county's list from
nothing, idempotent re-import, renames audited, moves refused, bad files refused whole."""
from __future__ import annotations


import pytest
from sqlalchemy import func, select

from core.roles import Actor
from db.engine import session_scope
from db.errors import ForbiddenError
from db.models import AuditLog, Region
from areas.registry.importer import ImportRefused
from areas.regions import divisions as svc
from tests import factories as f

ADMIN = Actor("admin1", "admin")
HEAD = ["统计用区划代码", "名称", "级别", "上级代码"]


def county_rows(townships=10, villages=15, renamed=None):
    rows = [["429901000000", "示范县", "县", ""]]
    for t in range(1, townships + 1):
        tcode = f"429901{100 + t:03d}000"
        rows.append([tcode, f"第{t}镇", "乡镇", "429901000000"])
        for v in range(1, villages + 1):
            code = f"{tcode[:9]}{200 + v:03d}"
            rows.append([code, (renamed or {}).get(code, f"第{t}镇{v}村"), "村", tcode])
    return rows


def xlsx(rows, header=HEAD):
    return f.workbook(header, rows)


def csv_bytes(rows, encoding):
    text = "\n".join(",".join(str(c) for c in r) for r in [HEAD, *rows]) + "\n"
    return text.encode(encoding)


def regions(engine):
    with session_scope(engine, write=False) as s:
        return {c: (n, lv) for c, n, lv in s.execute(select(Region.code, Region.name, Region.level))}


def run(engine, data, filename="区划.xlsx", actor=ADMIN):
    with session_scope(engine, actor=actor) as s:
        return svc.apply(s, actor, filename, data)


def test_from_nothing_then_idempotent_then_a_rename(engine):
    data = xlsx(county_rows())
    with session_scope(engine, write=False) as s:
        pv = svc.preview(s, ADMIN, "区划.xlsx", data)
    assert pv.errors == [] and pv.counts() == {"add": 161, "rename": 0, "unchanged": 0}
    assert regions(engine) == {}  # the preview wrote nothing
    assert run(engine, data) == {"add": 161, "rename": 0, "unchanged": 0}
    got = regions(engine)
    assert len(got) == 161 and got["429901101000"] == ("第1镇", "township")
    with session_scope(engine, write=False) as s:
        v = s.scalar(select(Region).where(Region.code == "429901101201"))
        assert v.parent.code == "429901101000" and v.parent.parent.code == "429901000000"
    assert run(engine, data) == {"add": 0, "rename": 0, "unchanged": 161}
    assert run(engine, xlsx(county_rows(renamed={"429901101201": "新东村"}))) == {"add": 0, "rename": 1, "unchanged": 160}
    assert regions(engine)["429901101201"] == ("新东村", "village")
    with session_scope(engine, write=False) as s:
        rows = s.execute(select(AuditLog.action, AuditLog.changes).where(AuditLog.entity == "region",
                                                                          AuditLog.action == "update")).all()
        assert [(a, c["名称"]) for a, c in rows] == [("update", ["第1镇1村", "新东村"])]
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "region", AuditLog.action == "create")) == 161
        assert s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.entity == "region", AuditLog.action == "import")) == 3


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_in_utf8_or_gbk(engine, encoding):
    assert run(engine, csv_bytes(county_rows(2, 3), encoding), "区划.csv")["add"] == 9
    assert regions(engine)["429901101201"] == ("第1镇1村", "village")


def _refused(engine, data, filename="区划.xlsx"):
    before = regions(engine)
    with pytest.raises(ImportRefused) as e:
        run(engine, data, filename)
    assert regions(engine) == before  # nothing written
    return [(i.row, i.column, i.reason) for i in e.value.issues]


def test_bad_rows_refuse_the_whole_file(engine):
    rows = county_rows(2, 2)
    rows.append(["4299011012", "短码村", "村", ""])
    rows.append(["429901109201", "孤村", "村", ""])  # township 429901109000 exists nowhere
    rows.append([rows[1][0], "重复镇", "乡镇", ""])
    got = _refused(engine, xlsx(rows))
    assert [(r, c) for r, c, _w in got] == [(9, "统计用区划代码"), (11, "统计用区划代码"), (10, "上级代码")]
    assert "12位" in got[0][2] and "重复" in got[1][2] and "不存在" in got[2][2]


def test_a_move_is_refused_with_the_way_to_do_it(engine):
    run(engine, xlsx(county_rows(2, 2)))
    rows = county_rows(2, 2)
    moved = next(r for r in rows if r[0] == "429901101201")
    moved[3] = "429901102000"  # the village said to belong to the other township
    got = _refused(engine, xlsx(rows))
    assert len(got) == 1 and got[0][1] == "上级代码" and "区划调整" in got[0][2]


def test_formulas_oversize_and_not_a_spreadsheet(engine):
    rows = county_rows(1, 1)
    rows[1][1] = '=HYPERLINK("http://x","第1镇")'
    assert _refused(engine, xlsx(rows))[0][1:] == ("名称", "单元格含公式，请改为纯文本后再导入")
    big = csv_bytes(county_rows(1, 1), "utf-8") + b"," * (6 * 1024 * 1024)
    assert _refused(engine, big, "区划.csv")[0][2] == "文件过大（6.0 MB），区划文件上限为 5 MB"
    assert _refused(engine, b"not a zip", "区划.xlsx")[0][2].startswith("文件不是有效的Excel")


def test_only_the_administrator_imports(engine):
    with pytest.raises(ForbiddenError):
        run(engine, xlsx(county_rows(1, 1)), actor=Actor("office1", "office"))
    assert regions(engine) == {}


def test_the_template_imports_as_it_is(engine):
    assert run(engine, svc.template()) == {"add": 3, "rename": 0, "unchanged": 0}


def test_add_by_hand_checks_like_a_list(engine):
    from db.errors import ServiceError

    run(engine, xlsx(county_rows(1, 1)))
    with session_scope(engine, actor=ADMIN) as s:
        assert svc.add_division(s, ADMIN, "429901101202", "新建村") == "村（社区）"
    assert regions(engine)["429901101202"] == ("新建村", "village")
    for code, name, why in (("429901109202", "无主村", "不存在"), ("429901101202", "重名", "已存在"),
                            ("42990110120", "短码村", "12位")):
        with pytest.raises(ServiceError, match=why), session_scope(engine, actor=ADMIN) as s:
            svc.add_division(s, ADMIN, code, name)
