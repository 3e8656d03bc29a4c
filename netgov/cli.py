"""The `netgov` command: run, scenarios, compare (and more as they land).

Bad input never shows a traceback: it prints one line naming the file or flag, the key,
the value and what is allowed, and exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from model.config import ConfigError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="netgov: simulate networked internet governance under different participation, notice and decision rules.",
)
scenarios_app = typer.Typer(invoke_without_command=True, help="List the shipped scenarios, or show one resolved.")
app.add_typer(scenarios_app, name="scenarios")
# Off a terminal (pipes, CI logs) rich would squeeze tables into 80 columns and cut values.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="override a parameter: key=value (dotted keys reach tables, e.g. actors.civil_society=200)"
    ),
]
SeedOpt = Annotated[int, typer.Option(help="seed of the model's random number generator")]
StepsOpt = Annotated[int | None, typer.Option(help="months to simulate (default: the scenario's `steps`)")]


def fail(message: str) -> typer.Exit:
    """Print one error line and return the exit to raise (status 2)."""
    err_console.print(f"netgov: error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return "nan" if value != value else f"{value:.3f}"
    return str(value)


def write_table(df: Any, out: Path) -> None:
    """Write a table as CSV or Parquet, chosen by the file's extension."""
    suffix = out.suffix.lower()
    if suffix == ".csv":
        df.to_csv(out, index=False)
    elif suffix == ".parquet":
        df.to_parquet(out, index=False)
    else:
        raise ConfigError(f"--out {out}: unknown extension '{out.suffix}'; allowed: .csv, .parquet")


@app.command()
def run(
    scenario: Annotated[
        str | None, typer.Argument(help="scenario name or .toml file (default: the schema's defaults)")
    ] = None,
    seed: SeedOpt = 0,
    steps: StepsOpt = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="write the per-step table to FILE.csv or FILE.parquet")] = None,
) -> None:
    """Run one scenario and print its final metrics."""
    from scenarios.loader import load
    from scenarios.runner import FINAL_METRICS, run_once

    try:
        if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
            raise ConfigError(f"--out {out}: unknown extension '{out.suffix}'; allowed: .csv, .parquet")
        if steps is not None and steps < 1:
            raise ConfigError(f"--steps {steps}: expected an integer >= 1")
        sc = load(scenario, set_ or [])
        result = run_once(sc.config, seed, steps)
        if out is not None:
            write_table(result.steps, out)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    final = result.final
    table = Table(title=f"netgov run: {sc.name} (seed {seed}, {int(result.steps['step'].iloc[-1])} months)")
    table.add_column("metric")
    table.add_column("final", justify="right")
    for m in FINAL_METRICS:
        table.add_row(m, _fmt(final[m]))
    console.print(table)
    issues = result.issues
    if len(issues):
        console.print(
            f"{len(issues)} issues: "
            + ", ".join(f"{k} {v}" for k, v in issues["phase"].value_counts().sort_index().items())
        )
    if out is not None:
        console.print(f"wrote {out}")


@scenarios_app.callback()
def scenarios_list(ctx: typer.Context) -> None:
    """List the shipped scenarios with their one-line summaries."""
    if ctx.invoked_subcommand is not None:
        return
    from scenarios.loader import load, scenario_names

    table = Table(title="netgov scenarios")
    table.add_column("name")
    table.add_column("summary")
    for name in scenario_names():
        table.add_row(name, load(name).summary)
    console.print(table)


@scenarios_app.command("show")
def scenarios_show(
    scenario: Annotated[str, typer.Argument(help="scenario name or .toml file")],
    set_: SetOpt = None,
    toml: Annotated[bool, typer.Option("--toml", help="print the resolved scenario as a complete TOML file")] = False,
) -> None:
    """Print every resolved parameter of a scenario with its source."""
    from scenarios.loader import load, resolved_parameters, to_toml

    try:
        sc = load(scenario, set_ or [])
    except ConfigError as exc:
        raise fail(str(exc)) from None
    if toml:
        sys.stdout.write(to_toml(sc))
        return
    table = Table(title=f"{sc.name}: {sc.summary}")
    table.add_column("parameter")
    table.add_column("value")
    table.add_column("source")
    for key, value, source in resolved_parameters(sc):
        table.add_row(key, str(value).lower() if isinstance(value, bool) else str(value), source)
    console.print(table)


@app.command()
def compare(
    scenarios: Annotated[list[str], typer.Argument(help="two or more scenario names or files")],
    reps: Annotated[int, typer.Option(help="replications per scenario (same seeds across scenarios)")] = 20,
    seed: Annotated[int, typer.Option(help="master seed: replication r uses the seed derived from (seed, r)")] = 0,
    steps: StepsOpt = None,
    set_: SetOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="write the summary table (mean and 95% CI per scenario) to CSV/Parquet")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="write metric trajectories with 95% bands to a PNG")] = None,
) -> None:
    """Run replications of several scenarios with common random numbers and compare final metrics."""
    from scenarios.loader import load
    from scenarios.runner import FINAL_METRICS, plot_trajectories, replicate, summarise

    try:
        if reps < 1:
            raise ConfigError(f"--reps {reps}: expected an integer >= 1")
        if steps is not None and steps < 1:
            raise ConfigError(f"--steps {steps}: expected an integer >= 1")
        if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
            raise ConfigError(f"--out {out}: unknown extension '{out.suffix}'; allowed: .csv, .parquet")
        loaded = [load(s, set_ or []) for s in scenarios]
    except ConfigError as exc:
        raise fail(str(exc)) from None
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise fail(f"compare: a scenario is named twice ({', '.join(names)})")
    configs = {s.name: s.config for s in loaded}
    with Progress(
        TextColumn("compare"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err_console
    ) as progress:
        task = progress.add_task("runs", total=reps * len(configs))
        trajectories = replicate(configs, reps, seed, steps, progress=lambda: progress.advance(task))
    summary = summarise(trajectories, names)
    table = Table(title=f"final metrics: mean [95% CI] over {reps} replications (seed {seed})")
    table.add_column("metric")
    for n in names:
        table.add_column(n, justify="right")
    for m in FINAL_METRICS:
        cells = []
        for _, row in summary.iterrows():
            cells.append(f"{_fmt(row[f'{m}_mean'])} [{_fmt(row[f'{m}_lo'])}, {_fmt(row[f'{m}_hi'])}]")
        table.add_row(m, *cells)
    console.print(table)
    if out is not None:
        write_table(summary, out)
        console.print(f"wrote {out}")
    if plot is not None:
        plot_trajectories(trajectories, str(plot))
        console.print(f"wrote {plot}")


def main() -> None:
    """Entry point of the `netgov` console script."""
    try:
        app()
    except ConfigError as exc:  # a ConfigError that escaped a command still gets one line
        err_console.print(f"netgov: error: {exc}", markup=False, highlight=False)
        sys.exit(2)
