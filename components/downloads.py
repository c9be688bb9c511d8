"""Downloads of personal data (issue 13): made on click, for the signed-in session, served once.

A plain st.download_button puts its bytes in Streamlit's media store as soon as the button
is drawn, at /media/<hash>.xlsx, which answers anyone, cookie or not, until the store's
sweep drops it (two script runs after the session has gone; on a quiet server, never).
Here instead:

* the button gets a callable (Streamlit's deferred download): nothing is stored until the
  click, and the callable refuses once the session has signed out;
* the file it makes is short-lived: its URL goes only to the browser that clicked, which
  fetches it at once (Streamlit 1.67's button fetches it twice: a check, then the download
  link), and FETCHED_GRACE_S after the first request it is removed from the store, so the
  URL is dead for any later client (download history, a copied link, a proxy log);
* a file nobody fetched is removed after UNFETCHED_TTL_S.

Streamlit 1.67 has no authentication on /media and no per-file lifetime option
(server.* options: none; st.App middleware would need another entry script), so the
lifetime rule wraps the running server's media store; tests/security/test_downloads_browser.py
pins the behaviour against the real server.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
from typing import Callable

import streamlit as st

UNFETCHED_TTL_S = 60
FETCHED_GRACE_S = 5

_once: dict[str, float] = {}  # file id → deadline
_lock = threading.Lock()


def _storage():
    from streamlit import runtime

    if not runtime.exists():
        return None
    return getattr(runtime.get_instance().media_file_mgr, "_storage", None)


def _install(storage) -> None:
    """Wrap the store's get_file once: the /media route asks for '<id>.<ext>', Streamlit's
    own bookkeeping for the bare id; the route's first request starts the grace period."""
    if getattr(storage, "_caredesk_one_shot", False):
        return
    original = storage.get_file

    def get_file(filename: str):
        file_id = os.path.splitext(filename)[0]
        if file_id != filename:
            with _lock:
                deadline = _once.get(file_id)
                first = deadline is not None and deadline - time.monotonic() > FETCHED_GRACE_S
                if first:
                    _once[file_id] = time.monotonic() + FETCHED_GRACE_S
            if first:
                _later(FETCHED_GRACE_S, storage, file_id)
        return original(filename)

    storage.get_file = get_file
    storage._caredesk_one_shot = True


def _expire(storage, file_id: str) -> None:
    with _lock:
        deadline = _once.get(file_id)
        if deadline is None or deadline > time.monotonic():
            return
        del _once[file_id]
    storage.delete_file(file_id)


def _register(data: bytes, mime: str, file_name: str) -> None:
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id

    storage = _storage()
    if storage is None:
        return
    _install(storage)
    file_id = _calculate_file_id(data, mime, file_name)  # the id the store will give it
    with _lock:
        _once[file_id] = time.monotonic() + UNFETCHED_TTL_S
    _later(UNFETCHED_TTL_S, storage, file_id)


def _later(seconds: float, storage, file_id: str) -> None:
    timer = threading.Timer(seconds + 0.05, _expire, args=(storage, file_id))
    timer.daemon = True
    timer.start()


def _signed_in(state) -> bool:
    """The session's sign-in is still good (components/auth.py's timeouts; a sign-out
    removes the actor)."""
    from core.clock import utcnow
    from db import config

    if state is None or "actor" not in state:
        return False
    settings = config.load()
    now = utcnow()
    return (now - state["last_seen"] <= dt.timedelta(minutes=settings.idle_timeout_min)
            and now - state["login_at"] <= dt.timedelta(hours=settings.absolute_timeout_hours))


def personal_download(label: str, make: Callable[[], bytes], *, file_name: str, mime: str, key: str,
                      **kwargs) -> None:
    """st.download_button for a file with personal data; `make` runs on the click."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    # The click runs the callable on a server thread outside the script, where st.session_state
    # is not this session's: keep this session's own state object for the check.
    ctx = get_script_run_ctx()
    state = ctx.session_state if ctx is not None else None

    def generate() -> bytes:
        if not _signed_in(state):  # signed out or timed out since the button was drawn
            raise PermissionError("signed out")
        data = make()
        _register(data, mime, file_name)
        return data

    st.download_button(label, generate, file_name=file_name, mime=mime, key=key, on_click="ignore", **kwargs)  # md-ok: checked at the callers
