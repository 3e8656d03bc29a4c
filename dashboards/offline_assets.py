"""Install Solara's CDN front-end assets locally, so dashboards render offline.

Solara's page loads its JavaScript/CSS (the Vuetify app bundle, requirejs,
font-awesome, and on demand vega/vega-lite/vega-embed for Altair charts, the
grid layout used by Mesa's ``SolaraViz``, katex/mermaid for Markdown, ...) from
``<cdn>/<name>@<version>/<file>``. With ``SOLARA_ASSETS_PROXY`` on (the default
for ``solara run``) the server answers those URLs under ``/_solara/cdn/`` from
its cache folder ``<prefix>/share/solara/cdn/`` and only goes to the CDN for a
file that is missing there. This module fills that folder from the npm registry
(``npm pack``), so no CDN is needed at run time.

The ``<name>@<version>`` pairs are read from the installed packages' own sources
(Solara's page template and its ``.vue``/``.py`` widgets, Mesa's visualization
code), not hard-coded. The folder name is the version *as written in the URL*
(``vega@5``, not ``vega@5.33.1``), because the server looks files up by the
literal URL path; ``npm pack`` resolves such a range the way the CDN does.

Run ``python -m netgov.dashboards.offline_assets`` to install into ``sys.prefix``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Packages whose sources are scanned for CDN references.
SCANNED_PACKAGES = ("solara", "mesa")
# Solara's documentation website (solara/website) is not part of a user's app.
SKIPPED_SUBDIRS = ("website",)
# Marker written into each installed folder; its presence means "complete".
MARKER = ".offline-assets.json"

_NAME = r"(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*"
_VERSION = r"[\w.^~*+-]+|\$\{\w+\}"
# In Jinja templates: {{cdn}}/<name>@<version>/...
_TEMPLATE_REF = re.compile(r"\{\{\s*cdn\s*\}\}/(" + _NAME + r")@(" + _VERSION + r")")
# In .vue files and Python-embedded Vue code: ${this.getCdn()}/<name>@<version>...
_JS_REF = re.compile(r"\$\{this\.getCdn\(\)\}/(" + _NAME + r")@(" + _VERSION + r")")
# JS constants that a ${var} version refers to, e.g. const version = "5.4.0";
_JS_CONST = re.compile(r"\b(?:const|let|var)\s+(\w+)\s*=\s*[\"']([^\"']+)[\"']")
_JINJA_TAG = re.compile(r"\{%-?\s*(if|elif|else|endif)\b(.*?)-?%\}")
_FONTAWESOME_DEFAULT = re.compile(r"fontawesome_path\s*:\s*str\s*=\s*[\"']([^\"']+)[\"']")


@dataclass(frozen=True)
class CdnPackage:
    """One ``<name>@<version>`` folder the Solara page may request."""

    name: str
    version: str
    source: str

    @property
    def spec(self) -> str:
        """The ``name@version`` string, used for the folder and for ``npm pack``."""
        return f"{self.name}@{self.version}"


def _package_dir(package: str) -> Path | None:
    """Return the directory of an importable package, without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _uses_vue3() -> bool:
    """Mirror solara.server.server: ``vue3 = ipyvue.__version__.startswith("3")``."""
    try:
        return importlib.metadata.version("ipyvue").startswith("3")
    except importlib.metadata.PackageNotFoundError:
        return False


def _template_refs(text: str, vue3: bool) -> list[tuple[str, str]]:
    """CDN refs of a Jinja template, keeping only the active ``vue3`` branches."""
    refs: list[tuple[str, str]] = []
    # per enclosing {% if %}: the (condition, holds) pairs of the current branch
    stack: list[list[tuple[str, bool]]] = []
    pos = 0

    def collect(chunk: str) -> None:
        for branch in stack:
            for cond, holds in branch:
                if "vue3" in cond and holds != vue3:
                    return
        refs.extend(_TEMPLATE_REF.findall(chunk))

    for tag in _JINJA_TAG.finditer(text):
        collect(text[pos : tag.start()])
        pos = tag.end()
        kind, cond = tag.group(1), tag.group(2).strip()
        if kind == "if":
            stack.append([(cond, True)])
        elif kind in ("elif", "else") and stack:
            negated = [(c, False) for c, _ in stack[-1]]
            stack[-1] = negated + ([(cond, True)] if kind == "elif" else [])
        elif kind == "endif" and stack:
            stack.pop()
    collect(text[pos:])
    return refs


def _js_refs(text: str) -> list[tuple[str, str]]:
    """CDN refs in Vue/JS code, resolving ``${var}`` versions from constants."""
    consts = dict(_JS_CONST.findall(text))
    refs = []
    for name, version in _JS_REF.findall(text):
        if version.startswith("${"):
            version = consts.get(version[2:-1], version)
        refs.append((name, version))
    return refs


def _fontawesome_ref(solara_dir: Path) -> tuple[str, str] | None:
    """The font-awesome ref, from ``{{cdn}}{{assets.fontawesome_path}}``.

    The path is a setting (``SOLARA_ASSETS_FONTAWESOME_PATH``) whose default is
    read from solara/server/settings.py rather than importing it (import side
    effects: it creates ~/.solara and reads .env files).
    """
    path = os.environ.get("SOLARA_ASSETS_FONTAWESOME_PATH")
    if path is None:
        settings = solara_dir / "server" / "settings.py"
        match = _FONTAWESOME_DEFAULT.search(settings.read_text(encoding="utf-8"))
        if match is None:
            return None
        path = match.group(1)
    match = re.match(r"/?(" + _NAME + r")@(" + _VERSION + r")/", path)
    return (match.group(1), match.group(2)) if match else None


def discover() -> list[CdnPackage]:
    """Find the ``name@version`` CDN folders the installed packages request."""
    vue3 = _uses_vue3()
    found: dict[str, CdnPackage] = {}

    def add(ref: tuple[str, str], source: str) -> None:
        pkg = CdnPackage(ref[0], ref[1], source)
        if "$" in pkg.version:
            print(f"skip  {pkg.spec}: unresolved version in {source}", file=sys.stderr)
            return
        found.setdefault(pkg.spec, pkg)

    for package in SCANNED_PACKAGES:
        root = _package_dir(package)
        if root is None:
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if rel.parts[0] in SKIPPED_SUBDIRS or path.suffix not in (
                ".j2",
                ".vue",
                ".py",
            ):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            source = f"{package}/{rel.as_posix()}"
            if path.suffix == ".j2":
                refs = _template_refs(text, vue3)
                if "{{assets.fontawesome_path}}" in text.replace(" ", ""):
                    fontawesome = _fontawesome_ref(root)
                    refs += [fontawesome] if fontawesome else []
            else:
                refs = _js_refs(text)
            for ref in refs:
                add(ref, source)
    return sorted(found.values(), key=lambda p: p.spec)


def cdn_dir(prefix: Path) -> Path:
    """The folder Solara's server answers ``/_solara/cdn/`` requests from (for the venv at ``prefix``)."""
    override = os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR")
    return Path(override) if override else Path(prefix) / "share" / "solara" / "cdn"


def missing(prefix: Path) -> list[str]:
    """The ``name@version`` folders the page may request that are not installed yet."""
    folder = cdn_dir(prefix)
    return [pkg.spec for pkg in discover() if not (folder / pkg.spec / MARKER).exists()]


def _npm_pack(spec: str, dest: Path) -> tuple[Path, str]:
    """Download ``spec`` from the npm registry; return (tarball, resolved version)."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is required (apt-get install -y npm)")
    out = subprocess.run(
        [npm, "pack", spec, "--json", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
        cwd=dest,
    ).stdout
    info = json.loads(out)[0]
    return dest / info["filename"], info["version"]


def _unpack(tarball: Path, target: Path) -> None:
    """Extract the tarball's top folder (``package/``) contents into ``target``."""
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) < 2 or not (member.isfile() or member.isdir()):
                continue
            member.name = Path(*parts[1:]).as_posix()
            tar.extract(member, target, filter="data")


def install(prefix: Path) -> list[str]:
    """Install every discovered CDN package into ``<prefix>/share/solara/cdn`` (or Solara's override).

    Idempotent: folders already installed by this module are skipped. Returns
    the ``name@version`` folder names that are present afterwards.
    """
    folder = cdn_dir(prefix)
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    with tempfile.TemporaryDirectory() as tmp:
        for pkg in discover():
            target = folder / pkg.spec
            marker = target / MARKER
            if marker.exists():
                resolved = json.loads(marker.read_text())["resolved"]
                print(f"present    {pkg.spec} ({pkg.name} {resolved})")
                done.append(pkg.spec)
                continue
            tarball, resolved = _npm_pack(pkg.spec, Path(tmp))
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
            try:
                _unpack(tarball, staging)
                info = {"spec": pkg.spec, "resolved": resolved, "source": pkg.source}
                (staging / MARKER).write_text(json.dumps(info))
                staging.chmod(0o755)
                target.parent.mkdir(parents=True, exist_ok=True)
                # a folder without marker holds files the server fetched from the CDN
                # earlier (or a broken install): the full package supersedes it
                if target.exists():
                    shutil.rmtree(target)
                staging.rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            print(f"installed  {pkg.spec} ({pkg.name} {resolved}, from {pkg.source})")
            done.append(pkg.spec)
    return done


def main() -> None:
    """Command line entry: install into ``sys.prefix`` (or ``--prefix``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", type=Path, default=Path(sys.prefix))
    parser.add_argument("--list", action="store_true", help="only list what would be installed")
    args = parser.parse_args()
    if args.list:
        for pkg in discover():
            print(f"{pkg.spec}  ({pkg.source})")
        return
    install(args.prefix)


if __name__ == "__main__":
    main()
