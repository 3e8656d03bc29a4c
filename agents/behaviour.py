"""What stakeholders do, computed for a whole issue network at once on the actor table.

Each function is one decision every stakeholder makes, whatever its group; the groups differ
through their numbers (resources, expertise, stances, region: ``stakeholders.py`` and the
schema), not through separate code. Read in order, they are an actor's story in one meeting:

1. :func:`take_part`: given notice, cost and interest, come onsite, join remotely, or stay away;
2. :func:`spend_capacity`: joining uses up capacity, which limits the next meeting;
3. :func:`influence`: how much weight its view carries in deliberation and in the chair's text (expertise,
   preparation, resources);
4. :func:`vote`: yes if the proposal is within its acceptance of its current view; under consensus,
   :func:`object_to`: it sustains an objection only if the text is far enough outside its acceptance, on
   an issue that matters enough, to be worth the cost of blocking (shared with a bloc);
5. :func:`rate_outcome`: every actor, present or not, rates the outcome, for how it was decided (procedure)
   and for what was decided (substance); a stalled aspect's outcome is the status quo;
6. :func:`recover`: between meetings, capacity recovers.

What an actor carries to the next meeting (``config.adaptation``, each part switchable):

7. :func:`learn` and :func:`forget`: taking part builds expertise in the domain and shortens preparation;
   what is not used fades, so learning levels off;
8. :func:`experience` and :func:`update_trust`: after a decision, trust in that venue (and in the process)
   moves toward what the actor lived through there: whether its position won, whether it was heard,
   whether it could afford to come;
9. :func:`respond`: an actor dissatisfied with a venue it could attend stays (loyalty), speaks up (voice) or
   leaves (exit);
10. :func:`prefers` and :func:`vote_together`: strategy: a group takes an issue to the forum it trusts
    more (forum shopping), and dissatisfied participants tied to one another vote as a bloc.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netgov.agents.population import ActorTable
from netgov.model.core import metrics
from netgov.model.core.catalog import REGION_DISTANCE
from netgov.model.core.config import Adaptation, Legitimacy
from netgov.model.core.schema_actors import Participation


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
    trust: np.ndarray,
    cost: np.ndarray,
    at_home: np.ndarray,
    remote_quality: float,
    eligible: np.ndarray,
    convenors: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Who comes onsite and who joins remotely (two boolean masks over all actors).

    Interest u = intercept + w_rel·relevance + w_res·capacity + w_notice·prepared
    + w_sal·salience + w_ties·ties + trust, where ``prepared`` is the share of its preparation the
    notice allowed and ``trust`` the log-odds its trust in the venue adds (0 without adaptation).
    Onsite with probability σ(u − w_cost·cost + home bonus); otherwise remotely with probability
    remote_quality · σ(u − remote_penalty). Only eligible actors may join; convenors (the UN agencies
    of a coalition) always come.
    """
    u = (
        p.intercept
        + p.relevance * relevance
        + p.resources * actors.capacity
        + p.notice * prepared
        + p.salience * salience
        + p.ties * ties
        + trust
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


def influence(
    relevance: np.ndarray, prepared: np.ndarray, resources: np.ndarray, remote: np.ndarray, p: Participation
) -> np.ndarray:
    """A participant's weight in deliberation and in the chair's text: expertise x the share of its preparation
    the notice allowed x its resources (staff, briefs, presence in the corridors), each at least
    ``influence_floor``, x ``remote_influence`` if remote."""
    floor = p.influence_floor
    weight = np.maximum(relevance, floor) * np.maximum(prepared, floor) * np.maximum(resources, floor)
    return weight * np.where(remote, p.remote_influence, 1.0)


def vote(opinions: np.ndarray, proposal: float, acceptance: np.ndarray) -> np.ndarray:
    """Yes from every participant whose view is within its acceptance of the proposal."""
    return np.abs(opinions - proposal) <= acceptance


def object_to(
    discontent: np.ndarray,
    salience: float,
    groups: np.ndarray,
    regions: np.ndarray,
    cost: float,
    pressure: float = 1.0,
) -> np.ndarray:
    """Who sustains an objection to a text under consensus (a mask over participants).

    ``discontent`` is how far beyond its acceptance the text lies from each participant's position
    (``Issue.discontent``; > 0: outside). An actor objects when what is at stake for it, salience x
    discontent, exceeds what objecting costs it:
    ``cost`` x ``pressure`` x (1 − backing), where backing is the largest share of the *others* in its
    stakeholder group, or in its region, who are outside their acceptance too. A lone objector pays the
    whole cost; one in a bloc shares it. ``pressure`` grows as the mandate runs out (nobody wants to be
    the one who sinks the report). With ``cost`` 0 every actor outside its acceptance objects.
    """
    outside = discontent > 0
    backing = np.maximum(_others_share(outside, groups), _others_share(outside, regions))
    return outside & (salience * discontent > cost * pressure * (1.0 - backing))


def _others_share(flag: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """For each participant, the share of the other members of its bloc (``labels``) for whom ``flag`` holds
    (0 for a bloc of one)."""
    k = int(labels.max()) + 1 if labels.size else 0
    size = np.bincount(labels, minlength=k)[labels] - 1
    flagged = np.bincount(labels[flag], minlength=k)[labels] - flag
    return np.where(size > 0, flagged / np.maximum(size, 1), 0.0)


@dataclass(frozen=True)
class Rating:
    """Every actor's rating of one issue's outcome, averaged over its aspects, and its two parts."""

    overall: np.ndarray
    procedural: np.ndarray  # voice and transparency: how it was decided
    substantive: np.ndarray  # closeness to the actor's own stance: what was decided


def rate_outcome(
    actors: ActorTable,
    groups_in: np.ndarray,
    regions_in: np.ndarray,
    stances: np.ndarray,
    outcomes: np.ndarray,
    transparency: float,
    w: Legitimacy,
) -> Rating:
    """Every actor's rating of an issue's outcome (``metrics.legitimacy_parts``): voice (½ own group took part
    + ½ own region took part, in the network or in its IGF session) and the process's transparency make its
    procedural part; closeness of each aspect's outcome to its own stance on that aspect (``stances``:
    aspects x actors) its substantive part; averaged over aspects."""
    voice = 0.5 * groups_in[actors.group] + 0.5 * regions_in[actors.region]
    weights = (w.voice, w.closeness, w.transparency)
    parts = [
        metrics.legitimacy_parts(voice, x, o, transparency, weights) for x, o in zip(stances, outcomes, strict=True)
    ]
    overall, procedural, substantive = (np.mean(p, axis=0) for p in zip(*parts, strict=True))
    return Rating(overall, procedural, substantive)


def recover(actors: ActorTable) -> None:
    """Between meetings every actor recovers a share ``capacity_recovery`` of the capacity it has spent."""
    actors.capacity += actors.recovery * (actors.resources - actors.capacity)


# -- across meetings (config.adaptation) ---------------------------------------------------------------


def learn(actors: ActorTable, rows: np.ndarray, domain: int, a: Adaptation) -> None:
    """Learning by doing: each participant closes ``expertise_gain`` of its gap to full expertise in the
    domain and sheds ``prep_gain`` of its preparation need."""
    actors.expertise[rows, domain] += a.expertise_gain * (1.0 - actors.expertise[rows, domain])
    actors.prep_need[rows] *= 1.0 - a.prep_gain


def forget(actors: ActorTable, a: Adaptation) -> None:
    """Knowledge depreciates (Argote, Beckman & Epple 1990): every month each actor loses ``forgetting`` of what
    it has learned, its expertise and preparation need drifting back toward where they started. Gains per
    meeting against losses per month give a learning curve that levels off where they balance."""
    actors.expertise -= a.forgetting * (actors.expertise - actors.expertise_drawn)
    actors.prep_need += a.forgetting * (actors.prep_need_drawn - actors.prep_need)


def experience(won: np.ndarray, heard: np.ndarray, afforded: np.ndarray) -> np.ndarray:
    """What each actor lived through in one decided issue, in [0, 1]: the mean of three things that differ
    between actors, groups and regions (institutional trust as the running evaluation of an institution's
    performance and of its fairness to oneself: Levi & Stoker 2000; Tyler 2006): the share of the aspects on
    which the outcome came within its acceptance of its position (its position won), whether it was heard (in
    the room, or through its group and region), and whether it could afford to come (eligible, and the trip
    cost no more than its resources)."""
    return (won + heard + afforded) / 3.0


def won(stances: np.ndarray, outcomes: np.ndarray, acceptance: np.ndarray) -> np.ndarray:
    """Per actor, the share of the aspects (``stances``: aspects x actors) whose outcome lies within its
    acceptance of its position there."""
    return (np.abs(stances - outcomes[:, None]) <= acceptance).mean(axis=0)


def update_trust(actors: ActorTable, venue: int, lived: np.ndarray, a: Adaptation) -> None:
    """Trust in the venue, and in the process as a whole, moves ``trust_rate`` of the way toward the experience."""
    actors.venue_trust[:, venue] += a.trust_rate * (lived - actors.venue_trust[:, venue])
    actors.trust += a.trust_rate * (lived - actors.trust)


def respond(actors: ActorTable, venue: int, could_attend: np.ndarray, a: Adaptation) -> None:
    """Hirschman's exit, voice and loyalty (*Exit, Voice, and Loyalty*, 1970): among the actors that could
    attend the venue (``could_attend``; nobody leaves a forum it cannot enter), one whose trust in it is below
    ``exit_threshold`` stays and acts as before if loyal (loyalty >= 0.5); otherwise it speaks up if it has the
    resources (``voice_resources``: voice is the costlier option, taken by those who can afford it; it narrows
    its acceptance there), and else it stops coming. An actor whose trust recovers comes back and speaks as
    before. Those who could not attend keep what they had."""
    unhappy = (actors.venue_trust[:, venue] < a.exit_threshold) & (actors.loyalty < 0.5)
    voice = unhappy & (actors.resources >= a.voice_resources)
    actors.voicing[could_attend, venue] = voice[could_attend]
    actors.exited[could_attend, venue] = (unhappy & ~voice)[could_attend]


def prefers(actors: ActorTable, who: np.ndarray, venue: int, others: list[int]) -> bool:
    """Whether the actors ``who`` (a mask: those who could attend ``venue``) trust it more, on average, than
    the ``others`` (the venues they could attend instead): the forum they would take an issue to if they
    could. With nobody, or nowhere else, there is no choice."""
    if not who.any() or not others:
        return False
    trust = actors.venue_trust[who]
    return bool(trust[:, venue].mean() > trust[:, others].mean())


def vote_together(votes: np.ndarray, blocs: np.ndarray) -> np.ndarray:
    """Coalitions vote as one: every participant in a bloc (``blocs`` >= 0, one label per linked group of
    dissatisfied participants) casts its bloc's majority vote (a tie is no); the others (-1) vote as they
    would."""
    out = votes.copy()
    for b in np.unique(blocs[blocs >= 0]):
        members = blocs == b
        out[members] = 2 * votes[members].sum() > members.sum()
    return out
