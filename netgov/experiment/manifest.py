"""A batch directory's ``manifest.json``: the resolved spec, its fingerprint, versions, git commit, sessions.

The fingerprint is what ``--resume`` compares: a batch continued from another spec keeps only the
finished runs whose ``run_key`` that spec still has.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from netgov.experiment.files import write_json
from netgov.experiment.spec import ExperimentSpec
from netgov.experiment.versions import versions
from netgov.model.core.contract import FINAL_METRICS
from netgov.model.core.errors import ConfigError

MANIFEST = "manifest.json"
ROOT = Path(__file__).resolve().parents[2]  # the checkout, for the git commit in the manifest


def now() -> str:
    """The time a session starts or ends, as the manifest records it (UTC, to the second)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _git() -> dict[str, Any]:
    if not (ROOT / ".git").exists():
        return {"git_commit": None}
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None}
    return {"git_commit": head.stdout.strip() or None, "git_dirty": bool(dirty.stdout.strip())}


def fingerprint(spec: ExperimentSpec) -> str:
    """A hash of everything that decides the runs' results: a resumed batch must have the same."""
    design = {k: v for k, v in spec.resolved().items() if k not in ("spec", "summary", "question", "claims")}
    design["base_config"] = spec.scenario.config.model_dump(mode="json", by_alias=True)
    return hashlib.sha256(json.dumps(design, sort_keys=True, default=str).encode()).hexdigest()[:16]


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """The batch directory's manifest.json (an empty dict if there is none)."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable manifest ({exc})") from None


def new_manifest(
    spec: ExperimentSpec, key: str, total: int, earlier: dict[str, Any], session: dict[str, Any]
) -> dict[str, Any]:
    """The manifest of a batch session: this spec, and the sessions of ``earlier`` (the manifest on disk) before it."""
    return {
        "spec": spec.resolved(),
        "fingerprint": key,
        "base_config": spec.scenario.config.model_dump(mode="json", by_alias=True),
        "total_runs": total,
        "parameters": spec.names,
        "policies": spec.policy_names,
        "recorded": spec.recorded,
        "metrics": list(FINAL_METRICS),
        "outputs": [f"{t}.parquet" for t in ("runs", *spec.outputs[1:])],
        "versions": versions("python", "netgov", "mesa", "numpy", "pandas", "pyarrow", "dask", "distributed", "SALib"),
        **_git(),
        "started": earlier.get("started", session["started"]),
        "finished": None,
        "sessions": [*earlier.get("sessions", []), session],
    }


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    write_json(out_dir / MANIFEST, manifest)
