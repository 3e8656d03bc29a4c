"""`netgov explain` says what moves what (read from docs/mechanisms.md), every choice value and the glossary in
plain words with worked numbers; `netgov params` by topic, and its one-screen `--brief`."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_mechanisms import page

from netgov.analysis.glossary import CHOICES, GLOSSARY, choice, choice_fields, kind_of, term
from netgov.analysis.mechanisms import CONTRASTS, PAGE, changing, measured, movers
from netgov.model.core.config import ModelConfig
from netgov.model.core.contract import STEP_COLUMNS
from netgov.model.core.metrics import banzhaf_power, bloc_medians, capture, inclusiveness, legitimacy_parts
from netgov.model.describe import TOPICS, parameters, topic_of


def test_the_page_reads_back_as_it_was_rendered() -> None:
    """Every effect read from docs/mechanisms.md renders to the very row the page shows (the reader inverts
    docs/mechanisms.py's `row`)."""
    text = PAGE.read_text(encoding="utf-8")
    effects = measured()
    assert set(effects) == {c.name for c in CONTRASTS}
    reps = int(text.split("Both are run ")[1].split(" times")[0])
    for c in CONTRASTS:
        assert len(effects[c.name]) == len(STEP_COLUMNS) - 1, c.name
        for m, e in effects[c.name].items():
            r = {
                "claimed": e.claimed,
                "n": e.n,
                "diff_mean": e.mean,
                "diff_lo": e.lo,
                "diff_hi": e.hi,
                "holds": e.holds,
                "negligible": e.negligible,
            }
            assert page.row(m, r, reps, e.label, e.censored) in text, (c.name, m)
            assert e.claimed == c.claimed(m) and e.label == c.label(m)


def test_explain_a_parameter_gives_each_contrast_its_why_and_the_page_numbers(run_netgov) -> None:
    out = run_netgov("explain", "notice_period").stdout
    found = changing("notice_period")
    assert len(found) >= 3
    flat = " ".join(out.split())
    for c in found:
        assert c.name in flat
        assert " ".join(c.path.split(". ")[0].split()[:8]) in flat  # the causal path's first words
        for cl in c.claims:
            assert f"{cl.metric} {measured()[c.name][cl.metric]}, {cl.label}" in flat


def test_explain_a_metric_lists_what_moves_it_most_largest_first(run_netgov) -> None:
    found = movers("capture")
    assert len(found) >= 3 and all(e.holds for _, e in found)
    sizes = [abs(e.mean) for _, e in found]
    assert sizes == sorted(sizes, reverse=True)
    flat = " ".join(run_netgov("explain", "capture").stdout.split())
    assert "moved most by" in flat
    for c, e in found[:3]:
        assert f"{e}, {c.label('capture')}: {c.name}" in flat


def test_every_parameter_metric_and_choice_value_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    """The command's own function, called for each name (the command line around it is tested above)."""
    from netgov.cli.reference import explain

    values = {v for _, choices in choice_fields() for v in choices}
    names = [p.name for p in parameters()] + list(STEP_COLUMNS) + sorted(values)
    moved = {k for c in CONTRASTS for k in c.varied()}
    for name in names:
        explain(name)
        out = capsys.readouterr().out
        assert any(w in out for w in ("meaning: ", "definition: ")), name
        if name in moved:
            assert "what it moves (docs/mechanisms.md" in out, name


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        ("concurrent_groups_regions", {"decision rule"}),
        ("consensus", {"decision rule"}),
        ("rough_consensus", {"decision rule"}),
        ("intergovernmental", {"routing", "venue"}),
        ("external_process", {"venue"}),
        ("igf", {"venue"}),
        ("open", {"participation rule", "attendance"}),
        ("governments_only", {"participation rule"}),
        ("configured", {"decision rule"}),
        ("states", {"standing"}),
        ("significant_part", {"standing"}),
    ],
)
def test_a_choice_value_says_each_of_its_meanings(run_netgov, value: str, kinds: set[str]) -> None:
    assert {c.kind for c in choice(value)} == kinds
    out = run_netgov("explain", value).stdout
    for c in choice(value):
        assert " ".join(c.meaning.split()[:10]) in " ".join(out.split())


def test_every_choice_of_the_schema_has_a_kind_and_a_meaning() -> None:
    for dotted, choices in choice_fields():
        kind = kind_of(choices)
        for v in choices:
            assert CHOICES[kind][v].strip(), (dotted, v)
    assert "significant part" in CHOICES["decision rule"]["consensus"]
    assert "objection_threshold" in CHOICES["decision rule"]["rough_consensus"]


@pytest.mark.parametrize(
    "name",
    [
        "banzhaf",
        "dissimilarity",
        "log-odds",
        "paired difference",
        "common random numbers",
        "narrowed",
        "capture",
        "formal_power",
        "procedural_legitimacy",
        "substantive_legitimacy",
        "Banzhaf power",
        "paired_difference",
        "crn",
    ],
)
def test_the_glossary_explains_each_term_with_a_worked_number(run_netgov, name: str) -> None:
    t = term(name)
    assert t is not None
    out = run_netgov("explain", name).stdout
    assert "in plain words: " in out and "worked example: " in out
    assert any(ch.isdigit() for ch in t.worked())


def test_the_worked_numbers_are_the_models() -> None:
    """Each worked example's number, recomputed here by hand or by the metric it illustrates."""
    assert "A 0.60, B 0.20, C 0.20" in GLOSSARY["banzhaf"].worked()
    seats = {"A": 50, "B": 30, "C": 20}
    assert banzhaf_power(seats, lambda s: sum(seats[p] for p in s) > 50) == pytest.approx(
        {"A": 0.6, "B": 0.2, "C": 0.2}
    )
    assert inclusiveness((6, 2, 2, 0, 0), (1, 1, 1, 1, 0)) == pytest.approx(0.65)  # 1 - (.35+.05+.05+.25)/2
    assert "inclusiveness is 1 − 0.35 = 0.65" in GLOSSARY["dissimilarity"].worked()
    p = ModelConfig().participation
    odds = GLOSSARY["log-odds"].worked()
    assert f"{1 / (1 + math.exp(-p.intercept)):.1%}" in odds
    assert f"{1 / (1 + math.exp(-(p.intercept + p.relevance))):.1%}" in odds
    stances = np.array([[0.8, 0.8, 0.8, 0.2, 0.2, 0.2]])
    value = capture([0.71], stances, [bloc_medians(stances, np.array([0, 0, 0, 1, 1, 1]))])
    assert value == pytest.approx((0.3 - 0.09) / 0.3) and f"capture is {value:.2f}" in GLOSSARY["capture"].worked()
    w = ModelConfig().legitimacy
    _, procedural, _ = legitimacy_parts(
        np.array([0.5]), np.array([0.3]), 0.7, 0.55, (w.voice, w.closeness, w.transparency)
    )
    assert procedural[0] == pytest.approx((w.voice * 0.5 + w.transparency * 0.55) / (w.voice + w.transparency))
    assert f"procedural legitimacy is {procedural[0]:.3f}" in GLOSSARY["legitimacy"].worked()
    assert "(0.6 + 0.7 + 0.3) / 3 = 0.533" in GLOSSARY["narrowed"].worked()
    effect = measured()["1 months' notice instead of 0"]["participation_rate"]
    assert str(effect) in GLOSSARY["paired difference"].worked()


def test_explain_alone_lists_what_it_can_explain(run_netgov) -> None:
    out = run_netgov("explain").stdout
    assert "concurrent_groups_regions" in out and "banzhaf" in out and "external_process" in out


def test_an_unknown_name_is_one_line_with_a_suggestion(run_netgov) -> None:
    done = run_netgov("explain", "concurent_groups_regions")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "did you mean concurrent_groups_regions" in done.stderr


def test_every_parameter_has_one_topic() -> None:
    assert {topic_of(p.name) for p in parameters()} == set(TOPICS)
    assert {"participation", "notice", "venues", "decision", "positions", "adaptation", "population"} <= set(TOPICS)
    assert [p.name for p in parameters("notice")][:3] == ["notice_period", "background_quality", "base_prep_time"]


def test_params_groups_by_topic_and_brief_fits_one_screen(run_netgov) -> None:
    full = run_netgov("params").stdout
    for topic, (heading, _) in TOPICS.items():
        assert f"{topic}: {heading[:40]}" in " ".join(full.split())
    brief = run_netgov("params", "--brief").stdout
    assert len(brief.splitlines()) <= 40
    for topic in TOPICS:
        assert any(line.startswith(f"{topic} (") for line in brief.splitlines()), topic
    assert "positions.* (" in brief and "notice_period" in brief
