"""Compiled float stage of the batched engine: every equilibrium of N small games, certified.

:func:`solve_floats` finds, for N games of one shape ``m x n``, every equilibrium that a
floating-point enumeration can *certify*, and flags as *suspect* every game in which it
cannot certify a decision. It is the float stage of :mod:`negotiation.solvers.batch`
(whose suspect games go to the exact solver), compiled with numba (``@njit(cache=True)``,
so the compile cost is paid once per machine and the cached code loads in well under a
second).

Algorithm
---------
Equal-size support enumeration in the polytope form of von Stengel (2007, "Equilibrium
computation for two-player games in strategic and extensive form", ch. 3 of Nisan,
Roughgarden, Tardos and Vazirani (eds.), *Algorithmic Game Theory*, sections 3.4-3.5),
exactly as :mod:`negotiation.solvers.batch` does with numpy:

1. Each game's payoffs are mapped affinely onto about [1, 10] per player (equilibria
   unchanged) by batch.py's map (see :func:`_map_block`), giving ``A'`` and ``B'``; the
   polytopes are ``P = {x >= 0 : B'^T x <= 1}`` and ``Q = {y >= 0 : A' y <= 1}``.
2. For every pair of a row support ``K`` and a column support ``J`` with ``|K| = |J| = k``
   (there are ``C(m + n, m) - 1`` pairs), the basis of ``Q`` with tight rows ``K`` and
   support ``J`` solves ``A'[K, J] y_J = 1``; it is a vertex if ``y >= 0`` and every other
   row has ``A'_i y <= 1``. Likewise the basis of ``P`` with tight columns ``J`` and
   support ``K``. Both vertices together are an equilibrium ``(x / sum x, y / sum y)``
   (Algorithm 3.4's test of complementary supports; every basis of both polytopes is
   visited exactly once, so the degeneracy test below sees every vertex).
3. Every decision (a coordinate ``>= 0``, a slack ``>= 0``) is made with the margin
   ``eps`` of :data:`negotiation.solvers.batch.EPS` and a proven bound on its rounding
   error; a quantity within ``max(eps, bound)`` of its boundary makes the game *suspect*,
   unless its basis is already certainly infeasible. A degenerate game is always suspect:
   a degenerate vertex has a tight constraint beyond its basis, whose slack is exactly 0.
   So is a game with an equilibrium whose probabilities are not certainly within
   ``(k + 1) * precision`` of the exact ones (batch.py's ``PRECISION`` rule); the rare
   equilibria that fail the cheap bound get a refined one first (Rump's verified
   inverse, :func:`_refined_error`).

Why support enumeration with explicit bases rather than pivoting (Lemke-Howson or lrs-style
reverse search): for games up to about 5x5 the number of bases is small (19 pairs for 3x3,
69 for 4x4), every basis is a closed-form k x k solve (Cramer's rule for ``k <= 4``), and
the same straight-line arithmetic runs for every game, so the compiler vectorises it
*across games* (SIMD lanes are games). Pivoting methods do less arithmetic per game but
branch on every game's data and cannot be vectorised this way; they pay off for larger
games (issue 9, goal 3), not here. Vertex enumeration proper (all vertices of P, all of Q,
then matching labels, Avis, Rosenberg, Savani and von Stengel 2010) visits the same bases;
the pairing by supports avoids storing the vertex lists.

Layout
------
The input is the natural ``(N, m, n)`` (no copy for the caller). Inside, blocks of
:data:`BLOCK` games are mapped onto [1, 10] into structure-of-arrays scratch arrays shaped
``(m, n, block)``: every payoff entry is a contiguous vector over games, so each basis is
evaluated for the whole block in loops whose unit stride is the game index (vectorised by
LLVM; ``(N, m, n)`` itself would put a stride of ``m n`` between lanes). The map and
transposition cost one pass over the block (about a fifth of the run for 3x3 games) and keep
the scratch memory at O(block). Equilibria are staged per block from the numerators already
computed and placed in game order; the output grows by doubling, so memory is O(N) and a
caller streams any number of games by calling :func:`solve_floats` once per chunk.

Error bounds (why a non-suspect game's set is exactly the exact solver's)
----------------------------------------------------------------------
Write ``u = 2**-53`` and ``gamma(n) = n u / (1 - n u)`` (Higham, *Accuracy and Stability of
Numerical Algorithms*, 2nd ed., 2002, Lemma 3.1). The mapped entries lie in [7/8, 10.125]
and differ from the same affine map of the exact game by at most ``delta = u * 10.125``
(the map's one rounding, about 1.1e-15), plus the caller's declared ``rounding`` of the
input (see :func:`solve_floats`).

* ``k <= 4`` (closed forms: Cramer's rule as in batch.py for ``k <= 3``, Laplace expansion
  by 2 x 2 minors for ``k = 4``): the determinant ``D``, the
  numerators ``N_v`` (``y_v = N_v / D``) and the slack numerators ``W_e = D - sum_v
  A'_ev N_v`` (``= D (1 - A'_e y)``) are polynomials in the entries. Their computed values
  differ from the exact ones by at most static bounds ``eD, eN, eW`` (rounding: ``gamma``
  of the operation depth times the sum of absolute values of the terms; input error:
  ``delta`` times the derivative bound, both using entries <= 10): see
  :func:`closed_form_bounds`. A quantity ``q`` (``sign(D) N_v`` or ``sign(D) W_e``) is
  *negative* if ``q < -max(eps |D|, e)``, *positive* if ``q > max(eps |D|, e)``, else
  *close*. With ``e <= eps |D|`` this is batch.py's test ``y_v < -eps``, ``|y_v| <= eps``
  etc. in numerator form; otherwise the band widens to the error bound.
* ``k >= 5``: Gaussian elimination with partial pivoting, then an a-posteriori bound: the
  residual ``1 - A'_KJ y`` bounds ``|y - y*|`` through ``||A'_KJ^-1||``, which is bounded by
  Hadamard's inequality on the adjugate over ``|D*|``; ``|D - D*|`` is bounded from the
  backward error of LU (Higham, Theorem 9.3) by the multilinearity of the determinant.
* A basis whose determinant's sign is not certain (``|D| <= eD``) makes its game suspect,
  unless it is *exactly* singular: two of its rows or columns equal, or both constant, in
  the input itself (constant rows are common in scenarios and define no vertex). This
  replaces batch.py's floating-point parallelism test, which could call two rows parallel
  that differ in the exact game.
* ``det_min > 0`` also makes any basis with ``|D| < det_min`` suspect (batch.py's guard:
  pass :data:`negotiation.solvers.batch.DET_MIN` to reproduce its suspect set).

Then every decision on a non-suspect game agrees with exact arithmetic: certainly
infeasible bases are infeasible, vertices are vertices with every coordinate and slack
strictly positive, so no vertex is degenerate and the equilibria found are exactly those of
:func:`negotiation.solvers.exact.solve_exact`.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
U8Array = npt.NDArray[np.uint8]

#: Margin of the floating-point decisions (the same as batch.py's ``EPS``).
EPS = 1e-7

#: Games per block of the compiled kernel: the block's scratch arrays (four ``m x n``
#: float blocks and the per-basis work vectors) stay in the L2 cache for small games.
BLOCK = 512

#: Unit roundoff of IEEE double precision.
U = 2.0**-53

#: Largest mapped entry (the map's target [1, 10] widens to [7/8, 10.125] by the rounding
#: of its offset, as in batch.py); every bound below uses it.
SMAX = 10.125 * (1 + 4 * U)

#: Bound on the error of a mapped entry against the exact affine image of the input: the
#: map's one rounding (a subtraction), at most ``u * SMAX``.
DELTA_MAP = SMAX * U * (1 + 4 * U)

#: Largest power of two the map scales by (batch.py's ``_C_MAX``): ``1 / c >= 2**-50``, so
#: the rounding of the offset ``low - 1 / c`` moves entries by at most 1/8.
C_MAX = 2.0**50

#: Largest error bound of a reported probability, over (support size + 1), as batch.py's
#: ``PRECISION``: a game whose equilibrium is less precise than that is suspect.
PRECISION = 1e-11

#: Factor absorbing the rounding of the error bounds' own arithmetic.
SAFETY = 1.0 + 1e-6

#: Basis statuses returned by the per-game generic path.
_INFEASIBLE, _VERTEX, _SUSPECT, _SINGULAR, _IMPRECISE = 0, 1, 2, 3, 4


class FloatStage(NamedTuple):
    """The float stage's answer for N games: certified equilibria and suspect games.

    ``game[e]``, ``row[e]``, ``col[e]``: equilibrium ``e`` belongs to game ``game[e]``
    (``0 <= game[e] < N``, non-decreasing) and is the pair of mixed strategies ``row[e]``
    (length m) and ``col[e]`` (length n). Only games with ``suspect[g]`` false have
    equilibria listed, and for those the list is exactly the exact solver's, every
    probability within ``(support size + 1) * precision`` of the exact one. A suspect game
    must be solved exactly.
    """

    game: IntArray
    row: FloatArray
    col: FloatArray
    suspect: npt.NDArray[np.bool_]


def gamma(n: int) -> float:
    """Higham's ``gamma(n) = n u / (1 - n u)``: the relative error of n roundings."""
    return n * U / (1 - n * U)


def closed_form_bounds(k: int, delta: float) -> tuple[float, float, float]:
    """Bounds ``(eD, eN, eW)`` on the errors of the closed-form Cramer quantities, ``k <= 4``.

    The quantities are those computed by the kernel (and by batch.py) for a k x k basis
    with entries in [1, 10] that each differ by at most ``delta`` from the exact ones:
    the determinant ``D``, the numerators ``N_v`` and a slack numerator ``W = D - sum_v
    s_v N_v``. Each bound is (rounding error) + (propagated input error), with the
    rounding error of an expression at most ``gamma(depth)`` times the sum of the absolute
    values of its terms (Higham 2002, section 3.1), and products split as
    ``|ab - a*b*| <= |a| |b - b*| + |b*| |a - a*|``.

    >>> eD, eN, eW = closed_form_bounds(3, DELTA_MAP)
    >>> f"{eD:.1e} {eN:.1e} {eW:.1e}"
    '4.1e-12 3.4e-13 2.1e-11'
    """
    S, g2, g3, g4, g5, g6 = SMAX, gamma(2), gamma(3), gamma(4), gamma(5), gamma(6)
    if k == 1:
        # D = s, N = 1 (exact), W = s - s_e (one subtraction).
        eD, eN = delta, 0.0
        eW = 2 * delta + U * S
    elif k == 2:
        # D = a d - b c, N = (d - b, a - c), W = D - (p N0 + q N1).
        eD = g2 * 2 * S * S + 4 * S * delta
        eN = U * S + 2 * delta
        eW = g3 * (S * S + 2 * S * S) + eD + 2 * (S * eN + S * delta)
    elif k == 3:
        # Cofactors c = x y - z w (|c| < S^2); D = (a c00 + b c01) + c c02;
        # N_v = (c0v + c1v) + c2v; W = D - ((p N0 + q N1) + r N2).
        eC = g2 * 2 * S * S + 4 * S * delta
        C, Nmax, Dmax = S * S * (1 + g2), 3 * S * S * (1 + g2) ** 2, 3 * S**3 * (1 + g3) ** 2
        eD = g3 * 3 * S * C + 3 * (S * eC + C * delta)
        eN = g2 * 3 * C + 3 * eC
        eW = g4 * (Dmax + 3 * S * Nmax) + eD + 3 * (S * eN + Nmax * delta)
    elif k == 4:
        # 2 x 2 minors s, c (|.| < S^2); D: six products of minors, depth 6; cofactors
        # (x c1 - y c2) + z c3, depth 3, |C| <= 3 S^3; N_v: four cofactors, depth 3 more;
        # W = D - (((p N0 + q N1) + r N2) + s N3), depth 5.
        eC2 = g2 * 2 * S * S + 4 * S * delta
        C2 = S * S * (1 + g2)
        eD = g6 * 6 * C2 * C2 + 6 * 2 * C2 * eC2
        C3 = 3 * S * C2 * (1 + g3)
        eC3 = g3 * 3 * S * C2 + 3 * (S * eC2 + C2 * delta)
        Nmax = 4 * C3 * (1 + g3)
        Dmax = 6 * C2 * C2 * (1 + g6)
        eN = g3 * 4 * C3 + 4 * eC3
        eW = g5 * (Dmax + 4 * S * Nmax) + eD + 4 * (S * eN + Nmax * delta)
    else:
        raise ValueError(f"closed forms exist for k <= 4, not k = {k}")
    return eD * SAFETY, eN * SAFETY, eW * SAFETY


def _bound_coefficients() -> FloatArray:
    """Each closed-form bound as ``c0 + c1 delta`` (all are affine in delta): a (4, 3, 2) table."""
    table = np.zeros((4, 3, 2))
    for k in (1, 2, 3, 4):
        at0, at1 = closed_form_bounds(k, 0.0), closed_form_bounds(k, 1e-3)
        for which in range(3):
            table[k - 1, which] = at0[which], (at1[which] - at0[which]) / 1e-3 * (1 + 1e-9)
    return table


_COEFFICIENTS = _bound_coefficients()


@functools.cache
def supports(m: int, n: int) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """Every pair of equal-size supports of an m x n game, as padded index tables.

    Returns ``size[p]``, ``rows[p, :size[p]]``, ``cols[p, :size[p]]``, and the complements
    ``other_rows[p, :m - size[p]]`` and ``other_cols[p, :n - size[p]]`` (padding is -1).
    """
    size, rows, cols, other_rows, other_cols = [], [], [], [], []
    for k in range(1, min(m, n) + 1):
        for r in itertools.combinations(range(m), k):
            for c in itertools.combinations(range(n), k):
                size.append(k)
                rows.append([*r, *[-1] * (min(m, n) - k)])
                cols.append([*c, *[-1] * (min(m, n) - k)])
                other_rows.append([i for i in range(m) if i not in r] + [-1] * k)
                other_cols.append([j for j in range(n) if j not in c] + [-1] * k)
    return (
        np.array(size, dtype=np.int64),
        np.array(rows, dtype=np.int64).reshape(len(size), -1),
        np.array(cols, dtype=np.int64).reshape(len(size), -1),
        np.array(other_rows, dtype=np.int64).reshape(len(size), -1),
        np.array(other_cols, dtype=np.int64).reshape(len(size), -1),
    )


def solve_floats(
    A: npt.ArrayLike,
    B: npt.ArrayLike,
    *,
    eps: float = EPS,
    rounding: float = 0.0,
    det_min: float = 0.0,
    precision: float = PRECISION,
    block: int = BLOCK,
) -> FloatStage:
    """Every certified equilibrium of N games given as arrays of shape (N, m, n), compiled.

    ``A[g]`` and ``B[g]`` are the row and column player's payoffs of game ``g``. The games
    solved exactly are the floats' exact binary values; if instead the floats are
    roundings of an exact game (a sweep's), pass ``rounding``: a bound on each entry's
    error relative to its own magnitude (``2**-53`` for correctly rounded values), and
    games whose decisions that error could flip become suspect too. As in
    :func:`negotiation.solvers.batch.solve_batch`, the floats must then keep exact ties
    apart: two payoffs of one player in one row or column that are equal as floats must
    be equal exactly (the test of exactly singular bases relies on it); the caller marks
    any other game as suspect itself. Every reported probability is within ``(support
    size + 1) * precision`` of the exact one (else the game is suspect). ``det_min``
    reproduces the old determinant guard of batch.py (see the module docstring).

    Memory is O(N): the output grows by doubling, the scratch is O(block). Stream larger
    batches by calling this once per chunk.

    >>> pennies = np.array([[[1.0, -1.0], [-1.0, 1.0]]])
    >>> stage = solve_floats(pennies, -pennies)
    >>> stage.game.tolist(), stage.row.tolist(), stage.col.tolist(), stage.suspect.tolist()
    ([0], [[0.5, 0.5]], [[0.5, 0.5]], [False])
    """
    for name, M in (("A", A), ("B", B)):
        kind = np.asarray(M).dtype.kind
        if kind not in "biuf":
            raise ValueError(f"{name} must hold real numbers, got dtype kind {kind!r}")
    A_ = np.ascontiguousarray(A, dtype=np.float64)
    B_ = np.ascontiguousarray(B, dtype=np.float64)
    if A_.ndim != 3 or A_.shape != B_.shape or 0 in A_.shape[1:]:
        raise ValueError(f"A and B must have the same shape (N, m, n), got {A_.shape}, {B_.shape}")
    if not (math.isfinite(eps) and 0 < eps < 0.01):
        raise ValueError(f"eps must be a number in (0, 0.01), got {eps!r}")
    if not (math.isfinite(rounding) and 0 <= rounding < 1e-3):
        raise ValueError(f"rounding must be a number in [0, 1e-3), got {rounding!r}")
    if not (math.isfinite(det_min) and det_min >= 0):
        raise ValueError(f"det_min must be a finite number >= 0, got {det_min!r}")
    if not (math.isfinite(precision) and 0 < precision < 0.01):
        raise ValueError(f"precision must be a number in (0, 0.01), got {precision!r}")
    if isinstance(block, bool) or not isinstance(block, int) or block < 1:
        raise ValueError(f"block must be a positive integer, got {block!r}")
    N, m, n = A_.shape
    size, rows, cols, other_rows, other_cols = supports(m, n)
    suspect = np.zeros(N, dtype=np.uint8)
    # Twice the games is ample for random games (about 1.2 to 2 equilibria each); pages
    # never written are never touched, so the unused part costs no memory.
    capacity = 2 * N + 64
    game = np.empty(capacity, dtype=np.int64)
    row, col = np.empty((capacity, m)), np.empty((capacity, n))
    done, count = 0, 0
    while done < N:
        done, count = _kernel(
            A_, B_, done, eps, rounding, det_min, precision, block, _COEFFICIENTS,
            size, rows, cols, other_rows, other_cols, game, row, col, count, suspect,
        )  # fmt: skip
        if done < 0:
            raise ValueError("payoffs must be finite")
        if done < N:  # the output is full: grow it and resume at game ``done``
            capacity *= 2
            game, row, col = (
                _grown(game, count, capacity),
                _grown(row, count, capacity),
                _grown(col, count, capacity),
            )
    return FloatStage(game[:count], row[:count], col[:count], suspect.view(np.bool_))


def _grown(a: npt.NDArray[Any], count: int, capacity: int) -> npt.NDArray[Any]:
    """A larger buffer holding the first ``count`` rows of ``a``."""
    out = np.empty((capacity, *a.shape[1:]), dtype=a.dtype)
    out[:count] = a[:count]
    return out


# --------------------------------------------------------------------------------------
# Compiled kernels. A scratch block S[e, v, g] holds a mapped matrix whose rows are the
# polytope's inequalities e and columns its variables v (Q: A' itself; P: B'^T), for game
# g of the block; the raw input X is read back only for exact equality tests. Support
# tables (eqs, var, others) are indexed by pair p, never sliced: a slice in a hot loop
# costs an atomic reference count. bnd[k - 1, w, g] holds eD, eN, eW (w = 0, 1, 2) of the
# closed form of size k for game g; work[., g] and flags[., g] are per-game scratch.
# --------------------------------------------------------------------------------------

_F = TypeVar("_F", bound=Callable[..., Any])


def _compiled(function: _F) -> _F:
    """``numba.njit`` with an on-disk cache and IEEE division, typed for mypy.

    ``error_model="numpy"``: a division by zero gives inf or nan as in numpy (the code
    guards every division whose result matters) instead of raising, which also spares
    the checks in vectorised loops.
    """
    return cast(_F, numba.njit(cache=True, error_model="numpy")(function))


@_compiled
def _map_block(
    X: FloatArray,
    start: int,
    G: int,
    transpose: bool,
    rounding: float,
    S: FloatArray,
    delta: FloatArray,
    up: FloatArray,
    up2: FloatArray,
    shifted: FloatArray,
    scale: FloatArray,
    low: FloatArray,
    high: FloatArray,
    exponent: IntArray,
) -> bool:
    """Map games ``start .. start + G`` of X onto about [1, 10] into S (transposed for P).

    The map of batch.py: ``U = (x / 2**e - low') * c``, with ``2**e >= max |x|`` (exact,
    barring underflow), ``c`` the largest power of two with ``c * span <= 9`` (at most
    :data:`C_MAX`) and ``low' = low - 1 / c`` rounded and then used as it is, so only the
    subtraction rounds and entries lie in [7/8, 10.125]. ``delta[g]`` is raised to
    ``u * SMAX + c (rounding * max|x / 2**e| + tiny)``, where ``tiny`` covers subnormal
    results of scaling down (``2**-1074`` if ``e > 0``) and, when the input is rounded,
    exact payoffs rounded to subnormal floats (``2**-1074 / 2**e``); scaling up is
    exact. A game whose bound exceeds 1e-3 gets ``delta = inf`` (it will be suspect).
    Returns False, having stopped, if an entry is not finite.

    Every step is a loop over the games, so it vectorises; exponents and powers of two
    are read and built from the bits of the floats (libm's ``frexp`` and ``ldexp`` would
    cost more than the rest of the map), except for zero, subnormal and extreme values.
    """
    _, m, n = X.shape
    for g in range(G):
        low[g] = X[start + g, 0, 0]
        high[g] = low[g]
        up2[g] = 0.0
    for i in range(m):
        for j in range(n):
            for g in range(G):
                v = X[start + g, i, j]
                up2[g] += v * 0.0  # stays 0 unless some entry is inf or nan
                low[g] = min(low[g], v)
                high[g] = max(high[g], v)
    finite = True
    for g in range(G):
        finite &= up2[g] == 0.0
        up[g] = max(abs(low[g]), abs(high[g]))
    if not finite:
        return False
    # e with 2**e >= max|x| (frexp's exponent) from the bits of max|x|, then 2**-e.
    bits = up.view(np.int64)
    for g in range(G):
        field = (bits[g] >> 52) & 2047
        exponent[g] = field - 1022
        normal = (field > 0) & (exponent[g] <= 1022) & (exponent[g] >= -1023)
        bits[g] = (1023 - exponent[g]) << 52
        up2[g] = 1.0 if normal else 0.0
    for g in range(G):
        if up2[g] == 0.0:  # zero, subnormal or extreme: two exact powers of two via libm
            big = max(abs(low[g]), abs(high[g]))
            e = math.frexp(big)[1] if big > 0.0 else 0
            exponent[g] = e
            first = min(-e, 1023)
            up[g], up2[g] = math.ldexp(1.0, first), math.ldexp(1.0, -e - first)
    # c = 2**min(-p, 50) with span / 9 = f 2**p, f in [0.5, 1).
    for g in range(G):
        low[g] = low[g] * up[g] * up2[g]
        high[g] = high[g] * up[g] * up2[g]
        scale[g] = (high[g] - low[g]) / 9.0
    bits = scale.view(np.int64)
    for g in range(G):
        field = (bits[g] >> 52) & 2047
        shifted[g] = 1.0 if field > 0 else 0.0
        bits[g] = (1023 + min(1022 - field, 50)) << 52
    for g in range(G):
        if shifted[g] == 0.0:  # a constant matrix, or a subnormal span
            span = high[g] - low[g]
            scale[g] = (
                0.5 if span == 0.0 else min(math.ldexp(1.0, -math.frexp(span / 9.0)[1]), C_MAX)
            )
    for g in range(G):
        c = scale[g]
        d = DELTA_MAP
        if high[g] > low[g]:
            # Scaling down may underflow (2**-1074 in scaled units); an exact payoff
            # rounded to a subnormal float is off by up to 2**-1075 absolutely.
            tiny = 5e-324 if exponent[g] > 0 else 0.0
            if rounding > 0.0:
                tiny += math.ldexp(1.0, max(-1074 - exponent[g], -1074))
            d += c * (rounding * max(abs(low[g]), abs(high[g])) + tiny)
        d *= SAFETY
        delta[g] = max(delta[g], d if d <= 1e-3 else np.inf)
        shifted[g] = low[g] - 1.0 / c
    for i in range(m):
        for j in range(n):
            if transpose:
                for g in range(G):
                    x = X[start + g, i, j] * up[g] * up2[g]
                    S[j, i, g] = (x - shifted[g]) * scale[g]
            else:
                for g in range(G):
                    x = X[start + g, i, j] * up[g] * up2[g]
                    S[i, j, g] = (x - shifted[g]) * scale[g]
    return True


@_compiled
def _raw(X: FloatArray, start: int, transpose: bool, e: int, v: int, g: int) -> float:
    """The input entry behind S[e, v, g]."""
    return float(X[start + g, v, e] if transpose else X[start + g, e, v])


@_compiled
def _exactly_singular(
    X: FloatArray,
    start: int,
    transpose: bool,
    eqs: IntArray,
    var: IntArray,
    p: int,
    k: int,
    g: int,
) -> bool:
    """Whether two rows or two columns of basis p are equal, or both constant, in the input.

    Either makes the basis exactly singular in the exact game too (the affine map keeps
    equal entries equal), so it defines no vertex and raises no suspicion.
    """
    for a in range(k):
        for b in range(a + 1, k):
            for by_rows in (True, False):
                equal, const_a, const_b = True, True, True
                for t in range(k):
                    if by_rows:
                        ea, eb, va, vb, v0a, v0b = eqs[p, a], eqs[p, b], var[p, t], var[p, t], 0, 0
                        x = _raw(X, start, transpose, ea, va, g)
                        y = _raw(X, start, transpose, eb, vb, g)
                        x0 = _raw(X, start, transpose, ea, var[p, v0a], g)
                        y0 = _raw(X, start, transpose, eb, var[p, v0b], g)
                    else:
                        x = _raw(X, start, transpose, eqs[p, t], var[p, a], g)
                        y = _raw(X, start, transpose, eqs[p, t], var[p, b], g)
                        x0 = _raw(X, start, transpose, eqs[p, 0], var[p, a], g)
                        y0 = _raw(X, start, transpose, eqs[p, 0], var[p, b], g)
                    equal &= x == y
                    const_a &= x == x0
                    const_b &= y == y0
                if equal or (const_a and const_b):
                    return True
    return False


@_compiled
def _settle(
    X: FloatArray,
    start: int,
    transpose: bool,
    eqs: IntArray,
    var: IntArray,
    p: int,
    k: int,
    G: int,
    bnd: FloatArray,
    det_min: float,
    work: FloatArray,
    flags: U8Array,
    ok: U8Array,
    suspect: U8Array,
) -> None:
    """Turn a closed-form basis's flags into ``ok`` (a certified vertex) and suspicion.

    ``work[0]`` holds the determinants, ``flags[0]`` and ``flags[1]`` whether some
    quantity is certainly negative or close to 0. A basis whose determinant's sign is not
    certain is suspect even if it looks infeasible, unless it is exactly singular.
    """
    any_unsure = 0
    for g in range(G):
        size = abs(work[0, g])
        unsure = (size <= bnd[k - 1, 0, g]) | (size < det_min)
        flags[2, g] = unsure
        any_unsure |= unsure
    if any_unsure:  # rare: exactly singular bases are skipped, not suspect
        for g in range(G):
            if flags[2, g] and _exactly_singular(X, start, transpose, eqs, var, p, k, g):
                flags[2, g] = 2
    for g in range(G):
        unsure, live = flags[2, g], flags[0, g] == 0
        ok[g] = (unsure == 0) & live & (flags[1, g] == 0)
        suspect[g] |= (unsure == 1) | ((unsure == 0) & live & (flags[1, g] != 0))


@_compiled
def _slacks(
    S: FloatArray,
    var: IntArray,
    others: IntArray,
    p: int,
    k: int,
    n_others: int,
    G: int,
    eps: float,
    eW: FloatArray,
    work: FloatArray,
    flags: U8Array,
) -> None:
    """Decide the slack numerators ``W = D - sum_v S[e, v] N_v`` of the other inequalities.

    One loop per k (2, 3, 4) so that each is straight-line code the compiler vectorises.
    """
    v0, v1 = var[p, 0], var[p, 1]
    v2 = var[p, 2] if k > 2 else v1
    v3 = var[p, 3] if k > 3 else v1
    for t in range(n_others):
        e = others[p, t]
        if k == 2:
            for g in range(G):
                D = work[0, g]
                acc = S[e, v0, g] * work[1, g] + S[e, v1, g] * work[2, g]
                q = (D - acc) if D >= 0.0 else (acc - D)
                th = max(eps * abs(D), eW[g])
                flags[0, g] |= q < -th
                flags[1, g] |= abs(q) <= th
        elif k == 3:
            for g in range(G):
                D = work[0, g]
                acc = S[e, v0, g] * work[1, g] + S[e, v1, g] * work[2, g] + S[e, v2, g] * work[3, g]
                q = (D - acc) if D >= 0.0 else (acc - D)
                th = max(eps * abs(D), eW[g])
                flags[0, g] |= q < -th
                flags[1, g] |= abs(q) <= th
        else:
            for g in range(G):
                D = work[0, g]
                acc = (
                    S[e, v0, g] * work[1, g]
                    + S[e, v1, g] * work[2, g]
                    + S[e, v2, g] * work[3, g]
                    + S[e, v3, g] * work[4, g]
                )
                q = (D - acc) if D >= 0.0 else (acc - D)
                th = max(eps * abs(D), eW[g])
                flags[0, g] |= q < -th
                flags[1, g] |= abs(q) <= th


@_compiled
def _basis_1(
    S: FloatArray,
    eqs: IntArray,
    var: IntArray,
    others: IntArray,
    p: int,
    n_others: int,
    G: int,
    eps: float,
    bnd: FloatArray,
    flags: U8Array,
    ok: U8Array,
    suspect: U8Array,
) -> None:
    """Evaluate the 1 x 1 basis p for the whole block.

    D = s >= 7/8 and N = 1, so the sign is certain and z = 1 / s > eps; only the slacks
    ``W = s - s_e`` of the other inequalities are decided.
    """
    e0, v0 = eqs[p, 0], var[p, 0]
    for g in range(G):
        flags[0, g] = 0
        flags[1, g] = eps * S[e0, v0, g] >= 1.0
    for t in range(n_others):
        e = others[p, t]
        for g in range(G):
            D = S[e0, v0, g]
            th = max(eps * D, bnd[0, 2, g])
            slack = D - S[e, v0, g]
            flags[0, g] |= slack < -th
            flags[1, g] |= abs(slack) <= th
    for g in range(G):
        live = flags[0, g] == 0
        ok[g] = live & (flags[1, g] == 0)
        suspect[g] |= live & (flags[1, g] != 0)


@_compiled
def _basis_2(
    S: FloatArray,
    eqs: IntArray,
    var: IntArray,
    p: int,
    G: int,
    eps: float,
    bnd: FloatArray,
    work: FloatArray,
    flags: U8Array,
) -> None:
    """Determinant and numerators of the 2 x 2 basis p (Cramer's rule, as in batch.py)."""
    e0, e1, v0, v1 = eqs[p, 0], eqs[p, 1], var[p, 0], var[p, 1]
    for g in range(G):
        a, b, c, d = S[e0, v0, g], S[e0, v1, g], S[e1, v0, g], S[e1, v1, g]
        D = a * d - b * c
        N0 = d - b
        N1 = a - c
        sgn = 1.0 if D >= 0.0 else -1.0
        th = max(eps * abs(D), bnd[1, 1, g])
        q0, q1 = sgn * N0, sgn * N1
        flags[0, g] = (q0 < -th) | (q1 < -th)
        flags[1, g] = (abs(q0) <= th) | (abs(q1) <= th)
        work[0, g], work[1, g], work[2, g] = D, N0, N1


@_compiled
def _basis_3(
    S: FloatArray,
    eqs: IntArray,
    var: IntArray,
    p: int,
    G: int,
    eps: float,
    bnd: FloatArray,
    work: FloatArray,
    flags: U8Array,
) -> None:
    """Determinant and numerators of the 3 x 3 basis p (Cramer's rule, as in batch.py)."""
    e0, e1, e2, v0, v1, v2 = eqs[p, 0], eqs[p, 1], eqs[p, 2], var[p, 0], var[p, 1], var[p, 2]
    for g in range(G):
        a, b, c = S[e0, v0, g], S[e0, v1, g], S[e0, v2, g]
        d, e, f = S[e1, v0, g], S[e1, v1, g], S[e1, v2, g]
        gg, h, i = S[e2, v0, g], S[e2, v1, g], S[e2, v2, g]
        c00, c01, c02 = e * i - f * h, f * gg - d * i, d * h - e * gg
        c10, c11, c12 = c * h - b * i, a * i - c * gg, b * gg - a * h
        c20, c21, c22 = b * f - c * e, c * d - a * f, a * e - b * d
        D = a * c00 + b * c01 + c * c02
        N0 = c00 + c10 + c20
        N1 = c01 + c11 + c21
        N2 = c02 + c12 + c22
        sgn = 1.0 if D >= 0.0 else -1.0
        th = max(eps * abs(D), bnd[2, 1, g])
        q0, q1, q2 = sgn * N0, sgn * N1, sgn * N2
        flags[0, g] = (q0 < -th) | (q1 < -th) | (q2 < -th)
        flags[1, g] = (abs(q0) <= th) | (abs(q1) <= th) | (abs(q2) <= th)
        work[0, g], work[1, g], work[2, g], work[3, g] = D, N0, N1, N2


@_compiled
def _basis_4(
    S: FloatArray,
    eqs: IntArray,
    var: IntArray,
    p: int,
    G: int,
    eps: float,
    bnd: FloatArray,
    work: FloatArray,
    flags: U8Array,
    minors: FloatArray,
) -> None:
    """Determinant and numerators of the 4 x 4 basis p (Laplace expansion by 2 x 2 minors).

    ``s_ab`` and ``c_ab`` (``minors[0:6]`` and ``minors[6:12]``) are the 2 x 2 minors of
    rows 0-1 and rows 2-3 on columns a, b; ``D = s01 c23 - s02 c13 + s03 c12 + s12 c03 -
    s13 c02 + s23 c01``; each cofactor is a three-term expansion of a 3 x 3 minor along one
    row, and ``N_v`` sums column v's cofactors (``N = adj(S) 1``) as ``(C_0v + C_1v) +
    (C_2v + C_3v)``. Split into several loops, each small enough to be vectorised.
    """
    e0, e1, e2, e3 = eqs[p, 0], eqs[p, 1], eqs[p, 2], eqs[p, 3]
    v0, v1, v2, v3 = var[p, 0], var[p, 1], var[p, 2], var[p, 3]
    for r in range(2):
        ra, rb = (e0, e1) if r == 0 else (e2, e3)
        for q in range(6):
            x = v0 if q < 3 else (v1 if q < 5 else v2)
            y = (v1, v2, v3, v2, v3, v3)[q]
            for g in range(G):
                minors[6 * r + q, g] = S[ra, x, g] * S[rb, y, g] - S[ra, y, g] * S[rb, x, g]
    for g in range(G):
        s01, s02, s03 = minors[0, g], minors[1, g], minors[2, g]
        s12, s13, s23 = minors[3, g], minors[4, g], minors[5, g]
        c01, c02, c03 = minors[6, g], minors[7, g], minors[8, g]
        c12, c13, c23 = minors[9, g], minors[10, g], minors[11, g]
        work[0, g] = s01 * c23 - s02 * c13 + s03 * c12 + s12 * c03 - s13 * c02 + s23 * c01
    for g in range(G):
        a00, a01, a02, a03 = S[e0, v0, g], S[e0, v1, g], S[e0, v2, g], S[e0, v3, g]
        a10, a11, a12, a13 = S[e1, v0, g], S[e1, v1, g], S[e1, v2, g], S[e1, v3, g]
        c01, c02, c03 = minors[6, g], minors[7, g], minors[8, g]
        c12, c13, c23 = minors[9, g], minors[10, g], minors[11, g]
        work[1, g] = (a11 * c23 - a12 * c13 + a13 * c12) - (a01 * c23 - a02 * c13 + a03 * c12)
        work[2, g] = (a00 * c23 - a02 * c03 + a03 * c02) - (a10 * c23 - a12 * c03 + a13 * c02)
        work[3, g] = (a10 * c13 - a11 * c03 + a13 * c01) - (a00 * c13 - a01 * c03 + a03 * c01)
        work[4, g] = (a00 * c12 - a01 * c02 + a02 * c01) - (a10 * c12 - a11 * c02 + a12 * c01)
    for g in range(G):
        a20, a21, a22, a23 = S[e2, v0, g], S[e2, v1, g], S[e2, v2, g], S[e2, v3, g]
        a30, a31, a32, a33 = S[e3, v0, g], S[e3, v1, g], S[e3, v2, g], S[e3, v3, g]
        s01, s02, s03 = minors[0, g], minors[1, g], minors[2, g]
        s12, s13, s23 = minors[3, g], minors[4, g], minors[5, g]
        work[1, g] += (a31 * s23 - a32 * s13 + a33 * s12) - (a21 * s23 - a22 * s13 + a23 * s12)
        work[2, g] += (a20 * s23 - a22 * s03 + a23 * s02) - (a30 * s23 - a32 * s03 + a33 * s02)
        work[3, g] += (a30 * s13 - a31 * s03 + a33 * s01) - (a20 * s13 - a21 * s03 + a23 * s01)
        work[4, g] += (a20 * s12 - a21 * s02 + a22 * s01) - (a30 * s12 - a31 * s02 + a32 * s01)
    for g in range(G):
        D = work[0, g]
        sgn = 1.0 if D >= 0.0 else -1.0
        th = max(eps * abs(D), bnd[3, 1, g])
        q0, q1, q2, q3 = sgn * work[1, g], sgn * work[2, g], sgn * work[3, g], sgn * work[4, g]
        flags[0, g] = (q0 < -th) | (q1 < -th) | (q2 < -th) | (q3 < -th)
        flags[1, g] = (abs(q0) <= th) | (abs(q1) <= th) | (abs(q2) <= th) | (abs(q3) <= th)


@_compiled
def _factor_solve(
    S: FloatArray,
    eqs: IntArray,
    var: IntArray,
    p: int,
    k: int,
    g: int,
    lu: FloatArray,
    z: FloatArray,
) -> tuple[float, float]:
    """LU with partial pivoting of the k x k basis p of game g, then z with S_B z = 1.

    Returns (determinant, largest |U| entry); the determinant is 0.0 (and z unset) when a
    pivot is exactly zero.
    """
    for i in range(k):
        for j in range(k):
            lu[i, j] = S[eqs[p, i], var[p, j], g]
    sign = 1.0
    for c in range(k):
        r_max = c
        for r in range(c + 1, k):
            if abs(lu[r, c]) > abs(lu[r_max, c]):
                r_max = r
        if lu[r_max, c] == 0.0:
            return 0.0, 0.0
        if r_max != c:
            sign = -sign
            for t in range(k):
                tmp = lu[r_max, t]
                lu[r_max, t] = lu[c, t]
                lu[c, t] = tmp
        for r in range(c + 1, k):
            lu[r, c] /= lu[c, c]
            for t in range(c + 1, k):
                lu[r, t] -= lu[r, c] * lu[c, t]
    D, largest = sign, 0.0
    for c in range(k):
        D *= lu[c, c]
        for t in range(c, k):
            largest = max(largest, abs(lu[c, t]))
    # The right-hand side is all ones, which the row permutation leaves unchanged.
    for i in range(k):
        acc = 1.0
        for t in range(i):
            acc -= lu[i, t] * z[t]
        z[i] = acc
    for i in range(k - 1, -1, -1):
        acc = z[i]
        for t in range(i + 1, k):
            acc -= lu[i, t] * z[t]
        z[i] = acc / lu[i, i]
    return D, largest


@_compiled
def _refined_error(
    S: FloatArray,
    eqs: IntArray,
    var: IntArray,
    p: int,
    k: int,
    g: int,
    delta: float,
    reported: FloatArray,
) -> float:
    """A bound on ``|reported_t - x*_t|``, x* the exact normalised solution of basis p.

    For the rare equilibria whose cheap bound is not precise enough: an approximate
    inverse ``R`` (Gauss-Jordan with partial pivoting) is certified a posteriori (Rump,
    "Verification methods", *Acta Numerica* 19, 2010, Theorem 10.2): if ``alpha`` bounds
    ``||I - R S*||_inf`` below 1 (the computed residual plus ``gamma(k + 1) (1 + k SMAX
    ||R||)`` for its rounding and ``k delta ||R||`` for the input), then ``|z - z*| <=
    ||R|| rho / (1 - alpha)`` for ``z = R 1``, where ``rho`` bounds ``|1 - S* z|``; normalising
    as elsewhere, and adding the computed distance from ``reported`` to ``z / sum z``.
    Infinite when the inverse cannot be certified.
    """
    aug = np.empty((k, 2 * k))
    for i in range(k):
        for j in range(k):
            aug[i, j] = S[eqs[p, i], var[p, j], g]
            aug[i, k + j] = 1.0 if i == j else 0.0
    for c in range(k):
        r_max = c
        for r in range(c + 1, k):
            if abs(aug[r, c]) > abs(aug[r_max, c]):
                r_max = r
        if aug[r_max, c] == 0.0:
            return np.inf
        for t in range(2 * k):
            tmp = aug[r_max, t]
            aug[r_max, t] = aug[c, t]
            aug[c, t] = tmp
        pivot = aug[c, c]
        for t in range(2 * k):
            aug[c, t] /= pivot
        for r in range(k):
            if r != c:
                f = aug[r, c]
                for t in range(2 * k):
                    aug[r, t] -= f * aug[c, t]
    norm_R, residual = 0.0, 0.0
    z = np.zeros(k)
    for v in range(k):
        row_sum = 0.0
        for j in range(k):
            row_sum += abs(aug[v, k + j])
            z[v] += aug[v, k + j]
        norm_R = max(norm_R, row_sum)
    for i in range(k):  # ||I - R S||_inf, computed
        acc_row = 0.0
        for j in range(k):
            acc = 1.0 if i == j else 0.0
            for t in range(k):
                acc -= aug[i, k + t] * S[eqs[p, t], var[p, j], g]
            acc_row += abs(acc)
        residual = max(residual, acc_row)
    g_k1 = (k + 1) * U / (1 - (k + 1) * U)
    alpha = (residual + g_k1 * (1 + k * SMAX * norm_R) + k * delta * norm_R) * SAFETY
    if not alpha < 1.0:
        return np.inf
    z_sum, total, rho = 0.0, 0.0, 0.0
    for v in range(k):
        z_sum += abs(z[v])
        total += z[v]
    for i in range(k):
        acc = 1.0
        for v in range(k):
            acc -= S[eqs[p, i], var[p, v], g] * z[v]
        rho = max(rho, abs(acc))
    rho += g_k1 * (1 + SMAX * z_sum) + delta * z_sum
    err_z = norm_R * rho / (1 - alpha) * SAFETY
    g_sum = (k - 1) * U / (1 - (k - 1) * U)
    spread = 0.0
    for v in range(k):
        spread = max(spread, abs(reported[v] - z[v] / total))
    bound = ((k + 1) * err_z + g_sum * z_sum) / abs(total) + 2 * U
    return (spread * (1 + 2 * U) + bound) * SAFETY


@_compiled
def _generic_status(
    S: FloatArray,
    X: FloatArray,
    start: int,
    transpose: bool,
    eqs: IntArray,
    var: IntArray,
    others: IntArray,
    p: int,
    n_others: int,
    k: int,
    g: int,
    eps: float,
    det_min: float,
    precision: float,
    delta: float,
    lu: FloatArray,
    z: FloatArray,
) -> int:
    """Status of the k x k basis p of game g (any k), decided with an a-posteriori bound.

    With ``r_i`` upper bounds on the exact basis's row norms and ``R = prod_i r_i``: the
    LU factors satisfy ``L U = S + E`` with ``|E| <= gamma(k) |L| |U|`` (Higham 2002,
    Theorem 9.3), so with the input error ``eta`` per entry, ``|D - D*| <= R (exp(sqrt(k)
    eta sum_i 1 / r_i) - 1)`` (multilinearity and Hadamard's inequality) plus the
    rounding of the pivots' product; ``||S*^-1||_inf <= R sum_i (1 / r_i) / |D*|``
    (Hadamard's inequality on the adjugate); and ``|z - z*| <= ||S*^-1||_inf ||1 - S*
    z||_inf`` bounds every coordinate; the slacks' bounds follow.
    """
    D, largest = _factor_solve(S, eqs, var, p, k, g, lu, z)
    if D == 0.0:
        singular = _exactly_singular(X, start, transpose, eqs, var, p, k, g)
        return _SINGULAR if singular else _SUSPECT
    root_k = math.sqrt(k)
    prod, inv_sum = 1.0, 0.0
    for i in range(k):
        acc = 0.0
        for t in range(k):
            acc += S[eqs[p, i], var[p, t], g] ** 2
        r = math.sqrt(acc) * (1 + 4 * k * U) + root_k * delta
        prod *= r
        inv_sum += 1.0 / r
    prod *= 1 + 2 * k * U
    eta = (k * U / (1 - k * U)) * k * largest + delta
    g_k1 = (k + 1) * U / (1 - (k + 1) * U)
    det_error = (prod * math.expm1(root_k * eta * inv_sum) + g_k1 * abs(D)) * SAFETY
    if abs(D) <= det_error or abs(D) < det_min:
        singular = _exactly_singular(X, start, transpose, eqs, var, p, k, g)
        return _SINGULAR if singular else _SUSPECT
    inverse_norm = prod * inv_sum / (abs(D) - det_error)
    z_sum = 0.0
    for v in range(k):
        z_sum += abs(z[v])
    rho = 0.0
    for i in range(k):
        acc, absolute = 1.0, 1.0
        for v in range(k):
            term = S[eqs[p, i], var[p, v], g] * z[v]
            acc -= term
            absolute += abs(term)
        rho = max(rho, abs(acc) + g_k1 * absolute)
    err_z = inverse_norm * (rho + delta * z_sum) * SAFETY
    negative, close = False, False
    th = max(eps, err_z)
    for v in range(k):
        negative |= z[v] < -th
        close |= abs(z[v]) <= th
    for t in range(n_others):
        e = others[p, t]
        acc, absolute, weight = 1.0, 1.0, 0.0
        for v in range(k):
            term = S[e, var[p, v], g] * z[v]
            acc -= term
            absolute += abs(term)
            weight += S[e, var[p, v], g] + delta
        th = max(eps, (weight * err_z + delta * z_sum + g_k1 * absolute) * SAFETY)
        negative |= acc < -th
        close |= abs(acc) <= th
    if negative:
        return _INFEASIBLE
    if close:
        return _SUSPECT
    # Each probability z_v / sum(z) within (err_z + eS) / |sum z| + 2u, eS = k err_z +
    # gamma(k - 1) sum|z| bounding the error of the sum; else try the refined bound.
    total = 0.0
    for v in range(k):
        total += z[v]
    g_sum = (k - 1) * U / (1 - (k - 1) * U)
    error = ((err_z + k * err_z + g_sum * z_sum) / abs(total) + 2 * U) * SAFETY
    if error <= (k + 1) * precision:
        return _VERTEX
    reported = np.empty(k)
    for v in range(k):
        reported[v] = z[v] / total
    precise = _refined_error(S, eqs, var, p, k, g, delta, reported) <= (k + 1) * precision
    return _VERTEX if precise else _IMPRECISE


@_compiled
def _basis(
    S: FloatArray,
    X: FloatArray,
    start: int,
    transpose: bool,
    eqs: IntArray,
    var: IntArray,
    others: IntArray,
    p: int,
    k: int,
    n_others: int,
    G: int,
    eps: float,
    det_min: float,
    precision: float,
    bnd: FloatArray,
    delta: FloatArray,
    work: FloatArray,
    flags: U8Array,
    minors: FloatArray,
    lu: FloatArray,
    z: FloatArray,
    ok: U8Array,
    suspect: U8Array,
) -> None:
    """Evaluate basis p (size k) of one polytope for every game of the block.

    ``ok[g]``: 1 if the basis is a certified vertex of game g, 2 if it is one whose mixed
    strategy is not certainly precise (generic path only: the kernel checks the closed
    forms' precision at the equilibria), else 0; ``suspect[g]`` is set when a decision
    of this basis cannot be certified.
    """
    if k == 1:
        _basis_1(S, eqs, var, others, p, n_others, G, eps, bnd, flags, ok, suspect)
        return
    if k <= 4:
        if k == 2:
            _basis_2(S, eqs, var, p, G, eps, bnd, work, flags)
        elif k == 3:
            _basis_3(S, eqs, var, p, G, eps, bnd, work, flags)
        else:
            _basis_4(S, eqs, var, p, G, eps, bnd, work, flags, minors)
        _slacks(S, var, others, p, k, n_others, G, eps, bnd[k - 1, 2], work, flags)
        _settle(
            X, start, transpose, eqs, var, p, k, G, bnd, det_min, work, flags, ok, suspect,
        )  # fmt: skip
        return
    for g in range(G):
        status = _generic_status(
            S, X, start, transpose, eqs, var, others, p, n_others, k, g,
            eps, det_min, precision, delta[g], lu, z,
        )  # fmt: skip
        ok[g] = 1 if status == _VERTEX else (2 if status == _IMPRECISE else 0)
        suspect[g] |= status == _SUSPECT


@_compiled
def _stage(
    S: FloatArray,
    eqs: IntArray,
    var: IntArray,
    p: int,
    k: int,
    g: int,
    lu: FloatArray,
    z: FloatArray,
    out: FloatArray,
    at: int,
) -> None:
    """The normalised mixed strategy of the certified vertex of a k x k basis, k >= 5.

    (Smaller bases left their numerators in the work arrays; this one is solved again.)
    """
    _factor_solve(S, eqs, var, p, k, g, lu, z)
    total = 0.0
    for t in range(k):
        total += z[t]
    for t in range(k):
        out[at, var[p, t]] = z[t] / total


@_compiled
def _kernel(
    A: FloatArray,
    B: FloatArray,
    start: int,
    eps: float,
    rounding: float,
    det_min: float,
    precision: float,
    block: int,
    coefficients: FloatArray,
    size: IntArray,
    rows: IntArray,
    cols: IntArray,
    other_rows: IntArray,
    other_cols: IntArray,
    out_game: IntArray,
    out_row: FloatArray,
    out_col: FloatArray,
    count: int,
    suspect: U8Array,
) -> tuple[int, int]:
    """Solve games ``start, start + 1, ...`` into the output from position ``count``.

    Returns ``(next game, count)``: the next game is N when all are done, or else the first
    game whose equilibria did not fit (the caller grows the output and resumes there); a
    next game of -1 means a payoff is not finite.
    """
    N, m, n = A.shape
    P = len(size)
    kmax = min(m, n)
    # Blocks shrink for larger shapes so that the staging area (P x block rows) stays small.
    G0 = max(1, min(block, max(N - start, 1), max(16, (1 << 16) // P)))
    Sq, Sp = np.empty((m, n, G0)), np.empty((n, m, G0))
    delta, up, up2 = np.empty(G0), np.empty(G0), np.empty(G0)
    shifted, scale, low, high = np.empty(G0), np.empty(G0), np.empty(G0), np.empty(G0)
    exponent = np.empty(G0, dtype=np.int64)
    bnd = np.empty((4, 3, G0))
    work_q, work_p = np.empty((kmax + 1, G0)), np.empty((kmax + 1, G0))
    flags = np.empty((3, G0), dtype=np.uint8)
    minors = np.empty((12, G0))
    ok_q, ok_p = np.empty(G0, dtype=np.uint8), np.empty(G0, dtype=np.uint8)
    sus = np.empty(G0, dtype=np.uint8)
    lu, z, reported = np.empty((kmax, kmax)), np.empty(kmax), np.empty(kmax)
    # Equilibria are staged pair by pair, then placed in game order (a counting sort).
    staged = P * G0
    st_game = np.empty(staged, dtype=np.int64)
    st_row, st_col = np.empty((staged, m)), np.empty((staged, n))
    place, hit = np.empty(G0, dtype=np.int64), np.empty(G0 + 1, dtype=np.int64)
    capacity = len(out_game)
    for b0 in range(start, N, G0):
        G = min(G0, N - b0)
        delta[:G] = 0.0
        if not _map_block(
            A, b0, G, False, rounding, Sq, delta, up, up2, shifted, scale, low, high, exponent
        ):
            return -1, count
        if not _map_block(
            B, b0, G, True, rounding, Sp, delta, up, up2, shifted, scale, low, high, exponent
        ):
            return -1, count
        for k in range(4):
            for w in range(3):
                for g in range(G):
                    bnd[k, w, g] = coefficients[k, w, 0] + coefficients[k, w, 1] * delta[g]
        for g in range(G):
            sus[g] = delta[g] == np.inf
            place[g] = 0
        n_staged = 0
        for p in range(P):
            k = size[p]
            _basis(
                Sq, A, b0, False, rows, cols, other_rows, p, k, m - k, G,
                eps, det_min, precision, bnd, delta, work_q, flags, minors, lu, z, ok_q, sus,
            )  # fmt: skip
            _basis(
                Sp, B, b0, True, cols, rows, other_cols, p, k, n - k, G,
                eps, det_min, precision, bnd, delta, work_p, flags, minors, lu, z, ok_p, sus,
            )  # fmt: skip
            # Gather the games where both bases are vertices, then stage their strategies
            # (no function call with array arguments in the per-game loop: each would
            # cost atomic reference counts).
            hits = 0
            for g in range(G):  # branch-free: write always, advance on a hit
                hit[hits] = g
                hits += (ok_q[g] != 0) & (ok_p[g] != 0)
            if k >= 2:
                # Precision of N / sum(N) (closed forms; the generic path marked ok = 2
                # itself): with |N_v - N*_v| <= eN and the rounded sum T within eS = k eN
                # + gamma(k - 1) sum|N| of T*, each probability is within (eN + eS) / |T|
                # + 2u of the exact one. Imprecise equilibria make their game suspect.
                g_sum = (k - 1) * U / (1 - (k - 1) * U)
                kept = 0
                for h in range(hits):
                    g = hit[h]
                    precise = (ok_q[g] | ok_p[g]) & 2 == 0
                    if precise and k <= 4:
                        eN = bnd[k - 1, 1, g]
                        for side in range(2):
                            total, magnitude = 0.0, 0.0
                            for t in range(1, k + 1):
                                value = work_q[t, g] if side == 0 else work_p[t, g]
                                total += value
                                magnitude += abs(value)
                            error = (eN + k * eN + g_sum * magnitude) / abs(total) + 2 * U
                            if error * SAFETY > (k + 1) * precision:  # rare: refine
                                for t in range(k):
                                    value = work_q[1 + t, g] if side == 0 else work_p[1 + t, g]
                                    reported[t] = value / total
                                if side == 0:
                                    error = _refined_error(
                                        Sq, rows, cols, p, k, g, delta[g], reported
                                    )
                                else:
                                    error = _refined_error(
                                        Sp, cols, rows, p, k, g, delta[g], reported
                                    )
                                precise &= error <= (k + 1) * precision
                    if precise:
                        hit[kept] = g
                        kept += 1
                    else:
                        sus[g] = 1
                hits = kept
            for h in range(hits):
                g = hit[h]
                for t in range(m):
                    st_row[n_staged, t] = 0.0
                for t in range(n):
                    st_col[n_staged, t] = 0.0
                if k == 1:
                    st_row[n_staged, rows[p, 0]] = 1.0
                    st_col[n_staged, cols[p, 0]] = 1.0
                elif k <= 4:
                    total_p, total_q = 0.0, 0.0
                    for t in range(k):
                        total_p += work_p[1 + t, g]
                        total_q += work_q[1 + t, g]
                    for t in range(k):
                        st_row[n_staged, rows[p, t]] = work_p[1 + t, g] / total_p
                        st_col[n_staged, cols[p, t]] = work_q[1 + t, g] / total_q
                else:
                    _stage(Sp, cols, rows, p, k, g, lu, z, st_row, n_staged)
                    _stage(Sq, rows, cols, p, k, g, lu, z, st_col, n_staged)
                st_game[n_staged] = g
                place[g] += 1
                n_staged += 1
        # place[g] becomes the output position of game g's first equilibrium.
        total = 0
        for g in range(G):
            found = place[g] if sus[g] == 0 else 0
            place[g] = count + total
            total += found
        if count + total > capacity:
            return b0, count
        for s in range(n_staged):
            g = st_game[s]
            if sus[g]:
                continue
            at = place[g]
            place[g] += 1
            out_game[at] = b0 + g
            for t in range(m):
                out_row[at, t] = st_row[s, t]
            for t in range(n):
                out_col[at, t] = st_col[s, t]
        for g in range(G):
            suspect[b0 + g] = sus[g]
        count += total
    return N, count
