"""Scenario data files (TOML) and their loader: ``netgov.scenarios.loader.load(name)``."""
