"""Fixtures shared with the app and browser suites (re-exported, not copied)."""
from tests.app.conftest import app_db  # noqa: F401
