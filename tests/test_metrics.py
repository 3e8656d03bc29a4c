"""Every metric against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from netgov.model.core import metrics
from netgov.model.core.catalog import UN_MEMBERSHIP


def test_inclusiveness_hand_values() -> None:
    """1 - dissimilarity between the participants' group mix and the affected population's."""
    population = [2, 1, 1, 0, 1]  # shares (.4, .2, .2, 0, .2)
    assert metrics.inclusiveness([4, 2, 2, 0, 2], population) == pytest.approx(1.0)
    # only the first group: |1 - .4| + .2 + .2 + 0 + .2 = 1.2 -> 1 - .6 = .4 (its share of the population)
    assert metrics.inclusiveness([9, 0, 0, 0, 0], population) == pytest.approx(0.4)
    # the fourth group is not in the population at all: s = (0, 0, 0, 1, 0) -> no overlap
    assert metrics.inclusiveness([0, 0, 0, 3, 0], population) == pytest.approx(0.0)
    # s = (.5, .5, 0, 0, 0): |.1| + |.3| + .2 + 0 + .2 = .8 -> .6
    assert metrics.inclusiveness([3, 3, 0, 0, 0], population) == pytest.approx(0.6)
    # equal groups against an unequal population is not full inclusiveness (entropy would say 1)
    assert metrics.inclusiveness([1, 1, 1, 1, 1], [193, 150, 100, 80, 11]) < 0.9
    assert math.isnan(metrics.inclusiveness([0, 0, 0, 0, 0], population))  # nobody: nothing to measure


def test_group_coverage() -> None:
    assert metrics.group_coverage([3, 0, 1, 0, 2]) == pytest.approx(0.6)
    assert metrics.group_coverage([0, 0, 0, 0, 0]) == 0.0


def test_regional_balance_hand_values() -> None:
    # s = (.5, .5, 0, 0, 0), q = (.25, .25, .25, .25, 0): dissimilarity = 1/2 (4 x .25) = .5
    assert metrics.regional_balance([1, 1, 0, 0, 0], [1, 1, 1, 1, 0]) == pytest.approx(0.5)
    un = list(UN_MEMBERSHIP.values())
    assert metrics.regional_balance(un, un) == pytest.approx(1.0)
    # all participants from one region, reference UN membership: 1 - 1/2 (1 - 54/193 + 139/193) = 54/193
    assert metrics.regional_balance([7, 0, 0, 0, 0], un) == pytest.approx(54 / 193)
    assert math.isnan(metrics.regional_balance([0, 0, 0, 0, 0], un))  # nobody: nothing to measure


def test_regional_evenness() -> None:
    assert metrics.regional_evenness([2, 2, 2, 2, 2]) == pytest.approx(1.0)
    assert metrics.regional_evenness([1, 0, 0, 0, 0]) == pytest.approx(0.0)
    assert metrics.regional_evenness([1, 1, 0, 0, 0]) == pytest.approx(math.log(2) / math.log(5))


def weighted_game(weights: dict[str, int], quota: int):
    return lambda coalition: sum(weights[p] for p in coalition) >= quota


def test_banzhaf_eec_council_1958() -> None:
    """Council of the EEC, 1958: weights F 4, D 4, I 4, B 2, N 2, L 1, quota 12 of 17.

    Felsenthal & Machover (1998), *The Measurement of Voting Power*, sect. 2.3 (also
    Banzhaf 1965): raw swings 10, 10, 10, 6, 6, 0 -> normalised 5/21, 5/21, 5/21, 1/7, 1/7, 0;
    Luxembourg is a dummy player.
    """
    w = {"F": 4, "D": 4, "I": 4, "B": 2, "N": 2, "L": 1}
    power = metrics.banzhaf_power(w, weighted_game(w, 12))
    for big in "FDI":
        assert power[big] == pytest.approx(5 / 21)
    for mid in "BN":
        assert power[mid] == pytest.approx(1 / 7)
    assert power["L"] == 0.0
    assert sum(power.values()) == pytest.approx(1.0)


def test_banzhaf_small_party_equal_power() -> None:
    """[51; 49, 49, 2]: any two parties win, so the 2-seat party has the same power (1/3 each)."""
    w = {"A": 49, "B": 49, "C": 2}
    power = metrics.banzhaf_power(w, weighted_game(w, 51))
    assert power == pytest.approx({"A": 1 / 3, "B": 1 / 3, "C": 1 / 3})


def test_banzhaf_no_winning_coalition_gives_zero() -> None:
    assert metrics.banzhaf_power(["a", "b"], lambda c: False) == {"a": 0.0, "b": 0.0}


def test_pass_block_alone_and_capture() -> None:
    w = {"A": 60, "B": 40}
    game = weighted_game(w, 51)
    assert metrics.can_pass_alone(w, game) is True
    assert metrics.veto_players(w, game) == {"A"}  # A blocks what B alone supports
    assert metrics.banzhaf_power(w, game) == {"A": 1.0, "B": 0.0}
    unanimity = lambda c: len(c) == 2  # noqa: E731
    assert metrics.can_pass_alone(["x", "y"], unanimity) is False
    assert metrics.veto_players(["x", "y"], unanimity) == {"x", "y"}  # each holds a veto
    # [51; 34, 33, 33]: any two pass, nobody alone can pass or block
    w3 = {"a": 34, "b": 33, "c": 33}
    assert metrics.can_pass_alone(w3, weighted_game(w3, 51)) is False
    assert metrics.veto_players(w3, weighted_game(w3, 51)) == frozenset()
    # nothing can pass: nobody blocks either (the game is paralysed)
    assert metrics.veto_players(["x", "y"], lambda c: False) == frozenset()
    assert metrics.formal_power([{"a": 0.2, "b": 0.8}, {"r": 0.5, "s": 0.5}]) == pytest.approx(0.8)
    assert math.isnan(metrics.formal_power([{"a": 0.0, "b": 0.0}, {}]))  # no bloc ever swings: paralysis, not 0


def test_games_read_from_their_winning_table() -> None:
    """The table lists coalitions by bit mask (player i is bit i): a two-player unanimity game wins only at 0b11."""
    unanimity = metrics.winning_table(["x", "y"], lambda c: len(c) == 2)
    assert unanimity.tolist() == [False, False, False, True]
    assert metrics.banzhaf_indices(unanimity).tolist() == [0.5, 0.5]
    assert metrics.vetoes(unanimity).tolist() == [True, True] and not metrics.passes_alone(unanimity)
    dictator = [False, True, False, True]  # x wins with or without y
    assert metrics.banzhaf_indices(dictator).tolist() == [1.0, 0.0]
    assert metrics.vetoes(dictator).tolist() == [True, False] and metrics.passes_alone(dictator)
    with pytest.raises(ValueError, match="2\\^n entries, not 3"):
        metrics.banzhaf_indices([True, False, True])


def test_minority_gap_hand_values() -> None:
    # two aspects decided at .6 and .2; the minority's stances (rows: aspects, columns: actors)
    stances = np.array([[0.1, 0.9], [0.2, 0.6]])
    # |.1-.6| + |.9-.6| + |.2-.2| + |.6-.2| = .5 + .3 + 0 + .4 = 1.2, over 4 = .3
    assert metrics.minority_gap([0.6, 0.2], stances) == pytest.approx(0.3)
    assert math.isnan(metrics.minority_gap([0.6, 0.2], np.zeros((2, 0))))  # no minority


def test_legitimacy_hand_values() -> None:
    voice = np.array([1.0, 0.5, 0.0])
    stances = np.array([0.5, 0.2, 1.0])
    r, proc, subst = metrics.legitimacy_parts(voice, stances, outcome=0.5, transparency=0.6, weights=(0.4, 0.4, 0.2))
    # 0.4*1 + 0.4*1 + 0.2*0.6 = .92; 0.4*.5 + 0.4*.7 + .12 = .60; 0 + 0.4*.5 + .12 = .32
    assert r == pytest.approx([0.92, 0.60, 0.32])
    assert metrics.legitimacy(r) == pytest.approx((0.92 + 0.60 + 0.32) / 3)
    # procedural: (0.4 voice + 0.2 * 0.6) / 0.6 = .8667, .5333, .2; substantive: 1 - |x - .5| = 1, .7, .5
    assert proc == pytest.approx([0.52 / 0.6, 0.32 / 0.6, 0.12 / 0.6])
    assert subst == pytest.approx([1.0, 0.7, 0.5])
    # the overall rating is the two parts mixed (w_v + w_t) : w_c = 0.6 : 0.4
    assert r == pytest.approx(0.6 * proc + 0.4 * subst)


def test_worst_gap_hand_values() -> None:
    # two aspects decided at .6 and .2; actors 0-1 are bloc 0, actors 2-4 bloc 1, actor 5 in no bloc
    stances = np.array([[0.2, 0.4, 0.9, 0.8, 0.7, 0.0], [0.2, 0.2, 0.5, 0.6, 0.4, 0.0]])
    labels = np.array([0, 0, 1, 1, 1, -1])
    # bloc medians: aspect 1 (.3, .8), aspect 2 (.2, .5); gaps bloc 0: (|.6-.3| + |.2-.2|) / 2 = .15,
    # bloc 1: (|.6-.8| + |.2-.5|) / 2 = .25 -> the worst-off bloc is 1
    assert metrics.bloc_medians(stances, labels) == pytest.approx(np.array([[0.3, 0.8], [0.2, 0.5]]))
    assert metrics.worst_gap([0.6, 0.2], metrics.bloc_medians(stances, labels)) == pytest.approx(0.25)
    assert math.isnan(metrics.worst_gap([0.6], metrics.bloc_medians(stances[:1], np.full(6, -1))))  # no bloc


@settings(max_examples=200, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 3), st.integers(0, 30)),
        elements=st.sampled_from([0.0, 0.25, 0.5, 0.7, 1.0, np.nan]),
    ),
    st.data(),
)
def test_bloc_medians_are_numpys_medians_bit_for_bit(stances: np.ndarray, data: st.DataObject) -> None:
    """Each bloc's median is np.median's exact value: odd and even blocs, ties, and NaN for a bloc with a NaN; so is
    the whole population's, which the outcome gap and capture read."""
    labels = np.array(data.draw(st.lists(st.integers(-1, 5), min_size=stances.shape[1], max_size=stances.shape[1])))
    got = metrics.bloc_medians(stances, labels)
    for b in range(got.shape[1]):
        expected = np.median(stances[:, labels == b], axis=1) if (labels == b).any() else np.full(len(stances), np.nan)
        assert np.array_equal(got[:, b], expected, equal_nan=True), b
    if stances.shape[1]:
        outcomes = np.full(len(stances), 0.6)
        expected_gap = float(np.abs(outcomes - np.median(stances, axis=1)).mean())
        assert np.array_equal(metrics.gap(outcomes, stances), expected_gap, equal_nan=True)


def test_capture_hand_values() -> None:
    # one aspect; everyone's median .5; bloc 0 (actors 0-2) stands at .8, bloc 1 (actors 3-5) at .4
    stances = np.array([[0.8, 0.8, 0.8, 0.4, 0.4, 0.5, 0.5, 0.5, 0.5]])
    labels = np.array([0, 0, 0, 1, 1, 1, -1, -1, -1])
    blocs = [metrics.bloc_medians(stances, labels)]
    # outcome at the population's median: no bloc favoured
    assert metrics.capture([0.5], stances, blocs) == 0.0
    # outcome at .65: half the way from .5 to bloc 0's .8 -> (.3 - .15) / .3 = .5
    assert metrics.capture([0.65], stances, blocs) == pytest.approx(0.5)
    # outcome at bloc 0's own position: 1; beyond it, still no more than 1
    assert metrics.capture([0.8], stances, blocs) == pytest.approx(1.0)
    assert metrics.capture([0.95], stances, blocs) == pytest.approx(0.5)  # overshoots: (.3 - .15) / .3
    # the other way: at .42, most of the way to bloc 1's .4 -> (.1 - .02) / .1 = .8; at .3, past it: 0
    assert metrics.capture([0.42], stances, blocs) == pytest.approx(0.8)
    assert metrics.capture([0.3], stances, blocs) == 0.0
    # a bloc within DISTINCT (.05) of the population pulls nothing: the same actors, bloc 1 at .46
    close = stances.copy()
    close[0, 3:5] = 0.46
    assert metrics.capture([0.46], close, [metrics.bloc_medians(close, labels)]) == 0.0
    # the largest pull over several bloc partitions
    other = np.array([-1, -1, -1, -1, -1, -1, 0, 0, 0])  # bloc at .5: not apart from the population
    assert metrics.capture([0.65], stances, [metrics.bloc_medians(stances, other), *blocs]) == pytest.approx(0.5)


def test_outcome_gap_and_notice_sufficiency() -> None:
    assert metrics.gap([0.7], [[0.1, 0.5, 0.9]]) == pytest.approx(0.2)
    # two aspects: (|.7 - .5| + |.2 - .4|) / 2 = .2; nobody: NaN
    assert metrics.gap([0.7, 0.2], [[0.1, 0.5, 0.9], [0.4, 0.4, 0.0]]) == pytest.approx(0.2)
    assert math.isnan(metrics.gap([0.7], np.zeros((1, 0))))
    # mean preparation 3 months, 3 months' notice: 1 - e^-1 = .632121; 6 months: 1 - e^-2 = .864665
    assert metrics.prepared_share(3, [3.0])[0] == pytest.approx(0.632121, abs=1e-6)
    assert metrics.prepared_share(6, [3.0])[0] == pytest.approx(0.864665, abs=1e-6)
    assert metrics.prepared_share(0, [3.0])[0] == 0.0
    assert metrics.prepared_share(2, [0.0])[0] == 1.0  # nothing to prepare
    assert metrics.notice_sufficiency([0.2, 0.4, 0.9]) == pytest.approx(0.5)
    assert math.isnan(metrics.notice_sufficiency([]))


def test_notice_helps_every_month_with_diminishing_returns() -> None:
    """Graded notice: each extra month raises the share prepared, and each by less than the one before."""
    shares = [float(metrics.prepared_share(n, [2.5])[0]) for n in range(0, 13)]
    gains = np.diff(shares)
    assert (gains > 0).all()
    assert (np.diff(gains) < 0).all()


def test_mean_ci_matches_t_interval() -> None:
    mean, lo, hi = metrics.mean_ci([1.0, 2.0, 3.0, 4.0])
    # sd = 1.29099, se = .645497, t(.975, 3) = 3.182446 -> half-width 2.054260
    assert mean == pytest.approx(2.5)
    assert hi - mean == pytest.approx(2.054260, abs=1e-5)
    assert mean - lo == pytest.approx(2.054260, abs=1e-5)
