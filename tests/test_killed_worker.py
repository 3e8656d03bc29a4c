"""A worker process of a local batch killed mid-run (issue 17, fault injection).

The engine does not guess which run killed its worker: the batch stops with one line and exit 1,
every finished run is kept (listed once), the runs in flight are simply not recorded, no process
is left behind, and ``--resume`` runs exactly the missing runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

pytestmark = pytest.mark.slow

SPEC = """
replications = 40
seed = 9
steps = 24
outputs = ["steps"]
[parameters]
notice_period = [1, 6]
"""
RUNS = 80


def _grandchildren(parent: psutil.Process) -> list[psutil.Process]:
    """The batch's grandchildren, skipping a child that exits while we look (a short-lived helper)."""
    found: list[psutil.Process] = []
    for child in parent.children():
        with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
            found.extend(child.children())
    return found


def test_a_killed_worker_stops_the_batch_and_loses_no_finished_run(tmp_path: Path) -> None:
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    out = tmp_path / "out"
    exe = Path(sys.executable).parent / "netgov"
    cmd = [str(exe), "batch", str(tmp_path / "spec.toml"), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 120
        workers: list[psutil.Process] = []
        while time.monotonic() < deadline:
            # the workers are the forkserver's children (grandchildren of the batch)
            workers = _grandchildren(parent)
            if list((out / "runs.parquet").glob("part-*.parquet")) and len(workers) >= 2:
                break
            time.sleep(0.02)
        else:
            raise AssertionError(f"the batch did not start its workers: {parent.children(recursive=True)}")
        everyone = parent.children(recursive=True)
        os.kill(workers[0].pid, signal.SIGKILL)
        _, stderr = proc.communicate(timeout=120)
        _gone, alive = psutil.wait_procs(everyone, timeout=60)
        left = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert left == [], [(p.pid, p.cmdline()) for p in left]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, (proc.returncode, stderr[-2000:])
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("netgov: error:")]
    assert len(errors) == 1 and "a worker process died" in errors[0] and "--resume" in errors[0], stderr
    before = pd.read_parquet(out / "runs.parquet")
    assert before["run_id"].is_unique and 0 < len(before) < RUNS, len(before)
    steps = pd.read_parquet(out / "steps.parquet")
    assert set(steps["run_id"]) == set(before["run_id"])  # no steps of an unlisted run
    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    after = pd.read_parquet(out / "runs.parquet")
    assert sorted(after["run_id"]) == list(range(RUNS))  # nothing lost, nothing twice
    kept = after.set_index("run_id").loc[before["run_id"]].reset_index()
    pd.testing.assert_frame_equal(kept, before)
