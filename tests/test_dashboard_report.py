"""The session report: what the room did, downloaded through the page's own button (no browser)."""

from __future__ import annotations

import re
import time
from typing import Any

import ipyvuetify as v
import pandas as pd
import pytest
from solara.components.file_download import FileDownloadWidget
from test_dashboard import click, control, render

from netgov.analysis.html import environment, figure, stylesheet
from netgov.dashboards.report import session_report
from netgov.dashboards.session import Session, differences
from netgov.dashboards.timeline import DashboardModel
from netgov.dashboards.words import metric_name
from netgov.model.core.config import ModelConfig
from netgov.model.core.contract import JUDGED_METRICS
from netgov.scenarios.loader import load

pytestmark = pytest.mark.slow  # a workshop session played through the page first: make test, not make quick


def download(rc: Any, printable: bool = False) -> str:
    """Press a report button of the page and return the file it sends."""
    (widget,) = [
        w
        for w in rc.find(FileDownloadWidget).widgets
        if w.filename.endswith(".html") and w.filename.endswith("_print.html") == printable
    ]
    widget.request_download = True
    deadline = time.monotonic() + 60
    while not widget.bytes and time.monotonic() < deadline:
        time.sleep(0.05)
    return widget.bytes.decode("utf-8")


def table(html: str, name: str) -> list[list[str]]:
    """The body rows of ``<table class="name">`` as lists of cell texts."""
    (body,) = re.findall(rf'<table class="{name}">.*?<tbody>(.*?)</tbody>', html, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def sections(html: str) -> list[str]:
    """The report cut at its <h2> headings."""
    return re.split(r"<h2>", html)


@pytest.fixture(scope="module")
def workshop() -> str:
    """Step 4 of the README's workshop, on the page: the distributed design, then travel support 0.8 -> 0
    (which is the schema default), Reset, and on."""
    rc = render()
    rc.find(v.Select, label="scenario").widget.v_model = "idp_distributed"
    for _ in range(3):
        click(rc, "Step")
    control(rc, v.Slider, "travel_support").v_model = 0.0
    click(rc, "Reset")
    for _ in range(2):
        click(rc, "Step")
    rc.find(v.Textarea).widget.v_model = "Africa <left> the security network"
    return download(rc)


def test_a_change_back_to_the_default_value_is_listed(workshop: str) -> None:
    assert ModelConfig().travel_support == 0.0 < load("idp_distributed").config.travel_support == 0.8
    (last,) = [s for s in sections(workshop) if s.startswith("Run 2: ")]
    assert table(last, "against-scenario") == [["travel support (share of cost)", "0.8", "0", "travel_support"]]
    assert "travel_support" not in str(table(last, "against-defaults"))  # at the default, so not listed there
    assert "Every parameter not listed here is at its schema default." in last


def test_the_timeline_of_changes_has_month_parameter_old_and_new(workshop: str) -> None:
    changes = table(workshop, "changes")
    title = load("idp_distributed").title
    assert changes[0] == ["0", "scenario", load("defaults").title, title]
    assert changes[1] == ["3", "travel support (share of cost)", "0.8", "0"]


def test_each_run_has_its_final_metrics_from_the_contract(workshop: str) -> None:
    runs = [s for s in sections(workshop) if s.startswith("Run ")]
    assert [r.split(":")[0] for r in runs] == ["Run 1", "Run 2"]
    first = DashboardModel(load("idp_distributed").config, rng=0)
    first.run_for(3)
    rows = table(runs[0], "final-metrics")
    assert [r[0] for r in rows] == [metric_name(m) for m in JUDGED_METRICS]
    last = first.step_table().iloc[-1]
    for row, metric in zip(rows, JUDGED_METRICS, strict=True):
        assert row[1] == ("" if pd.isna(last[metric]) else f"{last[metric]:.3f}")
    assert "3 months on seed 0" in runs[0] and "2 months on seed 0" in runs[1]


def test_notes_are_kept_and_escaped_and_the_file_needs_nothing_else(workshop: str) -> None:
    assert "Africa &lt;left&gt; the security network" in workshop
    assert workshop.count('src="data:image/png;base64,') == 2  # the last run's metrics and timeline
    assert "<script" not in workshop and 'src="http' not in workshop and "<link" not in workshop


def test_compare_mode_reports_both_designs_and_their_paired_differences() -> None:
    scenario = load("idp_distributed")
    mine = DashboardModel(scenario.config, rng=2)
    theirs = DashboardModel(load("status_quo_intergovernmental").config, rng=2)
    session = Session()
    session.follow(mine, scenario.title, scenario.config, theirs, "status quo")
    mine.run_for(20)  # the other design is run as far when the report is made
    html = session_report(session, "", scenario)
    assert theirs.month == 20
    rows = {r[0]: r for r in table(html, "comparison")}
    a, b = mine.step_table().iloc[-1], theirs.step_table().iloc[-1]
    for metric in JUDGED_METRICS:
        _, x, y, diff, _better = rows[metric_name(metric)]
        if pd.isna(a[metric] - b[metric]):
            assert diff == ""
        else:
            assert (float(x), float(y)) == pytest.approx((a[metric], b[metric]), abs=5e-4)
            assert float(diff) == pytest.approx(a[metric] - b[metric], abs=5e-4)
    assert rows[metric_name("capture")][4] == "lower"
    assert html.count('src="data:image/png;base64,') == 4  # metrics, timeline, difference, the other's metrics
    assert "Difference: Distributed issue networks" in html
    assert "Compared with status quo (month 20, the same seed)" in html


def test_each_design_a_run_was_compared_with_is_kept_at_the_month_it_was_switched() -> None:
    """The room compares with the status quo, then saves its design and compares with that: the first
    comparison stays in the report, paired at the month the other design was switched."""
    scenario = load("idp_distributed")
    mine = DashboardModel(scenario.config, rng=1)
    quo = DashboardModel(load("status_quo_intergovernmental").config, rng=1)
    session = Session()
    session.follow(mine, scenario.title, scenario.config, quo, "status quo")
    mine.run_for(10)
    session.follow(mine, scenario.title, scenario.config, None)  # compare mode off at month 10
    mine.run_for(5)
    saved = DashboardModel(scenario.config, rng=1)
    session.follow(mine, scenario.title, scenario.config, saved, "the design you saved")
    (run,) = session.all_runs()
    assert [(c.other, c.month) for c in run.comparisons] == [("status quo", 10), ("the design you saved", 15)]
    first, second = run.comparisons
    for got, model in ((first.theirs, quo), (first.mine, mine)):
        row = model.step_table().iloc[10]
        assert got == pytest.approx({m: float(row[m]) for m in JUDGED_METRICS}, nan_ok=True)
    assert all(d == 0 or d != d for d in differences(second.mine, second.theirs).values())  # the same design
    html = session_report(session, "", scenario)
    assert html.count('<table class="comparison">') == 2


def test_the_printable_report_is_laid_out_for_a4(workshop: str) -> None:
    rc = render()
    click(rc, "Step")
    printable = download(rc, printable=True)
    assert "@page { size: A4" in printable and "@media print" in printable
    assert "Print this page to PDF" in printable


def test_the_reports_share_one_stylesheet_and_one_image_helper() -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    img = str(figure(fig, 'a "quoted" alt'))
    assert img.startswith('<img class="chart" alt="a &#34;quoted&#34; alt" src="data:image/png;base64,')
    page = environment().from_string('{% extends "base.html.j2" %}{% block body %}{{ x }}{% endblock %}')
    html = page.render(x="<b>")
    assert "&lt;b&gt;" in html and stylesheet() in html
