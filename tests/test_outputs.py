"""Every output is whole or absent, and every output path is checked before the work (issue 30, defects 10, 11).

10. A full disk: one line and exit 1, and no 0-byte or truncated table, plot, sidecar or CSV export left behind.
    Tested on a real small file system (a tmpfs, mounted here as root, as CI runs) and, on every platform, by a
    write that fails halfway.
11. ``run --out sc.csv`` when ``sc.csv.json`` is a directory, and a command's fixed output names in its
    folder: refused before the run (exit 2), nothing written.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from netgov.experiment.batch import run_batch
from netgov.experiment.specfile import load_spec

SPEC = """
replications = 8
steps = 12
outputs = ["steps"]
[set]
scale = 0.1
[parameters]
notice_period = [1, 2]
"""


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    (folder / "spec.toml").write_text(SPEC, encoding="utf-8")
    run_batch(load_spec(folder / "spec.toml"), folder / "out", workers=1, show_progress=False)
    return folder / "out"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 12 KiB file system: smaller than any table, plot or export written below, larger than none of them."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(
            f"mounting a small tmpfs needs root and mount(8) ({mounted.stderr.decode().strip()}); the"
            " fault-injection test below covers the same path on every platform"
        )
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


#: A small compare, in this process (no worker pool: the tests are about its files).
COMPARE = ("compare", "defaults", "short_notice", "--reps", "2", "--steps", "2", "--workers", "1")


def one_error(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("netgov:")]  # not the progress bar
    assert len(lines) == 1 and lines[0].startswith("netgov: error:"), proc.stderr
    return lines[0]


# -- defect 10: a full disk ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("run", "--steps", "120", "--out", "{disk}/x.csv"),
        ("run", "--steps", "120", "--out", "{disk}/x.parquet"),
        (*COMPARE, "--plot", "{disk}/p.png"),
        ("export", "{batch}", "--csv", "--out", "{disk}/csv"),
        ("analyze", "{batch}", "--plot", "{disk}/a.png"),
    ],
    ids=["run-csv", "run-parquet", "compare-plot", "export-csv", "analyze-plot"],
)
def test_a_full_disk_leaves_no_partial_output(
    run_netgov, small_disk: Path, batch_dir: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    line = one_error(run_netgov(*(a.format(disk=small_disk, batch=batch_dir) for a in args)), 1)
    assert "No space left on device" in line, line
    roomy = tmp_path / "roomy"
    roomy.mkdir()
    assert run_netgov(*(a.format(disk=roomy, batch=batch_dir) for a in args)).returncode == 0
    for path in small_disk.rglob("*"):  # what is left is whole: as the same command writes it with room to spare
        if path.is_file():
            assert path.read_bytes() == (roomy / path.relative_to(small_disk)).read_bytes(), path
    assert len([p for p in small_disk.rglob("*") if p.is_file()]) < len([p for p in roomy.rglob("*") if p.is_file()])


@pytest.mark.parametrize(
    ("args", "writer"),
    [
        (("run", "--steps", "3", "--out", "{out}/x.csv"), "to_csv"),
        (("run", "--steps", "3", "--out", "{out}/x.parquet"), "to_parquet"),
        (("export", "{batch}", "--csv", "--out", "{out}/csv"), "to_csv"),
        (("analyze", "{batch}", "--out", "{out}/points.csv"), "to_csv"),
    ],
    ids=["run-csv", "run-parquet", "export-csv", "analyze-out"],
)
def test_a_write_that_fails_halfway_leaves_nothing(
    run_netgov, tmp_path: Path, batch_dir: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], writer: str
) -> None:
    real = getattr(pd.DataFrame, writer)

    def half_then_full(self: pd.DataFrame, path: Any, *a: Any, **kw: Any) -> None:
        real(self, path, *a, **kw)
        Path(path).write_bytes(Path(path).read_bytes()[: Path(path).stat().st_size // 2])  # cut mid-row
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(pd.DataFrame, writer, half_then_full)
    out = tmp_path / "out"
    out.mkdir()
    one_error(run_netgov(*(a.format(out=out, batch=batch_dir) for a in args)), 1)
    assert [p for p in out.rglob("*") if p.is_file()] == []


def test_a_figure_that_fails_halfway_leaves_nothing(
    run_netgov, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib.figure import Figure

    def half_then_full(self: Figure, path: Any, *a: Any, **kw: Any) -> None:
        Path(path).write_bytes(b"\x89PNG half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(Figure, "savefig", half_then_full)
    plot = tmp_path / "p.png"
    line = one_error(run_netgov(*COMPARE, "--plot", str(plot)), 1)
    assert f"{plot}: No space left on device" in line
    assert list(tmp_path.iterdir()) == []


# -- defect 11: every output path checked before the run ----------------------------------------------


def test_a_sidecar_that_cannot_be_written_is_refused_before_the_run(run_netgov, tmp_path: Path) -> None:
    (tmp_path / "sc.csv.json").mkdir()
    line = one_error(run_netgov("run", "--steps", "2", "--out", str(tmp_path / "sc.csv")), 2)
    assert f"--out {tmp_path / 'sc.csv.json'}: is a directory" in line, line
    assert not (tmp_path / "sc.csv").exists()


@pytest.mark.parametrize(
    ("args", "blocked"),
    [
        (("sensitivity", "{spec}", "--out", "{out}", "--method", "morris", "--samples", "1"), "sensitivity.png"),
        (("robustness", "{spec}", "--out", "{out}"), "report.html"),
        (("discover", "{batch}", "--where", "capture > 0", "--out", "{out}"), "prim_box.csv"),
        (("export", "{batch}", "--csv", "--out", "{out}"), "steps.csv"),
        (("validate", "--reps", "2", "--seeds", "1", "--report", "{out}"), "validation.html"),
        (("calibrate", "--population", "10", "--generations", "1", "--out", "{out}"), "posterior.csv"),
    ],
    ids=["sensitivity", "robustness", "discover", "export", "validate", "calibrate"],
)
def test_a_commands_fixed_output_names_are_checked_before_the_work(
    run_netgov, tmp_path: Path, batch_dir: Path, args: tuple[str, ...], blocked: str
) -> None:
    spec = tmp_path / "spec.toml"
    policies = '\n[policies]\na = "defaults"\nb = "short_notice"\n' if args[0] == "robustness" else ""
    spec.write_text(SPEC.replace("notice_period", "travel_support").replace("[1, 2]", "{min = 0, max = 1}") + policies)
    out = tmp_path / "out"
    (out / blocked).mkdir(parents=True)
    proc = run_netgov(*(a.format(spec=spec, out=out, batch=batch_dir) for a in args))
    line = one_error(proc, 2)
    assert f"{out / blocked} is a directory, and {blocked} is written there" in line, line
    assert sorted(p.name for p in out.iterdir()) == [blocked]  # no run, nothing else written
