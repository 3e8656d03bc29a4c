"""The commands that read a finished batch: ``analyze`` (per-point means, contrasts, slopes, interactions)
and ``discover`` (scenario discovery: where a policy fails)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from netgov.cli.checks import (
    check_int,
    check_metrics,
    check_out,
    check_out_files,
    check_plot,
    check_positive,
    check_seed,
    write_csv,
    write_table,
)
from netgov.cli.options import SeedOpt
from netgov.cli.output import Col, console, fmt, say, show_table
from netgov.model.core.errors import ConfigError

app = typer.Typer()


@app.command()
def analyze(
    directory: Annotated[Path, typer.Argument(help="a batch directory (made by netgov batch or sensitivity)")],
    metric: Annotated[
        list[str] | None, typer.Option("--metric", help="a final metric to show (repeatable; default: key metrics)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="write the per-point (or contrast) table to FILE.csv or FILE.parquet")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="draw the metrics against a varied parameter into a PNG")] = None,
    by: Annotated[
        str | None, typer.Option(help="the varied parameter on the plot's x axis (default: the first)")
    ] = None,
    contrast: Annotated[
        tuple[str, str] | None,
        typer.Option(metavar="A B", help="paired differences A - B: two policies, or KEY=VALUE twice (a parameter)"),
    ] = None,
    width: Annotated[
        float, typer.Option(help="with --contrast: the full 95% CI width whose pairs `n_for_width` counts")
    ] = 0.05,
    interaction: Annotated[
        tuple[str, str] | None,
        typer.Option(metavar="F1 F2", help="a two-way table of the first metric's means: policy or parameters"),
    ] = None,
) -> None:
    """Per-point means and 95% CIs of a batch's final metrics; or paired contrasts, slopes and interactions."""
    from netgov.analysis.contrasts import contrast_table, parse_contrast, slopes
    from netgov.analysis.contrasts import interaction as two_way
    from netgov.analysis.plots import plot_metric
    from netgov.analysis.summary import point_summary, varied_parameters
    from netgov.experiment.manifest import read_manifest
    from netgov.experiment.store import read_runs
    from netgov.model.core.contract import KEY_METRICS

    metrics = list(metric or KEY_METRICS)
    check_metrics(metrics)
    check_out(out)
    check_plot(plot)
    runs = read_runs(directory)
    params = varied_parameters(runs, read_manifest(directory))
    if not params:
        raise ConfigError(f"{directory}: runs.parquet has no varied-parameter columns")
    x = by or params[0]
    if x not in params:
        raise ConfigError(f"--by {x!r} is not allowed: expected a varied parameter: {', '.join(params)}")
    check_positive(width, "--width")
    chosen = parse_contrast(*contrast, runs, params) if contrast else None
    cells = two_way(runs, *interaction, metrics[0]) if interaction else None
    if chosen is not None:
        summary = contrast_table(runs, chosen, params, metrics, width)
        cols: tuple[str, ...] = ("metric", "pairs", "undefined", "diff_mean", "diff_lo", "diff_hi")
        cols += ("unpaired_lo", "unpaired_hi")
        cols += ("effect_size", "share_a_better", "share_tied", "n_for_width")
        show_table(
            f"{directory}: paired {chosen.label} (95% CI; d_z = mean / sd of the differences)",
            cols,
            [[row[c] for c in cols] for _, row in summary.iterrows()],
            right=True,
        )
        console.print(f"n_for_width: pairs a 95% CI {width:g} wide needs", highlight=False)
        cols = ("parameter", "metric", "slope", "slope_lo", "slope_hi")
        show_table(
            f"slope of {chosen.label} per unit of each numeric parameter (95% CI)",
            cols,
            [[row[c] for c in cols] for _, row in slopes(runs, params, metrics, chosen).iterrows()],
        )
    else:
        if "policy" in runs and runs["policy"].nunique() > 1:  # policies x uncertainties: a row per point and policy
            params = ["policy", *params]
        summary = point_summary(runs, params, metrics)
        show_table(
            f"{directory}: mean ± 95% CI half-width per point ({len(runs)} runs)",
            [c if c in params else Col(c, justify="right") for c in (*params, "runs", "failed", *metrics)],
            [
                [
                    *(row[p] for p in params),
                    str(row["runs"]),
                    str(row["failed"]),
                    *(f"{fmt(row[f'{m}_mean'])} ± {fmt((row[f'{m}_hi'] - row[f'{m}_lo']) / 2)}" for m in metrics),
                ]
                for _, row in summary.iterrows()
            ],
        )
    if cells is not None:
        assert interaction is not None  # cells come from it
        wide = cells.pivot(index=cells.columns[0], columns=cells.columns[1], values=cells.columns[2])
        show_table(
            f"{metrics[0]}: mean per {interaction[0]} x {interaction[1]}",
            [interaction[0], *(str(c) for c in wide.columns)],
            [[str(idx), *row] for idx, row in wide.iterrows()],
            right=True,
        )
    if out is not None:
        write_table(summary, out)
        console.print(f"wrote {out}")
    if plot is not None:
        plot_metric(runs, params, metrics, x, plot)
        console.print(f"wrote {plot}")


@app.command()
def discover(
    directory: Annotated[
        Path, typer.Argument(help="a batch directory with sampled worlds (netgov batch or robustness)")
    ],
    contrast: Annotated[
        tuple[str, str] | None,
        typer.Option(metavar="A B", help="cases of interest: worlds where policy A does worse than B on --metric"),
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option(help="with --contrast: the final metric compared (better as `netgov explain METRIC` says)"),
    ] = None,
    where: Annotated[
        str | None, typer.Option(help='cases of interest: worlds where "METRIC < NUMBER" (<, <=, >, >=) under --policy')
    ] = None,
    policy: Annotated[str | None, typer.Option(help="with --where: the policy (default: the first)")] = None,
    claim: Annotated[
        str | None,
        typer.Option(
            help='cases of interest: worlds where a claim does not hold, e.g. "P raises M above B by 0.01" (the'
            " robustness report's words)"
        ),
    ] = None,
    box: Annotated[
        int | None,
        typer.Option(help="the box on PRIM's peeling trajectory to report (default: best coverage-density balance)"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="folder for the tables and plots (default: DIR/discovery)")] = None,
    seed: SeedOpt = 0,
) -> None:
    """Scenario discovery: PRIM box, CART leaves and feature scores of the worlds where a policy fails."""
    from netgov.analysis.contrasts import parse_contrast
    from netgov.analysis.discovery import FIGURES, NothingToDiscover, cases, parse_where, save_figures
    from netgov.analysis.discovery import discover as find
    from netgov.analysis.summary import varied_parameters
    from netgov.experiment.claims import parse_claim
    from netgov.experiment.manifest import read_manifest
    from netgov.experiment.store import read_runs
    from netgov.model.core.contract import FINAL_METRICS

    folder = out or directory / "discovery"
    check_seed(seed)
    check_int(box, "--box", 0)
    if sum(x is not None for x in (contrast, where, claim)) != 1:
        raise ConfigError(
            'discover: give --contrast A B with --metric M, --where "METRIC < NUMBER" or --claim "..." (one of them)'
        )
    if contrast is not None and metric not in FINAL_METRICS:
        raise ConfigError(f"--metric {metric!r}: with --contrast, expected a final metric: {', '.join(FINAL_METRICS)}")
    runs = read_runs(directory)
    params = varied_parameters(runs, read_manifest(directory))
    if policy is not None and policy not in set(runs["policy"]):
        raise ConfigError(f"--policy {policy!r}: expected one of {', '.join(dict.fromkeys(runs['policy']))}")
    chosen = parse_contrast(*contrast, runs, params) if contrast else None
    if chosen is not None and chosen.factor != "policy":
        raise ConfigError("--contrast: discover compares two policies across the sampled worlds")
    condition = parse_where(where, list(FINAL_METRICS)) if where else None
    stated = parse_claim(claim, list(dict.fromkeys(runs["policy"]))) if claim else None
    tables = ("worlds", "prim_trajectory", "prim_box", "cart", "feature_scores")
    check_out_files(folder, [*(f"{t}.csv" for t in tables), *(f"{f}.png" for f in FIGURES)])
    worlds, question = cases(runs, params, contrast=chosen, metric=metric, where=condition, policy=policy, claim=stated)
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(worlds, folder / "worlds.csv")
    try:
        found = find(worlds, params, question, seed=seed, box=box)
    except NothingToDiscover as exc:
        console.print(f"discover: {exc}; wrote {folder / 'worlds.csv'}", highlight=False)
        return
    write_csv(found.trajectory, folder / "prim_trajectory.csv", index_label="box")
    write_csv(found.limits, folder / "prim_box.csv", index=False)
    write_csv(found.cart, folder / "cart.csv", index=False)
    write_csv(found.scores, folder / "feature_scores.csv", index=False)
    pngs = save_figures(found, folder)
    console.print(
        f"{question}: {int(found.worlds['of_interest'].sum())} of {len(found.worlds)} worlds", highlight=False
    )
    stats = found.trajectory.iloc[found.chosen]
    cols: tuple[str, ...] = ("parameter", "min", "max", "qp_min", "qp_max")
    show_table(
        f"PRIM box {found.chosen} of {len(found.trajectory)} (--box 0 to {len(found.trajectory) - 1}): coverage"
        f" {stats['coverage']:.2f}, density {stats['density']:.2f}",
        cols,
        [[row[c] for c in cols] for _, row in found.limits.iterrows()],
    )
    if found.warning:
        say(found.warning, "warning")
    cols = ("coverage", "density", "mass", "limits")
    show_table(
        "CART leaves",
        cols,
        [[row[c] for c in cols] for _, row in found.cart.sort_values("density", ascending=False).iterrows()],
    )
    console.print(
        "feature scores: " + ", ".join(f"{r.parameter} {r.score:.2f}" for r in found.scores.itertuples()),
        highlight=False,
    )
    console.print(
        f"wrote {folder}: worlds, prim_trajectory, prim_box, cart, feature_scores (.csv); "
        + ", ".join(p.name for p in pngs),
        highlight=False,
    )
