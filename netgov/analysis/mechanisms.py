"""Mechanisms as contrasts: one rule changed, every final metric's paired difference, and what we claim it does.

A :class:`Contrast` is a base and an alternative that differ in the overrides named; replication r
of both runs with the same seed (common random numbers), so each pair differs only by the change.
:func:`effects` measures every final metric's paired difference (alternative - base) with a 95%
Student-t CI and says whether each :class:`Claim` holds. docs/mechanisms.md is generated from it
(``python docs/mechanisms.py --write``) and tests/test_mechanisms.py checks every claimed sign.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from netgov.analysis.summary import DIFF_COLUMNS, excludes_zero, paired_differences
from netgov.experiment.runner import replicate
from netgov.model.core.config import ModelConfig, nest
from netgov.model.core.contract import FINAL_METRICS
from netgov.scenarios.loader import load


@dataclass(frozen=True)
class Claim:
    """What a contrast does to one final metric: ``direction`` +1 (it rises) or -1 (it falls), alternative - base."""

    metric: str
    direction: int

    def __post_init__(self) -> None:
        if self.metric not in FINAL_METRICS:
            raise ValueError(
                f"Claim: {self.metric!r} is not a final metric; expected one of {', '.join(FINAL_METRICS)}"
            )
        if self.direction not in (1, -1):
            raise ValueError(f"Claim {self.metric}: direction {self.direction!r}; expected +1 or -1")


@dataclass(frozen=True)
class Contrast:
    """A base and an alternative that differ by a few parameters, and the claimed effects of the difference."""

    name: str
    path: str  # one sentence: the causal path
    scenario: str | None  # base scenario name (None = schema defaults)
    base: dict[str, Any] = field(default_factory=dict)  # dotted-key overrides for the base
    alt: dict[str, Any] = field(default_factory=dict)  # dotted-key overrides for the alternative
    claims: tuple[Claim, ...] = ()
    steps: int | None = None

    def claimed(self, metric: str) -> int:
        """+1 or -1 if a claim names ``metric``, else 0."""
        return next((c.direction for c in self.claims if c.metric == metric), 0)


def _up(*metrics: str) -> tuple[Claim, ...]:
    return tuple(Claim(m, 1) for m in metrics)


def _down(*metrics: str) -> tuple[Claim, ...]:
    return tuple(Claim(m, -1) for m in metrics)


POLARISED = "polarised_agenda"
#: The mechanisms docs/mechanisms.md documents, each claim a direction the page states and a test checks.
CONTRASTS: tuple[Contrast, ...] = (
    # -- decision rules: what a veto does ------------------------------------------------------------
    Contrast(
        name="consensus instead of majority, polarised agenda",
        path="Every participant can block: business and the technical community veto the majority's "
        "proposal, the compromise search finds no text within everyone's acceptance, and the aspect "
        "stalls at the status quo, which is where the minority stands.",
        scenario=POLARISED,
        base={"decision_rule": "majority"},
        alt={"decision_rule": "consensus"},
        claims=_up("stalled", "mean_time_to_decision", "minority_legitimacy") + _down("adoption_rate", "minority_gap"),
    ),
    Contrast(
        name="concurrent majorities of groups and regions instead of majority, polarised agenda",
        path="A group whose majority says no blocks, so the two opposed groups stop the proposal the "
        "majority would have passed; compromise attempts cost months, and a stalled aspect leaves the "
        "minority at its own position (the status quo).",
        scenario=POLARISED,
        base={"decision_rule": "majority"},
        alt={"decision_rule": "concurrent_groups_regions"},
        claims=_up("stalled", "mean_time_to_decision", "minority_legitimacy") + _down("adoption_rate", "minority_gap"),
    ),
    Contrast(
        name="concurrent majorities of groups instead of majority, polarised agenda",
        path="The same veto for each stakeholder group (regions do not need to agree): the opposed groups "
        "block, proposals stall at the status quo.",
        scenario=POLARISED,
        base={"decision_rule": "majority"},
        alt={"decision_rule": "concurrent_groups"},
        claims=_up("stalled", "mean_time_to_decision") + _down("minority_gap"),
    ),
    Contrast(
        name="rough consensus instead of majority, polarised agenda",
        path="More than a tenth of the participants object to the majority's text, so it fails; the "
        "minority is no longer outvoted.",
        scenario=POLARISED,
        base={"decision_rule": "majority"},
        alt={"decision_rule": "rough_consensus"},
        claims=_up("stalled") + _down("adoption_rate", "minority_gap"),
    ),
    Contrast(
        name="qualified majority instead of majority, polarised agenda",
        path="Two thirds must say yes: where the opposed groups hold more than a third of the seats, "
        "they block what a simple majority would pass.",
        scenario=POLARISED,
        base={"decision_rule": "majority"},
        alt={"decision_rule": "qualified_majority"},
        claims=_up("stalled") + _down("adoption_rate", "minority_gap"),
    ),
    Contrast(
        name="government vote instead of majority, polarised agenda",
        path="Only the states' votes count: where business and the technical community fill a network "
        "(infrastructure, markets) they can no longer outvote the states, whose view is the majority's "
        "across all actors, so outcomes land nearer the median stance.",
        scenario=POLARISED,
        base={"decision_rule": "majority"},
        alt={"decision_rule": "government_vote"},
        claims=_down("outcome_gap"),
    ),
    Contrast(
        name="consensus instead of majority, the defaults",
        path="On an ordinary agenda views overlap but rarely all within one text: a single objector "
        "blocks, aspects stall at a status quo far from most stances, and the rating of outcomes falls.",
        scenario=None,
        base={"decision_rule": "majority"},
        alt={"decision_rule": "consensus"},
        claims=_up("stalled", "mean_time_to_decision", "outcome_gap") + _down("adoption_rate", "legitimacy"),
    ),
    Contrast(
        name="consensus instead of majority, where the minority wants the change",
        path="On a state-centric agenda the states that want a new mechanism are the minority of a "
        "multistakeholder network; a veto stalls the partial change a majority would give them and "
        "leaves them at the status quo, further from what they want.",
        scenario=None,
        base={"decision_rule": "majority", "agenda.state_centric_share": 1.0},
        alt={"decision_rule": "consensus", "agenda.state_centric_share": 1.0},
        claims=_up("stalled", "minority_gap") + _down("minority_legitimacy"),
    ),
    Contrast(
        name="a compromise search under concurrent majorities, state-centric agenda",
        path="A failed text moves most of the way toward the groups and regions that blocked it; where "
        "one side blocks, the next attempt wins them, so fewer aspects stall and the minority is met.",
        scenario=None,
        base={"decision_rule": "concurrent_groups_regions", "compromise": 0.0, "agenda.state_centric_share": 1.0},
        alt={"decision_rule": "concurrent_groups_regions", "compromise": 0.8, "agenda.state_centric_share": 1.0},
        claims=_up("adoption_rate") + _down("stalled", "minority_gap"),
    ),
    Contrast(
        name="a wider acceptance threshold",
        path="Actors say yes to texts further from their view, so more proposals pass at the first "
        "attempt; the minority, outvoted rather than met, ends further from the outcome.",
        scenario=None,
        base={"acceptance": 0.1},
        alt={"acceptance": 0.25},
        claims=_up("adoption_rate", "minority_gap") + _down("stalled"),
    ),
    # -- venues and the committee ----------------------------------------------------------------
    Contrast(
        name="intergovernmental venues instead of distributed issue networks",
        path="Every issue goes to the states' venue (governments only, government vote): networks look "
        "less like the affected population, other groups have no voice, and outcomes sit further from "
        "the median stance of all actors.",
        scenario=None,
        base={"routing": "distributed"},
        alt={"routing": "intergovernmental"},
        claims=_up("outcome_gap") + _down("inclusiveness", "legitimacy"),
    ),
    Contrast(
        name="every issue through the CSTD committee instead of distributed networks",
        path="Action-Line issues also wait for the committee's review and go where it judges they fit, "
        "not to their coalition, so decisions take longer.",
        scenario=None,
        base={"routing": "distributed"},
        alt={"routing": "cstd_platform"},
        claims=_up("mean_time_to_decision"),
    ),
    Contrast(
        name="a committee with 40 government seats instead of 10",
        path="Members weigh how much of each venue's attendance is their own group: a state-heavy "
        "committee sends more issues to the intergovernmental venue, whose networks exclude the other "
        "groups.",
        scenario=None,
        base={"routing": "cstd_platform"},
        alt={"routing": "cstd_platform", "committee.seats.government": 40},
        claims=_down("inclusiveness", "legitimacy"),
    ),
    Contrast(
        name="external processes deciding by majority instead of rough consensus, polarised agenda",
        path="The venue table sets each venue's rule: an external process that outvotes its objectors "
        "adopts what rough consensus would have stalled.",
        scenario=POLARISED,
        base={},
        alt={"venues.external_process.decision_rule": "majority"},
        claims=_up("adoption_rate") + _down("stalled"),
    ),
    # -- notice, background, complexity, IGF -------------------------------------------------------
    *(
        Contrast(
            name=f"{n + 1} months' notice instead of {n}",
            path="Each month of notice lets actors do more of their preparation (with diminishing "
            "returns), so more take part, they weigh in more, and they rate the process as more transparent.",
            scenario=None,
            base={"notice_period": n},
            alt={"notice_period": n + 1},
            claims=_up("notice_sufficiency", "participation_rate", "legitimacy"),
        )
        for n in range(1, 6)
    ),
    Contrast(
        name="good background material instead of poor",
        path="Better background material shortens the preparation actors need, so more are ready in "
        "time and take part, and the process is rated more transparent.",
        scenario=None,
        base={"background_quality": 0.2},
        alt={"background_quality": 0.8},
        claims=_up("notice_sufficiency", "participation_rate", "legitimacy"),
    ),
    Contrast(
        name="complex issues (three aspects on average) instead of simple ones",
        path="Scoping keeps more aspects, each deliberated and voted on in turn: decisions take longer "
        "and fewer issues are decided within the run.",
        scenario=None,
        base={"agenda.complexity": 0.0},
        alt={"agenda.complexity": 2.0},
        claims=_up("mean_time_to_decision") + _down("adopted"),
    ),
    Contrast(
        name="structured IGF feedback before a decision",
        path="Each issue goes to an IGF session first: the session costs months, its open audience "
        "brings more groups and regions a voice, and the deciding network is pulled toward what that "
        "wider audience concluded.",
        scenario=None,
        base={"igf_feedback": False},
        alt={"igf_feedback": True},
        claims=_up("mean_time_to_decision", "legitimacy") + _down("outcome_gap", "adopted"),
    ),
    # -- what actors carry across meetings (config.adaptation), over 20 years --------------------------
    Contrast(
        name="learning by doing, over 20 years",
        path="Each network an actor joins adds to its expertise in the domain and shortens its "
        "preparation, so it is drawn to the next meeting, better prepared: participation, notice "
        "sufficiency and the rating of outcomes grow over the years.",
        scenario=None,
        base={},
        alt={"adaptation.learning": True},
        claims=_up("participation_rate", "notice_sufficiency", "legitimacy"),
        steps=240,
    ),
    Contrast(
        name="trust from experience, over 20 years",
        path="Those who were there, held a veto and got an outcome near their view come to trust the "
        "venue and come back; those who stayed away trust it a little less; over the years the "
        "networks lean toward the actors already at the table, so they mirror the regions less well.",
        scenario=None,
        base={},
        alt={"adaptation.trust": True},
        claims=_down("regional_balance", "inclusiveness"),
        steps=240,
    ),
    Contrast(
        name="forum shopping by governments, over 20 years",
        path="Where governments have come to trust the states' venue more than the multistakeholder ones, "
        "they take new state-centric issues there past the committee: those networks seat states only, "
        "so networks mirror the affected population less, and outcomes move away from the median stance.",
        scenario=None,
        base={"adaptation.trust": True},
        alt={"adaptation.trust": True, "adaptation.forum_shopping": True},
        claims=_up("outcome_gap") + _down("inclusiveness", "legitimacy"),
        steps=240,
    ),
    Contrast(
        name="exit, voice and loyalty, polarised agenda, over 20 years",
        path="Business and the technical community, outvoted year after year, lose trust in the venues; "
        "the disloyal among them with resources speak up (they object to more) and the rest stop "
        "coming, so networks mirror the affected population, and the regions, less.",
        scenario=POLARISED,
        base={"adaptation.trust": True},
        alt={"adaptation.trust": True, "adaptation.hirschman": True},
        claims=_down("inclusiveness", "regional_balance"),
        steps=240,
    ),
    Contrast(
        name="business and the technical community taking issues to external processes, polarised agenda, "
        "over 20 years",
        path="Outvoted in the CSTD working group, they come to trust the external processes more and take "
        "the issues of their domains there; those decide by rough consensus, so more networks give one "
        "group a veto, and the minority of those issues ends further from the outcome.",
        scenario=POLARISED,
        base={"adaptation.trust": True},
        alt={"adaptation.trust": True, "adaptation.technical_forums": True},
        claims=_up("block_alone", "minority_gap"),
        steps=240,
    ),
    Contrast(
        name="coalitions under concurrent majorities, state-centric agenda, over 20 years",
        path="Dissatisfied participants linked by collaboration ties vote as their bloc's majority; a bloc "
        "that spans groups and regions swings some of their majorities to no, so under concurrent "
        "majorities more aspects stall, decisions take longer, and the minority ends nearer the outcome.",
        scenario=None,
        base={
            "adaptation.trust": True,
            "decision_rule": "concurrent_groups_regions",
            "agenda.state_centric_share": 1.0,
        },
        alt={
            "adaptation.trust": True,
            "decision_rule": "concurrent_groups_regions",
            "agenda.state_centric_share": 1.0,
            "adaptation.coalitions": True,
        },
        claims=_up("stalled", "mean_time_to_decision") + _down("minority_gap"),
        steps=240,
    ),
    # -- travel and remote participation -----------------------------------------------------------
    Contrast(
        name="travel support for actors in need",
        path="Covering travel costs lowers the cost of attending for actors from far-off or poorer "
        "regions, so more of them take part and regions are represented more evenly.",
        scenario=None,
        base={"travel_support": 0.0},
        alt={"travel_support": 0.8},
        claims=_up("participation_rate", "regional_balance"),
    ),
    Contrast(
        name="good remote participation instead of poor",
        path="Good remote participation lets actors take part without travelling, so participation "
        "rises most where travel is dearest and regions are represented more evenly.",
        scenario=None,
        base={"remote_participation": 0.1},
        alt={"remote_participation": 0.9},
        claims=_up("participation_rate", "regional_balance"),
    ),
)


def configs(c: Contrast) -> dict[str, ModelConfig]:
    """The contrast's two validated configs: ``{"base": ..., "alt": ...}``."""
    return {
        "base": load(c.scenario, nest(c.base)).config,
        "alt": load(c.scenario, nest(c.alt)).config,
    }


#: The columns of :func:`effects`.
EFFECT_COLUMNS: tuple[str, ...] = ("contrast", *DIFF_COLUMNS, "claimed", "holds")


def holds(row: Mapping[str, Any], claimed: int) -> bool | None:
    """None without a claim; else True when the CI excludes 0 on the claimed side."""
    if not claimed:
        return None
    return bool(excludes_zero(row) and (row["diff_mean"] > 0) == (claimed > 0))


def effects(
    contrasts: Iterable[Contrast] = CONTRASTS,
    reps: int = 20,
    seed: int = 0,
    steps: int | None = None,
    progress: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Every final metric's paired difference (alternative - base) for each contrast, with ``claimed``
    (+1, -1 or 0) and ``holds`` (None without a claim). ``steps`` overrides each contrast's own;
    ``progress`` is called after every run (2 x ``reps`` per contrast)."""
    rows: list[dict[str, Any]] = []
    for c in contrasts:
        runs = replicate(configs(c), reps, seed, steps if steps is not None else c.steps, progress)
        for row in paired_differences(runs, "base", FINAL_METRICS).to_dict("records"):
            claimed = c.claimed(row["metric"])
            rows.append({"contrast": c.name, **row, "claimed": claimed, "holds": holds(row, claimed)})
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


# -- twenty years with actors that adapt ---------------------------------------------------------------

#: Every adaptation switch on: the designs below are compared with actors that learn, trust, leave and shop.
ADAPTIVE: dict[str, Any] = {
    "adaptation.trust": True,
    "adaptation.hirschman": True,
    "adaptation.learning": True,
    "adaptation.forum_shopping": True,
    "adaptation.technical_forums": True,
    "adaptation.coalitions": True,
}
#: The designs of the twenty-year comparison (the first is the baseline of the paired differences).
DESIGNS: tuple[str, ...] = ("status_quo_intergovernmental", "idp_distributed", "wgec_joint_recommendations")
YEARS: tuple[int, ...] = (1, 5, 10, 20)
#: What the twenty-year table reports per design and year (issues by the year they arrived).
YEARLY: dict[str, str] = {
    "participation": "mean participants / eligible of the networks on issues arriving that year",
    "africa_share": "share of those networks' participants from Africa",
    "civil_society_share": "share of those networks' participants from civil society",
    "trust": "actors' mean trust in the process at the end of the year",
    "legitimacy": "mean legitimacy of the issues arriving that year (decided ones)",
    "migrated": "issues arriving that year that a group took to another forum",
}


def yearly(issues: pd.DataFrame, agents: pd.DataFrame, years: Iterable[int] = YEARS) -> dict[int, dict[str, float]]:
    """One run's yearly values (``YEARLY``) from its issue and agent tables; NaN where a year had nothing."""
    out: dict[int, dict[str, float]] = {}
    year_of = issues["arrived"] // 12 + 1
    for y in years:
        got = issues[(year_of == y) & (issues["eligible"] > 0)]
        people = got["participants"].sum()
        trust = agents.loc[agents["step"] == 12 * y, "trust"]
        out[y] = {
            "participation": float((got["participants"] / got["eligible"]).mean()) if len(got) else float("nan"),
            "africa_share": float(got["participants_africa"].sum() / people) if people else float("nan"),
            "civil_society_share": float(got["participants_civil_society"].sum() / people) if people else float("nan"),
            "trust": float(trust.mean()) if len(trust) else float("nan"),
            "legitimacy": float(got["legitimacy"].mean()) if got["legitimacy"].notna().any() else float("nan"),
            "migrated": float((got["migrated_by"] != "").sum()),
        }
    return out


def twenty_years(reps: int = 20, seed: int = 0, progress: Callable[[], None] | None = None) -> pd.DataFrame:
    """Each design run ``reps`` times for 20 years with every adaptation switch on, replication r of every
    design with one seed: rows (design, replication, year, measure, value)."""
    from netgov.experiment.runner import run_once, run_seed

    rows = []
    for r in range(reps):
        s = run_seed(seed, r)
        for design in DESIGNS:
            config = load(design, nest({**ADAPTIVE, "agent_interval": 12})).config
            result = run_once(config, s, 12 * max(YEARS), agents=True)
            for y, values in yearly(result.issues, result.agents).items():
                rows += [
                    {"design": design, "replication": r, "year": y, "measure": k, "value": v} for k, v in values.items()
                ]
            if progress is not None:
                progress()
    return pd.DataFrame(rows)
