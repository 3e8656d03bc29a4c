"""The layout: one import name (`netgov`), one-way layers, each subpackage importable first.

The import graph is built from the source (every ``import`` statement, including those inside
functions and ``TYPE_CHECKING`` blocks), so an upward import or a cycle fails here before it can
hide behind import order at runtime.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Installed package -> the folder it comes from (pyproject's package-dir).
FOLDERS = {
    "netgov": ROOT / "netgov",
    "netgov.model": ROOT / "model",
    "netgov.agents": ROOT / "agents",
    "netgov.scenarios": ROOT / "scenarios",
    "netgov.dashboards": ROOT / "dashboards",
}
#: Lowest first; a module may import only from its own layer or those below it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "model core",
        (
            "netgov.model",
            "netgov.model.catalog",
            "netgov.model.config",
            "netgov.model.contract",
            "netgov.model.errors",
            "netgov.model.metrics",
            "netgov.model.rules",
            "netgov.model.deliberation",
            "netgov.model.streams",
        ),
    ),
    ("scenarios", ("netgov.scenarios*",)),
    ("agents", ("netgov.agents*",)),
    ("model wiring", ("netgov.model.*",)),
    ("experiment engine", ("netgov.experiment*", "netgov.analysis*", "netgov.validation*")),
    ("dashboards and CLI", ("netgov", "netgov.api", "netgov.dashboards*", "netgov.cli", "netgov.__main__")),
)


def modules() -> dict[str, Path]:
    """Every module of the installed package, by dotted name."""
    found: dict[str, Path] = {}
    for package, folder in FOLDERS.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            name = ".".join([package, *parts])
            if name.split(".")[1:2] and name.split(".")[1] in FOLDERS and package == "netgov":
                continue
            found[name] = path
    return found


def layer_of(name: str) -> int:
    """Index of the first layer whose patterns match ``name`` (exact, or a ``prefix*`` pattern)."""
    for i, (_label, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            if pattern.endswith("*"):
                stem = pattern[:-1].rstrip(".")
                if name == stem or name.startswith(stem + "."):
                    return i
            elif name == pattern:
                return i
    raise AssertionError(f"{name}: no layer; add it to LAYERS in tests/test_layout.py")


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The netgov modules a file imports (``from netgov.model import metrics`` counts as netgov.model.metrics)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        out.update(t for t in targets if t.split(".")[0] in {"netgov", *(k.split(".")[-1] for k in FOLDERS)})
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(path, name, set(mods)) for name, path in mods.items()}


def test_only_netgov_is_imported_never_the_folder_names() -> None:
    """`from model.config import ...` would work from a checkout and break once installed."""
    bad = {m: sorted(t for t in deps if not t.startswith("netgov")) for m, deps in graph().items()}
    assert not {m: d for m, d in bad.items() if d}


def test_no_upward_import() -> None:
    upward = [
        f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
        for m, deps in graph().items()
        for t in deps
        if t.startswith("netgov") and layer_of(t) > layer_of(m)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycle() -> None:
    g = {m: {t for t in deps if t in set(modules()) and t != m} for m, deps in graph().items()}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(m: str, path: list[str]) -> list[str] | None:
        state[m] = 1
        for t in sorted(g[m]):
            if state.get(t) == 1:
                return [*path, m, t]
            if t not in state and (cycle := visit(t, [*path, m])):
                return cycle
        state[m] = 2
        return None

    for m in sorted(g):
        if m not in state and (cycle := visit(m, [])):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_every_module_has_a_layer() -> None:
    for name in modules():
        layer_of(name)


@pytest.mark.parametrize(
    "package",
    [
        "netgov",
        "netgov.model.catalog",
        "netgov.agents",
        "netgov.model.model",
        "netgov.scenarios.loader",
        "netgov.experiment.batch",
        "netgov.analysis.sensitivity",
        "netgov.validation.calibrate",
        "netgov.dashboards.app",
        "netgov.cli",
    ],
)
def test_each_subpackage_imports_first_in_a_fresh_interpreter(package: str, tmp_path: Path) -> None:
    """From a neutral folder (not the checkout), as a student's first line: no circular import."""
    done = subprocess.run([sys.executable, "-c", f"import {package}"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", ["model", "agents", "scenarios", "dashboards"])
def test_folder_names_are_not_import_names(name: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=tmp_path, capture_output=True, text=True)
    assert "ModuleNotFoundError" in done.stderr


def test_public_api_from_the_top() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from netgov import GovernanceModel; GovernanceModel(rng=0, scale=0.1).run_for(2)"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_wheel_holds_only_netgov_at_its_top_level(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("netgov-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"netgov"}
    for expected in (
        "netgov/model/model.py",
        "netgov/agents/stakeholders.py",
        "netgov/scenarios/idp_distributed.toml",
        "netgov/scenarios/validation/calibrated.toml",
        "netgov/scenarios/validation/patterns.toml",
        "netgov/scenarios/validation/ensemble.parquet",
        "netgov/scenarios/experiments/example.toml",
        "netgov/experiment/batch.py",
        "netgov/dashboards/app.py",
    ):
        assert expected in names
    assert not [n for n in names if n.startswith("netgov/tests") or "browser.py" in n]
