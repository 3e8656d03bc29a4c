"""Collaboration ties: the network that persists between issues, and how repeated work strengthens it."""

from __future__ import annotations

import networkx as nx
import numpy as np

from netgov.agents.population import ActorTable


class Collaboration:
    """Weighted ties between actors (actor rows): each tie's weight counts the pairings so far.

    A meeting adds its pairings to NumPy arrays (pair codes and counts); the networkx graph, which only
    views read, is built from them when asked for and rebuilt only after new pairings.
    """

    def __init__(self, actors: ActorTable, nodes: list[tuple[int, dict[str, str]]], partners: int) -> None:
        self.actors = actors
        self.partners = partners  # ties each participant forms per network (`tie_partners`)
        self.nodes = nodes
        self._codes: list[np.ndarray] = []  # pair codes i * n + j (i < j), one array per meeting
        self._counts: list[np.ndarray] = []
        self._graph: nx.Graph | None = None
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
        first, second = np.repeat(rows, k), partners.ravel()
        codes = np.minimum(first, second) * self.actors.n + np.maximum(first, second)
        self._codes.append(codes)
        self._counts.append(np.ones(codes.size, dtype=np.int64))
        self._graph = None
        self.ties_formed += int(codes.size)
        np.add.at(self.actors.domain_ties[:, domain], rows, k)
        np.add.at(self.actors.domain_ties[:, domain], second, 1)

    @property
    def graph(self) -> nx.Graph:
        """The ties as a networkx graph (nodes are actor rows with group and region; weight = pairings)."""
        if self._graph is None:
            graph = nx.Graph()
            graph.add_nodes_from(self.nodes)
            if self._codes:
                codes, inverse = np.unique(np.concatenate(self._codes), return_inverse=True)
                counts = np.bincount(inverse, weights=np.concatenate(self._counts)).astype(np.int64)
                self._codes, self._counts = [codes], [counts]  # keep them merged
                n = self.actors.n
                edges = zip((codes // n).tolist(), (codes % n).tolist(), counts.tolist(), strict=True)
                graph.add_weighted_edges_from(edges)
            self._graph = graph
        return self._graph
