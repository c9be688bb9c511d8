"""Helpers to drive the real app: AppTest sessions signed in as a role, and a live
`streamlit run` server for the browser tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def app_test(username: str, page: str | None = None, timeout: float = 60, **state) -> AppTest:
    """The real app.py, signed in as `username` (state seeded as the authenticator
    leaves it after a password check), optionally switched to pages/<page>.py."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


def all_text(at: AppTest) -> str:
    """Everything the server sent for display, as one string (for leak checks)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "code", "info", "warning",
                 "error", "success", "metric", "exception", "json", "latex"):
        for el in getattr(at, kind, []):
            parts.append(str(getattr(el, "value", "")))
            parts.append(str(getattr(el, "label", "")))
    for df_el in list(at.dataframe) + list(getattr(at, "table", [])):
        parts.append(df_el.value.to_csv())
    for kind in ("selectbox", "multiselect", "text_input", "radio", "text_area", "number_input", "date_input"):
        for w in getattr(at, kind, []):
            parts.append(str(w.label))
            parts.append(str(getattr(w, "value", "")))
            parts.append(str(getattr(w, "options", "")))
    # Then every field of every element and block proto (html bodies, tab/expander labels,
    # help texts, chart specs, Arrow data of dataframes and chart datasets, …): nothing the
    # server put on the wire for this run escapes a leak check.
    _walk_node(at._tree, parts)
    return "\n".join(parts)


def _walk_node(node, parts: list[str]) -> None:
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "ListFields"):
        _walk_proto(proto, parts)
    for child in getattr(node, "children", {}).values():
        _walk_node(child, parts)


def _walk_proto(msg, parts: list[str]) -> None:
    for fd, value in msg.ListFields():
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            items = [x for kv in value.items() for x in kv]
        elif _is_repeated(fd):
            items = list(value)
        else:
            items = [value]
        for v in items:
            if hasattr(v, "ListFields"):
                _walk_proto(v, parts)
            elif isinstance(v, bytes):
                parts.append(_decode_bytes(v))
            elif isinstance(v, str):
                parts.append(v)


def _is_repeated(fd) -> bool:
    rep = getattr(fd, "is_repeated", None)
    if rep is not None:
        return bool(rep)
    return fd.label == fd.LABEL_REPEATED


def _decode_bytes(b: bytes) -> str:
    """Arrow IPC streams (dataframes, chart data) become CSV; anything else UTF-8."""
    try:
        import pyarrow as pa

        return pa.ipc.open_stream(b).read_all().to_pandas().to_csv()
    except Exception:  # noqa: BLE001 - not Arrow
        return b.decode("utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(database_url: str, data_dir: Path, extra_env: dict | None = None):
    """`streamlit run app.py` on a free port; yields the base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CAREDESK_DATA_DIR": str(data_dir),
        "CAREDESK_DEMO": "0",
        **(extra_env or {}),
    }
    log = open(data_dir / f"streamlit-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError((data_dir / f"streamlit-{port}.log").read_text())
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# A browser wait is generous: the test machine has 2 cores shared with other work, and a
# first page run there (imports, a cold database) can take tens of seconds.
WAIT_MS = 60_000

# Streamlit's own state, as the frontend exposes it: the app root carries the script's run
# state and the connection state; a rerun marks old elements stale and shows the status
# widget; a page still loading shows skeletons.
_BUSY_JS = """
({quiet}) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const busy = !app
    || app.getAttribute('data-test-script-state') !== 'notRunning'
    || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
    || document.querySelector('[data-testid="stStatusWidget"]')
    || document.querySelector('[data-testid="stSkeleton"]')
    || document.querySelector('[data-stale="true"]');
  const now = performance.now();
  if (busy) { window.__caredeskQuietSince = null; return false; }
  if (!window.__caredeskQuietSince) window.__caredeskQuietSince = now;
  return now - window.__caredeskQuietSince >= quiet;
}
"""


def settle(page, timeout: float = WAIT_MS, quiet_ms: int = 400) -> None:
    """Wait until Streamlit has finished: the script is not running, the connection is up, no
    status widget, no skeleton, no stale element — and it stayed so for `quiet_ms` (a click's
    rerun starts a moment after the click). No fixed sleep: it returns as soon as that holds."""
    page.evaluate("() => { window.__caredeskQuietSince = null; }")
    page.wait_for_function(_BUSY_JS, arg={"quiet": quiet_ms}, timeout=timeout, polling=100)


wait_idle = settle  # the older name, kept for the tests that use it

# Vega draws after its element mounts: a chart is drawn when its canvas has a painted pixel
# (or its svg has marks). The data grid fills its accessible table after mounting.
CHART_PAINTED_JS = """(c) => {
  const cv = c.querySelector('canvas');
  if (cv) {
    if (!cv.width || !cv.height) return false;
    const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    for (let i = 3; i < d.length; i += 4 * 31) if (d[i] !== 0) return true;
    return false;
  }
  const svg = c.querySelector('svg');
  return !!svg && svg.querySelectorAll('path, rect, text').length > 0;
}"""
_CHARTS_DRAWN_JS = (
    "() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')].every(" + CHART_PAINTED_JS + ")"
)
_GRIDS_FILLED_JS = """
() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].every(g => g.querySelector('table td'))
"""


def wait_drawn(page, timeout: float = WAIT_MS) -> None:
    """settle, then wait until every chart has painted and every data grid has its rows."""
    settle(page, timeout)
    page.wait_for_function(_CHARTS_DRAWN_JS, timeout=timeout, polling=100)
    page.wait_for_function(_GRIDS_FILLED_JS, timeout=timeout, polling=100)


def wait_shown(locator, timeout: float = WAIT_MS) -> None:
    """Wait until `locator` is on screen, then until Streamlit has settled. The first match:
    during a rerun an old (stale) element and its replacement can both be in the page."""
    locator.first.wait_for(timeout=timeout)
    settle(locator.page, timeout)


def goto(page, url: str, timeout: float = WAIT_MS) -> None:
    """Open `url` and wait for Streamlit to finish drawing it."""
    page.goto(url, timeout=timeout)
    page.locator('[data-testid="stApp"]').wait_for(timeout=timeout)
    settle(page, timeout)


def open_page(page, title: str, timeout: float = WAIT_MS) -> None:
    """Click a page in the sidebar navigation (expanding its "View N more" first) and settle."""
    link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title)
    if not link.count():
        more = page.get_by_test_id("stSidebarNavViewButton")
        if more.count() and "more" in more.inner_text():
            more.click()
    link.first.click(timeout=timeout)
    settle(page, timeout)


def login(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real form and wait until the script has finished."""
    goto(page, base_url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=WAIT_MS)
    page.locator("[data-testid='stMain'] h1").first.wait_for(timeout=WAIT_MS)
    settle(page)


def migrated_sqlite(tmp_path_factory, name: str, build=None) -> dict:
    """A SQLite file migrated to head (for a live server), filled by `build(session)` if given;
    the engine is disposed so the server process is the only user."""
    from db.engine import dispose_all, get_engine, session_scope
    from db.migrate import upgrade

    d = tmp_path_factory.mktemp(name)
    url = f"sqlite:///{d / 'live.db'}"
    engine = get_engine(url)
    upgrade(engine)
    if build is not None:
        with session_scope(engine) as s:
            build(s)
    engine.dispose()
    dispose_all()
    return {"url": url, "dir": d}
