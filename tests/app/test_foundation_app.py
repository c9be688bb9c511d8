"""Sign-in, role → pages, township scope on the 工作台, lockout through the real form."""
import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core.pages import pages_for
from core.roles import ROLES
from areas.admin import users
from db.engine import session_scope
from db.models import AuditLog, Person
from tests import factories as f
from tests.harness import ROOT, app_test

USERS = {"admin": "admin", "office": "office", "township": "tw1", "unit": "unit", "leader": "leader"}
EXISTING = {p.stem for p in (ROOT / "pages").glob("*.py")}


def _nav(at: AppTest) -> set[str]:
    return {Path(str(info["script_path"])).stem for info in at._registered_pages.values()}


def test_each_role_sees_exactly_its_pages(app_db):
    for role in ROLES:
        at = app_test(USERS[role])
        assert not at.exception, at.exception
        expected = {p.key for p in pages_for(role, EXISTING)}
        assert _nav(at) == expected, role
        assert "workbench" in _nav(at)
        if role != "admin":
            assert not _nav(at) & {"users", "audit", "backup", "regions"}
        if role in ("unit", "leader"):
            assert not _nav(at) & {"person", "import_export", "pending"}


def test_page_outside_the_role_cannot_be_opened(app_db):
    at = app_test("unit")
    forbidden = [k for k in ("registry", "person") if k in EXISTING]
    for key in forbidden:
        try:
            at.switch_page(f"pages/{key}.py")
        except ValueError:
            continue  # not registered for this role: unreachable
        at.run()
        assert any("无权" in e.value for e in at.error)


def test_township_workbench_shows_only_its_township(app_db):
    at = app_test("tw1")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    with session_scope(app_db["engine"], write=False) as s:
        own = s.scalar(select(func.count()).select_from(Person).where(
            Person.township_id == app_db["ids"]["T1"], Person.status == "在册"))
        county = s.scalar(select(func.count()).select_from(Person).where(Person.status == "在册"))
    assert own == 3 and county == 8
    assert shown["在册人数"] == str(own)
    text = " ".join(df.value.to_csv() for df in at.dataframe)
    assert "测试1镇" in text and "测试2镇" not in text
    office = app_test("office")
    assert {m.label: m.value for m in office.metric}["在册人数"] == str(county)


def _login_form(clock=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if clock:
        at.session_state["_clock"] = clock
    return at.run()


def _press_login(at: AppTest, username: str, password: str) -> AppTest:
    inputs = {ti.label: ti for ti in at.text_input}
    inputs["用户名"].input(username)
    inputs["密码"].input(password)
    submit = [b for b in at.button if b.label == "登录"]
    assert submit, "login button not rendered"
    submit[0].click()
    return at.run()


def test_password_login_then_five_wrong_passwords_lock_the_account(app_db):
    at = _login_form()
    assert [ti.label for ti in at.text_input][:2] == ["用户名", "密码"]
    at = _press_login(at, "office", f.PASSWORD)
    assert not at.exception and at.session_state["actor"].username == "office"

    t0 = dt.datetime.now(dt.timezone.utc)
    at = _login_form(clock=t0)
    messages = []
    for _ in range(5):
        at = _press_login(at, "tw1", "wrong-password-1")
        messages.append(at.error[0].value)
    at = _press_login(at, "no-such-user", "whatever-pass")
    assert at.error[0].value == messages[0], "unknown user and wrong password must read the same"
    # the right password is refused while locked
    at = _press_login(at, "tw1", f.PASSWORD)
    assert "actor" not in at.session_state
    assert at.error and at.error[0].value == messages[0]
    with session_scope(app_db["engine"], write=False) as s:
        u = users.get_user(s, "tw1")
        assert users.is_locked(u, t0 + dt.timedelta(minutes=14))
        fails = s.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "login_failed", AuditLog.entity_id == "tw1"))
        assert fails >= 5
    # after the lock expires (clock moved on) the right password works
    later = _login_form(clock=t0 + dt.timedelta(minutes=16))
    later = _press_login(later, "tw1", f.PASSWORD)
    assert later.session_state["actor"].username == "tw1"
