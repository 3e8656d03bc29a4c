"""The batch engine: every run of an experiment spec on local processes or a Dask cluster, streamed to Parquet.

Each run is a pure task (its seed comes from the master seed and its replication: common random numbers), so serial,
process-pool and Dask batches (:mod:`netgov.experiment.executors`) give identical rows. Results go to disk in chunks
as runs finish (the store, :mod:`netgov.experiment.store`, one writer per directory); a batch killed at any moment
loses at most the runs it had in flight, and ``--resume`` runs exactly the missing runs. The manifest
(:mod:`netgov.experiment.manifest`) records what made the directory.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from netgov.experiment import limits
from netgov.experiment.executors import ClusterGone, Job, Outcome, check_where, executor
from netgov.experiment.limits import WORKER_TIMEOUT
from netgov.experiment.manifest import MANIFEST, fingerprint, new_manifest, now, read_manifest, write_manifest
from netgov.experiment.spec import ExperimentSpec, RunTask
from netgov.experiment.store import PER_RUN, RECOVERED, Columns, Store, one_writer, runs_schema
from netgov.model.core.contract import FINAL_METRICS
from netgov.model.core.errors import ConfigError

#: Flush buffered results to a new part file after this many runs or seconds, whichever comes first.
CHUNK_RUNS = 500
FLUSH_SECONDS = 2.0


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


class Stopped(Exception):
    """SIGINT (Ctrl+C) or SIGTERM stopped the batch: what finished is saved (``kept`` runs in the tables)."""

    def __init__(self, signum: int, kept: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}: {kept} finished runs are kept")
        self.signum = signum
        self.kept = kept


class _Signal(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl+C's KeyboardInterrupt would be, remembering which signal it was."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM takes the path Ctrl+C takes: flush what finished, stop the workers, then exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise _Signal(signum)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- the batch directory ------------------------------------------------------------------------


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
            if frame is not None and len(frame):  # a run without issues adds no rows (nor columns) to issues
                run_id = np.full(len(frame), outcome.run_id, dtype=np.int64)
                self.frames[table].append({"run_id": run_id, **{c: frame[c].to_numpy() for c in frame.columns}})
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


# -- the batch ----------------------------------------------------------------------------------


def _nothing() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in RECOVERED})


def _kept(
    store: Store, spec: ExperimentSpec, tasks: list[RunTask], key: str, manifest: dict[str, Any]
) -> tuple[pd.DataFrame, int]:
    """The finished runs a resumed batch keeps, and how many it took out because a changed spec no longer has them.

    A directory none of whose finished runs ``spec`` has holds another study: it is refused before anything
    is moved (resume never turns one study into another)."""
    valid = {t.run_id: t.key for t in tasks}
    if manifest.get("fingerprint") != key:
        listed = store.listed()
        if len(listed) and not any(
            valid.get(int(i)) == k for i, k in zip(listed["run_id"], listed["run_key"], strict=True)
        ):
            made = manifest.get("spec", {}).get("spec", "another spec")
            raise ConfigError(
                f"--resume {store.out}: none of its {len(listed)} finished runs is a run of {spec.label} (the"
                f" directory was made from {made}); it holds another study, and nothing was moved: choose another --out"
            )
    finished = store.recover()
    if manifest.get("fingerprint") == key:  # the same spec: every finished run is still valid
        current = finished["run_id"].astype(int).isin(valid)
    else:  # a changed (e.g. fixed) spec: a finished run stays only where its run_key still matches
        current = pd.Series(
            [valid.get(int(i)) == k for i, k in zip(finished["run_id"], finished["run_key"], strict=False)], dtype=bool
        )
        current.index = finished.index
    if current.all() and manifest.get("fingerprint") == key:
        return finished, 0
    invalidated = store.prune(set(finished.loc[current, "run_id"].astype(int)), store.schemas["runs"])
    return finished[current], invalidated


def run_batch(
    spec: ExperimentSpec,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    show_progress: bool = True,
    worker_timeout: float = WORKER_TIMEOUT,
    i_know: bool = False,
    only: set[int] | None = None,
) -> BatchResult:
    """Run every run of ``spec`` into ``out_dir``: serial (workers=1), on local processes, or on Dask.

    Each run's seed comes from (the spec's seed, its replication), so the results are the same whatever
    runs them and in what order; finished runs are on disk as they finish, and ``resume`` runs only
    the missing ones.

    Parameters
    ----------
    spec
        The experiment (:func:`netgov.experiment.specfile.load_spec` reads one from a ``.toml`` file).
    out_dir
        The study directory: ``runs.parquet``, the spec's ``outputs`` and ``manifest.json``.
    workers
        Local worker processes (1: serial in this process; None: one per core); bounded by
        :func:`limits.check_workers`, whose per-core ceiling ``i_know`` lifts.
    scheduler
        A Dask scheduler's address (instead of ``workers``).
    resume
        Keep the runs already in ``out_dir`` and run the rest (the spec must be the same).
    show_progress
        A progress bar on stderr.
    worker_timeout
        Seconds a Dask batch waits with no worker before it stops (finished runs are kept).
    i_know
        Lift the size ceilings.
    only
        Run just these run ids (the dry run's pilot); the batch is then not complete.

    Returns
    -------
    BatchResult
        Runs done now, skipped (already on disk) and failed, the first errors, and the time taken.

    Raises
    ------
    ConfigError
        Bad arguments, another study's directory, or a directory another batch is writing.
    """
    started = time.monotonic()
    out = Path(out_dir)
    check_where(workers, scheduler, i_know)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a directory")
    tasks = spec.runs()
    schema = runs_schema(spec, tasks)
    key = fingerprint(spec)
    store = Store(out, (*spec.outputs, "runs"), schema)
    try:
        with _sigterm_as_interrupt(), one_writer(out):  # one writer per study, from the first look to the end
            manifest = read_manifest(out)
            if store.exists() and not resume:
                raise ConfigError(
                    f"--out {out}: already holds a batch; pass --resume to continue it, or choose another --out"
                )
            if resume and store.exists() and not manifest.get("fingerprint"):
                raise ConfigError(
                    f"--resume {out}: no valid {MANIFEST} there, so nothing shows the batch was made from this"
                    " spec; rerun into a new --out"
                )
            finished, invalidated = (
                _kept(store, spec, tasks, key, manifest) if resume and store.exists() else (_nothing(), 0)
            )
            have = set(finished["run_id"].astype(int))
            todo = [t for t in tasks if t.run_id not in have and (only is None or t.run_id in only)]
            earlier_failed = int((finished["status"] == "error").sum())
            runner = executor(workers, scheduler, len(todo), key, worker_timeout)
            sink = Sink(spec, store, {t.run_id: t for t in tasks}, schema)
            jobs = (Job(t.run_id, t.seed, spec.compose(t), spec.outputs) for t in todo)
            done, failed = 0, 0
            errors: list[tuple[int, str]] = []
            with runner:  # connect (or start the pool) before the manifest is written
                session: dict[str, Any] = {"started": now(), "finished": None, "executor": runner.label, "runs": 0}
                if store.quarantined:
                    session["quarantined"] = store.quarantined
                if invalidated:
                    session["invalidated"], session["pruned"] = invalidated, store.pruned
                manifest = new_manifest(spec, key, len(tasks), manifest, session)
                write_manifest(out, manifest)
                try:
                    with _progress(show_progress) as progress:
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
                except ClusterGone as exc:
                    saved = f"{len(have) + done} finished runs are saved in {out}"
                    raise type(exc)(f"{exc}; {saved}: {exc.advice}") from None
                finally:
                    sink.flush()
                    session["finished"], session["runs"] = now(), done
                    manifest["finished"] = session["finished"] if len(have) + done == len(tasks) else None
                    write_manifest(out, manifest)
    except KeyboardInterrupt as exc:  # Ctrl+C, or SIGTERM: the finished runs were flushed on the way out
        raise Stopped(getattr(exc, "signum", signal.SIGINT), len(store.recorded)) from None
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


def _progress(show: bool) -> Any:
    """The batch's progress bar on stderr: runs done of the total, failures, time elapsed and left."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[bold]batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    return Progress(*columns, console=Console(stderr=True), disable=not show)


def pilot(
    spec: ExperimentSpec, workers: int | None = None, scheduler: str | None = None, i_know: bool = False
) -> tuple[float, float]:
    """Time the design's heaviest runs and its lightest (:func:`_heaviest_first`, every policy) through the batch
    engine as the batch would run them (same executor, into temporary folders that are removed): one wave of
    ``workers`` heavy runs, three waves of them, and three waves of the lightest. Returns (start-up seconds,
    seconds per wave): the batch should take about ``start-up + waves x per wave``, a wave costing the mean
    of the heaviest and the lightest (the cost at the middle of the ranges, which a sampled design averages
    to). The basis of ``--dry-run``'s estimate; timing one run of the first point alone left out the
    engine's start-up and the larger points (a 10.8 s batch was estimated at 2 s), and the heaviest alone
    overstated a batch whose points are mostly lighter."""
    import shutil
    import tempfile

    from netgov.experiment.store import read_runs

    n = workers or limits.cores()
    if scheduler is not None:
        from dask.distributed import Client

        with Client(scheduler, timeout="10s") as client:
            n = max(1, sum(client.nthreads().values()))
    order = {p: k for k, p in enumerate(_heaviest_first(spec))}
    ranked = sorted(spec.runs(), key=lambda t: (order[t.point], t.replication, t.policy))
    heavy, light = ranked[: 3 * n], ranked[::-1][: 3 * n]

    def timed(runs: list[RunTask]) -> tuple[float, float]:
        """Wall seconds of a batch of these runs, and the mean seconds inside one run."""
        folder = Path(tempfile.mkdtemp(prefix="netgov-pilot-"))
        try:
            start = time.monotonic()
            run_batch(
                spec,
                folder / "out",
                workers=workers,
                scheduler=scheduler,
                show_progress=False,
                i_know=i_know,
                only={t.run_id for t in runs},
            )
            wall = time.monotonic() - start
            return wall, float(read_runs(folder / "out")["elapsed_s"].mean())
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    waves = max(1, math.ceil(len(heavy) / n))

    def per_wave(one: float, three: float, inside: float) -> float:
        return max((three - one) / (waves - 1) if waves > 1 else 0.0, inside)

    (one, inside), (three, _) = timed(heavy[:n]), timed(heavy)
    heaviest = per_wave(one, three, inside)
    start = max(one - heaviest, 0.0)
    if waves == 1:  # the whole batch is one wave: it was just timed
        return start, heaviest
    lightest_wall, lightest_inside = timed(light)
    lightest = max((lightest_wall - start) / waves, lightest_inside)
    return start, (heaviest + lightest) / 2


def _heaviest_first(spec: ExperimentSpec) -> list[int]:
    """The design points, those whose numeric parameters sit highest in their ranges first (more actors, more
    months, more of everything: the costly runs are usually there)."""
    points = pd.DataFrame(spec.points())
    numeric = [c for c in points.columns if pd.api.types.is_numeric_dtype(points[c]) and points[c].nunique() > 1]
    if not numeric:
        return list(range(len(points)))
    weight = points[numeric].rank(pct=True).sum(axis=1)
    return [int(i) for i in weight.sort_values(ascending=False, kind="stable").index]
