"""What actors carry across meetings (config.adaptation): off, nothing changes; on, each part does what it says."""

from __future__ import annotations

import numpy as np
import pandas as pd

from netgov import GovernanceModel
from netgov.agents import behaviour
from netgov.model.core.catalog import DOMAINS, GOVERNMENT, GROUPS, VENUES
from netgov.model.core.config import Adaptation
from netgov.model.core.contract import AGENT_COLUMNS
from netgov.scenarios.loader import load

WG = VENUES.index("cstd_working_group")


def run(steps: int = 48, seed: int = 2, **params) -> GovernanceModel:
    m = GovernanceModel(rng=seed, **params)
    m.run_for(steps)
    return m


def test_switched_off_the_rates_change_nothing() -> None:
    """With every switch off, the adaptation parameters have no effect: the runs are identical."""
    a = run()
    b = run(**{"adaptation.trust_rate": 0.9, "adaptation.trust_weight": 9.0, "adaptation.expertise_gain": 0.5})
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
    behaviour.respond(a, WG, Adaptation(hirschman=True, trust=True))
    assert not a.exited[0, WG] and not a.voicing[0, WG]
    assert a.voicing[1, WG] and not a.exited[1, WG]
    assert a.exited[2:, WG].all() and not a.voicing[2:, WG].any()
    a.venue_trust[:, WG] = 0.9  # trust recovered: everyone back, as before
    behaviour.respond(a, WG, Adaptation(hirschman=True, trust=True))
    assert not a.exited[:, WG].any() and not a.voicing[:, WG].any()


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


def test_learning_by_doing_builds_capacity_of_participants_only() -> None:
    on = run(**{"adaptation.learning": True})
    off = run()
    joined = on.actors.attended > 0
    assert joined.any() and (~joined).any()
    assert (on.actors.expertise[~joined] == off.actors.expertise[~joined]).all()
    assert (on.actors.prep_need[~joined] == off.actors.prep_need[~joined]).all()
    assert (on.actors.prep_need[joined] < off.actors.prep_need[joined]).all()
    assert (on.actors.expertise[joined] >= off.actors.expertise[joined]).all()
    assert (on.actors.expertise[joined] > off.actors.expertise[joined]).any()


def test_forum_shopping_takes_state_centric_issues_to_the_states_venue() -> None:
    on = run(240, seed=0, **{"adaptation.trust": True, "adaptation.forum_shopping": True})
    shopped = [i for i in on.issues if i.migrated_by]
    assert shopped, "no issue was taken elsewhere: the test would prove nothing"
    assert all(i.migrated_by == "government" and i.venue == "intergovernmental" for i in shopped)
    assert all(i.stance_type == "state_centric" and i.requested_venue is None for i in shopped)
    assert on.metrics["migrated"] == len(shopped)
    off = run(240, seed=0, **{"adaptation.trust": True})
    assert off.metrics["migrated"] == 0 and not any(i.migrated_by for i in off.issues)


def test_business_and_technical_community_take_their_issues_to_external_processes() -> None:
    # the polarised agenda: business and the technical community are outvoted on every ordinary issue
    polarised = load("polarised_agenda", ["adaptation.trust=true", "adaptation.technical_forums=true"]).config
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
    assert run(12).agent_table()["trust"].isna().all()  # no trust without adaptation.trust: NaN, not 0.5


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
