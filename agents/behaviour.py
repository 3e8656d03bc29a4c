"""What stakeholders do, computed for a whole issue network at once on the actor table.

Each function is one decision every stakeholder makes, whatever its group; the groups differ
through their numbers (resources, expertise, stances, region: ``stakeholders.py`` and the
schema), not through separate code. Read in order, they are an actor's story in one meeting:

1. :func:`take_part`: given notice, cost and interest, come onsite, join remotely, or stay away;
2. :func:`spend_capacity`: joining uses up capacity, which limits the next meeting;
3. :func:`influence`: how much weight its view carries in deliberation (expertise, preparation);
4. :func:`vote`: yes if the proposal is within its acceptance of its current view;
5. :func:`rate_outcome`: every actor, present or not, rates the outcome (a stalled aspect's is the status quo);
6. :func:`recover`: between meetings, capacity recovers.
"""

from __future__ import annotations

import numpy as np

from netgov.agents.population import ActorTable
from netgov.model import metrics
from netgov.model.catalog import REGION_DISTANCE
from netgov.model.config import Legitimacy, Participation


def sigmoid(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def travel_cost(actors: ActorTable, host: int, cost_scale: float, support: float) -> np.ndarray:
    """Each actor's cost of travelling to a meeting in region ``host``: distance x ``travel_cost``,
    less the share of it that travel support covers for actors in need (need = 1 - resources)."""
    need = 1.0 - actors.resources
    return cost_scale * REGION_DISTANCE[actors.region, host] * (1.0 - support * need)


def tie_pull(actors: ActorTable, domain: int, p: Participation) -> np.ndarray:
    """How much earlier collaboration in the issue's domain draws an actor in: tanh(ties / ``ties_scale``)."""
    return np.tanh(actors.domain_ties[:, domain] / p.ties_scale)


def take_part(
    actors: ActorTable,
    p: Participation,
    *,
    relevance: np.ndarray,
    prepared: np.ndarray,
    salience: float,
    ties: np.ndarray,
    cost: np.ndarray,
    at_home: np.ndarray,
    remote_quality: float,
    eligible: np.ndarray,
    convenors: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Who comes onsite and who joins remotely (two boolean masks over all actors).

    Interest u = intercept + w_rel·relevance + w_res·capacity + w_notice·prepared
    + w_sal·salience + w_ties·ties, where ``prepared`` is the share of its preparation the notice
    allowed. Onsite with probability σ(u − w_cost·cost + home bonus);
    otherwise remotely with probability remote_quality · σ(u − remote_penalty). Only eligible
    actors may join; convenors (the UN agencies of a coalition) always come.
    """
    u = (
        p.intercept
        + p.relevance * relevance
        + p.resources * actors.capacity
        + p.notice * prepared
        + p.salience * salience
        + p.ties * ties
    )
    p_onsite = sigmoid(u - p.cost * cost + p.home_bonus * at_home)
    p_remote = remote_quality * sigmoid(u - p.remote_penalty)
    draws = rng.random((2, actors.n))
    onsite = eligible & ((draws[0] < p_onsite) | convenors)
    remote = eligible & ~onsite & (draws[1] < p_remote)
    return onsite, remote


def spend_capacity(actors: ActorTable, rows: np.ndarray, remote: np.ndarray, p: Participation) -> None:
    """Joining a network costs ``meeting_effort`` of capacity (remotely: ``remote_effort`` of that), floored at 0."""
    actors.capacity[rows] -= np.where(remote, p.remote_effort, 1.0) * p.meeting_effort
    np.clip(actors.capacity, 0.0, None, out=actors.capacity)


def influence(relevance: np.ndarray, prepared: np.ndarray, remote: np.ndarray, p: Participation) -> np.ndarray:
    """A participant's weight in deliberation: expertise (at least ``influence_floor``) x the share of its
    preparation the notice allowed (at least ``influence_floor``) x ``remote_influence`` if remote."""
    floor = p.influence_floor
    return np.maximum(relevance, floor) * np.maximum(prepared, floor) * np.where(remote, p.remote_influence, 1.0)


def vote(opinions: np.ndarray, proposal: float, acceptance: np.ndarray) -> np.ndarray:
    """Yes from every participant whose view is within its acceptance of the proposal."""
    return np.abs(opinions - proposal) <= acceptance


def rate_outcome(
    actors: ActorTable,
    groups_in: np.ndarray,
    regions_in: np.ndarray,
    stances: np.ndarray,
    outcomes: np.ndarray,
    transparency: float,
    w: Legitimacy,
) -> np.ndarray:
    """Every actor's rating of an issue's outcome: voice (½ own group took part + ½ own region took part,
    in the network or in its IGF session), closeness of each aspect's outcome to its own stance on that
    aspect (``stances``: aspects x actors), and the process's transparency, weighted; averaged over aspects."""
    voice = 0.5 * groups_in[actors.group] + 0.5 * regions_in[actors.region]
    weights = (w.voice, w.closeness, w.transparency)
    return np.mean(
        [
            metrics.legitimacy_ratings(voice, x, o, transparency, weights)
            for x, o in zip(stances, outcomes, strict=True)
        ],
        axis=0,
    )


def recover(actors: ActorTable) -> None:
    """Between meetings every actor recovers a share ``capacity_recovery`` of the capacity it has spent."""
    actors.capacity += actors.recovery * (actors.resources - actors.capacity)
