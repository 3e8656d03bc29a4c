"""A full room (run with `make bench`; nothing here asserts a time): `netgov room --seats 200` with 200
phones polling their state once a second, as the phone page does, while a moment is open.

Records each poll's round trip (median and 95th percentile), the server's CPU share over the polling, and the
machine's load average (1 min) before and after, since the figures move with what else runs.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

import httpx
import psutil
from browser import dashboard_server

PHONES = 200
SECONDS = 15.0


async def poll(client: httpx.AsyncClient, url: str, until: float, times: list[float]) -> None:
    """One phone: its state once a second until ``until``."""
    while time.monotonic() < until:
        start = time.monotonic()
        answer = await client.get(url)
        answer.raise_for_status()
        times.append((time.monotonic() - start) * 1000)
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - start)))


async def phones(base: str, room: str, facilitator: str) -> list[float]:
    """Seat PHONES participants, start the game (a long countdown keeps the first moment open), and poll."""
    clients = [httpx.AsyncClient(base_url=base, timeout=30) for _ in range(PHONES)]
    try:
        for i, client in enumerate(clients):
            (await client.post(f"/r/{room}/join", json={"name": f"phone {i}"})).raise_for_status()
        async with httpx.AsyncClient(base_url=base) as screen:
            await screen.get(facilitator)
            (await screen.post(f"/f/{room}/do", json={"action": "start"})).raise_for_status()
        times: list[float] = []
        until = time.monotonic() + SECONDS
        await asyncio.gather(*(poll(c, f"/r/{room}/state", until, times) for c in clients))
        return times
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


def test_two_hundred_phones_poll_a_room(benchmark) -> None:
    server: dict = {}
    with dashboard_server("--seats", str(PHONES), "--countdown", "600", command="room", server=server) as url:
        base, rest = url.split("/f/")
        room = rest.split("?")[0]
        process = psutil.Process(server["process"].pid)
        load_before = os.getloadavg()[0]
        process.cpu_percent()
        times: list[float] = []
        benchmark.pedantic(lambda: times.extend(asyncio.run(phones(base, room, "/f/" + rest))), rounds=1, iterations=1)
        cpu = process.cpu_percent()
    benchmark.extra_info.update(
        phones=PHONES,
        polls=len(times),
        poll_ms_median=round(statistics.median(times), 1),
        poll_ms_p95=round(statistics.quantiles(times, n=20)[-1], 1),
        server_cpu_percent=round(cpu, 1),
        load_before=round(load_before, 2),
        load_after=round(os.getloadavg()[0], 2),
    )
