"""netgov calibrate: ABC-SMC end to end on local processes and on a real Dask scheduler (small budgets)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from netgov import cli
from netgov.scenarios.loader import load
from netgov.validation.calibrate import point, priors, statistics, targets, to_world, weighted_median

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _check_outputs(out, population: int) -> pd.DataFrame:
    ens = pd.read_parquet(out / "ensemble.parquet")
    assert len(ens) == population and ens["weight"].sum() == pytest.approx(1.0)
    for p in priors():
        assert ens[p.key].between(p.low, p.high).all(), p.key
        if p.integer:
            assert ens[p.key].dtype.kind == "i", p.key
    cfg = load(out / "calibrated.toml").config  # the point summary is a loadable scenario
    assert cfg.actors.civil_society == point(ens)["actors.civil_society"]
    assert set(pd.read_csv(out / "posterior.csv")["parameter"]) == {p.key for p in priors()}
    return ens


def test_calibrate_on_one_local_process(tmp_path) -> None:
    """Two generations of one block on one process (every block at once is the README's command, in
    tests/test_docs.py: the adaptation block's 20-year runs cost a minute more each time)."""
    out = tmp_path / "cal"
    args = ["calibrate", "--only", "forum", "--population", "12", "--generations", "2", "--reps", "1"]
    args += ["--workers", "1", "--out", str(out)]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "2 generations" in result.output and f"wrote {out / 'ensemble.parquet'}" in result.output
    _check_outputs(out, 12)


def test_calibrate_only_one_block_keeps_the_others_from_the_shipped_ensemble(tmp_path) -> None:
    """--only state_centric fits P3's parameters; every other block's values are rows of the shipped ensemble."""
    from netgov.experiment.ensemble import SHIPPED

    out = tmp_path / "cal"
    args = ["calibrate", "--only", "state_centric", "--population", "10", "--generations", "1", "--reps", "1"]
    result = CliRunner().invoke(cli.app, [*args, "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "forum: kept from the earlier ensemble" in result.output
    ens, shipped = _check_outputs(out, 10), pd.read_parquet(SHIPPED)
    for p in priors("forum"):
        assert set(ens[p.key]) <= set(shipped[p.key]), p.key


def test_calibrate_on_a_dask_scheduler(tmp_path) -> None:
    from dask.distributed import LocalCluster

    out = tmp_path / "cal"
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        args = ["calibrate", "--only", "consensus", "--population", "10", "--generations", "1", "--reps", "1"]
        result = CliRunner().invoke(cli.app, [*args, "--scheduler", cluster.scheduler_address, "--out", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Dask scheduler" in result.output
    _check_outputs(out, 10)


def test_a_simulation_is_a_pure_function_of_its_parameters() -> None:
    theta = to_world({p.key: (p.low + p.high) / 2 for p in priors()})
    a, b = statistics(theta, 1, 5), statistics(theta, 1, 5)
    assert a == b and set(a) == set(targets())
    moved = {**theta, "participation.home_bonus": 0.0}
    assert statistics(moved, 1, 5)["p1_africa"] < a["p1_africa"]  # no home bonus: fewer hosts onsite


def test_weighted_median_by_hand() -> None:
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.1, 0.8])) == 3.0
    assert weighted_median(np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 1.0])) == 2.0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--population", "5"], "--population 5: expected an integer >= 10"),
        (["--generations", "0"], "--generations 0: expected an integer >= 1"),
        (["--reps", "0"], "--reps 0: expected an integer >= 1"),
        (["--budget", "3"], "--budget 3: expected an integer >= --population"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers and --scheduler: give one"),
        (["--only", "stances"], "--only stances: expected one of forum, state_centric, consensus"),
    ],
)
def test_calibrate_bad_flags_are_one_line(run_netgov, args, needle) -> None:
    result = run_netgov("calibrate", *args)
    assert result.returncode == 2
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_dry_run_names_every_prior_and_target_and_writes_nothing(tmp_path) -> None:
    out = tmp_path / "cal"
    result = CliRunner().invoke(cli.app, ["calibrate", "--dry-run", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for p in priors():
        assert f"{p.key} ~ U({p.low:g}, {p.high:g})" in result.output
    for key in targets():
        assert key in result.output
    # 250 candidates x 8 generations x 2 replications x 8 runs a candidate set: the forum fit runs P1's three
    # observed hosts and P2 (4), the state-centric fit P3 (1), the consensus fit D1 and D2 (2), the adaptation
    # fit T1 (1, of 20 years)
    assert "at least 32,000 model runs" in result.output and not out.exists()
