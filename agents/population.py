"""The actor table: every actor's numbers as NumPy columns, one row per actor.

The agent classes (``stakeholders.py``) keep identity and story; their behaviour
(``behaviour.py``) is computed on these columns for a whole issue network at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from netgov.model.core import metrics
from netgov.model.core.catalog import DIMENSIONS, DOMAINS, GLOBAL_CODE, GROUPS, REGIONS, VENUES
from netgov.model.core.config import ModelConfig


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` seats in proportion to ``weights`` (largest-remainder method, deterministic)."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(w.size, dtype=int)
    quota = total * w / w.sum()
    seats = np.floor(quota).astype(int)
    remainder = total - seats.sum()
    order = np.argsort(-(quota - seats), kind="stable")
    seats[order[:remainder]] += 1
    return seats


def scaled_counts(cfg: ModelConfig) -> dict[str, int]:
    """Actor count per group after ``scale`` (a group with actors keeps at least one)."""
    counts = cfg.actors.model_dump()
    return {g: (max(1, round(counts[g] * cfg.scale)) if counts[g] else 0) for g in GROUPS}


def _beta(rng: np.random.Generator, mean: np.ndarray, concentration: float) -> np.ndarray:
    m = np.clip(mean, 0.02, 0.98)
    return rng.beta(m * concentration, (1 - m) * concentration)


@dataclass
class ActorTable:
    """Columns of actor state (row i is the actor with ``row == i``)."""

    group: np.ndarray  # int codes into GROUPS
    region: np.ndarray  # int codes into REGION_CODES (5 = global)
    resources: np.ndarray  # (0, 1]: capacity to prepare, travel and attend
    capacity: np.ndarray  # resources left this month after meetings
    openness: np.ndarray  # bounded-confidence threshold (HK epsilon): how far a view may be and persuade
    acceptance: np.ndarray  # how far a proposal may be from the actor's view and still get its yes
    prep_need: np.ndarray  # mean months of preparation with average background material
    expertise: np.ndarray  # (n, len(DOMAINS)) in [0, 1]
    expertise_drawn: np.ndarray  # the expertise it started with (forgetting drifts back toward it)
    prep_need_drawn: np.ndarray  # the preparation need it started with
    position: np.ndarray  # (n, len(DIMENSIONS)) in [0, 1]: where it stands on each cleavage
    domain_ties: np.ndarray  # (n, len(DOMAINS)): collaboration ties formed per domain
    recovery: float
    # -- what an actor carries across meetings (``config.adaptation``) --
    loyalty: np.ndarray  # [0, 1]: a dissatisfied actor with loyalty >= 0.5 stays and acts as before
    trust: np.ndarray  # [0, 1]: trust in the process as a whole
    venue_trust: np.ndarray  # (n, len(VENUES)): trust in each venue
    exited: np.ndarray  # (n, len(VENUES)) bool: has left the venue (Hirschman's exit)
    voicing: np.ndarray  # (n, len(VENUES)) bool: speaks up there, objecting to more (voice)
    attended: np.ndarray  # networks joined so far

    @property
    def n(self) -> int:
        return int(self.group.size)

    def prep_time(self, background_quality: float) -> np.ndarray:
        """Mean months each actor's preparation takes: longer with fewer resources and poorer background."""
        return self.prep_need * (1.5 - background_quality)

    def prepared(self, notice_period: int, background_quality: float) -> np.ndarray:
        """The share of its preparation each actor can do in the notice given (``metrics.prepared_share``)."""
        return metrics.prepared_share(notice_period, self.prep_time(background_quality))


def group_region_table(values: Any) -> np.ndarray:
    """A schema table of one value per group and region (``GroupRegionValues``) as a (groups, regions + global)
    array: governments and the other groups by region, UN agencies in the ``global`` column (elsewhere NaN)."""
    table = np.full((len(GROUPS), GLOBAL_CODE + 1), np.nan)
    for g_code, g in enumerate(GROUPS):
        row = getattr(values, g)
        if isinstance(row, float):
            table[g_code, GLOBAL_CODE] = row
        else:
            table[g_code, :GLOBAL_CODE] = [getattr(row, r) for r in REGIONS]
    return table


def draw_positions(cfg: ModelConfig, group: np.ndarray, region: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each actor's position on every cleavage: normal around its group's and region's mean with that cell's
    spread, clipped to [0, 1] (one column per dimension, drawn in the order of ``DIMENSIONS``)."""
    out = np.empty((group.size, len(DIMENSIONS)))
    for k, d in enumerate(DIMENSIONS):
        dim = getattr(cfg.positions, d)
        mean = group_region_table(dim.mean)[group, region]
        sd = group_region_table(dim.sd)[group, region]
        out[:, k] = np.clip(mean + sd * rng.standard_normal(group.size), 0.0, 1.0)
    return out


def build_actors(
    cfg: ModelConfig,
    rng: np.random.Generator,
    expertise_means: list[np.ndarray],
    loyalty_rng: np.random.Generator,
    positions_rng: np.random.Generator,
) -> ActorTable:
    """Draw the actor table: counts, regions, resources, openness, prep need, expertise; loyalty and positions
    from their own streams, so that changing either leaves every other draw as it was.

    ``expertise_means`` holds one mean-expertise vector per actor (from its agent class).
    """
    counts = scaled_counts(cfg)
    group_list, region_list = [], []
    for g_code, g in enumerate(GROUPS):
        n = counts[g]
        if g == "un_agency":
            regions = np.full(n, GLOBAL_CODE)
        else:
            weights = np.array([getattr(getattr(cfg.regions, g), r) for r in REGIONS])
            regions = np.repeat(np.arange(len(REGIONS)), apportion(n, weights))
        group_list.append(np.full(n, g_code))
        region_list.append(regions)
    group = np.concatenate(group_list).astype(np.int64)
    region = np.concatenate(region_list).astype(np.int64)
    n = group.size

    gm = np.array([getattr(cfg.resources.group_mean, g) for g in GROUPS])
    rf = cfg.resources.region_factor
    factors = np.array([getattr(rf, r) for r in REGIONS] + [rf.global_])
    resources = _beta(rng, gm[group] * factors[region], cfg.resources.concentration)
    resources = np.clip(resources, 0.01, 1.0)
    openness = _beta(rng, np.full(n, cfg.openness), cfg.openness_concentration) if n else np.zeros(0)
    acceptance = _beta(rng, np.full(n, cfg.acceptance), cfg.acceptance_concentration) if n else np.zeros(0)
    prep_need = cfg.base_prep_time * (1.5 - resources)
    means = np.array(expertise_means, dtype=float).reshape(n, len(DOMAINS))
    expertise = _beta(rng, means, cfg.expertise.concentration) if n else np.zeros((0, len(DOMAINS)))
    a = cfg.adaptation
    loyalty_means = np.array([getattr(a.loyalty, g) for g in GROUPS])[group]
    loyalty = _beta(loyalty_rng, loyalty_means, 10.0) if n else np.zeros(0)
    places = (n, len(VENUES))
    return ActorTable(
        group=group,
        region=region,
        resources=resources,
        capacity=resources.copy(),
        openness=openness,
        acceptance=acceptance,
        prep_need=prep_need,
        expertise=expertise,
        expertise_drawn=expertise.copy(),
        prep_need_drawn=prep_need.copy(),
        position=draw_positions(cfg, group, region, positions_rng),
        domain_ties=np.zeros((n, len(DOMAINS))),
        recovery=cfg.participation.capacity_recovery,
        loyalty=loyalty,
        trust=np.full(n, a.initial_trust),
        venue_trust=np.full(places, a.initial_trust),
        exited=np.zeros(places, dtype=bool),
        voicing=np.zeros(places, dtype=bool),
        attended=np.zeros(n, dtype=np.int64),
    )
