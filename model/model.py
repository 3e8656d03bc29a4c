"""GovernanceModel: stakeholders, an issue agenda, venues and rules, wired as a Mesa model.

The parts, bottom up: the actor table and the stakeholder agents (``netgov.agents``), the
agenda (``agenda.py``), the collaboration network (``network.py``), the venues (``venues.py``)
and the issues they convene (``issues.py``). This module only wires them and measures.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from netgov.agents import behaviour
from netgov.agents.population import ActorTable
from netgov.agents.stakeholders import populate
from netgov.model.agenda import Agenda
from netgov.model.choices import NOBODY, Choices
from netgov.model.core.catalog import DOMAINS, GROUPS, REGION_CODES, REGIONS
from netgov.model.core.config import ModelConfig, merge
from netgov.model.core.contract import AGENT_COLUMNS, KEY_METRICS, STEP_COLUMNS
from netgov.model.core.errors import ConfigError
from netgov.model.core.schema_lookup import validate_config
from netgov.model.core.streams import Streams
from netgov.model.issues import Issue, Setting
from netgov.model.network import Collaboration
from netgov.model.venues import Venues
from netgov.scenarios.loader import load, overrides

#: Per-step columns that are running means over networks or decisions.
_RUNNING: tuple[str, ...] = tuple(
    c
    for c in STEP_COLUMNS
    if c not in ("step", "active_issues", "open_share", "migrated", "adopted", "narrowed", "stalled", "adoption_rate")
)


#: What every decided issue adds to the running means (its own values: ``Issue.rate_outcome``).
DECISION_VALUES: tuple[str, ...] = (
    "legitimacy",
    "procedural_legitimacy",
    "substantive_legitimacy",
    "minority_legitimacy",
    "outcome_gap",
    "worst_region_gap",
    "worst_group_gap",
    "host_gap",
    "capture",
    "minority_gap",
)


class Tally:
    """Running sums and counts of final per-network and per-decision values (NaN: nothing measured, left out)."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def add(self, key: str, value: float) -> None:
        if value == value:
            self.sums[key] = self.sums.get(key, 0.0) + value
            self.counts[key] = self.counts.get(key, 0) + 1

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)

    def mean(self, key: str) -> float:
        n = self.counts.get(key, 0)
        return self.sums[key] / n if n else float("nan")


class GovernanceModel(mesa.Model):
    """Networked internet governance: who takes part in which issue network, and who decides.

    Build it from a validated :class:`ModelConfig`, keyword parameters, or both
    (keywords win): ``GovernanceModel(rng=1, notice_period=6, scale=2)``; dotted keys reach into
    tables: ``GovernanceModel(**{"agenda.rate": 1.0})``. All randomness comes from ``rng``, through one
    stream per sub-model (``streams.py``), so a changed rule leaves the other draws as they were.

    Parameters
    ----------
    config
        A validated :class:`ModelConfig`, a mapping of parameters, or None for the schema's defaults.
    rng
        The seed (or a NumPy ``Generator``): the same config and seed give the same tables.
    choices
        Who decides for some actors besides the model (``netgov room``); the default, nobody.
    **params
        Parameter overrides, checked against the schema; they win over ``config``.

    Raises
    ------
    ConfigError
        One line naming the parameter, its value and what is allowed.

    See Also
    --------
    from_scenario : a model of a shipped scenario or a ``.toml`` file.
    netgov.run : one run's tables without keeping the model.
    """

    def __init__(
        self,
        config: ModelConfig | Mapping[str, Any] | None = None,
        *,
        rng: int | np.random.Generator | None = None,
        choices: Choices = NOBODY,
        **params: Any,
    ) -> None:
        if isinstance(config, str | os.PathLike):
            raise ConfigError(
                f"GovernanceModel({str(config)!r}): a scenario name or file is not a config; use "
                f"GovernanceModel(netgov.load_scenario({str(config)!r}).config) or netgov.run({str(config)!r})"
            )
        if not isinstance(config, ModelConfig | Mapping | None):
            raise ConfigError(
                f"GovernanceModel(config={config!r}): expected a ModelConfig, a mapping of parameters, or None"
            )
        super().__init__(rng=rng)
        if isinstance(config, ModelConfig) and not params:
            self.config: ModelConfig = config
        else:
            where = "GovernanceModel(**params)"  # errors name the Python arguments, as the command line its flags
            base = config.model_dump(by_alias=True) if isinstance(config, ModelConfig) else dict(config or {})
            self.config = validate_config(merge(overrides(base, where), overrides(params, where)), where)
        cfg = self.config
        #: One random stream per sub-model, all spawned from ``rng`` (common random numbers: ``streams.py``).
        self.streams = Streams(self.rng)
        self.actors: ActorTable
        self.actors, self.stakeholders = populate(
            self, cfg, self.streams.stream("actors"), self.streams.stream("loyalty"), self.streams.stream("positions")
        )
        self.network = Collaboration(
            self.actors,
            [(s.row, {"group": s.group, "region": s.region}) for s in self.stakeholders],
            cfg.tie_partners,
        )
        reference = np.array([getattr(cfg.reference_shares, r) for r in REGIONS])
        self.venues = Venues(
            Setting(cfg, self.actors, self.streams, self.network, choices), self.stakeholders, reference
        )
        self.agenda = Agenda(cfg, self.actors, self.streams)
        self.issues: list[Issue] = []
        self._open: list[Issue] = []  # issues whose values may still change (see _update_metrics)
        self._counted_networks: set[int] = set()
        self._tally = Tally()
        self._metrics: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={c: (lambda m, c=c: m._metrics[c]) for c in STEP_COLUMNS}
        )
        self._agents: list[dict[str, Any]] = []  # snapshots of the actor table (agent_table)
        self._update_metrics()
        self.datacollector.collect(self)
        self._snapshot()

    scenario_name: str = "custom"  # the netgov scenario it was built from, for the figure's legend

    @classmethod
    def from_scenario(
        cls, scenario: str | os.PathLike[str] | None, *, rng: int | None = None, **params: Any
    ) -> GovernanceModel:
        """A model of a shipped scenario with keyword overrides.

        Parameters
        ----------
        scenario
            A shipped scenario's name, a ``.toml`` path, or None for the schema's defaults.
        rng
            The seed.
        **params
            Parameter overrides (dotted keys through a dict), applied over the scenario's values.

        Returns
        -------
        GovernanceModel
            The model at month 0; its ``scenario_name`` labels its figure.

        Raises
        ------
        ConfigError
            An unknown scenario or a bad override, in one line.
        """
        where = "GovernanceModel.from_scenario(**overrides)"
        loaded = load(None if scenario is None else str(scenario), overrides(params, where), label=where)
        built = cls(loaded.config, rng=rng)
        built.scenario_name = loaded.name
        return built

    # -- one month ------------------------------------------------------------------------

    def step(self) -> None:
        """One month: issues arrive and are routed, every network moves on, actors recover."""
        month = int(self.time)
        for issue in self.agenda.arrivals(month):
            self.issues.append(issue)
            self._open.append(issue)
            self.venues.route(issue, month)
        for issue in self._open:
            if issue.active:
                self.venues.advance(issue, month)
        behaviour.recover(self.actors)
        if self.config.adaptation.learning:
            behaviour.forget(self.actors, self.config.adaptation)
        self._update_metrics()
        self.datacollector.collect(self)
        if int(self.time) % self.config.agent_interval == 0:
            self._snapshot()

    @property
    def collaboration(self) -> nx.Graph:
        """Collaboration ties between actors (nodes are actor rows; weight = pairings so far)."""
        return self.network.graph

    @property
    def ties_formed(self) -> int:
        """Pairings so far, the graph's total edge weight: a view redraws ties only when it changes."""
        return self.network.ties_formed

    # -- measurement ----------------------------------------------------------------------

    def _update_metrics(self) -> None:
        """Per-step metrics over every issue network convened so far (running values); NaN where there
        is nothing to measure yet. Power is measured over deciding networks (advisory ones have no rule).

        Incremental: a network's values are final once it has convened, a decision's once it is taken,
        so each is added once to running sums, and a month costs the same at year 1 and at year 20.
        """
        t = self._tally
        still_open = []
        for i in self._open:
            if i.convened and i.id not in self._counted_networks:
                self._counted_networks.add(i.id)
                if i.migrated_by:
                    t.add("migrated", 1.0)
                t.add("participation_rate", i.participants.size / i.eligible)
                for key in ("inclusiveness", "group_coverage", "regional_balance"):
                    t.add(key, i.composition[key])
                t.add("notice_sufficiency", i.notice_sufficiency)
                if i.power is not None:
                    t.add("formal_power", i.power.formal_power)
                    t.add("pass_alone", float(i.power.pass_alone))
                    t.add("block_alone", float(i.power.block_alone))
                    t.add("paralysis", float(i.power.paralysed))
            if i.decided_on:
                t.add({"implementation": "adopted"}.get(i.phase, i.phase), 1.0)
                assert i.decided is not None  # a decided phase has its month
                t.add("mean_time_to_decision", i.decided - i.arrived)
                for key in DECISION_VALUES:
                    t.add(key, getattr(i, key))
            elif i.active:
                still_open.append(i)  # a closed issue (decided, delegated, advised) never changes again
        self._open = still_open
        adopted, narrowed, stalled = t.count("adopted"), t.count("narrowed"), t.count("stalled")
        self._metrics = {
            "step": int(self.time),
            "active_issues": len(still_open),
            "open_share": len(still_open) / len(self.issues) if self.issues else float("nan"),
            **{key: t.mean(key) for key in _RUNNING},
            "migrated": t.count("migrated"),
            "adopted": adopted,
            "narrowed": narrowed,
            "stalled": stalled,
            "adoption_rate": adopted / (adopted + narrowed + stalled) if adopted + narrowed + stalled else float("nan"),
        }
        self._metrics = {c: self._metrics[c] for c in STEP_COLUMNS}

    @property
    def metrics(self) -> dict[str, Any]:
        """The current values of the per-step metrics."""
        return dict(self._metrics)

    def step_table(self) -> pd.DataFrame:
        """The per-step model table.

        Returns
        -------
        pandas.DataFrame
            One row per month from 0, columns ``STEP_COLUMNS`` (netgov.model.core.contract says what
            each measures and which way is better).
        """
        return self.datacollector.get_model_vars_dataframe()[list(STEP_COLUMNS)]

    def _snapshot(self) -> None:
        """Copy the actor table's changing columns (a few floats per actor: memory stays small)."""
        a = self.actors
        self._agents.append(
            {
                "step": int(self.time),
                "capacity": a.capacity.copy(),
                "prep_need": a.prep_need.copy(),
                "trust": a.trust.copy() if self.config.adaptation.trust else np.full(a.n, np.nan),
                "attended": a.attended.copy(),
                "expertise": a.expertise.copy(),
            }
        )

    def agent_table(self) -> pd.DataFrame:
        """The actors' changing state, sampled every ``agent_interval`` months.

        Returns
        -------
        pandas.DataFrame
            One row per actor and sampled month, columns ``AGENT_COLUMNS``.
        """
        a = self.actors
        groups = np.array(GROUPS)[a.group]
        regions = np.array(REGION_CODES)[a.region]
        frames = []
        for snap in self._agents:
            frame = {
                "step": np.full(a.n, snap["step"], dtype=np.int64),
                "actor": np.arange(a.n, dtype=np.int64),
                "group": groups,
                "region": regions,
                "capacity": snap["capacity"],
                "prep_need": snap["prep_need"],
                "trust": snap["trust"],
                "attended": snap["attended"],
                **{f"expertise_{d}": snap["expertise"][:, k] for k, d in enumerate(DOMAINS)},
            }
            frames.append(pd.DataFrame(frame))
        return pd.concat(frames, ignore_index=True)[list(AGENT_COLUMNS)]

    def issue_table(self) -> pd.DataFrame:
        """Every issue so far.

        Returns
        -------
        pandas.DataFrame
            One row per issue: venue, phase, participants by group and by region, outcome.
        """
        return pd.DataFrame([i.row() for i in self.issues])

    def plot(
        self, path: str | os.PathLike[str] | None = None, metrics: Sequence[str] = KEY_METRICS, zoom: bool = False
    ) -> Any:
        """The standard figure: the key metrics over the months so far, a share on a 0-1 axis.

        Parameters
        ----------
        path
            Where to write the figure (PNG, or any format matplotlib infers from the suffix); None returns it.
        metrics
            The per-step columns to draw.
        zoom
            Fit each axis to the data (the panel's title then says "zoomed"); by default a share (0 to 1)
            is drawn on a 0-1 axis and any other metric on an axis from 0, so small moves look small.

        Returns
        -------
        matplotlib.figure.Figure or None
            The figure when ``path`` is None (a notebook shows it), else None.
        """
        from netgov.model.plotting import plot_trajectories  # matplotlib loads only when a figure is drawn

        table = self.step_table().assign(scenario=self.scenario_name, replication=0)
        return plot_trajectories(table, path, metrics, zoom)


__all__ = ["GovernanceModel"]
