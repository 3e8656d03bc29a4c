"""Claims with tolerances, ties and thresholds, and regret, on synthetic batches whose answers are hand-computed."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from netgov.analysis.claims import judge, world_verdicts
from netgov.analysis.contrasts import all_pairs
from netgov.analysis.regret import minimax, regret_summary, regret_table
from netgov.experiment.claims import Claim, claim_from_table, default_claims, parse_claim
from netgov.model.core.errors import ConfigError

POLICIES = ["old", "new", "alt"]


def batch(values: dict[str, list[list[float]]], metric: str = "inclusiveness") -> pd.DataFrame:
    """A batch from {policy: [[world 0's replications], [world 1's], ...]} of one metric (other metrics NaN)."""
    rows = []
    for policy, worlds in values.items():
        for point, reps in enumerate(worlds):
            for r, v in enumerate(reps):
                rows.append(
                    {"run_id": len(rows), "point": point, "policy": policy, "replication": r, "seed": r}
                    | {"status": "ok", "openness": 0.1 * point, metric: v, "paralysis": 0.0}
                )
    return pd.DataFrame(rows)


def test_a_tie_is_a_tie_and_not_a_loss() -> None:
    # paralysis is 0 everywhere: "new lowers paralysis" is a tie in every world, never a failure
    runs = batch({"old": [[0.5, 0.5]] * 4, "new": [[0.5, 0.5]] * 4})
    verdicts = world_verdicts(runs, Claim("new", "lowers", "paralysis", "old"), ["openness"])
    assert list(verdicts["verdict"]) == ["tie"] * 4
    table = judge(
        runs, [Claim("new", "lowers", "paralysis", "old"), Claim("new", "raises", "inclusiveness", "old")], ["openness"]
    )
    assert list(table["tie"]) == [4, 4] and list(table["fails"]) == [0, 0] and list(table["share_holds"]) == [0, 0]
    contrast = all_pairs(runs, ["old", "new"], ["openness"], ["paralysis"]).iloc[0]
    assert contrast["share_a_better"] == 0 and contrast["share_tied"] == 1


def test_no_worse_than_holds_within_the_tolerance_and_fails_beyond_it() -> None:
    # new is 0.01 below old in worlds 0-1, 0.05 below in world 2 and 0.02 above in world 3 (no noise)
    runs = batch({"old": [[0.5, 0.5]] * 4, "new": [[0.49, 0.49], [0.49, 0.49], [0.45, 0.45], [0.52, 0.52]]})
    verdicts = world_verdicts(runs, Claim("new", "no_worse_than", "inclusiveness", "old", within=0.02), ["openness"])
    assert list(verdicts["verdict"]) == ["holds", "holds", "fails", "holds"]
    assert verdicts["mean"].tolist() == pytest.approx([-0.01, -0.01, -0.05, 0.02])
    strict = judge(runs, [Claim("new", "no_worse_than", "inclusiveness", "old")], ["openness"]).iloc[0]
    assert (strict["holds"], strict["fails"], strict["share_holds"]) == (1, 3, 0.25)
    # raises by at least 0.015: only world 3 (+0.02); a CI inside [-by, by] would be a tie, not a failure
    raised = world_verdicts(runs, Claim("new", "raises", "inclusiveness", "old", by=0.015), ["openness"])
    assert list(raised["verdict"]) == ["tie", "tie", "fails", "holds"]


def test_noise_makes_a_tiny_difference_inconclusive_not_a_win() -> None:
    # the issue's -0.00007 [-0.00065, 0.0005]: replications that disagree leave the verdict open
    runs = batch({"old": [[0.5, 0.6], [0.5, 0.6]], "new": [[0.5003, 0.5996], [0.4996, 0.6004]]})
    verdicts = world_verdicts(runs, Claim("new", "raises", "inclusiveness", "old"), ["openness"])
    assert list(verdicts["verdict"]) == ["inconclusive", "inconclusive"]
    assert (verdicts["lo"] < 0).all() and (verdicts["hi"] > 0).all()
    # the replications check: pooled within-world sd of the differences (+-0.00035, +-0.0004; 2 dof)
    row = judge(runs, [Claim("new", "raises", "inclusiveness", "old")], ["openness"]).iloc[0]
    assert row["sd"] == pytest.approx(math.sqrt((2 * 0.00035**2 + 2 * 0.0004**2) / 2))
    assert row["replications"] == 2 and row["replications_needed"] == 2  # a CI 0.05 wide: already there


def test_satisficing_thresholds() -> None:
    runs = batch({"old": [[0.3, 0.3], [0.6, 0.6], [0.5, 0.5]]})
    at_least = world_verdicts(runs, Claim("old", "at_least", "inclusiveness", threshold=0.5), ["openness"])
    assert list(at_least["verdict"]) == ["fails", "holds", "holds"]  # exactly at the threshold holds
    at_most = judge(runs, [Claim("old", "at_most", "paralysis", threshold=0.0)], ["openness"]).iloc[0]
    assert at_most["share_holds"] == 1 and at_most["claim"] == "old at_most 0 on paralysis"
    assert at_most["share_lo"] == pytest.approx(0.4385, abs=1e-3) and at_most["share_hi"] == 1  # Wilson, n = 3


def test_regret_and_minimax_regret_equal_hand_computed_values() -> None:
    # inclusiveness (higher is better) per world:  old 0.5 0.4 0.6 | new 0.6 0.3 0.6 | alt 0.55 0.45 0.5
    runs = batch({"old": [[0.5], [0.4], [0.6]], "new": [[0.6], [0.3], [0.6]], "alt": [[0.55], [0.45], [0.5]]})
    table = regret_table(runs, ["inclusiveness"]).set_index(["point", "policy"])["regret"]
    expected = {
        (0, "old"): 0.1, (0, "new"): 0.0, (0, "alt"): 0.05,
        (1, "old"): 0.05, (1, "new"): 0.15, (1, "alt"): 0.0,
        (2, "old"): 0.0, (2, "new"): 0.0, (2, "alt"): 0.1,
    }  # fmt: skip
    for key, value in expected.items():
        assert table[key] == pytest.approx(value, abs=1e-12), key
    summary = regret_summary(regret_table(runs, ["inclusiveness"]), POLICIES).set_index("policy")
    assert summary["max_regret"].to_dict() == pytest.approx({"old": 0.1, "new": 0.15, "alt": 0.1})
    assert summary["share_best"].to_dict() == pytest.approx({"old": 1 / 3, "new": 2 / 3, "alt": 1 / 3})
    assert summary.at["alt", "mean_regret"] == pytest.approx(0.05)
    best = minimax(regret_summary(regret_table(runs, ["inclusiveness"]), POLICIES)).set_index("metric")
    assert best.at["inclusiveness", "policy"] == "old = alt" and best.at[
        "inclusiveness", "max_regret"
    ] == pytest.approx(0.1)
    # a metric where lower is better (minority_gap): the same numbers, the other way round
    gap = batch(
        {"old": [[0.5], [0.4], [0.6]], "new": [[0.6], [0.3], [0.6]], "alt": [[0.55], [0.45], [0.5]]}, "minority_gap"
    )
    by_gap = regret_summary(regret_table(gap, ["minority_gap"]), POLICIES).set_index("policy")["max_regret"]
    assert by_gap.to_dict() == pytest.approx({"old": 0.1, "new": 0.1, "alt": 0.15})
    both = regret_summary(
        regret_table(runs.assign(minority_gap=gap["minority_gap"]), ["inclusiveness", "minority_gap"]), POLICIES
    )
    overall = minimax(both).set_index("metric")
    assert overall.at["all", "policy"] == "old" and overall.at["all", "max_regret"] == pytest.approx(0.1)


def test_claims_from_the_command_line_and_the_spec_are_checked() -> None:
    claim = parse_claim("new raises inclusiveness above old by 0.01", POLICIES)
    assert (
        claim == Claim("new", "raises", "inclusiveness", "old", by=0.01)
        and claim.text == "new raises inclusiveness above old by 0.01"
    )
    assert parse_claim("alt no_worse_than new on legitimacy within 0.02", POLICIES).within == 0.02
    assert parse_claim("new lowers capture", POLICIES).than == "old"  # the first policy
    assert parse_claim("old at_least 0.4 on inclusiveness", POLICIES).threshold == 0.4
    for bad, message in (
        ("new improves inclusiveness", 'expected "P raises M'),
        ("nobody raises inclusiveness", "policy = 'nobody' is not allowed: expected a policy: old, new, alt"),
        ("new raises nothing", "metric = 'nothing' is not allowed"),
        ("new no_worse_than old on adopted", "not allowed with no_worse_than: neither higher nor lower"),
        ("new raises inclusiveness above new", "than = 'new' is the claim's own policy"),
    ):
        with pytest.raises(ConfigError, match=message):
            parse_claim(bad, POLICIES)
    with pytest.raises(ConfigError, match=r"s.toml: claims\[0\]: within = 0.1 does not belong to kind 'raises'"):
        claim_from_table(
            {"policy": "new", "kind": "raises", "metric": "inclusiveness", "within": 0.1}, POLICIES, "s.toml: claims[0]"
        )
    with pytest.raises(ConfigError, match="by = -1 is not allowed: expected a number >= 0"):
        claim_from_table({"policy": "new", "kind": "raises", "metric": "inclusiveness", "by": -1}, POLICIES, "x")
    with pytest.raises(ConfigError, match="'threshold' is missing"):
        claim_from_table({"policy": "new", "kind": "at_most", "metric": "capture"}, POLICIES, "x")
    assert [c.text for c in default_claims(POLICIES, ["inclusiveness", "capture"], "old")][:2] == [
        "new raises inclusiveness above old",
        "new lowers capture below old",
    ]
    assert math.isnan(Claim("new", "raises", "inclusiveness", "old").threshold)
