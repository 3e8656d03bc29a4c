"""The room in real headless Chromium (issue 29): one facilitator at 1280x720 and six phones at 390x844 play a
scenario through a convening, a deliberation and a vote.

``NETGOV_SCREENSHOT=1`` writes README's screenshots of the facilitator's screen and of a phone (docs/img/)
during the vote.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from browser import OVERFLOW, TIMEOUT_MS, OfflineSession, chromium_browser, dashboard_server

pytestmark = pytest.mark.slow

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "img"
PHONE = (390, 844)
NAMES = ("Amina", "Bruno", "Chen", "Dana <b>", "Emeka", "Farah")
#: What an active phone presses at each moment.
PRESS = {"attend": "Attend", "speak": "Put forward", "vote": "Object"}


def moment(page: Any, kind: str) -> Any:
    card = page.locator(f".room-moment[data-kind={kind}]")
    card.wait_for(timeout=TIMEOUT_MS)
    return card


def test_six_phones_and_a_facilitator_play_a_convening_a_deliberation_and_a_vote() -> None:
    printed: list[str] = []
    args = ("--seed", "0", "--set", "decision_rule=consensus", "--countdown", "12", "--pace", "0")
    with dashboard_server(*args, command="room", printed=printed) as url, chromium_browser() as browser:
        token = url.split("token=")[1]
        join = printed[1].split()[1]
        facilitator = OfflineSession(browser, 1280, 720)
        screen = facilitator.context.new_page()
        screen.goto(url)
        phones = [OfflineSession(browser, *PHONE) for _ in range(6)]
        pages = []
        for i, phone in enumerate(phones):
            page = phone.context.new_page()
            page.goto(join)
            assert token not in page.content()  # the facilitator's token is never on the join page
            page.fill("input[name=name]", NAMES[i])
            page.get_by_role("button", name="Join").click()
            page.locator(".room-who", has_text=f"{NAMES[i]} · ").wait_for(timeout=TIMEOUT_MS)
            pages.append(page)
        assert any("█" in line for line in printed[2:])  # the join link's QR code, for the projector
        screen.locator(".room-count", has_text="6 of 40").wait_for(timeout=TIMEOUT_MS)
        assert screen.locator(".room-seats b").count() == 0  # names are text, never markup
        screen.get_by_label("delegation of Farah").select_option(label="Asia-Pacific: civil society")  # re-seat
        pages[5].locator(".room-who", has_text="Farah · Asia-Pacific: civil society").wait_for(timeout=TIMEOUT_MS)
        seated = [p.locator(".room-who").inner_text() for p in pages]
        screen.get_by_role("button", name="Start").click()

        moment(pages[0], "attend")
        screen.get_by_role("button", name="Pause").click()  # the countdown waits
        pages[0].locator(".room-countdown", has_text="paused").wait_for(timeout=TIMEOUT_MS)
        screen.get_by_role("button", name="Resume").click()
        for kind in ("attend", "speak"):  # every participant sees its delegation's moment and answers
            for page in pages:
                moment(page, kind).get_by_role("button", name=PRESS[kind]).click()
            screen.locator(".room-decision", has_text=f", {kind}, month").first.wait_for(timeout=TIMEOUT_MS)

        for page in pages:
            moment(page, "vote")
        pages[0].reload()  # a reload keeps the seat, and the moment (the page fills it in on its first poll)
        pages[0].locator(".room-who", has_text=seated[0]).wait_for(timeout=TIMEOUT_MS)
        assert pages[0].locator(".room-who").inner_text() == seated[0]
        for page in pages[:5]:
            moment(page, "vote").get_by_role("button", name="Object").click()
            page.locator(".room-moment button.chosen", has_text="Object").wait_for(timeout=TIMEOUT_MS)
        pages[5].close()  # the sixth closes its page mid-vote: the room does not wait for it
        tally = screen.locator(".room-tally tbody")
        screen.wait_for_function(
            "() => (document.querySelector('.room-tally tbody').textContent.match(/Object/g) || []).length === 5",
            timeout=TIMEOUT_MS,
        )
        assert tally.locator("tr").count() == 6
        for page in pages[:5]:
            assert page.evaluate(OVERFLOW) == []  # nothing runs past a phone's width
        if os.environ.get("NETGOV_SCREENSHOT") == "1":
            screen.screenshot(path=str(IMAGES / "room_screen.png"))
            pages[1].screenshot(path=str(IMAGES / "room_phone.png"))

        vote = screen.locator(".room-decision", has_text=", vote, month").first
        vote.wait_for(timeout=TIMEOUT_MS)
        assert "The text fails with the room's votes" in vote.inner_text()  # the outcome reflects the room's votes
        rows = vote.locator("tr").all_inner_texts()[1:]
        assert sum("Object" in r for r in rows) == 5
        assert sum("(no choice: as the model)" in r for r in rows) == 1  # the idle participant fell back
        screen.locator(".room-status", has_text="playing").wait_for(timeout=TIMEOUT_MS)  # and the room went on
        for session in (facilitator, *phones):
            assert session.blocked == []
