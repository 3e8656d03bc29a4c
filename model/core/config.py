"""The parameter schema: one pydantic model is the single source of truth for every parameter.

Each field carries its type, default, range, unit and a one-line description; scenario
files, ``--set`` overrides, the Python API, the dashboard and docs/ODD.md all read them
from here.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from netgov.model.core.catalog import UN_MEMBERSHIP
from netgov.model.core.errors import ConfigError

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
StanceType = Literal["general", "state_centric"]
ActionLine = Literal["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11"]
Domain = Literal["infrastructure", "security", "human_rights", "economy", "development", "culture", "governance"]


def param(default: Any, description: str, unit: str = "", **constraints: Any) -> Any:
    """A schema field with its unit kept beside the description (for docs and dashboard labels)."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **constraints)


class Strict(BaseModel):
    """Base for every table of the schema: unknown keys and silent type coercions are errors."""

    model_config = ConfigDict(strict=True, extra="forbid", validate_default=True)


def _share(default: float, what: str) -> Any:
    return param(default, what, "weight", ge=0.0, le=1e6, allow_inf_nan=False)


class RegionWeights(Strict):
    """Relative weights over the five UN regional groups (normalised where used)."""

    africa: float = _share(1.0, "weight of Africa")
    asia_pacific: float = _share(1.0, "weight of Asia-Pacific")
    eastern_europe: float = _share(1.0, "weight of Eastern Europe")
    latin_america_caribbean: float = _share(1.0, "weight of Latin America & Caribbean")
    western_europe_others: float = _share(1.0, "weight of Western Europe & Others")


def _un_membership() -> RegionWeights:
    return RegionWeights(**{k: float(v) for k, v in UN_MEMBERSHIP.items()})


def _count(default: int, who: str) -> Any:
    return param(default, f"number of {who} (before `scale`)", "actors", ge=0, le=20_000)


class ActorCounts(Strict):
    """How many actors of each stakeholder group the model creates."""

    government: int = _count(193, "governments (UN member states)")
    # the non-governmental counts are calibrated (scenarios/validation/calibrated.toml): the size of
    # the forum community that reproduces the IGF's stakeholder mix (pattern P2)
    civil_society: int = _count(527, "civil-society organisations")
    business: int = _count(189, "businesses")
    technical_community: int = _count(126, "technical and academic community actors")
    un_agency: int = _count(68, "UN agencies and other intergovernmental organisations")


class ActorRegions(Strict):
    """Where each group's actors come from (UN agencies are `global`).

    Governments: the UN regional groups (data). The non-governmental community: in proportion to UN
    membership too, an assumption (the forum community's regional mix is not published; a mix of the
    wider ecosystem, 40-45% Western Europe & Others, fails pattern P1: docs/validation.md).
    """

    government: RegionWeights = Field(default_factory=_un_membership, description="regional weights of governments")
    civil_society: RegionWeights = Field(
        default_factory=_un_membership, description="regional weights of civil society"
    )
    business: RegionWeights = Field(default_factory=_un_membership, description="regional weights of business")
    technical_community: RegionWeights = Field(
        default_factory=_un_membership, description="regional weights of the technical community"
    )


def _unit(default: float, what: str) -> Any:
    return param(default, what, "0-1", ge=0.0, le=1.0, allow_inf_nan=False)


class GroupValues(Strict):
    """One value per stakeholder group."""

    government: float = _unit(0.5, "value for governments")
    civil_society: float = _unit(0.5, "value for civil society")
    business: float = _unit(0.5, "value for business")
    technical_community: float = _unit(0.5, "value for the technical community")
    un_agency: float = _unit(0.5, "value for UN agencies")


class RegionFactors(Strict):
    """One multiplier per region (``global`` for UN agencies)."""

    africa: float = param(1.0, "multiplier for Africa", "x", ge=0.0, le=5.0, allow_inf_nan=False)
    asia_pacific: float = param(1.0, "multiplier for Asia-Pacific", "x", ge=0.0, le=5.0, allow_inf_nan=False)
    eastern_europe: float = param(1.0, "multiplier for Eastern Europe", "x", ge=0.0, le=5.0, allow_inf_nan=False)
    latin_america_caribbean: float = param(
        1.0, "multiplier for Latin America & Caribbean", "x", ge=0.0, le=5.0, allow_inf_nan=False
    )
    western_europe_others: float = param(
        1.0, "multiplier for Western Europe & Others", "x", ge=0.0, le=5.0, allow_inf_nan=False
    )
    global_: float = param(
        1.0,
        "multiplier for global actors (UN agencies)",
        "x",
        ge=0.0,
        le=5.0,
        allow_inf_nan=False,
        alias="global",
    )

    model_config = ConfigDict(strict=True, extra="forbid", validate_default=True, populate_by_name=True)


class RegionValues(Strict):
    """One value in [0, 1] per UN region."""

    africa: float = _unit(0.5, "value for Africa")
    asia_pacific: float = _unit(0.5, "value for Asia-Pacific")
    eastern_europe: float = _unit(0.5, "value for Eastern Europe")
    latin_america_caribbean: float = _unit(0.5, "value for Latin America & Caribbean")
    western_europe_others: float = _unit(0.5, "value for Western Europe & Others")


def _regions(af: float, ap: float, ee: float, lac: float, weog: float) -> RegionValues:
    return RegionValues(
        africa=af, asia_pacific=ap, eastern_europe=ee, latin_america_caribbean=lac, western_europe_others=weog
    )


class Resources(Strict):
    """Capacity to prepare, travel and attend: Beta-distributed around group mean x region factor."""

    group_mean: GroupValues = Field(
        default_factory=lambda: GroupValues(
            government=0.7, civil_society=0.35, business=0.75, technical_community=0.55, un_agency=0.8
        ),
        description="mean resources per group",
    )
    region_factor: RegionFactors = Field(
        default_factory=lambda: RegionFactors(
            africa=0.6,
            asia_pacific=0.85,
            eastern_europe=0.85,
            latin_america_caribbean=0.75,
            western_europe_others=1.25,
        ),
        description="multiplier of the group mean per region (Global-South actors have less)",
    )
    concentration: float = param(
        8.0, "Beta concentration: higher = less spread within a group", "", gt=0.0, le=1000.0, allow_inf_nan=False
    )


class Participation(Strict):
    """Weights of the logistic participation choice (utility in log-odds)."""

    intercept: float = param(-4.5, "baseline log-odds of taking part", "log-odds", ge=-20, le=20, allow_inf_nan=False)
    relevance: float = param(
        3.0, "weight of expertise in the issue's domain", "log-odds", ge=0, le=20, allow_inf_nan=False
    )
    resources: float = param(1.5, "weight of available resources", "log-odds", ge=0, le=20, allow_inf_nan=False)
    notice: float = param(
        2.0, "weight of the share of its preparation the notice allowed", "log-odds", ge=0, le=20, allow_inf_nan=False
    )
    salience: float = param(1.0, "weight of the issue's salience", "log-odds", ge=0, le=20, allow_inf_nan=False)
    ties: float = param(
        1.0, "weight of earlier collaboration in the domain", "log-odds", ge=0, le=20, allow_inf_nan=False
    )
    cost: float = param(2.5, "weight of travel cost (onsite attendance)", "log-odds", ge=0, le=20, allow_inf_nan=False)
    home_bonus: float = param(
        0.636,  # calibrated (scenarios/validation/calibrated.toml)
        "log-odds added to attending onsite when the meeting is held in the actor's own region "
        "(no border crossing or long-haul travel; the host mobilises a local audience)",
        "log-odds",
        ge=0,
        le=20,
        allow_inf_nan=False,
    )
    remote_penalty: float = param(
        1.0, "log-odds lost by attending remotely instead of onsite", "log-odds", ge=0, le=20, allow_inf_nan=False
    )
    remote_influence: float = _unit(0.7, "influence of a remote participant relative to an onsite one")
    expert_threshold: float = _unit(0.5, "minimum expertise in the domain to be invited under `invited_experts`")
    seats_per_group: int = param(12, "seats per stakeholder group under `group_quotas`", "actors", ge=1, le=10_000)
    meeting_effort: float = _unit(0.1, "capacity an actor spends on joining one issue network onsite")
    remote_effort: float = _unit(0.5, "share of `meeting_effort` that joining remotely costs")
    capacity_recovery: float = _unit(0.2, "share of spent capacity an actor recovers per month")
    ties_scale: float = param(
        10.0,
        "earlier ties in the issue's domain at which their pull reaches tanh(1) = 76% of `ties`",
        "ties",
        gt=0.0,
        le=10_000.0,
        allow_inf_nan=False,
    )
    influence_floor: float = _unit(
        0.05, "least expertise weight a participant carries in deliberation, however far from its domain"
    )


class DomainValues(Strict):
    """One value per policy domain."""

    infrastructure: float = _unit(0.5, "value for infrastructure")
    security: float = _unit(0.5, "value for security")
    human_rights: float = _unit(0.5, "value for human rights")
    economy: float = _unit(0.5, "value for the economy")
    development: float = _unit(0.5, "value for development")
    culture: float = _unit(0.5, "value for culture")
    governance: float = _unit(0.5, "value for governance")


def _profile(*values: float) -> DomainValues:
    return DomainValues(**dict(zip(DomainValues.model_fields, values, strict=True)))


class Expertise(Strict):
    """Mean expertise of each stakeholder group per policy domain; actors are Beta-distributed around it."""

    government: DomainValues = Field(
        default_factory=lambda: _profile(0.4, 0.5, 0.4, 0.5, 0.5, 0.4, 0.6),
        description="governments: broad, policy-oriented",
    )
    civil_society: DomainValues = Field(
        default_factory=lambda: _profile(0.2, 0.3, 0.7, 0.2, 0.5, 0.5, 0.4),
        description="civil society: rights and development",
    )
    business: DomainValues = Field(
        default_factory=lambda: _profile(0.5, 0.4, 0.2, 0.7, 0.3, 0.2, 0.3),
        description="business: markets and infrastructure",
    )
    technical_community: DomainValues = Field(
        default_factory=lambda: _profile(0.8, 0.6, 0.3, 0.3, 0.4, 0.2, 0.4),
        description="technical community: infrastructure and security",
    )
    un_agency: DomainValues = Field(
        default_factory=lambda: _profile(*(0.2,) * 7),
        description="UN agencies outside the domains of the Action Lines they facilitate",
    )
    facilitated: float = _unit(0.8, "mean expertise of a UN agency in the domains of the Action Lines it facilitates")
    concentration: float = param(
        6.0,
        "Beta concentration of expertise: higher = closer to the profile",
        "",
        gt=0.0,
        le=1000.0,
        allow_inf_nan=False,
    )


class GroupRegionValues(Strict):
    """One value per stakeholder group and UN region (UN agencies are global: one value)."""

    government: RegionValues = Field(default_factory=RegionValues, description="governments, by region")
    civil_society: RegionValues = Field(default_factory=RegionValues, description="civil society, by region")
    business: RegionValues = Field(default_factory=RegionValues, description="the private sector, by region")
    technical_community: RegionValues = Field(
        default_factory=RegionValues, description="the technical and academic community, by region"
    )
    un_agency: float = _unit(0.5, "UN agencies (global)")


def _table(
    government: RegionValues, civil_society: RegionValues, business: RegionValues, technical: RegionValues, un: float
) -> GroupRegionValues:
    return GroupRegionValues(
        government=government,
        civil_society=civil_society,
        business=business,
        technical_community=technical,
        un_agency=un,
    )


def _same(value: float) -> RegionValues:
    return _regions(value, value, value, value, value)


def _spread(government: float, others: float) -> GroupRegionValues:
    return _table(_same(government), _same(others), _same(others), _same(others), others)


class Dimension(Strict):
    """Where actors stand on one cleavage (docs/positions.md gives the evidence for every value)."""

    mean: GroupRegionValues = Field(default_factory=GroupRegionValues, description="mean position per group and region")
    sd: GroupRegionValues = Field(
        default_factory=lambda: _spread(0.12, 0.12), description="spread of positions per group and region"
    )
    status_quo: float = _unit(0.5, "where things stand on this cleavage if nothing new is decided")


def _dimension(mean: GroupRegionValues, sd: GroupRegionValues, status_quo: float) -> Dimension:
    return Dimension(mean=mean, sd=sd, status_quo=status_quo)


def _loading(what: str) -> Any:
    return param(0.0, f"loading of {what}", "weight", ge=-1.0, le=1.0, allow_inf_nan=False)


class Loadings(Strict):
    """How an issue's question maps onto the cleavages: signed weights, normalised to sum 1 in absolute value
    (a negative weight: the issue's 1 is that cleavage's 0)."""

    state_authority: float = _loading("state authority vs multistakeholder ordering")
    security_control: float = _loading("security and control vs openness")
    development: float = _loading("development and access first")
    commercial: float = _loading("commercial interest vs rights and public interest")

    @model_validator(mode="after")
    def _loads_somewhere(self) -> Loadings:
        if not any(getattr(self, d) for d in type(self).model_fields):
            raise ValueError("an issue must load on at least one cleavage (all loadings are 0)")
        return self


def _loads(**weights: float) -> Loadings:
    return Loadings(**weights)


class DomainLoadings(Strict):
    """Which cleavages the issues of each policy domain are about (an assumption: docs/positions.md)."""

    infrastructure: Loadings = Field(
        default_factory=lambda: _loads(state_authority=0.5, development=0.5),
        description="critical resources and access: who runs them, and for whom",
    )
    security: Loadings = Field(
        default_factory=lambda: _loads(security_control=0.7, state_authority=0.3),
        description="cybersecurity and cybercrime: control, and by whom",
    )
    human_rights: Loadings = Field(
        default_factory=lambda: _loads(security_control=0.6, commercial=0.4),
        description="expression and privacy: against state control and commercial data use",
    )
    economy: Loadings = Field(
        default_factory=lambda: _loads(commercial=0.6, development=-0.4),
        description="trade, competition and data flows: market access against development policy space",
    )
    development: Loadings = Field(
        default_factory=lambda: _loads(development=1.0), description="access and capacity building"
    )
    culture: Loadings = Field(
        default_factory=lambda: _loads(commercial=0.6, security_control=0.4),
        description="copyright, content and diversity",
    )
    governance: Loadings = Field(
        default_factory=lambda: _loads(state_authority=0.6, development=0.4),
        description="institutions of internet governance and who takes part in them",
    )


def _state_authority() -> Dimension:
    """Governments' regional means and spread are calibrated to the WCIT-12 vote (pattern P3; calibrated.toml)."""
    return _dimension(
        _table(
            _regions(0.574, 0.709, 0.583, 0.588, 0.19),
            _regions(0.4, 0.4, 0.25, 0.35, 0.2),
            _same(0.15),
            _same(0.1),
            0.55,
        ),
        _spread(0.071, 0.12),
        0.1,
    )


def _security_control() -> Dimension:
    """Governments from the UN roll-call votes on the Russian-sponsored ICT texts, 2018-19 (set from data)."""
    return _dimension(
        _table(
            _regions(0.76, 0.70, 0.32, 0.59, 0.16),
            _regions(0.3, 0.3, 0.2, 0.2, 0.2),
            _same(0.35),
            _same(0.3),
            0.5,
        ),
        _table(_regions(0.12, 0.12, 0.25, 0.12, 0.12), _same(0.12), _same(0.12), _same(0.12), 0.12),
        0.35,
    )


def _development() -> Dimension:
    return _dimension(
        _table(
            _regions(0.8, 0.7, 0.4, 0.7, 0.35),
            _regions(0.75, 0.7, 0.45, 0.7, 0.45),
            _same(0.4),
            _same(0.45),
            0.75,
        ),
        _spread(0.12, 0.12),
        0.25,
    )


def _commercial() -> Dimension:
    return _dimension(
        _table(
            _regions(0.45, 0.5, 0.5, 0.4, 0.5),
            _same(0.15),
            _same(0.8),
            _same(0.45),
            0.4,
        ),
        _spread(0.12, 0.12),
        0.65,
    )


class Positions(Strict):
    """Where every actor stands on the cleavages of internet governance, and how issues map onto them.

    Each actor draws one position per cleavage around its group's and region's mean; its stance on an
    issue is 0.5 + the loadings-weighted sum of (position - 0.5), plus a little of its own on that issue
    (``issue_sd``). A state-centric issue is a question of state authority alone.
    """

    state_authority: Dimension = Field(
        default_factory=_state_authority, description="state authority (1) vs multistakeholder ordering (0)"
    )
    security_control: Dimension = Field(
        default_factory=_security_control, description="security and control (1) vs openness and free flow (0)"
    )
    development: Dimension = Field(
        default_factory=_development, description="development and access as the priority (1) or not (0)"
    )
    commercial: Dimension = Field(
        default_factory=_commercial, description="commercial interest (1) vs rights and the public interest (0)"
    )
    loadings: DomainLoadings = Field(
        default_factory=DomainLoadings, description="which cleavages each policy domain's issues are about"
    )
    issue_sd: float = _unit(0.05, "spread of an actor's stance on one issue around what its positions imply")
    anchoring: float = _unit(
        0.257,  # calibrated (scenarios/validation/calibrated.toml)
        "weight each actor keeps on its initial stance in every month of deliberation (Friedkin-Johnsen "
        "stubbornness: positions set by mandates or instructions from capitals)",
    )


class IssueSpec(Strict):
    """One issue of a fixed agenda."""

    domain: Domain = param("governance", "policy domain", "")
    action_line: ActionLine | None = param(None, "WSIS Action Line the issue is embedded in, if any", "")
    salience: float = _unit(0.5, "how pressing the issue is")
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
    action_line_share: float = _unit(0.5, "share of arriving issues already embedded in a WSIS Action Line")
    state_centric_share: float = _unit(0.15, "share of arriving issues that are state-centric")
    complexity: float = param(
        1.0,
        "mean aspects of an arriving issue beyond the first (poisson mode: complexity = 1 + Poisson)",
        "aspects",
        ge=0.0,
        le=9.0,
        allow_inf_nan=False,
    )
    aspect_spread: float = _unit(
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
    """One venue: who may attend, how it decides, whether its output binds, and what it is competent for."""

    attendance: Attendance = param("participation_rule", "who may attend", "")
    decision_rule: DecisionRule | Literal["configured"] = param(
        "configured", "how it decides (`configured`: the run's `decision_rule`)", ""
    )
    binding: bool = param(
        True, "whether it decides: a non-binding venue deliberates and publishes messages, without a vote", ""
    )
    competence: DomainValues = Field(default_factory=DomainValues, description="competence per policy domain")


class Venues(Strict):
    """The venue table: each venue's attendance, decision rule, binding force and competence."""

    intergovernmental: Venue = Field(
        default_factory=lambda: Venue(
            attendance="governments",
            decision_rule="government_vote",
            competence=_profile(0.3, 0.7, 0.3, 0.4, 0.5, 0.3, 0.6),
        ),
        description="states only, one state one vote",
    )
    cstd_working_group: Venue = Field(
        default_factory=lambda: Venue(competence=_profile(0.5, 0.5, 0.7, 0.6, 0.7, 0.7, 0.7)),
        description="a multistakeholder CSTD working group under the run's rules",
    )
    external_process: Venue = Field(
        default_factory=lambda: Venue(
            attendance="open",
            decision_rule="rough_consensus",
            competence=_profile(0.9, 0.6, 0.3, 0.5, 0.3, 0.3, 0.4),
        ),
        description="an existing process outside the UN: open, expertise-led, rough consensus",
    )
    action_line_coalition: Venue = Field(
        default_factory=lambda: Venue(competence=_profile(*(0.7,) * 7)),
        description="a WSIS Action-Line coalition, convened by its UN agencies (only for Action-Line issues)",
    )
    igf: Venue = Field(
        default_factory=lambda: Venue(attendance="open", binding=False, competence=_profile(*(0.5,) * 7)),
        description="the IGF: an open forum, advisory",
    )


class Consensus(Strict):
    """Consensus as bodies practise it (`consensus` and `rough_consensus`; docs/ODD.md §7.7).

    Participants do not vote: each accepts the text or sustains an objection, and objecting costs
    something. Who may block depends on the venue: at a venue of states (attendance `governments`) any
    state's sustained objection blocks; elsewhere the chair judges the room and heeds an objection only
    from a significant part of a stakeholder group or a region. The chair redrafts toward a text that can
    pass, trades aspects against each other, drops what cannot be agreed, and the mandate ends.
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
        "under `consensus` away from a venue of states: the share of a group's or a region's participants whose "
        "sustained objection the chair must heed (below it, an objection is noted and the text goes ahead)",
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

    voice: float = _unit(0.4, "weight of its group and region having taken part")
    closeness: float = _unit(0.4, "weight of the outcome's closeness to its own stance")
    transparency: float = _unit(0.2, "weight of the process's transparency: notice sufficiency and background")


class Adaptation(Strict):
    """What actors carry from one meeting to the next: trust, the Hirschman response, learning by doing.

    Every switch is off by default: with all of them off the model is the one of docs/mechanisms.md's
    institutional contrasts, run for run.
    """

    trust: bool = param(
        False,
        "actors update their trust in each venue from what they lived through there, and it enters "
        "their choice to take part",
        "",
    )
    trust_rate: float = _unit(0.2, "share of the way an actor's trust moves toward each new experience")
    initial_trust: float = _unit(0.5, "every actor's trust in every venue at the start")
    trust_weight: float = param(
        2.0,
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
    exit_threshold: float = _unit(0.45, "trust in a venue below which an actor is dissatisfied with it")
    loyalty: GroupValues = Field(
        default_factory=lambda: GroupValues(
            government=0.6, civil_society=0.4, business=0.3, technical_community=0.3, un_agency=0.9
        ),
        description="mean loyalty per group: a dissatisfied actor with loyalty >= 0.5 stays and acts as before",
    )
    voice_resources: float = _unit(0.5, "resources a dissatisfied, disloyal actor needs to speak up rather than leave")
    voice_narrowing: float = _unit(
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
        False, "taking part raises an actor's expertise in the issue's domain and shortens its preparation", ""
    )
    expertise_gain: float = _unit(0.05, "share of the gap to full expertise an actor closes per network it joins")
    prep_gain: float = _unit(0.03, "share of its preparation need an actor sheds per network it joins")


class ModelConfig(Strict):
    """Every parameter of a netgov run. The defaults are the calibrated world (scenarios/validation/calibrated.toml)."""

    # -- the rules (settable with --set and in the dashboard) --
    notice_period: int = param(3, "notice given before a meeting", "months", ge=0, le=24)
    background_quality: float = _unit(0.5, "quality of background material on modalities, aim and significance")
    decision_rule: DecisionRule = param("majority", "how a network decides", "")
    participation_rule: ParticipationRule = param("open", "who may take part in an issue network", "")
    routing: Routing = param(
        "distributed",
        "venue structure: all `intergovernmental`, all through the `cstd_platform`, or `distributed`",
        "",
    )
    remote_participation: float = _unit(0.5, "availability and quality of remote participation")
    travel_support: float = _unit(0.0, "share of travel cost covered for actors in need")
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
    compromise: float = _unit(
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
    delegate_share: float = _unit(
        0.1, "chance that scoping delegates an aspect to an existing body instead of keeping it"
    )
    openness: float = _unit(0.25, "mean bounded-confidence threshold (HK epsilon): how far a view may be and persuade")
    openness_concentration: float = param(
        20.0,
        "Beta concentration of openness around its mean: higher = more alike",
        "",
        gt=0.0,
        le=1000.0,
        allow_inf_nan=False,
    )
    acceptance: float = _unit(
        0.15, "mean acceptance threshold: how far a proposal may be from an actor's view and still get its yes"
    )
    acceptance_concentration: float = param(
        20.0,
        "Beta concentration of acceptance around its mean: higher = more alike",
        "",
        gt=0.0,
        le=1000.0,
        allow_inf_nan=False,
    )
    igf_time: int = param(2, "months an IGF session on an issue takes (under igf_feedback)", "months", ge=1, le=24)
    igf_pull: float = _unit(
        0.2, "per-month pull of every deciding participant's view toward the IGF session's conclusion (igf_feedback)"
    )
    qualified_share: float = param(
        2 / 3, "share of yes votes `qualified_majority` needs", "0-1", gt=0.5, le=1.0, allow_inf_nan=False
    )
    objection_threshold: float = _unit(
        0.1, "largest share of the room's participants sustaining objections that `rough_consensus` goes ahead over"
    )
    tie_partners: int = param(3, "collaboration ties each participant forms per network", "ties", ge=0, le=100)
    # -- tables --
    actors: ActorCounts = Field(default_factory=ActorCounts, description="actor counts per group")
    regions: ActorRegions = Field(default_factory=ActorRegions, description="where each group's actors come from")
    reference_shares: RegionWeights = Field(
        default_factory=_un_membership, description="reference regional mix for `regional_balance`"
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


def iter_fields(model: type[BaseModel] = ModelConfig, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (dotted name, FieldInfo) for every leaf parameter of the schema."""
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        sub = _submodel(info.annotation)
        if sub is not None and name != "issues":
            yield from iter_fields(sub, key + ".")
        else:
            yield key, info


def _submodel(annotation: Any) -> type[BaseModel] | None:
    args = getattr(annotation, "__args__", None)
    candidates = [annotation, *(args or ())]
    for c in candidates:
        if isinstance(c, type) and issubclass(c, BaseModel):
            return c
    return None


def field_at(dotted: str) -> Any:
    """The FieldInfo of a dotted parameter name, or None."""
    model: type[BaseModel] | None = ModelConfig
    info = None
    for part in dotted.split("."):
        if model is None:
            return None
        fields = {(f.alias or n): f for n, f in model.model_fields.items()}
        info = fields.get(part)
        if info is None:
            return None
        model = _submodel(info.annotation)
    return info


def field_bounds(info: Any) -> dict[str, Any]:
    """A field's numeric limits, as {"ge" | "gt" | "le" | "lt": value}."""
    limits = ((k, getattr(m, k, None)) for m in info.metadata for k in ("ge", "gt", "le", "lt"))
    return {k: v for k, v in limits if v is not None}


def allowed(info: Any) -> str:
    """Describe what a field accepts, e.g. 'an integer from 0 to 24 (months)'."""
    ann = info.annotation
    choices = _literal_choices(ann)
    if choices:
        return "one of " + ", ".join(repr(c) for c in choices if c is not None)
    bounds = field_bounds(info)
    kind = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(ann)
    if kind is None:
        sub = _submodel(ann)
        if sub is not None:
            return "a table with keys " + ", ".join((f.alias or n) for n, f in sub.model_fields.items())
        kind = "a list of tables" if getattr(ann, "__origin__", None) is list else str(ann)
    lo = f">= {_num(bounds['ge'])}" if "ge" in bounds else f"> {_num(bounds['gt'])}" if "gt" in bounds else ""
    hi = f"<= {_num(bounds['le'])}" if "le" in bounds else f"< {_num(bounds['lt'])}" if "lt" in bounds else ""
    rng = " and ".join(x for x in (lo, hi) if x)
    unit = (info.json_schema_extra or {}).get("unit") if isinstance(info.json_schema_extra, dict) else ""
    unit_txt = f" ({unit})" if unit and unit not in ("0-1", "x", "weight") else ""
    return f"{kind} {rng}{unit_txt}".strip() if rng else f"{kind}{unit_txt}"


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _literal_choices(ann: Any) -> tuple[Any, ...]:
    origin = getattr(ann, "__origin__", None)
    if origin is Literal:
        return ann.__args__
    for a in getattr(ann, "__args__", ()) or ():
        if getattr(a, "__origin__", None) is Literal:
            return a.__args__
    return ()


def suggest(dotted: str) -> str:
    """A 'did you mean' hint for an unknown dotted key."""
    parent, _, leaf = dotted.rpartition(".")
    if parent:
        info = field_at(parent)
        sub = _submodel(info.annotation) if info is not None else None
    else:
        sub = ModelConfig
    if sub is None:
        return ""
    names = [(f.alias or n) for n, f in sub.model_fields.items()]
    close = difflib.get_close_matches(leaf, names, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{f'{parent}.' if parent else ''}{close[0]}'?"
    return "known keys here: " + ", ".join(names)


def _fmt_value(value: Any) -> str:
    text = repr(value)
    if isinstance(value, float) and math.isnan(value):
        text = "nan"
    return text if len(text) <= 60 else text[:57] + "..."


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


@functools.cache
def _defaults() -> dict[str, Any]:
    return ModelConfig().model_dump(by_alias=True)


def validate_config(data: Mapping[str, Any], source: str = "parameters") -> ModelConfig:
    """Validate a parameter mapping, turning the first problem into a one-line ConfigError.

    The mapping is merged over the schema's defaults first, so a partial table keeps the rest of
    its defaults: ``positions.anchoring = 0.3`` changes only ``anchoring``, not the whole table.
    """
    try:
        return ModelConfig.model_validate(merge(_defaults(), data))
    except ValidationError as exc:
        raise ConfigError(explain(exc, source)) from None


def explain(exc: ValidationError, source: str) -> str:
    """One line: the source, the dotted key, the value, and what is allowed."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    # a list index: keep it readable as issues[2].domain
    parts: list[str] = []
    for p in err["loc"]:
        if isinstance(p, int) and parts:
            parts[-1] += f"[{p}]"
        else:
            parts.append(str(p))
    key = ".".join(parts)
    value = err.get("input")
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key '{key}' = {_fmt_value(value)}; {suggest('.'.join(loc))}"
    if err["type"] == "missing":
        return f"{source}: '{key}' is missing"
    if err["type"] == "value_error":  # a check across values (a validator): its own reason
        return f"{source}: {key} = {_fmt_value(value)} is not allowed: {err['msg'].removeprefix('Value error, ')}"
    info = field_at(".".join(loc))
    what = allowed(info) if info is not None else err["msg"]
    return f"{source}: {key} = {_fmt_value(value)} is not allowed: expected {what}"
