"""Issues and the issue networks that work on them.

An issue arrives on the agenda, is routed to a venue, and moves through phases:
review (CSTD committee) → convening → scoping → deliberation → decision →
implementation, or ends stalled or delegated. Participation, deliberation and voting
are computed for the whole network at once on the model's actor columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from netgov.model import metrics
from netgov.model.catalog import ACTION_LINES, DOMAINS, GLOBAL_CODE, GOVERNMENT, GROUPS, REGION_CODES, REGIONS
from netgov.model.deliberation import hk_step, igf_pull, weighted_median
from netgov.model.rules import Power, bloc_power

if TYPE_CHECKING:
    from netgov.model.model import GovernanceModel

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


def sigmoid(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


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
    participants: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
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

    def counts_by_group(self, model: GovernanceModel) -> np.ndarray:
        return np.bincount(model.actors.group[self.participants], minlength=len(GROUPS))

    def counts_by_region(self, model: GovernanceModel) -> np.ndarray:
        return np.bincount(model.actors.region[self.participants], minlength=len(REGION_CODES))

    # -- the phases ---------------------------------------------------------------------

    def advance(self, model: GovernanceModel) -> None:
        """Move this issue on by one month."""
        if model.time < self.phase_until:
            if self.phase == "deliberation":
                self.deliberate(model)
            return
        if self.phase == "review":
            model.committee_recommends(self)
        elif self.phase == "convening":
            self.enter("scoping", model.time + model.config.scoping_time)
        elif self.phase == "scoping":
            self.scope(model)
        elif self.phase == "deliberation":
            self.deliberate(model)
            self.enter("decision", model.time + 1)
        elif self.phase == "decision":
            self.decide(model)

    def enter(self, phase: str, until: float) -> None:
        self.phase = phase
        self.phase_until = int(until)

    def convene(self, model: GovernanceModel, venue: str) -> None:
        """Announce a meeting with the configured notice; each eligible actor decides to take part."""
        cfg = model.config
        a = model.actors
        p = cfg.participation
        self.venue = venue
        self.host_region = model.pick_host_region()
        d = DOMAINS.index(self.domain)
        relevance = a.expertise[:, d]

        eligible = np.ones(a.n, dtype=bool)
        if venue == "igf":
            pass  # an open forum: anyone may attend, whatever the participation rule
        elif venue == "intergovernmental" or cfg.participation_rule == "governments_only":
            eligible = a.group == GOVERNMENT
        elif cfg.participation_rule == "invited_experts":
            eligible = relevance >= p.expert_threshold
        convenors = model.convenors(self) if venue == "action_line_coalition" else np.zeros(a.n, dtype=bool)
        eligible |= convenors

        prep = a.prep_time(cfg.background_quality)
        notice_ok = cfg.notice_period >= prep
        host = REGIONS.index(self.host_region)
        need = 1.0 - a.resources
        cost = cfg.travel_cost * model.distance[a.region, host] * (1.0 - cfg.travel_support * need)
        ties = np.tanh(a.domain_ties[:, d] / 10.0)
        u = (
            p.intercept
            + p.relevance * relevance
            + p.resources * a.capacity
            + p.notice * notice_ok
            + p.salience * self.salience
            + p.ties * ties
        )
        p_onsite = sigmoid(u - p.cost * cost + p.home_bonus * (a.region == host))
        p_remote = cfg.remote_participation * sigmoid(u - p.remote_penalty)
        draws = model.rng.random((2, a.n))
        onsite = eligible & ((draws[0] < p_onsite) | convenors)
        remote = eligible & ~onsite & (draws[1] < p_remote)
        joined = onsite | remote
        if cfg.participation_rule == "group_quotas" and venue not in ("intergovernmental", "igf"):
            joined = self._apply_quotas(model, joined, relevance)

        self.participants = np.flatnonzero(joined)
        self.remote = remote[self.participants]
        self.eligible = int(eligible.sum())
        self.notice_sufficiency = metrics.notice_sufficiency(cfg.notice_period, prep[eligible])
        preparation = np.minimum(1.0, (cfg.notice_period + 1.0) / (prep[self.participants] + 1.0))
        self.influence = (
            np.maximum(relevance[self.participants], 0.05)
            * preparation
            * np.where(self.remote, p.remote_influence, 1.0)
        )
        self.opinions = self.stances[self.participants].copy()
        a.capacity[self.participants] -= np.where(self.remote, 0.5, 1.0) * p.meeting_effort
        np.clip(a.capacity, 0.0, None, out=a.capacity)
        self.power = bloc_power(model.rule, a.group[self.participants], a.region[self.participants])
        self.composition = {
            "inclusiveness": metrics.inclusiveness(self.counts_by_group(model)),
            "group_coverage": metrics.group_coverage(self.counts_by_group(model)),
            "regional_balance": metrics.regional_balance(self.counts_by_region(model)[:GLOBAL_CODE], model.reference),
        }
        model.link(self)
        self.enter("convening", model.time + cfg.notice_period)

    def _apply_quotas(self, model: GovernanceModel, joined: np.ndarray, relevance: np.ndarray) -> np.ndarray:
        """Equal seats per group: the most relevant willing actors of each group take them."""
        seats = model.config.participation.seats_per_group
        keep = np.zeros_like(joined)
        for g in range(len(GROUPS)):
            rows = np.flatnonzero(joined & (model.actors.group == g))
            if rows.size > seats:
                rows = rows[np.argsort(-relevance[rows], kind="stable")[:seats]]
            keep[rows] = True
        return keep

    def scope(self, model: GovernanceModel) -> None:
        """The preliminary exercise: isolate the aspects that need global policy, or delegate."""
        if self.venue == "action_line_coalition" and model.rng.random() < model.config.committee.delegate_share:
            self.close(model, "delegated")
            return
        self.enter("deliberation", model.time + model.config.deliberation_time)

    def deliberate(self, model: GovernanceModel) -> None:
        """One month of bounded-confidence exchange (plus the IGF's pull toward the wider audience)."""
        if self.opinions.size == 0:
            return
        eps = model.actors.openness[self.participants]
        self.opinions = hk_step(self.opinions, eps, self.influence)
        anchoring = getattr(model.config.stance, self.stance_type).anchoring
        if anchoring > 0:
            self.opinions = (1.0 - anchoring) * self.opinions + anchoring * self.stances[self.participants]
        if model.config.igf_feedback:
            self.opinions = igf_pull(self.opinions, float(self.stances.mean()), model.config.igf_pull)

    def proposal(self) -> float:
        return weighted_median(self.opinions, self.influence)

    def decide(self, model: GovernanceModel) -> None:
        """Vote on the proposal under the rule in force: adopt, try again, or stall."""
        self.attempts += 1
        a = model.actors
        adopted = False
        if self.opinions.size:
            proposal = self.proposal()
            yes = np.abs(self.opinions - proposal) <= a.openness[self.participants]
            self.votes = yes
            adopted = model.rule.passes(yes, a.group[self.participants], a.region[self.participants])
        if adopted:
            self.outcome = proposal
            self.rate_outcome(model)
            self.close(model, "implementation")
        elif self.attempts < model.config.max_attempts and self.opinions.size:
            self.enter("deliberation", model.time + model.config.deliberation_time)
        else:
            self.close(model, "stalled")

    def vote_record(self, model: GovernanceModel) -> dict[str, object]:
        """The latest vote: yes share overall, by group and by region, and governments objecting (NaN / -1: none)."""
        a = model.actors
        groups = a.group[self.participants]
        regions = a.region[self.participants]
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

    def rate_outcome(self, model: GovernanceModel) -> None:
        """Every actor, participant or not, rates the adopted outcome."""
        cfg = model.config
        a = model.actors
        groups_in = self.counts_by_group(model) > 0
        regions_in = self.counts_by_region(model) > 0
        voice = 0.5 * groups_in[a.group] + 0.5 * regions_in[a.region]
        transparency = (self.notice_sufficiency + cfg.background_quality + float(cfg.igf_feedback)) / 3.0
        w = cfg.legitimacy
        ratings = metrics.legitimacy_ratings(
            voice, self.stances, self.outcome, transparency, (w.voice, w.closeness, w.transparency)
        )
        self.legitimacy = metrics.legitimacy(ratings)
        self.outcome_gap = metrics.outcome_gap(self.outcome, self.stances)

    def close(self, model: GovernanceModel, phase: str) -> None:
        self.phase = phase
        self.decided = int(model.time)

    def row(self, model: GovernanceModel) -> dict[str, object]:
        """This issue as one row of the per-issue table."""
        by_group = self.counts_by_group(model)
        by_region = self.counts_by_region(model)
        onsite = self.participants[~self.remote]
        onsite_by_group = np.bincount(model.actors.group[onsite], minlength=len(GROUPS))
        onsite_by_region = np.bincount(model.actors.region[onsite], minlength=len(REGION_CODES))
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
            **self.vote_record(model),
        }


def action_line_domain(code: str) -> str:
    return ACTION_LINES[code][1]


__all__ = ["ACTIVE_PHASES", "GLOBAL_CODE", "PHASES", "Issue", "action_line_domain"]
