"""The mechanisms of docs/mechanisms.md: every claimed sign holds on the model, and the page shows the
contrasts as `netgov.analysis.mechanisms.CONTRASTS` has them."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from netgov.analysis.mechanisms import (
    CONTRASTS,
    EFFECT_COLUMNS,
    LABELS,
    RECOMMENDATIONS,
    Claim,
    Contrast,
    configs,
    effects,
    read,
)
from netgov.analysis.summary import paired_differences
from netgov.experiment.replications import replicate
from netgov.model.core.config import ModelConfig
from netgov.model.core.contract import FINAL_METRICS

ROOT = Path(__file__).resolve().parent.parent
#: Fewer replications than the page, at the page's master seed and another: the signs must not hang on
#: the page's draws.
REPS, SEEDS, MAX_STEPS = 8, (0, 7), 240


def _load_page_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mechanisms_page", ROOT / "docs" / "mechanisms.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


page = _load_page_module()
BY_NAME = {c.name: c for c in CONTRASTS}


def test_contrasts_are_well_formed() -> None:
    assert len(BY_NAME) == len(CONTRASTS), "two contrasts share a name"
    for c in CONTRASTS:
        assert c.claims, f"{c.name}: no claims"
        assert len({cl.metric for cl in c.claims}) == len(c.claims), f"{c.name}: a metric is claimed twice"
        built = configs(c)
        assert built["base"] != built["alt"], f"{c.name}: base and alternative are the same config"
        assert c.recommendation in RECOMMENDATIONS, c.name
        assert all(cl.label in LABELS for cl in c.claims)
    with pytest.raises(ValueError, match="not a final metric"):
        Claim("happiness", 1)
    with pytest.raises(ValueError, match="expected \\+1 or -1"):
        Claim("capture", 0)
    with pytest.raises(ValueError, match="expected one of behavioural, accounting"):
        Claim("capture", 1, "plausible")


def test_a_contrast_file_naming_an_unknown_recommendation_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text(
        '[recommendations]\nr = "R"\n[[contrast]]\nname = "x"\nrecommendation = "nope"\npath = "p"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="unknown recommendation 'nope'"):
        read(bad)


def test_every_recommendation_has_a_contrast() -> None:
    assert {c.recommendation for c in CONTRASTS} == set(RECOMMENDATIONS)


#: Each distinct (config, steps, seed) runs once in this process and serves every contrast that uses it:
#: contrasts share arms (the polarised agenda's majority is the base of seven, notice n is one
#: contrast's alternative and the next one's base), 51 configurations for 74 arms at each master seed.
#: Replication r runs with the same seed whichever contrast asks, so a shared arm is exactly the run the
#: pair would make.
_RUNS: list[tuple[ModelConfig, int, int, pd.DataFrame]] = []


def _arm(config: ModelConfig, steps: int, seed: int, arm: str) -> pd.DataFrame:
    """``replicate`` of one arm, labelled ``arm``; run on first use, then read from ``_RUNS``."""
    for seen, seen_steps, seen_seed, runs in _RUNS:
        if seen_steps == steps and seen_seed == seed and seen == config:
            return runs.assign(scenario=arm)
    runs = replicate({arm: config}, REPS, seed, steps)
    _RUNS.append((config, steps, seed, runs))
    return runs


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", list(BY_NAME))
def test_claimed_direction_holds(name: str, seed: int) -> None:
    c = BY_NAME[name]
    built = configs(c)
    steps = min(c.steps if c.steps is not None else built["base"].steps, MAX_STEPS)
    runs = pd.concat([_arm(built[arm], steps, seed, arm) for arm in ("base", "alt")], ignore_index=True)
    diffs = paired_differences(runs, "base").set_index("metric")
    wrong = []
    for claim in c.claims:
        n, mean = diffs.loc[claim.metric, "n"], diffs.loc[claim.metric, "diff_mean"]
        if n < 2 or not mean * claim.direction > 0:
            wrong.append(f"{claim.metric}: claimed {claim.direction:+d}, mean paired difference {mean:.4g} ({n} pairs)")
    assert not wrong, f"{name} at master seed {seed}: " + "; ".join(wrong)


def test_effects_reports_claims_and_whether_they_hold() -> None:
    """`holds` is True on the claimed side, False on the other, None without a claim (tiny runs)."""
    c = Contrast(
        name="governments only",
        path="Only governments take part.",
        scenario=None,
        base={},
        alt={"participation_rule": "governments_only"},
        claims=(Claim("group_coverage", -1), Claim("formal_power", -1)),  # the second is wrong: it rises
        steps=12,
    )
    table = effects((c,), reps=3, seed=0)
    assert tuple(table.columns) == EFFECT_COLUMNS
    assert table["metric"].tolist() == list(FINAL_METRICS)
    rows = table.set_index("metric")
    assert rows.loc["group_coverage", "claimed"] == -1 and rows.loc["group_coverage", "holds"] is True
    assert rows.loc["formal_power", "claimed"] == -1 and rows.loc["formal_power", "holds"] is False
    assert rows.loc["participation_rate", "claimed"] == 0 and rows.loc["participation_rate", "holds"] is None


# -- docs/mechanisms.md ------------------------------------------------------------------------------


def sections() -> dict[str, str]:
    """The page's sections by heading (`## name`)."""
    text = page.PAGE.read_text(encoding="utf-8")
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def test_page_says_it_is_generated() -> None:
    first = page.PAGE.read_text(encoding="utf-8").splitlines()[0]
    assert "generated by `python docs/mechanisms.py --write" in first


def test_page_has_exactly_the_contrasts() -> None:
    stale = "docs/mechanisms.md is stale: run python docs/mechanisms.py --write"
    assert list(sections()) == [*BY_NAME, page.TWENTY], stale


def test_page_reports_twenty_years_of_every_design() -> None:
    from netgov.analysis.mechanisms import DESIGNS, YEARLY, YEARS

    body = sections()[page.TWENTY]
    for design in DESIGNS:
        assert f"`{design}`" in body
    for measure in YEARLY:
        assert f"**{measure}**" in body
    rows = [line for line in body.splitlines() if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    assert [int(r.split("|")[1]) for r in rows] == list(YEARS) * len(YEARLY)


def test_yearly_values_by_hand() -> None:
    """Issues are counted in the year they arrived; trust is the agent table's at the year's end."""
    import pandas as pd

    from netgov.analysis.mechanisms import yearly

    issues = pd.DataFrame(
        {
            "arrived": [0, 5, 13],
            "eligible": [10, 20, 10],
            "participants": [5, 10, 2],
            "participants_africa": [1, 3, 0],
            "participants_civil_society": [2, 2, 1],
            "legitimacy": [0.8, float("nan"), 0.6],
            "outcome": ["adopted", "", "stalled"],
        }
    )
    agents = pd.DataFrame({"step": [12, 12, 24], "trust": [0.4, 0.6, 0.7]})
    got = yearly(issues, agents, years=(1, 2, 3))
    assert got[1]["participation"] == 0.5 and got[1]["africa_share"] == 4 / 15
    assert got[1]["civil_society_share"] == 4 / 15 and got[1]["trust"] == 0.5
    assert got[1]["legitimacy"] == 0.8 and got[1]["open_share"] == 0.5  # one of the two still open
    assert got[2]["participation"] == 0.2 and got[2]["trust"] == 0.7 and got[2]["open_share"] == 0.0
    assert all(v != v for v in got[3].values())  # nothing arrived: NaN, not 0


@pytest.mark.parametrize("name", list(BY_NAME))
def test_page_shows_the_contrast(name: str) -> None:
    c, body = BY_NAME[name], sections().get(name)
    stale = f"docs/mechanisms.md is stale for {name!r}: run python docs/mechanisms.py --write"
    assert body is not None, stale
    assert c.path in body, stale
    for line in [*page.settings(c.base), *page.settings(c.alt)]:
        assert line in body, f"{stale} ({line.strip()} missing)"
    rows = {}
    for line in body.splitlines():
        cells = [x.strip() for x in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 6 and cells[0].strip("*") in FINAL_METRICS:
            rows[cells[0].strip("*")] = cells
    assert list(rows) == list(FINAL_METRICS), stale
    for m, cells in rows.items():
        claimed = c.claimed(m)
        assert cells[0] == (f"**{m}**" if claimed else m), f"{stale} ({m} bold iff claimed)"
        assert cells[3] == page.CLAIMED[claimed], f"{stale} ({m}: claimed {cells[3]!r}, CONTRASTS {claimed:+d})"
        assert cells[4] == c.label(m), f"{stale} ({m}: labelled {cells[4]!r}, CONTRASTS {c.label(m)!r})"
        assert (cells[5] != "") == bool(claimed), f"{stale} ({m}: holds column)"


def test_every_claim_holds_on_the_page() -> None:
    """On the committed page (20 replications) every claimed interval excludes 0 on the claimed side."""
    for name, body in sections().items():
        for line in body.splitlines():
            cells = [x.strip() for x in line.strip().strip("|").split("|")]
            if line.startswith("| **") and len(cells) == 6:
                assert cells[5] == "yes", f"{name}: {cells[0]} does not hold ({cells[1]} {cells[2]})"


def test_every_rule_and_switch_has_a_contrast_beyond_capture() -> None:
    """Each decision rule against majority, and each switch the report argues about, has a contrast
    claiming an effect on an outcome metric other than capture."""
    from netgov.model.core.rules import DECISION_RULES

    for c in CONTRASTS:
        assert {cl.metric for cl in c.claims} - {"capture", "formal_power"}, f"{c.name}: claims nothing beyond power"
    rules = {c.alt["decision_rule"] for c in CONTRASTS if c.base.get("decision_rule") == "majority"}
    assert rules == set(DECISION_RULES) - {"majority"}
    switches = set().union(*(c.varied() for c in CONTRASTS))
    for key in (
        "routing",
        "committee.seats.government",
        "venues.external_process.decision_rule",
        "background_quality",
        "agenda.complexity",
        "igf_feedback",
        "travel_support",
        "remote_participation",
        "acceptance",
        "host_region",
        "participation_rule",
    ):
        assert key in switches, key
    months = {(c.base["notice_period"], c.alt["notice_period"]) for c in CONTRASTS if "notice_period" in c.base}
    assert months == {(0, 1), (1, 2), (3, 6)}  # the first months of notice, and the report's six


def _claim(contrast: str, metric: str) -> Claim:
    (claim,) = [cl for cl in BY_NAME[contrast].claims if cl.metric == metric]
    return claim


@pytest.mark.parametrize(
    ("contrast", "metric", "direction"),
    [
        ("travel support for actors in need", "capture", -1),
        ("good remote participation instead of poor", "worst_region_gap", -1),
        ("the distributed design instead of the intergovernmental status quo", "worst_group_gap", -1),
        ("the distributed design instead of the intergovernmental status quo", "capture", -1),
        ("meetings hosted in Africa instead of Western Europe", "host_gap", -1),
    ],
)
def test_who_takes_part_changes_what_is_decided(contrast: str, metric: str, direction: int) -> None:
    """Issue 23's claims are on the page as behavioural effects on outcomes (their signs are checked at
    master seeds 0 and 7 by test_claimed_direction_holds, and on the page at seed 0 with 20 replications)."""
    claim = _claim(contrast, metric)
    assert claim.direction == direction and claim.label == "behavioural"


def test_the_decision_rule_moves_adoption_and_a_gap_in_the_default_world() -> None:
    c = BY_NAME["concurrent majorities of groups and regions instead of majority, the defaults"]
    assert c.scenario is None and c.base == {"decision_rule": "majority"}
    claimed = {cl.metric: cl.label for cl in c.claims}
    assert {"adoption_rate", "stalled"} & set(claimed)
    assert {"worst_region_gap", "worst_group_gap", "outcome_gap", "minority_gap"} & set(claimed)
    assert set(claimed.values()) == {"behavioural"}


def test_minimum_effect_is_a_fifth_of_the_spread_across_seeds() -> None:
    from netgov.analysis.mechanisms import SMALLEST_EFFECT, minimum_effects_from

    runs = pd.DataFrame(
        {
            "replication": [0, 0, 1, 1, 2, 2],
            "step": [0, 1, 0, 1, 0, 1],
            **{m: [9.0, 1.0, 9.0, 2.0, 9.0, 3.0] for m in FINAL_METRICS},  # last steps 1, 2, 3: sd 1
        }
    )
    assert SMALLEST_EFFECT == 0.2
    assert minimum_effects_from(runs) == pytest.approx(dict.fromkeys(FINAL_METRICS, 0.2))


def test_an_effect_below_the_minimum_is_negligible_whatever_its_ci() -> None:
    """A claim whose interval excludes 0 on its side holds only when the mean reaches the minimum effect size;
    else the page says negligible, and an unclaimed one says so beside its interval."""
    from netgov.analysis.mechanisms import holds

    r = {"n": 20, "diff_mean": 0.004, "diff_lo": 0.002, "diff_hi": 0.006, "claimed": 1}
    assert holds(r, 1) is True and holds(r, 1, minimum=0.01) is False
    assert page.verdict({**r, "holds": False, "negligible": True}) == "negligible"
    assert (
        page.verdict(
            {**r, "diff_mean": -0.004, "diff_lo": -0.006, "diff_hi": -0.002, "holds": False, "negligible": True}
        )
        == "**no**"
    )  # the wrong side is no, not negligible
    unclaimed = page.row("capture", {**r, "claimed": 0, "holds": None, "negligible": True}, 20)
    assert unclaimed.endswith("| [+0.002, +0.006] negligible |  |  |  |")


def test_counts_of_decided_issues_are_marked_when_issues_were_left_open() -> None:
    """When the alternative leaves a different number of issues open at the end, adopted, narrowed and stalled
    carry a † and a note says their difference is partly issues the run did not see decided."""
    cells = {"n": 20, "claimed": 0, "holds": None, "negligible": False}
    by_metric = {
        "active_issues": {**cells, "diff_mean": 1.5, "diff_lo": 0.5, "diff_hi": 2.5},
        "open_share": {**cells, "diff_mean": 0.04, "diff_lo": 0.01, "diff_hi": 0.07},
    }
    note = page.censoring(by_metric)
    assert "1.500 more issues still open" in note[1] and "`adopted`" in note[1]
    by_metric["active_issues"] = {**cells, "diff_mean": 0.1, "diff_lo": -0.2, "diff_hi": 0.4}
    assert page.censoring(by_metric) == []
    assert "−8.000 †" in page.row(
        "adopted", {**cells, "diff_mean": -8.0, "diff_lo": -9.0, "diff_hi": -7.0}, 20, censored=True
    )


def test_saved_results_are_judged_again_and_refused_once_a_contrast_runs_something_else(tmp_path: Path) -> None:
    """`--load` judges kept differences against the claims as they are now (a withdrawn claim needs no rerun),
    and refuses them once a contrast's settings change."""
    c = CONTRASTS[0]
    rows = [{"contrast": c.name, "scenario": "alt", "baseline": "base", "metric": m, "n": 20,
             "diff_mean": 1.0, "diff_lo": 0.5, "diff_hi": 1.5} for m in FINAL_METRICS]  # fmt: skip
    table = page.judge(pd.DataFrame(rows), dict.fromkeys(FINAL_METRICS, 2.0), (c,))
    years = pd.DataFrame({"design": ["x"], "replication": [0], "year": [1], "measure": ["trust"], "value": [0.5]})
    page.save(tmp_path, table, years, dict.fromkeys(FINAL_METRICS, 2.0), 20, 0)
    meta = tmp_path / "meta.json"
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text.replace(page.fingerprint(CONTRASTS[1]), "changed"), encoding="utf-8")
    with pytest.raises(SystemExit, match=re.escape(CONTRASTS[1].name)):
        page.load_saved(tmp_path)
    meta.write_text(text, encoding="utf-8")
    judged, _, minimum, reps, _ = page.load_saved(tmp_path)
    claimed = judged[judged["claimed"] != 0]
    assert reps == 20 and minimum["capture"] == 2.0 and len(claimed)
    assert claimed["negligible"].all() and not claimed["holds"].any()  # 1.0 < 2.0: negligible, whatever its CI
