"""Stakeholder agents: one class per group, as the WSIS Tunis Agenda names them.

An agent is an actor's identity (group, region, name) and its story. Its numbers live in the
model's actor table (``population.py``: NumPy columns, one row per actor) and what it does in a
meeting is in ``behaviour.py``, computed for a whole issue network at once; the properties
below read one actor's row. The groups differ in what they know (``expertise_means``, from the
schema's ``expertise`` table), what they have (``resources``), where they stand (``stance``) and
where they come from (``regions``), and in the roles the venues give them: only governments sit
in the intergovernmental venue, and UN agencies convene the coalitions of their Action Lines.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

import mesa
import numpy as np

from netgov.agents.population import ActorTable, build_actors, scaled_counts
from netgov.model.core.catalog import ACTION_LINES, DIMENSIONS, DOMAINS, GROUPS, REGION_CODES, UN_AGENCIES
from netgov.model.core.config import ModelConfig


class HasActors(Protocol):
    """What an agent needs from its model: the actor table that holds its numbers."""

    actors: ActorTable


class Stakeholder(mesa.Agent):
    """An actor in internet governance: a row of the model's actor table.

    Every month, for each issue network it is eligible for, it decides whether to take part
    (onsite, remotely, or not at all: ``behaviour.take_part``), spends capacity on it, weighs in
    on the deliberation in proportion to its expertise and preparation, votes on the proposal,
    and, whether it was there or not, rates the outcome. Between meetings it recovers capacity.
    """

    group: ClassVar[str]
    model: HasActors  # type: ignore[assignment]  # a GovernanceModel; agents need only its actor table

    def __init__(self, model: mesa.Model, row: int, name: str) -> None:
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

    @property
    def position(self) -> dict[str, float]:
        """Where it stands on each cleavage of internet governance (0-1; ``DIMENSIONS``)."""
        return dict(zip(DIMENSIONS, self.model.actors.position[self.row].tolist(), strict=True))

    @property
    def acceptance(self) -> float:
        """Acceptance threshold: how far a proposal may be from its view and still get its yes."""
        return float(self.model.actors.acceptance[self.row])

    def prep_time(self, background_quality: float) -> float:
        """Mean months this actor's preparation for a meeting takes with this background material."""
        return float(self.model.actors.prep_time(background_quality)[self.row])

    @classmethod
    def expertise_means(cls, config: ModelConfig) -> np.ndarray:
        """Mean expertise of a new actor of this group, per policy domain (the schema's ``expertise`` table)."""
        profile = getattr(config.expertise, cls.group)
        return np.array([getattr(profile, d) for d in DOMAINS], dtype=float)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.region})"


class Government(Stakeholder):
    """A UN member state: broad, policy-oriented expertise; the only member of the intergovernmental
    venue and of `governments_only` networks, and the only voter under `government_vote`."""

    group = "government"


class CivilSociety(Stakeholder):
    """An NGO or network: rights and development expertise, often short of resources (above all in the
    Global South), so notice, travel support and remote participation decide whether it can come."""

    group = "civil_society"


class Business(Stakeholder):
    """A firm or industry association: markets and infrastructure; well resourced."""

    group = "business"


class TechnicalCommunity(Stakeholder):
    """Engineers, registries, academics: infrastructure and security expertise."""

    group = "technical_community"


class UNAgency(Stakeholder):
    """A UN agency that facilitates WSIS Action Lines: it convenes their coalitions and always attends them."""

    group = "un_agency"

    def __init__(self, model: mesa.Model, row: int, name: str, agency: str) -> None:
        super().__init__(model, row, name)
        #: Which agency (e.g. ``ITU``): several actors share one when the model is scaled up.
        self.agency = agency

    @classmethod
    def facilitated_domains(cls, agency: str) -> set[str]:
        """The policy domains of the Action Lines this agency facilitates."""
        return {domain for _title, domain, facilitators in ACTION_LINES.values() if agency in facilitators}

    @classmethod
    def agency_means(cls, config: ModelConfig, agency: str) -> np.ndarray:
        """High (``expertise.facilitated``) in the domains of its Action Lines, the profile elsewhere."""
        means = cls.expertise_means(config)
        for domain in cls.facilitated_domains(agency):
            means[DOMAINS.index(domain)] = config.expertise.facilitated
        return means

    @property
    def action_lines(self) -> list[str]:
        """The Action Lines this agency facilitates."""
        return [code for code, (_t, _d, f) in ACTION_LINES.items() if self.agency in f]


#: Agent class per group, in the order of ``netgov.model.core.catalog.GROUPS``.
AGENT_CLASSES: tuple[type[Stakeholder], ...] = (
    Government,
    CivilSociety,
    Business,
    TechnicalCommunity,
    UNAgency,
)
assert tuple(c.group for c in AGENT_CLASSES) == GROUPS


def agency_of(i: int) -> str:
    """The agency of the i-th UN-agency actor: the agencies in order, cycling when scaled beyond 11."""
    return UN_AGENCIES[i % len(UN_AGENCIES)]


def agency_name(i: int) -> str:
    """Name of the i-th UN-agency actor: its agency, numbered from the second round on (``ITU-2``)."""
    return agency_of(i) if i < len(UN_AGENCIES) else f"{agency_of(i)}-{i // len(UN_AGENCIES) + 1}"


def populate(
    model: mesa.Model,
    config: ModelConfig,
    rng: np.random.Generator,
    loyalty_rng: np.random.Generator,
    positions_rng: np.random.Generator,
) -> tuple[ActorTable, list[Stakeholder]]:
    """Create the actors, group by group: the actor table's rows (drawn from ``rng``; loyalty and positions
    from their own streams) and one agent per row."""
    counts = scaled_counts(config)
    roster: list[tuple[type[Stakeholder], str, str | None]] = []
    for cls in AGENT_CLASSES:
        for i in range(counts[cls.group]):
            if cls is UNAgency:
                roster.append((cls, agency_name(i), agency_of(i)))
            else:
                roster.append((cls, f"{cls.group}-{i + 1}", None))
    of_group = {cls: cls.expertise_means(config) for cls in AGENT_CLASSES}  # once per group, not per actor
    means = [
        UNAgency.agency_means(config, agency) if agency is not None else of_group[cls] for cls, _name, agency in roster
    ]
    table = build_actors(config, rng, means, loyalty_rng, positions_rng)
    agents = [
        UNAgency(model, row, name, agency) if agency is not None else cls(model, row, name)
        for row, (cls, name, agency) in enumerate(roster)
    ]
    return table, agents
