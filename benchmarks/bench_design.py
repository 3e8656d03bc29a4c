"""Wall time of `netgov design` on the shipped small study (run with `make bench`; nothing here asserts a time).

scenarios/experiments/design.toml: 8 levers, 3 metrics (6 robust objectives), 8 worlds x 1 replication
from the calibrated ensemble, NSGA-II with 5 generations of 12 designs (up to 480 runs of 24 months at
scale 0.3), on 2 local processes. Issue 27 asks for at most 10 minutes on 2 cores; the designs evaluated
and the size of the Pareto front are kept in extra_info, beside the dry run's estimate.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd

from netgov.experiment.spec import EXAMPLE_DIR
from tests.conftest import netgov_in_process

SPEC = EXAMPLE_DIR / "design.toml"


def test_design_small_study_on_two_processes(benchmark, tmp_path: Path) -> None:
    out = tmp_path / "design"

    def once() -> None:
        shutil.rmtree(out, ignore_errors=True)
        result = netgov_in_process("design", str(SPEC), "--out", str(out), "--workers", "2")
        assert result.returncode == 0, result.stderr

    start = time.monotonic()
    dry = netgov_in_process("design", str(SPEC), "--out", str(tmp_path / "dry"), "--dry-run", "--workers", "2")
    benchmark.extra_info["dry_run_s"] = round(time.monotonic() - start, 1)
    benchmark.extra_info["dry_run_says"] = dry.stdout.split("so about ")[-1].split(" on ")[0]
    benchmark.pedantic(once, rounds=1, iterations=1)
    table = pd.read_parquet(out / "evaluated.parquet")
    benchmark.extra_info["designs_evaluated"] = len(table)
    benchmark.extra_info["pareto_front"] = int(table["pareto"].sum())
