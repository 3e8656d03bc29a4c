"""The facilitator's controls: every value checked on the server before use, every label in words.

A browser can send anything for any control (``$emit('input', 'abc')`` from the console): a value is
used only if it has the control's type and lies in its range (``accept``); anything else is refused
with one line on the page, and the control is rebuilt showing the value in force. A number control is a
slider with a number field beside it (the slider's track stays wide enough to set an intermediate value
with the mouse at 1280x720); a choice is shown by its display name, its identifier only in the
"advanced" tooltip of its label.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, cast, get_args

import reacton.ipyvuetify as rv
import solara

from netgov.dashboards.words import help_text, name, number
from netgov.model.core.catalog import GROUPS
from netgov.model.core.config import DecisionRule, ModelConfig, ParticipationRule
from netgov.model.core.schema_lookup import field_at, field_bounds

log = logging.getLogger("netgov.dashboard")
Kind = Literal["int", "float", "choice", "switch"]
#: The longest piece of a refused value that a message repeats back.
SHOWN_CHARS = 40
SEED = 0
#: Play interval (ms) and render interval (steps): Mesa's loop controls, bounded so that a forged value
#: cannot keep a core busy (a redraw at least every 10 steps; a play interval of at least 50 ms).
PLAY_INTERVAL = 251
RENDER_INTERVAL = 1
ACTOR_LABELS: dict[str, str] = {
    "government": "governments",
    "civil_society": "civil-society organisations",
    "business": "private-sector actors",
    "technical_community": "technical and academic community",
    "un_agency": "IGOs / UN agencies",
}


@dataclass(frozen=True)
class Control:
    """One control: its key (a ModelConfig parameter, or a key of Mesa's loop), its kind, its label in
    words, the value it shows, and its range (numbers) or choices."""

    key: str
    kind: Kind
    label: str
    value: Any
    lo: float = 0
    hi: float = 1
    step: float = 1
    choices: tuple[str, ...] = ()
    help: str = ""

    def accept(self, value: Any) -> tuple[Any, str | None]:
        """``(value, None)`` if the control offers ``value`` (a number field's text is parsed), else
        ``(None, one line saying why)``."""
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value, None
            return None, self.refusal(value, "not one of its choices")
        if self.kind == "switch":
            return (value, None) if isinstance(value, bool) else (None, self.refusal(value, "not on or off"))
        parsed = _number(value)
        if parsed is None:
            return None, self.refusal(value, "not a number")
        if self.kind == "int":
            if parsed != int(parsed):
                return None, self.refusal(value, "not a whole number")
            parsed = int(parsed)
        if not self.lo <= parsed <= self.hi:
            return None, self.refusal(value, f"outside {number(self.lo)} to {number(self.hi)}")
        return parsed, None

    def refusal(self, value: Any, why: str) -> str:
        """One short line: which control, the start of the value, why, and what it keeps."""
        text = str(value)
        seen = text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
        return f"{self.label}: {seen!r} is {why}; it stays at {self.shown(self.value)}."

    @property
    def slug(self) -> str:
        """The key as a CSS class name (``actors.business`` -> ``actors-business``)."""
        return self.key.replace(".", "-")

    def shown(self, value: Any) -> str:
        return name(value) if self.kind == "choice" else number(value)


def _number(value: Any) -> float | None:
    """A finite number from a slider (int or float) or a number field (its text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 30:
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _schema(key: str, value: Any, label: str, step: float) -> Control:
    """A number control over a parameter's schema range."""
    bounds = field_bounds(field_at(key))
    kind: Kind = "int" if isinstance(value, int) else "float"
    return Control(key, kind, label, value, bounds["ge"], bounds["le"], step)


def rule_controls(config: ModelConfig) -> dict[str, Control]:
    """The rule controls of a scenario, at its values: the rules, actor counts and the seed."""
    c = config
    controls = [
        _schema("notice_period", c.notice_period, "notice period (months)", 1),
        _schema("background_quality", c.background_quality, "background quality", 0.05),
        Control("decision_rule", "choice", "decision rule", c.decision_rule, choices=get_args(DecisionRule)),
        Control(
            "participation_rule",
            "choice",
            "who may take part",
            c.participation_rule,
            choices=get_args(ParticipationRule),
        ),
        _schema("remote_participation", c.remote_participation, "remote participation", 0.05),
        _schema("travel_support", c.travel_support, "travel support (share of cost)", 0.05),
        Control("igf_feedback", "switch", "IGF feedback before deciding", c.igf_feedback),
    ]
    for group in GROUPS:
        count = getattr(c.actors, group)
        key = f"actors.{group}"
        controls.append(Control(key, "int", f"{ACTOR_LABELS[group]} (actors)", count, 0, max(400, 2 * count), 1))
    controls.append(Control("rng", "int", "seed", SEED, 0, 99, 1))
    return {k.key: replace(k, help=help_text(k.key, k.kind, k.lo, k.hi)) for k in controls}


def loop_controls(play: int, render: int) -> dict[str, Control]:
    """Mesa's loop controls (behind the "advanced" switch), bounded."""
    return {
        "play_interval": Control(
            "play_interval",
            "int",
            "play interval (ms)",
            play,
            50,
            1000,
            10,
            help="Milliseconds between two steps while playing. From 50 to 1000; default 251.",
        ),
        "render_interval": Control(
            "render_interval",
            "int",
            "render interval (steps)",
            render,
            1,
            10,
            1,
            help="Steps run between two redraws while playing. From 1 to 10; default 1.",
        ),
    }


def model_params(config: ModelConfig) -> dict[str, Any]:
    """What Mesa's Reset builds from before any control is touched: the scenario's config and each
    control's value (dotted keys reach into tables, as with ``--set``)."""
    return {"config": config, **{k: c.value for k, c in rule_controls(config).items()}}


def Label(control: Control) -> None:
    """A control's label in words; its identifier only in the tooltip ("advanced")."""
    rv.Html(
        tag="div",
        attributes={"title": f"advanced: {control.key}"},
        children=[control.label],
        class_="netgov-label",
    )


def Hint(text: str) -> None:
    with solara.Div(classes=["netgov-hint"]):
        solara.Text(text)


@solara.component
def NumberControl(control: Control, on_value: Callable[[Control, Any], None]) -> None:
    """A slider (the full width of the sidebar) with a number field beside the label."""
    with solara.Div(classes=["netgov-control", f"netgov-control-{control.slug}"]):
        with solara.Row(justify="space-between", style={"align-items": "center"}, gap="8px"):
            Label(control)
            field = rv.TextField(
                v_model=number(control.value),
                type="number",
                dense=True,
                hide_details=True,
                outlined=True,
                class_=f"netgov-number netgov-key-{control.slug}",
                style_="max-width: 6em; flex: 0 0 6em",
                attributes={"step": str(control.step), "min": str(control.lo), "max": str(control.hi)},
            )
            rv.use_event(field, "change", lambda _w, _e, value: on_value(control, value))  # type: ignore[arg-type, misc]
        rv.Slider(
            v_model=control.value,
            on_v_model=lambda value: on_value(control, value),
            min=control.lo,
            max=control.hi,
            step=control.step,
            hide_details=True,
            class_=f"netgov-slider netgov-key-{control.slug}",
        )
        Hint(control.help)


@solara.component
def ChoiceControl(control: Control, on_value: Callable[[Control, Any], None]) -> None:
    """A picker whose entries are display names (the identifiers are its values)."""
    items = [{"text": name(c), "value": c} for c in control.choices]
    with solara.Div(classes=["netgov-control", f"netgov-control-{control.slug}"]):
        Label(control)
        rv.Select(
            v_model=control.value,
            on_v_model=lambda value: on_value(control, value),
            items=items,
            dense=True,
            hide_details=True,
            class_=f"netgov-select netgov-key-{control.slug}",
            label=control.label,
            single_line=True,
        )
        Hint(control.help)


@solara.component
def SwitchControl(control: Control, on_value: Callable[[Control, Any], None]) -> None:
    with solara.Div(classes=["netgov-control", f"netgov-control-{control.slug}"]):
        rv.Switch(
            v_model=control.value,
            on_v_model=lambda value: on_value(control, value),
            label=control.label,
            hide_details=True,
            dense=True,
            class_=f"netgov-switch netgov-key-{control.slug}",
        )
        Hint(control.help)


def ControlFor(control: Control, on_value: Callable[[Control, Any], None]) -> Any:
    """The control's component for its kind."""
    if control.kind == "choice":
        return ChoiceControl(control, on_value)
    if control.kind == "switch":
        return SwitchControl(control, on_value)
    return NumberControl(control, on_value)


@solara.component
def Controls(
    controls: dict[str, Control],
    values: dict[str, Any],
    on_accept: Callable[[str, Any], None],
    prefix: str,
) -> None:
    """A card's controls at ``values``; an accepted value goes to ``on_accept(key, value)``, a refused one
    is one line above the controls, and the refused control is rebuilt showing the value in force.

    The handler is made once and reads the latest values through a ref: a new handler every render
    would be a new argument for every control, and each would be drawn again for any change to one.
    """
    message, set_message = solara.use_state(cast(str | None, None))
    refusals, set_refusals = solara.use_state(cast(dict[str, int], {}))
    latest = solara.use_ref(cast(Any, None))
    latest.current = (values, on_accept, set_message, set_refusals)

    def handle(control: Control, value: Any) -> None:
        values_now, accept, say, count = latest.current
        accepted, why = control.accept(value)
        if why is not None:
            log.warning("refused %s %r from the browser", control.key, str(value)[:200])
            say(why)
            count(lambda n: {**n, control.key: n.get(control.key, 0) + 1})
            return
        say(None)
        if accepted != values_now.get(control.key):
            accept(control.key, accepted)

    on_value = solara.use_memo(lambda: handle, [])

    if message:
        solara.Warning(message, classes=["netgov-refusal"], dense=True)
    for key, control in controls.items():
        ControlFor(replace(control, value=values.get(key, control.value)), on_value).key(
            f"{prefix}-{key}-{refusals.get(key, 0)}"
        )
