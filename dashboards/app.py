"""The facilitator dashboard: a Solara app with Mesa's step / play / reset (start it with ``netgov dashboard``).

A facilitator picks a scenario, moves the rule controls, presses Reset, then Step or ▶ (keys S, P, R)
and watches who takes part and who decides: what just happened, the metrics month by month, who sat
at an issue's table, and (compare mode) a second design on the same seed. Every browser session
builds its own model (``solara.use_memo`` inside ``Page``): a model built at module level would be
shared by every visitor.

The page is our own layout around Mesa's ``ModelController`` (Reset, ▶, Step) rather than Mesa's
``SolaraViz``: the facilitator's controls come first in the sidebar, Mesa's developer controls
(play interval, render interval, threads) sit behind an "advanced" switch, and Reset rebuilds the
model from the controls of the scenario in force (SolaraViz's controls kept their first values).
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable
from functools import cache
from typing import Any, cast, get_args

import ipyvue
import solara
import traitlets
from mesa.visualization.solara_viz import ModelController, ShowSteps
from mesa.visualization.utils import update_counter

from netgov.dashboards.report import session_report
from netgov.dashboards.timeline import DashboardModel
from netgov.dashboards.views import (
    LIVE_METRICS,
    CollaborationView,
    CompareView,
    IssueTable,
    MetricsChart,
    SeatView,
    Timeline,
)
from netgov.model.core.catalog import GROUPS
from netgov.model.core.config import ConfigError, DecisionRule, ModelConfig, ParticipationRule, field_at, field_bounds
from netgov.model.core.contract import column
from netgov.model.describe import changed_keys, inactive, parameter
from netgov.scenarios.loader import DEFAULT, Scenario, load, scenario_names

__all__ = ["DashboardModel", "Page"]

#: Environment variable through which ``netgov dashboard --scenario`` names the starting scenario.
SCENARIO_ENV = "NETGOV_DASHBOARD_SCENARIO"
#: The design a room compares against unless the facilitator picks another.
DEFAULT_BASELINE = "status_quo_intergovernmental"
#: The other design's key for "the design saved with 'Save this design'".
SAVED = "saved design"
SEED = 0
#: The longest piece of a refused value that a message repeats back.
SHOWN_CHARS = 40
#: Play interval (ms) and render interval (steps) Mesa's loop starts with.
PLAY_INTERVAL = 251
RENDER_INTERVAL = 1

log = logging.getLogger("netgov.dashboard")

ACTOR_LABELS: dict[str, str] = {
    "government": "governments",
    "civil_society": "civil-society organisations",
    "business": "private-sector actors",
    "technical_community": "technical and academic community",
    "un_agency": "intergovernmental organisations / UN agencies",
}
#: Things to try, for the Info panel (each names controls by their labels).
THINGS_TO_TRY: tuple[str, ...] = (
    "Set the notice period to 1 month, press Reset and play a year: who stops coming, and why (click an issue)?",
    "Switch the participation rule to governments_only and compare with open: what happens to inclusiveness "
    "and to legitimacy?",
    "Pick the distributed design (Internet Democracy Project) and compare it with the status quo on the same seed.",
    "Try the decision rule concurrent_groups_regions: does any vote fail? Which group or region blocked it?",
    "Lower travel support to 0: which regions disappear from the tables?",
    "Save a design, change one rule, press Reset, and compare the two.",
)
SIDEBAR_CSS = """
.v-navigation-drawer .v-slider__thumb-label-container { display: block !important; }
.v-navigation-drawer .v-input__slider { padding-top: 26px; }
.v-navigation-drawer { width: 340px !important; min-width: 340px !important; max-width: 340px !important; }
.netgov-main { max-width: 100%; overflow-x: hidden; }
.netgov-chart, .netgov-chart > div, .netgov-chart .vega-embed { width: 100%; }
.netgov-chart .vega-embed details { display: none; }
.netgov-issues th { white-space: normal !important; }
.netgov-issues th, .netgov-issues td { padding: 2px 8px !important; }
@media (max-width: 1263px) { .netgov-issues th, .netgov-issues td { overflow-wrap: anywhere; } }
.netgov-hint { font-size: 0.8em; color: #333; line-height: 1.25; }
"""
#: Projector mode: larger type everywhere (Vuetify sizes in rem), black on white, thicker rules.
PROJECTOR_CSS = """
html { font-size: 21px !important; }
.v-application, .v-application .v-card, .v-application .v-card__title { color: #000 !important; }
.netgov-main { font-size: 1.15rem; }
.netgov-main .v-card { border: 2px solid #000 !important; }
.netgov-issues td, .netgov-issues th { font-size: 1rem !important; padding: 0 6px !important; }
"""


def _bounds(key: str) -> tuple[Any, Any]:
    """A parameter's (min, max) from the schema, so sliders never offer a value it rejects."""
    limits = field_bounds(field_at(key))
    return limits["ge"], limits["le"]


def _share_slider(value: float, label: str) -> dict[str, Any]:
    return {"type": "SliderFloat", "value": value, "min": 0.0, "max": 1.0, "step": 0.05, "label": label}


def model_params(config: ModelConfig) -> dict[str, Any]:
    """The rule controls of a scenario: the rules, actor counts and seed, starting at its values.

    Mesa's control specs (type, value, label, ...); ``config`` is passed through unchanged, so Reset
    rebuilds the scenario with the controls on top.
    """
    lo, hi = _bounds("notice_period")
    params: dict[str, Any] = {
        "config": config,
        "notice_period": {
            "type": "SliderInt",
            "value": config.notice_period,
            "min": lo,
            "max": hi,
            "step": 1,
            "label": "notice period (months)",
        },
        "background_quality": _share_slider(config.background_quality, "background quality (0 poor–1 good)"),
        "decision_rule": {
            "type": "Select",
            "value": config.decision_rule,
            "values": list(get_args(DecisionRule)),
            "label": "decision rule",
        },
        "participation_rule": {
            "type": "Select",
            "value": config.participation_rule,
            "values": list(get_args(ParticipationRule)),
            "label": "participation rule (who may take part)",
        },
        "remote_participation": _share_slider(config.remote_participation, "remote participation (0–1)"),
        "travel_support": _share_slider(config.travel_support, "travel support (share of cost)"),
        "igf_feedback": {
            "type": "Checkbox",
            "value": config.igf_feedback,
            "label": "IGF feedback required before deciding",
        },
    }
    for group in GROUPS:
        count = getattr(config.actors, group)
        params[f"actors.{group}"] = {
            "type": "SliderInt",
            "value": count,
            "min": 0,
            "max": max(400, 2 * count),
            "step": 1,
            "label": f"{ACTOR_LABELS[group]} (actors)",
        }
    params["rng"] = {
        "type": "SliderInt",
        "value": SEED,
        "min": 0,
        "max": 99,
        "step": 1,
        "label": "seed (same seed: same run)",
    }
    return params


def explanation(key: str) -> str:
    """One sentence on a control and its range, from the schema (``describe.parameter``)."""
    if key == "rng":
        return "The seed of every random draw: the same seed and the same rules give the same run (0–99)."
    info = parameter(key)
    if info is None:
        return ""
    unit = f" {info.unit}" if info.unit and info.unit not in info.range else ""
    return f"{info.meaning[:1].upper()}{info.meaning[1:]}. Range: {info.range}{unit}; default {info.default}."


def metric_explanation(name: str) -> str:
    """One sentence on a metric and its values, from the typed per-step contract."""
    c = column(name)
    better = f" {c.better.capitalize()} is better." if c.better else ""
    return f"{name}: {c.meaning} ({c.values}).{better} Moved by: {c.moved_by}."


def initial_values(params: dict[str, Any]) -> dict[str, Any]:
    """What Reset builds from before any control is touched: the fixed entries and each control's value."""
    return {k: (p["value"] if isinstance(p, dict) else p) for k, p in params.items()}


def scenario_choices(start: str) -> list[str]:
    """The picker's entries: the defaults, every shipped scenario, and a file given on the command line."""
    names = [DEFAULT, *scenario_names()]
    return names if start in names else [*names, start]


@cache
def scenario_title(name: str) -> str:
    """A scenario's readable title (its file name if it cannot be loaded)."""
    try:
        return load(name).title or name
    except Exception:  # a broken file still gets an entry: picking it shows why
        return os.path.basename(name)


def start_scenario() -> str:
    """The scenario the facilitator started the dashboard with (``--scenario``), else the defaults."""
    return os.environ.get(SCENARIO_ENV) or DEFAULT


def refusal(what: str, value: Any) -> str:
    """One short line for a value a picker does not offer; it repeats only the start of the value."""
    text = str(value)
    shown = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
    return f"Not a {what} of this dashboard: {shown!r}. Pick one from the list."


def checked(allowed: Callable[[], list[str]], what: str, accept: Callable[[str], None], refuse: Any) -> Any:
    """A picker's ``on_value``: the server accepts only values it offers, whatever the browser sends."""

    def on_value(value: Any) -> None:
        if isinstance(value, str) and value in allowed():
            refuse(None)
            accept(value)
        else:
            log.warning("refused %s %r from the browser", what, str(value)[:200])
            refuse(refusal(what, value))

    return on_value


def load_safely(name: str) -> tuple[Scenario, str | None]:
    """The scenario, or the defaults and one short line saying why it could not be loaded."""
    try:
        return load(name), None
    except ConfigError as exc:
        message = str(exc)
    except Exception as exc:  # a broken file must not put a traceback on the page
        log.exception("could not load scenario %r", name)
        message = f"{type(exc).__name__}"
    label = os.path.basename(name)
    return load(DEFAULT), f"Could not load scenario {label!r}; showing the defaults. ({message[:200]})"


def use_refusal() -> tuple[str | None, int, Callable[[str | None], None]]:
    """A picker's refusal state: the message shown, how many refusals so far (to key the picker, so it is
    rebuilt showing the value in force), and ``refuse(text)`` (None clears the message)."""
    message, set_message = solara.use_state(cast(str | None, None))
    refusals, set_refusals = solara.use_state(0)

    def refuse(text: str | None) -> None:
        set_message(text)
        if text is not None:
            set_refusals(lambda n: n + 1)

    return message, refusals, refuse


class KeyShortcuts(ipyvue.VueTemplate):
    """S (or →): Step, P: play / pause, R: Reset, by clicking those buttons; ignored while typing in a field."""

    template = traitlets.Unicode(
        """<template><span class="netgov-keys"></span></template>
<script>
module.exports = {
  mounted() {
    const names = {s: ["Step"], arrowright: ["Step"], p: ["▶", "❚❚"], r: ["Reset"]};
    this.onKey = (e) => {
      const t = e.target;
      if (e.ctrlKey || e.metaKey || e.altKey || !e.key) return;
      if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
      const want = names[e.key.toLowerCase()];
      if (!want) return;
      const button = [...document.querySelectorAll("button")].find(
        (b) => want.includes(b.textContent.trim()) && !b.disabled);
      if (button) { e.preventDefault(); button.click(); }
    };
    document.addEventListener("keydown", this.onKey);
  },
  destroyed() { document.removeEventListener("keydown", this.onKey); },
};
</script>"""
    ).tag(sync=True)


def Line(text: str, classes: list[str] | None = None, style: dict[str, str] | None = None) -> None:
    """A line of text on its own row (``solara.Text`` alone runs on after the previous one)."""
    with solara.Div(classes=classes or [], style=style or {}):
        solara.Text(text)


@solara.component
def Control(key: str, spec: dict[str, Any], on_change: Callable[[str, Any], None]) -> None:
    """One rule control with its one-sentence explanation and range (schema) below it."""
    label, value = spec["label"], spec["value"]
    kind = spec["type"]
    if kind in ("SliderInt", "SliderFloat"):
        slider = solara.SliderInt if kind == "SliderInt" else solara.SliderFloat
        slider(
            label,
            value=value,
            min=spec["min"],
            max=spec["max"],
            step=spec["step"],
            on_value=lambda v: on_change(key, v),
        )
    elif kind == "Select":
        solara.Select(label, value=value, values=spec["values"], on_value=lambda v: on_change(key, v))
    else:
        solara.Checkbox(label=label, value=value, on_value=lambda v: on_change(key, v))
    Line(explanation(key), classes=["netgov-hint"])


def offered(spec: dict[str, Any], value: Any) -> bool:
    """Whether a control offers ``value``: one of a picker's entries, a number on a slider's range, a bool."""
    if spec["type"] == "Select":
        return value in spec["values"]
    if spec["type"] == "Checkbox":
        return isinstance(value, bool)
    number = (int,) if spec["type"] == "SliderInt" else (int, float)
    return isinstance(value, number) and not isinstance(value, bool) and spec["min"] <= value <= spec["max"]


@solara.component
def RuleControls(params: dict[str, Any], values: solara.Reactive[dict[str, Any]]) -> None:
    """The rule controls; a change takes effect on Reset (Mesa's ModelController builds from ``values``)."""

    def on_change(key: str, value: Any) -> None:
        if not offered(params[key], value):
            log.warning("refused %s %r from the browser", key, str(value)[:200])
            return
        values.value = {**values.value, key: value}

    solara.Text("A change takes effect when you press Reset.", style={"font-weight": "500"})
    for key, spec in params.items():
        if isinstance(spec, dict):
            Control(key, spec, on_change)


@solara.component
def ScenarioCard(
    scenario: str,
    on_scenario: Any,
    loaded: Scenario,
    choices: list[str],
    message: str | None,
    refusals: int,
    config: ModelConfig,
    set_keys: tuple[str, ...],
) -> None:
    """Pick the starting scenario (by its title); its card says the recommendation it encodes in words.

    ``config`` is the running model's and ``set_keys`` what the scenario file or the controls set: the
    lines naming rules that have no effect (e.g. a participation rule under intergovernmental routing)
    follow the controls. ``refusals`` keys the picker: after a refused value it is rebuilt showing the
    scenario in force.
    """
    with solara.Card("Scenario"):
        items = [{"text": scenario_title(n), "value": n} for n in choices]
        solara.v.Select(label="scenario", items=items, v_model=scenario, on_v_model=on_scenario, dense=True).key(
            f"scenario-{refusals}"
        )
        if message:
            solara.Warning(message, classes=["netgov-refusal"])
        Line(loaded.title, style={"font-weight": "600"})
        Line(loaded.recommendation or loaded.summary, classes=["netgov-plain-words"])
        Line(f"file: {loaded.name}", classes=["netgov-hint"])
        for line in inactive(config, set_keys):
            solara.Info(line, dense=True, classes=["netgov-idle-rule"])


@solara.component
def CompareCard(
    on: bool,
    set_on: Any,
    other: str,
    pick: Any,
    message: str | None,
    refusals: int,
    can_save: Callable[[], None],
    saved: bool,
) -> None:
    """Compare two designs: the current run against a scenario or a saved design, on the same seed."""
    with solara.Card("Compare two designs"):
        solara.Switch(label="compare two designs", value=on, on_value=set_on)
        items = [{"text": scenario_title(n), "value": n} for n in scenario_names()]
        if saved:
            items.insert(0, {"text": "the design you saved", "value": SAVED})
        solara.v.Select(label="other design", items=items, v_model=other, on_v_model=pick, dense=True).key(
            f"other-{refusals}"
        )
        if message:
            solara.Warning(message, classes=["netgov-refusal"])
        solara.Button("Save this design", on_click=can_save, outlined=True, small=True)
        Line(
            "Both run on the same seed (the same agenda where the designs draw issues alike) and step together.",
            classes=["netgov-hint"],
        )


@solara.component
def StepCounter(time: float) -> None:
    """A large step counter at the top of the page, readable from the back of a room."""
    solara.Text(
        f"Step: {int(time)}  (one step = one month)",
        style={"font-size": "1.5rem", "font-weight": "500"},
        classes=["netgov-counter"],
    )


@solara.component
def InfoPanel() -> None:
    """The analogue of NetLogo's Info tab: what each metric and control means, and things to try."""
    title = "Info: what the dashboard shows, every metric and control explained, things to try"
    with solara.Details(title), solara.Column(classes=["netgov-info"]):
        solara.Markdown("**Things to try**\n\n" + "\n".join(f"1. {t}" for t in THINGS_TO_TRY))
        solara.Markdown(
            "**Metrics** (from the typed per-step contract)\n\n"
            + "\n".join(f"- {metric_explanation(m)}" for m in LIVE_METRICS)
        )
        params = model_params(ModelConfig())
        solara.Markdown(
            "**Controls** (from the parameter schema)\n\n"
            + "\n".join(f"- *{p['label']}*: {explanation(k)}" for k, p in params.items() if isinstance(p, dict))
        )
        solara.Markdown("**Keys**: S or → steps one month, P plays or pauses, R resets (not while typing in a field).")


@solara.component
def LiveViews(
    model: DashboardModel,
    big: bool,
    other: DashboardModel | None,
    labels: tuple[str, str],
) -> None:
    """Everything that changes with a step: counter, what happened, metrics, tables, comparison.

    The one listener of Mesa's step signal (``update_counter``) among our components: Solara renders the
    page once per listener of a changed value, and every pass walks the whole sidebar.
    """
    update_counter.get()
    time = model.time
    selected, set_selected = solara.use_state(cast(int | None, None), key=f"pick-{id(model)}")
    StepCounter(time)
    with solara.ColumnsResponsive(12, large=6):
        with solara.Card("What just happened", classes=["netgov-card"]):
            Timeline(model, time, set_selected, big)
        with solara.Card("Metrics over time", classes=["netgov-card"]):
            MetricsChart(model, time, big)
    with solara.ColumnsResponsive(12, large=6):
        with solara.Card("Who is at the table", classes=["netgov-card"]):
            SeatView(model, time, selected, big)
        with solara.Card("Who works with whom (collaboration ties)", classes=["netgov-card"]):
            CollaborationView(model, time, big)
    if other is not None:
        with solara.Card("Two designs compared", classes=["netgov-card"]):
            CompareView(model, other, time, labels, big)
    with solara.Card("Issue networks (newest first; click a row)", classes=["netgov-card"]):
        IssueTable(model, time, set_selected, big)


@solara.component
def Dashboard() -> None:
    """The dashboard of one browser session: one model, the picked scenario, the views."""
    start = start_scenario()
    scenario, set_scenario = solara.use_state(start)
    message, refusals, refuse = use_refusal()
    big, set_big = solara.use_state(False)
    advanced, set_advanced = solara.use_state(False)
    comparing, set_comparing = solara.use_state(False)
    other, set_other = solara.use_state(DEFAULT_BASELINE)
    saved, set_saved = solara.use_state(cast(ModelConfig | None, None))
    other_message, other_refusals, other_refuse = use_refusal()
    notes, set_notes = solara.use_state("")
    play_interval = solara.use_reactive(PLAY_INTERVAL)
    render_interval = solara.use_reactive(RENDER_INTERVAL)
    use_threads = solara.use_reactive(False)

    pick = checked(lambda: scenario_choices(start), "scenario", set_scenario, refuse)
    loaded, problem = solara.use_memo(lambda: load_safely(scenario), [scenario])
    params = solara.use_memo(lambda: model_params(loaded.config), [scenario])
    # what Reset builds from: a fresh reactive per scenario, so Reset after a switch keeps the scenario's values
    values = solara.use_memo(lambda: solara.reactive(initial_values(params)), [scenario])
    model = solara.use_reactive(solara.use_memo(lambda: DashboardModel(loaded.config, rng=SEED), [scenario]))
    current = model.value

    allowed_other = (lambda: [SAVED, *scenario_names()]) if saved is not None else scenario_names
    pick_other = checked(allowed_other, "design to compare with", set_other, other_refuse)
    other_config = saved if other == SAVED and saved is not None else None
    other_model = solara.use_memo(
        lambda: DashboardModel(other_config or load(other).config, rng=current.seed) if comparing else None,
        [current, other, other_config, comparing],
    )
    labels = (f"this run: {loaded.title}", SAVED if other == SAVED else scenario_title(other))

    solara.Title("netgov dashboard")
    solara.Style(SIDEBAR_CSS + (PROJECTOR_CSS if big else ""))
    with solara.AppBar():
        solara.AppBarTitle(f"netgov: {loaded.title}")
        solara.Switch(label="projector mode", value=big, on_value=set_big, classes=["netgov-projector-switch"])
    with solara.Sidebar():
        ScenarioCard(
            scenario,
            pick,
            loaded,
            scenario_choices(start),
            message or problem,
            refusals,
            current.config,
            (*loaded.sources, *changed_keys(current.config, loaded.config)),
        )
        with solara.Card("Run"):
            ModelController(
                model,
                model_parameters=values,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
            ShowSteps(current)
            Line("Keys: S step · P play/pause · R reset", classes=["netgov-hint"])
            KeyShortcuts.element()
        with solara.Card("Rules and actors"):
            RuleControls(params, values).key(f"rules-{scenario}")
        CompareCard(
            comparing,
            set_comparing,
            other,
            pick_other,
            other_message,
            other_refusals,
            lambda: set_saved(current.config),
            saved is not None,
        )
        with solara.Card("Session notes and report"):
            solara.InputTextArea("facilitator's notes", value=notes, on_value=set_notes, continuous_update=True)
            stamp = datetime.datetime.now().strftime("%Y-%m-%d_%H%M")
            solara.FileDownload(
                lambda: session_report(current, other_model, labels, notes, loaded),
                filename=f"netgov_session_{stamp}.html",
                label="Session report (HTML)",
                mime_type="text/html",
            )
            solara.FileDownload(
                lambda: current.step_table().to_csv(index=False),
                filename=f"netgov_{os.path.basename(scenario).removesuffix('.toml')}_steps.csv",
                label="Per-step table (CSV)",
                mime_type="text/csv",
            )
        solara.Switch(label="advanced (Mesa's developer controls)", value=advanced, on_value=set_advanced)
        if advanced:
            with solara.Card("Advanced"):
                solara.SliderInt("Play Interval (ms)", value=play_interval, min=1, max=500, step=10)
                Line("Milliseconds between two steps while playing (1–500).", classes=["netgov-hint"])
                solara.SliderInt("Render Interval (steps)", value=render_interval, min=1, max=100, step=2)
                Line("Steps run between two redraws while playing (1–100).", classes=["netgov-hint"])
                solara.Checkbox(label="Use Threads", value=use_threads)
                Line("Mesa's experimental threaded loop: redraws may skip steps.", classes=["netgov-hint"])
    with solara.Column(classes=["netgov-main"]):
        LiveViews(current, big, other_model, labels)
        InfoPanel()


#: What a visitor sees when something inside the page fails: one line, never a traceback.
FAILED = "Something went wrong in the dashboard ({kind}). Press 'Start again'; the details are in the server's log."


@solara.component
def Page() -> None:
    """The dashboard page: one model per browser session, and an error boundary around it.

    An exception while drawing the page is logged on the server and shown as one short line.
    """
    exception, clear = solara.use_exception()
    if exception is not None:
        log.error("dashboard error", exc_info=exception)
        solara.Error(FAILED.format(kind=type(exception).__name__), classes=["netgov-error"])
        solara.Button("Start again", on_click=clear)
        return
    Dashboard()
