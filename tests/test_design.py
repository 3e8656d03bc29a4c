"""`netgov design`: NSGA-II over the levers, each candidate across the worlds and the ensemble; a tiny study."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netgov.analysis.design import objectives, robust
from netgov.model.core.contract import better_sign
from netgov.scenarios.loader import load

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
METRICS = ["inclusiveness", "regional_balance"]
TINY = """
summary = "tiny design"
sampler = "lhs"
samples = 4
replications = 1
seed = 3
steps = 12
metrics = ["inclusiveness", "regional_balance"]
ensemble = "calibrated"
base = "idp_distributed"
[levers]
decision_rule = ["majority", "rough_consensus", "concurrent_groups"]
notice_period = {min = 1, max = 12}
travel_support = {min = 0.0, max = 1.0}
[search]
population = 4
generations = 2
[uncertainties]
openness = {min = 0.1, max = 0.45}
[set]
scale = 0.1
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny study (3 levers, 2 metrics, 4 worlds, 2 generations of 4) on 2 local processes."""
    from tests.conftest import netgov_in_process

    folder = tmp_path_factory.mktemp("design")
    (folder / "tiny.toml").write_text(TINY, encoding="utf-8")
    before = random.getstate()
    result = netgov_in_process("design", str(folder / "tiny.toml"), "--out", str(folder / "out"), "--workers", "2")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert random.getstate() == before  # the search seeds platypus' generator and gives it back as it was
    assert "on the Pareto front" in result.stdout
    return folder / "out"


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    """a is at least as good as b on every objective and better on one (values already signed: higher is better)."""
    return bool(np.all(a >= b) and np.any(a > b))


def test_the_pareto_set_is_non_dominated_among_every_design_evaluated(tiny: Path) -> None:
    evaluated = pd.read_parquet(tiny / "evaluated.parquet")
    front = pd.read_parquet(tiny / "pareto.parquet")
    assert len(evaluated) >= 4 and 1 <= len(front) <= len(evaluated)
    assert set(evaluated["generation"]) == {0, 1} and evaluated["feasible"].all()
    cols = objectives(METRICS)
    signs = np.array([better_sign(c.split(":")[0]) for c in cols], dtype=float)
    values = evaluated.set_index("design")[cols].to_numpy() * signs
    names = list(evaluated["design"])
    on_front = set(front["design"])
    for i, name in enumerate(names):
        beaten = any(dominates(values[j], values[i]) for j in range(len(names)) if j != i)
        assert beaten == (name not in on_front), name  # on the front exactly when nothing evaluated beats it
    # the objectives are robust statistics over the worlds: the worst decile is never better than the mean
    for m in METRICS:
        assert (front[f"{m}:worst10"] <= front[f"{m}:mean"] + 1e-12).all()
    first = pd.read_parquet(tiny / "generations" / "00" / "runs.parquet")
    assert first.groupby("policy")["point"].nunique().eq(4).all() and first["world"].notna().all()  # every world, drawn


def test_each_emitted_toml_runs_with_its_design(tiny: Path, run_netgov) -> None:
    front = pd.read_parquet(tiny / "pareto.parquet")
    files = sorted((tiny / "designs").glob("*.toml"))
    assert [f.stem for f in files] == sorted(front["design"])
    for path, row in zip(files, front.sort_values("design").itertuples(index=False), strict=True):
        config = load(str(path)).config
        assert config.decision_rule == row.decision_rule and config.notice_period == row.notice_period
        assert config.travel_support == pytest.approx(row.travel_support) and config.scale == 0.1
        result = run_netgov("run", str(path), "--steps", "2")
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    page = (tiny / "report.html").read_text(encoding="utf-8")
    assert "on the Pareto front" in page and "data:image/png;base64," in page and "netgov run" in page


def test_robust_objectives_are_the_mean_and_the_worst_decile_over_worlds() -> None:
    # one design, 10 worlds with inclusiveness 0.1 .. 1.0 and minority_gap (lower is better) the same numbers
    values = np.arange(1, 11) / 10
    runs = pd.DataFrame(
        {"policy": "d", "point": range(10), "status": "ok", "inclusiveness": values, "minority_gap": values}
    )
    row = robust(runs, ["inclusiveness", "minority_gap"]).loc["d"]
    assert row["inclusiveness:mean"] == pytest.approx(0.55) and row["minority_gap:mean"] == pytest.approx(0.55)
    assert row["inclusiveness:worst10"] == pytest.approx(np.percentile(values, 10))  # 0.19: the low tail
    assert row["minority_gap:worst10"] == pytest.approx(np.percentile(values, 90))  # 0.91: the high tail


def test_design_on_a_dask_localcluster_matches_local_processes(tiny: Path, tmp_path: Path, run_netgov) -> None:
    from dask.distributed import LocalCluster

    spec = tiny.parent / "tiny.toml"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as c:
        result = run_netgov("design", str(spec), "--out", str(tmp_path / "dask"), "--scheduler", c.scheduler_address)
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "dask" / "evaluated.parquet"), pd.read_parquet(tiny / "evaluated.parquet")
    )  # the same search: seeded, and every evaluation identical on any executor


def test_design_bad_input_is_one_line(tmp_path: Path, run_netgov) -> None:
    no_levers = TINY.split("[levers]")[0] + "[search]" + TINY.split("[search]")[1]
    normal = 'travel_support = {distribution = "normal", mean = 0.5, sd = 0.1}'
    spec = tmp_path / "s.toml"
    for text, message in (
        (no_levers, "[levers] is missing"),
        (TINY.replace("travel_support = {min = 0.0, max = 1.0}", normal), "levers.travel_support is not allowed"),
        (TINY.replace("travel_support = {", "openness = {"), "levers.openness is also an uncertainty"),
        (TINY.replace("max = 12}", "max = 48}"), "levers.notice_period = 48 is not allowed"),
        (TINY.replace("population = 4", "population = 2"), "search.population = 2 is not allowed"),
        (TINY.replace('base = "idp_distributed"', 'base = "idp_distributed"\n[policies]\na = "idp_distributed"'),
         "[levers] and [policies] are given"),
    ):  # fmt: skip
        spec.write_text(text, encoding="utf-8")
        result = run_netgov("design", str(spec), "--out", str(tmp_path / "out"))
        assert result.returncode == 2 and message in result.stderr, (message, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
    spec.write_text(TINY, encoding="utf-8")
    dry = run_netgov("design", str(spec), "--out", str(tmp_path / "out"), "--dry-run", "--workers", "2")
    assert dry.returncode == 0 and dry.stdout.endswith("(nothing was kept)\n"), dry.stdout
    assert "32 runs = up to 8 designs (2 generations of 4) x 4 worlds x 1 replications" in dry.stdout
    assert not (tmp_path / "out").exists()
    batch = run_netgov("batch", str(spec), "--out", str(tmp_path / "out"))
    assert batch.returncode == 2 and "[levers] are searched by `netgov design" in batch.stderr
