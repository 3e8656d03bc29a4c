"""The facilitator dashboard: a Solara app on Mesa's SolaraViz (start it with ``netgov dashboard``).

A facilitator picks a scenario, moves the rule controls, presses Reset, then Step or ▶
and watches who takes part and who decides. Every browser session builds its own model
(``solara.use_memo`` inside ``Page``): a model built at module level would be shared by
every visitor.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any, cast, get_args

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from netgov.dashboards.views import CompareView, IssueTable, MetricsChart, NetworkView
from netgov.model.catalog import GROUPS
from netgov.model.config import (
    ConfigError,
    DecisionRule,
    ModelConfig,
    ParticipationRule,
    field_at,
    field_bounds,
    nest,
)
from netgov.model.describe import changed_keys, inactive
from netgov.model.model import GovernanceModel
from netgov.scenarios.loader import DEFAULT, Scenario, load, scenario_names

#: Environment variable through which ``netgov dashboard --scenario`` names the starting scenario.
SCENARIO_ENV = "NETGOV_DASHBOARD_SCENARIO"
#: The scenario a room compares against unless the facilitator picks another.
DEFAULT_BASELINE = "status_quo_intergovernmental"
SEED = 0
#: The longest piece of a refused value that a message repeats back.
SHOWN_CHARS = 40

log = logging.getLogger("netgov.dashboard")

ACTOR_LABELS: dict[str, str] = {
    "government": "governments",
    "civil_society": "civil-society organisations",
    "business": "private-sector actors",
    "technical_community": "technical and academic community",
    "un_agency": "intergovernmental organisations / UN agencies",
}


class DashboardModel(GovernanceModel):
    """A GovernanceModel built the way SolaraViz's Reset builds it: one keyword per control.

    Table entries arrive as dotted keys (``actors.civil_society``, as with ``--set``). The
    seed is kept so a baseline can be run with the same one.
    """

    def __init__(
        self, config: ModelConfig | Mapping[str, Any] | None = None, *, rng: int = SEED, **controls: Any
    ) -> None:
        # Mesa's Reset also passes its own `scenario` object (mesa.experimental.scenarios), which
        # has nothing to do with netgov's scenario files: the config carries ours.
        controls.pop("scenario", None)
        super().__init__(config, rng=rng, **nest(controls))
        self.seed = rng


def _bounds(key: str) -> tuple[Any, Any]:
    """A parameter's (min, max) from the schema, so sliders never offer a value it rejects."""
    limits = field_bounds(field_at(key))
    return limits["ge"], limits["le"]


def _share_slider(value: float, label: str) -> dict[str, Any]:
    return {"type": "SliderFloat", "value": value, "min": 0.0, "max": 1.0, "step": 0.05, "label": label}


def model_params(config: ModelConfig) -> dict[str, Any]:
    """SolaraViz's controls for a scenario: the rules, actor counts and seed, starting at its values.

    ``config`` is passed through unchanged, so Reset rebuilds the scenario with the controls on top.
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


def scenario_choices(start: str) -> list[str]:
    """The picker's entries: the defaults, every shipped scenario, and a file given on the command line."""
    names = [DEFAULT, *scenario_names()]
    return names if start in names else [*names, start]


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


#: Show every slider's value beside its thumb at all times (Vuetify shows it only while dragging):
#: a room must read "notice period: 1" without anyone touching the slider.
SIDEBAR_CSS = """
.v-navigation-drawer .v-slider__thumb-label-container { display: block !important; }
.v-navigation-drawer .v-input__slider { padding-top: 26px; }
"""


@solara.component
def StepCounter(time: float) -> None:
    """A large step counter at the top of the page, readable from the back of a room."""
    solara.Text(
        f"Step: {int(time)}  (one step = one month)",
        style={"font-size": "22px", "font-weight": "500", "padding-left": "16px"},
    )


@solara.component
def ScenarioCard(
    scenario: str,
    on_scenario: Any,
    summary: str,
    model: solara.Reactive[GovernanceModel],
    choices: list[str] | None = None,
    message: str | None = None,
    refusals: int = 0,
    title: str = "",
    config: ModelConfig | None = None,
    set_keys: tuple[str, ...] = (),
) -> None:
    """Pick the starting scenario, and download the current run's per-step table.

    ``config`` is the running model's and ``set_keys`` what the scenario file or the controls set: Reset
    builds a new model, and the lines naming rules that have no effect (e.g. a participation rule under
    intergovernmental routing) follow the controls.

    ``refusals`` keys the picker: after a refused value it is rebuilt showing the scenario in force.
    """
    with solara.Card("Scenario"):
        values = choices if choices is not None else scenario_choices(scenario)
        solara.Select("scenario", value=scenario, values=values, on_value=on_scenario).key(f"scenario-{refusals}")
        if message:
            solara.Warning(message, classes=["netgov-refusal"])
        solara.Text(title, style={"font-weight": "500"})
        solara.Text(summary)
        for line in inactive(config, set_keys) if config is not None else ():
            solara.Info(line, dense=True, classes=["netgov-idle-rule"])
        solara.FileDownload(
            lambda: model.value.step_table().to_csv(index=False),
            filename=f"netgov_{os.path.basename(scenario).removesuffix('.toml')}_steps.csv",
            label="Download the per-step table (CSV)",
            mime_type="text/csv",
        )


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


@solara.component
def CompareControls(on: bool, set_on: Any, baseline: str, set_baseline: Any) -> None:
    """The sidebar card of 'compare with baseline'.

    A component of its own: the sidebar orders cards by nesting depth, and one level below
    SolaraViz puts this card after Mesa's controls.
    """
    message, refusals, refuse = use_refusal()

    pick = checked(scenario_names, "baseline scenario", set_baseline, refuse)
    with solara.Sidebar(), solara.Card("Compare with baseline"):
        solara.Switch(label="compare with baseline", value=on, on_value=set_on)
        solara.Select("baseline scenario", value=baseline, values=scenario_names(), on_value=pick).key(
            f"baseline-{refusals}"
        )
        if message:
            solara.Warning(message, classes=["netgov-refusal"])
        solara.Text("The baseline runs with the same seed for as many months as this run.")


@solara.component
def LiveViews(model: GovernanceModel, scenario: str, baseline: str | None) -> None:
    """Everything that changes with a step: counter, network, metrics, baseline comparison, issue table.

    The one listener of Mesa's step signal (``update_counter``) among our components. Solara
    renders the page once per listener of a changed value, and every pass walks the whole
    sidebar: with each view listening for itself, one step cost five passes. Our own layout
    rather than SolaraViz's grid: Mesa's chart components cost ~0.3 s (matplotlib) or
    35-70 ms (Altair) per step here.
    """
    update_counter.get()
    time = model.time
    StepCounter(time)
    with solara.Columns([3, 2]):
        with solara.Card("Collaboration network"):
            NetworkView(model, time)
        with solara.Card("Metrics over time"):
            MetricsChart(model, time)
    if baseline is not None:
        with solara.Card("Compare with baseline"):
            CompareView(model, time, scenario, baseline, model.seed)
    with solara.Card("Issue networks (newest first)"):
        IssueTable(model, time)


@solara.component
def Main(model: GovernanceModel, scenario: str) -> None:
    """The page's main area, and the 'compare with baseline' switch and picker in the sidebar."""
    on, set_on = solara.use_state(False)
    baseline, set_baseline = solara.use_state(DEFAULT_BASELINE)
    CompareControls(on, set_on, baseline, set_baseline)
    LiveViews(model, scenario, baseline if on else None)


@solara.component
def Dashboard() -> None:
    """The dashboard of one browser session: one model, the picked scenario, the views."""
    start = start_scenario()
    scenario, set_scenario = solara.use_state(start)
    message, refusals, refuse = use_refusal()

    pick = checked(lambda: scenario_choices(start), "scenario", set_scenario, refuse)
    loaded, problem = solara.use_memo(lambda: load_safely(scenario), [scenario])
    model = solara.use_reactive(solara.use_memo(lambda: DashboardModel(loaded.config, rng=SEED), [scenario]))
    with solara.Sidebar():
        ScenarioCard(
            scenario,
            pick,
            loaded.summary,
            model,
            scenario_choices(start),
            message or problem,
            refusals,
            loaded.title,
            model.value.config,
            (*loaded.sources, *changed_keys(model.value.config, loaded.config)),
        )
    solara.Style(SIDEBAR_CSS)
    solara.Title("netgov dashboard")
    Main(model.value, loaded.name)
    # keyed by scenario: switching remounts SolaraViz, so its controls start at the new scenario's values.
    # After Main: its main-area output is empty (the sidebar cards keep their order, set by nesting depth).
    SolaraViz(
        model,
        components=[],  # the controls, app bar and "Time:" counter only: LiveViews draws the rest
        model_params=model_params(loaded.config),
        name=f"netgov dashboard: {loaded.name}",
        play_interval=251,  # on the grid of Mesa's play-interval slider (1, 11, 21, ...)
    ).key(f"viz-{scenario}")


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
