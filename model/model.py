"""GovernanceModel: stakeholders, an issue agenda, venues and rules, wired as a Mesa model.

The parts, bottom up: the actor table and the stakeholder agents (``netgov.agents``), the
agenda (``agenda.py``), the collaboration network (``network.py``), the venues (``venues.py``)
and the issues they convene (``issues.py``). This module only wires them and measures.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from netgov.agents import behaviour
from netgov.agents.population import ActorTable
from netgov.agents.stakeholders import populate
from netgov.model.agenda import Agenda
from netgov.model.catalog import REGIONS
from netgov.model.config import ModelConfig, merge, nest, validate_config
from netgov.model.contract import STEP_COLUMNS
from netgov.model.errors import ConfigError
from netgov.model.issues import Issue, Setting
from netgov.model.network import Collaboration
from netgov.model.streams import Streams
from netgov.model.venues import Venues


class GovernanceModel(mesa.Model):
    """Networked internet governance: who takes part in which issue network, and who decides.

    Build it from a validated :class:`ModelConfig`, keyword parameters, or both
    (keywords win): ``GovernanceModel(rng=1, notice_period=6, scale=2)``; dotted keys reach into
    tables: ``GovernanceModel(**{"agenda.rate": 1.0})``. All randomness comes from ``rng``, through one
    stream per sub-model (``streams.py``).
    """

    def __init__(
        self,
        config: ModelConfig | Mapping[str, Any] | None = None,
        *,
        rng: int | np.random.Generator | None = None,
        **params: Any,
    ) -> None:
        if isinstance(config, str | os.PathLike):
            raise ConfigError(
                f"GovernanceModel({str(config)!r}): a scenario name or file is not a config; use "
                f"GovernanceModel(netgov.load_scenario({str(config)!r}).config) or netgov.run({str(config)!r})"
            )
        super().__init__(rng=rng)
        if isinstance(config, ModelConfig) and not params:
            self.config: ModelConfig = config
        else:
            base = config.model_dump(by_alias=True) if isinstance(config, ModelConfig) else dict(config or {})
            self.config = validate_config(merge(base, nest(params)))  # dotted keys ("agenda.rate") too
        cfg = self.config
        #: One random stream per sub-model, all spawned from ``rng`` (common random numbers: ``streams.py``).
        self.streams = Streams(self.rng)
        self.actors: ActorTable
        self.actors, self.stakeholders = populate(self, cfg, self.streams.stream("actors"))
        self.network = Collaboration(
            self.actors,
            [(s.row, {"group": s.group, "region": s.region}) for s in self.stakeholders],
            cfg.tie_partners,
        )
        reference = np.array([getattr(cfg.reference_shares, r) for r in REGIONS])
        self.venues = Venues(Setting(cfg, self.actors, self.streams), self.stakeholders, self.network, reference)
        self.agenda = Agenda(cfg, self.actors, self.streams)
        self.issues: list[Issue] = []
        self._metrics: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={c: (lambda m, c=c: m._metrics[c]) for c in STEP_COLUMNS}
        )
        self._update_metrics()
        self.datacollector.collect(self)

    # -- one month ------------------------------------------------------------------------

    def step(self) -> None:
        """One month: issues arrive and are routed, every network moves on, actors recover."""
        month = int(self.time)
        for issue in self.agenda.arrivals(month):
            self.issues.append(issue)
            self.venues.route(issue, month)
        for issue in self.issues:
            if issue.active:
                self.venues.advance(issue, month)
        behaviour.recover(self.actors)
        self._update_metrics()
        self.datacollector.collect(self)

    @property
    def collaboration(self) -> nx.Graph:
        """Collaboration ties between actors (nodes are actor rows; weight = pairings so far)."""
        return self.network.graph

    @property
    def ties_formed(self) -> int:
        """Pairings so far, the graph's total edge weight: a view redraws ties only when it changes."""
        return self.network.ties_formed

    # -- measurement ----------------------------------------------------------------------

    def _update_metrics(self) -> None:
        """Per-step metrics over every issue network convened so far (running values); NaN where there
        is nothing to measure yet. Power is measured over deciding networks (advisory ones have no rule)."""
        nets = [i for i in self.issues if i.convened]
        deciding = [i.power for i in nets if i.power is not None]
        decided = [i for i in self.issues if i.phase in ("implementation", "stalled")]
        adopted = [i for i in decided if i.adopted]

        def mean(values: list[float]) -> float:
            kept = [v for v in values if v == v]  # NaN (nothing measured in that network) is left out
            return math.fsum(kept) / len(kept) if kept else float("nan")

        self._metrics = {
            "step": int(self.time),
            "active_issues": sum(i.active for i in self.issues),
            "participation_rate": mean([i.participants.size / i.eligible for i in nets]),
            "inclusiveness": mean([i.composition["inclusiveness"] for i in nets]),
            "group_coverage": mean([i.composition["group_coverage"] for i in nets]),
            "regional_balance": mean([i.composition["regional_balance"] for i in nets]),
            "capture": mean([p.capture for p in deciding]),
            "pass_alone": mean([float(p.pass_alone) for p in deciding]),
            "block_alone": mean([float(p.block_alone) for p in deciding]),
            "paralysis": mean([float(p.paralysed) for p in deciding]),
            "notice_sufficiency": mean([i.notice_sufficiency for i in nets]),
            "adopted": len(adopted),
            "stalled": len(decided) - len(adopted),
            "adoption_rate": len(adopted) / len(decided) if decided else float("nan"),
            "mean_time_to_decision": mean([i.decided - i.arrived for i in decided]),
            "legitimacy": mean([i.legitimacy for i in decided]),
            "minority_legitimacy": mean([i.minority_legitimacy for i in decided]),
            "outcome_gap": mean([i.outcome_gap for i in decided]),
            "minority_gap": mean([i.minority_gap for i in decided]),
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
        return pd.DataFrame([i.row() for i in self.issues])


__all__ = ["GovernanceModel"]
