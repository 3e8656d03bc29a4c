"""Issues and the issue networks that work on them.

An issue arrives on the agenda (``agenda.py``), is routed to a venue (``venues.py``), and moves
through phases: review (CSTD committee) → convening → scoping → deliberation → decision →
implementation, or ends stalled or delegated. The venue forms the network
(:meth:`Issue.open_network`); from then on the issue moves itself on, month by month, with the
:class:`Setting` it is given: it never reaches back into the model or the venues.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from netgov.agents import behaviour
from netgov.agents.population import ActorTable
from netgov.model import metrics
from netgov.model.catalog import GOVERNMENT, GROUPS, REGION_CODES
from netgov.model.config import ModelConfig
from netgov.model.deliberation import hk_step, igf_pull, weighted_median
from netgov.model.rules import Power, Rule

PHASES: tuple[str, ...] = (
    "review",
    "convening",
    "scoping",
    "deliberation",
    "decision",
    "implementation",
    "stalled",
    "delegated",
)
ACTIVE_PHASES = frozenset(PHASES[:5])


@dataclass(frozen=True)
class Setting:
    """What an issue network works with once formed: the parameters, the decision rule, the actors, randomness."""

    config: ModelConfig
    rule: Rule
    actors: ActorTable
    rng: np.random.Generator


def _none() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


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
    stances: np.ndarray  # every actor's initial stance on this issue
    venue: str = ""
    requested_venue: str | None = None  # a fixed-agenda issue's own venue, bypassing routing
    phase: str = "review"
    phase_until: int = 0
    host_region: str = ""
    participants: np.ndarray = field(default_factory=_none)  # actor rows
    groups: np.ndarray = field(default_factory=_none)  # the participants' group codes
    regions: np.ndarray = field(default_factory=_none)  # the participants' region codes
    remote: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    opinions: np.ndarray = field(default_factory=lambda: np.zeros(0))
    influence: np.ndarray = field(default_factory=lambda: np.zeros(0))
    eligible: int = 0
    notice_sufficiency: float = float("nan")
    power: Power | None = None
    composition: dict[str, float] = field(default_factory=dict)
    attempts: int = 0
    outcome: float | None = None
    decided: int | None = None
    legitimacy: float = float("nan")
    outcome_gap: float = float("nan")
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
        remote: np.ndarray,
        influence: np.ndarray,
        eligible: int,
        notice_sufficiency: float,
        power: Power,
        composition: dict[str, float],
    ) -> None:
        """The venue has formed this issue's network: record who is in it; their opinions start at their stances."""
        self.participants = participants
        self.groups = actors.group[participants]
        self.regions = actors.region[participants]
        self.remote = remote
        self.influence = influence
        self.eligible = eligible
        self.notice_sufficiency = notice_sufficiency
        self.power = power
        self.composition = composition
        self.opinions = self.stances[participants].copy()

    def advance(self, month: int, s: Setting) -> None:
        """Move this network on by one month (review is the committee's: see ``venues.Venues.advance``)."""
        if month < self.phase_until:
            if self.phase == "deliberation":
                self.deliberate(s)
            return
        if self.phase == "convening":
            self.enter("scoping", month + s.config.scoping_time)
        elif self.phase == "scoping":
            self.scope(month, s)
        elif self.phase == "deliberation":
            self.deliberate(s)
            self.enter("decision", month + 1)
        elif self.phase == "decision":
            self.decide(month, s)

    def scope(self, month: int, s: Setting) -> None:
        """The preliminary exercise: isolate the aspects that need global policy, or delegate."""
        if self.venue == "action_line_coalition" and s.rng.random() < s.config.committee.delegate_share:
            self.close(month, "delegated")
            return
        self.enter("deliberation", month + s.config.deliberation_time)

    def deliberate(self, s: Setting) -> None:
        """One month of bounded-confidence exchange (plus the IGF's pull toward the wider audience)."""
        if self.opinions.size == 0:
            return
        cfg = s.config
        self.opinions = hk_step(self.opinions, s.actors.openness[self.participants], self.influence)
        anchoring = getattr(cfg.stance, self.stance_type).anchoring
        if anchoring > 0:
            self.opinions = (1.0 - anchoring) * self.opinions + anchoring * self.stances[self.participants]
        if cfg.igf_feedback:
            self.opinions = igf_pull(self.opinions, float(self.stances.mean()), cfg.igf_pull)

    def proposal(self) -> float:
        return weighted_median(self.opinions, self.influence)

    def decide(self, month: int, s: Setting) -> None:
        """Vote on the proposal under the rule in force: adopt, try again, or stall."""
        self.attempts += 1
        adopted = False
        if self.opinions.size:
            proposal = self.proposal()
            self.votes = behaviour.vote(self.opinions, proposal, s.actors.openness[self.participants])
            adopted = s.rule.passes(self.votes, self.groups, self.regions)
        if adopted:
            self.outcome = proposal
            self.rate_outcome(s)
            self.close(month, "implementation")
        elif self.attempts < s.config.max_attempts and self.opinions.size:
            self.enter("deliberation", month + s.config.deliberation_time)
        else:
            self.close(month, "stalled")

    def rate_outcome(self, s: Setting) -> None:
        """Every actor, participant or not, rates the adopted outcome."""
        cfg = s.config
        transparency = (self.notice_sufficiency + cfg.background_quality + float(cfg.igf_feedback)) / 3.0
        ratings = behaviour.rate_outcome(
            s.actors,
            self.counts_by_group() > 0,
            self.counts_by_region() > 0,
            self.stances,
            self.outcome,
            transparency,
            cfg.legitimacy,
        )
        self.legitimacy = metrics.legitimacy(ratings)
        self.outcome_gap = metrics.outcome_gap(self.outcome, self.stances)

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
            "venue": self.venue,
            "host_region": self.host_region,
            "phase": self.phase,
            "arrived": self.arrived,
            "participants": int(self.participants.size),
            "remote": int(self.remote.sum()),
            **{f"participants_{g}": int(by_group[i]) for i, g in enumerate(GROUPS)},
            **{f"participants_{r}": int(by_region[i]) for i, r in enumerate(REGION_CODES)},
            "notice_sufficiency": self.notice_sufficiency,
            "capture": self.power.capture if self.power else float("nan"),
            "outcome": "adopted" if self.adopted else self.phase if not self.active else "",
            "position": self.outcome if self.outcome is not None else float("nan"),
            "legitimacy": self.legitimacy,
            "step_decided": self.decided if self.decided is not None else -1,
            **{f"onsite_{g}": int(onsite_by_group[i]) for i, g in enumerate(GROUPS)},
            **{f"onsite_{r}": int(onsite_by_region[i]) for i, r in enumerate(REGION_CODES)},
            **self.vote_record(),
        }


__all__ = ["ACTIVE_PHASES", "PHASES", "Issue", "Setting"]
