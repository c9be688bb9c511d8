"""Sign-in with streamlit-authenticator, hardened with database-side rules.

The authenticator renders the form and sets/reads its JWT cookie; this module adds
what it lacks (DESIGN.md §8): users from the database, lockout and throttle kept in
the database, cookies refused when issued before the user's `sessions_valid_after`,
idle and absolute timeouts enforced on the server, and the audit trail.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import time

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit_authenticator.utilities import LoginError

from components.text import md
from core.passwords import policy_errors
from core.roles import Actor
from db import config
from areas.admin import users
from components.page import navigation
from core.pages import allowed
from db.errors import Busy
from db.engine import session_scope
from core.clock import utcnow

FIELDS = {
    "Form name": "登录 关爱联席工作台",
    "Username": "用户名",
    "Password": "密码",
    "Login": "登录",
    "Captcha": "验证码",
}
_TOUCH_EVERY_S = 60
ENTRY = "_entry_page"  # the page (url path, query) a session was opened on before it signed in


def _now() -> dt.datetime:
    # Tests move the clock by putting a datetime in session_state["_clock"].
    return st.session_state.get("_clock") or utcnow()


def _ip(text: str | None):
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def _trusted(ip, proxies: tuple[str, ...]) -> bool:
    for p in proxies:
        try:
            if ip in ipaddress.ip_network(p.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(peer: str | None, forwarded: list[str], proxies: tuple[str, ...]) -> str | None:
    """The address the throttle, the lockout and the audit log use. X-Forwarded-For is
    anyone's to write, so it is believed only when the peer is a configured proxy
    (CAREDESK_TRUSTED_PROXIES), and then read from the right: each trusted hop appended
    the address it saw, and the first untrusted one is the client."""
    ip = _ip(peer)
    if ip is None:
        return None
    hops = [h for line in forwarded for h in line.split(",") if h.strip()]
    while _trusted(ip, proxies) and hops:
        nxt = _ip(hops.pop())
        if nxt is None:  # garbage from the client: stop at the last hop we trust
            break
        ip = nxt
    return str(ip)


def _client() -> str | None:
    try:
        headers = st.context.headers
        forwarded = list(headers.get_all("X-Forwarded-For")) if headers else []
        # Streamlit reports a loopback peer (nginx on the same host) as None; with a
        # connection present (headers), None is loopback.
        peer = st.context.ip_address or ("127.0.0.1" if headers else None)
        ip = client_address(peer, forwarded, config.load().trusted_proxies)
    except Exception:  # noqa: BLE001
        return None
    return ip[:64] if isinstance(ip, str) and ip else None  # AppTest gives a mock here


def _cookie_payload(settings: config.Settings) -> dict | None:
    raw = st.context.cookies.get(settings.cookie_name) if st.context.cookies else None
    if not raw:
        return None
    try:
        return jwt.decode(raw, settings.cookie_key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None  # another key or tampered: the authenticator will refuse it too


def _end_session(authenticator, reason: str | None, presentation_reason: str | None = None) -> None:
    """`presentation_reason`: the sign-in itself is over (timeout, revoked), so its
    投屏模式 ends here, audited (a sign-out ended it already in users.revoke_sessions)."""
    actor: Actor | None = st.session_state.get("actor")
    if presentation_reason and actor is not None and st.session_state.get("login_key"):
        with session_scope(actor=actor) as s:
            users.end_presentations(s, actor.username, st.session_state["login_key"], presentation_reason)
    for key in ("actor", "login_at", "last_seen", "last_touch", "login_key", "login_expires", "presentation", ENTRY):
        st.session_state.pop(key, None)
    try:
        authenticator.logout(location="unrendered")
    except Exception:
        st.session_state["authentication_status"] = None
    if reason:
        st.session_state["_auth_notice"] = reason


def _logout_clicked(settings: config.Settings) -> None:
    actor: Actor | None = st.session_state.get("actor")
    if actor is not None:
        with session_scope(actor=actor) as s:
            users.revoke_sessions(s, actor.username, _now(), reason="logout")
    st.session_state["_do_logout"] = True


def require_login() -> Actor:
    """Returns the signed-in actor, or renders the sign-in form and stops the script.
    Sign-in writes (attempts, lockout, last seen) wait for a long writer within a bound
    (db/engine.py); past it the user reads why in Chinese instead of an error page."""
    try:
        return _require_login()
    except Busy as e:
        st.error(md(str(e)))
        st.stop()


def _remember_entry_page() -> None:
    """Keep the deep link (/person?id=…, /registry) a not yet signed-in session was opened on."""
    ctx = get_script_run_ctx()
    name = ctx.pages_manager.intended_page_name if ctx is not None else None
    if name and ENTRY not in st.session_state:  # "" for the app's root
        st.session_state[ENTRY] = (name, st.query_params.to_dict())


def follow_entry_page(role: str, page) -> None:
    """After sign-in, on the page `page` st.navigation resolved: a rerun the browser sent
    before it knew its page (a component mounting while the cookie sign-in settles) asks for
    the main script, and st.navigation answers it with the default page, 工作台, dropping the
    deep link. Such a run (it names no page, or the main script) goes on to the page the
    session was opened on. A rerun that names a page — the user's own navigation — is
    honoured as it is."""
    entry = st.session_state.get(ENTRY)
    ctx = get_script_run_ctx()
    if not entry or ctx is None:
        return
    pm = ctx.pages_manager
    if pm.intended_page_name or pm.intended_page_script_hash not in ("", pm.main_script_hash):
        return
    name, params = entry
    if name != getattr(page, "url_path", None) and allowed(role, name):
        st.switch_page(f"pages/{name}.py", query_params=params)


def _require_login() -> Actor:
    settings = config.load()
    now = _now()
    state = st.session_state
    if "actor" not in state:
        _remember_entry_page()

    if not state.get("authentication_status"):
        payload = _cookie_payload(settings)
        if payload and "username" in payload and "exp_date" in payload:
            issued_at = float(payload["exp_date"]) - settings.cookie_expiry_hours * 3600
            with session_scope(write=False) as s:
                ok = users.cookie_valid(users.get_user(s, payload["username"]), issued_at, now, settings.idle_timeout_min)
            if not ok:
                state["logout"] = True  # makes the authenticator ignore the cookie
                with session_scope() as s:  # its sign-in is over: so is its 投屏模式
                    users.end_presentations(s, payload["username"], _login_key(payload["exp_date"]), "会话超时")
        elif "logout" not in state:
            state["logout"] = False

    with session_scope(write=False) as s:
        creds = users.credentials(s, now)
    authenticator = stauth.Authenticate(
        creds,
        settings.cookie_name,
        settings.cookie_key,
        cookie_expiry_days=settings.cookie_expiry_hours / 24,
        auto_hash=False,
        login_sleep_time=0,
    )

    if state.pop("_do_logout", False):
        _end_session(authenticator, state.pop("_auth_notice", None) or "您已安全退出。")

    if state.get("authentication_status") and "actor" in state:
        actor = state["actor"]
        idle = now - state["last_seen"] > dt.timedelta(minutes=settings.idle_timeout_min)
        expired = now - state["login_at"] > dt.timedelta(hours=settings.absolute_timeout_hours)
        with session_scope(write=False) as s:
            user = users.get_user(s, actor.username)
            revoked = (
                user is None
                or not user.active
                or (user.sessions_valid_after is not None and users._aware(user.sessions_valid_after) > state["login_at"])
            )
        if idle or expired or revoked:
            _end_session(authenticator, "会话已超时，请重新登录。" if (idle or expired) else "会话已失效，请重新登录。",
                         "会话超时" if (idle or expired) else "登录已失效")
        else:
            state["last_seen"] = now
            if (now - state.get("last_touch", now - dt.timedelta(hours=1))).total_seconds() > _TOUCH_EVERY_S:
                with session_scope() as s:
                    users.touch(s, actor.username, now)
                state["last_touch"] = now
            _sidebar_account(authenticator, actor, settings)
            return actor

    came_from_cookie = bool(_cookie_payload(settings)) and not state.get("logout")
    _capture_attempted_username(authenticator)
    # The form lives in a placeholder so a successful sign-in can clear it and carry on
    # in the same run: no st.rerun(), so a deep link (page path, ?id=…) survives sign-in.
    holder = st.empty()
    with holder.container():
        _login_header()
        # Above the form: the first thing a returning user reads. Kept (not popped) until the
        # next sign-in attempt, because deleting the cookie triggers one more rerun.
        notice = state.get("_auth_notice")
        if notice:
            st.info(md(notice))  # may carry the reason an administrator typed
        try:
            authenticator.login(location="main", fields=FIELDS, key="login")
        except LoginError:
            state["authentication_status"] = False

    status = state.get("authentication_status")
    if status is not None:
        state.pop("_auth_notice", None)
    if status is False:
        username = state.pop("login_username_attempt", "") or ""
        _failed(username, now, settings)
        state["authentication_status"] = None
    elif status:
        via = "cookie" if came_from_cookie else "password"
        actor = _accept(state.get("username"), now, settings, via)
        if actor is not None:
            holder.empty()
            payload = _cookie_payload(settings) if via == "cookie" else None
            exp_date = payload["exp_date"] if payload else _write_cookie(authenticator, settings)
            # The sign-in's name for 投屏模式: a reload signs in again with the same cookie.
            state["login_key"] = _login_key(exp_date)
            state["login_expires"] = dt.datetime.fromtimestamp(float(exp_date), dt.timezone.utc)
            _sidebar_account(authenticator, actor, settings)
            return actor
        _end_session(authenticator, None)
        st.error(users.GENERIC_LOGIN_ERROR)
    if state.get("_menu_drawn"):
        navigation(None)  # signed out in this session: no menu of the last role stays in the sidebar
    st.stop()


def _login_key(exp_date) -> str:
    return repr(float(exp_date))


def _write_cookie(authenticator, settings: config.Settings) -> float:
    """The authenticator's own cookie component was drawn inside the cleared
    placeholder; draw it again where it stays (under another widget key). Uses the
    pinned 0.4.2 cookie model so the token is exactly the authenticator's. Returns the
    token's expiry stamp. Written Secure when the app is served over HTTPS (JavaScript
    writes it, so HttpOnly is impossible: docs/DEPLOYMENT.md)."""
    model = authenticator.cookie_controller.cookie_model
    model.exp_date = model._set_exp_date()
    model.cookie_manager.set(
        model.cookie_name,
        model._token_encode(),
        key="caredesk_set_cookie",
        expires_at=dt.datetime.now() + dt.timedelta(days=model.cookie_expiry_days),
        secure=settings.https or None,
    )
    return model.exp_date


def _capture_attempted_username(authenticator) -> None:
    """The authenticator does not tell which name failed; the lockout needs it."""
    controller = authenticator.authentication_controller
    original = controller.login

    def login(username=None, password=None, *args, **kwargs):
        if username:
            st.session_state["login_username_attempt"] = username.lower().strip()
        # Only whether it is the published demo password is kept, never the password.
        st.session_state["_published_password"] = users.published_password(password)
        return original(username, password, *args, **kwargs)

    controller.login = login


def _login_header() -> None:
    st.title("关爱联席工作台")
    st.caption("农村留守儿童、困境儿童、特困人员、三留守人员和重度残疾人关爱保护 · 联席会议工作平台")


def _failed(username: str, now: dt.datetime, settings: config.Settings) -> None:
    with session_scope() as s:
        users.record_failure(s, username or "-", _client(), now, settings.lockout_failures, settings.lockout_minutes)
    st.error(users.GENERIC_LOGIN_ERROR)


def _accept(username: str | None, now: dt.datetime, settings: config.Settings, via: str) -> Actor | None:
    if not username:
        return None
    with session_scope() as s:
        user = users.get_user(s, username)
        if user is None or not user.active or users.is_locked(user, now):
            return None
        if via == "password" and users.client_throttled(s, _client(), now, settings.lockout_minutes):
            users.record_failure(s, username, _client(), now, settings.lockout_failures, settings.lockout_minutes)
            return None
        users.record_success(s, user, _client(), now, "密码登录" if via == "password" else "凭证续期")
        users.end_presentations(s, user.username, None, "登录已过期", dead_at=now)  # left open by a closed browser
        if via == "password" and st.session_state.pop("_published_password", False) and not settings.demo:
            # Demo mode prints this password for everyone: forcing a change there would lock
            # the next visitor out. Anywhere else it is public knowledge: change it first.
            user.must_change_password = True
        actor = users.actor_for(user)
        must_change = user.must_change_password
    st.session_state.update(actor=actor, login_at=now, last_seen=now, last_touch=now, must_change_password=must_change)
    return actor


def _sidebar_account(authenticator, actor: Actor, settings: config.Settings) -> None:
    with st.sidebar:
        st.text(actor.display_name or actor.username)  # typed by an admin: plain text, never Markdown
        st.caption(actor.role_label)  # md-ok: fixed role names
        st.button("退出登录", key="logout_btn", on_click=_logout_clicked, args=(settings,), width="stretch")
    if st.session_state.get("must_change_password"):
        password_change_form(actor, first_login=True)
        st.stop()


def password_change_form(actor: Actor, first_login: bool = False) -> None:
    st.subheader("修改密码")
    if first_login:
        st.warning("须先修改密码：管理员设置的初始密码和公开的演示密码都不能继续使用。")
    with st.form("change_password", clear_on_submit=True):
        old = st.text_input("原密码", type="password")
        new = st.text_input("新密码", type="password", help="至少10位，含大写、小写、数字、符号中的三类，不能包含用户名")
        again = st.text_input("再次输入新密码", type="password")
        if st.form_submit_button("确认修改"):
            if new != again:
                st.error("两次输入的新密码不一致")
                return
            with session_scope(actor=actor) as s:
                errors = users.change_password(s, actor.username, old, new, _now())
            if errors:
                for e in errors:
                    st.error(md(e))
                return
            st.session_state["must_change_password"] = False
            st.session_state["_do_logout"] = True
            st.session_state["_auth_notice"] = "密码已修改，请用新密码重新登录。"
            time.sleep(0.1)
            st.rerun()


__all__ = ["require_login", "password_change_form", "policy_errors"]
