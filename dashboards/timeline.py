"""What happened, month by month: the events a room watches for, and the metrics' per-month values.

The per-step table holds running means over every network so far, which barely move after a
year. A :class:`Journal` looks at the issues after every step of a dashboard model and writes
down what changed (an issue arrives, a network convenes, a vote passes or fails, an issue
stalls or moves venue) and the values of the networks that convened that month, so the room
sees an event change something. It only reads the model.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from netgov.dashboards.words import name
from netgov.model.core.catalog import GROUP_NAMES
from netgov.model.core.config import ModelConfig, nest
from netgov.model.describe import network_values
from netgov.model.issues import Issue
from netgov.model.model import GovernanceModel

#: The kinds of event, in the order the timeline lists them, each with its words for a room.
EVENT_KINDS: dict[str, str] = {
    "arrives": "issue arrives",
    "convenes": "network convenes",
    "moves": "issue moves venue",
    "passes": "vote passes",
    "fails": "vote fails",
    "stalls": "vote stalls the issue",
    "closes": "issue closes without a vote",
}
#: The metrics whose per-month values come from the networks convened that month (one value each).
NETWORK_METRICS = ("participation_rate", "inclusiveness", "regional_balance", "formal_power")
#: ... and from the issues decided that month.
DECISION_METRICS = ("legitimacy", "capture")


@dataclass(frozen=True)
class Event:
    """One thing that happened to an issue in a month, in words."""

    month: int
    issue: int
    kind: str
    text: str


def _state(issue: Issue) -> tuple[str, bool, str, int, int]:
    return issue.venue, issue.convened, issue.phase, issue.attempts, sum(issue.agreed)


def _name(issue: Issue) -> str:
    return f"issue #{issue.id} ({issue.domain.replace('_', ' ')})"


def changes(issue: Issue, before: tuple[str, bool, str, int, int] | None, month: int) -> list[Event]:
    """The events between an issue's last seen state (None: new) and now."""
    venue, convened, phase, attempts, passed = _state(issue)
    old_venue, was_convened, old_phase, old_attempts, old_passed = before or ("", False, "", 0, 0)
    out: list[Event] = []

    def add(kind: str, text: str) -> None:
        out.append(Event(month, issue.id, kind, text))

    if before is None:
        add("arrives", f"{_name(issue)} arrives on the agenda")
    if old_venue and venue != old_venue:
        add("moves", f"{_name(issue)} moves from the {name(old_venue)} to the {name(venue)}")
    elif before is None and issue.migrated_by:
        who = GROUP_NAMES.get(issue.migrated_by, issue.migrated_by)
        add("moves", f"{_name(issue)} is taken to the {name(venue)} by {who} (forum shopping)")
    if convened and not was_convened:
        add(
            "convenes",
            f"a network convenes on {_name(issue)} at the {name(venue)}: {issue.participants.size} of "
            f"{issue.eligible} who may take part come",
        )
    if passed > old_passed:
        add("passes", f"the vote on {_name(issue)} passes (aspect {passed} of {issue.kept.size})")
    if phase == "stalled" and old_phase != "stalled":
        add("stalls", f"{_name(issue)} stalls: no agreement after {attempts} vote(s)")
    elif phase == "narrowed" and old_phase != "narrowed":
        add(
            "stalls",
            f"{_name(issue)} is adopted narrowed: {passed} of {issue.kept.size} aspects agreed, the rest dropped",
        )
    elif attempts > old_attempts and passed == old_passed:
        add("fails", f"the vote on {_name(issue)} fails (attempt {attempts}): a compromise is sought")
    if phase in ("delegated", "advised") and old_phase != phase:
        words = "is delegated to existing bodies" if phase == "delegated" else "ends with advice (advisory venue)"
        add("closes", f"{_name(issue)} {words}")
    return out


@dataclass
class Journal:
    """Events and per-month values of one run, written after every step (``record``)."""

    seen: dict[int, tuple[str, bool, str, int, int]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)  # {"step", "metric", "value"} records
    first_network: int | None = None  # the month the first network convened

    def record(self, issues: list[Issue], month: int) -> None:
        """Compare every issue with its state at the last record; note what changed in ``month``."""
        for issue in issues:
            before = self.seen.get(issue.id)
            now = _state(issue)
            if now == before:
                continue
            new = changes(issue, before, month)
            self.events.extend(new)
            self.seen[issue.id] = now
            kinds = {e.kind for e in new}
            if "convenes" in kinds:
                if self.first_network is None:
                    self.first_network = month
                values = network_values(issue)
                self.values.extend({"step": month, "metric": m, "value": values[m]} for m in NETWORK_METRICS)
            decided = ("implementation", "narrowed", "stalled")
            if now[2] in decided and (before is None or before[2] not in decided):
                self.values.extend(
                    {"step": month, "metric": m, "value": float(getattr(issue, m))} for m in DECISION_METRICS
                )

    def month_values(self) -> pd.DataFrame:
        """Per month and metric, the mean over that month's new networks (or decisions); NaN rows dropped."""
        table = pd.DataFrame(self.values, columns=["step", "metric", "value"]).astype({"value": float})
        table = table[np.isfinite(table["value"])]
        return table.groupby(["step", "metric"], as_index=False)["value"].mean()

    def latest(self) -> list[Event]:
        """The events of the most recent month that had any."""
        if not self.events:
            return []
        month = self.events[-1].month
        return [e for e in self.events if e.month == month]


class DashboardModel(GovernanceModel):
    """A GovernanceModel built the way the dashboard's Reset builds it (one keyword per control), with a
    :class:`Journal` written after every step.

    Table entries arrive as dotted keys (``actors.civil_society``, as with ``--set``). The seed is kept
    so a second design can be run with the same one. Mesa's play loop steps the model in its own thread
    while the page may be drawn in another: a step holds ``lock``, and a view reads the model under it
    (``month`` is the last month stepped to the end; Mesa moves ``time`` before the step runs).
    """

    def __init__(self, config: ModelConfig | Mapping[str, Any] | None = None, *, rng: int = 0, **controls: Any) -> None:
        # Mesa's Reset also passes its own `scenario` object (mesa.experimental.scenarios), which
        # has nothing to do with netgov's scenario files: the config carries ours.
        controls.pop("scenario", None)
        super().__init__(config, rng=rng, **nest(controls))
        self.seed = rng
        self.journal = Journal()
        self.lock = threading.RLock()
        self.month = 0

    def step(self) -> None:
        """One month, then the journal notes what changed; a view never sees half a step."""
        with self.lock:
            super().step()
            self.month = int(self.time)
            self.journal.record(self.issues, self.month)
