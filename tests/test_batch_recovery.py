"""What a crash leaves in a batch directory, and what --resume does with it (issue 17, items 3 and 9).

A crash is injected at a chosen rename or write (no timing involved). After it, readers of the
documented tables see only runs that runs.parquet lists; --resume refuses a directory without a
valid manifest, quarantines whatever is unlisted or unreadable, and ends with every run exactly once.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from netgov import cli
from netgov.experiment import batch, store
from netgov.experiment.batch import run_batch
from netgov.experiment.manifest import MANIFEST
from netgov.experiment.specfile import load_spec
from netgov.experiment.store import QUARANTINE, read_runs
from netgov.model.core.errors import ConfigError

SPEC = """
replications = 2
seed = 5
steps = 3
outputs = ["steps", "issues"]
[set]
scale = 0.1
[parameters]
{parameters}
"""
RUNS = 6


class Crash(BaseException):
    """Stands in for the process dying at that instant (not an Exception: nothing may catch it)."""


def spec_file(tmp_path: Path, name: str = "spec.toml", parameters: str = "notice_period = [1, 2, 3]") -> Path:
    path = tmp_path / name
    path.write_text(SPEC.format(parameters=parameters), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def one_run_per_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CHUNK_RUNS", 1)


def go(spec: Path, out: Path, resume: bool = False) -> Any:
    return run_batch(load_spec(spec), out, workers=1, resume=resume, show_progress=False)


def table(out: Path, name: str) -> pd.DataFrame:
    """A table read the way the README reads it."""
    return pd.read_parquet(out / f"{name}.parquet")


def assert_complete(out: Path, reference: Path) -> None:
    """Every run exactly once, in every table, with the reference's values."""
    runs = read_runs(out)
    assert sorted(runs["run_id"]) == list(range(RUNS))
    for name in ("runs", "steps", "issues"):
        keys = {"runs": ["run_id"], "steps": ["run_id", "step"], "issues": ["run_id", "issue_id"]}[name]
        got = table(out, name).drop(columns=["elapsed_s"], errors="ignore").sort_values(keys, ignore_index=True)
        want = table(reference, name).drop(columns=["elapsed_s"], errors="ignore").sort_values(keys, ignore_index=True)
        pd.testing.assert_frame_equal(got, want)


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    out = tmp_path / "reference"
    assert go(spec_file(tmp_path), out).done == RUNS
    return out


def crash_at_rename(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """Die at the n-th rename of a part file (counting from 1), and at every one after it."""
    real = os.replace
    count = {"parts": 0}

    def replace(src: Any, dst: Any) -> None:
        if str(Path(dst).parent).endswith(".parquet"):
            count["parts"] += 1
            if count["parts"] >= n:
                raise Crash
        real(src, dst)

    monkeypatch.setattr(store.os, "replace", replace)


# -- item 3: --resume needs its manifest --------------------------------------------------------


def test_resume_without_a_manifest_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    go(spec_file(tmp_path), out)
    (out / MANIFEST).unlink()
    other = spec_file(tmp_path, "other.toml", "notice_period = [7, 8, 9]")
    with pytest.raises(ConfigError, match=r"no valid manifest\.json"):
        go(other, out, resume=True)
    with pytest.raises(ConfigError, match=r"no valid manifest\.json"):
        go(spec_file(tmp_path), out, resume=True)  # even the same spec: nothing shows it is the same


def test_resume_with_a_broken_manifest_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    go(spec_file(tmp_path), out)
    (out / MANIFEST).write_text('{"fingerprint": ', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        go(spec_file(tmp_path), out, resume=True)
    assert "\n" not in str(info.value)


def test_resume_of_an_empty_directory_starts_the_batch(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    assert go(spec_file(tmp_path), tmp_path / "out", resume=True).done == RUNS


# -- item 9: crash leftovers --------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 5, 6])
def test_after_a_crash_readers_see_only_listed_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    spec, out = spec_file(tmp_path), tmp_path / "out"
    crash_at_rename(monkeypatch, n)
    with pytest.raises(Crash):
        go(spec, out)
    listed = set(table(out, "runs")["run_id"])
    assert listed, "the crash came before the first chunk"
    for name in ("steps", "issues"):
        if (out / f"{name}.parquet").is_dir() and list((out / f"{name}.parquet").glob("part-*")):
            assert set(table(out, name)["run_id"]) <= listed, name


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7])
def test_resume_after_a_crash_at_any_rename_ends_with_every_run_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: Path, n: int
) -> None:
    spec, out = spec_file(tmp_path), tmp_path / "out"
    with monkeypatch.context() as patched:
        crash_at_rename(patched, n)
        with pytest.raises(Crash):
            go(spec, out)
    go(spec, out, resume=True)
    assert_complete(out, reference)
    assert not list(out.rglob(".*.tmp"))


def test_unlisted_parts_are_quarantined_on_resume(tmp_path: Path, reference: Path) -> None:
    spec, out = spec_file(tmp_path), tmp_path / "out"
    go(spec, out)
    steps = out / "steps.parquet"
    (steps / "part-00999.parquet").write_bytes((steps / "part-00000.parquet").read_bytes())  # lists no run
    result = go(spec, out, resume=True)
    assert result.done == 0 and len(result.quarantined) == 1
    assert not (steps / "part-00999.parquet").exists()
    assert list((out / QUARANTINE).rglob("part-00999.parquet"))
    assert_complete(out, reference)


@pytest.mark.parametrize("which", ["runs", "steps"])
def test_a_truncated_part_is_quarantined_and_its_runs_run_again(tmp_path: Path, reference: Path, which: str) -> None:
    spec, out = spec_file(tmp_path), tmp_path / "out"
    go(spec, out)
    part = out / f"{which}.parquet" / "part-00002.parquet"
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    result = go(spec, out, resume=True)
    assert result.done >= 1 and result.skipped == RUNS - result.done
    assert any(q.endswith("part-00002.parquet") for q in result.quarantined)
    assert_complete(out, reference)


def test_a_truncated_part_on_resume_from_the_command_line_is_not_a_traceback(tmp_path: Path) -> None:
    spec, out = spec_file(tmp_path), tmp_path / "out"
    go(spec, out)
    part = out / "runs.parquet" / "part-00001.parquet"
    part.write_bytes(b"PAR1 truncated")
    result = CliRunner().invoke(cli.app, ["batch", str(spec), "--out", str(out), "--workers", "1", "--resume"])
    assert result.exit_code == 0, result.output
    assert "quarantine" in result.stdout
    assert sorted(read_runs(out)["run_id"]) == list(range(RUNS))


def test_parts_are_fsynced_before_they_are_renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: set[str] = set()
    renamed: list[tuple[str, bool]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        synced.add(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        renamed.append((str(Path(dst).name), os.path.realpath(src) in synced))
        real_replace(src, dst)

    monkeypatch.setattr(store.os, "fsync", fsync)
    monkeypatch.setattr(store.os, "replace", replace)
    go(spec_file(tmp_path), tmp_path / "out")
    parts = [r for r in renamed if r[0].startswith("part-")]
    assert len(parts) >= RUNS
    assert all(was_synced for _, was_synced in renamed), renamed


def test_a_full_disk_leaves_no_half_written_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec, out = spec_file(tmp_path), tmp_path / "out"
    real = store.pq.write_table
    calls = {"n": 0}

    def write_table(data: Any, where: Any, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] < 5:
            return real(data, where, *args, **kwargs)
        if hasattr(where, "write"):
            where.write(b"PAR1 half")
        else:
            Path(where).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.pq, "write_table", write_table)
    result = CliRunner().invoke(cli.app, ["batch", str(spec), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("netgov: error:")]
    assert len(errors) == 1 and "No space left on device" in errors[0] and "--resume" in errors[0]
    assert "Traceback" not in result.stderr
    assert not list(out.rglob(".*.tmp"))  # nothing half-written left
    listed = set(table(out, "runs")["run_id"])
    assert set(table(out, "steps")["run_id"]) <= listed
    monkeypatch.setattr(store.pq, "write_table", real)
    go(spec, out, resume=True)
    assert sorted(read_runs(out)["run_id"]) == list(range(RUNS))
