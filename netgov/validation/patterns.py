"""Pattern-oriented validation: five published patterns of real internet-governance bodies, observed vs simulated.

Each pattern (docs/validation.md gives the figures and their sources) has a scenario file in
``scenarios/validation/``,
the figures that were observed, and an acceptance band. P1–P3 are the calibration targets of
``calibrate.py``; P4 and P5 are validation only (no value was tuned to them; docs/validation.md §5 says
how they shaped what is fitted). Per-run statistics are
computed from the per-issue table, so the same functions read a single run and a batch's
``issues.parquet``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netgov.model.catalog import GROUP_NAMES, GROUPS, REGION_CODES, REGION_NAMES, REGIONS
from netgov.model.metrics import mean_ci
from netgov.scenarios.loader import SCENARIO_DIR

VALIDATION_DIR = SCENARIO_DIR / "validation"  # the pattern scenarios (data, beside the other scenarios)
#: The parameters calibrate.py fitted to P1–P3; every pattern scenario extends it.
CALIBRATED = VALIDATION_DIR / "calibrated.toml"

# -- what was observed (patterns.md) ------------------------------------------------------------

#: P1: the host region's share of onsite participants, where a meeting in that region was counted.
P1_OBSERVED: dict[str, tuple[float, str]] = {
    "africa": (0.44, "IGF 2022 Addis Ababa, of 2,520 onsite"),
    "asia_pacific": (0.71, "IGF 2008 Hyderabad, of 1,280; ICANN57 Hyderabad: 70% of 3,182"),
    "western_europe_others": (0.63, "IGF 2025 Lillestrøm, of 3,435 onsite"),
}
P1_BAND = (0.35, 0.75)
#: P2: each group's share at IGF 2012 Baku, 2019 Berlin (registrants), 2022 Addis Ababa, 2025 Lillestrøm.
P2_OBSERVED: dict[str, tuple[float, ...]] = {
    "civil_society": (0.33, 0.435, 0.32, 0.34),
    "government": (0.27, 0.185, 0.29, 0.35),
    "business": (0.17, 0.172, 0.16, 0.14),
    "technical_community": (0.10, 0.11, 0.10),  # 2019 not reported
    "un_agency": (0.06, 0.04, 0.11, 0.06),
}
P2_WIDEN = 0.05
P2_SOURCE = "UN DESA newsletter Dec 2012; Mozilla Foundation blog / UN DESA (2019); IGF 2022 and 2025 statistics"
#: P3: WCIT-12, 89 of 144 eligible states signed (New York Times; Internet Protocol Journal 16(1): 89 of 151).
P3_SIGNED, P3_ELIGIBLE = 89, 144
#: About 36 African states signed (Kenya and Malawi did not): of the 40 African seats among 144, 0.9.
P3_AFRICA_SIGNED, P3_AFRICA_SEATS = 36, 40
P3_BAND = (0.50, 0.75)
P3_AFRICA_ABOVE = 0.7
P3_WEOG_BELOW = 0.2
P4_SHARE = 0.8
P5_SHARE = 0.8


@dataclass(frozen=True)
class Pattern:
    """A published pattern: its scenario file, the conditions it is run under, and where it was reported."""

    id: str
    title: str
    scenario: str  # file in this folder
    source: str
    conditions: tuple[tuple[str, dict[str, Any]], ...] = (("", {}),)  # (label, parameter overrides)
    calibrated: bool = False

    @property
    def path(self) -> Path:
        return VALIDATION_DIR / self.scenario


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "P1",
        "the host region dominates an open forum's onsite attendance",
        "p1_host_region.toml",
        "IGF 'attendance breakdown of the Hyderabad meeting'; IGF 2022 and 2025 participation statistics;"
        " domainnamewire.com 2016-12-07 (ICANN57)",
        tuple((r, {"host_region": r}) for r in REGIONS),
        calibrated=True,
    ),
    Pattern("P2", "the stakeholder mix of an open forum", "p2_stakeholder_mix.toml", P2_SOURCE, calibrated=True),
    Pattern(
        "P3",
        "an intergovernmental vote on a state-centric issue splits by region (WCIT-12)",
        "p3_wcit12_vote.toml",
        "New York Times (89 of 144 eligible); Internet Protocol Journal 16(1)",
        calibrated=True,
    ),
    Pattern(
        "P4",
        "a WGEC-composed body deciding by consensus does not agree",
        "p4_wgec_consensus.toml",
        "dig.watch WGEC pages; APC blog; ip-watch 2018-02-05",
    ),
    Pattern(
        "P5",
        "an open meeting adopts by rough consensus over dissenting states (NETmundial)",
        "p5_netmundial.toml",
        "giplatform.org; albrightstonebridge.com 'No Consensus at NetMundial'",
    ),
)


# -- per-run statistics from the per-issue table --------------------------------------------------


def run_statistics(issues: pd.DataFrame) -> dict[str, float]:
    """One run's pattern statistics from its per-issue table (which must hold at least one issue).

    ``onsite_share_<region|group>``: share of the run's onsite participants (summed over its issues);
    ``yes_share``, ``yes_share_<region>``: the vote, averaged over issues that voted; ``agreed``: some
    issue was adopted; ``adopted_over_objection``: some issue was adopted while a government voted no.
    """
    stats: dict[str, float] = {}
    for names in (REGION_CODES, GROUPS):
        counts = np.array([issues[f"onsite_{n}"].sum() for n in names], dtype=float)
        total = counts.sum()
        for n, c in zip(names, counts, strict=True):
            stats[f"onsite_share_{n}"] = float(c / total) if total > 0 else float("nan")
    for col in ("yes_share", *(f"yes_share_{r}" for r in REGIONS)):
        stats[col] = float(issues[col].mean())  # NaN (no vote) is skipped; all NaN gives NaN
    adopted = issues["outcome"] == "adopted"
    stats["agreed"] = float(adopted.any())
    stats["adopted_over_objection"] = float((adopted & (issues["government_objections"] >= 1)).any())
    return stats


# -- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One simulated quantity of a pattern against what was observed and its acceptance band."""

    pattern: str
    measure: str
    observed: str
    mean: float
    lo: float
    hi: float
    band: str
    passed: bool


@dataclass
class PatternResult:
    pattern: Pattern
    measures: list[Measure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.measures) and all(m.passed for m in self.measures)


def _ci(values: pd.Series) -> tuple[float, float, float]:
    return mean_ci(values.astype(float).to_numpy())


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def evaluate_p1(runs: pd.DataFrame) -> list[Measure]:
    """For each host region: its onsite share, which must be the largest of any region and within the band."""
    lo_band, hi_band = P1_BAND
    out = []
    for host in REGIONS:
        sub = runs[runs["condition"] == host]
        mean, lo, hi = _ci(sub[f"onsite_share_{host}"])
        means = {r: float(sub[f"onsite_share_{r}"].mean()) for r in REGION_CODES}
        largest = max(means, key=lambda r: means[r]) == host
        obs = P1_OBSERVED.get(host)
        out.append(
            Measure(
                "P1",
                f"hosted in {REGION_NAMES[host]}: its onsite share",
                f"{_pct(obs[0])} ({obs[1]})" if obs else "not reported",
                mean,
                lo,
                hi,
                f"largest region, {_pct(lo_band)}–{_pct(hi_band)}",
                bool(largest and lo_band <= mean <= hi_band),
            )
        )
    return out


def p2_band(group: str) -> tuple[float, float]:
    """The range observed across the IGF meetings, widened by 5 points (never below 0)."""
    seen = P2_OBSERVED[group]
    return max(0.0, min(seen) - P2_WIDEN), max(seen) + P2_WIDEN


def evaluate_p2(runs: pd.DataFrame) -> list[Measure]:
    """Each group's onsite share within its band; civil society the largest or second-largest group."""
    means = {g: float(runs[f"onsite_share_{g}"].mean()) for g in GROUPS}
    rank = sorted(means, key=lambda g: -means[g]).index("civil_society") + 1
    out = []
    for g in GROUPS:
        mean, lo, hi = _ci(runs[f"onsite_share_{g}"])
        b_lo, b_hi = p2_band(g)
        seen = P2_OBSERVED[g]
        ok = b_lo <= mean <= b_hi
        band = f"{_pct(b_lo)}–{_pct(b_hi)}"
        if g == "civil_society":
            ok = ok and rank <= 2
            band += f"; largest or 2nd (rank {rank})"
        out.append(
            Measure(
                "P2",
                f"{GROUP_NAMES[g]} share of onsite",
                f"{_pct(min(seen))}–{_pct(max(seen))}",
                mean,
                lo,
                hi,
                band,
                ok,
            )
        )
    return out


def evaluate_p3(runs: pd.DataFrame) -> list[Measure]:
    """States in favour overall, in Africa and in Western Europe & Others."""
    lo_band, hi_band = P3_BAND
    overall = _ci(runs["yes_share"])
    africa = _ci(runs["yes_share_africa"])
    weog = _ci(runs["yes_share_western_europe_others"])
    return [
        Measure(
            "P3",
            "share of states in favour",
            f"{_pct(P3_SIGNED / P3_ELIGIBLE)} ({P3_SIGNED} of {P3_ELIGIBLE} signed)",
            *overall,
            f"{_pct(lo_band)}–{_pct(hi_band)}",
            lo_band <= overall[0] <= hi_band,
        ),
        Measure(
            "P3",
            "share of African states in favour",
            "about 36 signed (Kenya, Malawi did not)",
            *africa,
            f"> {_pct(P3_AFRICA_ABOVE)}",
            africa[0] > P3_AFRICA_ABOVE,
        ),
        Measure(
            "P3",
            "share of WEOG states in favour",
            "US, Canada, UK, most EU, Australia, NZ did not sign",
            *weog,
            f"< {_pct(P3_WEOG_BELOW)}",
            weog[0] < P3_WEOG_BELOW,
        ),
    ]


def evaluate_p4(runs: pd.DataFrame) -> list[Measure]:
    """Share of replications in which the body reached no agreement."""
    mean, lo, hi = _ci(1.0 - runs["agreed"])
    return [
        Measure(
            "P4",
            "replications with no agreement",
            "no agreement (WGEC-1: no recommendations; WGEC-2: no report)",
            mean,
            lo,
            hi,
            f">= {_pct(P4_SHARE)}",
            mean >= P4_SHARE,
        )
    ]


def evaluate_p5(runs: pd.DataFrame) -> list[Measure]:
    """Share of replications adopted by rough consensus while at least one government objected."""
    mean, lo, hi = _ci(runs["adopted_over_objection"])
    return [
        Measure(
            "P5",
            "replications adopted over a government's objection",
            "adopted; India, Cuba and Russia dissenting",
            mean,
            lo,
            hi,
            f">= {_pct(P5_SHARE)}",
            mean >= P5_SHARE,
        )
    ]


EVALUATORS: dict[str, Callable[[pd.DataFrame], list[Measure]]] = {
    "P1": evaluate_p1,
    "P2": evaluate_p2,
    "P3": evaluate_p3,
    "P4": evaluate_p4,
    "P5": evaluate_p5,
}


# -- running the patterns -------------------------------------------------------------------------


def simulate(
    reps: int, seed: int = 0, patterns: tuple[Pattern, ...] = PATTERNS, progress: Callable[[], None] | None = None
) -> pd.DataFrame:
    """Run every pattern's scenario ``reps`` times per condition; one row of statistics per run.

    Replication r uses ``run_seed(seed, r)`` in every pattern and condition (common random numbers).
    """
    from netgov.experiment.runner import run_once, run_seed
    from netgov.scenarios.loader import load

    rows = []
    for pattern in patterns:
        for label, overrides in pattern.conditions:
            config = load(pattern.path, overrides).config
            for r in range(reps):
                s = run_seed(seed, r)
                issues = run_once(config, s).issues
                rows.append({"pattern": pattern.id, "condition": label, "replication": r, "seed": s})
                rows[-1].update(run_statistics(issues))
                if progress is not None:
                    progress()
    return pd.DataFrame(rows)


def evaluate(runs: pd.DataFrame, patterns: tuple[Pattern, ...] = PATTERNS) -> list[PatternResult]:
    """Each pattern's measures from the per-run statistics of :func:`simulate`."""
    return [PatternResult(p, EVALUATORS[p.id](runs[runs["pattern"] == p.id])) for p in patterns]


def results_table(results: list[PatternResult]) -> pd.DataFrame:
    """One row per measure: pattern, measure, observed, source, mean, 95% CI, band, passed, pattern_passed."""
    rows = []
    for res in results:
        for m in res.measures:
            rows.append(
                {
                    "pattern": m.pattern,
                    "measure": m.measure,
                    "observed": m.observed,
                    "source": res.pattern.source,
                    "mean": m.mean,
                    "ci_lo": m.lo,
                    "ci_hi": m.hi,
                    "band": m.band,
                    "passed": m.passed,
                    "pattern_passed": res.passed,
                    "calibrated": res.pattern.calibrated,
                }
            )
    return pd.DataFrame(rows)


def runs_per_rep(patterns: tuple[Pattern, ...] = PATTERNS) -> int:
    """Model runs per replication (for progress bars)."""
    return sum(len(p.conditions) for p in patterns)
