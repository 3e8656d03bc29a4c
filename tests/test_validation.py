"""Empirical grounding: the mechanisms the patterns need, and `netgov validate` reproducing all five."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from netgov import ConfigError, GovernanceModel
from netgov.experiment.runner import run_once, run_seed
from netgov.model.catalog import GOVERNMENT, GROUPS, REGION_CODES, REGIONS
from netgov.scenarios.loader import load, resolved_parameters, scenario_names
from netgov.validation.calibrate import calibrated_toml, p2_targets
from netgov.validation.patterns import CALIBRATED, PATTERNS, VALIDATION_DIR, p2_band, run_statistics

P1 = VALIDATION_DIR / "p1_host_region.toml"


def forum(**params: object) -> GovernanceModel:
    """A small model with one open forum (venue igf) and one intergovernmental meeting, both at step 1."""
    agenda = {
        "mode": "fixed",
        "issues": [{"domain": "governance", "venue": "igf"}, {"domain": "governance", "venue": "intergovernmental"}],
    }
    return GovernanceModel(rng=params.pop("rng", 3), scale=0.5, agenda=agenda, **params)


def test_igf_is_open_whatever_the_participation_rule() -> None:
    m = forum(participation_rule="governments_only", remote_participation=1.0)
    m.run_for(1)
    igf, ig = m.issues
    assert igf.venue == "igf" and ig.venue == "intergovernmental"
    groups_igf = set(m.actors.group[igf.participants].tolist())
    assert groups_igf - {GOVERNMENT}, "an open forum admits every group"
    assert set(m.actors.group[ig.participants].tolist()) == {GOVERNMENT}
    assert igf.eligible == m.actors.n


def test_onsite_columns_count_the_onsite_participants() -> None:
    m = forum(remote_participation=0.8)
    m.run_for(1)
    table = m.issue_table()
    onsite = table["participants"] - table["remote"]
    assert (table[[f"onsite_{g}" for g in GROUPS]].sum(axis=1) == onsite).all()
    assert (table[[f"onsite_{r}" for r in REGION_CODES]].sum(axis=1) == onsite).all()
    assert (table["remote"] > 0).any() and (onsite > 0).all()


def test_home_bonus_brings_only_the_host_region_onsite() -> None:
    """Same seed, same draws: a home bonus adds host-region actors onsite and changes no one else's choice."""
    base = forum(host_region="africa", rng=11)
    more = forum(host_region="africa", rng=11, participation={"home_bonus": 2.0})
    base.run_for(1)
    more.run_for(1)
    b, m = base.issue_table().iloc[0], more.issue_table().iloc[0]
    assert m["onsite_africa"] > b["onsite_africa"]
    for r in REGION_CODES[1:]:
        assert m[f"onsite_{r}"] == b[f"onsite_{r}"]


def test_vote_record_matches_the_votes_and_the_rule() -> None:
    """Over many decided issues: shares agree with the votes, and rough consensus adopts iff objections fit."""
    m = GovernanceModel(rng=7, scale=0.4, decision_rule="rough_consensus", objection_threshold=0.1, openness=0.15)
    m.run_for(60)
    table = m.issue_table().set_index("issue_id")
    voted = [i for i in m.issues if i.votes is not None]
    assert len(voted) >= 5
    for issue in voted:
        row = table.loc[issue.id]
        groups = m.actors.group[issue.participants]
        regions = m.actors.region[issue.participants]
        assert row["yes_share"] == pytest.approx(issue.votes.mean())
        assert row["government_objections"] == int(((groups == GOVERNMENT) & ~issue.votes).sum())
        for i, r in enumerate(REGIONS):
            if (regions == i).any():
                assert row[f"yes_share_{r}"] == pytest.approx(issue.votes[regions == i].mean())
        if issue.decided is None:
            continue  # still working: between attempts, or on its next aspect
        # the latest vote passed (adopted) iff it met its venue's rule; under rough consensus, iff its
        # objections fit under the threshold (an intergovernmental venue counts the states' votes only)
        assert issue.adopted == issue.rule.passes(issue.votes, groups, regions)
        if issue.rule.name == "rough_consensus":
            assert issue.adopted == (1.0 - row["yes_share"] <= 0.1 + 1e-12)
    assert any(not i.adopted for i in voted) and any(i.adopted for i in voted)
    never = table.loc[[i.id for i in m.issues if i.votes is None]]
    assert len(never) and never["yes_share"].isna().all() and (never["government_objections"] == -1).all()


def test_bad_issue_venue_is_one_config_error() -> None:
    with pytest.raises(ConfigError, match=r"agenda\.issues\[0\]\.venue = 'moon' is not allowed: expected one of"):
        GovernanceModel(agenda={"mode": "fixed", "issues": [{"venue": "moon"}]})


def _host_runs(host: str, seeds: range) -> pd.DataFrame:
    config = load(P1, {"host_region": host}).config
    rows = []
    for s in seeds:
        issues = run_once(config, run_seed(0, s)).issues
        rows.append({"total": int(issues["participants"].sum()), **run_statistics(issues)})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_moving_the_host_changes_the_regional_mix_not_the_turnout() -> None:
    """Research ICT Africa (IGF 2006-2020): location changes the regional mix, not the overall turnout.

    The calibrated P1 forum hosted in Africa (IGF 2022) and in Western Europe & Others (IGF 2025),
    20 paired seeds. The regional mix: each host's region gains more than 25 points of onsite share
    (paired t-tests, 1%). The turnout (onsite + remote): the Africa/WEOG ratio lies within 0.8-1.25
    (two one-sided tests, 1%), and the host effect on the regional mix is more than four times the
    effect on turnout, in log ratios (paired t-test, 1%).
    """
    seeds = range(20)
    africa, weog = _host_runs("africa", seeds), _host_runs("western_europe_others", seeds)
    for share, home, away in (
        ("onsite_share_africa", africa, weog),
        ("onsite_share_western_europe_others", weog, africa),
    ):
        assert stats.ttest_1samp(home[share] - away[share], 0.25, alternative="greater").pvalue < 0.01
    ratio = africa["total"].to_numpy() / weog["total"].to_numpy()
    assert stats.ttest_1samp(ratio, 0.8, alternative="greater").pvalue < 0.01
    assert stats.ttest_1samp(ratio, 1.25, alternative="less").pvalue < 0.01
    mix = np.abs(np.log(africa["onsite_share_africa"] / weog["onsite_share_africa"]))
    turnout = np.abs(np.log(ratio))
    assert stats.ttest_1samp(mix - 4 * turnout, 0.0, alternative="greater").pvalue < 0.01


def test_validation_scenarios_load_and_stay_out_of_the_shipped_list() -> None:
    shipped = set(scenario_names())
    for pattern in PATTERNS:
        assert pattern.path.is_file()
        assert pattern.path.stem not in shipped
        load(pattern.path)  # validates
    assert len(shipped) == 7


def test_calibrated_file_round_trips_and_keeps_whole_tables(tmp_path) -> None:
    """The generated file loads back to the fitted values; a stance profile is written whole."""
    fitted = {"travel_cost": 0.8, "participation.home_bonus": 1.5, "actors.civil_society": 400}
    profile = load(CALIBRATED).config.stance.state_centric
    path = tmp_path / "calibrated.toml"
    path.write_text(calibrated_toml(fitted, "test"), encoding="utf-8")
    cfg = load(path).config
    assert (cfg.travel_cost, cfg.participation.home_bonus, cfg.actors.civil_society) == (0.8, 1.5, 400)
    assert profile.government_region_mean is not None
    assert profile.group_mean.business < 0.5  # the whole profile, not the schema's flat 0.5 per group


def test_a_partial_table_keeps_the_rest_of_its_defaults() -> None:
    """Setting one key of a table (as calibration and sweeps do) must not reset its siblings."""
    default = GovernanceModel(rng=0, scale=0.05).config
    cfg = load(None, ["stance.state_centric.sd=0.1", "resources.group_mean.civil_society=0.3"]).config
    assert cfg.stance.state_centric.sd == 0.1
    assert cfg.stance.state_centric.government_region_mean == default.stance.state_centric.government_region_mean
    assert cfg.stance.state_centric.group_mean == default.stance.state_centric.group_mean
    assert cfg.resources.group_mean.civil_society == 0.3
    assert cfg.resources.group_mean.business == default.resources.group_mean.business


def test_p2_targets_and_bands_follow_the_data() -> None:
    targets = p2_targets()
    assert sum(targets.values()) == pytest.approx(1.0)
    assert max(targets, key=lambda g: targets[g]) == "civil_society"
    lo, hi = p2_band("civil_society")
    assert (lo, hi) == pytest.approx((0.27, 0.485))
    assert p2_band("un_agency")[0] == 0.0


@pytest.mark.slow
def test_netgov_validate_passes_all_five(run_netgov, tmp_path) -> None:
    out = tmp_path / "validation.csv"
    result = run_netgov("validate", "--reps", "10", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 of 5 patterns pass" in result.stdout
    table = pd.read_csv(out)
    assert sorted(table["pattern"].unique()) == ["P1", "P2", "P3", "P4", "P5"]
    assert table["passed"].all() and table["pattern_passed"].all()
    assert np.all(table["ci_lo"] <= table["mean"]) and np.all(table["mean"] <= table["ci_hi"])
    assert set(table.loc[table["calibrated"], "pattern"]) == {"P1", "P2", "P3"}


def test_validate_bad_flags_are_one_line(run_netgov, tmp_path) -> None:
    for args, needle in ((["--reps", "1"], "--reps 1"), (["--out", str(tmp_path / "t.txt")], "unknown extension")):
        result = run_netgov("validate", *args)
        assert result.returncode == 2
        assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_netgov_calibrate_dry_run_prints_a_loadable_fit_and_writes_nothing(run_netgov, tmp_path) -> None:
    shipped = CALIBRATED.read_bytes()
    result = run_netgov("calibrate", "--reps", "1", "--workers", "1", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert CALIBRATED.read_bytes() == shipped and "wrote" not in result.stdout
    for stage in range(1, 5):
        assert f"stage {stage}: " in result.stdout
    text = result.stdout[result.stdout.index("# Parameters fitted") :]
    assert "rerun `netgov calibrate`" in text and "with --reps 1 --seed 2012;" in text
    fitted = tmp_path / "calibrated.toml"
    fitted.write_text(text, encoding="utf-8")
    flat = {k for k, _v, src in resolved_parameters(load(fitted)) if src == "this file"}
    assert flat == {k for k, _v, src in resolved_parameters(load(CALIBRATED)) if src == "this file"}


def test_shipped_calibrated_file_has_the_generated_header() -> None:
    head = calibrated_toml({}, "note").splitlines()[:2]
    assert CALIBRATED.read_text(encoding="utf-8").splitlines()[:2] == head
    assert "`netgov calibrate`" in head[1]


def test_calibrate_bad_flags_are_one_line(run_netgov) -> None:
    cases = {
        ("--reps", "0"): "--reps 0: expected an integer >= 1",
        ("--sensitivity", "--reps", "1"): "--reps 1: expected an integer >= 2",
        ("--workers", "0"): "--workers 0: expected an integer >= 1",
        ("--dry-run", "--sensitivity"): "--dry-run and --sensitivity: give one",
    }
    for args, needle in cases.items():
        result = run_netgov("calibrate", *args)
        assert result.returncode == 2, args
        assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
