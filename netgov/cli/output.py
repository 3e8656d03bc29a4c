"""What the command prints: the two consoles, one-line messages, values, tables and version records."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

# Off a terminal (pipes, CI logs) rich would squeeze tables into 80 columns and cut values.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


def say(line: str, kind: str = "error") -> None:
    """One ``netgov: error:`` (or ``warning:``) line on stderr, never wrapped, never read as markup."""
    err_console.print(f"netgov: {kind}: {line}", markup=False, highlight=False, soft_wrap=True)


def fmt(value: Any) -> str:
    """A value as a table shows it: booleans lower case, floats to three places, NaN as ``nan``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return "nan" if value != value else f"{value:.3f}"
    return str(value)


@dataclass(frozen=True)
class Col:
    """A column with rich's layout options (``justify``, ``overflow``, ``max_width``, ...); a plain name is
    a left-aligned column with rich's defaults."""

    name: str
    justify: str = "left"
    overflow: str = "ellipsis"
    no_wrap: bool = False
    min_width: int | None = None
    max_width: int | None = None


#: Ends a section of rows (a rule under the last one): put it between groups of rows.
SECTION = None


def show_table(
    title: str,
    columns: Sequence[str | Col],
    rows: Iterable[Sequence[Any] | None],
    *,
    caption: str | None = None,
    min_width: int | None = None,
    right: bool = False,
) -> None:
    """Print a table: every cell through :func:`fmt`, and nothing read as markup (values and sources hold
    [brackets]). ``right``: plain-name columns after the first are right-aligned (numbers)."""
    table = Table(title=escape(title), caption=caption and escape(caption), min_width=min_width)
    for i, col in enumerate(columns):
        spec = col if isinstance(col, Col) else Col(col, justify="right" if right and i else "left")
        table.add_column(
            escape(spec.name),
            justify=spec.justify,  # type: ignore[arg-type]
            overflow=spec.overflow,  # type: ignore[arg-type]
            no_wrap=spec.no_wrap,
            min_width=spec.min_width,
            max_width=spec.max_width,
        )
    pending: list[str] | None = None
    for row in rows:
        if row is SECTION:
            if pending is not None:
                table.add_row(*pending, end_section=True)
                pending = None
            continue
        if pending is not None:
            table.add_row(*pending)
        pending = [escape(fmt(cell)) for cell in row]
    if pending is not None:
        table.add_row(*pending)
    console.print(table)


def versions() -> dict[str, str | None]:
    """netgov, Mesa and Python versions, read from package metadata (importing Mesa would cost a second)."""
    from netgov.experiment.versions import versions as installed

    return installed("netgov", "mesa", "python")


def warn_inactive(scenario: Any) -> None:
    """One line per parameter the scenario or --set changed that has no effect under another one."""
    from netgov.model.describe import inactive

    for line in inactive(scenario.config, scenario.sources):
        say(line, "warning")


def progress_bar(label: str) -> Any:
    """A progress bar on stderr (runs done of the total, time left), for a command's own loop of runs."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err_console)
