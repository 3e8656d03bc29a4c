"""Experiment specs: which parameters to vary over a base scenario, how to sample them, how often to run each.

An :class:`ExperimentSpec` is a validated design (read from a TOML file by :mod:`netgov.experiment.specfile`).
Parameters are the dotted schema keys of ``--set`` (``notice_period``, ``actors.civil_society``); each is a
list of values, a range ``{min, max, step | num}`` or a distribution ``{distribution = uniform | loguniform |
normal, mean, sd, min, max}``. The design (the parameter points) comes from ``itertools.product`` (grid),
``scipy.stats.qmc`` (lhs) or SALib (sobol, morris), mapped from the unit hypercube through each parameter's
list, range or distribution.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from netgov.experiment.claims import Claim
from netgov.experiment.ensemble import Ensemble
from netgov.experiment.runner import run_seed
from netgov.model.core.config import flatten, merge, nest
from netgov.model.core.errors import ConfigError
from netgov.scenarios.loader import SCENARIO_DIR, Scenario, world_under

Sampler = Literal["grid", "lhs", "sobol", "morris"]
Output = Literal["final", "steps", "issues", "agents"]
DistributionName = Literal["uniform", "loguniform", "normal"]
SAMPLERS: tuple[str, ...] = get_args(Sampler)
OUTPUTS: tuple[str, ...] = get_args(Output)
DISTRIBUTIONS: tuple[str, ...] = get_args(DistributionName)
EXAMPLE_DIR = SCENARIO_DIR / "experiments"  # the shipped example specs


@dataclass(frozen=True)
class Parameter:
    """One varied parameter: a list of values, or a range / distribution over numbers."""

    key: str
    values: tuple[Any, ...] = ()  # the list form (categorical under lhs/sobol/morris)
    distribution: str = "uniform"
    low: float | None = None
    high: float | None = None
    step: float | None = None
    num: int | None = None
    mean: float | None = None
    sd: float | None = None
    integer: bool = False  # the schema field is an integer: sampled values are rounded

    def grid(self) -> list[Any]:
        """The values a grid visits."""
        if self.values:
            return list(self.values)
        assert self.low is not None and self.high is not None
        pts: np.ndarray
        if self.num is not None:
            pts = np.linspace(self.low, self.high, self.num)
        else:
            assert self.step is not None
            pts = self.low + self.step * np.arange(math.floor((self.high - self.low) / self.step + 1e-9) + 1)
        return [self._cast(x) for x in pts]

    @property
    def numeric(self) -> bool:
        """Numbers (a range, a distribution or a list of numbers), not categories."""
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map points of [0, 1] to values: list index (a numeric list in ascending order, so a larger u
        is a larger value and Morris' mu keeps its sign), or the distribution's quantile."""
        if self.values:
            values = sorted(self.values) if self.numeric else self.values
            idx = np.minimum((u * len(values)).astype(int), len(values) - 1)
            return [values[i] for i in idx]
        from scipy import stats

        if self.distribution == "normal":
            assert self.mean is not None and self.sd is not None
            lo = -np.inf if self.low is None else (self.low - self.mean) / self.sd
            hi = np.inf if self.high is None else (self.high - self.mean) / self.sd
            x = stats.truncnorm.ppf(u, lo, hi, loc=self.mean, scale=self.sd)
        elif self.distribution == "loguniform":
            assert self.low is not None and self.high is not None
            x = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            assert self.low is not None and self.high is not None
            x = self.low + u * (self.high - self.low)
            if self.step is not None:  # a stepped range stays on its steps
                x = np.minimum(self.low + np.round((x - self.low) / self.step) * self.step, self.high)
        return [self._cast(v) for v in x]

    def _cast(self, x: float) -> int | float:
        return int(np.rint(x)) if self.integer else float(x)


@dataclass(frozen=True)
class RunTask:
    """One run of a batch: its id, design point, replication, seed and the parameter values it sets."""

    run_id: int
    point: int
    replication: int
    seed: int
    params: dict[str, Any]  # the world: the sampled parameters' values at this point
    policy: str = ""
    key: str = ""  # a hash of everything that decides this run's result: --resume keeps a run whose key still matches
    world: int | None = None  # with an ensemble: the row of the parameter set this replication drew


@dataclass(frozen=True)
class Policy:
    """One policy (EMA Workbench's lever set): a shipped scenario, a scenario file, or a rule set on the base."""

    name: str
    base: str  # the scenario it starts from (a name or a path)
    rules: dict[str, Any]  # the rule set: {dotted key: value} on top of `base` (empty for a scenario)
    scenario: Scenario  # `base` with the rules and the spec's [set] applied

    @property
    def digest(self) -> str:
        """A hash of the policy's whole validated config (defaults included)."""
        dump = self.scenario.config.model_dump(mode="json", by_alias=True)
        return hashlib.sha256(json.dumps(dump, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Search:
    """``[search]``: NSGA-II's designs per generation and generations for ``netgov design``."""

    population: int = 12
    generations: int = 4


@dataclass(frozen=True)
class ExperimentSpec:
    """A validated experiment: base scenario, varied parameters, sampler, replications, seed, outputs."""

    path: Path | None
    base: str
    scenario: Scenario  # the base scenario with `set` (and `steps`) applied
    parameters: tuple[Parameter, ...]
    sampler: str = "grid"
    samples: int | None = None
    levels: int = 4
    replications: int = 1
    seed: int = 0
    outputs: tuple[str, ...] = ("final",)
    fixed: dict[str, Any] = field(default_factory=dict)  # the [set] table (nested), `steps` included
    summary: str = ""
    policies: tuple[Policy, ...] = ()  # every policy runs in every world; () = the base scenario alone
    question: str = ""  # what the study asks (shown by `netgov robustness`)
    metrics: tuple[str, ...] = ()  # what `netgov robustness` judges its recommendations on (() = its default)
    ensemble: Ensemble | None = None  # replication r of every run draws its fitted parameters from it
    claims: tuple[Claim, ...] = ()  # [[claims]]: what the study claims, with tolerances (() = better than the first)
    levers: tuple[Parameter, ...] = ()  # [levers]: what `netgov design` searches (lists and ranges)
    search: Search | None = None  # [search]: how `netgov design` searches (None: the defaults)

    def __post_init__(self) -> None:
        if not self.policies:  # a plain batch: one policy, the base scenario itself
            object.__setattr__(self, "policies", (Policy(self.scenario.name, self.base, {}, self.scenario),))

    @property
    def policy_names(self) -> list[str]:
        return [p.name for p in self.policies]

    @property
    def recorded(self) -> list[str]:
        """Keys fixed by [set] or by a policy's rule set, written as columns beside the varied parameters."""
        keys = dict.fromkeys(k for k in flatten(self.fixed))
        for pol in self.policies:
            keys.update(dict.fromkeys(pol.rules))
        return [k for k in keys if k not in self.names]

    def recorded_values(self, policy: Policy) -> dict[str, Any]:
        """The values of :attr:`recorded` under ``policy`` (from its validated config, defaults included)."""
        dump = flatten(policy.scenario.config.model_dump(mode="json", by_alias=True))
        data = flatten(policy.scenario.data)
        return {k: data[k] if k in data else dump.get(k) for k in self.recorded}

    def compose(self, task: RunTask) -> dict[str, Any]:
        """The one place a run's parameters are put together: base + policy + world + [set].

        The policy's scenario already holds its base, its rule set and [set] (disjoint from the
        world's keys, checked when the spec is read), so the world goes on top. With an ensemble,
        the replication's drawn parameter set goes underneath: whatever the policy's scenario, its
        rules, [set] or the sampled world set themselves wins (``loader.in_world``'s rule).
        """
        scenario = self.policy(task.policy).scenario
        data = scenario.data
        if self.ensemble is not None and task.world is not None:
            data, _ = world_under(scenario, self.ensemble.row(task.world))
        return merge(data, nest(task.params))

    def policy(self, name: str) -> Policy:
        return next(p for p in self.policies if p.name == name)

    @property
    def names(self) -> list[str]:
        """The varied parameters' dotted keys, in spec order."""
        return [p.key for p in self.parameters]

    @property
    def label(self) -> str:
        return str(self.path) if self.path else "experiment"

    def problem(self) -> dict[str, Any]:
        """The SALib problem: every parameter on the unit interval (mapped to values afterwards)."""
        return {"num_vars": len(self.parameters), "names": self.names, "bounds": [[0.0, 1.0]] * len(self.parameters)}

    def unit_design(self) -> np.ndarray | None:
        """The design on the unit hypercube (rows = points), or None for a grid."""
        d = len(self.parameters)
        n = self.samples or 0
        if self.sampler == "lhs":
            from scipy.stats import qmc

            return qmc.LatinHypercube(d, rng=np.random.default_rng(self.seed)).random(n)
        if self.sampler == "sobol":
            from SALib.sample import sobol

            return sobol.sample(self.problem(), n, calc_second_order=False, seed=self.seed)
        if self.sampler == "morris":
            from SALib.sample import morris

            return morris.sample(self.problem(), n, num_levels=self.levels, seed=self.seed)
        return None

    def points(self) -> list[dict[str, Any]]:
        """Every design point as {dotted key: value}."""
        unit = self.unit_design()
        if unit is None:
            return [
                dict(zip(self.names, combo, strict=True))
                for combo in itertools.product(*(p.grid() for p in self.parameters))
            ]
        columns = [p.from_unit(unit[:, j]) for j, p in enumerate(self.parameters)]
        return [dict(zip(self.names, row, strict=True)) for row in zip(*columns, strict=True)]

    def runs(self) -> list[RunTask]:
        """Every run: point-major, then policy, then replication: ``run_id = (point * P + policy) * R + r``.

        The seed comes from (master seed, replication): replication r of every point and every policy
        faces the same random draws (common random numbers), so differences between them are paired.
        """
        seeds = [run_seed(self.seed, r) for r in range(self.replications)]
        digests = [p.digest for p in self.policies]
        ens = self.ensemble
        worlds: list[int] | None = None
        drawn: list[str] | None = None
        if ens is not None:
            worlds = [ens.index(self.seed, r) for r in range(self.replications)]
            drawn = [json.dumps(ens.row(w), sort_keys=True) for w in worlds]
        tasks = []
        for i, point in enumerate(self.points()):
            world = json.dumps(point, sort_keys=True, default=str)
            for k, pol in enumerate(self.policies):
                for r, seed in enumerate(seeds):
                    run_id = (i * len(self.policies) + k) * self.replications + r
                    key = f"{digests[k]}|{world}|{seed}|{','.join(self.outputs)}"
                    if drawn is not None:
                        key += f"|{drawn[r]}"
                    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
                    w = worlds[r] if worlds is not None else None
                    tasks.append(RunTask(run_id, i, r, seed, point, pol.name, digest, w))
        return tasks

    def n_points(self) -> int:
        """Design points (worlds) without building them."""
        if self.sampler == "grid":
            return math.prod(len(p.grid()) for p in self.parameters)
        n, d = self.samples or 0, len(self.parameters)
        return {"lhs": n, "sobol": n * (d + 2), "morris": n * (d + 1)}[self.sampler]

    def with_sampler(self, sampler: str, samples: int | None = None) -> ExperimentSpec:
        """The same experiment under another sampler (how `netgov sensitivity` builds its design)."""
        spec = replace(self, sampler=sampler, samples=samples if samples is not None else self.samples)
        check_design(spec, f"{self.label}: sampler = {sampler!r}")
        return spec

    def resolved(self) -> dict[str, Any]:
        """The spec with every default filled in, for the manifest (and for checking a resumed batch)."""
        return {
            "spec": self.label,
            "summary": self.summary,
            "base": self.base,
            "sampler": self.sampler,
            "samples": self.samples,
            "levels": self.levels if self.sampler == "morris" else None,
            "replications": self.replications,
            "seed": self.seed,
            "outputs": list(self.outputs),
            "set": self.fixed,
            "question": self.question,
            "claims": [c.record() for c in self.claims],
            "policies": {p.name: {"base": p.base, **p.rules} for p in self.policies},
            "ensemble": str(self.ensemble.path) if self.ensemble is not None else None,
            "parameters": {
                p.key: {k: v for k, v in _param_dict(p).items() if v not in (None, ())} for p in self.parameters
            },
        }


def _param_dict(p: Parameter) -> dict[str, Any]:
    if p.values:
        return {"values": list(p.values)}
    return {
        "distribution": p.distribution,
        "min": p.low,
        "max": p.high,
        "step": p.step,
        "num": p.num,
        "mean": p.mean,
        "sd": p.sd,
    }


def check_design(spec: ExperimentSpec, where: str) -> None:
    """The sampler's needs: grid wants finite value lists, the others a sample count."""
    if spec.sampler == "grid":
        for p in spec.parameters:
            if not p.values and (p.distribution != "uniform" or (p.step is None and p.num is None)):
                raise ConfigError(
                    f"{where}: parameters.{p.key} is not allowed with sampler 'grid': expected a list of values"
                    " or a range with step or num (or use sampler lhs, sobol or morris)"
                )
        return
    if spec.samples is None:
        what = {"lhs": "points", "sobol": "base samples N (runs N*(D+2) points)", "morris": "trajectories"}
        raise ConfigError(
            f"{where}: 'samples' is missing: sampler {spec.sampler!r} needs the number of {what[spec.sampler]}"
            " (samples = N in the spec, or --samples N for netgov sensitivity)"
        )
    if spec.sampler == "sobol" and spec.samples & (spec.samples - 1):
        raise ConfigError(
            f"{where}: samples = {spec.samples} is not allowed: expected a power of 2 for sampler 'sobol'"
        )
    if spec.sampler == "morris":
        for p in spec.parameters:
            if p.distribution == "normal" and (p.low is None or p.high is None):
                raise ConfigError(
                    f"{where}: parameters.{p.key} is not allowed with sampler 'morris': a normal distribution"
                    " needs min and max (Morris visits the ends of every range)"
                )
