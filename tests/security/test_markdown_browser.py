"""Item 13.3 (browser half): user text is never interpreted as Markdown or HTML.

A person, village, helper, unit, meeting, task (with a progress report and a reminder) and an
incident card carry a Markdown image, an HTML <img> and a link that all point at a local
"beacon" server. Every page that shows them is opened in headless Chromium, as the office
and as the unit: no request may reach the beacon (counted both by the browser and by the
beacon server itself), no <img>/<a> to it may exist in the page, and the hostile text must
be on screen as literal characters — proof the page did show it. The static half is
tests/security/test_markdown_static.py."""
from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from components.text import WORD_JOINER
from db.engine import dispose_all, get_engine, session_scope
from db.migrate import upgrade
from db.models import Assignment, Helper, IncidentCard, Meeting, Region, Task, TaskEvent, TaskUpdate
from tests import factories as f
from tests.conftest import ARTIFACTS
from tests.harness import WAIT_MS, live_server, login, open_page, settle, wait_shown


class _Beacon(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def beacon():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Beacon)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Beacon.hits = []
    yield {"host": f"127.0.0.1:{server.server_address[1]}", "hits": _Beacon.hits}
    server.shutdown()


def texts(host: str) -> dict[str, str]:
    """Hostile texts that fit the columns (the server refuses longer ones)."""
    md_img = f"![x](http://{host}/m)"  # 30 characters
    html_img = f"<img src=//{host}/h>"  # 29
    return {
        "md": md_img,
        "html": html_img,
        "name": md_img + html_img,  # ≤ 64, a person's name
        "short": "**短**<i>x</i>",  # ≤ 16, a unit's short name: no room for a URL
        "long": f"{md_img} {html_img} [链接](http://{host}/l) **粗** <b>b</b>",
    }


@pytest.fixture(scope="module")
def county(tmp_path_factory, beacon):
    t = texts(beacon["host"])
    d = tmp_path_factory.mktemp("md_live")
    url = f"sqlite:///{d / 'live.db'}"
    engine = get_engine(url)
    upgrade(engine)
    today = dt.date.today()
    # Written straight through the ORM: the rendering must be safe whatever the input path
    # (an import, an older version, a future service) let through.
    with session_scope(engine) as s:
        ids = f.county(s, townships=1, villages=1)
        s.get(Region, ids["V11"]).name = t["md"]
        unit = f.unit(s, name=t["md"], short=t["short"])
        unit.duties = t["long"]
        f.account(s, "office", "office")
        f.account(s, "unit", "unit", unit_id=unit.id)
        p = f.person(s, ids["T1"], ids["V11"], name=t["name"])
        p.notes = t["long"]
        p.family_situation = t["long"]
        id_number = p.id_number
        helper = Helper(name=t["html"], position=t["md"], unit=t["md"], township_id=ids["T1"])
        s.add(helper)
        s.flush()
        s.add(Assignment(helper_id=helper.id, person_id=p.id, start_on=dt.date(2025, 1, 1)))
        m = Meeting(kind="全体会议", held_on=today, title=t["long"], agenda=t["long"], minutes=t["long"])
        m.attendees = [unit]
        s.add(m)
        s.flush()
        task = Task(meeting_id=m.id, title=t["long"], detail=t["long"], acceptance=t["long"], lead_unit_id=unit.id,
                    assigned_on=today - dt.timedelta(days=30), due_on=today + dt.timedelta(days=30))
        s.add(task)
        s.flush()
        s.add(TaskUpdate(task_id=task.id, unit_id=unit.id, reported_on=today, progress=40, text=t["long"]))
        s.add(TaskEvent(task_id=task.id, kind="reminder", on=today, text=t["long"]))
        now = dt.datetime.now(dt.timezone.utc)
        s.add(IncidentCard(person_id=p.id, township_id=ids["T1"], source="学校", type="监护缺失", description=t["long"],
                           status="referred", discovered_on=today - dt.timedelta(days=20),
                           reported_at=now - dt.timedelta(days=19), referred_at=now - dt.timedelta(days=18),
                           referred_unit_id=unit.id, deadline=today - dt.timedelta(days=1), needs_contact=True,
                           handling=t["long"]))
    engine.dispose()
    dispose_all()
    return {"url": url, "dir": Path(d), "t": t, "id_number": id_number}


def _check(page, beacon, requests, shot: str, must_show: list[str]) -> None:
    """Nothing on the page points at the beacon, nothing asked it, the hostile text is literal."""
    settle(page)
    page.screenshot(path=str(ARTIFACTS / f"md_{shot}.png"), full_page=True)
    host = beacon["host"]
    assert page.locator(f'img[src*="{host}"]').count() == 0, shot
    assert page.locator(f'a[href*="{host}"]').count() == 0, (shot, [
        a.evaluate("e => e.outerHTML.slice(0, 300) + ' IN ' + (e.closest('[data-testid]')||{}).getAttribute?.('data-testid')")
        for a in page.locator(f'a[href*="{host}"]').all()])
    assert page.locator(f'[srcset*="{host}"]').count() == 0, shot
    # as a reader sees it: md() puts an invisible word joiner after a URL's scheme (no bare-URL link)
    body = page.locator("body").inner_text().replace(WORD_JOINER, "")
    for text in must_show:
        assert text in body, (shot, text, body[:600])
    assert requests == [], (shot, requests)
    assert beacon["hits"] == [], (shot, beacon["hits"])


def _session(browser, beacon):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    requests: list[str] = []
    beacon["hits"].clear()  # each test counts its own
    ctx.on("request", lambda r: requests.append(r.url) if beacon["host"] in r.url else None)
    return ctx, ctx.new_page(), requests


def _person_search_and_file(page, county, beacon, requests) -> None:
    """人员档案: the search results (page links labelled with the name), then the file itself
    (title, caption with the village, helper, notes) and each of its tabs."""
    open_page(page, "人员档案")
    box = page.get_by_label("姓名 / 身份证号码 / 电话")
    box.wait_for(timeout=WAIT_MS)
    box.fill(county["id_number"])  # the whole number: found whatever the search rules
    box.press("Enter")
    settle(page)
    _check(page, beacon, requests, "office_search", [county["t"]["md"]])
    page.locator('[data-testid="stPageLink"]').filter(has_text=beacon["host"]).first.click()
    settle(page)
    wait_shown(page.get_by_text("返回人员台账"))
    _check(page, beacon, requests, "office_person", [county["t"]["name"]])
    for tab in page.get_by_role("tab").all():
        tab.click()
        settle(page)
        _check(page, beacon, requests, "office_person_tabs", [])


# (page, texts that must be on screen literally) per role; the workbench is checked on sign-in
PAGES = {
    "office": [("人员台账", []), ("成员单位", ["md", "long"]), ("会议与议定事项", ["long"]), ("任务督办", ["long"]),
               ("通报处置", ["long", "overdue"]), ("走访记录", [])],
    "unit": [("成员单位", ["md"]), ("任务督办", ["long"]), ("通报处置", ["long"])],
}


@pytest.mark.parametrize("username", list(PAGES))
def test_pages_show_user_text_literally(browser, county, beacon, username):
    t = {**county["t"], "overdue": f"请督促{county['t']['md']}尽快处置"}
    with live_server(county["url"], county["dir"]) as base:
        ctx, page, requests = _session(browser, beacon)
        try:
            login(page, base, username, f.PASSWORD)
            _check(page, beacon, requests, f"{username}_workbench", [])
            if username == "office":
                _person_search_and_file(page, county, beacon, requests)
            for title, shown in PAGES[username]:
                open_page(page, title)
                _check(page, beacon, requests, f"{username}_{title}", [t[k] for k in shown])
        finally:
            ctx.close()
