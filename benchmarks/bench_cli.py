"""Start-up time of the `netgov` command, measured as a whole process (what a student waits for).

Target (issue 18): `netgov --help` in at most 0.3 s on the project's 2-core machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

NETGOV = str(Path(sys.executable).parent / "netgov")


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["params"], ["scenarios"]])
def test_cli_process(benchmark, argv: list[str]) -> None:
    def once() -> None:
        subprocess.run([NETGOV, *argv], check=True, capture_output=True)

    benchmark.pedantic(once, rounds=7, iterations=1, warmup_rounds=1)
