"""Speed and memory of the batch engine (run with `make bench`; nothing here asserts a time).

- runs per second of the default scenario, serial and on 2 local processes (the speed-up is
  printed and kept in the benchmark's extra_info);
- peak resident memory of a 5,000-run batch of a tiny config with per-step and per-issue tables,
  against the same runs kept in one list of per-step rows with the parameters copied onto every
  row, as Mesa's ``batch_run`` does.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from netgov.experiment.batch import run_batch
from netgov.experiment.specfile import load_spec

DEFAULT_SPEC = """
base = "defaults"
replications = {reps}
seed = 1
[parameters]
notice_period = [3, 6]
"""
TINY_SPEC = """
base = "defaults"
replications = 2500
seed = 1
steps = 12
outputs = ["steps", "issues"]
[set]
scale = 0.1
[parameters]
notice_period = [3, 6]
"""
# The same 5,000 runs, every per-step row (parameters copied in) and issue row held in one list.
IN_ONE_LIST = """
import sys
import pandas as pd
from netgov.experiment.executors import Job, execute
from netgov.experiment.specfile import load_spec
spec = load_spec(sys.argv[1])
rows = []
for t in spec.runs():
    o = execute(Job(t.run_id, t.seed, spec.compose(t), spec.outputs))
    meta = {"run_id": t.run_id, "seed": t.seed, "replication": t.replication, **t.params}
    rows += [{**meta, **r} for r in pd.DataFrame(o.steps).to_dict("records")]
    rows += [{**meta, **r} for r in pd.DataFrame(o.issues).to_dict("records")] if o.issues is not None else []
print(len(rows))
"""
RUNS = 100
seconds: dict[int, float] = {}


@pytest.mark.parametrize("workers", [1, 2])
def test_runs_per_second_default_scenario(benchmark, tmp_path: Path, workers: int) -> None:
    """100 runs of the default scenario (60 months each): serial, then on 2 worker processes."""
    (tmp_path / "spec.toml").write_text(DEFAULT_SPEC.format(reps=RUNS // 2))
    spec = load_spec(tmp_path / "spec.toml")
    outs = iter(range(100))

    def once() -> None:
        run_batch(spec, tmp_path / f"out{next(outs)}", workers=workers, show_progress=False)

    benchmark.pedantic(once, rounds=2, iterations=1)
    seconds[workers] = benchmark.stats.stats.mean
    benchmark.extra_info["runs_per_s"] = round(RUNS / seconds[workers], 2)
    if 1 in seconds and 2 in seconds:
        benchmark.extra_info["speedup_vs_serial"] = round(seconds[1] / seconds[2], 2)
        serial, parallel = RUNS / seconds[1], RUNS / seconds[2]
        print(f"\nruns/s serial {serial:.2f}, 2 workers {parallel:.2f}: speed-up x{parallel / serial:.2f}")


def _peak_rss(cmd: list[str]) -> dict[str, float]:
    """Run a command; every 0.2 s sample the resident memory of it and of its children (worker processes); MB.

    RSS of the whole tree counts pages the workers share with their fork server once per process;
    PSS splits shared pages between the processes that share them, so it adds up honestly.
    """
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    trace: list[tuple[float, float, float, float]] = []
    start = time.monotonic()
    while proc.poll() is None:
        try:
            procs = [proc, *proc.children(recursive=True)]
            full = [p.memory_full_info() for p in procs]
        except psutil.Error:
            continue
        if full[0].rss == 0:  # exited between poll() and the sample
            break
        mb = 2**20
        trace.append(
            (time.monotonic() - start, full[0].rss / mb, sum(f.rss for f in full) / mb, sum(f.pss for f in full) / mb)
        )
        time.sleep(0.2)
    assert proc.returncode == 0, cmd
    df = pd.DataFrame(trace, columns=["t", "main", "tree_rss", "tree_pss"])
    quarter = df[df["t"] >= df["t"].max() / 4].iloc[0]
    half, three_quarters = (df[df["t"] >= df["t"].max() * f].iloc[0] for f in (0.5, 0.75))
    return {
        "peak_main_rss_mb": round(float(df["main"].max()), 1),
        "main_rss_at_quarter_mb": round(float(quarter["main"]), 1),
        "main_rss_at_half_mb": round(float(half["main"]), 1),
        "main_rss_at_three_quarters_mb": round(float(three_quarters["main"]), 1),
        "main_rss_at_end_mb": round(float(df["main"].iloc[-1]), 1),
        "peak_tree_rss_mb": round(float(df["tree_rss"].max()), 1),
        "peak_tree_pss_mb": round(float(df["tree_pss"].max()), 1),
        "seconds": round(float(df["t"].max()), 1),
    }


@pytest.mark.slow
def test_peak_memory_5000_runs_streamed(benchmark, tmp_path: Path) -> None:
    """`netgov batch` of 5,000 tiny runs on 2 processes: memory stays flat while results stream to disk."""
    (tmp_path / "spec.toml").write_text(TINY_SPEC)
    exe = str(Path(sys.executable).parent / "netgov")
    cmd = [exe, "batch", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "out"), "--workers", "2"]
    info = benchmark.pedantic(lambda: _peak_rss(cmd), rounds=1, iterations=1)
    benchmark.extra_info.update(info)
    assert len(pd.read_parquet(tmp_path / "out" / "runs.parquet")) == 5000
    print(f"\nstreamed 5,000 runs: {info}")


@pytest.mark.slow
def test_peak_memory_5000_runs_in_one_list(benchmark, tmp_path: Path) -> None:
    """The same 5,000 runs, serial, every row kept in one Python list (Mesa batch_run's way)."""
    (tmp_path / "spec.toml").write_text(TINY_SPEC)
    cmd = [sys.executable, "-c", IN_ONE_LIST, str(tmp_path / "spec.toml")]
    info = benchmark.pedantic(lambda: _peak_rss(cmd), rounds=1, iterations=1)
    benchmark.extra_info.update(info)
    print(f"\none list, 5,000 runs: {info}")


STUDY_SPEC = """
question = "benchmark: 2,000 worlds x 2 policies"
sampler = "lhs"
samples = 2000
replications = 1
seed = 9
steps = 60
[policies]
status_quo = "status_quo_intergovernmental"
distributed = "idp_distributed"
[uncertainties]
openness = {min = 0.1, max = 0.45}
acceptance = {min = 0.05, max = 0.3}
"participation.cost" = {min = 1.25, max = 3.75}
"actors.civil_society" = {min = 75, max = 225}
"pen_weight" = {min = 1.0, max = 6.0}
"""


@pytest.mark.slow
def test_robustness_study_2000_worlds_x_2_policies(benchmark, tmp_path: Path) -> None:
    """`netgov robustness` of 2,000 worlds x 2 policies of 60-month runs (4,000 runs) on 2 local processes, report
    included: runs/s, wall time (target: under 10 minutes on 2 cores) and resident memory over the run (flat)."""
    (tmp_path / "spec.toml").write_text(STUDY_SPEC)
    exe = str(Path(sys.executable).parent / "netgov")
    cmd = [exe, "robustness", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "out"), "--workers", "2"]
    info = benchmark.pedantic(lambda: _peak_rss(cmd), rounds=1, iterations=1)
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert len(runs) == 4000 and (tmp_path / "out" / "report.html").exists()
    info["runs_per_s"] = round(4000 / info["seconds"], 2)
    benchmark.extra_info.update(info)
    print(f"\nrobustness study, 4,000 runs on 2 workers: {info}")
