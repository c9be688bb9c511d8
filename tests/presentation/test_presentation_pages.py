"""Every page × every role in 投屏模式: nothing personal in what the server sends, no edit controls."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.masking import ID_NUMBER_RE, MOBILE_RE
from core.pages import PAGES
from db.engine import session_scope
from db.models import AuditLog
from tests.harness import ROOT, all_text, app_test
from tests.presentation.conftest import USERS

EXISTING = {p.stem for p in (ROOT / "pages").glob("*.py")}
CASES = [(role, p.key) for role in USERS for p in PAGES if role in p.roles and p.key in EXISTING]


def _leaks(text: str, names: set[str]) -> list[str]:
    found = [f"ID {m}" for m in ID_NUMBER_RE.findall(text)]
    found += [f"mobile {m}" for m in MOBILE_RE.findall(text)]
    found += [f"name {n}" for n in sorted(names) if n in text]
    return found


def _edit_controls(at) -> list[str]:
    out = [f"data_editor {d.key}" for d in at.dataframe if getattr(d.proto, "editing_mode", 0)]
    out += [f"file_uploader {u.label}" for u in at.get("file_uploader")]
    out += [f"form submit {b.label}" for b in at.button if getattr(b.proto, "is_form_submitter", False)]
    return out


def test_every_page_is_covered():
    assert "slides" in EXISTING
    assert len(CASES) >= 60, len(CASES)  # 5 roles × their pages


def test_the_check_would_catch_a_leak(demo_county):
    """The same checks, without 投屏模式, on a screen that shows people to staff: they fire."""
    at = app_test("office", "registry")
    text = all_text(at)
    assert _leaks(text, demo_county["names"]), "the leak check found nothing on the unmasked registry"
    assert ID_NUMBER_RE.search(text) and any(n in text for n in demo_county["names"])


@pytest.mark.parametrize("role,key", CASES, ids=[f"{r}-{k}" for r, k in CASES])
def test_presenting_page_sends_nothing_personal(demo_county, role, key):
    at = app_test(USERS[role], key, presentation=True)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and at.title[0].value, "page title missing"
    assert not any("无权" in e.value for e in at.error)
    text = all_text(at)
    assert at.session_state["presentation"] is True
    assert _leaks(text, demo_county["names"]) == []
    assert _edit_controls(at) == []


def test_person_file_opened_while_presenting(demo_county):
    """The 人员档案 of a real person, as the staff roles that may open it."""
    people = demo_county["people"]
    with session_scope(demo_county["engine"], write=False) as s:
        from db.models import Region

        tw = s.scalar(select(Region.id).where(Region.level == "township").order_by(Region.sort_order, Region.id))
    p = next(p for p in people if p.township_id == tw)  # inside the township account's scope
    for user in ("admin", "office", "township"):
        at = app_test(user)
        at.session_state["presentation"] = True
        at.query_params["id"] = str(p.id)
        at.switch_page("pages/person.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        text = all_text(at)
        assert p.name not in text and p.id_number not in text
        assert _leaks(text, demo_county["names"]) == [], user
        assert _edit_controls(at) == [], user


def test_incident_cards_while_presenting_hide_free_text(demo_county):
    """The first card's detail: description / handling / resolution hidden, no contact data."""
    seen = 0
    for user in ("office", "unit", "leader"):
        at = app_test(user, "incidents", presentation=True)
        text = all_text(at)
        assert _leaks(text, demo_county["names"]) == []
        if not any(s.label == "查看和办理" for s in at.selectbox):
            continue
        seen += 1
        texts = [t.value for t in at.text]
        assert texts[-2] in ("（已隐藏）", "（无）"), texts[-2]  # 情况描述
        assert re.search(r"处置情况：(—|（已隐藏）)\n结案意见：(—|（已隐藏）)", texts[-1]), texts[-1]
        if len(texts) == 3:  # linked to a registry person
            assert re.search(r"姓名：\S*\*", texts[0]) and "（无需联系，不显示）" in texts[0], texts[0]
    assert seen >= 2


def test_entering_and_leaving_are_deliberate_and_audited(demo_county):
    """Entering: the sidebar button; leaving: the 退出投屏模式 button; both audited.
    (AppTest keeps only the page's elements after a rerun, so leaving starts a new session
    already presenting, as a bookmark with ?present=1 would.)"""
    at = app_test("leader")
    assert "presentation" not in at.session_state or not at.session_state["presentation"]
    assert not any(b.label == "退出投屏模式" for b in at.button)
    on = [b for b in at.sidebar.button if b.label == "进入投屏模式"]
    assert on, "the switch is in the sidebar"
    on[0].click().run()
    assert at.session_state["presentation"] is True
    assert at.query_params.get("present") in ("1", ["1"])

    at = app_test("leader", presentation=True)
    assert any("leader" in h.proto.body and "投屏模式" in h.proto.body for h in at.get("html"))  # watermark
    assert not at.sidebar.button or not any(b.label == "进入投屏模式" for b in at.sidebar.button)
    off = [b for b in at.button if b.label == "退出投屏模式"]
    assert off
    off[0].click().run()
    assert at.session_state["presentation"] is False
    assert "present" not in at.query_params
    with session_scope(demo_county["engine"], write=False) as s:
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.username == "leader",
                                                               AuditLog.action.like("presentation_%"))
                                 .order_by(AuditLog.id)))
    assert actions[-2:] == ["presentation_on", "presentation_off"]


def test_bookmark_opens_in_presentation_mode(demo_county):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "office"
    at.query_params["present"] = "1"
    at.run()
    assert at.session_state["presentation"] is True
    text = all_text(at)
    assert "退出投屏模式" in text


def test_edit_only_pages_show_a_notice(demo_county):
    at = app_test("admin", "users", presentation=True)
    assert any("投屏模式下不显示此页面" in i.value for i in at.info)
    assert not at.dataframe and not at.text_input
