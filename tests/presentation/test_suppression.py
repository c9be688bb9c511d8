"""Small-cell suppression: counts 1–4 become "<5" while presenting; 0 and ≥5 stay."""
import pandas as pd

from components.tables import suppress_counts
from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from tests import factories as f
from tests.harness import app_test


def test_hand_built_table():
    df = pd.DataFrame({
        "乡镇": ["甲镇", "乙镇", "丙镇", "丁镇"],
        "编号": [1, 2, 3, 4],
        "人数": [0, 1, 4, 5],
        "逾期": [3, 12, 0, 2],
        "分子分母": ["3/12", "0/4", "7/9", "—"],
        "按期率(%)": [25.0, 0.0, 77.8, None],
    })
    out = suppress_counts(df, ["人数", "逾期", "分子分母"])
    assert list(out["人数"]) == ["0", "<5", "<5", "5"]
    assert list(out["逾期"]) == ["<5", "12", "0", "<5"]
    assert list(out["分子分母"]) == ["<5/12", "0/<5", "7/9", "—"]
    assert list(out["编号"]) == [1, 2, 3, 4]  # not a count column: untouched
    assert list(out["乡镇"]) == list(df["乡镇"])
    assert list(df["人数"]) == [0, 1, 4, 5]  # the input is not changed
    # default: every integer column is a count
    auto = suppress_counts(df[["乡镇", "人数", "按期率(%)"]])
    assert list(auto["人数"]) == ["0", "<5", "<5", "5"]
    assert auto["按期率(%)"].tolist()[:3] == [25.0, 0.0, 77.8]


def test_workbench_counts_suppressed_only_while_presenting(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'small.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CAREDESK_DATA_DIR", str(tmp_path))
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        ids = f.county(s, townships=2, villages=1)
        f.account(s, "office", "office")
        for _ in range(3):
            f.person(s, ids["T1"], ids["V11"])
        for _ in range(6):
            f.person(s, ids["T2"], ids["V21"])
    try:
        def cells(at):
            by_cat = at.dataframe[0].value  # 各乡镇分类人数: 乡镇 × 人员类别
            return {str(k): str(v) for k, v in by_cat["农村留守儿童"].items()}

        plain = app_test("office")
        assert cells(plain) == {"测试1镇": "3", "测试2镇": "6"}
        shown = app_test("office", presentation=True)
        assert cells(shown) == {"测试1镇": "<5", "测试2镇": "6"}
        overdue = shown.dataframe[1].value  # 走访逾期（按乡镇）: 在册人数 3 → <5
        assert list(overdue["在册人数"].astype(str)) == ["<5", "6"]
    finally:
        dispose_all()
