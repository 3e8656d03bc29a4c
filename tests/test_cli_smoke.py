"""The real `netgov` console script in its own process: what the in-process tests (Typer's CliRunner,
``run_netgov``) cannot show. Exit codes through the script and ``python -m netgov``, the help with and
without a command, and Ctrl+C and SIGTERM. Start-up imports are checked in tests/test_students.py."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import typer.main
from conftest import netgov

from netgov.cli import app

pytestmark = pytest.mark.slow  # a new Python process per test (make quick leaves them to make test)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("netgov: error:"), done.stderr
    return lines[0]


def test_help_lists_every_command_and_exits_0() -> None:
    done = netgov("--help")
    assert done.returncode == 0, done.stderr
    for name in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        assert f" {name} " in done.stdout, name


def test_no_command_prints_the_help_and_exits_2() -> None:
    done = netgov()
    assert done.returncode == 2 and "Usage: netgov" in done.stdout and done.stderr == ""


def test_a_run_writes_its_table_and_exits_0(tmp_path: Path) -> None:
    done = netgov("run", "--steps", "2", "--out", str(tmp_path / "steps.csv"))
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(tmp_path / "steps.csv")) == 3 and (tmp_path / "steps.csv.json").exists()


def test_bad_input_and_a_usage_error_are_one_line_and_exit_2() -> None:
    assert "--steps 0" in one_line(bad := netgov("run", "--steps", "0")) and bad.returncode == 2
    assert "No such option: --bogus" in one_line(usage := netgov("run", "--bogus")) and usage.returncode == 2


def test_python_dash_m_netgov_is_the_same_command() -> None:
    done = subprocess.run([sys.executable, "-m", "netgov", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("netgov 0.1.0"), done.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["INT", "TERM"])
def test_a_signal_stops_a_batch_with_one_line_and_keeps_what_finished(
    run_netgov, tmp_path: Path, signum: int, status: int
) -> None:
    """Ctrl+C (SIGINT) and SIGTERM: one line saying how many runs are kept and how to resume, exit 130 / 143
    (issue 30, defect 12: exit 130 with no message); the printed command finishes the batch."""
    spec = tmp_path / "spec.toml"
    spec.write_text("steps = 12\nreplications = 40\n[set]\nscale = 0.1\n[parameters]\nnotice_period = [1, 2, 3]\n")
    out = tmp_path / "b"
    runs = 120
    argv = [str(Path(sys.executable).parent / "netgov"), "batch", str(spec), "--out", str(out), "--workers", "1"]
    # Ctrl+C as a terminal sends it: with SIGINT at its default, even when pytest itself was started in the
    # background by a non-interactive shell, which makes its children ignore SIGINT (a fresh-clone run of
    # `.ci/run` under `nohup ... &` saw the batch finish 120/120 and exit 0)
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    started = time.monotonic()
    while not list(out.rglob("part-*.parquet")) and time.monotonic() - started < 120:
        time.sleep(0.05)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == status and "Traceback" not in stderr, stderr[-2000:]
    (line,) = [line for line in stderr.splitlines() if line.startswith("netgov:")]
    kept = len(pd.read_parquet(out / "runs.parquet"))
    assert 0 < kept < runs, "the batch was not stopped partway"
    name = signal.Signals(signum).name
    assert f"netgov: error: stopped by {name}: {kept} finished runs are kept in {out}; resume with `" in line, line
    command = line.split("`")[1]
    assert command == f"netgov batch {spec} --out {out} --resume"
    resumed = run_netgov(*command.split()[1:])
    assert resumed.returncode == 0 and f"{kept} already done" in resumed.stdout, resumed.stderr
    assert sorted(pd.read_parquet(out / "runs.parquet")["run_id"]) == list(range(runs))
