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
from collections.abc import Callable, Iterator
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
def dashboard_server(
    *args: str,
    startup_s: float = 120,
    offline: bool = True,
    printed: list[str] | None = None,
    server: dict[str, Any] | None = None,
    command: str = "dashboard",
) -> Iterator[str]:
    """Run ``netgov dashboard --port P *args`` (or, with ``command="room"``, ``netgov room``: its facilitator's
    screen); yield the URL it printed once the page answers.

    The URL is the one the command printed, with its access token if it has one (``--token``,
    or the one it makes for a host beyond loopback). ``printed``, if given, receives the lines
    the command wrote (stdout and stderr) before the page answered; ``server``, if given, the
    server's ``process`` (a Popen) and the path of its ``log``.

    ``offline``: the server's own outgoing HTTP goes to a dead proxy, so Solara cannot fetch a
    missing front-end file from its CDN either. ``netgov dashboard`` execs the Solara server,
    so stopping the process stops the server.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    exe = Path(sys.executable).parent / "netgov"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with log.open("w") as out:
            argv = [str(exe), command, "--port", str(port), *args]
            env = {**os.environ, **(DEAD_PROXY if offline else {})}
            proc = subprocess.Popen(argv, stdout=out, stderr=out, env=env)
        try:
            deadline = time.monotonic() + startup_s
            url = None
            while True:
                if url is None and log.read_text().strip():
                    first = log.read_text().splitlines()[0]
                    if not first.startswith(f"netgov {command}: {base}"):
                        raise RuntimeError(f"netgov {command} printed {first!r}, not its URL {base}")
                    url = first.split()[2]
                try:
                    if url is not None:
                        with urllib.request.urlopen(url, timeout=5):
                            break
                except OSError:
                    pass
                if proc.poll() is not None:
                    raise RuntimeError(f"netgov {command} exited: {log.read_text()}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"netgov {command} did not answer in {startup_s} s: {log.read_text()}")
                time.sleep(0.5)
            if printed is not None:
                printed.extend(log.read_text().splitlines())
            if server is not None:
                server.update(process=proc, log=log)
            yield url
        finally:
            proc.terminate()  # a no-op if a test has stopped it already
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:  # uvicorn may wait for open websockets to close
                proc.kill()
                proc.wait(timeout=15)


#: Elements whose right edge is past the viewport (tag, class, right edge), at most eight.
OVERFLOW = """() => { const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.right > w + 0.5; })
    .slice(0, 8).map(e => `${e.tagName}.${e.getAttribute('class')} ${Math.round(e.getBoundingClientRect().right)}`);
}"""


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

    def open(self, url: str, wait: bool = True) -> Any:
        """A new page on the dashboard; with ``wait``, once its month counter shows."""
        page = self.context.new_page()
        page.on("response", lambda r: r.status >= 400 and self.failed.append((r.status, r.url)))
        page.goto(url)
        if wait:
            page.locator(".netgov-counter", has_text="Month 0").wait_for(timeout=TIMEOUT_MS)
        return page

    def close(self) -> None:
        self.context.close()


class SharedPages:
    """Pages that the tests of one module share: each built once, by the first test that asks for it, then
    handed as it is to the others (resized to the size they ask for). For what takes seconds to set up
    (a new Solara session, months stepped through the page) and that the tests only look at.

    A resize lays the page out as a fresh load at that size would: Vuetify re-lays the page on the window's
    resize and every chart itself on a ResizeObserver (measured: the same box for every element and the same
    chart labels as a page loaded at 1920x1080 or 1024x768 after 12 or 24 months, normal and projector mode,
    but for the sidebar's scroll).
    """

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.pages: dict[Any, tuple[OfflineSession, Any]] = {}

    def get(
        self, key: Any, url: str, size: tuple[int, int], build: Callable[[Any], None]
    ) -> tuple[OfflineSession, Any]:
        """The page ``key`` at ``size``: the first time a new session's page at that size on ``url``, handed
        to ``build``; after that the same page, resized."""
        if key in self.pages:
            session, page = self.pages[key]
            page.set_viewport_size({"width": size[0], "height": size[1]})
            return session, page
        session = OfflineSession(self.browser, *size)
        try:
            page = session.open(url)
            build(page)
        except BaseException:
            session.close()
            raise
        self.pages[key] = session, page
        return session, page

    def close(self) -> None:
        for session, _ in self.pages.values():
            session.close()
        self.pages.clear()


#: Checked on every animation frame: when all is drawn, the milliseconds since navigation began.
#: The metrics card shows either its chart or, before any network has convened, a sentence saying so.
_RENDERED = """() => {
  const metrics = document.querySelector('.netgov-metrics');
  const drawn = document.querySelector('.netgov-counter') && metrics
    && (metrics.classList.contains('netgov-no-network') || metrics.querySelector('svg .mark-line path'));
  return drawn ? performance.now() : null;
}"""


def wait_rendered(page: Any) -> float:
    """Until the counter shows and the metrics card is drawn (its chart, or the sentence before any network).

    Returns the milliseconds from the start of the page's navigation to the first animation
    frame on which both were there.
    """
    return page.wait_for_function(_RENDERED, timeout=TIMEOUT_MS).json_value()


#: Resolves once nothing in the page has changed for ``quiet`` ms (no node, attribute or text) and, with ``fit``,
#: every chart's SVG is as wide as its container (each chart re-lays itself out on a ResizeObserver), with the
#: milliseconds waited; rejects after ``timeout`` ms.
_SETTLED = """([quiet, timeout, fit]) => new Promise((resolve, reject) => {
  const start = performance.now();
  let last = start;
  const o = new MutationObserver(() => { last = performance.now(); });
  o.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  const fitted = () => !fit || [...document.querySelectorAll('.netgov-vega')].every(v => {
    const svg = v.querySelector('svg');
    return !svg || Math.abs(svg.getBoundingClientRect().width - v.getBoundingClientRect().width) < 1;
  });
  const tick = () => {
    const now = performance.now();
    if (now - last >= quiet && fitted()) {
      o.disconnect();
      resolve(now - start);
    } else if (now - start > timeout) {
      o.disconnect();
      reject(new Error(`the page still changed, or a chart did not fit its card, after ${timeout} ms`));
    } else {
      requestAnimationFrame(tick);
    }
  };
  requestAnimationFrame(tick);
})"""


def wait_settled(page: Any, quiet_ms: int = 400, fit: bool = True) -> float:
    """Until the page has been still for ``quiet_ms`` and (``fit``) every chart is laid out at its card's width:
    the last layout pass after a step, a click or a resize (Vuetify re-lays the page 200 ms after a resize).
    Without ``fit``, for a test that measures the charts itself (a chart that never fits would fail it only
    after the timeout).

    Returns the milliseconds waited. A wait for that, not a fixed sleep: under load the last pass comes later.
    """
    return page.evaluate(_SETTLED, [quiet_ms, TIMEOUT_MS, fit])


def time_shown(page: Any) -> int:
    """The month the counter shows ("Month 12")."""
    return int(page.locator(".netgov-counter").inner_text().split()[1])


#: The charts that change with every step once there is data: the metrics and, in compare mode, the
#: difference and each design's running means.
STEP_CHARTS = (".netgov-metrics", ".netgov-difference", ".netgov-design-mine", ".netgov-design-theirs")
#: Armed in the page before Step is clicked: a promise that settles on the first animation frame after
#: the month counter shows ``target`` and every chart of STEP_CHARTS on the page (once there is data)
#: has been drawn anew, with the milliseconds since the click. Waiting in the page, not with
#: Playwright's locators: those re-check 0, 20, 70, 170, 270, 770 ms after they start, so a step
#: rendered in 180 ms would be seen at 270 ms. One observer per chart, and one on the page that ignores
#: attributes: a step changes thousands of SVG attributes, and a page-wide observer that looked at each
#: cost the page more than some of the work it measured.
_ARM_STEP = """
([target, timeout, charts]) => {
  const redrawn = new Set();  // charts with a change inside them since the click
  const watched = new Map();  // chart selector -> the element observed
  const observers = [];
  let clicked = null;
  document.addEventListener('click', () => { clicked = performance.now(); }, {capture: true, once: true});
  document.addEventListener('keydown', () => { clicked = performance.now(); }, {capture: true, once: true});
  window.__netgovStep = new Promise((resolve, reject) => {
    const check = () => {
      const counter = document.querySelector('.netgov-counter');
      if (clicked === null || !counter || counter.textContent.trim() !== `Month ${target}`) return;
      if (document.querySelector('.netgov-metrics.netgov-no-network') === null) {
        for (const sel of charts) {
          const root = watched.get(sel);
          if (root && root.isConnected && !(redrawn.has(sel) && root.querySelector('svg .mark-line path'))) return;
        }
      }
      stop();
      requestAnimationFrame(() => resolve(performance.now() - clicked));
    };
    const watch = () => {
      for (const sel of charts) {
        const root = document.querySelector(sel);
        if (!root || watched.get(sel) === root) continue;
        if (clicked !== null) redrawn.add(sel);  // a chart that appeared since the click is drawn anew
        watched.set(sel, root);
        const o = new MutationObserver(() => {
          if (clicked !== null) redrawn.add(sel);
          check();
        });
        o.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
        observers.push(o);
      }
    };
    const page = new MutationObserver(() => { watch(); check(); });
    observers.push(page);
    const late = setTimeout(() => {
      stop();
      reject(new Error(`step ${target} not rendered in ${timeout} ms`));
    }, timeout);
    const stop = () => {
      observers.forEach((o) => o.disconnect());
      clearTimeout(late);
    };
    watch();
    page.observe(document.body, {subtree: true, childList: true, characterData: true});
  });
}
"""


def step(page: Any, times: int = 1, key: str | None = None) -> list[float]:
    """Press Step (or, with ``key``, that key) ``times`` times, each time until the new step is rendered.

    Returns, per step, the milliseconds from the click to the first frame drawn with the new
    step (the counter and every chart that changes with a step), as measured in the page.
    """
    rendered = []
    for _ in range(times):
        page.evaluate(_ARM_STEP, [time_shown(page) + 1, TIMEOUT_MS, list(STEP_CHARTS)])
        if key is None:
            page.get_by_role("button", name="Step", exact=True).click()
        else:
            page.keyboard.press(key)
        rendered.append(page.evaluate("window.__netgovStep"))
    return rendered
