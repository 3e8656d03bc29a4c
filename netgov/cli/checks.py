"""What a command checks before any work starts: output paths, seeds, months, metric names; and the table
writer that holds to the same rules. Each failure is a :class:`ConfigError` (one line, exit 2)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from netgov.model.core.errors import ConfigError

#: The file types a table is written as (chosen by the extension).
TABLE_SUFFIXES = (".csv", ".parquet")


def _probe(folder: Path, flag: str, path: Path) -> None:
    """Fail unless a file can be created in ``folder`` (read-only file system, permissions); leaves nothing."""
    import os
    import tempfile

    try:
        fd, name = tempfile.mkstemp(prefix=".netgov-probe-", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise ConfigError(f"{flag} {path}: cannot write into {folder} ({exc.strerror or exc})") from None


def check_file(path: Path | None, flag: str, suffixes: tuple[str, ...]) -> None:
    """Fail before any work unless ``path`` is a writable file name with an allowed extension."""
    if path is None:
        return
    if path.suffix.lower() not in suffixes:
        raise ConfigError(f"{flag} {path}: unknown extension '{path.suffix}'; allowed: {', '.join(suffixes)}")
    if path.is_dir():
        raise ConfigError(f"{flag} {path}: is a directory; expected a file name ending in {' or '.join(suffixes)}")
    folder = path.parent
    if not folder.exists():
        raise ConfigError(f"{flag} {path}: the directory {folder} does not exist; create it first")
    if not folder.is_dir():
        raise ConfigError(f"{flag} {path}: {folder} is a file, not a directory")
    _probe(folder, flag, path)


def check_out_dir(out: Path, flag: str = "--out") -> None:
    """Fail before any work unless ``out`` is (or can be made as) a writable directory."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{flag} {out}: exists and is not a directory")
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{flag} {out}: {existing} is a file, not a directory")
    _probe(existing, flag, out)


def check_int(value: int | None, flag: str, lowest: int, highest: int | None = None, why: str = "") -> None:
    """An integer flag within its range (None: not given). Not Typer's ``min``/``max``: its message leaves
    out the value given, and the rule is one line naming the flag, the value and what is allowed."""
    from netgov.experiment.limits import check_integer

    if value is not None:
        check_integer(value, f"{flag} {value}", lowest, highest, why)


def check_seed(seed: int, flag: str = "--seed") -> None:
    from netgov.experiment.limits import MAX_SEED

    check_int(seed, flag, 0, MAX_SEED)


def check_steps(steps: int | None) -> None:
    """``--steps`` within the schema's bounds for ``steps`` (the flag must not bypass them)."""
    from netgov.experiment.limits import steps_bound

    check_int(steps, "--steps", 1, steps_bound(), "the schema's bound for steps")


def check_out(out: Path | None, flag: str = "--out") -> None:
    """Fail before any work if an output file has an extension we cannot write, or cannot be written."""
    check_file(out, flag, TABLE_SUFFIXES)


def check_distinct(out: Path | None, other: Path | None, flag: str) -> None:
    """A second output file must not be ``--out`` itself (one would overwrite the other)."""
    if out is not None and other is not None and out.resolve() == other.resolve():
        raise ConfigError(f"{flag} {other}: the same file as --out; give it its own file")


def check_plot(plot: Path | None) -> None:
    """Fail before any work if a plot cannot be written as a PNG."""
    check_file(plot, "--plot", (".png",))


def check_metrics(metrics: list[str]) -> None:
    """Fail with one line on a metric name that is not a final metric."""
    from netgov.model.core.contract import FINAL_METRICS

    bad = [m for m in metrics if m not in FINAL_METRICS]
    if bad:
        raise ConfigError(f"--metric {bad[0]!r} is not allowed: expected one of {', '.join(FINAL_METRICS)}")


def check_positive(value: float, flag: str, unit: str = "a number") -> None:
    """A finite number above zero (Typer's range check lets NaN and infinity through)."""
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{flag} {value}: expected {unit} > 0")


def check_out_files(folder: Path, names: Any, flag: str = "--out") -> None:
    """Fail before any work unless ``folder`` is writable and none of the files a command writes into it
    (``names``) is a directory (it would fail only after the work)."""
    check_out_dir(folder, flag)
    for name in names:
        if (folder / name).is_dir():
            raise ConfigError(f"{flag} {folder}: {folder / name} is a directory, and {name} is written there")


def write_csv(df: Any, out: Path, **kwargs: Any) -> None:
    """A DataFrame as CSV (``DataFrame.to_csv``'s options), whole or not at all: never cut mid-row."""
    from netgov.experiment.files import atomic

    with atomic(out) as tmp:
        df.to_csv(tmp, **kwargs)


def write_table(df: Any, out: Path, flag: str = "--out") -> None:
    """Write a table as CSV or Parquet, chosen by the file's extension, whole or not at all."""
    from netgov.experiment.files import atomic

    check_out(out, flag)
    if out.suffix.lower() == ".csv":
        write_csv(df, out, index=False)
        return
    with atomic(out) as tmp:
        df.to_parquet(tmp, index=False)


@contextmanager
def where_to_run(workers: int | None, scheduler: str | None, runs: int, i_know: bool) -> Iterator[Any]:
    """The executor ``--workers`` or ``--scheduler`` chose, entered (checked first); a dead worker process or a
    lost Dask cluster is one line, exit 1 (an in-memory study keeps no partial result)."""
    import uuid
    from concurrent.futures.process import BrokenProcessPool

    from netgov.cli.errors import Failed
    from netgov.experiment.executors import ClusterGone, RunFailed, check_where, executor

    check_where(workers, scheduler, i_know)
    try:
        with executor(workers, scheduler, runs, uuid.uuid4().hex[:12]) as where:  # tasks named apart
            yield where
    except BrokenProcessPool:
        raise Failed("a worker process died (killed, or out of memory); nothing was kept: run again") from None
    except (ClusterGone, RunFailed) as exc:
        raise Failed(str(exc)) from None
