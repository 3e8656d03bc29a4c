"""The agenda: which issues arrive each month (a fixed list or a Poisson stream) and where actors stand on them.

Common random numbers: the month's number of arrivals comes from the agenda stream, in sequence; an
issue's attributes (domain, Action Line, salience, complexity, stance type) from its own agenda stream
and every actor's stances on it from its own stance stream, both keyed by the issue's id. So two runs
with one seed see the same agenda whatever their institutions do, and each attribute is drawn by
inverting its distribution from one uniform, so changing a share or a mean moves the issues it must and
leaves the rest as they were.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from netgov.agents.population import ActorTable
from netgov.model.core.catalog import ACTION_LINES, DIMENSIONS, DOMAINS
from netgov.model.core.config import ModelConfig
from netgov.model.core.streams import Streams
from netgov.model.issues import Issue


def poisson_quantile(u: float, mean: float) -> int:
    """The smallest k with P(K <= k) >= u for K ~ Poisson(mean): inverse-CDF sampling, one uniform per draw."""
    k, term = 0, math.exp(-mean)
    cdf = term
    while cdf < u and k < 1000:
        k += 1
        term *= mean / k
        cdf += term
    return k


class Agenda:
    """New issues month by month, each with every actor's initial stance on it and on each of its aspects."""

    def __init__(self, config: ModelConfig, actors: ActorTable, streams: Streams) -> None:
        self.config = config
        self.actors = actors
        self.streams = streams
        self.rng = streams.stream("agenda")
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
            for offset in range(self.rng.poisson(cfg.rate)):
                specs.append(self.draw(self.arrived + offset))
        new = []
        for spec in specs:
            loadings = self.loadings(spec["stance_type"], spec["domain"])
            stances, aspects = self.stances(loadings, spec["complexity"], self.arrived)
            new.append(
                Issue(
                    id=self.arrived,
                    domain=spec["domain"],
                    action_line=spec["action_line"],
                    salience=spec["salience"],
                    complexity=spec["complexity"],
                    stance_type=spec["stance_type"],
                    arrived=month,
                    stances=stances,
                    aspects=aspects,
                    loadings=loadings,
                    status_quo=self.status_quo(loadings),
                    requested_venue=spec.get("venue"),
                )
            )
            self.arrived += 1
        return new

    def draw(self, issue_id: int) -> dict[str, Any]:
        """A Poisson-stream issue's attributes, from its own stream: one uniform per attribute."""
        cfg = self.config.agenda
        u = self.streams.issue("agenda", issue_id).random(6)
        domain = DOMAINS[min(int(u[0] * len(DOMAINS)), len(DOMAINS) - 1)]
        lines = [c for c, (_t, d, _f) in ACTION_LINES.items() if d == domain]
        embedded = u[1] < cfg.action_line_share and lines
        return {
            "domain": domain,
            "action_line": lines[min(int(u[2] * len(lines)), len(lines) - 1)] if embedded else None,
            "salience": float(u[3]),
            "complexity": 1 + poisson_quantile(float(u[4]), cfg.complexity),
            "stance_type": "state_centric" if u[5] < cfg.state_centric_share else "general",
        }

    def loadings(self, stance_type: str, domain: str) -> np.ndarray:
        """How the issue's question maps onto the cleavages (``DIMENSIONS``): a state-centric issue is about
        state authority alone; any other loads as its domain does (``positions.loadings``), normalised so the
        absolute weights sum to 1."""
        if stance_type == "state_centric":
            return np.eye(len(DIMENSIONS))[DIMENSIONS.index("state_authority")]
        table = getattr(self.config.positions.loadings, domain)
        w = np.array([getattr(table, d) for d in DIMENSIONS])
        return w / np.abs(w).sum()

    def stances(self, loadings: np.ndarray, complexity: int, issue_id: int) -> tuple[np.ndarray, np.ndarray]:
        """Every actor's stance on a new issue and on each of its aspects: (n,) and (complexity, n).

        The stance is what its positions imply for this question, 0.5 + Σ_d w_d (p_d − 0.5), plus a little of
        its own on this issue (``positions.issue_sd``); each aspect's stance spreads around that
        (``agenda.aspect_spread``)."""
        a = self.actors
        implied = 0.5 + (a.position - 0.5) @ loadings
        rng = self.streams.issue("stances", issue_id)
        z = rng.standard_normal((1 + complexity, a.n))
        stances = np.clip(implied + self.config.positions.issue_sd * z[0], 0.0, 1.0)
        aspects = np.clip(stances + self.config.agenda.aspect_spread * z[1:], 0.0, 1.0)
        return stances, aspects

    def status_quo(self, loadings: np.ndarray) -> float:
        """Where the issue stands if nothing is decided: what the cleavages' status quo implies for it."""
        sq = np.array([getattr(self.config.positions, d).status_quo for d in DIMENSIONS])
        return float(np.clip(0.5 + (sq - 0.5) @ loadings, 0.0, 1.0))
