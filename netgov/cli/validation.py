"""``netgov validate`` (the published patterns, judged) and ``netgov calibrate`` (ABC-SMC on P1-P3)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netgov.cli.checks import check_int, check_out, check_out_files, check_seed, where_to_run, write_table
from netgov.cli.options import EnsembleOpt, IKnowOpt, SchedulerOpt, WorkersOpt
from netgov.cli.output import SECTION, Col, console, err_console, progress_bar, show_table, versions
from netgov.model.core.errors import ConfigError

app = typer.Typer()


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
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    i_know: IKnowOpt = False,
) -> None:
    """Reproduce the published patterns (IGF, WCIT-12, WGEC, NETmundial, held-out ones); exit 1 if P1-P5 fail.

    Figures, bands and sources: scenarios/validation/patterns.toml (docs/validation.md). Each pattern is
    judged at every master seed with 95% intervals; the worst seed is shown. Held-out patterns are
    reported, pass or fail, and do not set the exit status.
    """
    from netgov.experiment import limits
    from netgov.experiment.ensemble import Ensemble
    from netgov.scenarios.loader import load
    from netgov.validation.judge import discriminate, evaluate, results_table
    from netgov.validation.patterns import PATTERNS, master_seeds, runs_per_rep, simulate

    check_int(reps, "--reps", 2, why="an interval needs two runs")
    check_int(seeds, "--seeds", 1, 100)
    check_seed(seed)
    check_seed(seed + seeds - 1, "--seed + --seeds - 1")
    limits.check_replications(reps, i_know=i_know)
    limits.check_replications(reps * seeds, f"--reps {reps} x --seeds {seeds} =", i_know=i_know)
    check_out(out)
    if report is not None:
        from netgov.validation.report import REPORT

        check_out_files(report, (REPORT,), "--report")
    drawn = Ensemble.load(ensemble) if ensemble is not None else None
    configs = [load(p.path, overrides).config for p in PATTERNS for _, overrides in p.conditions]
    limits.check_configs(configs, reps * seeds, None, "validate", i_know)
    judged = master_seeds(seed, seeds)
    total = reps * seeds * runs_per_rep()
    with progress_bar("validate") as progress, where_to_run(workers, scheduler, total, i_know) as where:
        task = progress.add_task("runs", total=total)
        runs = simulate(
            reps,
            judged,
            progress=lambda: progress.advance(task),
            draws=drawn.draw if drawn is not None else None,
            where=where,
        )
    results = evaluate(runs)
    world = f"; parameters drawn from {drawn.path}" if drawn is not None else "; the calibrated world (defaults)"
    rows: list[tuple[str, ...] | None] = []
    for res in results:
        p, worst = res.pattern, res.worst_seed
        for i, m in enumerate(res.pooled):
            w = res.by_seed[worst][i]
            rows.append(
                (
                    f"{p.id} ({p.role}): {p.title}" if i == 0 else "",
                    m.measure,
                    m.observed,
                    m.estimate,
                    f"seed {worst}: {w.estimate}",
                    f"{m.band_text}: {'ok' if res.measure_passed(i) else 'FAIL'}",
                    ("pass" if res.passed else "FAIL") if i == 0 else "",
                )
            )
        rows.append(SECTION)
    show_table(
        f"netgov validate: observed vs simulated, {reps} replications x master seeds {judged[0]}-{judged[-1]}{world}",
        [
            Col(c, overflow="fold")
            for c in ("pattern", "measure", "observed", "pooled mean [95% CI]", "worst seed", "band", "result")
        ],
        rows,
    )
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
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="fit only this block (forum, state_centric, consensus; repeatable): the others are kept from "
            "the shipped ensemble",
        ),
    ] = None,
    i_know: IKnowOpt = False,
) -> None:
    """Fit the unobserved parameters to the calibration patterns (P1-P3, D1, D2) by ABC-SMC and write the
    posterior ensemble.

    The shipped ensemble is scenarios/validation/ensemble.parquet; pass your own to --ensemble of
    compare, batch and validate. docs/validation.md says what is fitted, from which priors.
    """
    from netgov.experiment import limits
    from netgov.validation import calibrate as fit

    check_int(population, "--population", 10)
    check_int(generations, "--generations", 1)
    check_int(reps, "--reps", 1)
    if budget is not None and budget < population:
        raise ConfigError(f"--budget {budget}: expected an integer >= --population ({population})")
    limits.check_workers(workers, i_know=i_know)
    if workers is not None and scheduler is not None:
        raise ConfigError("--workers and --scheduler: give one (a Dask cluster brings its own workers)")
    check_seed(seed)
    blocks = tuple(only or ())
    unknown = [b for b in blocks if b not in fit.BLOCKS]
    if unknown:
        raise ConfigError(f"--only {unknown[0]}: expected one of {', '.join(fit.BLOCKS)}")
    limits.check_replications(reps, i_know=i_know)
    least = fit.least_runs(population, generations, reps)
    limits.check_runs(least, f"calibrate: at least {population} x {generations} generations x {reps} reps", i_know)
    if dry_run:
        console.print(fit.plan(population, generations, reps), markup=False, highlight=False)
        return
    check_out_files(out, fit.FILES)
    where = f"the Dask scheduler at {scheduler}" if scheduler else f"{workers or limits.cores()} local process(es)"
    err_console.print(
        f"calibrate: ABC-SMC, {len(fit.priors())} free parameters, population {population}, up to {generations}"
        f" generations, {reps} replication(s) per pattern, on {where}",
        markup=False,
        highlight=False,
    )
    base = None
    if blocks:
        from netgov.experiment.ensemble import SHIPPED, Ensemble

        base = Ensemble.load(SHIPPED).table
    result = fit.run_abc(
        population, generations, reps, seed, workers=workers, scheduler=scheduler, budget=budget, only=blocks, base=base
    )
    paths = fit.write(result, out)
    console.print(fit.summary_table(result.ensemble).to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    console.print(result.note, markup=False, highlight=False)
    for path in paths:
        console.print(f"wrote {path}", markup=False, highlight=False)
