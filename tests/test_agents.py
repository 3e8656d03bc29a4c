"""What stakeholders do (netgov.agents.behaviour), checked by hand-computed values and by properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netgov import GovernanceModel
from netgov.agents import UNAgency, behaviour
from netgov.agents.population import ActorTable
from netgov.model.core.catalog import DIMENSIONS, DOMAINS, REGION_DISTANCE, UN_AGENCIES, VENUES
from netgov.model.core.config import Legitimacy
from netgov.model.core.schema_actors import DomainValues, Participation
from netgov.model.core.schema_lookup import validate_config


def table(n: int = 4, resources: float = 0.5) -> ActorTable:
    return ActorTable(
        group=np.arange(n) % 5,
        region=np.arange(n) % 5,
        resources=np.full(n, resources),
        capacity=np.full(n, resources),
        openness=np.full(n, 0.2),
        acceptance=np.full(n, 0.1),
        prep_need=np.full(n, 3.0),
        expertise=np.full((n, len(DOMAINS)), 0.5),
        expertise_drawn=np.full((n, len(DOMAINS)), 0.5),
        prep_need_drawn=np.full(n, 3.0),
        position=np.full((n, len(DIMENSIONS)), 0.5),
        domain_ties=np.zeros((n, len(DOMAINS))),
        recovery=0.2,
        loyalty=np.full(n, 0.5),
        trust=np.full(n, 0.5),
        venue_trust=np.full((n, len(VENUES)), 0.5),
        exited=np.zeros((n, len(VENUES)), dtype=bool),
        voicing=np.zeros((n, len(VENUES)), dtype=bool),
        attended=np.zeros(n, dtype=np.int64),
    )


def test_domain_values_follow_the_catalog_order() -> None:
    assert tuple(DomainValues.model_fields) == DOMAINS


def test_travel_cost_by_hand() -> None:
    a = table(2, resources=0.4)
    a.region = np.array([0, 4])
    cost = behaviour.travel_cost(a, host=0, cost_scale=2.0, support=0.5)
    need = 0.6
    assert cost == pytest.approx([0.0, 2.0 * REGION_DISTANCE[4, 0] * (1 - 0.5 * need)])


def test_influence_by_hand() -> None:
    p = Participation()
    got = behaviour.influence(
        relevance=np.array([0.8, 0.01, 0.8, 0.5]),
        prepared=np.array([1.0, 1.0, 0.5, 0.0]),
        resources=np.array([1.0, 1.0, 0.5, 0.02]),
        remote=np.array([False, False, True, False]),
        p=p,
    )
    # the floor (0.05) lifts expertise 0.01, preparation 0 and resources 0.02; remote counts 0.7
    assert got == pytest.approx([0.8, 0.05, 0.8 * 0.5 * 0.5 * 0.7, 0.5 * 0.05 * 0.05])


def test_vote_is_yes_within_acceptance() -> None:
    yes = behaviour.vote(np.array([0.1, 0.5, 0.71]), 0.5, np.array([0.3, 0.0, 0.2]))
    assert yes.tolist() == [False, True, False]


def test_acceptance_and_openness_are_separate_columns() -> None:
    """Listening (openness) and accepting (acceptance) are drawn around their own means."""
    m = GovernanceModel(rng=3, openness=0.4, acceptance=0.1)
    assert abs(m.actors.openness.mean() - 0.4) < 0.03
    assert abs(m.actors.acceptance.mean() - 0.1) < 0.03
    narrow = GovernanceModel(rng=3, openness=0.4, acceptance=0.05)
    assert (narrow.actors.openness == m.actors.openness).all()  # one moved, the other did not


def test_rate_outcome_by_hand() -> None:
    a = table(2)
    a.group, a.region = np.array([0, 1]), np.array([0, 1])
    ratings = behaviour.rate_outcome(
        a,
        groups_in=np.array([True, False, False, False, False]),
        regions_in=np.array([True, True, False, False, False, False]),
        stances=np.array([[0.5, 0.9], [0.2, 0.9]]),
        outcomes=np.array([0.6, 0.2]),
        transparency=0.5,
        w=Legitimacy(),
    )
    # actor 0: voice 1, closeness 0.9 and 1.0; actor 1: voice 0.5, closeness 0.7 and 0.3
    first = [0.4 * 1 + 0.4 * 0.9 + 0.2 * 0.5, 0.4 * 0.5 + 0.4 * 0.7 + 0.2 * 0.5]
    second = [0.4 * 1 + 0.4 * 1.0 + 0.2 * 0.5, 0.4 * 0.5 + 0.4 * 0.3 + 0.2 * 0.5]
    assert ratings.overall == pytest.approx([(f + s) / 2 for f, s in zip(first, second, strict=True)])
    # its parts: procedure (voice and transparency, weights 0.4 and 0.2), substance (mean closeness)
    assert ratings.procedural == pytest.approx([(0.4 * 1 + 0.1) / 0.6, (0.4 * 0.5 + 0.1) / 0.6])
    assert ratings.substantive == pytest.approx([(0.9 + 1.0) / 2, (0.7 + 0.3) / 2])


def test_spend_and_recover_capacity() -> None:
    a = table(3, resources=0.5)
    p = Participation()
    behaviour.spend_capacity(a, np.array([0, 1]), np.array([False, True]), p)
    assert a.capacity == pytest.approx([0.4, 0.45, 0.5])
    behaviour.recover(a)
    assert a.capacity == pytest.approx([0.4 + 0.2 * 0.1, 0.45 + 0.2 * 0.05, 0.5])


def _take_part(a: ActorTable, seed: int, *, prepared: np.ndarray, eligible: np.ndarray, convenors: np.ndarray):
    return behaviour.take_part(
        a,
        Participation(),
        relevance=a.expertise[:, 0],
        prepared=prepared,
        salience=0.5,
        ties=np.zeros(a.n),
        trust=np.zeros(a.n),
        cost=np.full(a.n, 0.5),
        at_home=np.zeros(a.n, dtype=bool),
        remote_quality=0.5,
        eligible=eligible,
        convenors=convenors,
        rng=np.random.default_rng(seed),
    )


@given(st.integers(0, 2**32 - 1))
def test_take_part_properties(seed: int) -> None:
    """Only the eligible join, convenors always come onsite, nobody is both onsite and remote, and with
    the same draws more notice never keeps anyone away."""
    a = table(60)
    eligible = np.arange(60) % 3 != 0
    convenors = np.zeros(60, dtype=bool)
    convenors[[1, 2]] = True
    onsite, remote = _take_part(a, seed, prepared=np.full(60, 0.3), eligible=eligible, convenors=convenors)
    assert not ((onsite | remote) & ~eligible).any()
    assert onsite[[1, 2]].all()
    assert not (onsite & remote).any()
    more_on, more_remote = _take_part(a, seed, prepared=np.full(60, 0.8), eligible=eligible, convenors=convenors)
    assert ((onsite | remote) <= (more_on | more_remote)).all()


def test_un_agency_identity_is_an_attribute() -> None:
    m = GovernanceModel(rng=0, scale=2, actors={"un_agency": len(UN_AGENCIES)})  # one per agency, twice
    agencies = [s for s in m.stakeholders if isinstance(s, UNAgency)]
    assert len(agencies) == 22
    assert [s.agency for s in agencies] == list(UN_AGENCIES) * 2
    assert agencies[11].name == "ITU-2" and agencies[11].action_lines == agencies[0].action_lines
    assert set(m.venues.agency_rows["ITU"]) == {agencies[0].row, agencies[11].row}


def test_expertise_profiles_come_from_the_schema() -> None:
    cfg = validate_config({"expertise": {"facilitated": 0.9, "un_agency": {"culture": 0.1}}})
    means = UNAgency.agency_means(cfg, "UNESCO")  # UNESCO facilitates C3, C8, C9, C10: rights and culture
    assert means[DOMAINS.index("culture")] == 0.9
    assert means[DOMAINS.index("human_rights")] == 0.9
    assert means[DOMAINS.index("security")] == 0.2
    itu = UNAgency.agency_means(cfg, "ITU")
    assert itu[DOMAINS.index("culture")] == 0.1


def test_object_to_by_hand() -> None:
    """An actor outside its acceptance objects when salience x discontent beats the cost of objecting, shared
    with the others of its group or region who are outside too (a lone objector pays it all)."""
    groups = np.array([0, 0, 0, 1])
    regions = np.array([0, 1, 2, 3])
    discontent = np.array([0.2, 0.2, -0.1, 0.2])
    # actors 0 and 1: one of the other two governments is outside too -> backing 1/2, cost 0.3 * 0.5 = 0.15;
    # stake 0.8 * 0.2 = 0.16 > 0.15: they object. Actor 3 is alone in its group and region: cost 0.3 > 0.16.
    got = behaviour.object_to(discontent, 0.8, groups, regions, cost=0.3)
    assert got.tolist() == [True, True, False, False]
    # as the mandate runs out the cost grows: pressure 2 makes even the bloc's stake too small (0.16 < 0.3)
    assert not behaviour.object_to(discontent, 0.8, groups, regions, cost=0.3, pressure=2.0).any()
    # with no cost, unanimity of individuals: everyone outside objects
    assert behaviour.object_to(discontent, 0.8, groups, regions, cost=0.0).tolist() == [True, True, False, True]
