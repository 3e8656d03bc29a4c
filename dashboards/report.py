"""The session report: one self-contained HTML file for the workshop minutes (also laid out for print).

It records what the room did: every change in order (month, parameter, old -> new); for each design run,
every parameter the room changed against the scenario it started from and, separately, every one that
differs from the schema defaults (a change back to a default value is a change); each run's final
metrics, with the other design's and the paired difference in compare mode; the charts of the last run
(drawn here with matplotlib, embedded as PNGs, titles in the page so nothing is cut); its events and
issue table; and the facilitator's notes. A Jinja2 template (``templates/session.html.j2``) on the
reports' shared stylesheet and base (``netgov.analysis.html``).
"""

from __future__ import annotations

import datetime
import re
import textwrap
from functools import cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from matplotlib.figure import Figure

from netgov.analysis.html import environment
from netgov.dashboards.controls import rule_controls
from netgov.dashboards.session import Run, Session, changed, differences
from netgov.dashboards.specs import EVENT_STYLE, LIVE_METRICS
from netgov.dashboards.timeline import EVENT_KINDS, DashboardModel
from netgov.dashboards.views import issue_html, rules_line
from netgov.dashboards.words import metric_name, metric_words, name, shown
from netgov.model.core.config import ModelConfig
from netgov.model.core.contract import column
from netgov.model.describe import parameter

if TYPE_CHECKING:
    from netgov.scenarios.loader import Scenario

_MARKERS = {"circle": "o", "square": "s", "diamond": "D", "triangle-up": "^", "triangle-down": "v", "cross": "X"}


@cache
def _labels() -> dict[str, str]:
    return {k: c.label for k, c in rule_controls(ModelConfig()).items()}


def parameter_label(key: str) -> str:
    """A parameter as the room knows it: its control's label; a table's entry as its path in words
    ("venues › Internet Governance Forum › decision rule"); else the head of the schema's meaning
    ("venue structure: all intergovernmental, ..." -> "venue structure")."""
    if key in _labels():
        return _labels()[key]
    if "." in key:
        return " › ".join(name(part) for part in key.split("."))
    info = parameter(key)
    head = re.split(r"[:(]", info.meaning.replace("`", ""))[0].strip() if info is not None else ""
    return head or name(key)


def parameter_rows(config: ModelConfig, against: ModelConfig) -> list[dict[str, str]]:
    """Every parameter that differs between two configs: label, key, value before and in ``config``."""
    return [
        {"label": parameter_label(k), "key": k, "before": shown(k, old), "after": shown(k, new)}
        for k, old, new in changed(config, against)
    ]


def _value(x: float) -> str:
    return "" if x != x else f"{x:.3f}"


def metric_rows(mine: dict[str, float], theirs: dict[str, float] | None = None) -> list[dict[str, str]]:
    """A run's metrics (and another design's at the same month, and the paired difference), in words."""
    diff = differences(mine, theirs) if theirs is not None else {}
    return [
        {
            "name": metric_name(m),
            "meaning": column(m).plain or column(m).meaning,
            "mine": _value(v),
            "theirs": _value(theirs[m]) if theirs is not None else "",
            "difference": "" if m not in diff or diff[m] != diff[m] else f"{diff[m]:+.3f}",
            "better": column(m).better,
        }
        for m, v in mine.items()
    ]


def run_context(run: Run) -> dict[str, Any]:
    return {
        "number": run.number,
        "design": run.design,
        "months": run.months,
        "seed": run.seed,
        "rules": rules_line(run.config),
        "against_scenario": parameter_rows(run.config, run.scenario),
        "against_defaults": parameter_rows(run.config, ModelConfig()),
        "metrics": metric_rows(run.final),
        "comparisons": [
            {"other": c.other, "month": c.month, "metrics": metric_rows(c.mine, c.theirs)} for c in run.comparisons
        ],
    }


def _legend_below(fig: Figure, ax: Any) -> None:
    """The legend under the axes, in as many columns as fit (``png_data_uri`` keeps it in the image)."""
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=3, frameon=False, fontsize=9)


def metrics_figure(model: DashboardModel) -> Figure:
    """Running means (lines) and each month's own values (dots) of the live metrics."""
    fig = Figure(figsize=(9, 3.4))
    ax = fig.add_subplot()
    with model.lock:
        table = model.step_table()
        months = model.journal.month_values()
    for metric, colour in LIVE_METRICS.items():
        ax.plot(table["step"], table[metric], color=colour, linewidth=2.5, label=metric_name(metric))
        own = months[months["metric"] == metric]
        ax.scatter(own["step"], own["value"], color=colour, s=18)
    ax.set(xlabel="month", ylabel="running mean (0-1)\ndots: that month", ylim=(0, 1))
    _legend_below(fig, ax)
    fig.tight_layout()
    return fig


def timeline_figure(model: DashboardModel) -> Figure:
    """Every event: month across, issue up, one colour and marker per kind."""
    fig = Figure(figsize=(9, 3.2))
    ax = fig.add_subplot()
    with model.lock:
        events = list(model.journal.events)
    for kind, words in EVENT_KINDS.items():
        mine = [e for e in events if e.kind == kind]
        colour, shape = EVENT_STYLE[kind]
        ax.scatter([e.month for e in mine], [e.issue for e in mine], c=colour, marker=_MARKERS[shape], label=words)
    ax.set(xlabel="month", ylabel="issue")
    _legend_below(fig, ax)
    fig.tight_layout()
    return fig


def difference_figure(mine: DashboardModel, theirs: DashboardModel) -> Figure:
    """Per month and metric, the first design minus the second."""
    fig = Figure(figsize=(9, 3.2))
    ax = fig.add_subplot()
    with mine.lock, theirs.lock:
        a, b = mine.step_table(), theirs.step_table()
    steps = min(len(a), len(b))
    for metric, colour in LIVE_METRICS.items():
        diff = a[metric][:steps].to_numpy() - b[metric][:steps].to_numpy()
        ax.plot(a["step"][:steps], diff, color=colour, linewidth=2, label=metric_name(metric))
    ax.axhline(0, color="black", linewidth=1)
    ax.set(xlabel="month", ylabel="\n".join(textwrap.wrap("first minus second", 20)))
    _legend_below(fig, ax)
    fig.tight_layout()
    return fig


def detail(session: Session, figure: Any) -> dict[str, Any] | None:
    """The charts, events and issue table of the run in force (None before its first month)."""
    model = session.live
    if model is None or model.month == 0:
        return None
    other = session.other
    out: dict[str, Any] = {
        "label": session.live_design,
        "metrics_chart": figure(metrics_figure(model), "metrics over time"),
        "timeline_chart": figure(timeline_figure(model), "timeline of events"),
        "difference_chart": None,
        "events": list(model.journal.events),
        "issues": Markup(issue_html(model)),  # pandas escaped its cells
    }
    if other is not None:
        out["other_label"] = session.other_design
        out["difference_chart"] = figure(difference_figure(model, other), "difference between the designs")
        out["other_metrics_chart"] = figure(metrics_figure(other), "metrics over time of the other design")
    return out


def session_report(session: Session, notes: str, scenario: Scenario, printable: bool = False) -> str:
    """The whole session report as one HTML document (charts inline); ``printable``: laid out for A4."""
    env = environment("netgov.dashboards")
    runs = session.all_runs()  # runs the other design as far as this one first
    return env.get_template("session.html.j2").render(
        when=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        scenario=scenario,
        printable=printable,
        notes=notes,
        changes=session.changes,
        runs=[run_context(r) for r in runs],
        detail=detail(session, env.globals["figure"]),
        meanings=[metric_words(m) for m in LIVE_METRICS],
    )
