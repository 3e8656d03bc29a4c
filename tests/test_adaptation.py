"""What actors carry across meetings (config.adaptation): off, nothing changes; on, each part does what it says."""

from __future__ import annotations

import numpy as np
import pandas as pd

from netgov import GovernanceModel
from netgov.agents import behaviour
from netgov.model.catalog import GOVERNMENT, VENUES
from netgov.model.config import Adaptation

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
    at_wg = [i for i in m.issues if i.venue == "cstd_working_group"]
    assert at_wg and all(i.participants.size == 0 and i.eligible == 0 for i in at_wg)  # nobody left to ask
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
