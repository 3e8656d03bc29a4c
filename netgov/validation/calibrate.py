"""Calibrate the unobserved parameters to the calibration patterns by ABC-SMC, and write the ensemble.

    netgov calibrate [--population 200] [--generations 8] [--reps 2] [--workers 2 | --scheduler ADDR]

Approximate Bayesian computation with sequential Monte Carlo (pyabc): each free parameter starts from
the uniform prior of ``scenarios/validation/patterns.toml`` (``[calibration]``); each candidate is
simulated on the calibration patterns' scenarios (P1 hosted where a host share was observed, P2, P3)
and accepted when its summary statistics are close to the observed figures (an adaptive, scale-
normalised Euclidean distance with a shrinking tolerance). The last generation is the posterior
ensemble: parameter sets with importance weights, written as Parquet, and its weighted median as the
point summary (``calibrated.toml``), which the schema defaults equal (tests/test_one_world.py).

pyabc was chosen over ELFI and sbi: it is maintained, needs no neural-network stack (sbi needs
PyTorch), and runs the same code on local processes (``MulticoreEvalParallelSampler``) and on a Dask
scheduler (``DaskDistributedSampler``), like the batch. Each simulation's seeds are a hash of its
parameter values, so a simulation is a pure function of its parameters; pyabc's own proposal draws
are not seeded, so two calibrations give two samples of the same posterior, not the same file.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from netgov.experiment.files import atomic, write_text
from netgov.model.core.catalog import GROUPS
from netgov.model.core.config import nest
from netgov.validation.measures import p3_targets, t1_observed
from netgov.validation.patterns import BY_ID, pattern_data, run_statistics

#: P1's hosts with an observed share: simulated in calibration (the other two are validated only).
P1_HOSTS = ("africa", "asia_pacific", "western_europe_others")


@dataclass(frozen=True)
class Prior:
    """A free parameter's uniform prior, from the patterns file."""

    key: str
    low: float
    high: float
    integer: bool
    why: str

    @property
    def block(self) -> str:
        """Which separate fit it belongs to: the open forum's (P1, P2) or a state-centric vote's (P3)."""
        if self.key.startswith("consensus."):
            return "consensus"
        if self.key.startswith("adaptation."):
            return "adaptation"
        return "state_centric" if self.key.startswith("positions.") else "forum"


def priors(block: str | None = None) -> tuple[Prior, ...]:
    """The free parameters' priors (one block's, or all), from the patterns file."""
    raw = pattern_data()["calibration"]["priors"]
    out = (Prior(p["key"], float(p["low"]), float(p["high"]), bool(p.get("integer", False)), p["why"]) for p in raw)
    return tuple(p for p in out if block is None or p.block == block)


#: The two fits, in order: each block's parameters against its patterns' statistics. They are
#: separable: a state-centric stance moves no forum attendance, and P3's 144 delegations all attend
#: whatever travel costs; the second fit runs at the first one's point summary.
BLOCKS: dict[str, tuple[str, ...]] = {
    "forum": ("P1", "P2"),
    "state_centric": ("P3",),
    "consensus": ("D1", "D2"),
    "adaptation": ("T1",),
}
#: The adaptations whose rates the "adaptation" block fits, on while it is fitted (T1's first-decade growth:
#: what actors carry from one meeting to the next is what changes attendance over the years in the model).
ADAPTING: dict[str, Any] = {"adaptation.trust": True, "adaptation.learning": True}


def agreed_target(pattern: str) -> float:
    """The observed share of bodies that agreed a text (D1, D2)."""
    o = BY_ID[pattern].data["observed"]
    counted = next(k for k in o if k != "agreed")
    return o["agreed"] / o[counted]


def p2_targets() -> dict[str, float]:
    """Observed mean share per group over the IGF meetings, normalised over the five groups."""
    observed = BY_ID["P2"].data["observed"]
    means = {g: float(np.mean(observed[g])) for g in GROUPS}
    total = sum(means.values())
    return {g: v / total for g, v in means.items()}


def p1_targets() -> dict[str, float]:
    """The host region's observed onsite share, averaged where a region hosted twice."""
    seen: dict[str, list[float]] = {}
    for o in BY_ID["P1"].data["observed"]:
        seen.setdefault(o["region"], []).append(o["share"])
    return {r: float(np.mean(seen[r])) for r in P1_HOSTS}


def targets(block: str | None = None) -> dict[str, float]:
    """The summary statistics the ABC distance compares, observed (one block's, or all)."""
    out = {f"p1_{r}": v for r, v in p1_targets().items()}
    out.update({f"p2_{g}": v for g, v in p2_targets().items()})
    out.update({f"p3_{k}": v for k, v in p3_targets().items()})
    out.update({f"{pid.lower()}_agreed": agreed_target(pid) for pid in ("D1", "D2")})
    out["t1_growth"] = t1_observed()["growth"]  # the first decade only: the late slope is checked, not fitted
    wanted = {pid.lower() for b, ids in BLOCKS.items() if block in (None, b) for pid in ids}
    return {k: v for k, v in out.items() if k.split("_")[0] in wanted}


def to_world(theta: Mapping[str, float]) -> dict[str, Any]:
    """A candidate as schema values: counts rounded to integers, every value a plain Python number."""
    out: dict[str, Any] = {}
    for p in priors():
        if p.key in theta:
            v = float(theta[p.key])
            out[p.key] = round(v) if p.integer else round(v, 6)
    return out


def _seed(world: Mapping[str, Any], base: int) -> int:
    """A simulation's master seed: a hash of its parameters, so it is a pure function of them."""
    text = repr(sorted(world.items())) + f"|{base}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "little")


@cache
def _scenario(pattern: str, host: str | None) -> Any:
    """A calibration pattern's scenario, read once per process (each candidate only lays its world under it)."""
    from netgov.scenarios.loader import load

    return load(BY_ID[pattern].path, {"host_region": host} if host else {})


def statistics(world: Mapping[str, Any], reps: int, base: int, block: str | None = None) -> dict[str, float]:
    """The calibration patterns simulated under ``world``: the summary statistics ABC compares.

    The runs go through the one run path (:func:`netgov.experiment.executors.run_all`) in this process:
    pyabc's sampler already spreads the candidates over the cores or the Dask cluster.
    """
    from netgov.experiment.executors import run_all
    from netgov.experiment.replications import job
    from netgov.experiment.runner import run_seed
    from netgov.scenarios.loader import in_world

    seed = _seed(world, base)
    ids = {pid for b, pids in BLOCKS.items() if block in (None, b) for pid in pids}
    wanted: list[tuple[str, str | None]] = [("P1", host) for host in P1_HOSTS if "P1" in ids]
    wanted += [(p, None) for p in ("P2", "P3", "D1", "D2", "T1") if p in ids]
    # T1 is fitted with the adaptations whose rates it fits switched on, whatever the fixed blocks say
    worlds = {pattern: {**world, **ADAPTING} if pattern == "T1" else world for pattern, _ in wanted}
    jobs = [
        job(i * reps + r, in_world(_scenario(pattern, host), worlds[pattern]).config, run_seed(seed, r), ("issues",))
        for i, (pattern, host) in enumerate(wanted)
        for r in range(reps)
    ]
    outcomes = run_all(jobs)

    def runs(pattern: str, host: str | None) -> pd.DataFrame:
        i = wanted.index((pattern, host))
        return pd.DataFrame([run_statistics(outcomes[i * reps + r].issues) for r in range(reps)])

    out: dict[str, float] = {}
    if "P1" in ids:
        for host in P1_HOSTS:
            out[f"p1_{host}"] = float(runs("P1", host)[f"onsite_share_{host}"].mean())
    if "P2" in ids:
        p2 = runs("P2", None)
        out.update({f"p2_{g}": float(p2[f"onsite_share_{g}"].mean()) for g in GROUPS})
    if "P3" in ids:
        p3 = runs("P3", None)
        out.update({f"p3_{k}": float(p3[k].mean()) for k in p3_targets()})
    for pid in ("D1", "D2"):
        if pid in ids:
            out[f"{pid.lower()}_agreed"] = float(runs(pid, None)["agreed"].mean())
    if "T1" in ids:
        out["t1_growth"] = float(runs("T1", None)["growth"].mean())
    return {k: (0.0 if math.isnan(v) else v) for k, v in out.items()}


class Simulator:
    """pyabc's model: one block's parameters in (the rest ``fixed``), its summary statistics out.

    A class, so it pickles to worker processes and Dask workers.
    """

    def __init__(self, reps: int, base: int, block: str, fixed: Mapping[str, Any]) -> None:
        self.reps, self.base, self.block, self.fixed = reps, base, block, dict(fixed)

    def __call__(self, theta: Mapping[str, float]) -> dict[str, float]:
        return statistics({**self.fixed, **to_world(theta)}, self.reps, self.base, self.block)


@dataclass
class Fit:
    """A finished calibration: the posterior ensemble and how it was made."""

    ensemble: pd.DataFrame  # one row per parameter set: the free parameters and weight
    simulations: int
    seconds: float
    note: str


def _sampler(workers: int | None, client: Any) -> Any:
    import pyabc

    if client is not None:
        return pyabc.sampler.DaskDistributedSampler(dask_client=client, batch_size=4)
    if workers == 1:
        return pyabc.sampler.SingleCoreSampler()
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers or 2)


def fit_block(
    block: str,
    fixed: Mapping[str, Any],
    population: int,
    generations: int,
    reps: int,
    seed: int,
    sampler: Any,
    budget: int | None,
) -> tuple[pd.DataFrame, np.ndarray, str, int]:
    """ABC-SMC on one block: its last generation (parameters, normalised weights), a note, simulations."""
    import pyabc

    prior = pyabc.Distribution(**{p.key: pyabc.RV("uniform", p.low, p.high - p.low) for p in priors(block)})
    # distances scaled once, by the spread of the statistics under the prior (generation 0), so the
    # tolerance shrinks on one scale and no statistic dominates by its units; the consensus block's
    # statistics are shares of replications that agreed, on one scale already, and often constant under
    # part of the prior (a zero spread would silence them), so they are compared unscaled
    if block == "consensus":
        distance = pyabc.distance.PNormDistance(p=2)
    else:
        distance = pyabc.distance.AdaptivePNormDistance(p=2, fit_scale_ixs={0})
    model = Simulator(reps, seed, block, fixed)
    abc = pyabc.ABCSMC(model, prior, distance, population_size=population, sampler=sampler)
    with tempfile.TemporaryDirectory() as tmp:
        abc.new(f"sqlite:///{Path(tmp) / 'abc.db'}", targets(block))
        history = abc.run(max_nr_populations=generations, max_total_nr_simulations=budget or 10**9)
        frame, weights = history.get_distribution(m=0, t=history.max_t)
        epsilon = float(history.get_all_populations()["epsilon"].iloc[-1])
        simulations, done = int(history.total_nr_simulations), int(history.max_t) + 1
    w = np.asarray(weights, dtype=float)
    ess = float(w.sum() ** 2 / (w**2).sum())
    note = f"{block}: {done} generations, {simulations:,} simulations, epsilon {epsilon:.3g}, ESS {ess:.0f}"
    return frame.reset_index(drop=True), w / w.sum(), note, simulations


def run_abc(
    population: int,
    generations: int,
    reps: int,
    seed: int,
    workers: int | None = None,
    scheduler: str | None = None,
    budget: int | None = None,
    only: tuple[str, ...] = (),
    base: pd.DataFrame | None = None,
) -> Fit:
    """ABC-SMC per block; the ensemble pairs ``population`` draws from each block's weighted posterior.

    Each block's last generation is resampled by weight (a generator seeded by ``seed``) to
    ``population`` rows, so the ensemble's rows carry equal weights. With ``only``, just those blocks
    are fitted; every other block's columns are resampled from ``base`` (an earlier ensemble), and its
    point summary is what the fitted blocks run at.
    """
    import time

    import pyabc

    client = None
    if scheduler is not None:
        from distributed import Client

        client = Client(scheduler, timeout="30s")
    start = time.perf_counter()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xCA1]))
    columns: dict[str, np.ndarray] = {}
    fixed: dict[str, Any] = {}
    notes, simulations = [], 0
    try:
        for block in BLOCKS:
            if only and block not in only:  # kept: the earlier ensemble's rows and its point summary, as they were
                kept = base if base is not None else pd.DataFrame()
                w = kept["weight"].to_numpy(dtype=float)
                rows = (
                    np.arange(population)
                    if len(kept) == population
                    else rng.choice(len(kept), population, p=w / w.sum())
                )
                for p in priors(block):
                    columns[p.key] = kept[p.key].to_numpy(dtype=float)[rows]
                fixed.update({k: v for k, v in point(kept).items() if k in {p.key for p in priors(block)}})
                notes.append(f"{block}: kept from the earlier ensemble")
                continue
            left = None if budget is None else max(population, budget - simulations)
            sampler = _sampler(workers, client)
            frame, w, note, sims = fit_block(block, fixed, population, generations, reps, seed, sampler, left)
            notes.append(note)
            simulations += sims
            picked = rng.choice(len(frame), size=population, p=w)
            for p in priors(block):
                columns[p.key] = frame[p.key].to_numpy(dtype=float)[picked]
            fixed.update(point(pd.DataFrame({**columns, "weight": 1.0 / population})))
    finally:
        if client is not None:
            client.close()
    seconds = time.perf_counter() - start
    worlds = [to_world(dict(zip(columns, values, strict=True))) for values in zip(*columns.values(), strict=True)]
    ensemble = pd.DataFrame(worlds)
    ensemble["weight"] = 1.0 / population
    note = (
        f"ABC-SMC (pyabc {pyabc.__version__}), population {population}, {reps} replication(s), seed {seed}: "
        + "; ".join(notes)
        + f"; {seconds / 60:.1f} min"
    )
    return Fit(ensemble, simulations, seconds, note)


def runs_per_set(block: str) -> int:
    """Model runs one candidate of ``block`` costs per replication (P1's observed hosts, P2, P3)."""
    return {"forum": len(P1_HOSTS) + 1, "state_centric": 1, "consensus": 2, "adaptation": 1}[block]


def least_runs(population: int, generations: int, reps: int) -> int:
    """The fewest model runs a calibration makes (every candidate accepted): for the size check."""
    return population * generations * reps * sum(runs_per_set(b) for b in BLOCKS)


def plan(population: int, generations: int, reps: int) -> str:
    """What a calibration would fit, to what, from which priors, and the least work it means."""
    lines = ["free parameters (uniform priors), by fit:"]
    for block, ids in BLOCKS.items():
        lines.append(f"  {block} (patterns {', '.join(ids)}):")
        lines += [f"    {p.key} ~ U({p.low:g}, {p.high:g}): {p.why}" for p in priors(block)]
    lines.append("targets (observed):")
    lines += [f"  {k} = {v:.3f}" for k, v in targets().items()]
    lines.append(
        f"at least {least_runs(population, generations, reps):,} model runs (population {population} x "
        f"{generations} generations x {reps} replications, more as the tolerance shrinks and candidates are rejected)"
    )
    return "\n".join(lines)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value below which half the weight lies."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def point(ensemble: pd.DataFrame) -> dict[str, Any]:
    """The ensemble's point summary: each parameter's weighted median (counts as integers)."""
    w = ensemble["weight"].to_numpy(dtype=float)
    out: dict[str, Any] = {}
    for p in (p for p in priors() if p.key in ensemble.columns):
        v = weighted_median(ensemble[p.key].to_numpy(dtype=float), w)
        out[p.key] = round(v) if p.integer else round(v, 3)
    return out


def summary_table(ensemble: pd.DataFrame) -> pd.DataFrame:
    """Per free parameter: prior, weighted median and the 5-95% weighted quantiles."""
    w = ensemble["weight"].to_numpy(dtype=float)
    rows = []
    for p in priors():
        x = ensemble[p.key].to_numpy(dtype=float)
        order = np.argsort(x, kind="stable")
        cum = np.cumsum(w[order]) / w.sum()
        q = {f"q{int(100 * a):02d}": float(x[order][np.searchsorted(cum, a)]) for a in (0.05, 0.5, 0.95)}
        rows.append({"parameter": p.key, "prior_low": p.low, "prior_high": p.high, **q})
    return pd.DataFrame(rows)


def calibrated_toml(fitted: Mapping[str, Any], note: str) -> str:
    """The point summary as a scenario file, with a header on how it was fitted."""
    head = (
        "# The calibrated world's point summary (weighted posterior medians), written by netgov calibrate\n"
        "# (do not edit by hand: rerun `netgov calibrate`); the schema defaults equal it. docs/validation.md.\n"
        f"# {note}\n"
    )
    body = {"summary": "Calibrated world (ABC-SMC posterior medians); the schema defaults equal these values."}
    body.update(nest(dict(fitted)))
    return head + tomli_w.dumps(body)


#: What `netgov calibrate` writes into its folder (each whole or not at all).
FILES = ("ensemble.parquet", "calibrated.toml", "posterior.csv")


def write(fit: Fit, out: Path) -> list[Path]:
    """``ensemble.parquet``, ``calibrated.toml`` and ``posterior.csv`` (the summary table) in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in FILES]
    with atomic(paths[0]) as tmp:
        fit.ensemble.to_parquet(tmp, index=False)
    write_text(paths[1], calibrated_toml(point(fit.ensemble), f"fitted {datetime.now(UTC):%Y-%m-%d}: {fit.note}"))
    with atomic(paths[2]) as tmp:
        summary_table(fit.ensemble).to_csv(tmp, index=False)
    return paths
