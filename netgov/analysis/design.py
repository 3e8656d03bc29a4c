"""Search for robust institutional designs: NSGA-II (platypus) over a spec's ``[levers]``, each candidate run
in every sampled world of its ``[uncertainties]`` and every replication's draw from the calibrated ensemble.

A candidate design is a rule set on the base scenario (one value per lever). A generation's candidates
run as one batch through the batch engine (local processes or Dask, common random numbers, Parquet in
``DIR/generations/NN/``), as the policies of a policies x uncertainties study. Each candidate's
objectives are robust statistics over the worlds of each metric's world mean (over replications):
the mean, and the worst decile (the 10th percentile where higher is better, the 90th where lower is),
each to be made better in the direction the typed contract gives the metric. The Pareto set is the
non-dominated designs among every design evaluated (not only the last population).

Why platypus: EMA Workbench's own optimisation runs on it, it handles mixed real / integer levers
(categories as integer indices), and its evaluator hook lets a whole generation go to netgov's batch
engine at once (EMA's ``optimize`` would call the model once per experiment through its own
evaluators, bypassing the engine's Parquet, resume and Dask). Platypus draws from Python's ``random``;
the search seeds it from the spec's seed and restores its state afterwards, so a search is reproducible.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netgov.experiment.spec import ExperimentSpec, Parameter, Policy, Search
from netgov.model.core.config import merge, nest
from netgov.model.core.contract import better_sign
from netgov.scenarios.loader import load, to_toml

#: The robust statistics of a metric over worlds: the mean, and the worst decile.
STATISTICS = ("mean", "worst10")

Evaluate = Callable[[ExperimentSpec, int], pd.DataFrame]  # (a generation's spec, generation) -> its runs


def objectives(metrics: Sequence[str]) -> list[str]:
    """The objective columns: ``METRIC:mean`` and ``METRIC:worst10`` for each metric."""
    return [f"{m}:{s}" for m in metrics for s in STATISTICS]


def robust(runs: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Per policy (candidate design): each metric's mean over worlds of the world means, and its worst decile
    over worlds (10th percentile where higher is better, 90th where lower is); NaN where the metric is
    undefined in every world."""
    ok = runs[runs["status"] == "ok"]
    world = ok.groupby(["policy", "point"], sort=False)[list(metrics)].mean().astype(float)
    rows = {}
    for pol, sub in world.groupby(level="policy", sort=False):
        row = {}
        for m in metrics:
            v = sub[m].dropna().to_numpy()
            worst = 10 if better_sign(m) > 0 else 90
            row[f"{m}:mean"] = float(v.mean()) if len(v) else math.nan
            row[f"{m}:worst10"] = float(np.percentile(v, worst)) if len(v) else math.nan
        rows[pol] = row
    return pd.DataFrame.from_dict(rows, orient="index")


@dataclass
class Lever:
    """One searched lever as platypus sees it: a real range, an integer range, or an index into a list."""

    parameter: Parameter

    def platypus_type(self) -> Any:
        from platypus import Integer, Real

        p = self.parameter
        if p.values:
            return Integer(0, len(p.values) - 1)
        assert p.low is not None and p.high is not None
        return Integer(int(p.low), int(p.high)) if p.integer else Real(p.low, p.high)

    def value(self, x: Any) -> Any:
        """A platypus variable (decoded) as the lever's value."""
        p = self.parameter
        if p.values:
            return p.values[int(x)]
        if p.integer:
            return int(x)
        v = float(x)
        if p.step is not None and p.low is not None and p.high is not None:  # a stepped range stays on its steps
            v = min(p.low + round((v - p.low) / p.step) * p.step, p.high)
        return round(v, 6)


def design_name(values: dict[str, Any]) -> str:
    """A stable name for a design: ``design_`` and a hash of its lever values."""
    text = json.dumps(values, sort_keys=True, default=str)
    return "design_" + hashlib.sha256(text.encode()).hexdigest()[:8]


@dataclass
class Archive:
    """The state of one search: every design evaluated, in order, with its objectives."""

    spec: ExperimentSpec
    metrics: list[str]
    evaluate: Evaluate
    levers: list[Lever] = field(init=False)
    evaluated: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {levers, objectives, generation}
    generation: int = 0

    def __post_init__(self) -> None:
        self.levers = [Lever(p) for p in self.spec.levers]

    def policy(self, values: dict[str, Any]) -> Policy:
        """A design as a policy of the study: its lever values as a rule set on the base scenario (with [set])."""
        spec = self.spec
        scenario = load(spec.base, merge(nest(values), spec.fixed))
        return Policy(design_name(values), spec.base, dict(values), scenario)

    def run_generation(self, designs: list[dict[str, Any]]) -> None:
        """Run the designs not evaluated yet as one batch (every design in every world) and record them."""
        new: dict[str, dict[str, Any]] = {}
        for values in designs:
            name = design_name(values)
            if name not in self.evaluated and name not in new:
                new[name] = values
        if not new:
            return
        policies = tuple(self.policy(v) for v in new.values())
        runs = self.evaluate(replace(self.spec, policies=policies, levers=(), search=None), self.generation)
        table = robust(runs, self.metrics)
        ok = runs[runs["status"] == "ok"].groupby("policy").size()
        for name, values in new.items():
            objs = (
                table.loc[name].to_dict() if name in table.index else dict.fromkeys(objectives(self.metrics), math.nan)
            )
            failed = int(len(runs[runs["policy"] == name]) - ok.get(name, 0))
            self.evaluated[name] = {"generation": self.generation, **values, **objs, "failed_runs": failed}
        self.generation += 1

    def table(self) -> pd.DataFrame:
        """Every design evaluated: its generation, lever values, objectives, failed runs and whether it is on the
        Pareto front (non-dominated among every feasible design evaluated: defined objectives, no failed run)."""
        frame = pd.DataFrame.from_dict(self.evaluated, orient="index").rename_axis("design").reset_index()
        cols = objectives(self.metrics)
        frame["feasible"] = frame[cols].notna().all(axis=1) & (frame["failed_runs"] == 0)
        frame["pareto"] = pareto_mask(frame, self.metrics)
        return frame


def _signs(metrics: Sequence[str]) -> np.ndarray:
    return np.array([better_sign(m) for m in metrics for _ in STATISTICS], dtype=float)


def pareto_mask(frame: pd.DataFrame, metrics: Sequence[str]) -> np.ndarray:
    """Which feasible rows no other feasible row dominates (at least as good on every objective, better on one;
    "good" in each metric's direction), by platypus' own dominance (``nondominated``)."""
    from platypus import Problem, Solution, nondominated

    cols = objectives(metrics)
    signs = _signs(metrics)
    feasible = frame["feasible"].to_numpy()
    problem = Problem(0, len(cols))
    problem.directions[:] = [Problem.MAXIMIZE if s > 0 else Problem.MINIMIZE for s in signs]
    solutions = []
    for k in np.flatnonzero(feasible):
        sol = Solution(problem)
        sol.objectives[:] = frame[cols].iloc[k].astype(float).tolist()
        sol.evaluated = True
        sol.row = k  # type: ignore[attr-defined]
        solutions.append(sol)
    mask = np.zeros(len(frame), dtype=bool)
    for sol in nondominated(solutions):
        mask[sol.row] = True  # type: ignore[attr-defined]
    return mask


def search(spec: ExperimentSpec, metrics: Sequence[str], evaluate: Evaluate) -> pd.DataFrame:
    """NSGA-II over the spec's levers for ``generations`` generations of ``population`` designs; every design
    evaluated (see :meth:`Archive.table`)."""
    from platypus import HUX, NSGAII, PM, SBX, BitFlip, CompoundOperator, Evaluator, Problem

    settings = spec.search or Search()
    state = Archive(spec, list(metrics), evaluate)
    names, signs = objectives(metrics), _signs(metrics)
    problem = Problem(len(state.levers), len(names), 1)
    problem.types[:] = [lever.platypus_type() for lever in state.levers]
    problem.directions[:] = [Problem.MAXIMIZE if s > 0 else Problem.MINIMIZE for s in signs]
    problem.constraints[:] = "==0"  # a design with an undefined objective or a failed run is infeasible

    def decode(solution: Any, encoded: bool = True) -> dict[str, Any]:
        """A solution's lever values (platypus decodes the variables itself before ``evaluate``)."""
        return {
            lever.parameter.key: lever.value(t.decode(x) if encoded else x)
            for lever, t, x in zip(state.levers, problem.types, solution.variables, strict=True)
        }

    def evaluate_solution(solution: Any) -> None:
        row = state.evaluated[design_name(decode(solution, encoded=False))]
        values = [row[n] for n in names]
        bad = sum(1 for v in values if not math.isfinite(v)) + row["failed_runs"]
        solution.objectives[:] = [v if math.isfinite(v) else 0.0 for v in values]
        solution.constraints[:] = [float(bad)]

    problem.function = None
    problem.evaluate = evaluate_solution  # type: ignore[method-assign]

    class Generation(Evaluator):
        """A whole generation to the batch engine at once, then platypus reads each design's objectives."""

        def evaluate_all(self, jobs: list[Any], **kwargs: Any) -> list[Any]:
            search_state = random.getstate()  # the batch engine (Dask's client) may draw from `random` too
            state.run_generation([decode(job.solution) for job in jobs])
            random.setstate(search_state)  # so the search goes the same way on any executor
            for job in jobs:
                job.run()
            return jobs

    kinds = {type(t).__name__ for t in problem.types}
    variator = CompoundOperator(SBX(), HUX(), PM(), BitFlip()) if len(kinds) > 1 else None
    previous = random.getstate()
    random.seed(spec.seed)
    try:
        algorithm = NSGAII(problem, population_size=settings.population, evaluator=Generation(), variator=variator)
        algorithm.run(settings.population * settings.generations)
    finally:
        random.setstate(previous)
    return state.table()


def write_designs(spec: ExperimentSpec, front: pd.DataFrame, folder: Path) -> list[Path]:
    """Each design on the front as a self-contained scenario file, ready for ``netgov run`` and the dashboard."""
    folder.mkdir(parents=True, exist_ok=True)
    levers = [p.key for p in spec.levers]
    paths = []
    for row in front.itertuples(index=False):
        values = {k: _plain(getattr(row, _attr(front, k))) for k in levers}
        scenario = load(spec.base, merge(nest(values), spec.fixed))
        text = ", ".join(f"{k} = {v}" for k, v in values.items())
        scenario = replace(
            scenario,
            name=row.design,
            title=f"Robust design {row.design}",
            summary=f"On the Pareto front of {spec.label}: {text}",
            recommendation=f"A design that no other evaluated design beats on every robust objective: {text}.",
        )
        path = folder / f"{row.design}.toml"
        path.write_text(to_toml(scenario), encoding="utf-8")
        paths.append(path)
    return paths


def _attr(frame: pd.DataFrame, column: str) -> str:
    """The attribute name itertuples gives a column (dotted keys are renamed positionally)."""
    return f"_{list(frame.columns).index(column)}" if not column.isidentifier() else column


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def parallel_coordinates(table: pd.DataFrame, metrics: Sequence[str]) -> Any:
    """The trade-offs: one line per design across the objectives, each axis scaled to the designs' range with
    better up (so a line high everywhere would be best on all); the Pareto front coloured, the rest grey."""
    from netgov.model.plotting import pyplot

    plt = pyplot()
    cols = objectives(metrics)
    signs = _signs(metrics)
    data = table[table["feasible"]]
    values = data[cols].astype(float).to_numpy() * signs
    lo, hi = values.min(axis=0), values.max(axis=0)
    scaled = (values - lo) / np.where(hi > lo, hi - lo, 1.0)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(cols)), 4.2))
    x = np.arange(len(cols))
    front = data["pareto"].to_numpy()
    for row in scaled[~front]:
        ax.plot(x, row, color="0.75", linewidth=0.8, zorder=1)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (row, name) in enumerate(zip(scaled[front], data.loc[front, "design"], strict=True)):
        ax.plot(x, row, color=colours[k % len(colours)], linewidth=2, marker="o", label=name, zorder=2)
    raw = data[cols].astype(float)
    labels = [
        f"{c}\n{raw[c].max() if s > 0 else raw[c].min():.3g} (top)\n{raw[c].min() if s > 0 else raw[c].max():.3g}"
        for c, s in zip(cols, signs, strict=True)
    ]
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_yticks([])
    for xi in x:
        ax.axvline(xi, color="0.4", linewidth=0.6, zorder=0)
    ax.set_title("Pareto front (coloured) among every design evaluated (grey); better is up")
    if front.any():
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


#: What a design search writes beside its generations' batches (a repeated or failed report leaves none stale);
#: ``designs`` is a folder of scenario files.
DESIGN_FILES = ("report.html", "evaluated.parquet", "pareto.parquet", "designs")


def write_report(spec: ExperimentSpec, out: Path, table: pd.DataFrame, metrics: Sequence[str]) -> Path:
    """Write the Pareto set and every design evaluated (Parquet), a scenario file per design on the front
    (``designs/``) and ``report.html`` with the parallel-coordinates plot; return the report's path."""
    from netgov.analysis.html import environment, figure, table_html, whole
    from netgov.experiment.manifest import read_manifest

    front = table[table["pareto"]].reset_index(drop=True)
    settings = spec.search or Search()
    manifest = read_manifest(out / "generations" / "00")
    with whole(out, DESIGN_FILES) as temp:
        table.to_parquet(temp("evaluated.parquet"), index=False)
        front.to_parquet(temp("pareto.parquet"), index=False)
        write_designs(spec, front, temp("designs", folder=True))
        shown = ["design", "generation", *(p.key for p in spec.levers), *objectives(metrics)]
        context = {
            "title": spec.summary or spec.label,
            "question": spec.question,
            "n_front": len(front),
            "n_evaluated": len(table),
            "generations": settings.generations,
            "population": settings.population,
            "n_worlds": spec.n_points(),
            "replications": spec.replications,
            "ensemble": spec.ensemble is not None,
            "objectives": objectives(metrics),
            "infeasible": int((~table["feasible"]).sum()),
            "designs_dir": str(out / "designs"),
            "parallel": figure(parallel_coordinates(table, metrics), "parallel coordinates", dpi=90)
            if table["feasible"].any()
            else "",
            "front": table_html(front[shown]),
            "evaluated": table_html(table[[*shown, "failed_runs", "feasible", "pareto"]]),
            "seed": spec.seed,
            "versions": json.dumps(
                {k: manifest.get(k) for k in ("versions", "git_commit", "git_dirty")}, indent=2, default=str
            ),
            "spec_text": spec.path.read_text(encoding="utf-8") if spec.path else json.dumps(spec.resolved(), indent=2),
        }
        page = environment().get_template("design.html.j2").render(**context)
        temp("report.html").write_text(page, encoding="utf-8")
    return out / "report.html"
