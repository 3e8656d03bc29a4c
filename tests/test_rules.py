"""Decision rules, by property: who can pass an outcome alone, and who holds the power."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from netgov.model.catalog import GLOBAL_CODE, GOVERNMENT, GROUPS, REGIONS, UN_AGENCY
from netgov.model.rules import Rule, bloc_power


@st.composite
def networks(draw: st.DrawFn, min_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A network's participants: (group codes, region codes); UN agencies are global."""
    n = draw(st.integers(min_size, 60))
    groups = np.array(draw(st.lists(st.integers(0, len(GROUPS) - 1), min_size=n, max_size=n)))
    regions = np.array(draw(st.lists(st.integers(0, len(REGIONS) - 1), min_size=n, max_size=n)))
    regions[groups == UN_AGENCY] = GLOBAL_CODE
    return groups, regions


@settings(max_examples=200, deadline=None)
@given(networks())
def test_concurrent_groups_regions_no_group_or_region_passes_alone(net) -> None:
    groups, regions = net
    rule = Rule("concurrent_groups_regions")
    for g in np.unique(groups):
        assert not rule.passes(groups == g, groups, regions)
    for r in np.unique(regions):
        assert not rule.passes(regions == r, groups, regions)
    assert bloc_power(rule, groups, regions).decisive_alone is False


@settings(max_examples=100, deadline=None)
@given(networks())
def test_concurrent_groups_regions_passes_with_everyone(net) -> None:
    groups, regions = net
    rule = Rule("concurrent_groups_regions")
    everyone = np.ones(groups.size, dtype=bool)
    all_present = len(np.unique(groups)) == len(GROUPS) and set(range(len(REGIONS))) <= set(regions.tolist())
    assert rule.passes(everyone, groups, regions) == all_present


@settings(max_examples=200, deadline=None)
@given(networks(), st.data())
def test_government_vote_governments_alone_decide(net, data) -> None:
    groups, regions = net
    rule = Rule("government_vote")
    gov = groups == GOVERNMENT
    votes = np.array(data.draw(st.lists(st.booleans(), min_size=groups.size, max_size=groups.size)), dtype=bool)
    # non-government votes never change the outcome
    flipped = votes.copy()
    flipped[~gov] = ~flipped[~gov]
    assert rule.passes(votes, groups, regions) == rule.passes(flipped, groups, regions)
    if gov.any():
        assert rule.passes(gov, groups, regions)  # governments alone pass it
        assert not rule.passes(~gov, groups, regions)  # everyone else together cannot
        power = bloc_power(rule, groups, regions)
        assert power.capture == 1.0
        assert power.groups["government"] == 1.0
        assert power.decisive_alone


@settings(max_examples=200, deadline=None)
@given(networks(), st.floats(0, 1), st.data())
def test_rough_consensus_adopted_iff_objections_within_threshold(net, threshold, data) -> None:
    groups, regions = net
    votes = np.array(data.draw(st.lists(st.booleans(), min_size=groups.size, max_size=groups.size)), dtype=bool)
    objections = (~votes).sum() / votes.size
    passed = Rule("rough_consensus", objection_threshold=threshold).passes(votes, groups, regions)
    assert passed == (objections <= threshold + 1e-12)


@settings(max_examples=100, deadline=None)
@given(networks(), st.data())
def test_threshold_rules(net, data) -> None:
    groups, regions = net
    votes = np.array(data.draw(st.lists(st.booleans(), min_size=groups.size, max_size=groups.size)), dtype=bool)
    share = votes.mean()
    assert Rule("consensus").passes(votes, groups, regions) == bool(votes.all())
    assert Rule("majority").passes(votes, groups, regions) == (share > 0.5)
    assert Rule("qualified_majority", qualified_share=2 / 3).passes(votes, groups, regions) == (
        votes.sum() >= 2 / 3 * votes.size
    )


def test_concurrent_groups_needs_majority_in_each_group() -> None:
    groups = np.array([0, 0, 0, 1, 1, 2, 3, 4])
    regions = np.array([0, 1, 2, 3, 4, 0, 1, GLOBAL_CODE])
    yes = np.array([1, 1, 0, 1, 1, 1, 1, 1], dtype=bool)
    assert Rule("concurrent_groups").passes(yes, groups, regions)
    yes[3] = False  # civil society now split 1-1: no strict majority
    assert not Rule("concurrent_groups").passes(yes, groups, regions)


def test_majority_power_follows_bloc_size() -> None:
    # governments 6 of 10: a majority bloc on its own
    groups = np.array([0] * 6 + [1, 2, 3, 4])
    regions = np.array([0, 1, 2, 3, 4, 0, 1, 2, 3, GLOBAL_CODE])
    power = bloc_power(Rule("majority"), groups, regions)
    assert power.groups["government"] == 1.0
    assert power.decisive_alone
    # consensus: every bloc is a veto player, power shared equally among the 5 groups / 6 region codes
    cons = bloc_power(Rule("consensus"), groups, regions)
    assert cons.groups == {g: 0.2 for g in GROUPS}
    assert cons.capture == 0.2
    assert not cons.decisive_alone
