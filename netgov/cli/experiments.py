"""The commands that run an experiment spec through the batch engine: ``batch``, ``sensitivity``,
``robustness``; and ``export``, which writes a batch's tables as CSV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from netgov.cli.checks import check_metrics, check_out_files, check_positive, write_csv, write_table
from netgov.cli.errors import Failed
from netgov.cli.options import DryRunOpt, EnsembleOpt, IKnowOpt, ResumeOpt, SchedulerOpt, WorkersOpt, WorkerTimeoutOpt
from netgov.cli.output import Col, console, say, show_table
from netgov.experiment.limits import WORKER_TIMEOUT
from netgov.model.core.errors import ConfigError

app = typer.Typer()


def _dry_run(spec: Any, workers: int | None) -> None:
    """How big a spec is and how long it should take, from one pilot run here; nothing is written."""
    from netgov.experiment.batch import pilot
    from netgov.experiment.limits import cores

    n_points, n_pol, reps = spec.n_points(), len(spec.policies), spec.replications
    total = n_points * n_pol * reps
    seconds = pilot(spec)
    n = min(workers or cores(), total)
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


def _run_batch(
    spec: Any,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    worker_timeout: float,
    i_know: bool,
    again: list[str],
) -> Any:
    """run_batch, with a dead worker process, a Dask cluster gone, or a signal as one line: exit 1, or 130 after
    Ctrl+C and 143 after SIGTERM. ``again``: the command's words that decide its runs, for the resume hint."""
    import shlex
    from concurrent.futures.process import BrokenProcessPool

    from netgov.experiment.batch import ClusterGone, Stopped, run_batch
    from netgov.experiment.store import DuplicateRun

    try:
        return run_batch(
            spec, out, workers=workers, scheduler=scheduler, resume=resume, worker_timeout=worker_timeout, i_know=i_know
        )
    except BrokenProcessPool:
        raise Failed(
            "a worker process died (killed, or out of memory); the runs it had in flight are not"
            f" recorded, every finished run is saved in {out}: rerun with --resume"
        ) from None
    except (ClusterGone, DuplicateRun) as exc:
        raise Failed(str(exc)) from None
    except Stopped as exc:
        command = shlex.join(["netgov", *again, "--out", str(out), *(["--i-know"] if i_know else []), "--resume"])
        raise Failed(f"{exc} in {out}; resume with `{command}`", 128 + exc.signum) from None


def _runnable(
    spec: Path,
    out: Path,
    workers: int | None,
    worker_timeout: float,
    i_know: bool,
    metrics: list[str] | None = None,
    prepare: Callable[[Any], Any] | None = None,
    written: tuple[str, ...] = (),
) -> Any:
    """The spec of a command that runs one (batch, sensitivity, robustness), with its flags, --out (and the files
    ``written`` into it after the batch), every value and its size checked before anything starts; ``prepare``
    adapts it (and may refuse it)."""
    from netgov.experiment import limits
    from netgov.experiment.specfile import load_spec

    check_metrics(metrics or [])
    check_positive(worker_timeout, "--worker-timeout", "a number of seconds")
    limits.check_workers(workers, i_know=i_know)
    check_out_files(out, written)
    loaded = load_spec(spec, i_know)
    loaded = prepare(loaded) if prepare is not None else loaded
    limits.check_spec(loaded, i_know)
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

    loaded = _runnable(spec, out, workers, worker_timeout, i_know, prepare=drawn)
    if dry_run:
        _dry_run(loaded, workers)
        return
    try:
        again = ["batch", str(spec), *(["--ensemble", ensemble] if ensemble is not None else [])]
        result = _run_batch(loaded, out, workers, scheduler, resume, worker_timeout, i_know, again)
    except OSError as exc:  # e.g. the disk filled up: what was written stays whole
        raise Failed(
            f"--out {out}: {exc.strerror or exc}; finished runs are saved: free space, then rerun with --resume"
        ) from None
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
    from netgov.analysis.sensitivity import COLUMNS, SENSITIVITY_FILES, analyse, design, plot_indices
    from netgov.experiment.store import read_runs
    from netgov.model.core.contract import KEY_METRICS

    metrics = list(metric or KEY_METRICS)
    loaded = _runnable(
        spec, out, workers, worker_timeout, i_know, metrics, lambda s: design(s, method, samples), SENSITIVITY_FILES
    )
    again = ["sensitivity", str(spec), "--method", method, *(["--samples", str(samples)] if samples else [])]
    result = _run_batch(loaded, out, workers, scheduler, resume, worker_timeout, i_know, again)
    _batch_summary(result, "sensitivity")
    if result.failed:
        raise Failed(f"{result.failed} runs failed; the {method} analysis needs every point")
    table, notes = analyse(loaded, read_runs(out), metrics)
    for note in notes:
        say(note, "warning")
    if table.empty:
        raise ConfigError("sensitivity: no metric has a value at every design point; try more steps or other --metric")
    csv, png = (out / name for name in SENSITIVITY_FILES)
    write_table(table, csv)
    plot_indices(table, method, png)
    cols = ("metric", "parameter", "rank", *COLUMNS[method])
    show_table(
        f"{method} sensitivity: {len(loaded.points())} points x {loaded.replications} replications",
        [c if c in ("metric", "parameter") else Col(c, justify="right") for c in cols],
        [[getattr(row, c) for c in cols] for row in table.itertuples(index=False)],
    )
    console.print(f"wrote {csv} and {png}")


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

    from netgov.analysis.report import METRICS, REPORT_FILES, check_judged, write_report
    from netgov.experiment.manifest import read_manifest
    from netgov.experiment.store import read_runs, read_table

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

    loaded = _runnable(spec, out, workers, worker_timeout, i_know, metric, study, REPORT_FILES)
    metrics = judged(loaded)
    if dry_run:
        _dry_run(loaded, workers)
        return
    result = _run_batch(loaded, out, workers, scheduler, resume, worker_timeout, i_know, ["robustness", str(spec)])
    _batch_summary(result, "robustness")
    path = write_report(loaded, out, read_manifest(out), read_runs(out), read_table(out, "steps"), metrics, baseline)
    console.print(f"wrote {path} (and contrasts.parquet, holds.parquet beside it)", highlight=False)
    if result.failed:
        raise typer.Exit(1)


@app.command()
def export(
    directory: Annotated[
        Path, typer.Argument(help="a batch directory (made by netgov batch, sensitivity or robustness)")
    ],
    csv: Annotated[bool, typer.Option("--csv", help="write every table as CSV (the only format for now)")] = False,
    out: Annotated[Path | None, typer.Option(help="folder for the CSV files (default: DIR/csv)")] = None,
) -> None:
    """Write a batch's tables as tidy CSV: parameters, policy and seed on every row, sorted by run_id."""
    from netgov.experiment.store import PER_RUN, read_table

    folder = out or directory / "csv"
    if not csv:
        raise ConfigError("export: pass --csv (the format to write)")
    read_table(directory)  # a clear error for a folder that is no batch
    tables = [t for t in ("runs", *PER_RUN) if t == "runs" or (directory / f"{t}.parquet").exists()]
    check_out_files(folder, [f"{t}.csv" for t in tables])
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables:
        write_csv(read_table(directory, table), folder / f"{table}.csv", index=False)
        console.print(f"wrote {folder / f'{table}.csv'}", highlight=False)
