"""Decision rules: does a set of yes votes pass, and how much power does each bloc hold?

A rule sees the participants' stakeholder groups and regions (integer codes from
``catalog``) and a boolean yes per participant: a vote under the voting rules, "no sustained
objection" under `consensus` and `rough_consensus` (``behaviour.object_to``). One actor, one vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

import numpy as np

from netgov.model.core import metrics
from netgov.model.core.catalog import GLOBAL_CODE, GOVERNMENT, GROUPS, REGION_CODES
from netgov.model.core.config import DecisionRule, Standing

DECISION_RULES: tuple[str, ...] = get_args(DecisionRule)


@dataclass(frozen=True)
class Rule:
    """A decision rule with its thresholds."""

    name: str
    qualified_share: float = 2 / 3
    objection_threshold: float = 0.1
    #: Who may block under `consensus` (the venue's ``standing``): at a UN body (`states`) any member state's
    #: sustained objection blocks and no other member's does; elsewhere (`significant_part`) the chair judges the
    #: room: an objection blocks only from a ``significant_part`` of a stakeholder group or of a region.
    standing: Standing = "significant_part"
    significant_part: float = 1 / 3

    @property
    def by_consent(self) -> bool:
        """Whether participants accept or object (the consensus family) rather than vote."""
        return self.name in ("consensus", "rough_consensus")

    def __post_init__(self) -> None:
        if self.name not in DECISION_RULES:
            raise ValueError(f"unknown decision_rule {self.name!r}; allowed: {', '.join(DECISION_RULES)}")

    def passes(self, yes: np.ndarray, groups: np.ndarray, regions: np.ndarray) -> bool:
        """Whether the outcome is adopted given each participant's vote."""
        yes = np.asarray(yes, dtype=bool)
        groups = np.asarray(groups)
        regions = np.asarray(regions)
        return self.passes_cells(cells(groups[yes], regions[yes]), cells(groups, regions))

    def blockers(self, yes: np.ndarray, groups: np.ndarray, regions: np.ndarray) -> np.ndarray:
        """Who stopped a failed proposal: the no voters whose votes counted against it.

        Under `government_vote`, and `consensus` at a UN body, only governments count; under concurrent
        majorities only the no voters of a group (or region) whose majority said no hold the veto; under
        `consensus` judged by the chair, the objectors of a group (or region) of which a significant part
        objects; under every other rule, every no voter (objector). The compromise (``issues.Issue.decide``)
        moves the next text toward them.
        """
        yes = np.asarray(yes, dtype=bool)
        groups = np.asarray(groups)
        regions = np.asarray(regions)
        no = ~yes
        if self.name == "government_vote" or (self.name == "consensus" and self.standing == "states"):
            return no & (groups == GOVERNMENT)
        if self.name == "consensus":
            g_no = np.bincount(groups[no], minlength=len(GROUPS))
            g_all = np.bincount(groups, minlength=len(GROUPS))
            r_no = np.bincount(regions[no], minlength=len(REGION_CODES))
            r_all = np.bincount(regions, minlength=len(REGION_CODES))
            heeded = (g_no >= self.significant_part * g_all)[groups]
            heeded |= (r_no >= self.significant_part * r_all)[regions] & (regions < GLOBAL_CODE)
            return no & heeded
        if not self.name.startswith("concurrent"):
            return no
        g_yes = np.bincount(groups[yes], minlength=len(GROUPS))
        g_all = np.bincount(groups, minlength=len(GROUPS))
        failing = (2 * g_yes <= g_all)[groups]
        if self.name == "concurrent_groups_regions":
            k = len(REGION_CODES)
            r_yes = np.bincount(regions[yes], minlength=k)
            r_all = np.bincount(regions, minlength=k)
            failing |= (2 * r_yes <= r_all)[regions] & (regions < GLOBAL_CODE)
        return no & failing

    def passes_cells(self, ayes: np.ndarray, members: np.ndarray) -> bool:
        """The same decision from (group x region) tables of yes votes and of participants.

        Every rule depends on votes only through these counts, which is what makes the
        bloc games below cheap.
        """
        return bool(self.passes_each(np.asarray(ayes)[None], members)[0])

    def passes_each(self, ayes: np.ndarray, members: np.ndarray) -> np.ndarray:
        """:meth:`passes_cells` for a stack of yes tables at once (``ayes``: k x group x region): one pass
        over every coalition of a bloc game instead of one call per coalition."""
        n = int(members.sum())
        y = ayes.sum(axis=(1, 2))
        if n == 0:
            return np.zeros(len(ayes), dtype=bool)
        if self.name == "consensus":
            if self.standing == "states":  # member states present, none of them objecting
                gov = int(members[GOVERNMENT].sum())
                return (ayes[:, GOVERNMENT].sum(axis=1) == gov) & (gov > 0)
            return _no_significant_objection(ayes, members, self.significant_part)
        if self.name == "rough_consensus":
            return (n - y) <= self.objection_threshold * n
        if self.name == "majority":
            return 2 * y > n
        if self.name == "qualified_majority":
            return y >= self.qualified_share * n
        if self.name == "government_vote":
            gov = int(members[GOVERNMENT].sum())
            return (2 * ayes[:, GOVERNMENT].sum(axis=1) > gov) & (gov > 0)
        # concurrent majorities: every stakeholder group (and UN region) must take part and agree
        ok = _majority_in_every(ayes.sum(axis=2), members.sum(axis=1))
        if self.name == "concurrent_groups_regions":
            ok &= _majority_in_every(ayes[:, :, :GLOBAL_CODE].sum(axis=1), members[:, :GLOBAL_CODE].sum(axis=0))
        return ok


def cells(groups: np.ndarray, regions: np.ndarray) -> np.ndarray:
    """Participants counted per (stakeholder group, region code): a 5 x 6 table."""
    k = len(REGION_CODES)
    return np.bincount(groups * k + regions, minlength=len(GROUPS) * k).reshape(len(GROUPS), k)


def _no_significant_objection(ayes: np.ndarray, members: np.ndarray, significant: float) -> np.ndarray:
    """The chair's judgement, for each yes table of a stack: no stakeholder group and no region (not `global`)
    of which at least a share ``significant`` of its participants object."""
    objecting = members - ayes
    g_no, g_all = objecting.sum(axis=2), members.sum(axis=1)
    r_no, r_all = objecting[:, :, :GLOBAL_CODE].sum(axis=1), members[:, :GLOBAL_CODE].sum(axis=0)
    heeded = np.concatenate(
        [(g_no >= significant * g_all) & (g_all > 0), (r_no >= significant * r_all) & (r_all > 0)], axis=1
    )
    return ~heeded.any(axis=1)


def _majority_in_every(ayes: np.ndarray, members: np.ndarray) -> np.ndarray:
    """For each row of yes counts: every category is present and has a strict majority of yes votes."""
    return (2 * ayes > members).all(axis=1) & bool((members > 0).all())


@dataclass(frozen=True)
class Power:
    """Who holds power in one network under its rule: Banzhaf indices of groups and regions as blocs,
    whether one bloc can pass or block alone, and whether nothing can pass at all."""

    groups: dict[str, float]
    regions: dict[str, float]
    pass_alone: bool
    block_alone: bool
    paralysed: bool
    vetoes: frozenset[str] = frozenset()  # the groups and regions that can each block what all others support

    @property
    def formal_power(self) -> float:
        """The largest bloc power (``metrics.formal_power`` over both games); NaN in a paralysed network."""
        return float("nan") if self.paralysed else metrics.formal_power([self.groups, self.regions])


def bloc_power(rule: Rule, groups: np.ndarray, regions: np.ndarray) -> Power:
    """Banzhaf power of every group and every region acting as a bloc (all yes or all no)."""
    members = cells(np.asarray(groups), np.asarray(regions))

    def game(axis: int, names: tuple[str, ...]) -> tuple[dict[str, float], bool, bool, bool, set[str]]:
        present = np.flatnonzero(members.sum(axis=1 - axis) > 0)
        # every coalition of the present blocs at once, as a bit mask over ``present``: keep[mask, bloc]
        masks = np.arange(1 << present.size)
        keep = np.zeros((masks.size, len(names)), dtype=bool)
        keep[:, present] = masks[:, None] >> np.arange(present.size) & 1
        won = rule.passes_each(members[None] * (keep[:, :, None] if axis == 0 else keep[:, None, :]), members)
        vetoes = {names[c] for c in present[metrics.vetoes(won)]}
        return (
            dict(zip((names[c] for c in present), metrics.banzhaf_indices(won).tolist(), strict=True)),
            metrics.passes_alone(won),
            bool(vetoes),
            not won[-1],  # the coalition of every present bloc
            vetoes,
        )

    g, g_pass, g_block, g_paralysed, g_vetoes = game(0, GROUPS)
    r, r_pass, r_block, _, r_vetoes = game(1, REGION_CODES)
    # the grand coalition is the same in both games: either both are paralysed or neither
    return Power(
        g,
        r,
        pass_alone=g_pass or r_pass,
        block_alone=g_block or r_block,
        paralysed=g_paralysed,
        vetoes=frozenset(g_vetoes | r_vetoes),
    )
