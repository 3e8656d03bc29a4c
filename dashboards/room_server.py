"""The room's web server: the facilitator's screen (behind the token) and the participants' phone page.

A Starlette app on uvicorn (the server Solara itself runs on), with no front-end framework: the phone page
and the screen are small HTML pages that ask for their state once a second and draw it with
``textContent`` (a participant's name is never markup). Paths:

- ``/f/{room}`` the facilitator's screen, its ``state``, its actions (``do``), the session ``report``;
  ``/f/new`` opens another room. All of ``/f`` needs the token (``dashboards.serve.Guard``).
- ``/r/{room}`` the join page, then the phone page; ``join``, ``state`` and ``choose`` under it. A seat
  is a cookie for that room's path only (``HttpOnly``), so a reload keeps the seat and rooms are apart.

A room id is a random 11-character word: a participant of one room cannot find another. Every body is
at most ``BODY_MAX`` bytes and every value is checked by the room (``dashboards.room``) before use.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from netgov.analysis.html import environment
from netgov.dashboards.room import Refused, Room, said
from netgov.dashboards.serve import Guard
from netgov.model.core.config import ModelConfig

log = logging.getLogger("netgov.room")

BODY_MAX = 2048
#: Rooms one server holds at most (each runs its own model).
ROOMS_MAX = 20
COOKIE = "netgov_room_token"
FORBIDDEN = b"netgov room: the facilitator's screen needs the token; open the URL that `netgov room` printed.\n"


@dataclass
class Rooms:
    """The rooms of one server, and how each new one is set up (the flags of ``netgov room``)."""

    config: ModelConfig
    title: str
    seed: int
    months: int
    seats: int
    countdown: float
    pace: float
    public: str  # the server's address as participants reach it (the join links)
    seating: tuple[str, ...] = ()  # the facilitator's seating plan (delegation keys), or every delegation
    rooms: dict[str, Room] = field(default_factory=dict)

    def open(self) -> Room:
        """A new room on the same scenario and seed."""
        if len(self.rooms) >= ROOMS_MAX:
            raise Refused(f"this server holds at most {ROOMS_MAX} rooms")
        room = Room(
            self.config,
            self.seed,
            self.months,
            seats=self.seats,
            seating=self.seating,
            countdown=self.countdown,
            pace=self.pace,
        )
        self.rooms[room.id] = room
        return room

    def join_url(self, room: Room) -> str:
        return f"{self.public}/r/{room.id}"

    def stop(self) -> None:
        for room in self.rooms.values():
            room.stop()


def _room(request: Request) -> Room | None:
    rooms: Rooms = request.app.state.rooms
    return rooms.rooms.get(request.path_params["room"])


def _seat_cookie(room: Room) -> str:
    return f"netgov_seat_{room.id}"


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object (``application/json``: a form on another site cannot send one), at most
    ``BODY_MAX`` bytes; anything else is refused."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise Refused("expected a JSON object (application/json)")
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > BODY_MAX):
        raise Refused("request too large")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > BODY_MAX:
            raise Refused("request too large")
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise Refused("not a JSON object") from None
    if not isinstance(data, dict):
        raise Refused("not a JSON object")
    return data


#: Every page: only its own scripts and styles (inline) and this server; never in a frame; no Referer (the
#: facilitator's URL holds the token).
PAGE_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline';"
    " img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _page(html: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(html, headers={**PAGE_HEADERS, **(headers or {})})


def _refused(exc: Refused, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=status)


NOT_FOUND = PlainTextResponse("netgov room: no such room (ask the facilitator for the join link)\n", status_code=404)


# -- participants ------------------------------------------------------------------------------------------


async def phone(request: Request) -> Response:
    """The join page, or the phone page once seated (the token is nowhere on either)."""
    room = _room(request)
    if room is None:
        return NOT_FOUND
    seat = room.seat_of(request.cookies.get(_seat_cookie(room)))
    page = request.app.state.templates.get_template("room_phone.html.j2")
    return _page(page.render(room=room.id, seated=seat is not None, full=len(room.seats) >= room.capacity))


async def join(request: Request) -> Response:
    room = _room(request)
    if room is None:
        return NOT_FOUND
    if room.seat_of(request.cookies.get(_seat_cookie(room))) is not None:
        return RedirectResponse(f"/r/{room.id}", status_code=303)  # already seated: the same seat
    try:
        seat = room.join((await _body(request)).get("name", ""))
    except Refused as exc:
        return _refused(exc)
    answer = JSONResponse({"seated": seat.id})
    answer.set_cookie(_seat_cookie(room), seat.secret, path=f"/r/{room.id}", httponly=True, samesite="strict")
    return answer


def _seated(request: Request) -> tuple[Room, Any] | Response:
    room = _room(request)
    if room is None:
        return NOT_FOUND
    seat = room.seat_of(request.cookies.get(_seat_cookie(room)))
    if seat is None:
        return JSONResponse({"error": "you are not seated in this room; join again"}, status_code=403)
    try:
        room.throttle(seat)
    except Refused as exc:
        return _refused(exc, 429)
    return room, seat


async def phone_state(request: Request) -> Response:
    found = _seated(request)
    if isinstance(found, Response):
        return found
    room, seat = found
    return JSONResponse(room_view(room, seat))


async def choose(request: Request) -> Response:
    found = _seated(request)
    if isinstance(found, Response):
        return found
    room, seat = found
    try:
        data = await _body(request)
        room.choose(seat, data.get("moment"), data.get("value"))
    except Refused as exc:
        return _refused(exc, 409)
    return JSONResponse(room_view(room, seat))


def room_view(room: Room, seat: Any) -> dict[str, Any]:
    """What a participant's phone shows: its seat, the month, and its delegation's moment if one is open."""
    with room.lock:
        m = room.moment
        offer = m.offers.get(seat.delegation) if m is not None else None
        moment = None
        if m is not None and offer is not None:
            moment = {
                "id": m.id,
                "kind": m.kind,
                "question": m.question,
                "facts": offer["facts"],
                "left": round(m.left(room.clock()), 1),
                "paused": m.paused,
                "chosen": m.choices.get(seat.id),
                **({"options": list(offer["labels"].items())} if "labels" in offer else {"slider": offer["slider"]}),
            }
        last = next((d for d in reversed(room.decisions) if seat.delegation in d.room), None)
        return {
            "name": seat.name,
            "delegation": room.delegations[seat.delegation].name,
            "month": int(room.model.time),
            "months": room.months,
            "state": room.state,
            "paused": room.paused,
            "moment": moment,
            "last": None if last is None else _last_words(last, seat.delegation),
        }


def _last_words(d: Any, key: str) -> str:
    room = d.room[key]
    done = f"your delegation chose {room}" if room is not None else "nobody chose: your actors did as they would"
    return f"Issue {d.issue}, {d.kind} (month {d.month}): {done}; on their own they would have: {d.model[key]}."


# -- the facilitator -----------------------------------------------------------------------------------------


async def screen(request: Request) -> Response:
    room = _room(request)
    if room is None:
        return NOT_FOUND
    rooms: Rooms = request.app.state.rooms
    page = request.app.state.templates.get_template("room_screen.html.j2")
    return _page(
        page.render(
            room=room.id,
            title=rooms.title,
            join=rooms.join_url(room),
            qr=_qr(rooms, room),
            report=f"/f/{room.id}/report",
        )
    )


def _qr(rooms: Rooms, room: Room) -> str:
    import segno
    from markupsafe import Markup

    return Markup(segno.make(rooms.join_url(room), error="m").svg_inline(scale=5, dark="#111", light="#fff"))


async def screen_state(request: Request) -> Response:
    room = _room(request)
    if room is None:
        return NOT_FOUND
    return JSONResponse(screen_view(room))


def screen_view(room: Room) -> dict[str, Any]:
    """What the facilitator's screen shows: who has joined, the moment and its tally, each decision's room
    against the model, and what was refused."""
    from netgov.dashboards.room import AWAY_S

    with room.lock:
        now = room.clock()
        names = {k: d.name for k, d in room.delegations.items()}
        m = room.moment
        moment = None
        if m is not None:
            tally = []
            for key in m.offers:
                members = [s for s in room.seats.values() if s.delegation == key]
                chosen = [said(m.choices[s.id]) for s in members if s.id in m.choices]
                tally.append({"delegation": names[key], "members": len(members), "chosen": [str(c) for c in chosen]})
            moment = {"id": m.id, "kind": m.kind, "question": m.question, "left": round(m.left(now), 1), "tally": tally}
        return {
            "state": room.state,
            "paused": room.paused,
            "month": int(room.model.time),
            "months": room.months,
            "seats": [
                {"id": s.id, "name": s.name, "delegation": s.delegation, "away": now - s.last_seen > AWAY_S}
                for s in room.seats.values()
            ],
            "capacity": room.capacity,
            "delegations": list(names.items()),
            "moment": moment,
            "decisions": [
                {
                    "moment": d.moment,
                    "kind": d.kind,
                    "issue": d.issue,
                    "month": d.month,
                    "rows": [[names[k], d.model[k], d.room[k]] for k in d.room],
                    "passes_model": d.passes_model,
                    "passes_room": d.passes_room,
                }
                for d in reversed(room.decisions[-8:])
            ],
            "refused": room.refused[-8:],
        }


async def act(request: Request) -> Response:
    """A facilitator's action: start, pause, resume, extend, reseat, remove."""
    room = _room(request)
    if room is None:
        return NOT_FOUND
    try:
        data = await _body(request)
        action = data.get("action")
        if action == "start":
            room.start()
        elif action in ("pause", "resume"):
            room.pause(action == "pause")
        elif action == "extend":
            room.extend(30.0)
        elif action == "reseat":
            room.reseat(str(data.get("seat")), str(data.get("delegation")))
        elif action == "remove":
            room.remove(str(data.get("seat")))
        else:
            raise Refused("unknown action")
    except Refused as exc:
        return _refused(exc)
    return JSONResponse(screen_view(room))


def report(request: Request) -> Response:
    """The session report (``room_report``), as a file to keep; a plain function, so Starlette runs it in a
    worker thread (the replay takes a moment) while the phones are answered."""
    from netgov.dashboards.room_report import room_report

    room = _room(request)
    if room is None:
        return NOT_FOUND
    rooms: Rooms = request.app.state.rooms
    headers = {"content-disposition": f'attachment; filename="netgov-room-{room.id}.html"'}
    return _page(room_report(room, rooms.title), headers)


async def new_room(request: Request) -> Response:
    rooms: Rooms = request.app.state.rooms
    try:
        room = rooms.open()
    except Refused as exc:
        return _refused(exc)
    return RedirectResponse(f"/f/{room.id}", status_code=303)


def app(rooms: Rooms, token: str | None) -> Starlette:
    """The room's ASGI app: ``/f`` behind the token, ``/r`` for participants."""
    facilitator = Starlette(
        routes=[
            Route("/new", new_room, methods=["POST"]),
            Route("/{room}", screen),
            Route("/{room}/state", screen_state),
            Route("/{room}/do", act, methods=["POST"]),
            Route("/{room}/report", report),
        ]
    )
    participants = [
        Route("/r/{room}", phone),
        Route("/r/{room}/join", join, methods=["POST"]),
        Route("/r/{room}/state", phone_state),
        Route("/r/{room}/choose", choose, methods=["POST"]),
    ]
    guarded = Guard(facilitator, token=token, cookie=COOKIE, forbidden=FORBIDDEN)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        rooms.stop()  # an open moment falls back to the model; the rooms' threads end

    web = Starlette(routes=[*participants, Mount("/f", app=guarded)], lifespan=lifespan)  # type: ignore[arg-type]
    web.state.rooms = rooms
    web.state.templates = environment("netgov.dashboards")
    facilitator.state.rooms = rooms
    facilitator.state.templates = web.state.templates
    return web
