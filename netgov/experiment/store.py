"""A batch directory's tables on disk: Parquet part files, committed chunk by chunk, recovered after a crash.

Each table (``runs``, ``steps``, ``issues``, ``agents``) is a directory of part files
``part-NNNNN.parquet`` that ``pandas.read_parquet`` reads as one table. A chunk is written as hidden,
fsynced files; renaming its runs part into place commits it, and only then are its per-step and
per-issue parts renamed into place. So a reader never sees steps of runs that runs.parquet does
not list, and a batch killed at any moment loses at most the runs it had in flight:
:meth:`Store.recover` finishes a committed chunk's renames and moves anything uncommitted,
unreadable or unlisted to ``DIR/quarantine/`` (out of every table).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from netgov.experiment.files import DamagedFile, fsync_dir
from netgov.experiment.spec import ExperimentSpec, RunTask
from netgov.model.core.contract import FINAL_METRICS, STEP_DTYPES
from netgov.model.core.errors import ConfigError

TABLES = ("steps", "issues", "agents", "runs")
PER_RUN = TABLES[:-1]  # the tables with many rows per run (written beside the run index)
RECOVERED = ("run_id", "status", "run_key")  # what --resume reads of the runs already done
QUARANTINE = "quarantine"
#: A table as {column: array}: far cheaper than a DataFrame to send back from a worker process.
Columns = dict[str, np.ndarray]


def _arrow_type(values: Iterable[Any]) -> pa.DataType:
    kinds = {type(v) for v in values} - {type(None)}
    if kinds <= {bool}:
        return pa.bool_()
    if kinds <= {int}:
        return pa.int64()
    if kinds <= {int, float}:
        return pa.float64()
    return pa.string()


def metric_types() -> dict[str, pa.DataType]:
    """Arrow types of the final metrics, from the per-step contract (a failed run has no values to infer them from)."""
    return {m: pa.from_numpy_dtype(np.dtype(STEP_DTYPES[m])) for m in FINAL_METRICS}


#: The columns of runs.parquet before the parameters: which run, which world, which policy.
ID_COLUMNS = ("run_id", "point", "policy", "base")


def runs_schema(spec: ExperimentSpec, tasks: list[RunTask]) -> pa.Schema:
    """Columns of runs.parquet: run_id, point, policy, base, the varied parameters, the keys fixed by [set] or
    a policy, seed, replication, run_key, metrics, status, error, elapsed_s."""
    fields = [pa.field("run_id", pa.int64()), pa.field("point", pa.int64())]
    fields += [pa.field("policy", pa.string()), pa.field("base", pa.string())]
    fields += [pa.field(k, _arrow_type(t.params[k] for t in tasks)) for k in spec.names]
    recorded = [spec.recorded_values(p) for p in spec.policies]
    fields += [pa.field(k, _arrow_type(r[k] for r in recorded)) for k in spec.recorded]
    if spec.ensemble is not None:  # which drawn parameter set (ensemble row) each run ran in
        fields.append(pa.field("world", pa.int64()))
    fields += [pa.field("seed", pa.int64()), pa.field("replication", pa.int64()), pa.field("run_key", pa.string())]
    fields += [pa.field(m, t) for m, t in metric_types().items()]
    fields += [pa.field("status", pa.string()), pa.field("error", pa.string()), pa.field("elapsed_s", pa.float64())]
    return pa.schema(fields)


def _write_synced(data: pa.Table, path: Path) -> None:
    """A Parquet file whose bytes are on disk before it is renamed anywhere; every page carries a CRC, so a
    damaged page is found when it is read instead of giving wrong numbers."""
    with path.open("wb") as f:
        pq.write_table(data, f, write_page_checksum=True)
        f.flush()
        os.fsync(f.fileno())


def _read(path: Path, columns: list[str] | None = None) -> pa.Table | Exception:
    """The whole file (every page decoded and its CRC checked), or why it cannot be read: a readable footer
    says nothing about the pages before it."""
    try:
        return pq.read_table(path, columns=columns, page_checksum_verification=True)
    except Exception as exc:  # truncated, corrupt pages, not Parquet: whatever it is, it cannot be trusted
        return exc


def _ids(data: pa.Table) -> np.ndarray:
    return data["run_id"].to_numpy()


class DuplicateRun(RuntimeError):
    """A run the store was asked to record a second time (it never does: each run is in the tables once)."""


class StudyLocked(ConfigError):
    """Another process holds the study directory's lock: one writer at a time."""


#: The lock file of a study directory (hidden: readers never see it).
LOCK = ".netgov.lock"


def _holder(fd: int) -> str:
    """The PID the lock's holder wrote into the lock file ("?" if it has not yet)."""
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 32).decode("ascii", "replace").strip()
    return text if text.isdigit() else "?"


@contextmanager
def one_writer(out: Path, flag: str = "--out") -> Iterator[None]:
    """Hold ``out``'s lock for the block: a second batch into the same directory stops with one line naming
    the holder's PID. An OS lock (``flock``): it ends with the process however that ends, so a killed batch
    never leaves a stale lock. Creates ``out``; if nothing but the lock is in it afterwards, removes it again."""
    import fcntl  # POSIX; the batch's process pool needs POSIX too (the forkserver start method)

    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise StudyLocked(
                f"{flag} {out}: another netgov batch (PID {holder}) is writing there; one writer per study"
                " directory: wait for it to finish (then --resume if runs are missing), or choose another --out"
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:  # the previous holder removed the file as we locked it: lock the new one
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        if created and [p.name for p in out.iterdir()] == [LOCK]:  # nothing was written: leave nothing behind
            path.unlink()
            out.rmdir()
        os.close(fd)  # releases the lock


class Store:
    """A batch directory's tables, each a directory of part files ``part-NNNNN.parquet``, one per flush."""

    def __init__(self, out: Path, tables: Iterable[str], runs: pa.Schema) -> None:
        self.out = out
        self.dirs = {t: out / f"{t}.parquet" for t in TABLES if t in tables}
        self.schemas: dict[str, pa.Schema] = {"runs": runs}
        self.seq = 0
        self.recorded: set[int] = set()  # run ids in the runs table: a run is never written twice
        self.quarantined: list[str] = []  # damaged, unlisted or doubled files (relative to out) moved aside
        self.pruned: list[str] = []  # rows of runs a changed spec no longer has, moved aside by prune()

    def exists(self) -> bool:
        return (self.out / "runs.parquet").exists()

    def _parts(self, table: str) -> list[Path]:
        d = self.out / f"{table}.parquet"
        return sorted(d.glob("part-*.parquet")) if d.is_dir() else []

    def _aside(self, table: str, name: str) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        target = self.out / QUARANTINE / stamp / table / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _quarantine(self, path: Path, table: str) -> None:
        """Move a file out of its table (never delete: a person may want to look at it)."""
        target = self._aside(table, path.name.lstrip("."))
        os.replace(path, target)
        self.quarantined.append(str(target.relative_to(self.out)))

    def _rewrite(self, part: Path, table: str, data: pa.Table, keep: np.ndarray, why: str) -> bool:
        """Rewrite ``part`` with only the rows ``keep`` marks; the others go to DIR/quarantine/ as ``why-part``.
        Returns whether any row was taken out."""
        if keep.all():
            return False
        gone = data.filter(pa.array(~keep))
        target = self._aside(table, f"{why}-{part.name}")
        _write_synced(gone, target)
        (self.pruned if why == "pruned" else self.quarantined).append(str(target.relative_to(self.out)))
        if not keep.any():
            part.unlink()
        else:
            tmp = part.with_name(f".{part.name}.tmp")
            _write_synced(data.filter(pa.array(keep)), tmp)
            os.replace(tmp, part)
        fsync_dir(part.parent)
        return True

    def listed(self) -> pd.DataFrame:
        """run_id and run_key of every run the readable runs parts list; reads only, moves nothing."""
        found = []
        for part in self._parts("runs"):
            data = _read(part)
            if isinstance(data, pa.Table):
                found.append(data.to_pandas().reindex(columns=["run_id", "run_key"]))
        return pd.concat(found, ignore_index=True) if found else pd.DataFrame({"run_id": [], "run_key": []})

    def recover(self) -> pd.DataFrame:
        """Tidy what a killed batch (or, before the lock, two batches at once) left; return run_id, status and
        run_key of every finished run, each once.

        Every part is read whole (a part whose pages fail to read is unreadable, whatever its footer says).
        A committed chunk (its runs part is in place and readable) whose per-run part is still under its
        hidden name gets it renamed into place. Everything else that no readable runs part lists
        (uncommitted hidden files, parts of no run index entry, unreadable parts, every part of a chunk
        with an unreadable part, stray files) goes to DIR/quarantine/, and so does a second copy of a run.
        """
        tables = [t for t in TABLES if (self.out / f"{t}.parquet").is_dir()]
        runs: dict[str, pa.Table] = {}
        for part in self._parts("runs"):
            data = _read(part)
            if isinstance(data, pa.Table):
                runs[part.name] = data
        ids: dict[tuple[str, str], np.ndarray] = {}  # (table, part name) -> run ids of a readable per-run part
        for table in tables:
            if table == "runs":
                continue
            d = self.out / f"{table}.parquet"
            for tmp in sorted(d.glob(".part-*.parquet.tmp")):  # roll committed chunks forward
                name = tmp.name[1:].removesuffix(".tmp")
                if name in runs and not (d / name).exists() and isinstance(_read(tmp), pa.Table):
                    os.replace(tmp, d / name)
            fsync_dir(d)
            for part in self._parts(table):
                data = _read(part)
                if isinstance(data, pa.Table):
                    ids[table, part.name] = _ids(data)
                else:  # a chunk with any unreadable part is not trusted at all
                    runs.pop(part.name, None)
        for table in tables:
            d = self.out / f"{table}.parquet"
            for path in sorted(d.iterdir()):
                if not (path.is_file() and path.name in runs):
                    self._quarantine(path, table)
        seen: set[int] = set()
        for name, data in runs.items():  # a run listed twice (two writers at once): the first copy stays
            first = ~pd.Series(_ids(data)).duplicated().to_numpy() & ~np.isin(_ids(data), list(seen))
            if self._rewrite(self.out / "runs.parquet" / name, "runs", data, first, "doubled"):
                runs[name] = data.filter(pa.array(first))
            seen.update(_ids(runs[name]).tolist())
        for table in tables:  # per-run rows of no listed run, or of a run already in an earlier part
            if table == "runs":
                continue
            here: set[int] = set()
            for part in self._parts(table):
                if (table, part.name) not in ids:
                    continue
                run_ids = ids[table, part.name]
                keep = np.isin(run_ids, list(seen)) & ~np.isin(run_ids, list(here))
                if not keep.all():
                    self._rewrite(part, table, _read(part), keep, "unlisted")  # type: ignore[arg-type]
                here.update(run_ids[keep].tolist())
            parts = self._parts(table)
            if parts:
                self.schemas[table] = pq.read_schema(parts[0])
        self.recorded = seen
        self.seq = 1 + max((int(p.stem.split("-")[1]) for p in self._parts("runs")), default=-1)
        quarantine = self.out / QUARANTINE
        if quarantine.is_dir():  # numbers in quarantine stay taken, so a file there is never shadowed
            taken = [int(p.stem.split("-")[1]) for p in quarantine.rglob("part-*.parquet") if p.stem[5:].isdigit()]
            self.seq = max(self.seq, 1 + max(taken, default=-1))
        if not runs:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "run_id" else "str") for c in RECOVERED})
        frame = pa.concat_tables(list(runs.values()), promote_options="permissive").to_pandas()
        return frame.reindex(columns=list(RECOVERED))  # a batch from before run_key: every key is missing

    def prune(self, keep: set[int], schema: pa.Schema) -> int:
        """Keep only the runs in ``keep``: each part that lists others is rewritten without them (the runs
        table first, so the run index never lists a run whose rows are gone); the rows taken out go to
        DIR/quarantine/ as ``pruned-*``. Runs parts are also cast to ``schema`` (a fixed spec's column types).
        Returns the number of runs taken out of the run index."""
        dropped = 0
        ids = list(keep)
        for table in TABLES[::-1]:
            for part in self._parts(table):
                data = pq.read_table(part)
                mask = np.isin(_ids(data), ids)
                if table == "runs":
                    dropped += int((~mask).sum())
                    if not data.schema.equals(schema):
                        data = data.select(schema.names).cast(schema)
                        tmp = part.with_name(f".{part.name}.tmp")
                        _write_synced(data, tmp)
                        os.replace(tmp, part)
                self._rewrite(part, table, data, mask, "pruned")
        self.recorded &= keep
        return dropped

    def write(self, rows: list[dict[str, Any]], frames: dict[str, list[Columns]]) -> None:
        """One chunk: every part written hidden and fsynced; the runs part's rename commits it. A run already
        recorded is refused (:class:`DuplicateRun`), before anything is written."""
        new = pd.Series([r["run_id"] for r in rows], dtype="int64")
        again = sorted(set(new[new.duplicated()]) | (set(new) & self.recorded))
        if again:
            raise DuplicateRun(f"{self.out}: run {again[0]} is recorded already; a run is written once")
        name = f"part-{self.seq:05d}.parquet"
        staged: list[tuple[Path, Path]] = []
        try:
            for table, d in self.dirs.items():
                if table == "runs":
                    data = pa.Table.from_pylist(rows, schema=self.schemas["runs"])
                elif frames.get(table):
                    parts = frames[table]
                    merged = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
                    schema = self.schemas.setdefault(table, pa.table(merged).schema)
                    data = pa.Table.from_pydict(merged, schema=schema)
                else:
                    continue
                d.mkdir(parents=True, exist_ok=True)
                tmp = d / f".{name}.tmp"
                staged.append((tmp, d / name))
                _write_synced(data, tmp)
        except BaseException:
            for tmp, _ in staged:  # e.g. the disk is full: nothing half-written stays behind
                tmp.unlink(missing_ok=True)
            raise
        staged.sort(key=lambda pair: pair[1].parent.name != "runs.parquet")  # the runs part first: the commit
        for tmp, final in staged:
            os.replace(tmp, final)
            fsync_dir(final.parent)
        self.recorded.update(new.tolist())
        self.seq += 1


# -- reading a batch back -----------------------------------------------------------------------


def _read_parts(out_dir: Path, table: str) -> pa.Table | None:
    """Every readable part of a table as one; an unreadable part or a stray file is skipped with one
    :class:`DamagedFile` warning naming it (hidden files are a running batch's unfinished parts: ignored)."""
    folder = out_dir / f"{table}.parquet"
    found = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else [folder]:
        if path.name.startswith((".", "_")):
            continue
        if not (path.is_file() and (path.name.startswith("part-") or path == folder) and path.suffix == ".parquet"):
            what = "folder" if path.is_dir() else "file"
            warnings.warn(f"{path}: a stray {what}, not a part of the {table} table; skipped", DamagedFile, 2)
            continue
        data = _read(path)
        if isinstance(data, pa.Table):
            found.append(data)
        else:
            reason = " ".join(str(data).split())[:100]
            warnings.warn(
                f"{path}: cannot be read ({type(data).__name__}: {reason}); skipped, with its runs:"
                " --resume moves it to quarantine/ and runs them again",
                DamagedFile,
                2,
            )
    return pa.concat_tables(found, promote_options="permissive") if found else None


def read_runs(out_dir: str | Path) -> pd.DataFrame:
    """A batch directory's runs table, ordered by run_id; damaged or stray files are skipped and named (one
    warning each), and a run listed twice is refused."""
    out = Path(out_dir)
    if not (out / "runs.parquet").exists():
        raise ConfigError(
            f"{out_dir}: not a batch directory (no runs.parquet); run `netgov batch SPEC --out {out_dir}`"
        )
    data = _read_parts(out, "runs")
    if data is None:
        raise ConfigError(f"{out_dir}: runs.parquet has no readable part; rerun with --resume, or into a new --out")
    runs = data.to_pandas().sort_values("run_id", ignore_index=True)
    doubled = runs["run_id"][runs["run_id"].duplicated()].unique()
    if len(doubled):
        raise ConfigError(
            f"{out}: runs.parquet lists run {doubled[0]} more than once ({len(doubled)} doubled runs: two batches"
            f" wrote here at once); `netgov batch SPEC --out {out} --resume` keeps one copy of each"
        )
    return runs


def read_table(out_dir: str | Path, table: str = "runs") -> pd.DataFrame:
    """A batch table with each run's identity, policy, parameters and seed as columns, sorted by run_id.

    The join helper: steps, issues and agents tables store only ``run_id`` beside their own columns;
    this puts the runs table's columns up to ``replication`` (point, policy, base, the varied
    parameters, the [set] and rule-set values, seed) in front of them. Rows of runs the runs table does not
    list (their runs part was damaged) are left out.
    """
    runs = read_runs(out_dir)
    if table == "runs":
        return runs
    path = Path(out_dir) / f"{table}.parquet"
    if table not in PER_RUN or not path.exists():
        have = [t for t in TABLES if (Path(out_dir) / f"{t}.parquet").exists()]
        raise ConfigError(f"{out_dir}: no {table} table; this batch has: {', '.join(have)}")
    meta = runs[list(runs.columns[: list(runs.columns).index("replication") + 1])]
    data = _read_parts(Path(out_dir), table)
    if data is None:
        raise ConfigError(f"{out_dir}: {table}.parquet has no readable part; rerun with --resume")
    rows = data.to_pandas()
    order = ["run_id", *(c for c in ("step", "issue_id", "actor") if c in rows.columns)]
    return meta.merge(rows, on="run_id", how="inner").sort_values(order, ignore_index=True)
