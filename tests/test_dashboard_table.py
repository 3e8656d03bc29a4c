"""The read-only helpers behind the dashboard's 'who is at the table' and collaboration views, against
values computed by hand, and against the model's own tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netgov.model.core.catalog import GROUPS, REGION_CODES
from netgov.model.describe import ABSENCE_REASONS, at_the_table, network_values, ties_between
from netgov.model.issues import Issue
from netgov.model.model import GovernanceModel


def hand_issue() -> Issue:
    """Six actors: 0-2 governments (africa, africa, asia), 3 civil society (africa), 4 business (global), 5 UN."""
    issue = Issue(0, "security", None, 0.5, 1, "state_centric", 0, np.zeros(6), np.zeros((1, 6)), np.zeros(4), 0.1)
    issue.participants = np.array([0, 2, 3])
    issue.remote = np.array([False, True, False])
    issue.eligible_mask = np.array([True, True, True, True, True, False])
    issue.eligible = 5
    issue.votes = np.array([True, False, True])
    return issue


GROUP = np.array([0, 0, 0, 1, 2, 4])
REGION = np.array([0, 0, 1, 0, 5, 5])


def test_at_the_table_counts_what_was_computed_by_hand() -> None:
    notice = np.array([0.0, 1.0, 0.0, 0.0, 0.2, 0.0])
    cost = np.array([0.0, 0.5, 0.0, 0.0, 0.9, 0.0])
    t = at_the_table(hand_issue(), GROUP, REGION, notice, cost)
    assert t.present.loc["government", "africa"] == 1 and t.present.loc["government", "asia_pacific"] == 1
    assert t.present.loc["civil_society", "africa"] == 1 and t.present.to_numpy().sum() == 3
    assert t.attendance.loc["government"].tolist() == [1, 1]  # actor 0 onsite, actor 2 remote
    assert t.attendance.loc["civil_society"].tolist() == [1, 0]
    # actor 1 (government) stayed away mostly for the notice, 4 (business) for the cost, 5 (UN) was not admitted
    assert t.absent.loc["government"].tolist() == [0, 1, 0]
    assert t.absent.loc["business"].tolist() == [0, 0, 1]
    assert t.absent.loc["un_agency"].tolist() == [1, 0, 0]
    assert list(t.absent.columns) == list(ABSENCE_REASONS)
    assert t.votes_by_group.loc["government"].tolist() == [1, 1]
    assert t.votes_by_group.loc["civil_society"].tolist() == [1, 0]
    assert t.votes_by_region.loc["africa"].tolist() == [2, 0] and t.votes_by_region.loc["asia_pacific"].tolist() == [
        0,
        1,
    ]


def test_at_the_table_before_a_vote_has_no_vote_rows() -> None:
    issue = hand_issue()
    issue.votes = None
    t = at_the_table(issue, GROUP, REGION, np.zeros(6), np.zeros(6))
    assert t.votes_by_group.empty and t.votes_by_region.empty


def test_ties_between_sums_weights_by_bloc_by_hand() -> None:
    edges = np.array([[0, 1], [0, 3], [2, 3], [4, 5]])
    weights = np.array([2.0, 1.0, 3.0, 5.0])
    m = ties_between(edges, weights, GROUP, len(GROUPS))
    assert m[0, 0] == 2.0  # the tie inside the governments, once
    assert m[0, 1] == m[1, 0] == 4.0  # 0-3 and 2-3
    assert m[2, 4] == m[4, 2] == 5.0
    assert m.sum() == 2.0 + 2 * 4.0 + 2 * 5.0
    assert not ties_between(np.zeros((0, 2), dtype=int), np.zeros(0), GROUP, 5).any()


@pytest.fixture(scope="module")
def run() -> GovernanceModel:
    model = GovernanceModel(rng=2)
    model.run_for(30)
    return model


def test_at_the_table_matches_the_issue_table_for_every_issue(run: GovernanceModel) -> None:
    a = run.actors
    table = run.issue_table().set_index("issue_id")
    for issue in run.issues:
        t = at_the_table(issue, a.group, a.region, np.zeros(a.n), np.ones(a.n))
        row = table.loc[issue.id]
        assert t.present.sum(axis=1).tolist() == [row[f"participants_{g}"] for g in GROUPS]
        assert t.present.sum(axis=0).tolist() == [row[f"participants_{r}"] for r in REGION_CODES]
        assert t.attendance["remote"].sum() == row["remote"]
        assert t.attendance["onsite"].tolist() == [row[f"onsite_{g}"] for g in GROUPS]
        if issue.convened:
            assert t.absent[["notice", "cost"]].to_numpy().sum() == row["eligible"] - row["participants"]
        if issue.votes is not None:
            shares = t.votes_by_group["yes"] / (t.votes_by_group["yes"] + t.votes_by_group["no"])
            expected = pd.Series([row[f"yes_share_{g}"] for g in GROUPS], index=list(GROUPS))
            pd.testing.assert_series_equal(shares, expected, check_names=False)


def test_network_values_average_to_the_running_means_of_the_step_table(run: GovernanceModel) -> None:
    convened = [network_values(i) for i in run.issues if i.convened]
    assert convened, "no network convened in 30 months"
    last = run.step_table().iloc[-1]
    for key in ("participation_rate", "inclusiveness", "regional_balance", "notice_sufficiency", "formal_power"):
        values = np.array([v[key] for v in convened], dtype=float)
        expected = np.nanmean(values) if np.isfinite(values).any() else float("nan")
        assert last[key] == pytest.approx(expected, nan_ok=True), key


def test_the_ties_as_pairs_are_the_graphs_edges_and_weights(run: GovernanceModel) -> None:
    pairs, weights = run.network.pairs()
    graph = run.collaboration
    assert len(pairs) == graph.number_of_edges() > 0
    assert {(int(u), int(v)): int(w) for (u, v), w in zip(pairs, weights, strict=True)} == {
        (min(u, v), max(u, v)): w for u, v, w in graph.edges(data="weight")
    }
    assert weights.sum() == run.ties_formed
