"""A Vega-Lite chart widget for a page that redraws every step.

Solara's ``VegaLite`` embeds a new Vega view for every new spec, after a 100 ms debounce, and leaves
the old view and its resize observer running: a step cost a full re-embed, and a tab open for an hour
got slower. :class:`Chart` takes the spec and its data apart: ``spec`` refers to named datasets
(``{"data": {"name": "metrics"}}``) and ``datasets`` holds their rows. When only the rows change, the
browser puts them into the running view; a new spec embeds a new view and finalizes the old one
(``chart.vue``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import solara
import traitlets

#: Identifies the spec's language to the browser's vega-embed (a name, never fetched).
VEGA_LITE = "https://vega.github.io/schema/vega-lite/v5.json"
#: Most months a chart holds (older months are thinned out, the latest kept): what the browser receives
#: and draws each step stays the same however long the tab stays open.
MAX_ROWS = 60


class Opaque:
    """A spec or a chart's datasets as one value: Solara's renderer (reacton) walks every list and dict
    among a component's arguments looking for elements, which cost more than the rest of a step once the
    charts held a few hundred rows. Equal when the JSON it stands for is equal (nothing is re-sent)."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and self.data == other.data

    __hash__ = None  # type: ignore[assignment]


def _opaque() -> Any:
    return traitlets.Instance(Opaque, args=({},)).tag(
        sync=True, to_json=lambda value, _widget: value.data, from_json=lambda data, _widget: Opaque(data)
    )


class Chart(solara.widgets.VegaLite):
    """Vega-Lite with its data by name; a click on a mark calls ``on_click(datum)`` (``listen_to_click``)."""

    template_file = str(Path(__file__).with_name("chart.vue"))
    spec = _opaque()
    datasets = _opaque()


def thin(steps: list[int], keep: int = MAX_ROWS) -> set[int]:
    """At most about ``keep`` of the months ``steps`` (sorted): all of them while there are few, else every
    k-th month and the last one, so a long run keeps its shape and its latest value."""
    if len(steps) <= keep:
        return set(steps)
    stride = -(-len(steps) // keep)
    return set(steps[::stride]) | {steps[-1]}


def columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows as columns ({field: values}): a third of the JSON, and far less for ipywidgets to walk through
    before it sends a state (``chart.vue`` turns them back into rows)."""
    fields = list(rows[0]) if rows else []
    return {f: [r[f] for r in rows] for f in fields}


def draw(spec: dict[str, Any], datasets: dict[str, list[dict[str, Any]]], **kwargs: Any) -> Any:
    """The chart element for ``spec`` over ``datasets`` (each a list of rows)."""
    data = {name: columns(rows) for name, rows in datasets.items()}
    return Chart.element(spec=Opaque(spec), datasets=Opaque(data), **kwargs)
