"""The dashboard's own views: metrics over time, the timeline of events, who is at an issue's table,
the collaboration between groups and regions, two designs compared, and the issue table.

Each view takes the model and its ``month``: a child whose arguments are unchanged is not rendered
again, so the new month is what redraws a view after a step (``dashboards.app.LiveViews`` passes it).
Mesa's play loop steps the model in another thread: a view reads the model under ``model.lock``, so it
never draws half a step. The charts' specs are in ``specs``; everything is in words (``words``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ipyvue
import pandas as pd
import reacton.ipyvuetify as rv
import solara
import traitlets

from netgov.dashboards.chart import draw
from netgov.dashboards.specs import (
    SHORT_GROUPS,
    SHORT_REGIONS,
    design_spec,
    difference_spec,
    metrics_spec,
    seat_spec,
    ties_spec,
    timeline_spec,
    vote_spec,
)
from netgov.dashboards.timeline import DashboardModel
from netgov.dashboards.words import name, number
from netgov.model.core.catalog import GROUP_NAMES, GROUPS, REGION_CODES
from netgov.model.core.config import ModelConfig
from netgov.model.describe import at_the_table

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
#: The issue table on the page holds the newest this many issues (the CSV and the report hold them all).
TABLE_ROWS = 25
#: Why an actor stayed away, in words (``describe.ABSENCE_REASONS``): short headers, and a key above them.
ABSENCE_HEADERS: dict[str, str] = {"rule": "not admitted", "notice": "short notice", "cost": "travel cost"}
ABSENCE_KEY = (
    "<p class='netgov-hint'>Not admitted: by the participation rule or the venue. Short notice, travel cost: "
    "could come, held back mostly by the notice given or mostly by the cost of coming.</p>"
)
#: The collaboration heat maps are redrawn when the ties have grown by this factor since they were drawn.
TIES_GROWTH = 1.02
NO_NETWORK = "No network has convened yet: the metrics start when the first issue network meets."
#: The look of the dashboard's tables: compact, long column names may wrap.
TABLE_CSS = (
    "<style>.netgov-issues table,.netgov-seats table{border-collapse:collapse;font-size:0.9em;width:100%}"
    ".netgov-issues th,.netgov-seats th{text-align:left;border-bottom:2px solid #555;"
    "padding:2px 6px}.netgov-issues td,.netgov-seats td{border-bottom:1px solid #ccc;padding:2px 6px}"
    ".netgov-seats h4{margin:8px 0 2px}</style>"
)


class ScrollTo(ipyvue.VueTemplate):
    """Brings the element ``target`` (a CSS selector) into view whenever ``request`` changes: a click on
    an issue shows its "who is at the table" card, wherever the page was scrolled to."""

    request = traitlets.Int(0).tag(sync=True)
    target = traitlets.Unicode("").tag(sync=True)
    template = traitlets.Unicode(
        """<template><span class="netgov-scroll-to"></span></template>
<script>
module.exports = {
  watch: {
    request() {
      this.$nextTick(() => {
        const el = document.querySelector(this.target);
        if (el) { el.scrollIntoView({block: "start", behavior: "auto"}); }
      });
    },
  },
};
</script>"""
    ).tag(sync=True)


@solara.component
def StepCounter(month: int) -> None:
    """A large month counter at the top of the page, readable from the back of a room."""
    solara.Text(
        f"Month {month}",
        style={"font-size": "1.6rem", "font-weight": "600"},
        classes=["netgov-counter"],
    )


@solara.component
def MetricsChart(model: DashboardModel, month: int, big: bool = False) -> None:
    """Running means of the live metrics (lines) and each month's own values (dots); words before any network."""
    with model.lock:
        if model.journal.first_network is None:
            spec = None
        else:
            spec, data = metrics_spec(model.step_table(), model.journal.month_values(), big=big)
    if spec is None:
        solara.Info(NO_NETWORK, classes=["netgov-metrics", "netgov-no-network"])
        return
    with solara.Div(classes=["netgov-metrics", "netgov-chart"]):
        draw(spec, data)
    solara.Text(
        "Lines: the running mean over every network so far. Dots: the networks that convened (or issues "
        "decided) that month. Hover for what a metric means.",
        style={"font-size": "0.85em"},
    )


@solara.component
def Timeline(model: DashboardModel, events: int, on_issue: Callable[[int], None], big: bool = False) -> None:
    """What just happened, in words, and the events of the last years on a chart (click a mark to open
    that issue); redrawn when there are new ``events``."""
    with model.lock:
        latest = model.journal.latest()
        none_yet = model.journal.first_network is None
        spec, data = timeline_spec(model.journal, model.month, big) if model.journal.events else (None, {})
    with solara.Div(classes=["netgov-latest"]):
        if not latest:
            solara.Text("Nothing has happened yet: press Step (S) or ▶ (P).")
        else:
            solara.Text(f"Month {latest[0].month}:", style={"font-weight": "600"})
            with solara.Column(gap="0px"):
                for event in latest[-6:]:
                    solara.Text(f"• {event.text}")
    if none_yet:
        solara.Text(NO_NETWORK, classes=["netgov-no-network"])
    if spec is None:
        return

    def clicked(datum: Any) -> None:
        issue = datum.get("issue") if isinstance(datum, dict) else None
        if isinstance(issue, int | float) and not isinstance(issue, bool) and math.isfinite(issue):
            on_issue(int(issue))

    with solara.Div(classes=["netgov-timeline", "netgov-chart"]):
        draw(spec, data, listen_to_click=True, on_click=clicked)


@solara.component
def CollaborationView(model: DashboardModel, ties: int, big: bool = False) -> None:
    """Who works with whom: each pair of groups' and of regions' share of the collaboration ties (redrawn
    when ``ties`` changes: ``app.redraw_ties``)."""

    def build() -> Any:
        with model.lock:
            pairs, weights = model.network.pairs()
        return ties_spec(pairs, weights.astype(float), model.actors.group, model.actors.region, big)

    spec, data = solara.use_memo(build, [model, ties, big])
    if ties == 0:
        solara.Text("No ties yet: actors tie up when they meet in an issue network.")
        return
    with solara.Div(classes=["netgov-ties", "netgov-chart"]):
        draw(spec, data)
    solara.Text(
        "Each cell: that pair's share of all collaboration (tie weight), in per cent.", style={"font-size": "0.85em"}
    )


def seat_tables(model: DashboardModel, issue_id: int) -> dict[str, pd.DataFrame] | None:
    """The 'who is at the table' counts of one issue by group and region keys, or None if it has not
    arrived: ``present`` (groups x regions), ``attendance``, ``absent`` and, after a vote, the votes."""
    from netgov.agents import behaviour  # the participation model's terms: why an eligible actor stayed away

    issue = next((i for i in model.issues if i.id == issue_id), None)
    if issue is None:
        return None
    a, c = model.actors, model.config
    notice_loss = c.participation.notice * (1.0 - a.prepared(c.notice_period, c.background_quality))
    host = list(REGION_CODES).index(issue.host_region) if issue.host_region in REGION_CODES else 0
    cost_loss = c.participation.cost * behaviour.travel_cost(a, host, c.travel_cost, c.travel_support)
    t = at_the_table(issue, a.group, a.region, notice_loss, cost_loss)
    out = {"present": t.present, "attendance": t.attendance, "absent": t.absent}
    if not t.votes_by_group.empty:
        out["votes_by_group"] = t.votes_by_group
        out["votes_by_region"] = t.votes_by_region
    return out


def readable_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The seat tables in words, each narrow enough for a half-width card in projector mode: who came by
    group (onsite, remote, total), by region, who did not come and why, and the votes."""
    groups = {g: SHORT_GROUPS[g] for g in GROUPS}
    came = tables["attendance"].rename(index=groups)
    came["total"] = came.sum(axis=1)
    came.loc["total"] = came.sum()
    regions = tables["present"].sum(axis=0).rename(index=SHORT_REGIONS).to_frame("participants")
    out = {
        "came": came,
        "regions": regions,
        "absent": tables["absent"].rename(index=groups, columns=ABSENCE_HEADERS),
    }
    if "votes_by_group" in tables:
        out["votes_by_group"] = tables["votes_by_group"].rename(index=groups)
        out["votes_by_region"] = tables["votes_by_region"].rename(index=SHORT_REGIONS)
    return out


def _html(frame: pd.DataFrame, name: str) -> str:
    return frame.to_html(border=0, classes=["netgov-numbers", name])


def issue_words(model: DashboardModel, issue_id: int) -> str:
    """One line: where the issue is, and its outcome so far."""
    row = model.issue_table().set_index("issue_id").loc[issue_id]
    outcome = name(row["outcome"]) if row["outcome"] else f"still open ({name(row['phase'])})"
    return (
        f"Issue #{issue_id} ({row['domain'].replace('_', ' ')}), arrived in month {row['arrived']}, at the "
        f"{name(row['venue'])}; {row['participants']} of the {row['eligible']} who may take part came "
        f"({row['remote']} remote). Outcome: {outcome}."
    )


@solara.component
def SeatView(model: DashboardModel, seat: tuple[int | None, Any], request: int, big: bool = False) -> None:
    """Who is at the table for one issue: by group x region, onsite and remote, by region, absent and why,
    the vote.

    ``seat`` is the issue picked and its state (redrawn when it moves on); ``request`` counts the clicks
    on issues: each brings this card into view.
    """
    issue_id = seat[0]
    ScrollTo.element(request=request, target=".netgov-seat-card")
    if issue_id is None:
        solara.Text("Click an issue in the issue table or a mark on the timeline to see who is at its table.")
        return
    with model.lock:
        raw = seat_tables(model, issue_id)
        words = issue_words(model, issue_id) if raw is not None else ""
    if raw is None:
        solara.Text(f"Issue #{issue_id} has not arrived in this run.")
        return
    tables = readable_tables(raw)
    solara.Text(words, classes=["netgov-seat-summary"], style={"font-weight": "500"})
    if tables["came"].loc["total", "total"] > 0:
        with solara.Div(classes=["netgov-seat-chart", "netgov-chart"]):
            draw(*seat_spec(raw["present"], big))
    blocks = [
        ("Who came, by group", _html(tables["came"], "netgov-came")),
        ("Who came, by region", _html(tables["regions"], "netgov-regions")),
        ("Who did not come, and the main reason", ABSENCE_KEY + _html(tables["absent"], "netgov-absent")),
    ]
    if "votes_by_group" in raw:
        with solara.Div(classes=["netgov-vote-chart", "netgov-chart"]):
            draw(*vote_spec(raw["votes_by_group"], big))
        blocks.append(("The latest vote, by group", _html(tables["votes_by_group"], "netgov-votes-group")))
        blocks.append(("The latest vote, by region", _html(tables["votes_by_region"], "netgov-votes-region")))
    else:
        blocks.append(("The vote", "<p>No vote yet.</p>"))
    html = "".join(f"<h4>{title}</h4>{body}" for title, body in blocks)
    solara.HTML(tag="div", unsafe_innerHTML=TABLE_CSS + html, classes=["netgov-seats"])


def agenda(model: DashboardModel) -> list[tuple[int, int, str]]:
    """The issues so far as (id, month arrived, domain): the same seed gives both designs the same agenda."""
    return [(i.id, i.arrived, i.domain) for i in model.issues]


@solara.component
def CompareView(
    model: DashboardModel, other: DashboardModel, month: int, labels: tuple[str, str], big: bool = False
) -> None:
    """Two designs on the same seed: their difference month by month, and each design's running means."""
    if month > other.month:
        other.run_for(month - other.month)  # step along with this run
    with model.lock, other.lock:
        mine, theirs = model.step_table(), other.step_table()
        same = agenda(model) == agenda(other)
        status = (
            f"Both at month {model.month} / {other.month}; {len(model.issues)} and {len(other.issues)} issues; "
            + ("the same agenda." if same else "the agendas differ (the designs draw their issues differently).")
        )
    solara.Text(status, classes=["netgov-compare-status"])
    solara.Text(
        "Difference: this run minus the other design (above 0: this run is higher).", style={"font-weight": "500"}
    )
    with solara.Div(classes=["netgov-difference", "netgov-chart"]):
        draw(*difference_spec(mine, theirs, big))
    with solara.Row(classes=["netgov-compare"], gap="12px", style={"flex-wrap": "wrap"}):
        for label, table, key in ((labels[0], mine, "mine"), (f"the other design: {labels[1]}", theirs, "theirs")):
            with solara.Column(classes=[f"netgov-design-{key}"], style={"flex": "1 1 220px", "min-width": "0"}):
                solara.Text(label, style={"font-weight": "500"})
                with solara.Div(classes=["netgov-chart"]):
                    draw(*design_spec(table, big=big))


def rules_line(c: ModelConfig) -> str:
    """The rules in force, in words (above the issue table, in the session report)."""
    return (
        f"decision rule: {name(c.decision_rule)} · who may take part: {name(c.participation_rule)} · "
        f"notice period: {c.notice_period} months · background quality: {number(c.background_quality)} · "
        f"remote participation: {number(c.remote_participation)} · travel support: {number(c.travel_support)} · "
        f"IGF feedback: {'required' if c.igf_feedback else 'no'}"
    )


def in_words(row: dict[str, Any]) -> dict[str, Any]:
    """One issue's row of the issue table (``ISSUE_COLUMNS``), venue, phase and outcome in words."""
    return {c: name(row[c]) if c in ("venue", "phase", "outcome") and row[c] else row[c] for c in ISSUE_COLUMNS}


def issue_rows(model: DashboardModel) -> pd.DataFrame:
    """The issue table's rows, newest issue first, venue, phase and outcome in words."""
    rows = [in_words(issue.row()) for issue in reversed(model.issues)]
    return pd.DataFrame(rows, columns=list(ISSUE_COLUMNS))


def issue_html(model: DashboardModel) -> str:
    """The issue table as one HTML table (for the session report)."""
    rows = issue_rows(model).rename(columns=ISSUE_HEADERS)
    return TABLE_CSS + rows.to_html(index=False, border=0, na_rep="")


@solara.component
def IssueTable(
    model: DashboardModel, moves: tuple[Any, ...], on_issue: Callable[[int], None], big: bool = False
) -> None:
    """One row per issue: venue, phase, participants by group, outcome; click a row to see its table.

    Rebuilt only when an issue arrives or ``moves`` on (its rows change with nothing else). In projector
    mode the group headers are short (with a key above), so the large type still fits the room's width.
    """

    closed: dict[int, Any] = solara.use_memo(dict, [model])  # issue id -> its row, once the issue can no longer change

    def rows() -> list[dict[str, Any]]:
        out = []
        with model.lock:
            for issue in model.issues[: -TABLE_ROWS - 1 : -1]:
                row = closed.get(issue.id) or in_words(issue.row())
                if not issue.active:
                    closed[issue.id] = row
                out.append(row)
        return out

    items = solara.use_memo(rows, [model, moves])
    solara.Text(f"Rules in force: {rules_line(model.config)}")
    if not moves:
        solara.Text("No issues yet: press Step or ▶.")
        return
    if len(moves) > TABLE_ROWS:
        solara.Text(f"The newest {TABLE_ROWS} of {len(moves)} issues (the CSV and the session report have them all).")
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

    rv.use_event(table, "click:row", clicked)  # type: ignore[arg-type]  # solara types the callback with one argument; ipyvue passes (widget, event, data)
