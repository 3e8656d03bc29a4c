"""The parameter schema: one pydantic model, `ModelConfig`, is the single source of truth for every parameter.

This module holds the root, the vocabularies of rules and venues, and the tables of the process (agenda,
committee, venues, consensus, legitimacy, adaptation); the actor and position tables are in
``schema_actors`` and ``schema_positions``, the field kit in ``schema``, and reading or checking a
mapping by dotted name in ``schema_lookup``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator

from netgov.model.core.schema import Strict, concentration, fraction, param
from netgov.model.core.schema_actors import (
    ActorCounts,
    ActorRegions,
    DomainValues,
    Expertise,
    GroupValues,
    Participation,
    RegionWeights,
    Resources,
    domain_profile,
    un_membership,
)
from netgov.model.core.schema_positions import Positions

DecisionRule = Literal[
    "consensus",
    "rough_consensus",
    "majority",
    "qualified_majority",
    "government_vote",
    "concurrent_groups",
    "concurrent_groups_regions",
]
ParticipationRule = Literal["open", "invited_experts", "group_quotas", "governments_only"]
Routing = Literal["intergovernmental", "cstd_platform", "distributed"]
HostRegion = Literal[
    "rotate",
    "africa",
    "asia_pacific",
    "eastern_europe",
    "latin_america_caribbean",
    "western_europe_others",
]
#: Venues an agenda issue can be sent to directly, bypassing routing (`igf`: an open forum anyone may attend).
DirectVenue = Literal["intergovernmental", "cstd_working_group", "external_process", "igf"]
#: Venues the CSTD committee can recommend (an Action-Line coalition only for an issue in an Action Line).
CommitteeVenue = Literal["intergovernmental", "cstd_working_group", "external_process", "action_line_coalition"]
#: Who may attend a venue: governments only, whoever the configured `participation_rule` admits, or anyone.
Attendance = Literal["governments", "participation_rule", "open"]
Standing = Literal["states", "significant_part"]
StanceType = Literal["general", "state_centric"]
ActionLine = Literal["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11"]
Domain = Literal["infrastructure", "security", "human_rights", "economy", "development", "culture", "governance"]


class IssueSpec(Strict):
    """One issue of a fixed agenda."""

    domain: Domain = param("governance", "policy domain", "")
    action_line: ActionLine | None = param(None, "WSIS Action Line the issue is embedded in, if any", "")
    salience: float = fraction(0.5, "how pressing the issue is")
    complexity: int = param(
        2, "number of aspects to scope (each kept aspect is deliberated and decided on its own)", "aspects", ge=1, le=10
    )
    stance_type: StanceType = param(
        "general", "`state_centric`: a question of state authority alone; `general`: as its domain loads", ""
    )
    arrival: int = param(0, "step at which the issue enters the agenda", "months", ge=0, le=100_000)
    venue: DirectVenue | None = param(
        None,
        "venue the issue goes to directly, bypassing routing (`igf`: an open forum anyone may attend); "
        "unset: routed as usual",
        "",
    )


class Agenda(Strict):
    """Where issues come from: a fixed list or a Poisson stream."""

    mode: Literal["poisson", "fixed"] = param("poisson", "`poisson` arrivals or a `fixed` list of issues", "")
    rate: float = param(
        0.5, "mean new issues per month (poisson mode)", "issues/month", ge=0.0, le=100.0, allow_inf_nan=False
    )
    action_line_share: float = fraction(0.5, "share of arriving issues already embedded in a WSIS Action Line")
    state_centric_share: float = fraction(0.15, "share of arriving issues that are state-centric")
    complexity: float = param(
        1.0,
        "mean aspects of an arriving issue beyond the first (poisson mode: complexity = 1 + Poisson)",
        "aspects",
        ge=0.0,
        le=9.0,
        allow_inf_nan=False,
    )
    aspect_spread: float = fraction(
        0.1, "standard deviation of an actor's stance on one aspect around its stance on the whole issue"
    )
    issues: list[IssueSpec] = Field(default_factory=list, description="the issues of a fixed agenda")


def _seats(default: int, who: str) -> Any:
    return param(default, f"committee seats for {who} (filled under the participation rule)", "seats", ge=0, le=1000)


class CommitteeSeats(Strict):
    """Seats on the CSTD committee per stakeholder group."""

    government: int = _seats(10, "governments")
    civil_society: int = _seats(5, "civil society")
    business: int = _seats(5, "business")
    technical_community: int = _seats(5, "the technical community")
    un_agency: int = _seats(2, "UN agencies")


class Committee(Strict):
    """The permanent multistakeholder CSTD committee that recommends a venue for issues outside the Action Lines."""

    review_time: int = param(
        1, "months the committee takes to map processes and recommend a venue", "months", ge=0, le=60
    )
    seats: CommitteeSeats = Field(default_factory=CommitteeSeats, description="committee seats per group")
    venues: list[CommitteeVenue] = param(
        ["intergovernmental", "cstd_working_group", "external_process", "action_line_coalition"],
        "the venues it may recommend (at least one besides `action_line_coalition`)",
        "",
        min_length=1,
    )

    @field_validator("venues")
    @classmethod
    def _a_venue_for_every_issue(cls, venues: list[str]) -> list[str]:
        if set(venues) <= {"action_line_coalition"}:
            raise ValueError("an issue outside the Action Lines needs a venue besides `action_line_coalition`")
        return venues

    reach_weight: float = param(
        0.5,
        "weight members give to the actors a venue brings (their own group's share of who may attend it) "
        "against the venue's competence in the issue's domain",
        "weight",
        ge=0.0,
        le=100.0,
        allow_inf_nan=False,
    )


class Venue(Strict):
    """One venue: who may attend, how it decides, who may block, whether its output binds, and its competence."""

    attendance: Attendance = param("participation_rule", "who may attend", "")
    decision_rule: DecisionRule | Literal["configured"] = param(
        "configured", "how it decides (`configured`: the run's `decision_rule`)", ""
    )
    binding: bool = param(
        True, "whether it decides: a non-binding venue deliberates and publishes messages, without a vote", ""
    )
    standing: Standing = param(
        "significant_part",
        "who may block under `consensus`: `states` (a UN body: any member state's sustained objection blocks, other "
        "members' do not) or `significant_part` (the chair judges the room: a significant part of a group or region)",
        "",
    )
    competence: DomainValues = Field(default_factory=DomainValues, description="competence per policy domain")


class Venues(Strict):
    """The venue table: each venue's attendance, decision rule, binding force, who may block and competence."""

    intergovernmental: Venue = Field(
        default_factory=lambda: Venue(
            attendance="governments",
            decision_rule="government_vote",
            standing="states",
            competence=domain_profile(0.3, 0.7, 0.3, 0.4, 0.5, 0.3, 0.6),
        ),
        description="states only, one state one vote",
    )
    cstd_working_group: Venue = Field(
        default_factory=lambda: Venue(standing="states", competence=domain_profile(0.5, 0.5, 0.7, 0.6, 0.7, 0.7, 0.7)),
        description="a CSTD working group (a UN body) under the run's rules",
    )
    external_process: Venue = Field(
        default_factory=lambda: Venue(
            attendance="open",
            decision_rule="rough_consensus",
            competence=domain_profile(0.9, 0.6, 0.3, 0.5, 0.3, 0.3, 0.4),
        ),
        description="an existing process outside the UN: open, expertise-led, rough consensus",
    )
    action_line_coalition: Venue = Field(
        default_factory=lambda: Venue(competence=domain_profile(*(0.7,) * 7)),
        description="a WSIS Action-Line coalition, convened by its UN agencies (only for Action-Line issues)",
    )
    igf: Venue = Field(
        default_factory=lambda: Venue(attendance="open", binding=False, competence=domain_profile(*(0.5,) * 7)),
        description="the IGF: an open forum, advisory",
    )


class Consensus(Strict):
    """Consensus as bodies practise it (`consensus` and `rough_consensus`; docs/ODD.md §7.7).

    Participants do not vote: each accepts the text or sustains an objection, and objecting costs
    something. Who may block is the venue's `standing`: at a UN body (`states`) any member state's
    sustained objection blocks and no other member's does; elsewhere (`significant_part`) the chair judges
    the room and heeds an objection only from a significant part of a stakeholder group or a region. The
    chair redrafts toward a text that can pass, trades aspects against each other, drops what cannot be
    agreed, and the mandate ends.
    """

    objection_cost: float = param(
        0.906,  # calibrated to D1 and D2 (scenarios/validation/calibrated.toml)
        "what it costs to sustain an objection alone: an actor objects when salience x (distance beyond its "
        "acceptance) exceeds this, less the share of its group or region objecting with it (0: every actor "
        "outside its acceptance objects, unanimity of individuals)",
        "0-1",
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
    )
    significant_part: float = param(
        1 / 3,
        "under `consensus` at a venue whose standing is `significant_part`: the share of a group's or a region's "
        "participants whose sustained objection the chair must heed (below it, an objection is noted and the text "
        "goes ahead)",
        "0-1",
        gt=0.0,
        le=1.0,
        allow_inf_nan=False,
    )
    redraft: bool = param(
        True,
        "after a failed attempt the chair redrafts: the nearest text that would pass, else the one fewest "
        "object to (off: the text moves a share `compromise` toward its blockers)",
        "",
    )
    package_deals: bool = param(
        True,
        "an actor weighs the text on an aspect together with what it got on the aspects already agreed: gains "
        "on one offset losses on another",
        "",
    )
    narrowing: bool = param(
        True,
        "an aspect that finds no agreement is dropped (left at the status quo) and the rest goes ahead: an "
        "issue with some aspects agreed ends `narrowed`, not stalled",
        "",
    )
    mandate: int = param(
        24,
        "months a network has from its first deliberation to agree; when it ends with nothing agreed the issue "
        "stalls (no agreed report)",
        "months",
        ge=1,
        le=600,
    )
    softening: float = param(
        1.0,
        "how much the cost of objecting grows as the mandate runs out (x (1 + softening x elapsed share)): "
        "nobody wants to be the one who sinks the report",
        "x",
        ge=0.0,
        le=100.0,
        allow_inf_nan=False,
    )


class Legitimacy(Strict):
    """How an actor rates an outcome: voice, closeness to its stance, transparency (weights sum to 1)."""

    voice: float = fraction(0.4, "weight of its group and region having taken part")
    closeness: float = fraction(0.4, "weight of the outcome's closeness to its own stance")
    transparency: float = fraction(0.2, "weight of the process's transparency: notice sufficiency and background")


class Adaptation(Strict):
    """What actors carry from one meeting to the next: trust, the Hirschman response, learning by doing.

    Trust and learning are on by default: fitted to how an open forum's attendance grew over its first decade
    (pattern T1, docs/validation.md), they are part of the calibrated world. Exit and voice, forum shopping
    and coalitions stay off: no pattern of the record measures them.
    """

    trust: bool = param(
        True,
        "actors update their trust in each venue from what they lived through there, and it enters "
        "their choice to take part",
        "",
    )
    trust_rate: float = fraction(0.2, "share of the way an actor's trust moves toward each new experience")
    initial_trust: float = fraction(0.5, "every actor's trust in every venue at the start")
    trust_weight: float = param(
        3.102,
        "log-odds added to taking part per unit of trust above 0.5 (taken away below)",
        "log-odds",
        ge=0.0,
        le=20.0,
        allow_inf_nan=False,
    )
    hirschman: bool = param(
        False,
        "actors whose trust in a venue falls below `exit_threshold` stay (loyalty), speak up (voice) "
        "or leave (exit); needs `trust`",
        "",
    )
    exit_threshold: float = fraction(0.45, "trust in a venue below which an actor is dissatisfied with it")
    loyalty: GroupValues = Field(
        default_factory=lambda: GroupValues(
            government=0.6, civil_society=0.4, business=0.3, technical_community=0.3, un_agency=0.9
        ),
        description="mean loyalty per group: a dissatisfied actor with loyalty >= 0.5 stays and acts as before",
    )
    voice_resources: float = fraction(
        0.5, "resources a dissatisfied, disloyal actor needs to speak up rather than leave"
    )
    voice_narrowing: float = fraction(
        0.5, "share by which a voicing actor narrows its acceptance in that venue (it objects to more)"
    )
    forum_shopping: bool = param(
        False,
        "governments take a state-centric issue straight to the intergovernmental venue when they trust it more "
        "than the multistakeholder venues (where routing would send it to the committee); needs `trust`",
        "",
    )
    technical_forums: bool = param(
        False,
        "business and the technical community take an issue in a domain they know (their mean expertise >= 0.5) "
        "to an external process when they trust it more than the CSTD working group; needs `trust`",
        "",
    )
    coalitions: bool = param(
        False,
        "dissatisfied participants (trust in the venue below `exit_threshold`) linked by collaboration ties "
        "vote together, each linked group as its majority votes; needs `trust`",
        "",
    )
    learning: bool = param(
        True, "taking part raises an actor's expertise in the issue's domain and shortens its preparation", ""
    )
    expertise_gain: float = fraction(0.077, "share of the gap to full expertise an actor closes per network it joins")
    prep_gain: float = fraction(0.03, "share of its preparation need an actor sheds per network it joins")
    forgetting: float = fraction(
        0.043, "share of what it has learned (expertise gained, preparation shed) an actor loses each month"
    )


class ModelConfig(Strict):
    """Every parameter of a netgov run. The defaults are the calibrated world (scenarios/validation/calibrated.toml)."""

    # -- the rules (settable with --set and in the dashboard) --
    notice_period: int = param(3, "notice given before a meeting", "months", ge=0, le=24)
    background_quality: float = fraction(0.5, "quality of background material on modalities, aim and significance")
    decision_rule: DecisionRule = param("majority", "how a network decides", "")
    participation_rule: ParticipationRule = param("open", "who may take part in an issue network", "")
    routing: Routing = param(
        "distributed",
        "venue structure: all `intergovernmental`, all through the `cstd_platform`, or `distributed`",
        "",
    )
    remote_participation: float = fraction(0.5, "availability and quality of remote participation")
    travel_support: float = fraction(0.0, "share of travel cost covered for actors in need")
    igf_feedback: bool = param(
        False, "every issue goes to an IGF session first; the deciding network hears what that session concluded", ""
    )
    scale: float = param(1.0, "multiplies every actor count", "x", gt=0.0, le=50.0, allow_inf_nan=False)
    # -- process --
    steps: int = param(60, "default run length", "months", ge=1, le=100_000)
    agent_interval: int = param(
        12, "months between snapshots of the agent table (one row per actor)", "months", ge=1, le=100_000
    )
    host_region: HostRegion = param("rotate", "where meetings are held (`rotate` draws a region per meeting)", "")
    travel_cost: float = param(
        1.133,  # calibrated (scenarios/validation/calibrated.toml)
        "travel cost between the farthest regions (1 = as costly as full resources)",
        "cost",
        ge=0.0,
        le=5.0,
        allow_inf_nan=False,
    )
    base_prep_time: float = param(
        3.0, "preparation a typical actor needs with average background", "months", ge=0.0, le=24.0, allow_inf_nan=False
    )
    scoping_time: int = param(
        2, "months of scoping (isolating the aspects that need global policy)", "months", ge=0, le=60
    )
    deliberation_deadline: int = param(
        12,
        "longest deliberation on an aspect before a vote is called; a network votes earlier once its text is "
        "within reach (it would pass now) or views have stopped moving (`convergence`)",
        "months",
        ge=1,
        le=120,
    )
    convergence: float = param(
        0.005,
        "views have settled when no participant's moved by more than this in a month of deliberation",
        "0-1",
        gt=0.0,
        le=1.0,
        allow_inf_nan=False,
    )
    pen_weight: float = param(
        3.0,
        "how many times its influence a pen-holder's view weighs in the chair's text (the convenors of an "
        "Action-Line coalition; elsewhere the participants from the host region, which chairs)",
        "x",
        ge=1.0,
        le=100.0,
        allow_inf_nan=False,
    )
    max_attempts: int = param(3, "decision attempts on an aspect before it stalls", "attempts", ge=1, le=20)
    compromise: float = fraction(
        0.5, "share of the way a failed proposal moves toward the blocking voters' mean view before the next attempt"
    )
    compromise_time: int = param(
        3,
        "longest compromise search between a failed decision attempt and the next (sooner once the redrafted "
        "text is within reach or views have settled)",
        "months",
        ge=1,
        le=60,
    )
    delegate_share: float = fraction(
        0.1, "chance that scoping delegates an aspect to an existing body instead of keeping it"
    )
    openness: float = fraction(
        0.25, "mean bounded-confidence threshold (HK epsilon): how far a view may be and persuade"
    )
    openness_concentration: float = concentration(
        20.0, "Beta concentration of openness around its mean: higher = more alike"
    )
    acceptance: float = fraction(
        0.15, "mean acceptance threshold: how far a proposal may be from an actor's view and still get its yes"
    )
    acceptance_concentration: float = concentration(
        20.0, "Beta concentration of acceptance around its mean: higher = more alike"
    )
    igf_time: int = param(2, "months an IGF session on an issue takes (under igf_feedback)", "months", ge=1, le=24)
    igf_pull: float = fraction(
        0.2, "per-month pull of every deciding participant's view toward the IGF session's conclusion (igf_feedback)"
    )
    qualified_share: float = param(
        2 / 3, "share of yes votes `qualified_majority` needs", "0-1", gt=0.5, le=1.0, allow_inf_nan=False
    )
    objection_threshold: float = fraction(
        0.1, "largest share of the room's participants sustaining objections that `rough_consensus` goes ahead over"
    )
    tie_partners: int = param(3, "collaboration ties each participant forms per network", "ties", ge=0, le=100)
    # -- tables --
    actors: ActorCounts = Field(default_factory=ActorCounts, description="actor counts per group")
    regions: ActorRegions = Field(default_factory=ActorRegions, description="where each group's actors come from")
    reference_shares: RegionWeights = Field(
        default_factory=un_membership, description="reference regional mix for `regional_balance`"
    )
    resources: Resources = Field(default_factory=Resources, description="resource distribution")
    expertise: Expertise = Field(default_factory=Expertise, description="expertise profiles per group and domain")
    participation: Participation = Field(default_factory=Participation, description="participation choice")
    positions: Positions = Field(default_factory=Positions, description="positions on the cleavages")
    agenda: Agenda = Field(default_factory=Agenda, description="issue agenda")
    committee: Committee = Field(default_factory=Committee, description="the CSTD committee")
    venues: Venues = Field(default_factory=Venues, description="the venue table")
    adaptation: Adaptation = Field(default_factory=Adaptation, description="what actors learn across meetings")
    legitimacy: Legitimacy = Field(default_factory=Legitimacy, description="legitimacy rating weights")
    consensus: Consensus = Field(default_factory=Consensus, description="consensus as bodies practise it")


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge two parameter mappings: tables merge key by key, everything else is replaced."""
    out = dict(base)
    for k, v in override.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """{dotted key: value} as the nested mapping the schema validates: ``{"actors.business": 9}`` ->
    ``{"actors": {"business": 9}}``."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        node: Any = {leaf: value}
        for part in reversed(parents):
            node = {part: node}
        out = merge(out, node)
    return out


def flatten(nested: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The inverse of :func:`nest`: a nested mapping as {dotted key: value}, one entry per leaf."""
    out: dict[str, Any] = {}
    for key, value in nested.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out
