"""Experiment specs and the batch engine: designs, identical results serial / processes / Dask, resume, failures."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netgov.experiment.batch import run_batch
from netgov.experiment.runner import run_once, run_seed
from netgov.experiment.spec import EXAMPLE_DIR
from netgov.experiment.specfile import load_spec
from netgov.experiment.store import read_runs
from netgov.model.core.contract import FINAL_METRICS
from netgov.model.core.errors import ConfigError
from netgov.scenarios.loader import load

TINY = """
base = "idp_distributed"
replications = {reps}
seed = 11
steps = 12
outputs = ["steps", "issues", "agents"]
[set]
scale = 0.2
agent_interval = 6
[parameters]
notice_period = {notice}
decision_rule = ["majority", "concurrent_groups_regions"]
"""


def write_spec(tmp_path: Path, name: str = "spec.toml", reps: int = 3, notice: str = "[1, 6]", extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text(TINY.format(reps=reps, notice=notice) + extra, encoding="utf-8")
    return path


def content(out: Path, table: str = "runs") -> pd.DataFrame:
    """A batch table without its timing column, in run order: what must not depend on where runs ran."""
    df = pd.read_parquet(out / f"{table}.parquet")
    keys = {"steps": ["run_id", "step"], "issues": ["run_id", "issue_id"], "agents": ["run_id", "step", "actor"]}.get(
        table, ["run_id"]
    )
    return df.drop(columns=["elapsed_s"], errors="ignore").sort_values(keys, ignore_index=True)


@pytest.fixture(scope="module")
def serial_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny spec run serially: the reference the other executors must match."""
    tmp = tmp_path_factory.mktemp("serial")
    spec_path = write_spec(tmp)
    result = run_batch(load_spec(spec_path), tmp / "out", workers=1, show_progress=False)
    assert (result.total, result.done, result.failed, result.skipped) == (12, 12, 0, 0)
    return spec_path, tmp / "out"


@pytest.fixture(scope="module")
def dask_cluster():
    from dask.distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
    yield cluster
    cluster.close()


# -- the spec ---------------------------------------------------------------------------------


def test_example_spec_design() -> None:
    spec = load_spec(EXAMPLE_DIR / "example.toml")
    runs = spec.runs()
    assert spec.names == ["notice_period", "decision_rule"]
    assert len(runs) == 4 * 2 * spec.replications
    assert [r.run_id for r in runs] == list(range(len(runs)))
    # common random numbers: the seed depends on the replication alone, the same at every point
    assert all(r.seed == run_seed(spec.seed, r.replication) for r in runs)
    assert all(r.run_id == r.point * spec.replications + r.replication for r in runs)
    points = {tuple(r.params.values()) for r in runs}
    assert points == {(n, d) for n in (1, 3, 6, 12) for d in ("majority", "concurrent_groups_regions")}
    assert len({r.seed for r in runs}) == spec.replications


def test_samplers_map_the_unit_design(tmp_path: Path) -> None:
    """LHS puts one point in each of n equal strata per parameter; ints stay ints; lists stay categorical."""
    body = """
base = "defaults"
sampler = "{sampler}"
samples = {samples}
[parameters]
background_quality = {{min = 0.2, max = 0.6}}
notice_period = {{min = 0, max = 12}}
decision_rule = ["majority", "consensus", "government_vote"]
"""
    n = 12
    (tmp_path / "lhs.toml").write_text(body.format(sampler="lhs", samples=n))
    pts = load_spec(tmp_path / "lhs.toml").points()
    assert len(pts) == n
    bq = np.array([p["background_quality"] for p in pts])
    assert ((bq >= 0.2) & (bq <= 0.6)).all()
    assert sorted(np.floor((bq - 0.2) / 0.4 * n).astype(int)) == list(range(n))
    assert all(isinstance(p["notice_period"], int) and 0 <= p["notice_period"] <= 12 for p in pts)
    assert {p["decision_rule"] for p in pts} == {"majority", "consensus", "government_vote"}
    (tmp_path / "sobol.toml").write_text(body.format(sampler="sobol", samples=8))
    assert len(load_spec(tmp_path / "sobol.toml").points()) == 8 * (3 + 2)
    (tmp_path / "morris.toml").write_text(body.format(sampler="morris", samples=5))
    morris = load_spec(tmp_path / "morris.toml")
    assert len(morris.points()) == 5 * (3 + 1)
    assert morris.points() == load_spec(tmp_path / "morris.toml").points()  # the design is seeded


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ('sampler = "random"\n', "sampler = 'random' is not allowed: expected one of 'grid', 'lhs'"),
        ("replications = 0\n", "replications = 0 is not allowed: expected an integer from 1 to 1000000"),
        ("replicatons = 2\n", "unknown key 'replicatons' = 2; did you mean 'replications'?"),
        ("[parameters.actors]\ncivil_sociey = [1, 2]\n", "unknown parameter 'actors.civil_sociey'"),
        ("[parameters.travel_support]\nmin = 0.9\nmax = 0.1\n", "travel_support.max = 0.1 is not allowed"),
        (
            '[parameters.travel_support]\ndistribution = "normal"\nmean = 0.5\nsd = 0.1\n',
            "not allowed with sampler 'grid'",
        ),
        # the union of a parameter's forms: a list, a range {min, max, step | num}, a distribution
        ('sampeler = "lhs"\n', "unknown key 'sampeler' = 'lhs'; did you mean 'sampler'?"),
        (
            "[parameters.travel_support]\nmin = 0.1\nmax = 0.9\nstepp = 0.1\n",
            "parameters.travel_support: unknown key 'stepp' = 0.1; did you mean 'step'?",
        ),
        (
            "[parameters.travel_support]\nmax = 0.9\nstep = 0.1\n",
            "parameters.travel_support: 'min' is missing (a range needs min and max)",
        ),
        (
            '[parameters.travel_support]\ndistribution = "gamma"\nmean = 0.5\nsd = 0.1\n',
            "parameters.travel_support.distribution = 'gamma' is not allowed:"
            " expected one of 'uniform', 'loguniform', 'normal'",
        ),
        (
            '[parameters.travel_support]\ndistribution = "normal"\nmean = 0.5\nsd = 0.1\nstep = 0.1\n',
            "parameters.travel_support: unknown key 'step' = 0.1; step belongs to a uniform range",
        ),
        (
            '[parameters.travel_support]\ndistribution = "normal"\nmean = 0.5\n',
            "parameters.travel_support: 'sd' is missing (a normal distribution needs mean and sd)",
        ),
        (
            "[parameters.travel_support]\nmin = true\nmax = 0.9\nnum = 3\n",
            "parameters.travel_support.min = True is not allowed: expected a finite number",
        ),
        (
            "[parameters.travel_support]\nmin = 0.1\nmax = 0.9\nnum = 1\n",
            "parameters.travel_support.num = 1 is not allowed: expected an integer from 2 to 10000000",
        ),
        (
            "[parameters.actors]\nbusiness = 3\n",
            "parameters.actors.business = 3 is not allowed: expected a list of values, a range {min, max, step or num}",
        ),
    ],
)
def test_bad_spec_is_one_clear_line(tmp_path: Path, extra: str, needle: str) -> None:
    top, tables = ("", extra) if extra.startswith("[") else (extra, "")
    path = tmp_path / "bad.toml"
    path.write_text(f'base = "defaults"\n{top}[parameters]\nnotice_period = [1]\n{tables}')
    with pytest.raises(ConfigError) as err:
        load_spec(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message and needle in message


def test_range_keeps_numbers_as_written(tmp_path: Path) -> None:
    """An int bound stays an int in the manifest's resolved spec (a resumed batch compares it)."""
    path = tmp_path / "spec.toml"
    path.write_text('base = "defaults"\n[parameters]\nnotice_period = {min = 0, max = 12, step = 3}\n')
    spec = load_spec(path)
    resolved = spec.resolved()["parameters"]["notice_period"]
    assert resolved == {"distribution": "uniform", "min": 0, "max": 12, "step": 3}
    assert all(type(resolved[k]) is int for k in ("min", "max", "step"))
    assert [r.params["notice_period"] for r in spec.runs()] == [0, 3, 6, 9, 12]


def test_cli_unknown_parameter_exits_2(run_netgov, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, extra="notice_perod = [1]\n")
    proc = run_netgov("batch", str(spec), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert "notice_perod" in proc.stderr and "did you mean 'notice_period'?" in proc.stderr
    assert not (tmp_path / "out").exists()


# -- running ----------------------------------------------------------------------------------


def test_runs_table_columns_and_values(serial_reference: tuple[Path, Path]) -> None:
    spec_path, out = serial_reference
    spec = load_spec(spec_path)
    runs = read_runs(out)
    expected = ["run_id", "point", "policy", "base", "notice_period", "decision_rule", "scale", "agent_interval"]
    expected += ["steps", "seed", "replication", "run_key", *FINAL_METRICS]
    assert list(runs.columns) == [*expected, "status", "error", "elapsed_s"]
    # the base and every [set] value are columns, the same on every row
    assert (runs["policy"] == "idp_distributed").all() and (runs["base"] == "idp_distributed").all()
    assert (runs["scale"] == 0.2).all() and (runs["agent_interval"] == 6).all() and (runs["steps"] == 12).all()
    assert list(runs["point"]) == [i // 3 for i in range(12)]
    assert list(runs["run_id"]) == list(range(12))
    assert (runs["status"] == "ok").all() and runs["error"].isna().all() and (runs["elapsed_s"] > 0).all()
    # a row is the run itself: the spec's values applied to the base scenario with the run's seed
    task = spec.runs()[7]
    config = load("idp_distributed", {"scale": 0.2, "steps": 12, **task.params}).config
    final = run_once(config, task.seed).final
    row = runs.iloc[7]
    assert row["seed"] == task.seed and row["replication"] == task.replication
    for m in FINAL_METRICS:
        assert row[m] == final[m] or (math.isnan(row[m]) and math.isnan(final[m]))
    steps, issues = content(out, "steps"), content(out, "issues")
    assert steps.groupby("run_id").size().to_dict() == dict.fromkeys(range(12), 13)
    assert set(issues["run_id"]) <= set(range(12)) and len(issues) > 0
    manifest = (out / "manifest.json").read_text()
    for key in ('"mesa"', '"python"', '"netgov"', '"git_commit"', '"started"', '"finished"', '"sampler": "grid"'):
        assert key in manifest


def test_a_run_builds_the_tables_its_job_asks_for() -> None:
    """A study that reads only the per-step table does not pay for the issue table; one that asks gets it."""
    from netgov.experiment.executors import Job, execute

    config = load("idp_distributed").config.model_dump(by_alias=True)
    steps_only, both = (execute(Job(0, 5, config, outputs, 12)) for outputs in (("steps",), ("steps", "issues")))
    assert steps_only.issues is None and steps_only.steps is not None
    assert both.issues is not None and len(both.issues) > 0
    pd.testing.assert_frame_equal(steps_only.steps, both.steps)
    assert run_once(load("idp_distributed").config, 5, 12, issues=False).issues is None


@pytest.mark.slow
def test_studies_in_memory_run_on_every_executor_alike(dask_cluster) -> None:
    """Replications, validation patterns and mechanism contrasts take the batch's executors: the same
    tables from this process, a local pool and Dask, and progress called once per run."""
    from netgov.analysis.mechanisms import CONTRASTS, effects
    from netgov.experiment.executors import DaskCluster, LocalProcesses
    from netgov.experiment.replications import replicate
    from netgov.validation.patterns import BY_ID, simulate

    configs = {"a": load("idp_distributed"), "b": load("status_quo_intergovernmental")}

    def study(where=None) -> tuple[pd.DataFrame, ...]:
        ticks: list[int] = []
        runs = replicate(configs, 2, 3, 8, progress=lambda: ticks.append(1), where=where)
        stats = simulate(1, (0, 1), (BY_ID["P2"],), where=where)
        diffs = effects(CONTRASTS[:1], reps=2, seed=0, steps=6, where=where)
        assert len(ticks) == 4
        return runs, stats, diffs

    serial = study()
    with LocalProcesses(2) as pool:
        pooled = study(pool)
    with DaskCluster(dask_cluster.scheduler_address, "studies") as cluster:
        dasked = study(cluster)
    for got in (pooled, dasked):
        for mine, theirs in zip(got, serial, strict=True):
            pd.testing.assert_frame_equal(mine, theirs)


def test_a_failing_run_stops_an_in_memory_study_with_its_seed() -> None:
    from netgov.experiment.executors import Job, RunFailed, run_all

    bad = Job(0, 123, {"steps": -1}, ("steps",))
    with pytest.raises(RunFailed, match=r"run 0 \(seed 123\) failed: parameters: steps = -1"):
        run_all([bad])


@pytest.mark.slow
def test_serial_processes_and_dask_give_identical_results(
    serial_reference: tuple[Path, Path], dask_cluster, tmp_path: Path
) -> None:
    spec_path, ref = serial_reference
    spec = load_spec(spec_path)
    procs = run_batch(spec, tmp_path / "procs", workers=2, show_progress=False)
    dask = run_batch(spec, tmp_path / "dask", scheduler=dask_cluster.scheduler_address, show_progress=False)
    assert procs.failed == dask.failed == 0 and procs.done == dask.done == 12
    for table in ("runs", "steps", "issues", "agents"):
        expected = content(ref, table)
        pd.testing.assert_frame_equal(content(tmp_path / "procs", table), expected)
        pd.testing.assert_frame_equal(content(tmp_path / "dask", table), expected)
    agents = content(ref, "agents")
    assert set(agents["step"]) == {0, 6, 12}  # every agent_interval months, the initial state included
    assert len(agents) == 12 * 3 * agents["actor"].nunique()  # runs x snapshots x actors


@pytest.mark.slow
def test_killing_a_dask_worker_midway_still_completes(dask_cluster, tmp_path: Path) -> None:
    from dask.distributed import Client

    spec_path = write_spec(tmp_path, reps=10, notice="[1, 3, 6]")  # 60 runs
    spec = load_spec(spec_path)
    with Client(dask_cluster.scheduler_address) as client:
        victim = next(iter(client.run(os.getpid).values()))
    result: dict[str, object] = {}
    out = tmp_path / "out"
    worker = threading.Thread(
        target=lambda: result.update(
            r=run_batch(spec, out, scheduler=dask_cluster.scheduler_address, show_progress=False)
        )
    )
    worker.start()
    deadline = time.monotonic() + 120
    while not (out / "runs.parquet").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(victim, signal.SIGKILL)
    assert worker.is_alive(), "the batch finished before a worker could be killed"
    worker.join(timeout=300)
    batch = result["r"]
    assert batch.done == 60 and batch.failed == 0  # type: ignore[attr-defined]
    runs = read_runs(out)
    assert list(runs["run_id"]) == list(range(60)) and (runs["status"] == "ok").all()
    serial = run_batch(spec, tmp_path / "serial", workers=1, show_progress=False)
    assert serial.done == 60
    pd.testing.assert_frame_equal(content(out), content(tmp_path / "serial"))


@pytest.mark.slow
def test_sigkill_then_resume_runs_every_run_exactly_once(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, reps=20, notice="[1, 6]")  # 80 runs
    out = tmp_path / "out"
    exe = Path(sys.executable).parent / "netgov"
    cmd = [str(exe), "batch", str(spec_path), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list((out / "runs.parquet").glob("part-*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = pd.read_parquet(out / "runs.parquet").sort_values("run_id", ignore_index=True)
    assert 0 < len(before) < 80, "the batch was not killed partway"
    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(before)} already done" in resumed.stdout
    after = pd.read_parquet(out / "runs.parquet")
    assert sorted(after["run_id"]) == list(range(80))  # every run exactly once
    kept = after.set_index("run_id").loc[before["run_id"]].reset_index()
    pd.testing.assert_frame_equal(kept, before)  # finished rows untouched, timing included
    steps = pd.read_parquet(out / "steps.parquet")
    assert steps.groupby("run_id").size().to_dict() == dict.fromkeys(range(80), 13)
    serial = run_batch(load_spec(spec_path), tmp_path / "serial", workers=1, show_progress=False)
    assert serial.done == 80
    pd.testing.assert_frame_equal(content(out), content(tmp_path / "serial"))
    pd.testing.assert_frame_equal(content(out, "steps"), content(tmp_path / "serial", "steps"))


def test_a_value_outside_the_schema_is_refused_before_any_run(run_netgov, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, reps=2, notice="[3, 99]")  # notice_period allows 0..24
    out = tmp_path / "out"
    proc = run_netgov("batch", str(spec), "--out", str(out), "--workers", "1")
    assert proc.returncode == 2, proc.stderr
    assert "parameters.notice_period = 99 is not allowed" in proc.stderr and "<= 24" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not out.exists()  # nothing started
    ranged = write_spec(tmp_path, "ranged.toml", reps=1, notice="{min = 0, max = 30, step = 6}")
    proc = run_netgov("batch", str(ranged), "--out", str(out))
    assert proc.returncode == 2 and "notice_period = 30 is not allowed" in proc.stderr


def test_failing_run_is_recorded_and_the_batch_goes_on(tmp_path: Path) -> None:
    """A run that fails (here a value slipped past the spec check) is a row with its error; the rest finish."""
    spec = load_spec(write_spec(tmp_path, reps=2, notice="[3]"))
    notice = replace(spec.parameters[0], values=(3, 99))
    spec = replace(spec, parameters=(notice, *spec.parameters[1:]))
    out = tmp_path / "out"
    result = run_batch(spec, out, workers=1, show_progress=False)
    assert (result.done, result.failed) == (8, 4)
    runs = read_runs(out)
    assert list(runs["run_id"]) == list(range(8))
    bad = runs[runs["notice_period"] == 99]
    good = runs[runs["notice_period"] == 3]
    assert (bad["status"] == "error").all() and (good["status"] == "ok").all()
    assert bad["error"].str.contains("notice_period = 99 is not allowed").all()
    assert bad["participation_rate"].isna().all() and good["participation_rate"].notna().all()


def test_resume_refuses_a_different_spec_and_a_plain_rerun_refuses_a_full_dir(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, reps=1, notice="[1]")
    out = tmp_path / "out"
    assert run_batch(load_spec(spec_path), out, workers=1, show_progress=False).done == 2
    with pytest.raises(ConfigError, match="already holds a batch; pass --resume"):
        run_batch(load_spec(spec_path), out, workers=1, show_progress=False)
    again = run_batch(load_spec(spec_path), out, workers=1, resume=True, show_progress=False)
    assert (again.done, again.skipped) == (0, 2)
    # a changed spec: the runs it still has are kept, the others are taken out (to quarantine) and rerun
    wider = write_spec(tmp_path, "wider.toml", reps=1, notice="[1, 5]")
    assert run_batch(load_spec(wider), out, workers=1, resume=True, show_progress=False).skipped == 2
    other = write_spec(tmp_path, "other.toml", reps=1, notice="[1, 2]")
    before = read_runs(out).set_index("run_id")
    fixed = run_batch(load_spec(other), out, workers=1, resume=True, show_progress=False)
    assert (fixed.skipped, fixed.done, fixed.invalidated) == (2, 2, 2)
    after = read_runs(out).set_index("run_id")
    assert list(after.index) == [0, 1, 2, 3] and list(after["notice_period"]) == [1, 1, 2, 2]
    assert (after.loc[[0, 1], "elapsed_s"] == before.loc[[0, 1], "elapsed_s"]).all()  # kept, not rerun
    steps = pd.read_parquet(out / "steps.parquet")
    assert sorted(steps["run_id"].unique()) == [0, 1, 2, 3] and not steps.duplicated(["run_id", "step"]).any()
    assert list((out / "quarantine").rglob("pruned-*.parquet"))


def test_analyze_prints_points_and_plots(run_netgov, serial_reference: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = serial_reference
    png, csv = tmp_path / "formal_power.png", tmp_path / "points.csv"
    proc = run_netgov("analyze", str(out), "--metric", "formal_power", "--plot", str(png), "--out", str(csv))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(csv)
    assert len(table) == 4 and (table["runs"] == 3).all()
    runs = read_runs(out)
    sub = runs[(runs["notice_period"] == 6) & (runs["decision_rule"] == "majority")]["formal_power"]
    row = table[(table["notice_period"] == 6) & (table["decision_rule"] == "majority")].iloc[0]
    assert row["formal_power_mean"] == pytest.approx(sub.mean())
    assert row["formal_power_lo"] <= row["formal_power_mean"]
    assert png.stat().st_size > 5000 and png.read_bytes()[:4] == b"\x89PNG"
    bad = run_netgov("analyze", str(out), "--by", "scale")
    assert bad.returncode == 2 and "--by 'scale' is not allowed" in bad.stderr


def test_dry_run_counts_runs_and_export_writes_tidy_csv(
    run_netgov, serial_reference: tuple[Path, Path], tmp_path
) -> None:
    spec_path, out = serial_reference
    dry = run_netgov("batch", str(spec_path), "--out", str(tmp_path / "never"), "--dry-run", "--workers", "2")
    assert dry.returncode == 0, dry.stderr
    said = " ".join(dry.stdout.split())  # the line wraps at 160 columns, where depends on the tmp path's length
    assert "12 runs = 4 points x 3 replications of 12 months" in said and "on 2 workers" in said
    assert not (tmp_path / "never").exists()
    proc = run_netgov("export", str(out), "--csv", "--out", str(tmp_path / "csv"))
    assert proc.returncode == 0, proc.stderr
    steps = pd.read_csv(tmp_path / "csv" / "steps.csv")
    runs = read_runs(out).set_index("run_id")
    assert list(steps.columns[:4]) == ["run_id", "point", "policy", "base"]
    assert steps["run_id"].is_monotonic_increasing and len(steps) == 12 * 13  # steps 0..12
    for col in ("notice_period", "decision_rule", "scale", "seed", "replication"):
        assert (steps[col].to_numpy() == runs.loc[steps["run_id"], col].to_numpy()).all()
    assert run_netgov("export", str(out)).returncode == 2
