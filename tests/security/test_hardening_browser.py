"""Issue 13, items 5, 7 and 8 end to end in headless Chromium against a live server:
- a full-identity export is served once, to the browser that clicked: another client
  without cookies gets 404 for its URL, also after the session has ended;
- a forged X-Forwarded-For from an untrusted peer changes neither the throttled address nor
  the audit log's (and, as a control, it is believed from a configured proxy);
- after sign-out the last role's menu is gone from the sidebar;
- outside demo mode the published demo password must be changed first;
- the app works under the Content-Security-Policy and X-Frame-Options of docs/DEPLOYMENT.md."""
from __future__ import annotations

import io
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from areas.admin import users
from components import downloads
from db.engine import dispose_all, get_engine, session_scope
from db.models import AuditLog, LoginAttempt, Person
from tests.browser.conftest import small_county  # noqa: F401  (shared fixture)
from tests import factories as f
from tests.conftest import ARTIFACTS, CHROMIUM
from tests.harness import CHROMIUM_ARGS, ROOT, WAIT_MS, goto, live_server, login, settle
from tools.demo import DEMO_PASSWORD

FORGED = "203.0.113.9"


@pytest.fixture(scope="module")
def county(small_county):
    """The shared hand-built county, plus an account that still has the published demo password."""
    engine = get_engine(small_county["url"])
    with session_scope(engine) as s:
        users.create_user(s, "demo1", DEMO_PASSWORD, "office", display_name="demo1", must_change=False)
        ids_full = list(s.scalars(select(Person.id_number)))
    engine.dispose()
    dispose_all()
    return {**small_county, "ids": ids_full}


def _gone(url: str) -> bool:
    """Polls (bounded) until a client without cookies gets 404: the browser's own fetches
    get the file for downloads.FETCHED_GRACE_S after its first request, then nobody does."""
    deadline = time.monotonic() + downloads.FETCHED_GRACE_S + 20
    while time.monotonic() < deadline:
        if _fetch_status(url) == 404:
            return True
        time.sleep(0.5)
    return False


def _fetch_status(url: str) -> int:
    """A separate client: plain urllib, no cookie."""
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def _export(page, base) -> tuple[str, bytes]:
    goto(page, f"{base}/import_export")
    page.get_by_role("tab", name="导出台账").click()
    settle(page)
    page.get_by_text("含完整身份信息").click()
    settle(page)
    page.get_by_label("导出用途（必填，记入审计日志）").fill("核对台账")
    page.get_by_label("导出用途（必填，记入审计日志）").press("Enter")
    settle(page)
    page.get_by_role("button", name="生成导出文件").click()
    settle(page)
    button = page.get_by_role("button", name=re.compile(r"下载（\d+行）"))
    button.wait_for(timeout=WAIT_MS)
    with page.expect_download(timeout=WAIT_MS) as dl:
        button.click()
    download = dl.value
    return download.url, Path(download.path()).read_bytes()


def test_full_identity_export_is_short_lived_and_for_the_signed_in_browser_only(browser, county):
    with live_server(county["url"], county["dir"]) as base:
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True)
        page = ctx.new_page()
        login(page, base, "office", f.PASSWORD)
        url, data = _export(page, base)
        assert "/media/" in url and url.endswith(".xlsx"), url
        cells = {str(c.value) for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row}
        assert set(county["ids"]) <= cells, "the browser received the full-identity export"
        assert _gone(url)  # the URL is dead for anyone else

        # the signed-in user may download again (a new one-shot file), and after the session ends
        # neither URL answers
        with page.expect_download(timeout=WAIT_MS) as dl:
            page.get_by_role("button", name=re.compile(r"下载（\d+行）")).click()
        again = dl.value.url
        assert Path(dl.value.path()).read_bytes()[:2] == b"PK"
        assert _gone(again)
        ctx.close()
        assert _fetch_status(url) == 404 and _fetch_status(again) == 404


def _sign_in_attempts(browser, base, password):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                              extra_http_headers={"X-Forwarded-For": FORGED})
    page = ctx.new_page()
    goto(page, base)
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    settle(page)
    ctx.close()


def _clients(url) -> tuple[list, list]:
    engine = get_engine(url)
    with session_scope(engine, write=False) as s:
        clients = [c for (c,) in s.execute(select(LoginAttempt.client).order_by(LoginAttempt.id))]
        audited = list(s.scalars(select(AuditLog.summary).where(AuditLog.action.in_(["login", "login_failed"]))
                                 .order_by(AuditLog.id)))
    return clients, audited


# Streamlit's server (uvicorn) applies X-Forwarded-For itself for peers in FORWARDED_ALLOW_IPS
# (default: loopback, i.e. this test's browser); docs/DEPLOYMENT.md has it set empty so that
# CAREDESK_TRUSTED_PROXIES is the only rule, as here.
NO_UVICORN_FORWARDING = {"FORWARDED_ALLOW_IPS": ""}


def test_forged_forwarded_for_changes_neither_throttle_nor_audit(browser, county):
    with live_server(county["url"], county["dir"], NO_UVICORN_FORWARDING) as base:
        _sign_in_attempts(browser, base, "wrong-password-1")
        _sign_in_attempts(browser, base, f.PASSWORD)
    clients, audited = _clients(county["url"])
    assert clients[-2:] == ["127.0.0.1", "127.0.0.1"], clients
    assert all(FORGED not in (a or "") for a in audited), audited
    assert "客户端 127.0.0.1" in audited[-1]

    # control: the same header from a configured proxy is believed, so it did reach the server
    with live_server(county["url"], county["dir"],
                     {**NO_UVICORN_FORWARDING, "CAREDESK_TRUSTED_PROXIES": "127.0.0.1"}) as base:
        _sign_in_attempts(browser, base, "wrong-password-2")
    clients, audited = _clients(county["url"])
    assert clients[-1] == FORGED and FORGED in audited[-1]


def test_sign_out_clears_the_menu_and_the_demo_password_must_be_changed(browser, county):
    with live_server(county["url"], county["dir"]) as base:
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        login(page, base, "office", f.PASSWORD)
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_role("link", name="人员台账", exact=True).count() == 1
        page.get_by_role("button", name="退出登录").click()
        page.get_by_label("用户名").wait_for(timeout=WAIT_MS)
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "hardening_after_logout.png"))
        assert page.locator('[data-testid="stSidebarNav"] a').count() == 0
        assert "人员台账" not in page.locator("body").inner_text()

        # CAREDESK_DEMO=0 (the harness's default): the published demo password is not enough
        page.get_by_label("用户名").fill("demo1")
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_text("须先修改密码").first.wait_for(timeout=WAIT_MS)
        settle(page)
        assert page.get_by_label("原密码").count() == 1
        assert page.locator('[data-testid="stMain"] h1').count() == 0  # no page was drawn
        ctx.close()


def _deployment_headers() -> dict[str, str]:
    doc = (ROOT / "docs" / "DEPLOYMENT.md").read_text("utf-8")
    found = dict(re.findall(r'add_header (Content-Security-Policy|X-Frame-Options) "([^"]+)" always;', doc))
    assert set(found) == {"Content-Security-Policy", "X-Frame-Options"}, found
    return found


def test_the_documented_policy_allows_the_chinese_labels_script():
    from components import zh

    assert zh.csp_hash() in _deployment_headers()["Content-Security-Policy"]


def test_the_app_works_under_the_documented_headers(browser, county):
    """The headers nginx adds (docs/DEPLOYMENT.md §4a), added here to every document the
    browser loads (the app and the cookie component's frame): no violation, pages draw."""
    headers = _deployment_headers()
    # Route-fulfilled documents count as public for Chromium's local-network checks, which
    # would then block the websocket to 127.0.0.1: a second browser without that check.
    own = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS + ["--disable-features=LocalNetworkAccessChecks"])
    try:
        with live_server(county["url"], county["dir"]) as base:
            ctx = own.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")

            def add_headers(route):
                if route.request.resource_type != "document":
                    return route.continue_()
                response = route.fetch()
                route.fulfill(response=response, headers={**response.headers,
                                                          **{k.lower(): v for k, v in headers.items()}})

            ctx.route("**/*", add_headers)
            page = ctx.new_page()
            violations: list[str] = []
            page.on("console", lambda m: violations.append(m.text)
                    if "Content Security Policy" in m.text or "frame-ancestors" in m.text else None)
            login(page, base, "office", f.PASSWORD)
            for key, ready in (("registry", '[data-testid="stDataFrame"]'),
                               # a Vega chart draws under the policy (no 'unsafe-eval'); the map of
                               # this county without boundaries is its village table
                               ("slides", '[data-testid="stVegaLiteChart"]'),
                               ("map", '[data-testid="stDataFrame"]'),
                               ("import_export", '[data-testid="stTab"]')):
                goto(page, f"{base}/{key}")
                page.locator(ready).first.wait_for(timeout=WAIT_MS)
            page.screenshot(path=str(ARTIFACTS / "hardening_csp.png"))
            assert violations == []
            ctx.close()
    finally:
        own.close()
