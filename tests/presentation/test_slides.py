"""会议投屏 under AppTest: every slide has its title, the period and data time, a chart or a
table; buttons and the timer advance; always masked even with the switch off."""
import time

from tests.harness import all_text, app_test
from tests.presentation.test_presentation_pages import _leaks

TITLES = ("主要指标", "乡镇地图", "红旗乡镇", "成员单位考评", "逾期议定事项", "通报处置卡")


def _charts(at):
    return list(at.get("vega_lite_chart")) + list(at.get("arrow_vega_lite_chart"))


def _slide(at):
    heads = [h.value for h in at.header]
    assert len(heads) == 1, heads
    return heads[0]


def test_step_through_every_slide_masked_with_switch_off(demo_county):
    at = app_test("office", "slides")  # 投屏模式 switch off
    assert not at.exception, [e.value for e in at.exception]
    assert "presentation" not in at.session_state or not at.session_state["presentation"]
    seen, charted = [], 0
    for n, title in enumerate(TITLES, start=1):
        assert _slide(at) == f"{n}. {title}"
        captions = " ".join(c.value for c in at.caption)
        assert "统计期间" in captions and "数据时间" in captions
        assert _charts(at) or at.table or at.dataframe, f"slide {n} has neither chart nor table"
        charted += bool(_charts(at))
        assert _leaks(all_text(at), demo_county["names"]) == [], title
        seen.append(title)
        [b for b in at.button if b.label == "下一页"][0].click().run()
        assert not at.exception, [e.value for e in at.exception]
    assert seen == list(TITLES)
    assert charted >= 5, charted  # the demo county has data for a chart on (nearly) every slide
    assert _slide(at) == "1. 主要指标"  # wraps round
    [b for b in at.button if b.label == "上一页"][0].click().run()
    assert _slide(at) == "6. 通报处置卡"


def test_timer_advances_when_autoplay_is_on(demo_county):
    at = app_test("leader", "slides")
    assert _slide(at) == "1. 主要指标"
    at.toggle(key="slides_auto").set_value(True).run()
    assert _slide(at) == "1. 主要指标"  # just switched on: the slide stays for its interval
    at.session_state["slide_shown_at"] = time.time() - 25  # default interval: 20 s
    at.run()
    assert _slide(at) == "2. 乡镇地图"
    assert "自动播放" in " ".join(c.value for c in at.caption)
