"""Render the generated part of docs/validation.md: results, discrimination, the ensemble, one contrast.

    python docs/validation.py            # print the generated block (runs the model: about a minute)
    python docs/validation.py --write    # replace the block between the markers in docs/validation.md

Everything between ``<!-- generated -->`` and ``<!-- end generated -->`` comes from here; the rest of
the page is prose. tests/test_docs_validation.py checks that the block names every pattern, every
alternative and every free parameter of the code as it is.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from netgov.analysis.summary import paired_differences
from netgov.experiment.ensemble import Ensemble
from netgov.experiment.replications import replicate
from netgov.scenarios.loader import load
from netgov.validation.calibrate import summary_table
from netgov.validation.judge import discriminate, evaluate
from netgov.validation.patterns import PATTERNS, master_seeds, simulate

PAGE = Path(__file__).resolve().parent / "validation.md"
BEGIN, END = "<!-- generated -->", "<!-- end generated -->"
REPS, SEEDS, SEED = 20, 5, 0
CONTRAST = ("status_quo_intergovernmental", "idp_distributed")
CONTRAST_REPS = 40
#: The executor main() entered (``--workers``): the blocks' runs go there.
WHERE: list = []
CONTRAST_METRICS = (
    "inclusiveness",
    "regional_balance",
    "worst_group_gap",
    "capture",
    "substantive_legitimacy",
    "adoption_rate",
)


def results_block() -> list[str]:
    seeds = master_seeds(SEED, SEEDS)
    results = evaluate(simulate(REPS, seeds, where=WHERE[0] if WHERE else None))
    lines = [
        f"### Results: `netgov validate --reps {REPS} --seeds {SEEDS} --seed {SEED}`",
        "",
        "| pattern | role | measure | observed | pooled mean [95% CI] | worst seed | band | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for res in results:
        worst = res.worst_seed
        for i, m in enumerate(res.pooled):
            w = res.by_seed[worst][i]
            verdict = ("ok" if res.measure_passed(i) else "FAIL") + (
                (" — pattern " + ("passes" if res.passed else "FAILS")) if i == 0 else ""
            )
            if i == 0 and not res.pattern.expected_to_pass:
                verdict += " (recorded in patterns.toml: see below)"
            lines.append(
                f"| {res.pattern.id if i == 0 else ''} | {res.pattern.role if i == 0 else ''} | {m.measure} | "
                f"{m.observed} | {m.estimate} | "
                f"seed {worst}: {w.estimate} | {m.band_text} | "
                f"{verdict} |"
            )
    return lines


def discrimination_block() -> list[str]:
    table = discriminate(REPS // 2, master_seeds(SEED, 2))
    lines = [
        f"### What each pattern discriminates ({REPS // 2} replications x master seeds {SEED}-{SEED + 1})",
        "",
        "| pattern | plausible alternative | pooled means under it | reproduces the pattern? |",
        "|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(f"| {r.pattern} | {r.alternative} | {r.means} | {'yes' if r.passed else 'no: fails it'} |")
    return lines


def ensemble_block() -> list[str]:
    ens = Ensemble.load("calibrated")
    table = summary_table(ens.table)
    lines = [
        f"### The calibrated ensemble (`scenarios/validation/ensemble.parquet`, {len(ens.table)} parameter sets)",
        "",
        "| parameter | prior | 5% | median (the default) | 95% |",
        "|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| `{r.parameter}` | U({r.prior_low:g}, {r.prior_high:g}) | {r.q05:.3g} | {r.q50:.3g} | {r.q95:.3g} |"
        )
    return lines


def contrast_block() -> list[str]:
    scenarios = {name: load(name) for name in CONTRAST}
    ens = Ensemble.load("calibrated")
    where = WHERE[0] if WHERE else None
    point = paired_differences(replicate(scenarios, CONTRAST_REPS, SEED, where=where), CONTRAST[0], CONTRAST_METRICS)
    drawn = paired_differences(
        replicate(scenarios, CONTRAST_REPS, SEED, ensemble=ens, where=where), CONTRAST[0], CONTRAST_METRICS
    )
    lines = [
        f"### {CONTRAST[1]} minus {CONTRAST[0]}, with and without calibration uncertainty",
        "",
        f"`netgov compare {' '.join(CONTRAST)} --reps {CONTRAST_REPS} --seed {SEED}` (at the point: the defaults) and",
        "the same with `--ensemble calibrated` (each replication draws its parameters from the ensemble):",
        "paired differences of final metrics, mean [95% CI].",
        "",
        "| metric | at the calibrated point | over the ensemble | CI width, point → ensemble |",
        "|---|---|---|---|",
    ]
    for (_, a), (_, b) in zip(point.iterrows(), drawn.iterrows(), strict=True):
        wa, wb = a["diff_hi"] - a["diff_lo"], b["diff_hi"] - b["diff_lo"]
        lines.append(
            f"| {a['metric']} | {a['diff_mean']:+.3f} [{a['diff_lo']:+.3f}, {a['diff_hi']:+.3f}] | "
            f"{b['diff_mean']:+.3f} [{b['diff_lo']:+.3f}, {b['diff_hi']:+.3f}] | {wa:.3f} → {wb:.3f} |"
        )
    return lines


def render() -> str:
    parts = [BEGIN, "*Generated by `python docs/validation.py --write`; do not edit between the markers.*", ""]
    for block in (results_block, discrimination_block, ensemble_block, contrast_block):
        parts += [*block(), ""]
    parts.append(END)
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the generated block of docs/validation.md")
    parser.add_argument("--workers", type=int, default=1, help="local worker processes (default 1: this process)")
    args = parser.parse_args(argv)
    from netgov.experiment.executors import LocalProcesses, Serial

    with LocalProcesses(args.workers) if args.workers > 1 else Serial() as where:
        WHERE.append(where)
        block = render()
    if not args.write:
        print(block)
        return
    text = PAGE.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    PAGE.write_text(head + block + tail, encoding="utf-8")
    print(f"wrote {PAGE} ({len(PATTERNS)} patterns)")


if __name__ == "__main__":
    main()
