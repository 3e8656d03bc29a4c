"""The dashboard's own views: metrics over time, the timeline of events, who is at an issue's table,
the collaboration between groups and regions, two designs compared, and the issue table.

Every chart is a Vega-Lite spec written as a plain dict (building it through Altair costs tens of
milliseconds of schema validation per step) and drawn in the browser at the width of its card
(``"width": "container"``), so nothing runs past the edge of a projector's 1280 px. Each view takes
the model and its ``time``: a child whose arguments are unchanged is not rendered again, so the new
time is what redraws a view after a step (``dashboards.app.LiveViews`` passes it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import reacton.ipyvuetify as rv
import solara
import traitlets

from netgov.dashboards.timeline import EVENT_KINDS, Journal
from netgov.model.core.catalog import GROUP_NAMES, GROUPS, REGION_CODES
from netgov.model.core.config import ModelConfig
from netgov.model.core.contract import column
from netgov.model.describe import at_the_table, ties_between
from netgov.model.model import GovernanceModel

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
    "technical_community": "technical / academic",
    "un_agency": "IGOs / UN agencies",
}
SHORT_REGIONS: dict[str, str] = {
    "africa": "Africa",
    "asia_pacific": "Asia-Pacific",
    "eastern_europe": "E. Europe",
    "latin_america_caribbean": "Lat. Am. & Carib.",
    "western_europe_others": "W. Europe & others",
    "global": "global",
}
#: Issue-table columns: the documented per-issue columns a room needs.
ISSUE_COLUMNS: tuple[str, ...] = (
    "issue_id",
    "venue",
    "phase",
    *(f"participants_{g}" for g in GROUPS),
    "outcome",
)
#: What the issue table's header says for a column: the groups in the WSIS wording (the data keeps its keys).
ISSUE_HEADERS: dict[str, str] = {
    "issue_id": "issue",
    **{f"participants_{g}": GROUP_NAMES[g] for g in GROUPS},
}
#: The same headers in projector mode, short enough for nine columns of large type at 1280 px.
PROJECTOR_HEADERS: dict[str, str] = {
    "issue_id": "#",
    "participants_government": "gov",
    "participants_civil_society": "civil soc.",
    "participants_business": "private",
    "participants_technical_community": "tech.",
    "participants_un_agency": "IGOs/UN",
}
PROJECTOR_KEY = " · ".join(f"{PROJECTOR_HEADERS[f'participants_{g}']} = {GROUP_NAMES[g]}" for g in GROUPS)
#: Identifies the spec's language to the browser's vega-embed (a name, never fetched).
VEGA_LITE = "https://vega.github.io/schema/vega-lite/v5.json"
#: vega-embed's options, read from the spec: SVG (the marks are elements a test can find), no actions menu.
EMBED = {"embedOptions": {"renderer": "svg", "actions": False}}
METRIC_MEANINGS: list[dict[str, str]] = [{"metric": m, "meaning": column(m).meaning} for m in LIVE_METRICS]
#: Why an actor stayed away, in words (``describe.ABSENCE_REASONS``).
ABSENCE_WORDS: dict[str, str] = {
    "rule": "not admitted (participation rule or venue)",
    "notice": "eligible, held back mostly by short notice",
    "cost": "eligible, held back mostly by travel cost",
}
#: Solara's Vega-Lite template waits 100 ms (a debounce) before every redraw, half of a step's budget; the
#: same template with no wait (a missing pattern leaves it as it is: slower, never broken).
_TEMPLATE = Path(solara.widgets.VegaLite.template_file).read_text(encoding="utf-8")
PROMPT_TEMPLATE = _TEMPLATE.replace("this.do_plot()\n        }, 100)", "this.do_plot()\n        }, 0)")


class Chart(solara.widgets.VegaLite):
    """Solara's Vega-Lite widget, redrawn as soon as its spec arrives."""

    template_file = None
    template = traitlets.Unicode(PROMPT_TEMPLATE).tag(sync=True)


NO_NETWORK = "No network has convened yet: the metrics start when the first issue network meets."


def look(big: bool) -> dict[str, Any]:
    """Vega-Lite config: type and marks sized for a laptop, or (projector mode) for the back of a room."""
    size = 18 if big else 12
    return {
        "font": "DejaVu Sans, Arial, sans-serif",
        "axis": {"labelFontSize": size, "titleFontSize": size + 1, "labelColor": "#000", "titleColor": "#000"},
        "legend": {"labelFontSize": size, "titleFontSize": size + 1, "labelLimit": 0, "symbolSize": 160 if big else 80},
        "header": {"labelFontSize": size + 1, "titleFontSize": size + 1},
        "title": {"fontSize": size + 2},
        "text": {"fontSize": size},
        "view": {"stroke": "#888"},
    }


def chart(spec: dict[str, Any], big: bool, height: int) -> dict[str, Any]:
    """A spec drawn at its card's width, ``height`` pixels high (more in projector mode)."""
    return {
        "$schema": VEGA_LITE,
        "usermeta": EMBED,
        "width": "container",
        "height": round(height * (1.25 if big else 1.0)),
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": look(big),
        **spec,
    }


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


def _colour(big: bool = False) -> dict[str, Any]:
    return {
        "field": "metric",
        "type": "nominal",
        "title": "metric",
        "scale": {"domain": list(LIVE_METRICS), "range": list(LIVE_METRICS.values())},
        "legend": {"orient": "bottom", "columns": 1 if big else 2},
    }


def metrics_spec(
    table: pd.DataFrame,
    months: pd.DataFrame | None = None,
    *,
    by_run: Sequence[str] = (),
    big: bool = False,
    height: int = 220,
) -> dict[str, Any]:
    """The live metrics over the months: running means as lines, and (``months``: step, metric, value) each
    month's own value (the networks that convened or the issues decided that month) as dots.

    With ``by_run`` (``table`` then has a ``run`` column), one panel per run.
    """
    keys = ["step", *(["run"] if by_run else [])]
    width = 4.5 if big else 2.5
    tooltip = [{"field": k, "type": "nominal"} for k in (*keys, "metric", "value", "meaning")]
    lines = {
        "mark": {"type": "line", "strokeWidth": width, "point": False},
        "encoding": {
            "x": {"field": "step", "type": "quantitative", "title": "month", "axis": {"tickMinStep": 1, "format": "d"}},
            "y": {"field": "value", "type": "quantitative", "title": "running mean (0-1)", "scale": {"domain": [0, 1]}},
            "color": _colour(big),
            "tooltip": tooltip,
        },
        # each metric's meaning, from the typed per-step contract: shown when a point is hovered
        "transform": [
            {"lookup": "metric", "from": {"data": {"values": METRIC_MEANINGS}, "key": "metric", "fields": ["meaning"]}}
        ],
    }
    data = {"values": long_records(table, keys)}
    if by_run:
        facet = {
            "field": "run",
            "type": "nominal",
            "title": None,
            "sort": list(by_run),
            "header": {"labelLimit": 250, "labelFontWeight": "bold"},
        }
        return {
            "$schema": VEGA_LITE,
            "usermeta": EMBED,
            "config": look(big),
            "data": data,
            "facet": {"column": facet},
            "spec": {**lines, "width": 250, "height": 200},
        }
    layers: list[dict[str, Any]] = [{**lines, "data": data}]
    if months is not None and len(months):
        layers.append(
            {
                "data": {"values": months.to_dict("records")},
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
    return chart({"layer": layers}, big, height)


@solara.component
def MetricsChart(model: GovernanceModel, time: float, big: bool = False) -> None:
    """Running means of the live metrics (lines) and each month's own values (dots); words before any network."""
    journal: Journal = model.journal
    if journal.first_network is None:
        solara.Info(NO_NETWORK, classes=["netgov-metrics", "netgov-no-network"])
        return
    spec = metrics_spec(model.step_table(), journal.month_values(), big=big)
    with solara.Div(classes=["netgov-metrics", "netgov-chart"]):
        Chart.element(spec=spec)
    solara.Text(
        "Lines: the running mean over every network so far. Dots: the networks that convened (or issues "
        "decided) that month.",
        style={"font-size": "0.85em"},
    )


def timeline_spec(journal: Journal, big: bool = False) -> dict[str, Any]:
    """Every event so far as a mark: month across, issue down, colour and shape by kind."""
    records = [
        {"month": e.month, "issue": e.issue, "kind": EVENT_KINDS[e.kind], "what": e.text} for e in journal.events
    ]
    kinds = list(EVENT_KINDS.values())
    return chart(
        {
            "data": {"values": records},
            "mark": {"type": "point", "filled": True, "size": 180 if big else 70, "opacity": 0.9},
            "encoding": {
                "x": {"field": "month", "type": "quantitative", "axis": {"tickMinStep": 1, "format": "d"}},
                "y": {
                    "field": "issue",
                    "type": "quantitative",
                    "title": "issue",
                    "axis": {"tickMinStep": 1, "format": "d"},
                },
                "color": {
                    "field": "kind",
                    "type": "nominal",
                    "title": "event",
                    "scale": {"domain": kinds, "range": [c for c, _ in EVENT_STYLE.values()]},
                    "legend": {"orient": "bottom", "columns": 2},
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
        200,
    )


@solara.component
def Timeline(model: GovernanceModel, time: float, on_issue: Callable[[int], None], big: bool = False) -> None:
    """What just happened, in words, and every event so far on a chart (click a mark to open that issue)."""
    journal: Journal = model.journal
    latest = journal.latest()
    with solara.Div(classes=["netgov-latest"]):
        if not latest:
            solara.Text("Nothing has happened yet: press Step (S) or ▶ (P).")
        else:
            solara.Text(f"Month {latest[0].month}:", style={"font-weight": "600"})
            with solara.Column(gap="0px"):
                for event in latest[-6:]:
                    solara.Text(f"• {event.text}")
    if journal.first_network is None:
        solara.Text(NO_NETWORK, classes=["netgov-no-network"])
    if journal.events:

        def clicked(datum: Any) -> None:
            issue = datum.get("issue") if isinstance(datum, dict) else None
            if isinstance(issue, int | float) and not isinstance(issue, bool) and math.isfinite(issue):
                on_issue(int(issue))

        with solara.Div(classes=["netgov-timeline", "netgov-chart"]):
            Chart.element(spec=timeline_spec(journal, big), listen_to_click=True, on_click=clicked)


def heat_layers(field: str, scheme: str, title: str, big: bool, where: list[dict[str, str]]) -> list[dict[str, Any]]:
    """A heat map's cells coloured by ``field`` with the number written in each (grey where it is 0)."""
    return [
        {
            "mark": "rect",
            "encoding": {
                "color": {
                    "field": field,
                    "type": "quantitative",
                    "scale": {"scheme": scheme},
                    "title": title,
                    "legend": {"orient": "bottom", "gradientLength": 160},
                },
                "tooltip": [*where, {"field": field, "format": ",.0f", "title": title}],
            },
        },
        {
            "mark": {"type": "text", "fontSize": 16 if big else 11},
            "encoding": {
                "text": {"field": field, "format": ",.0f"},
                "color": {"condition": {"test": f"datum.{field} > 0", "value": "#000"}, "value": "#777"},
            },
        },
    ]


def ties_spec(model: GovernanceModel, big: bool = False) -> dict[str, Any]:
    """Tie strength between stakeholder groups and between regions: two heat maps with the numbers in them."""
    graph = model.collaboration
    pairs = np.array([(u, v) for u, v in graph.edges()], dtype=np.int64).reshape(-1, 2)
    weights = np.array([w for _, _, w in graph.edges(data="weight", default=1)], dtype=float)
    a = model.actors

    def panel(codes: np.ndarray, names: list[str], title: str) -> dict[str, Any]:
        m = ties_between(pairs, weights, codes, len(names))
        records = [
            {"from": names[i], "to": names[j], "ties": float(m[i, j])}
            for i in range(len(names))
            for j in range(len(names))
        ]
        axis = {"labelLimit": 160, "title": None}
        return {
            "data": {"values": records},
            "title": {"text": title, "anchor": "start", "frame": "bounds"},  # from the left edge: fits the card
            "width": "container",
            "height": 190 if not big else 240,
            "encoding": {
                "x": {"field": "to", "type": "nominal", "sort": names, "axis": {**axis, "labelAngle": -35}},
                "y": {"field": "from", "type": "nominal", "sort": names, "axis": axis},
            },
            "layer": heat_layers("ties", "blues", "tie weight", big, [{"field": "from"}, {"field": "to"}]),
        }

    group_names = [SHORT_GROUPS[g] for g in GROUPS]
    region_names = [SHORT_REGIONS[r] for r in REGION_CODES]
    return {
        "$schema": VEGA_LITE,
        "usermeta": EMBED,
        "config": look(big),
        "autosize": {"type": "fit-x", "contains": "padding"},
        "vconcat": [
            panel(a.group, group_names, "ties between stakeholder groups"),
            panel(a.region, region_names, "ties between regions"),
        ],
        "resolve": {"scale": {"color": "independent"}},
    }


@solara.component
def CollaborationView(model: GovernanceModel, time: float, big: bool = False) -> None:
    """Who works with whom: tie strength between groups and between regions (redrawn when ties change)."""
    ties = model.ties_formed
    spec = solara.use_memo(lambda: ties_spec(model, big), [model, ties, big])
    if ties == 0:
        solara.Text("No ties yet: actors tie up when they meet in an issue network.")
        return
    with solara.Div(classes=["netgov-ties", "netgov-chart"]):
        Chart.element(spec=spec)


def seat_tables(model: GovernanceModel, issue_id: int) -> dict[str, pd.DataFrame] | None:
    """The 'who is at the table' counts of one issue with readable labels, or None if it has not arrived."""
    from netgov.agents import behaviour  # the participation model's terms: why an eligible actor stayed away

    issue = next((i for i in model.issues if i.id == issue_id), None)
    if issue is None:
        return None
    a, c = model.actors, model.config
    notice_loss = c.participation.notice * (1.0 - a.prepared(c.notice_period, c.background_quality))
    host = list(REGION_CODES).index(issue.host_region) if issue.host_region in REGION_CODES else 0
    cost_loss = c.participation.cost * behaviour.travel_cost(a, host, c.travel_cost, c.travel_support)
    t = at_the_table(issue, a.group, a.region, notice_loss, cost_loss)
    groups = {g: GROUP_NAMES[g] for g in GROUPS}
    present = t.present.rename(index=groups, columns=SHORT_REGIONS)
    present["total"] = present.sum(axis=1)
    present = pd.concat([present, present.sum().to_frame("total").T])
    attendance = t.attendance.rename(index=groups)
    absent = t.absent.rename(index=groups, columns=ABSENCE_WORDS)
    out = {"present": present, "attendance": attendance, "absent": absent}
    if not t.votes_by_group.empty:
        out["votes_by_group"] = t.votes_by_group.rename(index=groups)
        out["votes_by_region"] = t.votes_by_region.rename(index=SHORT_REGIONS)
    return out


def _html(frame: pd.DataFrame, name: str) -> str:
    return frame.to_html(border=0, classes=["netgov-numbers", name])


def seat_spec(tables: dict[str, pd.DataFrame], big: bool) -> dict[str, Any]:
    """Participants by group x region as a heat map with the counts in the cells."""
    present = tables["present"].drop(index="total", columns="total")
    present = present.set_axis([SHORT_GROUPS[g] for g in GROUPS], axis=0)
    records = [{"group": g, "region": r, "n": int(present.loc[g, r])} for g in present.index for r in present.columns]
    enc = {
        "x": {
            "field": "region",
            "type": "nominal",
            "sort": list(present.columns),
            "axis": {"labelAngle": -30, "title": None, "labelLimit": 160},
        },
        "y": {
            "field": "group",
            "type": "nominal",
            "sort": list(present.index),
            "axis": {"title": None, "labelLimit": 160},
        },
    }
    return chart(
        {
            "data": {"values": records},
            "encoding": enc,
            "layer": heat_layers("n", "oranges", "participants", big, [{"field": "group"}, {"field": "region"}]),
        },
        big,
        170,
    )


def vote_spec(votes_by_group: pd.DataFrame, big: bool) -> dict[str, Any]:
    """The latest vote by group: yes to the right, no to the left (negative), one colour per group."""
    names = [GROUP_NAMES[g] for g in GROUPS]
    records = [
        {"group": GROUP_NAMES[g], "vote": side, "votes": sign * int(votes_by_group.loc[GROUP_NAMES[g], side])}
        for g in GROUPS
        for side, sign in (("yes", 1), ("no", -1))
    ]
    return chart(
        {
            "title": "the latest vote, by group",
            "data": {"values": records},
            "mark": {"type": "bar", "stroke": "#000", "strokeWidth": 0.5},
            "encoding": {
                "y": {"field": "group", "type": "nominal", "sort": names, "axis": {"title": None, "labelLimit": 160}},
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


def issue_words(model: GovernanceModel, issue_id: int) -> str:
    """One line: where the issue is, and its outcome so far."""
    row = model.issue_table().set_index("issue_id").loc[issue_id]
    outcome = row["outcome"] or f"still open ({row['phase']})"
    return (
        f"Issue #{issue_id} ({row['domain'].replace('_', ' ')}), arrived in month {row['arrived']}, at "
        f"{row['venue']}; {row['participants']} of {row['eligible']} eligible actors at the table "
        f"({row['remote']} remote). Outcome: {outcome}."
    )


@solara.component
def SeatView(model: GovernanceModel, time: float, issue_id: int | None, big: bool = False) -> None:
    """Who is at the table for one issue: by group x region, onsite vs remote, absent and why, the vote."""
    if issue_id is None:
        solara.Text("Click an issue in the table below or a mark on the timeline to see who is at its table.")
        return
    tables = seat_tables(model, issue_id)
    if tables is None:
        solara.Text(f"Issue #{issue_id} has not arrived in this run.")
        return
    solara.Text(issue_words(model, issue_id), classes=["netgov-seat-summary"], style={"font-weight": "500"})
    if tables["present"].loc["total", "total"] > 0:
        with solara.Div(classes=["netgov-seat-chart", "netgov-chart"]):
            Chart.element(spec=seat_spec(tables, big))
    blocks = [
        ("Participants by group and region", _html(tables["present"], "netgov-present")),
        ("Onsite and remote", _html(tables["attendance"], "netgov-attendance")),
        ("Who did not come, and the main reason", _html(tables["absent"], "netgov-absent")),
    ]
    if "votes_by_group" in tables:
        with solara.Div(classes=["netgov-vote-chart", "netgov-chart"]):
            Chart.element(spec=vote_spec(tables["votes_by_group"], big))
        blocks.append(("The latest vote, by group", _html(tables["votes_by_group"], "netgov-votes-group")))
        blocks.append(("The latest vote, by region", _html(tables["votes_by_region"], "netgov-votes-region")))
    else:
        blocks.append(("The vote", "<p>No vote yet.</p>"))
    html = "".join(f"<h4>{title}</h4>{body}" for title, body in blocks)
    solara.HTML(tag="div", unsafe_innerHTML=TABLE_CSS + html, classes=["netgov-seats"])


def difference_spec(mine: pd.DataFrame, theirs: pd.DataFrame, labels: tuple[str, str], big: bool) -> dict[str, Any]:
    """Per month and metric: ``labels[0]`` minus ``labels[1]`` (above 0: the first design does better on it)."""
    steps = min(len(mine), len(theirs))
    diff = mine.iloc[:steps][list(LIVE_METRICS)].reset_index(drop=True) - theirs.iloc[:steps][
        list(LIVE_METRICS)
    ].reset_index(drop=True)
    diff["step"] = mine["step"].iloc[:steps].to_numpy()
    return chart(
        {
            "data": {"values": long_records(diff, ["step"])},
            "layer": [
                {
                    "mark": {"type": "line", "strokeWidth": 4.5 if big else 2.5},
                    "encoding": {
                        "x": {"field": "step", "type": "quantitative", "title": "month"},
                        "y": {"field": "value", "type": "quantitative", "title": "first minus second design"},
                        "color": _colour(big),
                        "tooltip": [{"field": "step"}, {"field": "metric"}, {"field": "value", "format": "+.3f"}],
                    },
                },
                {"mark": {"type": "rule", "color": "#000"}, "encoding": {"y": {"datum": 0}}},
            ],
        },
        big,
        200,
    )


def agenda(model: GovernanceModel) -> list[tuple[int, int, str]]:
    """The issues so far as (id, month arrived, domain): the same seed gives both designs the same agenda."""
    return [(i.id, i.arrived, i.domain) for i in model.issues]


@solara.component
def CompareView(
    model: GovernanceModel, other: GovernanceModel, time: float, labels: tuple[str, str], big: bool = False
) -> None:
    """Two designs on the same seed, side by side, and their difference month by month."""
    if time > other.time:
        other.run_for(int(time - other.time))  # step along with this run
    runs = {labels[0]: model.step_table(), labels[1]: other.step_table()}
    table = pd.concat([t.assign(run=name) for name, t in runs.items()], ignore_index=True)
    same = agenda(model) == agenda(other)
    solara.Text(
        f"Both at month {int(model.time)} / {int(other.time)}; {len(model.issues)} and {len(other.issues)} issues; "
        + ("the same agenda." if same else "the agendas differ (the designs draw their issues differently)."),
        classes=["netgov-compare-status"],
    )
    with solara.Div(classes=["netgov-compare", "netgov-chart"]):
        Chart.element(spec=metrics_spec(table, by_run=list(runs), big=big))
    solara.Text(f"Difference: {labels[0]} minus {labels[1]} (above 0: the first is higher).")
    with solara.Div(classes=["netgov-difference", "netgov-chart"]):
        Chart.element(spec=difference_spec(runs[labels[0]], runs[labels[1]], labels, big))


def rules_line(c: ModelConfig) -> str:
    """The rules in force, in words (above the issue table, in the session report)."""
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


#: The look of the dashboard's tables: compact, long column names may wrap.
TABLE_CSS = (
    "<style>.netgov-issues table,.netgov-seats table{border-collapse:collapse;font-size:0.9em;width:100%}"
    ".netgov-issues th,.netgov-seats th{text-align:left;border-bottom:2px solid #555;"
    "padding:2px 6px}.netgov-issues td,.netgov-seats td{border-bottom:1px solid #ccc;padding:2px 6px}"
    ".netgov-seats h4{margin:8px 0 2px}</style>"
)


def issue_html(model: GovernanceModel) -> str:
    """The issue table as one HTML table (for the session report)."""
    rows = issue_rows(model).rename(columns=ISSUE_HEADERS)
    return TABLE_CSS + rows.to_html(index=False, border=0, na_rep="")


def readable(rows: pd.DataFrame) -> pd.DataFrame:
    """Venue, phase and outcome with spaces for underscores, so a narrow column can wrap them."""
    words = ["venue", "phase", "outcome"]
    return rows.assign(**{c: rows[c].astype(str).str.replace("_", " ") for c in words})


@solara.component
def IssueTable(model: GovernanceModel, time: float, on_issue: Callable[[int], None], big: bool = False) -> None:
    """One row per issue: venue, phase, participants by group, outcome; click a row to see its table.

    Rebuilt only when an issue arrives or moves on (its rows change with nothing else). In projector
    mode the group headers are short (with a key above), so the large type still fits the room's width.
    """
    moves = tuple((issue.phase, issue.venue) for issue in model.issues)
    items = solara.use_memo(lambda: readable(issue_rows(model)).to_dict("records"), [model, moves])
    solara.Text(f"Rules in force: {rules_line(model.config)}")
    if not model.issues:
        solara.Text("No issues yet: press Step or ▶.")
        return
    if big:
        solara.Text(f"Participants: {PROJECTOR_KEY}")
    IssueRows(items, on_issue, big)


@solara.component
def IssueRows(items: list[dict[str, Any]], on_issue: Callable[[int], None], big: bool = False) -> None:
    """The issue rows as a table whose rows are clickable (Vuetify's data table)."""
    names = {**ISSUE_HEADERS, **PROJECTOR_HEADERS} if big else ISSUE_HEADERS
    headers = [{"text": names.get(c, c), "value": c, "sortable": False} for c in ISSUE_COLUMNS]
    table = rv.DataTable(
        headers=headers,
        items=items,
        dense=True,
        disable_pagination=True,
        hide_default_footer=True,
        fixed_header=True,
        height="360px",
        class_="netgov-issues",
        style_="cursor: pointer",
    )

    def clicked(_widget: Any, _event: str, row: Any) -> None:
        issue = row.get("issue_id") if isinstance(row, dict) else None
        if isinstance(issue, int) and not isinstance(issue, bool):  # the browser sends the row back: check it
            on_issue(issue)

    rv.use_event(table, "click:row", clicked)
