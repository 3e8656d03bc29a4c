"""The dashboard's event journal, explanations, palette, comparison and session report (no browser)."""

from __future__ import annotations

import itertools
import re
from typing import Any

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
from test_dashboard import click, render, texts

from netgov.dashboards import app as dash
from netgov.dashboards.report import session_report
from netgov.dashboards.timeline import EVENT_KINDS, DashboardModel
from netgov.dashboards.views import GROUP_COLOURS, LIVE_METRICS, agenda, difference_spec
from netgov.model.core.config import ModelConfig
from netgov.model.core.contract import column
from netgov.scenarios.loader import load


@pytest.fixture(scope="module")
def run() -> DashboardModel:
    model = DashboardModel(rng=1)
    model.run_for(36)
    return model


def test_the_journal_notes_every_arrival_network_vote_and_stall(run: DashboardModel) -> None:
    events = run.journal.events
    kinds = {k: [e.issue for e in events if e.kind == k] for k in EVENT_KINDS}
    assert sorted(kinds["arrives"]) == [i.id for i in run.issues]
    assert sorted(kinds["convenes"]) == sorted(i.id for i in run.issues if i.convened)
    assert len(kinds["passes"]) == sum(len(i.outcomes) for i in run.issues)
    assert sorted(kinds["stalls"]) == sorted(i.id for i in run.issues if i.phase == "stalled")
    assert [e.month for e in events] == sorted(e.month for e in events)  # written in time order
    for issue in run.issues:  # an issue arrives before anything else happens to it
        assert next(e for e in events if e.issue == issue.id).kind == "arrives"
    assert run.journal.first_network == min(e.month for e in events if e.kind == "convenes")


def test_month_values_are_the_means_over_that_months_networks(run: DashboardModel) -> None:
    months = run.journal.month_values()
    # the last running mean is the mean over all networks: the count-weighted mean of the monthly means
    networks = pd.DataFrame(run.journal.values)
    for metric in ("participation_rate", "inclusiveness"):
        rows = networks[networks["metric"] == metric]
        assert run.step_table()[metric].iloc[-1] == pytest.approx(rows["value"].mean())
        mine = months[months["metric"] == metric].set_index("step")["value"]
        assert mine.to_dict() == pytest.approx(rows.groupby("step")["value"].mean().to_dict())


def test_every_control_and_metric_explains_itself_from_the_schema_and_contract() -> None:
    params = dash.model_params(ModelConfig())
    for key, spec in params.items():
        if isinstance(spec, dict):
            text = dash.explanation(key)
            assert re.search(r"[Rr]ange|0–99", text), (key, text)
    assert "Notice given before a meeting" in dash.explanation("notice_period")  # the schema's own words
    for metric in LIVE_METRICS:
        assert column(metric).meaning in dash.metric_explanation(metric)
    assert "Lower is better." in dash.metric_explanation("capture")
    assert "Higher is better." in dash.metric_explanation("inclusiveness")


def lab_under_deuteranopia(hex_colour: str) -> np.ndarray:
    """CIELAB of a colour as a deuteranope sees it (Machado et al. 2009, severity 1, in linear sRGB)."""
    machado = np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]])
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    rgb = np.clip(machado @ np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4), 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    f = (lambda t: np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116))(xyz / [0.9505, 1.0, 1.089])
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("palette", [GROUP_COLOURS, LIVE_METRICS], ids=["groups", "metrics"])
def test_palettes_stay_distinguishable_under_deuteranopia(palette: dict[str, str]) -> None:
    seen = {k: lab_under_deuteranopia(c) for k, c in palette.items()}
    for a, b in itertools.combinations(seen, 2):
        assert np.linalg.norm(seen[a] - seen[b]) > 15, (a, b)  # ΔE*ab: 2.3 is just noticeable


def test_difference_chart_is_first_design_minus_second() -> None:
    a, b = DashboardModel(rng=4), DashboardModel(load("status_quo_intergovernmental").config, rng=4)
    a.run_for(15)
    b.run_for(15)
    spec = difference_spec(a.step_table(), b.step_table(), ("a", "b"), big=False)
    values = pd.DataFrame(spec["data"]["values"]).set_index(["step", "metric"])["value"]
    for metric in LIVE_METRICS:
        for step in (5, 15):
            x, y = a.step_table()[metric].iloc[step], b.step_table()[metric].iloc[step]
            got = values.loc[(step, metric)]
            assert (got is None or np.isnan(got)) if np.isnan(x - y) else got == pytest.approx(x - y)
    assert agenda(a) == agenda(b)  # the same seed: the same issues arrive in both designs


def test_reset_after_switching_scenario_keeps_the_scenarios_values() -> None:
    """The bug of SolaraViz's controls: after a switch, Reset rebuilt the model with the schema defaults."""
    rc = render()
    target = load("status_quo_intergovernmental").config
    assert target.decision_rule != ModelConfig().decision_rule
    rc.find(v.Select, label="scenario").widget.v_model = "status_quo_intergovernmental"
    click(rc, "Step")
    click(rc, "Reset")
    (line,) = [t for t in texts(rc) if t.startswith("Rules in force:")]
    assert f"decision rule: {target.decision_rule}" in line
    assert f"participation rule: {target.participation_rule}" in line


def test_compare_mode_steps_both_designs_on_one_seed_with_one_agenda() -> None:
    rc = render()
    rc.find(v.Switch, label="compare two designs").widget.v_model = True
    for _ in range(12):
        click(rc, "Step")
    (status,) = [t for t in texts(rc) if t.startswith("Both at month")]
    assert status.startswith("Both at month 12 / 12") and "the same agenda" in status


def test_the_session_report_is_one_file_with_every_chart_inline(run: DashboardModel) -> None:
    other = DashboardModel(load("status_quo_intergovernmental").config, rng=run.seed)
    page = session_report(
        run, other, ("this run", "status quo"), "Room asked <why> Africa is missing", load("defaults")
    )
    assert page.count('src="data:image/png;base64,') == 5  # metrics and timeline of each design, the difference
    assert 'src="http' not in page and "<script" not in page  # nothing to fetch, nothing to run
    assert "Room asked &lt;why&gt; Africa is missing" in page
    assert int(other.time) == int(run.time)  # the other design was run for as many months
    for issue in run.issues:
        assert f"<td>{issue.id}</td>" in page
    assert all(e.text in page for e in run.journal.events if "&" not in e.text)


@pytest.mark.parametrize(
    ("label", "value"),
    [("notice period (months)", 10_000), ("notice period (months)", "3"), ("travel support (share of cost)", -1.0)],
)
def test_a_control_refuses_a_value_it_does_not_offer(label: str, value: Any) -> None:
    rc = render()
    rc.find(v.Slider, label=label).widget.v_model = value
    click(rc, "Reset")
    (line,) = [t for t in texts(rc) if t.startswith("Rules in force:")]
    c = ModelConfig()
    assert f"notice period: {c.notice_period} months" in line and f"travel support: {c.travel_support:.2f}" in line


def test_clicking_an_issue_row_opens_its_table_and_a_forged_row_changes_nothing() -> None:
    rc = render()
    for _ in range(6):
        click(rc, "Step")
    table = rc.find(v.DataTable).widget
    for forged in ({"issue_id": "1; drop"}, {"issue_id": True}, None, ["issue_id", 0]):
        table.fire_event("click:row", forged)
    assert not [t for t in texts(rc) if t.startswith("Issue #")]
    newest = table.items[0]["issue_id"]
    table.fire_event("click:row", table.items[0])
    (summary,) = [t for t in texts(rc) if t.startswith("Issue #")]
    assert summary.startswith(f"Issue #{newest} ")


def test_the_vote_chart_has_each_groups_yes_and_no_in_its_colour(run: DashboardModel) -> None:
    from netgov.dashboards.views import seat_tables, vote_spec
    from netgov.model.core.catalog import GROUP_NAMES, GROUPS

    voted = next(i for i in run.issues if i.votes is not None)
    tables = seat_tables(run, voted.id)
    spec = vote_spec(tables["votes_by_group"], big=False)
    bars = {(r["group"], r["vote"]): r["votes"] for r in spec["data"]["values"]}
    for g in GROUPS:
        name = GROUP_NAMES[g]
        assert bars[(name, "yes")] == tables["votes_by_group"].loc[name, "yes"] >= 0
        assert bars[(name, "no")] == -tables["votes_by_group"].loc[name, "no"] <= 0
    assert sum(bars[(GROUP_NAMES[g], "yes")] for g in GROUPS) == int(voted.votes.sum())
    assert spec["encoding"]["color"]["scale"]["range"] == [GROUP_COLOURS[g] for g in GROUPS]
