"""Regression guard: the model's output equals the tables recorded in tests/fixtures/golden/.

The tables were re-recorded when issues 23 and 25 changed the model on purpose (positions on the
cleavages, a text drafted from the room, consensus as practised) and when issue 26 switched trust and
learning on by default (fitted to pattern T1); CHANGELOG.md says what changed. The runs use each
scenario's defaults: trust and learning on, the other ``adaptation`` switches off.
A change that alters behaviour on purpose re-records them with ``tests/fixtures/record_golden.py``
and says so in CHANGELOG.md.

Every count, phase, venue and outcome must match exactly; a float may differ in its last bit or two
(at most 1e-12): NumPy picks its reduction kernels by the CPU's vector instructions (AVX2 vs
AVX-512), so a sum of the same numbers on another machine can round differently. A real change of
behaviour moves far more than that, or changes a count. On one machine results are bit-identical
(tests/test_model.py, tests/test_batch.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
from record_golden import GOLDEN, golden_runs, golden_validation


@pytest.fixture(scope="module")
def runs() -> tuple[pd.DataFrame, pd.DataFrame]:
    return golden_runs()


#: How far a float may move between CPUs (a few ulps of values in 0-1 and of months; see above).
ULPS = 1e-12


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Every column but the floats exactly; the floats to ``ULPS``."""
    floats = [c for c in expected.columns if expected[c].dtype.kind == "f"]
    exact = [c for c in expected.columns if c not in floats]
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got[exact], expected[exact], check_exact=True)
    pd.testing.assert_frame_equal(got[floats], expected[floats], check_exact=False, rtol=0, atol=ULPS)


def test_per_step_tables_are_identical(runs) -> None:
    expected = pd.read_parquet(GOLDEN / "steps.parquet")
    assert expected.groupby(["scenario", "seed"]).ngroups == 40  # 8 scenarios (with defaults) x seeds 0-4
    assert_same(runs[0], expected)


def test_issue_tables_are_identical(runs) -> None:
    assert_same(runs[1], pd.read_parquet(GOLDEN / "issues.parquet"))


@pytest.mark.slow
def test_validation_figures_are_identical() -> None:
    expected = pd.read_csv(GOLDEN / "validate.csv")
    got = golden_validation()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=True, check_dtype=False)
