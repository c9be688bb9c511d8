"""Shared fixtures.

Database tests run on both SQLite and PostgreSQL (`backend` parameter). Each test gets
a fresh, migrated database copied from a template made once per run: a file copy on
SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL. Locally the PostgreSQL half skips
with a printed reason when no server answers; with CI=true it fails instead.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("CAREDESK_BCRYPT_ROUNDS", "4")  # fast hashes in tests only
os.environ.setdefault("CAREDESK_DEMO", "0")

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db.engine import dispose_all, make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402

PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
ARTIFACTS = Path(__file__).parent / "artifacts"


def _pg_admin():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def pg_available() -> str | None:
    """None when PostgreSQL answers, else the reason."""
    try:
        with _pg_admin().connect() as c:
            c.execute(text("select 1"))
        return None
    except Exception as e:  # noqa: BLE001
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(e).__name__}"


def require_pg() -> None:
    reason = pg_available()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        print(f"\nSKIP PostgreSQL half: {reason}")
        pytest.skip(reason)


def pg_create_database(template: str | None = None) -> str:
    name = f"caredesk_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin().connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def pg_drop_database(url: str) -> None:
    name = make_url(url).database
    with _pg_admin().connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    """Migrated empty databases to copy from, made lazily per backend."""
    made: dict[str, str] = {}
    yield made
    dispose_all()
    for backend, url in made.items():
        if backend == "postgresql":
            pg_drop_database(url)


def _template(backend: str, templates: dict, tmp_path_factory) -> str:
    if backend not in templates:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("tpl") / "template.db"
            url = f"sqlite:///{path}"
        else:
            url = pg_create_database()
        eng = make_engine(url)
        upgrade(eng)
        eng.dispose()
        templates[backend] = url
    return templates[backend]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    if request.param == "postgresql":
        require_pg()
    return request.param


@pytest.fixture
def db_url(backend, templates, tmp_path_factory, tmp_path):
    tpl = _template(backend, templates, tmp_path_factory)
    if backend == "sqlite":
        src = Path(make_url(tpl).database)
        dst = tmp_path / "test.db"
        shutil.copyfile(src, dst)
        url = f"sqlite:///{dst}"
        yield url
    else:
        url = pg_create_database(template=make_url(tpl).database)
        yield url
        dispose_all()
        pg_drop_database(url)


@pytest.fixture
def engine(db_url):
    from db.engine import get_engine

    eng = get_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path, templates, tmp_path_factory):
    """A fresh migrated SQLite database only (for tests that are about SQLite itself)."""
    tpl = _template("sqlite", templates, tmp_path_factory)
    dst = tmp_path / "only.db"
    shutil.copyfile(make_url(tpl).database, dst)
    return f"sqlite:///{dst}"


CHROMIUM = "/usr/bin/chromium"


# Module scope: a test module may also start Playwright itself, and two sync
# Playwright instances cannot be alive at once in one process.
@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium (never a downloaded browser); required with CI=true."""
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail("CI=true requires Debian's chromium at /usr/bin/chromium")
        pytest.skip("no /usr/bin/chromium (apt-get install chromium chromium-driver fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    from tests.harness import CHROMIUM_ARGS

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()
