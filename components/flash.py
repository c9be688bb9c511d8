"""The message that confirms a save: a write ends in st.rerun() so the page redraws from
the database, and the confirmation has to survive that rerun — and the reruns that follow
it without the user doing anything (a grid or a URL-bound widget reporting its new state
a moment later). So a confirmation is kept for KEEP_S seconds and drawn on every run in
that time, not popped by the first one; a later save replaces it."""
from __future__ import annotations

import time

import streamlit as st

from components.text import md

# Long enough to be read after the redraw (issue 20: 0.6 s was not); short enough not to
# greet the user's next, unrelated action.
KEEP_S = 8.0


def _clock() -> float:
    return time.monotonic()


def pending(key: str) -> str | None:
    """The confirmation `done` left under `key`, while it is still to be shown."""
    kept = st.session_state.get(key)
    if isinstance(kept, str):  # left by an older run of this module
        kept = (kept, _clock())
        st.session_state[key] = kept
    if not kept:
        return None
    message, at = kept
    if _clock() - at > KEEP_S:
        st.session_state.pop(key, None)
        return None
    return message


def show(key: str) -> None:
    """Draw the confirmation left by `done`, on every run for KEEP_S seconds after it."""
    message = pending(key)
    if message:
        st.success(md(message), icon=":material/check_circle:")  # confirmations quote names the user typed


def done(key: str, message: str) -> None:
    """Remember `message` (with the time) for the next runs and rerun now."""
    st.session_state[key] = (message, _clock())
    st.rerun()
