"""Timing helpers shared by the bench scripts: every figure is a list of samples, reported as
median, min–max and n, with the machine's load average next to it (the machine is shared).

    rounds = interleave({"page": page, "raw SQL": floor}, runs=5)   # one of each per round
    table = Table("registry, SQLite 200k")
    table.add("走访逾期 count+page", rounds["page"], note="…")
    print(table.markdown())
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as /proc/loadavg has them."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # not Linux
        return "n/a"


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of `fn` takes (wall clock)."""
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def samples(fn: Callable[[], object], runs: int, warm: int = 1) -> list[float]:
    """`runs` timings of `fn` after `warm` untimed calls."""
    for _ in range(warm):
        fn()
    return [timed(fn) for _ in range(runs)]


def interleave(fns: dict[str, Callable[[], object]], runs: int, warm: int = 1,
               clock: Callable[[Callable[[], object]], float] = timed) -> dict[str, list[float]]:
    """Time several functions in the same loop: each round calls every function once, the order
    rotating by one per round, so a burst of load from elsewhere falls on all of them alike and
    no function always runs first (or right after another's cache warm-up). `warm` untimed
    rounds first. `clock(fn)` gives one sample (default: wall clock around the call; a
    function that measures itself, e.g. in the browser, passes `clock=lambda fn: fn()`)."""
    names = list(fns)
    out: dict[str, list[float]] = {n: [] for n in names}
    for r in range(warm + runs):
        k = r % len(names) if names else 0
        for name in names[k:] + names[:k]:
            t = clock(fns[name])
            if r >= warm:
                out[name].append(t)
    return out


def median(xs: Iterable[float]) -> float:
    return statistics.median(list(xs))


def spread(xs: Iterable[float]) -> tuple[float, float]:
    """(min, max) of the samples."""
    xs = list(xs)
    return min(xs), max(xs)


def ratios(a: list[float], b: list[float]) -> list[float]:
    """Per-round ratios a/b of two interleaved sample lists (same round = same load)."""
    return [x / y for x, y in zip(a, b) if y > 0]


def load1() -> float:
    """The 1-minute load average (0.0 where there is none)."""
    try:
        return float(loadavg().split()[0])
    except ValueError:
        return 0.0


def load_range(loads: list[float]) -> str:
    """The 1-minute load averages seen while sampling, as min–max."""
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else loadavg()


def ms(seconds: float) -> str:
    """A duration for a table: milliseconds with a thousands separator."""
    return f"{seconds * 1000:,.0f} ms"


@dataclass
class Row:
    what: str
    xs: list[float]
    note: str = ""
    load: str = ""

    def cells(self) -> list[str]:
        if not self.xs:
            return [self.what, "—", "—", "0", self.load, self.note]
        lo, hi = spread(self.xs)
        return [self.what, ms(median(self.xs)), f"{lo * 1000:,.0f}–{hi * 1000:,.0f}", str(len(self.xs)),
                self.load, self.note]


@dataclass
class Table:
    """A markdown table of timings: measurement | median | min–max (ms) | n | loadavg | note.
    `add` stamps each row with the load average at the moment it is added (after its samples)."""
    title: str
    rows: list[Row] = field(default_factory=list)
    started_load: str = field(default_factory=loadavg)

    def add(self, what: str, xs: list[float], note: str = "", load: str | None = None) -> Row:
        """`load`: what to print in the loadavg column (default: the load average now)."""
        row = Row(what, list(xs), note, loadavg() if load is None else load)
        self.rows.append(row)
        print(f"  {' | '.join(row.cells())}", flush=True)
        return row

    def markdown(self) -> str:
        lines = [f"### {self.title}", "",
                 f"loadavg at start {self.started_load}, at end {loadavg()} (1/5/15 min)", "",
                 "| measurement | median | min–max (ms) | n | loadavg | note |", "|---|---:|---:|---:|---|---|"]
        lines += ["| " + " | ".join(r.cells()) + " |" for r in self.rows]
        return "\n".join(lines)
