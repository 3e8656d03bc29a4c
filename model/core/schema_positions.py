"""The position tables of the parameter schema: where actors stand on the cleavages of internet
governance, and which cleavages each policy domain's issues load on (docs/positions.md)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from netgov.model.core.schema import Strict, fraction, param
from netgov.model.core.schema_actors import RegionValues, region_values


class GroupRegionValues(Strict):
    """One value per stakeholder group and UN region (UN agencies are global: one value)."""

    government: RegionValues = Field(default_factory=RegionValues, description="governments, by region")
    civil_society: RegionValues = Field(default_factory=RegionValues, description="civil society, by region")
    business: RegionValues = Field(default_factory=RegionValues, description="the private sector, by region")
    technical_community: RegionValues = Field(
        default_factory=RegionValues, description="the technical and academic community, by region"
    )
    un_agency: float = fraction(0.5, "UN agencies (global)")


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
    return region_values(value, value, value, value, value)


def _spread(government: float, others: float) -> GroupRegionValues:
    return _table(_same(government), _same(others), _same(others), _same(others), others)


class Dimension(Strict):
    """Where actors stand on one cleavage (docs/positions.md gives the evidence for every value)."""

    mean: GroupRegionValues = Field(default_factory=GroupRegionValues, description="mean position per group and region")
    sd: GroupRegionValues = Field(
        default_factory=lambda: _spread(0.12, 0.12), description="spread of positions per group and region"
    )
    status_quo: float = fraction(0.5, "where things stand on this cleavage if nothing new is decided")


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
            region_values(0.574, 0.709, 0.583, 0.588, 0.19),
            region_values(0.4, 0.4, 0.25, 0.35, 0.2),
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
            region_values(0.76, 0.70, 0.32, 0.59, 0.16),
            region_values(0.3, 0.3, 0.2, 0.2, 0.2),
            _same(0.35),
            _same(0.3),
            0.5,
        ),
        _table(region_values(0.12, 0.12, 0.25, 0.12, 0.12), _same(0.12), _same(0.12), _same(0.12), 0.12),
        0.35,
    )


def _development() -> Dimension:
    return _dimension(
        _table(
            region_values(0.8, 0.7, 0.4, 0.7, 0.35),
            region_values(0.75, 0.7, 0.45, 0.7, 0.45),
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
            region_values(0.45, 0.5, 0.5, 0.4, 0.5),
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
    issue_sd: float = fraction(0.05, "spread of an actor's stance on one issue around what its positions imply")
    anchoring: float = fraction(
        0.257,  # calibrated (scenarios/validation/calibrated.toml)
        "weight each actor keeps on its initial stance in every month of deliberation (Friedkin-Johnsen "
        "stubbornness: positions set by mandates or instructions from capitals)",
    )
