"""The notebooks cannot rot: the tutorial, the exercises and their solutions execute and say what their own
outputs say, and `make notebook` serves them. (Apart from tests/test_docs.py so that the two files, each
long, run on the two test workers at once.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.ipynb"


# -- the tutorial ---------------------------------------------------------------------------------

#: A line of `netgov.analysis.summary.in_words`: a paired difference, its interval and pairs, and the verdict.
SENTENCE = re.compile(
    r"^ *(?P<metric>\w+) (?P<way>rises|falls|does not move): (?P<mean>[+-]\d+\.\d{3}) "
    r"\[(?P<lo>[+-]\d+\.\d{3}), (?P<hi>[+-]\d+\.\d{3})\] over (?P<n>\d+) pairs \((?P<verdict>[^)]*)\)$",
    re.MULTILINE,
)
#: A typed result in prose: a number with two or more decimals, or "k of n worlds" (code spans aside).
TYPED = re.compile(r"(?<![\w.])\d*\.\d{2,}\b|\b\d+ of \d+ worlds")


def printed(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def shown(cell: Any) -> str:
    return "".join(o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", []))


def findings(cell: Any) -> list[dict[str, Any]]:
    """The paired differences a cell printed in words, as numbers."""
    found = []
    for m in SENTENCE.finditer(printed(cell)):
        row = m.groupdict()
        found.append({**row, **{k: float(row[k]) for k in ("mean", "lo", "hi")}, "n": int(row["n"])})
    return found


NOTEBOOKS = {
    "tutorial": TUTORIAL,
    "exercises": ROOT / "docs" / "exercises.ipynb",
    "solutions": ROOT / "docs" / "exercises_solutions.ipynb",
}


#: The longest a wait for one kernel message polls before looking again (seconds); see :func:`execute`.
POLL_SLICE = 1.0


def _sliced(get_msg: Any) -> Any:
    """``get_msg(timeout)`` of a kernel client's channel, polling in slices of at most :data:`POLL_SLICE`.

    pyzmq's asyncio poll can miss the wake-up of a message that has already arrived; it then sleeps until its
    timeout and only its last, non-blocking look finds the message (zeromq/pyzmq#1558). nbclient waits for a
    cell's reply with the cell timeout (300 s here), so a missed wake-up stalled the tutorial for exactly
    300 s, then went on as if nothing happened (seen in full test runs, never alone). Short polls look again
    every second; an empty slice is not yet a timeout."""
    from queue import Empty
    from time import monotonic

    async def get(timeout: float | None = None) -> Any:
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - monotonic())
            try:
                return await get_msg(timeout=POLL_SLICE if left is None else min(POLL_SLICE, left))
            except Empty:
                if left is not None and left <= POLL_SLICE:
                    raise

    return get


def execute(path: Path, tmp_path: Path) -> Any:
    import nbformat
    from nbclient import NotebookClient

    class Client(NotebookClient):
        async def async_start_new_kernel_client(self) -> Any:
            kc = await super().async_start_new_kernel_client()
            for channel in (kc.shell_channel, kc.iopub_channel):
                channel.get_msg = _sliced(channel.get_msg)
            return kc

    nb = nbformat.read(path, as_version=4)
    client = Client(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    return nb


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The tutorial, executed once for the tests below."""
    return execute(TUTORIAL, tmp_path_factory.mktemp("tutorial"))


@pytest.mark.slow
def test_tutorial_executes(tutorial: Any) -> None:
    nb = tutorial
    assert sum(c.cell_type == "code" for c in nb.cells) >= 5
    figures = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert figures, "the tutorial should draw its plots"
    sliders = [c for c in nb.cells if c.cell_type == "code" and "widgets.interact(" in c.source]
    assert len(sliders) == 1, "the tutorial has one interactive section"
    views = [o for o in sliders[0].outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views, "the sliders' cell should display its widgets"


@pytest.mark.slow
def test_every_comparison_the_tutorial_teaches_shows_a_ci_backed_difference(tutorial: Any) -> None:
    """Each comparison prints its paired differences in words; each has one whose interval excludes 0, and every
    line says what its own numbers say (the sign, the interval, the verdict)."""
    cells = [c for c in tutorial.cells if c.cell_type == "code" and findings(c)]
    assert len(cells) >= 4, "the rule (§3), notice (§4), learning (§7) and the robustness study (§8)"
    for cell in cells:
        rows = findings(cell)
        assert any(r["verdict"] == "the 95% interval excludes 0" for r in rows), cell.source[:80]
        for r in rows:  # to three places: an end shown as 0.000 may lie just off 0
            if r["verdict"] == "the 95% interval excludes 0":
                assert r["lo"] >= 0 or r["hi"] <= 0, r
            else:
                assert r["lo"] <= 0 <= r["hi"], r
            assert r["lo"] <= r["mean"] <= r["hi"] and (r["way"] == "rises") == (r["mean"] > 0), r


@pytest.mark.slow
def test_the_tutorials_numbers_come_from_its_outputs(tutorial: Any) -> None:
    """No result is typed into the prose; the rule comparison's lines are its table's numbers and docs/mechanisms.md's
    (the same 20 pairs); the batch's sentence is its table's."""
    from netgov.analysis.mechanisms import CONTRASTS, measured

    for cell in tutorial.cells:
        if cell.cell_type == "markdown":
            prose = re.sub(r"`[^`]*`", "", cell.source)
            assert not TYPED.findall(prose), f"a typed number in the tutorial's prose: {TYPED.findall(prose)}"
    rule = next(c for c in tutorial.cells if c.cell_type == "code" and "rule_diffs" in c.source)
    table = {line.split()[0]: line.split()[1:] for line in shown(rule).splitlines()[2:] if line.strip()}
    (contrast,) = [
        c
        for c in CONTRASTS
        if c.scenario is None
        and c.steps is None
        and c.base == {"decision_rule": "majority"}
        and c.alt == {"decision_rule": "concurrent_groups_regions"}
    ]
    page = measured()[contrast.name]
    for r in findings(rule):
        cells = [float(x) for x in table[r["metric"]][:3]]
        assert cells == pytest.approx([r["mean"], r["lo"], r["hi"]], abs=1e-9), r["metric"]
        e = page[r["metric"]]
        assert [e.mean, e.lo, e.hi] == pytest.approx([r["mean"], r["lo"], r["hi"]], abs=6e-4), r["metric"]
        assert e.n == r["n"]
    batch = next(c for c in tutorial.cells if c.cell_type == "code" and "point_summary(" in c.source)
    words = re.findall(r"\d+\.\d{3}", printed(batch))
    assert len(words) == 12 and set(words) <= set(re.findall(r"\d+\.\d{3}", shown(batch)))


def questions(nb: Any) -> list[Any]:
    """The notebook's questions: markdown cells headed `## N. ...?`."""
    return [c for c in nb.cells if c.cell_type == "markdown" and re.match(r"## \d+\. .*\?", c.source)]


def answer_cell(nb: Any, question: Any) -> Any:
    """The code cell right after a question."""
    following = nb.cells[nb.cells.index(question) + 1]
    assert following.cell_type == "code", question.source[:60]
    return following


@pytest.mark.slow
def test_exercises_pose_the_questions_with_empty_cells(tmp_path: Path) -> None:
    """The students' notebook runs, prints nothing, and leaves an empty cell under every question; its
    questions are the solutions' word for word."""
    import nbformat

    nb = execute(NOTEBOOKS["exercises"], tmp_path)
    asked = questions(nb)
    assert len(asked) >= 6
    assert all(answer_cell(nb, q).source.strip() == "" for q in asked)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])], "an answer is printed"
    solved = nbformat.read(NOTEBOOKS["solutions"], as_version=4)
    assert [q.source for q in asked] == [q.source for q in questions(solved)]


@pytest.mark.slow
def test_each_solution_names_a_recommendation_and_holds_at_two_master_seeds(tmp_path: Path) -> None:
    """Every answer prints its paired differences at master seeds 0 and 7 and a conclusion that is the
    expected one at both: each metric's interval excludes 0 on the same side at both seeds."""
    from netgov.analysis.mechanisms import RECOMMENDATIONS

    nb = execute(NOTEBOOKS["solutions"], tmp_path)
    asked = questions(nb)
    named = [[title for title in RECOMMENDATIONS.values() if f"*{title}.*" in q.source] for q in asked]
    assert all(len(n) == 1 for n in named), "each question names one recommendation of the seed report"
    assert len({n[0] for n in named}) == len(asked) >= 6
    for q in asked:
        out = printed(answer_cell(nb, q))
        assert "master seed 0 (" in out and "master seed 7 (" in out, q.source[:60]
        lines = findings(answer_cell(nb, q))
        assert lines and all(r["verdict"] == "the 95% interval excludes 0" for r in lines), q.source[:60]
        conclusion = re.search(r"^conclusion: (.*)$", out, re.MULTILINE)
        assert conclusion is not None and "cannot tell" not in conclusion.group(1)
        for metric_and_way in conclusion.group(1).split(", "):
            metric, way = metric_and_way.split()
            assert [r["way"] for r in lines if r["metric"] == metric] == [way, way], (q.source[:60], metric)
        assert "as expected at master seeds 0 and 7: yes" in out, q.source[:60]


@pytest.mark.slow
def test_make_notebook_serves_jupyterlab_on_the_docs(tmp_path: Path) -> None:
    """The server `make notebook` starts (same flags, read from the Makefile) serves the lab and the notebooks."""
    import json
    import socket
    import time
    import urllib.request

    flags = re.search(r"^NOTEBOOK_FLAGS := (.*)$", (ROOT / "Makefile").read_text(), flags=re.M).group(1).split()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    jupyter = str(Path(sys.executable).parent / "jupyter")
    argv = [jupyter, "lab", *flags, "--no-browser", f"--port={port}", "--IdentityProvider.token=t"]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/api/contents?token=t", timeout=2) as r:
                    listing = json.load(r)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer")
        assert {p.name for p in NOTEBOOKS.values()} <= {item["name"] for item in listing["content"]}
        with urllib.request.urlopen(f"{base}/lab?token=t", timeout=10) as r:
            assert r.status == 200 and b"JupyterLab" in r.read()
    finally:
        server.terminate()
        server.wait(timeout=30)
