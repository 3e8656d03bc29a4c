"""Collaboration ties: the network that persists between issues, and how repeated work strengthens it."""

from __future__ import annotations

import networkx as nx
import numpy as np

from netgov.agents.population import ActorTable


class Collaboration:
    """A weighted graph of actors (nodes are actor rows): each tie's weight counts the pairings so far."""

    def __init__(self, actors: ActorTable, nodes: list[tuple[int, dict[str, str]]], partners: int) -> None:
        self.actors = actors
        self.partners = partners  # ties each participant forms per network (`tie_partners`)
        self.graph = nx.Graph()
        self.graph.add_nodes_from(nodes)
        #: Pairings so far, i.e. the graph's total edge weight: a view redraws ties only when it changes.
        self.ties_formed = 0

    def link(self, rows: np.ndarray, domain: int, rng: np.random.Generator) -> None:
        """Each participant pairs with ``partners`` others of the network (drawn from ``rng``, the meeting's
        own stream); ties and domain experience grow."""
        k = min(self.partners, rows.size - 1)
        if k <= 0:
            return
        offsets = rng.integers(1, rows.size, size=(rows.size, k))
        partners = rows[(np.arange(rows.size)[:, None] + offsets) % rows.size]
        pairs = np.sort(np.stack([np.repeat(rows, k), partners.ravel()], axis=1), axis=1)
        unique, times = np.unique(pairs, axis=0, return_counts=True)
        new = []
        for (i, j), c in zip(unique.tolist(), times.tolist(), strict=True):
            tie = self.graph.get_edge_data(i, j)
            if tie is None:
                new.append((i, j, c))
            else:
                tie["weight"] += c
        self.graph.add_weighted_edges_from(new)
        self.ties_formed += int(times.sum())
        np.add.at(self.actors.domain_ties[:, domain], rows, k)
        np.add.at(self.actors.domain_ties[:, domain], partners.ravel(), 1)
