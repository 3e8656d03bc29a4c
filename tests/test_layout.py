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
#: Installed package -> the folder it comes from (pyproject's package-dir); subfolders install beneath.
FOLDERS = {
    "netgov": ROOT / "netgov",
    "netgov.model": ROOT / "model",
    "netgov.model.core": ROOT / "model" / "core",
    "netgov.agents": ROOT / "agents",
    "netgov.scenarios": ROOT / "scenarios",
    "netgov.dashboards": ROOT / "dashboards",
}
#: One layer per folder (package), lowest first: a module may import from its own folder and the folders
#: below it, never from one above. Every folder has its own place, so an upward import between any two fails.
LAYERS: tuple[tuple[str, str], ...] = (
    ("netgov.model.core", "vocabulary, schema, table contract, metrics, rules, deliberation, random streams"),
    ("netgov.scenarios", "scenario files and their loader (needs only the schema)"),
    ("netgov.agents", "the stakeholder agents, the actor table, behaviour"),
    ("netgov.model", "the wiring: agenda, network, venues, issues, GovernanceModel, its figure"),
    ("netgov.experiment", "specs, ensembles, runner, batch executors and store"),
    ("netgov.analysis", "summaries, contrasts, sensitivity, discovery, mechanisms, reports"),
    ("netgov.validation", "the validation patterns, calibration and their report"),
    ("netgov.dashboards", "the Solara dashboard"),
    ("netgov.cli", "the netgov command: one module per command group"),
    ("netgov", "the public API (netgov, netgov.api) and python -m netgov"),
)


def modules() -> dict[str, Path]:
    """Every module of the installed package, by dotted name."""
    found: dict[str, Path] = {}
    for package, folder in FOLDERS.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("")
            found[".".join([package, *(p for p in rel.parts if p != "__init__")])] = path
    return found


def packages() -> set[str]:
    """Every package (folder with an ``__init__.py``), by dotted name."""
    return {name for name, path in modules().items() if path.name == "__init__.py"}


def folder_of(name: str, known_packages: set[str]) -> str:
    """The package whose folder holds module ``name`` (a package is its own folder)."""
    return name if name in known_packages else name.rpartition(".")[0]


def layer_of(name: str, known_packages: set[str]) -> int:
    """Index in LAYERS of the folder that holds ``name``."""
    folder = folder_of(name, known_packages)
    for i, (package, _what) in enumerate(LAYERS):
        if package == folder:
            return i
    raise AssertionError(f"{name}: its folder {folder} has no layer; add it to LAYERS in tests/test_layout.py")


def upward(g: dict[str, set[str]], known_packages: set[str]) -> list[str]:
    """Each import of a netgov module from a folder in a higher layer, as a readable line."""
    return [
        f"{m} ({folder_of(m, known_packages)}) imports {t} ({folder_of(t, known_packages)}), a higher layer"
        for m, deps in sorted(g.items())
        for t in sorted(deps)
        if t.startswith("netgov") and layer_of(t, known_packages) > layer_of(m, known_packages)
    ]


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The netgov modules a file imports (``from netgov.model.core import metrics`` counts as
    netgov.model.core.metrics), at the top, inside functions and under ``TYPE_CHECKING`` alike."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    folder_names = {p.name for p in FOLDERS.values()}
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
        out.update(t for t in targets if t.split(".")[0] in {"netgov", *folder_names})
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(path, name, set(mods)) for name, path in mods.items()}


def test_only_netgov_is_imported_never_the_folder_names() -> None:
    """`from model.config import ...` would work from a checkout and break once installed."""
    bad = {m: sorted(t for t in deps if not t.startswith("netgov")) for m, deps in graph().items()}
    assert not {m: d for m, d in bad.items() if d}


def test_no_upward_import() -> None:
    found = upward(graph(), packages())
    assert not found, "\n".join(found)


def test_no_module_reaches_into_typers_private_click() -> None:
    """Typer vendors Click as a private module; its public names (``typer.TyperException``, ...) suffice."""
    private = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                dotted = [*(getattr(node, "module", None) or "").split("."), *(a.name for a in node.names)]
                if any(part.split(".")[-1] == "_click" or "._click" in part for part in dotted):
                    private.append(name)
    assert private == []


def test_every_folder_has_exactly_one_layer() -> None:
    """Layers are folders: each package once, and no layer names a folder that is gone."""
    declared = [package for package, _what in LAYERS]
    assert len(declared) == len(set(declared))
    assert set(declared) == packages()


@pytest.mark.parametrize("lower", range(len(LAYERS) - 1), ids=[p for p, _ in LAYERS[:-1]])
def test_the_check_rejects_an_upward_import_between_any_two_folders(lower: int) -> None:
    """A synthetic edge from each folder to every folder above it is caught; the same edge downward is not."""
    known = {p for p, _what in LAYERS}
    for higher in range(lower + 1, len(LAYERS)):
        low, high = f"{LAYERS[lower][0]}.a", f"{LAYERS[higher][0]}.b"
        assert upward({low: {high}}, known) == [
            f"{low} ({LAYERS[lower][0]}) imports {high} ({LAYERS[higher][0]}), a higher layer"
        ]
        assert upward({high: {low}}, known) == []


def test_an_import_inside_a_function_counts(tmp_path: Path) -> None:
    """A lazy import is still a dependency: the graph sees it (and relative imports resolve)."""
    source = tmp_path / "runner.py"
    source.write_text("def f():\n    from netgov.analysis import summary\n    from .spec import X\n")
    known = {"netgov.analysis.summary", "netgov.experiment.spec"}
    found = imports(source, "netgov.experiment.runner", known)
    assert found == {"netgov.analysis.summary", "netgov.experiment.spec"}
    assert upward({"netgov.experiment.runner": found}, packages()) == [
        "netgov.experiment.runner (netgov.experiment) imports netgov.analysis.summary (netgov.analysis), a higher layer"
    ]


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
    known = packages()
    for name in modules():
        layer_of(name, known)


@pytest.mark.slow  # a new interpreter each (about 3 s of imports under load): make test, not make quick
@pytest.mark.parametrize(
    "package",
    [
        "netgov",
        "netgov.model.core.catalog",
        "netgov.scenarios.loader",
        "netgov.agents",
        "netgov.model.model",
        "netgov.experiment.batch",
        "netgov.analysis.sensitivity",
        "netgov.validation.calibrate",
        "netgov.dashboards.app",
        "netgov.cli",
    ],
)
def test_each_subpackage_imports_first_in_a_fresh_interpreter(package: str, tmp_path: Path) -> None:
    """From a neutral folder (not the checkout), as a student's first line: no circular import, and no 2 s parser
    for a format check netgov never makes (rfc3987-syntax's, built when Altair imports jsonschema: see
    dashboards/__init__.py)."""
    probe = f"import sys, {package}; sys.exit(sys.modules.get('rfc3987_syntax') is not None and 3)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr or "rfc3987_syntax's parser was built"


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
        "netgov/model/core/config.py",
        "netgov/agents/stakeholders.py",
        "netgov/scenarios/idp_distributed.toml",
        "netgov/scenarios/validation/calibrated.toml",
        "netgov/scenarios/validation/patterns.toml",
        "netgov/scenarios/validation/ensemble.parquet",
        "netgov/scenarios/experiments/example.toml",
        "netgov/experiment/batch.py",
        "netgov/dashboards/app.py",
        "netgov/dashboards/chart.vue",  # the charts' front-end, read at run time
        "netgov/dashboards/templates/session.html.j2",
        "netgov/analysis/templates/base.html.j2",
        "netgov/analysis/templates/report.css",
        "netgov/cli/__init__.py",
        "netgov/cli/errors.py",
    ):
        assert expected in names
    assert not [n for n in names if n.startswith("netgov/tests") or "browser.py" in n]
