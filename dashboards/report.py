"""The session report: one self-contained HTML file for the workshop minutes.

It holds the designs run (their titles, the rules in force and every parameter that differs from
the defaults), the charts as embedded PNG images (drawn here with matplotlib, so the file opens
with no network and no JavaScript), the issue table, the timeline of events and the notes the
facilitator typed during the session.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from netgov.dashboards.timeline import EVENT_KINDS, DashboardModel
from netgov.dashboards.views import EVENT_STYLE, LIVE_METRICS, issue_html, rules_line
from netgov.model.core.config import ModelConfig, flatten
from netgov.model.describe import changed_keys

if TYPE_CHECKING:
    from netgov.scenarios.loader import Scenario

_MARKERS = {"circle": "o", "square": "s", "diamond": "D", "triangle-up": "^", "triangle-down": "v", "cross": "X"}
_CSS = (
    "body{font-family:DejaVu Sans,Arial,sans-serif;max-width:1100px;margin:2em auto;color:#000}"
    "img{max-width:100%}table{border-collapse:collapse;font-size:0.9em}"
    "th,td{border-bottom:1px solid #ccc;padding:2px 6px;text-align:left}"
    ".notes{white-space:pre-wrap;border:1px solid #888;padding:0.6em;background:#fafafa}"
)


def png(figure: Figure) -> str:
    """A figure as an <img> with its PNG inline (base64), so the report needs no other file."""
    out = io.BytesIO()
    FigureCanvasAgg(figure).print_png(out)
    data = base64.b64encode(out.getvalue()).decode("ascii")
    return f'<img class="chart" alt="chart" src="data:image/png;base64,{data}">'


def metrics_figure(model: DashboardModel, title: str) -> Figure:
    """Running means (lines) and each month's own values (dots) of the live metrics."""
    fig = Figure(figsize=(9, 3.6), dpi=100)
    ax = fig.add_subplot()
    table = model.step_table()
    months = model.journal.month_values()
    for metric, colour in LIVE_METRICS.items():
        ax.plot(table["step"], table[metric], color=colour, linewidth=2.5, label=metric)
        own = months[months["metric"] == metric]
        ax.scatter(own["step"], own["value"], color=colour, s=18)
    ax.set(xlabel="month", ylabel="running mean (0-1); dots: that month", ylim=(0, 1), title=title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, frameon=False)
    fig.tight_layout()
    return fig


def timeline_figure(model: DashboardModel, title: str) -> Figure:
    """Every event: month across, issue up, one colour and marker per kind."""
    fig = Figure(figsize=(9, 3.2), dpi=100)
    ax = fig.add_subplot()
    for kind, words in EVENT_KINDS.items():
        events = [e for e in model.journal.events if e.kind == kind]
        colour, shape = EVENT_STYLE[kind]
        ax.scatter([e.month for e in events], [e.issue for e in events], c=colour, marker=_MARKERS[shape], label=words)
    ax.set(xlabel="month", ylabel="issue", title=title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, frameon=False)
    fig.tight_layout()
    return fig


def difference_figure(mine: DashboardModel, theirs: DashboardModel, labels: tuple[str, str]) -> Figure:
    """Per month and metric, the first design minus the second."""
    fig = Figure(figsize=(9, 3.2), dpi=100)
    ax = fig.add_subplot()
    a, b = mine.step_table(), theirs.step_table()
    steps = min(len(a), len(b))
    for metric, colour in LIVE_METRICS.items():
        ax.plot(
            a["step"][:steps], a[metric][:steps].to_numpy() - b[metric][:steps].to_numpy(), color=colour, label=metric
        )
    ax.axhline(0, color="black", linewidth=1)
    ax.set(xlabel="month", ylabel="difference", title=f"{labels[0]} minus {labels[1]}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, frameon=False)
    fig.tight_layout()
    return fig


def parameters_html(config: ModelConfig) -> str:
    """The rules in force and every parameter that differs from the defaults, as a table."""
    now = flatten(config.model_dump(by_alias=True))
    changed = {k: now[k] for k in changed_keys(config, ModelConfig())}
    table = pd.DataFrame({"parameter": list(changed), "value": [str(v) for v in changed.values()]})
    body = table.to_html(index=False, border=0) if changed else "<p>Every parameter at its default.</p>"
    return f"<p>{html.escape(rules_line(config))}</p>{body}"


def design_html(model: DashboardModel, label: str) -> str:
    """One design: its parameters, charts, issue table and timeline."""
    events = "".join(f"<li>month {e.month}: {html.escape(e.text)}</li>" for e in model.journal.events)
    return (
        f"<h2>{html.escape(label)}</h2><h3>Parameters</h3>{parameters_html(model.config)}"
        f"<h3>Metrics over time (month {int(model.time)})</h3>{png(metrics_figure(model, label))}"
        f"<h3>Timeline</h3>{png(timeline_figure(model, label))}<ol class='timeline'>{events or '<li>none</li>'}</ol>"
        f"<h3>Issue table</h3>{issue_html(model)}"
    )


def session_report(
    model: DashboardModel,
    other: DashboardModel | None,
    labels: tuple[str, str],
    notes: str,
    scenario: Scenario,
) -> str:
    """The whole session report as one HTML document (charts inline)."""
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>netgov session report {when}</title>"
        f"<style>{_CSS}</style></head><body><h1>netgov session report</h1>",
        f"<p>{when}; scenario <b>{html.escape(scenario.title)}</b> ({html.escape(scenario.name)}); seed "
        f"{model.seed}; {int(model.time)} months run.</p>",
        f"<h2>Facilitator's notes</h2><div class='notes'>{html.escape(notes) or '(none)'}</div>",
        design_html(model, labels[0]),
    ]
    if other is not None:
        if model.time > other.time:
            other.run_for(int(model.time - other.time))
        parts.append(design_html(other, labels[1]))
        parts.append(f"<h2>Difference</h2>{png(difference_figure(model, other, labels))}")
    parts.append("</body></html>")
    return "".join(parts)
