"""A room: participants on their phones play delegations, and the model runs with their choices.

A delegation is a stakeholder group in a region ("Africa: civil society"); it stands for the model's actors of
that group and region. The room follows one issue at a time (the first to convene, then the next once it is
closed) and, at the three moments where its actors decide, asks the delegations that have someone seated:

- **attend**: when the issue's network convenes (or its IGF session), whether the delegation's eligible actors
  come (all of them, onsite where the model did not already send them) or stay away;
- **speak**: at the start of each round of deliberation, the position the delegation puts forward for the
  round, on a slider within what its actors accept (each actor's stated view stays within its own acceptance);
- **vote**: on each text put to the network, yes, no or object.

The room is the model's :class:`~netgov.model.choices.Choices`: the model asks it with what its own actors
would do, and the room waits (the model's thread blocks) until every seated member of the delegations asked
has chosen or the countdown ends. A delegation whose members did not choose does what the model's actors
would: a room of 5 or of 40 both work, and a phone that drops out never stalls the model. The room makes no
random draw, so a room nobody chooses in runs the same tables as ``netgov run`` with the same seed.

Everything a participant may send is checked here against the moment in force: its own delegation's
offer, the current moment, a value that was offered; anything else is refused, logged, never applied.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from netgov.dashboards.words import name
from netgov.model.choices import Choices
from netgov.model.core.catalog import (
    DIMENSION_NAMES,
    DIMENSIONS,
    GOVERNMENT,
    GROUP_NAMES,
    GROUPS,
    REGION_CODES,
    REGION_NAMES,
)
from netgov.model.core.config import ModelConfig
from netgov.model.model import GovernanceModel

log = logging.getLogger("netgov.room")

#: The moments, in the order an issue meets them.
KINDS = ("attend", "speak", "vote")
ATTEND = {"attend": "Attend", "stay": "Stay away"}
VOTE = {"yes": "Yes", "no": "No", "object": "Object"}
#: The slider's step on the position scale (0 to 1): the positions a delegation is offered.
SPEAK_STEP = 0.05
#: A participant's requests allowed in any ``RATE_WINDOW_S`` seconds (a phone polls once a second).
RATE_LIMIT = 40
RATE_WINDOW_S = 10.0
NAME_MAX = 40
#: Seconds without a request after which a participant shows as away on the facilitator's screen.
AWAY_S = 5.0


class Refused(ValueError):
    """A request the room does not apply: its message is the one line the participant sees."""


@dataclass(frozen=True)
class Delegation:
    """A stakeholder group in a region: the model's actors of that group and region."""

    group: int
    region: int
    actors: int

    @property
    def key(self) -> str:
        return f"{GROUPS[self.group]}.{REGION_CODES[self.region]}"

    @property
    def name(self) -> str:
        return f"{REGION_NAMES[REGION_CODES[self.region]]}: {GROUP_NAMES[GROUPS[self.group]]}"


def delegations(model: GovernanceModel) -> list[Delegation]:
    """Every (group, region) with actors in the model, in the order seats are filled: each group's largest
    delegation (the groups in their catalogue order), then each group's second largest, and so on."""
    a = model.actors
    counts = np.zeros((len(GROUPS), len(REGION_CODES)), dtype=int)
    np.add.at(counts, (a.group, a.region), 1)
    rank = {}
    for g in range(len(GROUPS)):
        largest = sorted((r for r in range(len(REGION_CODES)) if counts[g, r]), key=lambda r: -counts[g, r])
        rank.update({Delegation(g, r, int(counts[g, r])): i for i, r in enumerate(largest)})
    return sorted(rank, key=lambda d: (rank[d], d.group))


@dataclass
class Seat:
    """A participant: a public id (the facilitator's), a secret (the phone's cookie), a name, a delegation."""

    id: str
    secret: str
    name: str
    delegation: str
    last_seen: float
    calls: deque[float] = field(default_factory=deque)


@dataclass
class Moment:
    """One moment of choice: what each delegation asked is offered, and what its members chose so far."""

    id: int
    kind: str
    issue: int
    month: int
    question: str
    offers: dict[str, dict[str, Any]]  # delegation key -> its offer (options, slider, what it costs, ...)
    remaining: float  # seconds of countdown left when ``started`` (a pause keeps it)
    started: float
    paused: bool = False
    choices: dict[str, Any] = field(default_factory=dict)  # seat id -> value

    def left(self, now: float) -> float:
        """Seconds of countdown left at ``now``."""
        return self.remaining if self.paused else max(0.0, self.remaining - (now - self.started))


@dataclass(frozen=True)
class Decision:
    """What one moment came to, delegation by delegation: what the model's actors would have done and what
    the room did (None: nobody chose, the model's behaviour stood); for a vote, whether the text passes."""

    moment: int
    kind: str
    issue: int
    month: int
    question: str
    model: dict[str, str]
    room: dict[str, str | None]
    passes_model: bool | None = None
    passes_room: bool | None = None


def _snap(value: float) -> float:
    """A position on the slider's steps (two decimals, so an offered value compares equal to a sent one)."""
    return round(round(value / SPEAK_STEP) * SPEAK_STEP, 2)


def about(issue: Any) -> str:
    """An issue in words: its number, its policy domain and the cleavage it is mostly about."""
    loadings = np.abs(np.asarray(issue.loadings, dtype=float))
    cleavage = DIMENSION_NAMES[DIMENSIONS[int(np.argmax(loadings))]]
    return f"issue {issue.id} ({name(issue.domain)}; mostly {cleavage})"


def said(value: Any) -> str:
    """A choice as the screen and the report show it ("Stay away", "Object", "0.45")."""
    return f"{value:.2f}" if isinstance(value, float) else {**ATTEND, **VOTE}.get(str(value), str(value))


def blocks(rule: Any) -> str:
    """When an Object stops the text, as the rule counts objections (a delegation's own may not be enough)."""
    if rule.name == "rough_consensus":
        return f"Object blocks it when more than {rule.objection_threshold:.0%} of the participants object"
    if rule.standing == "states":
        return "Object blocks it: at a UN body any member state's objection does"
    return (
        f"Object blocks it when at least {rule.significant_part:.0%} of a stakeholder group or of a region "
        "object (the chair's judgement)"
    )


class Room(Choices):
    """One room: its seats, the model it plays, the moment in force and the decisions so far."""

    def __init__(
        self,
        config: ModelConfig,
        seed: int,
        months: int,
        *,
        seats: int = 40,
        seating: tuple[str, ...] = (),
        countdown: float = 45.0,
        pace: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.id = secrets.token_urlsafe(8)
        self.seed = seed
        self.model = GovernanceModel(config, rng=seed, choices=self)
        self.months = months
        self.capacity = seats
        self.countdown = countdown
        self.pace = pace
        self.clock = clock
        self.lock = threading.Condition()  # the room's state: seats, the moment, decisions
        #: Held while the model computes (not while it waits for the room): whoever reads its tables takes it.
        self.computing = threading.Lock()
        self.delegations = {d.key: d for d in delegations(self.model)}
        unknown = [k for k in seating if k not in self.delegations]
        if unknown:
            raise Refused(
                f"no delegation {unknown[0]!r} in this scenario; allowed (group.region): {', '.join(self.delegations)}"
            )
        #: The delegations newcomers are seated in, in order: the facilitator's seating plan, or every one.
        self.seating = tuple(seating) or tuple(self.delegations)
        self.seats: dict[str, Seat] = {}
        self.state = "lobby"  # lobby -> playing -> ended
        self.paused = False
        self.moment: Moment | None = None
        self.decisions: list[Decision] = []
        self.refused: list[str] = []
        self.followed: Any = None  # the issue the room follows
        self._moments = 0
        self._round: tuple[int, int, int] | None = None  # (issue, aspect, attempt) of the speeches in force
        self._speeches: dict[str, float] = {}
        self._thread: threading.Thread | None = None
        #: The issue table at the end of the last month played (the report's; mid-month it is half-way).
        self.issues = self.model.issue_table()
        self._stop = False

    # -- seats -------------------------------------------------------------------------------

    def join(self, name: str) -> Seat:
        """Seat a participant in the delegation of the seating plan with the fewest seats (the first of those
        in the plan's order): the room balanced."""
        name = " ".join(str(name).split())
        if not 1 <= len(name) <= NAME_MAX:
            raise Refused(f"a name of 1 to {NAME_MAX} characters, please")
        with self.lock:
            if len(self.seats) >= self.capacity:
                raise Refused(f"the room is full ({self.capacity} seats)")
            taken = Counter(s.delegation for s in self.seats.values())
            delegation = min(self.seating, key=lambda k: taken[k])  # stable: the first among the emptiest
            seat = Seat(secrets.token_hex(4), secrets.token_urlsafe(18), name, delegation, self.clock())
            self.seats[seat.id] = seat
            self.lock.notify_all()
            return seat

    def seat_of(self, secret: str | None) -> Seat | None:
        """The seat a phone's cookie names (None: not seated here, or removed)."""
        if not secret:
            return None
        with self.lock:
            return next((s for s in self.seats.values() if secrets.compare_digest(s.secret, secret)), None)

    def throttle(self, seat: Seat) -> None:
        """Count a request of this participant; refuse it beyond ``RATE_LIMIT`` in ``RATE_WINDOW_S`` seconds."""
        now = self.clock()
        with self.lock:
            seat.last_seen = now
            while seat.calls and seat.calls[0] < now - RATE_WINDOW_S:
                seat.calls.popleft()
            if len(seat.calls) >= RATE_LIMIT:
                self._refuse(seat, "too many requests")
                raise Refused("too many requests; wait a few seconds")
            seat.calls.append(now)

    def reseat(self, seat_id: str, delegation: str) -> None:
        """The facilitator moves a participant to another delegation (its choice in the open moment is dropped)."""
        with self.lock:
            if seat_id not in self.seats or delegation not in self.delegations:
                raise Refused("no such participant or delegation")
            self.seats[seat_id].delegation = delegation
            if self.moment is not None:
                self.moment.choices.pop(seat_id, None)
            self.lock.notify_all()

    def remove(self, seat_id: str) -> None:
        """The facilitator removes a participant: its phone is no longer seated, its open choice dropped."""
        with self.lock:
            if self.seats.pop(seat_id, None) is None:
                raise Refused("no such participant")
            if self.moment is not None:
                self.moment.choices.pop(seat_id, None)
            self.lock.notify_all()

    # -- a participant's choice -------------------------------------------------------------------

    def choose(self, seat: Seat, moment: Any, value: Any) -> None:
        """Record a participant's choice, if it is one its delegation is offered at the moment in force."""
        with self.lock:
            m = self.moment
            if seat.id not in self.seats:
                raise Refused("you are no longer seated in this room")
            if m is None or moment != m.id or m.left(self.clock()) <= 0:
                self._refuse(seat, f"a choice for moment {moment!r}, which is not open")
                raise Refused("that moment is over")
            offer = m.offers.get(seat.delegation)
            if offer is None:
                self._refuse(seat, f"a choice in moment {m.id}, not offered to {seat.delegation}")
                raise Refused("your delegation is not asked at this moment")
            if isinstance(value, bool) or value not in offer["values"]:  # True == 1.0: never a position
                self._refuse(seat, f"the value {str(value)[:40]!r} in moment {m.id}, never offered")
                raise Refused("that choice was not offered")
            m.choices[seat.id] = value
            self.lock.notify_all()

    def _refuse(self, seat: Seat, what: str) -> None:
        line = f"refused from {seat.name!r} ({seat.delegation}): {what}"
        log.warning("room %s: %s", self.id, line)
        self.refused.append(line)
        del self.refused[:-50]

    # -- the facilitator ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the game: the model runs month by month in its own thread, pausing at each moment."""
        with self.lock:
            if self.state != "lobby":
                raise Refused("the game has started already")
            self.state = "playing"
        self._thread = threading.Thread(target=self.play, name=f"room-{self.id}", daemon=True)
        self._thread.start()

    def pause(self, paused: bool) -> None:
        """Pause (or resume) the game and the countdown in force."""
        with self.lock:
            self.paused = paused
            m = self.moment
            if m is not None and m.paused != paused:
                m.remaining, m.started, m.paused = m.left(self.clock()), self.clock(), paused
            self.lock.notify_all()

    def extend(self, seconds: float) -> None:
        """Give the moment in force ``seconds`` more."""
        with self.lock:
            if self.moment is None:
                raise Refused("no moment is open")
            self.moment.remaining += seconds
            self.lock.notify_all()

    def stop(self) -> None:
        """End the room's game (the server is stopping): an open moment falls back to the model."""
        with self.lock:
            self._stop = True
            self.lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def play(self) -> None:
        """The model's months, at ``pace`` seconds each, paused while the facilitator pauses."""
        try:
            while self.model.time < self.months:
                with self.lock:
                    self.lock.wait_for(lambda: not self.paused or self._stop)
                    if self._stop:
                        return
                with self.computing:
                    self.model.step()
                    self.issues = self.model.issue_table()
                with self.lock:
                    self.lock.wait_for(lambda: self._stop, timeout=self.pace)
        except Exception:
            log.exception("room %s: the model failed", self.id)
        finally:
            with self.lock:
                self.state = "ended"
                self.lock.notify_all()

    # -- the model's questions (Choices) ---------------------------------------------------------

    def _members(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """For each delegation with someone seated, which of ``rows`` (actor rows) are its actors (a mask)."""
        a = self.model.actors
        with self.lock:
            taken = {s.delegation for s in self.seats.values()}
        out = {}
        for key in (k for k in self.delegations if k in taken):  # in the screen's order
            d = self.delegations[key]
            mask = (a.group[rows] == d.group) & (a.region[rows] == d.region)
            if mask.any():
                out[key] = mask
        return out

    def attend(
        self, issue: Any, onsite: np.ndarray, remote: np.ndarray, eligible: np.ndarray, cost: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        if not self.seats or (self.followed is not None and self.followed.active and issue is not self.followed):
            return onsite, remote  # the room follows one issue at a time
        everyone = np.arange(onsite.size)
        members = {k: m & eligible for k, m in self._members(everyone).items() if (m & eligible).any()}
        effort = self.model.config.participation.meeting_effort
        offers, model = {}, {}
        for key, m in members.items():
            coming = int((onsite | remote)[m].sum())
            model[key] = "attend" if coming else "stay"
            offers[key] = {
                "values": list(ATTEND),
                "labels": ATTEND,
                "facts": [
                    f"{int(m.sum())} of your actors may attend; on their own {coming} would come",
                    f"travel cost: {float(cost[m].mean()):.2f} on average; each meeting uses {effort:.2f} of capacity",
                ],
            }
        if not offers:
            return onsite, remote  # no seated delegation may attend: the room waits for another issue
        self.followed = issue
        where = f"the {name(issue.venue)}" if issue.venue else "a meeting"
        _, chosen = self._ask(
            "attend", issue, f"A network convenes on {about(issue)} at {where}. Attend?", offers, model
        )
        onsite, remote = onsite.copy(), remote.copy()
        for key, value in chosen.items():
            m = members[key]
            if value == "attend":
                onsite |= m & ~remote
            elif value == "stay":
                onsite &= ~m
                remote &= ~m
        return onsite, remote

    def speak(self, issue: Any, opinions: np.ndarray, acceptance: np.ndarray) -> np.ndarray:
        if issue is not self.followed or not self.seats:
            return opinions
        members = self._members(issue.participants)
        key = (issue.id, int(getattr(issue, "current", 0)), int(getattr(issue, "attempts", 0)))
        if key != self._round:
            self._round = key
            offers, model = {}, {}
            for k, m in members.items():
                lo = _snap(max(0.0, float((opinions[m] - acceptance[m]).mean())))
                hi = _snap(min(1.0, float((opinions[m] + acceptance[m]).mean())))
                view = _snap(float(opinions[m].mean()))
                model[k] = f"{view:.2f}"
                values = [float(v) for v in np.round(np.arange(lo, hi + SPEAK_STEP / 2, SPEAK_STEP), 2)]
                offers[k] = {
                    "values": values,
                    "slider": {"min": lo, "max": hi, "step": SPEAK_STEP, "value": min(max(view, lo), hi)},
                    "facts": [
                        f"your actors' view: {view:.2f} on a scale from 0 to 1",
                        f"they would accept a position from {lo:.2f} to {hi:.2f}",
                    ],
                }
            question = f"Deliberation on {about(issue)}: which position does your delegation put forward?"
            self._speeches = {k: float(v) for k, v in self._ask("speak", issue, question, offers, model)[1].items()}
        out = opinions.copy()
        for k, position in self._speeches.items():
            mask = members.get(k)
            if mask is not None:
                out[mask] = np.clip(position, opinions[mask] - acceptance[mask], opinions[mask] + acceptance[mask])
        return out

    def vote(self, issue: Any, proposal: float, votes: np.ndarray) -> np.ndarray:
        if issue is not self.followed or not self.seats:
            return votes
        members = self._members(issue.participants)
        offers, model = {}, {}
        decides = name(issue.rule.name)
        if getattr(issue.rule, "by_consent", False):
            rule = (
                f"the network decides by {decides}: No lets the text pass with your disagreement; {blocks(issue.rule)}"
            )
        else:
            rule = f"the network decides by {decides}: No and Object are both a vote against"
        states_only = issue.rule.name == "consensus" and issue.rule.standing == "states"
        unheeded = (
            f"the network decides by {decides} at a UN body, where only member states may block: "
            "your Object is recorded, but does not block the text"
        )
        for key, m in members.items():
            says = unheeded if states_only and self.delegations[key].group != GOVERNMENT else rule
            yes = int(votes[m].sum())
            view = float(issue.opinions[m].mean()) if issue.opinions.size else proposal
            model[key] = "yes" if 2 * yes > int(m.sum()) else "no"
            offers[key] = {
                "values": list(VOTE),
                "labels": VOTE,
                "facts": [
                    f"the text stands at {proposal:.2f}; your actors' view at {view:.2f}"
                    f" (a distance of {abs(proposal - view):.2f})",
                    f"on their own, {yes} of your {int(m.sum())} actors would say yes",
                    says,
                ],
            }
        question = f"The text on {about(issue)} is put to the network: your delegation's vote?"
        moment, chosen = self._ask("vote", issue, question, offers, model)
        cast = self._cast(issue, votes, members, chosen)
        if moment is not None:
            passes = issue.rule.passes
            self._record(
                moment,
                model,
                chosen,
                passes(votes, issue.groups, issue.regions),
                passes(cast, issue.groups, issue.regions),
            )
        return cast

    def _cast(
        self, issue: Any, votes: np.ndarray, members: dict[str, np.ndarray], chosen: dict[str, Any]
    ) -> np.ndarray:
        """The votes with the room's: yes carries, an objection blocks, and a no blocks under a vote (under
        consensus a no that is not an objection stands aside)."""
        consent = bool(getattr(issue.rule, "by_consent", False))
        out = votes.copy()
        for key, value in chosen.items():
            out[members[key]] = value == "yes" or (value == "no" and consent)
        return out

    def _ask(
        self,
        kind: str,
        issue: Any,
        question: str,
        offers: dict[str, dict[str, Any]],
        model: dict[str, str],
    ) -> tuple[Moment | None, dict[str, Any]]:
        """Open a moment for ``offers`` and wait until it closes (recorded with ``model``, what the model's
        actors would do); the moment and the delegations' choices (those made)."""
        if not offers:
            return None, {}
        with self.lock:
            self._moments += 1
            m = Moment(
                self._moments, kind, int(issue.id), int(self.model.time), question, offers, self.countdown, self.clock()
            )
            m.paused = self.paused
            self.moment = m
            self.lock.notify_all()
        self.computing.release()  # the model is waiting: its tables may be read (the report)
        try:
            with self.lock:
                while not self._stop and m.left(self.clock()) > 0 and not self._all_chosen(m):
                    self.lock.wait(timeout=0.1)
                chosen = self.tally(m)
                self.moment = None
                if kind != "vote":  # a vote is recorded with what it comes to (``vote``)
                    self._record(m, model, chosen)
        finally:
            self.computing.acquire()
        return m, chosen

    def _all_chosen(self, m: Moment) -> bool:
        asked = [s.id for s in self.seats.values() if s.delegation in m.offers]
        return bool(asked) and all(i in m.choices for i in asked)

    def tally(self, m: Moment) -> dict[str, Any]:
        """Each delegation's choice: its members' most frequent (the earliest first on a tie); for a position,
        their mean on the slider's steps."""
        by: dict[str, list[Any]] = {}
        for seat_id, value in m.choices.items():
            seat = self.seats.get(seat_id)
            if seat is not None and seat.delegation in m.offers:
                by.setdefault(seat.delegation, []).append(value)
        if m.kind == "speak":
            return {k: _snap(float(np.mean(v))) for k, v in by.items()}
        return {k: Counter(v).most_common(1)[0][0] for k, v in by.items()}

    def _record(
        self,
        m: Moment,
        model: dict[str, str],
        chosen: dict[str, Any],
        passes_model: bool | None = None,
        passes_room: bool | None = None,
    ) -> None:
        room = {k: (said(chosen[k]) if k in chosen else None) for k in m.offers}
        words = {k: said(v) for k, v in model.items()}
        with self.lock:
            self.decisions.append(
                Decision(m.id, m.kind, m.issue, m.month, m.question, words, room, passes_model, passes_room)
            )
