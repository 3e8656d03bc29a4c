"""Size ceilings, checked before anything starts (issue 17, item 4).

Every count (months, replications, design points, runs, actors x months) above its ceiling in
``netgov.experiment.limits`` is one ``netgov: error:`` line naming the number, the ceiling and
``--i-know``, exit 2, nothing written; the design is never expanded to count it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import netgov
from netgov import cli
from netgov.experiment import limits
from netgov.experiment import specfile as spec_module
from netgov.experiment.batch import run_batch
from netgov.experiment.specfile import load_spec
from netgov.model.core.errors import ConfigError


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli.app, list(args))


def refused(result: Any, *needles: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("netgov: error:"), result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def spec(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_run_steps_above_the_ceiling(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    line = refused(invoke("run", "--steps", "20000", "--out", str(out)), "20,000 months", "12,000", "--i-know")
    assert "MAX_STEPS" in line and not out.exists()
    refused(invoke("run", "--steps", "1000000000"), "--steps 1000000000")  # the schema's hard bound
    refused(invoke("run", "--set", "steps=50000"), "steps = 50000", "--i-know")


def test_run_actor_months_above_the_ceiling() -> None:
    line = refused(invoke("run", "--set", "scale=50", "--set", "actors.civil_society=20000", "--steps", "6000"))
    assert "actor-months" in line and "MAX_ACTOR_STEPS" in line and "--i-know" in line


def test_i_know_lifts_a_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_STEPS", 1)
    refused(invoke("run", "--steps", "2"), "ceiling of 1 months")
    ok = invoke("run", "--steps", "2", "--i-know")
    assert ok.exit_code == 0, ok.output
    assert "2 months" in ok.stdout


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        ("replications = 1000000\n[parameters]\nnotice_period = [1, 2]\n", ("1,000,000 replications",)),
        ("[parameters]\ntravel_support = {min = 0, max = 1, step = 1e-12}\n", ("1,000,000,000,001 points",)),
        ("[parameters]\ntravel_support = {min = 0, max = 1, num = 10000000}\n", ("MAX_POINTS",)),
        (
            'sampler = "sobol"\nsamples = 4194304\n[parameters]\ntravel_support = {min = 0, max = 1}\n'
            "notice_period = {min = 0, max = 3}\n",
            ("sobol design of 16,777,216 points",),  # N * (D + 2)
        ),
        ('sampler = "lhs"\nsamples = 200000\n[parameters]\ntravel_support = {min = 0, max = 1}\n', ("200,000",)),
        (
            'sampler = "morris"\nsamples = 50000\nreplications = 20\n'
            "[parameters]\ntravel_support = {min = 0, max = 1}\n",
            ("100,000 points x 20 replications = 2,000,000 runs", "MAX_RUNS"),  # N * (D + 1): at the point ceiling
        ),
        (
            "replications = 10000\n[parameters]\nnotice_period = {min = 0, max = 24, step = 1}\n"
            "travel_support = {min = 0, max = 1, num = 10}\n",
            ("250 points x 10,000 replications = 2,500,000 runs", "MAX_RUNS"),
        ),
        (
            "[set]\nscale = 50\nsteps = 2000\n[parameters]\nactors.civil_society = [10, 20000]\n",
            ("the largest run", "actor-months"),
        ),
    ],
    ids=["replications", "grid-step", "grid-num", "sobol", "lhs", "morris-runs", "runs", "actor-months"],
)
def test_batch_design_above_a_ceiling(tmp_path: Path, body: str, needles: tuple[str, ...]) -> None:
    path = spec(tmp_path, body)
    out = tmp_path / "out"
    line = refused(invoke("batch", str(path), "--out", str(out)), *needles)
    assert "--i-know" in line
    assert not out.exists()


def test_a_step_too_small_to_count_is_refused_even_with_i_know(tmp_path: Path) -> None:
    path = spec(tmp_path, "[parameters]\ntravel_support = {min = 0, max = 1, step = 5e-324}\n")
    refused(invoke("batch", str(path), "--out", str(tmp_path / "o"), "--i-know"), "step is too small")


def test_sensitivity_samples_above_the_ceiling(tmp_path: Path) -> None:
    body = 'sampler = "lhs"\nsamples = 4\n[parameters]\ntravel_support = {min = 0, max = 1}\nnotice_period = [1, 3]\n'
    path = spec(tmp_path, body)
    out = tmp_path / "out"
    args = ("sensitivity", str(path), "--out", str(out), "--method", "sobol", "--samples", str(2**20))
    refused(invoke(*args), "4,194,304 points", "--i-know")
    args = ("sensitivity", str(path), "--out", str(out), "--method", "sobol", "--samples", "4294967296", "--i-know")
    refused(invoke(*args), "--samples 4294967296: expected an integer from 1 to 10000000")  # a hard bound
    assert not out.exists()


def test_compare_validate_calibrate_counts() -> None:
    refused(invoke("compare", "defaults", "short_notice", "--reps", "20000"), "20,000 replications", "--i-know")
    refused(invoke("validate", "--reps", "100000"), "100,000 replications", "--i-know")
    refused(invoke("calibrate", "--reps", "5000", "--dry-run"), "runs", "MAX_RUNS", "--i-know")


def test_validate_and_calibrate_check_the_seed() -> None:
    refused(invoke("validate", "--seed", "-1"), "--seed -1")
    refused(invoke("validate", "--seed", str(2**64)), "--seed")
    refused(invoke("calibrate", "--seed", "-5", "--dry-run"), "--seed -5")


def test_counting_never_expands_the_design(tmp_path: Path) -> None:
    body = "[parameters]\ntravel_support = {min = 0, max = 1, num = 10000000}\n"
    body += "agenda.rate = {min = 0, max = 2, num = 10000000}\n"
    with pytest.raises(ConfigError, match="MAX_POINTS"):
        load_spec(spec(tmp_path, body))
    loaded = load_spec(spec(tmp_path, body), i_know=True)
    assert limits.design_size(loaded) == 10**14
    with pytest.raises(ConfigError, match="MAX_POINTS"):
        limits.check_spec(loaded)


def test_python_api_checks_before_running() -> None:
    with pytest.raises(ConfigError, match="i_know=True"):
        netgov.run(steps=20000)
    with pytest.raises(ConfigError, match="MAX_REPLICATIONS"):
        netgov.compare(["defaults", "short_notice"], reps=10**6)
    with pytest.raises(ConfigError, match="MAX_REPLICATIONS"):
        netgov.differences(["defaults", "short_notice"], reps=10**6)


# -- issue 30: bounded workers, a spec's size from its shape, every integer bounded ---------------------


@pytest.mark.slow  # five commands through the engine, a dry run with its pilot: make test, not make quick
def test_workers_above_the_ceiling_are_refused_unless_i_know(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 6: `--workers 1000` on 2 cores started a process per run (50 processes, ~7 GB)."""
    monkeypatch.setattr(limits, "cores", lambda: 2)
    path = spec(tmp_path, "steps = 2\n[parameters]\nnotice_period = [1, 2]\n")
    out = tmp_path / "out"
    for command in ("batch", "sensitivity", "robustness"):
        line = refused(invoke(command, str(path), "--out", str(out), "--workers", "1000"), "--workers 1000")
        assert "ceiling of 8 worker processes" in line and "MAX_WORKERS_PER_CORE" in line and "--i-know" in line
    refused(invoke("batch", str(path), "--out", str(out), "--workers", "0", "--i-know"), "expected an integer >= 1")
    refused(invoke("calibrate", "--workers", "9", "--dry-run"), "ceiling of 8 worker processes")
    assert not out.exists()
    dry = invoke("batch", str(path), "--out", str(out), "--workers", "9", "--i-know", "--dry-run")
    assert dry.exit_code == 0 and "on 2 workers" in dry.stdout  # never more processes than runs
    with pytest.raises(ConfigError, match="MAX_WORKERS_PER_CORE"):
        run_batch(load_spec(path), out, workers=9, show_progress=False)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many whole-config checks reading a spec made (``checked["n"]``)."""
    count = {"n": 0}
    real = spec_module.validate_config

    def counted(*args: Any, **kwargs: Any) -> Any:
        count["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(spec_module, "validate_config", counted)
    return count


def test_a_spec_too_big_is_refused_from_its_shape_before_any_value_is_checked(
    tmp_path: Path, checked: dict[str, int]
) -> None:
    """Defect 7: 490,000 list values under 3 policies were each schema-checked (130 s) before the ceiling."""
    policies = "[policies]\na = { notice_period = 1 }\nb = { notice_period = 2 }\nc = { notice_period = 3 }\n"
    values = ",".join(str(i % 10) for i in range(120_000))
    path = spec(tmp_path, f"steps = 2\n{policies}[parameters]\nagenda.rate = [{values}]\n")
    line = refused(invoke("batch", str(path), "--out", str(tmp_path / "o")), "120,000 points", "MAX_POINTS")
    assert checked["n"] == 0, line  # no value was checked: the shape alone decided
    assert path.stat().st_size < 256_000
    path.write_text(f"steps = 2\n{policies}[parameters]\nagenda.rate = [{values},{values}]\n", encoding="utf-8")
    refused(invoke("batch", str(path), "--out", str(tmp_path / "o")), "bytes; at most 256000 are allowed")


def test_every_value_of_a_long_list_is_still_checked(tmp_path: Path, checked: dict[str, int]) -> None:
    """The values of a long list are checked against their field in one call; only a few get the whole-config
    check under every policy, and a bad value anywhere in the list is found, named as before."""
    policies = "[policies]\na = { notice_period = 1 }\nb = { notice_period = 2 }\nc = { notice_period = 3 }\n"
    values = [i / 1000 for i in range(30_000)]
    path = spec(tmp_path, f"steps = 2\n{policies}[parameters]\nagenda.rate = {values}\n")
    loaded = load_spec(path)
    assert len(loaded.parameters[0].values) == 30_000
    whole = checked["n"]
    assert 0 < whole <= 3 * 4 + 3 * 3  # 4 values x 3 policies, and the 3 policies' own scenarios
    for bad, needle in ((-1.5, "-1.5 is not allowed"), (True, "True is not allowed"), ("x", "'x' is not allowed")):
        values[17_321] = bad
        path.write_text(f"steps = 2\n{policies}[parameters]\nagenda.rate = {json.dumps(values)}\n")
        with pytest.raises(ConfigError, match=re.escape(f"parameters.agenda.rate = {needle}")):
            load_spec(path)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('sampler = "morris"\nsamples = 2\nlevels = 9223372036854775807', "levels = 9223372036854775807"),
        ('sampler = "morris"\nsamples = 2\nlevels = 1000000000', "levels = 1000000000"),
        ('sampler = "lhs"\nsamples = 100000000', "samples = 100000000"),
        ("replications = 10000000", "replications = 10000000"),
        ("seed = 9223372036854775808", "integer of 19 digits"),
    ],
    ids=["levels-2^63", "levels-10^9", "samples", "replications", "seed"],
)
def test_every_integer_in_a_spec_is_bounded_even_with_i_know(tmp_path: Path, body: str, needle: str) -> None:
    """Defect 9: `levels = 2**63-1` (ValueError) or `10**9` (MemoryError) under Morris were tracebacks."""
    path = spec(tmp_path, f"{body}\n[parameters]\nnotice_period = {{min = 0, max = 4}}\n")
    line = refused(invoke("batch", str(path), "--out", str(tmp_path / "o"), "--i-know"), needle)
    assert "is not allowed" in line or "not allowed" in line
    path = spec(tmp_path, "[parameters]\nnotice_period = {min = 0, max = 4, num = 100000000}\n")
    refused(invoke("batch", str(path), "--out", str(tmp_path / "o"), "--i-know"), "num = 100000000")


def test_a_dotted_key_has_a_depth_limit() -> None:
    """Defect 9: a `--set` key 5,000 levels deep ended in a RecursionError."""
    deep = ".".join(["a"] * 5000)
    refused(invoke("run", "--steps", "1", "--set", f"{deep}=1"), "a key of 5000 dotted parts", "at most 20")
    refused(invoke("compare", "defaults", "short_notice", "--set", f"{deep}=1"), "a key of 5000 dotted parts")
