"""Print what the benchmarks measured besides wall time (pytest-benchmark keeps it only in JSON)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the test harness (browser driver, reference kernels) lives under tests/, not in the installed package
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    session = getattr(config, "_benchmarksession", None)
    measured = [b for b in getattr(session, "benchmarks", []) if b.extra_info]
    if measured:
        terminalreporter.section("measured besides wall time (extra_info)")
    for bench in measured:
        terminalreporter.write_line(f"{bench.name}: " + ", ".join(f"{k}={v}" for k, v in bench.extra_info.items()))
