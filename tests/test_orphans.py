"""No process outlives ``netgov batch`` (issue 17, item 2).

The parent is killed with SIGTERM (the batch stops as on Ctrl+C) or SIGKILL (the workers notice
and end): afterwards none of its children — forkserver, workers, resource tracker — is left, and
``--resume`` completes the batch with every run exactly once.
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
seed = 3
steps = 24
[parameters]
notice_period = [1, 6]
"""
RUNS = 80


def start(tmp_path: Path) -> tuple[subprocess.Popen, list[str], Path]:
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    out = tmp_path / "out"
    exe = Path(sys.executable).parent / "netgov"
    cmd = [str(exe), "batch", str(tmp_path / "spec.toml"), "--out", str(out), "--workers", "2"]
    # a session of its own, so whatever a failing test leaves can be cleaned up by its group
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return proc, cmd, out


def wait_for_workers(proc: subprocess.Popen, out: Path) -> list[psutil.Process]:
    """Once the first chunk is on disk and two workers run: every descendant of the batch."""
    deadline = time.monotonic() + 120
    parent = psutil.Process(proc.pid)
    while time.monotonic() < deadline:
        children = parent.children(recursive=True)
        if list((out / "runs.parquet").glob("part-*.parquet")) and len(children) >= 3:
            return children
        time.sleep(0.05)
    raise AssertionError(f"the batch did not start its workers: {parent.children(recursive=True)}")


def left_over(children: list[psutil.Process]) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(children, timeout=60)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killing_the_parent_leaves_no_process_and_resume_completes(tmp_path: Path, sig: signal.Signals) -> None:
    proc, cmd, out = start(tmp_path)
    try:
        children = wait_for_workers(proc, out)
        os.kill(proc.pid, sig)  # the parent only, not its group
        proc.wait(timeout=120)
        alive = left_over(children)
        assert alive == [], [(p.pid, p.cmdline()) for p in alive]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    before = pd.read_parquet(out / "runs.parquet")
    assert 0 < len(before) < RUNS, "the batch was not stopped partway"
    assert before["run_id"].is_unique
    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    after = pd.read_parquet(out / "runs.parquet")
    assert sorted(after["run_id"]) == list(range(RUNS))  # nothing lost, nothing twice
