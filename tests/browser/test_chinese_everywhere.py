"""Issue 20 item 6: every page, for every demo account, in Chinese — headless Chromium.

One live server on a small demo county; first the sign-in page of the freshly started server
(nobody has signed in yet: Streamlit would list pages/ by their English file names), then one
sign-in per demo account and every page of its role (core/access.PAGE_ROLES) through the menu.
On each page and each of its tabs the visible text — DOM text outside icon ligatures, the
placeholders of empty inputs and the text cells of the data grids (their accessible table; the
grid paints on a canvas, so its "—" for empty cells is tests/test_chinese_labels.py's part) —
may hold no English word outside ALLOWED, no "None"/"nan"/"NaT"/"<NA>", no unrounded number
and no raw field name (snake_case). Findings are collected over the whole walk and reported
together; a screenshot of each page is kept in tests/artifacts/zh_<account>_<page>.png.
"""
from __future__ import annotations

import re
import time

import pytest

from core.pages import pages_for
from db.engine import dispose_all, get_engine
from db.migrate import upgrade
from tests.conftest import ARTIFACTS
from tests.harness import ROOT, WAIT_MS, goto, live_server, login, open_page
from tools import demo

# Product and format names, units and ID formats a Chinese clerk reads as they are.
ALLOWED = frozenset({
    "Excel", "WPS", "CSV", "csv", "XLSX", "xlsx", "xls", "GeoJSON", "geojson", "JSON", "json", "PDF", "PNG", "ZIP",
    "MB", "KB", "GB", "kg", "cm", "km", "ID", "Ctrl", "Shift", "Enter", "Tab", "Esc", "OpenStreetMap", "Streamlit",
    "CareDesk", "PPT", "QR", "SQLite", "PostgreSQL", "Word", "GBK", "UTF", "UTC", "GEOJSON", "Polygon",
    "MultiPolygon",
    # account names (an identifier, shown in 用户/操作人 columns and the watermark)
    *(word for username, *_ in demo.DEMO_ACCOUNTS for word in re.findall(r"[A-Za-z]+", username)), "demo",
})
# File paths and links are identifiers too (a backup folder, a link cell's target).
PATH_OR_LINK = re.compile(r"(?:https?://|/)[A-Za-z0-9_./?=&%-]+|\b[a-z_]+\?[A-Za-z0-9_=&]+")
WORD = re.compile(r"[A-Za-z][A-Za-z']+")
RAW_WORDS = ("None", "nan", "NaN", "NaT", "NA", "null", "True", "False")
RAW_VALUE = re.compile(r"(?<![A-Za-z0-9_.<])(None|nan|NaN|NaT|<NA>|null|True|False)(?![A-Za-z0-9_.>])")
RAW_NUMBER = re.compile(r"(?<![\d.])\d+\.\d{3,}(?![\d.])")  # unrounded: "7.00718MB", "93.480033"
RAW_FIELD = re.compile(r"(?<![A-Za-z0-9_])[a-z]+(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")

# What a person sees: text nodes whose element is rendered (not icon ligatures such as
# ":material/dashboard:" drawn from the word "dashboard"), placeholders of empty visible
# inputs, and the text cells of each shown data grid.
_VISIBLE_TEXT_JS = """
() => {
  const skip = '[data-testid="stIconMaterial"], [data-testid="stDataFrame"], script, style, noscript';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const t = n.textContent.trim();
    if (!t || !el || el.closest(skip)) continue;
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    out.push(t);
  }
  for (const i of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (i.placeholder && !i.value && i.checkVisibility()) out.push(i.placeholder);  // shown while empty
  }
  // The accessible table holds a cell's data, the canvas its display: numbers are drawn with
  // the column's format and booleans as check boxes, so only text cells are compared.
  for (const cell of document.querySelectorAll('[data-testid="stDataFrame"] table th, [data-testid="stDataFrame"] table td')) {
    const t = cell.textContent.trim();
    if (!t || /^-?[\d.,]+$/.test(t) || t === 'true' || t === 'false') continue;
    if (cell.closest('[data-testid="stDataFrame"]').checkVisibility()) out.push(t);
  }
  return out;
}
"""
# Every shown grid has mounted its accessible table (an empty grid has its header row only;
# a grid in a tab not selected is not mounted).
_GRIDS_READY_JS = """
() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
  .every(g => !g.checkVisibility() || g.querySelector('table th, table td'))
"""


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    d = tmp_path_factory.mktemp("zh")
    url = f"sqlite:///{d / 'demo.db'}"
    engine = get_engine(url)
    upgrade(engine)
    demo.generate(engine, people=300, seed=7)
    engine.dispose()
    dispose_all()
    return {"url": url, "dir": d}


def findings_in(texts: list[str], allowed: frozenset[str] = ALLOWED) -> list[str]:
    """What in `texts` is not Chinese: English words outside `allowed`, raw empty values, raw
    field names. Each finding quotes the text it was found in."""
    found: list[str] = []
    for t in texts:
        t = PATH_OR_LINK.sub(" ", t)
        short = t if len(t) <= 80 else t[:77] + "…"
        for m in RAW_VALUE.finditer(t):
            found.append(f"raw value {m.group()!r} in {short!r}")
        for m in RAW_NUMBER.finditer(t):
            found.append(f"unrounded number {m.group()!r} in {short!r}")
        for m in RAW_FIELD.finditer(t):
            found.append(f"field name {m.group()!r} in {short!r}")
        for m in WORD.finditer(t):
            if m.group() not in allowed and m.group() not in RAW_WORDS and not RAW_FIELD.fullmatch(m.group()):
                found.append(f"English {m.group()!r} in {short!r}")
    return sorted(set(found))


def test_the_filter_catches_what_the_issue_saw():
    """The checks themselves: each English text the issue reported is caught, Chinese is not."""
    seen = ["Drag and drop file here", "Upload", "10MB per file", "Choose options", "Choose an option",
            "Select all", "None", "nan", "NaT", "visited_on", "service_types", "7.00718MB", "workbench"]
    for t in seen:
        assert findings_in([t]), t
    assert findings_in(["单个文件不超过 5 MB", "请选择", "—", "走访日期", "XLSX、CSV", "2026-11-29", "93.5%"]) == []


def _check(page, where: str, allowed: frozenset[str]) -> list[str]:
    """The page as drawn, then each of its other tabs (switched in the browser, no rerun)."""
    page.wait_for_function(_GRIDS_READY_JS, timeout=WAIT_MS, polling=100)
    page.screenshot(path=str(ARTIFACTS / f"zh_{where.replace('/', '_')}.png"))
    texts = page.evaluate(_VISIBLE_TEXT_JS)
    tabs = page.locator("[data-testid='stMain'] [data-baseweb='tab']")
    for i in range(1, tabs.count()):
        tabs.nth(i).click()
        page.wait_for_function(_GRIDS_READY_JS, timeout=WAIT_MS, polling=100)
        texts += page.evaluate(_VISIBLE_TEXT_JS)
    return [f"{where}: {x}" for x in findings_in(texts, allowed)]


def _check_dropdown(page, where: str, allowed: frozenset[str]) -> list[str]:
    page.locator("[data-testid='stMultiSelect']").first.click()
    listbox = page.get_by_role("listbox").first
    listbox.wait_for(timeout=WAIT_MS)
    texts = [listbox.inner_text()]
    page.keyboard.type("zzzz")  # matches nothing: the empty list's text
    page.get_by_role("listbox").first.wait_for(timeout=WAIT_MS)
    texts.append(page.get_by_role("listbox").first.inner_text())
    page.keyboard.press("Escape")
    return [f"{where}: {x}" for x in findings_in(texts, allowed)]


def test_every_page_for_every_account_is_chinese(browser, county):
    started = time.monotonic()
    existing = {p.stem for p in (ROOT / "pages").glob("*.py")}
    found: list[str] = []
    visited = 0
    with live_server(county["url"], county["dir"], {"CAREDESK_DEMO": "1"}) as base:
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        try:
            page = ctx.new_page()
            goto(page, base)  # the first session of this server: the sign-in page
            page.get_by_label("用户名").wait_for(timeout=WAIT_MS)
            found += _check(page, "signin", ALLOWED)
        finally:
            ctx.close()
        for username, role, password, _scope in demo.DEMO_ACCOUNTS:
            # the account's own user name (sidebar, watermark) is an identifier, not English
            allowed = ALLOWED | {username}
            ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            try:
                page = ctx.new_page()
                login(page, base, username, password)
                # 会议投屏 last: it hides the sidebar the walk goes through
                for spec in sorted(pages_for(role, existing), key=lambda spec: spec.key == "slides"):
                    open_page(page, spec.title)  # clicks the menu and waits until Streamlit has settled
                    found += _check(page, f"{username}/{spec.key}", allowed)
                    if spec.key == "registry":  # a dropdown's own texts ("Select all", "No results")
                        found += _check_dropdown(page, f"{username}/{spec.key}/dropdown", allowed)
                    visited += 1
            finally:
                ctx.close()
    print(f"\n{visited} pages walked in {time.monotonic() - started:.0f} s")
    assert visited >= 6 * 5
    assert not found, f"{len(found)} findings:\n" + "\n".join(found)
