"""The commands that run an experiment spec through the batch engine: ``batch``, ``sensitivity``,
``robustness``; and ``export``, which writes a batch's tables as CSV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from netgov.cli.checks import check_int, check_metrics, check_out_files, check_positive, write_csv, write_table
from netgov.cli.errors import Failed
from netgov.cli.options import DryRunOpt, EnsembleOpt, IKnowOpt, ResumeOpt, SchedulerOpt, WorkersOpt, WorkerTimeoutOpt
from netgov.cli.output import Col, console, say, show_table
from netgov.experiment.limits import WORKER_TIMEOUT
from netgov.model.core.errors import ConfigError

app = typer.Typer()


def _dry_run(
    spec: Any,
    workers: int | None,
    scheduler: str | None = None,
    design: tuple[int, str, int] | None = None,
    i_know: bool = False,
) -> None:
    """How big a study is and how long it should take, from a pilot of its heaviest and lightest runs on the
    executor the batch
    would use; nothing is kept. ``design``: (runs, their description, batches) when the study is not the spec's
    own design (``netgov design`` runs up to population x generations candidates in every world, one batch
    per generation, each with its own start-up)."""
    import math

    from netgov.experiment.batch import pilot
    from netgov.experiment.limits import cores

    n_points, n_pol, reps = spec.n_points(), len(spec.policies), spec.replications
    total = n_points * n_pol * reps
    policies = f" x {n_pol} policies" if n_pol > 1 else ""
    what = f"{n_points:,} points{policies} x {reps} replications"
    batches = 1
    if design is not None:
        total, what, batches = design
    start, per_wave = pilot(spec, workers, scheduler, i_know)
    n = min(workers or cores(), total)
    estimate = batches * start + per_wave * math.ceil(total / n)
    took = f"{estimate:.0f} s" if estimate < 120 else f"{estimate / 60:.1f} min"
    where = f"the Dask cluster at {scheduler}" if scheduler else f"{n} workers"
    console.print(
        f"{spec.label}: {total:,} runs = {what} of {spec.scenario.config.steps} months; a pilot of its heaviest and"
        f" lightest runs here took {per_wave:.2f} s per wave of {n} runs (their mean) after {start:.1f} s of"
        f" start-up{' per batch' if batches > 1 else ''}, so about {took} on {where} (nothing was kept)",
        highlight=False,
        soft_wrap=True,
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

    from netgov.experiment.batch import Stopped, run_batch
    from netgov.experiment.executors import ClusterGone
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
    levers: bool = False,
) -> Any:
    """The spec of a command that runs one (batch, sensitivity, robustness, design), with its flags, --out (and the
    files ``written`` into it after the batch), every value and its size checked before anything starts;
    ``prepare`` adapts it (and may refuse it). Only ``netgov design`` (``levers``) takes a spec with [levers]:
    the others would ignore them."""
    from netgov.experiment import limits
    from netgov.experiment.specfile import load_spec

    check_metrics(metrics or [])
    check_positive(worker_timeout, "--worker-timeout", "a number of seconds")
    limits.check_workers(workers, i_know=i_know)
    check_out_files(out, written)
    loaded = load_spec(spec, i_know)
    if loaded.levers and not levers:
        raise ConfigError(f"{spec}: [levers] are searched by `netgov design {spec} --out DIR`, not run by this command")
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
        _dry_run(loaded, workers, scheduler, i_know=i_know)
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
        typer.Argument(
            help="a spec with policies and uncertainties tables, e.g. scenarios/experiments/robustness.toml"
        ),
    ],
    out: Annotated[Path, typer.Option(help="folder for the batch (Parquet) and report.html")],
    claim: Annotated[
        list[str] | None,
        typer.Option(
            "--claim",
            help="a claim to judge in every world (repeatable; replaces the spec's claims): \"P raises M above B by"
            ' X", "P lowers M below B by X" (above / below B and by X optional), "P no_worse_than B on M within X"'
            ' (within X optional), "P at_least X on M" or "P at_most X on M"',
        ),
    ] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            help="a metric to judge (repeatable; default: the spec's `metrics`, else inclusiveness, legitimacy,"
            " regional_balance); without claims, each policy is claimed better than the baseline on each",
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(help="without claims: the policy the others are claimed better than (default: the first)"),
    ] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    worker_timeout: WorkerTimeoutOpt = WORKER_TIMEOUT,
    i_know: IKnowOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Run a policies x uncertainties study and write one self-contained HTML robustness report: each claim's
    share of worlds, regret, every pair of policies, and where each claim breaks."""
    from dataclasses import replace

    from netgov.analysis.report import METRICS, REPORT_FILES, check_judged, study_claims, write_report
    from netgov.experiment.claims import parse_claim
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
        if claim:
            loaded = replace(loaded, claims=tuple(parse_claim(c, loaded.policy_names) for c in claim))
        # the envelopes need the per-step table
        return loaded if "steps" in loaded.outputs else replace(loaded, outputs=(*loaded.outputs, "steps"))

    loaded = _runnable(spec, out, workers, worker_timeout, i_know, metric, study, REPORT_FILES)
    metrics = judged(loaded)
    if dry_run:
        _dry_run(loaded, workers, scheduler, i_know=i_know)
        return
    result = _run_batch(loaded, out, workers, scheduler, resume, worker_timeout, i_know, ["robustness", str(spec)])
    _batch_summary(result, "robustness")
    claims = study_claims(loaded, metrics, baseline)
    steps = read_table(out, "steps")
    path = write_report(loaded, out, read_manifest(out), read_runs(out), steps, metrics, claims)
    written = ", ".join(f for f in REPORT_FILES[1:] if (out / f).exists())
    console.print(f"wrote {path} (and {written} beside it)", highlight=False)
    if result.failed:
        raise typer.Exit(1)


@app.command()
def design(
    spec: Annotated[
        Path,
        typer.Argument(help="a spec with levers and uncertainties tables, e.g. scenarios/experiments/design.toml"),
    ],
    out: Annotated[Path, typer.Option(help="folder for the Pareto set, report.html, designs/*.toml and each batch")],
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            help="a metric to optimise (repeatable; default: the spec's claims' metrics, else its `metrics`, else"
            " inclusiveness, legitimacy, regional_balance); better as the contract says",
        ),
    ] = None,
    population: Annotated[
        int | None, typer.Option(help="designs per NSGA-II generation (default: the spec's search table, else 12)")
    ] = None,
    generations: Annotated[
        int | None,
        typer.Option(help="NSGA-II generations, the first included (default: the spec's search table, else 4)"),
    ] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    worker_timeout: WorkerTimeoutOpt = WORKER_TIMEOUT,
    i_know: IKnowOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Search the levers for robust designs: NSGA-II (platypus), each candidate in every sampled world and
    ensemble draw; writes the Pareto set, an HTML report and a scenario file per design on the front."""
    from netgov.analysis.design import DESIGN_FILES
    from netgov.analysis.report import METRICS, check_judged
    from netgov.experiment import limits

    check_int(population, "--population", 4, 1000)
    check_int(generations, "--generations", 1, 1000)

    def objectives(loaded: Any) -> list[str]:
        claimed = list(dict.fromkeys(c.metric for c in loaded.claims))
        return list(metric or claimed or loaded.metrics or METRICS)

    def searchable(loaded: Any) -> Any:
        from dataclasses import replace

        settings = _search_settings(loaded)
        chosen = replace(
            settings, population=population or settings.population, generations=generations or settings.generations
        )
        loaded = replace(loaded, search=chosen)
        if not loaded.levers:
            raise ConfigError(
                f"{spec}: [levers] is missing: name the institutional levers to search, e.g."
                " notice_period = {min = 1, max = 12}"
            )
        check_judged(objectives(loaded))
        if (out / "evaluated.parquet").exists():
            raise ConfigError(f"--out {out}: already holds a design search; choose another --out")
        settings = _search_settings(loaded)
        runs = settings.population * settings.generations * loaded.n_points() * loaded.replications
        limits.check_runs(
            runs,
            f"{spec}: up to {settings.population * settings.generations:,} designs x"
            f" {loaded.n_points():,} worlds x {loaded.replications} replications",
            i_know,
        )
        return loaded

    files = tuple(f for f in DESIGN_FILES if f != "designs")  # designs/ is a folder of scenario files
    loaded = _runnable(spec, out, workers, worker_timeout, i_know, metric, searchable, files, levers=True)
    metrics = objectives(loaded)
    settings = _search_settings(loaded)
    designs = settings.population * settings.generations
    if dry_run:
        total = designs * loaded.n_points() * loaded.replications
        what = (
            f"up to {designs} designs ({settings.generations} generations of {settings.population}) x"
            f" {loaded.n_points():,} worlds x {loaded.replications} replications"
        )
        _dry_run(loaded, workers, scheduler, (total, what, settings.generations), i_know)
        return
    from netgov.analysis.design import search, write_report
    from netgov.experiment.store import read_runs

    failed = 0

    def evaluate(generation_spec: Any, generation: int) -> Any:
        nonlocal failed
        folder = out / "generations" / f"{generation:02d}"
        try:
            result = _run_batch(
                generation_spec, folder, workers, scheduler, False, worker_timeout, i_know, ["design", str(spec)]
            )
        except Failed as exc:  # a design search does not resume: say so instead of the batch's --resume hint
            head = str(exc).split("; resume with", 1)[0].split(": rerun with --resume", 1)[0]
            raise Failed(f"{head}; netgov design does not resume: rerun it into a new --out", exc.code) from None
        failed += result.failed
        console.print(
            f"generation {generation}: {len(generation_spec.policies)} new designs, {result.total} runs"
            f" ({result.failed} failed) in {result.elapsed_s:.1f} s",
            highlight=False,
        )
        return read_runs(folder)

    out.mkdir(parents=True, exist_ok=True)
    table = search(loaded, metrics, evaluate)
    path = write_report(loaded, out, table, metrics)
    front = table[table["pareto"]]
    console.print(
        f"design: {len(table)} designs evaluated, {len(front)} on the Pareto front -> {out / 'pareto.parquet'};"
        f" wrote {path}",
        highlight=False,
    )
    levers = [p.key for p in loaded.levers]
    for row in front.to_dict("records"):
        values = ", ".join(f"{k} = {row[k]}" for k in levers)
        console.print(f"  {out / 'designs' / row['design']}.toml: {values}", markup=False, highlight=False)
    if len(front):
        console.print(f"run one: netgov run {out / 'designs' / front['design'].iloc[0]}.toml", highlight=False)
    if failed:
        raise Failed(f"{failed} runs failed (their designs are infeasible); every run is in {out / 'generations'}")


def _search_settings(spec: Any) -> Any:
    from netgov.experiment.spec import Search

    return spec.search or Search()


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
