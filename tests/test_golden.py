"""Regression guard: the model's output equals the tables recorded in tests/fixtures/golden/.

The tables were re-recorded when issue 12 changed the rules on purpose (CHANGELOG.md says what
changed). The runs use each scenario's defaults, where every ``adaptation`` switch is off: so this
also checks that, switched off, the adaptive behaviours of issue 13 leave the rules' results exactly
as they were. A change that alters behaviour on purpose re-records them with
``tests/fixtures/record_golden.py`` and says so in CHANGELOG.md.
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


def test_per_step_tables_are_identical(runs) -> None:
    expected = pd.read_parquet(GOLDEN / "steps.parquet")
    assert expected.groupby(["scenario", "seed"]).ngroups == 40  # 8 scenarios (with defaults) x seeds 0-4
    pd.testing.assert_frame_equal(runs[0], expected, check_exact=True)


def test_issue_tables_are_identical(runs) -> None:
    pd.testing.assert_frame_equal(runs[1], pd.read_parquet(GOLDEN / "issues.parquet"), check_exact=True)


@pytest.mark.slow
def test_validation_figures_are_identical() -> None:
    expected = pd.read_csv(GOLDEN / "validate.csv")
    got = golden_validation()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=True, check_dtype=False)
