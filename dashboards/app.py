"""The facilitator dashboard: a Solara app with Mesa's step / play / reset (start it with ``netgov dashboard``).

A facilitator picks a scenario, moves the rule controls, presses Reset, then Step or ▶ (keys S, P, R)
and watches who takes part and who decides: what just happened, the metrics month by month, who sat
at an issue's table, and (compare mode) a second design on the same seed beside the metrics. Every
browser session builds its own model (``solara.use_memo`` inside ``Page``): a model built at module
level would be shared by every visitor.

The page is our own layout around Mesa's ``ModelController`` (Reset, ▶, Step) rather than Mesa's
``SolaraViz``: the facilitator's controls come first in the sidebar, each value is checked on the server
before use (``controls``), Mesa's loop controls (play and render interval, bounded) sit behind an
"advanced" switch, and Reset rebuilds the model from the controls of the scenario in force. What the
room did is kept for the session report (``session``).
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable
from functools import cache
from typing import Any, cast

import ipyvue
import solara
import traitlets
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from netgov.dashboards.controls import (
    PLAY_INTERVAL,
    RENDER_INTERVAL,
    SEED,
    SHOWN_CHARS,
    Controls,
    loop_controls,
    model_params,
    rule_controls,
)
from netgov.dashboards.report import session_report
from netgov.dashboards.session import Session
from netgov.dashboards.specs import LIVE_METRICS
from netgov.dashboards.timeline import DashboardModel
from netgov.dashboards.views import (
    TIES_GROWTH,
    CollaborationView,
    CompareView,
    IssueTable,
    MetricsChart,
    SeatView,
    StepCounter,
    Timeline,
)
from netgov.dashboards.words import metric_words, name, shown
from netgov.model.core.config import ModelConfig
from netgov.model.core.errors import ConfigError
from netgov.model.describe import changed_keys, inactive
from netgov.scenarios.loader import DEFAULT, Scenario, load, scenario_names

__all__ = ["DashboardModel", "Page", "model_params"]

#: Environment variable through which ``netgov dashboard --scenario`` names the starting scenario.
SCENARIO_ENV = "NETGOV_DASHBOARD_SCENARIO"
#: The design a room compares against unless the facilitator picks another.
DEFAULT_BASELINE = "status_quo_intergovernmental"
#: The other design's key for "the design saved with 'Save this design'".
SAVED = "saved design"

log = logging.getLogger("netgov.dashboard")

#: Things to try, for the Info panel (each names controls and choices as the page shows them).
THINGS_TO_TRY: tuple[str, ...] = (
    "Set the notice period to 1 month, press Reset and play a year: who stops coming, and why (click an issue)?",
    f"Set who may take part to '{name('governments_only')}' and compare with '{name('open')}': what happens "
    "to inclusiveness and to legitimacy?",
    "Pick the distributed design (Internet Democracy Project) and compare it with the status quo on the same seed.",
    f"Try the decision rule '{name('concurrent_groups_regions')}': does any vote fail? Which group or region "
    "blocked it?",
    "Lower travel support to 0: which regions disappear from the tables?",
    "Save a design, change one rule, press Reset, and compare the two.",
)
SIDEBAR_CSS = """
.v-navigation-drawer { width: 340px !important; min-width: 340px !important; max-width: 340px !important; }
.v-card__title { word-break: normal !important; overflow-wrap: normal !important; hyphens: none !important; }
.netgov-main { max-width: 100%; overflow-x: hidden; }
.netgov-chart, .netgov-chart > div { width: 100%; }
.netgov-issues th { white-space: normal !important; }
.netgov-issues th, .netgov-issues td { padding: 2px 8px !important; }
@media (max-width: 1263px) { .netgov-issues th, .netgov-issues td { overflow-wrap: anywhere; } }
.netgov-hint { font-size: 0.8em; color: #333; line-height: 1.25; margin-bottom: 4px; }
.netgov-control { margin: 10px 0 6px; }
.netgov-label { font-weight: 500; color: #000; line-height: 1.25; flex: 1 1 auto; min-width: 0; }
.netgov-slider { margin: 0 -8px; }
.netgov-number input { text-align: right; }
"""
#: Projector mode: larger type everywhere (Vuetify sizes in rem), black on white, thicker rules, a black
#: app bar and black buttons: high contrast throughout.
PROJECTOR_CSS = """
html { font-size: 21px !important; }
.v-application, .v-application .v-card, .v-application .v-card__title, .v-application .v-card__text,
.v-application .v-label,
.v-application .v-select__selection, .v-application input, .v-application textarea,
.v-application .v-data-table, .v-application .v-data-table th, .netgov-hint { color: #000 !important; }
.v-application .primary { background-color: #000 !important; border-color: #000 !important; }
.v-application .primary--text { color: #000 !important; caret-color: #000 !important; }
.v-app-bar.v-toolbar, .v-app-bar.v-toolbar .v-toolbar__content { background-color: #000 !important; }
.v-app-bar.v-toolbar, .v-app-bar.v-toolbar .v-label, .v-app-bar.v-toolbar .v-toolbar__title,
.v-app-bar.v-toolbar .v-icon { color: #fff !important; }
.v-app-bar .v-input--switch .v-input--selection-controls__ripple, .v-app-bar .v-input--switch__thumb,
.v-app-bar .v-input--switch__track { color: #fff !important; }
.v-application .v-alert { border: 2px solid #000 !important; }
.netgov-main { font-size: 1.15rem; }
.netgov-main .v-card, .v-navigation-drawer .v-card { border: 2px solid #000 !important; }
.netgov-issues td, .netgov-issues th { font-size: 1rem !important; padding: 0 6px !important; }
"""


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
    seen = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
    return f"Not a {what} of this dashboard: {seen!r}. Pick one from the list."


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
        with solara.Div(classes=["netgov-hint"], style={"cursor": "help"}):
            solara.v.Html(tag="span", attributes={"title": f"advanced: {loaded.name}"}, children=["scenario file"])
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
    save: Callable[[], None],
    saved: str | None,
) -> None:
    """Compare two designs: the current run against a scenario or a saved design, on the same seed."""
    with solara.Card("Compare two designs"):
        solara.Switch(label="compare two designs", value=on, on_value=set_on)
        items = [{"text": scenario_title(n), "value": n} for n in scenario_names()]
        if saved is not None:
            items.insert(0, {"text": "the design you saved", "value": SAVED})
        solara.v.Select(label="other design", items=items, v_model=other, on_v_model=pick, dense=True).key(
            f"other-{refusals}"
        )
        if message:
            solara.Warning(message, classes=["netgov-refusal"])
        solara.Button("Save this design", on_click=save, outlined=True, small=True)
        if saved is not None:
            solara.Success(saved, dense=True, classes=["netgov-saved"])
        Line(
            "Both run on the same seed (the same agenda where the designs draw issues alike) and step together.",
            classes=["netgov-hint"],
        )


@solara.component
def InfoPanel() -> None:
    """The analogue of NetLogo's Info tab: what each metric and control means, and things to try."""
    title = "Info: what the dashboard shows, every metric and control explained, things to try"
    with solara.Details(title), solara.Column(classes=["netgov-info"]):
        solara.Markdown("**Things to try**\n\n" + "\n".join(f"1. {t}" for t in THINGS_TO_TRY))
        solara.Markdown(
            "**Metrics** (from the typed per-step contract)\n\n"
            + "\n".join(f"- {metric_words(m)}" for m in LIVE_METRICS)
        )
        controls = rule_controls(ModelConfig())
        solara.Markdown(
            "**Controls** (from the parameter schema)\n\n"
            + "\n".join(f"- *{c.label}*: {c.help}" for c in controls.values())
        )
        solara.Markdown("**Keys**: S or → steps one month, P plays or pauses, R resets (not while typing in a field).")


def Card(title: str, key: str) -> Any:
    """A card of the main area, with a class to find it by (tests, the scroll to "who is at the table")."""
    return solara.Card(title, classes=["netgov-card", f"netgov-{key}-card"])


def redraw_ties(ties: int, drawn: list[int]) -> int:
    """The ties to draw: ``ties`` once they have grown by ``TIES_GROWTH`` since those drawn last (``drawn``,
    kept per model), else those. A share of all collaboration moves little in a month, and the heat maps
    of a long run at 4x the actors took a quarter of a second to build."""
    if ties == 0 or ties >= drawn[0] * TIES_GROWTH or ties < drawn[0]:
        drawn[0] = ties
    return drawn[0]


@solara.component
def LiveViews(
    model: DashboardModel,
    big: bool,
    other: DashboardModel | None,
    labels: tuple[str, str],
) -> None:
    """Everything that changes with a step: counter, metrics (and beside them the comparison), what just
    happened, who is at an issue's table, the issue table, the collaboration ties.

    The one listener of Mesa's step signal (``update_counter``) among our components: Solara renders the
    page once per listener of a changed value, and every pass walks the whole sidebar. Each view gets what
    changes it (the month, the number of events, the issues' phases and venues, the ties once they have
    grown by 2%): a view whose arguments are unchanged is not rendered again.
    """
    update_counter.get()
    selected, set_selected = solara.use_state(cast(int | None, None), key=f"pick-{id(model)}")
    clicks, set_clicks = solara.use_state(0)
    with model.lock:
        month = model.month
        events = len(model.journal.events)
        moves = tuple((issue.phase, issue.venue, issue.attempts) for issue in model.issues)
        ties = redraw_ties(model.ties_formed, solara.use_memo(lambda: [0], [model]))
        ids = [issue.id for issue in model.issues]
    seat = (selected, moves[ids.index(selected)] if selected in ids else None)

    def open_issue(issue: int) -> None:
        set_selected(issue)
        set_clicks(lambda n: n + 1)

    StepCounter(month)
    with solara.ColumnsResponsive(12, large=6):
        with Card("Metrics over time", "metrics"):
            MetricsChart(model, month, big)
        if other is not None:
            with Card("Two designs compared", "compare"):
                CompareView(model, other, month, labels, big)
        else:
            with Card("What just happened", "events"):
                Timeline(model, events, open_issue, big)
    with solara.ColumnsResponsive(12, large=6):
        if other is not None:
            with Card("What just happened", "events"):
                Timeline(model, events, open_issue, big)
        with Card("Who is at the table", "seat"):
            SeatView(model, seat, clicks, big)
        if other is None:
            with Card("Who works with whom", "ties"):
                CollaborationView(model, ties, big)
    with Card("Issue networks (newest first; click a row)", "issue"):
        IssueTable(model, moves, open_issue, big)
    if other is not None:
        with solara.ColumnsResponsive(12, large=6), Card("Who works with whom", "ties"):
            CollaborationView(model, ties, big)


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
    saved_words, set_saved_words = solara.use_state(cast(str | None, None))
    other_message, other_refusals, other_refuse = use_refusal()
    notes, set_notes = solara.use_state("")
    play_interval = solara.use_reactive(PLAY_INTERVAL)
    render_interval = solara.use_reactive(RENDER_INTERVAL)
    use_threads = solara.use_reactive(False)  # Mesa's threaded loop: no control offers it
    session = solara.use_memo(Session, [])

    loaded, problem = solara.use_memo(lambda: load_safely(scenario), [scenario])
    # what Reset builds from: a fresh reactive per scenario, so Reset after a switch keeps the scenario's values
    values = solara.use_memo(lambda: solara.reactive(model_params(loaded.config)), [scenario])
    model: solara.Reactive[DashboardModel] = solara.use_reactive(
        solara.use_memo(lambda: DashboardModel(loaded.config, rng=SEED), [scenario])
    )
    current = model.value

    def pick_scenario(value: str) -> None:
        session.note(current.month, "scenario", scenario_title(scenario), scenario_title(value))
        set_scenario(value)

    def pick_other_design(value: str) -> None:
        session.note(current.month, "other design", other_label(other), other_label(value))
        set_other(value)

    def switch_compare(on: bool) -> None:
        session.note(current.month, "compare two designs", "on" if comparing else "off", "on" if on else "off")
        set_comparing(on)

    def other_label(key: str) -> str:
        return "the design you saved" if key == SAVED else scenario_title(key)

    pick = checked(lambda: scenario_choices(start), "scenario", pick_scenario, refuse)
    allowed_other = (lambda: [SAVED, *scenario_names()]) if saved is not None else scenario_names
    pick_other = checked(allowed_other, "design to compare with", pick_other_design, other_refuse)
    other_config = saved if other == SAVED and saved is not None else None
    other_model = solara.use_memo(
        lambda: DashboardModel(other_config or load(other).config, rng=current.seed) if comparing else None,
        [current, other, other_config, comparing],
    )
    labels = (f"this run: {loaded.title}", other_label(other))
    session.follow(current, loaded.title, loaded.config, other_model, labels[1])
    controls = solara.use_memo(lambda: rule_controls(loaded.config), [scenario])

    def change_rule(key: str, value: Any) -> None:
        session.note(current.month, controls[key].label, shown(key, values.value[key]), shown(key, value))
        values.value = {**values.value, key: value}

    loops = loop_controls(play_interval.value, render_interval.value)
    reactives = {"play_interval": play_interval, "render_interval": render_interval}

    def change_loop(key: str, value: Any) -> None:
        reactives[key].value = value

    def save() -> None:
        set_saved(current.config)
        words = f"Saved at month {current.month}: pick 'the design you saved' as the other design."
        set_saved_words(words)
        session.note(current.month, "design saved", "", loaded.title)

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
            Line("Keys: S step · P play/pause · R reset", classes=["netgov-hint"])
            KeyShortcuts.element()
        with solara.Card("Rules and actors"):
            solara.Text("A change takes effect when you press Reset.", style={"font-weight": "500"})
            Controls(controls, values.value, change_rule, "rules").key(f"rules-{scenario}")
        CompareCard(
            comparing,
            switch_compare,
            other,
            pick_other,
            other_message,
            other_refusals,
            save,
            saved_words,
        )
        with solara.Card("Session notes and report"):
            solara.InputTextArea("facilitator's notes", value=notes, on_value=set_notes, continuous_update=True)
            stamp = datetime.datetime.now().strftime("%Y-%m-%d_%H%M")
            solara.FileDownload(
                lambda: session_report(session, notes, loaded),
                filename=f"netgov_session_{stamp}.html",
                label="Session report (HTML)",
                mime_type="text/html",
            )
            solara.FileDownload(
                lambda: session_report(session, notes, loaded, printable=True),
                filename=f"netgov_session_{stamp}_print.html",
                label="Printable report (for PDF)",
                mime_type="text/html",
            )
            Line("Open the printable report and print it to PDF (Ctrl+P).", classes=["netgov-hint"])
            solara.FileDownload(
                lambda: current.step_table().to_csv(index=False),
                filename=f"netgov_{os.path.basename(scenario).removesuffix('.toml')}_steps.csv",
                label="Per-step table (CSV)",
                mime_type="text/csv",
            )
        solara.Switch(label="advanced (Mesa's loop controls)", value=advanced, on_value=set_advanced)
        if advanced:
            with solara.Card("Advanced"):
                Controls(loops, {k: r.value for k, r in reactives.items()}, change_loop, "loop")
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
