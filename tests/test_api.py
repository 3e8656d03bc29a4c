"""The Python API checks its arguments as the command line checks its flags (issue 30, defect 8).

``netgov.run``, ``netgov.compare``, ``netgov.differences`` and ``GovernanceModel(...)``: the same bounds as
``--steps``, ``--reps``, ``--seed``, the scenario and ``--set``; each failure one ``ConfigError`` line that
names the Python argument (never a flag); the schema's hard bounds hold even with ``i_know=True``. The
hypothesis property at the end throws mixed junk at all three functions.
"""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import netgov
from netgov import GovernanceModel
from netgov.experiment import limits
from netgov.model.core.errors import ConfigError
from netgov.model.core.schema_lookup import iter_fields


def refused(call, *needles: str) -> str:
    with pytest.raises(ConfigError) as info:
        call()
    line = str(info.value)
    assert "\n" not in line and "--set" not in line and "--steps" not in line and "--reps" not in line, line
    for needle in needles:
        assert needle in line, line
    return line


@pytest.mark.parametrize(
    ("steps", "shown"),
    [(0, "steps=0"), (-5, "steps=-5"), (math.nan, "steps=nan"), (2.5, "steps=2.5"), (True, "steps=True"),
     ("3", "steps='3'"), (100_001, "steps=100001")],
)  # fmt: skip
def test_run_steps_are_checked_like_the_flag(steps: object, shown: str) -> None:
    """`run(steps=0 | -5 | nan)` returned step 0 with a Mesa RuntimeWarning, `steps=2.5` gave 2 months."""
    line = refused(lambda: netgov.run(steps=steps), f"netgov.run({shown}): expected an integer from 1 to 100000")
    assert "the schema's bound" in line


def test_the_schemas_bound_holds_with_i_know() -> None:
    """`run(steps=100001, i_know=True)` ran past the schema's hard bound."""
    refused(lambda: netgov.run(steps=100_001, i_know=True), "steps=100001", "to 100000")
    refused(lambda: netgov.compare(["defaults", "short_notice"], steps=100_001, i_know=True), "steps=100001")
    refused(lambda: netgov.run(i_know="yes"), "netgov.run(i_know='yes'): expected True or False")


def test_compare_checks_its_scenarios_reps_and_steps() -> None:
    """`compare([None, ...])` gave a row with scenario NaN, `steps=0` all NaN, `reps=0` 'No objects to
    concatenate'."""
    two = ["defaults", "short_notice"]
    refused(lambda: netgov.compare([None, "short_notice"]), "netgov.compare(scenarios[0]=None)", "a scenario name")
    refused(lambda: netgov.compare(two, steps=0), "netgov.compare(steps=0)")
    refused(lambda: netgov.compare(two, reps=0), "netgov.compare(reps=0): expected an integer >= 1")
    refused(lambda: netgov.differences(two, reps=2.0), "netgov.differences(reps=2.0)")
    refused(lambda: netgov.compare("defaults"), "expected a list of two or more scenarios")
    refused(lambda: netgov.compare(["defaults", "defaults"]), "a scenario is named twice")
    refused(lambda: netgov.compare(two, seed=-1), "netgov.compare(seed=-1)")


def test_errors_name_the_python_argument_not_a_flag() -> None:
    """Python errors said "--set: unknown key"."""
    refused(lambda: netgov.run(notice_perod=3), "netgov.run(**overrides): unknown key 'notice_perod'", "notice_period")
    refused(lambda: netgov.run(notice_period=99), "netgov.run(**overrides): notice_period = 99 is not allowed")
    refused(lambda: netgov.run(steps=20_000), "netgov.run: steps = 20000", "i_know=True")
    refused(lambda: netgov.compare(["defaults", "short_notice"], reps=10**6), "netgov.compare: reps = 1000000")
    refused(lambda: netgov.run(**{".".join(["a"] * 5000): 1}), "a key of 5000 dotted parts", "at most 20")
    refused(lambda: netgov.run(seed=2**63), "netgov.run(seed=9223372036854775808)")
    refused(lambda: netgov.run(scenario=5), "netgov.run(scenario=5): expected a scenario name")
    refused(lambda: GovernanceModel(notice_period=99), "GovernanceModel(**params): notice_period = 99")
    refused(lambda: GovernanceModel.from_scenario("defaults", bogus=1), "from_scenario(**overrides): unknown key")


@pytest.mark.parametrize("config", [5, 2.5, ["notice_period"], b"x"])
def test_a_model_built_from_something_that_is_no_config_is_one_line(config: object) -> None:
    """`GovernanceModel(5)` raised "'int' object is not iterable"."""
    refused(lambda: GovernanceModel(config), f"GovernanceModel(config={config!r}): expected a ModelConfig")


def test_a_valid_call_still_runs_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = netgov.run(steps=2, scale=0.1)
    assert list(result.steps["step"]) == [0, 1, 2]
    table = netgov.compare(["defaults", "short_notice"], reps=2, steps=2)
    assert list(table["scenario"].unique()) == ["defaults", "short_notice"]


# -- hostile input, fuzzed ---------------------------------------------------------------------------

KEYS = [k for k, _ in iter_fields()]
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 6),
    st.integers(min_value=2**62, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from([[], {}, [1], 2.0, "3", b"1"]),
)
scenarios = st.one_of(st.sampled_from(["defaults", "short_notice", "no_such_scenario", ""]), junk)


@pytest.fixture(scope="module", autouse=True)
def tiny_ceilings():
    """Whatever the fuzzer makes valid runs in milliseconds (at most 3 months and 5,000 actor-months)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(limits, "MAX_STEPS", 3)
        mp.setattr(limits, "MAX_RUNS", 8)
        mp.setattr(limits, "MAX_ACTOR_STEPS", 5_000)
        yield


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=junk,
    seed=junk,
    reps=junk,
    i_know=st.one_of(st.just(False), st.just(True), junk),
    first=scenarios,
    second=scenarios,
    # run's own keywords (the schema's steps among them) cannot also come through **params: Python refuses that call
    params=st.dictionaries(
        st.one_of(st.sampled_from(KEYS), st.text(max_size=8)).filter(
            lambda k: k not in ("scenario", "seed", "steps", "agents", "i_know")
        ),
        junk,
        max_size=2,
    ),
)
def test_the_python_api_returns_or_raises_one_config_error(
    steps: object, seed: object, reps: object, i_know: object, first: object, second: object, params: dict
) -> None:
    whole = isinstance(steps, int) and not isinstance(steps, bool)
    if i_know is True:  # past the ceilings only what the hard bounds refuse: no long run under the fuzzer
        assume(not (whole and 1 <= steps <= 100_000))  # type: ignore[operator]
    calls = {
        "run": lambda: netgov.run(first, seed=seed, steps=steps, i_know=i_know, **params),
        "compare": lambda: netgov.compare([first, second], reps=reps, seed=seed, steps=steps, i_know=i_know),
        "differences": lambda: netgov.differences([first, second], reps=reps, seed=seed, steps=steps, i_know=i_know),
    }
    for name, call in calls.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)  # Mesa's warning on a run of no months
                result = call()
        except ConfigError as exc:
            line = str(exc)
            assert "\n" not in line and "--set" not in line and "--steps" not in line, line
            continue
        assert whole and 1 <= steps <= 3, (name, steps)  # type: ignore[operator]
        if name == "run":
            assert list(result.steps["step"]) == list(range(steps + 1))  # type: ignore[operator]
        else:
            assert len(result) and result["scenario"].notna().all()
