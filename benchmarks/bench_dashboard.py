"""Speed of the dashboard in headless Chromium (run with `make bench`; nothing here asserts a time).

At the default scenario size and at 4x (a scenario file with ``scale = 4``), with every
non-loopback request aborted, as in a room without internet:

- load: from opening the page to its first complete render (step counter, metrics card drawn);
  ``in_page_ms`` is the page's own count from navigation start. Target: at most 3 s.
- step: from pressing Step to the new step rendered (both step counters updated and the metrics
  chart drawn anew), mid-run (after 24 months), one step per round. Target: median at most
  200 ms in the page at the default size.
  The benchmark's time is the script's view: Playwright's click (which first checks that the
  button is visible, stable and unobscured) plus the wait. ``in_page_ms`` in extra_info is what
  a person sees: from the click event to the first frame drawn with the new step, timed by the
  page itself.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator

import pytest
from browser import OfflineSession, chromium_browser, dashboard_server, step, wait_rendered
from playwright.sync_api import Browser, Page

WARMUP_MONTHS = 24


@pytest.fixture(scope="module", params=[1, 4], ids=["scale1", "scale4"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    args: list[str] = []
    if request.param != 1:
        scenario = tmp_path_factory.mktemp("scenario") / f"scale{request.param}.toml"
        scenario.write_text(f'summary = "the defaults with {request.param}x the actors"\nscale = {request.param}\n')
        args = ["--scenario", str(scenario)]
    with dashboard_server(*args) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_browser() as chromium:
        yield chromium


def load_once(browser: Browser, url: str) -> float:
    """Open the dashboard in a new session; the page's own milliseconds from navigation to rendered."""
    session = OfflineSession(browser)
    try:
        return wait_rendered(session.open(url, wait=False))
    finally:
        session.close()


def test_load_to_first_render(benchmark, server: str, browser: Browser) -> None:
    load_once(browser, server)  # warm: the server's first page imports and compiles more
    in_page: list[float] = []
    benchmark.pedantic(lambda: in_page.append(load_once(browser, server)), rounds=3, iterations=1)
    benchmark.extra_info["in_page_ms_median"] = round(statistics.median(in_page), 1)


@pytest.fixture
def page_mid_run(server: str, browser: Browser) -> Iterator[Page]:
    session = OfflineSession(browser)
    page = session.open(server)
    wait_rendered(page)
    step(page, WARMUP_MONTHS)
    yield page
    session.close()


def test_rendered_step(benchmark, page_mid_run: Page) -> None:
    in_page: list[float] = []
    benchmark.pedantic(lambda: in_page.extend(step(page_mid_run)), rounds=20, iterations=1)
    benchmark.extra_info["from_month"] = WARMUP_MONTHS
    benchmark.extra_info["in_page_ms_median"] = round(statistics.median(in_page), 1)
    benchmark.extra_info["in_page_ms_max"] = round(max(in_page), 1)
