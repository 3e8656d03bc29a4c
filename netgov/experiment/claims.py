"""Claims a study judges, as researchers state them: in a spec's ``[[claims]]`` or on the command line.

Five kinds, each about one final metric:

- ``raises`` / ``lowers``: policy P moves the metric above (below) policy ``than`` by at least ``by``;
- ``no_worse_than``: P is at most ``within`` worse than ``than`` (worse in the direction the typed contract
  gives the metric);
- ``at_least`` / ``at_most``: P keeps the metric at or above (below) ``threshold`` (satisficing).

A claim is checked against the spec's policies and the contract when the spec is read; its verdict in
each world comes from :mod:`netgov.analysis.claims`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from netgov.model.core.contract import FINAL_METRICS, JUDGED_METRICS, better_sign
from netgov.model.core.errors import ConfigError

Kind = Literal["raises", "lowers", "no_worse_than", "at_least", "at_most"]
KINDS: tuple[str, ...] = get_args(Kind)
PAIRED = ("raises", "lowers", "no_worse_than")  # the kinds that compare two policies
#: The keys of one ``[[claims]]`` table, and what each takes.
KEYS = {
    "policy": "a policy of the spec",
    "kind": "one of " + ", ".join(KINDS),
    "metric": "a final metric",
    "than": "the policy compared with (raises, lowers, no_worse_than; default: the first policy)",
    "by": "the smallest effect that counts (raises, lowers; a number >= 0, default 0)",
    "within": "the tolerance (no_worse_than; a number >= 0, default 0)",
    "threshold": "the level to stay at or above / below (at_least, at_most)",
}
NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
NAME = r"([A-Za-z_][\w.-]*)"
#: The command line's forms (``--claim``), the same words as the report's lines.
FORMS = (
    (re.compile(rf"^{NAME} (raises|lowers) {NAME}(?: (?:above|below) {NAME})?(?: by {NUMBER})?$"), "move"),
    (re.compile(rf"^{NAME} no_worse_than {NAME} on {NAME}(?: within {NUMBER})?$"), "tolerance"),
    (re.compile(rf"^{NAME} (at_least|at_most) {NUMBER} on {NAME}$"), "satisfice"),
)
USAGE = (
    '"P raises M [above B] [by X]", "P lowers M [below B] [by X]", "P no_worse_than B on M [within X]",'
    ' "P at_least X on M" or "P at_most X on M"'
)


@dataclass(frozen=True)
class Claim:
    """One claim about one metric: P against ``than`` (raises, lowers, no_worse_than) or a threshold."""

    policy: str
    kind: str
    metric: str
    than: str = ""
    by: float = 0.0
    within: float = 0.0
    threshold: float = math.nan

    @property
    def paired(self) -> bool:
        return self.kind in PAIRED

    @property
    def sign(self) -> int:
        """+1 if the claim wants the metric (or P - than) up, -1 if down."""
        if self.kind in ("raises", "at_least"):
            return 1
        if self.kind in ("lowers", "at_most"):
            return -1
        return better_sign(self.metric)

    @property
    def text(self) -> str:
        """The claim in the words ``--claim`` takes (one line in the report)."""
        if self.kind in ("raises", "lowers"):
            side = "above" if self.kind == "raises" else "below"
            return f"{self.policy} {self.kind} {self.metric} {side} {self.than}" + (
                f" by {self.by:g}" if self.by else ""
            )
        if self.kind == "no_worse_than":
            return f"{self.policy} no_worse_than {self.than} on {self.metric}" + (
                f" within {self.within:g}" if self.within else ""
            )
        return f"{self.policy} {self.kind} {self.threshold:g} on {self.metric}"

    def record(self) -> dict[str, Any]:
        """The claim as a table row or a TOML table (what the manifest and holds.parquet keep)."""
        row: dict[str, Any] = {"policy": self.policy, "kind": self.kind, "metric": self.metric}
        if self.paired:
            row["than"] = self.than
        if self.kind in ("raises", "lowers"):
            row["by"] = self.by
        if self.kind == "no_worse_than":
            row["within"] = self.within
        if not self.paired:
            row["threshold"] = self.threshold
        return row


def _number(value: Any, where: str, key: str, nonnegative: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where}: {key} = {value!r} is not allowed: expected a finite number")
    if nonnegative and value < 0:
        raise ConfigError(f"{where}: {key} = {value!r} is not allowed: expected a number >= 0")
    return float(value)


def check_claim(claim: Claim, policies: Sequence[str], where: str) -> Claim:
    """A claim whose policies are the study's and whose metric the contract can judge (one line if not)."""
    for key, name in (("policy", claim.policy), ("than", claim.than)):
        if (key == "policy" or claim.paired) and name not in policies:
            raise ConfigError(f"{where}: {key} = {name!r} is not allowed: expected a policy: {', '.join(policies)}")
    if claim.paired and claim.than == claim.policy:
        raise ConfigError(f"{where}: than = {claim.than!r} is the claim's own policy; compare two policies")
    if claim.metric not in FINAL_METRICS:
        raise ConfigError(
            f"{where}: metric = {claim.metric!r} is not allowed: expected a final metric: {', '.join(FINAL_METRICS)}"
        )
    if claim.kind == "no_worse_than" and claim.metric not in JUDGED_METRICS:
        raise ConfigError(
            f"{where}: metric = {claim.metric!r} is not allowed with no_worse_than: neither higher nor lower is"
            f" better; expected one of {', '.join(JUDGED_METRICS)}"
        )
    return claim


def claim_from_table(table: Mapping[str, Any], policies: Sequence[str], where: str) -> Claim:
    """One ``[[claims]]`` table: its keys checked, its numbers finite, its policies the spec's."""
    unknown = [k for k in table if k not in KEYS]
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(KEYS)}")
    for key in ("policy", "kind", "metric"):
        if key not in table:
            raise ConfigError(f"{where}: {key!r} is missing: expected {KEYS[key]}")
        if not isinstance(table[key], str):
            raise ConfigError(f"{where}: {key} = {table[key]!r} is not allowed: expected {KEYS[key]}")
    kind = table["kind"]
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind = {kind!r} is not allowed: expected {KEYS['kind']}")
    allowed = {"raises": {"than", "by"}, "lowers": {"than", "by"}, "no_worse_than": {"than", "within"}}
    extra = [
        k for k in ("than", "by", "within", "threshold") if k in table and k not in allowed.get(kind, {"threshold"})
    ]
    if extra:
        raise ConfigError(f"{where}: {extra[0]} = {table[extra[0]]!r} does not belong to kind {kind!r}")
    if kind in ("at_least", "at_most") and "threshold" not in table:
        raise ConfigError(f"{where}: 'threshold' is missing: kind {kind!r} needs {KEYS['threshold']}")
    than = table.get("than", policies[0] if policies else "")
    if not isinstance(than, str):
        raise ConfigError(f"{where}: than = {than!r} is not allowed: expected {KEYS['than']}")
    claim = Claim(
        policy=table["policy"],
        kind=kind,
        metric=table["metric"],
        than=than if kind in PAIRED else "",
        by=_number(table.get("by", 0), where, "by", True),
        within=_number(table.get("within", 0), where, "within", True),
        threshold=_number(table["threshold"], where, "threshold", False) if "threshold" in table else math.nan,
    )
    return check_claim(claim, policies, where)


def parse_claim(text: str, policies: Sequence[str]) -> Claim:
    """``--claim "distributed raises inclusiveness above status_quo by 0.01"`` (and the other forms)."""
    words = " ".join(text.split())
    where = f"--claim {text!r}"
    for pattern, form in FORMS:
        m = pattern.match(words)
        if not m:
            continue
        if form == "move":
            policy, kind, metric, than, by = m.groups()
            table = {"policy": policy, "kind": kind, "metric": metric, "than": than, "by": by}
        elif form == "tolerance":
            policy, than, metric, within = m.groups()
            table = {"policy": policy, "kind": "no_worse_than", "metric": metric, "than": than, "within": within}
        else:
            policy, kind, threshold, metric = m.groups()
            table = {"policy": policy, "kind": kind, "metric": metric, "threshold": threshold}
        table = {k: (float(v) if k in ("by", "within", "threshold") else v) for k, v in table.items() if v is not None}
        return claim_from_table(table, policies, where)
    raise ConfigError(f"{where} is not allowed: expected {USAGE}")


def default_claims(policies: Sequence[str], metrics: Sequence[str], baseline: str) -> tuple[Claim, ...]:
    """What a study claims when it states no claims: every other policy is better than ``baseline`` on each
    metric (raises where higher is better, lowers where lower is)."""
    return tuple(
        Claim(p, "raises" if better_sign(m) > 0 else "lowers", m, baseline)
        for p in policies
        if p != baseline
        for m in metrics
    )
