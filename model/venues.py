"""Venues: where an issue goes (routing, the CSTD committee), who may attend, where it meets, and how a
network forms (convening). The issue's own phases, once its network has formed, are in ``issues.py``.
"""

from __future__ import annotations

import numpy as np

from netgov.agents import behaviour
from netgov.agents.population import ActorTable
from netgov.agents.stakeholders import Stakeholder, UNAgency
from netgov.model import metrics
from netgov.model.catalog import ACTION_LINES, DOMAINS, GLOBAL_CODE, GOVERNMENT, GROUPS, REGIONS
from netgov.model.issues import Issue, Setting
from netgov.model.network import Collaboration
from netgov.model.rules import bloc_power


class Venues:
    """The institutions of a run: the routing in force, the committee, and the meetings they convene."""

    def __init__(
        self,
        setting: Setting,
        stakeholders: list[Stakeholder],
        collaboration: Collaboration,
        reference: np.ndarray,
    ) -> None:
        self.setting = setting
        self.config = setting.config
        self.actors: ActorTable = setting.actors
        self.rng = setting.rng
        self.collaboration = collaboration
        self.reference = reference  # regional reference shares for `regional_balance`
        #: Each UN agency's actor rows (several when scaled up): the convenors of its Action Lines' coalitions.
        self.agency_rows: dict[str, list[int]] = {}
        for s in stakeholders:
            if isinstance(s, UNAgency):
                self.agency_rows.setdefault(s.agency, []).append(s.row)

    # -- where an issue goes --------------------------------------------------------------

    def route(self, issue: Issue, month: int) -> None:
        """A fixed-agenda issue naming its venue goes there; otherwise Action-Line issue → its agencies'
        coalition, and the rest → the CSTD committee."""
        routing = self.config.routing
        if issue.requested_venue is not None:
            self.convene(issue, issue.requested_venue, month)
        elif routing == "intergovernmental":
            self.convene(issue, "intergovernmental", month)
        elif routing == "distributed" and issue.action_line is not None:
            self.convene(issue, "action_line_coalition", month)
        else:
            issue.venue = "cstd_committee"
            issue.enter("review", month + self.config.committee.review_time)
            if self.config.committee.review_time == 0:
                self.recommend(issue, month)

    def recommend(self, issue: Issue, month: int) -> None:
        """The committee maps existing processes and recommends a venue, or delegates."""
        c = self.config.committee
        draw = self.rng.random()
        if draw < c.delegate_share:
            issue.close(month, "delegated")
        elif draw < c.delegate_share + c.external_share:
            self.convene(issue, "external_process", month)
        else:
            self.convene(issue, "cstd_working_group", month)

    def advance(self, issue: Issue, month: int) -> None:
        """One month of an active issue: the committee's review, or the network's own phases."""
        if issue.phase == "review":
            if month >= issue.phase_until:
                self.recommend(issue, month)
            return
        issue.advance(month, self.setting)

    # -- who may attend, and where ----------------------------------------------------------

    def eligible(self, venue: str, relevance: np.ndarray) -> np.ndarray:
        """Who may attend: the IGF is open to all; the intergovernmental venue (or `governments_only`) to
        governments; `invited_experts` to actors with enough expertise in the issue's domain."""
        a = self.actors
        rule = self.config.participation_rule
        if venue == "igf":
            return np.ones(a.n, dtype=bool)  # an open forum: anyone may attend, whatever the participation rule
        if venue == "intergovernmental" or rule == "governments_only":
            return a.group == GOVERNMENT
        if rule == "invited_experts":
            return relevance >= self.config.participation.expert_threshold
        return np.ones(a.n, dtype=bool)

    def convenors(self, issue: Issue) -> np.ndarray:
        """The UN agencies facilitating the issue's Action Line (they convene its coalition)."""
        mask = np.zeros(self.actors.n, dtype=bool)
        for agency in ACTION_LINES[issue.action_line][2]:
            mask[self.agency_rows.get(agency, [])] = True
        return mask

    def host_region(self) -> str:
        host = self.config.host_region
        return REGIONS[self.rng.integers(len(REGIONS))] if host == "rotate" else host

    # -- forming a network ------------------------------------------------------------------

    def convene(self, issue: Issue, venue: str, month: int) -> None:
        """Announce a meeting with the configured notice; each eligible actor decides to take part."""
        cfg = self.config
        a = self.actors
        p = cfg.participation
        issue.venue = venue
        issue.host_region = self.host_region()
        d = DOMAINS.index(issue.domain)
        relevance = a.expertise[:, d]
        convenors = self.convenors(issue) if venue == "action_line_coalition" else np.zeros(a.n, dtype=bool)
        eligible = self.eligible(venue, relevance) | convenors

        prep = a.prep_time(cfg.background_quality)
        host = REGIONS.index(issue.host_region)
        onsite, remote = behaviour.take_part(
            a,
            p,
            relevance=relevance,
            notice_ok=cfg.notice_period >= prep,
            salience=issue.salience,
            ties=behaviour.tie_pull(a, d, p),
            cost=behaviour.travel_cost(a, host, cfg.travel_cost, cfg.travel_support),
            at_home=a.region == host,
            remote_quality=cfg.remote_participation,
            eligible=eligible,
            convenors=convenors,
            rng=self.rng,
        )
        joined = onsite | remote
        if cfg.participation_rule == "group_quotas" and venue not in ("intergovernmental", "igf"):
            joined = self.quotas(joined, relevance)

        rows = np.flatnonzero(joined)
        remote = remote[rows]
        groups, regions = a.group[rows], a.region[rows]
        by_group = np.bincount(groups, minlength=len(GROUPS))
        issue.open_network(
            rows,
            a,
            remote=remote,
            influence=behaviour.influence(relevance[rows], prep[rows], cfg.notice_period, remote, p),
            eligible=int(eligible.sum()),
            notice_sufficiency=metrics.notice_sufficiency(cfg.notice_period, prep[eligible]),
            power=bloc_power(self.setting.rule, groups, regions),
            composition={
                "inclusiveness": metrics.inclusiveness(by_group),
                "group_coverage": metrics.group_coverage(by_group),
                "regional_balance": metrics.regional_balance(
                    np.bincount(regions, minlength=GLOBAL_CODE + 1)[:GLOBAL_CODE], self.reference
                ),
            },
        )
        behaviour.spend_capacity(a, rows, remote, p)
        self.collaboration.link(rows, d)
        issue.enter("convening", month + cfg.notice_period)

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
