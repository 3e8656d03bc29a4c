"""Every parameter and metric in words, from the schema and the per-step contract.

One source for `netgov params`, `netgov explain`, `netgov scenarios show` and the generated
tables of docs/ODD.md (docs/param_table.py), so the tool and the docs say the same thing.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from netgov.model.core.catalog import GROUPS, REGION_CODES
from netgov.model.core.config import ModelConfig, flatten
from netgov.model.core.contract import STEP_TABLE, Column
from netgov.model.core.schema_lookup import allowed, field_at, iter_fields

if TYPE_CHECKING:  # `netgov params` and `explain` read this module: they load neither pandas nor the model
    import pandas as pd

    from netgov.model.issues import Issue

#: Section of docs/ODD.md that describes a parameter, by dotted key or by its first part.
SECTIONS: dict[str, str] = {
    "notice_period": "§7.3",
    "background_quality": "§7.3",
    "base_prep_time": "§7.3",
    "decision_rule": "§7.7",
    "qualified_share": "§7.7",
    "objection_threshold": "§7.7",
    "max_attempts": "§7.7",
    "acceptance": "§7.7",
    "acceptance_concentration": "§5",
    "compromise": "§7.7",
    "compromise_time": "§7.7",
    "venues": "§7.2",
    "delegate_share": "§7.2",
    "igf_time": "§7.6",
    "adaptation": "§4.3",
    "participation_rule": "§7.5",
    "participation": "§7.5",
    "remote_participation": "§7.5",
    "travel_support": "§7.4",
    "travel_cost": "§7.4",
    "host_region": "§7.4",
    "tie_partners": "§7.4",
    "participation.ties_scale": "§7.4",
    "routing": "§7.2",
    "committee": "§7.2",
    "scoping_time": "§7.2",
    "igf_feedback": "§7.6",
    "igf_pull": "§7.6",
    "openness": "§7.6",
    "deliberation_deadline": "§7.6",
    "convergence": "§7.6",
    "pen_weight": "§7.6",
    "positions": "§7.1",
    "consensus": "§7.7",
    "agenda": "§7.1",
    "legitimacy": "§7.9",
    "reference_shares": "§7.10",
    "steps": "§3",
}
#: `netgov params` by topic: each topic's one-line heading and the top-level keys it holds (a table's key
#: holds all its leaves). Every parameter is in exactly one topic (tests/test_explain.py).
TOPICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "population": (
        "who exists: how many actors of each group, where they come from, their resources and expertise",
        ("scale", "actors", "regions", "resources", "expertise"),
    ),
    "positions": (
        "what actors want and how far they bend: positions on the cleavages, acceptance, openness to persuasion",
        ("positions", "acceptance", "acceptance_concentration", "openness", "openness_concentration"),
    ),
    "agenda": ("which issues arrive: rate, domains, complexity, state-centric share, or a fixed list", ("agenda",)),
    "notice": (
        "how long actors have to prepare: notice, background material, preparation time",
        (
            "notice_period",
            "background_quality",
            "base_prep_time",
        ),
    ),
    "participation": (
        "who may come and who does: the participation rule, its weights, travel, remote participation, the host",
        (
            "participation_rule",
            "participation",
            "remote_participation",
            "travel_support",
            "travel_cost",
            "host_region",
            "tie_partners",
        ),
    ),
    "venues": (
        "where an issue goes: routing, the CSTD committee, the venue table, scoping, the IGF",
        ("routing", "committee", "venues", "scoping_time", "delegate_share", "igf_feedback", "igf_time", "igf_pull"),
    ),
    "decision": (
        "how a network talks and decides: the decision rule, consensus as practised, attempts, the chair's text",
        (
            "decision_rule",
            "qualified_share",
            "objection_threshold",
            "consensus",
            "max_attempts",
            "compromise",
            "compromise_time",
            "deliberation_deadline",
            "convergence",
            "pen_weight",
        ),
    ),
    "adaptation": (
        "what actors carry across meetings: trust, exit and voice, learning, forum shopping",
        ("adaptation",),
    ),
    "measurement": (
        "how outcomes are judged and how long a run lasts: legitimacy weights, the regional reference, steps",
        ("legitimacy", "reference_shares", "steps", "agent_interval"),
    ),
}


def topic_of(dotted: str) -> str:
    """The topic (a key of :data:`TOPICS`) a parameter is listed under; "" if none names it."""
    head = dotted.split(".")[0]
    return next((t for t, (_, keys) in TOPICS.items() if head in keys), "")


#: Parts of the schema set at initialisation (§5 of docs/ODD.md).
_INITIAL = ("actors", "regions", "resources", "expertise", "openness_concentration", "scale")
GENERIC = ("value for ", "multiplier for ", "weight of ")


@dataclass(frozen=True)
class ParameterInfo:
    """One leaf parameter of the schema, described."""

    name: str
    type: str
    default: Any
    range: str
    unit: str
    meaning: str
    section: str


def section_of(dotted: str) -> str:
    """The ODD section that describes a parameter."""
    if dotted in SECTIONS:
        return SECTIONS[dotted]
    head = dotted.split(".")[0]
    return SECTIONS.get(head, "§5" if head in _INITIAL else "§7")


def type_of(info: Any) -> str:
    text = allowed(info)
    if text.startswith("one of"):
        return "choice"
    for word, kind in (("an integer", "int"), ("a number", "float"), ("true or false", "bool")):
        if text.startswith(word):
            return kind
    return "list of tables" if text.startswith("a table") else text


def range_of(info: Any) -> str:
    text = allowed(info)
    if text.startswith(("one of", "a table")):
        return text.replace("a table with keys", "tables with keys")
    if text == "true or false":
        return "true, false"
    return text.split(" (")[0].replace("an integer ", "").replace("a number ", "").replace(" and ", ", ")


def meaning_of(dotted: str, info: Any) -> str:
    """The field's description; a leaf of a shared sub-table (one value per group or region) says which table."""
    text = info.description or ""
    generic = next((g for g in GENERIC if text.startswith(g)), None)
    if generic is not None:
        parts = dotted.split(".")
        first = 1 if len(parts) > 2 else 0  # the top-level table's description only repeats its name
        ancestors = [field_at(".".join(parts[:i])) for i in range(first + 1, len(parts))]
        text = " › ".join(a.description for a in ancestors if a is not None and a.description)
        text += ": " + info.description.removeprefix(generic)
    return text


def describe(dotted: str, info: Any, default: Any) -> ParameterInfo:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return ParameterInfo(
        name=dotted,
        type=type_of(info),
        default=default,
        range=range_of(info),
        unit=extra.get("unit", ""),
        meaning=meaning_of(dotted, info),
        section=section_of(dotted),
    )


@functools.cache
def _described() -> tuple[ParameterInfo, ...]:
    defaults = flatten(ModelConfig().model_dump(by_alias=True))  # a leaf of an unset table: None
    return tuple(describe(d, info, defaults.get(d)) for d, info in iter_fields())


def parameters(pattern: str = "") -> list[ParameterInfo]:
    """Every leaf parameter, in schema order; ``pattern`` keeps a topic's (``notice``, :data:`TOPICS`) and those
    matching a glob (``participation.*``) or holding the word in their name or meaning."""
    out = list(_described())
    if not pattern:
        return out
    glob = any(c in pattern for c in "*?[")
    return [
        p
        for p in out
        if topic_of(p.name) == pattern
        or (fnmatch.fnmatchcase(p.name, pattern) if glob else pattern in p.name or pattern in p.meaning)
    ]


def metric(name: str) -> Column | None:
    """The contract entry of a per-step column, or None."""
    return next((c for c in STEP_TABLE if c.name == name), None)


def parameter(name: str) -> ParameterInfo | None:
    """One parameter described, or None (a table such as ``participation`` is not a leaf)."""
    return next((p for p in parameters() if p.name == name), None)


def inactive(config: ModelConfig, set_keys: Iterable[str]) -> list[str]:
    """One line per parameter that was set (in a scenario file or with --set) but has no effect under
    another one, e.g. `participation_rule` when routing sends every issue to the intergovernmental venue."""
    keys = set(set_keys)

    def was_set(key: str) -> bool:
        return key in keys or any(k.startswith(key + ".") for k in keys)

    c = config
    venues = [getattr(c.venues, v) for v in type(c.venues).model_fields]
    in_force = {c.decision_rule} | {v.decision_rule for v in venues if v.binding and v.decision_rule != "configured"}
    states_rule = c.venues.intergovernmental.decision_rule
    all_states = c.routing == "intergovernmental" and states_rule not in ("configured", c.decision_rule)
    checks: list[tuple[str, bool, str]] = [
        (
            "decision_rule",
            all_states,
            "routing = 'intergovernmental' sends every issue to the intergovernmental venue, which decides by "
            f"its own rule ({c.venues.intergovernmental.decision_rule!r}, venues.intergovernmental.decision_rule)",
        ),
        (
            "participation_rule",
            c.routing == "intergovernmental" and c.participation_rule != "governments_only",
            "routing = 'intergovernmental' sends every issue to the intergovernmental venue, which admits "
            "governments only",
        ),
        ("committee", c.routing == "intergovernmental", "routing = 'intergovernmental' has no CSTD committee"),
        (
            "participation.expert_threshold",
            c.participation_rule != "invited_experts",
            f"it applies under participation_rule = 'invited_experts', not {c.participation_rule!r}",
        ),
        (
            "participation.seats_per_group",
            c.participation_rule != "group_quotas",
            f"it applies under participation_rule = 'group_quotas', not {c.participation_rule!r}",
        ),
        (
            "qualified_share",
            "qualified_majority" not in in_force,
            "it applies where a venue decides by 'qualified_majority', and none does "
            f"(decision_rule = {c.decision_rule!r})",
        ),
        (
            "objection_threshold",
            "rough_consensus" not in in_force,
            "it applies where a venue decides by 'rough_consensus', and none does "
            f"(decision_rule = {c.decision_rule!r})",
        ),
        ("igf_pull", not c.igf_feedback, "it applies only with igf_feedback = true"),
        ("igf_time", not c.igf_feedback, "it applies only with igf_feedback = true"),
        ("compromise", c.max_attempts == 1, "with max_attempts = 1 there is no second attempt to compromise for"),
        ("compromise_time", c.max_attempts == 1, "with max_attempts = 1 there is no second attempt"),
        ("agenda.rate", c.agenda.mode == "fixed", "agenda.mode = 'fixed' takes its issues from agenda.issues"),
        (
            "agenda.issues",
            c.agenda.mode == "poisson" and bool(c.agenda.issues),
            "agenda.mode = 'poisson' draws its issues; set agenda.mode = 'fixed' to use the list",
        ),
    ]
    return [f"{key} has no effect: {why}" for key, idle, why in checks if idle and was_set(key)]


def changed_keys(config: ModelConfig, against: ModelConfig) -> list[str]:
    """Dotted keys whose value differs between two configs (what the dashboard's controls changed)."""
    now = flatten(config.model_dump(by_alias=True))
    before = flatten(against.model_dump(by_alias=True))
    return [k for k, v in now.items() if before.get(k, object()) != v]


# -- one issue network, for a room: who is at the table ---------------------------------------

#: Why an actor is not at an issue's table: kept out by the rule, or (eligible) held back mostly by the
#: short notice or mostly by the travel cost.
ABSENCE_REASONS: tuple[str, ...] = ("rule", "notice", "cost")


@dataclass(frozen=True)
class Table:
    """Who sat at one issue's table, as counts a room can read (every frame indexed by group keys)."""

    present: pd.DataFrame  # groups x regions: participants (onsite and remote)
    attendance: pd.DataFrame  # groups x (onsite, remote)
    absent: pd.DataFrame  # groups x ABSENCE_REASONS: who did not come, and the main reason
    votes_by_group: pd.DataFrame  # groups x (yes, no) at the latest vote; empty before a vote
    votes_by_region: pd.DataFrame  # regions x (yes, no)


def at_the_table(
    issue: Issue, group: np.ndarray, region: np.ndarray, notice_loss: np.ndarray, cost_loss: np.ndarray
) -> Table:
    """Participants by group x region, onsite vs remote, the eligible who stayed away and why, and the vote.

    ``group``/``region`` are every actor's codes; ``notice_loss`` and ``cost_loss`` what the short notice and
    the travel cost take off each actor's log-odds of coming (the terms of ``behaviour.take_part``). An
    eligible actor who did not come is counted under the larger of the two; one the rule (or the venue)
    did not admit under ``rule``. The counts of participants are those of ``issue.row()``.
    """
    import pandas as pd

    rows = issue.participants
    g, r = group[rows], region[rows]
    present = np.zeros((len(GROUPS), len(REGION_CODES)), dtype=np.int64)
    np.add.at(present, (g, r), 1)
    remote = np.bincount(g[issue.remote], minlength=len(GROUPS)) if rows.size else np.zeros(len(GROUPS), int)
    by_group = present.sum(axis=1)
    came = np.zeros(group.size, dtype=bool)
    came[rows] = True
    eligible = issue.eligible_mask if issue.eligible_mask.size == group.size else np.zeros(group.size, dtype=bool)
    stayed = eligible & ~came
    notice = stayed & (notice_loss >= cost_loss)
    absent = np.stack(
        [
            np.bincount(group[~eligible & ~came], minlength=len(GROUPS)),
            np.bincount(group[notice], minlength=len(GROUPS)),
            np.bincount(group[stayed & ~notice], minlength=len(GROUPS)),
        ],
        axis=1,
    )

    def tally(codes: np.ndarray, k: int, names: tuple[str, ...]) -> pd.DataFrame:
        if issue.votes is None:
            return pd.DataFrame(columns=["yes", "no"], dtype=np.int64)
        yes = np.bincount(codes[issue.votes], minlength=k)
        no = np.bincount(codes[~issue.votes], minlength=k)
        return pd.DataFrame({"yes": yes, "no": no}, index=list(names))

    return Table(
        present=pd.DataFrame(present, index=list(GROUPS), columns=list(REGION_CODES)),
        attendance=pd.DataFrame({"onsite": by_group - remote, "remote": remote}, index=list(GROUPS)),
        absent=pd.DataFrame(absent, index=list(GROUPS), columns=list(ABSENCE_REASONS)),
        votes_by_group=tally(g, len(GROUPS), GROUPS),
        votes_by_region=tally(r, len(REGION_CODES), REGION_CODES),
    )


def network_values(issue: Issue) -> dict[str, float]:
    """One convened network's own values of the per-step metrics that are means over networks (the running
    means of the per-step table average these); NaN where it has none (formal power of an advisory network)."""
    return {
        "participation_rate": issue.participants.size / issue.eligible if issue.eligible else float("nan"),
        **{k: issue.composition.get(k, float("nan")) for k in ("inclusiveness", "group_coverage", "regional_balance")},
        "notice_sufficiency": issue.notice_sufficiency,
        "formal_power": issue.power.formal_power if issue.power is not None else float("nan"),
    }


def ties_between(edges: np.ndarray, weights: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    """Tie strength between blocs: a symmetric k x k matrix of summed tie weights, ``edges`` being (u, v)
    actor rows and ``codes`` each actor's bloc (group or region); a tie inside a bloc counts once on the
    diagonal."""
    if len(edges) == 0:
        return np.zeros((k, k))
    a, b = codes[edges[:, 0]], codes[edges[:, 1]]
    # bincount over the flat cell index: np.add.at took a quarter of a second for a million ties
    out = np.bincount(a * k + b, weights=weights, minlength=k * k).reshape(k, k)
    return out + np.bincount(b * k + a, weights=np.where(a == b, 0.0, weights), minlength=k * k).reshape(k, k)
