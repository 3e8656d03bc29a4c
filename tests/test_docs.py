"""The docs cannot rot: the ODD parameter table matches the schema, every README command runs,
and the tutorial executes."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from browser import dashboard_server
from conftest import netgov

from netgov.model.core.schema_lookup import iter_fields

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
README = ROOT / "README.md"
TUTORIAL = ROOT / "docs" / "tutorial.ipynb"


def _load_param_table() -> ModuleType:
    """docs/param_table.py, which renders the ODD's parameter table from the schema."""
    spec = importlib.util.spec_from_file_location("param_table", ROOT / "docs" / "param_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


param_table = _load_param_table()


def odd_table_rows(name: str = "parameter-table") -> list[str]:
    """The rows of a generated table in docs/ODD.md (between the generator's markers)."""
    text = ODD.read_text(encoding="utf-8")
    start, end = param_table.markers(name)
    assert start in text and end in text, f"docs/ODD.md lost the markers of its {name}"
    body = text.split(start, 1)[1].split(end, 1)[0]
    return [line for line in body.strip().splitlines() if line.startswith("| `")]


def test_odd_parameter_table_names_match_the_schema() -> None:
    """No undocumented and no stale parameters: the table's names are exactly the schema's leaves."""
    documented = [re.match(r"\| `([^`]+)`", row).group(1) for row in odd_table_rows()]
    schema = [name for name, _info in iter_fields()]
    undocumented = sorted(set(schema) - set(documented))
    stale = sorted(set(documented) - set(schema))
    assert not undocumented, (
        f"parameters missing from docs/ODD.md: {undocumented} (run python docs/param_table.py --write)"
    )
    assert not stale, f"docs/ODD.md documents parameters the schema does not have: {stale}"
    assert len(documented) == len(set(documented)), "a parameter is documented twice"


@pytest.mark.parametrize("name", [name for name, _header, _rows in param_table.TABLES])
def test_odd_generated_tables_are_current(name: str) -> None:
    """Defaults, ranges, units and meanings too: each table is exactly what the schema renders."""
    expected = {n: make for n, _header, make in param_table.TABLES}[name]()
    assert odd_table_rows(name) == expected, f"docs/ODD.md's {name} is stale: run python docs/param_table.py --write"


def test_odd_answers_the_two_reader_questions() -> None:
    """The 'done when' of the docs: notice is notice_period (+ background_quality), the cooperation rule
    is concurrent_groups_regions; both names must be real schema values."""
    from netgov.model.core.config import DecisionRule, ModelConfig

    text = ODD.read_text(encoding="utf-8")
    assert "concurrent_groups_regions" in DecisionRule.__args__
    assert {"notice_period", "background_quality"} <= set(ModelConfig.model_fields)
    quick = text.split("## 1.", 1)[0].lower()
    assert "sufficient and timely notice" in quick and "`notice_period`" in quick and "`background_quality`" in quick
    assert "without the cooperation of" in quick and '"concurrent_groups_regions"' in quick


def test_odd_describes_every_rule() -> None:
    """Every decision rule has its row in the decision-rule table; every participation rule, routing
    and venue is named in the text (a new rule cannot be added without describing it)."""
    from netgov.model.core.catalog import VENUES
    from netgov.model.core.config import DecisionRule, ParticipationRule, Routing

    text = ODD.read_text(encoding="utf-8")
    rules_section = text.split("### 7.7", 1)[1].split("### 7.8", 1)[0]
    missing = [r for r in DecisionRule.__args__ if f"| `{r}` |" not in rules_section]
    assert not missing, f"decision rules without a row in ODD §7.7: {missing}"
    for choices in (ParticipationRule.__args__, Routing.__args__, VENUES):
        absent = [c for c in choices if f"`{c}`" not in text.split("## Parameter table", 1)[0]]
        assert not absent, f"not described in docs/ODD.md: {absent}"


# -- README commands ------------------------------------------------------------------------------

#: Options rewritten to small sizes when the README's commands run in the tests.
SMALL = {"--reps": "2", "--steps": "6", "--samples": "2", "--population": "10", "--generations": "1", "--seeds": "2"}


def readme_commands() -> list[str]:
    """Every `netgov ...` line inside a fenced code block of README.md (comments stripped)."""
    text = README.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("netgov ") and line not in commands:  # a command shown twice runs once
                commands.append(line)
    return commands


#: Commands whose README runs are short once shrunk: serial in the tests (a process pool costs more than the
#: few runs it would share out). robustness (192 runs) and design keep the pool, calibrate its --workers 2.
SERIAL_COMMANDS = ("batch", "sensitivity", "compare", "validate")


def shrink(args: list[str]) -> list[str]:
    """Small sizes for a test run; repository paths made absolute (the command runs elsewhere)."""
    out = []
    for i, arg in enumerate(args):
        if i > 0 and args[i - 1] in SMALL:
            arg = SMALL[args[i - 1]]
        elif (ROOT / arg).exists() and "/" in arg:
            arg = str(ROOT / arg)
        out.append(arg)
    if out[0] in SERIAL_COMMANDS and "--workers" not in out and "--scheduler" not in out:
        out += ["--workers", "1"]
    if out[0] == "validate":
        out += [arg for flag in ("--reps", "--seeds") if flag not in out for arg in (flag, SMALL[flag])]
    if out[0] == "calibrate":  # the smallest ABC-SMC: one generation of ten parameter sets, one replication each
        out += [
            arg
            for flag in ("--population", "--generations", "--reps")
            if flag not in out
            for arg in (flag, SMALL[flag])
        ]
    return out


def test_readme_shows_commands() -> None:
    """The extraction below finds the CLI tour (so the parametrised test cannot silently test nothing)."""
    subcommands = {shlex.split(c)[1] for c in readme_commands()}
    assert {"run", "scenarios", "compare"} <= subcommands


@pytest.fixture(scope="module")
def reader_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One working directory for all README commands, run in README order as a reader would
    (so `netgov analyze DIR` finds the batch an earlier command wrote)."""
    return tmp_path_factory.mktemp("readme")


@pytest.mark.slow
@pytest.mark.parametrize("command", readme_commands(), ids=lambda c: c)
def test_readme_command_runs(command: str, reader_dir: Path, run_netgov) -> None:
    args = shrink(shlex.split(command)[1:])
    if args[0] in ("dashboard", "room"):
        with dashboard_server(*args[1:], command=args[0]) as url:  # on a free port; raises if it never answers
            assert url.startswith("http://127.0.0.1:")
        return
    # in this process, as the other CLI tests; calibrate in its own: pyabc forks its workers, and a fork
    # of this multi-threaded test process may deadlock
    result = (netgov if args[0] == "calibrate" else run_netgov)(*args, cwd=reader_dir)
    if args[0] == "validate" and result.returncode == 1:
        # exit 1 = it ran and a pattern fell outside its band (tests/test_validation.py judges the
        # patterns; with the few replications used here a pattern on the edge may miss its band)
        assert re.search(r"\d+ of \d+ patterns pass", result.stdout), result.stderr[-2000:]
    else:
        assert result.returncode == 0, f"`{command}` exited {result.returncode}: {result.stderr[-2000:]}"
    for flag in ("--out", "--plot"):
        if flag in args and "--dry-run" in args:  # a dry run writes nothing
            assert not (reader_dir / args[args.index(flag) + 1]).exists(), f"`{command}` wrote its --out"
        elif flag in args:
            written = reader_dir / args[args.index(flag) + 1]
            assert written.exists(), f"`{command}` did not write {written.name}"
            assert written.is_dir() or written.stat().st_size > 0, f"`{command}` wrote an empty {written.name}"


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


def execute(path: Path, tmp_path: Path) -> Any:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
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
