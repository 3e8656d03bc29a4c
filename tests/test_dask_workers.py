"""A Dask batch whose cluster has no worker stops after --worker-timeout (issue 17, item 6).

A real ``LocalCluster`` on 127.0.0.1: once with no worker from the start, once with its only
worker closed mid-batch. Either way: one ``netgov: error:`` line, exit 1, every finished run kept
(listed once), and ``--resume`` on a cluster with a worker again runs exactly the missing ones.
"""

from __future__ import annotations

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
