"""The room (``netgov room``, issue 29) without a browser: the model runs through the room's choices, a room
nobody chooses in adds nothing, forged choices change nothing, seats, rate limits, and rooms kept apart."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from netgov.dashboards.room import RATE_LIMIT, Moment, Refused, Room, Seat, blocks
from netgov.dashboards.room_server import BODY_MAX, Rooms, app
from netgov.experiment.runner import run_once
from netgov.model.core.catalog import GOVERNMENT, GROUPS, REGION_CODES
from netgov.model.core.rules import Rule
from netgov.scenarios.loader import load

SEED, MONTHS = 3, 30
TOKEN = "facilitator-token-123"


def config() -> Any:
    return load(None).config


def played(room: Room, answer: Callable[[Room, Moment], None] | None = None) -> Room:
    """Play ``room`` to its end; ``answer`` (if given) is called once on each moment as it opens."""
    room.start()
    seen: set[int] = set()
    while True:
        with room.lock:
            room.lock.wait_for(
                lambda: room.state == "ended" or (room.moment is not None and room.moment.id not in seen)
            )
            if room.state == "ended":
                return room
            m = room.moment
            assert m is not None
            seen.add(m.id)
        if answer is not None:
            answer(room, m)


def same_tables(room: Room) -> None:
    alone = run_once(config(), SEED, MONTHS)
    pd.testing.assert_frame_equal(room.model.step_table(), alone.steps)
    pd.testing.assert_frame_equal(room.model.issue_table(), alone.issues)


def test_a_room_without_participants_runs_the_same_tables_as_netgov_run() -> None:
    same_tables(played(Room(config(), SEED, MONTHS, countdown=5, pace=0)))


def test_idle_participants_fall_back_to_the_model_and_add_no_randomness() -> None:
    room = Room(config(), SEED, MONTHS, countdown=0.02, pace=0)
    for name in ("Ana", "Ben", "Chen", "Dara", "Eli", "Fay"):
        room.join(name)
    played(room)
    assert {d.kind for d in room.decisions} == {"attend", "speak", "vote"}  # every moment was offered ...
    assert all(v is None for d in room.decisions for v in d.room.values())  # ... nobody chose ...
    same_tables(room)  # ... so the model did as it would


def delegation_rows(room: Room, seat: Seat) -> np.ndarray:
    d = room.delegations[seat.delegation]
    a = room.model.actors
    return np.flatnonzero((a.group == d.group) & (a.region == d.region))


@pytest.mark.slow  # 60 months played, moments waiting out their countdowns (about 8 s): make test, not make quick
def test_the_rooms_choices_act_through_the_model() -> None:
    """A delegation that stays away is absent from the network; one that objects to every text blocks it
    under consensus where the chair judges the room (an Action-Line coalition), not at a UN body where only
    states may block (a CSTD working group), and the phone says which; the record says what the model's
    actors would have done."""
    cfg = load(None, ["decision_rule=consensus"]).config
    room = Room(cfg, SEED, 60, countdown=0.5, pace=0)
    stays, objects = room.join("Stays"), room.join("Objects")

    def answer(r: Room, m: Moment) -> None:
        if m.kind == "attend" and stays.delegation in m.offers:
            r.choose(stays, m.id, "stay")
        if m.kind == "attend" and objects.delegation in m.offers:
            r.choose(objects, m.id, "attend")
        if m.kind == "vote" and objects.delegation in m.offers:
            told[m.id] = m.offers[objects.delegation]["facts"][-1]
            r.choose(objects, m.id, "object")

    told: dict[int, str] = {}  # what the phone says an objection does, by moment
    played(room, answer)
    followed = [d.issue for d in room.decisions if d.kind == "attend" and d.room.get(stays.delegation) == "Stay away"]
    assert followed, "the staying delegation was never asked"
    issue = room.model.issues[followed[0]]
    assert not np.isin(issue.participants, delegation_rows(room, stays)).any()
    attended = [d for d in room.decisions if d.kind == "attend" and d.room.get(objects.delegation) == "Attend"]
    assert attended
    met = room.model.issues[attended[0].issue]
    eligible = delegation_rows(room, objects)[met.eligible_mask[delegation_rows(room, objects)]]
    assert eligible.size and np.isin(eligible, met.participants).all()  # every one of its actors who may, came
    votes = [d for d in room.decisions if d.kind == "vote" and d.room.get(objects.delegation) == "Object"]
    assert votes, "the objecting delegation never voted"
    assert room.delegations[objects.delegation].group != GOVERNMENT
    standing = {d.moment: room.model.venues.rules[room.model.issues[d.issue].venue].standing for d in votes}
    heeded = [d for d in votes if standing[d.moment] == "significant_part"]
    unheeded = [d for d in votes if standing[d.moment] == "states"]
    assert heeded and unheeded, "the delegation objected at only one kind of venue: the test would prove less"
    assert all(d.passes_room is False for d in heeded)  # where the chair judges, a whole delegation blocks
    assert all(d.passes_room == d.passes_model for d in unheeded)  # at a UN body a non-state objection does not
    assert all(
        told[d.moment].endswith("a stakeholder group or of a region object (the chair's judgement)") for d in heeded
    )
    assert all(told[d.moment].endswith("does not block the text") for d in unheeded)  # and the phone says so
    voted = room.model.issues[heeded[-1].issue]
    assert voted.votes is not None and voted.phase != "implementation"
    assert not voted.votes[np.isin(voted.participants, delegation_rows(room, objects))].any()  # the last vote's


def test_the_phone_says_when_an_objection_blocks_as_the_rule_counts_it() -> None:
    """Under the chair's judgement and rough consensus one delegation's Object may not be enough: the phone
    gives the rule's own share; at a UN body a member state's Object blocks alone."""
    assert blocks(Rule("consensus", significant_part=0.25)).startswith("Object blocks it when at least 25% of a")
    assert blocks(Rule("rough_consensus", objection_threshold=0.2)) == (
        "Object blocks it when more than 20% of the participants object"
    )
    assert "any member state's objection" in blocks(Rule("consensus", standing="states"))


def test_forged_choices_change_nothing() -> None:
    room = Room(config(), SEED, MONTHS, countdown=0.3, pace=0)
    asked = room.join("Asked")
    other = room.join("Other")
    forged: list[str] = []

    def answer(r: Room, m: Moment) -> None:
        outsider = other if asked.delegation in m.offers and other.delegation not in m.offers else None
        me = asked if asked.delegation in m.offers else other
        attempts = [
            (me, m.id - 1, next(iter(m.offers[me.delegation]["values"]))),
            (me, m.id, "maybe"),
            (me, m.id, True),
        ]
        attempts += [(me, m.id, 0.333), (me, m.id, ["yes"]), (me, str(m.id), "yes")]
        if outsider is not None:
            attempts.append((outsider, m.id, next(iter(m.offers[asked.delegation]["values"]))))
        for seat, moment, value in attempts:
            with pytest.raises(Refused):
                r.choose(seat, moment, value)
            forged.append(str(value))
        assert m.choices == {}

    played(room, answer)
    assert forged and len(room.refused) == min(len(forged), 50)
    same_tables(room)  # nothing forged was applied


def test_seats_are_balanced_bounded_and_named_safely() -> None:
    room = Room(config(), SEED, MONTHS, seats=3)
    seats = [room.join(n) for n in ("  Ana   María ", "Ben", "<script>x</script>")]
    assert seats[0].name == "Ana María"
    assert len({s.delegation for s in seats}) == 3  # one per delegation
    assert len({room.delegations[s.delegation].group for s in seats}) == 3  # from different groups first
    with pytest.raises(Refused, match="full"):
        room.join("Dara")
    room.remove(seats[1].id)
    with pytest.raises(Refused, match="1 to 40"):
        room.join("x" * 41)
    room.reseat(seats[0].id, "government.asia_pacific")
    assert room.seats[seats[0].id].delegation == "government.asia_pacific"
    with pytest.raises(Refused):
        room.reseat(seats[0].id, "nobody.nowhere")


def test_the_seating_plan_fills_its_delegations_in_order() -> None:
    room = Room(config(), SEED, MONTHS, seating=("civil_society.africa", "government.western_europe_others"))
    seats = [room.join(n).delegation for n in ("Ana", "Ben", "Chen")]
    assert seats == ["civil_society.africa", "government.western_europe_others", "civil_society.africa"]


def test_a_participant_is_rate_limited() -> None:
    now = [0.0]
    room = Room(config(), SEED, MONTHS, clock=lambda: now[0])
    seat = room.join("Ana")
    for _ in range(RATE_LIMIT):
        room.throttle(seat)
    with pytest.raises(Refused, match="too many"):
        room.throttle(seat)
    now[0] += 11
    room.throttle(seat)  # the window has passed


def test_delegations_cover_every_group_and_region_with_actors() -> None:
    room = Room(config(), SEED, MONTHS)
    a = room.model.actors
    present = {f"{GROUPS[g]}.{REGION_CODES[r]}" for g, r in zip(a.group, a.region, strict=True)}
    assert set(room.delegations) == present
    assert sum(d.actors for d in room.delegations.values()) == a.n


# -- the web server -------------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[tuple[Any, Rooms]]:
    with warnings.catch_warnings():  # Starlette 1.x would rather have httpx2 than httpx; either drives the app
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    rooms = Rooms(config(), "default", SEED, MONTHS, 5, 0.5, 0, "http://testserver")
    rooms.open()
    with TestClient(app(rooms, TOKEN)) as client:
        yield client, rooms


def test_the_facilitator_needs_the_token_and_the_join_page_never_shows_it(server: Any) -> None:
    client, rooms = server
    room = next(iter(rooms.rooms))
    assert client.get(f"/f/{room}").status_code == 403
    assert client.get(f"/f/{room}/state").status_code == 403
    assert client.post(f"/f/{room}/do", json={"action": "start"}).status_code == 403
    assert client.get(f"/f/{room}?token=wrong-token-456").status_code == 403
    page = client.get(f"/f/{room}?token={TOKEN}")
    assert page.status_code == 200 and "<svg" in page.text and f"/r/{room}" in page.text
    report = client.get(f"/f/{room}/report")  # the cookie the screen set
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "netgov room report" in report.text
    join = client.get(f"/r/{room}")
    assert join.status_code == 200 and TOKEN not in join.text
    assert (
        join.headers["referrer-policy"] == "no-referrer"
        and "frame-ancestors 'none'" in join.headers["content-security-policy"]
    )
    assert client.get("/r/no-such-room").status_code == 404


def test_two_rooms_on_one_server_do_not_see_each_other_and_a_reload_keeps_the_seat(server: Any) -> None:
    client, rooms = server
    first = next(iter(rooms.rooms.values()))
    client.get(f"/f/{first.id}?token={TOKEN}")  # the facilitator's cookie
    assert client.post("/f/new", follow_redirects=False).status_code == 303
    second = next(r for r in rooms.rooms.values() if r is not first)
    ana = client.post(f"/r/{first.id}/join", json={"name": "Ana <b>"})
    assert ana.status_code == 200
    state = client.get(f"/r/{first.id}/state").json()
    assert state["name"] == "Ana <b>"
    assert client.get(f"/r/{first.id}/state").json()["delegation"] == state["delegation"]  # a reload: same seat
    assert client.post(f"/r/{first.id}/join", json={"name": "Ana again"}, follow_redirects=False).status_code == 303
    assert len(first.seats) == 1  # joining again from the same phone keeps the seat
    assert client.get(f"/r/{second.id}/state").status_code == 403  # not seated there
    assert second.seats == {}
    assert [s["name"] for s in client.get(f"/f/{second.id}/state").json()["seats"]] == []
    assert [s["name"] for s in client.get(f"/f/{first.id}/state").json()["seats"]] == ["Ana <b>"]


def test_bad_requests_are_refused_with_a_short_message(server: Any) -> None:
    client, rooms = server
    room = next(iter(rooms.rooms))
    json_type = {"content-type": "application/json"}
    assert client.post(f"/r/{room}/join", content=b"x" * (BODY_MAX + 1), headers=json_type).status_code == 400
    assert client.post(f"/r/{room}/join", content=b"[1, 2]", headers=json_type).json() == {"error": "not a JSON object"}
    as_form = client.post(f"/r/{room}/join", content=b'{"name": "x"}', headers={"content-type": "text/plain"})
    assert as_form.status_code == 400 and rooms.rooms[room].seats == {}  # a form on another site seats nobody
    assert client.post(f"/r/{room}/join", json={"name": ""}).status_code == 400
    client.post(f"/r/{room}/join", json={"name": "Ana"})
    refused = client.post(f"/r/{room}/choose", json={"moment": 1, "value": "yes"})
    assert refused.status_code == 409 and refused.json() == {"error": "that moment is over"}
    client.get(f"/f/{room}?token={TOKEN}")
    assert client.post(f"/f/{room}/do", json={"action": "explode"}).json() == {"error": "unknown action"}
    for _ in range(RATE_LIMIT):
        client.get(f"/r/{room}/state")
    assert client.get(f"/r/{room}/state").status_code == 429


def test_a_stopped_room_does_not_wait_for_its_phones() -> None:
    room = Room(config(), SEED, MONTHS, countdown=600, pace=0)
    room.join("Away")
    room.start()
    with room.lock:
        room.lock.wait_for(lambda: room.moment is not None)
    done = threading.Event()
    threading.Thread(target=lambda: (room.stop(), done.set()), daemon=True).start()
    assert done.wait(10)
    assert room.state == "ended"


def test_the_report_has_the_choices_by_delegation_each_decision_and_the_replay() -> None:
    from netgov.dashboards.room_report import by_delegation, replay, room_report

    room = Room(config(), 0, 24, countdown=0.3, pace=0)
    stays, idle = room.join("Amina"), room.join("Bruno <b>")

    def answer(r: Room, m: Moment) -> None:
        if m.kind == "attend" and stays.delegation in m.offers:
            r.choose(stays, m.id, "stay")

    played(room, answer)
    rows = {r["delegation"]: r for r in by_delegation(room)}
    mine, other = rows[room.delegations[stays.delegation].name], rows[room.delegations[idle.delegation].name]
    assert mine["chose"] >= 1 and "attend: Stay away" in mine["choices"]
    assert other["chose"] == 0 and other["fell_back"] == other["asked"] >= 1
    again = replay(room)
    assert again["months"] == 24 and {m["name"] for m in again["metrics"]} >= {"participation rate", "legitimacy"}
    first = room.decisions[0]
    assert first.kind == "attend" and any(i["issue"] == first.issue for i in again["issues"])  # fewer came
    html = room_report(room, "The calibrated world")
    assert "Bruno &lt;b&gt;" in html and "Bruno <b>" not in html
    assert "(no choice: as the model)" in html and "Replay: the same seed without the room" in html


def test_the_replay_of_a_room_nobody_chose_in_changes_nothing() -> None:
    from netgov.dashboards.room_report import replay

    room = played(Room(config(), SEED, MONTHS, countdown=0.02, pace=0))
    again = replay(room)
    assert again["issues"] == []
    assert all(m["difference"] in ("", "+0.000") for m in again["metrics"])


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--seats", "201"], "--seats 201: expected an integer from 1 to 200"),
        (["--seats", "0"], "--seats 0: expected an integer from 1 to 200"),
        (["--countdown", "1"], "--countdown 1.0: expected seconds from 3 to 600"),
        (["--pace", "nan"], "--pace nan: expected seconds from 0 to 10"),
        (["--token", "short"], "--token: expected 8 to 200 letters"),
        (["--host", "bad host!"], "--host 'bad host!': expected an IP address or a host name"),
        (["no_such_scenario"], "no_such_scenario"),
        (["--seating", "government.africa,government.mars"], "--seating government.africa,government.mars: no"),
    ],
)
def test_bad_flags_stop_the_room_before_it_starts(flags: list[str], says: str) -> None:
    from conftest import netgov_in_process

    done = netgov_in_process("room", *flags)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("netgov: error:") and says in lines[0], done.stderr


def test_pause_holds_the_countdown_and_extend_adds_to_it() -> None:
    now = [0.0]
    room = Room(config(), SEED, MONTHS, countdown=10, pace=0, clock=lambda: now[0])
    room.join("Ana")
    room.start()
    with room.lock:
        room.lock.wait_for(lambda: room.moment is not None)
        m = room.moment
        assert m is not None and m.left(now[0]) == 10
    now[0] = 4.0
    assert m.left(now[0]) == 6
    room.pause(True)
    now[0] = 104.0  # a long pause: the countdown waits
    assert m.left(now[0]) == 6 and room.moment is m
    room.pause(False)
    room.extend(30)
    assert m.left(now[0]) == 36
    now[0] = 139.0
    assert m.left(now[0]) == 1 and room.moment is m
    now[0] = 141.0  # the countdown is over: the moment closes without a choice, the model goes on
    with room.lock:
        assert room.lock.wait_for(lambda: room.moment is not m, timeout=10)
    room.stop()
    assert room.decisions[0].room == {room.seats[next(iter(room.seats))].delegation: None}
