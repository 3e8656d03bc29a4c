"""The `netgov run` command: summary, output files, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from netgov import STEP_COLUMNS


def test_run_prints_summary_and_writes_csv_and_parquet(tmp_path: Path, run_netgov) -> None:
    csv, pq = tmp_path / "steps.csv", tmp_path / "steps.parquet"
    r = run_netgov("run", "--seed", "3", "--steps", "12", "--out", str(csv))
    assert r.returncode == 0, r.stderr
    for metric in STEP_COLUMNS[1:]:
        assert metric in r.stdout
    df = pd.read_csv(csv)
    assert tuple(df.columns) == STEP_COLUMNS
    assert len(df) == 13
    r2 = run_netgov("run", "--seed", "3", "--steps", "12", "--out", str(pq))
    assert r2.returncode == 0, r2.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(pq), df, check_dtype=False)


def test_run_set_keys_change_the_run(tmp_path: Path, run_netgov) -> None:
    out = tmp_path / "gv.csv"
    r = run_netgov(
        "run",
        "--steps",
        "24",
        "--set",
        "decision_rule=government_vote",
        "--set",
        "participation_rule=governments_only",
        "--set",
        'committee.venues=["cstd_working_group"]',  # an external process outside the UN stays open
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(out)
    assert df["formal_power"].iloc[-1] == 1.0
    assert df["pass_alone"].iloc[-1] == 1.0


def test_run_errors(run_netgov) -> None:
    cases = {
        ("run", "--set", "scale=0"): "scale = 0",
        ("run", "--set", "igf_feedback=maybe"): "igf_feedback = 'maybe'",
        ("run", "--set", "travel_suport=0.5"): "did you mean 'travel_support'",
        ("run", "--out", "x.xlsx"): "allowed: .csv, .parquet",
        ("run", "--steps", "0"): "--steps 0",
    }
    for args, text in cases.items():
        r = run_netgov(*args)
        assert r.returncode == 2, args
        assert text in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1


def test_explain_says_adopted_is_censored_and_open_share_counts_what_is_left_out(run_netgov) -> None:
    """The counts of decided issues say that issues still open at the run's end are not in them, and name the
    column that says how many were."""
    adopted = run_netgov("explain", "adopted")
    assert adopted.returncode == 0, adopted.stderr
    text = " ".join(adopted.stdout.split())
    assert "censored" in text and "open_share" in text
    share = run_netgov("explain", "open_share")
    assert share.returncode == 0 and "still open" in " ".join(share.stdout.split())


def test_open_share_is_the_open_issues_over_those_that_arrived() -> None:
    from netgov import GovernanceModel

    m = GovernanceModel(rng=2)
    m.run_for(30)
    still_open = sum(1 for i in m.issues if i.active)
    assert m.metrics["active_issues"] == still_open > 0
    assert m.metrics["open_share"] == still_open / len(m.issues)
