"""The batch engine: every run of an experiment spec on local processes or a Dask cluster, streamed to Parquet.

Each run is a pure task (its seed comes from the master seed and its replication: common random numbers), so serial,
process-pool and Dask batches give identical rows. Results go to disk in chunks as runs
finish: ``DIR/runs.parquet`` (and ``steps.parquet`` / ``issues.parquet``) are directories of
Parquet part files that ``pandas.read_parquet`` reads as one table. A chunk is written as hidden,
fsynced files; renaming its runs part into place commits it, and only then are its per-step and
per-issue parts renamed into place. So a reader never sees steps of runs that runs.parquet does
not list, and a batch killed at any moment loses at most the runs it had in flight: ``--resume``
finishes a committed chunk's renames, moves anything uncommitted, unreadable or unlisted to
``DIR/quarantine/`` (out of every table) and runs exactly the missing runs.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute
import pyarrow.parquet as pq

from netgov.experiment.limits import WORKER_TIMEOUT
from netgov.experiment.runner import run_once
from netgov.experiment.spec import ExperimentSpec, RunTask
from netgov.model.core.config import ConfigError, validate_config
from netgov.model.core.contract import FINAL_METRICS, STEP_DTYPES

#: Flush buffered results to a new part file after this many runs or seconds, whichever comes first.
CHUNK_RUNS = 500
FLUSH_SECONDS = 2.0
TABLES = ("steps", "issues", "agents", "runs")
PER_RUN = TABLES[:-1]  # the tables with many rows per run (written beside the run index)
RECOVERED = ("run_id", "status", "run_key")  # what --resume reads of the runs already done
MANIFEST = "manifest.json"
QUARANTINE = "quarantine"
#: How often a worker process checks that the batch's own process is still there.
WATCH_SECONDS = 1.0
ROOT = Path(__file__).resolve().parents[2]  # the checkout, for the git commit in the manifest


@dataclass(frozen=True)
class Job:
    """What a worker needs for one run: no file access, so it runs on any Dask worker."""

    run_id: int
    seed: int
    config: dict[str, Any]  # the run's whole parameter mapping (ExperimentSpec.compose)
    outputs: tuple[str, ...]


#: A table as {column: array}: far cheaper than a DataFrame to send back from a worker process.
Columns = dict[str, np.ndarray]


@dataclass
class Outcome:
    """A finished run: final metrics (None if it failed), its status, and the optional tables."""

    run_id: int
    metrics: dict[str, Any] | None
    status: str
    error: str | None
    elapsed_s: float
    steps: Columns | None = None
    issues: Columns | None = None
    agents: Columns | None = None


@dataclass
class BatchResult:
    """What a batch did: ``done`` runs finished now, ``skipped`` were already on disk, ``failed`` in total."""

    total: int
    done: int
    failed: int
    skipped: int
    out_dir: Path
    elapsed_s: float
    errors: list[tuple[int, str]] = field(default_factory=list)  # (run_id, message), the first few
    invalidated: int = 0  # finished runs --resume took out because the spec changed them
    quarantined: list[str] = field(default_factory=list)  # files --resume moved to DIR/quarantine/


class NoWorkers(RuntimeError):
    """A Dask cluster had no worker for ``--worker-timeout`` seconds; the runs finished so far are saved."""


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, ConfigError) else f"{type(exc).__name__}: {text}"


def _columns(df: pd.DataFrame, run_id: int) -> Columns:
    return {"run_id": np.full(len(df), run_id, dtype=np.int64), **{c: df[c].to_numpy() for c in df.columns}}


def execute(job: Job) -> Outcome:
    """Run one task. Pure: the same job gives the same outcome on any process or machine."""
    start = time.perf_counter()
    try:
        config = validate_config(job.config, "parameters")
        result = run_once(config, job.seed, agents="agents" in job.outputs)
    except Exception as exc:  # a failing run is recorded, and the batch goes on
        return Outcome(job.run_id, None, "error", _one_line(exc), time.perf_counter() - start)
    metrics = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in result.final.items()}
    steps = _columns(result.steps, job.run_id) if "steps" in job.outputs else None
    issues = _columns(result.issues, job.run_id) if "issues" in job.outputs and len(result.issues) else None
    agents = _columns(result.agents, job.run_id) if result.agents is not None else None
    return Outcome(job.run_id, metrics, "ok", None, time.perf_counter() - start, steps, issues, agents)


# -- where runs execute -------------------------------------------------------------------------


class _Serial:
    """Runs in this process, one after another."""

    label = "serial"

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def results(self, jobs: Iterable[Job]) -> Iterator[Outcome | None]:
        for job in jobs:
            yield execute(job)


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent (the forkserver) goes (PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _watch(pid: int) -> None:
    while _alive(pid):
        time.sleep(WATCH_SECONDS)
    os._exit(1)  # the batch is gone (SIGKILL, OOM killer): nobody will collect this worker's results


def _worker_init(batch_pid: int) -> None:
    """Run in each worker process: it ends when the batch's process ends, however that ends."""
    _die_with_parent()
    if not _alive(batch_pid):
        os._exit(1)
    threading.Thread(target=_watch, args=(batch_pid,), daemon=True, name="netgov-watchdog").start()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM takes the path Ctrl+C takes: flush what finished, stop the workers, then exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Processes:
    """A local process pool; at most a few tasks per worker are queued, so memory stays flat."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.label = f"{workers} local processes"

    def __enter__(self) -> _Processes:
        import multiprocessing

        ctx = multiprocessing.get_context("forkserver")  # no fork of a threaded parent (the progress bar)
        ctx.set_forkserver_preload(["netgov.experiment.batch"])
        self.pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),))
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def results(self, jobs: Iterable[Job]) -> Iterator[Outcome | None]:
        todo = iter(jobs)
        pending = {self.pool.submit(execute, j) for j in islice(todo, 4 * self.workers)}
        while pending:
            done, pending = wait(pending, timeout=FLUSH_SECONDS, return_when=FIRST_COMPLETED)
            if not done:
                yield None  # a tick: lets the caller flush results held back
            broken = None
            for fut in done:  # every run that finished is handed over before a dead worker stops the batch
                if fut.exception() is not None:
                    broken = broken or fut
                    continue
                yield fut.result()
                nxt = next(todo, None)
                if nxt is not None:
                    pending.add(self.pool.submit(execute, nxt))
            if broken is not None:
                for fut in list(pending):  # runs that finished while the pool broke are kept too
                    if fut.done() and fut.exception() is None:
                        yield fut.result()
                broken.result()  # BrokenProcessPool: a worker process died


class _Dask:
    """An existing Dask distributed cluster. Tasks are pure and may be retried on other workers."""

    def __init__(self, address: str, key: str, worker_timeout: float = WORKER_TIMEOUT) -> None:
        self.address = address
        self.key = key
        self.worker_timeout = worker_timeout
        self.label = f"Dask scheduler {address}"

    def __enter__(self) -> _Dask:
        from dask.distributed import Client

        try:
            self.client = Client(self.address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(f"--scheduler {self.address}: cannot connect to a Dask scheduler ({exc})") from None
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()  # the cluster itself stays up: it is not ours

    def results(self, jobs: Iterable[Job]) -> Iterator[Outcome | None]:
        from dask.distributed import wait as dask_wait

        window = max(64, 4 * sum(self.client.nthreads().values()))
        todo = iter(jobs)
        owner: dict[str, Job] = {}

        def submit(job: Job) -> Any:
            fut = self.client.submit(execute, job, key=f"netgov-{self.key}-{job.run_id}", pure=False, retries=2)
            owner[fut.key] = job
            return fut

        pending = {submit(j) for j in islice(todo, window)}
        alone_since: float | None = None  # when the cluster was last seen without a worker
        tick = min(FLUSH_SECONDS, self.worker_timeout / 4)
        while pending:
            try:
                done, pending = dask_wait(pending, timeout=tick, return_when="FIRST_COMPLETED")
            except TimeoutError:
                if self.client.nthreads():
                    alone_since = None
                elif alone_since is None:
                    alone_since = time.monotonic()
                elif time.monotonic() - alone_since >= self.worker_timeout:
                    raise NoWorkers(
                        f"--scheduler {self.address}: no Dask worker for {self.worker_timeout:g} s (--worker-timeout)"
                    ) from None
                yield None
                continue
            alone_since = None
            pending = set(pending)
            for fut in done:
                job = owner[fut.key]
                try:
                    outcome = fut.result(timeout=tick)
                except TimeoutError:  # it finished, but its result left with its worker: it waits to be rerun
                    pending.add(fut)
                    continue
                except Exception as exc:  # e.g. KilledWorker: the task kept killing workers
                    outcome = Outcome(job.run_id, None, "error", _one_line(exc), 0.0)
                del owner[fut.key]
                yield outcome
                nxt = next(todo, None)
                if nxt is not None:
                    pending.add(submit(nxt))


def _default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# -- the batch directory ------------------------------------------------------------------------


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


def _fsync_dir(folder: Path) -> None:
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
            _fsync_dir(d)
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
                _fsync_dir(part.parent)
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
            _fsync_dir(final.parent)
        self.seq += 1


class Sink:
    """Buffers finished runs and writes them as one chunk every CHUNK_RUNS runs or FLUSH_SECONDS seconds."""

    def __init__(self, spec: ExperimentSpec, store: Store, tasks: dict[int, RunTask], schema: pa.Schema) -> None:
        self.store = store
        self.tasks = tasks
        self.strings = {f.name for f in schema if f.type == pa.string()}
        self.policy = {p.name: {"base": p.scenario.name, **spec.recorded_values(p)} for p in spec.policies}
        self.rows: list[dict[str, Any]] = []
        self.frames: dict[str, list[Columns]] = {t: [] for t in PER_RUN}
        self.last = -math.inf  # the first finished run goes to disk at once: early output, early resume point

    def add(self, outcome: Outcome) -> None:
        task = self.tasks[outcome.run_id]
        values = {**self.policy[task.policy], **task.params}
        params = {
            k: (str(v) if k in self.strings and v is not None and not isinstance(v, str) else v)
            for k, v in values.items()
        }
        metrics = outcome.metrics or dict.fromkeys(FINAL_METRICS)
        self.rows.append(
            {
                "run_id": task.run_id,
                "point": task.point,
                "policy": task.policy,
                **params,
                **({"world": task.world} if task.world is not None else {}),
                "seed": task.seed,
                "replication": task.replication,
                "run_key": task.key,
                **metrics,
                "status": outcome.status,
                "error": outcome.error,
                "elapsed_s": outcome.elapsed_s,
            }
        )
        for table in PER_RUN:
            frame = getattr(outcome, table)
            if frame is not None:
                self.frames[table].append(frame)
        self.tick()

    def tick(self) -> None:
        if len(self.rows) >= CHUNK_RUNS or (self.rows and time.monotonic() - self.last >= FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.store.write(self.rows, self.frames)
        self.rows = []
        self.frames = {t: [] for t in PER_RUN}
        self.last = time.monotonic()


# -- provenance ---------------------------------------------------------------------------------


def _now() -> str:
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


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in ("netgov", "mesa", "numpy", "pandas", "pyarrow", "dask", "distributed", "SALib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def fingerprint(spec: ExperimentSpec) -> str:
    """A hash of everything that decides the runs' results: a resumed batch must have the same."""
    design = {k: v for k, v in spec.resolved().items() if k not in ("spec", "summary")}
    design["base_config"] = spec.scenario.config.model_dump(mode="json", by_alias=True)
    return hashlib.sha256(json.dumps(design, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _write_json(path: Path, data: dict[str, Any]) -> None:
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
    _fsync_dir(path.parent)


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    """The batch directory's manifest.json (an empty dict if there is none)."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable manifest ({exc})") from None


# -- the batch ----------------------------------------------------------------------------------


def run_batch(
    spec: ExperimentSpec,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    show_progress: bool = True,
    worker_timeout: float = WORKER_TIMEOUT,
) -> BatchResult:
    """Run every run of ``spec`` into ``out_dir``: serial (workers=1), on local processes, or on Dask."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    started = time.monotonic()
    out = Path(out_dir)
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers}: expected an integer >= 1")
    if workers is not None and scheduler is not None:
        raise ConfigError("--workers and --scheduler: give one (local processes) or the other (a Dask cluster)")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a directory")
    tasks = spec.runs()
    schema = runs_schema(spec, tasks)
    store = Store(out, (*spec.outputs, "runs"), schema)
    key = fingerprint(spec)
    manifest = read_manifest(out)
    if store.exists() and not resume:
        raise ConfigError(f"--out {out}: already holds a batch; pass --resume to continue it, or choose another --out")
    if resume and store.exists() and not manifest.get("fingerprint"):
        raise ConfigError(
            f"--resume {out}: no valid {MANIFEST} there, so nothing shows the batch was made from this spec;"
            " rerun into a new --out"
        )
    finished = store.recover() if resume else pd.DataFrame({c: [] for c in RECOVERED})
    valid = {t.run_id: t.key for t in tasks}
    if manifest.get("fingerprint") == key:  # the same spec: every finished run is still valid
        current = finished["run_id"].astype(int).isin(valid)
    else:  # a changed (e.g. fixed) spec: a finished run stays only where its run_key still matches
        current = pd.Series(
            [valid.get(int(i)) == k for i, k in zip(finished["run_id"], finished["run_key"], strict=False)], dtype=bool
        )
        current.index = finished.index
    invalidated = 0
    if resume and store.exists() and (not current.all() or manifest.get("fingerprint") != key):
        invalidated = store.prune(set(finished.loc[current, "run_id"].astype(int)), schema=schema)
        finished = finished[current]
    have = set(finished["run_id"].astype(int))
    todo = [t for t in tasks if t.run_id not in have]
    earlier_failed = int((finished["status"] == "error").sum())
    n = workers or _default_workers()
    runner: _Serial | _Processes | _Dask
    if scheduler is not None:
        runner = _Dask(scheduler, key, worker_timeout)
    elif n == 1 or len(todo) <= 1:
        runner = _Serial()
    else:
        runner = _Processes(min(n, len(todo)))

    columns = (
        TextColumn("[bold]batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    progress = Progress(*columns, console=Console(stderr=True), disable=not show_progress)
    sink = Sink(spec, store, {t.run_id: t for t in tasks}, schema)
    jobs = (Job(t.run_id, t.seed, spec.compose(t), spec.outputs) for t in todo)
    done, failed, errors = 0, 0, []
    with _sigterm_as_interrupt(), runner:  # connect (or start the pool) before touching the directory
        out.mkdir(parents=True, exist_ok=True)
        session = {"started": _now(), "finished": None, "executor": runner.label, "runs": 0}
        if store.quarantined:
            session["quarantined"] = store.quarantined
        if invalidated:
            session["invalidated"] = invalidated
        manifest = {
            "spec": spec.resolved(),
            "fingerprint": key,
            "base_config": spec.scenario.config.model_dump(mode="json", by_alias=True),
            "total_runs": len(tasks),
            "parameters": spec.names,
            "policies": spec.policy_names,
            "recorded": spec.recorded,
            "metrics": list(FINAL_METRICS),
            "outputs": [f"{t}.parquet" for t in ("runs", *spec.outputs[1:])],
            "versions": _versions(),
            **_git(),
            "started": manifest.get("started", session["started"]),
            "finished": None,
            "sessions": [*manifest.get("sessions", []), session],
        }
        _write_json(out / MANIFEST, manifest)
        try:
            with progress:
                bar = progress.add_task("runs", total=len(tasks), completed=len(have), failed=earlier_failed)
                for outcome in runner.results(jobs):
                    if outcome is None:
                        sink.tick()
                        continue
                    sink.add(outcome)
                    done += 1
                    if outcome.status != "ok":
                        failed += 1
                        if len(errors) < 5:
                            errors.append((outcome.run_id, outcome.error or ""))
                    progress.update(bar, advance=1, failed=earlier_failed + failed)
        except NoWorkers as exc:
            saved = f"{len(have) + done} finished runs are saved in {out}"
            raise NoWorkers(f"{exc}; {saved}: start workers, then rerun with --resume") from None
        finally:
            sink.flush()
            session["finished"], session["runs"] = _now(), done
            manifest["finished"] = session["finished"] if len(have) + done == len(tasks) else None
            _write_json(out / MANIFEST, manifest)
    return BatchResult(
        total=len(tasks),
        done=done,
        failed=earlier_failed + failed,
        skipped=len(have),
        out_dir=out,
        elapsed_s=time.monotonic() - started,
        errors=errors,
        quarantined=store.quarantined,
        invalidated=invalidated,
    )


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


def pilot(spec: ExperimentSpec) -> float:
    """Seconds one run of ``spec`` takes here (its first run, once, serially): the basis of ``--dry-run``'s estimate."""
    task = spec.runs()[0]
    return execute(Job(task.run_id, task.seed, spec.compose(task), spec.outputs)).elapsed_s
