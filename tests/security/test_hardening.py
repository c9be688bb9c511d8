"""Issue 13, items 2, 7 and 8 below the browser: the client address behind a proxy, the
presentation state kept per sign-in with every end audited, the published demo password,
and the pinned Streamlit options."""
from __future__ import annotations

import datetime as dt
import tomllib

import pytest
from sqlalchemy import select

from areas.admin import users
from components.auth import client_address
from db import config
from db.engine import session_scope
from db.models import AuditLog, Presentation
from tests import factories as f
from tests.harness import ROOT

NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.timezone.utc)


# ---------------------------------------------------------------- item 7: X-Forwarded-For
def test_forwarded_for_from_an_untrusted_peer_is_ignored():
    # no proxy configured (the default): whatever the client writes, the peer is the client
    assert client_address("198.51.100.7", ["203.0.113.9"], ()) == "198.51.100.7"
    assert client_address("198.51.100.7", ["203.0.113.9, 10.0.0.1"], ()) == "198.51.100.7"
    # a proxy is configured, but this request did not come through it
    assert client_address("198.51.100.7", ["203.0.113.9"], ("127.0.0.1",)) == "198.51.100.7"


def test_forwarded_for_through_a_trusted_proxy_is_read_from_the_right():
    proxies = ("127.0.0.1", "10.0.0.0/8")
    # nginx appends the address it saw; what the client wrote stays on the left and is ignored
    assert client_address("127.0.0.1", ["203.0.113.9, 198.51.100.7"], proxies) == "198.51.100.7"
    # two trusted hops (10.x is an inner proxy): the first untrusted address from the right
    assert client_address("127.0.0.1", ["198.51.100.7, 10.1.2.3"], proxies) == "198.51.100.7"
    # the header may come as several lines
    assert client_address("127.0.0.1", ["203.0.113.9", "198.51.100.7"], proxies) == "198.51.100.7"
    # garbage or nothing after a trusted hop: the last address we trust
    assert client_address("127.0.0.1", ["not-an-ip"], proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", [], proxies) == "127.0.0.1"
    assert client_address(None, ["203.0.113.9"], proxies) is None


def test_trusted_proxies_setting(monkeypatch):
    monkeypatch.delenv("CAREDESK_TRUSTED_PROXIES", raising=False)
    assert config.load().trusted_proxies == ()
    monkeypatch.setenv("CAREDESK_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    assert config.load().trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    monkeypatch.setenv("CAREDESK_HTTPS", "1")
    assert config.load().https is True


def test_deployment_doc_names_the_settings():
    doc = (ROOT / "docs" / "DEPLOYMENT.md").read_text("utf-8")
    for needle in ("CAREDESK_TRUSTED_PROXIES", "CAREDESK_HTTPS", "Content-Security-Policy", "X-Frame-Options",
                   "location = /_stcore/metrics", "proxy_cookie_flags", "STREAMLIT_SERVER_ALLOWED_HOSTS"):
        assert needle in doc, needle


# ---------------------------------------------------------------- item 2: presentation state
def _offs(s, username):
    return list(s.scalars(select(AuditLog.summary).where(AuditLog.username.in_([username, "system"]),
                                                         AuditLog.action == "presentation_off",
                                                         AuditLog.entity_id == username).order_by(AuditLog.id)))


def test_presentation_belongs_to_one_sign_in_and_every_end_is_audited(engine):
    with session_scope(engine) as s:
        actor = f.account(s, "office", "office")
    later = NOW + dt.timedelta(hours=8)
    with session_scope(engine, actor=actor) as s:
        assert users.start_presentation(s, actor, "login-A", NOW, later) is True
        assert users.start_presentation(s, actor, "login-A", NOW, later) is False  # once per sign-in
        users.start_presentation(s, actor, "login-B", NOW, later)
    with session_scope(engine, write=False) as s:
        assert users.presenting(s, "office", "login-A", NOW)  # a reload of sign-in A still presents
        assert not users.presenting(s, "office", "login-C", NOW)  # another sign-in does not
        assert not users.presenting(s, "office", "login-A", later)  # nor A once its cookie expired
    # 退出投屏模式 ends this sign-in's presentation only
    with session_scope(engine, actor=actor) as s:
        assert users.end_presentations(s, "office", "login-A", "退出投屏模式") == 1
        assert users.end_presentations(s, "office", "login-A", "退出投屏模式") == 0  # nothing left to end
    with session_scope(engine, write=False) as s:
        assert not users.presenting(s, "office", "login-A", NOW)
        assert users.presenting(s, "office", "login-B", NOW)
        assert _offs(s, "office") == ["退出投屏模式"]
    # signing out revokes every sign-in of the user, so every presentation ends, audited
    with session_scope(engine, actor=actor) as s:
        users.revoke_sessions(s, "office", NOW + dt.timedelta(minutes=5), reason="logout")
    with session_scope(engine, write=False) as s:
        assert s.scalars(select(Presentation)).all() == []
        assert _offs(s, "office") == ["退出投屏模式", "退出登录"]


def test_a_presentation_left_open_by_a_closed_browser_ends_at_the_next_sign_in(engine):
    with session_scope(engine) as s:
        actor = f.account(s, "leader", "leader")
    with session_scope(engine, actor=actor) as s:
        users.start_presentation(s, actor, "old", NOW, NOW + dt.timedelta(hours=8))
        users.start_presentation(s, actor, "live", NOW + dt.timedelta(hours=7), NOW + dt.timedelta(hours=15))
    with session_scope(engine) as s:  # sign-in at +9 h: "old" has expired, "live" has not
        assert users.end_presentations(s, "leader", None, "登录已过期", dead_at=NOW + dt.timedelta(hours=9)) == 1
    with session_scope(engine, write=False) as s:
        assert [p.login_key for p in s.scalars(select(Presentation))] == ["live"]
        assert _offs(s, "leader") == ["登录已过期"]


# ---------------------------------------------------------------- item 8
def test_the_published_demo_password_is_recognised():
    from tools.demo import DEMO_PASSWORD

    assert users.published_password(DEMO_PASSWORD)
    assert not users.published_password(DEMO_PASSWORD + "x")
    assert not users.published_password(None)


def test_streamlit_options_pinned():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"]["xsrfCookieSameSite"] == "strict"
    assert cfg["server"]["enableStaticServing"] is False
    assert cfg["server"]["enableAgentApi"] is False


@pytest.mark.parametrize("key", ["presentation_on", "presentation_off"])
def test_presentation_audit_actions_fit_the_column(key):
    assert len(key) <= AuditLog.__table__.c.action.type.length
