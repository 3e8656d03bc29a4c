"""Pattern-oriented validation: published patterns of real internet-governance bodies, observed vs simulated.

Every observed figure, band and source comes from one data file, ``scenarios/validation/patterns.toml``;
each pattern has a scenario file beside it. Calibration patterns are fitted by ``calibrate.py`` (their
match is not evidence); validation patterns were never fitted; held-out patterns were committed, band
included, before the model first ran on them. Per-run statistics come from the per-issue table, so the
same functions read a single run and a batch's ``issues.parquet``.

The judgement carries sampling uncertainty: a share of replications gets a Wilson interval, a mean of
per-run shares a bootstrap interval. At one master seed a measure passes when its interval overlaps
the band; a pattern passes when every measure passes at every master seed and the mean pooled over the
seeds lies inside the band.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from netgov.model.core.catalog import GROUP_NAMES, GROUPS, REGION_CODES, REGION_NAMES, REGIONS
from netgov.model.core.config import merge, nest
from netgov.scenarios.loader import SCENARIO_DIR

if TYPE_CHECKING:
    from netgov.experiment.executors import Executor, Job

VALIDATION_DIR = SCENARIO_DIR / "validation"  # the pattern scenarios (data, beside the other scenarios)
PATTERNS_FILE = VALIDATION_DIR / "patterns.toml"  # every observed figure, band and source
#: The calibrated world's point summary, written by ``netgov calibrate`` (the schema defaults equal it).
CALIBRATED = VALIDATION_DIR / "calibrated.toml"
Role = Literal["calibration", "validation", "held_out"]
Kind = Literal["mean", "proportion"]
LEVEL = 0.95  # of every interval
BOOTSTRAP_RESAMPLES = 2000


@cache
def pattern_data() -> dict[str, Any]:
    """The patterns file, parsed once."""
    with PATTERNS_FILE.open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class Pattern:
    """A published pattern: its scenario, the conditions it is run under, its figures and where they were read."""

    id: str
    title: str
    role: Role
    scenario: str  # file in this folder
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)  # its table in the file
    conditions: tuple[tuple[str, dict[str, Any]], ...] = (("", {}),)  # (label, parameter overrides)

    @property
    def path(self) -> Path:
        return VALIDATION_DIR / self.scenario

    @property
    def calibrated(self) -> bool:
        return self.role == "calibration"

    @property
    def expected_to_pass(self) -> bool:
        """The verdict the patterns file records (``verdict``; "pass" unless it says "fail", with ``why``)."""
        return self.data.get("verdict", "pass") == "pass"

    @property
    def source(self) -> str:
        """The sources as one line: title (date), URL."""
        parts = []
        for s in self.data.get("sources", []):
            text = s["title"] + (f" ({s['date']})" if "date" in s else "")
            parts.append(text + (f", {s['url']}" if "url" in s else ""))
        return "; ".join(parts)

    def alternatives(self) -> list[tuple[str, dict[str, Any]]]:
        """Plausible wrong mechanisms from the file: (label, nested overrides)."""
        return [(a["label"], nest(a["set"])) for a in self.data.get("alternatives", [])]

    def with_overrides(self, label: str, overrides: dict[str, Any]) -> Pattern:
        """The same pattern with extra overrides on every condition (an alternative, an ensemble draw)."""
        conditions = tuple((lab, merge(o, overrides)) for lab, o in self.conditions)
        return replace(self, title=f"{self.title} [{label}]", conditions=conditions)


def _pattern(raw: Mapping[str, Any]) -> Pattern:
    """A pattern from its table: run hosted in each region (``condition = "host_region"``, or only
    in ``hosts``), under each of its ``conditions``, or once."""
    conditions: tuple[tuple[str, dict[str, Any]], ...] = (("", {}),)
    if raw.get("condition") == "host_region":
        conditions = tuple((r, {"host_region": r}) for r in raw.get("hosts", REGIONS))
    elif "conditions" in raw:
        conditions = tuple((c["label"], nest(c["set"])) for c in raw["conditions"])
    return Pattern(raw["id"], raw["title"], raw["role"], raw["scenario"], raw, conditions)


PATTERNS: tuple[Pattern, ...] = tuple(_pattern(p) for p in pattern_data()["pattern"])
BY_ID: dict[str, Pattern] = {p.id: p for p in PATTERNS}


# -- per-run statistics from the per-issue table --------------------------------------------------


def run_statistics(issues: pd.DataFrame) -> dict[str, float]:
    """One run's pattern statistics from its per-issue table (which must hold at least one issue).

    ``onsite_share_<region|group>``: share of the run's onsite participants (summed over its issues);
    ``onsite_fraction``: onsite participants over all participants (onsite + remote);
    ``yes_share``, ``yes_share_<region>``: the vote (under consensus: the share not objecting), averaged
    over issues that voted; ``agreed``: some issue was agreed, in full or narrowed;
    ``agreed_over_objection``: some issue was agreed while a government voted no, or under consensus
    dissented (stated it could not accept the text, whether or not it paid the cost of blocking);
    ``months_to_text``: months from the first meeting to the agreed text (the first agreed issue; NaN if none).
    """
    stats: dict[str, float] = {}
    for names in (REGION_CODES, GROUPS):
        counts = np.array([issues[f"onsite_{n}"].sum() for n in names], dtype=float)
        total = counts.sum()
        for n, c in zip(names, counts, strict=True):
            stats[f"onsite_share_{n}"] = float(c / total) if total > 0 else float("nan")
    participants = float(issues["participants"].sum())
    onsite = participants - float(issues["remote"].sum())
    stats["onsite_fraction"] = onsite / participants if participants > 0 else float("nan")
    for col in ("yes_share", *(f"yes_share_{r}" for r in REGIONS)):
        stats[col] = float(issues[col].mean())  # NaN (no vote) is skipped; all NaN gives NaN
    agreed = issues["outcome"].isin(["adopted", "narrowed"])
    stats["agreed"] = float(agreed.any())
    stats["agreed_over_objection"] = float((agreed & (issues["government_dissent"] >= 1)).any())
    first = issues[agreed]
    stats["months_to_text"] = (
        float(first["step_decided"].iloc[0] - first["first_meeting"].iloc[0]) if len(first) else float("nan")
    )
    return stats


# -- intervals ------------------------------------------------------------------------------------


def wilson(successes: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a proportion (never outside [0, 1], unlike a t interval)."""
    from scipy.stats import binomtest

    if n == 0:
        return float("nan"), float("nan")
    ci = binomtest(successes, n).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


def bootstrap_mean(values: np.ndarray, seed: int, level: float = LEVEL) -> tuple[float, float]:
    """Percentile bootstrap interval of a mean (NaNs dropped); a constant sample gives a point."""
    from scipy.stats import bootstrap

    x = values[~np.isnan(values)]
    if x.size == 0:
        return float("nan"), float("nan")
    if x.size < 2 or np.all(x == x[0]):
        return float(x[0]), float(x[0])
    res = bootstrap(
        (x,),
        np.mean,
        n_resamples=BOOTSTRAP_RESAMPLES,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


# -- results --------------------------------------------------------------------------------------


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
        """A value of this measure in its unit."""
        return pct(x) if self.unit == "share" else f"{x:.1f} {self.unit}"

    @property
    def estimate(self) -> str:
        """The mean and its interval, e.g. "62.3% [61.1, 63.5]"."""
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
        lo, hi = bootstrap_mean(x, seed)
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


def weog_in_favour(pid: str, observed: str, runs: pd.DataFrame, bands: Mapping[str, Any], seed: int) -> Measure:
    """The share of Western Europe & Others' states voting yes (P3, H1: the Western side of the split)."""
    band = tuple(bands["western_europe_others"])
    return measure(
        pid, "share of WEOG states in favour", observed, runs["yes_share_western_europe_others"], "mean", band, seed
    )


def evaluate_p3(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """States in favour overall, in Africa and in Western Europe & Others."""
    o, bands = pattern.data["observed"], pattern.data["bands"]
    return [
        measure(
            "P3",
            "share of states in favour",
            f"{pct(o['signed'] / o['eligible'])} ({o['signed']} of {o['eligible']} signed)",
            runs["yes_share"],
            "mean",
            tuple(bands["overall"]),
            seed,
        ),
        measure(
            "P3",
            "share of African states in favour",
            f"about {o['africa_signed']} of {o['africa_seats']} signed (Kenya, Malawi did not)",
            runs["yes_share_africa"],
            "mean",
            tuple(bands["africa"]),
            seed + 1,
        ),
        weog_in_favour("P3", "US, Canada, UK, most EU, Japan, Australia, NZ did not sign", runs, bands, seed + 2),
    ]


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


def evaluate_h1(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """States in favour, replications adopted, and WEOG's states in favour (UNGA ICT votes)."""
    o, bands = pattern.data["observed"], pattern.data["bands"]
    seen = o["yes_share"]
    return [
        measure(
            "H1",
            "share of states in favour",
            f"{pct(min(seen))}–{pct(max(seen))} of yes + no in {len(seen)} votes",
            runs["yes_share"],
            "mean",
            tuple(bands["yes_share"]),
            seed,
        ),
        measure(
            "H1",
            "replications adopted",
            f"{o['adopted']} of {o['votes']} adopted",
            runs["agreed"],
            "proportion",
            tuple(bands["adopted"]),
            seed + 1,
        ),
        weog_in_favour("H1", "the US and EU states voted against", runs, bands, seed + 2),
    ]


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


def agreed_share(pattern: Pattern, seed: int, runs: pd.DataFrame) -> list[Measure]:
    """Share of replications in which the body agreed a text, in full or narrowed (D1, D2)."""
    o = pattern.data["observed"]
    counted = next(k for k in o if k != "agreed")
    observed = f"{o['agreed']} of {o[counted]} {counted} agreed"
    name = "replications agreeing a text"
    return [
        measure(pattern.id, name, observed, runs["agreed"], "proportion", tuple(pattern.data["bands"]["agreed"]), seed)
    ]


def evaluate_d1(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """A WGEC-composed body on a general question agrees a text."""
    return agreed_share(pattern, seed, runs)


def evaluate_d2(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """The ITU plenipotentiary agrees revised internet resolutions."""
    return agreed_share(pattern, seed, runs)


def evaluate_d3(runs: pd.DataFrame, pattern: Pattern, seed: int) -> list[Measure]:
    """Months from the body's first meeting to its agreed text, over the replications that agreed."""
    seen = pattern.data["observed"]["months"]
    observed = f"{min(seen)}–{max(seen)} months ({'; '.join(pattern.data['events'])})"
    band = tuple(pattern.data["bands"]["months"])
    name = "months from first meeting to agreed text"
    return [measure("D3", name, observed, runs["months_to_text"], "mean", band, seed, unit="months")]


EVALUATORS: dict[str, Evaluator] = {
    "P1": evaluate_p1,
    "P2": evaluate_p2,
    "P3": evaluate_p3,
    "P4": evaluate_p4,
    "P5": evaluate_p5,
    "H1": evaluate_h1,
    "H2": evaluate_h2,
    "H3": evaluate_h3,
    "H4": evaluate_h4,
    "D1": evaluate_d1,
    "D2": evaluate_d2,
    "D3": evaluate_d3,
}


# -- running the patterns -------------------------------------------------------------------------


def master_seeds(seed: int, count: int) -> tuple[int, ...]:
    """The master seeds a validation judges at: ``seed``, ``seed + 1``, ..."""
    return tuple(range(seed, seed + count))


def simulate(
    reps: int,
    seeds: tuple[int, ...] = (0,),
    patterns: tuple[Pattern, ...] = PATTERNS,
    progress: Callable[[], None] | None = None,
    draws: Callable[[int, int], dict[str, Any]] | None = None,
    where: Executor | None = None,
) -> pd.DataFrame:
    """Run every pattern's scenario ``reps`` times per condition and master seed; one row of statistics per run.

    Replication r at master seed s uses ``run_seed(s, r)`` in every pattern and condition (common random
    numbers). ``draws(s, r)``, if given, returns that replication's parameters (an ensemble draw), laid
    under the pattern's own settings. ``where``: an entered executor (default: this process).
    """
    from netgov.experiment.executors import run_all
    from netgov.experiment.replications import job
    from netgov.experiment.runner import run_seed
    from netgov.scenarios.loader import in_world, load

    labels: list[dict[str, Any]] = []
    jobs: list[Job] = []
    for pattern in patterns:
        for label, overrides in pattern.conditions:
            scenario = load(pattern.path, overrides)
            for s in seeds:
                for r in range(reps):
                    config = scenario.config if draws is None else in_world(scenario, draws(s, r)).config
                    run = run_seed(s, r)
                    jobs.append(job(len(jobs), config, run, ("issues",)))
                    labels.append({"pattern": pattern.id, "condition": label, "master_seed": s, "replication": r})
    outcomes = run_all(jobs, where, progress)
    rows = []
    for j, which in zip(jobs, labels, strict=True):
        issues = outcomes[j.run_id].issues
        assert issues is not None  # the job asked for it
        rows.append({**which, "seed": j.seed, **run_statistics(issues)})
    return pd.DataFrame(rows)


@dataclass
class PatternResult:
    """A pattern judged at several master seeds: the pooled measures and each seed's."""

    pattern: Pattern
    pooled: list[Measure] = field(default_factory=list)
    by_seed: dict[int, list[Measure]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        seeds_ok = all(m.passed for ms in self.by_seed.values() for m in ms)
        return bool(self.pooled) and seeds_ok and all(m.inside and m.holds for m in self.pooled)

    def measure_passed(self, i: int) -> bool:
        """Measure ``i`` over the whole judgement: pooled mean inside its band and every seed's interval reaching it."""
        m = self.pooled[i]
        return bool(m.inside and m.holds and all(ms[i].passed for ms in self.by_seed.values()))

    @property
    def failing_seeds(self) -> list[int]:
        return [s for s, ms in self.by_seed.items() if not all(m.passed for m in ms)]

    @property
    def worst_seed(self) -> int:
        """The master seed whose measures sit nearest (or farthest outside) their bands."""
        return min(
            self.by_seed, key=lambda s: (all(m.passed for m in self.by_seed[s]), min(m.margin for m in self.by_seed[s]))
        )


def evaluate(runs: pd.DataFrame, patterns: tuple[Pattern, ...] = PATTERNS) -> list[PatternResult]:
    """Each pattern's measures, pooled over the master seeds of :func:`simulate` and at each seed."""
    results = []
    for p in patterns:
        sub = runs[runs["pattern"] == p.id]
        res = PatternResult(p, EVALUATORS[p.id](sub, p, 0))
        for s, at in sub.groupby("master_seed", sort=True):
            res.by_seed[int(s)] = EVALUATORS[p.id](at, p, int(s) + 1)
        results.append(res)
    return results


def results_table(results: list[PatternResult]) -> pd.DataFrame:
    """One row per measure and master seed (``master_seed`` empty for the pooled row)."""
    rows = []
    for res in results:
        cases: list[tuple[int | None, list[Measure]]] = [(None, res.pooled), *res.by_seed.items()]
        for s, measures in cases:
            for m in measures:
                rows.append(
                    {
                        "pattern": m.pattern,
                        "role": res.pattern.role,
                        "measure": m.measure,
                        "master_seed": s,
                        "observed": m.observed,
                        "source": res.pattern.source,
                        "kind": m.kind,
                        "n": m.n,
                        "mean": m.mean,
                        "ci_lo": m.lo,
                        "ci_hi": m.hi,
                        "band_lo": m.band[0],
                        "band_hi": m.band[1],
                        "band": m.band_text,
                        "inside": m.inside,
                        "passed": m.passed if s is not None else m.inside and m.holds,
                        "pattern_passed": res.passed,
                        "calibrated": res.pattern.calibrated,
                    }
                )
    table = pd.DataFrame(rows)
    table["master_seed"] = table["master_seed"].astype("Int64")
    return table


def runs_per_rep(patterns: tuple[Pattern, ...] = PATTERNS) -> int:
    """Model runs per replication and master seed (for progress bars)."""
    return sum(len(p.conditions) for p in patterns)


def discriminate(reps: int, seeds: tuple[int, ...], patterns: tuple[Pattern, ...] = PATTERNS) -> pd.DataFrame:
    """Each pattern under each of its plausible alternatives: does the wrong mechanism fail it?

    One row per (pattern, alternative): ``passed`` under the alternative, and the pooled means.
    """
    rows = []
    for p in patterns:
        for label, overrides in p.alternatives():
            alt = p.with_overrides(label, overrides)
            (res,) = evaluate(simulate(reps, seeds, (alt,)), (alt,))
            means = " / ".join(m.show(m.mean) for m in res.pooled)
            rows.append({"pattern": p.id, "alternative": label, "passed": res.passed, "means": means})
    return pd.DataFrame(rows)
