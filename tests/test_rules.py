"""Decision rules, by property: who can pass an outcome alone, and who holds the power."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from netgov.model.core.catalog import GLOBAL_CODE, GOVERNMENT, GROUPS, REGION_CODES, REGIONS, UN_AGENCY
from netgov.model.core.rules import DECISION_RULES, Rule, bloc_power


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
    power = bloc_power(rule, groups, regions)
    assert power.pass_alone is False
    # a network missing a group or region is paralysed: nothing passes, and formal power is NaN, not 0
    everyone = np.ones(groups.size, dtype=bool)
    assert power.paralysed == (not rule.passes(everyone, groups, regions))
    assert np.isnan(power.formal_power) == power.paralysed
    if not power.paralysed:
        assert power.block_alone  # every group (and region) holds a veto


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
        assert power.formal_power == 1.0
        assert power.groups["government"] == 1.0
        assert power.pass_alone
        assert power.block_alone
        assert not power.paralysed


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
    gov = groups == GOVERNMENT  # at a UN body: member states present, none objecting; the others do not count
    assert Rule("consensus", standing="states").passes(votes, groups, regions) == bool(gov.any() and votes[gov].all())
    assert Rule("majority").passes(votes, groups, regions) == (share > 0.5)
    assert Rule("qualified_majority", qualified_share=2 / 3).passes(votes, groups, regions) == (
        votes.sum() >= 2 / 3 * votes.size
    )


@settings(max_examples=200, deadline=None)
@given(networks(), st.floats(0.05, 1), st.data())
def test_consensus_judged_by_the_chair_heeds_a_significant_part_of_a_group_or_region(net, part, data) -> None:
    """Away from a venue of states, consensus fails iff at least a share ``significant_part`` of some group's
    or some region's participants object (a lone objector in a large group does not stop it)."""
    groups, regions = net
    votes = np.array(data.draw(st.lists(st.booleans(), min_size=groups.size, max_size=groups.size)), dtype=bool)
    blocked = any((~votes[groups == g]).mean() >= part for g in np.unique(groups)) or any(
        (~votes[regions == r]).mean() >= part for r in np.unique(regions) if r != GLOBAL_CODE
    )
    assert Rule("consensus", significant_part=part).passes(votes, groups, regions) == (not blocked)


def test_consensus_judged_by_the_chair_by_hand() -> None:
    # nine governments from two regions, three civil-society organisations (one region each)
    groups = np.array([0] * 9 + [1] * 3)
    regions = np.array([0] * 6 + [4] * 3 + [0, 4, 1])
    yes = np.ones(12, dtype=bool)
    yes[0] = False  # one African state of six objects: 1/9 of governments, 1/7 of Africa
    assert Rule("consensus").passes(yes, groups, regions)
    assert not Rule("consensus", standing="states").passes(yes, groups, regions)  # at a UN body one state blocks
    yes[1] = yes[2] = False  # three of nine governments object: a third of a group
    assert not Rule("consensus").passes(yes, groups, regions)
    yes[:3] = True
    yes[11] = False  # the one civil-society actor from Asia-Pacific: all of its region objects
    assert not Rule("consensus").passes(yes, groups, regions)
    assert Rule("consensus", standing="states").passes(yes, groups, regions)  # at a UN body it cannot block
    yes[9:] = False  # every non-state member objects: still no state does
    assert Rule("consensus", standing="states").passes(yes, groups, regions)
    assert not Rule("consensus", standing="states").passes(yes[9:], groups[9:], regions[9:])  # no state present


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
    assert power.pass_alone and power.block_alone
    # consensus: every bloc is a veto player, power shared equally among the 5 groups / 6 region codes
    cons = bloc_power(Rule("consensus"), groups, regions)
    assert cons.groups == {g: 0.2 for g in GROUPS}
    assert cons.formal_power == 0.2
    assert not cons.pass_alone
    assert cons.block_alone  # every bloc can stop it


def test_majority_of_even_blocs_nobody_passes_or_blocks_alone() -> None:
    groups = np.array([0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
    regions = np.array([0, 1, 2, 3, 4, 0, 1, 2, GLOBAL_CODE, GLOBAL_CODE])
    power = bloc_power(Rule("majority"), groups, regions)
    assert not power.pass_alone and not power.block_alone and not power.paralysed


@settings(max_examples=150, deadline=None)
@given(networks(), st.sampled_from(DECISION_RULES), st.data())
def test_blockers_are_no_voters_whose_votes_count(net, name, data) -> None:
    """The blockers of a failed vote said no; under government_vote they are governments; under the
    concurrent rules each sits in a group or region whose majority said no."""
    groups, regions = net
    rule = Rule(name)
    votes = np.array(data.draw(st.lists(st.booleans(), min_size=groups.size, max_size=groups.size)), dtype=bool)
    blocking = rule.blockers(votes, groups, regions)
    assert not (blocking & votes).any()
    if name == "government_vote":
        assert (groups[blocking] == GOVERNMENT).all()
    if name.startswith("concurrent"):
        for i in np.flatnonzero(blocking):
            same_group = groups == groups[i]
            group_failed = 2 * votes[same_group].sum() <= same_group.sum()
            same_region = regions == regions[i]
            region_failed = name.endswith("regions") and 2 * votes[same_region].sum() <= same_region.sum()
            assert group_failed or region_failed
    if name == "consensus":  # judged by the chair: the objectors of a group or region a third of which objects
        for i in np.flatnonzero(blocking):
            same_group, same_region = groups == groups[i], (regions == regions[i]) & (regions[i] != GLOBAL_CODE)
            assert (~votes[same_group]).mean() >= 1 / 3 or (same_region.any() and (~votes[same_region]).mean() >= 1 / 3)
        at_un_body = Rule(name, standing="states").blockers(votes, groups, regions)
        assert (at_un_body == (~votes & (groups == GOVERNMENT))).all()  # at a UN body: the objecting states alone
    if name in ("majority", "rough_consensus", "qualified_majority"):
        assert (blocking == ~votes).all()


@settings(max_examples=100, deadline=None)
@given(networks(), st.data())
def test_concurrent_blockers_turning_yes_lets_a_full_network_pass(net, data) -> None:
    """Meeting every blocker is enough: if they all said yes, a network with every group and region passes."""
    groups, regions = net
    rule = Rule("concurrent_groups_regions")
    votes = np.array(data.draw(st.lists(st.booleans(), min_size=groups.size, max_size=groups.size)), dtype=bool)
    if bloc_power(rule, groups, regions).paralysed:
        return
    met = votes | rule.blockers(votes, groups, regions)
    assert rule.passes(met, groups, regions)


@settings(max_examples=100, deadline=None)
@given(networks(), st.sampled_from(DECISION_RULES), st.sampled_from(["states", "significant_part"]))
def test_bloc_power_is_the_game_the_votes_play(net, name, standing) -> None:
    """Every coalition's win is judged at once (``Rule.passes_each``): the same game as voting each coalition's
    members yes one by one through ``Rule.passes``, whose Banzhaf indices, lone passers and vetoes it gives."""
    from netgov.model.core import metrics

    groups, regions = net
    rule = Rule(name, standing=standing)
    power = bloc_power(rule, groups, regions)
    for labels, names, found in ((groups, GROUPS, power.groups), (regions, REGION_CODES, power.regions)):
        present = [c for c in range(len(names)) if (labels == c).any()]

        def wins(coalition: frozenset, labels=labels) -> bool:
            return rule.passes(np.isin(labels, list(coalition)), groups, regions)

        assert found == {names[c]: v for c, v in metrics.banzhaf_power(present, wins).items()}
        assert {names[c] for c in metrics.veto_players(present, wins)} <= power.vetoes
        if metrics.can_pass_alone(present, wins):
            assert power.pass_alone
    assert power.paralysed == (not rule.passes(np.ones(groups.size, dtype=bool), groups, regions))
