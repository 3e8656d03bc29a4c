"""Venues: where an issue goes (routing, the CSTD committee), who may attend, where it meets, and how a
network forms (convening), and the IGF sessions that hear an issue first under ``igf_feedback``. The
issue's own phases, once its network has formed, are in ``issues.py``.

Each venue has a row in the schema's venue table (``venues``): who may attend, how it decides, whether
its output binds, and its competence per policy domain. The committee recommends a venue by fit: each
member weighs a venue's competence in the issue's domain against the actors it brings (how much of
who may attend it is the member's own group), so who sits on the committee shapes where issues go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netgov.agents import behaviour
from netgov.agents.population import ActorTable
from netgov.agents.stakeholders import Stakeholder, UNAgency
from netgov.model.core import metrics
from netgov.model.core.catalog import ACTION_LINES, DOMAINS, GLOBAL_CODE, GOVERNMENT, GROUPS, REGIONS, VENUES
from netgov.model.core.config import Venue
from netgov.model.core.deliberation import hk_step
from netgov.model.core.rules import Rule
from netgov.model.issues import Issue, Session, Setting


@dataclass
class Gathering:
    """Who came to one meeting, and with what preparation and weight."""

    rows: np.ndarray
    remote: np.ndarray
    influence: np.ndarray
    pen: np.ndarray  # who among them holds the pen (the convenors of a coalition, else the host region)
    eligible: np.ndarray  # who could have come (a mask over all actors)
    afforded: np.ndarray  # who could have come and afford the trip (cost no more than its resources)
    notice_sufficiency: float


class Venues:
    """The institutions of a run: the routing in force, the committee, and the meetings they convene."""

    def __init__(
        self,
        setting: Setting,
        stakeholders: list[Stakeholder],
        reference: np.ndarray,
    ) -> None:
        self.setting = setting
        self.config = setting.config
        self.actors: ActorTable = setting.actors
        self.streams = setting.streams
        self.reference = reference  # regional reference shares for `regional_balance`
        self.population = np.bincount(self.actors.group, minlength=len(GROUPS))  # the affected, for `inclusiveness`
        #: Each UN agency's actor rows (several when scaled up): the convenors of its Action Lines' coalitions.
        self.agency_rows: dict[str, list[int]] = {}
        for s in stakeholders:
            if isinstance(s, UNAgency):
                self.agency_rows.setdefault(s.agency, []).append(s.row)
        self.rules = {v: self.rule_of(getattr(self.config.venues, v)) for v in type(self.config.venues).model_fields}
        self.committee = self.seat_committee()

    def rule_of(self, venue: Venue) -> Rule | None:
        """A venue's decision rule (its own, or the run's `decision_rule`); None for an advisory venue."""
        if not venue.binding:
            return None
        cfg = self.config
        name = cfg.decision_rule if venue.decision_rule == "configured" else venue.decision_rule
        return Rule(
            name,
            cfg.qualified_share,
            cfg.objection_threshold,
            standing=venue.standing,
            significant_part=cfg.consensus.significant_part,
        )

    # -- the committee ----------------------------------------------------------------------

    def seat_committee(self) -> np.ndarray:
        """The committee's members (actor rows): each group's seats go to its actors most expert in
        governance, as far as the participation rule admits them (`governments_only`: governments;
        `invited_experts`: expertise >= `expert_threshold`; `group_quotas`: equal seats per group)."""
        cfg = self.config
        a = self.actors
        seats = cfg.committee.seats.model_dump()
        rule = cfg.participation_rule
        if rule == "group_quotas":
            equal = int(np.ceil(sum(seats.values()) / len(GROUPS)))
            seats = dict.fromkeys(seats, equal)
        expertise = a.expertise[:, DOMAINS.index("governance")]
        members = []
        for g_code, g in enumerate(GROUPS):
            if rule == "governments_only" and g_code != GOVERNMENT:
                continue
            rows = np.flatnonzero(a.group == g_code)
            if rule == "invited_experts":
                rows = rows[expertise[rows] >= cfg.participation.expert_threshold]
            members.append(rows[np.argsort(-expertise[rows], kind="stable")[: seats[g]]])
        return np.concatenate(members) if members else np.zeros(0, dtype=np.int64)

    def fit(self, issue: Issue) -> dict[str, float]:
        """How well each venue fits the issue, as the committee sees it: competence in the issue's domain
        + ``reach_weight`` x the mean, over members, of their own group's share of who may attend."""
        a = self.actors
        d = DOMAINS.index(issue.domain)
        members = np.bincount(a.group[self.committee], minlength=len(GROUPS)).astype(float)
        weights = members / members.sum() if members.sum() else members
        scores: dict[str, float] = {}
        for v in self.config.committee.venues:
            if v == "action_line_coalition" and issue.action_line is None:
                continue
            eligible = self.eligible(v, a.expertise[:, d])
            present = np.bincount(a.group[eligible], minlength=len(GROUPS)).astype(float)
            reach = float(weights @ (present / present.sum())) if present.sum() else 0.0
            competence = getattr(getattr(self.config.venues, v).competence, issue.domain)
            scores[v] = competence + self.config.committee.reach_weight * reach
        return scores

    # -- where an issue goes --------------------------------------------------------------

    def route(self, issue: Issue, month: int) -> None:
        """A fixed-agenda issue naming its venue goes there; otherwise Action-Line issue → its agencies'
        coalition (distributed routing), everything → the intergovernmental venue (intergovernmental
        routing), and the rest → the CSTD committee."""
        routing = self.config.routing
        if issue.requested_venue is not None:
            self.convene(issue, issue.requested_venue, month)
        elif routing == "intergovernmental":
            self.convene(issue, "intergovernmental", month)
        elif routing == "distributed" and issue.action_line is not None:
            self.convene(issue, "action_line_coalition", month)
        elif self.shopped(issue):
            self.convene(issue, issue.venue, month)
        else:
            issue.venue = "cstd_committee"
            issue.enter("review", month + self.config.committee.review_time)
            if self.config.committee.review_time == 0:
                self.recommend(issue, month)

    def shopped(self, issue: Issue) -> bool:
        """Forum shopping (``adaptation``): governments take a state-centric issue to the intergovernmental
        venue, and business with the technical community an issue in a domain they know to an external
        process, when they trust that forum more than the multistakeholder ones; then the issue skips the
        committee. Only forums a group could attend count, as the target and as the alternatives (those of
        the group who could attend the target weigh it against the others they could attend). Sets the venue
        and who took it there."""
        adapt = self.config.adaptation
        if not adapt.trust or not (adapt.forum_shopping or adapt.technical_forums):
            return False
        a = self.actors
        relevance = a.expertise[:, DOMAINS.index(issue.domain)]
        venues = ("intergovernmental", "cstd_working_group", "external_process", "action_line_coalition")
        could = {v: self.eligible(v, relevance) for v in venues}  # nobody shops for a forum it cannot enter

        def elsewhere(who: np.ndarray, options: tuple[str, ...]) -> list[int]:
            return [VENUES.index(v) for v in options if (who & could[v]).any()]

        states = (a.group == GOVERNMENT) & could["intergovernmental"]
        multistakeholder = elsewhere(states, ("cstd_working_group", "external_process", "action_line_coalition"))
        intergovernmental, external = VENUES.index("intergovernmental"), VENUES.index("external_process")
        if (
            adapt.forum_shopping
            and issue.stance_type == "state_centric"
            and behaviour.prefers(a, states, intergovernmental, multistakeholder)
        ):
            issue.venue, issue.migrated_by = "intergovernmental", "government"
            return True
        industry = np.isin(a.group, [GROUPS.index("business"), GROUPS.index("technical_community")])
        knows = bool(industry.any()) and relevance[industry].mean() >= 0.5
        industry &= could["external_process"]
        if (
            adapt.technical_forums
            and knows
            and behaviour.prefers(a, industry, external, elsewhere(industry, ("cstd_working_group",)))
        ):
            issue.venue, issue.migrated_by = "external_process", "business_technical"
            return True
        return False

    def recommend(self, issue: Issue, month: int) -> None:
        """The committee maps existing processes and sends the issue to the venue that fits it best."""
        scores = self.fit(issue)
        self.convene(issue, max(scores, key=scores.__getitem__), month)

    def advance(self, issue: Issue, month: int) -> None:
        """One month of an active issue: the committee's review, the IGF session, or the network's own phases."""
        if issue.phase == "review":
            if month >= issue.phase_until:
                self.recommend(issue, month)
            return
        if issue.phase == "igf_session" and issue.igf is None:
            self.consult_igf(issue, month)
            return
        issue.advance(month, self.setting)

    # -- who may attend, and where ----------------------------------------------------------

    def eligible(self, venue: str, relevance: np.ndarray) -> np.ndarray:
        """Who may attend, by the venue table: anyone (`open`), governments, or whoever the run's
        `participation_rule` admits (`governments_only`, or `invited_experts`: enough expertise)."""
        a = self.actors
        attendance = getattr(self.config.venues, venue).attendance
        rule = self.config.participation_rule
        if attendance == "open":
            return np.ones(a.n, dtype=bool)
        if attendance == "governments" or rule == "governments_only":
            return a.group == GOVERNMENT
        if rule == "invited_experts":
            return relevance >= self.config.participation.expert_threshold
        return np.ones(a.n, dtype=bool)

    def convenors(self, issue: Issue) -> np.ndarray:
        """The UN agencies facilitating the issue's Action Line (they convene its coalition)."""
        assert issue.action_line is not None  # only an Action Line's issue reaches its coalition
        mask = np.zeros(self.actors.n, dtype=bool)
        for agency in ACTION_LINES[issue.action_line][2]:
            mask[self.agency_rows.get(agency, [])] = True
        return mask

    def host_region(self, issue: Issue, venue: str) -> str:
        host = self.config.host_region
        if host != "rotate":
            return host
        return REGIONS[self.streams.issue("host", issue.id, VENUES.index(venue)).integers(len(REGIONS))]

    # -- forming a network ------------------------------------------------------------------

    def gather(self, issue: Issue, venue: str, host_region: str) -> Gathering:
        """One meeting on ``issue`` at ``venue``: each eligible actor decides to take part (onsite, remotely,
        or not), from its own participation draws for this issue and venue (common random numbers)."""
        cfg = self.config
        a = self.actors
        p = cfg.participation
        d = DOMAINS.index(issue.domain)
        relevance = a.expertise[:, d]
        convenors = self.convenors(issue) if venue == "action_line_coalition" else np.zeros(a.n, dtype=bool)
        v = VENUES.index(venue)
        adapt = cfg.adaptation
        eligible = self.eligible(venue, relevance) | convenors
        if adapt.hirschman and adapt.trust:
            eligible &= ~a.exited[:, v] | convenors  # those who have left the venue stay away
        trust = adapt.trust_weight * (a.venue_trust[:, v] - 0.5) if adapt.trust else np.zeros(a.n)
        prepared = a.prepared(cfg.notice_period, cfg.background_quality)
        host = REGIONS.index(host_region)
        cost = behaviour.travel_cost(a, host, cfg.travel_cost, cfg.travel_support)
        onsite, remote = behaviour.take_part(
            a,
            p,
            relevance=relevance,
            prepared=prepared,
            salience=issue.salience,
            ties=behaviour.tie_pull(a, d, p),
            trust=trust,
            cost=cost,
            at_home=a.region == host,
            remote_quality=cfg.remote_participation,
            eligible=eligible,
            convenors=convenors,
            rng=self.streams.issue("participation", issue.id, v),
        )
        onsite, remote = self.setting.choices.attend(issue, onsite, remote, eligible, cost)
        joined = onsite | remote
        attendance = getattr(cfg.venues, venue).attendance
        if cfg.participation_rule == "group_quotas" and attendance == "participation_rule":
            joined = self.quotas(joined, relevance)
        rows = np.flatnonzero(joined)
        remote = remote[rows]
        behaviour.spend_capacity(a, rows, remote, p)
        self.setting.ties.link(rows, d, self.streams.issue("network", issue.id, v))
        a.attended[rows] += 1
        influence = behaviour.influence(relevance[rows], prepared[rows], a.resources[rows], remote, p)
        pen = convenors[rows] if venue == "action_line_coalition" else a.region[rows] == host
        if adapt.learning:
            behaviour.learn(a, rows, d, adapt)  # after this meeting's weights: it learns from taking part
        return Gathering(
            rows=rows,
            remote=remote,
            influence=influence,
            pen=pen,
            eligible=eligible,
            afforded=eligible & (cost <= a.resources),
            notice_sufficiency=metrics.notice_sufficiency(prepared[eligible]),
        )

    def convene(self, issue: Issue, venue: str, month: int) -> None:
        """Announce the meeting with the configured notice and form the issue's network."""
        a = self.actors
        issue.venue = venue
        issue.host_region = self.host_region(issue, venue)
        met = self.gather(issue, venue, issue.host_region)
        groups, regions = a.group[met.rows], a.region[met.rows]
        by_group = np.bincount(groups, minlength=len(GROUPS))
        issue.open_network(
            met.rows,
            a,
            rule=self.rules[venue],
            remote=met.remote,
            influence=met.influence,
            pen=met.pen,
            eligible=met.eligible,
            afforded=met.afforded,
            notice_sufficiency=met.notice_sufficiency,
            composition={
                "inclusiveness": metrics.inclusiveness(by_group, self.population),
                "group_coverage": metrics.group_coverage(by_group),
                "regional_balance": metrics.regional_balance(
                    np.bincount(regions, minlength=GLOBAL_CODE + 1)[:GLOBAL_CODE], self.reference
                ),
            },
        )
        issue.enter("convening", month + self.config.notice_period)

    def consult_igf(self, issue: Issue, month: int) -> None:
        """Under ``igf_feedback``: an IGF session on the issue, with its own attendance, deliberates each
        kept aspect for ``igf_time`` months; what it concludes is what the deciding network will hear."""
        cfg = self.config
        a = self.actors
        met = self.gather(issue, "igf", self.host_region(issue, "igf"))
        openness = a.openness[met.rows]
        messages = []
        for j in issue.kept:
            views = issue.aspects[j][met.rows]
            for _ in range(cfg.igf_time):
                views = hk_step(views, openness, met.influence)
            weights = met.influence if met.influence.sum() > 0 else None
            messages.append(float(np.average(views, weights=weights)) if views.size else float("nan"))  # nobody came
        issue.igf = Session(met.rows, a.group[met.rows], a.region[met.rows], np.array(messages))
        issue.enter("igf_session", month + cfg.igf_time)

    def quotas(self, joined: np.ndarray, relevance: np.ndarray) -> np.ndarray:
        """Equal seats per group: the most relevant willing actors of each group take them."""
        seats = self.config.participation.seats_per_group
        keep = np.zeros_like(joined)
        for g in range(len(GROUPS)):
            rows = np.flatnonzero(joined & (self.actors.group == g))
            if rows.size > seats:
                rows = rows[np.argsort(-relevance[rows], kind="stable")[:seats]]
            keep[rows] = True
        return keep
