"""Scenario files: TOML data validated against the parameter schema, with `extends` and provenance.

A scenario names the recommendation it encodes and sets only what differs from the
defaults (or from the scenario it ``extends``). Every problem becomes a one-line
:class:`ConfigError` that names the file, the key, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netgov.model.config import ConfigError, ModelConfig, flatten, iter_fields, merge, validate_config

SCENARIO_DIR = Path(__file__).resolve().parent
DEFAULT = "defaults"
DEFAULT_TITLE = "Schema defaults: a generic multistakeholder setting"


@dataclass
class Scenario:
    """A resolved scenario: its validated config and where each parameter's value came from."""

    name: str
    summary: str
    config: ModelConfig
    title: str = ""  # a readable title for tables and the dashboard (the file name stays the key)
    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the merged, unvalidated parameters
    sources: dict[str, str] = field(default_factory=dict)  # dotted key -> origin

    def source_of(self, key: str) -> str:
        return self.sources.get(key, "default")


def scenario_names() -> list[str]:
    """Names of the shipped scenarios."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def resolve_path(ref: str | Path) -> Path:
    """A shipped scenario's file, or the file a user passed."""
    text = str(ref)
    if text in scenario_names():
        return SCENARIO_DIR / f"{text}.toml"
    path = Path(text)
    if path.is_file():
        return path
    known = ", ".join(scenario_names())
    raise ConfigError(f"{text}: no such scenario or file (scenarios: {known}, or a path to a .toml file)")


def read_toml(path: Path, what: str = "the file") -> dict[str, Any]:
    """A TOML file's table; a missing, unreadable or broken file is one ConfigError line naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.__class__.__name__}: {exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _label(path: Path) -> str:
    return path.stem if path.parent == SCENARIO_DIR else str(path)


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, str], str, str]:
    """Merged parameters, their sources, and the summary and title of the scenario at ``path``
    (the title is the file's own, never inherited through ``extends``; its name if it has none)."""
    raw = read_toml(path)
    summary = raw.pop("summary", "")
    title = raw.pop("title", path.stem)
    for key, text in (("summary", summary), ("title", title)):
        if not isinstance(text, str):
            raise ConfigError(f"{path}: {key} = {text!r} is not allowed: expected a string")
    extends = raw.pop("extends", None)
    data: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if extends is not None:
        if not isinstance(extends, str):
            raise ConfigError(f"{path}: extends = {extends!r} is not allowed: expected a scenario name or file")
        base_path = resolve_path(extends) if extends in scenario_names() else (path.parent / extends)
        if not base_path.is_file():
            base_path = resolve_path(extends)
        if base_path.resolve() in chain or base_path.resolve() == path.resolve():
            cycle = " -> ".join(_label(p) for p in (*chain, path.resolve(), base_path.resolve()))
            raise ConfigError(f"{path}: extends = {extends!r} makes a cycle: {cycle}")
        data, base_sources, _, _ = _resolve(base_path, (*chain, path.resolve()))
        sources = {
            k: (v if v.startswith("base") else f"base scenario {_label(base_path)}") for k, v in base_sources.items()
        }
    validate_config(raw, str(path))  # errors name the file that holds the bad value
    data = merge(data, raw)
    sources.update(dict.fromkeys(flatten(raw), "this file"))
    return data, sources, summary, title


def parse_set(items: Iterable[str]) -> dict[str, Any]:
    """``--set key=value`` items as a nested mapping; values are TOML (bare words are strings)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--set {item!r}: expected key=value, e.g. --set notice_period=6")
        try:
            value = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = text.strip()
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise ConfigError(f"--set {item!r}: '{part}' was already set to a value, not a table")
            node = nxt
        node[parts[-1]] = value
    return out


def load(ref: str | Path | None = None, overrides: Iterable[str] | Mapping[str, Any] = ()) -> Scenario:
    """Load a scenario by name or path (None: the schema's defaults) and apply ``--set`` overrides."""
    if ref is None or str(ref) == DEFAULT:
        path, data, sources, name = None, {}, {}, DEFAULT
        summary, title = "the schema's default parameters", DEFAULT_TITLE
    else:
        path = resolve_path(ref)
        data, sources, summary, title = _resolve(path, ())
        name = _label(path)
    sets = dict(overrides) if isinstance(overrides, Mapping) else parse_set(overrides)
    if sets:
        validate_config(merge(data, sets), "--set")
        data = merge(data, sets)
        sources.update(dict.fromkeys(flatten(sets), "--set"))
    config = validate_config(data, str(path) if path else DEFAULT)
    return Scenario(name=name, summary=summary, config=config, title=title, path=path, data=data, sources=sources)


def resolved_parameters(scenario: Scenario) -> list[tuple[str, Any, str]]:
    """Every parameter of a scenario: (dotted key, value, source)."""
    values = flatten(scenario.config.model_dump(by_alias=True))
    rows = []
    for key, _info in iter_fields():
        value = values.get(key)  # None under an unset optional table (stance.general.government_region_mean)
        src = scenario.source_of(key)
        if src == "default":  # a table set as a whole (e.g. agenda.issues) counts for its leaves
            src = next((s for k, s in scenario.sources.items() if key.startswith(k + ".")), "default")
        rows.append((key, value, src))
    return rows


def to_toml(scenario: Scenario) -> str:
    """The resolved scenario as a self-contained TOML file (no ``extends``): loading it gives the same config."""
    import tomli_w

    data = scenario.config.model_dump(by_alias=True, exclude_none=True)
    head = f"# {scenario.name}, resolved: every parameter, as `netgov scenarios show --toml` printed it.\n"
    return head + tomli_w.dumps({"title": scenario.title, "summary": scenario.summary, **data})
