"""Every claimed sign of docs/mechanisms.md holds on the model: the check, run at one master seed per test file
(tests/test_mechanisms_at_seed_0.py, the page's seed, and tests/test_mechanisms_at_seed_7.py). The two seeds'
runs share nothing, so the two files run on the two test workers at once; within a file, contrasts share arms."""

from __future__ import annotations

import pandas as pd

from netgov.analysis.mechanisms import CONTRASTS, configs
from netgov.analysis.summary import paired_differences
from netgov.experiment.replications import replicate
from netgov.model.core.config import ModelConfig

#: Fewer replications than the page, at the page's master seed and another: the signs must not hang on
#: the page's draws.
REPS, MAX_STEPS = 8, 240
BY_NAME = {c.name: c for c in CONTRASTS}

#: Each distinct (config, steps, seed) runs once in this process and serves every contrast that uses it:
#: contrasts share arms (the polarised agenda's majority is the base of seven, notice n is one
#: contrast's alternative and the next one's base), 51 configurations for 74 arms at each master seed.
#: Replication r runs with the same seed whichever contrast asks, so a shared arm is exactly the run the
#: pair would make.
_RUNS: list[tuple[ModelConfig, int, int, pd.DataFrame]] = []


def _arm(config: ModelConfig, steps: int, seed: int, arm: str) -> pd.DataFrame:
    """``replicate`` of one arm, labelled ``arm``; run on first use, then read from ``_RUNS``."""
    for seen, seen_steps, seen_seed, runs in _RUNS:
        if seen_steps == steps and seen_seed == seed and seen == config:
            return runs.assign(scenario=arm)
    runs = replicate({arm: config}, REPS, seed, steps)
    _RUNS.append((config, steps, seed, runs))
    return runs


def check_direction(name: str, seed: int) -> None:
    """Fail, naming each metric, unless the contrast's mean paired difference lies on every claimed side."""
    c = BY_NAME[name]
    built = configs(c)
    steps = min(c.steps if c.steps is not None else built["base"].steps, MAX_STEPS)
    runs = pd.concat([_arm(built[arm], steps, seed, arm) for arm in ("base", "alt")], ignore_index=True)
    diffs = paired_differences(runs, "base").set_index("metric")
    wrong = []
    for claim in c.claims:
        n, mean = diffs.loc[claim.metric, "n"], diffs.loc[claim.metric, "diff_mean"]
        if n < 2 or not mean * claim.direction > 0:
            wrong.append(f"{claim.metric}: claimed {claim.direction:+d}, mean paired difference {mean:.4g} ({n} pairs)")
    assert not wrong, f"{name} at master seed {seed}: " + "; ".join(wrong)
