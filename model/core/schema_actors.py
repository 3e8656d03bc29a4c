"""The actor tables of the parameter schema: how many actors of each group, where they come from, their
resources, expertise and participation choice."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from netgov.model.core.catalog import UN_MEMBERSHIP
from netgov.model.core.schema import Strict, concentration, fraction, param


def _share(default: float, what: str) -> Any:
    return param(default, what, "weight", ge=0.0, le=1e6, allow_inf_nan=False)


class RegionWeights(Strict):
    """Relative weights over the five UN regional groups (normalised where used)."""

    africa: float = _share(1.0, "weight of Africa")
    asia_pacific: float = _share(1.0, "weight of Asia-Pacific")
    eastern_europe: float = _share(1.0, "weight of Eastern Europe")
    latin_america_caribbean: float = _share(1.0, "weight of Latin America & Caribbean")
    western_europe_others: float = _share(1.0, "weight of Western Europe & Others")


def un_membership() -> RegionWeights:
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

    government: RegionWeights = Field(default_factory=un_membership, description="regional weights of governments")
    civil_society: RegionWeights = Field(default_factory=un_membership, description="regional weights of civil society")
    business: RegionWeights = Field(default_factory=un_membership, description="regional weights of business")
    technical_community: RegionWeights = Field(
        default_factory=un_membership, description="regional weights of the technical community"
    )


class GroupValues(Strict):
    """One value per stakeholder group."""

    government: float = fraction(0.5, "value for governments")
    civil_society: float = fraction(0.5, "value for civil society")
    business: float = fraction(0.5, "value for business")
    technical_community: float = fraction(0.5, "value for the technical community")
    un_agency: float = fraction(0.5, "value for UN agencies")


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

    africa: float = fraction(0.5, "value for Africa")
    asia_pacific: float = fraction(0.5, "value for Asia-Pacific")
    eastern_europe: float = fraction(0.5, "value for Eastern Europe")
    latin_america_caribbean: float = fraction(0.5, "value for Latin America & Caribbean")
    western_europe_others: float = fraction(0.5, "value for Western Europe & Others")


def region_values(af: float, ap: float, ee: float, lac: float, weog: float) -> RegionValues:
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
    concentration: float = concentration(8.0, "Beta concentration: higher = less spread within a group")


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
    remote_influence: float = fraction(0.7, "influence of a remote participant relative to an onsite one")
    expert_threshold: float = fraction(0.5, "minimum expertise in the domain to be invited under `invited_experts`")
    seats_per_group: int = param(12, "seats per stakeholder group under `group_quotas`", "actors", ge=1, le=10_000)
    meeting_effort: float = fraction(0.1, "capacity an actor spends on joining one issue network onsite")
    remote_effort: float = fraction(0.5, "share of `meeting_effort` that joining remotely costs")
    capacity_recovery: float = fraction(0.2, "share of spent capacity an actor recovers per month")
    ties_scale: float = param(
        10.0,
        "earlier ties in the issue's domain at which their pull reaches tanh(1) = 76% of `ties`",
        "ties",
        gt=0.0,
        le=10_000.0,
        allow_inf_nan=False,
    )
    influence_floor: float = fraction(
        0.05, "least expertise weight a participant carries in deliberation, however far from its domain"
    )


class DomainValues(Strict):
    """One value per policy domain."""

    infrastructure: float = fraction(0.5, "value for infrastructure")
    security: float = fraction(0.5, "value for security")
    human_rights: float = fraction(0.5, "value for human rights")
    economy: float = fraction(0.5, "value for the economy")
    development: float = fraction(0.5, "value for development")
    culture: float = fraction(0.5, "value for culture")
    governance: float = fraction(0.5, "value for governance")


def domain_profile(*values: float) -> DomainValues:
    return DomainValues(**dict(zip(DomainValues.model_fields, values, strict=True)))


class Expertise(Strict):
    """Mean expertise of each stakeholder group per policy domain; actors are Beta-distributed around it."""

    government: DomainValues = Field(
        default_factory=lambda: domain_profile(0.4, 0.5, 0.4, 0.5, 0.5, 0.4, 0.6),
        description="governments: broad, policy-oriented",
    )
    civil_society: DomainValues = Field(
        default_factory=lambda: domain_profile(0.2, 0.3, 0.7, 0.2, 0.5, 0.5, 0.4),
        description="civil society: rights and development",
    )
    business: DomainValues = Field(
        default_factory=lambda: domain_profile(0.5, 0.4, 0.2, 0.7, 0.3, 0.2, 0.3),
        description="business: markets and infrastructure",
    )
    technical_community: DomainValues = Field(
        default_factory=lambda: domain_profile(0.8, 0.6, 0.3, 0.3, 0.4, 0.2, 0.4),
        description="technical community: infrastructure and security",
    )
    un_agency: DomainValues = Field(
        default_factory=lambda: domain_profile(*(0.2,) * 7),
        description="UN agencies outside the domains of the Action Lines they facilitate",
    )
    facilitated: float = fraction(
        0.8, "mean expertise of a UN agency in the domains of the Action Lines it facilitates"
    )
    concentration: float = concentration(6.0, "Beta concentration of expertise: higher = closer to the profile")
