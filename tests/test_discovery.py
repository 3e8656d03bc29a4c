"""Scenario discovery (PRIM, CART, feature scores via EMA Workbench) on batches whose failure region is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netgov.analysis.contrasts import Contrast
from netgov.analysis.discovery import NothingToDiscover, cases, discover, parse_where
from netgov.model.core.errors import ConfigError

PARAMS = ["openness", "acceptance", "participation.cost"]


def synthetic_runs(n: int = 400, reps: int = 2) -> pd.DataFrame:
    """A two-policy batch: policy `new` beats `old` by 0.1 except where openness > 0.6 and acceptance > 0.5,
    where it loses by 0.1 (plus noise that pairs cancel: the same draw under both policies)."""
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, (n, 3))
    rows = []
    for point in range(n):
        fails = x[point, 0] > 0.6 and x[point, 1] > 0.5
        for r in range(reps):
            noise = rng.normal(0, 0.2)
            for k, policy in enumerate(("old", "new")):
                effect = 0.0 if policy == "old" else (-0.1 if fails else 0.1)
                rows.append(
                    {"run_id": (point * 2 + k) * reps + r, "point": point, "policy": policy, "replication": r}
                    | {"seed": r, "status": "ok", **dict(zip(PARAMS, x[point], strict=True))}
                    | {"inclusiveness": 0.5 + noise + effect}
                )
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_prim_and_cart_recover_a_known_failure_box() -> None:
    runs = synthetic_runs()
    worlds, question = cases(runs, PARAMS, contrast=Contrast("policy", "new", "old"), metric="inclusiveness")
    truth = (worlds["openness"] > 0.6) & (worlds["acceptance"] > 0.5)
    assert (worlds["of_interest"] == truth).all()  # pairs cancel the noise exactly
    assert "new does worse than old on inclusiveness" in question
    found = discover(worlds, PARAMS, question, seed=1)
    limits = found.limits.set_index("parameter")
    assert set(limits.index) == {"openness", "acceptance"}
    assert limits.at["openness", "min"] == pytest.approx(0.6, abs=0.05)
    assert limits.at["acceptance", "min"] == pytest.approx(0.5, abs=0.05)
    row = found.trajectory.iloc[found.chosen]
    assert row["coverage"] > 0.9 and row["density"] > 0.9
    assert (limits[["qp_min"]].fillna(1) < 0.05).all().all()  # both lower limits are significant
    best = found.cart.sort_values("density").iloc[-1]
    assert best["density"] == 1.0 and "openness" in best["limits"] and "acceptance" in best["limits"]
    assert (
        list(found.scores["parameter"][:2]) != ["participation.cost"]
        and found.scores["parameter"].iloc[-1] == "participation.cost"
    )
    assert set(found.figures) == {"prim_trajectory", "prim_box", "cart_tree", "feature_scores"}


@pytest.mark.slow  # EMA Workbench loaded and PRIM run: make test, not make quick
def test_where_selects_worlds_by_threshold_and_is_checked() -> None:
    runs = synthetic_runs(n=60)
    worlds, question = cases(runs, PARAMS, where=parse_where("inclusiveness < 0.5", ["inclusiveness"]), policy="old")
    old = runs[runs["policy"] == "old"].groupby("point")["inclusiveness"].mean()
    assert (worlds["of_interest"] == (old < 0.5)).all() and "under old" in question
    with pytest.raises(ConfigError, match='expected "METRIC < NUMBER"'):
        parse_where("inclusiveness ~ 3", ["inclusiveness"])
    with pytest.raises(ConfigError, match="'capture' is not a final metric"):
        parse_where("capture < 3", ["inclusiveness"])
    none = worlds.assign(of_interest=False)
    with pytest.raises(NothingToDiscover, match="no world is a case of interest"):
        discover(none, PARAMS, question, plots=False)


def test_a_metric_where_lower_is_better_is_judged_the_other_way() -> None:
    """The same numbers read as capture (lower is better) make `new` the worse policy where it was the better,
    in discovery's cases, the robustness report's default claims and the contrast's share_a_better."""
    from netgov.analysis.claims import judge
    from netgov.analysis.contrasts import contrast_table
    from netgov.analysis.report import check_judged
    from netgov.experiment.claims import default_claims

    runs = synthetic_runs(n=80)
    runs["capture"] = runs["inclusiveness"]
    new_old = Contrast("policy", "new", "old")
    by_inclusion, _ = cases(runs, PARAMS, contrast=new_old, metric="inclusiveness")
    by_capture, question = cases(runs, PARAMS, contrast=new_old, metric="capture")
    assert by_capture["of_interest"].sum() > 0 and (by_capture["of_interest"] == ~by_inclusion["of_interest"]).all()
    assert "(mean new - old > 0)" in question
    claims = default_claims(["old", "new"], ["inclusiveness", "capture"], "old")
    held = judge(runs, claims, PARAMS).set_index("metric")
    assert held.at["capture", "claim"] == "new lowers capture below old"
    assert held.at["inclusiveness", "claim"] == "new raises inclusiveness above old"
    assert held.at["capture", "share_holds"] == pytest.approx(1 - held.at["inclusiveness", "share_holds"])
    table = contrast_table(runs, new_old, PARAMS, ["inclusiveness", "capture"]).set_index("metric")
    assert table.at["capture", "share_a_better"] == pytest.approx(1 - table.at["inclusiveness", "share_a_better"])
    assert 0 < table.at["capture", "share_a_better"] < 1
    runs["adopted"] = runs["inclusiveness"]  # a count: neither way is better
    assert np.isnan(contrast_table(runs, new_old, PARAMS, ["adopted"]).at[0, "share_a_better"])
    with pytest.raises(ConfigError, match="'adopted' is not a judgement"):
        cases(runs, PARAMS, contrast=new_old, metric="adopted")
    with pytest.raises(ConfigError, match="--metric adopted: neither higher nor lower is better"):
        check_judged(["inclusiveness", "adopted"])


def test_small_studies_adapt_or_say_so_and_an_insignificant_box_is_flagged() -> None:
    """With 12 worlds CART's leaf size would round to 0 (a scikit-learn error); it adapts. Below 6 worlds there
    is nothing to split: one line. A box that could be chance carries a warning; --box picks another."""
    runs = synthetic_runs(n=12)
    worlds, question = cases(runs, PARAMS, contrast=Contrast("policy", "new", "old"), metric="inclusiveness")
    worlds["of_interest"] = [i % 2 == 0 for i in range(len(worlds))]  # no pattern in the uncertainties
    found = discover(worlds, PARAMS, question, plots=False)
    assert not found.significant
    assert "could be chance" in found.warning or "restricts no uncertainty" in found.warning
    last = len(found.trajectory) - 1
    assert discover(worlds, PARAMS, question, plots=False, box=last).chosen == last
    with pytest.raises(ConfigError, match=rf"--box {last + 1}: expected a box on the peeling trajectory, 0 to {last}"):
        discover(worlds, PARAMS, question, plots=False, box=last + 1)
    with pytest.raises(NothingToDiscover, match="too few worlds for discovery: 2, need 6"):
        discover(worlds.iloc[:2], PARAMS, question, plots=False)
    clear = synthetic_runs(n=400)
    worlds, question = cases(clear, PARAMS, contrast=Contrast("policy", "new", "old"), metric="inclusiveness")
    assert discover(worlds, PARAMS, question, plots=False).warning == ""  # the known box is significant
