"""Component tests of the facilitator dashboard with ``solara.render`` (no browser)."""

from __future__ import annotations

from typing import Any, get_args

import ipyvuetify as v
import pandas as pd
import pytest
import solara
from hypothesis import given
from hypothesis import strategies as st

from netgov.dashboards.app import DEFAULT_BASELINE, DashboardModel, Page, model_params
from netgov.dashboards.chart import Chart
from netgov.dashboards.controls import ACTOR_LABELS
from netgov.dashboards.specs import LIVE_METRICS, METRIC_NAMES, metrics_spec
from netgov.dashboards.views import ISSUE_COLUMNS, issue_rows
from netgov.dashboards.words import name
from netgov.model.core.catalog import GROUP_NAMES, GROUPS
from netgov.model.core.config import DecisionRule, ModelConfig, ParticipationRule, flatten, nest
from netgov.model.model import GovernanceModel
from netgov.scenarios.loader import load, scenario_names


@solara.component
def App() -> None:
    """The page inside Solara's AppLayout, which collects the sidebar cards as `solara run` does."""
    with solara.AppLayout():
        Page()


def render() -> Any:
    box, rc = solara.render(App(), handle_error=False)
    rc.box = box
    return rc


def texts(rc: Any) -> list[str]:
    """Every text shown on the page, in document order."""
    found: list[str] = []

    def walk(widget: Any) -> None:
        for child in getattr(widget, "children", ()):
            if isinstance(child, str):
                found.append(child)
            else:
                walk(child)

    walk(rc.box)
    return found


def widgets(rc: Any) -> list[Any]:
    """Every widget on the page, in document order (``rc.find`` stops at the outermost match)."""
    found: list[Any] = []

    def walk(widget: Any) -> None:
        found.append(widget)
        for child in getattr(widget, "children", ()) or ():
            if not isinstance(child, str):
                walk(child)

    walk(rc.box)
    return found


def control(rc: Any, kind: type, key: str) -> Any:
    """The widget of one control (by its parameter key: ``notice_period``, ``actors.business``)."""
    css = f"netgov-key-{key.replace('.', '-')}"
    (widget,) = [w for w in rc.find(kind).widgets if css in (w.class_ or "").split()]
    return widget


def click(rc: Any, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def rules_in_force(rc: Any) -> str:
    (line,) = [t for t in texts(rc) if t.startswith("Rules in force:")]
    return line


def month_shown(rc: Any) -> int:
    (counter,) = [t for t in texts(rc) if t.startswith("Month ") and not t.endswith(":")]
    return int(counter.split()[1])


def test_every_rule_and_actor_count_has_a_control_at_the_scenario_value() -> None:
    rc = render()
    config = ModelConfig()
    assert control(rc, v.Slider, "notice_period").v_model == config.notice_period
    assert control(rc, v.TextField, "notice_period").v_model == str(config.notice_period)
    assert control(rc, v.Slider, "background_quality").v_model == config.background_quality
    assert control(rc, v.Slider, "remote_participation").v_model == config.remote_participation
    assert control(rc, v.Slider, "travel_support").v_model == config.travel_support
    for group in GROUPS:
        slider = control(rc, v.Slider, f"actors.{group}")
        assert (slider.v_model, slider.min) == (getattr(config.actors, group), 0)
        assert f"{ACTOR_LABELS[group]} (actors)" in texts(rc)
    rule = control(rc, v.Select, "decision_rule")
    assert [i["value"] for i in rule.items] == list(get_args(DecisionRule))
    assert rule.v_model == config.decision_rule
    who = control(rc, v.Select, "participation_rule")
    assert [i["value"] for i in who.items] == list(get_args(ParticipationRule))
    assert control(rc, v.Switch, "igf_feedback").v_model is config.igf_feedback
    assert {"Reset", "▶", "Step"} <= {c for w in rc.find(v.Btn).widgets for c in w.children if isinstance(c, str)}
    assert month_shown(rc) == 0


def test_choices_are_shown_by_their_display_names_with_the_identifier_in_a_tooltip() -> None:
    rc = render()
    for key in ("decision_rule", "participation_rule"):
        items = control(rc, v.Select, key).items
        assert [i["text"] for i in items] == [name(i["value"]) for i in items]
        assert all("_" not in i["text"] for i in items)
    tooltips = [w.attributes.get("title", "") for w in widgets(rc) if getattr(w, "attributes", None)]
    assert "advanced: concurrent_groups_regions" not in tooltips  # a choice's identifier is its value, not shown
    assert {"advanced: decision_rule", "advanced: actors.un_agency", "advanced: travel_support"} <= set(tooltips)
    shown = texts(rc)
    assert not [t for t in shown if "regional_balance" in t or "participation_rule" in t]


def test_help_text_is_in_words() -> None:
    rc = render()
    hints = [t for t in texts(rc) if t.startswith(("Notice given", "Share of travel", "How a network", "Number of"))]
    assert "Notice given before a meeting. From 0 to 24 months; default 3." in hints
    assert "Share of travel cost covered for actors in need. From 0 to 1; default 0." in hints
    assert "How a network decides. Default: majority vote." in hints
    assert all("<=" not in h and ">=" not in h and "False" not in h and "`" not in h for h in hints)


def test_step_advances_the_month() -> None:
    rc = render()
    for _ in range(3):
        click(rc, "Step")
    assert month_shown(rc) == 3
    assert not [t for t in texts(rc) if t.startswith("Time:")]  # Mesa's "Time: 3.0" is not shown


def test_a_changed_control_takes_effect_on_reset_with_a_new_model() -> None:
    rc = render()
    click(rc, "Step")
    assert "who may take part: open to all" in rules_in_force(rc)
    control(rc, v.Select, "participation_rule").v_model = "governments_only"
    control(rc, v.Slider, "notice_period").v_model = 1
    assert "who may take part: open to all" in rules_in_force(rc)  # nothing changes before Reset
    click(rc, "Reset")
    line = rules_in_force(rc)
    assert "who may take part: governments only" in line
    assert "notice period: 1 months" in line
    assert month_shown(rc) == 0


def test_the_number_field_sets_the_value_the_slider_cannot_reach_exactly() -> None:
    rc = render()
    control(rc, v.TextField, "travel_support").fire_event("change", "0.33")
    assert control(rc, v.Slider, "travel_support").v_model == 0.33
    click(rc, "Reset")
    assert "travel support: 0.33" in rules_in_force(rc)


def test_picking_a_scenario_sets_the_controls_to_its_values() -> None:
    rc = render()
    target = load("status_quo_intergovernmental").config
    rc.find(v.Select, label="scenario").widget.v_model = "status_quo_intergovernmental"
    assert control(rc, v.Select, "decision_rule").v_model == target.decision_rule
    assert control(rc, v.Select, "participation_rule").v_model == target.participation_rule
    assert f"decision rule: {name(target.decision_rule)}" in rules_in_force(rc)


def test_compare_with_baseline_runs_the_baseline_for_as_many_months() -> None:
    rc = render()
    click(rc, "Step")
    click(rc, "Step")
    rc.find(v.Switch, label="compare two designs").widget.v_model = True
    click(rc, "Step")
    designs = [w.datasets.data["design"] for w in rc.find(Chart).widgets if "design" in w.datasets.data]
    assert len(designs) == 2
    for rows in designs:
        data = pd.DataFrame(rows)
        assert data["step"].max() == 3
        assert list(data.columns) == ["step", *METRIC_NAMES.values()]
    (status,) = [t for t in texts(rc) if t.startswith("Both at month")]
    assert status.startswith("Both at month 3 / 3")
    assert load(DEFAULT_BASELINE).title in " ".join(texts(rc))


@pytest.mark.parametrize("scenario", scenario_names())
def test_model_params_are_init_keywords_and_rebuild_the_same_model(scenario: str) -> None:
    """What Mesa's Reset does with untouched controls, for every scenario: type(model)(**{fixed, controls})."""
    config = load(scenario).config
    values = model_params(config)
    rebuilt = DashboardModel(**values)
    direct = GovernanceModel(config, rng=values["rng"])
    assert rebuilt.config == direct.config
    rebuilt.run_for(12)
    direct.run_for(12)
    pd.testing.assert_frame_equal(rebuilt.step_table(), direct.step_table())


def test_dashboard_model_ignores_mesas_scenario_object_and_keeps_its_seed() -> None:
    from mesa.experimental.scenarios import Scenario

    model = DashboardModel(rng=7, scenario=Scenario(), **{"actors.business": 9, "notice_period": 2})
    assert model.seed == 7
    assert model.config.actors.business == 9
    assert model.config.notice_period == 2


@given(st.dictionaries(st.from_regex(r"[a-z]{1,4}(\.[a-z]{1,4}){0,2}", fullmatch=True), st.integers(), max_size=6))
def test_nest_keeps_every_value_at_its_dotted_path(flat: dict[str, int]) -> None:
    leaves = [k for k in flat if not any(o != k and o.startswith(k + ".") for o in flat)]
    nested = nest({k: flat[k] for k in leaves})
    for key in leaves:
        node: Any = nested
        for part in key.split("."):
            node = node[part]
        assert node == flat[key]


@given(st.dictionaries(st.from_regex(r"[a-z]{1,4}(\.[a-z]{1,4}){0,2}", fullmatch=True), st.integers(), max_size=6))
def test_flatten_undoes_nest(flat: dict[str, int]) -> None:
    leaves = {k: v for k, v in flat.items() if not any(o != k and o.startswith(k + ".") for o in flat)}
    assert flatten(nest(leaves)) == leaves


def test_metrics_spec_has_every_metric_at_every_step_and_nan_as_a_gap() -> None:
    metrics = list(LIVE_METRICS)
    table = pd.DataFrame({"step": [0, 1], **{m: [float("nan"), (k + 1) / 10] for k, m in enumerate(metrics)}})
    spec, data = metrics_spec(table)
    expected = [
        {"step": 0, **{METRIC_NAMES[m]: None for m in metrics}},
        {"step": 1, **{METRIC_NAMES[m]: (k + 1) / 10 for k, m in enumerate(metrics)}},
    ]
    assert data["metrics"] == expected
    lines = spec["layer"][0]
    assert lines["data"] == {"name": "metrics"}  # the rows travel apart from the spec
    assert lines["transform"][0] == {"fold": list(METRIC_NAMES.values()), "as": ["metric", "value"]}


def test_a_long_run_is_thinned_to_a_bounded_number_of_months_keeping_the_last() -> None:
    from netgov.dashboards.chart import MAX_ROWS

    months = 1500
    table = pd.DataFrame({"step": range(months), **{m: [0.5] * months for m in LIVE_METRICS}})
    _spec, data = metrics_spec(table)
    steps = [r["step"] for r in data["metrics"]]
    assert len(steps) <= MAX_ROWS + 1 and steps[0] == 0 and steps[-1] == months - 1
    short = table.head(MAX_ROWS)
    assert len(metrics_spec(short)[1]["metrics"]) == MAX_ROWS  # a short run: every month


def test_issue_rows_have_the_documented_columns_newest_first_in_words() -> None:
    model = DashboardModel(rng=3)
    model.run_for(12)
    rows = issue_rows(model)
    assert list(rows.columns) == list(ISSUE_COLUMNS)
    assert len(rows) == len(model.issue_table()) > 1
    assert rows["issue_id"].is_monotonic_decreasing
    assert set(ISSUE_COLUMNS) <= set(model.issue_table().columns)
    assert not rows["venue"].str.contains("_").any() and not rows["phase"].str.contains("_").any()
    assert set(rows["venue"]) <= {name(v) for v in model.issue_table()["venue"]}


@pytest.mark.parametrize(
    ("args", "named"),
    [(["--scenario", "no_such_scenario"], "no_such_scenario"), (["--port", "70000"], "--port 70000")],
)
def test_dashboard_command_rejects_bad_input_in_one_line(run_netgov: Any, args: list[str], named: str) -> None:
    result = run_netgov("dashboard", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and named in result.stderr
    assert "Traceback" not in result.stderr and "http://" not in result.stdout


def test_metrics_chart_explains_each_metric_from_the_contract() -> None:
    """Hovering a point shows the metric's plain meaning, read from netgov.model.core.contract (not written twice)."""
    from netgov.model.core.contract import STEP_DTYPES, column

    assert set(LIVE_METRICS) <= set(STEP_DTYPES)
    table = pd.DataFrame({"step": [0], **{m: [0.5] for m in LIVE_METRICS}})
    spec = metrics_spec(table)[0]["layer"][0]
    _fold, lookup = spec["transform"]
    meanings = {r["metric"]: r["meaning"] for r in lookup["from"]["data"]["values"]}
    assert meanings == {METRIC_NAMES[m]: column(m).plain for m in LIVE_METRICS}
    assert {"field": "meaning", "type": "nominal"} in spec["encoding"]["tooltip"]


def test_the_scenario_card_gives_its_title_and_names_idle_rules_after_reset(monkeypatch) -> None:
    from netgov.dashboards.app import SCENARIO_ENV

    monkeypatch.setenv(SCENARIO_ENV, "status_quo_intergovernmental")
    rc = render()
    assert load("status_quo_intergovernmental").title in texts(rc)
    assert not [t for t in texts(rc) if "has no effect" in t]
    control(rc, v.Select, "participation_rule").v_model = "open"
    click(rc, "Reset")
    idle = [t for t in texts(rc) if "has no effect" in t]
    assert len(idle) == 1 and idle[0].startswith("participation_rule has no effect")


def test_issue_table_headers_use_the_wsis_group_names() -> None:
    from netgov.dashboards.views import issue_html

    model = DashboardModel(rng=0)
    model.run_for(24)
    html = issue_html(model)
    for g in GROUPS:
        assert f"<th>{GROUP_NAMES[g]}</th>" in html
    assert "participants_business" not in html and "action_line_coalition" not in html
