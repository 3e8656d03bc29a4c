"""The facilitator dashboard: a Solara app on Mesa's SolaraViz (start it with ``netgov dashboard``).

A facilitator picks a scenario, moves the rule controls, presses Reset, then Step or ▶
and watches who takes part and who decides. Every browser session builds its own model
(``solara.use_memo`` inside ``Page``): a model built at module level would be shared by
every visitor.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, get_args

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from netgov.dashboards.views import CompareView, IssueTable, MetricsChart, NetworkView
from netgov.model.catalog import GROUPS
from netgov.model.config import DecisionRule, ModelConfig, ParticipationRule, field_at, field_bounds, nest
from netgov.model.model import GovernanceModel
from netgov.scenarios.loader import DEFAULT, load, scenario_names

#: Environment variable through which ``netgov dashboard --scenario`` names the starting scenario.
SCENARIO_ENV = "NETGOV_DASHBOARD_SCENARIO"
#: The scenario a room compares against unless the facilitator picks another.
DEFAULT_BASELINE = "status_quo_intergovernmental"
SEED = 0

ACTOR_LABELS: dict[str, str] = {
    "government": "governments",
    "civil_society": "civil-society organisations",
    "business": "businesses",
    "technical_community": "technical community",
    "un_agency": "UN agencies",
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
def ScenarioCard(scenario: str, on_scenario: Any, summary: str, model: solara.Reactive[GovernanceModel]) -> None:
    """Pick the starting scenario, and download the current run's per-step table."""
    with solara.Card("Scenario"):
        solara.Select("scenario", value=scenario, values=scenario_choices(scenario), on_value=on_scenario)
        solara.Text(summary)
        solara.FileDownload(
            lambda: model.value.step_table().to_csv(index=False),
            filename=f"netgov_{os.path.basename(scenario).removesuffix('.toml')}_steps.csv",
            label="Download the per-step table (CSV)",
            mime_type="text/csv",
        )


@solara.component
def CompareControls(on: bool, set_on: Any, baseline: str, set_baseline: Any) -> None:
    """The sidebar card of 'compare with baseline'.

    A component of its own: the sidebar orders cards by nesting depth, and one level below
    SolaraViz puts this card after Mesa's controls.
    """
    with solara.Sidebar(), solara.Card("Compare with baseline"):
        solara.Switch(label="compare with baseline", value=on, on_value=set_on)
        solara.Select("baseline scenario", value=baseline, values=scenario_names(), on_value=set_baseline)
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
def Page() -> None:
    """The dashboard page: one model per browser session."""
    scenario, set_scenario = solara.use_state(os.environ.get(SCENARIO_ENV) or DEFAULT)
    loaded = solara.use_memo(lambda: load(scenario), [scenario])
    model = solara.use_reactive(solara.use_memo(lambda: DashboardModel(loaded.config, rng=SEED), [scenario]))
    with solara.Sidebar():
        ScenarioCard(scenario, set_scenario, loaded.summary, model)
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
