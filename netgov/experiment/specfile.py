"""Reading an experiment spec file: its TOML validated by pydantic models as strict as the parameter schema
(:mod:`netgov.model.core.config`), every problem one :class:`ConfigError` line naming the file, the key, the
value and what is allowed; its size checked against the ceilings from its shape, then every value a run can
get checked against the schema under every policy, all before anything runs.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal, Self, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
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

from netgov.experiment import limits
from netgov.experiment.claims import claim_from_table
from netgov.experiment.ensemble import SHIPPED_NAME, Ensemble
from netgov.experiment.limits import LEVELS_BOUND, MAX_SEED, REPLICATIONS_BOUND, SAMPLES_BOUND
from netgov.experiment.spec import (
    DISTRIBUTIONS,
    OUTPUTS,
    DistributionName,
    ExperimentSpec,
    Output,
    Parameter,
    Policy,
    Sampler,
    Search,
    check_design,
)
from netgov.model.core.config import flatten, merge, nest
from netgov.model.core.contract import JUDGED_METRICS
from netgov.model.core.errors import ConfigError
from netgov.model.core.schema import Strict
from netgov.model.core.schema_lookup import allowed, field_at, field_bounds, iter_fields, suggest, validate_config
from netgov.scenarios.loader import DEFAULT, load, read_toml, resolve_path

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
    num: int | None = Field(None, ge=2, le=SAMPLES_BOUND)

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


class SearchFile(Strict):
    """``[search]``: NSGA-II's population and generations for ``netgov design``."""

    population: int = Field(12, ge=4, le=1000)
    generations: int = Field(4, ge=1, le=1000)


class SpecFile(Strict):
    """The keys of a spec file; its tables' keys are schema parameters, checked by :func:`_by_parameter`."""

    summary: str = ""
    question: str = ""
    metrics: list[str] = Field(default_factory=list)
    claims: list[dict[str, Any]] = Field(default_factory=list)
    levers: dict[str, Any] = Field(default_factory=dict)
    search: SearchFile | None = None
    base: str = Field(DEFAULT, description="a scenario name or a .toml file")
    sampler: Sampler = "grid"
    samples: int | None = Field(None, ge=1, le=SAMPLES_BOUND)
    levels: int = Field(4, ge=2, le=LEVELS_BOUND)
    replications: int = Field(1, ge=1, le=REPLICATIONS_BOUND)
    seed: int = Field(0, ge=0, le=MAX_SEED)
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
        lo, hi = field_bounds(info)["ge"], field_bounds(info).get("le")
        return f"an integer from {lo} to {hi}" if hi is not None else f"an integer >= {lo}"
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
    elif len(loc) > 1 and loc[0] == "search":  # a key of the [search] table
        model, known, label, scope = SearchFile, "allowed here", "search.", f"{where}: search: "
        loc, data = loc[1:], data["search"]
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


def parse_spec(raw: Mapping[str, Any], path: Path | None, i_know: bool = False) -> ExperimentSpec:
    """Validate a spec's parsed TOML and resolve its base scenario. Its size is checked against the ceilings
    (:func:`limits.check_spec`, counted from its shape) before any of its values is: a spec of half a million
    values is refused at once, not after checking each."""
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
    levers = _levers(top, params_raw, fixed_flat, where)
    spec = ExperimentSpec(
        path=path,
        base=base,
        scenario=scenario,
        policies=policies,
        question=top.question,
        metrics=_judged(top.metrics, where),
        claims=tuple(
            claim_from_table(c, [p.name for p in policies], f"{where}: claims[{i}]") for i, c in enumerate(top.claims)
        ),
        levers=levers,
        search=Search(top.search.population, top.search.generations) if top.search is not None else None,
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
    check_design(spec, where)
    limits.check_spec(spec, i_know)
    _check_values(spec, where, table)
    _check_values(replace(spec, parameters=spec.levers), where, "levers")
    return spec


def _levers(top: SpecFile, varied: Mapping[str, Any], fixed: Mapping[str, Any], where: str) -> tuple[Parameter, ...]:
    """``[levers]``: lists or ranges (a lever is chosen, not drawn), none of them an uncertainty or fixed."""
    raw = _by_parameter(top.levers, f"{where}: levers")
    try:
        forms = PARAMETERS.validate_python(raw)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, raw, where, "levers")) from None
    for key, form in forms.items():
        if isinstance(form, Distribution):
            raise ConfigError(
                f"{where}: levers.{key} is not allowed: expected a list of values or a range {{min, max}} (a lever is"
                " chosen, not drawn from a distribution)"
            )
        if key in varied or key in fixed:
            raise ConfigError(
                f"{where}: levers.{key} is also an uncertainty or fixed in [set]; a key is a lever or an uncertainty"
                " or fixed, not two of these"
            )
    if forms and top.policies:
        raise ConfigError(f"{where}: [levers] and [policies] are given; netgov design searches the levers: keep one")
    return tuple(_parameter(k, form) for k, form in forms.items())


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


#: Values of one parameter that all get the whole-config check under every policy (~0.1 ms each); past this
#: many distinct values, only the ones that can fail it do (see :func:`_to_check`).
WHOLE_CHECKS = 32


@functools.cache
def _field_check(key: str) -> TypeAdapter[list[Any]]:
    """A schema field's own type and bounds, for a list of values at once (one pydantic call)."""
    info = field_at(key)
    return TypeAdapter(list[Annotated[info.annotation, info]], config=ConfigDict(strict=True))  # type: ignore[name-defined]  # a type known at run time


def _to_check(key: str, values: list[Any]) -> list[Any]:
    """The values of a parameter worth the whole-config check: each distinct one if there are few; else the
    first that fails its field's own type and bounds (every value checked in one call), else the first, the
    last, the smallest and the largest. A spec may hold half a million values (issue 30): checked one by one
    under three policies they took 130 s. The schema has no check across keys that a middle value could fail."""
    distinct = list({(type(v), v) if isinstance(v, str | int | float) else repr(v): v for v in values}.values())
    if len(distinct) <= WHOLE_CHECKS:
        return distinct
    try:
        _field_check(key).validate_python(distinct)
    except ValidationError as exc:
        return [distinct[int(exc.errors()[0]["loc"][0])]]  # the first bad value's index in the list
    numbers = [v for v in distinct if isinstance(v, int | float) and not isinstance(v, bool)]
    return [distinct[0], distinct[-1], *([min(numbers), max(numbers)] if numbers else [])]


def _check_values(spec: ExperimentSpec, where: str, table: str) -> None:
    """Every value a run can get, checked against the schema under every policy before anything runs."""
    for p in spec.parameters:
        info = field_at(p.key)
        bounds = field_bounds(info) if info is not None else {}
        if p.distribution == "normal" and bounds and (p.low is None or p.high is None):
            raise ConfigError(
                f"{where}: {table}.{p.key}: a normal distribution needs min and max here: expected {allowed(info)}"
            )
        for value in _to_check(p.key, _candidates(p)):
            for pol in spec.policies:
                try:
                    validate_config(merge(pol.scenario.data, nest({p.key: value})), "parameters")
                except ConfigError as exc:
                    under = f" under policy {pol.name!r}" if len(spec.policies) > 1 else ""
                    what = str(exc).split(" is not allowed: ", 1)[-1]
                    raise ConfigError(f"{where}: {table}.{p.key} = {value!r} is not allowed{under}: {what}") from None


def load_spec(path: str | Path, i_know: bool = False) -> ExperimentSpec:
    """Read and validate an experiment spec file (``i_know``: past the size ceilings, not the hard bounds)."""
    p = Path(path)
    return parse_spec(read_toml(p, "the experiment spec"), p, i_know)
