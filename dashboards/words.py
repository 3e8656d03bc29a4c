"""Plain words for a room of diplomats: what the dashboard and its session report call things.

The identifiers (``concurrent_groups_regions``, ``action_line_coalition``, ``regional_balance``) stay the
keys of scenario files, data columns and the CLI; a room reads the names here, and sees an identifier
only in a control's "advanced" tooltip. Metric names and meanings come from the typed per-step contract
(``model.contract``), so a metric added there shows here without an edit.
"""

from __future__ import annotations

import re
from typing import Any, get_args

from netgov.model.core.catalog import GROUP_NAMES, REGION_NAMES, VENUES
from netgov.model.core.config import DecisionRule, ParticipationRule, Routing
from netgov.model.core.contract import column
from netgov.model.describe import parameter
from netgov.model.issues import PHASES

DECISION_RULE_NAMES: dict[str, str] = {
    "consensus": "consensus (no one objects)",
    "rough_consensus": "rough consensus (few objections)",
    "majority": "majority vote",
    "qualified_majority": "qualified majority",
    "government_vote": "governments vote (others advise)",
    "concurrent_groups": "a majority in every stakeholder group",
    "concurrent_groups_regions": "a majority in every group and every region",
}
PARTICIPATION_RULE_NAMES: dict[str, str] = {
    "open": "open to all",
    "invited_experts": "invited experts only",
    "group_quotas": "seats per stakeholder group",
    "governments_only": "governments only",
}
VENUE_NAMES: dict[str, str] = {
    "intergovernmental": "intergovernmental body",
    "action_line_coalition": "WSIS Action Line coalition",
    "cstd_committee": "CSTD committee",
    "cstd_working_group": "CSTD working group",
    "external_process": "existing multistakeholder process",
    "igf": "Internet Governance Forum",
}
PHASE_NAMES: dict[str, str] = {
    "review": "under review",
    "convening": "convening",
    "scoping": "scoping",
    "igf_session": "IGF session",
    "deliberation": "deliberation",
    "decision": "deciding",
    "implementation": "adopted",
    "narrowed": "adopted, narrowed",
    "stalled": "stalled",
    "delegated": "delegated",
    "advised": "advice given",
}
ROUTING_NAMES: dict[str, str] = {
    "intergovernmental": "all to the intergovernmental body",
    "cstd_platform": "all through the CSTD platform",
    "distributed": "distributed issue networks",
}
HOST_REGION_NAMES: dict[str, str] = {**REGION_NAMES, "rotate": "rotating between regions"}
#: The names of a parameter's choices, by the last part of its key (``venues.igf.decision_rule``): the
#: same identifier can name different things (routing = "intergovernmental", the venue "intergovernmental").
CHOICES: dict[str, dict[str, str]] = {
    "decision_rule": DECISION_RULE_NAMES,
    "participation_rule": PARTICIPATION_RULE_NAMES,
    "routing": ROUTING_NAMES,
    "host_region": HOST_REGION_NAMES,
    "venue": VENUE_NAMES,
}
#: Every choice a room can meet, by its identifier.
NAMES: dict[str, str] = {
    **DECISION_RULE_NAMES,
    **PARTICIPATION_RULE_NAMES,
    **VENUE_NAMES,
    **PHASE_NAMES,
    **GROUP_NAMES,
    **REGION_NAMES,
    "adopted": "adopted",
}
#: Each vocabulary of the model and its names (a test checks that every identifier has one).
VOCABULARIES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "decision rules": (get_args(DecisionRule), DECISION_RULE_NAMES),
    "participation rules": (get_args(ParticipationRule), PARTICIPATION_RULE_NAMES),
    "venues": (VENUES, VENUE_NAMES),
    "phases": (PHASES, PHASE_NAMES),
    "routing": (get_args(Routing), ROUTING_NAMES),
}


def name(identifier: str) -> str:
    """A choice's display name (an unknown identifier with spaces for underscores, never raw); where the
    parameter is known, ``shown`` picks the name for its kind of choice."""
    return NAMES.get(identifier, identifier.replace("_", " "))


def metric_name(metric: str) -> str:
    """A metric as a room reads it: the contract's name in words ("regional balance")."""
    return column(metric).name.replace("_", " ")


def values_in_words(values: str) -> str:
    """The contract's value range in words: "0-1; NaN until ..." -> "from 0 to 1; blank until ..."."""
    text = re.sub(r"\b0-1\b", "from 0 to 1", values)
    return text.replace("NaN", "blank")


def metric_words(metric: str) -> str:
    """One sentence on a metric for a room: its plain meaning (the contract's ``plain``, else its
    meaning), its values in words and which way is better."""
    c = column(metric)
    better = f" {c.better.capitalize()} is better." if c.better else ""
    meaning = c.plain or c.meaning
    return f"{metric_name(metric).capitalize()}: {meaning} ({values_in_words(c.values)}).{better}"


def number(value: Any) -> str:
    """A number as a room writes it: 0.5, 3, 0 (no trailing zeros)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def shown(key: str, value: Any) -> str:
    """A parameter's value as the room saw it on its control (a choice by its name, a switch on / off)."""
    if isinstance(value, str):
        names = CHOICES.get(key.rsplit(".", 1)[-1], {})
        return names.get(value) or name(value)
    return number(value)


def _plain(text: str) -> str:
    """A schema description without its code asides ("(before `scale`)") or backticks."""
    text = re.sub(r"\s*\([^)]*`[^)]*\)", "", text)
    return text.replace("`", "")


def help_text(key: str, kind: str, lo: float = 0, hi: float = 1) -> str:
    """One line under a control: what it is, and its range (``lo`` to ``hi``, the control's) and default in
    words, e.g. "Share of travel cost covered for actors in need. From 0 to 1; default 0."."""
    if key == "rng":
        return "Same seed and same rules: the same run. From 0 to 99; default 0."
    info = parameter(key)
    if info is None:
        return ""
    meaning = _plain(info.meaning)
    meaning = meaning[:1].upper() + meaning[1:]
    if kind == "choice":
        return f"{meaning}. Default: {name(str(info.default))}."
    if kind == "switch":
        return f"{meaning}. On or off; default {number(bool(info.default))}."
    unit = f" {info.unit}" if info.unit and info.unit not in ("0-1", "x", "weight", "actors") else ""
    return f"{meaning}. From {number(lo)} to {number(hi)}{unit}; default {number(info.default)}."
