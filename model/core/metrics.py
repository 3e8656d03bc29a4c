"""Metrics as pure functions: each takes plain numbers or arrays and returns a number.

Formulas are in the docstrings and in docs/ODD.md; tests check each one against values
computed by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike


def _entropy(counts: ArrayLike) -> float:
    c = np.asarray(counts, dtype=float)
    total = c.sum()
    if total <= 0:
        return 0.0
    p = c[c > 0] / total
    return float(-(p * np.log(p)).sum())


def inclusiveness(group_counts: ArrayLike, affected_counts: ArrayLike) -> float:
    """How well the participants' group mix mirrors the population the issue affects:
    1 − ½ Σ_g |s_g − a_g|, with s_g the share of group g among participants and a_g its share
    of the affected population (every actor: a global policy binds them all, eligible or not).

    1 = the network looks like the affected population; 0 = no overlap; NaN = nobody took part.
    """
    s = np.asarray(group_counts, dtype=float)
    a = np.asarray(affected_counts, dtype=float)
    if s.sum() <= 0 or a.sum() <= 0:
        return float("nan")
    return float(1.0 - 0.5 * np.abs(s / s.sum() - a / a.sum()).sum())


def group_coverage(group_counts: ArrayLike) -> float:
    """Share of stakeholder groups with at least one participant: #{g : n_g > 0} / G."""
    c = np.asarray(group_counts)
    return float((c > 0).mean()) if c.size else 0.0


def regional_balance(region_counts: ArrayLike, reference: ArrayLike) -> float:
    """1 − ½ Σ_r |s_r − q_r|: one minus the dissimilarity between participants' regional
    shares s and the reference shares q (both normalised to sum to 1).

    1 = participants mirror the reference exactly; 0 = no overlap at all; NaN = nobody took part.
    """
    c = np.asarray(region_counts, dtype=float)
    q = np.asarray(reference, dtype=float)
    if c.sum() <= 0 or q.sum() <= 0:
        return float("nan")
    s = c / c.sum()
    q = q / q.sum()
    return float(1.0 - 0.5 * np.abs(s - q).sum())


def regional_evenness(region_counts: Sequence[float] | np.ndarray) -> float:
    """Normalised Shannon entropy of participants over regions (1 = all regions equal)."""
    r = len(region_counts)
    return _entropy(region_counts) / np.log(r) if r > 1 else 0.0


def winning_table[P: Hashable](players: Iterable[P], is_winning: Callable[[frozenset[P]], bool]) -> np.ndarray:
    """Every coalition of a simple game and whether it wins: entry ``mask`` is W of the coalition of the players
    whose bits are set in ``mask`` (player i is bit i), 2^n entries. The games below read this table."""
    ps = list(players)
    return np.array(
        [bool(is_winning(frozenset(p for i, p in enumerate(ps) if mask >> i & 1))) for mask in range(1 << len(ps))],
        dtype=bool,
    )


def _bits(won: np.ndarray) -> np.ndarray:
    """Each player's bit in a winning table's coalition masks."""
    n = won.size.bit_length() - 1
    if won.size != 1 << n:
        raise ValueError(f"a winning table has 2^n entries, not {won.size}")
    return 1 << np.arange(n)


def banzhaf_indices(won: ArrayLike) -> np.ndarray:
    """Normalised Banzhaf index of each player of a simple game, from its :func:`winning_table`.

    A player's swing count η_i is the number of coalitions S ∌ i with S losing and S ∪ {i} winning;
    β_i = η_i / Σ_j η_j. If no player ever swings (no coalition can win, or every coalition wins), every
    index is 0. Counted over every S at once: where i is already in S, S ∪ {i} = S cannot both lose and win.
    """
    table = np.asarray(won, dtype=bool)
    bits = _bits(table)
    coalitions = np.arange(table.size)[:, None]
    swings = (~table[:, None] & table[coalitions | bits]).sum(axis=0)
    total = swings.sum()
    return swings / total if total else np.zeros(bits.size)


def vetoes(won: ArrayLike) -> np.ndarray:
    """Which players can each stop an outcome that everyone else supports, from a :func:`winning_table`:
    W(N) and not W(N ∖ {i}). (In a game nobody can win, nobody blocks: it is paralysed.)"""
    table = np.asarray(won, dtype=bool)
    everyone = table.size - 1
    return table[everyone] & ~table[everyone ^ _bits(table)]


def passes_alone(won: ArrayLike) -> bool:
    """Whether some single player can pass an outcome on its own, from a :func:`winning_table`: ∃ i with W({i})."""
    table = np.asarray(won, dtype=bool)
    return bool(table[_bits(table)].any())


def banzhaf_power[P: Hashable](players: Iterable[P], is_winning: Callable[[frozenset[P]], bool]) -> dict[P, float]:
    """Normalised Banzhaf index of each player (:func:`banzhaf_indices`), by exact enumeration: 2^n calls of
    ``is_winning``."""
    ps = list(players)
    return dict(zip(ps, banzhaf_indices(winning_table(ps, is_winning)).tolist(), strict=True))


def can_pass_alone[P: Hashable](players: Iterable[P], is_winning: Callable[[frozenset[P]], bool]) -> bool:
    """True if some single player can pass an outcome on its own (:func:`passes_alone`)."""
    return passes_alone(winning_table(players, is_winning))


def veto_players[P: Hashable](players: Iterable[P], is_winning: Callable[[frozenset[P]], bool]) -> frozenset[P]:
    """The players who can each stop an outcome that everyone else supports (:func:`vetoes`)."""
    ps = list(players)
    return frozenset(p for p, veto in zip(ps, vetoes(winning_table(ps, is_winning)), strict=True) if veto)


def formal_power(powers: Iterable[Mapping[Any, float]]) -> float:
    """The largest a-priori (Banzhaf) power of any single bloc across the given games
    (stakeholder groups as blocs, regions as blocs): max_game max_i β_i.

    What the rule lets one bloc do if it voted as one, not what happened: 1 = one bloc holds all the power;
    1/k = k blocs share it equally; NaN = nobody can win (no bloc ever swings), which is paralysis.
    """
    best = max((max(p.values(), default=0.0) for p in powers), default=0.0)
    return best if best > 0 else float("nan")


def legitimacy_parts(
    voice: np.ndarray,
    stances: np.ndarray,
    outcome: float,
    transparency: float,
    weights: tuple[float, float, float] = (0.4, 0.4, 0.2),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each actor's rating of an outcome, participant or not, and its two parts:

    procedural P_i = (w_v · voice_i + w_t · T) / (w_v + w_t), substantive S_i = 1 − |x_i − o|,
    overall L_i = (w_v · voice_i + w_c · S_i + w_t · T) / (w_v + w_c + w_t),

    where voice_i ∈ [0, 1] is ½·[own group took part] + ½·[own region took part], x_i the actor's stance,
    o the outcome, T the process's transparency in [0, 1]. (L is P and S mixed in proportion
    (w_v + w_t) : w_c.) A part whose weights are all 0 is NaN.
    """
    wv, wc, wt = weights
    voice = np.asarray(voice, dtype=float)
    substantive = 1.0 - np.abs(np.asarray(stances, dtype=float) - outcome)
    procedural = (wv * voice + wt * transparency) / (wv + wt) if wv + wt > 0 else np.full(voice.shape, np.nan)
    overall = (wv * voice + wc * substantive + wt * transparency) / (wv + wc + wt)
    return overall, procedural, substantive


def legitimacy(ratings: ArrayLike) -> float:
    """Mean rating over all actors: (1/N) Σ_i L_i."""
    r = np.asarray(ratings, dtype=float)
    return float(r.mean()) if r.size else float("nan")


def gap(outcomes: ArrayLike, stances: ArrayLike) -> float:
    """How far the outcome lands from where a set of actors stands: (1/J) Σ_j |o_j − median_i x_ij| over the
    issue's aspects j (``stances``: aspects x actors). Over every actor it is the ``outcome_gap``; over the
    host region's, the ``host_gap``. NaN for no actors."""
    x = np.atleast_2d(np.asarray(stances, dtype=float))
    if x.shape[1] == 0:
        return float("nan")
    return float(np.abs(np.asarray(outcomes, dtype=float) - _row_medians(x)).mean())


def bloc_medians(stances: ArrayLike, labels: ArrayLike) -> np.ndarray:
    """Median stance of each bloc on each aspect: (aspects, blocs) for labels 0..max (NaN for an empty bloc;
    negative labels belong to no bloc). The actors are put in bloc order once, so each bloc is a slice."""
    x = np.atleast_2d(np.asarray(stances, dtype=float))
    labels = np.asarray(labels)
    k = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    out = np.full((x.shape[0], k), np.nan)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(k + 1))  # bloc b: bounds[b] up to bounds[b + 1]
    by_bloc = x[:, order]
    for b in range(k):
        if bounds[b + 1] > bounds[b]:
            out[:, b] = _row_medians(by_bloc[:, bounds[b] : bounds[b + 1]])
    return out


def _row_medians(x: np.ndarray) -> np.ndarray:
    """``np.median(x, axis=1)`` bit for bit (the middle value, or the mean of the middle two, and NaN for a row
    with a NaN, or with no values), without its general machinery or its warning on an empty row: the model
    takes a median per bloc and aspect every decision."""
    if x.shape[1] == 0:
        return np.full(x.shape[0], np.nan)
    half = x.shape[1] // 2
    if x.shape[1] % 2:
        middle = np.partition(x, half, axis=1)[:, half]
    else:
        part = np.partition(x, (half - 1, half), axis=1)
        middle = (part[:, half - 1] + part[:, half]) / 2
    return np.where(np.isnan(x).any(axis=1), np.nan, middle)


def worst_gap(outcomes: ArrayLike, medians: ArrayLike) -> float:
    """How far the outcome lands from the worst-off bloc: max_b (1/J) Σ_j |o_j − m_bj|, with m_bj the median
    stance of bloc b's actors on aspect j (``medians``: aspects x blocs, the :func:`bloc_medians` of every
    affected actor, present or not). NaN when there is no bloc."""
    m = np.asarray(medians, dtype=float)
    if m.size == 0 or np.isnan(m).all():
        return float("nan")
    gaps = np.abs(m - np.asarray(outcomes, dtype=float)[:, None]).mean(axis=0)
    return float(np.nanmax(gaps))


#: A bloc whose median lies within this distance of the whole population's does not stand apart: an outcome
#: cannot be pulled toward it (see :func:`capture`).
DISTINCT = 0.05


def capture(outcomes: ArrayLike, stances: ArrayLike, medians: Iterable[ArrayLike], distinct: float = DISTINCT) -> float:
    """How far the outcome was pulled toward one bloc beyond where the affected population as a whole stands.

    For bloc b (a stakeholder group or a region) on aspect j, with m_j the median stance of every affected
    actor and b_j the bloc's median, the pull is (|m_j − b_j| − |o_j − b_j|) / |m_j − b_j|, clipped to
    [0, 1]: the share of the way from the population's position to the bloc's that the outcome went
    (0 where the bloc stands within ``distinct`` of the population). Capture is the largest bloc's pull,
    averaged over aspects: 0 = no bloc favoured (the outcome at the population's median, or between),
    1 = the outcome at one bloc's own position. ``stances``: aspects x every affected actor; ``medians``: the
    :func:`bloc_medians` of those stances for each way of forming blocs (the same tables :func:`worst_gap`
    reads, so a decision takes each bloc's median once).
    """
    x = np.atleast_2d(np.asarray(stances, dtype=float))
    o = np.asarray(outcomes, dtype=float)[:, None]
    m = _row_medians(x)[:, None]
    best = 0.0
    for b in medians:
        apart = np.abs(m - b)
        with np.errstate(invalid="ignore", divide="ignore"):
            pull = np.clip((apart - np.abs(o - b)) / apart, 0.0, 1.0)
        pull = np.where(apart >= distinct, pull, 0.0)  # NaN (empty bloc) and close blocs pull nothing
        best = max(best, float(pull.mean(axis=0).max(initial=0.0)))
    return best


def prepared_share(notice_period: float, mean_prep: ArrayLike) -> np.ndarray:
    """The share of its preparation each actor can do in the notice given: 1 − exp(−n / m_i).

    An actor's preparation takes an exponentially distributed time with mean m_i months, so
    this is the chance it is done in n months: every month of notice helps, each a little less
    (diminishing returns). m_i = 0 (nothing to prepare) gives 1.
    """
    m = np.asarray(mean_prep, dtype=float)
    return np.where(m > 0, -np.expm1(-notice_period / np.where(m > 0, m, 1.0)), 1.0)


def minority_gap(outcomes: ArrayLike, stances: np.ndarray) -> float:
    """How far the outcome lands from those who said no: mean over the minority's actors i and the
    issue's aspects j of |x_ij − o_j| (``stances``: aspects x minority actors). NaN: no minority."""
    x = np.asarray(stances, dtype=float)
    if x.size == 0:
        return float("nan")
    return float(np.abs(x - np.asarray(outcomes, dtype=float)[:, None]).mean())


def notice_sufficiency(prepared: ArrayLike) -> float:
    """Mean share of preparation the eligible actors could do before the meeting: (1/N) Σ_i s_i."""
    s = np.asarray(prepared, dtype=float)
    return float(s.mean()) if s.size else float("nan")


def mean_ci(values: ArrayLike, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and a Student-t confidence interval (lo, hi) of a sample, NaNs dropped."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if x.size < 2:
        return m, m, m
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return m, m - half, m + half


#: Resamples of :func:`mean_ci_bootstrap` (the interval's ends are stable to about 0.001 of the spread).
RESAMPLES = 9999


def mean_ci_bootstrap(
    values: ArrayLike, seed: int = 0, level: float = 0.95, resamples: int = RESAMPLES
) -> tuple[float, float, float]:
    """Mean and a percentile-bootstrap confidence interval (lo, hi) of a sample, NaNs dropped.

    The interval's ends are means of resampled values, so it never leaves the range the values can take
    (a share's stays in [0, 1], a count's above 0), where a Student-t interval can (a share's 1.03). It is
    reproducible: the resamples come from a generator seeded with ``seed`` (scipy.stats.bootstrap). With
    few values it is narrower than it should be: report ``n`` beside it.
    """
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    if x.size < 2 or np.all(x == x[0]):  # a constant sample: a point (its mean could round off the value)
        return float(x[0]), float(x[0]), float(x[0])
    m = float(x.mean())
    ci = stats.bootstrap(
        (x,),
        np.mean,
        confidence_level=level,
        n_resamples=resamples,
        method="percentile",
        rng=np.random.default_rng(seed),
    ).confidence_interval
    return m, float(ci.low), float(ci.high)


__all__ = [
    "banzhaf_indices",
    "banzhaf_power",
    "bloc_medians",
    "can_pass_alone",
    "capture",
    "formal_power",
    "gap",
    "group_coverage",
    "inclusiveness",
    "legitimacy",
    "legitimacy_parts",
    "mean_ci",
    "mean_ci_bootstrap",
    "minority_gap",
    "notice_sufficiency",
    "passes_alone",
    "prepared_share",
    "regional_balance",
    "regional_evenness",
    "veto_players",
    "vetoes",
    "winning_table",
    "worst_gap",
]
