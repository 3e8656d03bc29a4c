"""Ceilings on the size of a job, checked before anything starts (issue 17, item 4).

Every command that runs the model (run, compare, batch, sensitivity, validate, calibrate, and
``netgov.run`` / ``netgov.compare`` / ``netgov.differences``) counts what it is about to do first:
months per run, replications, design points, runs, and the work of one run (actors x months).
Above a ceiling it stops with one :class:`ConfigError` line naming the number, the ceiling and the
override (``--i-know`` on the command line, ``i_know=True`` in Python). The counts are computed
without expanding the design (a grid's product, Sobol's N*(D+2), a range's ``num`` or ``step``), so a
design of 10^15 points is refused in microseconds instead of dying with a ``MemoryError``.

The ceilings are soft: far beyond any study this model is meant for, well below what hangs a
laptop. The schema's own bounds (e.g. ``steps <= 100,000``) and the bounds of a spec's integers
(``samples``, ``num``, ``levels``, ``replications``, ``seed``) are hard and stay even with ``--i-know``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from netgov.model.core.errors import ConfigError

if TYPE_CHECKING:
    from netgov.experiment.spec import ExperimentSpec, Parameter
    from netgov.model.core.config import ModelConfig

#: Months of one run: 1,000 years, far past any governance horizon; ~3 s a 1,000 months at the defaults.
MAX_STEPS = 12_000
#: Replications: at 10,000 a 95% CI is 2% of one standard deviation wide; more cannot change a conclusion.
MAX_REPLICATIONS = 10_000
#: Design points of a spec (grid product, LHS samples, Sobol N*(D+2), Morris N*(D+1)): SALib and
#: scipy hold the whole design as floats, and every point is kept in memory as a dict.
MAX_POINTS = 100_000
#: Runs of one command (points x replications): each is a row in memory before it is written
#: (~1 KB), and a million runs is over a CPU-day at the default size.
MAX_RUNS = 1_000_000
#: Work of one run, actors (after ``scale``) x months: 0.5-3 us an actor-month, so ~2-10 minutes
#: of one core; a larger run also holds its actor table and ties in memory for all that time.
MAX_ACTOR_STEPS = 200_000_000
#: How long a Dask batch waits with no worker in the cluster before it stops (``--worker-timeout``;
#: finished runs are kept).
WORKER_TIMEOUT = 120.0

#: Local worker processes per CPU core (``--workers``): beyond a few per core they only queue for the CPU,
#: and each holds a model and its tables in memory (``--workers 1000`` on 2 cores started 50 processes, ~7 GB).
MAX_WORKERS_PER_CORE = 4

# Hard bounds: no --i-know lifts them. A count past these is a typo, and SALib and numpy would try to hold
# it in memory (``levels = 10**9`` died with a MemoryError, ``2**63 - 1`` with a ValueError).
#: The largest seed and master seed (numpy takes any; 64 bits is plenty and bounded).
MAX_SEED = 2**63 - 1
#: A spec's ``samples`` (``--samples``) and a range's ``num``: 100 times the design-point ceiling.
SAMPLES_BOUND = 10_000_000
#: A spec's ``replications``: 100 times the soft ceiling.
REPLICATIONS_BOUND = 1_000_000
#: Morris ``levels``: the grid each parameter is cut into (4 to 10 in practice).
LEVELS_BOUND = 1_000

OVERRIDE = "pass --i-know (i_know=True in Python) to run it anyway"


def check_integer(value: object, shown: str, lowest: int, highest: int | None = None, why: str = "") -> None:
    """An integer within its range, else one ConfigError line: ``shown`` (the flag or argument and its value,
    e.g. ``--reps 0`` or ``netgov.compare(reps=0)``), then what is allowed. A bool, a float (even ``2.0``) or
    NaN is not an integer."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    if whole and value >= lowest and (highest is None or value <= highest):  # type: ignore[operator]
        return
    allowed = f"from {lowest} to {highest}" if highest is not None else f">= {lowest}"
    raise ConfigError(f"{shown}: expected an integer {allowed}" + (f" ({why})" if why else ""))


def steps_bound() -> int:
    """The schema's hard bound on months of one run (``steps``)."""
    from netgov.model.core.schema_lookup import field_at, field_bounds

    return field_bounds(field_at("steps"))["le"]


def cores() -> int:
    """CPU cores this process may use (its affinity mask where the OS has one): the default worker count."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def check_workers(workers: int | None, flag: str = "--workers", i_know: bool = False) -> None:
    """Local worker processes: at least 1, at most :data:`MAX_WORKERS_PER_CORE` per core (None: one per core)."""
    if workers is None:
        return
    check_integer(workers, f"{flag} {workers}", 1)
    ceiling = MAX_WORKERS_PER_CORE * cores()
    if not i_know and workers > ceiling:
        raise _above(
            f"{flag} {workers}: {workers:,} worker processes on {cores()} cores",
            ceiling,
            "worker processes",
            "MAX_WORKERS_PER_CORE per core",
        )


def _above(what: str, ceiling: int, unit: str, name: str) -> ConfigError:
    return ConfigError(
        f"{what} is above the ceiling of {ceiling:,} {unit} ({name}, netgov/experiment/limits.py); {OVERRIDE}"
    )


def check_steps(steps: int, what: str = "--steps", i_know: bool = False) -> None:
    """Months of one run within :data:`MAX_STEPS`."""
    if not i_know and steps > MAX_STEPS:
        raise _above(f"{what} {steps}: {steps:,} months", MAX_STEPS, "months", "MAX_STEPS")


def check_replications(reps: int, what: str = "--reps", i_know: bool = False) -> None:
    """Replications within :data:`MAX_REPLICATIONS`."""
    if not i_know and reps > MAX_REPLICATIONS:
        raise _above(f"{what} {reps}: {reps:,} replications", MAX_REPLICATIONS, "replications", "MAX_REPLICATIONS")


def check_runs(runs: int, what: str, i_know: bool = False) -> None:
    """Runs of one command within :data:`MAX_RUNS`."""
    if not i_know and runs > MAX_RUNS:
        raise _above(f"{what} = {runs:,} runs", MAX_RUNS, "runs", "MAX_RUNS")


def actors(config: ModelConfig) -> int:
    """Actors of a run after ``scale`` (``netgov.agents.population.scaled_counts``)."""
    from netgov.agents.population import scaled_counts

    return sum(scaled_counts(config).values())


def check_work(
    config: ModelConfig, steps: int | None = None, what: str = "run", i_know: bool = False, flag: str = "--steps"
) -> None:
    """One run's months and actors x months within :data:`MAX_STEPS` and :data:`MAX_ACTOR_STEPS` (``flag``: how
    an error names ``steps`` when it was given)."""
    months = config.steps if steps is None else steps
    check_steps(months, flag if steps is not None else f"{what}: steps =", i_know)
    n = actors(config)
    if not i_know and n * months > MAX_ACTOR_STEPS:
        raise _above(
            f"{what}: {n:,} actors x {months:,} months = {n * months:,} actor-months",
            MAX_ACTOR_STEPS,
            "actor-months",
            "MAX_ACTOR_STEPS",
        )


def check_configs(
    configs: Iterable[ModelConfig],
    reps: int,
    steps: int | None,
    what: str,
    i_know: bool,
    flags: tuple[str, str] = ("--reps", "--steps"),
) -> None:
    """A command that runs every config ``reps`` times (compare, validate, the Python API); ``flags``: how an
    error names ``reps`` and ``steps``."""
    configs = list(configs)
    check_replications(reps, flags[0], i_know)
    check_runs(reps * len(configs), f"{what}: {reps:,} replications x {len(configs)} configurations", i_know)
    for cfg in configs:
        check_work(cfg, steps, what, i_know, flags[1])


# -- experiment specs, counted without expanding them ------------------------------------------


def grid_size(p: Parameter) -> int | float:
    """How many values a grid visits for ``p`` (``math.inf`` if a step is too small to count)."""
    if p.values:
        return len(p.values)
    if p.num is not None:
        return p.num
    assert p.low is not None and p.high is not None and p.step is not None
    ratio = (p.high - p.low) / p.step + 1e-9
    return math.floor(ratio) + 1 if math.isfinite(ratio) else math.inf


def design_size(spec: ExperimentSpec) -> int | float:
    """Design points of ``spec``, computed the way its sampler would make them, without making them."""
    d = len(spec.parameters)
    n = spec.samples or 0
    if spec.sampler == "lhs":
        return n
    if spec.sampler == "sobol":
        return n * (d + 2)  # calc_second_order=False
    if spec.sampler == "morris":
        return n * (d + 1)
    size: int | float = 1
    for p in spec.parameters:
        size *= grid_size(p)
    return size


def _highest(p: Parameter) -> float | None:
    """The largest value ``p`` can take (None if it is not a number)."""
    if p.values:
        nums = [v for v in p.values if isinstance(v, int | float) and not isinstance(v, bool)]
        return max(nums) if nums else None
    if p.high is not None:
        return p.high
    if p.mean is not None and p.sd is not None:  # an untruncated normal: six sd cover any sample
        return p.mean + 6 * p.sd
    return None


def largest_run(spec: ExperimentSpec, cfg: ModelConfig | None = None) -> ModelConfig:
    """A policy's config (default: the base) with every varied count (``actors.*``, ``scale``, ``steps``) at its
    largest (a bound)."""
    from netgov.model.core.schema_lookup import field_at, field_bounds

    cfg = spec.scenario.config if cfg is None else cfg
    actors_update: dict[str, Any] = {}
    update: dict[str, Any] = {}
    for p in spec.parameters:
        if not (p.key.startswith("actors.") or p.key in ("scale", "steps")):
            continue
        top = _highest(p)
        if top is None or not math.isfinite(top):
            continue
        info = field_at(p.key)
        le = field_bounds(info).get("le") if info is not None else None
        top = min(top, le) if le is not None else top  # beyond the schema the run fails, it does not run
        if p.key.startswith("actors."):
            actors_update[p.key.split(".", 1)[1]] = max(top, getattr(cfg.actors, p.key.split(".", 1)[1], 0))
        else:
            update[p.key] = math.ceil(top) if p.key == "steps" else top
    if actors_update:
        update["actors"] = cfg.actors.model_copy(update=actors_update)
    return cfg.model_copy(update=update) if update else cfg


def check_spec(spec: ExperimentSpec, i_know: bool = False) -> None:
    """A spec's replications, design points, runs and largest run, before its design is expanded."""
    where = spec.label
    points = design_size(spec)
    if not math.isfinite(points):  # a step too small to count: no override can expand it
        raise ConfigError(f"{where}: a range's step is too small for its min and max; the grid cannot be built")
    check_replications(spec.replications, f"{where}: replications =", i_know)
    if not i_know and points > MAX_POINTS:
        raise _above(f"{where}: a {spec.sampler} design of {points:,} points", MAX_POINTS, "points", "MAX_POINTS")
    runs = int(points) * spec.replications * len(spec.policies)
    policies = f" x {len(spec.policies):,} policies" if len(spec.policies) > 1 else ""
    check_runs(runs, f"{where}: {points:,} points{policies} x {spec.replications:,} replications", i_know)
    for policy in spec.policies:
        check_work(largest_run(spec, policy.scenario.config), None, f"{where}: the largest run", i_know)
