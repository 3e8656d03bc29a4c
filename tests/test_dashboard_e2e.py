"""End-to-end: `netgov dashboard` in a subprocess, driven by headless Debian Chromium through playwright.

Every request that does not go to the loopback server is aborted, so these tests also
prove the page renders with no internet. ``NETGOV_SCREENSHOT=1`` writes docs/img/dashboard.png.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import (
    TIMEOUT_MS,
    OfflineSession,
    chromium_browser,
    dashboard_server,
    step,
    time_shown,
    wait_rendered,
)
from playwright.sync_api import Browser, Page

from netgov.dashboards.views import ISSUE_HEADERS
from netgov.model.contract import STEP_COLUMNS

pytestmark = pytest.mark.slow

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "img" / "dashboard.png"
# the groups `governments_only` keeps out (UN agencies still convene Action-Line coalitions under it)
NON_STATE = [ISSUE_HEADERS[f"participants_{g}"] for g in ("civil_society", "business", "technical_community")]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with dashboard_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def offline(browser: Browser) -> Iterator[OfflineSession]:
    session = OfflineSession(browser)
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
    for label in ("notice period (months)", "decision rule", "participation rule (who may take part)", "Reset"):
        assert page.get_by_text(label, exact=True).count() >= 1, label
    assert page.get_by_text("scenario", exact=True).count() == 1
    assert offline.failed == []  # every front-end file came from the local server
    if os.environ.get("NETGOV_SCREENSHOT") == "1":
        step(page, 24)
        page.get_by_text("compare with baseline", exact=True).click()
        page.locator(".vega-embed").nth(1).wait_for(timeout=TIMEOUT_MS)
        # the switch scrolled the sidebar: back to its top (scenario, controls) for the picture
        page.evaluate("document.querySelectorAll('.v-navigation-drawer *').forEach(e => { e.scrollTop = 0; })")
        page.wait_for_timeout(1500)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))


def test_step_advances_time(server: str, offline: OfflineSession) -> None:
    page = offline.open(server)
    step(page, 3)
    assert time_shown(page) == 3
    assert page.get_by_text("Step: 3 ").count() == 1


def test_play_runs_on_its_own_and_pause_stops_it(server: str, offline: OfflineSession) -> None:
    page = offline.open(server)
    page.get_by_role("button", name="▶", exact=True).click()
    step_button = page.get_by_role("button", name="Step", exact=True)
    page.wait_for_function(  # at least three steps shown with no Step pressed
        "() => /Time: ([3-9]|\\d\\d)/.test(document.body.innerText)", timeout=TIMEOUT_MS
    )
    assert step_button.is_disabled()  # no manual steps while playing
    page.get_by_role("button", name="❚❚", exact=True).click()
    page.get_by_role("button", name="▶", exact=True).wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)  # a step already under way may still land
    paused_at = time_shown(page)
    page.wait_for_timeout(1500)  # six play intervals (251 ms): a running loop would show more steps
    assert time_shown(page) == paused_at >= 3
    assert step_button.is_enabled()
    assert page.get_by_text(f"Step: {paused_at} ").count() == 1


def test_changed_rule_shows_in_issue_table_after_reset(server: str, offline: OfflineSession) -> None:
    page = offline.open(server)
    rows = step_until_networks(page)
    assert any(int(r[c]) > 0 for r in rows for c in NON_STATE)  # open networks: everyone may come
    page.locator(".v-select", has_text="participation rule (who may take part)").click()
    page.get_by_role("option", name="governments_only").click()
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text("Time: 0.0").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("participation rule: governments_only", exact=False).wait_for(timeout=TIMEOUT_MS)
    rows = step_until_networks(page)
    assert all(int(r[c]) == 0 for r in rows for c in NON_STATE)


def test_two_sessions_step_independently(server: str, browser: Browser) -> None:
    first, second = OfflineSession(browser), OfflineSession(browser)
    try:
        a, b = first.open(server), second.open(server)
        step(a, 3)
        step(b, 1)  # with one model shared by both, this would show 4
        assert (time_shown(a), time_shown(b)) == (3, 1)
    finally:
        first.close()
        second.close()


def test_csv_download_has_the_documented_columns(server: str, offline: OfflineSession, tmp_path: Path) -> None:
    page = offline.open(server)
    step(page, 2)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="Download the per-step table (CSV)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    assert path.suffix == ".csv"
    assert rows[0] == list(STEP_COLUMNS)
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
