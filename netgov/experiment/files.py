"""Writing files so that a crash or a full disk never leaves half of one: write beside, fsync, rename into place.

Every file a command writes (tables, sidecars, plots, reports, CSV exports, the batch's parts and manifest) is
written under a hidden temporary name in its own folder and renamed onto its name only once it is whole: a
reader sees the old file or the new one, and a failed write (a full disk) leaves neither a 0-byte nor a
truncated file behind.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
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


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to (hidden, with the same extension, so a writer that picks
    its format by it still does); renamed onto ``path`` once the block ends and the bytes are on disk. On any
    error the temporary file is removed and ``path`` is as it was."""
    tmp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, path)
    except OSError as exc:  # e.g. the disk is full: the message names the file asked for, not the hidden one
        tmp.unlink(missing_ok=True)
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_text(path: Path, text: str) -> None:
    """A text file (UTF-8) replaced whole."""
    with atomic(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: Path, data: dict[str, Any]) -> None:
    """A JSON file replaced whole: readers see the old one or the new one, never a part."""
    write_text(path, json.dumps(data, indent=2, default=str) + "\n")


class DamagedFile(UserWarning):
    """A file a reader skipped (unreadable, or not part of the table it sits in): one warning line naming it.

    Defined here, in a module the command imports at start-up, so that its error boundary can show these
    warnings as ``netgov: warning:`` lines without importing pyarrow.
    """
