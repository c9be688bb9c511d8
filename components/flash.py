"""The message that confirms a save: a write ends in st.rerun() so the page redraws from
the database, and the confirmation has to survive that rerun."""
from __future__ import annotations

import streamlit as st

from components.text import md


def show(key: str) -> None:
    """Draw (once) the confirmation left by `done` on the previous run."""
    message = st.session_state.pop(key, None)
    if message:
        st.success(md(message))  # confirmations quote names the user typed


def done(key: str, message: str) -> None:
    """Remember `message` for the next run and rerun now."""
    st.session_state[key] = message
    st.rerun()
