"""What the room did in one session: the changes it made (month, parameter, old -> new) and every run's
final metrics, for the session report.

A :class:`Session` lives as long as a browser tab. The dashboard tells it about each accepted control
change, each scenario picked, each design saved, and on every render which run is in force and which
design it is compared with. A run that ends (Reset, or a scenario picked) is kept with its final
metrics; each design it was compared with is kept with both designs' metrics at the month the
comparison ended (the other design was switched, compare mode switched off, or the run ended), so every
difference is paired: same seed, same month. The metrics are the contract's judged metrics
(``JUDGED_METRICS``): a metric added there shows in the report without an edit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netgov.dashboards.timeline import DashboardModel
from netgov.model.core.config import ModelConfig, flatten
from netgov.model.core.contract import JUDGED_METRICS
from netgov.model.describe import changed_keys


@dataclass(frozen=True)
class Change:
    """One thing the room did: in which month of the run in force, to what, from what to what."""

    month: int
    what: str
    old: str
    new: str


@dataclass(frozen=True)
class Comparison:
    """A run compared with another design on the same seed: both designs' metrics at ``month``."""

    other: str
    month: int
    mine: dict[str, float]
    theirs: dict[str, float]


@dataclass(frozen=True)
class Run:
    """One design run: its number in the session, what it ran, for how long, its final metrics, and the
    designs it was compared with."""

    number: int
    design: str
    scenario: ModelConfig
    config: ModelConfig
    seed: int
    months: int
    final: dict[str, float]
    comparisons: tuple[Comparison, ...] = ()


def final_metrics(model: DashboardModel) -> dict[str, float]:
    """The judged metrics at a run's last month (NaN where there is nothing to measure yet)."""
    with model.lock:
        last = model.step_table().iloc[-1]
    return {m: float(last[m]) for m in JUDGED_METRICS}


def differences(mine: dict[str, float], theirs: dict[str, float]) -> dict[str, float]:
    """This run minus the other design, metric by metric: a paired difference (same seed, same months)."""
    return {m: mine[m] - theirs[m] for m in mine if m in theirs}


def changed(config: ModelConfig, against: ModelConfig) -> list[tuple[str, Any, Any]]:
    """(dotted key, value in ``against``, value in ``config``) for every parameter that differs."""
    now = flatten(config.model_dump(by_alias=True))
    before = flatten(against.model_dump(by_alias=True))
    return [(k, before.get(k), now[k]) for k in changed_keys(config, against)]


@dataclass
class Session:
    """The session so far: the changes in order, every run that has ended, and the run in force."""

    changes: list[Change] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    live: DashboardModel | None = None
    live_design: str = ""
    live_scenario: ModelConfig | None = None
    other: DashboardModel | None = None
    other_design: str = ""
    compared: list[Comparison] = field(default_factory=list)  # the run in force's earlier comparisons

    def note(self, month: int, what: str, old: Any, new: Any) -> None:
        """A change the room made (a control, the scenario, the design compared with, a saved design)."""
        self.changes.append(Change(int(month), what, str(old), str(new)))

    def follow(
        self,
        model: DashboardModel,
        design: str,
        scenario: ModelConfig,
        other: DashboardModel | None = None,
        other_design: str = "",
    ) -> None:
        """The run in force now and the design it is compared with (called on every render: a new model
        means the previous run ended, another design that the previous comparison did)."""
        if model is not self.live:
            self.close()
            self.live, self.live_design, self.live_scenario = model, design, scenario
        elif other is not self.other and (comparison := self.comparison()) is not None:
            self.compared.append(comparison)
        self.other, self.other_design = other, other_design

    def comparison(self) -> Comparison | None:
        """The run in force against the design it is compared with, at this month (None if there is none
        or no month has run); the other design is run as far as this one first."""
        model, other = self.live, self.other
        if model is None or other is None or model.month == 0:
            return None
        if other.month < model.month:
            other.run_for(model.month - other.month)
        return Comparison(self.other_design, model.month, final_metrics(model), final_metrics(other))

    def close(self) -> None:
        """Keep the run in force (if it ran a month or more) with its final metrics and comparisons."""
        run = self.current()
        if run is not None:
            self.runs.append(run)
        self.live, self.compared = None, []

    def current(self) -> Run | None:
        """The run in force as a :class:`Run` (None before any month was run)."""
        model = self.live
        if model is None or model.month == 0 or self.live_scenario is None:
            return None
        last = self.comparison()
        return Run(
            number=len(self.runs) + 1,
            design=self.live_design,
            scenario=self.live_scenario,
            config=model.config,
            seed=model.seed,
            months=model.month,
            final=final_metrics(model),
            comparisons=(*self.compared, *([last] if last is not None else [])),
        )

    def all_runs(self) -> list[Run]:
        """Every run of the session, the one in force last."""
        run = self.current()
        return [*self.runs, run] if run is not None else list(self.runs)
