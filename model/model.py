"""GovernanceModel: stakeholders, an issue agenda, venues and rules, wired as a Mesa model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd

# the module, not its names: `import netgov.agents` loads agents.stakeholders, which loads model.catalog,
# this package and so this module while agents.stakeholders is still half-built
from netgov.agents import stakeholders
from netgov.model.actors import ActorTable, build_actors, scaled_counts
from netgov.model.catalog import (
    ACTION_LINES,
    DOMAINS,
    GOVERNMENT,
    GROUPS,
    REGION_DISTANCE,
    REGIONS,
)
from netgov.model.config import ModelConfig, merge, validate_config
from netgov.model.contract import STEP_COLUMNS
from netgov.model.issues import Issue
from netgov.model.rules import Rule


class GovernanceModel(mesa.Model):
    """Networked internet governance: who takes part in which issue network, and who decides.

    Build it from a validated :class:`ModelConfig`, keyword parameters, or both
    (keywords win): ``GovernanceModel(rng=1, notice_period=6, scale=2)``. All randomness
    comes from ``rng``.
    """

    def __init__(
        self,
        config: ModelConfig | Mapping[str, Any] | None = None,
        *,
        rng: int | np.random.Generator | None = None,
        **params: Any,
    ) -> None:
        super().__init__(rng=rng)
        if isinstance(config, ModelConfig) and not params:
            self.config: ModelConfig = config
        else:
            base = config.model_dump(by_alias=True) if isinstance(config, ModelConfig) else dict(config or {})
            self.config = validate_config(merge(base, params))
        cfg = self.config
        self.rule = Rule(cfg.decision_rule, cfg.qualified_share, cfg.objection_threshold)
        self.distance = REGION_DISTANCE
        self.reference = np.array([getattr(cfg.reference_shares, r) for r in REGIONS])

        counts = scaled_counts(cfg)
        names: list[tuple[type[stakeholders.Stakeholder], str]] = []
        for cls in stakeholders.AGENT_CLASSES:
            for i in range(counts[cls.group]):
                name = stakeholders.agency_name(i) if cls.group == "un_agency" else f"{cls.group}-{i + 1}"
                names.append((cls, name))
        self.actors: ActorTable = build_actors(cfg, self.rng, [cls.expertise_means(n) for cls, n in names])
        self.stakeholders: list[stakeholders.Stakeholder] = [
            cls(self, row, name) for row, (cls, name) in enumerate(names)
        ]
        self._agency_rows = {s.name.split("-")[0]: [] for s in self.stakeholders if s.group == "un_agency"}
        for s in self.stakeholders:
            if s.group == "un_agency":
                self._agency_rows[s.name.split("-")[0]].append(s.row)

        self.collaboration = nx.Graph()
        self.collaboration.add_nodes_from((s.row, {"group": s.group, "region": s.region}) for s in self.stakeholders)
        #: Pairings so far, i.e. the graph's total edge weight: a view redraws ties only when it changes.
        self.ties_formed = 0
        self.issues: list[Issue] = []
        self._pending = sorted(cfg.agenda.issues, key=lambda s: s.arrival) if cfg.agenda.mode == "fixed" else []
        self._metrics: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={c: (lambda m, c=c: m._metrics[c]) for c in STEP_COLUMNS}
        )
        self._update_metrics()
        self.datacollector.collect(self)

    # -- one month ------------------------------------------------------------------------

    def step(self) -> None:
        """One month: issues arrive and are routed, every network moves on, actors recover."""
        for issue in self.new_issues():
            self.route(issue)
        for issue in self.issues:
            if issue.active:
                issue.advance(self)
        self.agents.do("step")
        self._update_metrics()
        self.datacollector.collect(self)

    def new_issues(self) -> list[Issue]:
        """This month's arrivals: from the fixed agenda or a Poisson stream."""
        cfg = self.config.agenda
        t = int(self.time)
        specs: list[dict[str, Any]] = []
        if cfg.mode == "fixed":
            while self._pending and self._pending[0].arrival <= t:
                specs.append(self._pending.pop(0).model_dump())
        else:
            for _ in range(self.rng.poisson(cfg.rate)):
                domain = DOMAINS[self.rng.integers(len(DOMAINS))]
                lines = [c for c, (_t, d, _f) in ACTION_LINES.items() if d == domain]
                embedded = self.rng.random() < cfg.action_line_share
                specs.append(
                    {
                        "domain": domain,
                        "action_line": lines[self.rng.integers(len(lines))] if embedded and lines else None,
                        "salience": float(self.rng.random()),
                        "complexity": int(1 + self.rng.poisson(1.0)),
                        "stance_type": "state_centric" if self.rng.random() < cfg.state_centric_share else "general",
                    }
                )
        new = []
        for spec in specs:
            issue = Issue(
                id=len(self.issues),
                domain=spec["domain"],
                action_line=spec["action_line"],
                salience=spec["salience"],
                complexity=spec["complexity"],
                stance_type=spec["stance_type"],
                arrived=t,
                stances=self.draw_stances(spec["stance_type"]),
                requested_venue=spec.get("venue"),
            )
            self.issues.append(issue)
            new.append(issue)
        return new

    def draw_stances(self, stance_type: str) -> np.ndarray:
        """Every actor's stance on a new issue, around its group's (and region's) mean."""
        prof = getattr(self.config.stance, stance_type)
        a = self.actors
        mean = np.array([getattr(prof.group_mean, g) for g in GROUPS])[a.group]
        if prof.government_region_mean is not None:
            grm = prof.government_region_mean
            by_region = np.array([getattr(grm, r) for r in REGIONS] + [np.nan])  # no government is global
            gov = a.group == GOVERNMENT
            mean = np.where(gov, by_region[a.region], mean)
        return np.clip(mean + prof.sd * self.rng.standard_normal(a.n), 0.0, 1.0)

    # -- venues ---------------------------------------------------------------------------

    def route(self, issue: Issue) -> None:
        """A fixed-agenda issue naming its venue goes there; otherwise Action-Line issue → its agencies'
        coalition, and the rest → the CSTD committee."""
        routing = self.config.routing
        if issue.requested_venue is not None:
            issue.convene(self, issue.requested_venue)
        elif routing == "intergovernmental":
            issue.convene(self, "intergovernmental")
        elif routing == "distributed" and issue.action_line is not None:
            issue.convene(self, "action_line_coalition")
        else:
            issue.venue = "cstd_committee"
            issue.enter("review", self.time + self.config.committee.review_time)
            if self.config.committee.review_time == 0:
                self.committee_recommends(issue)

    def committee_recommends(self, issue: Issue) -> None:
        """The committee maps existing processes and recommends a venue, or delegates."""
        c = self.config.committee
        draw = self.rng.random()
        if draw < c.delegate_share:
            issue.close(self, "delegated")
        elif draw < c.delegate_share + c.external_share:
            issue.convene(self, "external_process")
        else:
            issue.convene(self, "cstd_working_group")

    def convenors(self, issue: Issue) -> np.ndarray:
        """The UN agencies facilitating the issue's Action Line (they convene its coalition)."""
        mask = np.zeros(self.actors.n, dtype=bool)
        for agency in ACTION_LINES[issue.action_line][2]:
            mask[self._agency_rows.get(agency, [])] = True
        return mask

    def pick_host_region(self) -> str:
        host = self.config.host_region
        return REGIONS[self.rng.integers(len(REGIONS))] if host == "rotate" else host

    def link(self, issue: Issue) -> None:
        """Participants form collaboration ties; repeated work strengthens them."""
        rows = issue.participants
        k = min(self.config.tie_partners, rows.size - 1)
        if k <= 0:
            return
        offsets = self.rng.integers(1, rows.size, size=(rows.size, k))
        partners = rows[(np.arange(rows.size)[:, None] + offsets) % rows.size]
        pairs = np.sort(np.stack([np.repeat(rows, k), partners.ravel()], axis=1), axis=1)
        unique, times = np.unique(pairs, axis=0, return_counts=True)
        new = []
        for (i, j), c in zip(unique.tolist(), times.tolist(), strict=True):
            tie = self.collaboration.get_edge_data(i, j)
            if tie is None:
                new.append((i, j, c))
            else:
                tie["weight"] += c
        self.collaboration.add_weighted_edges_from(new)
        self.ties_formed += int(times.sum())
        d = DOMAINS.index(issue.domain)
        np.add.at(self.actors.domain_ties[:, d], rows, k)
        np.add.at(self.actors.domain_ties[:, d], partners.ravel(), 1)

    # -- measurement ----------------------------------------------------------------------

    def _update_metrics(self) -> None:
        """Per-step metrics over every issue network convened so far (running values)."""
        nets = [i for i in self.issues if i.convened]
        decided = [i for i in self.issues if i.phase in ("implementation", "stalled")]
        adopted = [i for i in decided if i.adopted]

        def mean(values: list[float]) -> float:
            return float(np.mean(values)) if values else float("nan")

        self._metrics = {
            "step": int(self.time),
            "active_issues": sum(i.active for i in self.issues),
            "participation_rate": mean([i.participants.size / i.eligible for i in nets]),
            "inclusiveness": mean([i.composition["inclusiveness"] for i in nets]),
            "group_coverage": mean([i.composition["group_coverage"] for i in nets]),
            "regional_balance": mean([i.composition["regional_balance"] for i in nets]),
            "capture": mean([i.power.capture for i in nets]),
            "decisive_alone": any(i.power.decisive_alone for i in nets),
            "notice_sufficiency": mean([i.notice_sufficiency for i in nets]),
            "adopted": len(adopted),
            "stalled": len(decided) - len(adopted),
            "adoption_rate": len(adopted) / len(decided) if decided else float("nan"),
            "mean_time_to_decision": mean([i.decided - i.arrived for i in decided]),
            "legitimacy": mean([i.legitimacy for i in adopted]),
            "outcome_gap": mean([i.outcome_gap for i in adopted]),
        }

    @property
    def metrics(self) -> dict[str, Any]:
        """The current values of the per-step metrics."""
        return dict(self._metrics)

    def step_table(self) -> pd.DataFrame:
        """The per-step model table (columns: ``STEP_COLUMNS``)."""
        return self.datacollector.get_model_vars_dataframe()[list(STEP_COLUMNS)]

    def issue_table(self) -> pd.DataFrame:
        """One row per issue: venue, phase, participants by group and by region, outcome."""
        return pd.DataFrame([i.row(self) for i in self.issues])


__all__ = ["GovernanceModel"]
