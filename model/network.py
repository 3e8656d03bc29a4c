"""Collaboration ties: the network that persists between issues, and how repeated work strengthens it."""

from __future__ import annotations

import networkx as nx
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

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
        self._codes = np.zeros(0, dtype=np.int64)  # every tie once: its pair code i * n + j (i < j) ...
        self._counts = np.zeros(0, dtype=np.int64)  # ... and its weight
        self._new: list[np.ndarray] = []  # pair codes of the meetings since the last merge
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
        self._new.append(codes)
        self._graph = None
        self.ties_formed += int(codes.size)
        np.add.at(self.actors.domain_ties[:, domain], rows, k)
        np.add.at(self.actors.domain_ties[:, domain], second, 1)

    def blocs(self, rows: np.ndarray) -> np.ndarray:
        """The actors ``rows`` (distinct) grouped by the ties among them: a label per row, one per connected
        group."""
        if rows.size == 0:
            return np.arange(rows.size)
        first, second = self._ties_among(rows)
        links = coo_matrix((np.ones(first.size), (first, second)), shape=(rows.size, rows.size))
        return connected_components(links, directed=False)[1]

    def _ties_among(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ties between two of the distinct actors ``rows``, as pairs of positions in ``rows``, in the
        order of their pair codes. A coalition is a few dozen actors among tens of thousands of ties: each of
        its m(m-1)/2 pairs is looked up in the sorted codes, unless that is more lookups than there are ties
        (then one pass over every tie)."""
        n = self.actors.n
        codes, _ = self._merged()
        if rows.size * (rows.size - 1) // 2 < codes.size:
            order = np.argsort(rows)
            low, high = np.triu_indices(rows.size, k=1)
            first, second = order[low], order[high]  # rows[first] < rows[second]: pair codes in ascending order
            pair = rows[first] * n + rows[second]
            found = codes[np.minimum(np.searchsorted(codes, pair), codes.size - 1)] == pair
            return first[found], second[found]
        position = np.full(n, -1)
        position[rows] = np.arange(rows.size)
        first, second = position[codes // n], position[codes % n]
        inside = (first >= 0) & (second >= 0)
        return first[inside], second[inside]

    def _merged(self) -> tuple[np.ndarray, np.ndarray]:
        """Every tie so far once, with its weight: the new meetings' pairings merged in. The new pairings are a
        few hundred against tens of thousands of ties: they are sorted and slotted into the sorted ties (new
        arrays each time: a view may still hold the old ones), not sorted again with them."""
        if self._new:
            new, counts = np.unique(np.concatenate(self._new), return_counts=True)
            at = np.searchsorted(self._codes, new)
            known = at < self._codes.size
            known[known] = self._codes[at[known]] == new[known]
            codes = np.insert(self._codes, at[~known], new[~known])
            weights = np.insert(self._counts, at[~known], 0)
            weights[np.searchsorted(codes, new)] += counts
            self._codes, self._counts = codes, weights
            self._new = []
        return self._codes, self._counts

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every tie once, as actor-row pairs (k x 2) and their weights: what a view of the ties needs,
        without building the networkx graph (tens of milliseconds for ten thousand ties)."""
        codes, counts = self._merged()
        n = self.actors.n
        return np.stack([codes // n, codes % n], axis=1), counts

    @property
    def graph(self) -> nx.Graph:
        """The ties as a networkx graph (nodes are actor rows with group and region; weight = pairings)."""
        if self._graph is None:
            graph = nx.Graph()
            graph.add_nodes_from(self.nodes)
            codes, counts = self._merged()
            n = self.actors.n
            edges = zip((codes // n).tolist(), (codes % n).tolist(), counts.tolist(), strict=True)
            graph.add_weighted_edges_from(edges)
            self._graph = graph
        return self._graph
