"""The measures of the validation patterns: intervals, one :class:`Measure` per simulated quantity against
its observed figure and band, and each pattern's evaluator: one reads the measures a pattern lists in
patterns.toml (``evaluate_listed``), the rest are code (``EVALUATORS``).

A share of replications gets a Wilson interval, a mean of per-run shares a bootstrap interval. At one
master seed a measure passes when its mean lies in the band, its interval reaches the band and any
further condition holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from netgov.model.core.catalog import GROUP_NAMES, GROUPS, REGION_CODES, REGION_NAMES, REGIONS
from netgov.model.core.metrics import mean_ci_bootstrap
from netgov.validation.patterns import BY_ID, Pattern

Kind = Literal["mean", "proportion"]
LEVEL = 0.95  # of every interval
BOOTSTRAP_RESAMPLES = 2000

# -- intervals ------------------------------------------------------------------------------------


def wilson(successes: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a proportion (never outside [0, 1], unlike a t interval)."""
    from scipy.stats import binomtest

    if n == 0:
        return float("nan"), float("nan")
    ci = binomtest(successes, n).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


# -- results --------------------------------------------------------------------------------------

#: What a measure shows when no replication had a value (months to an agreed text where none agreed).
NONE = "none: no replication had one"


@dataclass(frozen=True)
class Measure:
    """One simulated quantity of a pattern against what was observed and its acceptance band."""

    pattern: str
    measure: str
    observed: str
    kind: Kind
    mean: float
    lo: float
    hi: float
    band: tuple[float, float]
    n: int
    also: str = ""  # a further condition (e.g. "largest region"), already folded into ``holds``
    holds: bool = True  # the further condition
    unit: str = "share"  # "share" (of participants, states or replications: shown in %) or "months"

    def show(self, x: float) -> str:
        """A value of this measure in its unit; NaN when no replication had one (no agreed text to time)."""
        if x != x:
            return NONE
        return pct(x) if self.unit == "share" else f"{x:.1f} {self.unit}"

    @property
    def estimate(self) -> str:
        """The mean and its interval, e.g. "62.3% [61.1, 63.5]"."""
        if self.mean != self.mean:
            return NONE
        if self.unit == "share":
            return f"{pct(self.mean)} [{100 * self.lo:.1f}, {100 * self.hi:.1f}]"
        return f"{self.mean:.1f} [{self.lo:.1f}, {self.hi:.1f}] {self.unit}"

    @property
    def overlaps(self) -> bool:
        """The interval reaches the band: the replications do not reject it."""
        return bool(self.lo <= self.band[1] and self.hi >= self.band[0])

    @property
    def inside(self) -> bool:
        """The mean lies in the band."""
        return bool(self.band[0] <= self.mean <= self.band[1])

    @property
    def passed(self) -> bool:
        """Judged at one master seed: the point estimate lies in the band, its interval reaches the band,
        and any further condition holds."""
        return self.inside and self.overlaps and self.holds

    @property
    def margin(self) -> float:
        """Signed distance of the mean to the nearer band edge (negative outside): which seed is worst.

        A one-sided band (to 0 or to 1) has one edge only: a mean of 100% is not near ">= 80%"'s edge.
        """
        lo, hi = self.band
        if self.unit != "share":
            return float(min(self.mean - lo, hi - self.mean))
        sides = ([self.mean - lo] if lo > 0.0 else []) + ([hi - self.mean] if hi < 1.0 else [])
        return float(min(sides)) if sides else float("inf")

    @property
    def band_text(self) -> str:
        lo, hi = self.band
        if self.unit != "share":
            text = f"{lo:g}–{hi:g} {self.unit}"
        else:
            text = f">= {pct(lo)}" if hi >= 1.0 else f"<= {pct(hi)}" if lo <= 0.0 else f"{pct(lo)}–{pct(hi)}"
        return text + (f"; {self.also}" if self.also else "")


def measure(
    pattern: str,
    name: str,
    observed: str,
    values: pd.Series,
    kind: Kind,
    band: tuple[float, float],
    seed: int,
    also: str = "",
    holds: bool = True,
    unit: str = "share",
) -> Measure:
    """A measure with its interval: Wilson for a share of replications, bootstrap for a mean of shares."""
    x = values.astype(float).to_numpy()
    x = x[~np.isnan(x)]
    mean = float(x.mean()) if x.size else float("nan")
    if kind == "proportion":
        lo, hi = wilson(round(x.sum()), int(x.size))
    else:
        _, lo, hi = mean_ci_bootstrap(x, seed, LEVEL, BOOTSTRAP_RESAMPLES)
    return Measure(
        pattern, name, observed, kind, mean, lo, hi, (float(band[0]), float(band[1])), int(x.size), also, holds, unit
    )


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


Evaluator = Callable[[pd.DataFrame, Pattern, int], list[Measure]]


def evaluate_p1(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """For each host region: its onsite share, which must be the largest of any region and within the band."""
    band = tuple(pattern.data["band"])
    observed: dict[str, list[str]] = {}
    for o in pattern.data["observed"]:
        observed.setdefault(o["region"], []).append(f"{pct(o['share'])} ({o['event']}, of {o['of']:,})")
    out = []
    for i, host in enumerate(REGIONS):
        sub = runs[runs["condition"] == host]
        means = {r: float(sub[f"onsite_share_{r}"].mean()) for r in REGION_CODES}
        largest = max(means, key=lambda r: means[r]) == host
        obs = "; ".join(observed.get(host, ["not reported"]))
        name = f"hosted in {REGION_NAMES[host]}: its onsite share"
        out.append(
            measure("P1", name, obs, sub[f"onsite_share_{host}"], "mean", band, seed + i, "largest region", largest)
        )
    return out


def p2_band(group: str) -> tuple[float, float]:
    """The range observed across the IGF meetings, widened on either side (never below 0)."""
    data = BY_ID["P2"].data
    seen = data["observed"][group]
    return max(0.0, min(seen) - data["widen"]), max(seen) + data["widen"]


def evaluate_p2(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """Each group's onsite share within its band; civil society the largest or second-largest group."""
    means = {g: float(runs[f"onsite_share_{g}"].mean()) for g in GROUPS}
    rank = sorted(means, key=lambda g: -means[g]).index("civil_society") + 1
    out = []
    for i, g in enumerate(GROUPS):
        seen = pattern.data["observed"][g]
        obs = f"{pct(min(seen))}–{pct(max(seen))}"
        also, holds = ("largest or 2nd", rank <= 2) if g == "civil_society" else ("", True)
        name = f"{GROUP_NAMES[g]} share of onsite"
        out.append(measure("P2", name, obs, runs[f"onsite_share_{g}"], "mean", p2_band(g), seed + i, also, holds))
    return out


def p3_targets() -> dict[str, float]:
    """The vote shares WCIT-12 gives: overall, Africa, Western Europe & Others."""
    o = BY_ID["P3"].data["observed"]
    return {
        "yes_share": o["signed"] / o["eligible"],
        "yes_share_africa": o["africa_signed"] / o["africa_seats"],
        "yes_share_western_europe_others": o["western_europe_others"],
    }


def evaluate_p4(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """Share of replications in which the body reached no agreement."""
    name = "replications with no agreement"
    return [
        measure("P4", name, pattern.data["observed"], 1.0 - runs["agreed"], "proportion", pattern.data["band"], seed)
    ]


def evaluate_p5(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """Share of replications that agreed a text by rough consensus while at least one government objected."""
    name = "replications agreed over a government's objection"
    values = runs["agreed_over_objection"]
    return [measure("P5", name, pattern.data["observed"], values, "proportion", pattern.data["band"], seed)]


def evaluate_h2(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """The onsite fraction averaged over the hosts, and at each host."""
    seen, bands = pattern.data["observed"]["onsite_fraction"], pattern.data["bands"]
    observed = f"{pct(min(seen))}–{pct(max(seen))} at {len(seen)} hybrid meetings"
    out = [
        measure(
            "H2",
            "onsite share, all hosts",
            observed,
            runs["onsite_fraction"],
            "mean",
            tuple(bands["mean_over_hosts"]),
            seed,
        )
    ]
    for i, (host, _o) in enumerate(pattern.conditions):
        sub = runs[runs["condition"] == host]["onsite_fraction"]
        name = f"hosted in {REGION_NAMES[host]}: onsite share"
        out.append(
            measure("H2", name, f"none above {pct(max(seen))}", sub, "mean", tuple(bands["each_host"]), seed + 1 + i)
        )
    return out


def evaluate_h3(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """Africa's onsite share at meetings hosted in another region."""
    seen = pattern.data["observed"]["africa_share"]
    observed = f"{pct(min(seen))}–{pct(max(seen))} ({'; '.join(pattern.data['events'])})"
    out = []
    for i, (host, _o) in enumerate(pattern.conditions):
        sub = runs[runs["condition"] == host]["onsite_share_africa"]
        name = f"hosted in {REGION_NAMES[host]}: Africa's onsite share"
        out.append(measure("H3", name, observed, sub, "mean", tuple(pattern.data["bands"]["africa_share"]), seed + i))
    return out


def evaluate_h4(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """Share of replications adopted by consensus: a 25-state GGE-like body, and all 193 states."""
    o, bands = pattern.data["observed"], pattern.data["bands"]
    cases = (
        ("gge", "25-state body: replications adopted", f"{o['gge_adopted']} of {o['gge_bodies']} GGEs", "gge"),
        ("open_ended", "193 states: replications adopted", f"{o['open_adopted']} of {o['open_bodies']}", "open_ended"),
    )
    out = []
    for i, (label, name, observed, band) in enumerate(cases):
        sub = runs[runs["condition"] == label]["agreed"]
        out.append(measure("H4", name, observed, sub, "proportion", tuple(bands[band]), seed + i))
    return out


def evaluate_d3(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """Months from the body's first meeting to its agreed text, over the replications that agreed."""
    seen = pattern.data["observed"]["months"]
    observed = f"{min(seen)}–{max(seen)} months ({'; '.join(pattern.data['events'])})"
    band = tuple(pattern.data["bands"]["months"])
    name = "months from first meeting to agreed text"
    return [measure("D3", name, observed, runs["months_to_text"], "mean", band, seed, unit="months")]


def _facts(observed: Mapping[str, Any]) -> dict[str, Any]:
    """A pattern's observed table as the fields its measures' texts are written from: each value, and each
    list's ``_min``, ``_max`` and ``_count``."""
    facts = dict(observed)
    for key, value in observed.items():
        if isinstance(value, list):
            facts |= {f"{key}_min": min(value), f"{key}_max": max(value), f"{key}_count": len(value)}
    return facts


def evaluate_listed(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """The measures a pattern lists in patterns.toml (``measures``): each a per-run column's mean or share of
    replications against one of the pattern's ``bands``, its observed figure written from ``observed``."""
    facts = _facts(pattern.data["observed"])
    out = []
    for i, m in enumerate(pattern.data["measures"]):
        ratio = {"ratio": facts[m["ratio"][0]] / facts[m["ratio"][1]]} if "ratio" in m else {}
        observed = m["observed"].format(**facts, **ratio)
        band = tuple(pattern.data["bands"][m["band"]])
        out.append(measure(pattern.id, m["name"], observed, runs[m["column"]], m["kind"], band, seed + i))
    return out


def t1_observed() -> dict[str, float]:
    """The record's growth (years 10-12 over 1-3) and late slope (years 17 and 20 over 10-12, per year)."""
    data = BY_ID["T1"].data
    onsite = {o["year"]: float(o["onsite"]) for o in data["observed"]}

    def mean(years: list[int]) -> float:
        return float(np.mean([onsite[y] for y in years if y in onsite]))

    early, middle = mean([1, 2, 3]), mean([10, 11, 12])
    late = mean([17, 20])
    return {"growth": middle / early, "late_slope": (late / middle - 1.0) / (18.5 - 11.0)}


def evaluate_t1(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """Onsite attendance per open network: its growth over the first decade and its slope after."""
    seen, bands = t1_observed(), pattern.data["bands"]
    return [
        measure(
            "T1",
            "onsite per meeting, years 10-12 over years 1-3",
            f"{seen['growth']:.2f} x (IGF 2015-2017 over 2006-2008)",
            runs["growth"],
            "mean",
            tuple(bands["growth"]),
            seed,
            unit="x",
        ),
        measure(
            "T1",
            "growth a year after year 11 (years 17-19 over 10-12)",
            f"{100 * seen['late_slope']:.1f}% a year (IGF 2022 and 2025 over 2015-2017): no levelling off",
            100 * runs["late_slope"],
            "mean",
            percent(bands["late_slope"]),
            seed + 1,
            unit="% a year",
        ),
    ]


def evaluate_h5(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """Governments' share of the open networks' onsite participants, second window less first."""
    o = pattern.data["observed"]["government_share"]
    change = (o[2] + o[3]) / 2.0 - (o[0] + o[1]) / 2.0
    return [
        measure(
            "H5",
            "change in governments' onsite share, years 17-20 less years 3-7",
            f"{100 * change:+.1f} points ({'; '.join(pattern.data['events'])})",
            100 * runs["government_share_change"],
            "mean",
            percent(pattern.data["bands"]["change"]),
            seed,
            unit="points",
        )
    ]


def percent(band: list[float]) -> tuple[float, float]:
    """A band of shares in percentage points (a change or a rate shown as points, which may be negative)."""
    return 100 * float(band[0]), 100 * float(band[1])


def evaluator(pattern: Pattern) -> Evaluator:
    """The pattern's evaluator: the one that reads its listed ``measures``, else its own (``EVALUATORS``)."""
    return evaluate_listed if "measures" in pattern.data else EVALUATORS[pattern.id]


#: The patterns whose measures need code (a further condition, a condition each, a transformed column).
EVALUATORS: dict[str, Evaluator] = {
    "P1": evaluate_p1,
    "P2": evaluate_p2,
    "P4": evaluate_p4,
    "P5": evaluate_p5,
    "H2": evaluate_h2,
    "H3": evaluate_h3,
    "H4": evaluate_h4,
    "T1": evaluate_t1,
    "H5": evaluate_h5,
    "D3": evaluate_d3,
}
