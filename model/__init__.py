"""The netgov Mesa model: vocabulary, schema, rules, deliberation and metrics (below the agents), and the
wiring that puts agents, issues and venues together (above them). ``from netgov import GovernanceModel``."""
