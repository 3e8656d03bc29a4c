"""Paired differences: `paired_differences` by hand, `netgov compare`'s paired table and `--diffs`, and
common random numbers (two scenarios with the same parameters differ by exactly 0)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import netgov
from netgov.analysis.summary import DIFF_COLUMNS, excludes_zero, paired_differences
from netgov.model.core.contract import FINAL_METRICS


def _runs() -> pd.DataFrame:
    """Three replications of A (the baseline), B and C, two steps each; only the last step counts."""
    final = {
        # scenario: (x per replication, flag per replication)
        "A": ([1.0, 2.0, 4.0], [False, False, True]),
        "B": ([2.0, 5.0, np.nan], [True, False, True]),
        "C": ([0.0, 0.0, 1.0], [False, True, False]),
    }
    rows = []
    for r in range(3):
        for name, (x, flag) in final.items():
            rows.append({"scenario": name, "replication": r, "seed": 100 + r, "step": 0, "x": 99.0, "flag": True})
            rows.append({"scenario": name, "replication": r, "seed": 100 + r, "step": 1, "x": x[r], "flag": flag[r]})
    return pd.DataFrame(rows)


def _t_interval(d: list[float]) -> tuple[float, float, float]:
    x = np.array(d)
    half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return x.mean(), x.mean() - half, x.mean() + half


def test_paired_differences_by_hand() -> None:
    out = paired_differences(_runs(), "A", ["x", "flag"])
    assert tuple(out.columns) == DIFF_COLUMNS
    assert list(zip(out["scenario"], out["metric"], strict=True)) == [
        ("B", "x"),
        ("B", "flag"),
        ("C", "x"),
        ("C", "flag"),
    ]
    assert (out["baseline"] == "A").all()
    got = out.set_index(["scenario", "metric"])
    # B - A on x: replication 2 is NaN under B, so that pair is dropped: differences 1, 3.
    expected = {
        ("B", "x"): [1.0, 3.0],
        ("B", "flag"): [1.0, 0.0, 0.0],  # booleans count as 0/1
        ("C", "x"): [-1.0, -2.0, -3.0],
        ("C", "flag"): [0.0, 1.0, -1.0],
    }
    for key, d in expected.items():
        mean, lo, hi = _t_interval(d)
        assert got.loc[key, "n"] == len(d), key
        assert got.loc[key, ["diff_mean", "diff_lo", "diff_hi"]].tolist() == pytest.approx([mean, lo, hi]), key
    # by hand, without scipy: t(0.975, 1) = 12.7062..., sd of (1, 3) = sqrt(2), half = 12.7062 * sqrt(2) / sqrt(2)
    assert got.loc[("B", "x"), "diff_lo"] == pytest.approx(2.0 - 12.7062047, abs=1e-6)


def test_paired_differences_few_pairs_and_bad_baseline() -> None:
    runs = _runs()
    runs.loc[(runs["scenario"] == "B") & (runs["replication"] == 0), "x"] = np.nan
    runs.loc[(runs["scenario"] == "A") & (runs["replication"] == 1), "x"] = np.nan
    got = paired_differences(runs, "A", ["x"]).set_index("scenario")
    assert got.loc["B", "n"] == 0
    assert got.loc["B", ["diff_mean", "diff_lo", "diff_hi"]].isna().all()
    assert got.loc["C", "n"] == 2
    runs = runs[runs["replication"] == 0]
    one = paired_differences(runs, "A", ["flag"]).set_index("scenario")
    assert one.loc["B", "n"] == 1
    assert one.loc["B", ["diff_mean", "diff_lo", "diff_hi"]].tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="baseline 'Z'"):
        paired_differences(runs, "Z")


def test_paired_differences_of_tables_concatenated_without_ignore_index() -> None:
    """Each scenario's table numbered from 0 and stacked with pd.concat (its index repeats): the same pairs."""
    runs = _runs()
    stacked = pd.concat([part.reset_index(drop=True) for _, part in runs.groupby("scenario")])
    assert not stacked.index.is_unique
    pd.testing.assert_frame_equal(
        paired_differences(stacked, "A", ["x", "flag"]), paired_differences(runs, "A", ["x", "flag"])
    )


def test_excludes_zero() -> None:
    row = {"n": 5, "diff_mean": 0.2, "diff_lo": 0.1, "diff_hi": 0.3}
    assert excludes_zero(row)
    assert excludes_zero(row | {"diff_mean": -0.2, "diff_lo": -0.3, "diff_hi": -0.1})
    assert not excludes_zero(row | {"diff_lo": -0.1})
    assert not excludes_zero(row | {"n": 1, "diff_lo": 0.2, "diff_hi": 0.2})  # one pair: no interval
    assert not excludes_zero(row | {"diff_mean": -2.8e-17, "diff_lo": -3e-17, "diff_hi": -2e-17})  # rounding


def test_paired_differences_refuses_pairs_without_common_seeds() -> None:
    runs = _runs()
    runs.loc[(runs["scenario"] == "C") & (runs["replication"] == 2), "seed"] = 7
    with pytest.raises(ValueError, match="replication 2 ran with seed 102 under 'A' but 7 under 'C'"):
        paired_differences(runs, "A", ["x"])


def test_compare_prints_paired_table_and_writes_diffs(tmp_path: Path, run_netgov) -> None:
    out = tmp_path / "d.csv"
    a, b = "status_quo_intergovernmental", "idp_distributed"
    r = run_netgov("compare", a, b, "--reps", "3", "--steps", "12", "--workers", "1", "--diffs", str(out))
    assert r.returncode == 0, r.stderr
    assert f"paired differences vs {a}" in r.stdout
    assert "the 95% CI excludes 0" in r.stdout
    paired = r.stdout[r.stdout.index("paired differences") :]
    for m in FINAL_METRICS:
        assert m in paired
    # intergovernmental admits governments only: coverage 0.2 against 1.0 in every replication
    assert "0.800 [0.800, 0.800] (3)*" in paired
    df = pd.read_csv(out)
    assert tuple(df.columns) == DIFF_COLUMNS
    assert df["metric"].tolist() == list(FINAL_METRICS)
    assert (df["scenario"] == b).all() and (df["baseline"] == a).all()
    assert df["n"].max() == 3 and (df["n"] <= 3).all()
    assert df.set_index("metric").loc["participation_rate", "n"] == 3
    r2 = run_netgov(
        "compare", a, b, "--reps", "3", "--steps", "12", "--workers", "1", "--diffs", str(tmp_path / "d.parquet")
    )
    assert r2.returncode == 0, r2.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "d.parquet"), df, check_dtype=False)


def test_identical_scenarios_differ_by_exactly_zero(tmp_path: Path, run_netgov) -> None:
    """Common random numbers: the same parameters under two names give the same runs, pair by pair."""
    same = 'extends = "short_notice"\nnotice_period = 2\n'
    (tmp_path / "one.toml").write_text(same, encoding="utf-8")
    (tmp_path / "two.toml").write_text(same, encoding="utf-8")
    out = tmp_path / "d.csv"
    r = run_netgov(
        "compare", str(tmp_path / "one.toml"), str(tmp_path / "two.toml"), "--reps", "3", "--steps", "24",
        "--workers", "1", "--diffs", str(out),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(out)
    assert len(df) == len(FINAL_METRICS)
    assert (df["n"] > 0).any()
    present = df[df["n"] > 0]
    assert (present["diff_mean"] == 0).all() and (present["diff_lo"] == 0).all() and (present["diff_hi"] == 0).all()
    paired = r.stdout[r.stdout.index("paired differences") :]
    assert "*" not in paired.replace("* the 95% CI", "")


def test_differences_api_matches_the_cli_table() -> None:
    a, b = "status_quo_intergovernmental", "idp_distributed"
    got = netgov.differences([a, b], reps=2, steps=12)
    assert tuple(got.columns) == DIFF_COLUMNS
    assert (got["baseline"] == a).all() and got["metric"].tolist() == list(FINAL_METRICS)
    assert got.set_index("metric").loc["group_coverage", "diff_mean"] == pytest.approx(0.8)
    with pytest.raises(ValueError, match="two or more"):
        netgov.differences([a])
    with pytest.raises(ValueError, match="named twice"):
        netgov.differences([a, a])


def test_diffs_errors(run_netgov) -> None:
    base = ("compare", "status_quo_intergovernmental", "idp_distributed", "--reps", "2")
    cases = {
        ("--diffs", "d.xlsx"): "--diffs d.xlsx: unknown extension '.xlsx'; allowed: .csv, .parquet",
        ("--diffs", "no/such/dir/d.csv"): "--diffs no/such/dir/d.csv: the directory no/such/dir does not exist",
        ("--out", "d.csv", "--diffs", "./d.csv"): "--diffs d.csv: the same file as --out",
    }
    for args, text in cases.items():
        r = run_netgov(*base, *args)
        assert r.returncode == 2, args
        assert text in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1


def test_an_undefined_interval_is_shown_whole(run_netgov) -> None:
    """Three months decide nothing: legitimacy is NaN in every run, and its cell reads `nan [nan, nan]`
    (rich used to take `[nan, nan]` for markup and drop it)."""
    r = run_netgov("compare", "idp_distributed", "short_notice", "--reps", "2", "--steps", "3", "--workers", "1")
    assert r.returncode == 0, r.stderr
    final, paired = [line for line in r.stdout.splitlines() if line.startswith("│ legitimacy ")]
    assert final.count("nan [nan, nan]") == 2 and "nan (0)" in paired


# -- compare's intervals stay inside a metric's range ------------------------------------------------


def _finals(values: dict[str, list[float]]) -> pd.DataFrame:
    """One final row per (scenario, replication) with the given metric values (scenario A and B alike)."""
    n = len(next(iter(values.values())))
    rows = [
        {"scenario": sc, "replication": r, "step": 12, **{m: v[r] for m, v in values.items()}}
        for sc in ("A", "B")
        for r in range(n)
    ]
    return pd.DataFrame(rows)


def test_compare_is_a_tidy_long_table_whose_intervals_stay_inside_the_range() -> None:
    """Near 1 a Student-t interval of a share passes 1 and near 0 a count's passes below 0; the bootstrap's
    does neither."""
    from netgov.analysis.summary import SUMMARY_COLUMNS, final_summary
    from netgov.model.core.metrics import mean_ci

    values = {"adoption_rate": [1.0, 1.0, 0.9, 1.0, 1.0], "stalled": [0.0, 0.0, 3.0, 0.0, 0.0]}
    assert mean_ci(values["adoption_rate"])[2] > 1.0 and mean_ci(values["stalled"])[1] < 0.0  # the old intervals
    table = final_summary(_finals(values), ["A", "B"], list(values), seed=3)
    assert tuple(table.columns) == SUMMARY_COLUMNS and len(table) == 4
    rows = table.set_index(["scenario", "metric"])
    share, count = rows.loc[("A", "adoption_rate")], rows.loc[("A", "stalled")]
    assert share["mean"] == pytest.approx(0.98) and 0.9 <= share["lo"] < 0.98 < share["hi"] <= 1.0
    assert count["mean"] == pytest.approx(0.6) and 0.0 <= count["lo"] < 0.6 < count["hi"] <= 3.0
    assert share["n"] == 5
    assert final_summary(_finals(values), ["A", "B"], list(values), seed=3).equals(table)  # reproducible


def test_a_constant_or_missing_metric_has_a_point_interval_or_none() -> None:
    from netgov.analysis.summary import final_summary

    nan = float("nan")
    table = final_summary(
        _finals({"legitimacy": [0.7, 0.7, 0.7], "minority_gap": [nan, 0.2, nan]}), ["A"], ["legitimacy", "minority_gap"]
    )
    rows = table.set_index("metric")
    assert tuple(rows.loc["legitimacy", ["mean", "lo", "hi"]]) == pytest.approx((0.7, 0.7, 0.7))
    assert tuple(rows.loc["minority_gap", ["mean", "lo", "hi", "n"]]) == (0.2, 0.2, 0.2, 1)


def test_compare_of_real_runs_keeps_every_share_inside_0_1() -> None:
    from netgov.model.core.contract import UNIT_INTERVAL

    table = netgov.compare(["defaults", "short_notice"], reps=3, steps=12)
    shares = table[table["metric"].isin(UNIT_INTERVAL)].dropna(subset=["lo"])
    assert len(shares) and (shares["lo"] >= 0).all() and (shares["hi"] <= 1).all()
    known = table.dropna(subset=["mean"])
    assert (known["lo"] <= known["mean"]).all() and (known["mean"] <= known["hi"]).all()
