"""Experiment specs: which parameters to vary over a base scenario, how to sample them, how often to run each.

A spec is a TOML file validated like a scenario: every problem is one :class:`ConfigError` line
naming the file, the key, the value and what is allowed. Parameters are the dotted schema keys of
``--set`` (``notice_period``, ``actors.civil_society``). The design (the parameter points) comes
from ``itertools.product`` (grid), ``scipy.stats.qmc`` (lhs) or SALib (sobol, morris), mapped from
the unit hypercube through each parameter's list, range or distribution.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from netgov.experiment.runner import run_seed
from netgov.model.config import ConfigError, field_at, iter_fields, nest, suggest
from netgov.scenarios.loader import DEFAULT, SCENARIO_DIR, Scenario, load, read_toml, resolve_path

SAMPLERS = ("grid", "lhs", "sobol", "morris")
OUTPUTS = ("final", "steps", "issues")
DISTRIBUTIONS = ("uniform", "loguniform", "normal")
TOP_KEYS = ("summary", "base", "sampler", "samples", "levels", "replications", "seed", "steps", "outputs")
TABLE_KEYS = ("parameters", "set")
#: Keys of a parameter's table form: a range (``min``, ``max``, ``step`` or ``num``) or a distribution.
RANGE_KEYS = ("min", "max", "step", "num", "distribution", "mean", "sd")
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
        if self.num is not None:
            pts = np.linspace(self.low, self.high, self.num)
        else:
            assert self.step is not None
            pts = self.low + self.step * np.arange(math.floor((self.high - self.low) / self.step + 1e-9) + 1)
        return [self._cast(x) for x in pts]

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map points of [0, 1] to values: list index, or the distribution's quantile."""
        if self.values:
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
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
    params: dict[str, Any]


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
        """Every run: point-major, ``run_id = point * replications + replication``."""
        tasks = []
        for i, point in enumerate(self.points()):
            for r in range(self.replications):
                run_id = i * self.replications + r
                tasks.append(RunTask(run_id, i, r, run_seed(self.seed, run_id), point))
        return tasks

    def with_sampler(self, sampler: str, samples: int | None = None) -> ExperimentSpec:
        """The same experiment under another sampler (how `netgov sensitivity` builds its design)."""
        spec = replace(self, sampler=sampler, samples=samples if samples is not None else self.samples)
        _check_design(spec, f"{self.label}: sampler = {sampler!r}")
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


def _leaf_keys() -> set[str]:
    return {k for k, _ in iter_fields()}


def _flatten(table: Mapping[str, Any], where: str, leaves: set[str], prefix: str = "") -> dict[str, Any]:
    """TOML dotted keys arrive as nested tables: flatten them down to the schema's leaf keys."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if key in leaves:
            out[key] = v
        elif isinstance(v, Mapping) and field_at(key) is not None:
            out.update(_flatten(v, where, leaves, key + "."))
        else:
            raise ConfigError(f"{where}: unknown parameter '{key}'; {suggest(key)}")
    return out


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x: Any) -> bool:
    return (_is_int(x) or isinstance(x, float)) and math.isfinite(x)


def _parameter(key: str, raw: Any, where: str) -> Parameter:
    info = field_at(key)
    integer = info is not None and info.annotation is int
    if isinstance(raw, list):
        if not raw or any(isinstance(v, (list, dict)) for v in raw):
            raise ConfigError(f"{where}.{key} = {raw!r} is not allowed: expected a non-empty list of values")
        return Parameter(key, values=tuple(raw), integer=integer)
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"{where}.{key} = {raw!r} is not allowed: expected a list of values, a range {{min, max, step or num}}"
            f" or a distribution {{distribution = {' | '.join(DISTRIBUTIONS)}, ...}}"
        )
    unknown = [k for k in raw if k not in RANGE_KEYS]
    if unknown:
        hint = difflib.get_close_matches(unknown[0], RANGE_KEYS, n=1)
        did = f"did you mean '{hint[0]}'?" if hint else "allowed: " + ", ".join(RANGE_KEYS)
        raise ConfigError(f"{where}.{key}: unknown key '{unknown[0]}'; {did}")
    dist = raw.get("distribution", "uniform")
    if dist not in DISTRIBUTIONS:
        raise ConfigError(
            f"{where}.{key}.distribution = {dist!r} is not allowed: expected one of "
            + ", ".join(repr(d) for d in DISTRIBUTIONS)
        )
    for k, v in raw.items():
        if k == "num":
            if not _is_int(v) or v < 2:
                raise ConfigError(f"{where}.{key}.num = {v!r} is not allowed: expected an integer >= 2")
        elif k != "distribution" and not _is_num(v):
            raise ConfigError(f"{where}.{key}.{k} = {v!r} is not allowed: expected a finite number")
    need = ("mean", "sd") if dist == "normal" else ("min", "max")
    for k in need:
        if k not in raw:
            raise ConfigError(f"{where}.{key}: '{k}' is missing (a {dist} parameter needs {' and '.join(need)})")
    low, high = raw.get("min"), raw.get("max")
    if low is not None and high is not None and not low < high:
        raise ConfigError(f"{where}.{key}.max = {high!r} is not allowed: expected a number > min ({low!r})")
    if dist == "normal" and not raw["sd"] > 0:
        raise ConfigError(f"{where}.{key}.sd = {raw['sd']!r} is not allowed: expected a number > 0")
    if dist == "loguniform" and not low > 0:
        raise ConfigError(f"{where}.{key}.min = {low!r} is not allowed: expected a number > 0 for loguniform")
    if "step" in raw and not raw["step"] > 0:
        raise ConfigError(f"{where}.{key}.step = {raw['step']!r} is not allowed: expected a number > 0")
    if ("step" in raw or "num" in raw) and dist != "uniform":
        raise ConfigError(f"{where}.{key}: step and num belong to a uniform range, not to a {dist} distribution")
    if "step" in raw and "num" in raw:
        raise ConfigError(f"{where}.{key}: give step or num, not both")
    return Parameter(
        key,
        distribution=dist,
        low=low,
        high=high,
        step=raw.get("step"),
        num=raw.get("num"),
        mean=raw.get("mean"),
        sd=raw.get("sd"),
        integer=integer,
    )


def _int_key(raw: Mapping[str, Any], key: str, where: str, lowest: int) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if not _is_int(value) or value < lowest:
        raise ConfigError(f"{where}: {key} = {value!r} is not allowed: expected an integer >= {lowest}")
    return value


def _check_design(spec: ExperimentSpec, where: str) -> None:
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


def parse_spec(raw: Mapping[str, Any], path: Path | None) -> ExperimentSpec:
    """Validate a spec's parsed TOML and resolve its base scenario."""
    where = str(path) if path else "experiment"
    for k in raw:
        if k not in TOP_KEYS + TABLE_KEYS:
            close = difflib.get_close_matches(k, TOP_KEYS + TABLE_KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(TOP_KEYS + TABLE_KEYS)
            raise ConfigError(f"{where}: unknown key '{k}' = {raw[k]!r}; {hint}")
    summary = raw.get("summary", "")
    if not isinstance(summary, str):
        raise ConfigError(f"{where}: summary = {summary!r} is not allowed: expected a string")
    sampler = raw.get("sampler", "grid")
    if sampler not in SAMPLERS:
        raise ConfigError(
            f"{where}: sampler = {sampler!r} is not allowed: expected one of " + ", ".join(repr(s) for s in SAMPLERS)
        )
    outputs = raw.get("outputs", [])
    if not isinstance(outputs, list) or any(o not in OUTPUTS for o in outputs):
        raise ConfigError(
            f"{where}: outputs = {outputs!r} is not allowed: expected a list of " + ", ".join(repr(o) for o in OUTPUTS)
        )
    leaves = _leaf_keys()
    for table in TABLE_KEYS:
        if not isinstance(raw.get(table, {}), Mapping):
            raise ConfigError(f"{where}: {table} = {raw[table]!r} is not allowed: expected a table")
    params_raw = _flatten(raw.get("parameters", {}), f"{where}: parameters", leaves)
    if not params_raw:
        raise ConfigError(
            f"{where}: [parameters] is missing or empty: vary at least one parameter, e.g. notice_period = [1, 6]"
        )
    fixed_flat = _flatten(raw.get("set", {}), f"{where}: set", leaves)
    steps = _int_key(raw, "steps", where, 1)
    if steps is not None:
        if "steps" in fixed_flat:
            raise ConfigError(f"{where}: steps is given both at the top and in [set]; keep one")
        fixed_flat["steps"] = steps
    both = sorted(set(params_raw) & set(fixed_flat))
    if both:
        raise ConfigError(
            f"{where}: parameters.{both[0]} is also fixed in [set] (or by steps); vary it or fix it, not both"
        )
    base = raw.get("base", DEFAULT)
    if not isinstance(base, str):
        raise ConfigError(f"{where}: base = {base!r} is not allowed: expected a scenario name or a .toml file")
    if path is not None and base != DEFAULT and not Path(base).is_absolute() and (path.parent / base).is_file():
        base = str((path.parent / base).resolve())
    elif base != DEFAULT:
        resolve_path(base)  # a clear error for an unknown base
    fixed = nest(fixed_flat)
    try:
        scenario = load(base, fixed)
    except ConfigError as exc:
        raise ConfigError(f"{where}: base = {base!r} with [set]: {exc}") from None
    spec = ExperimentSpec(
        path=path,
        base=base,
        scenario=scenario,
        parameters=tuple(_parameter(k, v, f"{where}: parameters") for k, v in params_raw.items()),
        sampler=sampler,
        samples=_int_key(raw, "samples", where, 1),
        levels=_int_key(raw, "levels", where, 2) or 4,
        replications=_int_key(raw, "replications", where, 1) or 1,
        seed=_int_key(raw, "seed", where, 0) or 0,
        outputs=("final", *(o for o in OUTPUTS[1:] if o in outputs)),
        fixed=fixed,
        summary=summary,
    )
    if sampler == "grid" and "samples" in raw:
        raise ConfigError(
            f"{where}: samples = {raw['samples']!r} is not allowed with sampler 'grid' (it runs every combination)"
        )
    _check_design(spec, where)
    return spec


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate an experiment spec file."""
    p = Path(path)
    return parse_spec(read_toml(p, "the experiment spec"), p)
