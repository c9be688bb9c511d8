"""Two `streamlit run` processes on one PostgreSQL database (the multi-process deployment of
docs/DEPLOYMENT.md): a phone number saved as the office user is seen on the next page run of
the *other* process — masked for the leader, in clear for the office — and the 台账月度更新率
figure there moves by one. The cache TTL is set to 600 s for both servers, so what makes the
other process recompute is the data generation (db/cache.py), not the TTL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, update

from core import indicators as ci
from core.masking import mask_phone
from core.roles import Actor
from tools import demo
from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from db.models import LedgerTouch, Person
from areas.indicators import reads as iq
from areas.registry import reads as rq
from areas.registry import writes as svc
from tests.conftest import ARTIFACTS, pg_create_database, pg_drop_database, require_pg
from tests.harness import WAIT_MS, goto, live_server, login
from tests.harness import open_page as open_menu_page

PASSWORD = demo.DEMO_PASSWORD
NEW_PHONE = "13977775432"


@pytest.fixture
def pg_demo():
    require_pg()
    url = pg_create_database()
    engine = get_engine(url)
    upgrade(engine)
    demo.generate(engine, people=200)
    # the bulk load stamps every row with today's created_at: date the records a year back
    # (setup, before any server starts) so that a ledger edit moves 台账月度更新率 by one
    with engine.begin() as c:
        c.execute(update(Person).values(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc), updated_at=None))
    yield url, engine
    dispose_all()
    pg_drop_database(url)


def _ledger(engine, office, label):
    with session_scope(engine, write=False) as s:
        df = iq.compute(s, office, label, ["ledger_monthly"])
    r = df[df["township_id"] == iq.TOTAL].iloc[0]
    return int(r["numerator"]), int(r["denominator"])


def test_edit_in_one_process_is_seen_by_the_other(browser, pg_demo, tmp_path):
    url, engine = pg_demo
    office = Actor("office", "office")
    today = dt.date.today()
    label = ci.month_label(today)
    with session_scope(engine, write=False) as s:
        first_page = rq.page(s, office, rq.RegistryFilter(), today=today).rows
        # a person in the first rows (the grid's accessible table holds the rows on screen)
        untouched = next(int(i) for i, ph in zip(first_page["id"][:8], first_page["联系电话"][:8])
                         if ph and ph != NEW_PHONE and len(ph) == 11)
    # setup before any server starts: this person's ledger was last reviewed before this month
    with engine.begin() as c:
        c.execute(update(Person).where(Person.id == untouched).values(reviewed_on=dt.date(2025, 6, 30), updated_at=None))
        # …and its ledger history agrees: not checked or changed this month (ledger_touches)
        c.execute(delete(LedgerTouch).where(LedgerTouch.person_id == untouched, LedgerTouch.month == label))
    with session_scope(engine, write=False) as s:
        person = s.get(Person, untouched)
        old_phone, version = person.phone, person.version
    n0, d0 = _ledger(engine, office, label)

    # CAREDESK_DEMO=1: the demo county's published password is accepted as is (no forced change)
    env = {"CAREDESK_CACHE_TTL": "600", "CAREDESK_COOKIE_KEY": "two-process-test-shared-cookie-key-0123456789",
           "CAREDESK_DEMO": "1"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with live_server(url, tmp_path / "a", env) as base_a, live_server(url, tmp_path / "b", env) as base_b:
        ctx_a = browser.new_context(viewport={"width": 2400, "height": 1400})
        ctx_b = browser.new_context(viewport={"width": 2400, "height": 1400})
        a, b = ctx_a.new_page(), ctx_b.new_page()
        login(a, base_a, "office", PASSWORD)
        login(b, base_b, "leader", PASSWORD)

        def open_page(page, base, path, expect):
            """Open the page and wait (on the page's own content, no fixed sleep) until `expect`
            is drawn: grids paint their rows after the script run. A timeout is a failure."""
            goto(page, f"{base}/{path}")
            h1 = page.locator("[data-testid='stMain'] h1").first
            h1.wait_for(timeout=WAIT_MS)
            title = {"registry": "人员台账", "indicators": "指标看板"}[path]
            if h1.inner_text().strip() != title:
                # Under load a deep link can land on 工作台 while the cookie sign-in settles
                # (a known dead end, issue 20 item 7); this test is about the caches, so it
                # goes on as a user would, through the menu.
                open_menu_page(page, title)
            try:
                page.wait_for_function("t => document.body.innerHTML.includes(t)", arg=expect, timeout=WAIT_MS,
                                       polling=200)
            except Exception:
                page.screenshot(path=str(ARTIFACTS / f"perf_two_process_timeout_{path}.png"))
                raise
            return page.content()

        # both processes have the old state in their caches
        assert old_phone in open_page(a, base_a, "registry", old_phone)
        assert mask_phone(old_phone) in open_page(b, base_b, "registry", mask_phone(old_phone))
        assert f"{n0}/{d0}" in open_page(b, base_b, "indicators", f"{n0}/{d0}")

        # the office user saves a new phone number (service layer, as in process A's page)
        with session_scope(engine, actor=office) as s:
            assert svc.save_quick_edits(s, office, [svc.RowEdit(untouched, version, {"phone": NEW_PHONE})]) == 1
        n1, d1 = _ledger(engine, office, label)
        assert (n1, d1) == (n0 + 1, d0)

        # next page run in the other process: new value, masked for the leader; new figure
        html_b = open_page(b, base_b, "registry", mask_phone(NEW_PHONE))
        b.screenshot(path=str(ARTIFACTS / "perf_two_process_leader_registry.png"))
        assert mask_phone(NEW_PHONE) in html_b and mask_phone(old_phone) not in html_b
        assert NEW_PHONE not in html_b
        html_ind = open_page(b, base_b, "indicators", f"{n1}/{d1}")
        b.screenshot(path=str(ARTIFACTS / "perf_two_process_leader_indicators.png"))
        assert f"{n1}/{d1}" in html_ind
        # and process A, where the office user is, shows it in clear
        html_a = open_page(a, base_a, "registry", NEW_PHONE)
        a.screenshot(path=str(ARTIFACTS / "perf_two_process_office_registry.png"))
        assert NEW_PHONE in html_a and old_phone not in html_a
        ctx_a.close()
        ctx_b.close()
