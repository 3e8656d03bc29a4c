"""The `netgov` command: run, scenarios, compare, batch, sensitivity, analyze, validate, calibrate.

Bad input never shows a traceback: it prints one line naming the file or flag, the key,
the value and what is allowed, and exits with status 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from netgov.experiment.limits import WORKER_TIMEOUT
from netgov.model.core.errors import ConfigError


class _OneLineErrors(typer.core.TyperGroup):
    """Usage errors (a flag's value of the wrong type, an unknown option) as one line, like every other error.

    Typer draws them as a box of six or more lines; here they are ``netgov: error: ...``, exit 2.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from typer.core import _click as click  # Typer's own copy of Click: its exception classes

        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError:  # `netgov` alone: Typer has printed the help already
            sys.exit(2)
        except click.exceptions.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "netgov"
            message = " ".join(exc.format_message().split())
            err_console.print(
                f"netgov: error: {message} (`{where} --help` lists the options)",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            sys.exit(2)
        except click.exceptions.ClickException as exc:
            err_console.print(f"netgov: error: {' '.join(exc.format_message().split())}", markup=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            err_console.print("Aborted.", markup=False, highlight=False)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
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


def versions() -> dict[str, str | None]:
    """netgov, Mesa and Python versions, read from package metadata (importing Mesa would cost a second)."""
    import platform
    from importlib import metadata

    from netgov import __version__

    def installed(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {"netgov": __version__, "mesa": installed("mesa"), "python": platform.python_version()}


def _print_version(value: bool) -> None:
    if value:
        console.print("  ".join(f"{k} {v}" for k, v in versions().items()), highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="print netgov, Mesa and Python versions"
        ),
    ] = False,
) -> None:
    """netgov: simulate networked internet governance under different participation, notice and decision rules."""


def warn_inactive(scenario: Any) -> None:
    """One line per parameter the scenario or --set changed that has no effect under another one."""
    from netgov.model.describe import inactive

    for line in inactive(scenario.config, scenario.sources):
        err_console.print(f"netgov: warning: {line}", markup=False, highlight=False, soft_wrap=True)


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


#: The largest seed and master seed the commands take (numpy takes any; 64 bits is plenty and bounded).
MAX_SEED = 2**63 - 1


def _probe(folder: Path, flag: str, path: Path) -> None:
    """Fail unless a file can be created in ``folder`` (read-only file system, permissions); leaves nothing."""
    import os
    import tempfile

    try:
        fd, name = tempfile.mkstemp(prefix=".netgov-probe-", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise ConfigError(f"{flag} {path}: cannot write into {folder} ({exc.strerror or exc})") from None


def check_file(path: Path | None, flag: str, suffixes: tuple[str, ...]) -> None:
    """Fail before any work unless ``path`` is a writable file name with an allowed extension."""
    if path is None:
        return
    if path.suffix.lower() not in suffixes:
        raise ConfigError(f"{flag} {path}: unknown extension '{path.suffix}'; allowed: {', '.join(suffixes)}")
    if path.is_dir():
        raise ConfigError(f"{flag} {path}: is a directory; expected a file name ending in {' or '.join(suffixes)}")
    folder = path.parent
    if not folder.exists():
        raise ConfigError(f"{flag} {path}: the directory {folder} does not exist; create it first")
    if not folder.is_dir():
        raise ConfigError(f"{flag} {path}: {folder} is a file, not a directory")
    _probe(folder, flag, path)


def check_out_dir(out: Path, flag: str = "--out") -> None:
    """Fail before any work unless ``out`` is (or can be made as) a writable directory."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{flag} {out}: exists and is not a directory")
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{flag} {out}: {existing} is a file, not a directory")
    _probe(existing, flag, out)


def check_seed(seed: int, flag: str = "--seed") -> None:
    if not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"{flag} {seed}: expected an integer from 0 to {MAX_SEED}")


def check_steps(steps: int | None) -> None:
    """``--steps`` within the schema's bounds for ``steps`` (the flag must not bypass them)."""
    from netgov.model.core.config import field_at, field_bounds

    if steps is None:
        return
    top = field_bounds(field_at("steps"))["le"]
    if not 1 <= steps <= top:
        raise ConfigError(f"--steps {steps}: expected an integer from 1 to {top} (the schema's bound for steps)")


def check_out(out: Path | None, flag: str = "--out") -> None:
    """Fail before any work if an output file has an extension we cannot write, or cannot be written."""
    check_file(out, flag, (".csv", ".parquet"))


def check_distinct(out: Path | None, other: Path | None, flag: str) -> None:
    """A second output file must not be ``--out`` itself (one would overwrite the other)."""
    if out is not None and other is not None and out.resolve() == other.resolve():
        raise ConfigError(f"{flag} {other}: the same file as --out; give it its own file")


def check_plot(plot: Path | None) -> None:
    """Fail before any work if a plot cannot be written as a PNG."""
    check_file(plot, "--plot", (".png",))


def check_metrics(metrics: list[str]) -> None:
    """Fail with one line on a metric name that is not a final metric."""
    from netgov.model.core.contract import FINAL_METRICS

    bad = [m for m in metrics if m not in FINAL_METRICS]
    if bad:
        raise ConfigError(f"--metric {bad[0]!r} is not allowed: expected one of {', '.join(FINAL_METRICS)}")


def write_table(df: Any, out: Path, flag: str = "--out") -> None:
    """Write a table as CSV or Parquet, chosen by the file's extension."""
    check_out(out, flag)
    if out.suffix.lower() == ".csv":
        df.to_csv(out, index=False)
    else:
        df.to_parquet(out, index=False)


@app.command()
def run(
    scenario: Annotated[
        str | None, typer.Argument(help="scenario name or .toml file (default: the schema's defaults)")
    ] = None,
    seed: SeedOpt = 0,
    steps: StepsOpt = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="write the per-step table to FILE.csv or FILE.parquet")] = None,
    agents_out: Annotated[
        Path | None,
        typer.Option(
            help="write the agent table (one row per actor every agent_interval months) to FILE.csv or FILE.parquet"
        ),
    ] = None,
    i_know: IKnowOpt = False,
) -> None:
    """Run one scenario and print its final metrics."""
    from netgov.experiment import limits
    from netgov.experiment.runner import run_once
    from netgov.model.core.contract import FINAL_METRICS
    from netgov.scenarios.loader import load

    writing = out  # the file being written, for an error while writing
    try:
        check_out(out)
        check_out(agents_out, "--agents-out")
        check_distinct(out, agents_out, "--agents-out")
        check_seed(seed)
        check_steps(steps)
        if steps is not None:
            limits.check_steps(steps, i_know=i_know)
        sc = load(scenario, set_ or [])
        limits.check_work(sc.config, steps, "run", i_know)
        warn_inactive(sc)
        result = run_once(sc.config, seed, steps, agents=agents_out is not None)
        if out is not None:
            write_table(result.steps, out)
            write_sidecar(out, sc, set_ or [], seed, int(result.steps["step"].iloc[-1]))
        writing = agents_out
        if agents_out is not None and result.agents is not None:
            write_table(result.agents, agents_out)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:  # e.g. the disk filled up while writing
        flag = "--out" if writing == out else "--agents-out"
        err_console.print(f"netgov: error: {flag} {writing}: {exc.strerror or exc}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    final = result.final
    overrides = f", --set {' '.join(set_)}" if set_ else ""
    title = f"netgov run: {sc.name} (seed {seed}, {int(result.steps['step'].iloc[-1])} months{overrides})"
    table = Table(title=title, min_width=len(title) + 4)
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
        console.print(f"wrote {out} and {sidecar_path(out)}")
    if agents_out is not None:
        console.print(f"wrote {agents_out}")


def sidecar_path(out: Path) -> Path:
    """The JSON that travels beside a written table: ``steps.csv`` -> ``steps.csv.json``."""
    return out.with_name(out.name + ".json")


def write_sidecar(out: Path, scenario: Any, overrides: list[str], seed: int, steps: int) -> None:
    """What made a table: scenario, every resolved parameter, the overrides, seed, months and versions."""
    import json

    record = {
        "scenario": scenario.name,
        "scenario_file": str(scenario.path) if scenario.path else None,
        "overrides": overrides,
        "seed": seed,
        "steps": steps,
        "versions": versions(),
        "parameters": scenario.config.model_dump(mode="json", by_alias=True),
    }
    sidecar_path(out).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


@scenarios_app.callback()
def scenarios_list(ctx: typer.Context) -> None:
    """List the shipped scenarios (and `defaults`) with their titles and one-line summaries."""
    if ctx.invoked_subcommand is not None:
        return
    from netgov.scenarios.loader import DEFAULT, load, scenario_names

    table = Table(title="netgov scenarios (the name is what commands take)")
    for col in ("name", "title", "summary"):
        table.add_column(col, overflow="fold")
    for name in (DEFAULT, *scenario_names()):
        sc = load(name)
        table.add_row(name, sc.title, sc.summary)
    console.print(table)


@scenarios_app.command("show")
def scenarios_show(
    scenario: Annotated[str, typer.Argument(help="scenario name or .toml file")],
    set_: SetOpt = None,
    toml: Annotated[bool, typer.Option("--toml", help="print the resolved scenario as a complete TOML file")] = False,
) -> None:
    """Print every resolved parameter of a scenario with its source, meaning, unit and range."""
    from netgov.model.describe import parameters
    from netgov.scenarios.loader import load, resolved_parameters, to_toml

    try:
        sc = load(scenario, set_ or [])
    except ConfigError as exc:
        raise fail(str(exc)) from None
    if toml:
        sys.stdout.write(to_toml(sc))
        return
    described = {p.name: p for p in parameters()}
    table = Table(title=f"{sc.name} ({sc.title}): {sc.summary}")
    table.add_column("parameter", no_wrap=True)  # keys whole: they are what people copy into --set
    table.add_column("value", overflow="fold", max_width=24)
    table.add_column("source", overflow="fold", max_width=22)
    table.add_column("unit", overflow="fold", max_width=10)
    table.add_column("range", overflow="fold", max_width=16)
    table.add_column("meaning", overflow="fold", min_width=30)
    for key, value, source in resolved_parameters(sc):
        p = described[key]
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        table.add_row(key, shown, source, p.unit, p.range, p.meaning)
    console.print(table)
    warn_inactive(sc)


def _diff_table(paired: Any, baseline: str, others: list[str]) -> Table:
    """The paired differences as a table: one row per metric, one column per scenario other than the baseline."""
    from netgov.analysis.summary import excludes_zero

    table = Table(
        title=f"paired differences vs {baseline}: mean [95% CI] (n pairs)",
        caption="scenario - baseline, paired by replication (common seeds); * the 95% CI excludes 0",
    )
    table.add_column("metric")
    for n in others:
        table.add_column(n, justify="right")
    cell = {}
    for row in paired.to_dict("records"):
        shown = f"{_fmt(row['diff_mean'])} [{_fmt(row['diff_lo'])}, {_fmt(row['diff_hi'])}]" if row["n"] else "nan"
        cell[row["scenario"], row["metric"]] = f"{shown} ({row['n']})" + ("*" if excludes_zero(row) else " ")
    for m in dict.fromkeys(paired["metric"]):
        table.add_row(m, *(cell[(n, m)] for n in others))
    return table


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
    diffs: Annotated[
        Path | None,
        typer.Option(help="write the paired differences vs the first scenario (mean and 95% CI) to CSV/Parquet"),
    ] = None,
    ensemble: EnsembleOpt = None,
    i_know: IKnowOpt = False,
) -> None:
    """Run replications of several scenarios with common random numbers and compare final metrics.

    The first scenario is the baseline: a second table gives each other scenario's difference from
    it, paired by replication (replication r of every scenario runs with the same seed and, with
    --ensemble, in the same drawn parameter set, so the intervals include calibration uncertainty).
    """
    from netgov.analysis.summary import paired_differences, summarise
    from netgov.experiment import limits
    from netgov.experiment.ensemble import Ensemble
    from netgov.experiment.runner import replicate
    from netgov.model.core.contract import FINAL_METRICS
    from netgov.model.plotting import plot_trajectories
    from netgov.scenarios.loader import in_world, load

    try:
        if len(scenarios) < 2:
            raise ConfigError(f"compare {' '.join(scenarios)}: expected two or more scenarios to compare")
        if reps < 1:
            raise ConfigError(f"--reps {reps}: expected an integer >= 1")
        limits.check_replications(reps, i_know=i_know)
        check_seed(seed)
        check_steps(steps)
        check_out(out)
        check_out(diffs, "--diffs")
        check_distinct(out, diffs, "--diffs")
        check_plot(plot)
        loaded = [load(s, set_ or []) for s in scenarios]
        drawn = Ensemble.load(ensemble) if ensemble is not None else None
        checked = [s.config for s in loaded]
        if drawn is not None:  # the sizes of the parameter sets the replications will draw
            rows = {drawn.index(seed, r) for r in range(reps)}
            checked = [in_world(s, drawn.row(i)).config for s in loaded for i in sorted(rows)]
        limits.check_configs(checked, reps, steps, "compare", i_know)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise fail(f"compare: a scenario is named twice ({', '.join(names)})")
    with Progress(
        TextColumn("compare"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err_console
    ) as progress:
        task = progress.add_task("runs", total=reps * len(loaded))
        trajectories = replicate(
            {s.name: s for s in loaded}, reps, seed, steps, progress=lambda: progress.advance(task), ensemble=drawn
        )
    summary = summarise(trajectories, names)
    world = f", parameters drawn from {drawn.path}" if drawn is not None else ""
    table = Table(title=f"final metrics: mean [95% CI] over {reps} replications (seed {seed}{world})")
    table.add_column("metric")
    for n in names:
        table.add_column(n, justify="right")
    for m in FINAL_METRICS:
        cells = []
        for _, row in summary.iterrows():
            cells.append(f"{_fmt(row[f'{m}_mean'])} [{_fmt(row[f'{m}_lo'])}, {_fmt(row[f'{m}_hi'])}]")
        table.add_row(m, *cells)
    console.print(table)
    paired = paired_differences(trajectories, names[0])
    console.print(_diff_table(paired, names[0], names[1:]))
    if out is not None:
        write_table(summary, out)
        console.print(f"wrote {out}")
    if diffs is not None:
        write_table(paired, diffs, "--diffs")
        console.print(f"wrote {diffs}")
    if plot is not None:
        plot_trajectories(trajectories, str(plot))
        console.print(f"wrote {plot}")


@app.command()
def dashboard(
    host: Annotated[
        str, typer.Option(help="address to listen on: 127.0.0.1 = this computer only, 0.0.0.0 = the room's network")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8765,
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
    import ipaddress
    import os
    import re
    import secrets

    from netgov.dashboards.offline_assets import missing
    from netgov.dashboards.serve import DIAGNOSTICS_ENV, TOKEN_ENV
    from netgov.scenarios.loader import load

    try:
        if not 1 <= port <= 65535:
            raise ConfigError(f"--port {port}: expected an integer from 1 to 65535")
        if token is not None and not re.fullmatch(r"[A-Za-z0-9._~-]{8,200}", token):
            raise ConfigError("--token: expected 8 to 200 letters, digits or - _ . ~ (it goes into a URL and a cookie)")
        if scenario is not None:
            load(scenario)  # a bad name or file fails here with one line, not in the browser
            if Path(scenario).is_file():
                scenario = str(Path(scenario).resolve())
    except ConfigError as exc:
        raise fail(str(exc)) from None
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False  # a host name: it may resolve to anything
    if not loopback and token is None:
        token = secrets.token_urlsafe(18)
    absent = missing(Path(sys.prefix))
    if absent:
        err_console.print(
            f"netgov: warning: front-end packages not installed locally: {', '.join(absent)}; without internet"
            f" the page stays blank. Install them with: {sys.executable} -m netgov.dashboards.offline_assets",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    app_file = Path(importlib.util.find_spec("netgov.dashboards").origin).parent / "app.py"
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
        err_console.print(
            f"netgov: warning: --host {host} listens beyond this computer and the dashboard has no user accounts:"
            " anyone who has the URL with its token can use it (and read the scenarios it offers); share it only"
            " with the room, and stop the dashboard when the session ends.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    argv = [sys.executable, "-m", "netgov.dashboards.serve", str(app_file), "--host", host, "--port", str(port)]
    # --production: minified front-end, no solara.dev iframe; --no-check-version: no PyPI request at start
    os.execve(sys.executable, [*argv, "--production", "--no-open", "--no-check-version"], env)


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


DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="print the runs, points and policies and a time estimate from one pilot run; run nothing"
    ),
]


def _dry_run(spec: Any, workers: int | None) -> None:
    """How big a spec is and how long it should take, from one pilot run here; nothing is written."""
    from netgov.experiment.batch import _default_workers, pilot

    n_points, n_pol, reps = spec.n_points(), len(spec.policies), spec.replications
    total = n_points * n_pol * reps
    seconds = pilot(spec)
    n = min(workers or _default_workers(), total)
    estimate = seconds * total / n
    took = f"{estimate:.0f} s" if estimate < 120 else f"{estimate / 60:.1f} min"
    policies = f" x {n_pol} policies" if n_pol > 1 else ""
    console.print(
        f"{spec.label}: {total:,} runs = {n_points:,} points{policies} x {reps} replications of"
        f" {spec.scenario.config.steps} months; a pilot run took {seconds:.2f} s here, so about"
        f" {took} on {n} workers (nothing was run besides the pilot)",
        highlight=False,
    )


def _batch_summary(result: Any, what: str = "batch") -> None:
    """One summary line, the first failures, and where the results are."""
    ok = result.skipped + result.done - result.failed
    skipped = f", {result.skipped} already done" if result.skipped else ""
    console.print(
        f"{what}: {result.total} runs: {ok} ok, {result.failed} failed{skipped};"
        f" {result.done} run now in {result.elapsed_s:.1f} s -> {result.out_dir / 'runs.parquet'}",
        highlight=False,
    )
    if result.invalidated:
        console.print(
            f"  --resume: the spec changed {result.invalidated} finished runs; they were moved to"
            f" {result.out_dir / 'quarantine'} and run again (the other finished runs were kept)",
            highlight=False,
        )
    for run_id, message in result.errors:
        console.print(f"  run {run_id} failed: {message}", markup=False, highlight=False)
    if result.failed > len(result.errors):
        console.print("  (every failure is in the `error` column of runs.parquet)", highlight=False)


def check_worker_timeout(seconds: float) -> None:
    import math

    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigError(f"--worker-timeout {seconds}: expected a number of seconds > 0")


def _run_batch(
    spec: Any,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    worker_timeout: float = WORKER_TIMEOUT,
) -> Any:
    """run_batch with the CLI's error handling: bad input exits 2, a dead worker process or no Dask worker exits 1."""
    from concurrent.futures.process import BrokenProcessPool

    from netgov.experiment.batch import NoWorkers, run_batch

    try:
        return run_batch(spec, out, workers=workers, scheduler=scheduler, resume=resume, worker_timeout=worker_timeout)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except BrokenProcessPool:
        err_console.print(
            "netgov: error: a worker process died (killed, or out of memory); the runs it had in flight are not"
            f" recorded, every finished run is saved in {out}: rerun with --resume",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None
    except NoWorkers as exc:
        err_console.print(f"netgov: error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _runnable(
    spec: Path,
    out: Path,
    worker_timeout: float,
    i_know: bool,
    metrics: list[str] | None = None,
    prepare: Callable[[Any], Any] | None = None,
) -> Any:
    """The spec of a command that runs one (batch, sensitivity, robustness), with its flags, --out, every value
    and its size checked before anything starts; ``prepare`` adapts it (and may refuse it). Bad input exits 2."""
    from netgov.experiment import limits
    from netgov.experiment.spec import load_spec

    try:
        check_metrics(metrics or [])
        check_worker_timeout(worker_timeout)
        check_out_dir(out)
        loaded = load_spec(spec)
        loaded = prepare(loaded) if prepare is not None else loaded
        limits.check_spec(loaded, i_know)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    return loaded


@app.command()
def batch(
    spec: Annotated[Path, typer.Argument(help="experiment spec (.toml), e.g. scenarios/experiments/example.toml")],
    out: Annotated[Path, typer.Option(help="batch directory: runs.parquet, steps.parquet, manifest.json")],
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    worker_timeout: WorkerTimeoutOpt = WORKER_TIMEOUT,
    i_know: IKnowOpt = False,
    dry_run: DryRunOpt = False,
    ensemble: EnsembleOpt = None,
) -> None:
    """Run an experiment: every point x policy x replication, streamed to Parquet. Exit 1 if any run failed.

    With --ensemble (or `ensemble = ...` in the spec) replication r of every point and policy draws
    the same calibrated parameter set; its row is the `world` column of runs.parquet.
    """
    from dataclasses import replace

    from netgov.experiment.ensemble import Ensemble

    def drawn(loaded: Any) -> Any:
        return replace(loaded, ensemble=Ensemble.load(ensemble)) if ensemble is not None else loaded

    loaded = _runnable(spec, out, worker_timeout, i_know, prepare=drawn)
    if dry_run:
        _dry_run(loaded, workers)
        return
    try:
        result = _run_batch(loaded, out, workers, scheduler, resume, worker_timeout)
    except OSError as exc:  # e.g. the disk filled up: what was written stays whole
        err_console.print(
            f"netgov: error: --out {out}: {exc.strerror or exc}; finished runs are saved: free space, then rerun"
            " with --resume",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None
    _batch_summary(result)
    if result.quarantined:
        console.print(
            f"  --resume moved {len(result.quarantined)} unfinished or unreadable part files to"
            f" {out / 'quarantine'} (their runs were run again)",
            highlight=False,
        )
    if result.failed:
        raise typer.Exit(1)


@app.command()
def sensitivity(
    spec: Annotated[Path, typer.Argument(help="experiment spec (.toml): its parameters, base, replications, seed")],
    out: Annotated[Path, typer.Option(help="directory for the runs, sensitivity.csv and sensitivity.png")],
    method: Annotated[str, typer.Option(help="morris (mu*, sigma) or sobol (S1, ST with confidence intervals)")] = (
        "morris"
    ),
    samples: Annotated[
        int | None, typer.Option(help="Morris trajectories or Sobol base samples (default: the spec's `samples`)")
    ] = None,
    metric: Annotated[
        list[str] | None, typer.Option("--metric", help="a final metric to analyse (repeatable; default: key metrics)")
    ] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    worker_timeout: WorkerTimeoutOpt = WORKER_TIMEOUT,
    i_know: IKnowOpt = False,
) -> None:
    """Global sensitivity analysis: run the SALib design through the batch engine and rank the parameters."""
    from netgov.analysis.sensitivity import COLUMNS, analyse, design, plot_indices
    from netgov.experiment.batch import read_runs
    from netgov.model.core.contract import KEY_METRICS

    metrics = list(metric or KEY_METRICS)
    loaded = _runnable(spec, out, worker_timeout, i_know, metrics, lambda s: design(s, method, samples))
    result = _run_batch(loaded, out, workers, scheduler, resume, worker_timeout)
    _batch_summary(result, "sensitivity")
    if result.failed:
        err_console.print(f"netgov: error: {result.failed} runs failed; the {method} analysis needs every point")
        raise typer.Exit(1)
    table, notes = analyse(loaded, read_runs(out), metrics)
    for note in notes:
        err_console.print(f"netgov: warning: {note}", markup=False, highlight=False, soft_wrap=True)
    if table.empty:
        raise fail("sensitivity: no metric has a value at every design point; try more steps or other --metric")
    write_table(table, out / "sensitivity.csv")
    plot_indices(table, method, out / "sensitivity.png")
    view = Table(title=f"{method} sensitivity: {len(loaded.points())} points x {loaded.replications} replications")
    for col in ("metric", "parameter", "rank", *COLUMNS[method]):
        view.add_column(col, justify="left" if col in ("metric", "parameter") else "right")
    for row in table.itertuples(index=False):
        view.add_row(*(_fmt(getattr(row, c)) for c in ("metric", "parameter", "rank", *COLUMNS[method])))
    console.print(view)
    console.print(f"wrote {out / 'sensitivity.csv'} and {out / 'sensitivity.png'}")


@app.command()
def analyze(
    directory: Annotated[Path, typer.Argument(help="a batch directory (made by netgov batch or sensitivity)")],
    metric: Annotated[
        list[str] | None, typer.Option("--metric", help="a final metric to show (repeatable; default: key metrics)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="write the per-point (or contrast) table to FILE.csv or FILE.parquet")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="draw the metrics against a varied parameter into a PNG")] = None,
    by: Annotated[
        str | None, typer.Option(help="the varied parameter on the plot's x axis (default: the first)")
    ] = None,
    contrast: Annotated[
        tuple[str, str] | None,
        typer.Option(metavar="A B", help="paired differences A - B: two policies, or KEY=VALUE twice (a parameter)"),
    ] = None,
    width: Annotated[
        float, typer.Option(help="with --contrast: the full 95% CI width whose pairs `n_for_width` counts")
    ] = 0.05,
    interaction: Annotated[
        tuple[str, str] | None,
        typer.Option(metavar="F1 F2", help="a two-way table of the first metric's means: policy or parameters"),
    ] = None,
) -> None:
    """Per-point means and 95% CIs of a batch's final metrics; or paired contrasts, slopes and interactions."""
    from netgov.analysis.contrasts import contrast_table, parse_contrast, slopes
    from netgov.analysis.contrasts import interaction as two_way
    from netgov.analysis.plots import plot_metric
    from netgov.analysis.summary import point_summary, varied_parameters
    from netgov.experiment.batch import read_manifest, read_runs
    from netgov.model.core.contract import KEY_METRICS

    metrics = list(metric or KEY_METRICS)
    try:
        check_metrics(metrics)
        check_out(out)
        check_plot(plot)
        runs = read_runs(directory)
        params = varied_parameters(runs, read_manifest(directory))
        if not params:
            raise ConfigError(f"{directory}: runs.parquet has no varied-parameter columns")
        x = by or params[0]
        if x not in params:
            raise ConfigError(f"--by {x!r} is not allowed: expected a varied parameter: {', '.join(params)}")
        if not (width > 0 and width < float("inf")):
            raise ConfigError(f"--width {width}: expected a number > 0")
        chosen = parse_contrast(*contrast, runs, params) if contrast else None
        cells = two_way(runs, *interaction, metrics[0]) if interaction else None
    except ConfigError as exc:
        raise fail(str(exc)) from None
    if chosen is not None:
        summary = contrast_table(runs, chosen, params, metrics, width)
        table = Table(title=f"{directory}: paired {chosen.label} (95% CI; d_z = mean / sd of the differences)")
        cols = ("metric", "pairs", "undefined", "diff_mean", "diff_lo", "diff_hi", "unpaired_lo", "unpaired_hi")
        cols += ("effect_size", "share_a_better", "n_for_width")
        for col in cols:
            table.add_column(col, justify="left" if col == "metric" else "right")
        for _, row in summary.iterrows():
            table.add_row(*(_fmt(row[c]) for c in cols))
        console.print(table)
        console.print(f"n_for_width: pairs a 95% CI {width:g} wide needs", highlight=False)
        slope = slopes(runs, params, metrics, chosen)
        view = Table(title=f"slope of {chosen.label} per unit of each numeric parameter (95% CI)")
        for col in ("parameter", "metric", "slope", "slope_lo", "slope_hi"):
            view.add_column(col)
        for _, row in slope.iterrows():
            view.add_row(*(_fmt(row[c]) for c in ("parameter", "metric", "slope", "slope_lo", "slope_hi")))
        console.print(view)
    else:
        if (
            "policy" in runs and runs["policy"].nunique() > 1
        ):  # a policies x uncertainties batch: one row per point and policy
            params = ["policy", *params]
        summary = point_summary(runs, params, metrics)
        table = Table(title=f"{directory}: mean ± 95% CI half-width per point ({len(runs)} runs)")
        for col in (*params, "runs", "failed", *metrics):
            table.add_column(col, justify="left" if col in params else "right")
        for _, row in summary.iterrows():
            cells_txt = [f"{_fmt(row[f'{m}_mean'])} ± {_fmt((row[f'{m}_hi'] - row[f'{m}_lo']) / 2)}" for m in metrics]
            table.add_row(*(_fmt(row[p]) for p in params), str(row["runs"]), str(row["failed"]), *cells_txt)
        console.print(table)
    if cells is not None:
        wide = cells.pivot(index=cells.columns[0], columns=cells.columns[1], values=cells.columns[2])
        view = Table(title=f"{metrics[0]}: mean per {interaction[0]} x {interaction[1]}")
        view.add_column(interaction[0])
        for col in wide.columns:
            view.add_column(str(col), justify="right")
        for idx, row in wide.iterrows():
            view.add_row(str(idx), *(_fmt(v) for v in row))
        console.print(view)
    if out is not None:
        write_table(summary, out)
        console.print(f"wrote {out}")
    if plot is not None:
        plot_metric(runs, params, metrics, x, plot)
        console.print(f"wrote {plot}")


@app.command()
def robustness(
    spec: Annotated[
        Path,
        typer.Argument(help="a spec with [policies] and [uncertainties], e.g. scenarios/experiments/robustness.toml"),
    ],
    out: Annotated[Path, typer.Option(help="folder for the batch (Parquet) and report.html")],
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            help="a metric the recommendations claim to improve (raise, or lower where lower is better, e.g."
            " capture; repeatable; default: the spec's `metrics`, else inclusiveness, legitimacy, regional_balance)",
        ),
    ] = None,
    baseline: Annotated[
        str | None, typer.Option(help="the policy the others are compared with (default: the first)")
    ] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    worker_timeout: WorkerTimeoutOpt = WORKER_TIMEOUT,
    i_know: IKnowOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Run a policies x uncertainties study and write one self-contained HTML robustness report."""
    from dataclasses import replace

    from netgov.analysis.report import METRICS, check_judged, write_report
    from netgov.experiment.batch import read_manifest, read_runs, read_table

    def judged(loaded: Any) -> list[str]:
        """The flag's metrics, else the spec's `metrics`, else the default."""
        return list(metric or loaded.metrics or METRICS)

    def study(loaded: Any) -> Any:
        check_judged(judged(loaded))
        if baseline is not None and baseline not in loaded.policy_names:
            raise ConfigError(f"--baseline {baseline!r}: expected a policy of {spec}: {', '.join(loaded.policy_names)}")
        if len(loaded.policies) < 2:
            raise ConfigError(f"{spec}: a robustness study needs [policies] with two or more policies")
        # the envelopes need the per-step table
        return loaded if "steps" in loaded.outputs else replace(loaded, outputs=(*loaded.outputs, "steps"))

    loaded = _runnable(spec, out, worker_timeout, i_know, metric, study)
    metrics = judged(loaded)
    if dry_run:
        _dry_run(loaded, workers)
        return
    result = _run_batch(loaded, out, workers, scheduler, resume, worker_timeout)
    _batch_summary(result, "robustness")
    try:
        path = write_report(
            loaded, out, read_manifest(out), read_runs(out), read_table(out, "steps"), metrics, baseline
        )
    except ConfigError as exc:
        raise fail(str(exc)) from None
    console.print(f"wrote {path} (and contrasts.parquet, holds.parquet beside it)", highlight=False)
    if result.failed:
        raise typer.Exit(1)


@app.command()
def discover(
    directory: Annotated[
        Path, typer.Argument(help="a batch directory with sampled worlds (netgov batch or robustness)")
    ],
    contrast: Annotated[
        tuple[str, str] | None,
        typer.Option(metavar="A B", help="cases of interest: worlds where policy A does worse than B on --metric"),
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option(help="with --contrast: the final metric compared (better as `netgov explain METRIC` says)"),
    ] = None,
    where: Annotated[
        str | None, typer.Option(help='cases of interest: worlds where "METRIC < NUMBER" (<, <=, >, >=) under --policy')
    ] = None,
    policy: Annotated[str | None, typer.Option(help="with --where: the policy (default: the first)")] = None,
    out: Annotated[Path | None, typer.Option(help="folder for the tables and plots (default: DIR/discovery)")] = None,
    seed: SeedOpt = 0,
) -> None:
    """Scenario discovery: PRIM box, CART leaves and feature scores of the worlds where a policy fails."""
    from netgov.analysis.contrasts import parse_contrast
    from netgov.analysis.discovery import NothingToDiscover, cases, parse_where, save_figures
    from netgov.analysis.discovery import discover as find
    from netgov.analysis.summary import varied_parameters
    from netgov.experiment.batch import read_manifest, read_runs
    from netgov.model.core.contract import FINAL_METRICS

    folder = out or directory / "discovery"
    try:
        check_seed(seed)
        if (contrast is None) == (where is None):
            raise ConfigError(
                'discover: give --contrast A B with --metric M, or --where "METRIC < NUMBER" (one of them)'
            )
        if contrast is not None and metric not in FINAL_METRICS:
            raise ConfigError(
                f"--metric {metric!r}: with --contrast, expected a final metric: {', '.join(FINAL_METRICS)}"
            )
        runs = read_runs(directory)
        params = varied_parameters(runs, read_manifest(directory))
        if policy is not None and policy not in set(runs["policy"]):
            raise ConfigError(f"--policy {policy!r}: expected one of {', '.join(dict.fromkeys(runs['policy']))}")
        chosen = parse_contrast(*contrast, runs, params) if contrast else None
        if chosen is not None and chosen.factor != "policy":
            raise ConfigError("--contrast: discover compares two policies across the sampled worlds")
        condition = parse_where(where, list(FINAL_METRICS)) if where else None
        check_out_dir(folder)
        worlds, question = cases(runs, params, contrast=chosen, metric=metric, where=condition, policy=policy)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    folder.mkdir(parents=True, exist_ok=True)
    worlds.to_csv(folder / "worlds.csv")
    try:
        found = find(worlds, params, question, seed=seed)
    except NothingToDiscover as exc:
        console.print(f"discover: {exc}; wrote {folder / 'worlds.csv'}", highlight=False)
        return
    found.trajectory.to_csv(folder / "prim_trajectory.csv", index_label="box")
    found.limits.to_csv(folder / "prim_box.csv", index=False)
    found.cart.to_csv(folder / "cart.csv", index=False)
    found.scores.to_csv(folder / "feature_scores.csv", index=False)
    pngs = save_figures(found, folder)
    console.print(
        f"{question}: {int(found.worlds['of_interest'].sum())} of {len(found.worlds)} worlds", highlight=False
    )
    stats = found.trajectory.iloc[found.chosen]
    view = Table(title=f"PRIM box {found.chosen}: coverage {stats['coverage']:.2f}, density {stats['density']:.2f}")
    for col in ("parameter", "min", "max", "qp_min", "qp_max"):
        view.add_column(col)
    for _, row in found.limits.iterrows():
        view.add_row(*(_fmt(row[c]) for c in ("parameter", "min", "max", "qp_min", "qp_max")))
    console.print(view)
    leaves = Table(title="CART leaves")
    for col in ("coverage", "density", "mass", "limits"):
        leaves.add_column(col)
    for _, row in found.cart.sort_values("density", ascending=False).iterrows():
        leaves.add_row(*(_fmt(row[c]) for c in ("coverage", "density", "mass", "limits")))
    console.print(leaves)
    console.print(
        "feature scores: " + ", ".join(f"{r.parameter} {r.score:.2f}" for r in found.scores.itertuples()),
        highlight=False,
    )
    console.print(
        f"wrote {folder}: worlds, prim_trajectory, prim_box, cart, feature_scores (.csv); "
        + ", ".join(p.name for p in pngs),
        highlight=False,
    )


@app.command()
def export(
    directory: Annotated[
        Path, typer.Argument(help="a batch directory (made by netgov batch, sensitivity or robustness)")
    ],
    csv: Annotated[bool, typer.Option("--csv", help="write every table as CSV (the only format for now)")] = False,
    out: Annotated[Path | None, typer.Option(help="folder for the CSV files (default: DIR/csv)")] = None,
) -> None:
    """Write a batch's tables as tidy CSV: parameters, policy and seed on every row, sorted by run_id."""
    from netgov.experiment.batch import PER_RUN, read_table

    folder = out or directory / "csv"
    try:
        if not csv:
            raise ConfigError("export: pass --csv (the format to write)")
        read_table(directory)  # a clear error for a folder that is no batch
        check_out_dir(folder)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    folder.mkdir(parents=True, exist_ok=True)
    for table in ("runs", *PER_RUN):
        if table == "runs" or (directory / f"{table}.parquet").exists():
            read_table(directory, table).to_csv(folder / f"{table}.csv", index=False)
            console.print(f"wrote {folder / f'{table}.csv'}", highlight=False)


@app.command()
def validate(
    reps: Annotated[int, typer.Option(help="replications per pattern, condition and master seed")] = 20,
    seeds: Annotated[int, typer.Option(help="master seeds to judge every pattern at (seed, seed + 1, ...)")] = 5,
    seed: Annotated[int, typer.Option(help="the first master seed; replication r uses the seed from (s, r)")] = 0,
    out: Annotated[
        Path | None, typer.Option(help="write the table (one row per measure and master seed) to FILE.csv/.parquet")
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="write DIR/validation.html: plots, the ensemble, what each pattern discriminates"),
    ] = None,
    ensemble: EnsembleOpt = None,
    i_know: IKnowOpt = False,
) -> None:
    """Reproduce the published patterns (IGF, WCIT-12, WGEC, NETmundial, held-out ones); exit 1 if P1-P5 fail.

    Figures, bands and sources: scenarios/validation/patterns.toml (docs/validation.md). Each pattern is
    judged at every master seed with 95% intervals; the worst seed is shown. Held-out patterns are
    reported, pass or fail, and do not set the exit status.
    """
    from rich.text import Text

    from netgov.experiment import limits
    from netgov.experiment.ensemble import Ensemble
    from netgov.scenarios.loader import load
    from netgov.validation.patterns import (
        PATTERNS,
        discriminate,
        evaluate,
        master_seeds,
        results_table,
        runs_per_rep,
        simulate,
    )

    try:
        if reps < 2:
            raise ConfigError(f"--reps {reps}: expected an integer >= 2 (an interval needs two runs)")
        if not 1 <= seeds <= 100:
            raise ConfigError(f"--seeds {seeds}: expected an integer from 1 to 100")
        check_seed(seed)
        check_seed(seed + seeds - 1, "--seed + --seeds - 1")
        limits.check_replications(reps, i_know=i_know)
        limits.check_replications(reps * seeds, f"--reps {reps} x --seeds {seeds} =", i_know=i_know)
        check_out(out)
        if report is not None:
            check_out_dir(report, "--report")
        drawn = Ensemble.load(ensemble) if ensemble is not None else None
        configs = [load(p.path, overrides).config for p in PATTERNS for _, overrides in p.conditions]
        limits.check_configs(configs, reps * seeds, None, "validate", i_know)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    judged = master_seeds(seed, seeds)
    with Progress(
        TextColumn("validate"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err_console
    ) as progress:
        task = progress.add_task("runs", total=reps * seeds * runs_per_rep())
        runs = simulate(
            reps, judged, progress=lambda: progress.advance(task), draws=drawn.draw if drawn is not None else None
        )
    results = evaluate(runs)
    world = f"; parameters drawn from {drawn.path}" if drawn is not None else "; the calibrated world (defaults)"
    title = (
        f"netgov validate: observed vs simulated, {reps} replications x master seeds {judged[0]}-{judged[-1]}{world}"
    )
    table = Table(title=title)
    for col in ("pattern", "measure", "observed", "pooled mean [95% CI]", "worst seed", "band", "result"):
        table.add_column(col, overflow="fold")
    for res in results:
        p = res.pattern
        head = f"{p.id} ({p.role}): {p.title}"
        worst = res.worst_seed
        for i, m in enumerate(res.pooled):
            w = res.by_seed[worst][i]
            cells = (
                head if i == 0 else "",
                m.measure,
                m.observed,
                f"{100 * m.mean:.1f}% [{100 * m.lo:.1f}, {100 * m.hi:.1f}]",
                f"seed {worst}: {100 * w.mean:.1f}% [{100 * w.lo:.1f}, {100 * w.hi:.1f}]",
                f"{m.band_text}: {'ok' if res.measure_passed(i) else 'FAIL'}",
                ("pass" if res.passed else "FAIL") if i == 0 else "",
            )
            last = i == len(res.pooled) - 1
            table.add_row(*(Text(c) for c in cells), end_section=last)  # Text: sources hold [brackets], not markup
    console.print(table)
    for res in results:
        console.print(f"{res.pattern.id} sources: {res.pattern.source}", markup=False, highlight=False)
    judged_here = [r for r in results if r.pattern.role != "held_out"]
    held = [r for r in results if r.pattern.role == "held_out"]
    failed = [r.pattern.id for r in judged_here if not r.passed]
    verdict = f"{len(judged_here) - len(failed)} of {len(judged_here)} patterns pass at {seeds} master seeds"
    console.print(verdict + (f"; failed: {', '.join(failed)}" if failed else ""), markup=False)
    if held:
        shown = ", ".join(f"{r.pattern.id} {'pass' if r.passed else 'FAIL'}" for r in held)
        console.print(f"held out (reported, never tuned to): {shown}", markup=False)
    frame = results_table(results)
    if out is not None:
        write_table(frame, out)
        console.print(f"wrote {out}")
    if report is not None:
        from netgov.validation.report import write_report

        err_console.print("report: running each pattern under its plausible alternatives", markup=False)
        alternatives = discriminate(max(2, reps // 2), judged[:2])
        meta = {**versions(), "replications": reps, "master seeds": f"{judged[0]}-{judged[-1]}"}
        meta["parameters"] = str(drawn.path) if drawn is not None else "the calibrated world (schema defaults)"
        shown_ens = (drawn or Ensemble.load("calibrated")).table
        path = write_report(report, results, frame, meta, shown_ens, alternatives)
        console.print(f"wrote {path}")
    if failed:
        raise typer.Exit(1)


@app.command()
def params(
    pattern: Annotated[
        str, typer.Argument(help="filter: a glob on the name (participation.*) or a word in the name or meaning")
    ] = "",
) -> None:
    """Every parameter with its type, default, range, unit and meaning (from the schema)."""
    from netgov.model.describe import parameters

    rows = parameters(pattern)
    if not rows:
        raise fail(f"no parameter matches {pattern!r}; `netgov params` lists them all")
    table = Table(title=f"netgov parameters{f' matching {pattern!r}' if pattern else ''} ({len(rows)})")
    for col in ("name", "type", "default", "range", "unit", "meaning"):
        table.add_column(col, overflow="fold")
    for p in rows:
        table.add_row(p.name, p.type, _fmt(p.default), p.range, p.unit, p.meaning)
    console.print(table)
    console.print("`netgov explain NAME` says more about one of them; docs/ODD.md has the equations.")


@app.command()
def explain(
    name: Annotated[str, typer.Argument(help="a parameter (e.g. notice_period) or a metric (a per-step column)")],
) -> None:
    """What a parameter or a metric means, its range, what moves it, and where docs/ODD.md describes it."""
    import difflib

    from netgov.model.core.contract import STEP_COLUMNS
    from netgov.model.describe import metric, parameter, parameters

    col = metric(name)
    if col is not None:
        console.print(f"{col.name} (metric, a column of the per-step table; {col.dtype})", highlight=False)
        for label, text in (
            ("definition", col.meaning),
            ("values", col.values),
            ("moved by", col.moved_by),
            ("better", col.better or "neither (not a judgement)"),
            ("see", f"docs/ODD.md {col.section}"),
        ):
            console.print(f"  {label}: {text}", markup=False, highlight=False)
        return
    p = parameter(name)
    if p is None:
        known = [q.name for q in parameters()] + list(STEP_COLUMNS)
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(close)}?" if close else "`netgov params` lists every parameter"
        raise fail(f"{name!r} is neither a parameter nor a metric; {hint}")
    console.print(f"{p.name} (parameter, {p.type})", highlight=False)
    for label, text in (
        ("meaning", p.meaning),
        ("default", _fmt(p.default)),
        ("allowed", p.range + (f" ({p.unit})" if p.unit else "")),
        ("set it", f"--set {p.name}=VALUE, or `{p.name} = VALUE` in a scenario file"),
        ("see", f"docs/ODD.md {p.section}"),
    ):
        console.print(f"  {label}: {text}", markup=False, highlight=False)


@app.command()
def calibrate(
    population: Annotated[int, typer.Option(help="parameter sets per ABC-SMC generation (the ensemble's size)")] = 250,
    generations: Annotated[int, typer.Option(help="ABC-SMC generations (each narrows the tolerance)")] = 8,
    reps: Annotated[int, typer.Option(help="replications of every pattern per parameter set")] = 2,
    seed: Annotated[int, typer.Option(help="base seed: a simulation's seeds hash its parameters and this")] = 2012,
    budget: Annotated[int | None, typer.Option(help="stop after this many simulations (default: no cap)")] = None,
    out: Annotated[Path, typer.Option(help="folder for ensemble.parquet, calibrated.toml and posterior.csv")] = Path(
        "calibration"
    ),
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="print the free parameters, priors, targets and the least work; run nothing"),
    ] = False,
    i_know: IKnowOpt = False,
) -> None:
    """Fit the unobserved parameters to patterns P1-P3 by ABC-SMC and write the posterior ensemble.

    The shipped ensemble is scenarios/validation/ensemble.parquet; pass your own to --ensemble of
    compare, batch and validate. docs/validation.md says what is fitted, from which priors.
    """
    from netgov.experiment import limits
    from netgov.validation import calibrate as fit

    try:
        for flag, value, lowest in (("--population", population, 10), ("--generations", generations, 1)):
            if value < lowest:
                raise ConfigError(f"{flag} {value}: expected an integer >= {lowest}")
        if reps < 1:
            raise ConfigError(f"--reps {reps}: expected an integer >= 1")
        if budget is not None and budget < population:
            raise ConfigError(f"--budget {budget}: expected an integer >= --population ({population})")
        if workers is not None and workers < 1:
            raise ConfigError(f"--workers {workers}: expected an integer >= 1")
        if workers is not None and scheduler is not None:
            raise ConfigError("--workers and --scheduler: give one (a Dask cluster brings its own workers)")
        check_seed(seed)
        limits.check_replications(reps, i_know=i_know)
        least = fit.least_runs(population, generations, reps)
        limits.check_runs(least, f"calibrate: at least {population} x {generations} generations x {reps} reps", i_know)
        if not dry_run:
            check_out_dir(out)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    if dry_run:
        console.print(fit.plan(population, generations, reps), markup=False, highlight=False)
        return
    where = f"the Dask scheduler at {scheduler}" if scheduler else f"{workers or os.cpu_count() or 1} local process(es)"
    err_console.print(
        f"calibrate: ABC-SMC, {len(fit.priors())} free parameters, population {population}, up to {generations}"
        f" generations, {reps} replication(s) per pattern, on {where}",
        markup=False,
        highlight=False,
    )
    result = fit.run_abc(population, generations, reps, seed, workers=workers, scheduler=scheduler, budget=budget)
    paths = fit.write(result, out)
    console.print(fit.summary_table(result.ensemble).to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    console.print(result.note, markup=False, highlight=False)
    for path in paths:
        console.print(f"wrote {path}", markup=False, highlight=False)


def main() -> None:
    """Entry point of the `netgov` console script."""
    try:
        app()
    except ConfigError as exc:  # a ConfigError that escaped a command still gets one line
        err_console.print(f"netgov: error: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except OSError as exc:  # writing a result failed after the work (disk full, file vanished): one line
        where = f"{exc.filename}: " if exc.filename else ""
        err_console.print(f"netgov: error: {where}{exc.strerror or exc}", markup=False, highlight=False)
        sys.exit(1)
