"""Shared helpers for the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# In CI, property tests draw the same examples every run: a red build then means a change, not a new draw.
# (Locally they explore afresh each time, which is how the fuzz tests find new inputs.)
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent


def netgov(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real `netgov` console script in a subprocess."""
    exe = Path(sys.executable).parent / "netgov"
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=timeout, env=env)


@pytest.fixture
def run_netgov():
    return netgov
