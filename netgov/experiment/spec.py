"""Experiment specs: which parameters to vary over a base scenario, how to sample them, how often to run each.

A spec is a TOML file validated like a scenario, by pydantic models as strict as the parameter schema
(:mod:`netgov.model.core.config`): every problem is one :class:`ConfigError` line naming the file, the key,
the value and what is allowed. Parameters are the dotted schema keys of ``--set`` (``notice_period``,
``actors.civil_society``); each is a list of values, a range ``{min, max, step | num}`` or a
distribution ``{distribution = uniform | loguniform | normal, mean, sd, min, max}``. The design (the
parameter points) comes from ``itertools.product`` (grid), ``scipy.stats.qmc`` (lhs) or SALib (sobol,
morris), mapped from the unit hypercube through each parameter's list, range or distribution.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal, Self, get_args, get_origin

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from netgov.experiment.ensemble import SHIPPED_NAME, Ensemble
from netgov.experiment.runner import run_seed
from netgov.model.core.config import (
    ConfigError,
    Strict,
    allowed,
    field_at,
    field_bounds,
    flatten,
    iter_fields,
    merge,
    nest,
    suggest,
    validate_config,
)
from netgov.model.core.contract import JUDGED_METRICS
from netgov.scenarios.loader import DEFAULT, SCENARIO_DIR, Scenario, load, read_toml, resolve_path, world_under

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
            "question": self.question,
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


# -- the spec file, as pydantic models ------------------------------------------------------------
# Errors raised here are PydanticCustomError("netgov_...", message): the message is the "expected ..."
# part of the one line _explain writes; pydantic's own errors get their text from the field (_expected).


def _finite(x: Any) -> int | float:
    """A TOML number as written: an int stays an int (the manifest, and so a resumed batch, compares them)."""
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        raise PydanticCustomError("netgov_number", "expected a finite number")
    return x


def _positive(x: int | float) -> int | float:
    if not x > 0:
        raise PydanticCustomError("netgov_positive", "expected a number > 0")
    return x


def _above_min(high: int | float, info: ValidationInfo) -> int | float:
    low = info.data.get("min")
    if low is not None and not low < high:
        raise PydanticCustomError("netgov_above_min", "expected a number > min ({low})", {"low": low})
    return high


def _log_min(low: int | float, info: ValidationInfo) -> int | float:
    if info.data.get("distribution") == "loguniform" and not low > 0:
        raise PydanticCustomError("netgov_log_min", "expected a number > 0 for loguniform")
    return low


def _scalar(x: Any) -> Any:
    if isinstance(x, list | dict):
        raise PydanticCustomError("netgov_scalar", "expected a non-empty list of values")
    return x


Number = Annotated[int | float, PlainValidator(_finite)]
Positive = Annotated[Number, AfterValidator(_positive)]
Max = Annotated[Number, AfterValidator(_above_min)]


class Range(Strict):
    """A uniform range: continuous under lhs/sobol/morris, its ``step`` or ``num`` points in a grid."""

    distribution: Literal["uniform"] = "uniform"
    min: Number
    max: Max
    step: Positive | None = None
    num: int | None = Field(None, ge=2)

    @model_validator(mode="after")
    def _step_or_num(self) -> Self:
        if self.step is not None and self.num is not None:
            raise PydanticCustomError("netgov_step_and_num", "give step or num, not both")
        return self


class Distribution(Strict):
    """A loguniform ``{min, max}`` or a normal ``{mean, sd}`` that ``min``/``max`` truncate; never on a grid."""

    distribution: DistributionName
    min: Annotated[Number, AfterValidator(_log_min)] | None = None
    max: Max | None = None
    mean: Number | None = None
    sd: Positive | None = None

    @model_validator(mode="after")
    def _needs(self) -> Self:
        need = ("mean", "sd") if self.distribution == "normal" else ("min", "max")
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise PydanticCustomError(
                "netgov_missing",
                "'{key}' is missing (a {dist} distribution needs {need})",
                {"key": missing[0], "dist": self.distribution, "need": " and ".join(need)},
            )
        if self.distribution != "normal" and (self.mean is not None or self.sd is not None):
            raise PydanticCustomError("netgov_normal_only", "mean and sd belong to a normal distribution")
        return self


def _form(raw: Any) -> str | None:
    """Which form a parameter is written in: a list, a (uniform) range, another distribution; None: none."""
    if isinstance(raw, list):
        return "values"
    if isinstance(raw, Mapping):
        return "range" if raw.get("distribution", "uniform") == "uniform" else "distribution"
    return None


FORMS: dict[str, type[BaseModel]] = {"range": Range, "distribution": Distribution}
#: The form a key of the other form belongs to, for the hint on an unknown key.
BELONGS = {
    "step": "a uniform range",
    "num": "a uniform range",
    "mean": "distribution = 'normal'",
    "sd": "distribution = 'normal'",
}
ParameterForm = Annotated[
    Annotated[list[Annotated[Any, PlainValidator(_scalar)]], Field(min_length=1), Tag("values")]
    | Annotated[Range, Tag("range")]
    | Annotated[Distribution, Tag("distribution")],
    Discriminator(
        _form,
        custom_error_type="netgov_form",
        custom_error_message="expected a list of values, a range {min, max, step or num} or a distribution"
        " {distribution = " + " | ".join(DISTRIBUTIONS) + ", ...}",
    ),
]
PARAMETERS: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, ParameterForm])


class SpecFile(Strict):
    """The keys of a spec file; its tables' keys are schema parameters, checked by :func:`_by_parameter`."""

    summary: str = ""
    question: str = ""
    metrics: list[str] = Field(default_factory=list)
    base: str = Field(DEFAULT, description="a scenario name or a .toml file")
    sampler: Sampler = "grid"
    samples: int | None = Field(None, ge=1)
    levels: int = Field(4, ge=2)
    replications: int = Field(1, ge=1)
    seed: int = Field(0, ge=0)
    steps: int | None = Field(None, ge=1)
    outputs: list[Output] = Field(default_factory=list)
    parameters: dict[str, Any] = Field(default_factory=dict)
    uncertainties: dict[str, Any] = Field(default_factory=dict)
    policies: dict[str, str | dict[str, Any]] = Field(default_factory=dict)
    set: dict[str, Any] = Field(default_factory=dict)
    ensemble: str | None = Field(None, description="`calibrated` or a .parquet of parameter sets (netgov calibrate)")


def _expected(info: FieldInfo) -> str:
    """What a key accepts, from its type and bounds: "an integer >= 1", "one of 'grid', 'lhs', ..."."""
    ann = info.annotation
    args = [a for a in get_args(ann) if a is not type(None)]
    if len(args) == 1 and type(None) in get_args(ann):  # X | None: what X accepts
        ann = args[0]
    if get_origin(ann) is Literal:
        return "one of " + ", ".join(repr(c) for c in get_args(ann))
    if get_origin(ann) is list:
        return "a list of " + ", ".join(repr(c) for c in get_args(get_args(ann)[0]))
    if get_origin(ann) is dict:
        return "a table"
    if ann is int:
        return f"an integer >= {field_bounds(info)['ge']}"
    return info.description or "a string"


def _explain(exc: ValidationError, data: Mapping[str, Any], where: str, table: str = "") -> str:
    """The first problem as one line: where, the key, the value, and what is allowed (or a did-you-mean).

    With ``table`` the data are parameters, located as (name, form, key...), e.g.
    ``("travel_support", "range", "max")``; otherwise the spec's top-level keys.
    """
    err = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # an unknown key first
    loc = [str(p) for p in err["loc"]]
    model: type[BaseModel] = SpecFile
    known, label, scope = "known keys", "", f"{where}: "
    if table:
        name, value = f"{table}.{loc[0]}", data[loc[0]]
        if len(loc) == 1 or loc[1] == "values":  # in none of the forms, or a bad list
            msg = err["msg"] if len(loc) == 1 else "expected a non-empty list of values"
            return f"{where}: {name} = {value!r} is not allowed: {msg}"
        if len(loc) == 2:  # a check across the keys of a range or distribution
            return f"{where}: {name}: {err['msg']}"
        model, known, label, scope = FORMS[loc[1]], "allowed here", f"{name}.", f"{where}: {name}: "
        loc, data = loc[2:], value
    key = loc[0]
    if err["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, list(model.model_fields), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"{known}: " + ", ".join(model.model_fields)
        if table and key in BELONGS:
            hint = f"{key} belongs to {BELONGS[key]}"
        return f"{scope}unknown key '{key}' = {err['input']!r}; {hint}"
    if err["type"] == "missing":
        return f"{scope}'{key}' is missing (a range needs min and max)"
    what = err["msg"] if err["type"].startswith("netgov_") else "expected " + _expected(model.model_fields[key])
    return f"{where}: {label}{key} = {data[key]!r} is not allowed: {what}"


def _by_parameter(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A spec table's entries keyed by the schema parameter they name, in the order written.

    TOML dotted keys arrive as nested tables: ``[parameters.actors] business = [1, 2]`` names
    ``actors.business``, while ``[parameters.travel_support] min = 0`` is the table of ``travel_support``.
    """
    leaves = {k for k, _ in iter_fields()}
    out: dict[str, Any] = {}
    for dotted, value in flatten(table).items():
        prefixes = itertools.accumulate(dotted.split("."), lambda a, b: f"{a}.{b}")
        name = next((n for n in prefixes if n in leaves or field_at(n) is None), dotted)
        if name not in leaves:
            raise ConfigError(f"{where}: unknown parameter '{name}'; {suggest(name)}")
        if name == dotted:
            out[name] = value
        else:  # a key of the parameter's own table (min, max, ...)
            out.setdefault(name, {})[dotted[len(name) + 1 :]] = value
    return {k: nest(v) if isinstance(v, dict) else v for k, v in out.items()}


def _parameter(key: str, form: list[Any] | Range | Distribution) -> Parameter:
    info = field_at(key)
    integer = info is not None and info.annotation is int
    if isinstance(form, list):
        return Parameter(key, values=tuple(form), integer=integer)
    return Parameter(
        key,
        distribution=form.distribution,
        low=form.min,
        high=form.max,
        step=getattr(form, "step", None),
        num=getattr(form, "num", None),
        mean=getattr(form, "mean", None),
        sd=getattr(form, "sd", None),
        integer=integer,
    )


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
    try:
        top = SpecFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, raw, where)) from None
    if top.parameters and top.uncertainties:
        raise ConfigError(
            f"{where}: both [parameters] and [uncertainties] are given; they are the same table (the sampled"
            " parameters): keep one"
        )
    table = "uncertainties" if top.uncertainties else "parameters"
    params_raw = _by_parameter(top.uncertainties or top.parameters, f"{where}: {table}")
    if not params_raw:
        raise ConfigError(
            f"{where}: [parameters] is missing or empty: vary at least one parameter, e.g. notice_period = [1, 6]"
        )
    try:
        forms = PARAMETERS.validate_python(params_raw)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, params_raw, where, table)) from None
    fixed_flat = _by_parameter(top.set, f"{where}: set")
    if top.steps is not None:
        if "steps" in fixed_flat:
            raise ConfigError(f"{where}: steps is given both at the top and in [set]; keep one")
        fixed_flat["steps"] = top.steps
    both = sorted(set(params_raw) & set(fixed_flat))
    if both:
        raise ConfigError(
            f"{where}: parameters.{both[0]} is also fixed in [set] (or by steps); vary it or fix it, not both"
        )
    base = _base_ref(top.base, path)
    fixed = nest(fixed_flat)
    try:
        scenario = load(base, fixed)
    except ConfigError as exc:
        raise ConfigError(f"{where}: base = {base!r} with [set]: {exc}") from None
    policies = tuple(
        _policy(name, value, base, path, fixed, set(params_raw), f"{where}: policies.{name}")
        for name, value in top.policies.items()
    )
    spec = ExperimentSpec(
        path=path,
        base=base,
        scenario=scenario,
        policies=policies,
        question=top.question,
        metrics=_judged(top.metrics, where),
        parameters=tuple(_parameter(k, form) for k, form in forms.items()),
        sampler=top.sampler,
        samples=top.samples,
        levels=top.levels,
        replications=top.replications,
        seed=top.seed,
        outputs=("final", *(o for o in OUTPUTS[1:] if o in top.outputs)),
        fixed=fixed,
        summary=top.summary,
        ensemble=_ensemble(top.ensemble, path, where),
    )
    if top.sampler == "grid" and top.samples is not None:
        raise ConfigError(
            f"{where}: samples = {top.samples!r} is not allowed with sampler 'grid' (it runs every combination)"
        )
    _check_design(spec, where)
    _check_values(spec, where, table)
    return spec


def _judged(metrics: list[str], where: str) -> tuple[str, ...]:
    """The study's ``metrics``: each one a recommendation can claim to improve (the contract says which way)."""
    for m in metrics:
        if m not in JUDGED_METRICS:
            raise ConfigError(
                f"{where}: metrics = {m!r} is not allowed: expected a metric where higher or lower is better:"
                f" {', '.join(JUDGED_METRICS)}"
            )
    return tuple(metrics)


def _ensemble(ref: str | None, path: Path | None, where: str) -> Ensemble | None:
    """The spec's ensemble: ``calibrated`` (shipped) or a Parquet file, relative to the spec's folder."""
    if ref is None:
        return None
    if ref != SHIPPED_NAME and path is not None and not Path(ref).is_absolute():
        ref = str(path.parent / ref)
    return Ensemble.load(ref, f"{where}: ensemble =")


def _base_ref(ref: str, path: Path | None) -> str:
    """A scenario reference as given, or resolved against the spec's folder when a file is there."""
    if path is not None and ref != DEFAULT and not Path(ref).is_absolute() and (path.parent / ref).is_file():
        return str((path.parent / ref).resolve())
    if ref != DEFAULT:
        resolve_path(ref)  # a clear error for an unknown scenario
    return ref


def _policy(
    name: str,
    value: str | dict[str, Any],
    base: str,
    path: Path | None,
    fixed: dict[str, Any],
    varied: set[str],
    where: str,
) -> Policy:
    """A policy: a scenario (name or file), or a rule set {schema key: value, base = optional scenario}."""
    if isinstance(value, str):
        ref, rules = _base_ref(value, path), {}
    else:
        table = dict(value)
        ref = _base_ref(str(table.pop("base", base)), path)
        rules = _by_parameter(table, where)
        if not rules:
            raise ConfigError(f"{where}: an empty rule set; give schema keys (e.g. notice_period = 6) or a scenario")
    clash = sorted(set(rules) & varied) or sorted(set(rules) & set(flatten(fixed)))
    if clash:
        raise ConfigError(
            f"{where}: {clash[0]} is set by the policy and also varied or fixed in [set]; a key is a policy's"
            " lever or an uncertainty or fixed, not two of these"
        )
    try:
        scenario = load(ref, merge(nest(rules), fixed))
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return Policy(name, ref, rules, scenario)


def _candidates(p: Parameter) -> list[Any]:
    """The values a parameter can take that bound every other: its list, or its range's ends."""
    if p.values:
        return list(p.values)
    return [p._cast(x) for x in (p.low, p.high) if x is not None]


def _check_values(spec: ExperimentSpec, where: str, table: str) -> None:
    """Every value a run can get, checked against the schema under every policy before anything runs."""
    for p in spec.parameters:
        info = field_at(p.key)
        bounds = field_bounds(info) if info is not None else {}
        if p.distribution == "normal" and bounds and (p.low is None or p.high is None):
            raise ConfigError(
                f"{where}: {table}.{p.key}: a normal distribution needs min and max here: expected {allowed(info)}"
            )
        for value in _candidates(p):
            for pol in spec.policies:
                try:
                    validate_config(merge(pol.scenario.data, nest({p.key: value})), "parameters")
                except ConfigError as exc:
                    under = f" under policy {pol.name!r}" if len(spec.policies) > 1 else ""
                    what = str(exc).split(" is not allowed: ", 1)[-1]
                    raise ConfigError(f"{where}: {table}.{p.key} = {value!r} is not allowed{under}: {what}") from None


def load_spec(path: str | Path) -> ExperimentSpec:
    """Read and validate an experiment spec file."""
    p = Path(path)
    return parse_spec(read_toml(p, "the experiment spec"), p)
