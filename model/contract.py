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
    Column("step", "int64", "months since the start (0 = before the first month)"),
    Column("active_issues", "int64", "issues under review, convening, scoping, deliberation or decision"),
    Column("participation_rate", "float64", "mean share of eligible actors who took part in a network"),
    Column("inclusiveness", "float64", "mean normalised entropy of participants over the five stakeholder groups"),
    Column("group_coverage", "float64", "mean share of stakeholder groups with at least one participant"),
    Column("regional_balance", "float64", "mean 1 - dissimilarity between participants' regions and the reference"),
    Column("capture", "float64", "mean largest Banzhaf power of a single group or region acting as a bloc"),
    Column("decisive_alone", "bool", "whether, in some network so far, one group or region could pass alone"),
    Column("notice_sufficiency", "float64", "mean share of eligible actors whose notice covered their preparation"),
    Column("adopted", "int64", "issues adopted so far"),
    Column("stalled", "int64", "issues that ran out of decision attempts so far"),
    Column("adoption_rate", "float64", "adopted / (adopted + stalled)"),
    Column("mean_time_to_decision", "float64", "mean months from arrival to adoption or stall"),
    Column("legitimacy", "float64", "mean rating of adopted outcomes by every actor, participant or not"),
    Column("outcome_gap", "float64", "mean distance of adopted outcomes from the median stance of all actors"),
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
