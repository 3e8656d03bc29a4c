"""Render the generated parts of docs/validation.md: results, discrimination, the ensemble, one contrast;
and every shipped scenario over twenty years with and without adaptation.

    python docs/validation.py                          # print the generated blocks (runs the model)
    python docs/validation.py --write                  # replace the blocks between their markers
    python docs/validation.py --write --only adaptation   # only the twenty-year block

Everything between ``<!-- generated -->`` and ``<!-- end generated -->`` (and between the adaptation
block's markers) comes from here; the rest of the page is prose. tests/test_validation.py checks that
the blocks name every pattern, every alternative, every free parameter and every shipped scenario.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from netgov.analysis.summary import paired_differences
from netgov.experiment.ensemble import Ensemble
from netgov.experiment.replications import replicate
from netgov.scenarios.loader import load, scenario_names
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


#: Actors that do not adapt: the two adaptations on by default, switched off.
NOT_ADAPTING = ("adaptation.trust=false", "adaptation.learning=false")
ADAPT_REPS, ADAPT_STEPS = 10, 240
ADAPT_METRICS = (
    "participation_rate",
    "inclusiveness",
    "regional_balance",
    "worst_region_gap",
    "worst_group_gap",
    "capture",
    "legitimacy",
    "adoption_rate",
)


def adaptation_block() -> list[str]:
    """Every shipped scenario run 20 years as shipped (trust and learning on) and with both off, on the same
    seeds: the paired difference of each final metric."""
    where = WHERE[0] if WHERE else None
    lines = [
        f"### Every shipped scenario over 20 years: with adaptation minus without (master seed {SEED})",
        "",
        "Each scenario as shipped (trust and learning on, fitted) minus the same with",
        f"`--set {' --set '.join(NOT_ADAPTING)}`, {ADAPT_STEPS} months, {ADAPT_REPS} replications, replication r",
        "of both on one seed: paired differences of final metrics, mean [95% CI].",
        "",
        "| scenario | " + " | ".join(ADAPT_METRICS) + " |",
        "|---" * (1 + len(ADAPT_METRICS)) + "|",
    ]
    for name in scenario_names():
        configs = {"without": load(name, NOT_ADAPTING).config, "with": load(name).config}
        runs = replicate(configs, ADAPT_REPS, SEED, steps=ADAPT_STEPS, where=where)
        d = paired_differences(runs, "without", ADAPT_METRICS).set_index("metric")
        cells = [
            f"{d.at[m, 'diff_mean']:+.3f} [{d.at[m, 'diff_lo']:+.3f}, {d.at[m, 'diff_hi']:+.3f}]" for m in ADAPT_METRICS
        ]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return lines


#: Each generated block: its markers and what fills it.
BLOCKS = {
    "validation": (BEGIN, END, (results_block, discrimination_block, ensemble_block, contrast_block)),
    "adaptation": ("<!-- generated: adaptation -->", "<!-- end generated: adaptation -->", (adaptation_block,)),
}


def render(name: str = "validation") -> str:
    begin, end, blocks = BLOCKS[name]
    parts = [begin, "*Generated by `python docs/validation.py --write`; do not edit between the markers.*", ""]
    for block in blocks:
        parts += [*block(), ""]
    parts.append(end)
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the generated block of docs/validation.md")
    parser.add_argument("--workers", type=int, default=1, help="local worker processes (default 1: this process)")
    parser.add_argument("--only", choices=sorted(BLOCKS), help="render one generated block (default: every one)")
    args = parser.parse_args(argv)
    from netgov.experiment.executors import LocalProcesses, Serial

    names = [args.only] if args.only else list(BLOCKS)
    with LocalProcesses(args.workers) if args.workers > 1 else Serial() as where:
        WHERE.append(where)
        rendered = {name: render(name) for name in names}
    if not args.write:
        print("\n\n".join(rendered.values()))
        return
    text = PAGE.read_text(encoding="utf-8")
    for name, block in rendered.items():
        begin, end, _ = BLOCKS[name]
        head, found, rest = text.partition(begin)
        if not found:
            raise SystemExit(f"{PAGE}: no {begin} marker to write the {name} block at")
        _, _, tail = rest.partition(end)
        text = head + block + tail
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}: {', '.join(names)} ({len(PATTERNS)} patterns)")


if __name__ == "__main__":
    main()
