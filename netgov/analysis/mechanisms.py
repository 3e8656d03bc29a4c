"""Mechanisms as contrasts: one rule changed, every final metric's paired difference, and what we claim it does.

A :class:`Contrast` is a base and an alternative that differ in the overrides named; replication r
of both runs with the same seed (common random numbers), so each pair differs only by the change.
:func:`effects` measures every final metric's paired difference (alternative - base) with a 95%
Student-t CI and says whether each :class:`Claim` holds. The contrasts are data (``mechanisms.toml``,
read once); docs/mechanisms.md is generated from them (``python docs/mechanisms.py --write``) and
tests/test_mechanisms_at_seed_0.py and _7.py check every claimed sign at the page's master seed and
another. `netgov explain` reads the contrasts and the page's measured effects (:func:`measured`) from
here: importing this module loads neither pandas nor the model (the runs import them when they start).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netgov.analysis.summary import DIFF_COLUMNS, excludes_zero
from netgov.model.core.config import ModelConfig, nest
from netgov.model.core.contract import FINAL_METRICS

if TYPE_CHECKING:
    import pandas as pd

    from netgov.experiment.executors import Executor

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

    def varied(self) -> dict[str, tuple[Any, Any]]:
        """The overrides in which base and alternative differ: {dotted key: (base value, alternative value)}
        (None where one side leaves the key at its scenario's value)."""
        keys = dict.fromkeys([*self.base, *self.alt])
        return {k: (self.base.get(k), self.alt.get(k)) for k in keys if self.base.get(k) != self.alt.get(k)}


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
    from netgov.scenarios.loader import load

    return {
        "base": load(c.scenario, nest(c.base)).config,
        "alt": load(c.alt_scenario or c.scenario, nest(c.alt)).config,
    }


#: The columns of :func:`effects`: ``negligible`` is True when the mean difference is smaller than the
#: metric's minimum effect size (:func:`minimum_effects`), whatever its CI.
EFFECT_COLUMNS: tuple[str, ...] = ("contrast", *DIFF_COLUMNS, "claimed", "holds", "negligible")
#: A difference smaller than this share of a metric's spread across seeds is negligible (Cohen's "small"
#: standardised effect, d = 0.2; the smallest effect of interest, Lakens 2017).
SMALLEST_EFFECT = 0.2


def minimum_effects_from(runs: pd.DataFrame) -> dict[str, float]:
    """Each final metric's minimum effect size: ``SMALLEST_EFFECT`` x its standard deviation across the
    replications (seeds) of one world, from ``replicate``'s per-step rows (the last step of each run)."""
    final = runs.sort_values("step").groupby("replication").tail(1)
    return {m: SMALLEST_EFFECT * float(final[m].astype(float).std(ddof=1)) for m in FINAL_METRICS}


def minimum_effects(
    reps: int = 20, seed: int = 0, progress: Callable[[], None] | None = None, where: Executor | None = None
) -> dict[str, float]:
    """The minimum effect size of every final metric in the schema's defaults (``reps`` runs of the default
    length at master seed ``seed``): how far apart two seeds of one world already lie, scaled by
    ``SMALLEST_EFFECT``."""
    from netgov.experiment.replications import replicate
    from netgov.scenarios.loader import load

    runs = replicate({"defaults": load(None).config}, reps, seed, progress=progress, where=where)
    return minimum_effects_from(runs)


def holds(row: Mapping[str, Any], claimed: int, minimum: float = 0.0) -> bool | None:
    """None without a claim; else True when the CI excludes 0 on the claimed side and the mean difference is
    at least the metric's ``minimum`` effect size (a negligible effect does not hold, whatever its CI)."""
    if not claimed:
        return None
    return bool(excludes_zero(row) and (row["diff_mean"] > 0) == (claimed > 0) and abs(row["diff_mean"]) >= minimum)


def effects(
    contrasts: Iterable[Contrast] = CONTRASTS,
    reps: int = 20,
    seed: int = 0,
    steps: int | None = None,
    progress: Callable[[], None] | None = None,
    minimum: Mapping[str, float] | None = None,
    where: Executor | None = None,
) -> pd.DataFrame:
    """Every final metric's paired difference (alternative - base) for each contrast, with ``claimed``
    (+1, -1 or 0), ``holds`` (None without a claim) and ``negligible`` (the mean difference is below the
    metric's ``minimum`` effect size; without ``minimum`` nothing is). ``steps`` overrides each contrast's
    own; ``progress`` is called after every run (2 x ``reps`` per contrast); ``where``: an entered executor
    (default: this process)."""
    import pandas as pd

    from netgov.analysis.summary import paired_differences
    from netgov.experiment.replications import replicate

    contrasts = tuple(contrasts)
    frames = []
    for c in contrasts:
        runs = replicate(configs(c), reps, seed, steps if steps is not None else c.steps, progress, where=where)
        frames.append(paired_differences(runs, "base", FINAL_METRICS).assign(contrast=c.name))
    return judge(pd.concat(frames, ignore_index=True), minimum, contrasts)


def judge(
    diffs: pd.DataFrame, minimum: Mapping[str, float] | None = None, contrasts: Iterable[Contrast] = CONTRASTS
) -> pd.DataFrame:
    """Paired differences (one row per contrast and metric) judged against the contrasts' claims as they are
    now: ``claimed``, ``holds`` and ``negligible`` (below the metric's ``minimum`` effect size). Kept apart
    from the runs so a page can be judged again, from differences saved earlier, without running anything."""
    import pandas as pd

    by_name = {c.name: c for c in contrasts}
    rows: list[dict[str, Any]] = []
    for row in diffs.to_dict("records"):
        claimed = by_name[row["contrast"]].claimed(row["metric"])
        floor = (minimum or {}).get(row["metric"], 0.0)
        negligible = bool(row["n"] == 0 or abs(row["diff_mean"]) < floor)
        judged = {"claimed": claimed, "holds": holds(row, claimed, floor), "negligible": negligible}
        rows.append({**{k: row[k] for k in ("contrast", *DIFF_COLUMNS)}, **judged})
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


# -- what the page measured: read by `netgov explain` --------------------------------------------------

#: docs/mechanisms.md, generated from the contrasts by ``python docs/mechanisms.py --write`` (in a source
#: checkout; an installed wheel has no docs/ folder, and `netgov explain` then says where the table is).
PAGE = Path(__file__).resolve().parents[2] / "docs" / "mechanisms.md"
_NUMBER = re.compile(r"[+−-]?\d+(?:\.\d+)?|nan")


@dataclass(frozen=True)
class Effect:
    """One metric's paired difference (alternative − base) as the page shows it: mean and 95% CI over ``n``
    pairs, the claim (+1, -1 or 0), its label and whether it holds (None without a claim); whether it is
    below the metric's minimum effect size (negligible) and whether open issues censor it (†)."""

    contrast: str
    metric: str
    mean: float
    lo: float
    hi: float
    n: int
    claimed: int
    label: str
    holds: bool | None
    negligible: bool = False
    censored: bool = False

    def __str__(self) -> str:
        return f"{_signed(self.mean)} [{_signed(self.lo)}, {_signed(self.hi)}] ({self.n} pairs)"

    @property
    def moves(self) -> bool:
        """True when the interval excludes 0 (needs two pairs)."""
        return self.n >= 2 and (self.lo > 0 or self.hi < 0)


def _signed(x: float) -> str:
    shown = f"{x:+.3f}"
    return "0.000" if shown in ("+0.000", "-0.000") else shown


def _float(text: str) -> float:
    return float(text.replace("−", "-"))


@cache
def measured(page: Path = PAGE) -> dict[str, dict[str, Effect]]:
    """The page's effects: {contrast name: {metric: Effect}}; empty when the page is not there."""
    if not page.is_file():
        return {}
    text = page.read_text(encoding="utf-8")
    reps = re.search(r"Both are run (\d+) times", text)
    out: dict[str, dict[str, Effect]] = {}
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        rows: dict[str, Effect] = {}
        for line in body.splitlines():
            cells = [x.strip() for x in line.strip().strip("|").split("|")]
            if not line.startswith("| ") or len(cells) != 6 or cells[0].strip("*") not in FINAL_METRICS:
                continue
            numbers = _NUMBER.findall(cells[1] + " " + cells[2])
            if len(numbers) < 3:  # "no pairs"
                continue
            pairs = re.search(r"\((\d+) pairs\)", cells[2])
            n = int(pairs.group(1)) if pairs else int(reps.group(1)) if reps else 0
            sign = {"+": 1, "−": -1}.get(cells[3], 0)
            holds = None if not cells[5] else cells[5] == "yes"
            metric = cells[0].strip("*")
            mean, lo, hi = (_float(x) for x in numbers[:3])
            negligible = cells[5] == "negligible" or cells[2].endswith("negligible")
            censored = "†" in cells[1]
            rows[metric] = Effect(name.strip(), metric, mean, lo, hi, n, sign, cells[4], holds, negligible, censored)
        if rows:
            out[name.strip()] = rows
    return out


def changing(key: str, value: Any = None) -> list[Contrast]:
    """The contrasts whose base and alternative differ in ``key`` (with ``value`` on one side, if given)."""
    return [c for c in CONTRASTS if key in c.varied() and (value is None or value in c.varied()[key])]


def movers(metric: str) -> list[tuple[Contrast, Effect]]:
    """The contrasts that move ``metric`` as claimed on the page (the claim holds), largest effect first."""
    page = measured()
    found = [
        (c, page[c.name][metric])
        for c in CONTRASTS
        if c.claimed(metric) and c.name in page and metric in page[c.name] and page[c.name][metric].holds
    ]
    return sorted(found, key=lambda ce: -abs(ce[1].mean))


def first_effect(key: str, metric: str) -> str:
    """The first contrast that changes ``key`` only, and what the page measured for ``metric`` there
    (e.g. ``+0.031 [+0.027, +0.035] (20 pairs), 1 months' notice instead of 0``); "" without the page."""
    page = measured()
    for c in changing(key):
        if set(c.varied()) == {key} and c.scenario is None and metric in page.get(c.name, {}):
            return f"{page[c.name][metric]} ({c.name})"
    return ""


# -- twenty years with actors that adapt ---------------------------------------------------------------

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
    "open_share": "share of the issues arriving that year still open when the run ends (censored)",
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
            "open_share": float((got["outcome"] == "").mean()) if len(got) else float("nan"),
        }
    return out


def twenty_years(
    reps: int = 20, seed: int = 0, progress: Callable[[], None] | None = None, where: Executor | None = None
) -> pd.DataFrame:
    """Each design run ``reps`` times for 20 years in the fitted world (the shipped defaults: trust and
    learning on at the rates fitted to T1), replication r of every design with one seed: rows (design,
    replication, year, measure, value)."""
    import pandas as pd

    from netgov.experiment.executors import run_all
    from netgov.experiment.replications import job
    from netgov.experiment.runner import run_seed
    from netgov.scenarios.loader import load

    configs = {design: load(design, {"agent_interval": 12}).config for design in DESIGNS}
    plan = [(r, design) for r in range(reps) for design in DESIGNS]
    jobs = [
        job(i, configs[design], run_seed(seed, r), ("issues", "agents"), 12 * max(YEARS))
        for i, (r, design) in enumerate(plan)
    ]
    outcomes = run_all(jobs, where, progress)
    rows = []
    for i, (r, design) in enumerate(plan):
        issues, agents = outcomes[i].issues, outcomes[i].agents
        assert issues is not None and agents is not None  # the job asked for them
        for y, values in yearly(issues, agents).items():
            rows += [
                {"design": design, "replication": r, "year": y, "measure": k, "value": v} for k, v in values.items()
            ]
    return pd.DataFrame(rows)
