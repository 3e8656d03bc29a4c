"""``netgov run`` (one scenario, one seed) and ``netgov compare`` (several, replicated on common seeds)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from netgov.cli.checks import (
    check_distinct,
    check_file,
    check_int,
    check_out,
    check_plot,
    check_seed,
    check_steps,
    where_to_run,
    write_table,
)
from netgov.cli.errors import Failed
from netgov.cli.options import (
    EnsembleOpt,
    IKnowOpt,
    ScenarioArg,
    SchedulerOpt,
    SeedOpt,
    SetOpt,
    StepsOpt,
    WorkersOpt,
)
from netgov.cli.output import console, fmt, progress_bar, show_table, versions, warn_inactive
from netgov.model.core.errors import ConfigError

app = typer.Typer()


@app.command()
def run(
    scenario: ScenarioArg = None,
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

    check_out(out)
    if out is not None:
        check_file(sidecar_path(out), "--out", (".json",))  # its sidecar too, before the run
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
    months = int(result.steps["step"].iloc[-1])
    writing, flag = out, "--out"  # the file being written, for an error while writing
    try:
        if out is not None:
            write_table(result.steps, out)
            writing = sidecar_path(out)
            write_sidecar(out, sc, set_ or [], seed, months)
        writing, flag = agents_out, "--agents-out"
        if agents_out is not None and result.agents is not None:
            write_table(result.agents, agents_out)
    except OSError as exc:  # e.g. the disk filled up while writing: what was being written is not left half
        raise Failed(f"{flag} {writing}: {exc.strerror or exc}") from None
    overrides = f", --set {' '.join(set_)}" if set_ else ""
    title = f"netgov run: {sc.name} (seed {seed}, {months} months{overrides})"
    show_table(
        title, ["metric", "final"], [(m, result.final[m]) for m in FINAL_METRICS], min_width=len(title) + 4, right=True
    )
    issues = result.issues
    assert issues is not None  # run_once builds the issue table unless told not to
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
    from netgov.experiment.files import write_json

    record = {
        "scenario": scenario.name,
        "scenario_file": str(scenario.path) if scenario.path else None,
        "overrides": overrides,
        "seed": seed,
        "steps": steps,
        "versions": versions(),
        "parameters": scenario.config.model_dump(mode="json", by_alias=True),
    }
    write_json(sidecar_path(out), record)


def _interval(mean: float, lo: float, hi: float) -> str:
    return f"{fmt(mean)} [{fmt(lo)}, {fmt(hi)}]"


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
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    i_know: IKnowOpt = False,
) -> None:
    """Run replications of several scenarios with common random numbers and compare final metrics.

    The first scenario is the baseline: a second table gives each other scenario's difference from
    it, paired by replication (replication r of every scenario runs with the same seed and, with
    --ensemble, in the same drawn parameter set, so the intervals include calibration uncertainty).
    """
    from netgov.analysis.summary import excludes_zero, paired_differences, summarise
    from netgov.experiment import limits
    from netgov.experiment.ensemble import Ensemble
    from netgov.experiment.files import atomic
    from netgov.experiment.replications import replicate
    from netgov.model.core.contract import FINAL_METRICS
    from netgov.model.plotting import plot_trajectories
    from netgov.scenarios.loader import in_world, load

    if len(scenarios) < 2:
        raise ConfigError(f"compare {' '.join(scenarios)}: expected two or more scenarios to compare")
    check_int(reps, "--reps", 1)
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
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise ConfigError(f"compare: a scenario is named twice ({', '.join(names)})")
    with progress_bar("compare") as progress, where_to_run(workers, scheduler, reps * len(loaded), i_know) as where:
        task = progress.add_task("runs", total=reps * len(loaded))
        trajectories = replicate(
            {s.name: s for s in loaded},
            reps,
            seed,
            steps,
            progress=lambda: progress.advance(task),
            ensemble=drawn,
            where=where,
        )
    summary = summarise(trajectories, names, seed=seed)
    world = f", parameters drawn from {drawn.path}" if drawn is not None else ""
    show_table(
        f"final metrics: mean [95% bootstrap interval] over {reps} replications (seed {seed}{world})",
        ["metric", *names],
        [
            (m, *(_interval(row[f"{m}_mean"], row[f"{m}_lo"], row[f"{m}_hi"]) for _, row in summary.iterrows()))
            for m in FINAL_METRICS
        ],
        right=True,
    )
    paired = paired_differences(trajectories, names[0])
    cell = {}
    for row in paired.to_dict("records"):
        shown = _interval(row["diff_mean"], row["diff_lo"], row["diff_hi"]) if row["n"] else "nan"
        cell[row["scenario"], row["metric"]] = f"{shown} ({row['n']})" + ("*" if excludes_zero(row) else " ")
    show_table(
        f"paired differences vs {names[0]}: mean [95% CI] (n pairs)",
        ["metric", *names[1:]],
        [(m, *(cell[(n, m)] for n in names[1:])) for m in dict.fromkeys(paired["metric"])],
        caption="scenario - baseline, paired by replication (common seeds); * the 95% CI excludes 0",
        right=True,
    )
    if out is not None:
        write_table(summary, out)
        console.print(f"wrote {out}")
    if diffs is not None:
        write_table(paired, diffs, "--diffs")
        console.print(f"wrote {diffs}")
    if plot is not None:
        with atomic(plot) as tmp:
            plot_trajectories(trajectories, str(tmp))
        console.print(f"wrote {plot}")
