"""Render docs/mechanisms.md: each mechanism's contrast, its causal path, and every final metric's paired difference.

    python docs/mechanisms.py                      # print the page (runs the model: 2 x reps runs per contrast)
    python docs/mechanisms.py --write              # regenerate docs/mechanisms.md (default --reps 20 --seed 0)
    python docs/mechanisms.py --write --reps 40 --seed 1

The contrasts and their claims are ``netgov.analysis.mechanisms.CONTRASTS``; tests/test_mechanisms.py
fails when the page does not show a contrast, its causal path or its claims as they are there.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from netgov.analysis.mechanisms import (
    ADAPTIVE,
    CONTRASTS,
    DESIGNS,
    YEARLY,
    YEARS,
    Contrast,
    configs,
    effects,
    twenty_years,
)
from netgov.model.core.contract import FINAL_METRICS
from netgov.model.core.metrics import mean_ci

PAGE = Path(__file__).resolve().parent / "mechanisms.md"
TWENTY = "Twenty years with actors that adapt"
TABLE_HEADER = ("| metric | mean difference | 95% CI | claimed | holds |", "|---|---|---|---|---|")
CLAIMED = {1: "+", -1: "−", 0: ""}


def command(reps: int, seed: int) -> str:
    return f"python docs/mechanisms.py --write --reps {reps} --seed {seed}"


def _num(x: float) -> str:
    if x != x:
        return "nan"
    shown = f"{x:+.3f}"
    return "0.000" if shown in ("+0.000", "-0.000") else shown.replace("-", "−")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, str):
        return f'"{v}"'
    return str(v)


def settings(overrides: dict[str, Any]) -> list[str]:
    """The overrides as a markdown list of ``key = value`` (TOML spelling)."""
    return [f"  - `{k} = {_value(v)}`" for k, v in overrides.items()] or ["  - (no overrides)"]


def row(metric: str, r: dict[str, Any], reps: int) -> str:
    """One table row; a claimed metric is in bold."""
    name = f"**{metric}**" if r["claimed"] else metric
    if r["n"] == 0:
        mean, ci = "nan", "no pairs"
    else:
        mean, ci = _num(r["diff_mean"]), f"[{_num(r['diff_lo'])}, {_num(r['diff_hi'])}]"
        if r["n"] < reps:
            ci += f" ({r['n']} pairs)"
    holds = "" if r["holds"] is None else ("yes" if r["holds"] else "**no**")
    return f"| {name} | {mean} | {ci} | {CLAIMED[r['claimed']]} | {holds} |"


def section(c: Contrast, table: pd.DataFrame, reps: int) -> list[str]:
    base = "the schema's defaults" if c.scenario is None else f"scenario `{c.scenario}`"
    months = c.steps if c.steps is not None else configs(c)["base"].steps
    by_metric = {r["metric"]: r for r in table[table["contrast"] == c.name].to_dict("records")}
    return [
        f"## {c.name}",
        "",
        c.path,
        "",
        f"Both start from {base}; every run lasts {months} months.",
        "",
        "- base:",
        *settings(c.base),
        "- alternative:",
        *settings(c.alt),
        "",
        *TABLE_HEADER,
        *(row(m, by_metric[m], reps) for m in FINAL_METRICS),
    ]


def glance(table: pd.DataFrame) -> list[str]:
    """One line per contrast: its claims, each with whether it holds."""
    lines = ["**At a glance** (claims, and whether each 95% interval excludes 0 on the claimed side):", ""]
    lines += ["| contrast | claims |", "|---|---|"]
    for c in CONTRASTS:
        rows = table[table["contrast"] == c.name].set_index("metric")
        parts = [
            f"{cl.metric} {CLAIMED[cl.direction]} ({'yes' if rows.loc[cl.metric, 'holds'] else '**no**'})"
            for cl in c.claims
        ]
        lines.append(f"| {c.name} | {', '.join(parts)} |")
    return lines


def _ci(values: pd.Series) -> str:
    mean, lo, hi = mean_ci(values.to_numpy(dtype=float))
    if mean != mean:
        return "—"
    return f"{mean:.3f} [{lo:.3f}, {hi:.3f}]"


def twenty_section(years: pd.DataFrame, reps: int) -> list[str]:
    """The designs over 20 years with every adaptation switch on: each measure by year, and the paired
    difference of each design from the first."""
    base, *others = DESIGNS
    lines = [
        f"## {TWENTY}",
        "",
        "Not a contrast with a claim: what comes out when every `adaptation` switch is on",
        "(" + ", ".join(f"`{k} = true`" for k in ADAPTIVE) + "), for the shipped designs",
        f"{', '.join(f'`{d}`' for d in DESIGNS)}, each run {reps} times for 240 months, replication r",
        "of every design with one seed (the same agenda and actors). Issues are counted in the year",
        f"they arrived; mean [95% CI] over replications; *Δ* is the paired difference from `{base}`.",
        "",
    ]
    for measure, meaning in YEARLY.items():
        rows = years[years["measure"] == measure]
        header = ["year", *DESIGNS, *(f"Δ {d}" for d in others)]
        lines += [f"**{measure}**: {meaning}.", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for y in YEARS:
            at = rows[rows["year"] == y].pivot(index="replication", columns="design", values="value")
            cells = [str(y), *(_ci(at[d]) for d in DESIGNS), *(_ci(at[d] - at[base]) for d in others)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def render(table: pd.DataFrame, reps: int, seed: int, years: pd.DataFrame | None = None) -> str:
    """The whole page from an :func:`effects` table."""
    lines = [
        f"<!-- generated by `{command(reps, seed)}`; do not edit by hand -->",
        "",
        "# Mechanisms: what one rule change does to every final metric",
        "",
        f"Generated by `{command(reps, seed)}` from `netgov.analysis.mechanisms.CONTRASTS`.",
        "",
        "Each section below is a *contrast*: a base and an alternative that differ only in the",
        "parameters listed, and one sentence on the causal path from that difference to the metrics.",
        f"Both are run {reps} times. Replication r of the base and replication r of the alternative",
        f"run with one seed, derived from (master seed {seed}, r) as `netgov compare` does (common random",
        "numbers), so the two runs of a pair see the same actors and the same agenda and differ only by",
        "the change. A *paired difference* is a run's final value under the alternative minus its",
        "pair's under the base; the table gives their mean and a 95% Student-t confidence interval",
        "(pairs where either value is NaN are dropped; booleans count as 0/1).",
        "",
        "**Claimed** metrics (in bold) are what the causal path predicts: + the alternative raises it,",
        "− lowers it. **Holds** is *yes* when the interval excludes 0 on the claimed side.",
        "tests/test_mechanisms.py checks every claimed sign on fewer replications.",
        "",
        *glance(table),
        "",
        "**Who the minority is decides what a veto does for it.** The *minority* of an issue is the",
        "participants who said no at an aspect's first vote (at an issue's first vote they are the same",
        "people under every rule: rules do not change who comes or how they deliberate). A veto lets",
        "them block; if no compromise is found the aspect stalls at the status quo. That protects a",
        "minority that stands near the status quo (the polarised agenda: business and the technical",
        "community oppose a new rule) and hurts one that wants the change (the state-centric agenda: the",
        "states asking for a new mechanism are outnumbered in a multistakeholder network). Both",
        "contrasts are below.",
    ]
    for c in CONTRASTS:
        lines += ["", *section(c, table, reps)]
    if years is not None:
        lines += ["", *twenty_section(years, reps)]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    parser = argparse.ArgumentParser(description="Render docs/mechanisms.md from the contrasts.")
    parser.add_argument("--write", action="store_true", help="write docs/mechanisms.md instead of printing it")
    parser.add_argument("--reps", type=int, default=20, help="replications of base and alternative (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    args = parser.parse_args(argv)
    if args.reps < 2:
        parser.error(f"--reps {args.reps}: expected an integer >= 2 (a CI needs two pairs)")
    with Progress(
        TextColumn("mechanisms"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    ) as progress:
        task = progress.add_task("runs", total=2 * args.reps * len(CONTRASTS) + args.reps * len(DESIGNS))
        table = effects(CONTRASTS, args.reps, args.seed, progress=lambda: progress.advance(task))
        years = twenty_years(args.reps, args.seed, progress=lambda: progress.advance(task))
    page = render(table, args.reps, args.seed, years)
    if args.write:
        PAGE.write_text(page, encoding="utf-8")
    else:
        print(page, end="")


if __name__ == "__main__":
    main()
