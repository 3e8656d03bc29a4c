"""Start-up time of the `netgov` command, measured as a whole process (what a student waits for).

Targets: `netgov --help` in at most 0.3 s (issue 18); `netgov explain` of a parameter, a metric, a choice or a
term, and `netgov params --brief`, in at most 0.5 s (issue 31: they read the schema, docs/mechanisms.md and the
glossary without loading pandas or the model), on the project's 2-core machine. On a shared machine the wall
time also counts waiting for a core, so each case also keeps the process's own CPU time (user + system, the
fastest round) in its extra_info: what it costs on an idle machine.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

NETGOV = str(Path(sys.executable).parent / "netgov")


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["params"],
        ["params", "--brief"],
        ["scenarios"],
        ["explain", "decision_rule"],
        ["explain", "capture"],
        ["explain", "concurrent_groups_regions"],
        ["explain", "banzhaf"],
    ],
)
def test_cli_process(benchmark, argv: list[str]) -> None:
    cpu: list[float] = []

    def once() -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([NETGOV, *argv], check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

    benchmark.pedantic(once, rounds=7, iterations=1, warmup_rounds=1)
    benchmark.extra_info["cpu_s"] = round(min(cpu), 3)
