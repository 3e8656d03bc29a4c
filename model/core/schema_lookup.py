"""Reading the schema by dotted name, and checking a parameter mapping against it.

Every error names the source, the dotted key, the value and what is allowed, in one line; the
dashboard, ``--set`` and the docs describe a parameter from the same field information.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from netgov.model.core.config import ModelConfig, merge
from netgov.model.core.errors import ConfigError


def iter_fields(model: type[BaseModel] = ModelConfig, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (dotted name, FieldInfo) for every leaf parameter of the schema."""
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        sub = _submodel(info.annotation)
        if sub is not None and name != "issues":
            yield from iter_fields(sub, key + ".")
        else:
            yield key, info


def _submodel(annotation: Any) -> type[BaseModel] | None:
    args = getattr(annotation, "__args__", None)
    candidates = [annotation, *(args or ())]
    for c in candidates:
        if isinstance(c, type) and issubclass(c, BaseModel):
            return c
    return None


def field_at(dotted: str) -> Any:
    """The FieldInfo of a dotted parameter name, or None."""
    model: type[BaseModel] | None = ModelConfig
    info = None
    for part in dotted.split("."):
        if model is None:
            return None
        fields = {(f.alias or n): f for n, f in model.model_fields.items()}
        info = fields.get(part)
        if info is None:
            return None
        model = _submodel(info.annotation)
    return info


def field_bounds(info: Any) -> dict[str, Any]:
    """A field's numeric limits, as {"ge" | "gt" | "le" | "lt": value}."""
    limits = ((k, getattr(m, k, None)) for m in info.metadata for k in ("ge", "gt", "le", "lt"))
    return {k: v for k, v in limits if v is not None}


def allowed(info: Any) -> str:
    """Describe what a field accepts, e.g. 'an integer from 0 to 24 (months)'."""
    ann = info.annotation
    choices = _literal_choices(ann)
    if choices:
        return "one of " + ", ".join(repr(c) for c in choices if c is not None)
    bounds = field_bounds(info)
    kind = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(ann)
    if kind is None:
        sub = _submodel(ann)
        if sub is not None:
            return "a table with keys " + ", ".join((f.alias or n) for n, f in sub.model_fields.items())
        kind = "a list of tables" if getattr(ann, "__origin__", None) is list else str(ann)
    lo = f">= {_num(bounds['ge'])}" if "ge" in bounds else f"> {_num(bounds['gt'])}" if "gt" in bounds else ""
    hi = f"<= {_num(bounds['le'])}" if "le" in bounds else f"< {_num(bounds['lt'])}" if "lt" in bounds else ""
    rng = " and ".join(x for x in (lo, hi) if x)
    unit = (info.json_schema_extra or {}).get("unit") if isinstance(info.json_schema_extra, dict) else ""
    unit_txt = f" ({unit})" if unit and unit not in ("0-1", "x", "weight") else ""
    return f"{kind} {rng}{unit_txt}".strip() if rng else f"{kind}{unit_txt}"


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _literal_choices(ann: Any) -> tuple[Any, ...]:
    origin = getattr(ann, "__origin__", None)
    if origin is Literal:
        return ann.__args__
    for a in getattr(ann, "__args__", ()) or ():
        if getattr(a, "__origin__", None) is Literal:
            return a.__args__
    return ()


def suggest(dotted: str) -> str:
    """A 'did you mean' hint for an unknown dotted key."""
    parent, _, leaf = dotted.rpartition(".")
    if parent:
        info = field_at(parent)
        sub = _submodel(info.annotation) if info is not None else None
    else:
        sub = ModelConfig
    if sub is None:
        return ""
    names = [(f.alias or n) for n, f in sub.model_fields.items()]
    close = difflib.get_close_matches(leaf, names, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{f'{parent}.' if parent else ''}{close[0]}'?"
    return "known keys here: " + ", ".join(names)


def _fmt_value(value: Any) -> str:
    text = repr(value)
    if isinstance(value, float) and math.isnan(value):
        text = "nan"
    return text if len(text) <= 60 else text[:57] + "..."


@functools.cache
def _defaults() -> dict[str, Any]:
    return ModelConfig().model_dump(by_alias=True)


def validate_config(data: Mapping[str, Any], source: str = "parameters") -> ModelConfig:
    """Validate a parameter mapping, turning the first problem into a one-line ConfigError.

    The mapping is merged over the schema's defaults first, so a partial table keeps the rest of
    its defaults: ``positions.anchoring = 0.3`` changes only ``anchoring``, not the whole table.
    """
    try:
        return ModelConfig.model_validate(merge(_defaults(), data))
    except ValidationError as exc:
        raise ConfigError(explain(exc, source)) from None


def explain(exc: ValidationError, source: str) -> str:
    """One line: the source, the dotted key, the value, and what is allowed."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    # a list index: keep it readable as issues[2].domain
    parts: list[str] = []
    for p in err["loc"]:
        if isinstance(p, int) and parts:
            parts[-1] += f"[{p}]"
        else:
            parts.append(str(p))
    key = ".".join(parts)
    value = err.get("input")
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key '{key}' = {_fmt_value(value)}; {suggest('.'.join(loc))}"
    if err["type"] == "missing":
        return f"{source}: '{key}' is missing"
    if err["type"] == "value_error":  # a check across values (a validator): its own reason
        return f"{source}: {key} = {_fmt_value(value)} is not allowed: {err['msg'].removeprefix('Value error, ')}"
    info = field_at(".".join(loc))
    what = allowed(info) if info is not None else err["msg"]
    return f"{source}: {key} = {_fmt_value(value)} is not allowed: expected {what}"
