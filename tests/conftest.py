"""Shared helpers for the tests."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# In CI, property tests draw the same examples every run: a red build then means a change, not a new draw.
# (Locally they explore afresh each time, which is how the fuzz tests find new inputs.)
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent

#: The longest test files, longest first (`make test`, fresh clone): under `--dist loadfile` a file runs whole
#: on one worker, in the order collected (the Makefile turns xdist's reorder by number of tests off), so a long
#: file collected last would keep one worker busy while the other has nothing left to do. The others follow in
#: name order.
LONGEST_FIRST = (
    "test_docs.py",
    "test_mechanisms_at_seed_0.py",
    "test_mechanisms_at_seed_7.py",
    "test_dashboard_e2e.py",
    "test_dashboard_room.py",
    "test_validation.py",
    "test_notebooks.py",
    "test_robustness.py",
    "test_calibrate.py",
    "test_room_browser.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files in :data:`LONGEST_FIRST` first, in its order (a stable sort: each file's tests keep theirs)."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def netgov(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real `netgov` console script in a subprocess (for what only a process shows: exit codes
    through the script, start-up imports, signals)."""
    exe = Path(sys.executable).parent / "netgov"
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=timeout, env=env)


def netgov_in_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The same command in this process through Typer's CliRunner (about 0.06 s instead of a new Python's
    3 s of imports), with stdout and stderr apart. An exception that escaped the CLI's error boundary is
    written to stderr as a process would write its traceback, so "no traceback" checks still see it."""
    from typer.testing import CliRunner

    from netgov.cli import app

    with contextlib.chdir(cwd or ROOT):
        result = CliRunner().invoke(app, list(args))
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["netgov", *args], result.exit_code, result.stdout, stderr)


@pytest.fixture
def run_netgov(monkeypatch: pytest.MonkeyPatch) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`netgov` in this process; a command that would hand the process over (``dashboard``) fails instead."""

    def no_exec(*args: Any) -> None:
        raise AssertionError(f"in-process netgov tried to replace the test process: {args[1]}")

    monkeypatch.setattr(os, "execve", no_exec)
    return netgov_in_process


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`netgov dashboard` on a free port, for the browser tests of one module."""
    from browser import dashboard_server

    with dashboard_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, for the browser tests of one module."""
    from browser import chromium_browser

    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def shared_pages(browser: Any) -> Iterator[Any]:
    """Dashboard pages the browser tests of one module share (:class:`browser.SharedPages`)."""
    from browser import SharedPages

    pages = SharedPages(browser)
    yield pages
    pages.close()
