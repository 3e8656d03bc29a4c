"""The per-step table's columns: a public contract, with each column's type and meaning.

The DataCollector, the batch store's Parquet schema, the dashboard's explanations and the
column table in docs/ODD.md all read this one mapping, so a column cannot change in one of
them alone. Metrics are running values over every issue network convened so far (NaN until
there is something to measure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Dtype = Literal["int64", "float64", "bool"]


@dataclass(frozen=True)
class Column:
    """One column of the per-step table."""

    name: str
    dtype: Dtype
    meaning: str


STEP_TABLE: tuple[Column, ...] = (
    Column("step", "int64", "month (0 = before the first step)"),
    Column("active_issues", "int64", "issues in review, convening, scoping, deliberation or decision now"),
    Column("participation_rate", "float64", "mean over networks of participants / eligible actors"),
    Column("inclusiveness", "float64", "mean over networks of the participants' normalised entropy over the 5 groups"),
    Column("group_coverage", "float64", "mean over networks of the share of groups with a participant"),
    Column(
        "regional_balance",
        "float64",
        "mean over networks of 1 - dissimilarity of participants' regions to the reference",
    ),
    Column("capture", "float64", "mean over networks of the largest Banzhaf power of one group or region as a bloc"),
    Column("decisive_alone", "bool", "true if in **any** network some single group or region could pass alone"),
    Column("notice_sufficiency", "float64", "mean over networks of the share of eligible actors with notice >= prep"),
    Column("adopted", "int64", "number of issues adopted (in `implementation`)"),
    Column("stalled", "int64", "number of issues stalled"),
    Column("adoption_rate", "float64", "adopted / (adopted + stalled); delegated issues are not counted"),
    Column(
        "mean_time_to_decision", "float64", "mean of (month decided - month arrived) over adopted and stalled issues"
    ),
    Column("legitimacy", "float64", "mean over adopted issues of every actor's mean rating of the outcome"),
    Column("outcome_gap", "float64", "mean over adopted issues of |outcome - median stance of all actors|"),
)

#: Column names, in table order.
STEP_COLUMNS: tuple[str, ...] = tuple(c.name for c in STEP_TABLE)
#: Column name -> NumPy / pandas dtype.
STEP_DTYPES: dict[str, Dtype] = {c.name: c.dtype for c in STEP_TABLE}
#: The final metrics of a run: every per-step column but ``step``.
FINAL_METRICS: tuple[str, ...] = STEP_COLUMNS[1:]
#: The metrics shown by default: `compare --plot`, `netgov analyze`, `netgov sensitivity`, the dashboard.
KEY_METRICS: tuple[str, ...] = (
    "participation_rate",
    "inclusiveness",
    "regional_balance",
    "capture",
    "adoption_rate",
    "legitimacy",
)


def column(name: str) -> Column:
    """The contract entry of a per-step column (KeyError names the known ones)."""
    for c in STEP_TABLE:
        if c.name == name:
            return c
    raise KeyError(f"{name!r} is not a per-step column; columns: {', '.join(STEP_COLUMNS)}")
