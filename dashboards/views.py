"""The dashboard's own views: the collaboration network, metrics, baseline comparison and issue table.

Mesa's SolaraViz brings the controls (Reset, play, Step, the parameter inputs) and its
"Time:" counter; these views show what Mesa's components cannot, or not fast enough: a
network of stakeholders (not a grid), the metrics over time, two runs side by side, and a
table of issue networks. Each takes the model and its ``time``: a child whose arguments are
unchanged is not rendered again, so the new time is what redraws a view after a step
(``dashboards.app.LiveViews`` passes it).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import PIL.Image
import PIL.ImageDraw
import PIL.ImageFont
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import findfont
from matplotlib.lines import Line2D

from netgov.model.catalog import GLOBAL, GLOBAL_CODE, GROUP_NAMES, GROUPS, REGION_CODES, REGION_NAMES
from netgov.model.config import ActorCounts
from netgov.model.contract import column
from netgov.model.model import GovernanceModel
from netgov.scenarios.loader import load

#: The metrics a facilitator follows over time (all in [0, 1]), with a fixed colour each.
LIVE_METRICS: dict[str, str] = {
    "inclusiveness": "#0072B2",
    "regional_balance": "#009E73",
    "capture": "#D55E00",
    "legitimacy": "#CC79A7",
    "participation_rate": "#E69F00",
}
#: Stakeholder group colours (Okabe-Ito, readable for colour-blind viewers and on projectors).
GROUP_COLOURS: dict[str, str] = {
    "government": "#0072B2",
    "civil_society": "#E69F00",
    "business": "#009E73",
    "technical_community": "#CC79A7",
    "un_agency": "#D55E00",
}
#: Region markers, in REGION_CODES order.
REGION_MARKERS: dict[str, str] = {
    "africa": "o",
    "asia_pacific": "s",
    "eastern_europe": "^",
    "latin_america_caribbean": "D",
    "western_europe_others": "v",
    "global": "*",
}
REGION_LABELS: dict[str, str] = {**REGION_NAMES, GLOBAL: "global (UN agencies)"}
#: Issue-table columns: the documented per-issue columns a room needs.
ISSUE_COLUMNS: tuple[str, ...] = (
    "issue_id",
    "venue",
    "phase",
    *(f"participants_{g}" for g in GROUPS),
    "outcome",
)
# Network layout: rings by region (global innermost), sectors by group.
_RING = {code: (0 if code == GLOBAL_CODE else code + 1) for code in range(len(REGION_CODES))}
_RING_WIDTH = 0.8
_SECTOR_GAP = 0.12  # radians left empty between group sectors


def network_layout(group: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Fixed (x, y) positions: one sector per stakeholder group, one ring per region.

    Computed once per model from the actors' group and region only, so nodes never move
    between frames. A sector's angle grows with its group's size (with a floor, so the
    few UN agencies stay visible).
    """
    pos = np.zeros((group.size, 2))
    counts = np.bincount(group, minlength=len(GROUPS)).astype(float)
    share = np.maximum(counts, 0.08 * max(counts.sum(), 1.0))
    spans = (2 * math.pi - _SECTOR_GAP * len(GROUPS)) * share / share.sum()
    starts = np.concatenate([[0.0], np.cumsum(spans + _SECTOR_GAP)[:-1]]) + _SECTOR_GAP / 2
    for g, (a0, width) in enumerate(zip(starts, spans, strict=True)):
        for code, ring in _RING.items():
            rows_idx = np.flatnonzero((group == g) & (region == code))
            n = rows_idx.size
            if n == 0:
                continue
            r0 = 1.0 + ring
            # as many rows in the band as keep spacing along the arc and across it similar
            rows = max(1, round(math.sqrt(n * _RING_WIDTH / ((r0 + _RING_WIDTH / 2) * width))))
            cols = math.ceil(n / rows)
            k = np.arange(n)
            angle = a0 + (k % cols + 0.5) / cols * width
            radius = r0 + (k // cols + 0.5) / rows * _RING_WIDTH
            pos[rows_idx, 0] = radius * np.cos(angle)
            pos[rows_idx, 1] = radius * np.sin(angle)
    return pos


#: Network image: the circle is drawn on a square of this many pixels, the legend beside it.
NETWORK_PX = 480
_ASPECT = 1.65  # picture width / height: the legend sits right of the network square
_EXTENT = 1.0 + max(_RING.values()) + _RING_WIDTH + 0.2  # half-width of the drawn square, in layout units
_TIE_RGB = np.array([70.0, 70.0, 90.0])
DEFAULT_ACTORS = sum(ActorCounts().model_dump().values())
#: JPEG: ~10x faster to encode than PNG here and a third of the size (PNG encoding was the
#: largest part of drawing the network).
JPEG_QUALITY = 90
#: The caption beside the network (month, actors, ties), in pixels: 11.5 pt at 100 dpi.
CAPTION_PX = 16


def add_ties(density: np.ndarray, points: np.ndarray, edges: np.ndarray, amount: np.ndarray) -> None:
    """Add straight lines between pixel ``points`` to a flat (px * px) density image, in place.

    About one sample per pixel of length, each adding its tie's ``amount``: rasterised in
    NumPy rather than drawn as line objects, and only for the ties that changed, so a step
    costs little even when the graph holds tens of thousands of ties.
    """
    if len(edges) == 0:
        return
    px = math.isqrt(density.size)
    a, b = points[edges[:, 0]], points[edges[:, 1]]
    n = np.maximum(2, np.hypot(*(b - a).T).astype(int) + 1)
    which = np.repeat(np.arange(len(edges)), n)
    t = ((np.arange(which.size) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(n - 1, n))[:, None]
    xy = (a[which] + (b - a)[which] * t).astype(np.int32)
    density += np.bincount(xy[:, 1] * px + xy[:, 0], weights=amount[which], minlength=density.size)


class NetworkPicture:
    """The collaboration graph of one model: ties as lines, actors coloured by group, shaped by region.

    Built once per model: the layout, the legends and an Agg canvas whose static background
    is kept (matplotlib blitting). Ties change only when a network convenes, so the shaded
    tie layer is redrawn only when ``model.ties_formed`` moves; each step pastes it onto the
    background's empty network square, draws the node markers over it, writes the caption
    and encodes a JPEG. Actors in an open issue network are drawn solid with a dark rim; the
    others faded.
    """

    def __init__(self, model: GovernanceModel) -> None:
        a = model.actors
        self.pos = network_layout(a.group, a.region)
        self.points = np.clip((self.pos + _EXTENT) * (NETWORK_PX / (2 * _EXTENT)), 0, NETWORK_PX - 1)
        self.density = np.zeros(NETWORK_PX * NETWORK_PX)  # sum of log(1 + weight) of the ties crossing each pixel
        self.drawn: dict[tuple[int, int], float] = {}  # tie -> the weight already added to `density`
        self.ties_drawn = -1  # the model's `ties_formed` when the tie layer was last drawn
        self.tie_layer = np.full((NETWORK_PX, NETWORK_PX, 3), 255, dtype=np.uint8)  # the network square, top row first
        self.degree = np.zeros(a.n)
        self.caption = ""
        self.by_region = [np.flatnonzero(a.region == code) for code in range(len(REGION_CODES))]
        self.rgba = np.array([to_rgba(GROUP_COLOURS[g]) for g in GROUPS])[a.group]
        self.shrink = math.sqrt(min(1.0, DEFAULT_ACTORS / max(a.n, 1)))  # smaller dots when there are many actors
        self.figure = Figure(figsize=(NETWORK_PX * _ASPECT / 100, NETWORK_PX / 100), dpi=100)
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.figure.add_axes((0.0, 0.0, 1 / _ASPECT, 1.0))
        right = 1 / _ASPECT + 0.005  # where the text beside the network starts
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_xlim(-_EXTENT, _EXTENT)
        ax.set_ylim(-_EXTENT, _EXTENT)
        self.nodes = [
            ax.scatter(self.pos[rows, 0], self.pos[rows, 1], marker=REGION_MARKERS[name], linewidths=0.5)
            for rows, name in zip(self.by_region, REGION_CODES, strict=True)
        ]
        # the caption is written with PIL in matplotlib's own font: a matplotlib Text cost ~9 ms per step
        self.caption_xy = (round((right + 0.01) * NETWORK_PX * _ASPECT), round(0.02 * NETWORK_PX))
        self.font = PIL.ImageFont.truetype(findfont("DejaVu Sans"), CAPTION_PX)
        group_handles = [
            Line2D([], [], marker="o", linestyle="", color=GROUP_COLOURS[g], markersize=8, label=label)
            for g in GROUPS
            for label in [textwrap.fill(GROUP_NAMES[g], 30)]  # long WSIS names wrap inside the picture
        ]
        region_handles = [
            Line2D(
                [], [], marker=REGION_MARKERS[r], linestyle="", color="#444444", markersize=6, label=REGION_LABELS[r]
            )
            for r in REGION_CODES
        ]
        style: dict[str, Any] = {"loc": "upper left", "frameon": False, "fontsize": 10, "title_fontsize": 10.5}
        self.figure.legend(handles=group_handles, title="group (sector, colour)", bbox_to_anchor=(right, 0.83), **style)
        self.figure.legend(handles=region_handles, title="region (ring, shape)", bbox_to_anchor=(right, 0.41), **style)
        for dots in self.nodes:
            dots.set_animated(True)  # left out of canvas.draw(): drawn per step on the saved background
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)

    def update_ties(self, model: GovernanceModel) -> None:
        """Add the ties that changed to the density image, and shade the tie layer and degrees anew."""
        current = {(u, v): float(w) for u, v, w in model.collaboration.edges(data="weight", default=1)}
        changed = [k for k, w in current.items() if self.drawn.get(k) != w]
        changed += [k for k in self.drawn if k not in current]
        if changed:
            before = np.log1p([self.drawn.get(k, 0.0) for k in changed])
            after = np.log1p([current.get(k, 0.0) for k in changed])
            add_ties(self.density, self.points, np.array(changed), after - before)
            self.drawn = current
        self.ties_drawn = model.ties_formed
        self.degree = np.fromiter((d for _, d in model.collaboration.degree()), dtype=float, count=model.actors.n)
        shade = np.log1p(np.maximum(self.density, 0.0))
        top = float(np.quantile(shade[shade > 0], 0.995)) if shade.any() else 1.0
        alpha = (np.clip(shade / max(top, 1e-9), 0.0, 1.0) * 0.7).reshape(NETWORK_PX, NETWORK_PX)[::-1, :, None]
        self.tie_layer = (255.0 * (1.0 - alpha) + _TIE_RGB * alpha).astype(np.uint8)  # image rows run top-down

    def update(self, model: GovernanceModel) -> None:
        """Set the tie layer, node styles and caption to the model's current state."""
        if model.ties_formed != self.ties_drawn:
            self.update_ties(model)
        n = model.actors.n
        active = np.zeros(n, dtype=bool)
        for issue in model.issues:
            if issue.active and issue.convened:
                active[issue.participants] = True
        face = self.rgba.copy()
        face[:, 3] = np.where(active, 1.0, 0.4)
        rim = np.where(active[:, None], np.array([0.0, 0.0, 0.0, 1.0]), np.zeros(4))
        size = (8 + 4 * np.sqrt(self.degree)) * self.shrink
        for rows, dots in zip(self.by_region, self.nodes, strict=True):
            dots.set_facecolors(face[rows])
            dots.set_edgecolors(rim[rows])
            dots.set_sizes(size[rows])
        self.caption = (
            f"month {int(model.time)}\n{n:,} actors, {len(self.drawn):,} ties\n"
            f"{int(active.sum()):,} in open issue networks"
        )

    def jpeg(self, model: GovernanceModel) -> bytes:
        """The picture of the model's current state as JPEG bytes."""
        self.update(model)
        self.canvas.restore_region(self.background)
        np.asarray(self.canvas.buffer_rgba())[:, :NETWORK_PX, :3] = self.tie_layer  # onto the white network square
        renderer = self.canvas.get_renderer()
        for dots in self.nodes:
            dots.draw(renderer)
        width, height = self.canvas.get_width_height()
        image = PIL.Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        image = image.convert("RGB")
        PIL.ImageDraw.Draw(image).multiline_text(self.caption_xy, self.caption, fill="black", font=self.font, spacing=5)
        out = io.BytesIO()
        image.save(out, "jpeg", quality=JPEG_QUALITY)
        return out.getvalue()


@solara.component
def NetworkView(model: GovernanceModel, time: float) -> None:
    """The issue networks as one graph, on a layout fixed for the model's lifetime."""
    picture = solara.use_memo(lambda: NetworkPicture(model), [model])
    image = solara.use_memo(lambda: picture.jpeg(model), [picture, time])
    solara.Image(image, format="jpeg", width="100%", classes=["netgov-network"])


#: Identifies the spec's language to the browser's vega-embed (a name, never fetched).
VEGA_LITE = "https://vega.github.io/schema/vega-lite/v5.json"
METRIC_MEANINGS: list[dict[str, str]] = [{"metric": m, "meaning": column(m).meaning} for m in LIVE_METRICS]


def long_records(table: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    """The live metrics as Vega-Lite data: one record per row and metric, NaN as null (a gap in the line).

    Built from plain lists: pandas' melt and to_dict took ~5 ms of every step.
    """
    key_values = [dict(zip(keys, row, strict=True)) for row in zip(*(table[k].tolist() for k in keys), strict=True)]
    return [
        {**key, "metric": metric, "value": None if math.isnan(value) else value}
        for metric in LIVE_METRICS
        for key, value in zip(key_values, table[metric].astype(float).tolist(), strict=True)
    ]


def metrics_spec(table: pd.DataFrame, width: int, height: int, by_run: Sequence[str] = ()) -> dict[str, Any]:
    """A Vega-Lite line chart of the live metrics over the months; with ``by_run``, one panel per run.

    ``table`` has ``step`` and the metric columns (and ``run`` with ``by_run``). The spec is
    written as a plain dict: building it through Altair (as Mesa's chart component does)
    costs tens of milliseconds of schema validation on every step.
    """
    keys = ["step", *(["run"] if by_run else [])]
    chart = {
        "mark": {"type": "line", "strokeWidth": 2.5},
        "encoding": {
            "x": {"field": "step", "type": "quantitative", "title": "month", "axis": {"tickMinStep": 1}},
            "y": {"field": "value", "type": "quantitative", "title": "value (0-1)", "scale": {"domain": [0, 1]}},
            "color": {
                "field": "metric",
                "type": "nominal",
                "title": "metric",
                "scale": {"domain": list(LIVE_METRICS), "range": list(LIVE_METRICS.values())},
                "legend": {"orient": "bottom", "columns": 3},  # below: the chart fits a narrow column
            },
            "tooltip": [{"field": k, "type": "nominal"} for k in (*keys, "metric", "value", "meaning")],
        },
        # each metric's meaning, from the typed per-step contract: shown when a point is hovered
        "transform": [
            {
                "lookup": "metric",
                "from": {"data": {"values": METRIC_MEANINGS}, "key": "metric", "fields": ["meaning"]},
            }
        ],
        "width": width,
        "height": height,
    }
    spec: dict[str, Any] = {"$schema": VEGA_LITE, "data": {"values": long_records(table, keys)}}
    if by_run:
        facet = {"field": "run", "type": "nominal", "title": None, "sort": list(by_run)}
        return {**spec, "facet": {"column": facet}, "spec": chart}
    return {**spec, **chart}


@solara.component
def MetricsChart(model: GovernanceModel, time: float) -> None:
    """inclusiveness, regional_balance, capture, legitimacy and participation_rate over time."""
    solara.widgets.VegaLite.element(spec=metrics_spec(model.step_table(), 360, 280))


def baseline_run(baseline: str, seed: int) -> GovernanceModel:
    """A fresh run of the baseline scenario with the same seed (stepped along with the current run)."""
    return GovernanceModel(load(baseline).config, rng=seed)


@solara.component
def CompareView(model: GovernanceModel, time: float, scenario: str, baseline: str, seed: int) -> None:
    """This run and a baseline scenario run with the same seed for the same months, side by side."""
    base = solara.use_memo(lambda: baseline_run(baseline, seed), [model, baseline, seed])
    base.run_for(max(0, int(time - base.time)))  # catch up with the current run
    runs = {f"this run: {scenario}": model.step_table(), f"baseline: {baseline}": base.step_table()}
    table = pd.concat([t.assign(run=name) for name, t in runs.items()], ignore_index=True)
    solara.widgets.VegaLite.element(spec=metrics_spec(table, 420, 260, by_run=list(runs)))


def rules_line(model: GovernanceModel) -> str:
    """The rules in force, in words, for the caption above the issue table."""
    c = model.config
    return (
        f"decision rule: {c.decision_rule} · participation rule: {c.participation_rule} · "
        f"notice period: {c.notice_period} months · background quality: {c.background_quality:.2f} · "
        f"remote participation: {c.remote_participation:.2f} · travel support: {c.travel_support:.2f} · "
        f"IGF feedback: {'required' if c.igf_feedback else 'no'}"
    )


def issue_rows(model: GovernanceModel) -> pd.DataFrame:
    """The issue table's rows, newest issue first."""
    table = model.issue_table()
    if table.empty:
        return pd.DataFrame(columns=list(ISSUE_COLUMNS))
    return table.loc[::-1, list(ISSUE_COLUMNS)].reset_index(drop=True)


#: What the issue table's header says for a column: the groups in the WSIS wording (the data keeps its keys).
ISSUE_HEADERS: dict[str, str] = {
    "issue_id": "issue",
    **{f"participants_{g}": GROUP_NAMES[g] for g in GROUPS},
}


#: The issue table's look: compact, long column names may wrap, scrolls inside its card.
_TABLE_CSS = (
    "<style>.netgov-issues table{border-collapse:collapse;font-size:13px;width:100%}"
    ".netgov-issues th{text-align:left;overflow-wrap:anywhere;border-bottom:2px solid #999;padding:2px 6px}"
    ".netgov-issues td{border-bottom:1px solid #ddd;padding:2px 6px}</style>"
)


def issue_html(model: GovernanceModel) -> str:
    """The issue table as one HTML table (cheap for the browser to replace)."""
    rows = issue_rows(model).rename(columns=ISSUE_HEADERS)
    return _TABLE_CSS + rows.to_html(index=False, border=0, na_rep="")


@solara.component
def IssueTable(model: GovernanceModel, time: float) -> None:
    """One row per issue: venue, phase, participants by group, outcome.

    Rebuilt only when an issue arrives or moves on (its rows change with nothing else), so most
    steps send the browser nothing here.
    """
    moves = tuple((issue.phase, issue.venue) for issue in model.issues)
    html = solara.use_memo(lambda: issue_html(model), [model, moves])
    solara.Text(f"Rules in force: {rules_line(model)}")
    if not model.issues:
        solara.Text("No issues yet: press Step or ▶.")
    else:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html,
            classes=["netgov-issues"],
            style={"max-height": "420px", "overflow": "auto"},
        )
