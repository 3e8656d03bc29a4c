"""Plain words for `netgov explain`: every choice value of the schema, and the terms a student meets.

The choice values (a decision rule, a venue, a participation rule, ...) and the glossary are text, but every
worked number in the glossary is computed when shown, from the model's own metric functions, the schema's
defaults and docs/mechanisms.md's measured effects, so the example and the model cannot drift apart
(tests/test_explain.py recomputes them). Light on imports: `netgov explain` must start fast.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, get_args, get_origin

from netgov.analysis.mechanisms import first_effect
from netgov.model.core.catalog import ACTION_LINES, DOMAINS, REGION_NAMES, REGIONS
from netgov.model.core.config import IssueSpec, ModelConfig
from netgov.model.core.schema_lookup import iter_fields
from netgov.model.core.schema_positions import DomainLoadings

#: Each kind of choice and what every one of its values means.
CHOICES: dict[str, dict[str, str]] = {
    "decision rule": {
        "consensus": (
            "consensus as bodies practise it: nobody votes; each participant accepts the text or sustains an "
            "objection, and objecting costs something (consensus.objection_cost), less when others of one's "
            "group or region object too. Who may block is the venue's standing: at a UN body (the "
            "intergovernmental venue, a CSTD working group) any member state's sustained objection blocks and no "
            "one else's does; elsewhere the chair heeds an objection only when a significant part "
            "(consensus.significant_part, a third by default) of a stakeholder group or of a region shares it: a "
            "third of any group or region can stop a text, a lone member cannot. A failed text is redrafted by "
            "the chair; an aspect nobody can agree on is dropped and the rest go ahead (the issue ends `narrowed`). "
            "With consensus.objection_cost = 0, "
            "consensus.redraft = false and consensus.narrowing = false it is consensus as unanimity of "
            "individuals: anyone the text does not reach blocks it."
        ),
        "rough_consensus": (
            "rough consensus (as in the IETF): the room goes ahead unless more than objection_threshold (a tenth "
            "by default) of the participants sustain an objection, which costs them as under consensus. No bloc "
            "smaller than that share can block; no group or region has a veto of its own."
        ),
        "majority": "a simple majority: the text passes when more than half of the participants vote yes "
        "(each votes yes when the text is within its acceptance of its own view).",
        "qualified_majority": "a qualified majority: at least qualified_share (two thirds by default) of the "
        "participants must vote yes, so a bloc of more than a third can block.",
        "government_vote": "the whole room drafts the text, but only the governments present vote: a majority "
        "of them must say yes; the other groups have a voice, not a vote.",
        "concurrent_groups": "concurrent majorities of groups: a majority inside every one of the five "
        "stakeholder groups, all of which must be present; each group can block, none can pass a text alone.",
        "concurrent_groups_regions": (
            "concurrent majorities of groups and regions: a majority inside every stakeholder group and inside "
            "every one of the five UN regions, all of which must be present. The report's 'none of the "
            "stakeholders or regions can determine the outcome without the cooperation of all other stakeholder "
            "groups and regions': each group and region can block, none can pass alone, and a network that "
            "lacks a group or a region cannot decide at all (so remote participation and travel support matter)."
        ),
        "configured": "(in the venue table) the venue decides by the run's own decision_rule.",
    },
    "participation rule": {
        "open": "anyone may attend; each actor still chooses whether to come (notice, cost, expertise).",
        "invited_experts": "only actors whose expertise in the issue's domain reaches "
        "participation.expert_threshold may attend.",
        "group_quotas": "anyone may come, but at most participation.seats_per_group willing actors per "
        "stakeholder group keep a seat (the most expert).",
        "governments_only": "governments only: the intergovernmental status quo.",
    },
    "routing": {
        "intergovernmental": "every issue goes at once to the intergovernmental venue (states only, "
        "government vote): the status quo.",
        "cstd_platform": "every issue goes to the CSTD committee, which reviews it and sends it to the venue "
        "that fits it best (Recommendation 2).",
        "distributed": "an issue in a WSIS Action Line goes at once to its UN agencies' coalition; every other "
        "issue goes through the CSTD committee (Recommendation 1's distributed design).",
    },
    "venue": {
        "intergovernmental": "the status-quo intergovernmental body: states only, one state one vote "
        "(government_vote); its decisions bind.",
        "cstd_working_group": "a working group under the CSTD, a UN body: attended under the run's "
        "participation_rule, deciding by the run's decision_rule (under consensus only member states may block).",
        "external_process": "an existing multistakeholder process outside the UN (an IETF or an ICANN): open "
        "to anyone, expertise-led, deciding by rough consensus.",
        "action_line_coalition": "a WSIS Action-Line coalition, convened by the UN agencies that facilitate the "
        "Action Line, who always attend and hold the pen (only for an issue in an Action Line).",
        "igf": "the Internet Governance Forum: an open forum that deliberates and publishes without a vote "
        "(advisory: an issue sent there ends `advised`).",
    },
    "attendance": {
        "governments": "only governments may attend the venue.",
        "participation_rule": "whoever the run's participation_rule admits may attend the venue.",
        "open": "anyone may attend the venue, whatever the participation_rule.",
    },
    "standing": {
        "states": "at a UN body, as the UN's rules have it: under consensus any member state's sustained objection "
        "blocks the text, and no other member's does (it is recorded; a body with no state present adopts "
        "nothing).",
        "significant_part": "the chair judges the room: under consensus an objection blocks only when a "
        "significant part (consensus.significant_part) of a stakeholder group or of a region shares it.",
    },
    "host region": {
        "rotate": "meetings rotate among the five UN regions.",
        **{
            r: f"every meeting is hosted in {REGION_NAMES[r]}: its actors need no long-haul travel, and its "
            "participants chair the meeting and hold the pen (pen_weight)."
            for r in REGIONS
        },
    },
    "agenda mode": {
        "poisson": "issues arrive at random, agenda.rate a month on average, with random domains and sizes.",
        "fixed": "the issues listed in agenda.issues, each at its arrival month.",
    },
    "stance type": {
        "general": "an issue on which actors stand as its policy domain loads on their positions.",
        "state_centric": "an issue that asks for a new intergovernmental mechanism: actors stand as they do "
        "on state authority alone.",
    },
    "policy domain": {
        d: f"issues about {d.replace('_', ' ')}: {DomainLoadings.model_fields[d].description}." for d in DOMAINS
    },
    "WSIS Action Line": {
        line: f"{title} (policy domain {domain}; facilitated by {', '.join(agencies)})."
        for line, (title, domain, agencies) in ACTION_LINES.items()
    },
}


def _all_choices(annotation: Any) -> tuple[Any, ...]:
    """Every value of every Literal in an annotation: a venue's decision rule is a DecisionRule *or*
    ``"configured"`` (two Literals in a union)."""
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    return tuple(v for a in get_args(annotation) for v in _all_choices(a))


@cache
def choice_fields() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every schema field whose value is one of a fixed set of choices: (dotted name, the choices)."""
    found = (
        (dotted, tuple(c for c in _all_choices(info.annotation) if c is not None))
        for dotted, info in [*iter_fields(), *iter_fields(IssueSpec, "agenda.issues[].")]
    )
    return tuple((dotted, choices) for dotted, choices in found if choices)


def kind_of(choices: tuple[str, ...]) -> str:
    """The kind of choice whose values these are (the first kind that has them all)."""
    for kind, values in CHOICES.items():
        if set(choices) <= set(values):
            return kind
    raise KeyError(f"no kind of choice has all of {choices}")


@dataclass(frozen=True)
class ChoiceInfo:
    """One meaning of a choice value, and the parameters that take it."""

    value: str
    kind: str
    meaning: str
    fields: tuple[str, ...]


def choice(value: str) -> list[ChoiceInfo]:
    """Every meaning of ``value`` (``intergovernmental`` is a routing and a venue), with where it is set."""
    where: dict[str, list[str]] = {}
    for dotted, choices in choice_fields():
        if value in choices:
            where.setdefault(kind_of(choices), []).append(dotted)
    return [ChoiceInfo(value, kind, CHOICES[kind][value], tuple(f)) for kind, f in where.items()]


# -- the glossary ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A term in plain words, with a worked number (computed when shown) and where to read more."""

    name: str
    plain: str
    worked: Callable[[], str]
    see: str


def _banzhaf() -> str:
    from netgov.model.core.metrics import banzhaf_power

    seats = {"A": 50, "B": 30, "C": 20}
    power = banzhaf_power(seats, lambda s: 2 * sum(seats[p] for p in s) > sum(seats.values()))
    shown = ", ".join(f"{p} {power[p]:.2f}" for p in seats)
    return (
        f"three blocs with {', '.join(f'{p} {n}' for p, n in seats.items())} of 100 seats, deciding by majority: "
        f"A swings in three coalitions (AB, AC, ABC), B and C in one each, so the Banzhaf power is {shown}. "
        "B holds more seats than C, but no more power; formal_power, the largest share, is "
        f"{max(power.values()):.2f}."
    )


def _dissimilarity() -> str:
    from netgov.model.core.catalog import GROUPS
    from netgov.model.core.metrics import inclusiveness

    room, population = (6, 2, 2, 0, 0), (1, 1, 1, 1, 0)
    value = inclusiveness(room, population)
    apart = [abs(r / sum(room) - a / sum(population)) for r, a in zip(room, population, strict=True)][:4]
    members = ", ".join(f"{n} {g.replace('_', ' ')}" for n, g in zip(room[:3], GROUPS, strict=False))
    return (
        f"a room of {members} against a population "
        "a quarter of which is each of government, civil society, business and the technical community: "
        f"the shares differ by {', '.join(f'{d:.2f}' for d in apart)}; half their sum is the dissimilarity "
        f"{1 - value:.2f} ({1 - value:.0%} of the room would have to change group), so inclusiveness is "
        f"1 − {1 - value:.2f} = {value:.2f}."
    )


def _log_odds() -> str:
    p = ModelConfig().participation
    base, more = p.intercept, p.intercept + p.relevance

    def prob(u: float) -> float:
        return 1 / (1 + math.exp(-u))

    return (
        f"participation.intercept is {base:g}: log-odds {base:g} is a probability of 1 / (1 + e^{-base:g}) = "
        f"{prob(base):.1%}. An actor fully expert in the issue's domain adds participation.relevance = "
        f"{p.relevance:g}: log-odds {more:g}, a probability of {prob(more):.1%} (the odds are multiplied by "
        f"e^{p.relevance:g} = {math.exp(p.relevance):.0f}; other terms left out)."
    )


def _paired() -> str:
    base, alt = (0.40, 0.55, 0.70), (0.43, 0.57, 0.74)
    diffs = [a - b for a, b in zip(alt, base, strict=True)]
    example = _page_example()
    return (
        f"three replications give {', '.join(f'{b:.2f}' for b in base)} under the base and "
        f"{', '.join(f'{a:.2f}' for a in alt)} under the alternative. The runs differ by up to "
        f"{max(base) - min(base):.2f} from one another, but each pair by {min(diffs):+.2f} to {max(diffs):+.2f}: "
        f"the paired difference is {sum(diffs) / len(diffs):+.2f}, and its interval is as narrow as the pairs "
        f"agree.{example}"
    )


def _page_example() -> str:
    """One measured paired difference from docs/mechanisms.md (read at run time), or nothing without the page."""
    found = first_effect("notice_period", "participation_rate")
    return f" On docs/mechanisms.md: {found}." if found else ""


def _crn() -> str:
    found = first_effect("decision_rule", "participation_rate")
    tail = (
        f" On docs/mechanisms.md, changing only the decision rule moves participation_rate by {found}: "
        "the same actors were drawn to the same meetings in both arms, so the rule's effect on what is "
        "decided is not mixed with who happened to come."
        if found
        else ""
    )
    return (
        "replication 3 of the base and replication 3 of the alternative run with one seed, derived from "
        "(master seed, 3): the same actors, the same agenda, the same draws for who comes." + tail
    )


def _narrowed() -> str:
    agreed, dropped = (0.6, 0.7), 0.3
    kept = (*agreed, dropped)
    adopted, narrowed, stalled = 8, 1, 1
    return (
        f"an issue with three aspects: two are agreed at {agreed[0]} and {agreed[1]}, the third finds no "
        f"agreement and stays at the status quo {dropped}. The issue ends narrowed at "
        f"({' + '.join(map(str, kept))}) / 3 = {sum(kept) / 3:.3f}. With {adopted} adopted, {narrowed} narrowed "
        f"and {stalled} stalled, adoption_rate = {adopted} / {adopted + narrowed + stalled} = "
        f"{adopted / (adopted + narrowed + stalled):.1f}."
    )


def _capture() -> str:
    import numpy as np

    from netgov.model.core.metrics import bloc_medians, capture

    stances = np.array([[0.8, 0.8, 0.8, 0.2, 0.2, 0.2]])
    bloc = np.array([0, 0, 0, 1, 1, 1])
    outcome = 0.71
    value = capture([outcome], stances, [bloc_medians(stances, bloc)])
    return (
        "formal_power is what the rule would let one bloc do if it voted as one, before anything is decided "
        "(see `netgov explain banzhaf`); capture is what happened: how far the outcome was pulled toward one "
        "bloc. Half the actors stand at 0.8, half at 0.2, so the population's median is 0.5; an outcome at "
        f"{outcome} went (0.3 − {abs(0.8 - outcome):.2f}) / 0.3 = {value:.2f} of the way from 0.5 toward the first "
        f"bloc: capture is {value:.2f}. A rule can give a bloc full formal power (1) and capture still be 0 if "
        "that bloc stands with everyone else."
    )


def _legitimacy() -> str:
    import numpy as np

    from netgov.model.core.metrics import legitimacy_parts

    w = ModelConfig().legitimacy
    weights = (w.voice, w.closeness, w.transparency)
    transparency, stance, outcome = 0.55, 0.3, 0.7
    overall, procedural, substantive = legitimacy_parts(
        np.array([0.5]), np.array([stance]), outcome, transparency, weights
    )
    return (
        "procedural legitimacy rates how the decision was taken (voice: did my group and my region take "
        "part; transparency: notice and background), substantive legitimacy what was decided (closeness of "
        "the outcome to my stance). An actor whose group took part but whose region did not has voice 0.5; "
        f"with transparency {transparency} and the default weights (voice {w.voice:g}, transparency "
        f"{w.transparency:g}, closeness {w.closeness:g}) its procedural legitimacy is {procedural[0]:.3f}; its "
        f"stance is {stance} and the outcome {outcome}, so its substantive legitimacy is 1 − {outcome - stance:.1f} "
        f"= {substantive[0]:.1f}, and its legitimacy {overall[0]:.3f}. Notice raises the first by construction "
        "(accounting); only a different outcome raises the second (behavioural)."
    )


GLOSSARY: dict[str, Term] = {
    t.name: t
    for t in (
        Term(
            "banzhaf",
            "Banzhaf power: how often a bloc is the one that turns a losing coalition into a winning one, "
            "as a share of all such swings. It measures what a rule lets a bloc do, not its seats.",
            _banzhaf,
            "docs/ODD.md §7.8; `netgov explain formal_power`",
        ),
        Term(
            "dissimilarity",
            "the dissimilarity of two mixes: half the sum of the differences of their shares, the share of one "
            "that would have to move to make it look like the other. inclusiveness and regional_balance are "
            "1 − dissimilarity.",
            _dissimilarity,
            "docs/ODD.md §7.10; `netgov explain inclusiveness`",
        ),
        Term(
            "log-odds",
            "log-odds u stand for a probability p = 1 / (1 + e^−u): 0 is even odds, −4.5 about 1 in 100, +4.5 "
            "about 99 in 100. The participation choice adds weights in log-odds, so each term multiplies the "
            "odds of coming rather than adding to the probability.",
            _log_odds,
            "docs/ODD.md §7.5; `netgov params participation`",
        ),
        Term(
            "paired difference",
            "an alternative's value minus the base's value in the same replication (the same seed), averaged "
            "over replications, with a 95% confidence interval. Pairing cancels what the two runs share, so "
            "the interval is that of the change, not of two noisy means.",
            _paired,
            "docs/mechanisms.md; netgov.differences(); `netgov compare A B`",
        ),
        Term(
            "common random numbers",
            "running base and alternative with the same random draws (replication r of each with one seed, "
            "and a separate random stream per sub-model), so a difference between them comes from the change "
            "and not from luck.",
            _crn,
            "docs/ODD.md §4.9; `netgov explain paired difference`",
        ),
        Term(
            "narrowed",
            "an issue ends narrowed when some of its aspects were agreed and the others were dropped (left at "
            "the status quo) or left unfinished when the mandate ran out; adopted when all were agreed, stalled "
            "when none was.",
            _narrowed,
            "docs/ODD.md §7.7",
        ),
        Term(
            "capture",
            "capture and formal_power are not the same: formal power is what a rule would let one bloc do, "
            "capture how far the outcomes were actually pulled toward one bloc.",
            _capture,
            "docs/ODD.md §7.8 and §7.9",
        ),
        Term(
            "legitimacy",
            "legitimacy mixes procedural legitimacy (how a decision was taken: voice and transparency) and "
            "substantive legitimacy (what was decided: closeness to one's stance), rated by every affected "
            "actor, present or not.",
            _legitimacy,
            "docs/ODD.md §7.9",
        ),
    )
}
#: Other names a student may type for a glossary term.
ALIASES: dict[str, str] = {
    "banzhaf power": "banzhaf",
    "banzhaf index": "banzhaf",
    "log odds": "log-odds",
    "logodds": "log-odds",
    "paired differences": "paired difference",
    "crn": "common random numbers",
    "formal_power": "capture",
    "formal power": "capture",
    "capture vs formal_power": "capture",
    "procedural_legitimacy": "legitimacy",
    "substantive_legitimacy": "legitimacy",
    "procedural legitimacy": "legitimacy",
    "substantive legitimacy": "legitimacy",
}


def term(name: str) -> Term | None:
    """The glossary entry for ``name`` (case, hyphens and underscores as typed), or None."""
    key = re.sub(r"\s+", " ", name.strip().lower())
    for k in (key, key.replace("_", " "), key.replace("-", " "), key.replace(" ", "-")):
        if k in GLOSSARY:
            return GLOSSARY[k]
        if k in ALIASES:
            return GLOSSARY[ALIASES[k]]
    return None
