import os
from pathlib import Path

import pytest

from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from tests import factories as f
from tests.conftest import ARTIFACTS, IN_CI
from tests.harness import CHROMIUM_ARGS

CHROMIUM = "/usr/bin/chromium"


# Module scope: several test folders start their own Playwright; two sync instances
# cannot be alive at once in one process.
@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail("CI=true requires Debian's chromium at /usr/bin/chromium")
        pytest.skip("no /usr/bin/chromium (apt-get install chromium chromium-driver fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


@pytest.fixture(scope="module")
def small_county(tmp_path_factory):
    """A hand-built county with one account per role, in a SQLite file a live server reads."""
    d = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{d / 'live.db'}"
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        ids = f.county(s, townships=2, villages=2)
        edu = f.unit(s)
        for name, role, scope in (("admin", "admin", {}), ("office", "office", {}),
                                  ("tw1", "township", {"township_id": ids["T1"]}),
                                  ("unit", "unit", {"unit_id": edu.id}), ("leader", "leader", {})):
            f.account(s, name, role, **scope)
        for _ in range(4):
            f.person(s, ids["T1"], ids["V11"])
        for _ in range(6):
            f.person(s, ids["T2"], ids["V21"], categories=("extremely_poor",), birth=__import__("datetime").date(1950, 3, 3))
    engine.dispose()
    dispose_all()
    return {"url": url, "dir": Path(d), "ids": ids}
