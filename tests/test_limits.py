"""Size ceilings, checked before anything starts (issue 17, item 4).

Every count (months, replications, design points, runs, actors x months) above its ceiling in
``netgov.experiment.limits`` is one ``netgov: error:`` line naming the number, the ceiling and
``--i-know``, exit 2, nothing written; the design is never expanded to count it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import netgov
from netgov import cli
from netgov.experiment import limits
from netgov.experiment.spec import load_spec
from netgov.model.core.config import ConfigError


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
        ("replications = 1000000000000\n[parameters]\nnotice_period = [1, 2]\n", ("1,000,000,000,000 replications",)),
        ("[parameters]\ntravel_support = {min = 0, max = 1, step = 1e-12}\n", ("1,000,000,000,001 points",)),
        ("[parameters]\ntravel_support = {min = 0, max = 1, num = 1000000000000000}\n", ("MAX_POINTS",)),
        (
            'sampler = "sobol"\nsamples = 1099511627776\n[parameters]\ntravel_support = {min = 0, max = 1}\n'
            "notice_period = {min = 0, max = 3}\n",
            ("sobol design of 4,398,046,511,104 points",),  # N * (D + 2)
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
    args = ("sensitivity", str(path), "--out", str(out), "--method", "sobol", "--samples", "4294967296")
    refused(invoke(*args), "17,179,869,184 points", "--i-know")
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
    loaded = load_spec(spec(tmp_path, "[parameters]\ntravel_support = {min = 0, max = 1, num = 1000000000000000}\n"))
    assert limits.design_size(loaded) == 10**15
    with pytest.raises(ConfigError, match="MAX_POINTS"):
        limits.check_spec(loaded)


def test_python_api_checks_before_running() -> None:
    with pytest.raises(ConfigError, match="i_know=True"):
        netgov.run(steps=20000)
    with pytest.raises(ConfigError, match="MAX_REPLICATIONS"):
        netgov.compare(["defaults", "short_notice"], reps=10**6)
    with pytest.raises(ConfigError, match="MAX_REPLICATIONS"):
        netgov.differences(["defaults", "short_notice"], reps=10**6)
