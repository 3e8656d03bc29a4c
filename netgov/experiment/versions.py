"""Which versions made a result, read from package metadata (nothing imported: ``netgov --version`` stays fast).

One helper for every record that names them: a batch's manifest, a run's sidecar, the validation report and
``netgov --version``.
"""

from __future__ import annotations

import platform
from importlib import metadata


def versions(*names: str) -> dict[str, str | None]:
    """Each name's installed version, in the order given (``"python"``: the interpreter's); None if not installed."""
    out: dict[str, str | None] = {}
    for name in names:
        if name == "python":
            out[name] = platform.python_version()
            continue
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out
