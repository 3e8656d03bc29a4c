"""Scenario data files, their loader, and the runners that turn them into results."""

from scenarios.loader import Scenario, load, scenario_names

__all__ = ["Scenario", "load", "scenario_names"]
