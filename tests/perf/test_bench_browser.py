"""bench/browser.py end to end at a small scale: a demo county, one sample of every step as the
office user, each timed in the page (click → idle), and the quick edit really saved one phone."""
import os
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import dispose_all, get_engine
from db.migrate import upgrade
from db.models import Person
from tests.conftest import CHROMIUM, IN_CI
from tools import demo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import browser as bench_browser  # noqa: E402


def _phones(engine) -> dict[int, str | None]:
    with engine.connect() as c:
        return dict(c.execute(select(Person.id, Person.phone)).all())


def test_browser_bench_times_every_step_and_saves_the_edit(tmp_path):
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail("CI=true requires Debian's chromium at /usr/bin/chromium")
        pytest.skip("no /usr/bin/chromium")
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    engine = get_engine(url)
    upgrade(engine)
    demo.generate(engine, people=300)
    before = _phones(engine)
    dispose_all()

    tables = bench_browser.run(url, ["office"], runs=1, timeout_ms=120_000)

    md = tables[0].markdown()
    rows = {r.what: r.xs for r in tables[0].rows}
    for _, what in bench_browser.STEPS:
        assert len(rows[what]) == 1, (what, md)
        assert 0 < rows[what][0] < 120, (what, md)
    assert not any(w.startswith("FAILED") for w in rows), md
    after = _phones(get_engine(url))
    changed = {i: p for i, p in after.items() if p != before[i]}
    assert len(changed) == 1 and re.fullmatch(r"139\d{8}", next(iter(changed.values()))), changed
    dispose_all()
