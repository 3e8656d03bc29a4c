"""The docs cannot rot: the ODD parameter table matches the schema and every README command runs (the
notebooks: tests/test_notebooks.py)."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from browser import dashboard_server
from conftest import netgov

from netgov.analysis.contrasts import Contrast, contrast_table
from netgov.experiment.spec import EXAMPLE_DIR
from netgov.experiment.specfile import load_spec
from netgov.experiment.store import read_runs
from netgov.model.core.schema_lookup import iter_fields

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
README = ROOT / "README.md"


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


#: The README commands that have run in this module's ``reader_dir``: the checks at the end of this file read
#: what they wrote, as a reader would, instead of running the same study again.
RAN: set[str] = set()


@pytest.mark.slow
@pytest.mark.parametrize("command", readme_commands(), ids=lambda c: c)
def test_readme_command_runs(command: str, reader_dir: Path, run_netgov) -> None:
    run_readme_command(command, reader_dir, run_netgov)


def run_readme_command(command: str, reader_dir: Path, run_netgov) -> None:
    """Run one README command (shrunk) in the readers' folder and check it ran and wrote what it names."""
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
    RAN.add(command)


def readme_output(command: str, path: str, reader_dir: Path, run_netgov) -> Path:
    """``path`` (in the readers' folder) as the README's ``command`` wrote it: run above in README order, or
    here first when a check runs alone."""
    assert command in readme_commands(), f"the README no longer shows `{command}`"
    if command not in RAN:
        run_readme_command(command, reader_dir, run_netgov)
    return reader_dir / path


# -- what the README's studies wrote (read from the readers' folder, not run again) -----------------------

ROBUSTNESS = "netgov robustness scenarios/experiments/robustness.toml --out results/robustness"
VALIDATE_REPORT = "netgov validate --report report/ --out validation.csv"
EXAMPLE = EXAMPLE_DIR / "robustness.toml"


@pytest.mark.slow
def test_the_readme_robustness_study_pairs_its_policies(reader_dir: Path, run_netgov) -> None:
    """The shipped study as the README runs it (192 runs): every run ok, paired intervals narrower than unpaired,
    the spec's own claims judged in every world, every pair of policies contrasted."""
    example = readme_output(ROBUSTNESS, "results/robustness", reader_dir, run_netgov)
    runs = read_runs(example)
    spec = load_spec(EXAMPLE)
    assert len(runs) == spec.n_points() * 3 * spec.replications and (runs["status"] == "ok").all()
    for policy in ("distributed", "joint"):
        table = contrast_table(runs, Contrast("policy", policy, "status_quo"), spec.names, ["inclusiveness"])
        row = table.iloc[0]
        assert row["pairs"] == spec.n_points() * spec.replications
        assert row["diff_hi"] - row["diff_lo"] < row["unpaired_hi"] - row["unpaired_lo"]
    for name in ("report.html", "contrasts.parquet", "claims.parquet", "regret.parquet", "worlds.csv"):
        assert (example / name).stat().st_size > 0
    held = pd.read_parquet(example / "claims.parquet")
    assert ((held["share_holds"] >= 0) & (held["share_holds"] <= 1)).all()
    assert list(held["claim"]) == [c.text for c in spec.claims]  # the spec's own claims, in its words
    assert (held[["holds", "tie", "fails", "inconclusive"]].sum(axis=1) == held["worlds"]).all()
    assert "distributed lowers minority_gap below status_quo" in set(held["claim"])
    pairs = pd.read_parquet(example / "contrasts.parquet")  # every pair of policies, not one baseline
    assert set(zip(pairs["a"], pairs["b"], strict=True)) == {
        ("status_quo", "distributed"),
        ("status_quo", "joint"),
        ("distributed", "joint"),
    }
    worlds = pd.read_csv(example / "worlds.csv")
    assert len(worlds) == spec.n_points() and set(spec.names) <= set(worlds.columns)


@pytest.mark.slow
def test_the_readme_robustness_report_opens_offline_in_chromium_answer_first(reader_dir: Path, run_netgov) -> None:
    """At 1280x800 the first screen shows the question, every claim's verdict and the minimax-regret policy;
    no table runs past the right edge (wide ones scroll inside their card); every plot renders offline."""
    from browser import chromium_browser

    example = readme_output(ROBUSTNESS, "results/robustness", reader_dir, run_netgov)
    blocked: list[str] = []
    with chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})

        def route(r) -> None:  # nothing may leave the machine: the file must be self-contained
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.goto((example / "report.html").as_uri())
        page.wait_for_load_state("load")
        claims = page.evaluate(
            """() => [...document.querySelectorAll('#answer li.claim')].map(li => {
                const r = li.getBoundingClientRect();
                return {text: li.innerText, bottom: r.bottom, right: r.right};
            })"""
        )
        minimax = page.locator("#minimax").bounding_box()
        first_screen = page.evaluate("() => document.elementFromPoint(20, 20) !== null") and page.inner_text("#answer")
        overflow = page.evaluate(
            """() => ({page: document.documentElement.scrollWidth,
                tables: [...document.querySelectorAll('table')].filter(t => {
                    const r = t.getBoundingClientRect(), card = t.closest('.scroll');
                    const scrolls = card && card.getBoundingClientRect().right <= window.innerWidth
                        && card.scrollWidth > card.clientWidth;
                    return r.right > window.innerWidth && !scrolls;
                }).length})"""
        )
        images = page.evaluate(
            "() => [...document.images].map(i => ({ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth}))"
        )
        text = page.inner_text("body")
        context.close()
    spec = load_spec(EXAMPLE)
    assert blocked == []
    assert len(claims) == len(spec.claims)
    for claim, shown in zip(spec.claims, claims, strict=True):
        assert claim.text in shown["text"] and "holds in" in shown["text"], shown
        assert shown["bottom"] <= 800 and shown["right"] <= 1280, shown  # on the first screen
    assert minimax is not None and minimax["y"] + minimax["height"] <= 800
    assert spec.question in first_screen and "Lowest maximum regret" in first_screen
    assert overflow == {"page": 1280, "tables": 0}, overflow
    assert len(images) >= 4 and all(i["ok"] for i in images), images
    for heading in (
        "Claims in every world",
        "Regret",
        "Outcomes over time",
        "Every pair of policies",
        "Outcomes against the most influential uncertainties",
        "Worlds",
        "scenario discovery",
        "Versions and seeds",
        "Spec",
    ):
        assert heading in text
    assert "Master seed 2016" in text


@pytest.mark.slow
def test_the_readme_validation_report_renders_offline(reader_dir: Path, run_netgov) -> None:
    """The report is one file: no request leaves it, and every plot decodes in headless Chromium (the README's
    command, shrunk: two replications at two master seeds draw every plot and table the full one does)."""
    from browser import chromium_browser

    path = readme_output(VALIDATE_REPORT, "report/validation.html", reader_dir, run_netgov)
    text = path.read_text(encoding="utf-8")
    assert "<script" not in text and 'src="http' not in text and "src='http" not in text
    requests: list[str] = []
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("request", lambda r: r.url.startswith("data:") or requests.append(r.url))
        page.goto(path.as_uri())
        images = page.eval_on_selector_all("img", "els => els.map(e => e.complete && e.naturalWidth > 0)")
        headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
    assert requests == [path.as_uri()]
    assert len(images) >= 6 and all(images)  # one per pattern plus the ensemble
    assert any("discriminate" in h for h in headings) and any("ensemble" in h for h in headings)
