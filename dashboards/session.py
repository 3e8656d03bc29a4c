"""What the room did in one session: the changes it made (month, parameter, old -> new) and every run's
final metrics, for the session report.

A :class:`Session` lives as long as a browser tab. The dashboard tells it about each accepted control
change, each scenario picked, each design saved and each new run (Reset or a scenario picked); a run
that ends is kept with its final metrics, and those of the design it was compared with, on the same seed.
The final metrics are the contract's judged metrics (``JUDGED_METRICS``): a metric added there shows in
the report without an edit here.
"""

from __future__ import annotations

import math
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
class Run:
    """One design run: its number in the session, what it ran, for how long, and its final metrics (and,
    in compare mode, the other design's at the same month on the same seed)."""

    number: int
    design: str
    scenario: ModelConfig
    config: ModelConfig
    seed: int
    months: int
    final: dict[str, float]
    other: str | None = None
    other_final: dict[str, float] | None = None


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
    """The session so far: the changes in order, and every run that has ended."""

    changes: list[Change] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    live: DashboardModel | None = None
    live_design: str = ""
    live_scenario: ModelConfig | None = None
    other: DashboardModel | None = None
    other_design: str = ""

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
        """The run in force now (called on every render; a new model means the previous run ended)."""
        if model is not self.live:
            self.close()
            self.live, self.live_design, self.live_scenario = model, design, scenario
        self.other, self.other_design = other, other_design

    def close(self) -> None:
        """Keep the run in force (if it ran a month or more) with its final metrics."""
        run = self.current()
        if run is not None:
            self.runs.append(run)
        self.live = None

    def current(self) -> Run | None:
        """The run in force as a :class:`Run` (None before any month was run)."""
        model = self.live
        if model is None or model.month == 0 or self.live_scenario is None:
            return None
        other_final = None
        if self.other is not None:
            if self.other.month < model.month:
                self.other.run_for(model.month - self.other.month)  # as far as this run
            other_final = final_metrics(self.other)
        return Run(
            number=len(self.runs) + 1,
            design=self.live_design,
            scenario=self.live_scenario,
            config=model.config,
            seed=model.seed,
            months=model.month,
            final=final_metrics(model),
            other=self.other_design if self.other is not None else None,
            other_final=other_final,
        )

    def all_runs(self) -> list[Run]:
        """Every run of the session, the one in force last."""
        run = self.current()
        return [*self.runs, run] if run is not None else list(self.runs)


def finite(value: float) -> bool:
    return not math.isnan(value)
