"""Scenario discovery with EMA Workbench's analysis module: in which sampled worlds does a policy do worse
than another, or a metric fall below a threshold?

The cases of interest are worlds (design points): a world counts when the mean over its replications
of A - B on a metric is on the wrong side of 0 (A does worse: lower where higher is better, higher
where lower is better, as the typed contract says), or when a policy's mean
metric meets a ``--where`` condition. PRIM (``ema_workbench.analysis.prim``) finds a box of
uncertainty ranges dense in such worlds, with its peeling trajectory (coverage, density) and the box
limits' quasi-p-values; CART (``ema_workbench.analysis.cart``) splits the worlds into leaves; extra-trees
feature scores (``ema_workbench.analysis.feature_scoring``) rank the uncertainties.
"""

from __future__ import annotations

import logging
import operator
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netgov.analysis.contrasts import Contrast, paired
from netgov.experiment.files import atomic
from netgov.model.core.config import ConfigError
from netgov.model.core.contract import better_sign
from netgov.model.plotting import pyplot

#: The figures of a discovery, each saved as NAME.png by :func:`save_figures`.
FIGURES = ("prim_trajectory", "prim_box", "cart_tree", "feature_scores")
OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
WHERE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


class NothingToDiscover(ValueError):
    """Every world, or none, is a case of interest: a finding, not an error (there is no box to draw)."""


def _ema() -> Any:
    """EMA Workbench's analysis module, imported quietly (it warns about optional parallel back-ends)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart, feature_scoring, prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim, cart, feature_scoring


@dataclass
class Discovery:
    """What scenario discovery found: the question, the worlds, and PRIM's, CART's and the scores' tables."""

    question: str
    worlds: pd.DataFrame  # one row per world: the uncertainties and `of_interest`
    trajectory: pd.DataFrame  # PRIM's peeling trajectory: coverage, density, mass, res_dim per box
    chosen: int  # the box on the trajectory reported (the best balance of coverage and density)
    limits: pd.DataFrame  # the chosen box's limits (parameter, min, max, qp_min, qp_max)
    cart: pd.DataFrame  # one row per CART leaf: coverage, density, mass and its limits as text
    scores: pd.DataFrame  # feature scores of the uncertainties (extra trees), highest first
    figures: dict[str, Any] = field(default_factory=dict)


def parse_where(text: str, metrics: list[str]) -> tuple[str, str, float]:
    """``--where "M < x"``: a final metric, a comparison and a number."""
    m = WHERE.match(text)
    if not m:
        raise ConfigError(f'--where {text!r} is not allowed: expected "METRIC < NUMBER" (or <=, >, >=)')
    if m.group(1) not in metrics:
        raise ConfigError(f"--where {text!r}: {m.group(1)!r} is not a final metric: {', '.join(metrics)}")
    return m.group(1), m.group(2), float(m.group(3))


def cases(
    runs: pd.DataFrame,
    params: list[str],
    *,
    contrast: Contrast | None = None,
    metric: str | None = None,
    where: tuple[str, str, float] | None = None,
    policy: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """One row per world: its uncertainties and whether it is a case of interest; and the question in words.

    Worlds where the outcome is undefined in every replication are left out (counted in the question).
    """
    ok = runs[runs["status"] == "ok"]
    worlds = ok.groupby("point", sort=True)[params].first()
    if contrast is not None:
        assert metric is not None
        pairs = paired(runs, contrast, params)
        diff = (pairs[f"a:{metric}"].astype(float) - pairs[f"b:{metric}"].astype(float)).groupby(pairs["point"]).mean()
        sign = better_sign(metric)
        if not sign:
            raise ConfigError(
                f"--metric {metric!r} is not a judgement (neither higher nor lower is better): use --where instead"
            )
        value, hit = diff, sign * diff < 0
        question = (
            f"worlds where {contrast.a} does worse than {contrast.b} on {metric}"
            f" (mean {contrast.a} - {contrast.b} {'<' if sign > 0 else '>'} 0)"
        )
    else:
        assert where is not None
        name, op, threshold = where
        chosen = policy or str(ok["policy"].iloc[0])
        sub = ok[ok["policy"] == chosen]
        value = sub[name].astype(float).groupby(sub["point"]).mean()
        hit = OPERATORS[op](value, threshold)
        question = f"worlds where {name} {op} {threshold:g} under {chosen} (mean over replications)"
    defined = value.dropna().index
    worlds = worlds.loc[worlds.index.intersection(defined)].copy()
    worlds["value"] = value.loc[worlds.index]
    worlds["of_interest"] = hit.loc[worlds.index].astype(bool)
    left_out = len(ok["point"].unique()) - len(worlds)
    if left_out:
        question += f"; {left_out} worlds with the outcome undefined are left out"
    return worlds, question


def discover(worlds: pd.DataFrame, params: list[str], question: str, seed: int = 0, plots: bool = True) -> Discovery:
    """PRIM, CART and feature scores on the worlds (needs both cases of interest and others)."""
    prim, cart, feature_scoring = _ema()
    from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    y = worlds["of_interest"].to_numpy()
    if y.all() or not y.any():
        share = "every" if y.all() else "no"
        raise NothingToDiscover(f"{share} world is a case of interest ({question}): there is no box to discover")
    x = worlds[params].reset_index(drop=True)
    # numbers as floats (CART writes split points like 187.5 into integer columns), the rest as categories
    x = x.astype({c: "float64" if pd.api.types.is_numeric_dtype(x[c]) else "category" for c in params})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, peel_alpha=0.1, mass_min=0.05)
        box = finder.find_box()
        trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
        balance = 2 * trajectory["coverage"] * trajectory["density"] / (trajectory["coverage"] + trajectory["density"])
        chosen = int(balance.idxmax())
        _, lims = box.inspect(chosen, style="data")[0]
        tree = cart.CART(x, y, mass_min=0.05)
        tree.build_tree()
        scores, _ = feature_scoring.get_ex_feature_scores(
            x, y.astype(int), mode=RuleInductionType.CLASSIFICATION, random_state=seed
        )
    lims.columns = ["min", "max", "qp_min", "qp_max"]
    limits = lims.rename_axis("parameter").reset_index()
    leaves = []
    for stats, leaf in zip(tree.stats, tree.boxes, strict=True):
        init = sdutil_bounds(x)
        bounds = [
            f"{p} in [{_short(leaf.at[0, p])}, {_short(leaf.at[1, p])}]" for p in params if _restricted(leaf, init, p)
        ]
        leaves.append(
            {**{k: stats[k] for k in ("coverage", "density", "mass")}, "limits": "; ".join(bounds) or "(all)"}
        )
    score_table = scores.reset_index()
    score_table.columns = ["parameter", "score"]
    result = Discovery(
        question, worlds, trajectory.reset_index(drop=True), chosen, limits, pd.DataFrame(leaves), score_table
    )
    if plots:
        result.figures = _figures(box, chosen, tree, score_table, params)
    return result


def sdutil_bounds(x: pd.DataFrame) -> pd.DataFrame:
    """The unrestricted box: each uncertainty's range (numbers) in the worlds sampled."""
    return pd.DataFrame(
        {c: [x[c].min(), x[c].max()] if pd.api.types.is_numeric_dtype(x[c]) else [None, None] for c in x}
    )


def _restricted(leaf: pd.DataFrame, init: pd.DataFrame, p: str) -> bool:
    try:
        return bool(leaf.at[0, p] > init.at[0, p] or leaf.at[1, p] < init.at[1, p])
    except TypeError:  # a category set
        return False


def _short(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float | np.floating) else str(v)


def _figures(box: Any, chosen: int, tree: Any, scores: pd.DataFrame, params: list[str]) -> dict[str, Any]:
    """The peeling trajectory, the chosen box's limits, the CART tree and the feature scores as figures."""
    plt = pyplot()
    from sklearn.tree import plot_tree

    figures: dict[str, Any] = {}
    figures["prim_trajectory"] = box.show_tradeoff(annotated=True)
    figures["prim_box"] = box.inspect(chosen, style="graph")[0]
    if isinstance(figures["prim_box"], tuple):
        figures["prim_box"] = figures["prim_box"][0]
    fig, ax = plt.subplots(figsize=(9, 5))
    plot_tree(tree.clf, feature_names=tree.feature_names, filled=True, ax=ax, fontsize=7, proportion=True)
    figures["cart_tree"] = fig
    fig, ax = plt.subplots(figsize=(6, 0.8 + 0.35 * len(params)))
    sub = scores.iloc[::-1]
    ax.barh(sub["parameter"], sub["score"], color="tab:purple")
    ax.set_xlabel("feature score (extra trees)")
    fig.tight_layout()
    figures["feature_scores"] = fig
    return figures


def save_figures(result: Discovery, folder: Path) -> list[Path]:
    """Each figure as a PNG in ``folder``."""
    plt = pyplot()
    paths = []
    for name, fig in result.figures.items():
        path = folder / f"{name}.png"
        with atomic(path) as tmp:
            fig.savefig(tmp, dpi=100, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths
