"""Exact vertex enumeration of many small games at once, in int64 arithmetic (numba).

The batched engine (:mod:`negotiation.solvers.batch`) hands every game whose float
decisions are not certain to the exact solver, and every *degenerate* game is such a game:
in a sweep they are common (an action that does nothing without an offer gives a pure
strategy two best responses), and :func:`negotiation.solvers.exact.solve_exact` costs about
half a millisecond each in Python. :func:`solve_integer_games` runs the *same* enumeration
compiled over many games, so its answer is the exact solver's, field for field:

1. Each game's matrices are scaled to positive integers exactly as exact.py does
   (:func:`positive_integers`: shift so the least entry is 1, then the least common
   multiple of the denominators; the result is the unique primitive integer matrix
   proportional to the shifted one).
2. For every basis of each best-response polytope (support ``K``, tight set ``T``,
   ``|K| = |T| = k``, in exact.py's order) the system ``S z = 1`` is solved by Cramer's
   rule in integers (von Stengel, "Equilibrium computation for two-player games in
   strategic and extensive form", ch. 3 of Nisan et al., *Algorithmic Game Theory*, 2007,
   Algorithm 3.5; Avis, Rosenberg, Savani and von Stengel, *Economic Theory* 42, 2010),
   kept if every numerator is >= 0 and every row's slack ``sum_t S_it num_t <= det``; its
   labels (zero coordinates, tight rows) form a bitmask.
3. A vertex is the only point where all its tight constraints hold (they have full rank),
   so two bases give the same vertex exactly when their label sets are equal: vertices are
   deduplicated by bitmask. The game is degenerate when a vertex has more labels than the
   polytope's dimension; the extreme equilibria are the vertex pairs whose masks cover all
   ``m + n`` labels, normalised and ordered in Python with :class:`~fractions.Fraction`
   exactly as exact.py orders them (by ``-x``, then ``-y``; the order depends only on the
   set of equilibria, not on the order the bases are visited in).

Overflow: with entries in ``[1, M]`` every determinant of a ``r x r`` submatrix, with or
without a column replaced by ones, is computed by expansion over column subsets (each
partial sum is a sum of at most ``r!`` products of ``r`` entries), so it stays below
``r! M^r``; a slack adds ``k`` products of an entry and a numerator, below
``k * k! * M^(k+1)`` with ``k = min(m, n)``. :func:`fits` checks that this bound is at
most ``2**63 - 1`` for each game up front; games beyond it stay on the Python solver.
Label masks need ``m + n <= 62``.

Numba is imported with this module; :mod:`negotiation.solvers.batch` imports it only when
a batch has enough such games to repay loading it.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

from negotiation.model.payoffs import Game
from negotiation.model.scenario import Matrix
from negotiation.solvers.exact import ExactSolution, Vector

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Largest value of an int64.
INT64_MAX = 2**63 - 1

#: Most labels a game may have (bits of an int64 mask, sign bit spared).
MAX_LABELS = 62

_F = TypeVar("_F", bound=Callable[..., Any])


def _compiled(function: _F) -> _F:
    """``numba.njit`` with an on-disk cache, typed for mypy."""
    return cast(_F, numba.njit(cache=True)(function))


def bound(k: int, largest: int) -> int:
    """Largest magnitude of any quantity of the enumeration: ``k * k! * largest**(k + 1)``.

    ``k`` is ``min(m, n)`` and ``largest`` the largest entry of the positive integer
    matrices (module docstring).

    >>> bound(2, 10)
    4000
    """
    return k * math.factorial(k) * math.prod([largest] * (k + 1))


def fits(k: int, largest: int) -> bool:
    """Whether a game with ``min(m, n) = k`` and entries in [1, ``largest``] fits in int64.

    >>> fits(3, 10**4), fits(3, 10**5)
    (True, False)
    """
    return bound(k, largest) <= INT64_MAX


def positive_integers(M: Matrix) -> list[int]:
    """``M`` shifted to least entry 1 and scaled to integers, flat, as exact.py does.

    exact.py's matrix is ``w * lcm(denominators of w)`` for ``w = M - min(M) + 1``; it is
    the primitive integer matrix proportional to ``w`` (its entries have gcd 1, since the
    least common multiple is the least scale making ``w`` integral), so it equals
    ``D w / gcd(D w)`` for any ``D`` making ``D w`` integral. Here ``D`` is the lcm of the
    entries' denominators and everything is Python integer arithmetic.

    >>> positive_integers(Game.from_arrays([[Fraction(1, 2), 0]], [[0, 0]]).A)
    [3, 2]
    """
    flat = [Fraction(v) for row in M for v in row]
    scale = math.lcm(*(v.denominator for v in flat))
    ints = [v.numerator * (scale // v.denominator) for v in flat]
    low = min(ints)
    shifted = [x - low + scale for x in ints]
    divisor = math.gcd(*shifted)
    return [x // divisor for x in shifted]


def integer_games(games: Sequence[Game]) -> tuple[IntArray, IntArray, BoolArray]:
    """Games as exact.py's positive integer matrices (N, m, n), and which fit in int64.

    Entries of games that do not fit (:func:`fits`) are left 0; all games share a shape.
    """
    N = len(games)
    m, n = games[0].shape if N else (1, 1)
    A = np.zeros((N, m, n), dtype=np.int64)
    B = np.zeros((N, m, n), dtype=np.int64)
    ok = np.zeros(N, dtype=bool)
    k = min(m, n)
    limit = _largest_allowed(k)
    if m + n > MAX_LABELS:
        return A, B, ok
    for g, game in enumerate(games):
        a, b = positive_integers(game.A), positive_integers(game.B)
        if max(max(a), max(b)) <= limit:
            A[g].flat[:] = a
            B[g].flat[:] = b
            ok[g] = True
    return A, B, ok


def scaled_integer_games(
    X: IntArray, L: int, valid: BoolArray
) -> tuple[IntArray, IntArray, BoolArray]:
    """:func:`integer_games` of games given as integers over a common denominator.

    ``X`` (N, 2, m, n) int64 holds ``L`` times each game's payoffs (player 1, player 2)
    for the games marked ``valid``, with ``|X| <= 2**60`` and ``1 <= L <= 2**60`` (as
    :meth:`negotiation.studies.family.GameFamily.integers` gives them). Returns exact.py's
    positive integer matrices ``A``, ``B`` and which games fit in int64, like
    :func:`integer_games` of the games ``X / L``, without building them in Fractions.

    Why it is the same matrix: with ``P = X / L``, exact.py scales ``w = P - min(P) + 1``
    to the primitive integer matrix proportional to it (:func:`positive_integers`). Here
    ``Y = X - min(X) + L = L * w`` is an integer matrix proportional to ``w`` with positive
    entries, so ``Y / gcd(Y)`` is that primitive matrix (two primitive positive integer
    matrices proportional to each other are equal). ``Y <= 2**61 + 2**60`` fits in int64.
    Games not ``valid``, not within :func:`fits` or with more than :data:`MAX_LABELS`
    labels are marked not fitting (entries 0).
    """
    N, _, m, n = X.shape
    ok = np.asarray(valid, dtype=bool).copy()
    if m + n > MAX_LABELS or not 1 <= L <= 2**60:
        ok[:] = False
    limit = _largest_allowed(min(m, n))
    scaled = []
    for p in range(2):
        M = np.where(ok[:, None, None], X[:, p], 0).reshape(N, -1)
        Y = M - M.min(axis=1)[:, None] + L
        Y = Y // np.gcd.reduce(Y, axis=1)[:, None]
        ok &= Y.max(axis=1) <= limit
        scaled.append(Y.reshape(N, m, n))
    A, B = (np.where(ok[:, None, None], Y, 0) for Y in scaled)
    return A, B, ok


def _largest_allowed(k: int) -> int:
    """The largest entry ``M`` with :func:`fits` (k, M), by bisection on exact integers."""
    low, high = 1, 2
    while fits(k, high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(k, middle) else (low, middle)
    return low


def _bases(dim: int, rows: int) -> tuple[IntArray, IntArray, IntArray]:
    """Every basis (support of ``dim``, tight set of ``rows``) in exact.py's order.

    Returns the supports and tight sets padded with -1 to ``min(dim, rows)`` columns, and
    the size of each basis.
    """
    kmax = min(dim, rows)
    supports, tights, sizes = [], [], []
    for size in range(1, kmax + 1):
        for support in itertools.combinations(range(dim), size):
            for tight in itertools.combinations(range(rows), size):
                supports.append([*support, *[-1] * (kmax - size)])
                tights.append([*tight, *[-1] * (kmax - size)])
                sizes.append(size)
    return (
        np.array(supports, dtype=np.int64),
        np.array(tights, dtype=np.int64),
        np.array(sizes, dtype=np.int64),
    )


def solve_integer_games(A: IntArray, B: IntArray) -> list[ExactSolution]:
    """:func:`negotiation.solvers.exact.solve_exact` of each game given as integers.

    ``A`` and ``B`` (N, m, n) hold positive integer matrices, each game within
    :func:`fits` (as :func:`integer_games` gives them); the result of game ``g`` equals
    ``solve_exact`` of any game whose matrices are positive affine images of them (the
    same strategies in the same order, the same pairs, the same degenerate flag).

    >>> A = np.array([[[2, 0], [0, 2]]]) + 1  # matching pennies, shifted
    >>> ((x, y),) = solve_integer_games(A, 4 - A)[0].equilibria
    >>> [str(p) for p in x + y]
    ['1/2', '1/2', '1/2', '1/2']
    """
    A = np.ascontiguousarray(A, dtype=np.int64)
    B = np.ascontiguousarray(B, dtype=np.int64)
    N, m, n = A.shape
    if m + n > MAX_LABELS:
        raise ValueError(f"games of {m} x {n} strategies have more than {MAX_LABELS} labels")
    P = np.ascontiguousarray(B.transpose(0, 2, 1))  # rows of B'^T x <= 1: labels m + j
    p_bases, q_bases = _bases(m, n), _bases(n, m)
    p_points = np.zeros((N, len(p_bases[2]), m), dtype=np.int64)
    q_points = np.zeros((N, len(q_bases[2]), n), dtype=np.int64)
    p_masks = np.zeros((N, len(p_bases[2])), dtype=np.int64)
    q_masks = np.zeros((N, len(q_bases[2])), dtype=np.int64)
    counts = np.zeros((N, 3), dtype=np.int64)
    degenerate = np.zeros(N, dtype=np.bool_)
    _enumerate(
        P, A, *p_bases, *q_bases, m, n, p_points, p_masks, q_points, q_masks, counts, degenerate
    )
    offsets = np.zeros(N + 1, dtype=np.int64)
    np.cumsum(counts[:, 2], out=offsets[1:])
    pairs = np.zeros((int(offsets[-1]), 2), dtype=np.int64)
    _pair(p_masks, q_masks, counts, offsets, m + n, pairs)
    return [
        _solution(p_points[g], q_points[g], pairs[offsets[g] : offsets[g + 1]], bool(degenerate[g]))
        for g in range(N)
    ]


def _solution(
    p_points: IntArray, q_points: IntArray, pairs: IntArray, degenerate: bool
) -> ExactSolution:
    """The ExactSolution of one game from its vertex numerators and equilibrium pairs.

    Distinct vertices are distinct points, so strategies are identified by vertex index;
    exact.py's order (pairs by ``-x``, then ``-y``) is the order of the vertices' points,
    largest first, which are compared as Fractions once per vertex.
    """
    found = pairs.tolist()
    xs = {a: _normalised(tuple(p_points[a].tolist())) for a in dict.fromkeys(a for a, _ in found)}
    ys = {b: _normalised(tuple(q_points[b].tolist())) for b in dict.fromkeys(b for _, b in found)}
    x_rank = {a: r for r, a in enumerate(sorted(xs, key=xs.__getitem__, reverse=True))}
    y_rank = {b: r for r, b in enumerate(sorted(ys, key=ys.__getitem__, reverse=True))}
    found.sort(key=lambda e: (x_rank[e[0]], y_rank[e[1]]))
    rows = list(dict.fromkeys(a for a, _ in found))
    cols = list(dict.fromkeys(b for _, b in found))
    row_at = {a: i for i, a in enumerate(rows)}
    col_at = {b: j for j, b in enumerate(cols)}
    return ExactSolution(
        tuple(xs[a] for a in rows),
        tuple(ys[b] for b in cols),
        tuple((row_at[a], col_at[b]) for a, b in found),
        degenerate,
    )


@functools.lru_cache(maxsize=65536)
def _normalised(point: tuple[int, ...]) -> Vector:
    """The vertex ``point`` scaled to a probability vector, exactly; remembered.

    A sweep's games share many vertices (pure strategies, one player's unchanged payoffs).
    """
    total = sum(point)
    return tuple(Fraction(v, total) for v in point)


@_compiled
def _det(sub: IntArray, k: int, minor: IntArray) -> int:  # pragma: no cover - compiled
    """Determinant of ``sub[:k, :k]`` by expansion over column subsets (no division).

    ``minor[mask]`` is the determinant of the last ``popcount(mask)`` rows on the columns
    in ``mask``; each is a signed sum of products of entries, so every partial sum is
    bounded by the permanent of the absolute values (module docstring).
    """
    minor[0] = 1
    for mask in range(1, 1 << k):
        r = 0
        for c in range(k):
            if (mask >> c) & 1:
                r += 1
        row = k - r
        total = 0
        sign = 1
        for c in range(k):
            if (mask >> c) & 1:
                total += sign * sub[row, c] * minor[mask ^ (1 << c)]
                sign = -sign
        minor[mask] = total
    return int(minor[(1 << k) - 1])


@_compiled
def _vertices(
    M: IntArray,
    supports: IntArray,
    tights: IntArray,
    sizes: IntArray,
    zero_label: int,
    tight_label: int,
    points: IntArray,
    masks: IntArray,
) -> tuple[int, bool]:  # pragma: no cover - compiled
    """The distinct non-zero vertices of {v >= 0 : M v <= 1}: numerators and label masks.

    As exact.py's ``_vertices``: returns how many were stored in ``points`` and
    ``masks`` (in order of discovery) and whether one has more labels than dimensions.
    """
    rows, dim = M.shape
    kmax = supports.shape[1]
    sub = np.zeros((kmax, kmax), dtype=np.int64)
    minor = np.zeros(1 << kmax, dtype=np.int64)
    num = np.zeros(kmax, dtype=np.int64)
    keep = np.zeros(kmax, dtype=np.int64)
    count = 0
    degenerate = False
    one = np.int64(1)
    for b in range(len(sizes)):
        k = sizes[b]
        for r in range(k):
            for c in range(k):
                sub[r, c] = M[tights[b, r], supports[b, c]]
        det = _det(sub, k, minor)
        if det == 0:
            continue
        ok = True
        for c in range(k):
            for r in range(k):
                keep[r] = sub[r, c]
                sub[r, c] = 1
            value = _det(sub, k, minor)
            for r in range(k):
                sub[r, c] = keep[r]
            num[c] = -value if det < 0 else value
            if num[c] < 0:
                ok = False
        if not ok:
            continue
        if det < 0:
            det = -det
        mask = np.int64(0)
        for i in range(rows):
            slack = 0
            for c in range(k):
                slack += M[i, supports[b, c]] * num[c]
            if slack > det:
                ok = False
                break
            if slack == det:
                mask |= one << (tight_label + i)
        if not ok:
            continue
        for d in range(dim):
            points[count, d] = 0
        for c in range(k):
            points[count, supports[b, c]] = num[c]
        for d in range(dim):
            if points[count, d] == 0:
                mask |= one << (zero_label + d)
        seen = False
        for v in range(count):
            if masks[v] == mask:
                seen = True
                break
        if seen:
            continue
        masks[count] = mask
        count += 1
        labels = 0
        for bit in range(rows + dim):
            if (mask >> bit) & 1:
                labels += 1
        if labels > dim:
            degenerate = True
    return count, degenerate


@_compiled
def _enumerate(
    P: IntArray,
    Q: IntArray,
    p_supports: IntArray,
    p_tights: IntArray,
    p_sizes: IntArray,
    q_supports: IntArray,
    q_tights: IntArray,
    q_sizes: IntArray,
    m: int,
    n: int,
    p_points: IntArray,
    p_masks: IntArray,
    q_points: IntArray,
    q_masks: IntArray,
    counts: IntArray,
    degenerate: BoolArray,
) -> None:  # pragma: no cover - compiled
    """Vertices of P and Q of every game, and how many completely labelled pairs each has.

    ``counts[g]`` receives (vertices of P, vertices of Q, equilibria).
    """
    full = (np.int64(1) << (m + n)) - 1
    for g in range(P.shape[0]):
        cp, dp = _vertices(P[g], p_supports, p_tights, p_sizes, 0, m, p_points[g], p_masks[g])
        cq, dq = _vertices(Q[g], q_supports, q_tights, q_sizes, m, 0, q_points[g], q_masks[g])
        found = 0
        for a in range(cp):
            for b in range(cq):
                if (p_masks[g, a] | q_masks[g, b]) == full:
                    found += 1
        counts[g, 0], counts[g, 1], counts[g, 2] = cp, cq, found
        degenerate[g] = dp or dq


@_compiled
def _pair(
    p_masks: IntArray,
    q_masks: IntArray,
    counts: IntArray,
    offsets: IntArray,
    labels: int,
    pairs: IntArray,
) -> None:  # pragma: no cover - compiled
    """Write each game's completely labelled vertex pairs at its offset in ``pairs``."""
    full = (np.int64(1) << labels) - 1
    for g in range(p_masks.shape[0]):
        at = offsets[g]
        for a in range(counts[g, 0]):
            for b in range(counts[g, 1]):
                if (p_masks[g, a] | q_masks[g, b]) == full:
                    pairs[at, 0], pairs[at, 1] = a, b
                    at += 1
