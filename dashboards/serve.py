"""Solara's server behind netgov's guard: what ``netgov dashboard`` runs (``python -m netgov.dashboards.serve``).

The guard is an ASGI middleware in front of Solara's Starlette app:

- with an access token (``NETGOV_DASHBOARD_TOKEN``), every request and websocket needs it, either
  as ``?token=...`` (the URL ``netgov dashboard`` prints; the answer sets a cookie) or as that cookie;
  anything else gets a short 403;
- Solara's diagnostics (``/resourcez``: host CPU, memory, kernel counts) answer 404 unless
  ``NETGOV_DASHBOARD_DIAGNOSTICS=1`` (``netgov dashboard --diagnostics``).

An uncaught exception in an event handler is logged here and reaches the browser as one line,
not as Solara's traceback. SIGTERM (or Ctrl+C) stops the server gracefully, and at the latest
``STOP_S`` seconds later: a step still running in a visitor's play loop does not hold it up.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import sys
import threading
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

#: Environment through which ``netgov dashboard`` hands over its settings.
TOKEN_ENV = "NETGOV_DASHBOARD_TOKEN"
DIAGNOSTICS_ENV = "NETGOV_DASHBOARD_DIAGNOSTICS"
COOKIE = "netgov_token"
#: Solara's diagnostic endpoints (``/readyz`` only says "ok" and stays: it is the liveness probe).
DIAGNOSTICS = ("/resourcez",)
FORBIDDEN = b"netgov dashboard: an access token is needed; open the URL that `netgov dashboard` printed.\n"
SHORT_ERROR = "netgov dashboard: something went wrong ({kind}); the details are in the server's log."
#: Seconds from SIGTERM / Ctrl+C to a forced exit if the graceful shutdown has not finished.
STOP_S = 3.0

log = logging.getLogger("netgov.dashboard")

Scope = dict[str, Any]


class Guard:
    """ASGI middleware: an optional access token, and Solara's diagnostics off unless asked for. ``cookie``
    and ``forbidden``: the cookie that keeps the token and the 403's text (``netgov room`` has its own)."""

    def __init__(
        self,
        app: Any,
        token: str | None = None,
        diagnostics: bool = False,
        cookie: str = COOKIE,
        forbidden: bytes = FORBIDDEN,
    ) -> None:
        self.app = app
        self.token = token or None
        self.diagnostics = diagnostics
        self.cookie = cookie
        self.forbidden = forbidden

    def _presented(self, scope: Scope) -> tuple[str | None, bool]:
        """The token the request carries, and whether it came in the query string."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("token"):
            return query["token"][0], True
        for name, value in scope.get("headers", ()):
            if name == b"cookie":
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(value.decode("latin-1"))
                except Exception:  # a malformed cookie header is no token
                    continue
                if self.cookie in jar:
                    return jar[self.cookie].value, False
        return None, False

    def _valid(self, presented: str | None) -> bool:
        return presented is not None and self.token is not None and hmac.compare_digest(presented, self.token)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if not self.diagnostics and any(path == d or path.endswith(d) for d in DIAGNOSTICS):
            await _plain(scope, send, 404, b"netgov dashboard: diagnostics are off (netgov dashboard --diagnostics)\n")
            return
        if self.token is None:
            await self.app(scope, receive, send)
            return
        presented, in_query = self._presented(scope)
        if not self._valid(presented):
            await _plain(scope, send, 403, self.forbidden)
            return
        if not in_query or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1")

        async def with_cookie(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)

        await self.app(scope, receive, with_cookie)


async def _plain(scope: Scope, send: Any, status: int, body: bytes) -> None:
    """A short text answer; a websocket is closed before it opens (the browser sees a 403)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def short_traceback(self: Any) -> None:
    """Replaces Solara's ``showtraceback``: the traceback goes to the log, the browser gets one line."""
    _etype, value, _tb = sys.exc_info()
    log.error("uncaught exception in the dashboard", exc_info=value)
    msg = {"type": "exception", "traceback": SHORT_ERROR.format(kind=type(value).__name__)}
    for socket in self.context.control_sockets:
        with contextlib.suppress(Exception):  # a closed socket: nobody to tell
            socket.send_json(msg)


def stop_soon(handle_exit: Any) -> Any:
    """Wraps uvicorn's signal handler: after the graceful stop it starts, a timer ends the process."""

    def handler(self: Any, sig: int, frame: Any) -> None:
        handle_exit(self, sig, frame)
        timer = threading.Timer(STOP_S, _exit_now, args=(sig,))
        timer.daemon = True
        timer.start()

    return handler


def _exit_now(sig: int) -> None:
    log.warning("still stopping %s s after signal %s: exiting now", STOP_S, sig)
    os._exit(128 + sig)


def main(argv: list[str]) -> None:
    """``python -m netgov.dashboards.serve APP [solara run options]``: Solara's ``run`` with the guard."""
    app_file = argv[0]
    os.environ["SOLARA_APP"] = app_file  # solara.server.app reads it when imported
    import solara.server.starlette  # first: it imports solara.server.app, which imports patch
    from solara.server import patch

    token = os.environ.pop(TOKEN_ENV, None)  # not passed on to anything the app starts
    diagnostics = os.environ.get(DIAGNOSTICS_ENV) == "1"
    solara.server.starlette.app.add_middleware(Guard, token=token, diagnostics=diagnostics)
    patch.FakeIPython.showtraceback = short_traceback  # type: ignore[method-assign]
    import uvicorn

    uvicorn.Server.handle_exit = stop_soon(uvicorn.Server.handle_exit)  # type: ignore[method-assign]

    from solara.__main__ import main as solara_main

    sys.argv = ["solara", "run", app_file, *argv[1:]]
    solara_main()


if __name__ == "__main__":
    main(sys.argv[1:])
