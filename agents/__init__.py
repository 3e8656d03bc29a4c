"""Stakeholder agent classes (Mesa agents) and their behaviour."""

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
