"""Pattern-oriented validation: published patterns of real internet-governance bodies, observed vs simulated.

Every observed figure, band and source comes from one data file, ``scenarios/validation/patterns.toml``;
each pattern has a scenario file beside it. Calibration patterns are fitted by ``calibrate.py`` (their
match is not evidence); validation patterns were never fitted; held-out patterns were committed, band
included, before the model first ran on them. Per-run statistics come from the per-issue table, so the
same functions read a single run and a batch's ``issues.parquet``.

The judgement carries sampling uncertainty: each pattern's measures and their intervals are in
``measures.py``; ``judge.py`` pools them over the master seeds (a pattern passes when every measure
passes at every master seed and the mean pooled over the seeds lies inside the band).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from netgov.model.core.catalog import GROUPS, REGION_CODES, REGIONS
from netgov.model.core.config import merge, nest
from netgov.scenarios.loader import SCENARIO_DIR

if TYPE_CHECKING:
    from netgov.experiment.executors import Executor, Job

VALIDATION_DIR = SCENARIO_DIR / "validation"  # the pattern scenarios (data, beside the other scenarios)
PATTERNS_FILE = VALIDATION_DIR / "patterns.toml"  # every observed figure, band and source
#: The calibrated world's point summary, written by ``netgov calibrate`` (the schema defaults equal it).
CALIBRATED = VALIDATION_DIR / "calibrated.toml"
Role = Literal["calibration", "validation", "held_out"]


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
        """The same pattern with extra overrides on every condition (an alternative, an ensemble draw);
        keys may be dotted (``{"consensus.redraft": False}``) or nested, as in a scenario file."""
        conditions = tuple((lab, merge(o, nest(overrides))) for lab, o in self.conditions)
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
    stats.update(over_years(issues))
    return stats


def open_networks(issues: pd.DataFrame, years: tuple[int, int]) -> pd.DataFrame:
    """The networks open to every group (every venue but the intergovernmental one) that convened, on issues
    arriving in years ``years[0]`` to ``years[1]`` of the run (year 1: months 0-11)."""
    arrived = issues["arrived"]
    window = (arrived >= 12 * (years[0] - 1)) & (arrived < 12 * years[1])
    return issues[window & (issues["venue"] != "intergovernmental") & (issues["eligible"] > 0)]


def onsite_per_network(issues: pd.DataFrame, years: tuple[int, int]) -> float:
    """Mean onsite participants per open network in those years (NaN if none convened)."""
    nets = open_networks(issues, years)
    onsite = nets["participants"] - nets["remote"]
    return float(onsite.mean()) if len(nets) else float("nan")


def over_years(issues: pd.DataFrame) -> dict[str, float]:
    """T1's and H5's statistics (NaN in a run too short to hold their years): ``growth``, onsite participants
    per open network in the middle window over the early one; ``late_slope``, the late window over the
    middle one, less 1, per year between the windows' centres; ``government_share_change``, governments'
    share of the open networks' onsite participants in H5's second window less its first. Each needs an issue
    that arrived in T1's middle window or H5's second, so a run that never got there (every pattern but T1
    and H5 runs a few years) is NaN without looking through its issues window by window."""
    w = {k: tuple(v) for k, v in BY_ID["T1"].data["windows"].items()}
    h5 = {k: tuple(v) for k, v in BY_ID["H5"].data["windows"].items()}
    if not (issues["arrived"] >= 12 * (min(w["middle"][0], h5["second"][0]) - 1)).any():
        return dict.fromkeys(("growth", "late_slope", "government_share_change"), float("nan"))
    early, middle, late = (onsite_per_network(issues, w[k]) for k in ("early", "middle", "late"))
    years = (sum(w["late"]) - sum(w["middle"])) / 2.0

    def government_share(years: tuple[int, int]) -> float:
        nets = open_networks(issues, years)
        onsite = float(sum(nets[f"onsite_{g}"].sum() for g in GROUPS))
        return float(nets["onsite_government"].sum()) / onsite if onsite > 0 else float("nan")

    return {
        "growth": middle / early if early > 0 else float("nan"),
        "late_slope": (late / middle - 1.0) / years if middle > 0 else float("nan"),
        "government_share_change": government_share(h5["second"]) - government_share(h5["first"]),
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

    jobs: dict[tuple[str, int, int], Job] = {}  # one per distinct run (see _distinct_runs), master seed, replication
    for key, (path, overrides) in _distinct_runs(patterns).items():
        scenario = load(path, overrides)
        for s in seeds:
            for r in range(reps):
                config = scenario.config if draws is None else in_world(scenario, draws(s, r)).config
                jobs[key, s, r] = job(len(jobs), config, run_seed(s, r), ("issues",))
    outcomes = run_all(jobs.values(), where, progress)
    statistics: dict[int, dict[str, float]] = {}
    rows = []
    for pattern in patterns:
        for label, overrides in pattern.conditions:
            for s in seeds:
                for r in range(reps):
                    j = jobs[_run_key(pattern.path, overrides), s, r]
                    if j.run_id not in statistics:
                        issues = outcomes[j.run_id].issues
                        assert issues is not None  # the job asked for it
                        statistics[j.run_id] = run_statistics(issues)
                    which = {"pattern": pattern.id, "condition": label, "master_seed": s, "replication": r}
                    rows.append({**which, "seed": j.seed, **statistics[j.run_id]})
    return pd.DataFrame(rows)


def _run_key(path: Path, overrides: dict[str, Any]) -> str:
    return f"{path}|{json.dumps(overrides, sort_keys=True)}"


def _distinct_runs(patterns: tuple[Pattern, ...]) -> dict[str, tuple[Path, dict[str, Any]]]:
    """The scenario file and overrides of every run the patterns need, each once: patterns that read the same
    world share its runs (H2 and H3 P1's hosted forums, D3 D1's working group), which are the same runs
    (the same config and seed) whichever pattern asks."""
    return {_run_key(p.path, o): (p.path, o) for p in patterns for _, o in p.conditions}


def runs_per_rep(patterns: tuple[Pattern, ...] = PATTERNS) -> int:
    """Model runs per replication and master seed (for progress bars): one per distinct run."""
    return len(_distinct_runs(patterns))
