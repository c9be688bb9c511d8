"""What every page does first: find the actor and check the page is theirs."""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from components import zh
from core import access
from core.pages import BY_KEY, PAGES, allowed, pages_for
from core.roles import Actor

_PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


def navigation(role: str | None, presenting: bool = False):
    """st.navigation for a role's pages. After a sign-out (role None) it is drawn too,
    hidden, over every page: the browser drops the last role's menu (it keeps the menu of
    the last run that drew one), and a deep link such as /registry still resolves, so the
    page opens after sign-in."""
    existing = {p.stem for p in _PAGES_DIR.glob("*.py")}
    specs = pages_for(role, existing) if role else [p for p in PAGES if p.key in existing]
    groups: dict[str, list] = {}
    for spec in specs:
        groups.setdefault(spec.group, []).append(
            st.Page(f"pages/{spec.key}.py", title=spec.title, icon=spec.icon, url_path=spec.key)
        )
    if role is None:
        return st.navigation(groups, position="hidden")
    st.session_state["_menu_drawn"] = True  # from now on a sign-out has a menu to replace
    # The sidebar is hidden while presenting, so the menu moves to the top.
    return st.navigation(groups, position="top" if presenting else "sidebar", expanded=True)


def current_actor() -> Actor:
    actor = st.session_state.get("actor")
    if actor is None:
        # Before any session of this server has called st.navigation, Streamlit serves a
        # deep link such as /registry straight from pages/ (its legacy multipage mode),
        # skipping app.py and its sign-in. Leave that mode for good and rerun through
        # app.py, which signs in and then honours the requested page.
        PagesManager.uses_pages_directory = False
        st.rerun()
    if st.session_state.get("presentation") and not actor.presentation:
        actor = Actor(**{**actor.__dict__, "presentation": True})
    return actor


def page_header(key: str, caption: str | None = None) -> Actor:
    """Checks the role may open this page (server side), then draws its title."""
    zh.inject()  # Streamlit's own labels in Chinese (components/zh.py)
    actor = current_actor()
    if not allowed(actor.role, key):
        st.error("您的角色无权访问此页面。")
        st.stop()
    st.title(BY_KEY[key].title)  # md-ok: page titles
    if actor.presentation and access.hidden_while_presenting(key):
        st.info(access.PRESENTATION_NOTICE, icon=":material/slideshow:")
        st.stop()
    if caption:
        st.caption(caption)  # md-ok: pages pass fixed text (checked as page_header's argument)
    return actor


def audit_search(actor: Actor, where: str, text: str) -> None:
    """Audit a free-text search for people once per distinct text (not on every rerun)."""
    from db.engine import session_scope
    from areas.registry.writes import record_search

    text = (text or "").strip()
    key = f"_audited_search_{where}"
    if not text or st.session_state.get(key) == text:
        return
    with session_scope(actor=actor) as s:
        record_search(s, actor, where, text)
    st.session_state[key] = text
