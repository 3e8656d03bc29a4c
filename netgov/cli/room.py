"""``netgov room``: check the flags, print the facilitator's URL, the join link and its QR code, serve the room."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from netgov.cli.checks import check_int, check_seed, check_steps
from netgov.cli.dashboard import check_token, is_loopback
from netgov.cli.options import HostOpt, PortOpt, ScenarioArg, SeedOpt, SetOpt, StepsOpt
from netgov.cli.output import console, say
from netgov.model.core.errors import ConfigError

app = typer.Typer()

#: Participants one room seats at most (``--seats``).
SEATS_MAX = 200


def _check_seconds(value: float, flag: str, lo: float, hi: float) -> None:
    if not math.isfinite(value) or not lo <= value <= hi:
        raise ConfigError(f"{flag} {value}: expected seconds from {lo:g} to {hi:g}")


def _address(host: str) -> str:
    """The address participants reach: this computer's address on the room's network for 0.0.0.0 (the
    interface a packet would leave by; nothing is sent), 127.0.0.1 for loopback, else the host given."""
    import socket

    if host not in ("0.0.0.0", "::"):
        return "127.0.0.1" if host == "localhost" else host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return str(s.getsockname()[0])
        except OSError:  # no network: the room is this computer
            return "127.0.0.1"


@app.command()
def room(
    scenario: ScenarioArg = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8770,
    seats: Annotated[int, typer.Option(help=f"participants the room seats at most (1 to {SEATS_MAX})")] = 40,
    token: Annotated[
        str | None,
        typer.Option(
            help="the facilitator's access token (in the screen's URL, never on the join page); made if not given"
        ),
    ] = None,
    seed: SeedOpt = 0,
    steps: StepsOpt = None,
    set_: SetOpt = None,
    countdown: Annotated[
        float, typer.Option(help="seconds participants have at each moment (3 to 600; the screen can add 30)")
    ] = 45.0,
    pace: Annotated[float, typer.Option(help="seconds the screen shows each month between moments (0 to 10)")] = 0.5,
    seating: Annotated[
        str | None,
        typer.Option(
            help="the seating plan: the delegations newcomers fill, in order, as group.region separated by commas"
            " (e.g. government.africa,civil_society.western_europe_others); default: every delegation,"
            " balanced across groups first"
        ),
    ] = None,
) -> None:
    """Play a scenario in the room: participants join from their phones as delegations, and the model runs with
    their choices (attend, speak, vote); the facilitator's screen shows the tally and what the room changed."""
    import secrets

    from netgov.experiment import limits
    from netgov.scenarios.loader import load

    check_int(port, "--port", 1, 65535)
    check_int(seats, "--seats", 1, SEATS_MAX)
    check_token(token)
    check_seed(seed)
    check_steps(steps)
    _check_seconds(countdown, "--countdown", 3, 600)
    _check_seconds(pace, "--pace", 0, 10)
    loopback = is_loopback(host)
    sc = load(scenario, set_ or [])
    months = steps if steps is not None else sc.config.steps
    limits.check_work(sc.config, steps, "room")
    token = token or secrets.token_urlsafe(18)

    import segno
    import uvicorn

    from netgov.dashboards.room import Refused
    from netgov.dashboards.room_server import Rooms
    from netgov.dashboards.room_server import app as room_app
    from netgov.dashboards.serve import stop_soon

    plan = tuple(k.strip() for k in seating.split(",") if k.strip()) if seating is not None else ()
    rooms = Rooms(
        sc.config, sc.title or sc.name, seed, months, seats, countdown, pace, f"http://{_address(host)}:{port}", plan
    )
    try:
        first = rooms.open()
    except Refused as exc:
        raise ConfigError(f"--seating {seating}: {exc}") from None
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    join = rooms.join_url(first)
    console.print(
        f"netgov room: http://{shown}:{port}/f/{first.id}?token={token}  (the facilitator's screen; Ctrl+C stops it)",
        highlight=False,
    )
    console.print(f"  join: {join}", highlight=False)
    if loopback:
        say(
            "--host is this computer only: phones cannot reach it; use --host 0.0.0.0 for the room's network", "warning"
        )
    else:
        say(
            f"--host {host} listens beyond this computer: anyone with the join link can take a seat, and anyone"
            " with the facilitator's URL (it holds the token) can run the room; show only the join link.",
            "warning",
        )
    segno.make(join, error="m").terminal(compact=True)
    uvicorn.Server.handle_exit = stop_soon(uvicorn.Server.handle_exit)  # type: ignore[method-assign]
    uvicorn.run(room_app(rooms, token), host=host, port=port, log_level="warning")
