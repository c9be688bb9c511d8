"""An administrator of a county with no divisions yet imports the county's list in Chromium,
as a new county would (issue 15 item 1): preview, confirm, and the divisions are there."""
from __future__ import annotations

import pytest

from db.engine import get_engine, session_scope
from tests import factories as f
from tests.conftest import ARTIFACTS
from tests.harness import live_server, login, migrated_sqlite, open_page, settle, wait_shown
from tests.regions.test_divisions_import import county_rows, xlsx


@pytest.fixture(scope="module")
def empty_county(tmp_path_factory):
    return migrated_sqlite(tmp_path_factory, "divisions", lambda s: f.account(s, "admin", "admin"))


def test_admin_imports_the_county_divisions(page, empty_county):
    path = empty_county["dir"] / "示范县区划.xlsx"
    path.write_bytes(xlsx(county_rows(10, 15)))
    with live_server(empty_county["url"], empty_county["dir"]) as base:
        login(page, base, "admin", f.PASSWORD)
        open_page(page, "区划与边界")
        wait_shown(page.get_by_text("系统中还没有区划"))
        page.locator(".st-key-div_file input[type=file]").set_input_files(str(path))
        wait_shown(page.get_by_text("确认导入：新增 161 个、更名 0 个"))
        page.screenshot(path=str(ARTIFACTS / "divisions_preview.png"), full_page=True)
        button = page.get_by_role("button", name="确认导入区划")
        assert button.is_disabled()  # nothing written without the confirmation
        page.get_by_text("确认导入：新增 161 个、更名 0 个").click()
        settle(page)
        button.click()
        wait_shown(page.get_by_text("区划已导入：新增 161 个，更名 0 个，不变 0 个。"))
        wait_shown(page.get_by_text("10 个乡镇（街道），150 个村（社区）"))
        page.screenshot(path=str(ARTIFACTS / "divisions_done.png"), full_page=True)
    engine = get_engine(empty_county["url"])
    from sqlalchemy import func, select

    from db.models import Region

    with session_scope(engine, write=False) as s:
        assert s.scalar(select(func.count()).select_from(Region)) == 161
    engine.dispose()
