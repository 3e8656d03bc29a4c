"""Component tests of the facilitator dashboard with ``solara.render`` (no browser)."""

from __future__ import annotations

from typing import Any, get_args

import ipyvuetify as v
import pandas as pd
import pytest
import solara
from hypothesis import given
from hypothesis import strategies as st

from netgov.dashboards.app import ACTOR_LABELS, DEFAULT_BASELINE, DashboardModel, Page, model_params
from netgov.dashboards.views import ISSUE_COLUMNS, LIVE_METRICS, issue_rows, metrics_spec
from netgov.model.core.catalog import GROUP_NAMES, GROUPS
from netgov.model.core.config import DecisionRule, ModelConfig, ParticipationRule, flatten, nest
from netgov.model.model import GovernanceModel
from netgov.scenarios.loader import load, scenario_names

RULE_LABELS = {
    "notice_period": "notice period (months)",
    "decision_rule": "decision rule",
    "participation_rule": "participation rule (who may take part)",
    "igf_feedback": "IGF feedback required before deciding",
}


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


def control(rc: Any, kind: type, label: str) -> Any:
    return rc.find(kind, label=label).widget


def click(rc: Any, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def rules_in_force(rc: Any) -> str:
    (line,) = [t for t in texts(rc) if t.startswith("Rules in force:")]
    return line


def test_every_rule_and_actor_count_has_a_labelled_control_at_the_scenario_value() -> None:
    rc = render()
    config = ModelConfig()
    sliders = {w.label: w for w in rc.find(v.Slider).widgets}
    selects = {w.label: w for w in rc.find(v.Select).widgets}
    assert sliders["notice period (months)"].v_model == config.notice_period
    assert sliders["background quality (0 poor–1 good)"].v_model == config.background_quality
    assert sliders["remote participation (0–1)"].v_model == config.remote_participation
    assert sliders["travel support (share of cost)"].v_model == config.travel_support
    for group in GROUPS:
        slider = sliders[f"{ACTOR_LABELS[group]} (actors)"]
        assert (slider.v_model, slider.min) == (getattr(config.actors, group), 0)
    assert selects["decision rule"].items == list(get_args(DecisionRule))
    assert selects["decision rule"].v_model == config.decision_rule
    assert selects["participation rule (who may take part)"].items == list(get_args(ParticipationRule))
    assert control(rc, v.Checkbox, RULE_LABELS["igf_feedback"]).v_model is config.igf_feedback
    assert {"Reset", "▶", "Step"} <= {c for w in rc.find(v.Btn).widgets for c in w.children if isinstance(c, str)}
    assert "Time: 0.0" in texts(rc)


def test_step_advances_time_and_the_step_counter() -> None:
    rc = render()
    for _ in range(3):
        click(rc, "Step")
    shown = texts(rc)
    assert "Time: 3.0" in shown
    assert any(t.startswith("Step: 3 ") for t in shown)


def test_a_changed_control_takes_effect_on_reset_with_a_new_model() -> None:
    rc = render()
    click(rc, "Step")
    assert "participation rule: open" in rules_in_force(rc)
    control(rc, v.Select, RULE_LABELS["participation_rule"]).v_model = "governments_only"
    control(rc, v.Slider, RULE_LABELS["notice_period"]).v_model = 1
    assert "participation rule: open" in rules_in_force(rc)  # nothing changes before Reset
    click(rc, "Reset")
    line = rules_in_force(rc)
    assert "participation rule: governments_only" in line
    assert "notice period: 1 months" in line
    assert "Time: 0.0" in texts(rc)


def test_picking_a_scenario_sets_the_controls_to_its_values() -> None:
    rc = render()
    target = load("status_quo_intergovernmental").config
    rc.find(v.Select, label="scenario").widget.v_model = "status_quo_intergovernmental"
    assert control(rc, v.Select, "decision rule").v_model == target.decision_rule
    assert control(rc, v.Select, RULE_LABELS["participation_rule"]).v_model == target.participation_rule
    assert f"decision rule: {target.decision_rule}" in rules_in_force(rc)


def test_compare_with_baseline_runs_the_baseline_for_as_many_months() -> None:
    rc = render()
    click(rc, "Step")
    click(rc, "Step")
    rc.find(v.Switch, label="compare two designs").widget.v_model = True
    click(rc, "Step")
    specs = [w.spec for w in rc.find(solara.widgets.VegaLite).widgets if "facet" in w.spec]
    assert len(specs) == 1
    data = pd.DataFrame(specs[0]["data"]["values"])
    assert set(data["run"]) == {f"this run: {load('defaults').title}", load(DEFAULT_BASELINE).title}
    assert data.groupby("run")["step"].max().tolist() == [3, 3]
    assert set(data["metric"]) == set(LIVE_METRICS)


@pytest.mark.parametrize("scenario", scenario_names())
def test_model_params_are_init_keywords_and_rebuild_the_same_model(scenario: str) -> None:
    """What Mesa's Reset does with untouched controls, for every scenario: type(model)(**{fixed, controls})."""
    config = load(scenario).config
    params = model_params(config)
    values = {k: (p["value"] if isinstance(p, dict) else p) for k, p in params.items()}
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
    values = metrics_spec(table)["layer"][0]["data"]["values"]
    expected = [
        {"step": s, "metric": m, "value": v} for k, m in enumerate(metrics) for s, v in ((0, None), (1, (k + 1) / 10))
    ]
    assert values == expected
    both = pd.concat([table.assign(run="a"), table.assign(run="b")], ignore_index=True)
    faceted = metrics_spec(both, by_run=["a", "b"])
    assert faceted["facet"]["column"]["sort"] == ["a", "b"]
    assert len(faceted["data"]["values"]) == 2 * len(values)
    assert {r["run"] for r in faceted["data"]["values"] if r["step"] == 1 and r["metric"] == "capture"} == {"a", "b"}


def test_issue_rows_have_the_documented_columns_newest_first() -> None:
    model = GovernanceModel(rng=3)
    model.run_for(12)
    rows = issue_rows(model)
    assert list(rows.columns) == list(ISSUE_COLUMNS)
    assert len(rows) == len(model.issue_table()) > 1
    assert rows["issue_id"].is_monotonic_decreasing
    assert set(ISSUE_COLUMNS) <= set(model.issue_table().columns)


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
    """Hovering a point shows the metric's meaning, read from netgov.model.core.contract (not written twice)."""
    from netgov.model.core.contract import STEP_DTYPES, column

    assert set(LIVE_METRICS) <= set(STEP_DTYPES)
    table = pd.DataFrame({"step": [0], **{m: [0.5] for m in LIVE_METRICS}})
    spec = metrics_spec(table)["layer"][0]
    (lookup,) = spec["transform"]
    meanings = {r["metric"]: r["meaning"] for r in lookup["from"]["data"]["values"]}
    assert meanings == {m: column(m).meaning for m in LIVE_METRICS}
    assert {"field": "meaning", "type": "nominal"} in spec["encoding"]["tooltip"]


def test_the_scenario_card_gives_its_title_and_names_idle_rules_after_reset(monkeypatch) -> None:
    from netgov.dashboards.app import SCENARIO_ENV

    monkeypatch.setenv(SCENARIO_ENV, "status_quo_intergovernmental")
    rc = render()
    assert load("status_quo_intergovernmental").title in texts(rc)
    assert not [t for t in texts(rc) if "has no effect" in t]
    control(rc, v.Select, RULE_LABELS["participation_rule"]).v_model = "open"
    click(rc, "Reset")
    idle = [t for t in texts(rc) if "has no effect" in t]
    assert len(idle) == 1 and idle[0].startswith("participation_rule has no effect")


def test_issue_table_headers_use_the_wsis_group_names() -> None:
    from netgov.dashboards.views import issue_html

    model = GovernanceModel(rng=0)
    model.run_for(24)
    html = issue_html(model)
    for g in GROUPS:
        assert f"<th>{GROUP_NAMES[g]}</th>" in html
    assert "participants_business" not in html
