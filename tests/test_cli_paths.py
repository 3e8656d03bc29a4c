"""Every path and bound is checked before the simulation starts (issue 17, item 5).

Each case is one ``netgov: error:`` line on stderr, exit 2 (or 1 when writing failed after the
runs), no traceback, and nothing run or written first.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from netgov import cli

SPEC = """summary = "one tiny run"
steps = 2
[parameters]
notice_period = [1, 2]
"""


def one_error_line(result: Any, code: int = 2) -> str:
    assert result.returncode == code, (result.returncode, result.stdout[-500:], result.stderr[-500:])
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("netgov: error:"), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import netgov_in_process as netgov

    root = tmp_path_factory.mktemp("paths")
    (root / "spec.toml").write_text(SPEC, encoding="utf-8")
    result = netgov("batch", str(root / "spec.toml"), "--out", str(root / "b"), "--workers", "1")
    assert result.returncode == 0, result.stderr
    return root / "b"


def test_run_out_into_a_missing_directory(run_netgov: Any, tmp_path: Path) -> None:
    line = one_error_line(run_netgov("run", "--steps", "1", "--out", str(tmp_path / "nonexistent" / "d" / "x.csv")))
    assert "does not exist" in line


def test_run_out_that_is_a_directory(run_netgov: Any, tmp_path: Path) -> None:
    (tmp_path / "table.csv").mkdir()
    result = run_netgov("run", "--steps", "1", "--out", str(tmp_path / "table.csv"))
    assert "is a directory" in one_error_line(result)
    assert "netgov run:" not in result.stdout  # nothing simulated before the check


def test_run_out_under_a_file(run_netgov: Any, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    assert "is a file" in one_error_line(run_netgov("run", "--steps", "1", "--out", str(tmp_path / "plain" / "x.csv")))


@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_run_seed_out_of_range(run_netgov: Any, seed: str) -> None:
    assert f"--seed {seed}" in one_error_line(run_netgov("run", "--steps", "1", "--seed", seed))


@pytest.mark.parametrize("steps", ["1000000000", "100001", "0"])
def test_run_steps_beyond_the_schema(run_netgov: Any, steps: str) -> None:
    line = one_error_line(run_netgov("run", "--steps", steps))
    assert f"--steps {steps}" in line and "100000" in line


def test_compare_plot_with_a_wrong_suffix(run_netgov: Any, tmp_path: Path) -> None:
    result = run_netgov(
        "compare", "idp_distributed", "short_notice", "--reps", "1", "--steps", "1", "--plot", str(tmp_path / "x.txt")
    )
    assert "--plot" in one_error_line(result) and ".png" in result.stderr
    assert not (tmp_path / "x.txt").exists()


def test_compare_plot_into_a_missing_directory(run_netgov: Any, tmp_path: Path) -> None:
    result = run_netgov(
        "compare",
        "idp_distributed",
        "short_notice",
        "--reps",
        "1",
        "--steps",
        "1",
        "--plot",
        str(tmp_path / "no" / "p.png"),
    )
    assert "does not exist" in one_error_line(result)
    assert "final metrics" not in result.stdout  # the replications never ran


def test_compare_seed_out_of_range(run_netgov: Any) -> None:
    one_error_line(run_netgov("compare", "idp_distributed", "short_notice", "--reps", "1", "--seed", "-1"))


def test_analyze_plot_into_a_missing_directory(run_netgov: Any, batch_dir: Path) -> None:
    result = run_netgov("analyze", str(batch_dir), "--plot", "/nonexistent/p.png")
    assert "/nonexistent" in one_error_line(result)


def test_analyze_plot_that_is_a_directory(run_netgov: Any, batch_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "p.png").mkdir()
    assert "is a directory" in one_error_line(run_netgov("analyze", str(batch_dir), "--plot", str(tmp_path / "p.png")))


def test_batch_out_under_a_file(run_netgov: Any, tmp_path: Path) -> None:
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "plain").write_text("x")
    result = run_netgov("batch", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "plain" / "b"), "--workers", "1")
    assert "is a file" in one_error_line(result)


# -- faults that need a patched file system: in-process through typer's runner ---------------------


def invoke(args: list[str]) -> Any:
    """The CLI in this process (so a test can patch what it writes with); stderr kept apart."""
    result = CliRunner().invoke(cli.app, args, catch_exceptions=True)
    result.returncode = result.exit_code
    return result


def test_batch_on_a_read_only_file_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))

    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("tempfile.mkstemp", read_only)
    result = invoke(["batch", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "b"), "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Read-only file system" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(tmp_path.rglob("*")) == before  # nothing made


def test_run_on_a_full_disk_is_one_line_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    result = invoke(["run", "--steps", "1", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "No space left on device" in result.stderr and len(result.stderr.strip().splitlines()) == 1
