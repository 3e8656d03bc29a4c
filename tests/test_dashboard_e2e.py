"""End-to-end: `netgov dashboard` in a subprocess, driven by headless Debian Chromium through playwright.

Every request that does not go to the loopback server is aborted, so these tests also
prove the page renders with no internet.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import (
    OVERFLOW,
    TIMEOUT_MS,
    OfflineSession,
    SharedPages,
    step,
    time_shown,
    wait_rendered,
    wait_settled,
)
from playwright.sync_api import Browser, Page

from netgov.dashboards.views import ISSUE_HEADERS
from netgov.model.core.contract import STEP_COLUMNS

pytestmark = pytest.mark.slow

# the groups `governments_only` keeps out (UN agencies still convene Action-Line coalitions under it)
NON_STATE = [ISSUE_HEADERS[f"participants_{g}"] for g in ("civil_society", "business", "technical_community")]


@pytest.fixture
def offline(browser: Browser) -> Iterator[OfflineSession]:
    session = OfflineSession(browser)
    yield session
    session.close()


@pytest.fixture
def room(browser: Browser) -> Iterator[OfflineSession]:
    """A session at the usual projector's 1280 x 720."""
    session = OfflineSession(browser, 1280, 720)
    yield session
    session.close()


def issue_table(page: Page) -> list[dict[str, str]]:
    """The issue table's rows as {column: text}."""
    return page.eval_on_selector(
        ".netgov-issues table",
        """t => { const h = [...t.querySelectorAll('th')].map(e => e.innerText.trim().replace(/\\s+/g, ' '));
                 return [...t.querySelectorAll('tbody tr')].map(r =>
                   Object.fromEntries([...r.querySelectorAll('td')].map((c, i) => [h[i], c.innerText]))); }""",
    )


def step_until_networks(page: Page, limit: int = 36) -> list[dict[str, str]]:
    """Step until some issue network has formed (a row with government participants)."""
    for _ in range(limit):
        step(page)
        if page.locator(".netgov-issues table").count():
            rows = issue_table(page)
            if any(int(r[ISSUE_HEADERS["participants_government"]]) > 0 for r in rows):
                return rows
    raise AssertionError(f"no issue network formed within {limit} steps")


def test_page_renders_offline_with_charts_and_network(server: str, offline: OfflineSession) -> None:
    page = offline.open(server)
    wait_rendered(page)
    assert page.locator(".netgov-no-network").count() >= 1  # before any network: said in words
    for label in ("notice period (months)", "decision rule", "who may take part", "Reset"):
        assert page.get_by_text(label, exact=True).count() >= 1, label
    assert page.get_by_text("scenario", exact=True).count() == 1
    assert offline.failed == []  # every front-end file came from the local server


def as_loaded(page: Page) -> None:
    """Leaves a new page as loaded."""


def test_step_advances_time(server: str, shared_pages: SharedPages) -> None:
    # a page these stepping tests share: each counts from the month it finds
    _, page = shared_pages.get("stepped", server, (1600, 1250), as_loaded)
    before = time_shown(page)
    step(page, 3)
    assert time_shown(page) == before + 3
    assert page.get_by_text("Time:").count() == 0  # Mesa's "Time: 3.0" is not shown: the month is


def test_play_runs_on_its_own_and_pause_stops_it(server: str, shared_pages: SharedPages) -> None:
    _, page = shared_pages.get("stepped", server, (1600, 1250), as_loaded)
    before = time_shown(page)
    page.get_by_role("button", name="▶", exact=True).click()
    step_button = page.get_by_role("button", name="Step", exact=True)
    page.wait_for_function(  # at least three steps shown with no Step pressed
        "n => Number(document.querySelector('.netgov-counter').innerText.split(' ')[1]) >= n + 3",
        arg=before,
        timeout=TIMEOUT_MS,
    )
    assert step_button.is_disabled()  # no manual steps while playing
    page.get_by_role("button", name="❚❚", exact=True).click()
    page.get_by_role("button", name="▶", exact=True).wait_for(timeout=TIMEOUT_MS)
    # Fixed waits, kept on purpose: they show that something does NOT happen, which no event marks.
    page.wait_for_timeout(1000)  # a step already under way may still land
    paused_at = time_shown(page)
    page.wait_for_timeout(1500)  # six play intervals (251 ms): a running loop would show more steps
    assert time_shown(page) == paused_at >= before + 3
    assert step_button.is_enabled()


def test_changed_rule_shows_in_issue_table_after_reset(server: str, offline: OfflineSession) -> None:
    page = offline.open(server)
    rows = step_until_networks(page)
    assert any(int(r[c]) > 0 for r in rows for c in NON_STATE)  # open networks: everyone may come
    page.locator(".netgov-select.netgov-key-participation_rule").click()
    page.get_by_role("option", name="governments only").click()
    page.get_by_role("button", name="Reset", exact=True).click()
    page.locator(".netgov-counter", has_text="Month 0").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("who may take part: governments only", exact=False).wait_for(timeout=TIMEOUT_MS)
    rows = step_until_networks(page)
    assert all(int(r[c]) == 0 for r in rows for c in NON_STATE)


def test_two_sessions_step_independently(server: str, browser: Browser, shared_pages: SharedPages) -> None:
    _, a = shared_pages.get("stepped", server, (1600, 1250), as_loaded)
    second = OfflineSession(browser)
    try:
        b = second.open(server)
        before = time_shown(a)
        step(a, 3)
        step(b, 1)  # with one model shared by both, this would show before + 4
        assert (time_shown(a), time_shown(b)) == (before + 3, 1)
    finally:
        second.close()


def test_csv_download_has_the_documented_columns(server: str, shared_pages: SharedPages, tmp_path: Path) -> None:
    _, page = shared_pages.get("stepped", server, (1600, 1250), as_loaded)
    step(page, 2)
    month = time_shown(page)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="Per-step table (CSV)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    assert path.suffix == ".csv"
    assert rows[0] == list(STEP_COLUMNS)
    assert [int(r[0]) for r in rows[1:]] == list(range(month + 1))  # every month from 0 to the one shown


#: Drawn data marks of a chart (selector): [lines, points, cells] with a size, inside the viewport.
MARKS = """(sel) => { const w = document.documentElement.clientWidth;
  const root = document.querySelector(sel); if (!root) return null;
  const seen = (q) => [...root.querySelectorAll(q)].filter(e => {
    const r = e.getBoundingClientRect(); return (r.width > 0 || r.height > 0) && r.left >= 0 && r.right <= w; }).length;
  return [seen('.mark-line path'), seen('.mark-symbol path'), seen('.mark-rect path')]; }"""


def scroll_main_to(page: Page, selector: str) -> None:
    page.locator(selector).first.scroll_into_view_if_needed(timeout=TIMEOUT_MS)


def twelve_months(page: Page) -> None:
    """Brings a new page to month 12: six steps with the Step button, six with the keyboard shortcut."""
    step(page, 6)
    step(page, 6, key="s")  # the keyboard shortcut steps too


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (1024, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_fits_the_room_with_data_in_every_chart(server: str, shared_pages: SharedPages, size: tuple[int, int]) -> None:
    # one page, loaded at the first size and resized for the others (SharedPages says why that is honest)
    session, page = shared_pages.get("twelve months", server, size, twelve_months)
    page.evaluate("() => document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")  # as loaded
    assert page.viewport_size == {"width": size[0], "height": size[1]}
    assert time_shown(page) == 12
    wait_settled(page)
    assert page.evaluate(OVERFLOW) == []
    lines, points, _ = page.evaluate(MARKS, ".netgov-metrics")
    assert lines >= 1 and points >= 1  # running means and this month's values, drawn in view
    assert page.evaluate(MARKS, ".netgov-timeline")[1] >= 1
    scroll_main_to(page, ".netgov-ties")
    assert page.evaluate(MARKS, ".netgov-ties")[2] >= 25  # 5 x 5 groups (and 6 x 6 regions)
    assert page.evaluate(OVERFLOW) == []
    assert session.failed == []


def test_keys_step_play_and_reset(server: str, shared_pages: SharedPages) -> None:
    _, page = shared_pages.get("stepped", server, (1280, 720), as_loaded)  # at the room's size
    page.evaluate("() => document.activeElement?.blur()")  # keys go to the page, as on a page just loaded
    step(page, 2, key="s")
    page.keyboard.press("p")
    page.get_by_role("button", name="❚❚", exact=True).wait_for(timeout=TIMEOUT_MS)
    page.keyboard.press("p")
    page.get_by_role("button", name="▶", exact=True).wait_for(timeout=TIMEOUT_MS)
    # Fixed waits, kept on purpose: they show that something does NOT happen, which no event marks.
    page.wait_for_timeout(1000)  # a step already under way may still land (it would show after the reset)
    page.keyboard.press("r")
    page.locator(".netgov-counter", has_text="Month 0").wait_for(timeout=TIMEOUT_MS)
    page.locator("textarea").first.press_sequentially("s s r p")  # typing in a field is typing
    page.wait_for_timeout(700)  # a key that stepped, reset or played would show by now
    assert time_shown(page) == 0


def numbers(page: Page, table: str) -> dict[str, dict[str, int]]:
    """One of the 'who is at the table' tables as {row: {column: number}}."""
    return page.eval_on_selector(
        f".netgov-seats table.{table}",
        """t => { const h = [...t.querySelectorAll('thead th')].slice(1).map(e => e.innerText.trim());
                 return Object.fromEntries([...t.querySelectorAll('tbody tr')].map(r =>
                   [r.querySelector('th').innerText.trim(),
                    Object.fromEntries([...r.querySelectorAll('td')].map((c, i) =>
                      [h[i], Number(c.innerText)]))])); }""",
    )


def test_clicking_an_issue_shows_who_is_at_its_table_as_in_issue_table(server: str, shared_pages: SharedPages) -> None:
    from netgov.dashboards.specs import SHORT_GROUPS, SHORT_REGIONS
    from netgov.model.core.catalog import GROUPS, REGION_CODES
    from netgov.model.model import GovernanceModel

    # the same scenario and seed, run here: the numbers shown are issue_table()'s
    model = GovernanceModel(rng=0)
    model.run_for(12)
    issue_id = model.issues[-1].id
    row = model.issue_table().set_index("issue_id").loc[issue_id]
    _, page = shared_pages.get("twelve months", server, (1280, 720), twelve_months)  # the room's size
    assert time_shown(page) == 12
    first = page.locator(".netgov-issues tbody tr").first
    first.locator("td").first.filter(has_text=re.compile(f"^{issue_id}$")).wait_for(timeout=TIMEOUT_MS)  # newest on top
    first.click()
    # wait until the panel shows the clicked issue (under load its tables may still show another one)
    page.wait_for_function(
        "id => (document.querySelector('.netgov-seat-summary')?.innerText ?? '').startsWith(`Issue #${id} `)",
        arg=issue_id,
        timeout=TIMEOUT_MS,
    )
    page.locator(".netgov-seats table.netgov-came").wait_for(timeout=TIMEOUT_MS)
    came = numbers(page, "netgov-came")
    for g in GROUPS:
        assert came[SHORT_GROUPS[g]]["total"] == row[f"participants_{g}"]
        assert came[SHORT_GROUPS[g]]["onsite"] == row[f"onsite_{g}"]
    assert came["total"]["total"] == row["participants"]
    assert came["total"]["remote"] == row["remote"]
    regions = numbers(page, "netgov-regions")
    assert {label: r["participants"] for label, r in regions.items()} == {
        SHORT_REGIONS[code]: row[f"participants_{code}"] for code in REGION_CODES
    }
    absent = numbers(page, "netgov-absent")
    stayed = sum(r["short notice"] + r["travel cost"] for r in absent.values())
    assert stayed == row["eligible"] - row["participants"]
    # a mark on the timeline opens its issue too: the first mark drawn is issue 0's arrival
    assert issue_id != 0
    mark = page.locator(".netgov-timeline .mark-symbol path").first
    mark.scroll_into_view_if_needed()
    mark.click(force=True)
    page.wait_for_function(
        "() => document.querySelector('.netgov-seat-summary').innerText.startsWith('Issue #0 ')", timeout=TIMEOUT_MS
    )


NOTE = "Africa missing from the security network: travel support?"


def compared_8_months(page: Page) -> None:
    """Two designs compared, a facilitator's note, eight months: what the compare and report tests look at.

    The note is typed before the steps: each step's message goes to the server after the note's, so once month
    8 is drawn the server has the note (no wait for it).
    """
    page.get_by_text("compare two designs", exact=True).click()
    page.locator("textarea").first.fill(NOTE)
    step(page, 8)


def test_compare_mode_steps_both_designs_with_the_same_agenda(server: str, shared_pages: SharedPages) -> None:
    _, page = shared_pages.get("compared", server, (1280, 720), compared_8_months)
    status = page.locator(".netgov-compare-status")
    status.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => document.querySelector('.netgov-compare-status').innerText.startsWith('Both at month 8 / 8')",
        timeout=TIMEOUT_MS,
    )
    assert "the same agenda" in status.inner_text()
    scroll_main_to(page, ".netgov-difference")
    page.wait_for_function(
        "() => document.querySelectorAll('.netgov-difference .mark-line path').length > 0", timeout=TIMEOUT_MS
    )
    assert page.evaluate(OVERFLOW) == []


def test_session_report_downloads_and_shows_every_chart_offline(
    server: str, shared_pages: SharedPages, tmp_path: Path
) -> None:
    room, page = shared_pages.get("compared", server, (1280, 720), compared_8_months)
    assert time_shown(page) == 8
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="Session report (HTML)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".html"
    report = room.context.new_page()  # where every request off the machine is aborted
    report.set_content(path.read_text(encoding="utf-8"), wait_until="load")
    images = report.eval_on_selector_all("img.chart", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
    assert images == [True] * 4  # this run's metrics and timeline, the difference, the other design's metrics
    body = report.inner_text("body")
    assert NOTE in body
    assert "decision rule:" in body and "Every parameter at its schema default." in body  # the parameters
    assert report.locator("table th", has_text="issue").count() >= 1  # the issue table
    assert report.locator("ol.timeline li").count() >= 1
    assert room.blocked == []
    report.close()


def test_projector_mode_makes_the_type_larger_and_still_fits_the_room(server: str, room: OfflineSession) -> None:
    """At 1280 x 720 the bigger type and marks must not push any chart's data off the page."""
    page = room.open(server)
    size = "() => parseFloat(getComputedStyle(document.querySelector('.netgov-counter')).fontSize)"
    before = page.evaluate(size)
    page.get_by_text("projector mode", exact=True).click()
    page.wait_for_function(f"() => ({size})() > {before} * 1.2", timeout=TIMEOUT_MS)
    assert page.evaluate(OVERFLOW) == []
    step(page, 12)
    assert time_shown(page) == 12
    wait_settled(page)
    assert page.evaluate(OVERFLOW) == []
    lines, points, _ = page.evaluate(MARKS, ".netgov-metrics")
    assert lines >= 1 and points >= 1
    assert page.evaluate(MARKS, ".netgov-timeline")[1] >= 1
    scroll_main_to(page, ".netgov-ties")
    assert page.evaluate(MARKS, ".netgov-ties")[2] >= 25
    assert page.evaluate(OVERFLOW) == []


def test_the_printable_report_prints_to_pdf_with_nothing_cut(
    server: str, shared_pages: SharedPages, tmp_path: Path
) -> None:
    room, page = shared_pages.get("compared", server, (1280, 720), compared_8_months)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="Printable report (for PDF)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    report = room.context.new_page()
    report.set_content(path.read_text(encoding="utf-8"), wait_until="load")
    report.emulate_media(media="print")
    report.set_viewport_size({"width": 718, "height": 1000})  # an A4 page's width less its margins, in CSS px
    cut = report.evaluate(
        """() => [...document.querySelectorAll('img, table, h1, h2, h3, p')].filter(e =>
             e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).map(e => e.tagName)"""
    )
    assert cut == []
    pdf = report.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3
    report.close()
