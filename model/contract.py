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
    """One column of the per-step table: its type, its definition in words, its values, what moves it,
    and the section of docs/ODD.md that gives the formula (read by `netgov explain`)."""

    name: str
    dtype: Dtype
    meaning: str
    values: str = "0-1; NaN until a network has convened"
    moved_by: str = ""
    section: str = "§7.10"


_COUNT = "0, 1, 2, ..."
_RULES = "decision_rule, openness, max_attempts, the stance profiles"

STEP_TABLE: tuple[Column, ...] = (
    Column("step", "int64", "month (0 = before the first step)", _COUNT, "time", "§3"),
    Column(
        "active_issues",
        "int64",
        "issues in review, convening, scoping, deliberation or decision now",
        _COUNT,
        "the agenda's rate and the phase lengths (notice_period, scoping_time, deliberation_time)",
        "§3",
    ),
    Column(
        "participation_rate",
        "float64",
        "mean over networks of participants / eligible actors",
        moved_by="notice_period, background_quality, travel_support, remote_participation, participation.*",
        section="§7.5",
    ),
    Column(
        "inclusiveness",
        "float64",
        "mean over networks of the participants' normalised entropy over the 5 groups",
        moved_by="participation_rule, routing (the intergovernmental venue admits governments only), actor counts",
    ),
    Column(
        "group_coverage",
        "float64",
        "mean over networks of the share of groups with a participant",
        moved_by="participation_rule, routing, actor counts",
    ),
    Column(
        "regional_balance",
        "float64",
        "mean over networks of 1 - dissimilarity of regions to the reference",
        moved_by="host_region, travel_cost, travel_support, remote_participation, resources.region_factor",
    ),
    Column(
        "capture",
        "float64",
        "mean over networks of the largest Banzhaf power of one group or region as a bloc",
        moved_by="decision_rule, and who takes part (a bloc holding a majority alone captures majority rules)",
        section="§7.8",
    ),
    Column(
        "decisive_alone",
        "bool",
        "true if in **any** network some single group or region could pass alone",
        "true or false",
        "decision_rule, who takes part",
        "§7.8",
    ),
    Column(
        "notice_sufficiency",
        "float64",
        "mean over networks of the share of eligible actors with notice >= prep",
        moved_by="notice_period, background_quality, base_prep_time, resources",
        section="§7.3",
    ),
    Column("adopted", "int64", "number of issues adopted (in `implementation`)", _COUNT, _RULES, "§7.7"),
    Column("stalled", "int64", "number of issues stalled", _COUNT, _RULES, "§7.7"),
    Column(
        "adoption_rate",
        "float64",
        "adopted / (adopted + stalled); delegated issues are not counted",
        "0-1; NaN until an issue is decided",
        _RULES,
        "§7.7",
    ),
    Column(
        "mean_time_to_decision",
        "float64",
        "mean months from arrival to decision over adopted and stalled issues",
        "months; NaN until an issue is decided",
        "phase lengths, max_attempts, decision_rule",
        "§3",
    ),
    Column(
        "legitimacy",
        "float64",
        "mean over adopted issues of every actor's mean rating of the outcome",
        "0-1; NaN until an issue is adopted",
        "who took part (voice), the outcome's distance from stances, notice, background, igf_feedback",
        "§7.9",
    ),
    Column(
        "outcome_gap",
        "float64",
        "mean over adopted issues of |outcome - median stance of all actors|",
        "0-1; NaN until an issue is adopted",
        "who took part and their influence, openness, stance anchoring, igf_feedback",
        "§7.9",
    ),
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
