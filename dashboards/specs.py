"""The dashboard's charts as Vega-Lite specs, and the rows they draw (no Solara here).

Every spec is a plain dict (building it through Altair costs tens of milliseconds of schema validation
per step) drawn at the width of its card (``"width": "container"``). Each builder returns ``(spec,
datasets)``: the spec names its data (``{"name": "metrics"}``), ``datasets`` holds the rows, so that a
step sends only new rows to the running chart (``chart.Chart``). A long run is thinned to at most
``chart.MAX_ROWS`` months per chart. Everything a room reads is in words (``words``): metric names from
the typed contract, groups, regions, venues and rules by their display names.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from netgov.dashboards.chart import MAX_ROWS, VEGA_LITE, thin
from netgov.dashboards.timeline import EVENT_KINDS, Journal
from netgov.dashboards.words import metric_name
from netgov.model.core.catalog import GROUPS, REGION_CODES
from netgov.model.core.contract import column
from netgov.model.describe import ties_between

Spec = tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]

#: The metrics a facilitator follows over time (all in [0, 1]), with a fixed colour each: Okabe-Ito,
#: which stays distinguishable under deuteranopia and protanopia and on a washed-out projector.
LIVE_METRICS: dict[str, str] = {
    "inclusiveness": "#0072B2",
    "regional_balance": "#009E73",
    "capture": "#D55E00",
    "legitimacy": "#CC79A7",
    "participation_rate": "#E69F00",
}
#: Stakeholder group colours (Okabe-Ito; checked under simulated deuteranopia by the tests).
GROUP_COLOURS: dict[str, str] = {
    "government": "#0072B2",
    "civil_society": "#E69F00",
    "business": "#009E73",
    "technical_community": "#CC79A7",
    "un_agency": "#D55E00",
}
#: Event colours (Okabe-Ito) and shapes: a vote that fails or stalls is red-orange, one that passes green.
EVENT_STYLE: dict[str, tuple[str, str]] = {
    "arrives": ("#999999", "circle"),
    "convenes": ("#0072B2", "square"),
    "moves": ("#E69F00", "diamond"),
    "passes": ("#009E73", "triangle-up"),
    "fails": ("#D55E00", "triangle-down"),
    "stalls": ("#000000", "cross"),
    "closes": ("#CC79A7", "circle"),
}
#: Short names for the axes of the small heat maps (the tables beside them use the full names).
SHORT_GROUPS: dict[str, str] = {
    "government": "governments",
    "civil_society": "civil society",
    "business": "private sector",
    "technical_community": "tech. / academic",
    "un_agency": "IGOs / UN",
}
SHORT_REGIONS: dict[str, str] = {
    "africa": "Africa",
    "asia_pacific": "Asia-Pacific",
    "eastern_europe": "E. Europe",
    "latin_america_caribbean": "Latin Am.",
    "western_europe_others": "W. Europe+",
    "global": "global",
}
#: The timeline shows the events of the last this many months (a long run stays readable and small).
TIMELINE_MONTHS = 60
#: Each live metric in words, for the legend and for the meaning shown when a point is hovered.
METRIC_NAMES: dict[str, str] = {m: metric_name(m) for m in LIVE_METRICS}
METRIC_MEANINGS: list[dict[str, str]] = [
    {"metric": METRIC_NAMES[m], "meaning": column(m).plain or column(m).meaning} for m in LIVE_METRICS
]


def look(big: bool) -> dict[str, Any]:
    """Vega-Lite config: type and marks sized for a laptop, or (projector mode) for the back of a room."""
    size = 18 if big else 12
    return {
        "font": "DejaVu Sans, Arial, sans-serif",
        "axis": {
            "labelFontSize": size,
            "titleFontSize": size + 1,
            "labelColor": "#000",
            "titleColor": "#000",
            "labelFlush": True,  # the end labels stay inside the chart
            "labelSeparation": 8,  # labels closer than this are thinned out, never run together
            "titlePadding": 8,
        },
        "legend": {
            "labelFontSize": size,
            "titleFontSize": size + 1,
            "labelColor": "#000",
            "titleColor": "#000",
            "labelLimit": 0,
            "symbolSize": 160 if big else 80,
            "orient": "bottom",
            "direction": "vertical",
            "columns": 1 if big else 2,
            "columnPadding": 16,
        },
        "header": {"labelFontSize": size + 1, "titleFontSize": size + 1, "labelColor": "#000"},
        "title": {"fontSize": size + 2, "color": "#000", "anchor": "start", "frame": "bounds"},
        "text": {"fontSize": size},
        "view": {"stroke": "#888"},
    }


def chart(spec: dict[str, Any], big: bool, height: int) -> dict[str, Any]:
    """A spec drawn at its card's width, ``height`` pixels high (more in projector mode)."""
    return {
        "$schema": VEGA_LITE,
        "width": "container",
        "height": round(height * (1.25 if big else 1.0)),
        "autosize": {"type": "fit-x", "contains": "padding", "resize": True},
        "config": look(big),
        **spec,
    }


def wide_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The live metrics as Vega-Lite rows, one per month: ``step`` and each metric by its name in words,
    to four decimals, NaN as null (a gap in the line). The chart folds them into (metric, value) in the
    browser: a fifth of the rows to send every step. Built from plain lists: pandas' melt and to_dict
    took ~5 ms of every step."""
    columns = [[None if math.isnan(v) else round(v, 4) for v in table[m].astype(float).tolist()] for m in LIVE_METRICS]
    names = list(METRIC_NAMES.values())
    return [
        {"step": int(step), **dict(zip(names, values, strict=True))}
        for step, *values in zip(table["step"].tolist(), *columns, strict=True)
    ]


def thinned(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of at most ``MAX_ROWS`` months of a per-step table (every month while there are few)."""
    keep = thin(table["step"].astype(int).tolist())
    return table if len(keep) == len(table) else table[table["step"].isin(keep)]


def _colour(big: bool, legend: bool = True) -> dict[str, Any]:
    return {
        "field": "metric",
        "type": "nominal",
        "title": "metric",
        "scale": {"domain": list(METRIC_NAMES.values()), "range": list(LIVE_METRICS.values())},
        "legend": {} if legend else None,
    }


def _month_axis(title: str | None = "month") -> dict[str, Any]:
    return {"field": "step", "type": "quantitative", "title": title, "axis": {"tickMinStep": 1, "format": "d"}}


def metric_lines(big: bool, data: str, legend: bool = True, title: str = "running mean (0-1)") -> dict[str, Any]:
    """The running means as lines, each metric's meaning (contract) shown when a point is hovered."""
    return {
        "data": {"name": data},
        "mark": {"type": "line", "strokeWidth": 4.5 if big else 2.5, "point": False},
        "encoding": {
            "x": _month_axis(),
            "y": {"field": "value", "type": "quantitative", "title": title, "scale": {"domain": [0, 1]}},
            "color": _colour(big, legend),
            "tooltip": [
                {"field": "step", "type": "quantitative", "title": "month"},
                {"field": "metric", "type": "nominal"},
                {"field": "value", "type": "quantitative", "format": ".2f"},
                {"field": "meaning", "type": "nominal"},
            ],
        },
        "transform": [
            {"fold": list(METRIC_NAMES.values()), "as": ["metric", "value"]},
            {"lookup": "metric", "from": {"data": {"values": METRIC_MEANINGS}, "key": "metric", "fields": ["meaning"]}},
        ],
    }


def month_rows(months: pd.DataFrame) -> list[dict[str, Any]]:
    """Each month's own values (step, metric, value) of the live metrics, the latest ``MAX_ROWS`` months."""
    months = months[months["metric"].isin(list(LIVE_METRICS))]
    if len(months):
        months = months[months["step"] > months["step"].max() - MAX_ROWS]
    return [
        {"step": int(s), "metric": METRIC_NAMES[m], "value": round(float(v), 4)}
        for s, m, v in zip(months["step"], months["metric"], months["value"], strict=True)
    ]


def metrics_spec(table: pd.DataFrame, months: pd.DataFrame | None = None, *, big: bool = False) -> Spec:
    """The live metrics over the months: running means as lines, and (``months``: step, metric, value)
    each month's own value (the networks that convened or the issues decided that month) as dots."""
    layers: list[dict[str, Any]] = [metric_lines(big, "metrics")]
    datasets = {"metrics": wide_records(thinned(table)), "months": []}
    if months is not None:
        datasets["months"] = month_rows(months)
        layers.append(
            {
                "data": {"name": "months"},
                "mark": {"type": "point", "filled": True, "size": 140 if big else 60, "opacity": 0.85},
                "encoding": {
                    "x": {"field": "step", "type": "quantitative"},
                    "y": {"field": "value", "type": "quantitative"},
                    "color": _colour(big),
                    "tooltip": [
                        {"field": "step", "type": "quantitative", "title": "month"},
                        {"field": "metric", "type": "nominal"},
                        {"field": "value", "type": "quantitative", "title": "this month's value", "format": ".2f"},
                    ],
                },
            }
        )
    return chart({"layer": layers}, big, 220), datasets


def design_spec(table: pd.DataFrame, *, big: bool = False) -> Spec:
    """One design's running means, small and without a legend (the comparison card shows two side by side)."""
    spec = chart({"layer": [metric_lines(big, "design", legend=False, title="running mean")]}, big, 150)
    return spec, {"design": wide_records(thinned(table))}


def difference_spec(mine: pd.DataFrame, theirs: pd.DataFrame, big: bool = False) -> Spec:
    """Per month and metric: the first design minus the second (above 0: the first is higher on it)."""
    steps = min(len(mine), len(theirs))
    metrics = list(LIVE_METRICS)
    diff = mine.iloc[:steps][metrics].reset_index(drop=True) - theirs.iloc[:steps][metrics].reset_index(drop=True)
    diff["step"] = mine["step"].iloc[:steps].to_numpy()
    spec = chart(
        {
            "layer": [
                {
                    "data": {"name": "difference"},
                    "transform": [{"fold": list(METRIC_NAMES.values()), "as": ["metric", "value"]}],
                    "mark": {"type": "line", "strokeWidth": 4.5 if big else 2.5},
                    "encoding": {
                        "x": _month_axis(),
                        "y": {"field": "value", "type": "quantitative", "title": "difference"},
                        "color": _colour(big),
                        "tooltip": [
                            {"field": "step", "title": "month"},
                            {"field": "metric"},
                            {"field": "value", "format": "+.3f", "title": "difference"},
                        ],
                    },
                },
                {"mark": {"type": "rule", "color": "#000"}, "encoding": {"y": {"datum": 0}}},
            ]
        },
        big,
        170,
    )
    return spec, {"difference": wide_records(thinned(diff))}


def timeline_spec(journal: Journal, month: int, big: bool = False) -> Spec:
    """The events of the last ``TIMELINE_MONTHS`` months as marks: month across, issue down, colour and
    shape by kind (a click on a mark opens that issue)."""
    start = month - TIMELINE_MONTHS
    records = [
        {"month": e.month, "issue": e.issue, "kind": EVENT_KINDS[e.kind], "what": e.text}
        for e in journal.events
        if e.month > start
    ]
    kinds = list(EVENT_KINDS.values())
    spec = chart(
        {
            "data": {"name": "events"},
            "mark": {"type": "point", "filled": True, "size": 180 if big else 70, "opacity": 0.9},
            "encoding": {
                "x": {
                    "field": "month",
                    "type": "quantitative",
                    "axis": {"tickMinStep": 1, "format": "d"},
                    "scale": {"padding": 10, "nice": False},  # a mark at the edge is drawn whole
                },
                "y": {
                    "field": "issue",
                    "type": "quantitative",
                    "title": "issue",
                    "axis": {"tickMinStep": 1, "format": "d"},
                    "scale": {"padding": 10, "nice": False},
                },
                "color": {
                    "field": "kind",
                    "type": "nominal",
                    "title": "event",
                    "scale": {"domain": kinds, "range": [c for c, _ in EVENT_STYLE.values()]},
                },
                "shape": {
                    "field": "kind",
                    "type": "nominal",
                    "scale": {"domain": kinds, "range": [s for _, s in EVENT_STYLE.values()]},
                },
                "tooltip": [{"field": "month"}, {"field": "what", "title": "what happened"}],
            },
        },
        big,
        190,
    )
    return spec, {"events": records}


#: A heat map's colours: the light half of a scheme, so black numbers stay readable (7:1) on every cell.
HEAT_RANGES: dict[str, list[str]] = {"blues": ["#f7fbff", "#6baed6"], "oranges": ["#fff5eb", "#fd8d3c"]}


def heat_layers(field: str, scheme: str, title: str, big: bool, where: list[dict[str, str]]) -> list[dict[str, Any]]:
    """A heat map's cells coloured by ``field`` with the number written in each (a share under one half
    as "<1"; grey where it is 0, black in projector mode)."""
    label = f"datum.{field} > 0 && datum.{field} < 0.5 ? '<1' : format(datum.{field}, ',.0f')"
    return [
        {
            "mark": "rect",
            "encoding": {
                "color": {
                    "field": field,
                    "type": "quantitative",
                    "scale": {"range": HEAT_RANGES[scheme]},
                    "title": title,
                    "legend": {"direction": "horizontal", "gradientLength": 140, "columns": 1},
                },
                "tooltip": [*where, {"field": field, "format": ",.1f", "title": title}],
            },
        },
        {
            "mark": {"type": "text", "fontSize": 15 if big else 11},
            "transform": [{"calculate": label, "as": "label"}],
            "encoding": {
                "text": {"field": "label"},
                "color": {
                    "condition": {"test": f"datum.{field} > 0", "value": "#000"},
                    "value": "#000" if big else "#666",
                },
            },
        },
    ]


def _heat_axes(rows: list[str], columns: list[str]) -> dict[str, Any]:
    axis = {"title": None, "labelLimit": 0}
    return {
        "x": {"field": "to", "type": "nominal", "sort": columns, "axis": {**axis, "labelAngle": -90}},
        "y": {"field": "from", "type": "nominal", "sort": rows, "axis": axis},
    }


def ties_spec(pairs: np.ndarray, weights: np.ndarray, group: np.ndarray, region: np.ndarray, big: bool = False) -> Spec:
    """Who works with whom: each pair of stakeholder groups' (and of regions') share of all tie weight, in
    per cent, in two heat maps (short numbers: a cell stays readable in projector mode)."""
    datasets: dict[str, list[dict[str, Any]]] = {}

    def panel(codes: np.ndarray, names: list[str], key: str, title: str) -> dict[str, Any]:
        m = ties_between(pairs, weights, codes, len(names))
        total = np.triu(m).sum()
        share = 100 * m / total if total > 0 else m
        datasets[key] = [
            {"from": names[i], "to": names[j], "share": round(float(share[i, j]), 1)}
            for i in range(len(names))
            for j in range(len(names))
        ]
        return {
            "data": {"name": key},
            "title": title,
            "width": "container",
            "height": 240 if big else 190,
            "encoding": _heat_axes(names, names),
            "layer": heat_layers("share", "blues", "% of all ties", big, [{"field": "from"}, {"field": "to"}]),
        }

    group_names = [SHORT_GROUPS[g] for g in GROUPS]
    region_names = [SHORT_REGIONS[r] for r in REGION_CODES]
    spec = {
        "$schema": VEGA_LITE,
        "config": look(big),
        "autosize": {"type": "fit-x", "contains": "padding", "resize": True},
        "vconcat": [
            panel(group, group_names, "groups", "between stakeholder groups"),
            panel(region, region_names, "regions", "between regions"),
        ],
        "resolve": {"scale": {"color": "independent"}},
    }
    return spec, datasets


def seat_spec(present: pd.DataFrame, big: bool) -> Spec:
    """Participants by group x region as a heat map with the counts in the cells (``present``: groups x
    regions, by their keys)."""
    groups, regions = [SHORT_GROUPS[g] for g in GROUPS], [SHORT_REGIONS[r] for r in REGION_CODES]
    records = [
        {"from": SHORT_GROUPS[g], "to": SHORT_REGIONS[r], "n": int(present.loc[g, r])}
        for g in GROUPS
        for r in REGION_CODES
    ]
    spec = chart(
        {
            "data": {"name": "seats"},
            "encoding": _heat_axes(groups, regions),
            "layer": heat_layers("n", "oranges", "participants", big, [{"field": "from"}, {"field": "to"}]),
        },
        big,
        170,
    )
    return spec, {"seats": records}


def vote_spec(votes_by_group: pd.DataFrame, big: bool) -> Spec:
    """The latest vote by group (``votes_by_group``: group keys x yes, no): yes to the right, no to the left."""
    names = [SHORT_GROUPS[g] for g in GROUPS]
    records = [
        {"group": SHORT_GROUPS[g], "vote": side, "votes": sign * int(votes_by_group.loc[g, side])}
        for g in GROUPS
        for side, sign in (("yes", 1), ("no", -1))
    ]
    spec = chart(
        {
            "data": {"name": "votes"},
            "mark": {"type": "bar", "stroke": "#000", "strokeWidth": 0.5},
            "encoding": {
                "y": {"field": "group", "type": "nominal", "sort": names, "axis": {"title": None, "labelLimit": 0}},
                "x": {"field": "votes", "type": "quantitative", "title": "← no · votes · yes →"},
                "color": {
                    "field": "group",
                    "type": "nominal",
                    "scale": {"domain": names, "range": [GROUP_COLOURS[g] for g in GROUPS]},
                    "legend": None,
                },
                "opacity": {"field": "vote", "type": "nominal", "scale": {"domain": ["yes", "no"], "range": [1, 0.45]}},
                "tooltip": [{"field": "group"}, {"field": "vote"}, {"field": "votes"}],
            },
        },
        big,
        130,
    )
    return spec, {"votes": records}
