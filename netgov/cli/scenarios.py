"""``netgov scenarios`` (the shipped scenarios) and ``netgov scenarios show`` (one, every parameter resolved)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from netgov.cli.options import SetOpt
from netgov.cli.output import Col, show_table, warn_inactive

app = typer.Typer(invoke_without_command=True, help="List the shipped scenarios, or show one resolved.")


@app.callback()
def scenarios_list(ctx: typer.Context) -> None:
    """List the shipped scenarios (and `defaults`) with their titles and one-line summaries."""
    if ctx.invoked_subcommand is not None:
        return
    from netgov.scenarios.loader import DEFAULT, load, scenario_names

    show_table(
        "netgov scenarios (the name is what commands take)",
        [Col(c, overflow="fold") for c in ("name", "title", "summary")],
        [(name, sc.title, sc.summary) for name, sc in ((n, load(n)) for n in (DEFAULT, *scenario_names()))],
    )


@app.command("show")
def scenarios_show(
    scenario: Annotated[str, typer.Argument(help="scenario name or .toml file")],
    set_: SetOpt = None,
    toml: Annotated[bool, typer.Option("--toml", help="print the resolved scenario as a complete TOML file")] = False,
) -> None:
    """Print every resolved parameter of a scenario with its source, meaning, unit and range."""
    from netgov.model.describe import parameters
    from netgov.scenarios.loader import load, resolved_parameters, to_toml

    sc = load(scenario, set_ or [])
    if toml:
        sys.stdout.write(to_toml(sc))
        return
    described = {p.name: p for p in parameters()}
    show_table(
        f"{sc.name} ({sc.title}): {sc.summary}",
        [
            Col("parameter", no_wrap=True),  # keys whole: they are what people copy into --set
            Col("value", overflow="fold", max_width=24),
            Col("source", overflow="fold", max_width=22),
            Col("unit", overflow="fold", max_width=10),
            Col("range", overflow="fold", max_width=16),
            Col("meaning", overflow="fold", min_width=30),
        ],
        [
            (key, value if isinstance(value, bool) else str(value), source, p.unit, p.range, p.meaning)
            for key, value, source in resolved_parameters(sc)
            for p in (described[key],)
        ],
    )
    warn_inactive(sc)
