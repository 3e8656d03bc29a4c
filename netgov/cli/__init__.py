"""The `netgov` command: run, scenarios, compare, batch, sensitivity, analyze, validate, calibrate, ...

One module per command group; ``errors.py`` is the one error boundary: bad input never shows a
traceback, it prints one line naming the file or flag, the key, the value and what is allowed, and
exits with status 2. Every import of the model, pandas or the dashboard happens inside a command, so
``netgov --help`` stays cheap.
"""

from __future__ import annotations

from typing import Annotated

import typer

from netgov.cli import analysis, dashboard, experiments, reference, room, scenarios, simulate, validation
from netgov.cli.errors import OneLineErrors
from netgov.cli.output import console, versions

app = typer.Typer(
    name="netgov",
    cls=OneLineErrors,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="netgov: simulate networked internet governance under different participation, notice and decision rules.",
)
# the commands in the order `netgov --help` lists them: from one run to a study, then the reference
for group in (simulate, dashboard, room, experiments, analysis, validation, reference):
    app.add_typer(group.app)
app.add_typer(scenarios.app, name="scenarios")


def _print_version(value: bool) -> None:
    if value:
        console.print("  ".join(f"{k} {v}" for k, v in versions().items()), highlight=False)
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="print netgov, Mesa and Python versions"
        ),
    ] = False,
) -> None:
    """netgov: simulate networked internet governance under different participation, notice and decision rules."""
    if ctx.invoked_subcommand is None:  # `netgov` alone: the help, and the status of a usage error
        shown = ctx.get_help()  # with rich installed, Typer prints it here and returns ""
        if shown:
            typer.echo(shown)
        raise typer.Exit(2)


def main() -> None:
    """Entry point of the `netgov` console script."""
    app()
