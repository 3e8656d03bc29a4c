"""The docs cannot rot: the ODD parameter table matches the schema and every README command runs (the
notebooks: tests/test_notebooks.py)."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path
from types import ModuleType

import pytest
from browser import dashboard_server
from conftest import netgov

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
