"""How a parameter is declared: every table of the schema (model/core/config.py) is built from these.

Each field carries its type, default, range, unit and a one-line description, read by scenario
files, ``--set`` overrides, the Python API, the dashboard and docs/ODD.md alike.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def param(default: Any, description: str, unit: str = "", **constraints: Any) -> Any:
    """A schema field with its unit kept beside the description (for docs and dashboard labels)."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **constraints)


class Strict(BaseModel):
    """Base for every table of the schema: unknown keys and silent type coercions are errors."""

    model_config = ConfigDict(strict=True, extra="forbid", validate_default=True)


def fraction(default: float, what: str) -> Any:
    """A share or probability: a number in [0, 1]."""
    return param(default, what, "0-1", ge=0.0, le=1.0, allow_inf_nan=False)


def concentration(default: float, what: str) -> Any:
    """The concentration of a Beta distribution around its mean (higher = more alike): above 0, at most 1,000."""
    return param(default, what, "", gt=0.0, le=1000.0, allow_inf_nan=False)
