"""What a student meets first: discovering parameters and metrics from the tool, a fast CLI, versions."""

from __future__ import annotations

import subprocess
import sys

import pytest

from netgov.model.core.contract import STEP_COLUMNS
from netgov.model.core.schema_lookup import iter_fields
from netgov.model.describe import inactive, parameters
from netgov.scenarios.loader import load

HEAVY = ("mesa", "pandas", "netgov.dashboards", "solara", "matplotlib")


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["params"],
        ["params", "--brief"],
        ["scenarios"],
        ["explain", "capture"],
        ["explain", "notice_period"],
        ["explain", "concurrent_groups_regions"],
        ["explain", "paired difference"],
        ["--version"],
    ],
)
def test_discovery_commands_do_not_load_mesa_pandas_or_the_dashboard(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from netgov.cli import main\n"
        f"sys.argv = ['netgov', *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_version_names_netgov_mesa_and_python(run_netgov) -> None:
    out = run_netgov("--version").stdout
    assert out.startswith("netgov 0.1.0") and " mesa 3." in out and f"python {sys.version_info.major}." in out


def test_params_lists_every_parameter_with_its_range(run_netgov) -> None:
    done = run_netgov("params")
    assert done.returncode == 0
    assert f"({sum(1 for _ in iter_fields())})" in done.stdout
    assert "notice_period" in done.stdout and ">= 0, <= 24" in done.stdout


def test_params_filters_by_glob_or_word() -> None:
    names = [p.name for p in parameters("participation.*")]
    assert names and all(n.startswith("participation.") for n in names)
    assert {p.name for p in parameters("notice")} >= {"notice_period", "participation.notice"}
    assert parameters("no-such-thing") == []


def test_params_without_a_match_is_one_line(run_netgov) -> None:
    done = run_netgov("params", "zzz")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "no parameter matches 'zzz'" in done.stderr


@pytest.mark.parametrize(
    ("name", "needles"),
    [
        ("legitimacy", ["metric", "NaN until an issue is decided", "§7.9"]),
        ("notice_period", ["parameter, int", "default: 3", ">= 0, <= 24 (months)", "§7.3"]),
        ("participation.cost", ["log-odds", "§7.5"]),
    ],
)
def test_explain_a_metric_or_a_parameter(run_netgov, name: str, needles: list[str]) -> None:
    done = run_netgov("explain", name)
    assert done.returncode == 0
    for needle in needles:
        assert needle in done.stdout


def test_every_metric_can_be_explained() -> None:
    from netgov.model.describe import metric

    for name in STEP_COLUMNS:
        col = metric(name)
        assert col is not None and col.moved_by and col.section.startswith("§")


def test_explain_unknown_name_suggests_one(run_netgov) -> None:
    done = run_netgov("explain", "notice_perio")
    assert done.returncode == 2 and "did you mean notice_period" in done.stderr and "Traceback" not in done.stderr


def test_scenarios_lists_defaults_and_readable_titles(run_netgov) -> None:
    out = run_netgov("scenarios").stdout
    assert "defaults" in out and "Internet Democracy Project" in out


def test_scenarios_show_gives_meaning_unit_and_range(run_netgov) -> None:
    out = run_netgov("scenarios", "show", "idp_distributed").stdout
    assert "meaning" in out and "notice given" in out and "months" in out and ">= 0, <= 24" in out


def test_an_overridden_rule_is_said_in_one_line(run_netgov) -> None:
    done = run_netgov("scenarios", "show", "status_quo_intergovernmental", "--set", "participation_rule=open")
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "participation_rule has no effect" in warnings[0]


@pytest.mark.parametrize(
    ("overrides", "idle"),
    [
        (["routing=intergovernmental", "participation_rule=open"], "participation_rule"),
        (["routing=intergovernmental", "committee.review_time=3"], "committee"),
        (["participation.expert_threshold=0.7"], "participation.expert_threshold"),
        (["participation.seats_per_group=4"], "participation.seats_per_group"),
        (["qualified_share=0.8"], "qualified_share"),
        (["objection_threshold=0.2", "venues.external_process.decision_rule='majority'"], "objection_threshold"),
        (["igf_pull=0.5"], "igf_pull"),
        (["igf_time=4"], "igf_time"),
        (["max_attempts=1", "compromise=0.9"], "compromise"),
        (
            ["routing=intergovernmental", "participation_rule=governments_only", "decision_rule=consensus"],
            "decision_rule",
        ),
        (["agenda.mode='fixed'", "agenda.rate=2"], "agenda.rate"),
    ],
)
def test_inactive_names_the_idle_parameter(overrides: list[str], idle: str) -> None:
    sc = load(None, overrides)
    lines = inactive(sc.config, sc.sources)
    assert len(lines) == 1 and lines[0].startswith(f"{idle} has no effect")


@pytest.mark.parametrize(
    "overrides",
    [
        ["routing=intergovernmental", "participation_rule=governments_only"],
        ["decision_rule=qualified_majority", "qualified_share=0.8"],
        ["igf_feedback=true", "igf_pull=0.5"],
        ["objection_threshold=0.2"],  # the external process decides by rough consensus (the venue table)
        ["participation_rule=invited_experts", "participation.expert_threshold=0.7"],
    ],
)
def test_no_warning_when_the_parameter_is_in_use(overrides: list[str]) -> None:
    sc = load(None, overrides)
    assert inactive(sc.config, sc.sources) == []


def test_shipped_scenarios_set_nothing_idle() -> None:
    for name in ("status_quo_intergovernmental", "idp_distributed", "wgec_body_2013", "short_notice"):
        sc = load(name)
        assert inactive(sc.config, sc.sources) == [], name


def test_friendly_api_runs_and_compares() -> None:
    import netgov

    result = netgov.run("idp_distributed", seed=3, steps=6, notice_period=1)
    assert list(result.steps["step"]) == list(range(7))
    same = netgov.run(
        netgov.load_scenario("idp_distributed", ["notice_period=1"]).path, seed=3, steps=6, notice_period=1
    )
    assert result.steps.equals(same.steps)
    table = netgov.compare(["status_quo_intergovernmental", "idp_distributed"], reps=2, steps=12)
    assert list(table.columns) == ["scenario", "metric", "mean", "lo", "hi", "n"]
    assert list(table["scenario"].unique()) == ["status_quo_intergovernmental", "idp_distributed"]
    inclusiveness = table[table["metric"] == "inclusiveness"].set_index("scenario")["mean"]
    # states only are about a third of the affected actors; the open networks mirror them better
    assert 0.0 < inclusiveness["status_quo_intergovernmental"] < 0.5 < inclusiveness["idp_distributed"]
    wide = netgov.compare(["status_quo_intergovernmental", "idp_distributed"], reps=2, steps=12, wide=True)
    assert list(wide["scenario"]) == ["status_quo_intergovernmental", "idp_distributed"]
    assert list(wide["inclusiveness_mean"]) == list(inclusiveness)
    with pytest.raises(ValueError, match="two or more"):
        netgov.compare(["idp_distributed"])


def test_a_scenario_name_where_a_config_belongs_gets_a_one_line_hint() -> None:
    import netgov

    with pytest.raises(netgov.ConfigError, match=r"load_scenario\('idp_distributed'\)") as info:
        netgov.GovernanceModel("idp_distributed")
    assert "\n" not in str(info.value)


def test_run_out_writes_a_sidecar_and_echoes_overrides(run_netgov, tmp_path) -> None:
    import json

    out = tmp_path / "steps.csv"
    done = run_netgov(
        "run", "idp_distributed", "--seed", "4", "--steps", "3", "--set", "notice_period=1", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert "--set notice_period=1" in done.stdout.splitlines()[0] + done.stdout.splitlines()[1]
    record = json.loads((tmp_path / "steps.csv.json").read_text())
    assert record["scenario"] == "idp_distributed" and record["seed"] == 4 and record["steps"] == 3
    assert record["overrides"] == ["notice_period=1"] and record["parameters"]["notice_period"] == 1
    assert set(record["versions"]) == {"netgov", "mesa", "python"}


def test_compare_needs_two_scenarios(run_netgov) -> None:
    done = run_netgov("compare", "idp_distributed", "--reps", "1")
    assert done.returncode == 2 and "two or more" in done.stderr and "Traceback" not in done.stderr


def test_one_model_class_from_the_top_to_the_dashboard() -> None:
    """The public name is the model itself, and the dashboard's model is one (so it has ``plot`` too)."""
    import netgov
    from netgov.dashboards.timeline import DashboardModel
    from netgov.model.model import GovernanceModel

    assert netgov.GovernanceModel is GovernanceModel
    assert issubclass(DashboardModel, GovernanceModel)
    assert (
        DashboardModel.plot is GovernanceModel.plot
        and DashboardModel.from_scenario.__func__ is GovernanceModel.from_scenario.__func__
    )
    built = DashboardModel.from_scenario("idp_distributed", rng=4)
    assert isinstance(built, DashboardModel) and built.scenario_name == "idp_distributed" and built.seed == 4


def test_from_scenario_and_the_standard_figure(tmp_path) -> None:
    from netgov import GovernanceModel, load_scenario
    from netgov.model.model import GovernanceModel as Model

    m = GovernanceModel.from_scenario("idp_distributed", rng=2, notice_period=1, **{"participation.cost": 3.0})
    assert isinstance(m, Model) and m.scenario_name == "idp_distributed"
    assert m.config.notice_period == 1 and m.config.participation.cost == 3.0
    expected = load_scenario("idp_distributed", ["notice_period=1", "participation.cost=3.0"]).config
    same = Model(expected, rng=2)
    m.run_for(12)
    same.run_for(12)
    assert m.step_table().equals(same.step_table())
    m.plot(tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 10_000
    figure = m.plot()
    assert len(figure.axes) == 6 and figure.axes[0].get_legend_handles_labels()[1] == ["idp_distributed"]
    # a share on a 0-1 axis, however little it moves; zoomed only on request, and then the panel says so
    assert all(ax.get_ylim() == (0.0, 1.0) for ax in figure.axes)
    zoomed = m.plot(metrics=["regional_balance", "mean_time_to_decision"], zoom=True)
    assert all("zoomed" in ax.get_title() for ax in zoomed.axes[:2]) and zoomed.axes[0].get_ylim() != (0.0, 1.0)
    counts = m.plot(metrics=["adopted", "mean_time_to_decision"])
    assert all(ax.get_ylim()[0] == 0.0 and "zoomed" not in ax.get_title() for ax in counts.axes[:2])
