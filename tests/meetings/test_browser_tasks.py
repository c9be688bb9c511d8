"""Headless Chromium: a unit liaison reports progress and claims completion; the office accepts it (销号)."""
import datetime as dt
import re
from pathlib import Path

import pytest

from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from db.models import Task, TaskUpdate
from sqlalchemy import select
from tests import factories as f
from tests.conftest import ARTIFACTS
from tests.harness import live_server, login, open_page, settle, wait_shown
from tests.meetings.data import build

@pytest.fixture
def live_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = get_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        ids = build(s)
        f.county(s, townships=2, villages=1)
        f.account(s, "office", "office")
        f.account(s, "unit_a", "unit", unit_id=ids["A"])
    yield {"url": url, "dir": Path(tmp_path), "ids": ids, "engine": engine}
    dispose_all()


def _open_tasks(page) -> None:
    open_page(page, "任务督办")
    wait_shown(page.get_by_role("combobox", name="查看任务"))


def _pick_task(page, title: str) -> None:
    page.get_by_role("combobox", name="查看任务").click()
    page.get_by_role("option", name=re.compile(title)).click()
    settle(page)


def test_unit_reports_and_claims_then_office_accepts(browser, live_db):
    t4 = live_db["ids"]["t4"]
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    try:
        with live_server(live_db["url"], live_db["dir"]) as base:
            login(page, base, "unit_a", f.PASSWORD)
            _open_tasks(page)
            body = page.locator("body").inner_text()
            assert "任务t5" not in body and "任务t8" not in body  # other units' tasks
            _pick_task(page, r"任务t4（")
            slider = page.locator(f".st-key-rp_progress_{t4}").get_by_role("slider")
            slider.focus()
            slider.press("End")
            page.locator(f".st-key-rp_text_{t4}").get_by_label("进展情况").fill("七个乡镇核查全部完成，汇总表已报联席办")
            page.locator(f".st-key-rp_claim_{t4}").get_by_text("已全部完成，申请销号").click()
            page.screenshot(path=str(ARTIFACTS / "tasks_unit_report.png"), full_page=True)
            page.get_by_role("button", name="提交报送").click()
            wait_shown(page.get_by_text("已申请销号，等待联席办审核"))
            settle(page)
            page.screenshot(path=str(ARTIFACTS / "tasks_unit_claimed.png"), full_page=True)
            with session_scope(live_db["engine"], write=False) as s:
                t = s.get(Task, t4)
                assert t.completion_claimed_on == dt.date.today() and t.closed_on is None
                up = s.scalars(select(TaskUpdate).where(TaskUpdate.task_id == t4).order_by(TaskUpdate.id.desc())).first()
                assert up.progress == 100 and up.created_by == "unit_a"

            page.get_by_role("button", name="退出登录").click()
            wait_shown(page.get_by_role("button", name="登录"))
            login(page, base, "office", f.PASSWORD)
            _open_tasks(page)
            _pick_task(page, r"任务t4（")
            assert "申请销号，等待联席办审核" in page.locator("body").inner_text()
            page.locator(f".st-key-ac_sure_{t4}").get_by_text("已核对佐证材料，确认销号").click()
            page.get_by_role("button", name="确认销号").click()
            wait_shown(page.get_by_text(f"任务 #{t4} 已销号"))
            settle(page)
            page.screenshot(path=str(ARTIFACTS / "tasks_office_accepted.png"), full_page=True)
            with session_scope(live_db["engine"], write=False) as s:
                t = s.get(Task, t4)
                assert t.closed_on == dt.date.today() and t.closed_by == "office"
    finally:
        ctx.close()
