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
from netgov.model.core.catalog import GLOBAL_CODE, GOVERNMENT, GROUPS, REGION_CODES, REGIONS, VENUES
from netgov.model.core.config import ModelConfig
from netgov.model.core.deliberation import draft, hk_step, igf_pull
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
    "narrowed",
    "stalled",
    "delegated",
    "advised",
)
ACTIVE_PHASES = frozenset(PHASES[:6])
#: Texts the chair tries when redrafting, from the failed text toward those who blocked it (``Issue.redraft``).
REDRAFTS = 41


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
    loadings: np.ndarray  # how the question maps onto the cleavages (``DIMENSIONS``; absolute weights sum to 1)
    status_quo: float  # where the issue stands if nothing is decided (a stalled aspect's outcome)
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
    pen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # participants holding the pen
    moved: float = float("inf")  # the largest change of a view in the latest month of deliberation
    eligible: int = 0
    eligible_mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # who could have come
    afforded: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # eligible, trip within means
    notice_sufficiency: float = float("nan")
    power: Power | None = None
    composition: dict[str, float] = field(default_factory=dict)
    kept: np.ndarray = field(default_factory=_none)  # the aspects scoping kept (indices into ``aspects``)
    current: int = 0  # position in ``kept`` of the aspect being worked on
    igf: Session | None = None
    attempts: int = 0  # decision attempts on the current aspect
    table: float | None = None  # the compromise on the table after a failed attempt
    outcomes: list[float] = field(default_factory=list)  # the outcome of each aspect decided so far
    agreed: list[bool] = field(default_factory=list)  # per aspect decided so far: agreed (else dropped)
    started: int | None = None  # the month the network first deliberated: its mandate runs from here
    met: int | None = None  # the month the network first met (the notice over)
    minority: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # no at a first attempt
    outcome: float | None = None  # the mean position over kept aspects, once decided
    decided: int | None = None
    legitimacy: float = float("nan")
    procedural_legitimacy: float = float("nan")
    substantive_legitimacy: float = float("nan")
    minority_legitimacy: float = float("nan")
    outcome_gap: float = float("nan")
    worst_region_gap: float = float("nan")
    worst_group_gap: float = float("nan")
    host_gap: float = float("nan")
    capture: float = float("nan")
    minority_gap: float = float("nan")
    votes: np.ndarray | None = None  # each participant's yes vote at the latest decision attempt
    dissent: np.ndarray | None = None  # who said they could not accept the latest text (blocking or not)

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

    @property
    def decided_on(self) -> bool:
        """Whether the network reached its end with a decision: adopted, narrowed or stalled."""
        return self.phase in ("implementation", "narrowed", "stalled")

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
        pen: np.ndarray,
        eligible: np.ndarray,
        afforded: np.ndarray,
        notice_sufficiency: float,
        composition: dict[str, float],
    ) -> None:
        """The venue has formed this issue's network: record who is in it, who holds the pen, and the rule it
        decides by."""
        self.participants = participants
        self.groups = actors.group[participants]
        self.regions = actors.region[participants]
        self.rule = rule
        self.remote = remote
        self.influence = influence
        self.pen = pen
        self.eligible = int(eligible.sum())
        self.eligible_mask = eligible
        self.afforded = afforded
        self.notice_sufficiency = notice_sufficiency
        self.power = bloc_power(rule, self.groups, self.regions) if rule is not None else None
        self.composition = composition
        self.minority = np.zeros(participants.size, dtype=bool)

    def advance(self, month: int, s: Setting) -> None:
        """Move this network on by one month (review and the IGF session are the venues': ``venues.Venues``)."""
        if self.started is not None and month - self.started >= s.config.consensus.mandate:
            self.conclude(month, s)  # the mandate has run out: what is agreed stands, the rest stays as it was
            return
        if self.phase == "deliberation":
            self.deliberate(s)
            if month >= self.phase_until or self.settled(s, month):
                self.enter("decision", month + 1)
            return
        if month < self.phase_until:
            return
        if self.phase == "convening":
            self.met = month
            self.enter("scoping", month + s.config.scoping_time)
        elif self.phase == "scoping":
            self.scope(month, s)
        elif self.phase == "igf_session":
            self.take_up(0, month, s)
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
        if self.started is None:
            self.started = month
        self.enter("deliberation", month + s.config.deliberation_deadline)

    def deliberate(self, s: Setting) -> None:
        """One month of bounded-confidence exchange, and the pull of what the IGF session concluded."""
        if self.opinions.size == 0:
            self.moved = 0.0
            return
        cfg = s.config
        before = self.opinions
        self.opinions = s.choices.speak(self, self.opinions, self.acceptance(s))
        self.opinions = hk_step(self.opinions, s.actors.openness[self.participants], self.influence)
        anchoring = cfg.positions.anchoring
        if anchoring > 0:
            start = self.aspects[self.kept[self.current]][self.participants]
            self.opinions = (1.0 - anchoring) * self.opinions + anchoring * start
        message = float(self.igf.messages[self.current]) if self.igf is not None else float("nan")
        if np.isfinite(message):  # an IGF session nobody attended sends no message
            self.opinions = igf_pull(self.opinions, message, cfg.igf_pull)
        self.moved = float(np.abs(self.opinions - before).max())

    def settled(self, s: Setting, month: int | None = None) -> bool:
        """Whether the network is ready to vote before its deadline: the text on the table would pass now
        (it is within reach), or views have stopped moving (more talk would not bring it closer)."""
        if self.moved < s.config.convergence:
            return True
        return (
            self.rule is not None
            and self.opinions.size > 0
            and self.rule.passes(self.ballot(self.proposal(s), s, month), self.groups, self.regions)
        )

    def proposal(self, s: Setting) -> float:
        """What is voted on: the compromise on the table after a failed attempt, or else the chair's text."""
        return self.table if self.table is not None else self.text(s)

    def text(self, s: Setting) -> float:
        """The chair's text, drafted from the room: the participants' current views weighted by their
        influence (expertise, preparation, resources, onsite or remote), the pen-holders' ``pen_weight``
        times. Who is absent moves it not at all."""
        weights = self.influence * np.where(self.pen, s.config.pen_weight, 1.0)
        return draft(self.opinions, weights)

    def ballot(self, proposal: float, s: Setting, month: int | None = None) -> np.ndarray:
        """Each participant's yes on ``proposal``: under a voting rule, whether it is within its acceptance of
        its current view (narrower for those who speak up, under adaptation); under `consensus` and
        `rough_consensus`, whether it does *not* sustain an objection (``behaviour.object_to``: objecting
        costs something, less in a bloc, more as the mandate runs out). Dissatisfied participants tied to
        one another vote as a bloc (``adaptation.coalitions``)."""
        cfg = s.config
        acceptance = self.acceptance(s)
        if self.rule is not None and self.rule.by_consent:
            c = cfg.consensus
            elapsed = 0.0 if month is None or self.started is None else (month - self.started) / c.mandate
            votes = ~behaviour.object_to(
                self.discontent(proposal, acceptance, c.package_deals),
                self.salience,
                self.groups,
                self.regions,
                c.objection_cost,
                1.0 + c.softening * min(elapsed, 1.0),
            )
        else:
            votes = behaviour.vote(self.opinions, proposal, acceptance)
        if cfg.adaptation.coalitions and cfg.adaptation.trust:
            votes = behaviour.vote_together(votes, self.coalitions(s))
        return votes

    def acceptance(self, s: Setting) -> np.ndarray:
        """Each participant's acceptance threshold here: narrower for those who speak up (under adaptation)."""
        cfg = s.config
        acceptance = s.actors.acceptance[self.participants]
        if cfg.adaptation.hirschman and cfg.adaptation.trust:  # those who speak up object to more
            voicing = s.actors.voicing[self.participants, VENUES.index(self.venue)]
            acceptance = np.where(voicing, acceptance * (1.0 - cfg.adaptation.voice_narrowing), acceptance)
        return acceptance

    def discontent(self, proposal: float, acceptance: np.ndarray, package: bool) -> np.ndarray:
        """How far beyond its acceptance the text lies from each participant's *position* (its stance on the
        aspect, which talk does not change: an objection defends an interest, not a view; > 0: outside it).
        In a package deal it is weighed with what the participant got on the aspects already agreed (the
        mean over them of the same distance), so a gain on one aspect offsets a loss on another."""
        done = [j for j, ok in enumerate(self.agreed) if ok] if package else []
        x = self.aspects[self.kept[[*done, self.current]]][:, self.participants]
        texts = np.array([*(self.outcomes[j] for j in done), proposal])[:, None]
        return (np.abs(x - texts) - acceptance).mean(axis=0)

    def decide(self, month: int, s: Setting) -> None:
        """Vote (or, under consensus, look for sustained objections) on the current aspect's text under the
        venue's rule: adopt it, redraft and try again, or give it up.

        An advisory venue publishes its messages instead. After a failed attempt the chair redrafts
        (``consensus.redraft``: the nearest text that would pass, else the one fewest block; otherwise the
        text moves a share ``compromise`` toward its blockers) and the network talks again, for at most
        ``compromise_time`` months. After ``max_attempts`` the aspect is given up: dropped, and the rest goes
        ahead (``consensus.narrowing``), or the whole issue stalls. Those who said no (objected) at an
        aspect's first attempt are the issue's minority.
        """
        cfg = s.config
        if self.rule is None:
            self.close(month, "advised")
            return
        self.attempts += 1
        adopted = False
        if self.opinions.size:
            proposal = self.proposal(s)
            self.votes = s.choices.vote(self, proposal, self.ballot(proposal, s, month))
            self.dissent = ~self.votes
            if self.rule.by_consent:  # those who cannot accept it, whether or not they pay to block it
                discontent = self.discontent(proposal, self.acceptance(s), s.config.consensus.package_deals)
                self.dissent |= discontent > 0
            if self.attempts == 1:
                self.minority |= ~self.votes
            adopted = self.rule.passes(self.votes, self.groups, self.regions)
        if adopted:
            self.settle_aspect(proposal, True, month, s)
        elif self.attempts < cfg.max_attempts and self.opinions.size:
            self.table = self.redraft(proposal, month, s) if cfg.consensus.redraft else self.concede(proposal, s)
            self.moved = float("inf")
            self.enter("deliberation", month + cfg.compromise_time)
        elif cfg.consensus.narrowing and self.opinions.size:
            self.settle_aspect(self.status_quo, False, month, s)
        else:
            self.conclude(month, s)

    def concede(self, proposal: float, s: Setting) -> float:
        """The simple concession: the text moves a share ``compromise`` toward its blockers' mean view."""
        assert self.votes is not None and self.rule is not None  # called after a vote under a rule
        blocking = self.rule.blockers(self.votes, self.groups, self.regions)
        if not blocking.any():
            return proposal  # nobody to meet halfway (the network is paralysed): try again as it is
        target = float(np.average(self.opinions[blocking], weights=self.influence[blocking] + 1e-12))
        return proposal + s.config.compromise * (target - proposal)

    def redraft(self, proposal: float, month: int, s: Setting) -> float:
        """The chair's redraft, from what the failed attempt revealed: those who blocked it and where they
        stand (their positions under consensus, when they object; their views under a vote). Along the way
        from the failed text toward them, the first text that would pass now; if none would, the one the
        fewest block (the nearest of those). A chair that cannot see anyone's limits tries formulations in
        the direction of the objections."""
        assert self.votes is not None and self.rule is not None  # called after a vote under a rule
        blocking = self.rule.blockers(self.votes, self.groups, self.regions)
        if not blocking.any():
            return proposal  # nobody to meet (the network is paralysed): try again as it is
        stand = self.aspects[self.kept[self.current]][self.participants] if self.rule.by_consent else self.opinions
        target = float(np.average(stand[blocking], weights=self.influence[blocking] + 1e-12))
        best, best_key = proposal, (1, int(blocking.sum()), 0.0)
        for text in np.linspace(proposal, target, REDRAFTS)[1:]:
            yes = self.ballot(float(text), s, month)
            passes = self.rule.passes(yes, self.groups, self.regions)
            key = (
                0 if passes else 1,
                0 if passes else int(self.rule.blockers(yes, self.groups, self.regions).sum()),
                0.0,
            )
            if key < best_key:
                best, best_key = float(text), key
            if passes:
                break
        return best

    def settle_aspect(self, outcome: float, agreed: bool, month: int, s: Setting) -> None:
        """Record the current aspect's outcome (agreed, or dropped at the status quo) and go on to the next
        kept aspect, or conclude the issue after the last."""
        self.outcomes.append(outcome)
        self.agreed.append(agreed)
        if self.current + 1 < self.kept.size:
            self.take_up(self.current + 1, month, s)
        else:
            self.conclude(month, s)

    def conclude(self, month: int, s: Setting) -> None:
        """End the network: adopted if every kept aspect was agreed, narrowed if some were (and the rest
        dropped, or left when the mandate ran out), stalled otherwise; what was not agreed stays at the status
        quo."""
        some = any(self.agreed)
        if some and all(self.agreed) and len(self.agreed) == self.kept.size:
            self.finish(month, "implementation", s)
        elif some and s.config.consensus.narrowing:
            self.finish(month, "narrowed", s)
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
        decided = [o if ok else self.status_quo for o, ok in zip(self.outcomes, self.agreed, strict=True)]
        outcomes = np.array(decided + [self.status_quo] * (self.kept.size - len(decided)))
        self.outcome = float(outcomes.mean())
        self.close(month, phase)
        self.rate_outcome(outcomes, s)
        if s.config.adaptation.trust:
            self.remember(outcomes, s)

    def remember(self, outcomes: np.ndarray, s: Setting) -> None:
        """Every actor updates its trust in this venue from what it lived through here: whether its position
        won, whether it was heard (in person: 1; else half for its group, half for its region having had a
        voice), whether it could afford to come (and, under
        ``adaptation.hirschman``, those who could attend the venue stay, speak up or leave)."""
        cfg = s.config
        a = s.actors
        groups_in, regions_in = self.voiced()
        heard = 0.5 * groups_in[a.group] + 0.5 * regions_in[a.region]  # through its own group and region
        heard[self.participants] = 1.0  # in person
        won = behaviour.won(self.aspects[self.kept], outcomes, a.acceptance)
        lived = behaviour.experience(won, heard, self.afforded)
        venue = VENUES.index(self.venue)
        behaviour.update_trust(a, venue, lived, cfg.adaptation)
        if cfg.adaptation.hirschman:
            behaviour.respond(a, venue, self.eligible_mask, cfg.adaptation)

    def voiced(self) -> tuple[np.ndarray, np.ndarray]:
        """Which groups and which regions had a voice on this issue: took part in its network or in its IGF
        session (two boolean masks, over ``GROUPS`` and ``REGION_CODES``)."""
        groups_in = self.counts_by_group() > 0
        regions_in = self.counts_by_region() > 0
        if self.igf is not None:  # those heard at the IGF session had a voice too
            groups_in |= np.bincount(self.igf.groups, minlength=len(GROUPS)) > 0
            regions_in |= np.bincount(self.igf.regions, minlength=len(REGION_CODES)) > 0
        return groups_in, regions_in

    def rate_outcome(self, outcomes: np.ndarray, s: Setting) -> None:
        """Judge the outcome against everyone affected: every actor, participant or not, rates it (procedure:
        voice and transparency; substance: closeness to its own stance); how far it lands from the worst-off
        region's and group's median stance; how far it was pulled toward one bloc (capture). The minority's
        ratings and distance are kept apart."""
        cfg = s.config
        a = s.actors
        groups_in, regions_in = self.voiced()
        transparency = (self.notice_sufficiency + cfg.background_quality) / 2.0
        stances = self.aspects[self.kept]
        rating = behaviour.rate_outcome(a, groups_in, regions_in, stances, outcomes, transparency, cfg.legitimacy)
        self.legitimacy = metrics.legitimacy(rating.overall)
        self.procedural_legitimacy = metrics.legitimacy(rating.procedural)
        self.substantive_legitimacy = metrics.legitimacy(rating.substantive)
        self.outcome_gap = metrics.gap(outcomes, stances)
        # each bloc's median stance, taken once for the worst gaps and capture (UN agencies, global, in no region)
        regions = metrics.bloc_medians(stances, np.where(a.region != GLOBAL_CODE, a.region, -1))
        groups = metrics.bloc_medians(stances, a.group)
        self.worst_region_gap = metrics.worst_gap(outcomes, regions)
        self.worst_group_gap = metrics.worst_gap(outcomes, groups)
        self.host_gap = metrics.gap(outcomes, stances[:, a.region == REGIONS.index(self.host_region)])
        self.capture = metrics.capture(outcomes, stances, [groups, regions])
        rows = self.participants[self.minority]
        if rows.size:
            self.minority_legitimacy = metrics.legitimacy(rating.overall[rows])
            self.minority_gap = metrics.minority_gap(outcomes, stances[:, rows])

    # -- the per-issue table --------------------------------------------------------------

    def vote_record(self) -> dict[str, object]:
        """The latest vote: yes share overall, by group and by region, governments voting no or sustaining an
        objection, and governments dissenting (under consensus: outside their acceptance, whether or not they
        pay the cost of blocking; under a vote: voting no) (NaN / -1: no vote)."""
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
            "government_dissent": int(((groups == GOVERNMENT) & self.dissent).sum()) if voted else -1,
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
            "formal_power": self.power.formal_power if self.power else float("nan"),
            "outcome": "adopted" if self.adopted else self.phase if not self.active else "",
            "aspects_agreed": int(sum(self.agreed)),
            "position": self.outcome if self.outcome is not None else float("nan"),
            "legitimacy": self.legitimacy,
            "procedural_legitimacy": self.procedural_legitimacy,
            "substantive_legitimacy": self.substantive_legitimacy,
            "minority_legitimacy": self.minority_legitimacy,
            "outcome_gap": self.outcome_gap,
            "worst_region_gap": self.worst_region_gap,
            "worst_group_gap": self.worst_group_gap,
            "host_gap": self.host_gap,
            "capture": self.capture,
            "minority_gap": self.minority_gap,
            "igf_participants": int(self.igf.participants.size) if self.igf is not None else 0,
            "step_decided": self.decided if self.decided is not None else -1,
            "first_meeting": self.met if self.met is not None else -1,
            **{f"onsite_{g}": int(onsite_by_group[i]) for i, g in enumerate(GROUPS)},
            **{f"onsite_{r}": int(onsite_by_region[i]) for i, r in enumerate(REGION_CODES)},
            **self.vote_record(),
        }


__all__ = ["ACTIVE_PHASES", "PHASES", "Issue", "Setting"]
