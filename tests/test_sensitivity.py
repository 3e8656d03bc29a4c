"""Sensitivity analysis: SALib indices through the batch engine, and the analysis checked on known responses."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netgov.analysis.sensitivity import analyse, design
from netgov.experiment.specfile import load_spec
from netgov.model.core.errors import ConfigError

SPEC = """
base = "idp_distributed"
sampler = "grid"
seed = 5
steps = 15
[set]
scale = 0.2
[parameters]
notice_period = {min = 0, max = 12, step = 1}
background_quality = {min = 0.1, max = 0.9, num = 3}
decision_rule = ["majority", "consensus", "concurrent_groups_regions"]
"""


def test_morris_on_a_small_design_gives_a_finite_index_per_parameter(run_netgov, tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    args = ["sensitivity", str(spec), "--method", "morris", "--samples", "4", "--out", str(out), "--workers", "1"]
    proc = run_netgov(*args, "--metric", "participation_rate", "--metric", "inclusiveness")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["metric"]) == {"participation_rate", "inclusiveness"}
    for _, sub in table.groupby("metric"):
        assert sorted(sub["parameter"]) == ["background_quality", "decision_rule", "notice_period"]
        assert np.isfinite(sub[["mu_star", "mu_star_conf", "sigma"]].to_numpy()).all()
        assert list(sub["rank"]) == [1, 2, 3] and sub["mu_star"].is_monotonic_decreasing
    assert len(pd.read_parquet(out / "runs.parquet")) == 4 * (3 + 1)
    assert (out / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"


def _synthetic_runs(spec, f) -> pd.DataFrame:
    """A runs table whose metric is a known function of the design (unit scale): what SALib should find."""
    x = spec.unit_design()
    y = np.repeat(f(x), spec.replications)
    return pd.DataFrame({"run_id": np.arange(len(y)), "status": "ok", "capture": y})


def test_morris_ranks_a_known_response(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(SPEC)
    spec = design(load_spec(tmp_path / "s.toml"), "morris", 10)
    table, notes = analyse(spec, _synthetic_runs(spec, lambda x: 3 * x[:, 0] + 0.5 * x[:, 2]), ["capture"])
    assert notes == [
        "decision_rule: a list of categories; Morris' mu (its sign) means nothing for it, mu* still ranks it"
    ]
    mu = dict(zip(table["parameter"], table["mu_star"], strict=True))
    assert mu["notice_period"] == pytest.approx(3.0) and mu["decision_rule"] == pytest.approx(0.5)
    assert mu["background_quality"] == 0.0
    assert list(table["parameter"]) == ["notice_period", "decision_rule", "background_quality"]


def test_sobol_indices_of_a_known_response(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(SPEC)
    spec = design(load_spec(tmp_path / "s.toml"), "sobol", 256)
    table, _ = analyse(spec, _synthetic_runs(spec, lambda x: 4 * x[:, 1] + x[:, 0]), ["capture"])
    rows = table.set_index("parameter")
    # variance shares of 4a + b with a, b uniform: 16/17 and 1/17; the third parameter does nothing
    assert rows.loc["background_quality", "S1"] == pytest.approx(16 / 17, abs=0.1)
    assert rows.loc["notice_period", "ST"] == pytest.approx(1 / 17, abs=0.05)
    assert abs(rows.loc["decision_rule", "ST"]) < 0.01
    assert rows.loc["background_quality", "rank"] == 1
    assert (rows[["S1_conf", "ST_conf"]] >= 0).all().all()


def test_undefined_metric_is_kept_with_its_undefined_runs_counted_and_bad_method_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(SPEC)
    spec = design(load_spec(tmp_path / "s.toml"), "morris", 3)
    runs = _synthetic_runs(spec, lambda x: x[:, 0])
    runs.loc[2, "capture"] = math.nan  # in the first trajectory (points 0-3)
    table, notes = analyse(spec, runs, ["capture"])
    assert (table["undefined_runs"] == 1).all()
    assert "capture: undefined in 1 of 12 runs; 1 of 3 trajectories left out of its indices" in notes
    assert table.set_index("parameter").loc["notice_period", "mu_star"] == pytest.approx(1.0)  # x0 alone
    runs["capture"] = math.nan
    assert analyse(spec, runs, ["capture"])[0].empty
    with pytest.raises(ConfigError, match="--method 'fast' is not allowed: expected one of 'morris', 'sobol'"):
        design(spec, "fast")
    with pytest.raises(ConfigError, match="expected a power of 2 for sampler 'sobol'"):
        design(spec, "sobol", 10)


def test_sobol_warns_when_n_is_too_small_and_morris_keeps_a_numeric_list_in_order(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(SPEC)
    small = design(load_spec(tmp_path / "s.toml"), "sobol", 2)
    rng = np.random.default_rng(0)
    table, notes = analyse(small, _synthetic_runs(small, lambda x: x[:, 0] + rng.normal(0, 1, len(x))), ["capture"])
    assert any("N is too small for stable indices" in n for n in notes)
    big = design(load_spec(tmp_path / "s.toml"), "sobol", 512)
    _, quiet = analyse(big, _synthetic_runs(big, lambda x: 4 * x[:, 1] + x[:, 0] + 0.5 * x[:, 2]), ["capture"])
    assert not any("too small" in n for n in quiet)
    # a numeric list written out of order maps to values in ascending order: mu > 0 for an increasing response
    (tmp_path / "l.toml").write_text(SPEC.replace("{min = 0, max = 12, step = 1}", "[12, 0, 6, 3]"))
    spec = design(load_spec(tmp_path / "l.toml"), "morris", 6)
    values = next(p for p in spec.parameters if p.key == "notice_period")
    runs = _synthetic_runs(spec, lambda x: np.array(values.from_unit(x[:, 0]), dtype=float))
    table, notes = analyse(spec, runs, ["capture"])
    assert table.set_index("parameter").loc["notice_period", "mu"] > 0
    assert not any(n.startswith("notice_period") for n in notes)
