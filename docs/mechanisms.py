"""Render docs/mechanisms.md: each mechanism's contrast, its causal path, and every final metric's paired difference.

    python docs/mechanisms.py                      # print the page (runs the model: 2 x reps runs per contrast)
    python docs/mechanisms.py --write              # regenerate docs/mechanisms.md (default --reps 20 --seed 0)
    python docs/mechanisms.py --write --reps 40 --seed 1
    python docs/mechanisms.py --write --save runs/   # also keep the runs' results
    python docs/mechanisms.py --write --load runs/   # judge them again after a claim changed; runs nothing

The contrasts and their claims are ``netgov.analysis.mechanisms.CONTRASTS``; tests/test_mechanisms.py
fails when the page does not show a contrast, its causal path or its claims as they are there.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from netgov.analysis.mechanisms import (
    CONTRASTS,
    DESIGNS,
    PAGE,
    RECOMMENDATIONS,
    SMALLEST_EFFECT,
    YEARLY,
    YEARS,
    Contrast,
    configs,
    effects,
    judge,
    minimum_effects,
    twenty_years,
)
from netgov.analysis.summary import excludes_zero
from netgov.model.core.contract import FINAL_METRICS
from netgov.model.core.metrics import mean_ci

TWENTY = "Twenty years with actors that adapt"
TABLE_HEADER = ("| metric | mean difference | 95% CI | claimed | how | holds |", "|---|---|---|---|---|---|")
#: The outcome metrics: what is decided, and for whom (a recommendation's behavioural effect on one of these
#: is evidence that who takes part, and how, changes what is decided).
OUTCOMES = ("worst_region_gap", "worst_group_gap", "capture", "substantive_legitimacy", "adoption_rate", "stalled")
CLAIMED = {1: "+", -1: "−", 0: ""}
#: Counts of decided issues: what issues still open at the run's end are missing from.
CENSORED = ("adopted", "narrowed", "stalled")


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


def verdict(r: Mapping[str, Any]) -> str:
    """Whether a claim holds: *yes*; *negligible* when its interval excludes 0 on the claimed side but the
    mean difference is below the metric's minimum effect size; else **no** (empty without a claim)."""
    if r["holds"] is None:
        return ""
    if r["holds"]:
        return "yes"
    right_side = excludes_zero(r) and (r["diff_mean"] > 0) == (r["claimed"] > 0)
    return "negligible" if right_side and r["negligible"] else "**no**"


def row(metric: str, r: dict[str, Any], reps: int, label: str = "", censored: bool = False) -> str:
    """One table row; a claimed metric is in bold, with how its effect arises (behavioural or accounting). An
    unclaimed effect whose interval excludes 0 but that is below the minimum effect size says *negligible*;
    ``censored`` marks (†) a count of decided issues that differs partly because issues were still open."""
    name = f"**{metric}**" if r["claimed"] else metric
    if r["n"] == 0:
        mean, ci = "nan", "no pairs"
    else:
        mean, ci = _num(r["diff_mean"]), f"[{_num(r['diff_lo'])}, {_num(r['diff_hi'])}]"
        if r["n"] < reps:
            ci += f" ({r['n']} pairs)"
        shown = {**r, **{k: round(r[k], 3) for k in ("diff_mean", "diff_lo", "diff_hi")}}
        if not r["claimed"] and r["negligible"] and excludes_zero(shown):  # as shown: [−0.001, 0.000] reaches 0
            ci += " negligible"
    if censored:
        mean += " †"
    return f"| {name} | {mean} | {ci} | {CLAIMED[r['claimed']]} | {label} | {verdict(r)} |"


def censoring(by_metric: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """A note under a contrast's table when the two arms leave different numbers of issues open at the run's
    end (the ``active_issues`` interval excludes 0): then part of any difference in the counts of decided
    issues is issues the run's end cut short, not issues decided otherwise."""
    r = by_metric["active_issues"]
    if not excludes_zero(r):
        return []
    more = "more" if r["diff_mean"] > 0 else "fewer"
    share = by_metric["open_share"]
    return [
        "",
        f"† *Censored*: the alternative leaves {_num(abs(r['diff_mean']))} {more} issues still open at the end "
        f"(`active_issues`; `open_share` {_num(share['diff_mean'])} [{_num(share['diff_lo'])}, "
        f"{_num(share['diff_hi'])}]), so part of the difference in {', '.join(f'`{m}`' for m in CENSORED)} "
        "is issues whose outcome the run did not see, not issues decided otherwise.",
    ]


def section(c: Contrast, table: pd.DataFrame, reps: int) -> list[str]:
    base = "the schema's defaults" if c.scenario is None else f"scenario `{c.scenario}`"
    start = (
        f"The base is {base}, the alternative scenario `{c.alt_scenario}`"
        if c.alt_scenario
        else f"Both start from {base}"
    )
    months = c.steps if c.steps is not None else configs(c)["base"].steps
    by_metric = {r["metric"]: r for r in table[table["contrast"] == c.name].to_dict("records")}
    note = censoring(by_metric)
    return [
        f"## {c.name}",
        "",
        c.path,
        "",
        f"*{RECOMMENDATIONS[c.recommendation]}.* {start}; every run lasts {months} months.",
        "",
        "- base:",
        *settings(c.base),
        "- alternative:",
        *settings(c.alt),
        "",
        *TABLE_HEADER,
        *(row(m, by_metric[m], reps, c.label(m), bool(note) and m in CENSORED) for m in FINAL_METRICS),
        *note,
    ]


def glance(table: pd.DataFrame) -> list[str]:
    """One line per contrast: its claims, each with how it arises and whether it holds."""
    lines = [
        "**At a glance** (claims, *b* behavioural or *a* accounting, and whether each 95% interval excludes 0",
        "on the claimed side):",
        "",
        "| contrast | claims |",
        "|---|---|",
    ]
    for c in CONTRASTS:
        rows = table[table["contrast"] == c.name].set_index("metric")
        said = {cl.metric: verdict(rows.loc[cl.metric].to_dict()) for cl in c.claims}
        parts = [f"{cl.metric} {CLAIMED[cl.direction]} *{cl.label[0]}* ({said[cl.metric]})" for cl in c.claims]
        lines.append(f"| {c.name} | {', '.join(parts)} |")
    return lines


def by_recommendation(table: pd.DataFrame) -> list[str]:
    """Per recommendation of the seed report: its behavioural effects on outcome metrics that hold, or a plain
    statement that the model finds none."""
    lines = [
        "**What each recommendation changes in what is decided.** Behavioural effects on an outcome metric",
        f"({', '.join(f'`{m}`' for m in OUTCOMES)}) that hold on this page; an *accounting* effect (the",
        "metric computed from the switch) is not evidence that the recommendation changes a decision.",
        "",
        "| recommendation | behavioural effects on outcomes |",
        "|---|---|",
    ]
    for key, title in RECOMMENDATIONS.items():
        found = []
        for c in (c for c in CONTRASTS if c.recommendation == key):
            rows = table[table["contrast"] == c.name].set_index("metric")
            found += [
                f"{cl.metric} {CLAIMED[cl.direction]} ({c.name})"
                for cl in c.claims
                if cl.metric in OUTCOMES and cl.label == "behavioural" and rows.loc[cl.metric, "holds"]
            ]
        lines.append(f"| {title} | {'; '.join(found) if found else '**none found by the model**'} |")
    return lines


def _ci(values: pd.Series) -> str:
    mean, lo, hi = mean_ci(values.to_numpy(dtype=float))
    if mean != mean:
        return "—"
    return f"{mean:.3f} [{lo:.3f}, {hi:.3f}]"


def twenty_section(years: pd.DataFrame, reps: int) -> list[str]:
    """The designs over 20 years in the fitted world: each measure by year, and the paired difference of
    each design from the first."""
    base, *others = DESIGNS
    lines = [
        f"## {TWENTY}",
        "",
        "Not a contrast with a claim: what comes out of the fitted world, the shipped defaults, in which",
        "`adaptation.trust` and `adaptation.learning` are on at the rates fitted to the IGF's attendance (T1,",
        "docs/validation.md §5b) and exit and voice, forum shopping, technical forums and coalitions are off",
        "(what each does when switched on is its contrast above), for the shipped designs",
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


def minimum_table(minimum: Mapping[str, float], reps: int, seed: int) -> list[str]:
    """The minimum effect size of every final metric, and where it comes from."""
    return [
        f"**Minimum effect sizes.** Two seeds of one world already differ: a metric's minimum effect size is "
        f"{SMALLEST_EFFECT} times its standard deviation across {reps} replications of the schema's defaults",
        f"(the default run length, master seed {seed}; Cohen's *small* standardised effect). A difference",
        "smaller than that is *negligible*, whatever its interval; a metric that does not vary there (0) has",
        "no floor. Counts of decided issues are marked † where the two arms leave different numbers of",
        "issues still open at the end (*censored*: see the note under that table).",
        "",
        "| metric | minimum effect size |",
        "|---|---|",
        *(f"| {m} | {minimum[m]:.4g} |" for m in FINAL_METRICS),
    ]


def render(
    table: pd.DataFrame,
    reps: int,
    seed: int,
    years: pd.DataFrame | None = None,
    minimum: Mapping[str, float] | None = None,
) -> str:
    """The whole page from an :func:`effects` table and the :func:`minimum_effects` it was judged by."""
    minimum = minimum if minimum is not None else dict.fromkeys(FINAL_METRICS, 0.0)
    lines = [
        f"<!-- generated by `{command(reps, seed)}`; do not edit by hand -->",
        "",
        "# Mechanisms: what one rule change does to every final metric",
        "",
        f"Generated by `{command(reps, seed)}` from `netgov/analysis/mechanisms.toml`.",
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
        "− lowers it. **How** says how the effect arises: *behavioural* through who comes, what they say",
        "and what passes; *accounting* when the metric is computed from the switch itself (transparency",
        "from notice, voice from who may attend). **Holds** is *yes* when the interval excludes 0 on the",
        "claimed side and the mean difference is at least the metric's *minimum effect size* (below);",
        "*negligible* when the interval excludes 0 but the effect is smaller than that, whatever its CI.",
        "tests/test_mechanisms_at_seed_0.py and _7.py check every claimed sign at master seeds 0 and 7 on 8",
        "replications; at master seed 7 with 20 replications every claimed interval excludes 0 on its side",
        "too, and one claim falls below that seed's minimum effect size, which its section names. The",
        "contrasts are data: `netgov/analysis/mechanisms.toml`.",
        "",
        *minimum_table(minimum, reps, seed),
        "",
        *glance(table),
        "",
        *by_recommendation(table),
        "",
        "**Who the minority is.** The *minority* of an issue is the participants who said no at an",
        "aspect's first vote. Rules do not change who comes, but they change how long a network talks",
        "before its first vote (it votes once its text is within reach under its rule, §7.6 of",
        "docs/ODD.md), so the minority is not the same people under every rule: under a veto more talk",
        "comes first, and those still outside the text then are further from it. The minority's rating",
        "and gap are reported, but not claimed for the veto rules on the polarised agenda, where the",
        "earlier version of this page claimed them (a fixed deliberation time made the minority the same",
        "people under every rule).",
        "",
        "**Removed**: *a compromise search under concurrent majorities* (`compromise` 0 against 0.8,",
        "state-centric agenda). Once the network talks until its text is within reach, the share by",
        "which a failed text moves toward its blockers changes nothing that can be told from zero at",
        "either master seed 0 or 1 (adoption, stalled, the gaps: every interval spans 0, also on the",
        "polarised agenda and in the defaults): what brings a room to a text is the talk and the chair's",
        "redraft from the room, not the concession rule. The claim (stalled −) is withdrawn.",
    ]
    for c in CONTRASTS:
        lines += ["", *section(c, table, reps)]
    if years is not None:
        lines += ["", *twenty_section(years, reps)]
    return "\n".join(lines).rstrip("\n") + "\n"


def fingerprint(c: Contrast) -> str:
    """What a contrast runs (its worlds and length): saved differences serve it only while this is unchanged."""
    return repr((c.scenario, c.alt_scenario, c.steps, sorted(c.base.items()), sorted(c.alt.items())))


def save(
    folder: Path, table: pd.DataFrame, years: pd.DataFrame, minimum: dict[str, float], reps: int, seed: int
) -> None:
    """The runs' results: paired differences, the twenty-year rows, the minimum effect sizes, what was run."""
    folder.mkdir(parents=True, exist_ok=True)
    table.to_parquet(folder / "effects.parquet")
    years.to_parquet(folder / "years.parquet")
    meta = {"reps": reps, "seed": seed, "minimum": minimum, "runs": {c.name: fingerprint(c) for c in CONTRASTS}}
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def load_saved(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float], int, int]:
    """Saved results judged against the contrasts' claims as they are now; refused if a contrast runs
    something else than when they were saved (or is new)."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    stale = [c.name for c in CONTRASTS if meta["runs"].get(c.name) != fingerprint(c)]
    if stale:
        raise SystemExit(f"{folder}: saved before these contrasts changed what they run (rerun): {'; '.join(stale)}")
    diffs = pd.read_parquet(folder / "effects.parquet")
    table = judge(diffs[diffs["contrast"].isin([c.name for c in CONTRASTS])], meta["minimum"])
    return table, pd.read_parquet(folder / "years.parquet"), meta["minimum"], meta["reps"], meta["seed"]


def main(argv: list[str] | None = None) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    parser = argparse.ArgumentParser(description="Render docs/mechanisms.md from the contrasts.")
    parser.add_argument("--write", action="store_true", help="write docs/mechanisms.md instead of printing it")
    parser.add_argument("--reps", type=int, default=20, help="replications of base and alternative (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    parser.add_argument("--save", type=Path, help="also keep the runs' results in this folder")
    parser.add_argument(
        "--load", type=Path, help="run nothing: judge the results kept by --save against the claims as they are now"
    )
    parser.add_argument("--workers", type=int, default=1, help="local worker processes (default 1: this process)")
    args = parser.parse_args(argv)
    if args.reps < 2:
        parser.error(f"--reps {args.reps}: expected an integer >= 2 (a CI needs two pairs)")
    if args.load is not None:
        table, years, minimum, reps, seed = load_saved(args.load)
    else:
        from netgov.experiment.executors import LocalProcesses, Serial

        reps, seed = args.reps, args.seed
        with (
            LocalProcesses(args.workers) if args.workers > 1 else Serial() as where,
            Progress(
                TextColumn("mechanisms"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            ) as progress,
        ):
            total = reps * (1 + 2 * len(CONTRASTS) + len(DESIGNS))
            task = progress.add_task("runs", total=total)
            minimum = minimum_effects(reps, seed, progress=lambda: progress.advance(task), where=where)
            table = effects(
                CONTRASTS, reps, seed, progress=lambda: progress.advance(task), minimum=minimum, where=where
            )
            years = twenty_years(reps, seed, progress=lambda: progress.advance(task), where=where)
        if args.save is not None:
            save(args.save, table, years, minimum, reps, seed)
    page = render(table, reps, seed, years, minimum)
    if args.write:
        PAGE.write_text(page, encoding="utf-8")
    else:
        print(page, end="")


if __name__ == "__main__":
    main()
