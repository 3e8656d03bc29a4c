"""The calibrated ensemble: parameter sets with weights, one drawn per replication (``--ensemble``).

A policy contrast run on one parameter point hides how uncertain that point is. With an ensemble,
replication r of every design draws the same parameter set (drawn by weight from a stream of its own,
keyed by master seed and replication), so designs stay paired and the contrast's interval includes
the calibration's uncertainty. A scenario's own settings win over a draw (``loader.in_world``): a
body's membership is part of its design, not of the world.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netgov.model.core.config import nest
from netgov.model.core.errors import ConfigError
from netgov.model.core.schema_lookup import field_at, validate_config
from netgov.scenarios.loader import SCENARIO_DIR

#: The shipped ensemble, written by ``netgov calibrate`` (``--ensemble calibrated``).
SHIPPED = SCENARIO_DIR / "validation" / "ensemble.parquet"
SHIPPED_NAME = "calibrated"
#: Keeps the ensemble's draws apart from every run's own streams (the model spawns those from its seed).
STREAM = 0xE45E
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class Ensemble:
    """Weighted parameter sets (columns: dotted schema keys, plus ``weight``)."""

    table: pd.DataFrame
    path: Path

    @property
    def keys(self) -> list[str]:
        return [c for c in self.table.columns if c not in ("weight", "generation")]

    @classmethod
    def load(cls, ref: str | Path, flag: str = "--ensemble") -> Ensemble:
        """``calibrated`` (the shipped ensemble) or a Parquet file; every problem is one ConfigError line."""
        path = SHIPPED if str(ref) == SHIPPED_NAME else Path(ref)
        if path.suffix != ".parquet":
            raise ConfigError(
                f"{flag} {ref}: expected `{SHIPPED_NAME}` or a .parquet file (netgov calibrate writes one)"
            )
        if not path.is_file():
            raise ConfigError(f"{flag} {ref}: no such file")
        try:
            table = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise ConfigError(f"{flag} {path}: not a readable Parquet file ({exc.__class__.__name__})") from None
        if "weight" not in table.columns:
            raise ConfigError(f"{flag} {path}: no `weight` column (columns: {', '.join(map(str, table.columns))})")
        if not 1 <= len(table) <= MAX_ROWS:
            raise ConfigError(f"{flag} {path}: {len(table):,} parameter sets; expected 1 to {MAX_ROWS:,}")
        w = pd.to_numeric(table["weight"], errors="coerce").to_numpy(dtype=float)
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ConfigError(f"{flag} {path}: weight must be finite, >= 0 and not all 0")
        ens = cls(table.reset_index(drop=True), path)
        for key in ens.keys:
            if field_at(key) is None:
                raise ConfigError(f"{flag} {path}: column {key!r} is not a parameter (`netgov params` lists them)")
        for i in range(len(table)):  # every row must make a valid config, before any run starts
            validate_config(nest(ens.row(i)), f"{flag} {path} (row {i})")
        return ens

    def row(self, i: int) -> dict[str, Any]:
        """Parameter set ``i`` as plain Python values (schema fields are strict about int vs float)."""
        return {k: self.table[k].iloc[i].item() for k in self.keys}

    def index(self, seed: int, replication: int) -> int:
        """Which parameter set replication ``replication`` of master seed ``seed`` draws (by weight)."""
        w = self.table["weight"].to_numpy(dtype=float)
        rng = np.random.default_rng(np.random.SeedSequence([seed, replication, STREAM]))
        return int(rng.choice(len(w), p=w / w.sum()))

    def draw(self, seed: int, replication: int) -> dict[str, Any]:
        return self.row(self.index(seed, replication))
