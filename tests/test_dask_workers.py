"""A Dask batch whose cluster has no worker stops after --worker-timeout (issue 17, item 6).

A real ``LocalCluster`` on 127.0.0.1: once with no worker from the start, once with its only
worker closed mid-batch. Either way: one ``netgov: error:`` line, exit 1, every finished run kept
(listed once), and ``--resume`` on a cluster with a worker again runs exactly the missing ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from netgov import cli

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]  # a hang fails, it does not stall the suite

SPEC = """
replications = {reps}
seed = 4
steps = 12
[set]
scale = 0.2
[parameters]
notice_period = [1, 6]
"""


def cluster(workers: int):
    from dask.distributed import LocalCluster

    return LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )


def batch(spec: Path, out: Path, address: str, *extra: str):
    args = ["batch", str(spec), "--out", str(out), "--scheduler", address, "--worker-timeout", "1", *extra]
    return CliRunner().invoke(cli.app, args)


def error_line(result) -> str:
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("netgov: error:")]
    assert len(lines) == 1, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 4, result.stderr
    return lines[0]


def test_no_worker_from_the_start(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.format(reps=2), encoding="utf-8")
    with cluster(0) as c:
        start = time.monotonic()
        line = error_line(batch(spec, tmp_path / "out", c.scheduler_address))
        assert time.monotonic() - start < 60
    assert "no Dask worker for 1 s" in line and "0 finished runs are saved" in line and "--resume" in line
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_workers_closed_mid_batch_keep_every_finished_run(tmp_path: Path) -> None:
    reps = 150  # 300 runs: several seconds on one worker, so the worker goes long before the end
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.format(reps=reps), encoding="utf-8")
    out = tmp_path / "out"
    with cluster(1) as c:

        def close_workers() -> None:
            deadline = time.monotonic() + 120
            while not list((out / "runs.parquet").glob("part-*.parquet")) and time.monotonic() < deadline:
                time.sleep(0.02)
            c.scale(0)

        closer = threading.Thread(target=close_workers, daemon=True)
        closer.start()
        line = error_line(batch(spec, out, c.scheduler_address))
        closer.join(timeout=60)
        before = pd.read_parquet(out / "runs.parquet")
        assert before["run_id"].is_unique
        assert 0 < len(before) < 2 * reps, "the worker was not closed partway"
        assert f"{len(before)} finished runs are saved in {out}" in line
        assert "no Dask worker for 1 s (--worker-timeout)" in line

        c.scale(1)
        from dask.distributed import Client

        with Client(c.scheduler_address) as client:
            client.wait_for_workers(1, timeout=60)
        resumed = batch(spec, out, c.scheduler_address, "--resume")
        assert resumed.exit_code == 0, resumed.output
    after = pd.read_parquet(out / "runs.parquet")
    assert sorted(after["run_id"]) == list(range(2 * reps))  # nothing lost, nothing twice
    kept = after.set_index("run_id").loc[before["run_id"]].reset_index()
    pd.testing.assert_frame_equal(kept, before)


def test_a_lost_scheduler_is_one_line_and_keeps_every_finished_run(tmp_path: Path) -> None:
    """Issue 30, defect 5: the scheduler killed mid-batch printed ~100 lines of FuturesCancelledError tracebacks.

    A real scheduler and worker (``dask scheduler`` / ``dask worker`` on 127.0.0.1) and a real ``netgov batch``
    process, so stderr is what a person sees; the scheduler is killed once the first runs are on disk."""
    bin_dir = Path(sys.executable).parent
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.format(reps=60), encoding="utf-8")  # 120 runs: the scheduler goes long before the end
    out, address_file = tmp_path / "out", tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(address_file)], **quiet,
    )  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        worker = subprocess.Popen(
            [str(bin_dir / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard"], **quiet
        )
        argv = [str(bin_dir / "netgov"), "batch", str(spec), "--out", str(out), "--scheduler", address]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not list((out / "runs.parquet").glob("part-*.parquet")) and time.monotonic() < deadline:
            time.sleep(0.05)
        scheduler.kill()
        _, stderr = proc.communicate(timeout=120)
    finally:
        for p in (worker, scheduler):
            if p is not None:
                p.kill()
                p.wait(timeout=30)
    assert proc.returncode == 1, stderr[-3000:]
    assert "Traceback" not in stderr and "FuturesCancelledError" not in stderr, stderr[-3000:]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) <= 3, stderr  # the progress bar, and one line
    (line,) = [line for line in lines if line.startswith("netgov:")]
    kept = pd.read_parquet(out / "runs.parquet")
    assert kept["run_id"].is_unique and 0 < len(kept) < 120, "the scheduler was not lost partway"
    assert f"lost the connection to the Dask scheduler; {len(kept)} finished runs are saved in {out}" in line
    resumed = batch_locally(spec, out)
    assert resumed.exit_code == 0, resumed.output
    assert sorted(pd.read_parquet(out / "runs.parquet")["run_id"]) == list(range(120))


def batch_locally(spec: Path, out: Path):
    return CliRunner().invoke(cli.app, ["batch", str(spec), "--out", str(out), "--workers", "2", "--resume"])


class _Cut:
    """A future whose result fetch fails as when the scheduler dies under it (the client not yet told)."""

    key = "netgov-k-1-0"

    def result(self, timeout: float | None = None) -> None:
        from distributed.comm.core import CommClosedError

        raise CommClosedError("in <TCP (closed) ConnectionPool.gather local=tcp://127.0.0.1:1>: Stream is closed")


class _StillRunningClient:
    status = "running"  # the client notices a lost scheduler only later

    def nthreads(self) -> dict[str, int]:
        return {"w": 1}

    def submit(self, *args: object, **kwargs: object) -> _Cut:
        return _Cut()


def test_a_comm_closed_while_fetching_a_result_is_a_lost_scheduler_not_a_failed_run(monkeypatch) -> None:
    """The defect behind the flaky lost-scheduler test: a CommClosedError from a finished run's result was
    recorded as that run's failure, so the batch's --resume (which keeps recorded runs) exited 1. It is the
    scheduler gone: the batch stops with one line and the run is left for --resume."""
    import dask.distributed

    from netgov.experiment.executors import DaskCluster, Job, LostScheduler

    monkeypatch.setattr(dask.distributed, "wait", lambda pending, **kw: (set(pending), set()))
    where = DaskCluster("tcp://127.0.0.1:1", "k")
    where.client = _StillRunningClient()
    with pytest.raises(LostScheduler, match="lost the connection to the Dask scheduler"):
        list(where.results([Job(0, 1, {}, ("steps",))]))
