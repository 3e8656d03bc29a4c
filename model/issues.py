"""Issues and the issue networks that work on them.

An issue arrives on the agenda (``agenda.py``), is routed to a venue (``venues.py``), and moves
through phases: review (CSTD committee) → convening → scoping → [IGF session] → deliberation →
decision (per kept aspect) → implementation, or ends stalled, delegated, or (at an advisory venue)
advised. The venue forms the network
(:meth:`Issue.open_network`); from then on the issue moves itself on, month by month, with the
:class:`Setting` it is given: it never reaches back into the model or the venues.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from netgov.agents import behaviour
from netgov.agents.population import ActorTable
from netgov.model.choices import NOBODY, Choices
from netgov.model.core import metrics
from netgov.model.core.catalog import GOVERNMENT, GROUPS, REGION_CODES, VENUES
from netgov.model.core.config import ModelConfig
from netgov.model.core.deliberation import hk_step, igf_pull, weighted_median
from netgov.model.core.rules import Power, Rule, bloc_power
from netgov.model.core.streams import Streams
from netgov.model.network import Collaboration

PHASES: tuple[str, ...] = (
    "review",
    "convening",
    "scoping",
    "igf_session",
    "deliberation",
    "decision",
    "implementation",
    "stalled",
    "delegated",
    "advised",
)
ACTIVE_PHASES = frozenset(PHASES[:6])


@dataclass(frozen=True)
class Setting:
    """What an issue network works with once formed: the parameters, the actors, randomness."""

    config: ModelConfig
    actors: ActorTable
    streams: Streams
    ties: Collaboration  # the collaboration ties (coalitions form along them)
    choices: Choices = NOBODY  # who decides for some actors besides the model (netgov room)


def _none() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


@dataclass
class Session:
    """An IGF session on an issue (under ``igf_feedback``): who came, and what it concluded on each kept aspect."""

    participants: np.ndarray
    groups: np.ndarray
    regions: np.ndarray
    messages: np.ndarray  # one conclusion per kept aspect: the influence-weighted mean view after the session


@dataclass
class Issue:
    """An internet-related public-policy question and the network working on it."""

    id: int
    domain: str
    action_line: str | None
    salience: float
    complexity: int
    stance_type: str
    arrived: int
    stances: np.ndarray  # every actor's initial stance on the issue as a whole
    aspects: np.ndarray  # (complexity, actors): every actor's initial stance on each aspect
    venue: str = ""
    requested_venue: str | None = None  # a fixed-agenda issue's own venue, bypassing routing
    migrated_by: str = ""  # the group that took it to a forum it trusts more (forum shopping), if any
    phase: str = "review"
    phase_until: int = 0
    host_region: str = ""
    rule: Rule | None = None  # the venue's decision rule; None: the venue is advisory
    participants: np.ndarray = field(default_factory=_none)  # actor rows
    groups: np.ndarray = field(default_factory=_none)  # the participants' group codes
    regions: np.ndarray = field(default_factory=_none)  # the participants' region codes
    remote: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    opinions: np.ndarray = field(default_factory=lambda: np.zeros(0))  # views on the aspect being worked on
    influence: np.ndarray = field(default_factory=lambda: np.zeros(0))
    eligible: int = 0
    eligible_mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # who could have come
    notice_sufficiency: float = float("nan")
    power: Power | None = None
    composition: dict[str, float] = field(default_factory=dict)
    kept: np.ndarray = field(default_factory=_none)  # the aspects scoping kept (indices into ``aspects``)
    current: int = 0  # position in ``kept`` of the aspect being worked on
    igf: Session | None = None
    attempts: int = 0  # decision attempts on the current aspect
    table: float | None = None  # the compromise on the table after a failed attempt
    outcomes: list[float] = field(default_factory=list)  # adopted positions of the aspects decided so far
    minority: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # no at a first attempt
    outcome: float | None = None  # the mean position over kept aspects, once decided
    decided: int | None = None
    legitimacy: float = float("nan")
    minority_legitimacy: float = float("nan")
    outcome_gap: float = float("nan")
    minority_gap: float = float("nan")
    votes: np.ndarray | None = None  # each participant's yes vote at the latest decision attempt

    @property
    def active(self) -> bool:
        return self.phase in ACTIVE_PHASES

    @property
    def convened(self) -> bool:
        """Whether a network has formed (participation was drawn)."""
        return self.eligible > 0

    @property
    def adopted(self) -> bool:
        return self.phase == "implementation"

    def counts_by_group(self) -> np.ndarray:
        return np.bincount(self.groups, minlength=len(GROUPS))

    def counts_by_region(self) -> np.ndarray:
        return np.bincount(self.regions, minlength=len(REGION_CODES))

    # -- the phases ---------------------------------------------------------------------

    def enter(self, phase: str, until: float) -> None:
        self.phase = phase
        self.phase_until = int(until)

    def close(self, month: int, phase: str) -> None:
        self.phase = phase
        self.decided = int(month)

    def open_network(
        self,
        participants: np.ndarray,
        actors: ActorTable,
        *,
        rule: Rule | None,
        remote: np.ndarray,
        influence: np.ndarray,
        eligible: np.ndarray,
        notice_sufficiency: float,
        composition: dict[str, float],
    ) -> None:
        """The venue has formed this issue's network: record who is in it and the rule it decides by."""
        self.participants = participants
        self.groups = actors.group[participants]
        self.regions = actors.region[participants]
        self.rule = rule
        self.remote = remote
        self.influence = influence
        self.eligible = int(eligible.sum())
        self.eligible_mask = eligible
        self.notice_sufficiency = notice_sufficiency
        self.power = bloc_power(rule, self.groups, self.regions) if rule is not None else None
        self.composition = composition
        self.minority = np.zeros(participants.size, dtype=bool)

    def advance(self, month: int, s: Setting) -> None:
        """Move this network on by one month (review and the IGF session are the venues': ``venues.Venues``)."""
        if month < self.phase_until:
            if self.phase == "deliberation":
                self.deliberate(s)
            return
        if self.phase == "convening":
            self.enter("scoping", month + s.config.scoping_time)
        elif self.phase == "scoping":
            self.scope(month, s)
        elif self.phase == "igf_session":
            self.take_up(0, month, s)
        elif self.phase == "deliberation":
            self.deliberate(s)
            self.enter("decision", month + 1)
        elif self.phase == "decision":
            self.decide(month, s)

    def scope(self, month: int, s: Setting) -> None:
        """The preliminary exercise: each aspect is kept for global policy, or delegated to an existing body.

        What is kept is deliberated and decided aspect by aspect, so a complex issue takes longer and
        meets more decision points. Under ``igf_feedback`` it goes to an IGF session first
        (``igf_session``: the venues convene it).
        """
        cfg = s.config
        draws = s.streams.issue("scoping", self.id).random(self.complexity)
        self.kept = np.flatnonzero(draws >= cfg.delegate_share)
        if self.kept.size == 0:
            self.close(month, "delegated")
        elif cfg.igf_feedback and self.venue != "igf":
            self.enter("igf_session", month)  # the venues see this phase and convene the session
        else:
            self.take_up(0, month, s)

    def take_up(self, position: int, month: int, s: Setting) -> None:
        """Start deliberating the kept aspect at ``position``: views start from the stances on it."""
        self.current = position
        self.attempts = 0
        self.table = None
        self.opinions = self.aspects[self.kept[position]][self.participants].copy()
        self.enter("deliberation", month + s.config.deliberation_time)

    def deliberate(self, s: Setting) -> None:
        """One month of bounded-confidence exchange, and the pull of what the IGF session concluded."""
        if self.opinions.size == 0:
            return
        cfg = s.config
        self.opinions = s.choices.speak(self, self.opinions, s.actors.acceptance[self.participants])
        self.opinions = hk_step(self.opinions, s.actors.openness[self.participants], self.influence)
        anchoring = getattr(cfg.stance, self.stance_type).anchoring
        if anchoring > 0:
            start = self.aspects[self.kept[self.current]][self.participants]
            self.opinions = (1.0 - anchoring) * self.opinions + anchoring * start
        message = float(self.igf.messages[self.current]) if self.igf is not None else float("nan")
        if np.isfinite(message):  # an IGF session nobody attended sends no message
            self.opinions = igf_pull(self.opinions, message, cfg.igf_pull)

    def proposal(self) -> float:
        """What is voted on: the compromise on the table, or else the weighted median view."""
        return self.table if self.table is not None else weighted_median(self.opinions, self.influence)

    def decide(self, month: int, s: Setting) -> None:
        """Vote on the current aspect's proposal under the venue's rule: adopt, search a compromise, or stall.

        An advisory venue publishes its messages instead. A failed proposal moves a share ``compromise``
        toward the blocking voters' mean view (``Rule.blockers``) and comes back after ``compromise_time``
        months; after ``max_attempts`` the aspect stalls, and so does the issue, its open aspects at the
        status quo. Those who said no at an aspect's first attempt are the issue's minority.
        """
        cfg = s.config
        if self.rule is None:
            self.close(month, "advised")
            return
        self.attempts += 1
        adopted = False
        if self.opinions.size:
            proposal = self.proposal()
            acceptance = s.actors.acceptance[self.participants]
            if cfg.adaptation.hirschman and cfg.adaptation.trust:  # those who speak up object to more
                voicing = s.actors.voicing[self.participants, VENUES.index(self.venue)]
                acceptance = np.where(voicing, acceptance * (1.0 - cfg.adaptation.voice_narrowing), acceptance)
            self.votes = behaviour.vote(self.opinions, proposal, acceptance)
            if cfg.adaptation.coalitions and cfg.adaptation.trust:
                self.votes = behaviour.vote_together(self.votes, self.coalitions(s))
            self.votes = s.choices.vote(self, proposal, self.votes)
            if self.attempts == 1:
                self.minority |= ~self.votes
            adopted = self.rule.passes(self.votes, self.groups, self.regions)
        if adopted:
            self.outcomes.append(proposal)
            if self.current + 1 < self.kept.size:
                self.take_up(self.current + 1, month, s)
            else:
                self.finish(month, "implementation", s)
        elif self.attempts < cfg.max_attempts and self.opinions.size:
            assert self.votes is not None  # voted just above
            blocking = self.rule.blockers(self.votes, self.groups, self.regions)
            if blocking.any():
                target = float(np.average(self.opinions[blocking], weights=self.influence[blocking] + 1e-12))
                self.table = proposal + cfg.compromise * (target - proposal)
            else:
                self.table = proposal  # nobody to meet halfway (the network is paralysed): try again as it is
            self.enter("deliberation", month + cfg.compromise_time)
        else:
            self.finish(month, "stalled", s)

    def coalitions(self, s: Setting) -> np.ndarray:
        """A bloc label per participant: dissatisfied participants linked by ties, one bloc per linked group
        (-1: not in a coalition, and a lone dissatisfied participant is no coalition either)."""
        a = s.actors
        unhappy = a.venue_trust[self.participants, VENUES.index(self.venue)] < s.config.adaptation.exit_threshold
        blocs = np.full(self.participants.size, -1)
        rows = np.flatnonzero(unhappy)
        labels = s.ties.blocs(self.participants[rows])
        linked = np.bincount(labels)[labels] > 1
        blocs[rows[linked]] = labels[linked]
        return blocs

    def finish(self, month: int, phase: str, s: Setting) -> None:
        """Close the issue and have every actor rate what came out, aspect by aspect (status quo where nothing did)."""
        status_quo = getattr(s.config.stance, self.stance_type).status_quo
        outcomes = np.array(self.outcomes + [status_quo] * (self.kept.size - len(self.outcomes)))
        self.outcome = float(outcomes.mean())
        self.close(month, phase)
        self.rate_outcome(outcomes, s)
        if s.config.adaptation.trust:
            self.remember(outcomes, s)

    def remember(self, outcomes: np.ndarray, s: Setting) -> None:
        """Every actor updates its trust in this venue from what it lived through here (and, under
        ``adaptation.hirschman``, stays, speaks up or leaves)."""
        cfg = s.config
        a = s.actors
        present = np.zeros(a.n, dtype=bool)
        present[self.participants] = True
        vetoes = self.power.vetoes if self.power is not None else frozenset()
        veto_group = np.array([g in vetoes for g in GROUPS])
        veto_region = np.array([r in vetoes for r in REGION_CODES])
        veto = veto_group[a.group] | veto_region[a.region]
        lived = behaviour.experience(
            self.eligible_mask,
            present,
            veto,
            self.aspects[self.kept],
            outcomes,
            a.prepared(cfg.notice_period, cfg.background_quality),
        )
        venue = VENUES.index(self.venue)
        behaviour.update_trust(a, venue, lived, cfg.adaptation)
        if cfg.adaptation.hirschman:
            behaviour.respond(a, venue, cfg.adaptation)

    def rate_outcome(self, outcomes: np.ndarray, s: Setting) -> None:
        """Every actor, participant or not, rates the outcome; the minority's ratings and distance are kept apart."""
        cfg = s.config
        groups_in = self.counts_by_group() > 0
        regions_in = self.counts_by_region() > 0
        if self.igf is not None:  # those heard at the IGF session had a voice too
            groups_in |= np.bincount(self.igf.groups, minlength=len(GROUPS)) > 0
            regions_in |= np.bincount(self.igf.regions, minlength=len(REGION_CODES)) > 0
        transparency = (self.notice_sufficiency + cfg.background_quality) / 2.0
        stances = self.aspects[self.kept]
        ratings = behaviour.rate_outcome(
            s.actors, groups_in, regions_in, stances, outcomes, transparency, cfg.legitimacy
        )
        self.legitimacy = metrics.legitimacy(ratings)
        self.outcome_gap = float(np.mean([metrics.outcome_gap(o, x) for o, x in zip(outcomes, stances, strict=True)]))
        rows = self.participants[self.minority]
        if rows.size:
            self.minority_legitimacy = metrics.legitimacy(ratings[rows])
            self.minority_gap = metrics.minority_gap(outcomes, stances[:, rows])

    # -- the per-issue table --------------------------------------------------------------

    def vote_record(self) -> dict[str, object]:
        """The latest vote: yes share overall, by group and by region, and governments objecting (NaN / -1: none)."""
        groups, regions = self.groups, self.regions
        yes = self.votes if self.votes is not None else np.zeros(self.participants.size, dtype=bool)
        voted = self.votes is not None

        def share(mask: np.ndarray) -> float:
            return float(yes[mask].mean()) if voted and mask.any() else float("nan")

        everyone = np.ones(self.participants.size, dtype=bool)
        return {
            "yes_share": share(everyone),
            **{f"yes_share_{g}": share(groups == i) for i, g in enumerate(GROUPS)},
            **{f"yes_share_{r}": share(regions == i) for i, r in enumerate(REGION_CODES)},
            "government_objections": int(((groups == GOVERNMENT) & ~yes).sum()) if voted else -1,
        }

    def row(self) -> dict[str, object]:
        """This issue as one row of the per-issue table."""
        by_group = self.counts_by_group()
        by_region = self.counts_by_region()
        onsite_by_group = np.bincount(self.groups[~self.remote], minlength=len(GROUPS))
        onsite_by_region = np.bincount(self.regions[~self.remote], minlength=len(REGION_CODES))
        return {
            "issue_id": self.id,
            "domain": self.domain,
            "action_line": self.action_line or "",
            "stance_type": self.stance_type,
            "salience": self.salience,
            "complexity": self.complexity,
            "aspects_kept": int(self.kept.size),
            "venue": self.venue,
            "migrated_by": self.migrated_by,
            "host_region": self.host_region,
            "phase": self.phase,
            "arrived": self.arrived,
            "participants": int(self.participants.size),
            "eligible": self.eligible,
            "remote": int(self.remote.sum()),
            **{f"participants_{g}": int(by_group[i]) for i, g in enumerate(GROUPS)},
            **{f"participants_{r}": int(by_region[i]) for i, r in enumerate(REGION_CODES)},
            "notice_sufficiency": self.notice_sufficiency,
            "capture": self.power.capture if self.power else float("nan"),
            "outcome": "adopted" if self.adopted else self.phase if not self.active else "",
            "position": self.outcome if self.outcome is not None else float("nan"),
            "legitimacy": self.legitimacy,
            "minority_legitimacy": self.minority_legitimacy,
            "outcome_gap": self.outcome_gap,
            "minority_gap": self.minority_gap,
            "igf_participants": int(self.igf.participants.size) if self.igf is not None else 0,
            "step_decided": self.decided if self.decided is not None else -1,
            **{f"onsite_{g}": int(onsite_by_group[i]) for i, g in enumerate(GROUPS)},
            **{f"onsite_{r}": int(onsite_by_region[i]) for i, r in enumerate(REGION_CODES)},
            **self.vote_record(),
        }


__all__ = ["ACTIVE_PHASES", "PHASES", "Issue", "Setting"]
