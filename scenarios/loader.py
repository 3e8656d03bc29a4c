"""Scenario files: TOML data validated against the parameter schema, with `extends` and provenance.

A scenario names the recommendation it encodes and sets only what differs from the
defaults (or from the scenario it ``extends``). Every problem becomes a one-line
:class:`ConfigError` that names the file, the key, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from netgov.model.core.config import ModelConfig, flatten, merge, nest
from netgov.model.core.errors import ConfigError
from netgov.model.core.schema_lookup import iter_fields, validate_config

SCENARIO_DIR = Path(__file__).resolve().parent
DEFAULT = "defaults"
DEFAULT_TITLE = "The calibrated world (schema defaults)"
DEFAULT_RECOMMENDATION = (
    "The calibrated world: the defaults, whose unobserved parameters were fitted to IGF and WCIT-12 figures."
)
#: Ceilings on what a TOML file or ``--set`` value may hold: tables and arrays nested at most this
#: deep (the schema needs 3), integers within 64 bits, files at most this many bytes (ten times the largest
#: shipped file, and parsed in well under a second: a spec of a megabyte took 1.5 s in tomllib alone).
MAX_DEPTH = 20
MAX_INT = 2**63 - 1
MAX_BYTES = 256_000


@dataclass
class Scenario:
    """A resolved scenario: its validated config and where each parameter's value came from."""

    name: str
    summary: str
    config: ModelConfig
    title: str = ""  # a readable title for tables and the dashboard (the file name stays the key)
    recommendation: str = ""  # the recommendation it encodes, in plain words (the dashboard's scenario card)
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


def _check_limits(data: Any, where: str, depth: int = 0) -> None:
    """Nesting depth and integer size of parsed TOML, within the loader's ceilings."""
    if depth > MAX_DEPTH:
        raise ConfigError(f"{where}: tables or arrays nested more than {MAX_DEPTH} deep are not allowed")
    if isinstance(data, dict):
        for value in data.values():
            _check_limits(value, where, depth + 1)
    elif isinstance(data, list):
        for value in data:
            _check_limits(value, where, depth + 1)
    elif isinstance(data, int) and not isinstance(data, bool) and not -MAX_INT - 1 <= data <= MAX_INT:
        raise ConfigError(f"{where}: an integer of {len(str(abs(data)))} digits is not allowed: at most {MAX_INT}")


def _loads(text: str, where: str) -> dict[str, Any]:
    """``tomllib.loads`` within the ceilings (too deep or too large: ConfigError; broken: TOMLDecodeError)."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError(f"{where}: tables or arrays nested more than {MAX_DEPTH} deep are not allowed") from None
    except ValueError as exc:
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise
        # e.g. an integer beyond the digits Python converts (sys.get_int_max_str_digits)
        raise ConfigError(f"{where}: a value is too large ({' '.join(str(exc).split())[:120]})") from None
    _check_limits(data, where)
    return data


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """TOML text as a table; broken, too deeply nested or too large input is one ConfigError line."""
    try:
        return _loads(text, where)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {' '.join(str(exc).split())}") from None


def read_toml(path: Path, what: str = "the file") -> dict[str, Any]:
    """A TOML file's table; a missing, unreadable or broken file is one ConfigError line naming it."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(f"{path}: {what} is {size} bytes; at most {MAX_BYTES} are allowed")
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows editors add one) is not TOML
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.__class__.__name__}: {exc})") from None
    return parse_toml(text, str(path))


def _label(path: Path) -> str:
    return path.stem if path.parent == SCENARIO_DIR else str(path)


def _extends_target(path: Path, extends: str) -> Path:
    """What ``extends`` in ``path`` names: a shipped scenario, or a file relative to ``path``'s folder.

    Never the current directory: the same file means the same scenario wherever it is loaded from.
    """
    if extends in scenario_names():
        return SCENARIO_DIR / f"{extends}.toml"
    target = path.parent / extends
    if target.is_file():
        return target
    raise ConfigError(
        f"{path}: extends = {extends!r}: no such scenario, and no file {target}"
        " (a shipped scenario, see `netgov scenarios`, or a path relative to this file)"
    )


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, str], str, str, str]:
    """Merged parameters, their sources, and the summary and title of the scenario at ``path``
    (the title is the file's own, never inherited through ``extends``; its name if it has none), and its
    recommendation in plain words (also its own)."""
    raw = read_toml(path)
    summary = raw.pop("summary", "")
    title = raw.pop("title", path.stem)
    recommendation = raw.pop("recommendation", "")
    for key, text in (("summary", summary), ("title", title), ("recommendation", recommendation)):
        if not isinstance(text, str):
            raise ConfigError(f"{path}: {key} = {text!r} is not allowed: expected a string")
    extends = raw.pop("extends", None)
    data: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if extends is not None:
        if not isinstance(extends, str):
            raise ConfigError(f"{path}: extends = {extends!r} is not allowed: expected a scenario name or file")
        base_path = _extends_target(path, extends)
        if base_path.resolve() in chain or base_path.resolve() == path.resolve():
            cycle = " -> ".join(_label(p) for p in (*chain, path.resolve(), base_path.resolve()))
            raise ConfigError(f"{path}: extends = {extends!r} makes a cycle: {cycle}")
        data, base_sources, _, _, _ = _resolve(base_path, (*chain, path.resolve()))
        sources = {
            k: (v if v.startswith("base") else f"base scenario {_label(base_path)}") for k, v in base_sources.items()
        }
    validate_config(raw, str(path))  # errors name the file that holds the bad value
    data = merge(data, raw)
    sources.update(dict.fromkeys(flatten(raw), "this file"))
    return data, sources, summary, title, recommendation


def check_key(key: str, where: str) -> list[str]:
    """A dotted key's parts; a key deeper than the loader's nesting limit is one ConfigError line (5,000 parts
    ended in a RecursionError)."""
    parts = key.split(".")
    if len(parts) > MAX_DEPTH:
        raise ConfigError(f"{where}: a key of {len(parts)} dotted parts is not allowed: at most {MAX_DEPTH}")
    return parts


def overrides(flat: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Keyword overrides from Python (dotted keys, ``{"agenda.rate": 1.0}``) as the nested mapping the schema
    validates, within the loader's ceilings: key depth, value nesting and integer size, as for a file."""
    for key in flat:
        if not isinstance(key, str):
            raise ConfigError(f"{where}: key {key!r} is not allowed: expected a parameter name (a string)")
        check_key(key, where)
    _check_limits(dict(flat), where)
    return nest(flat)


def parse_set(items: Iterable[str]) -> dict[str, Any]:
    """``--set key=value`` items as a nested mapping; values are TOML (bare words are strings)."""
    out: dict[str, Any] = {}
    for item in items:
        shown = repr(item) if len(item) <= 80 else repr(item[:60]) + f"… ({len(item)} characters)"
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--set {shown}: expected key=value, e.g. --set notice_period=6")
        text = text.strip()
        if any(not c.isprintable() for c in text):
            raise ConfigError(
                f"--set {shown}: a value must be one line of printable characters (one key=value per --set)"
            )
        try:
            table = _loads(f"v = {text}", f"--set {shown}")
        except tomllib.TOMLDecodeError:
            table = {"v": text}  # a bare word is a string
        if list(table) != ["v"]:
            raise ConfigError(f"--set {shown}: expected one value after '=', found more TOML after it")
        value = table["v"]
        node = out
        parts = check_key(key, f"--set {shown}")
        for part in parts[:-1]:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise ConfigError(f"--set {shown}: '{part}' was already set to a value, not a table")
            node = nxt
        node[parts[-1]] = value
    return out


def load(
    ref: str | Path | None = None,
    overrides: Iterable[str] | Mapping[str, Any] = (),
    world: Mapping[str, Any] | None = None,
    label: str = "--set",
) -> Scenario:
    """Load a scenario by name or path and apply overrides (``netgov.load_scenario``).

    ``world`` (dotted keys, e.g. one draw of the calibrated ensemble) replaces the defaults beneath
    the scenario: whatever the scenario file or ``--set`` says still wins (a body's own composition
    is part of its design, not of the world).

    Parameters
    ----------
    ref
        A shipped scenario's name, a ``.toml`` path, or None for the schema's defaults.
    overrides
        ``--set`` strings (``"notice_period=6"``) or a mapping of dotted keys to values.
    world
        Values beneath the scenario (dotted keys), or None.
    label
        How errors name the overrides and the record lists their source: ``--set``, or the Python
        argument they came from.

    Returns
    -------
    Scenario
        The validated ``config``, the scenario's name, title, summary and recommendation, its path,
        the merged parameters and each parameter's source (which file or override set it).

    Raises
    ------
    ConfigError
        An unknown scenario, a bad file or a bad override: one line naming the file, the key, the value
        and what is allowed.
    """
    data: dict[str, Any]
    sources: dict[str, str]
    if ref is None or str(ref) == DEFAULT:
        path, data, sources, name = None, {}, {}, DEFAULT
        summary, title = "the schema's defaults: the calibrated world (docs/validation.md)", DEFAULT_TITLE
        recommendation = DEFAULT_RECOMMENDATION
    else:
        path = resolve_path(ref)
        data, sources, summary, title, recommendation = _resolve(path, ())
        name = _label(path)
    sets = dict(overrides) if isinstance(overrides, Mapping) else parse_set(overrides)
    if sets:
        validate_config(merge(data, sets), label)
        data = merge(data, sets)
        sources.update(dict.fromkeys(flatten(sets), label))
    config = validate_config(data, str(path) if path else DEFAULT)
    scenario = Scenario(name, summary, config, title, recommendation, path, data, sources)
    return in_world(scenario, world) if world else scenario


def world_under(scenario: Scenario, world: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The scenario's data with ``world`` (dotted keys) beneath it, and the keys the world supplied: a key the
    scenario sets itself wins (a body's membership is its design, not the world's)."""
    drawn = {k: v for k, v in world.items() if k not in scenario.sources}
    return merge(nest(drawn), scenario.data), list(drawn)


def in_world(scenario: Scenario, world: Mapping[str, Any]) -> Scenario:
    """The scenario with ``world`` (dotted keys) in place of the defaults it does not set itself."""
    data, drawn = world_under(scenario, world)
    config = validate_config(data, f"{scenario.path or DEFAULT} (with an ensemble draw)")
    sources = {**dict.fromkeys(drawn, "ensemble"), **scenario.sources}
    return replace(scenario, config=config, data=data, sources=sources)


def resolved_parameters(scenario: Scenario) -> list[tuple[str, Any, str]]:
    """Every parameter of a scenario: (dotted key, value, source)."""
    values = flatten(scenario.config.model_dump(by_alias=True))
    rows = []
    for key, _info in iter_fields():
        value = values.get(key)  # None under an unset optional table
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
    meta = {"title": scenario.title, "summary": scenario.summary, "recommendation": scenario.recommendation}
    return head + tomli_w.dumps({**{k: v for k, v in meta.items() if v}, **data})
