"""Stakeholder agents: one class per group, as the WSIS Tunis Agenda names them.

An agent is an actor's identity (group, region, name) and its monthly story. Its numbers
live in the model's actor table (NumPy columns, one row per actor) so that whole issue
networks can be computed at once; the properties below read them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from netgov.model.catalog import ACTION_LINES, DOMAINS, GROUPS, REGION_CODES, UN_AGENCIES

if TYPE_CHECKING:
    from netgov.model.model import GovernanceModel


class Stakeholder(mesa.Agent):
    """An actor in internet governance: a row of the model's actor table."""

    group: ClassVar[str]
    #: Mean expertise per policy domain (order of ``model.catalog.DOMAINS``).
    expertise_profile: ClassVar[tuple[float, ...]]

    model: GovernanceModel

    def __init__(self, model: GovernanceModel, row: int, name: str) -> None:
        super().__init__(model)
        self.row = row
        self.name = name

    @property
    def region(self) -> str:
        return REGION_CODES[self.model.actors.region[self.row]]

    @property
    def resources(self) -> float:
        return float(self.model.actors.resources[self.row])

    @property
    def capacity(self) -> float:
        """Resources not yet spent on this month's meetings."""
        return float(self.model.actors.capacity[self.row])

    @property
    def openness(self) -> float:
        """Bounded-confidence threshold: how far a view may be and still persuade."""
        return float(self.model.actors.openness[self.row])

    @property
    def expertise(self) -> dict[str, float]:
        return dict(zip(DOMAINS, self.model.actors.expertise[self.row].tolist(), strict=True))

    def prep_time(self, background_quality: float) -> int:
        """Months this actor needs to prepare for a meeting with this background material."""
        return int(self.model.actors.prep_time(background_quality)[self.row])

    def step(self) -> None:
        """Between meetings an actor recovers part of the capacity that meetings used up."""
        a = self.model.actors
        a.capacity[self.row] += a.recovery * (a.resources[self.row] - a.capacity[self.row])

    @classmethod
    def expertise_means(cls, name: str) -> np.ndarray:
        """Mean expertise of a new actor of this class (UN agencies depend on their Action Lines)."""
        return np.asarray(cls.expertise_profile, dtype=float)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.region})"


class Government(Stakeholder):
    """A UN member state: broad, policy-oriented expertise; the status quo's only decider."""

    group = "government"
    expertise_profile = (0.4, 0.5, 0.4, 0.5, 0.5, 0.4, 0.6)


class CivilSociety(Stakeholder):
    """An NGO or network: rights and development expertise, often short of resources."""

    group = "civil_society"
    expertise_profile = (0.2, 0.3, 0.7, 0.2, 0.5, 0.5, 0.4)


class Business(Stakeholder):
    """A firm or industry association: markets and infrastructure."""

    group = "business"
    expertise_profile = (0.5, 0.4, 0.2, 0.7, 0.3, 0.2, 0.3)


class TechnicalCommunity(Stakeholder):
    """Engineers, registries, academics: infrastructure and security."""

    group = "technical_community"
    expertise_profile = (0.8, 0.6, 0.3, 0.3, 0.4, 0.2, 0.4)


class UNAgency(Stakeholder):
    """A UN agency that facilitates WSIS Action Lines and convenes their coalitions."""

    group = "un_agency"
    expertise_profile = (0.2,) * len(DOMAINS)

    @classmethod
    def expertise_means(cls, name: str) -> np.ndarray:
        """High in the domains of the Action Lines the agency facilitates."""
        means = np.asarray(cls.expertise_profile, dtype=float)
        agency = name.split("-")[0]
        for _title, domain, facilitators in ACTION_LINES.values():
            if agency in facilitators:
                means[DOMAINS.index(domain)] = 0.8
        return means

    @property
    def action_lines(self) -> list[str]:
        """The Action Lines this agency facilitates."""
        agency = self.name.split("-")[0]
        return [code for code, (_t, _d, f) in ACTION_LINES.items() if agency in f]


#: Agent class per group, in the order of ``model.catalog.GROUPS``.
AGENT_CLASSES: tuple[type[Stakeholder], ...] = (
    Government,
    CivilSociety,
    Business,
    TechnicalCommunity,
    UNAgency,
)
assert tuple(c.group for c in AGENT_CLASSES) == GROUPS


def agency_name(i: int) -> str:
    """Name of the i-th UN-agency actor: the agencies in order, numbered when scaled beyond 11."""
    base = UN_AGENCIES[i % len(UN_AGENCIES)]
    return base if i < len(UN_AGENCIES) else f"{base}-{i // len(UN_AGENCIES) + 1}"
