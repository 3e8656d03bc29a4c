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

from netgov.analysis.claims import holding, world_verdicts
from netgov.analysis.contrasts import Contrast, paired
from netgov.experiment.claims import Claim
from netgov.experiment.files import atomic
from netgov.model.core.contract import better_sign
from netgov.model.core.errors import ConfigError
from netgov.model.plotting import pyplot

#: The figures of a discovery, each saved as NAME.png by :func:`save_figures`.
FIGURES = ("prim_trajectory", "prim_box", "cart_tree", "feature_scores")
#: Fewer worlds than this and PRIM, CART and the feature scores have nothing to split: discovery says so in one
#: line instead (every world would be its own box).
MIN_WORLDS = 6
#: The smallest share of the worlds a PRIM box or a CART leaf may hold; a small study raises it to one world.
MASS_MIN = 0.05
#: A box limit whose quasi-p-value is at or above this could be chance: the report warns.
SIGNIFICANT = 0.05
OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
WHERE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


class NothingToDiscover(ValueError):
    """Every world, or none, is a case of interest, or there are too few worlds to split: a finding, not an
    error (there is no box to draw)."""


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
    chosen: int  # the box on the trajectory reported (the best balance of coverage and density, or --box)
    limits: pd.DataFrame  # the chosen box's limits (parameter, min, max, qp_min, qp_max)
    cart: pd.DataFrame  # one row per CART leaf: coverage, density, mass and its limits as text
    scores: pd.DataFrame  # feature scores of the uncertainties (extra trees), highest first
    best: int = 0  # the box with the best balance of coverage and density (what `chosen` is unless told)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def significant(self) -> bool:
        """Every restricted limit of the chosen box has a quasi-p-value below :data:`SIGNIFICANT`."""
        qp = self.limits[["qp_min", "qp_max"]].astype(float).to_numpy()
        return bool(len(self.limits)) and bool(np.all(np.isnan(qp) | (qp < SIGNIFICANT)))

    @property
    def warning(self) -> str:
        """One line for a box that could be chance ("" for a significant one)."""
        if self.significant:
            return ""
        if not len(self.limits):
            return f"box {self.chosen} restricts no uncertainty: it is every world, not a finding"
        worst = float(np.nanmax(self.limits[["qp_min", "qp_max"]].astype(float).to_numpy()))
        return (
            f"box {self.chosen} is not significant: a limit has quasi-p {worst:.2g} (>= {SIGNIFICANT:g}), so it"
            " could be chance; read it as a hint, not a finding"
        )


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
    claim: Claim | None = None,
) -> tuple[pd.DataFrame, str]:
    """One row per world: its uncertainties and whether it is a case of interest; and the question in words.

    A case of interest is a world where policy A does worse than B (``contrast``, ``metric``), where a
    condition holds (``where`` under ``policy``), or where a claim does not hold (``claim``: its verdict
    there is not "holds"). Worlds where the outcome is undefined in every replication are left out
    (counted in the question).
    """
    ok = runs[runs["status"] == "ok"]
    worlds = ok.groupby("point", sort=True)[params].first()
    if claim is not None:
        verdicts = world_verdicts(runs, claim, params)
        value, hit = verdicts["mean"], ~holding(claim, verdicts["verdict"])
        question = f'worlds where "{claim.text}" does not hold'
    elif contrast is not None:
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


def discover(
    worlds: pd.DataFrame,
    params: list[str],
    question: str,
    seed: int = 0,
    plots: bool = True,
    box: int | None = None,
) -> Discovery:
    """PRIM, CART and feature scores on the worlds (needs :data:`MIN_WORLDS`, and both cases of interest and
    others). ``box`` picks a box on PRIM's peeling trajectory (default: the best balance of coverage and
    density). The smallest box or leaf holds :data:`MASS_MIN` of the worlds, and at least one world.

    Parameters
    ----------
    worlds
        One row per world: the uncertain parameters and ``of_interest`` (True where the case holds, ``cases``).
    params
        The uncertain parameters PRIM and CART may use.
    question
        The case in words, for the report.
    seed
        CART's seed.
    plots
        Draw the peeling trajectory and the box.
    box
        The index of a box on the trajectory, instead of the default choice.

    Returns
    -------
    Discovery
        PRIM's peeling trajectory and chosen box with its limits, CART's leaves, and the feature scores.

    Raises
    ------
    NothingToDiscover
        Too few worlds, or no world (or every world) is a case.
    ConfigError
        ``box`` is not on the peeling trajectory.
    """
    prim, cart, feature_scoring = _ema()
    from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    y = worlds["of_interest"].to_numpy()
    if len(y) < MIN_WORLDS:
        raise NothingToDiscover(f"too few worlds for discovery: {len(y)}, need {MIN_WORLDS}")
    if y.all() or not y.any():
        share = "every" if y.all() else "no"
        raise NothingToDiscover(f"{share} world is a case of interest ({question}): there is no box to discover")
    mass_min = max(MASS_MIN, 1 / len(y))
    x = worlds[params].reset_index(drop=True)
    # numbers as floats (CART writes split points like 187.5 into integer columns), the rest as categories
    x = x.astype({c: "float64" if pd.api.types.is_numeric_dtype(x[c]) else "category" for c in params})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, peel_alpha=0.1, mass_min=mass_min)
        found = finder.find_box()
        trajectory = found.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
        balance = 2 * trajectory["coverage"] * trajectory["density"] / (trajectory["coverage"] + trajectory["density"])
        best = int(balance.idxmax())
        if box is not None and not 0 <= box < len(trajectory):
            raise ConfigError(f"--box {box}: expected a box on the peeling trajectory, 0 to {len(trajectory) - 1}")
        chosen = best if box is None else box
        _, lims = found.inspect(chosen, style="data")[0]
        tree = cart.CART(x, y, mass_min=mass_min)
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
        question,
        worlds,
        trajectory.reset_index(drop=True),
        chosen,
        limits,
        pd.DataFrame(leaves, columns=["coverage", "density", "mass", "limits"]),
        score_table,
        best,
    )
    if plots:
        result.figures = _figures(found, result, tree)
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


def trajectory_figure(result: Discovery) -> Any:
    """PRIM's peeling trajectory (coverage against density, colour = restricted dimensions), each box
    numbered, the chosen one ringed: `netgov discover --box K` picks another."""
    plt = pyplot()
    t = result.trajectory
    fig, ax = plt.subplots(figsize=(6, 4.2))
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=22, zorder=2)
    fig.colorbar(points, ax=ax, label="restricted dimensions")
    for k, row in t.iterrows():
        ax.annotate(str(k), (row["coverage"], row["density"]), fontsize=6, xytext=(3, 2), textcoords="offset points")
    pick = t.iloc[result.chosen]
    ax.scatter(
        [pick["coverage"]], [pick["density"]], s=160, facecolors="none", edgecolors="red", linewidths=2, zorder=3
    )
    ax.annotate(
        f"box {result.chosen} (chosen)",
        (pick["coverage"], pick["density"]),
        color="red",
        xytext=(8, -12),
        textcoords="offset points",
    )
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title("PRIM peeling trajectory")
    fig.tight_layout()
    return fig


def _figures(box: Any, result: Discovery, tree: Any) -> dict[str, Any]:
    """The peeling trajectory, the chosen box's limits, the CART tree and the feature scores as figures."""
    plt = pyplot()
    from sklearn.tree import plot_tree

    chosen, scores, params = result.chosen, result.scores, list(result.scores["parameter"])
    figures: dict[str, Any] = {}
    figures["prim_trajectory"] = trajectory_figure(result)
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
