"""Writing files so that a crash or a full disk never leaves half of one: fsync, then rename into place."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """A JSON file replaced whole: readers see the old one or the new one, never a part."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as f:
            f.write(json.dumps(data, indent=2, default=str) + "\n")
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    fsync_dir(path.parent)


class DamagedFile(UserWarning):
    """A file a reader skipped (unreadable, or not part of the table it sits in): one warning line naming it.

    Defined here, in a module the command imports at start-up, so that its error boundary can show these
    warnings as ``netgov: warning:`` lines without importing pyarrow.
    """
