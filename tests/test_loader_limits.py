"""The scenario loader against hostile input (issue 17, items 5, 7 and 8).

``extends`` resolves relative to the file that holds it, never the current directory; ``--set``
takes exactly one value; TOML nesting depth and integer size have a ceiling. Each problem is one
ConfigError line (exit 2 on the command line), never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from netgov.experiment.specfile import load_spec
from netgov.model.core.errors import ConfigError
from netgov.scenarios.loader import MAX_DEPTH, load, parse_set

DEEP = 5000


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one_line(exc: pytest.ExceptionInfo[ConfigError], longest: int = 400) -> str:
    message = str(exc.value)
    assert "\n" not in message and len(message) <= longest, message[:500]
    return message


# -- item 7: extends ------------------------------------------------------------------------------


def test_extends_never_falls_back_to_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "base.toml", "notice_period = 2\n")  # in the current directory, not next to child
    child = write(tmp_path, "sub/child.toml", 'extends = "base.toml"\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load(child)
    message = one_line(info, longest=600)
    assert str(child) in message  # the file that holds the extends
    assert str(tmp_path / "sub" / "base.toml") in message  # and the file it looked for


def test_extends_is_relative_to_the_file_that_holds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "room/base.toml", "notice_period = 2\n")
    child = write(tmp_path, "room/child.toml", 'extends = "base.toml"\ntravel_support = 0.5\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load(child).config
    assert (config.notice_period, config.travel_support) == (2, 0.5)


def test_a_missing_extends_target_names_both_files(tmp_path: Path) -> None:
    child = write(tmp_path, "child.toml", 'extends = "gone/base.toml"\n')
    with pytest.raises(ConfigError) as info:
        load(child)
    message = one_line(info, longest=600)
    assert message.startswith(f"{child}: extends = 'gone/base.toml'")
    assert str(tmp_path / "gone" / "base.toml") in message


def test_extends_a_shipped_scenario_by_name_still_works(tmp_path: Path) -> None:
    child = write(tmp_path, "child.toml", 'extends = "idp_distributed"\nnotice_period = 1\n')
    assert load(child).config.notice_period == 1


# -- item 8: --set takes one value ----------------------------------------------------------------


@pytest.mark.parametrize(
    "item", ["notice_period=3\nfoo=1", "notice_period=3\r\nsteps=5", "notice_period=3\n[actors]\ngovernment=1"]
)
def test_set_refuses_trailing_toml(item: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_set([item])
    assert one_line(info).startswith("--set 'notice_period=3")


def test_set_on_the_command_line_refuses_trailing_toml(run_netgov: Any) -> None:
    result = run_netgov("run", "--steps", "1", "--set", "notice_period=3\nfoo=1")
    assert result.returncode == 2, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_set_still_takes_toml_values_and_bare_words() -> None:
    assert parse_set(["a=[1, 2]", "b={x = 1}", "c=x y", 'd="p;q"']) == {
        "a": [1, 2],
        "b": {"x": 1},
        "c": "x y",
        "d": "p;q",
    }


# -- item 5: TOML depth and integer size ----------------------------------------------------------

HOSTILE = {
    "nested_arrays": "notice_period = " + "[" * DEEP + "]" * DEEP + "\n",
    "nested_tables": "notice_period = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
    "dotted_key": ".".join(["actors"] * DEEP) + " = 1\n",
    "big_integer": "steps = " + "9" * DEEP + "\n",
    "large_integer": "steps = " + "9" * 4000 + "\n",  # below Python's conversion limit, far above 64 bits
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_scenario_files_are_one_short_line(tmp_path: Path, case: str) -> None:
    path = write(tmp_path, f"{case}.toml", HOSTILE[case])
    with pytest.raises(ConfigError) as info:
        load(path)
    assert one_line(info).startswith(str(path))


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_experiment_specs_are_one_short_line(tmp_path: Path, case: str) -> None:
    path = write(tmp_path, f"{case}.toml", "[parameters]\nnotice_period = [1, 2]\n" + HOSTILE[case])
    with pytest.raises(ConfigError) as info:
        load_spec(path)
    assert str(path) in one_line(info)


@pytest.mark.parametrize("value", ["9" * DEEP, "9" * 4000, "[" * DEEP + "]" * DEEP])
def test_hostile_set_values_are_one_short_line(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(None, [f"steps={value}"])
    one_line(info)


def test_nesting_within_the_ceiling_is_fine(tmp_path: Path) -> None:
    """The ceiling is far above what the schema needs (actors.*, agenda.issues)."""
    assert MAX_DEPTH >= 8
    path = write(tmp_path, "ok.toml", "[actors]\ngovernment = 10\n")
    assert load(path).config.actors.government == 10


@pytest.mark.parametrize("case", ["nested_arrays", "big_integer"])
def test_hostile_files_on_the_command_line_exit_2_without_a_traceback(
    tmp_path: Path, run_netgov: Any, case: str
) -> None:
    path = write(tmp_path, f"{case}.toml", HOSTILE[case])
    for args in (["run", str(path)], ["scenarios", "show", str(path)]):
        result = run_netgov(*args)
        assert result.returncode == 2, (args, result.stdout[-300:])
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_scenario_file_with_a_byte_order_mark_loads(tmp_path: Path, run_netgov: Any) -> None:
    """Issue 30, defect 13: a file saved with a UTF-8 BOM (as some Windows editors do) failed with "Invalid
    statement (line 1, column 1)" and no hint. The mark is not TOML: it is skipped, in scenarios and specs."""
    plain = write(tmp_path, "plain.toml", "notice_period = 5\n")
    marked = tmp_path / "marked.toml"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    assert load(marked).config == load(plain).config and load(marked).config.notice_period == 5
    spec = tmp_path / "spec.toml"
    spec.write_bytes(b"\xef\xbb\xbf" + b"steps = 2\n[parameters]\nnotice_period = [1, 2]\n")
    assert load_spec(spec).names == ["notice_period"]
    proc = run_netgov("run", str(marked), "--steps", "1")
    assert proc.returncode == 0, proc.stderr
