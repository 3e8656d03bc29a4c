"""The per-step table's columns: a public contract, with each column's type and meaning.

The DataCollector, the batch store's Parquet schema, the dashboard's explanations and the
column table in docs/ODD.md all read this one mapping, so a column cannot change in one of
them alone. Metrics are running values over every issue network convened so far (NaN until
there is something to measure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from netgov.model.core.catalog import DOMAINS

Dtype = Literal["int64", "float64", "bool", "str"]
#: Which way a metric is better: the claim a recommendation makes about it ("" = not a judgement,
#: e.g. a count of issues, where more is neither better nor worse).
Better = Literal["higher", "lower", ""]


@dataclass(frozen=True)
class Column:
    """One column of the per-step table: its type, its definition in words, its values, what moves it,
    the section of docs/ODD.md that gives the formula (read by `netgov explain`), which way is better
    (what `share_a_better`, `netgov discover --contrast` and the robustness report judge by), and the
    meaning in plain words for a room (the dashboard's Info panel and session report)."""

    name: str
    dtype: Dtype
    meaning: str
    values: str = "0-1; NaN until a network has convened"
    moved_by: str = ""
    section: str = "§7.10"
    better: Better = ""
    plain: str = ""  # the meaning in plain words for a room (the dashboard); empty: ``meaning``


_COUNT = "0, 1, 2, ..."
_RULES = (
    "decision_rule and the venue table, acceptance, openness, the consensus table (objection_cost, redraft), "
    "max_attempts, where actors stand (positions)"
)

#: What a count or mean over decided issues leaves out: the issues the run's end cut short.
CENSORED = " (censored: issues still open at the run's end are not counted; their share is open_share)"

STEP_TABLE: tuple[Column, ...] = (
    Column("step", "int64", "month (0 = before the first step)", _COUNT, "time", "§3"),
    Column(
        "active_issues",
        "int64",
        "issues in review, convening, scoping, an IGF session, deliberation or decision now",
        _COUNT,
        "the agenda's rate and complexity, notice_period, scoping_time, igf_time, and how long networks take "
        "to settle on a text (deliberation_deadline, compromise_time, convergence, how far apart they stand)",
        "§3",
    ),
    Column(
        "open_share",
        "float64",
        "share of the issues arrived so far that are still open (counted in active_issues): at the final step, "
        "the share whose outcome the run's end censors, so adopted, narrowed, stalled and the decision "
        "metrics do not count them",
        "0-1; NaN until an issue has arrived",
        "as active_issues: how long issues take against how long the run lasts",
        "§3",
        plain="the share of issues still open now: at the end, those whose outcome the run does not see",
    ),
    Column(
        "participation_rate",
        "float64",
        "mean over networks of participants / eligible actors",
        moved_by="notice_period, background_quality, travel_support, remote_participation, participation.*",
        section="§7.5",
        better="higher",
        plain="of the actors who could take part in a network, the share who came (averaged over networks)",
    ),
    Column(
        "inclusiveness",
        "float64",
        "mean over networks of 1 - dissimilarity of the participants' groups to the affected population's",
        moved_by="participation_rule, routing and the committee (the intergovernmental venue admits governments "
        "only), who can afford to come",
        better="higher",
        plain="how closely the mix of stakeholder groups at the table matches the mix of those affected "
        "(1: the same mix)",
    ),
    Column(
        "group_coverage",
        "float64",
        "mean over networks of the share of groups with a participant",
        moved_by="participation_rule, routing, actor counts",
        better="higher",
        plain="the share of the five stakeholder groups with someone at the table",
    ),
    Column(
        "regional_balance",
        "float64",
        "mean over networks of 1 - dissimilarity of regions to the reference",
        moved_by="host_region, travel_cost, travel_support, remote_participation, resources.region_factor",
        better="higher",
        plain="how closely the regions at the table match the world's regions (1: the same mix)",
    ),
    Column(
        "formal_power",
        "float64",
        "mean over deciding networks that are not paralysed of the largest a-priori (Banzhaf) power of one "
        "group or region, were it to vote as a bloc: what the rule would let a bloc do, not what happened",
        "0-1; NaN until a deciding network has convened, or if every one is paralysed",
        moved_by="decision_rule, and who takes part (a bloc holding a majority alone dominates majority rules)",
        section="§7.8",
        better="lower",
        plain="how far one group or region could decide alone, as a bloc, where a network decides "
        "(1: it decides alone)",
    ),
    Column(
        "pass_alone",
        "float64",
        "share of deciding networks in which a single group or region could pass an outcome alone",
        "0-1; NaN until a deciding network has convened",
        "decision_rule, who takes part",
        "§7.8",
        better="lower",
        plain="the share of deciding networks where one group or region could pass an outcome on its own",
    ),
    Column(
        "block_alone",
        "float64",
        "share of deciding networks in which a single group or region could block what all others support",
        "0-1; NaN until a deciding network has convened",
        "decision_rule, who takes part",
        "§7.8",
    ),
    Column(
        "paralysis",
        "float64",
        "share of deciding networks in which nothing can pass (e.g. a group or region a concurrent rule needs "
        "is absent)",
        "0-1; NaN until a deciding network has convened",
        "decision_rule, participation_rule, who can afford to come",
        "§7.8",
        better="lower",
        plain="the share of deciding networks where nothing can pass "
        "(e.g. a group or region the rule needs is missing)",
    ),
    Column(
        "notice_sufficiency",
        "float64",
        "mean over networks of the share of its preparation an eligible actor could do in the notice given",
        moved_by="notice_period, background_quality, base_prep_time, resources",
        section="§7.3",
        better="higher",
        plain="how much of their preparation the actors who could come could do in the notice given",
    ),
    Column(
        "migrated",
        "int64",
        "issues a group took to a forum it trusts more, past the committee (forum shopping)",
        _COUNT,
        "adaptation.forum_shopping, adaptation.technical_forums, trust",
        "§4.3",
    ),
    Column(
        "adopted",
        "int64",
        "number of issues adopted (in `implementation`)" + CENSORED,
        _COUNT,
        _RULES,
        "§7.7",
        plain="issues agreed in full so far",
    ),
    Column(
        "narrowed",
        "int64",
        "number of issues adopted but narrowed: some aspects agreed, the contested ones dropped (left at the "
        "status quo)" + CENSORED,
        _COUNT,
        _RULES + ", consensus.narrowing, consensus.mandate",
        "§7.7",
        plain="some aspects of the issue were agreed and the contested ones dropped",
    ),
    Column(
        "stalled",
        "int64",
        "number of issues stalled: no aspect agreed" + CENSORED,
        _COUNT,
        _RULES,
        "§7.7",
        plain="issues on which no aspect was agreed",
    ),
    Column(
        "adoption_rate",
        "float64",
        "adopted / (adopted + narrowed + stalled): the share of decided issues agreed in full; delegated "
        "issues are not counted" + CENSORED,
        "0-1; NaN until an issue is decided",
        _RULES,
        "§7.7",
    ),
    Column(
        "mean_time_to_decision",
        "float64",
        "mean months from arrival to decision over adopted, narrowed and stalled issues" + CENSORED,
        "months; NaN until an issue is decided",
        "how long networks take to settle on a text (how far apart participants stand, openness, anchoring, "
        "deliberation_deadline), notice_period, complexity, max_attempts, decision_rule, igf_feedback",
        "§3",
    ),
    Column(
        "legitimacy",
        "float64",
        "mean over decided issues (a stalled aspect at the status quo) of every actor's rating of the outcome: "
        "its procedural and substantive parts mixed by the legitimacy weights",
        "0-1; NaN until an issue is decided",
        "who took part (voice, also at an IGF session), the outcome's distance from stances, notice, background",
        "§7.9",
        better="higher",
        plain="how acceptable everyone, at the table or not, finds the outcomes decided so far",
    ),
    Column(
        "procedural_legitimacy",
        "float64",
        "the rating's procedural part: whether the actor's group and region had a voice, and transparency "
        "(notice sufficiency and background)",
        "0-1; NaN until an issue is decided",
        "who took part (voice, also at an IGF session), notice_period, background_quality",
        "§7.9",
        better="higher",
        plain="how fair the way of deciding looks to everyone: whether their group and region had a say, and "
        "enough notice and background",
    ),
    Column(
        "substantive_legitimacy",
        "float64",
        "the rating's substantive part: closeness of the outcome to each affected actor's own stance, "
        "1 - |stance - outcome|, averaged over every actor",
        "0-1; NaN until an issue is decided",
        "who drafts the text (who came, their preparation and resources, the pen), the decision rule",
        "§7.9",
        better="higher",
        plain="how close what was decided is to what each affected actor wanted",
    ),
    Column(
        "minority_legitimacy",
        "float64",
        "the same rating, among the minority only: participants who said no at an aspect's first vote",
        "0-1; NaN until a decided issue has a minority",
        "decision_rule (a veto lets the minority pull the outcome its way), compromise, acceptance",
        "§7.9",
        better="higher",
        plain="how acceptable the outcomes are to those who first voted no",
    ),
    Column(
        "outcome_gap",
        "float64",
        "mean over decided issues and their aspects of |outcome - median stance of all actors|",
        "0-1; NaN until an issue is decided",
        "who took part and their influence, openness, stance anchoring, the IGF session's audience",
        "§7.9",
        better="lower",
        plain="how far the outcomes are from what the median actor wanted",
    ),
    Column(
        "worst_region_gap",
        "float64",
        "mean over decided issues of the largest distance |outcome - median stance of a region's actors| over "
        "the five regions (every affected actor, present or not)",
        "0-1; NaN until an issue is decided",
        "who drafts the text: host_region and the pen, travel_cost, travel_support, remote_participation",
        "§7.9",
        better="lower",
        plain="how far the outcomes are from what the region left furthest behind wanted",
    ),
    Column(
        "worst_group_gap",
        "float64",
        "mean over decided issues of the largest distance |outcome - median stance of a group's actors| over "
        "the five stakeholder groups (every affected actor, present or not)",
        "0-1; NaN until an issue is decided",
        "who drafts the text: participation_rule, routing and the venue table, resources, decision_rule",
        "§7.9",
        better="lower",
        plain="how far the outcomes are from what the stakeholder group left furthest behind wanted",
    ),
    Column(
        "host_gap",
        "float64",
        "mean over decided issues of |outcome - median stance of the host region's actors|: how near the text "
        "lands to where the region that hosts and chairs the meeting stands (lower: nearer the host)",
        "0-1; NaN until an issue is decided",
        "host_region and pen_weight (the host chairs and holds the pen), home_bonus (the host's actors come)",
        "§7.9",
        plain="how far the outcomes are from what the host region wanted",
    ),
    Column(
        "capture",
        "float64",
        "mean over decided issues of how far the outcome was pulled toward one group's or region's median "
        "stance beyond the whole affected population's (the share of the way, 0 = no bloc favoured)",
        "0-1; NaN until an issue is decided",
        "who drafts the text and who can block: participation_rule, routing, host_region, decision_rule",
        "§7.8",
        better="lower",
        plain="how far the outcomes were pulled toward what one group or region wanted, beyond what everyone wanted",
    ),
    Column(
        "minority_gap",
        "float64",
        "mean over decided issues of the minority's distance |stance - outcome| (over its aspects)",
        "0-1; NaN until a decided issue has a minority",
        "decision_rule, compromise, max_attempts, the status quo",
        "§7.9",
        better="lower",
        plain="how far the outcomes are from what the minority (those who first voted no) wanted",
    ),
)

#: The agent table: one row per actor every `agent_interval` months (``GovernanceModel.agent_table``;
#: `netgov run --agents-out`, batch `outputs = ["agents"]`). Expertise is one column per policy domain.
AGENT_TABLE: tuple[Column, ...] = (
    Column("step", "int64", "month of the snapshot (0 = before the first step)", _COUNT, "time", "§3"),
    Column("actor", "int64", "the actor's row (its Mesa agent's `row`)", _COUNT, "", "§2.1"),
    Column("group", "str", "its stakeholder group", "a group name", "", "§2.1"),
    Column("region", "str", "its UN region (`global` for UN agencies)", "a region code", "", "§2.1"),
    Column("capacity", "float64", "resources left this month after meetings", "0-1", "meetings, recovery", "§7.5"),
    Column("prep_need", "float64", "mean months of preparation with average background", "months", "learning", "§7.3"),
    Column(
        "trust",
        "float64",
        "trust in the process as a whole",
        "0-1; NaN without adaptation.trust",
        "adaptation.trust",
        "§4.3",
    ),
    Column("attended", "int64", "issue networks joined so far", _COUNT, "participation", "§7.5"),
    *(
        Column(f"expertise_{d}", "float64", f"expertise in {d.replace('_', ' ')}", "0-1", "learning", "§2.1")
        for d in DOMAINS
    ),
)
#: Agent-table column names, in table order.
AGENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in AGENT_TABLE)

#: Column names, in table order.
STEP_COLUMNS: tuple[str, ...] = tuple(c.name for c in STEP_TABLE)
#: Column name -> NumPy / pandas dtype.
STEP_DTYPES: dict[str, Dtype] = {c.name: c.dtype for c in STEP_TABLE}
#: The final metrics of a run: every per-step column but ``step``.
FINAL_METRICS: tuple[str, ...] = STEP_COLUMNS[1:]
#: The per-step columns that are shares, 0 to 1 (plots draw them on a 0-1 axis; intervals stay inside it).
UNIT_INTERVAL: frozenset[str] = frozenset(c.name for c in STEP_TABLE if c.values.startswith("0-1"))
#: The final metrics that are a judgement (higher or lower is better): what a recommendation can claim.
JUDGED_METRICS: tuple[str, ...] = tuple(c.name for c in STEP_TABLE if c.better)
#: The metrics shown by default: `compare --plot`, `netgov analyze`, `netgov sensitivity`, the dashboard.
KEY_METRICS: tuple[str, ...] = (
    "participation_rate",
    "inclusiveness",
    "regional_balance",
    "capture",
    "adoption_rate",
    "legitimacy",
)


def better_sign(name: str) -> int:
    """+1 if higher values of a per-step column are better, -1 if lower are, 0 if it is not a judgement."""
    return {"higher": 1, "lower": -1, "": 0}[column(name).better]


def column(name: str) -> Column:
    """The contract entry of a per-step column (KeyError names the known ones)."""
    for c in STEP_TABLE:
        if c.name == name:
            return c
    raise KeyError(f"{name!r} is not a per-step column; columns: {', '.join(STEP_COLUMNS)}")
