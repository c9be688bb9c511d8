"""Browser-felt timings: click → page idle, in headless Chromium against a `streamlit run` server.

    DATABASE_URL=sqlite:////tmp/bench/h2/p200000.db .venv/bin/python bench/browser.py --runs 5
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/browser.py

It WRITES to the database (sign-ins are recorded; the quick edit saves a phone number): point it
at a copy of the benchmark data, not at data others measure on.

Per sample and role a fresh server is started (subprocess, free port, CAREDESK_DEMO=1: the data
is not empty, so nothing is seeded, and the demo password is accepted without the forced change
that CAREDESK_DEMO=0 would write into the users table). Then, in one browser session:
sign-in → 工作台 (cold: first sign-in after server start), 人员台账, filter 走访逾期, 指标看板,
乡镇地图 (first visits), then 工作台, 人员台账, 指标看板, 乡镇地图 again (later visits); in a second
session on the same server: sign-in (later), a quick edit of one row's 联系电话 and its save,
and 工作台 right after that write.

The timer runs in the page: a capturing `pointerdown` listener stamps the click (Date.now()),
a 20 ms poll watches Streamlit's own state (tests/harness.py: script not running, connected, no
status widget, skeleton or stale element; every chart painted and every data grid filled) and
the step's expectation (the page title; the saved message seen at least once), and the step is
done once that has held for --quiet ms after the script was seen running. Felt time = the moment it became idle
and stayed so − the click; the quiet period itself is not counted.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import Row, Table, load1, load_range, loadavg  # noqa: E402
from tests.harness import CHART_PAINTED_JS  # noqa: E402

PASSWORD_ENV = "CAREDESK_BENCH_PASSWORD"
# The server under test: demo mode on a filled database (no seeding, no forced password change);
# no file watcher (others edit the tree while we measure: a watcher would rerun or reload).
SERVER_ENV = {"CAREDESK_DEMO": "1", "CAREDESK_COOKIE_KEY": "bench-browser-cookie-key-0123456789abcdef",
              "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", "STREAMLIT_SERVER_RUN_ON_SAVE": "false"}

# Installed into every document (add_init_script): survives the reloads a sign-in may cause,
# because the click stamp and the "armed" flag live in sessionStorage.
_TIMER_JS = r"""
(() => {
  if (window.top !== window) return;  // component iframes share sessionStorage: the top page only
  const K = '__caredesk_bench';
  const load = () => JSON.parse(sessionStorage.getItem(K) || '{"armed":false}');
  const save = (b) => sessionStorage.setItem(K, JSON.stringify(b));
  // t0 given: the timer starts now (a navigation, not a click)
  const title = () => { const h = document.querySelector('[data-testid="stMain"] h1'); return h ? h.innerText.trim() : ''; };
  window.__benchArm = (expect, t0) => save({armed: true, t0: t0 ? Date.now() : null, seenRun: false,
                                             textSeen: false, idleSince: null, expect, fromTitle: title()});
  window.__benchState = load;
  document.addEventListener('pointerdown', () => {
    const b = load();
    if (b.armed && b.t0 === null) { b.t0 = Date.now(); save(b); }
  }, true);
  const painted = __PAINTED__;  // tests/harness.py CHART_PAINTED_JS
  // why the page is not idle yet ('' = idle): also read by the Python side on a timeout
  const busy = (expect, textSeen) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return 'no app';
    const state = app.getAttribute('data-test-script-state');
    if (state !== 'notRunning') return 'script ' + state;
    if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return 'not connected';
    const spin = document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]');
    if (spin) return 'busy element ' + (spin.getAttribute('data-testid') || 'stale');
    if (expect && expect.title) {
      const h1 = document.querySelector('[data-testid="stMain"] h1');
      if (!h1 || h1.innerText.trim() !== expect.title) return 'title ' + (h1 && h1.innerText);
    }
    // a confirmation is shown for a few seconds only (components/flash.py): seen once is enough
    if (expect && expect.text && !textSeen) return 'text not seen yet';
    // what is on screen (an unselected tab's grid is never filled)
    const shown = (sel) => [...document.querySelectorAll(sel)].filter(e => e.checkVisibility());
    if (shown('[data-testid="stDataFrame"]').some(g => !g.querySelector('table td'))) return 'grid not filled';
    return shown('[data-testid="stVegaLiteChart"]').some(c => !painted(c)) ? 'chart not painted' : '';
  };
  window.__benchWhy = () => busy(load().expect, load().textSeen);
  setInterval(() => {
    const b = load();
    if (!b.armed || b.t0 === null) return;
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    let changed = false;
    // the run was seen: its state, or — a run quicker than this 20 ms poll (a cached page) —
    // the page it was to draw replacing the one the click was made on
    const arrived = b.expect && b.expect.title && b.fromTitle !== b.expect.title && title() === b.expect.title;
    if (!b.seenRun && ((state && state !== 'notRunning') || arrived)) { b.seenRun = true; changed = true; }
    if (b.expect && b.expect.text && !b.textSeen && document.body.innerText.includes(b.expect.text)) {
      b.textSeen = true; changed = true;
    }
    if (!b.seenRun || busy(b.expect, b.textSeen)) {
      if (b.idleSince !== null) { b.idleSince = null; changed = true; }
    } else if (b.idleSince === null) { b.idleSince = Date.now(); changed = true; }
    if (changed) save(b);
  }, 20);
})();
"""

_TIMER_JS = _TIMER_JS.replace("__PAINTED__", CHART_PAINTED_JS)

_DONE_JS = """
(quiet) => {
  const b = window.__benchState && window.__benchState();
  return !!b && b.idleSince !== null && Date.now() - b.idleSince >= quiet;
}
"""


class Felt:
    """Arms the in-page timer, lets the caller click, waits until idle, returns seconds."""

    def __init__(self, page, timeout_ms: int, quiet_ms: int):
        self.page, self.timeout, self.quiet = page, timeout_ms, quiet_ms

    def measure(self, click, title: str | None = None, text: str | None = None, on_load: bool = False) -> float:
        """`on_load`: the timer starts as the page is told to navigate (`click` opens a URL)."""
        self.page.evaluate("([e, t0]) => window.__benchArm(e, t0)", [{"title": title, "text": text}, on_load])
        click()
        try:
            self.page.wait_for_function(_DONE_JS, arg=self.quiet, timeout=self.timeout, polling=50)
        except Exception as e:
            why = self.page.evaluate("() => window.__benchWhy && window.__benchWhy()")
            said = " / ".join(a.inner_text()[:200] for a in self.page.locator(
                '[data-testid="stAlert"], [data-testid="stToast"], [data-testid="stException"]').all())
            raise RuntimeError(f"not idle after {self.timeout} ms ({title or text}): {why!r}; page says: {said}") from e
        b = self.page.evaluate("() => window.__benchState()")
        self.page.evaluate("() => sessionStorage.removeItem('__caredesk_bench')")
        if self.page.locator('[data-testid="stException"]').count():
            raise RuntimeError(f"page shows an exception: {self.page.locator('[data-testid=stException]').first.inner_text()[:500]}")
        if b["t0"] is None:
            raise RuntimeError("the click was not seen by the page")
        return (b["idleSince"] - b["t0"]) / 1000


def _nav_link(page, title: str):
    page.locator('[data-testid="stSidebarNav"] a').first.wait_for()  # the menu is drawn
    link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title)
    if not link.count():
        more = page.get_by_test_id("stSidebarNavViewButton")
        if more.count() and "more" in more.inner_text():
            more.click()
    return link.first


def _signin(page, felt: Felt, base: str, username: str, password: str) -> float:
    from tests.harness import goto

    goto(page, base, timeout=felt.timeout)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    return felt.measure(lambda: page.get_by_role("button", name="登录").click(), title="工作台")


def _nav(page, felt: Felt, title: str) -> float:
    link = _nav_link(page, title)
    return felt.measure(lambda: link.click(timeout=felt.timeout), title=title)


def _filter_overdue(page, felt: Felt) -> float:
    page.locator('[data-testid="stSelectbox"]').filter(has_text="走访").first.click()
    option = page.get_by_role("option", name="走访逾期", exact=True)
    option.wait_for(timeout=felt.timeout)
    secs = felt.measure(lambda: option.click(), title="人员台账")
    if "visit=" not in page.url:
        raise RuntimeError(f"the filter did not reach the URL: {page.url}")
    return secs


def _quick_edit(page, felt: Felt, phone: str) -> float:
    """Type a new phone into the first row's 联系电话 cell of the grid (a canvas: the keyboard,
    starting from the grid's accessible first cell), then time the click on 保存修改 until the
    saved message is shown and the page is idle."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=felt.timeout)
    col = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stDataFrame"] table th')]
                                 .findIndex(t => t.innerText.includes('联系电话'))""")
    if col < 0:
        raise RuntimeError("no 联系电话 column in the grid")
    page.focus('[data-testid="stDataFrame"] #glide-cell-0-0')  # selects the first cell
    for _ in range(col):
        page.keyboard.press("ArrowRight")
    page.keyboard.type("1")  # typing on a selected cell opens its editor
    editor = page.locator("textarea.gdg-input, #portal textarea").first
    editor.wait_for(timeout=felt.timeout)
    editor.fill(phone)
    page.keyboard.press("Enter")  # commits: Streamlit reruns with the edit
    save = page.get_by_role("button", name=re.compile(r"保存修改（1行）"))
    save.wait_for(timeout=felt.timeout)
    from tests.harness import settle

    settle(page, felt.timeout)
    if not save.is_enabled():
        raise RuntimeError("the edit did not register")
    return felt.measure(lambda: save.click(), title="人员台账", text="已保存 1 人的修改")


STEPS = [
    ("signin_cold", "sign-in → 工作台, cold (first after server start)"),
    ("registry_first", "人员台账, first visit"),
    ("registry_overdue", "人员台账, filter 走访逾期"),
    ("indicators_first", "指标看板, first visit"),
    ("map_first", "乡镇地图, first visit"),
    ("workbench_later", "工作台, later visit"),
    ("registry_later", "人员台账, later visit (走访逾期 kept)"),
    ("indicators_later", "指标看板, later visit"),
    ("map_later", "乡镇地图, later visit"),
    ("signin_later", "sign-in → 工作台, later (second session)"),
    ("quick_edit_save", "quick edit save, one row 联系电话 (click 保存 → saved, idle)"),
    ("workbench_after_write", "工作台 right after the write"),
]


def session(browser, timeout_ms: int, quiet_ms: int):
    """A new browser session (context) with the timer installed: (context, page, Felt)."""
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    ctx.add_init_script(_TIMER_JS)
    ctx.set_default_timeout(timeout_ms)  # fills and clicks wait as long as a step may take
    page = ctx.new_page()
    return ctx, page, Felt(page, timeout_ms, quiet_ms)


def first_session(browser, base: str, username: str, password: str, timeout_ms: int, quiet_ms: int, step) -> None:
    """The first session after server start: sign-in (cold), first and later visits."""
    ctx, page, felt = session(browser, timeout_ms, quiet_ms)
    try:
        step("signin_cold", _signin, page, felt, base, username, password)
        step("registry_first", _nav, page, felt, "人员台账")
        step("registry_overdue", _filter_overdue, page, felt)
        step("indicators_first", _nav, page, felt, "指标看板")
        step("map_first", _nav, page, felt, "乡镇地图")
        step("workbench_later", _nav, page, felt, "工作台")
        step("registry_later", _nav, page, felt, "人员台账")
        step("indicators_later", _nav, page, felt, "指标看板")
        step("map_later", _nav, page, felt, "乡镇地图")
    finally:
        ctx.close()


def one_round(browser, base: str, username: str, password: str, timeout_ms: int, quiet_ms: int,
              rng: random.Random, got: dict[str, float], edit: bool = True, reads: bool = True) -> None:
    """One sample of every step into `got`, on a server that has just started (a step that
    fails leaves the steps before it in `got`)."""
    def step(key, fn, *args):
        got[key] = fn(*args)
        print(f"    {key} {got[key]:.2f}s", flush=True)

    if reads:
        first_session(browser, base, username, password, timeout_ms, quiet_ms, step)
    ctx, page, felt = session(browser, timeout_ms, quiet_ms)
    try:
        if reads:
            step("signin_later", _signin, page, felt, base, username, password)
        else:  # the server's first sign-in: not a "later" one
            _signin(page, felt, base, username, password)
        if edit:
            _nav(page, felt, "人员台账")
            phone = "139" + "".join(rng.choice("0123456789") for _ in range(8))
            step("quick_edit_save", _quick_edit, page, felt, phone)
            step("workbench_after_write", _nav, page, felt, "工作台")
    finally:
        ctx.close()


def run(url: str, roles: list[str], runs: int, timeout_ms: int = 300_000, quiet_ms: int = 500,
        edit: bool = True, label: str = "", reads: bool = True) -> list[Table]:
    from playwright.sync_api import sync_playwright

    from tests.harness import CHROMIUM_ARGS, live_server

    password = os.environ.get(PASSWORD_ENV) or _demo_password()
    rng = random.Random(14)
    samples: dict[str, dict[str, list[float]]] = {r: {k: [] for k, _ in STEPS} for r in roles}
    starts: dict[str, list[float]] = {r: [] for r in roles}
    loads: dict[str, list[float]] = {r: [] for r in roles}  # 1-min load average after each round
    failures: dict[str, list[str]] = {r: [] for r in roles}
    env = SERVER_ENV
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for i in range(runs):
                for role in roles:
                    data = Path(tempfile.mkdtemp(prefix="caredesk_browser_"))
                    t = time.perf_counter()
                    got: dict[str, float] = {}
                    try:
                        with live_server(url, data, env) as base:
                            starts[role].append(time.perf_counter() - t)
                            one_round(browser, base, role, password, timeout_ms, quiet_ms, rng, got, edit, reads)
                    except Exception as e:  # noqa: BLE001 - a failed round is reported, the others go on
                        failures[role].append(f"round {i + 1}: {type(e).__name__}: {' '.join(str(e).split())[:300]}")
                        print(f"round {i + 1}/{runs} {role} FAILED: {failures[role][-1]}", flush=True)
                    for k, v in got.items():
                        samples[role][k].append(v)
                    loads[role].append(load1())
                    print(f"round {i + 1}/{runs} {role}: " + ", ".join(f"{k} {v:.2f}s" for k, v in got.items())
                          + f" · loadavg {loadavg()}", flush=True)
        finally:
            browser.close()
    tables = []
    for role in roles:
        t = Table(f"browser-felt, {label or _db_label(url)}, {role} (click → page idle)")
        for key, what in STEPS:
            if samples[role][key]:
                t.add(what, samples[role][key], load=load_range(loads[role]))
        t.add("server start → port open (not felt; for reference)", starts[role], load=load_range(loads[role]))
        for f in failures[role]:
            t.rows.append(Row(f"FAILED {f}", []))
        tables.append(t)
    return tables


def _demo_password() -> str:
    from tools.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def _db_label(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=os.environ.get("DATABASE_URL"), help="database (default DATABASE_URL)")
    ap.add_argument("--roles", default="office,township", help="demo accounts, comma separated")
    ap.add_argument("--runs", type=int, default=5, help="samples per step (one server start each)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds a step may take")
    ap.add_argument("--quiet", type=int, default=500, help="ms the page must stay idle to count as done")
    ap.add_argument("--no-edit", action="store_true", help="skip the quick edit (read-only run)")
    ap.add_argument("--write-only", action="store_true", help="only the quick edit and 工作台 after it")
    ap.add_argument("--label", default="", help="what to call the database in the table title")
    ap.add_argument("--out", default=None, help="also write the markdown tables to this file")
    args = ap.parse_args(argv)
    # a kill (timeout, Ctrl-C from a wrapper) still stops the server subprocess and the browser
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not args.url:
        ap.error("give --url or DATABASE_URL")
    tables = run(args.url, args.roles.split(","), args.runs, args.timeout * 1000, args.quiet,
                 edit=not args.no_edit, label=args.label, reads=not args.write_only)
    text = "\n\n".join(t.markdown() for t in tables)
    print("\n" + text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
