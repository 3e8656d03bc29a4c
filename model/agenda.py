"""The agenda: which issues arrive each month (a fixed list or a Poisson stream) and where actors stand on them."""

from __future__ import annotations

from typing import Any

import numpy as np

from netgov.agents.population import ActorTable
from netgov.model.catalog import ACTION_LINES, DOMAINS, GOVERNMENT, GROUPS, REGIONS
from netgov.model.config import ModelConfig
from netgov.model.issues import Issue


class Agenda:
    """New issues month by month, each with every actor's initial stance on it."""

    def __init__(self, config: ModelConfig, actors: ActorTable, rng: np.random.Generator) -> None:
        self.config = config
        self.actors = actors
        self.rng = rng
        agenda = config.agenda
        self.pending = sorted(agenda.issues, key=lambda s: s.arrival) if agenda.mode == "fixed" else []
        self.arrived = 0  # issues so far: the next issue's id

    def arrivals(self, month: int) -> list[Issue]:
        """This month's arrivals: from the fixed agenda or a Poisson stream."""
        cfg = self.config.agenda
        specs: list[dict[str, Any]] = []
        if cfg.mode == "fixed":
            while self.pending and self.pending[0].arrival <= month:
                specs.append(self.pending.pop(0).model_dump())
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
            new.append(
                Issue(
                    id=self.arrived,
                    domain=spec["domain"],
                    action_line=spec["action_line"],
                    salience=spec["salience"],
                    complexity=spec["complexity"],
                    stance_type=spec["stance_type"],
                    arrived=month,
                    stances=self.stances(spec["stance_type"]),
                    requested_venue=spec.get("venue"),
                )
            )
            self.arrived += 1
        return new

    def stances(self, stance_type: str) -> np.ndarray:
        """Every actor's stance on a new issue, around its group's (and, for governments, region's) mean."""
        prof = getattr(self.config.stance, stance_type)
        a = self.actors
        mean = np.array([getattr(prof.group_mean, g) for g in GROUPS])[a.group]
        if prof.government_region_mean is not None:
            grm = prof.government_region_mean
            by_region = np.array([getattr(grm, r) for r in REGIONS] + [np.nan])  # no government is global
            gov = a.group == GOVERNMENT
            mean = np.where(gov, by_region[a.region], mean)
        return np.clip(mean + prof.sd * self.rng.standard_normal(a.n), 0.0, 1.0)
