"""The dashboard against a hostile visitor (issue 17, item 1).

A browser can send any value for a picker (``$emit('input', '/some/file.toml')`` from the
console): the server accepts only the scenarios it offers and answers anything else with one
short line, never a traceback or a file's content. Beyond loopback every request needs the
access token the command prints, and Solara's ``/resourcez`` is off unless asked for.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipyvuetify as v
import pytest
import solara
from browser import TIMEOUT_MS, OfflineSession, dashboard_server
from playwright.sync_api import Browser

from netgov.dashboards import app as dash
from netgov.dashboards.serve import COOKIE, Guard
from netgov.scenarios.loader import load

SECRET = "hunter2-not-for-visitors"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A readable TOML file on the server that no visitor should learn anything about."""
    path = tmp_path / "private.toml"
    path.write_text(f'notice_period = "{SECRET}"\n', encoding="utf-8")
    return path


@solara.component
def App() -> None:
    with solara.AppLayout():
        dash.Page()


def texts(widget: Any) -> list[str]:
    found: list[str] = []
    for child in getattr(widget, "children", ()):
        found.extend([child] if isinstance(child, str) else texts(child))
    for attr in ("v_model", "value", "label"):
        value = getattr(widget, attr, None)
        if isinstance(value, str):
            found.append(value)
    return found


def render() -> tuple[Any, Any]:
    box, rc = solara.render(App(), handle_error=False)
    return box, rc


def shown(box: Any) -> str:
    return "\n".join(texts(box))


@pytest.mark.parametrize("label", ["scenario", "other design"])
def test_a_picker_refuses_a_path_the_browser_sends(label: str, secret_file: Path) -> None:
    box, rc = render()
    before = shown(box)
    rc.find(v.Select, label=label).widget.v_model = str(secret_file)
    page = shown(box)
    assert SECRET not in page
    assert "Traceback" not in page
    (line,) = [t for t in texts(box) if t.startswith("Not a ")]
    assert line.endswith("Pick one from the list.") and len(line) < 160
    # nothing changed: the same scenario, and the picker shows it again
    assert rc.find(v.Select, label=label).widget.v_model == (
        dash.DEFAULT if label == "scenario" else dash.DEFAULT_BASELINE
    )
    assert load(dash.DEFAULT).recommendation in page
    assert len(page) < len(before) + 200


@pytest.mark.parametrize("value", ["../../etc/passwd", "x" * 5000, "", "defaults/../status_quo_intergovernmental"])
def test_the_scenario_picker_refuses_anything_it_does_not_offer(value: str) -> None:
    box, rc = render()
    rc.find(v.Select, label="scenario").widget.v_model = value
    page = shown(box)
    refusals = [t for t in texts(box) if t.startswith("Not a scenario")]
    assert len(refusals) == 1 and len(refusals[0]) < 160
    if len(value) > dash.SHOWN_CHARS:  # a long value is not repeated back in full
        assert value not in page


def test_an_offered_scenario_is_still_accepted() -> None:
    box, rc = render()
    rc.find(v.Select, label="scenario").widget.v_model = "idp_distributed"
    assert load("idp_distributed").recommendation in shown(box)
    assert not [t for t in texts(box) if t.startswith("Not a ")]


def test_the_facilitators_file_is_offered_and_a_broken_one_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "room.toml"
    path.write_text('summary = "our room"\nnotice_period = 2\n', encoding="utf-8")
    monkeypatch.setenv(dash.SCENARIO_ENV, str(path))
    box, rc = render()
    assert "our room" in shown(box)
    assert str(path) in [item["value"] for item in rc.find(v.Select, label="scenario").widget.items]
    path.write_text("notice_period = [[[", encoding="utf-8")  # broken after the start
    box, rc = render()
    (line,) = [t for t in texts(box) if t.startswith("Could not load scenario")]
    assert "Traceback" not in shown(box) and len(line) < 400


def test_an_error_while_drawing_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    @solara.component
    def Broken(*args: Any) -> None:
        raise RuntimeError(f"internal detail {SECRET}")

    monkeypatch.setattr(dash, "LiveViews", Broken)
    box, _rc = render()
    page = shown(box)
    assert SECRET not in page and "Traceback" not in page
    assert any(t.startswith("Something went wrong in the dashboard (RuntimeError)") for t in texts(box))


# -- the guard in front of Solara's server --------------------------------------------------------


def call(guard: Guard, path: str, query: bytes = b"", cookie: str | None = None, kind: str = "http") -> list[dict]:
    """The messages the guard (with a stub app behind it) sends for one request."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request"}

    async def send(message: dict) -> None:
        sent.append(message)

    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())] if cookie else []
    scope = {"type": kind, "path": path, "query_string": query, "headers": headers}
    asyncio.run(guard(scope, receive, send))
    return sent


def status(messages: list[dict]) -> int | None:
    return next((m["status"] for m in messages if m["type"] == "http.response.start"), None)


def test_without_a_token_the_page_answers_and_diagnostics_are_off() -> None:
    assert status(call(Guard(_stub(), token=None), "/")) == 200
    assert status(call(Guard(_stub(), token=None), "/resourcez")) == 404
    assert status(call(Guard(_stub(), token=None, diagnostics=True), "/resourcez")) == 200


def test_with_a_token_only_its_holders_get_in() -> None:
    guard = Guard(_stub(), token="s3cret-token")
    assert status(call(guard, "/")) == 403
    assert status(call(guard, "/", query=b"token=wrong")) == 403
    assert status(call(guard, "/", cookie="wrong")) == 403
    first = call(guard, "/", query=b"token=s3cret-token")
    assert status(first) == 200
    cookies = [v for m in first if m["type"] == "http.response.start" for k, v in m["headers"] if k == b"set-cookie"]
    assert cookies and cookies[0].startswith(f"{COOKIE}=s3cret-token;".encode()) and b"HttpOnly" in cookies[0]
    assert status(call(guard, "/static/main.js", cookie="s3cret-token")) == 200
    assert call(guard, "/jupyter/api/kernels/x/channels", kind="websocket") == [
        {"type": "websocket.close", "code": 1008}
    ]
    assert status(call(guard, "/resourcez", cookie="s3cret-token")) == 404


def _stub() -> Any:
    async def inner(scope: dict, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})

    return inner


@pytest.mark.parametrize(
    "token",
    ["short", "has space inside", "semi;colon-token", "x" * 201, "quote'token-x"],
    ids=["short", "space", "semicolon", "long", "quote"],
)
def test_dashboard_rejects_a_token_that_cannot_travel_in_a_url(run_netgov: Any, token: str) -> None:
    result = run_netgov("dashboard", "--token", token)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("netgov: error: --token")


@pytest.mark.parametrize(
    "host", ["", " ", "a b", "http://x", "-h", "x;y"], ids=["empty", "space", "spaces", "url", "dash", "semicolon"]
)
def test_dashboard_rejects_a_host_that_is_no_address(run_netgov: Any, host: str) -> None:
    """Issue 30, defect 13: `--host ""` was accepted and printed `http://:18767/?token=...`."""
    result = run_netgov("dashboard", "--host", host)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"netgov: error: --host {host!r}: expected an IP address or a host name")
    assert "http://" not in result.stdout


# -- the real server, beyond loopback, in Chromium ------------------------------------------------


@pytest.fixture(scope="module")
def exposed() -> Iterator[tuple[str, list[str]]]:
    """``netgov dashboard --host 0.0.0.0``: it makes a token, prints it in the URL and warns."""
    printed: list[str] = []
    with dashboard_server("--host", "0.0.0.0", printed=printed) as url:
        yield url, printed


def fetch(url: str, cookie: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.slow
def test_beyond_loopback_a_token_is_made_printed_and_required(exposed: tuple[str, list[str]]) -> None:
    url, printed = exposed
    base, _, query = url.partition("?")
    assert query.startswith("token=") and len(query) > len("token=") + 16
    token = query.removeprefix("token=")
    warnings = [line for line in printed if line.startswith("netgov: warning: --host 0.0.0.0")]
    assert len(warnings) == 1 and "no user accounts" in warnings[0]
    assert fetch(base) == 403
    assert fetch(url) == 200
    assert fetch(base + "resourcez", cookie=token) == 404
    assert fetch(base + "readyz", cookie=token) == 200


@pytest.mark.slow
@pytest.mark.parametrize("label", ["scenario", "other design"])
def test_a_path_emitted_from_the_browser_console_gets_a_short_refusal(
    exposed: tuple[str, list[str]], browser: Browser, secret_file: Path, label: str
) -> None:
    url, _ = exposed
    session = OfflineSession(browser)  # a new visitor: the refusal is the first line its page shows
    try:
        page = session.open(url)
        select = page.locator(".v-select", has_text=label).first
        select.evaluate("(el, path) => { el.__vue__.$emit('input', path); }", str(secret_file))
        # whichever comes first: the refusal, or what the old dashboard showed (a traceback)
        page.wait_for_function(
            "s => [s, 'Pick one from the list.', 'Traceback'].some(t => document.body.innerText.includes(t))",
            arg=SECRET,
            timeout=TIMEOUT_MS,
        )
        body = page.inner_text("body")
        assert "Pick one from the list." in body
        assert SECRET not in body
        assert "Traceback" not in body and "ConfigError" not in body
        assert page.locator(".netgov-counter", has_text="Month 0").count() == 1  # the run is still there
    finally:
        session.close()


def test_a_signal_ends_the_server_at_the_latest_stop_s_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's graceful stop waits for what is running; the dashboard's wrapper ends the process anyway."""
    import signal
    import time

    from netgov.dashboards import serve

    exits: list[int] = []
    graceful: list[int] = []
    monkeypatch.setattr(serve, "STOP_S", 0.05)
    monkeypatch.setattr(serve.os, "_exit", exits.append)
    serve.stop_soon(lambda _server, sig, _frame: graceful.append(sig))(object(), signal.SIGTERM, None)
    assert graceful == [signal.SIGTERM]  # the graceful stop starts first
    deadline = time.monotonic() + 10
    while not exits and time.monotonic() < deadline:
        time.sleep(0.01)
    assert exits == [128 + signal.SIGTERM]
