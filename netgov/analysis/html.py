"""The pieces every HTML report shares: one stylesheet, one base template, one way to embed a figure and a
table, and one way to write a report's files (whole or not at all).

Reports are Jinja2 templates (autoescaped: a facilitator's notes or a scenario's title cannot inject
markup) that extend ``base.html.j2`` from this package's ``templates`` folder; a report in another
package (the dashboard's session report) passes its own templates folder to :func:`environment`.
Figures are PNG data URIs (``plots.png_data_uri``), so a report is one file that opens offline.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from netgov.analysis.plots import png_data_uri


@cache
def stylesheet() -> str:
    """The reports' one stylesheet (screen and print)."""
    return files("netgov.analysis").joinpath("templates", "report.css").read_text(encoding="utf-8")


def environment(*packages: str) -> jinja2.Environment:
    """A Jinja2 environment over the templates of ``packages`` (each a package with a ``templates``
    folder) and the shared base template; ``figure`` and ``stylesheet`` are there as globals."""
    loaders = [jinja2.PackageLoader(p, "templates") for p in (*packages, "netgov.analysis")]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(figure=figure, stylesheet=stylesheet)
    return env


def table_html(df: Any, digits: int = 3) -> Markup:
    """A table (a DataFrame) as HTML: cells escaped, numbers to ``digits`` significant figures; put it in a
    ``.scroll`` card so a wide one scrolls there instead of running past the page."""
    return Markup(
        df.to_html(index=False, float_format=lambda v: f"{v:.{digits}g}", na_rep="NaN", border=0, classes="data")
    )


def figure(fig: Any, alt: str, dpi: int = 100) -> Markup:
    """A matplotlib figure as an ``<img class="chart">`` with its PNG inline (the figure is closed)."""
    return Markup('<img class="chart" alt="{}" src="{}">').format(alt, png_data_uri(fig, dpi=dpi))


@contextmanager
def whole(out: Path, names: Sequence[str]) -> Iterator[Callable[..., Path]]:
    """Write a report's files (and folders) whole or not at all, as one: the previous report's (``names`` in
    ``out``) are removed first; the block writes each to the hidden path ``temp(name)`` gives (``temp(name,
    folder=True)`` for a folder); when it ends each is renamed into place (files through
    :func:`netgov.experiment.files.atomic`: fsynced first). If the block fails, every temporary goes too, so
    a report whose batch changed never keeps the old report beside it, and none is left half-written."""
    import shutil
    from contextlib import ExitStack

    from netgov.experiment.files import atomic

    for name in names:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    folders: dict[str, Path] = {}
    with ExitStack() as files:

        def temp(name: str, folder: bool = False) -> Path:
            if not folder:
                return files.enter_context(atomic(out / name))
            folders[name] = out / f".{name}.tmp-{os.getpid()}"
            folders[name].mkdir()
            return folders[name]

        try:
            yield temp
        except BaseException:
            for path in folders.values():
                shutil.rmtree(path, ignore_errors=True)
            raise
    for name, path in folders.items():
        os.replace(path, out / name)
