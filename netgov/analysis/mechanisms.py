"""Mechanisms as contrasts: one rule changed, every final metric's paired difference, and what we claim it does.

A :class:`Contrast` is a base and an alternative that differ in the overrides named; replication r
of both runs with the same seed (common random numbers), so each pair differs only by the change.
:func:`effects` measures every final metric's paired difference (alternative - base) with a 95%
Student-t CI and says whether each :class:`Claim` holds. docs/mechanisms.md is generated from it
(``python docs/mechanisms.py --write``) and tests/test_mechanisms.py checks every claimed sign.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from netgov.analysis.summary import DIFF_COLUMNS, excludes_zero, paired_differences
from netgov.experiment.runner import replicate
from netgov.model.config import ModelConfig, nest
from netgov.model.contract import FINAL_METRICS
from netgov.scenarios.loader import load


@dataclass(frozen=True)
class Claim:
    """What a contrast does to one final metric: ``direction`` +1 (it rises) or -1 (it falls), alternative - base."""

    metric: str
    direction: int

    def __post_init__(self) -> None:
        if self.metric not in FINAL_METRICS:
            raise ValueError(
                f"Claim: {self.metric!r} is not a final metric; expected one of {', '.join(FINAL_METRICS)}"
            )
        if self.direction not in (1, -1):
            raise ValueError(f"Claim {self.metric}: direction {self.direction!r}; expected +1 or -1")


@dataclass(frozen=True)
class Contrast:
    """A base and an alternative that differ by a few parameters, and the claimed effects of the difference."""

    name: str
    path: str  # one sentence: the causal path
    scenario: str | None  # base scenario name (None = schema defaults)
    base: dict[str, Any] = field(default_factory=dict)  # dotted-key overrides for the base
    alt: dict[str, Any] = field(default_factory=dict)  # dotted-key overrides for the alternative
    claims: tuple[Claim, ...] = ()
    steps: int | None = None

    def claimed(self, metric: str) -> int:
        """+1 or -1 if a claim names ``metric``, else 0."""
        return next((c.direction for c in self.claims if c.metric == metric), 0)


def _up(*metrics: str) -> tuple[Claim, ...]:
    return tuple(Claim(m, 1) for m in metrics)


def _down(*metrics: str) -> tuple[Claim, ...]:
    return tuple(Claim(m, -1) for m in metrics)


#: The mechanisms docs/mechanisms.md documents. The claims are a first set, checked on the model as it is.
CONTRASTS: tuple[Contrast, ...] = (
    Contrast(
        name="consensus instead of majority",
        path="Consensus needs every participating group to agree, so no bloc passes an outcome alone "
        "and fewer proposals clear the bar.",
        scenario=None,
        base={"decision_rule": "majority"},
        alt={"decision_rule": "consensus"},
        claims=_down("capture", "adoption_rate"),
    ),
    Contrast(
        name="six months' notice instead of one",
        path="A longer notice period lets more actors finish preparing before the meeting, so more of "
        "them have sufficient notice and take part.",
        scenario=None,
        base={"notice_period": 1},
        alt={"notice_period": 6},
        claims=_up("notice_sufficiency", "participation_rate"),
    ),
    Contrast(
        name="good background material instead of poor",
        path="Better background material shortens the preparation actors need, so more are ready in "
        "time and take part.",
        scenario=None,
        base={"background_quality": 0.2},
        alt={"background_quality": 0.8},
        claims=_up("notice_sufficiency", "participation_rate"),
    ),
    Contrast(
        name="travel support for actors in need",
        path="Covering travel costs lowers the cost of attending for actors from far-off or poorer "
        "regions, so more of them take part and regions are represented more evenly.",
        scenario=None,
        base={"travel_support": 0.0},
        alt={"travel_support": 0.8},
        claims=_up("participation_rate", "regional_balance"),
    ),
    Contrast(
        name="good remote participation instead of poor",
        path="Good remote participation lets actors take part without travelling, so participation "
        "rises most where travel is dearest and regions are represented more evenly.",
        scenario=None,
        base={"remote_participation": 0.1},
        alt={"remote_participation": 0.9},
        claims=_up("participation_rate", "regional_balance"),
    ),
    Contrast(
        name="structured IGF feedback before a decision",
        path="Taking structured IGF feedback pulls proposals towards the views of all actors, so "
        "outcomes sit closer to the median stance and are rated more legitimate.",
        scenario=None,
        base={"igf_feedback": False},
        alt={"igf_feedback": True},
        claims=_down("outcome_gap") + _up("legitimacy"),
    ),
    Contrast(
        name="distributed issue networks instead of intergovernmental venues",
        path="Intergovernmental venues admit governments only; distributed issue networks admit every "
        "stakeholder group, so participants span the groups and the largest bloc's share of power falls.",
        scenario=None,
        base={"routing": "intergovernmental"},
        alt={"routing": "distributed"},
        claims=_up("inclusiveness", "group_coverage") + _down("capture"),
    ),
)


def configs(c: Contrast) -> dict[str, ModelConfig]:
    """The contrast's two validated configs: ``{"base": ..., "alt": ...}``."""
    return {
        "base": load(c.scenario, nest(c.base)).config,
        "alt": load(c.scenario, nest(c.alt)).config,
    }


#: The columns of :func:`effects`.
EFFECT_COLUMNS: tuple[str, ...] = ("contrast", *DIFF_COLUMNS, "claimed", "holds")


def holds(row: Mapping[str, Any], claimed: int) -> bool | None:
    """None without a claim; else True when the CI excludes 0 on the claimed side."""
    if not claimed:
        return None
    return bool(excludes_zero(row) and (row["diff_mean"] > 0) == (claimed > 0))


def effects(
    contrasts: Iterable[Contrast] = CONTRASTS,
    reps: int = 20,
    seed: int = 0,
    steps: int | None = None,
    progress: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Every final metric's paired difference (alternative - base) for each contrast, with ``claimed``
    (+1, -1 or 0) and ``holds`` (None without a claim). ``steps`` overrides each contrast's own;
    ``progress`` is called after every run (2 x ``reps`` per contrast)."""
    rows: list[dict[str, Any]] = []
    for c in contrasts:
        runs = replicate(configs(c), reps, seed, steps if steps is not None else c.steps, progress)
        for row in paired_differences(runs, "base", FINAL_METRICS).to_dict("records"):
            claimed = c.claimed(row["metric"])
            rows.append({"contrast": c.name, **row, "claimed": claimed, "holds": holds(row, claimed)})
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))
