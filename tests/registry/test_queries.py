"""Query layer of the registry on SQLite and PostgreSQL (see conftest for the data)."""
import pytest

from db.engine import session_scope
from areas.registry import reads as rq
from areas.registry.reads import RegistryFilter as F
from areas.regions.reads import township_options
from tests.registry.conftest import TODAY


def names(w, actor, flt, **kw):
    with session_scope(w["engine"], write=False) as s:
        pg = rq.page(s, actor, flt, today=TODAY, **kw)
    return pg, sorted(pg.rows["姓名"])


@pytest.mark.parametrize(
    "flt, expected",
    [
        (F(), ["张三", "张四", "李四", "王_五", "钱七"]),
        (F(status=None), ["张三", "张四", "李四", "王_五", "赵六", "钱七"]),
        (F(status="已退出"), ["赵六"]),
        (F(categories=("left_behind_child",)), ["张三", "张四"]),
        (F(categories=("left_behind_child", "severe_disability")), ["张三", "张四", "钱七"]),
        (F(difficulty="特别困难"), ["李四", "钱七"]),
        (F(helper="assigned"), ["张三"]),
        (F(helper="none"), ["张四", "李四", "王_五", "钱七"]),
        (F(overdue="overdue"), ["张四", "李四", "王_五"]),
        (F(overdue="ok"), ["张三", "钱七"]),
        (F(age_band="12-15"), ["张三"]),
        (F(age_band="16-17"), ["李四"]),
        (F(age_band="6-11"), ["张四"]),
        (F(age_band="18-59"), ["钱七"]),
        (F(age_band="60-79"), ["王_五"]),
        (F(age_band="80+"), []),
        (F(text="张"), ["张三", "张四"]),
        (F(text="_"), ["王_五"]),  # a literal underscore, not "any character"
        (F(text="%"), []),
        (F(text="13900000005"), ["张四"]),
        (F(categories=("left_behind_child",), overdue="overdue"), ["张四"]),
    ],
)
def test_each_filter_office(world, flt, expected):
    pg, got = names(world, world["office"], flt)
    assert got == sorted(expected)
    assert pg.total == len(expected)


def test_township_and_village_filters(world):
    ids = world["ids"]
    assert names(world, world["office"], F(township_id=ids["T1"]))[1] == sorted(["张三", "李四", "王_五"])
    assert names(world, world["office"], F(village_id=ids["V12"]))[1] == ["王_五"]
    assert names(world, world["office"], F(village_id=ids["V12"], status=None))[1] == sorted(["王_五", "赵六"])


def test_id_number_search_matches_lowercase_x_input(world):
    idn = world["idn"]["b"]
    pg, got = names(world, world["office"], F(text=idn[:-1] + idn[-1].lower()))
    assert got == ["李四"]


def test_paging_counts_and_sequence_numbers(world):
    pg1, _ = names(world, world["office"], F(sort="name"), page_no=1, page_size=2)
    pg3, _ = names(world, world["office"], F(sort="name"), page_no=3, page_size=2)
    assert (pg1.total, pg1.pages, len(pg1.rows)) == (5, 3, 2)
    assert len(pg3.rows) == 1 and list(pg3.rows["序号"]) == [5]
    assert list(pg1.rows["序号"]) == [1, 2]
    # a page past the end is clamped to the last one
    pg9, _ = names(world, world["office"], F(sort="name"), page_no=9, page_size=2)
    assert pg9.page == 3
    with session_scope(world["engine"], write=False) as s:
        all_names = []
        for n in (1, 2, 3):
            all_names += list(rq.page(s, world["office"], F(sort="name"), n, 2, today=TODAY).rows["姓名"])
    assert len(set(all_names)) == 5


def test_ledger_columns_and_details(world):
    pg, _ = names(world, world["office"], F(text="张三"))
    row = pg.rows.iloc[0]
    for col in rq.LEDGER_COLUMNS + ["村(居)", "最近走访"]:
        assert col in pg.rows.columns
    assert row["人员类别"] == "农村留守儿童"
    assert row["帮扶责任人(职务)"] == "周帮扶（村支书）"
    assert str(row["最近走访"]) == "2026-06-10"
    assert row["村(居)"] == "测试1-1村"
    assert row["联系电话"] == "13800000001"


def test_township_user_never_sees_other_township(world):
    tw1 = world["tw1"]
    _, got = names(world, tw1, F(status=None))
    assert got == sorted(["张三", "李四", "王_五", "赵六"])
    # asking for T2 explicitly, or searching a T2 name / phone, gives nothing
    assert names(world, tw1, F(township_id=world["ids"]["T2"]))[1] == []
    assert names(world, tw1, F(text="张四"))[1] == []
    assert names(world, tw1, F(text="13900000005"))[1] == []
    assert names(world, tw1, F(text="张"))[1] == ["张三"]
    with session_scope(world["engine"], write=False) as s:
        assert rq.person_file(s, tw1, world["p"]["e"], TODAY) is None
        assert rq.person_file(s, tw1, world["p"]["a"], TODAY) is not None
        assert rq.person_file(s, tw1, 999999, TODAY) is None
        assert [t for t, _ in township_options(s, tw1)] == [world["ids"]["T1"]]
        assert {t for _, _, t in rq.villages(s, tw1)} == {world["ids"]["T1"]}
        assert {t for _, _, t in rq.helpers(s, tw1)} == {world["ids"]["T1"]}
        total, props = rq.exit_proposals(s, world["tw2"], TODAY)
    assert total == 0


def test_leader_gets_masked_rows_and_unit_none(world):
    # the leader searches what it sees (张三's phone 138****0001), not the hidden name
    assert names(world, world["leader"], F(text="张三"))[1] == []
    pg, got = names(world, world["leader"], F(text="0001"))
    assert got == ["张*"]
    assert pg.rows.iloc[0]["联系电话"] == "138****0001"
    assert "*" in pg.rows.iloc[0]["身份证号码"]
    with session_scope(world["engine"]) as s:
        from tests import factories as f

        unit = f.unit(s)
        ua = f.account(s, "unit1", "unit", unit_id=unit.id)
    assert names(world, ua, F())[0].total == 0


def test_exit_proposals(world):
    # 李四 (16, child_in_difficulty) is not proposed: only left-behind children exit at 16.
    # 张三 is 12. Make a left-behind child of 16 and a 困境儿童 of 18.
    import datetime as dt

    from tests import factories as f

    with session_scope(world["engine"]) as s:
        ids = world["ids"]
        g = f.person(s, ids["T1"], ids["V11"], name="孙八", birth=dt.date(2010, 6, 15))  # 16 today
        h = f.person(s, ids["T1"], ids["V11"], name="周九", birth=dt.date(2008, 6, 16),
                     categories=("child_in_difficulty",))  # 17, turns 18 tomorrow
        k = f.person(s, ids["T2"], ids["V21"], name="吴十", birth=dt.date(2008, 1, 1),
                     categories=("child_in_difficulty", "left_behind_child"))  # 18: both
    with session_scope(world["engine"], write=False) as s:
        total, df = rq.exit_proposals(s, world["office"], TODAY)
        t1_total, t1 = rq.exit_proposals(s, world["tw1"], TODAY)
    assert total == 3
    assert sorted(zip(df["姓名"], df["建议"])) == sorted([("孙八", "年满16周岁"), ("吴十", "年满18周岁"), ("吴十", "年满18周岁")])
    assert t1_total == 1 and list(t1["姓名"]) == ["孙八"]
