"""The village drill-down of 乡镇地图: a village with nothing to count is 无数据, never 未达标
and never "nan%" (issue 20: the walk test found both)."""
import pandas as pd

from components.choropleth import classified_villages
from core import indicators as ci


def test_a_village_without_figures_is_no_data():
    ind = ci.get("helper_rate")
    villages = pd.DataFrame({"village_id": [1, 2, 3], "村": ["甲村", "乙村", "丙村"],
                             "value": [100.0, None, 50.0], "numerator": [4, 0, 1], "denominator": [4, 0, 2]})
    out = classified_villages(villages, ind, 95.0)
    assert list(out["name"]) == ["甲村", "丙村", "乙村"]  # best first, no data last
    assert list(out["status"]) == [ci.MET, ci.MISSED, ci.NO_DATA]
    assert list(out["value_text"]) == ["100.0%", "50.0%", "无数据"]
