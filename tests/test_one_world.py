"""One world: the schema defaults are the calibrated world, and every scenario changes only its rules."""

from __future__ import annotations

import pytest

from netgov.experiment.spec import EXAMPLE_DIR
from netgov.experiment.specfile import load_spec
from netgov.model.core.config import ModelConfig, flatten
from netgov.scenarios.loader import SCENARIO_DIR, load, read_toml, scenario_names
from netgov.validation.calibrate import priors
from netgov.validation.patterns import CALIBRATED, PATTERNS

#: Fitted keys a scenario may still set: the membership of the body it models is its design.
COMPOSITION = {f"actors.{g}" for g in ("civil_society", "business", "technical_community", "un_agency")}
FITTED = {p.key for p in priors()}


def _own_keys(path) -> set[str]:
    raw = read_toml(path)
    return set(flatten({k: v for k, v in raw.items() if k not in ("summary", "title", "extends", "recommendation")}))


def test_the_schema_defaults_are_the_calibrated_point() -> None:
    """calibrated.toml (written by netgov calibrate) and the schema's defaults agree on every fitted value."""
    fitted = flatten({k: v for k, v in read_toml(CALIBRATED).items() if k != "summary"})
    defaults = flatten(ModelConfig().model_dump(by_alias=True))
    assert set(fitted) == FITTED
    differ = {k: (defaults[k], v) for k, v in fitted.items() if defaults[k] != v}
    assert differ == {}, f"update model/core/config.py defaults to the new calibration (default, fitted): {differ}"


def test_every_default_lies_inside_its_prior() -> None:
    defaults = flatten(ModelConfig().model_dump(by_alias=True))
    for p in priors():
        assert p.low <= defaults[p.key] <= p.high, p.key


@pytest.mark.parametrize("name", scenario_names())
def test_shipped_scenarios_set_no_fitted_parameter(name: str) -> None:
    """A policy scenario changes rules (and, for a body, its membership), never the calibrated world."""
    path = SCENARIO_DIR / f"{name}.toml"
    assert (_own_keys(path) & FITTED) - COMPOSITION == set()
    assert "calibrated" not in read_toml(path).get("extends", "")


def test_pattern_scenarios_run_in_the_same_world() -> None:
    """Validation runs on the defaults too: no pattern scenario sets a fitted key or extends another world."""
    for p in PATTERNS:
        assert (_own_keys(p.path) & FITTED) - COMPOSITION == set(), p.id
        assert read_toml(p.path).get("extends") in (None, "p1_host_region.toml"), p.id
        load(p.path)


@pytest.mark.parametrize("name", scenario_names())
def test_each_scenario_says_what_it_changes(name: str) -> None:
    """The header's "changes only:" list names exactly the keys the file sets (as prefixes)."""
    path = SCENARIO_DIR / f"{name}.toml"
    text = path.read_text(encoding="utf-8").replace("\n# ", " ")
    listed = {k.strip() for k in text.split("changes only:", 1)[1].split(".\n", 1)[0].rstrip(".").split(",")}
    own = _own_keys(path)
    assert all(any(k == p or k.startswith(p + ".") for p in listed) for k in own), (own, listed)
    assert all(any(k == p or k.startswith(p + ".") for k in own) for p in listed), (own, listed)


@pytest.mark.parametrize("name", scenario_names())
def test_each_scenario_states_its_recommendation_in_plain_words(name: str) -> None:
    """The dashboard's scenario card reads it from the file (the file name stays the key)."""
    scenario = load(name)
    assert len(scenario.recommendation) > 40 and scenario.recommendation != scenario.summary


@pytest.mark.parametrize("path", sorted(EXAMPLE_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_experiments_vary_no_fitted_parameter(path) -> None:
    """A shipped study samples only what calibration leaves open; the fitted parameters come from the
    calibrated world (the defaults) or its posterior ensemble, never from a hand-set range."""
    spec = load_spec(path)
    varied = set(spec.names) | {k for p in spec.policies for k in flatten(p.scenario.data)}
    varied |= {p.key for p in spec.levers}  # netgov design's levers too
    assert varied & FITTED - COMPOSITION == set(), path.name
    assert set(spec.names) & FITTED == set(), path.name
