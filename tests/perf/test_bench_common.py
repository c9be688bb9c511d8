"""bench/common.py: the figures every benchmark table reports (median, min–max, n, per-round
ratios) and the interleaving that puts a page and its raw SQL in the same loop."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import common  # noqa: E402


def test_median_and_spread():
    assert common.median([5.0, 1.0, 3.0]) == 3.0
    assert common.median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert common.spread([0.3, 0.1, 0.2]) == (0.1, 0.3)


def test_ratios_pair_samples_of_the_same_round():
    assert common.ratios([2.0, 3.0, 8.0], [1.0, 3.0, 2.0]) == [2.0, 1.0, 4.0]
    assert common.ratios([1.0], [0.0]) == []  # no division by a zero sample


def test_interleave_rotates_the_order_and_skips_the_warm_up():
    calls = []
    fns = {"page": lambda: calls.append("page"), "sql": lambda: calls.append("sql")}
    ticks = iter(range(100))
    got = common.interleave(fns, runs=3, warm=1, clock=lambda fn: (fn(), float(next(ticks)))[1])
    # round 0 (warm-up) page, sql; round 1 sql, page; round 2 page, sql; round 3 sql, page
    assert calls == ["page", "sql", "sql", "page", "page", "sql", "sql", "page"]
    assert got == {"page": [3.0, 4.0, 7.0], "sql": [2.0, 5.0, 6.0]}


def test_samples_times_each_call_after_the_warm_up():
    n = []
    xs = common.samples(lambda: n.append(1), runs=4, warm=2)
    assert len(n) == 6 and len(xs) == 4 and all(x >= 0 for x in xs)


def test_table_row_says_median_range_n_and_load():
    t = common.Table("t")
    t.add("step", [0.2, 1.5, 0.4], note="x", load="3.0–4.0")
    md = t.markdown()
    assert "| step | 400 ms | 200–1,500 | 3 | 3.0–4.0 | x |" in md
    assert "loadavg at start" in md
    assert common.load_range([2.5, 1.0, 4.25]) == "1.0–4.2"
