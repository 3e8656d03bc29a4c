"""Mechanisms as contrasts: one rule changed, every final metric's paired difference, and what we claim it does.

A :class:`Contrast` is a base and an alternative that differ in the overrides named; replication r
of both runs with the same seed (common random numbers), so each pair differs only by the change.
:func:`effects` measures every final metric's paired difference (alternative - base) with a 95%
Student-t CI and says whether each :class:`Claim` holds. The contrasts are data (``mechanisms.toml``,
read once); docs/mechanisms.md is generated from them (``python docs/mechanisms.py --write``) and
tests/test_mechanisms.py checks every claimed sign at another master seed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from netgov.analysis.summary import DIFF_COLUMNS, excludes_zero, paired_differences
from netgov.experiment.runner import replicate
from netgov.model.core.config import ModelConfig, nest
from netgov.model.core.contract import FINAL_METRICS
from netgov.scenarios.loader import load

#: How an effect arises: through actors' choices, or because the metric is computed from the switch.
LABELS: tuple[str, ...] = ("behavioural", "accounting")
#: The data: every contrast, its claims and the recommendations they speak to.
SOURCE = Path(__file__).with_name("mechanisms.toml")


@dataclass(frozen=True)
class Claim:
    """What a contrast does to one final metric: ``direction`` +1 (it rises) or -1 (it falls), alternative - base,
    and how (``label``: *behavioural*, through who comes, what they say, what passes; *accounting*, the metric
    is computed from the switch)."""

    metric: str
    direction: int
    label: str = "behavioural"

    def __post_init__(self) -> None:
        if self.metric not in FINAL_METRICS:
            raise ValueError(
                f"Claim: {self.metric!r} is not a final metric; expected one of {', '.join(FINAL_METRICS)}"
            )
        if self.direction not in (1, -1):
            raise ValueError(f"Claim {self.metric}: direction {self.direction!r}; expected +1 or -1")
        if self.label not in LABELS:
            raise ValueError(f"Claim {self.metric}: label {self.label!r}; expected one of {', '.join(LABELS)}")


@dataclass(frozen=True)
class Contrast:
    """A base and an alternative that differ by a few parameters (or two designs), and the claimed effects."""

    name: str
    path: str  # one sentence: the causal path
    scenario: str | None  # base scenario name (None = schema defaults)
    base: dict[str, Any] = field(default_factory=dict)  # dotted-key overrides for the base
    alt: dict[str, Any] = field(default_factory=dict)  # dotted-key overrides for the alternative
    claims: tuple[Claim, ...] = ()
    steps: int | None = None
    recommendation: str = ""  # the key of the seed report's recommendation it speaks to (RECOMMENDATIONS)
    alt_scenario: str | None = None  # the alternative's scenario, when two designs are compared

    def claimed(self, metric: str) -> int:
        """+1 or -1 if a claim names ``metric``, else 0."""
        return next((c.direction for c in self.claims if c.metric == metric), 0)

    def label(self, metric: str) -> str:
        """The claim's label (``LABELS``), or "" without a claim."""
        return next((c.label for c in self.claims if c.metric == metric), "")


def read(path: Path = SOURCE) -> tuple[dict[str, str], tuple[Contrast, ...]]:
    """The recommendations and the contrasts of a mechanisms file (``mechanisms.toml``)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    recommendations = dict(data["recommendations"])
    contrasts = []
    for c in data["contrast"]:
        claims = tuple(
            Claim(metric, sign, label)
            for key, sign in (("raises", 1), ("lowers", -1))
            for metric, label in c.get(key, {}).items()
        )
        if c["recommendation"] not in recommendations:
            raise ValueError(f"{path}: contrast {c['name']!r} names an unknown recommendation {c['recommendation']!r}")
        contrasts.append(
            Contrast(
                name=c["name"],
                path=c["path"],
                scenario=c.get("scenario"),
                base=dict(c.get("base", {})),
                alt=dict(c.get("alt", {})),
                claims=claims,
                steps=c.get("steps"),
                recommendation=c["recommendation"],
                alt_scenario=c.get("alt_scenario"),
            )
        )
    return recommendations, tuple(contrasts)


#: The seed report's recommendations (key -> title), and the mechanisms docs/mechanisms.md documents.
RECOMMENDATIONS, CONTRASTS = read()


def configs(c: Contrast) -> dict[str, ModelConfig]:
    """The contrast's two validated configs: ``{"base": ..., "alt": ...}``."""
    return {
        "base": load(c.scenario, nest(c.base)).config,
        "alt": load(c.alt_scenario or c.scenario, nest(c.alt)).config,
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


# -- twenty years with actors that adapt ---------------------------------------------------------------

#: Every adaptation switch on: the designs below are compared with actors that learn, trust, leave and shop.
ADAPTIVE: dict[str, Any] = {
    "adaptation.trust": True,
    "adaptation.hirschman": True,
    "adaptation.learning": True,
    "adaptation.forum_shopping": True,
    "adaptation.technical_forums": True,
    "adaptation.coalitions": True,
}
#: The designs of the twenty-year comparison (the first is the baseline of the paired differences).
DESIGNS: tuple[str, ...] = ("status_quo_intergovernmental", "idp_distributed", "wgec_joint_recommendations")
YEARS: tuple[int, ...] = (1, 5, 10, 20)
#: What the twenty-year table reports per design and year (issues by the year they arrived).
YEARLY: dict[str, str] = {
    "participation": "mean participants / eligible of the networks on issues arriving that year",
    "africa_share": "share of those networks' participants from Africa",
    "civil_society_share": "share of those networks' participants from civil society",
    "trust": "actors' mean trust in the process at the end of the year",
    "legitimacy": "mean legitimacy of the issues arriving that year (decided ones)",
    "migrated": "issues arriving that year that a group took to another forum",
}


def yearly(issues: pd.DataFrame, agents: pd.DataFrame, years: Iterable[int] = YEARS) -> dict[int, dict[str, float]]:
    """One run's yearly values (``YEARLY``) from its issue and agent tables; NaN where a year had nothing."""
    out: dict[int, dict[str, float]] = {}
    year_of = issues["arrived"] // 12 + 1
    for y in years:
        got = issues[(year_of == y) & (issues["eligible"] > 0)]
        people = got["participants"].sum()
        trust = agents.loc[agents["step"] == 12 * y, "trust"]
        out[y] = {
            "participation": float((got["participants"] / got["eligible"]).mean()) if len(got) else float("nan"),
            "africa_share": float(got["participants_africa"].sum() / people) if people else float("nan"),
            "civil_society_share": float(got["participants_civil_society"].sum() / people) if people else float("nan"),
            "trust": float(trust.mean()) if len(trust) else float("nan"),
            "legitimacy": float(got["legitimacy"].mean()) if got["legitimacy"].notna().any() else float("nan"),
            "migrated": float((got["migrated_by"] != "").sum()),
        }
    return out


def twenty_years(reps: int = 20, seed: int = 0, progress: Callable[[], None] | None = None) -> pd.DataFrame:
    """Each design run ``reps`` times for 20 years with every adaptation switch on, replication r of every
    design with one seed: rows (design, replication, year, measure, value)."""
    from netgov.experiment.runner import run_once, run_seed

    rows = []
    for r in range(reps):
        s = run_seed(seed, r)
        for design in DESIGNS:
            config = load(design, nest({**ADAPTIVE, "agent_interval": 12})).config
            result = run_once(config, s, 12 * max(YEARS), agents=True)
            for y, values in yearly(result.issues, result.agents).items():
                rows += [
                    {"design": design, "replication": r, "year": y, "measure": k, "value": v} for k, v in values.items()
                ]
            if progress is not None:
                progress()
    return pd.DataFrame(rows)
