"""The options several commands share, declared once (same flag, same help, same checks everywhere)."""

from __future__ import annotations

from typing import Annotated

import typer

ScenarioArg = Annotated[str | None, typer.Argument(help="scenario name or .toml file (default: the schema's defaults)")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="override a parameter: key=value (dotted keys reach tables, e.g. actors.civil_society=200)"
    ),
]
SeedOpt = Annotated[int, typer.Option(help="seed of the model's random number generator")]
StepsOpt = Annotated[int | None, typer.Option(help="months to simulate (default: the scenario's `steps`)")]
EnsembleOpt = Annotated[
    str | None,
    typer.Option(
        help="draw each replication's calibrated parameters from an ensemble: `calibrated` (the shipped one)"
        " or a .parquet from `netgov calibrate`; replication r of every design draws the same set"
    ),
]
IKnowOpt = Annotated[
    bool,
    typer.Option(
        "--i-know", help="run even above the size ceilings (months, replications, runs, actors x months; see README)"
    ),
]
WorkersOpt = Annotated[int | None, typer.Option(help="local worker processes (default: one per CPU core; 1 = serial)")]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(help="run on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://10.0.0.5:8786)"),
]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="continue a batch in --out: skip runs already done")]
WorkerTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--worker-timeout",
        metavar="SECONDS",
        help="with --scheduler: stop (exit 1, finished runs kept) after this long with no Dask worker",
    ),
]
# the servers (netgov dashboard, netgov room)
HostOpt = Annotated[
    str, typer.Option(help="address to listen on: 127.0.0.1 = this computer only, 0.0.0.0 = the room's network")
]
PortOpt = Annotated[int, typer.Option(help="port to listen on")]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="print the runs, points and policies and a time estimate from a pilot of the heaviest runs; keep nothing",
    ),
]
