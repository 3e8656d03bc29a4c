"""Drive the dashboard from scripts: `netgov dashboard` on a free port, opened in headless Chromium.

Shared by the end-to-end tests and the dashboard benchmark. Needs the dev extra
(``playwright``) and Debian's ``chromium`` (never ``playwright install``). Every request
that does not go to the loopback server is aborted, so whatever renders, renders offline.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: Waits in the browser: the first load compiles the front-end, and CI runs on 2 busy cores.
TIMEOUT_MS = 90_000
LOOPBACK = ("127.0.0.1", "localhost")
#: Environment that sends a process's HTTP(S) requests to a closed local port (loopback exempt).
DEAD_PROXY = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}


def free_port() -> int:
    """A TCP port nothing listens on right now, on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dashboard_server(*args: str, startup_s: float = 120, offline: bool = True) -> Iterator[str]:
    """Run ``netgov dashboard --port P *args``; yield the URL it printed once the page answers.

    ``offline``: the server's own outgoing HTTP goes to a dead proxy, so Solara cannot fetch a
    missing front-end file from its CDN either. ``netgov dashboard`` execs the Solara server,
    so stopping the process stops the server.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    exe = Path(sys.executable).parent / "netgov"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with log.open("w") as out:
            command = [str(exe), "dashboard", "--port", str(port), *args]
            env = {**os.environ, **(DEAD_PROXY if offline else {})}
            proc = subprocess.Popen(command, stdout=out, stderr=out, env=env)
        try:
            deadline = time.monotonic() + startup_s
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=5):
                        break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(f"netgov dashboard exited: {log.read_text()}") from None
                    if time.monotonic() > deadline:
                        late = f"netgov dashboard did not answer in {startup_s} s: {log.read_text()}"
                        raise RuntimeError(late) from None
                    time.sleep(0.5)
            first = log.read_text().splitlines()[0]
            if not first.startswith(f"netgov dashboard: {url}"):
                raise RuntimeError(f"netgov dashboard printed {first!r}, not its URL {url}")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:  # uvicorn may wait for open websockets to close
                proc.kill()
                proc.wait(timeout=15)


def launch_chromium(playwright: Any) -> Any:
    """Debian's headless Chromium through playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """A running headless Chromium for the length of a ``with`` block (tests, benchmarks)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            yield browser
        finally:
            browser.close()


class OfflineSession:
    """A browser context (one dashboard session) that aborts every non-loopback request."""

    def __init__(self, browser: Any, width: int = 1600, height: int = 1250) -> None:
        self.blocked: list[str] = []  # requests that would have left the machine
        self.failed: list[tuple[int, str]] = []  # loopback responses with an error status
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        self.context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        if urlparse(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, url: str) -> Any:
        """A new page on the dashboard, once Mesa's step counter shows."""
        page = self.context.new_page()
        page.on("response", lambda r: r.status >= 400 and self.failed.append((r.status, r.url)))
        page.goto(url)
        page.get_by_text("Time: 0.0").wait_for(timeout=TIMEOUT_MS)
        return page

    def close(self) -> None:
        self.context.close()


def wait_rendered(page: Any) -> None:
    """Until the network picture is decoded and an Altair chart is drawn."""
    network = page.locator(".vue-grid-item img").first
    network.wait_for(timeout=TIMEOUT_MS)
    page.locator(".vega-embed canvas, .vega-embed svg").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=network.element_handle(), timeout=TIMEOUT_MS
    )


def time_shown(page: Any) -> int:
    """The step Mesa's counter shows ("Time: 12.0")."""
    return int(float(page.get_by_text("Time:").inner_text().split(":")[1]))


def step(page: Any, times: int = 1) -> None:
    """Press Step ``times`` times, each time until the new step is rendered (counter and network picture)."""
    for _ in range(times):
        target = time_shown(page) + 1
        network = page.locator(".vue-grid-item img").first.element_handle()
        before = network.get_attribute("src")
        page.get_by_role("button", name="Step", exact=True).click()
        page.get_by_text(f"Time: {target}.0").wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function(
            "([img, before]) => img.src !== before && img.complete && img.naturalWidth > 0",
            arg=[network, before],
            timeout=TIMEOUT_MS,
        )
