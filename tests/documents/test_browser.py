"""Headless Chromium: an office user opens a child's file, follows 打印文书, gives the reason,
generates the 一人一档 and downloads it — the Word file holds the file, the audit log the print."""
from __future__ import annotations

import re

from sqlalchemy import select

from db.engine import dispose_all, session_scope
from db.models import AuditLog
from tests.conftest import ARTIFACTS
from tests.documents.conftest import PHONE_CHILD, docx_text
from tests.factories import PASSWORD
from tests.harness import WAIT_MS, goto, live_server, login, settle, wait_shown


def test_office_prints_a_person_file_from_the_file(browser, docs_app_db):
    w = docs_app_db
    dispose_all()  # the server process opens the database itself
    ARTIFACTS.mkdir(exist_ok=True)
    with live_server(w["url"], w["tmp"]) as base:
        page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-CN", accept_downloads=True)
        try:
            login(page, base, "office", PASSWORD)
            goto(page, f"{base}/person?id={w['child']}")
            wait_shown(page.get_by_text("档案甲（男"))
            page.get_by_role("link", name="打印文书（一人一档等）").click()
            page.wait_for_url(re.compile(r"/documents\?.*person="), timeout=WAIT_MS)
            wait_shown(page.get_by_text(re.compile("对象：档案甲")))
            reason = page.get_by_label(re.compile("打印事由"))
            reason.fill("县督查组调阅档案")
            reason.press("Enter")
            settle(page)
            page.get_by_role("button", name="生成文书").click()
            wait_shown(page.get_by_text("已生成 1 份文书"))
            page.screenshot(path=str(ARTIFACTS / "documents_printed.png"), full_page=True)
            with page.expect_download(timeout=WAIT_MS) as info:
                page.get_by_role("button", name=re.compile(r"下载 .*一人一档\.docx")).click()
            path = info.value.path()
            assert info.value.suggested_filename.endswith("一人一档.docx")
            data = open(path, "rb").read()
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "documents_browser_failure.png"), full_page=True)
            raise
        finally:
            page.close()
    text = docx_text(data)
    assert "档案甲" in text and w["child_id_number"] in text and PHONE_CHILD in text and "打印人 office" in text
    with session_scope(w["engine"], write=False) as s:
        rows = list(s.scalars(select(AuditLog).where(AuditLog.action == "print")))
    assert [(r.username, r.entity_id) for r in rows] == [("office", str(w["child"]))]
    assert "县督查组调阅档案" in rows[0].summary
