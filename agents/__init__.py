"""Stakeholder agents: who they are (``stakeholders``), their numbers (``population``: the actor
table) and what they do in a meeting (``behaviour``)."""

from netgov.agents.stakeholders import (
    AGENT_CLASSES,
    Business,
    CivilSociety,
    Government,
    Stakeholder,
    TechnicalCommunity,
    UNAgency,
)

__all__ = [
    "AGENT_CLASSES",
    "Business",
    "CivilSociety",
    "Government",
    "Stakeholder",
    "TechnicalCommunity",
    "UNAgency",
]
