"""The netgov Mesa model: the wiring that puts agents, issues and venues together (this folder), over the
vocabulary, schema, rules, deliberation and metrics of ``netgov.model.core`` (below the agents and the scenario
loader). ``from netgov import GovernanceModel``."""
