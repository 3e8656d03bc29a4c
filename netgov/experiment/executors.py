"""Where a batch's runs execute: in this process, on a local process pool, or on a Dask cluster.

Each executor takes an iterable of :class:`Job` and yields an :class:`Outcome` per finished run, or None
every few seconds when nothing finished (a tick: the caller may flush what it holds). A job is pure (its
seed and whole config travel with it, no file access), so the same job gives the same outcome on any
process or machine, and serial, process-pool and Dask batches give identical rows.

This is the one run path: the batch streams outcomes to Parquet, and every study that keeps its runs in
memory (replications, validation, mechanism contrasts, calibration) collects them with :func:`run_all`.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netgov.experiment import limits
from netgov.experiment.limits import WORKER_TIMEOUT
from netgov.experiment.runner import run_once
from netgov.model.core.errors import ConfigError
from netgov.model.core.schema_lookup import validate_config

#: How often an executor yields a tick when no run finished (seconds).
TICK_SECONDS = 2.0
#: How often a worker process checks that the batch's own process is still there.
WATCH_SECONDS = 1.0


@dataclass(frozen=True)
class Job:
    """What a worker needs for one run: no file access, so it runs on any Dask worker."""

    run_id: int
    seed: int
    config: dict[str, Any]  # the run's whole parameter mapping (ExperimentSpec.compose)
    outputs: tuple[str, ...]  # the tables to keep: "steps", "issues", "agents"
    steps: int | None = None  # months to run (None: the config's `steps`)


@dataclass
class Outcome:
    """A finished run: final metrics (None if it failed), its status, and the tables its job asked for, as the
    model returned them."""

    run_id: int
    metrics: dict[str, Any] | None
    status: str
    error: str | None
    elapsed_s: float
    steps: pd.DataFrame | None = None
    issues: pd.DataFrame | None = None
    agents: pd.DataFrame | None = None


class ClusterGone(RuntimeError):
    """The Dask cluster can no longer run the batch; the runs finished so far are saved."""

    advice = "rerun with --resume"


class NoWorkers(ClusterGone):
    """A Dask cluster had no worker for ``--worker-timeout`` seconds."""

    advice = "start workers, then rerun with --resume"


class LostScheduler(ClusterGone):
    """The batch lost its connection to the Dask scheduler (it was stopped, or the network went)."""

    advice = "start a scheduler and workers (or use local --workers), then rerun with --resume"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, ConfigError) else f"{type(exc).__name__}: {text}"


def execute(job: Job) -> Outcome:
    """Run one task. Pure: the same job gives the same outcome on any process or machine."""
    start = time.perf_counter()
    try:
        config = validate_config(job.config, "parameters")
        result = run_once(config, job.seed, job.steps, agents="agents" in job.outputs, issues="issues" in job.outputs)
    except Exception as exc:  # a failing run is recorded, and the batch goes on
        return Outcome(job.run_id, None, "error", _one_line(exc), time.perf_counter() - start)
    metrics = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in result.final.items()}
    steps = result.steps if "steps" in job.outputs else None
    return Outcome(job.run_id, metrics, "ok", None, time.perf_counter() - start, steps, result.issues, result.agents)


class Serial:
    """Runs in this process, one after another."""

    label = "serial"

    def __enter__(self) -> Serial:
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


class LocalProcesses:
    """A local process pool; at most a few tasks per worker are queued, so memory stays flat."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.label = f"{workers} local processes"

    def __enter__(self) -> LocalProcesses:
        import multiprocessing

        ctx = multiprocessing.get_context("forkserver")  # no fork of a threaded parent (the progress bar)
        ctx.set_forkserver_preload(["netgov.experiment.executors"])
        self.pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),))
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def results(self, jobs: Iterable[Job]) -> Iterator[Outcome | None]:
        todo = iter(jobs)
        pending = {self.pool.submit(execute, j) for j in islice(todo, 4 * self.workers)}
        while pending:
            done, pending = wait(pending, timeout=TICK_SECONDS, return_when=FIRST_COMPLETED)
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


class DaskCluster:
    """An existing Dask distributed cluster. Tasks are pure and may be retried on other workers."""

    def __init__(self, address: str, key: str, worker_timeout: float = WORKER_TIMEOUT) -> None:
        self.address = address
        self.key = key
        self.worker_timeout = worker_timeout
        self.label = f"Dask scheduler {address}"
        self.calls = 0  # each call of `results` names its tasks apart: run ids restart in every study

    def __enter__(self) -> DaskCluster:
        from dask.distributed import Client

        # distributed logs a lost connection as tracebacks on stderr; the batch says it in one line instead
        self.quieted = {
            name: logging.getLogger(name).level
            for name in ["distributed", *logging.root.manager.loggerDict]
            if name.startswith("distributed")
        }
        for name in self.quieted:
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        try:
            self.client = Client(self.address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            self._restore()
            raise ConfigError(f"--scheduler {self.address}: cannot connect to a Dask scheduler ({exc})") from None
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            with suppress(Exception):  # after a lost scheduler there is nothing to close politely
                self.client.close(timeout=5)  # the cluster itself stays up: it is not ours
        finally:
            self._restore()

    def _restore(self) -> None:
        for name, level in self.quieted.items():
            logging.getLogger(name).setLevel(level)

    def _lost(self, exc: BaseException) -> LostScheduler | None:
        """A LostScheduler if ``exc`` means the connection to the scheduler is gone: the client says so, or
        distributed cancelled the futures (we never cancel one; it does, with reason
        ``scheduler-connection-lost``), or a comm closed (``CommClosedError``, an OSError) while a result
        was fetched, before the client noticed. Such a run did not fail: it is not recorded, and
        ``--resume`` runs it."""
        from concurrent.futures import CancelledError

        cut = isinstance(exc, (CancelledError, OSError)) and not isinstance(exc, TimeoutError)
        if self.client.status == "running" and not cut and "connection-lost" not in str(exc):
            return None
        return LostScheduler(f"--scheduler {self.address}: lost the connection to the Dask scheduler")

    def results(self, jobs: Iterable[Job]) -> Iterator[Outcome | None]:
        from dask.distributed import wait as dask_wait

        window = max(64, 4 * sum(self.client.nthreads().values()))
        todo = iter(jobs)
        owner: dict[Any, Job] = {}  # by the future's key (the string given to submit)
        self.calls += 1
        prefix = f"netgov-{self.key}-{self.calls}"

        def submit(job: Job) -> Any:
            fut = self.client.submit(execute, job, key=f"{prefix}-{job.run_id}", pure=False, retries=2)
            owner[fut.key] = job
            return fut

        pending = {submit(j) for j in islice(todo, window)}
        alone_since: float | None = None  # when the cluster was last seen without a worker
        tick = min(TICK_SECONDS, self.worker_timeout / 4)
        while pending:
            try:
                done, pending = dask_wait(pending, timeout=tick, return_when="FIRST_COMPLETED")
            except TimeoutError as exc:
                if (lost := self._lost(exc)) is not None:
                    raise lost from None
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
            except Exception as exc:  # its futures were cancelled: the scheduler is gone
                if (lost := self._lost(exc)) is not None:
                    raise lost from None
                raise
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
                    if (lost := self._lost(exc)) is not None:
                        raise lost from None
                    outcome = Outcome(job.run_id, None, "error", _one_line(exc), 0.0)
                del owner[fut.key]
                yield outcome
                nxt = next(todo, None)
                if nxt is not None:
                    pending.add(submit(nxt))


def check_where(workers: int | None, scheduler: str | None, i_know: bool = False) -> None:
    """``--workers`` within the per-core ceiling (which ``i_know`` lifts), and not with ``--scheduler``."""
    limits.check_workers(workers, i_know=i_know)
    if workers is not None and scheduler is not None:
        raise ConfigError("--workers and --scheduler: give one (local processes) or the other (a Dask cluster)")


def executor(
    workers: int | None, scheduler: str | None, todo: int, key: str, worker_timeout: float = WORKER_TIMEOUT
) -> Serial | LocalProcesses | DaskCluster:
    """Where the runs execute: a Dask cluster, this process (one worker or one run), or a local process pool
    of no more workers than runs. Enter it before use; ``key`` names its Dask tasks."""
    if scheduler is not None:
        return DaskCluster(scheduler, key, worker_timeout)
    n = workers or limits.cores()
    return Serial() if n == 1 or todo <= 1 else LocalProcesses(min(n, todo))


#: Where runs execute; enter it (``with LocalProcesses(2) as where: ...``) before handing it to a study.
Executor = Serial | LocalProcesses | DaskCluster


class RunFailed(RuntimeError):
    """A run of an in-memory study failed: such a study has no partial answer, so it stops with the run's error."""


def run_all(
    jobs: Iterable[Job], where: Executor | None = None, progress: Callable[[], None] | None = None
) -> dict[int, Outcome]:
    """Every job's outcome, by run id: the run path of the studies that keep their runs in memory.

    Parameters
    ----------
    jobs
        The runs, each with its own seed and whole config (so any executor gives the same outcomes).
    where
        An entered executor (default: this process, one run after another).
    progress
        Called once after every finished run (a progress bar's advance).

    Returns
    -------
    dict of int to Outcome
        Each run's outcome with the tables its job asked for.

    Raises
    ------
    RunFailed
        A run raised: the study stops with that run's seed and error.
    """
    seeds: dict[int, int] = {}

    def noted(todo: Iterable[Job]) -> Iterator[Job]:
        for job in todo:
            seeds[job.run_id] = job.seed
            yield job

    out: dict[int, Outcome] = {}
    for outcome in (where or Serial()).results(noted(jobs)):
        if outcome is None:
            continue
        if outcome.status != "ok":
            raise RunFailed(f"run {outcome.run_id} (seed {seeds[outcome.run_id]}) failed: {outcome.error}")
        out[outcome.run_id] = outcome
        if progress is not None:
            progress()
    return out
