"""``netgov params`` and ``netgov explain``: the schema, the metric contract, the choices, the glossary and what
moves what (docs/mechanisms.md), read from the tool itself. Nothing here loads pandas or the model."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Annotated

import typer

from netgov.cli.output import Col, console, fmt, show_table
from netgov.model.core.errors import ConfigError

if TYPE_CHECKING:
    from netgov.analysis.mechanisms import Contrast
    from netgov.model.describe import ParameterInfo

app = typer.Typer()

#: How many contrasts `explain METRIC` lists (the largest effects first).
TOP_MOVERS = 6


@app.command()
def params(
    pattern: Annotated[
        str,
        typer.Argument(
            help="filter: a topic (notice, participation, ...), a glob on the name (participation.*) "
            "or a word in the name or meaning"
        ),
    ] = "",
    brief: Annotated[bool, typer.Option("--brief", help="one screen: each topic's heading and its names")] = False,
) -> None:
    """Every parameter by topic, with its type, default, range, unit and meaning (from the schema)."""
    from netgov.model.describe import TOPICS, parameters, topic_of

    rows = parameters(pattern)
    if not rows:
        raise ConfigError(f"no parameter matches {pattern!r}; `netgov params` lists them all")
    by_topic: dict[str, list[ParameterInfo]] = {t: [] for t in TOPICS}
    for p in rows:
        by_topic[topic_of(p.name)].append(p)
    shown = f" matching {pattern!r}" if pattern else ""
    folded = "; a table's leaves as name.*" if brief else ""
    console.print(f"netgov parameters{shown} by topic ({len(rows)}{folded})", markup=False, highlight=False)
    if brief:
        for topic, found in by_topic.items():
            if found:
                console.print(f"{topic} ({len(found)}): {TOPICS[topic][0]}", markup=False, highlight=False)
                _print_wrapped(", ".join(_collapsed(found)), "  ")
    else:
        for topic, found in by_topic.items():
            if found:
                show_table(
                    f"{topic}: {TOPICS[topic][0]} ({len(found)})",
                    [Col(c, overflow="fold") for c in ("name", "type", "default", "range", "unit", "meaning")],
                    [(p.name, p.type, p.default, p.range, p.unit, p.meaning) for p in found],
                )
    console.print(
        "`netgov params TOPIC` lists one topic; `netgov explain NAME` says more about one parameter, and what it "
        "moves; docs/ODD.md has the equations.",
        highlight=False,
    )


def _collapsed(found: list[ParameterInfo]) -> list[str]:
    """Parameter names, a table's leaves folded into ``table.* (n)``."""
    counts: dict[str, int] = {}
    for p in found:
        head = p.name.split(".")[0] + (".*" if "." in p.name else "")
        counts[head] = counts.get(head, 0) + 1
    return [f"{name} ({n})" if name.endswith(".*") else name for name, n in counts.items()]


def _print_wrapped(text: str, indent: str = "    ") -> None:
    width = max(60, min(console.width, 110))
    console.print(
        textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent), markup=False, highlight=False
    )


def _line(label: str, text: str, indent: str = "  ") -> None:
    _print_wrapped(f"{label}: {text}", indent)


@app.command()
def explain(
    name: Annotated[
        str,
        typer.Argument(
            help="a parameter (notice_period), a metric (capture), a choice (concurrent_groups_regions, "
            "external_process, governments_only) or a term (banzhaf, log-odds, 'paired difference'); "
            "none: what can be explained"
        ),
    ] = "",
) -> None:
    """What a parameter, metric, choice or term means; for a parameter or a choice, the metrics it moves (sign,
    size and 95% CI from docs/mechanisms.md, and why); for a metric, what moves it most."""
    from netgov.analysis.glossary import CHOICES, GLOSSARY, choice, term
    from netgov.model.describe import metric, parameter

    if not name:
        console.print("netgov explain NAME: NAME is one of", highlight=False)
        _line("a parameter", "`netgov params --brief` lists them by topic")
        _line("a metric", "a column of the per-step table (`netgov run` prints them)")
        for kind, values in CHOICES.items():
            _line(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}", ", ".join(values))
        _line("a term", ", ".join(GLOSSARY))
        return
    col, p, choices, t = metric(name), parameter(name), choice(name), term(name)
    if col is None and p is None and not choices and t is None:
        _unknown(name)
    if col is not None:
        console.print(f"{col.name} (metric, a column of the per-step table; {col.dtype})", highlight=False)
        for label, text in (
            ("definition", col.meaning),
            ("values", col.values),
            ("moved by", col.moved_by),
            ("better", col.better or "neither (not a judgement)"),
            ("see", f"docs/ODD.md {col.section}"),
        ):
            _line(label, text)
        _movers(col.name)
    if p is not None:
        _parameter(p)
    for c in choices:
        where = dict.fromkeys(re.sub(r"^venues\.[^.]+\.", "venues.<venue>.", f) for f in c.fields)
        article = "an" if c.kind[0] in "aeiou" else "a"
        console.print(f"{c.value} ({article} {c.kind}; set in {', '.join(where)})", highlight=False)
        _line("meaning", c.meaning)
        contrasts = {x.name: x for f in c.fields for x in _changing(f, c.value)}
        _moves(list(contrasts.values()))
    if t is not None:
        console.print(f"{t.name} (glossary)", highlight=False)
        _line("in plain words", t.plain)
        _line("worked example", t.worked())
        _line("see", t.see)


def _unknown(name: str) -> None:
    import difflib

    from netgov.analysis.glossary import ALIASES, CHOICES, GLOSSARY
    from netgov.model.core.contract import STEP_COLUMNS
    from netgov.model.describe import parameters

    known = [q.name for q in parameters()] + list(STEP_COLUMNS) + [v for vs in CHOICES.values() for v in vs]
    close = difflib.get_close_matches(name, [*known, *GLOSSARY, *ALIASES], n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}?" if close else "`netgov explain` lists what it can explain"
    raise ConfigError(f"{name!r} is not a parameter, a metric, a choice or a term; {hint}")


def _parameter(p: ParameterInfo) -> None:
    from netgov.analysis.glossary import choice

    console.print(f"{p.name} (parameter, {p.type})", highlight=False)
    for label, text in (
        ("meaning", p.meaning),
        ("default", fmt(p.default)),
        ("allowed", p.range + (f" ({p.unit})" if p.unit else "")),
        ("set it", f"--set {p.name}=VALUE, or `{p.name} = VALUE` in a scenario file"),
        ("see", f"docs/ODD.md {p.section}"),
    ):
        _line(label, text)
    if p.type == "choice":
        values = re.findall(r"'([^']+)'", p.range)
        console.print("  values:", highlight=False)
        for v in values:
            meaning = next((c.meaning for c in choice(v) if p.name in c.fields), "")
            _line(v, meaning, "    ")
    _moves(_changing(p.name))


def _changing(key: str, value: object = None) -> list[Contrast]:
    from netgov.analysis.mechanisms import changing

    return changing(key, value)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z])", text, maxsplit=1)[0]


def _moves(contrasts: list[Contrast]) -> None:
    """Each contrast: what changed, why (its causal path's first sentence), and each claimed metric's paired
    difference on docs/mechanisms.md."""
    from netgov.analysis.mechanisms import PAGE, measured

    if not contrasts:
        _line(
            "what it moves",
            "docs/mechanisms.md has no contrast that changes it alone; measure it with "
            "`netgov compare` on two scenarios, or `netgov sensitivity`",
        )
        return
    page = measured()
    source = (
        "docs/mechanisms.md, alternative − base, mean [95% CI] over paired replications"
        if page
        else f"the claims of netgov/analysis/mechanisms.toml ({PAGE} is not here: its measured sizes are in a "
        "source checkout)"
    )
    console.print(f"  what it moves ({source}):", highlight=False)
    for c in contrasts:
        changed = "; ".join(f"{k}: {_shown(b)} → {_shown(a)}" for k, (b, a) in c.varied().items())
        where = f", scenario {c.scenario}" if c.scenario else ""
        _print_wrapped(f"• {c.name} ({changed}{where})", "    ")
        _line("why", _first_sentence(c.path), "      ")
        effects = page.get(c.name, {})
        for cl in c.claims:
            e = effects.get(cl.metric)
            size = str(e) if e is not None else ("rises" if cl.direction > 0 else "falls")
            flag = (
                ""
                if e is None or e.holds
                else "  (negligible: below the metric's minimum effect size)"
                if e.negligible
                else "  (the page's interval reaches 0)"
            )
            flag += "  († partly issues still open at the end)" if e is not None and e.censored else ""
            _print_wrapped(f"{cl.metric} {size}, {cl.label}{flag}", "      ")


def _shown(v: object) -> str:
    return "(scenario's)" if v is None else fmt(v)


def _movers(metric_name: str) -> None:
    from netgov.analysis.mechanisms import measured, movers

    if not measured():
        return
    found = movers(metric_name)
    if not found:
        _line("moved most by", "no contrast on docs/mechanisms.md claims an effect on it")
        return
    console.print(
        f"  moved most by (docs/mechanisms.md; the {min(TOP_MOVERS, len(found))} largest of {len(found)} claimed "
        "effects that hold, alternative − base, mean [95% CI]):",
        highlight=False,
    )
    for c, e in found[:TOP_MOVERS]:
        changed = "; ".join(f"{k}: {_shown(b)} → {_shown(a)}" for k, (b, a) in c.varied().items())
        _print_wrapped(f"{e}, {c.label(metric_name)}: {c.name} ({changed or 'two designs'})", "    ")
