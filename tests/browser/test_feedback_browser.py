"""Issue 20 items 1 and 7 in headless Chromium against a live `streamlit run`: a quick edit's
confirmation stays on screen, a bad phone is refused in Chinese at the row and cell, 打开 opens
the file in the same tab, and a deep link opened with a cookie (a new tab) lands on the page
asked for. (Item 5, the visit panel, and item 9, import progress: tests/app/test_feedback_app.py.)"""

from sqlalchemy import select

from db.engine import get_engine, session_scope
from db.models import Person
from tests import factories as f
from tests.conftest import ARTIFACTS
from tests.harness import WAIT_MS, goto, live_server, login, open_page, settle, wait_shown

NEW_PHONE = "13911112222"


def _t1_people(county) -> dict[str, int]:
    """The people of 测试1镇 (tw1's township) of the shared small county: name → id."""
    engine = get_engine(county["url"])
    try:
        with session_scope(engine, write=False) as s:
            return {n: i for i, n in s.execute(select(Person.id, Person.name).where(Person.township_id == county["ids"]["T1"]))}
    finally:
        engine.dispose()


def _phones(url: str) -> dict[str, str | None]:
    engine = get_engine(url)
    try:
        with session_scope(engine, write=False) as s:
            return {name: phone for name, phone in s.execute(select(Person.name, Person.phone))}
    finally:
        engine.dispose()


def _edit_first_row_phone(page, text: str) -> None:
    """Type `text` into the first row's ✎ 联系电话 cell of the quick-edit grid (a canvas:
    select the row's 序号 cell, move right to the phone column, edit, commit with Enter)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=WAIT_MS)
    box = grid.bounding_box()
    # 档案 and 序号 are "small" columns (75 px); the header row and data rows are 35 px high
    page.mouse.click(box["x"] + 75 + 37, box["y"] + 35 + 17)
    # the grid moves focus to the selected cell's accessible twin, id glide-cell-<col>-<row>
    focused = "id => document.activeElement && document.activeElement.id === id"
    page.wait_for_function(focused, arg="glide-cell-1-0", timeout=WAIT_MS, polling=50)
    for col in (2, 3):  # 序号 → 姓名 → ✎ 联系电话
        page.keyboard.press("ArrowRight")
        page.wait_for_function(focused, arg=f"glide-cell-{col}-0", timeout=WAIT_MS, polling=50)
    page.keyboard.press("Enter")  # opens the cell editor
    editor = page.locator("textarea.gdg-input")
    editor.wait_for(timeout=WAIT_MS)
    editor.fill(text)
    editor.press("Enter")  # commits
    editor.wait_for(state="detached", timeout=WAIT_MS)
    # the grid's accessible twin of the cell holds the new value once the edit is committed
    page.wait_for_function("t => (document.getElementById('glide-cell-3-0') || {}).textContent === t", arg=text,
                           timeout=WAIT_MS, polling=100)
    settle(page)
    page.screenshot(path=str(ARTIFACTS / f"feedback_edited_{text}.png"), full_page=True)


def _open_registry(page, base: str) -> None:
    login(page, base, "tw1", f.PASSWORD)
    open_page(page, "人员台账")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=WAIT_MS)
    settle(page)


def test_quick_edit_confirmation_is_still_on_screen_3s_after_saving(page, small_county):
    page.set_viewport_size({"width": 1280, "height": 900})
    with live_server(small_county["url"], small_county["dir"]) as base:
        _open_registry(page, base)
        # the editable columns are first and marked, inside the grid's width (no sideways scroll)
        page.screenshot(path=str(ARTIFACTS / "feedback_registry_grid.png"), full_page=True)
        _edit_first_row_phone(page, NEW_PHONE)
        save = page.get_by_role("button", name="保存修改（1行）")
        wait_shown(save)
        t0 = page.evaluate("() => performance.now()")
        save.click()
        done = page.get_by_text("已保存 1 人的修改。")
        done.first.wait_for(timeout=WAIT_MS)
        settle(page)  # the save's rerun and any that follow it have run
        # no fixed sleep: wait until the page's own clock says 3 s have passed since the click
        page.wait_for_function("t0 => performance.now() - t0 >= 3000", arg=t0, timeout=WAIT_MS, polling=100)
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "feedback_saved_after_3s.png"), full_page=True)
        assert done.first.is_visible(), "the confirmation vanished within 3 s of saving"
        assert NEW_PHONE in _phones(small_county["url"]).values()


def test_invalid_phone_is_refused_in_chinese_at_the_row_and_cell(page, small_county):
    before = _phones(small_county["url"])
    with live_server(small_county["url"], small_county["dir"]) as base:
        _open_registry(page, base)
        _edit_first_row_phone(page, "12345")
        save = page.get_by_role("button", name="保存修改（1行）")  # the grid took the edit
        wait_shown(save)
        save.click()
        msg = page.get_by_text("联系电话格式不正确")
        wait_shown(msg)
        page.screenshot(path=str(ARTIFACTS / "feedback_bad_phone.png"), full_page=True)
        text = msg.first.inner_text()
        assert "第1行（" in text and "）：联系电话格式不正确" in text, text  # the row, the person, the cell
    assert _phones(small_county["url"]) == before  # nothing saved


def _h1(page) -> str:
    h1 = page.locator("[data-testid='stMain'] h1").first
    h1.wait_for(timeout=WAIT_MS)
    settle(page)
    return h1.inner_text().strip()


def test_deep_link_with_a_cookie_lands_on_the_requested_page(page, small_county):
    """A new tab (same browser, so the sign-in cookie) opened on a person's file or on the
    registry shows that page once the cookie sign-in has settled, not 工作台."""
    name, pid = next(iter(_t1_people(small_county).items()))
    with live_server(small_county["url"], small_county["dir"]) as base:
        login(page, base, "tw1", f.PASSWORD)
        for path, title, expect in ((f"person?id={pid}", "人员档案", name), ("registry", "人员台账", "共 4 人")):
            tab = page.context.new_page()
            try:
                goto(tab, f"{base}/{path}")
                wait_shown(tab.get_by_role("button", name="退出登录"))
                landed = _h1(tab)
                if landed != title:
                    tab.screenshot(path=str(ARTIFACTS / f"feedback_deep_link_{title}.png"), full_page=True)
                assert landed == title, (path, landed)
                wait_shown(tab.get_by_text(expect).first)
                assert f"/{path.split('?')[0]}" in tab.url
            finally:
                tab.close()


def test_open_in_the_registry_opens_the_file_in_the_same_tab(page, small_county):
    with live_server(small_county["url"], small_county["dir"]) as base:
        _open_registry(page, base)
        box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
        page.mouse.click(box["x"] + 37, box["y"] + 35 + 17)  # 打开 in the first row
        page.wait_for_url("**/person?id=*", timeout=WAIT_MS)
        assert _h1(page) == "人员档案"
        assert len(page.context.pages) == 1  # no new tab (a new tab is a new session)
        page.screenshot(path=str(ARTIFACTS / "feedback_open_same_tab.png"), full_page=True)
        pid = int(page.url.split("id=")[1].split("&")[0])
        name = next(n for n, i in _t1_people(small_county).items() if i == pid)
        wait_shown(page.get_by_text(name).first)
