"""The judgement: each pattern's measures pooled over the master seeds and at each seed, the results table,
and each pattern under its plausible alternatives (does the wrong mechanism fail it?)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from netgov.validation.measures import Measure, evaluator
from netgov.validation.patterns import PATTERNS, Pattern, simulate


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
        judge = evaluator(p)
        res = PatternResult(p, judge(sub, p, 0))
        for s, at in sub.groupby("master_seed", sort=True):
            res.by_seed[int(s)] = judge(at, p, int(s) + 1)
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
