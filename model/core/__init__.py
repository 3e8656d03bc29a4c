"""The model's core: the vocabulary (groups, regions, domains, venues), the parameter schema and its errors,
the typed table contract, metrics, decision rules, the opinion update and the random streams. It imports
nothing of netgov above it: the scenario loader, the agents and the model wiring all build on it."""
