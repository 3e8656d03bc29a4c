"""The room's session report: who played which delegation, the room's choices by delegation, each decision's
room against the model's actors, and the replay: the same seed run without the room to the same month, so the
debrief can show what the room changed (its final metrics and the issues whose outcome differs).

One self-contained HTML file on the reports' shared base and stylesheet (``netgov.analysis.html``); the metric
rows are the dashboard session report's (``report.metric_rows``), so both reports read the same.
"""

from __future__ import annotations

import datetime
from typing import Any

from netgov.analysis.html import environment
from netgov.dashboards.report import metric_rows
from netgov.dashboards.room import Room
from netgov.dashboards.words import name
from netgov.experiment.runner import run_once
from netgov.model.core.contract import JUDGED_METRICS


def by_delegation(room: Room) -> list[dict[str, Any]]:
    """For each delegation asked at least once: its participants, the moments it was asked, how many it chose
    in (the rest fell back to the model's actors), and what it chose, in order."""
    rows = []
    for key, d in room.delegations.items():
        asked = [x for x in room.decisions if key in x.room]
        if not asked:
            continue
        chose = [x for x in asked if x.room[key] is not None]
        rows.append(
            {
                "delegation": d.name,
                "participants": ", ".join(s.name for s in room.seats.values() if s.delegation == key) or "(none now)",
                "asked": len(asked),
                "chose": len(chose),
                "fell_back": len(asked) - len(chose),
                "choices": "; ".join(f"issue {x.issue} {x.kind}: {x.room[key]}" for x in chose),
            }
        )
    return rows


def replay(room: Room) -> dict[str, Any]:
    """The same scenario and seed without the room, to the month the room reached: its final metrics against
    the room's (a paired difference: one run each), and the issues whose outcome the room changed."""
    with room.computing:  # the model between two steps, or waiting for the room mid-month
        played = room.model.step_table().iloc[-1]
        issues = room.issues
    months = int(played["step"])  # the last month played whole
    if months == 0:
        return {"months": 0, "metrics": [], "issues": []}
    alone = run_once(room.model.config, room.seed, months)
    assert alone.issues is not None  # run_once builds the issue table unless told not to
    final = alone.steps.iloc[-1]
    mine = {m: float(played[m]) for m in JUDGED_METRICS}
    theirs = {m: float(final[m]) for m in JUDGED_METRICS}
    changed = []
    for (_, a), (_, b) in zip(issues.iterrows(), alone.issues.iterrows(), strict=False):
        if (a["outcome"], a["participants"]) != (b["outcome"], b["participants"]):
            changed.append(
                {
                    "issue": int(a["issue_id"]),
                    "venue": name(str(a["venue"])),
                    "room": f"{name(str(a['outcome']) or a['phase'])}, {int(a['participants'])} participants",
                    "alone": f"{name(str(b['outcome']) or b['phase'])}, {int(b['participants'])} participants",
                }
            )
    return {"months": months, "metrics": metric_rows(mine, theirs), "issues": changed}


def room_report(room: Room, title: str) -> str:
    """The report as one HTML page."""
    with room.lock:
        decisions = list(room.decisions)
        seats = [(s.name, room.delegations[s.delegation].name) for s in room.seats.values()]
        refused = list(room.refused)
        delegations = by_delegation(room)
    names = {k: d.name for k, d in room.delegations.items()}
    return (
        environment("netgov.dashboards")
        .get_template("room.html.j2")
        .render(
            when=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            title=title,
            seed=room.seed,
            seats=seats,
            delegations=delegations,
            decisions=[{**vars(d), "rows": [(names[k], d.model[k], d.room[k]) for k in d.room]} for d in decisions],
            replay=replay(room),
            refused=refused,
        )
    )
