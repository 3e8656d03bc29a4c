"""``netgov dashboard``: check the flags, then hand the process over to the Solara server (``os.execve``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from netgov.cli.checks import check_int
from netgov.cli.options import HostOpt, PortOpt
from netgov.cli.output import console, say
from netgov.model.core.errors import ConfigError

app = typer.Typer()


def check_token(token: str | None) -> None:
    """A token goes into a URL and a cookie: letters, digits and - _ . ~ only."""
    if token is not None and not re.fullmatch(r"[A-Za-z0-9._~-]{8,200}", token):
        raise ConfigError("--token: expected 8 to 200 letters, digits or - _ . ~ (it goes into a URL and a cookie)")


def is_loopback(host: str) -> bool:
    """Whether ``--host`` listens on this computer only (a host name may resolve to anything: not loopback)."""
    import ipaddress

    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", host):
            raise ConfigError(
                f"--host {host!r}: expected an IP address or a host name (127.0.0.1 = this computer only,"
                " 0.0.0.0 = the room's network)"
            ) from None
        return False


@app.command()
def dashboard(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8765,
    scenario: Annotated[
        str | None, typer.Option(help="starting scenario: a name or a .toml file (default: the schema's defaults)")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="access token every visitor needs (in the printed URL); beyond loopback one is made if not given"
        ),
    ] = None,
    diagnostics: Annotated[
        bool,
        typer.Option("--diagnostics", help="serve Solara's /resourcez (host CPU, memory, sessions); off by default"),
    ] = False,
) -> None:
    """Start the facilitator dashboard (a Solara web app, works offline) and print its URL."""
    import importlib.util
    import os
    import secrets

    from netgov.dashboards.offline_assets import missing
    from netgov.dashboards.serve import DIAGNOSTICS_ENV, TOKEN_ENV
    from netgov.scenarios.loader import load

    check_int(port, "--port", 1, 65535)
    check_token(token)
    if scenario is not None:
        load(scenario)  # a bad name or file fails here with one line, not in the browser
        if Path(scenario).is_file():
            scenario = str(Path(scenario).resolve())
    loopback = is_loopback(host)
    if not loopback and token is None:
        token = secrets.token_urlsafe(18)
    absent = missing(Path(sys.prefix))
    if absent:
        say(
            f"front-end packages not installed locally: {', '.join(absent)}; without internet"
            f" the page stays blank. Install them with: {sys.executable} -m netgov.dashboards.offline_assets",
            "warning",
        )
    found = importlib.util.find_spec("netgov.dashboards")  # found, not imported: solara loads in the server
    assert found is not None and found.origin is not None
    app_file = Path(found.origin).parent / "app.py"
    # telemetry off; and no warning about cookies over plain http, which is what a loopback server uses
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    warnings = ",".join(w for w in (os.environ.get("PYTHONWARNINGS"), quiet) if w)
    env = {
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "PYTHONWARNINGS": warnings,
        "SOLARA_THEME_SHOW_BANNER": "False",  # Solara's corner badge covered the issue table
    }
    env.pop(TOKEN_ENV, None)
    env.pop(DIAGNOSTICS_ENV, None)
    if scenario is not None:
        env["NETGOV_DASHBOARD_SCENARIO"] = scenario
    if token is not None:
        env[TOKEN_ENV] = token
    if diagnostics:
        env[DIAGNOSTICS_ENV] = "1"
    everywhere = host in ("0.0.0.0", "::")
    shown = "127.0.0.1" if everywhere else host
    query = f"?token={token}" if token is not None else ""
    console.print(f"netgov dashboard: http://{shown}:{port}/{query}  (Ctrl+C stops it)", highlight=False)
    if everywhere:
        console.print(f"  others on the network: http://<this computer's address>:{port}/{query}", highlight=False)
    sys.stdout.flush()
    if not loopback:
        say(
            f"--host {host} listens beyond this computer and the dashboard has no user accounts:"
            " anyone who has the URL with its token can use it (and read the scenarios it offers); share it only"
            " with the room, and stop the dashboard when the session ends.",
            "warning",
        )
    argv = [sys.executable, "-m", "netgov.dashboards.serve", str(app_file), "--host", host, "--port", str(port)]
    # --production: minified front-end, no solara.dev iframe; --no-check-version: no PyPI request at start
    os.execve(sys.executable, [*argv, "--production", "--no-open", "--no-check-version"], env)
