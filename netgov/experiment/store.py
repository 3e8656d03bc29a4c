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
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute
import pyarrow.parquet as pq

from netgov.experiment.files import fsync_dir
from netgov.experiment.spec import ExperimentSpec, RunTask
from netgov.model.core.config import ConfigError
from netgov.model.core.contract import FINAL_METRICS, STEP_DTYPES

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
    """A Parquet file whose bytes are on disk before it is renamed anywhere."""
    with path.open("wb") as f:
        pq.write_table(data, f)
        f.flush()
        os.fsync(f.fileno())


class Store:
    """A batch directory's tables, each a directory of part files ``part-NNNNN.parquet``, one per flush."""

    def __init__(self, out: Path, tables: Iterable[str], runs: pa.Schema) -> None:
        self.out = out
        self.dirs = {t: out / f"{t}.parquet" for t in TABLES if t in tables}
        self.schemas: dict[str, pa.Schema] = {"runs": runs}
        self.seq = 0
        self.quarantined: list[str] = []  # paths (relative to out) moved aside by recover()

    def exists(self) -> bool:
        return (self.out / "runs.parquet").exists()

    def _parts(self, table: str) -> list[Path]:
        d = self.out / f"{table}.parquet"
        return sorted(d.glob("part-*.parquet")) if d.is_dir() else []

    def _quarantine(self, path: Path, table: str) -> None:
        """Move a file out of its table (never delete: a person may want to look at it)."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        target = self.out / QUARANTINE / stamp / table / path.name.lstrip(".")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        self.quarantined.append(str(target.relative_to(self.out)))

    @staticmethod
    def _readable(path: Path) -> bool:
        try:
            pq.read_metadata(path)
        except Exception:  # truncated, empty, not Parquet: whatever it is, it cannot be trusted
            return False
        return True

    def recover(self) -> pd.DataFrame:
        """Tidy what a killed batch left; return run_id and status of every finished run.

        A committed chunk (its runs part is in place) whose per-step or per-issue part is still
        under its hidden name gets it renamed into place. Everything else that no readable runs
        part lists (uncommitted hidden files, parts of no run index entry, unreadable parts, and
        every part of a chunk with an unreadable part) goes to DIR/quarantine/.
        """
        tables = [t for t in TABLES if (self.out / f"{t}.parquet").is_dir()]
        committed = {p.name for p in self._parts("runs") if self._readable(p)}
        for table in tables:  # roll committed chunks forward
            d = self.out / f"{table}.parquet"
            for tmp in sorted(d.glob(".part-*.parquet.tmp")):
                name = tmp.name[1:].removesuffix(".tmp")
                if table != "runs" and name in committed and not (d / name).exists() and self._readable(tmp):
                    os.replace(tmp, d / name)
                else:
                    self._quarantine(tmp, table)
            fsync_dir(d)
        for table in tables:  # a chunk with any unreadable part is not trusted at all
            for part in self._parts(table):
                if part.name in committed and not self._readable(part):
                    committed.discard(part.name)
        for table in tables:
            for part in self._parts(table):
                if part.name not in committed:
                    self._quarantine(part, table)
            for stray in (self.out / f"{table}.parquet").iterdir():
                if stray.is_file() and not stray.name.startswith("part-"):
                    self._quarantine(stray, table)
            parts = self._parts(table)
            if parts and table != "runs":
                self.schemas[table] = pq.read_schema(parts[0])
        self.seq = 1 + max((int(p.stem.split("-")[1]) for p in self._parts("runs")), default=-1)
        quarantine = self.out / QUARANTINE
        if quarantine.is_dir():  # numbers in quarantine stay taken, so a file there is never shadowed
            taken = [int(p.stem.split("-")[1]) for p in quarantine.rglob("part-*.parquet") if p.stem[5:].isdigit()]
            self.seq = max(self.seq, 1 + max(taken, default=-1))
        if not committed:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "run_id" else "str") for c in RECOVERED})
        runs = pd.read_parquet(self.out / "runs.parquet")
        runs = runs.reindex(columns=list(RECOVERED))  # a batch from before run_key: every key is missing
        self.prune(set(runs["run_id"].astype(int)), PER_RUN)  # rows a prune stopped midway left behind
        return runs

    def prune(self, keep: set[int], tables: Iterable[str] = TABLES[::-1], schema: pa.Schema | None = None) -> int:
        """Keep only the runs in ``keep``: each part that lists others is rewritten without them (the runs
        table first, so the run index never lists a run whose rows are gone); the rows taken out go to
        DIR/quarantine/. With ``schema``, runs parts are also cast to it (a fixed spec's column types).
        Returns the number of runs taken out of the run index."""
        dropped = 0
        ids = pa.array(sorted(keep), pa.int64())
        for table in tables:
            for part in self._parts(table):
                data = pq.read_table(part)
                mask = pa.compute.is_in(data["run_id"], value_set=ids)
                kept = data.filter(mask)
                recast = table == "runs" and schema is not None and not data.schema.equals(schema)
                if len(kept) == len(data) and not recast:
                    continue
                if table == "runs":
                    dropped += len(data) - len(kept)
                gone = data.filter(pa.compute.invert(mask))
                if len(gone):
                    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                    target = self.out / QUARANTINE / stamp / table / f"pruned-{part.name}"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _write_synced(gone, target)
                    self.quarantined.append(str(target.relative_to(self.out)))
                if not len(kept):
                    part.unlink()
                    continue
                tmp = part.with_name(f".{part.name}.tmp")
                _write_synced(kept.select(schema.names).cast(schema) if recast and schema else kept, tmp)
                os.replace(tmp, part)
                fsync_dir(part.parent)
        return dropped

    def write(self, rows: list[dict[str, Any]], frames: dict[str, list[Columns]]) -> None:
        """One chunk: every part written hidden and fsynced; the runs part's rename commits it."""
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
        self.seq += 1


# -- reading a batch back -----------------------------------------------------------------------


def read_runs(out_dir: str | Path) -> pd.DataFrame:
    """A batch directory's runs table, ordered by run_id."""
    path = Path(out_dir) / "runs.parquet"
    if not path.exists():
        raise ConfigError(
            f"{out_dir}: not a batch directory (no runs.parquet); run `netgov batch SPEC --out {out_dir}`"
        )
    return pd.read_parquet(path).sort_values("run_id", ignore_index=True)


def read_table(out_dir: str | Path, table: str = "runs") -> pd.DataFrame:
    """A batch table with each run's identity, policy, parameters and seed as columns, sorted by run_id.

    The join helper: steps, issues and agents tables store only ``run_id`` beside their own columns;
    this puts the runs table's columns up to ``replication`` (point, policy, base, the varied
    parameters, the [set] and rule-set values, seed) in front of them.
    """
    runs = read_runs(out_dir)
    if table == "runs":
        return runs
    path = Path(out_dir) / f"{table}.parquet"
    if table not in PER_RUN or not path.exists():
        have = [t for t in TABLES if (Path(out_dir) / f"{t}.parquet").exists()]
        raise ConfigError(f"{out_dir}: no {table} table; this batch has: {', '.join(have)}")
    meta = runs[list(runs.columns[: list(runs.columns).index("replication") + 1])]
    rows = pd.read_parquet(path)
    order = ["run_id", *(c for c in ("step", "issue_id", "actor") if c in rows.columns)]
    return meta.merge(rows, on="run_id", how="right").sort_values(order, ignore_index=True)
