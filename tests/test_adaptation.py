"""What actors carry across meetings (config.adaptation): off, nothing changes; on, each part does what it says."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netgov import GovernanceModel
from netgov.agents import behaviour
from netgov.model.core.catalog import DOMAINS, GOVERNMENT, GROUPS, REGIONS, VENUES
from netgov.model.core.config import Adaptation
from netgov.model.core.contract import AGENT_COLUMNS
from netgov.model.network import Collaboration
from netgov.scenarios.loader import load

WG = VENUES.index("cstd_working_group")


def run(steps: int = 48, seed: int = 2, **params) -> GovernanceModel:
    m = GovernanceModel(rng=seed, **params)
    m.run_for(steps)
    return m


#: Trust and learning are on by default (fitted to T1); these switch them off.
STILL = {"adaptation.trust": False, "adaptation.learning": False}

#: A small world whose actors the tie tests link at will.
_MODEL = GovernanceModel(rng=0, scale=0.1)


def test_switched_off_the_rates_change_nothing() -> None:
    """With every switch off, the adaptation parameters have no effect: the runs are identical."""
    a = run(**STILL)
    b = run(**STILL, **{"adaptation.trust_rate": 0.9, "adaptation.trust_weight": 9.0, "adaptation.expertise_gain": 0.5})
    pd.testing.assert_frame_equal(a.step_table(), b.step_table())
    pd.testing.assert_frame_equal(a.issue_table(), b.issue_table())


def test_trust_follows_experience_and_changes_who_comes() -> None:
    """Actors shut out of a venue (not eligible, never there) trust it less than those who sit in it."""
    states_only = {
        "participation_rule": "governments_only",
        "routing": "cstd_platform",
        "committee.venues": ["cstd_working_group"],
        "adaptation.trust": True,
    }
    m = run(**states_only)
    gov = m.actors.group == GOVERNMENT
    assert m.actors.venue_trust[gov, WG].mean() > m.actors.venue_trust[~gov, WG].mean()
    assert (m.actors.venue_trust[:, VENUES.index("igf")] == 0.5).all()  # no decision there: unchanged
    off = run(**{**states_only, "adaptation.trust": False})
    assert [i.participants.size for i in m.issues] != [i.participants.size for i in off.issues]


def test_respond_exit_voice_loyalty_by_hand() -> None:
    m = GovernanceModel(rng=0, scale=0.1)
    a = m.actors
    a.venue_trust[:, WG] = 0.2  # everyone dissatisfied
    a.loyalty[:] = 0.2
    a.loyalty[0] = 0.9  # loyal: stays
    a.resources[:] = 0.3
    a.resources[1] = 0.9  # can afford to speak up
    could = np.ones(a.n, dtype=bool)
    could[-1] = False  # one actor could not attend: it neither leaves nor speaks up there
    behaviour.respond(a, WG, could, Adaptation(hirschman=True, trust=True))
    assert not a.exited[0, WG] and not a.voicing[0, WG]
    assert a.voicing[1, WG] and not a.exited[1, WG]
    assert a.exited[2:-1, WG].all() and not a.voicing[2:, WG].any()
    assert not a.exited[-1, WG]
    a.venue_trust[:, WG] = 0.9  # trust recovered: everyone back, as before
    behaviour.respond(a, WG, could, Adaptation(hirschman=True, trust=True))
    assert not a.exited[:, WG].any() and not a.voicing[:, WG].any()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**16),
    rule=st.sampled_from(["open", "governments_only", "invited_experts"]),
    routing=st.sampled_from(["distributed", "intergovernmental", "cstd_platform"]),
)
def test_no_actor_exits_a_venue_it_could_not_attend(seed: int, rule: str, routing: str) -> None:
    """Whatever the world, an actor has left (or speaks up in) a venue only if it could attend one of the
    venue's meetings: the intergovernmental venue loses no non-state actor."""
    m = run(
        120,
        seed=seed,
        scale=0.3,
        participation_rule=rule,
        routing=routing,
        **{"adaptation.trust": True, "adaptation.hirschman": True, "adaptation.exit_threshold": 0.6},
    )
    could = np.zeros_like(m.actors.exited)
    for i in m.issues:
        if i.eligible_mask.size:
            could[:, VENUES.index(i.venue)] |= i.eligible_mask
    assert not (m.actors.exited & ~could).any()
    assert not (m.actors.voicing & ~could).any()
    assert not m.actors.exited[m.actors.group != GOVERNMENT, VENUES.index("intergovernmental")].any()


def test_exit_happens_where_it_can() -> None:
    """The property above is not vacuous: with a high threshold, actors do leave venues they can attend."""
    m = run(120, seed=3, **{"adaptation.trust": True, "adaptation.hirschman": True, "adaptation.exit_threshold": 0.6})
    assert m.actors.exited.any()


def test_those_who_left_a_venue_do_not_come() -> None:
    m = GovernanceModel(
        rng=1,
        routing="cstd_platform",
        **{"committee.venues": ["cstd_working_group"], "adaptation.trust": True, "adaptation.hirschman": True},
    )
    m.actors.exited[:, WG] = True
    m.actors.trust[:] = m.actors.venue_trust[:, WG] = 0.0
    m.run_for(12)
    # until a first decision there lets loyal actors come back (``behaviour.respond``), nobody is left to ask
    first = min((i.decided for i in m.issues if i.decided is not None), default=12)
    at_wg = [i for i in m.issues if i.venue == "cstd_working_group" and i.arrived <= first]
    assert at_wg and all(i.participants.size == 0 and i.eligible == 0 for i in at_wg)
    nobody = run(12, seed=1, routing="cstd_platform", **{"committee.venues": ["cstd_working_group"]})
    assert any(i.participants.size for i in nobody.issues if i.venue == "cstd_working_group")


def test_voice_narrows_acceptance_in_the_vote() -> None:
    """A voicing actor objects to a proposal it would otherwise accept."""
    m = GovernanceModel(rng=0, scale=0.1, **{"adaptation.trust": True, "adaptation.hirschman": True})
    acceptance = np.array([0.2, 0.2])
    opinions = np.array([0.5, 0.5])
    plain = behaviour.vote(opinions, 0.65, acceptance)
    narrowed = behaviour.vote(opinions, 0.65, acceptance * (1 - m.config.adaptation.voice_narrowing))
    assert plain.all() and not narrowed.any()


def test_forgetting_levels_learning_off() -> None:
    """Without use, what was learned fades back toward what the actor started with; with forgetting, learning
    levels off below the unbounded curve."""
    m = GovernanceModel(rng=0, scale=0.1)
    a = m.actors
    a.expertise[:] = 1.0
    a.prep_need[:] = 0.0
    behaviour.forget(a, Adaptation(learning=True, forgetting=0.5))
    assert np.allclose(a.expertise, 0.5 * (1.0 + a.expertise_drawn))
    assert np.allclose(a.prep_need, 0.5 * a.prep_need_drawn)
    on = {"adaptation.learning": True}
    bounded = run(240, seed=1, **on)
    unbounded = run(240, seed=1, **on, **{"adaptation.forgetting": 0.0})
    assert bounded.actors.prep_need.mean() > unbounded.actors.prep_need.mean()
    assert (bounded.actors.expertise <= unbounded.actors.expertise + 1e-12).mean() > 0.9


def test_trust_differs_between_groups_and_regions() -> None:
    """Trust follows experience that differs: in the default world after ten years the regions' mean trust
    spreads by more than 0.1 (trips cost more from some, their positions win less often), and civil society
    (short of resources, often unable to afford the trip) trusts the process less than the UN agencies."""
    m = run(120, seed=4, **{"adaptation.trust": True})
    a = m.actors
    by_region = [a.trust[a.region == r].mean() for r in range(len(REGIONS))]
    assert max(by_region) - min(by_region) > 0.1
    cs, un = a.group == GROUPS.index("civil_society"), a.group == GROUPS.index("un_agency")
    assert a.trust[un].mean() > a.trust[cs].mean() + 0.05


def test_learning_by_doing_builds_capacity_of_participants_only() -> None:
    on = run(**{"adaptation.learning": True, "adaptation.trust": False})
    off = run(**STILL)
    joined = on.actors.attended > 0
    assert joined.any() and (~joined).any()
    assert (on.actors.expertise[~joined] == off.actors.expertise[~joined]).all()
    assert (on.actors.prep_need[~joined] == off.actors.prep_need[~joined]).all()
    assert (on.actors.prep_need[joined] < off.actors.prep_need[joined]).all()
    assert (on.actors.expertise[joined] >= off.actors.expertise[joined]).all()
    assert (on.actors.expertise[joined] > off.actors.expertise[joined]).any()


def test_forum_shopping_takes_state_centric_issues_to_the_states_venue() -> None:
    # a state-centric agenda: governments' positions lose in the multistakeholder venues, so they trust them less
    state_centric = {"adaptation.trust": True, "agenda.state_centric_share": 1.0}
    on = run(240, seed=0, **state_centric, **{"adaptation.forum_shopping": True})
    shopped = [i for i in on.issues if i.migrated_by]
    assert shopped, "no issue was taken elsewhere: the test would prove nothing"
    assert all(i.migrated_by == "government" and i.venue == "intergovernmental" for i in shopped)
    assert all(i.stance_type == "state_centric" and i.requested_venue is None for i in shopped)
    assert on.metrics["migrated"] == len(shopped)
    off = run(240, seed=0, **state_centric)
    assert off.metrics["migrated"] == 0 and not any(i.migrated_by for i in off.issues)


def test_business_and_technical_community_take_their_issues_to_external_processes() -> None:
    # the polarised agenda: business and the technical community are outvoted on every ordinary issue
    polarised = load(
        "polarised_agenda", ["adaptation.trust=true", "adaptation.technical_forums=true", "adaptation.learning=false"]
    ).config
    m = GovernanceModel(polarised, rng=0)
    m.run_for(240)
    shopped = [i for i in m.issues if i.migrated_by]
    assert shopped
    industry = np.isin(m.actors.group, [GROUPS.index("business"), GROUPS.index("technical_community")])
    knows = m.actors.expertise[industry].mean(axis=0)  # learning is off: expertise as drawn
    for i in shopped:
        assert i.migrated_by == "business_technical" and i.venue == "external_process"
        assert knows[DOMAINS.index(i.domain)] >= 0.5


def test_coalitions_vote_as_their_majority() -> None:
    votes = np.array([True, True, False, False, False, True])
    blocs = np.array([0, 0, 0, -1, 1, 1])  # bloc 0: 2 of 3 yes -> all yes; bloc 1: 1 of 2 -> a tie is no
    assert behaviour.vote_together(votes, blocs).tolist() == [True, True, True, False, False, False]


def test_blocs_follow_the_ties_among_the_actors_given() -> None:
    m = GovernanceModel(rng=0, scale=0.1)
    ties = m.network
    rows = np.array([0, 1, 2, 3])
    n = m.actors.n
    ties._new.append(np.array([0 * n + 1, 2 * n + 3, 1 * n + 9]))  # 0-1, 2-3, and 1-9 (9 is not asked about)
    labels = ties.blocs(rows)
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), actors=st.integers(2, 30), ties=st.integers(0, 300), size=st.integers(0, 30))
def test_blocs_are_the_connected_groups_however_they_are_found(seed: int, actors: int, ties: int, size: int) -> None:
    """Few rows among many ties are looked up pair by pair, many rows in one pass over the ties: either way the
    labels are networkx's connected groups among the rows, numbered in the order the rows first meet them."""
    draw = np.random.default_rng(seed)
    pairs = [(min(i, j), max(i, j)) for i, j in draw.integers(0, actors, size=(ties, 2)).tolist() if i != j]
    rows = draw.permutation(actors)[: min(size, actors)].tolist()
    network = _MODEL.network
    collaboration = Collaboration(network.actors, network.nodes, network.partners)
    n = network.actors.n
    collaboration._new.append(np.array([i * n + j for i, j in pairs], dtype=np.int64))
    among = nx.Graph(pairs).subgraph(rows).copy()
    among.add_nodes_from(rows)
    first_met = {row: min(rows.index(r) for r in nx.node_connected_component(among, row)) for row in rows}
    numbering = {first: label for label, first in enumerate(sorted(set(first_met.values())))}
    expected = [numbering[first_met[row]] for row in rows]
    assert collaboration.blocs(np.array(rows, dtype=np.int64)).tolist() == expected


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), actors=st.integers(2, 20), meetings=st.integers(1, 6), size=st.integers(0, 60))
def test_ties_merged_meeting_by_meeting_count_every_pairing(seed: int, actors: int, meetings: int, size: int) -> None:
    """Pairings slotted into the ties a few meetings at a time are every pairing so far, counted: what sorting them
    all at once gives."""
    draw = np.random.default_rng(seed)
    network = _MODEL.network
    collaboration = Collaboration(network.actors, network.nodes, network.partners)
    n = network.actors.n
    everything = []
    for _ in range(meetings):
        i, j = draw.integers(0, actors, size=(2, size))
        codes = (np.minimum(i, j) * n + np.maximum(i, j))[i != j]
        collaboration._new.append(codes)
        everything.append(codes)
        if draw.random() < 0.5:
            collaboration.pairs()  # merged now, or with the next meeting's
    pairs, weights = collaboration.pairs()
    codes, counts = np.unique(np.concatenate(everything), return_counts=True)
    assert pairs.tolist() == np.stack([codes // n, codes % n], axis=1).tolist()
    assert weights.tolist() == counts.tolist() and weights.dtype == np.int64


# -- the agent table --------------------------------------------------------------------------------


def test_agent_table_follows_its_contract() -> None:
    m = run(30, **{"agent_interval": 10, "adaptation.trust": True, "adaptation.learning": True})
    table = m.agent_table()
    assert tuple(table.columns) == AGENT_COLUMNS
    assert sorted(set(table["step"])) == [0, 10, 20, 30]
    assert len(table) == 4 * m.actors.n
    last = table[table["step"] == 30].set_index("actor")
    assert (last["attended"].to_numpy() == m.actors.attended).all()
    assert (last["trust"].to_numpy() == m.actors.trust).all()
    assert (last["expertise_governance"].to_numpy() == m.actors.expertise[:, DOMAINS.index("governance")]).all()
    first = table[table["step"] == 0]
    assert (first["attended"] == 0).all()
    assert (table.groupby("actor")["attended"].diff().dropna() >= 0).all()  # meetings only add up
    assert run(12, **STILL).agent_table()["trust"].isna().all()  # no trust without adaptation.trust: NaN, not 0.5


def test_agents_out_from_the_cli_and_the_api(run_netgov, tmp_path) -> None:
    import netgov

    out = tmp_path / "agents.parquet"
    r = run_netgov("run", "--steps", "24", "--agents-out", str(out))
    assert r.returncode == 0, r.stderr
    written = pd.read_parquet(out)
    api = netgov.run(steps=24, agents=True).agents
    pd.testing.assert_frame_equal(written, api)
    bad = run_netgov("run", "--steps", "2", "--out", str(out), "--agents-out", str(out))
    assert bad.returncode == 2 and "same file" in bad.stderr
