"""The pieces every HTML report shares: one stylesheet, one base template, one way to embed a figure.

Reports are Jinja2 templates (autoescaped: a facilitator's notes or a scenario's title cannot inject
markup) that extend ``base.html.j2`` from this package's ``templates`` folder; a report in another
package (the dashboard's session report) passes its own templates folder to :func:`environment`.
Figures are PNG data URIs (``plots.png_data_uri``), so a report is one file that opens offline.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
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


def figure(fig: Any, alt: str, dpi: int = 100) -> Markup:
    """A matplotlib figure as an ``<img class="chart">`` with its PNG inline (the figure is closed)."""
    return Markup('<img class="chart" alt="{}" src="{}">').format(alt, png_data_uri(fig, dpi=dpi))
