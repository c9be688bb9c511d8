"""End to end in headless Chromium against a live server:
- a copied login cookie is refused after logout, after a password change and after the
  account is disabled; a cookie signed with another key is refused (and, as a control,
  the same copied cookie is accepted before any of that);
- a person named <img src=x onerror=alert(1)> with notes [x](javascript:alert(1))
  renders as text with no dialog fired."""
import datetime as dt
from pathlib import Path

import jwt
import pytest
from sqlalchemy import select

from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from db.models import Person, User
from areas.admin import writes as admin_svc
from tests import factories as f
from tests.conftest import ARTIFACTS
from tests.harness import WAIT_MS, goto, live_server, login, open_page, settle, wait_shown

XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_NOTES = "[x](javascript:alert(1)) <script>alert(2)</script>"
COOKIE = "caredesk_auth"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    d = tmp_path_factory.mktemp("sec_live")
    url = f"sqlite:///{d / 'live.db'}"
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        ids = f.county(s)
        admin = f.account(s, "admin", "admin")
        for name in ("office", "cpw", "dis"):
            f.account(s, name, "office")
        p = f.person(s, ids["T1"], ids["V11"], name=XSS_NAME)
        p.notes = XSS_NOTES
        s.flush()
        pid = p.id
    engine.dispose()
    dispose_all()
    return {"url": url, "dir": Path(d), "pid": pid, "admin": admin}


def _auth_cookie(context, page) -> dict:
    """The login cookie (written by the authenticator's cookie component shortly after sign-in):
    the page is settled (the component's run has finished), then the cookie must be there."""
    settle(page, quiet_ms=1000)
    found = [c for c in context.cookies() if c["name"] == COOKIE]
    assert found, f"no {COOKIE} cookie: {context.cookies()}"
    return found[0]


def _state_with_cookie(browser, base: str, cookie: dict, shot: str) -> str:
    """Open the app in a fresh context that only has `cookie`; 'in' or 'out'."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        ctx.add_cookies([cookie])
        page = ctx.new_page()
        goto(page, base)
        page.locator("text=退出登录").or_(page.get_by_label("用户名")).first.wait_for(timeout=WAIT_MS)
        # the cookie component reports the cookie after the first run and asks for another:
        # idle for a full second means that run has come and gone
        settle(page, quiet_ms=1000)
        page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))
        signed_in = page.get_by_role("button", name="退出登录").count() > 0
        form = page.get_by_label("用户名").count() > 0
        assert signed_in != form, (signed_in, form)
        if signed_in:
            assert "工作台" in page.locator("body").inner_text()
        return "in" if signed_in else "out"
    finally:
        ctx.close()


def _sign_in(browser, base, username, password):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = ctx.new_page()
    login(page, base, username, password)
    return ctx, page


def test_copied_cookie_is_refused_after_logout_password_change_and_disable(browser, county):
    with live_server(county["url"], county["dir"]) as base:
        # control: the copied cookie alone signs a fresh browser in
        ctx, page = _sign_in(browser, base, "office", f.PASSWORD)
        stolen = _auth_cookie(ctx, page)
        assert _state_with_cookie(browser, base, stolen, "cookie_control_accepted") == "in"
        # 1. logout
        page.get_by_role("button", name="退出登录").click()
        wait_shown(page.get_by_label("用户名"))
        ctx.close()
        assert _state_with_cookie(browser, base, stolen, "cookie_after_logout") == "out"

        # 2. password change on 我的账户
        ctx, page = _sign_in(browser, base, "cpw", f.PASSWORD)
        stolen = _auth_cookie(ctx, page)
        # (a deep link after a cookie sign-in lands on 工作台, so use the navigation)
        open_page(page, "我的账户")
        try:
            wait_shown(page.get_by_label("原密码"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "account_debug.png"))
            raise
        page.get_by_label("原密码").fill(f.PASSWORD)
        page.get_by_label("新密码", exact=True).fill("Spring#Field2026")
        page.get_by_label("再次输入新密码").fill("Spring#Field2026")
        page.screenshot(path=str(ARTIFACTS / "account_change_password.png"))
        page.get_by_role("button", name="确认修改").click()
        wait_shown(page.get_by_label("用户名"))
        wait_shown(page.get_by_text("密码已修改"))  # the notice stays above the form
        ctx.close()
        assert _state_with_cookie(browser, base, stolen, "cookie_after_password_change") == "out"
        ctx, _ = _sign_in(browser, base, "cpw", "Spring#Field2026")  # the new password works
        ctx.close()

        # 3. the administrator disables the account while it is signed in
        ctx, page = _sign_in(browser, base, "dis", f.PASSWORD)
        stolen = _auth_cookie(ctx, page)
        engine = get_engine(county["url"])
        with session_scope(engine, actor=county["admin"]) as s:
            u = s.scalar(select(User).where(User.username == "dis"))
            admin_svc.set_active(s, county["admin"], u.id, False, u.version, reason="测试停用")
        page.reload()  # the open session ends too
        wait_shown(page.get_by_label("用户名"))
        ctx.close()
        assert _state_with_cookie(browser, base, stolen, "cookie_after_disable") == "out"

        # 4. a cookie for a valid user, signed with a key the server does not hold
        forged = jwt.encode({"username": "office",
                             "exp_date": (dt.datetime.now() + dt.timedelta(hours=4)).timestamp()},
                            "another-key-" + "x" * 40, algorithm="HS256")
        assert _state_with_cookie(browser, base, {**stolen, "value": forged}, "cookie_other_key") == "out"


def test_hostile_name_and_notes_render_as_text(browser, county):
    with live_server(county["url"], county["dir"]) as base:
        ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        login(page, base, "office", f.PASSWORD)
        # find the person through 人员档案's search, as a user would
        open_page(page, "人员档案")
        box = page.get_by_label("姓名 / 身份证号码 / 电话")
        box.wait_for(timeout=WAIT_MS)
        box.fill("img")
        box.press("Enter")
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "xss_search.png"))
        page.get_by_role("link", name=XSS_NAME).first.click()
        wait_shown(page.get_by_text("返回人员台账"))
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "xss_person.png"), full_page=True)
        body = page.locator("body").inner_text()
        assert XSS_NAME in body, body[:400]  # shown as the literal text
        notes = page.locator("textarea").filter(has_text="").all()
        assert any(t.input_value() == XSS_NOTES for t in notes)
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
        page.get_by_text("返回人员台账").click()
        page.get_by_text("保存修改").or_(page.get_by_text("共")).first.wait_for(timeout=WAIT_MS)
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "xss_registry.png"), full_page=True)
        assert page.locator("img[src='x']").count() == 0
        settle(page)  # an onerror handler would have fired while the page drew
        assert dialogs == []
        ctx.close()
        with session_scope(get_engine(county["url"]), write=False) as s:
            assert s.get(Person, county["pid"]).name == XSS_NAME  # stored as typed, never rewritten
