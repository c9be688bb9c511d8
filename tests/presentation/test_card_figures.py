"""Slide 6 (通报处置卡): one suppression rule for everything it shows — counts under 5 are "<5"
in the "其中逾期" figure, in the bars' labels (no bar drawn) and in the township table alike."""
import json

import pandas as pd

from areas.meetings.slide_reads import card_figures
from tests.harness import app_test


def _counts():
    return pd.DataFrame({"乡镇": ["甲镇", "乙镇", "丙镇"], "已发现": [0, 6, 1], "已报告": [2, 1, 0],
                         "已转介": [3, 0, 4], "已处置": [0, 0, 0], "合计": [5, 7, 5], "逾期": [1, 0, 0]})


def test_card_figures_suppress_the_same_way_everywhere():
    out = card_figures(_counts())
    assert out.total == 17 and out.overdue == "<5"  # 17 open, 1 overdue
    assert list(out.by_state["状态"]) == ["已发现", "已报告", "已转介", "已处置"]
    assert list(out.by_state["标注"]) == ["7", "<5", "7", "0"]  # county sums 7, 3, 7, 0
    assert [None if pd.isna(v) else int(v) for v in out.by_state["张数"]] == [7, None, 7, 0]
    assert list(out.table["已发现"]) == [0, 6, "<5"] and list(out.table["逾期"]) == ["<5", 0, 0]
    assert list(out.table["乡镇"]) == ["甲镇", "乙镇", "丙镇"]


def test_slide_six_shows_no_small_count_anywhere(demo_county):
    at = app_test("leader", "slides", slide_idx=5)
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == "6. 通报处置卡"
    metrics = {m.label: m.value for m in at.metric}
    table = at.table[0].value
    for value in [*metrics.values(), *table.drop(columns=["乡镇"]).to_numpy().ravel()]:
        text = str(value)
        assert not (text.isdigit() and 0 < int(text) < 5), (text, metrics)
    spec = [e for e in at.main if getattr(e, "type", None) == "vega_lite_chart"][0].proto
    import pyarrow as pa

    rows = [r for d in spec.datasets for r in pa.ipc.open_stream(d.data.data).read_all().to_pylist()]
    assert rows and all(r["张数"] is None or r["张数"] == 0 or r["张数"] >= 5 for r in rows), rows
    assert all(not (r["标注"].isdigit() and 0 < int(r["标注"]) < 5) for r in rows)
    assert json.loads(spec.spec)  # a chart was drawn
