"""``netgov params`` and ``netgov explain``: the schema and the metric contract, read from the tool itself."""

from __future__ import annotations

from typing import Annotated

import typer

from netgov.cli.output import Col, console, fmt, show_table
from netgov.model.core.errors import ConfigError

app = typer.Typer()


@app.command()
def params(
    pattern: Annotated[
        str, typer.Argument(help="filter: a glob on the name (participation.*) or a word in the name or meaning")
    ] = "",
) -> None:
    """Every parameter with its type, default, range, unit and meaning (from the schema)."""
    from netgov.model.describe import parameters

    rows = parameters(pattern)
    if not rows:
        raise ConfigError(f"no parameter matches {pattern!r}; `netgov params` lists them all")
    show_table(
        f"netgov parameters{f' matching {pattern!r}' if pattern else ''} ({len(rows)})",
        [Col(c, overflow="fold") for c in ("name", "type", "default", "range", "unit", "meaning")],
        [(p.name, p.type, p.default, p.range, p.unit, p.meaning) for p in rows],
    )
    console.print("`netgov explain NAME` says more about one of them; docs/ODD.md has the equations.")


@app.command()
def explain(
    name: Annotated[str, typer.Argument(help="a parameter (e.g. notice_period) or a metric (a per-step column)")],
) -> None:
    """What a parameter or a metric means, its range, what moves it, and where docs/ODD.md describes it."""
    import difflib

    from netgov.model.core.contract import STEP_COLUMNS
    from netgov.model.describe import metric, parameter, parameters

    col = metric(name)
    if col is not None:
        console.print(f"{col.name} (metric, a column of the per-step table; {col.dtype})", highlight=False)
        for label, text in (
            ("definition", col.meaning),
            ("values", col.values),
            ("moved by", col.moved_by),
            ("better", col.better or "neither (not a judgement)"),
            ("see", f"docs/ODD.md {col.section}"),
        ):
            console.print(f"  {label}: {text}", markup=False, highlight=False)
        return
    p = parameter(name)
    if p is None:
        known = [q.name for q in parameters()] + list(STEP_COLUMNS)
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(close)}?" if close else "`netgov params` lists every parameter"
        raise ConfigError(f"{name!r} is neither a parameter nor a metric; {hint}")
    console.print(f"{p.name} (parameter, {p.type})", highlight=False)
    for label, text in (
        ("meaning", p.meaning),
        ("default", fmt(p.default)),
        ("allowed", p.range + (f" ({p.unit})" if p.unit else "")),
        ("set it", f"--set {p.name}=VALUE, or `{p.name} = VALUE` in a scenario file"),
        ("see", f"docs/ODD.md {p.section}"),
    ):
        console.print(f"  {label}: {text}", markup=False, highlight=False)
