"""Batched equilibrium engine: every equilibrium of many same-shaped games at once.

:func:`solve_batch` runs vertex enumeration of the best-response polytopes (the algorithm
of :mod:`negotiation.solvers.exact`) for all games together, vectorised with numpy over the games
and looped over the C(m + n, m) bases, in chunks so memory stays bounded. Every decision
taken in floating point carries a rigorous error bound, and a game in which any decision
could go either way is handed to the exact solver, so the answer is always the exact
solver's:

1. Each game's payoff matrix ``M`` is first divided by ``2**e``, a power of two at least
   its largest absolute entry (exact; no overflow even at 1e308), then mapped affinely
   onto about [1, 10] per player (equilibria unchanged): ``U = (M / 2**e - low') * c``,
   with ``c`` a power of two such that ``c * span <= 9`` (at most 2**50) and
   ``low' = low - 1 / c`` (rounded; the map uses it as it is). Only the subtraction
   rounds, so the computed ``U`` differs from the *same* affine map applied to the exact
   game by at most

       eta = 10.2 u + c (rounding * max|M / 2**e| + 2**-1074 / 2**e)      (u = 2**-53)

   per entry, where ``rounding`` is the relative error of the float payoffs against the
   exact game (0 when the floats *are* the game). A game whose payoffs are huge next to
   their spread gets a large ``eta``, and so goes to the exact solver.
2. For each basis (support K, tight set T, |K| = |T| = k), the square systems
   ``S z = 1`` of all games are solved at once, with a bound ``b`` on the distance from
   the computed ``z`` to the exact solution of the exact system ``S* z* = 1``:

   - k <= 3, Cramer's rule with explicit cofactors: the determinant and every numerator
     are off by at most ``E = eta * sum_ij perm(minor_ij(X)) + gamma_2k perm(X)``, with
     ``X = |S| + eta`` and ``gamma_n = n u / (1 - n u)`` (input perturbation, bounded
     through the permanent of the absolute values; rounding of a sum of k-fold products,
     Higham, *Accuracy and Stability of Numerical Algorithms*, 2002, section 3.1), so
     ``|z - z*| <= E (1 + |z|) / (|det| - E) + u |z|`` when ``|det| > E``;
   - k >= 4, an approximate inverse ``R`` certified a posteriori (Rump, "Verification
     methods", *Acta Numerica* 19, 2010, Theorem 10.2): if ``alpha`` bounds
     ``||I - R S*||`` below 1, then ``||z - z*|| <= ||R (1 - S* z)|| / (1 - alpha)``,
     with every rounding of the residuals bounded by ``gamma_{k+1}``.

   A basis with two equal rows or columns, or two constant ones, in the original floats
   is singular exactly (see :func:`solve_batch` for why equal floats mean equal exact
   payoffs) and defines no vertex; scenarios often have constant rows. Any other basis
   whose determinant is within its bound of 0 gets ``b = inf``.
3. A solution is a vertex if every ``z_v > eps + b`` and every other equation's left side
   is below ``1 - eps - B`` (``B`` its propagated bound); it is certainly not a vertex if
   some quantity is beyond its boundary by more than ``eps`` plus its bound. Otherwise
   (NaN included) the game is *suspect*. A degenerate game is always suspect: its
   degenerate vertex has a quantity that is exactly at its boundary.
4. A vertex pair that makes an equilibrium must also be precise: every bound ``b`` at most
   :data:`PRECISION` times the sum of its ``z``, so every reported probability is within
   about ``(k + 1) * PRECISION`` of the exact one; otherwise the game is suspect.
5. For the other games every decision is certain, so the completely labelled vertex pairs
   found in floating point are exactly the equilibria of the exact solver.
6. Suspect games (and any the caller marks with ``force_exact``) are handed to the exact
   solver (:func:`negotiation.solvers.exact.solve_exact`), which decides degeneracy exactly
   and returns every extreme equilibrium. Many of them at once (a sweep's degenerate
   points) run the same enumeration compiled in int64,
   :func:`negotiation.solvers.integer_kernel.solve_integer_games`, whose answer is
   ``solve_exact``'s field for field; games whose integers could overflow stay in Python.

The result is complete for every game, degenerate or not. Every equilibrium returned is
finally checked as a mutual best response in floating point; a NaN fails that check.

Steps 1-5 exist twice, with one contract (per game: its certified equilibria, or
*suspect*): the numpy code below, and its numba-compiled twin
:func:`negotiation.solvers.kernels.solve_floats` (the same map onto [1, 10], the same
``eps`` and ``PRECISION`` rules, bounds of the same kind; see its docstring), about ten
times faster. ``compiled`` chooses; by default the compiled stage is used for batches of
at least :data:`COMPILED_MIN` games, since loading numba and the cached machine code
costs about 0.7 s per process. Step 6 and all that follows are
shared, so both give the exact solver's answer for every game.
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
import sys
from collections.abc import Callable

import attrs
import numpy as np
import numpy.typing as npt

from negotiation.model.payoffs import Game
from negotiation.solvers.components import Component, components
from negotiation.solvers.exact import ExactSolution, solve_exact

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: ``exact_integers`` of :func:`solve_batch`: game indices -> (X, L, valid).
IntegerGames = Callable[[IntArray], tuple[IntArray, int, BoolArray]]

#: Margin of the floating-point decisions, on payoffs mapped onto about [1, 10]: a quantity
#: closer than this (plus its rounding error bound) to its boundary sends its game to the
#: exact solver.
EPS = 1e-7

#: Largest error bound of a reported equilibrium's strategy, relative to its sum (each
#: probability is then within about (support size + 1) times this of the exact one).
PRECISION = 1e-11

#: Games solved together; bounds memory at a few hundred MB for 3x3 games.
CHUNK = 20_000

#: Batches this large use the compiled float stage by default (it repays loading numba).
COMPILED_MIN = 100_000

#: A chunk with this many games for the exact solver runs them through the compiled integer
#: kernel even if numba is not loaded yet (loading it costs about 0.7 s, some 1,000 games of
#: the Python exact solver; a sweep's later blocks reuse it).
INTEGER_MIN = 256

#: Relative tolerance of the final best-response check of every equilibrium.
TOLERANCE = 1e-9

#: The unit roundoff of IEEE double precision.
_U = 2.0**-53

#: Factor covering the rounding in computing an error bound itself.
_SAFE = 1 + 2.0**-40


def _gamma(n: int) -> float:
    """Higham's gamma_n = n u / (1 - n u): the relative error of n rounded operations."""
    return n * _U / (1 - n * _U)


@attrs.frozen
class BatchResult:
    """Every extreme equilibrium of every game, in columns, ordered by game.

    ``row[e]`` and ``col[e]`` are the mixed strategies of equilibrium ``e``, which belongs
    to game ``game[e]`` and to its connected component ``component[e]`` (numbered within
    the game, see :mod:`negotiation.solvers.components`); ``degenerate[g]`` says whether game
    ``g`` is degenerate; ``exact[g]`` whether it went to the exact solver.
    """

    game: npt.NDArray[np.int64]
    row: FloatArray
    col: FloatArray
    component: npt.NDArray[np.int64]
    degenerate: BoolArray
    #: Which games went to the exact solver.
    exact: BoolArray

    @property
    def exact_games(self) -> int:
        """How many games went to the exact solver."""
        return int(self.exact.sum())

    def equilibria_of(self, g: int) -> list[tuple[FloatArray, FloatArray]]:
        """The equilibria of game ``g``."""
        lo, hi = np.searchsorted(self.game, [g, g + 1])
        return [(self.row[e], self.col[e]) for e in range(lo, hi)]


def solve_batch(
    A: npt.ArrayLike,
    B: npt.ArrayLike,
    *,
    exact: Callable[[int], Game] | None = None,
    exact_integers: IntegerGames | None = None,
    rounding: float | None = None,
    force_exact: npt.ArrayLike | None = None,
    eps: float = EPS,
    chunk: int = CHUNK,
    compiled: bool | None = None,
) -> BatchResult:
    """All extreme equilibria of N games of the same shape, from arrays of shape (N, m, n).

    ``compiled`` picks the float stage (module docstring): ``True`` the numba kernel,
    ``False`` numpy, ``None`` (default) the kernel for N >= :data:`COMPILED_MIN`. The
    answer is the exact solver's either way; the kernel takes ``eps`` below 0.01 only, so
    a larger ``eps`` uses numpy.

    ``exact(g)``, if given, returns the exact game ``g`` for the exact solver (a sweep
    passes its exactly computed payoffs, so a tie on paper stays a tie); by default game
    ``g`` is taken at the exact binary value of its float payoffs.

    ``exact_integers(games)``, if given, returns the exact games ``games`` (an int64 array
    of game indices) as integers over a common denominator, ``(X, L, valid)`` as
    :meth:`negotiation.studies.family.GameFamily.integers` gives them: ``X[k] / L`` is
    ``exact(games[k])`` wherever ``valid[k]``. The compiled integer kernel then takes
    those games without building them in Fractions
    (:func:`negotiation.solvers.integer_kernel.scaled_integer_games` proves its matrices
    are the ones exact.py builds); ``exact`` is called only for the rest. It must agree
    with ``exact``.

    ``rounding`` bounds the relative error of the floats against the exact games:
    ``|A[g] - exact(g).A| <= rounding * |A[g]|`` entrywise, likewise for ``B``. It
    defaults to 0 without ``exact`` (the floats are the games) and to 2**-53 with it
    (correctly rounded payoffs, as :meth:`Game.floats` and a sweep give). With ``exact``,
    the floats must also keep exact ties apart: two payoffs of one player in one row or
    one column that are equal as floats must be equal exactly, except in games marked in
    ``force_exact`` (a boolean per game), which always go to the exact solver.
    Correct rounding keeps exact ties; a sweep marks the points where two different
    exact payoffs round to one float.

    Raises :class:`ValueError` for arrays that are not two (N, m, n) arrays of finite real
    numbers with m, n >= 1, for ``eps`` not a positive finite number, ``chunk`` not a
    positive whole number, ``rounding`` not in [0, 2**-20]. An empty batch (N = 0) gives
    an empty result.

    >>> pennies = np.array([[[1, -1], [-1, 1]]])
    >>> result = solve_batch(pennies, -pennies)
    >>> result.game.tolist(), result.row.tolist(), result.degenerate.tolist()
    ([0], [[0.5, 0.5]], [False])
    """
    A_, B_ = _payoffs(A, "A"), _payoffs(B, "B")
    if A_.ndim != 3 or A_.shape != B_.shape or 0 in A_.shape[1:]:
        raise ValueError(
            f"A and B must have the same shape (N, m, n) with m, n >= 1, got {A_.shape}, {B_.shape}"
        )
    if not (np.isfinite(A_).all() and np.isfinite(B_).all()):
        raise ValueError("payoffs must be finite")
    eps = _positive_float(eps, "eps")
    size = _positive_whole(chunk, "chunk")
    if exact is not None and not callable(exact):
        raise ValueError(f"exact must be None or a callable g -> Game, got {exact!r}")
    if exact_integers is not None and not callable(exact_integers):
        raise ValueError(
            f"exact_integers must be None or a callable games -> (X, L, valid), "
            f"got {exact_integers!r}"
        )
    relative = _rounding(rounding, exact is not None)
    N, m, n = A_.shape
    forced = np.zeros(N, dtype=bool)
    if force_exact is not None:
        forced = np.asarray(force_exact)
        if forced.dtype != np.bool_ or forced.shape != (N,):
            raise ValueError(f"force_exact must be {N} booleans, got {forced.dtype} {forced.shape}")
    if exact is None:
        exact = lambda g: Game.from_arrays(A_[g], B_[g])  # noqa: E731 - a one-line default
    if compiled is None:
        compiled = N >= COMPILED_MIN
    use_kernel = bool(compiled) and eps < 0.01
    parts = [
        _solve_chunk(
            A_[start : start + size],
            B_[start : start + size],
            forced[start : start + size],
            start,
            exact,
            eps,
            relative,
            use_kernel,
            exact_integers,
        )
        for start in range(0, N, size)
    ]
    result = BatchResult(
        game=np.concatenate([np.zeros(0, dtype=np.int64), *(p[0] for p in parts)]),
        row=np.concatenate([np.zeros((0, m)), *(p[1] for p in parts)]),
        col=np.concatenate([np.zeros((0, n)), *(p[2] for p in parts)]),
        component=np.concatenate([np.zeros(0, dtype=np.int64), *(p[3] for p in parts)]),
        degenerate=np.concatenate([np.zeros(0, dtype=bool), *(p[4] for p in parts)]),
        exact=np.concatenate([np.zeros(0, dtype=bool), *(p[5] for p in parts)]),
    )
    _verify(A_, B_, result)
    return result


def _payoffs(M: npt.ArrayLike, name: str) -> FloatArray:
    """``M`` as a float array, refusing booleans, complex numbers, strings and objects."""
    array = np.asarray(M)
    if array.dtype.kind in "iuf":
        return array.astype(np.float64)
    if array.dtype.kind == "O":
        flat = array.ravel()
        bad = next(
            (x for x in flat if isinstance(x, bool) or not isinstance(x, numbers.Real)), None
        )
        if bad is None:
            try:
                return np.array([float(x) for x in flat], dtype=np.float64).reshape(array.shape)
            except OverflowError:
                raise ValueError("payoffs must be finite") from None
        raise ValueError(f"{name} must hold real numbers, got {type(bad).__name__} {bad!r}")
    raise ValueError(f"{name} must hold real numbers, got an array of {array.dtype}")


def _rounding(value: object, with_exact: bool) -> float:
    if value is None:
        return _U if with_exact else 0.0
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"rounding must be a real number, got {value!r}")
    number = float(value)
    if not 0 <= number <= 2.0**-20:
        raise ValueError(f"rounding must be in [0, 2**-20], got {value!r}")
    return number


def _positive_whole(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def _positive_float(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return number


def _verify(A: FloatArray, B: FloatArray, result: BatchResult) -> None:
    """Check every equilibrium is a mutual best response in floating point (else a bug).

    Payoffs are divided by a power of two at least their largest magnitude first, so the
    check cannot overflow; NaN anywhere fails it. (Reductions over the few strategies are
    written out column by column: numpy is much slower along a short axis.)
    """
    exp_A, exp_B = _exponents(A), _exponents(B)
    for start in range(0, len(result.game), CHUNK):
        g = result.game[start : start + CHUNK]
        x, y = result.row[start : start + CHUNK], result.col[start : start + CHUNK]
        a = np.ldexp(A[g], -exp_A[g][:, None, None])
        b = np.ldexp(B[g], -exp_B[g][:, None, None])
        row_values = np.einsum("eij,ej->ie", a, y)  # (m, equilibria)
        col_values = np.einsum("eij,ei->je", b, x)  # (n, equilibria)
        good = np.ones(len(g), dtype=bool)
        for strategy, values in ((x, row_values), (y, col_values)):
            best, mean, total = values[0], strategy[:, 0] * values[0], strategy[:, 0]
            good &= strategy[:, 0] >= 0
            for i in range(1, len(values)):
                best = np.maximum(best, values[i])
                mean = mean + strategy[:, i] * values[i]
                total = total + strategy[:, i]
                good &= strategy[:, i] >= 0
            good &= (best - mean <= TOLERANCE) & (np.abs(total - 1) <= TOLERANCE)
        if not good.all():
            raise AssertionError(f"batch solver returned non-equilibria in games {g[~good][:5]}")


def _extremes(M: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per game, the smallest, largest and largest absolute entry of ``M`` (N, m, n)."""
    flat = M.reshape(len(M), M.shape[1] * M.shape[2])
    low, high = flat[:, 0].copy(), flat[:, 0].copy()
    for j in range(1, flat.shape[1]):
        np.minimum(low, flat[:, j], out=low)
        np.maximum(high, flat[:, j], out=high)
    return low, high, np.maximum(np.abs(low), np.abs(high))


def _exponents(M: FloatArray) -> npt.NDArray[np.int64]:
    """Per game, the least ``e`` with ``2**e >= max |M|`` (0 for an all-zero matrix)."""
    if len(M) == 0:
        return np.zeros(0, dtype=np.int64)
    _, exponent = np.frexp(_extremes(M)[2])
    result: npt.NDArray[np.int64] = exponent.astype(np.int64)
    return result


#: Largest power of two ``c`` :func:`_unit` scales by: then ``1 / c`` is at least 2**-50,
#: so ``low - 1 / c`` rounds by at most 2**-53, an eighth of ``1 / c``.
_C_MAX = 2.0**50

#: Largest entry of a matrix mapped by :func:`_unit`, rounding included.
_TOP = 10.125 * (1 + 4 * _U)


def _unit(M: FloatArray, rounding: float) -> tuple[FloatArray, FloatArray]:
    """Each game's matrix mapped affinely onto about [1, 10], and the bound ``eta`` per game.

    ``U = (M / 2**e - low') * c``, with ``c`` the largest power of two such that
    ``c * span <= 9`` (at most :data:`_C_MAX`) and ``low' = low - 1 / c`` rounded. The
    map uses ``low'`` as it is, so it is a positive affine map, and the same map of the
    exact game is one of the exact game; the only rounding is the subtraction, at most
    ``u * U``. Entries lie in [7/8, :data:`_TOP`] (the smallest is ``(low - low') * c``,
    1 up to the rounding of ``low'``). Float errors of the payoffs
    against the exact game add ``c * (rounding * max|M / 2**e| + 2**-1074 / 2**e)``:
    ``eta`` in the module docstring. A constant matrix becomes constant, and is constant
    exactly too: its float entries are equal, so, by the contract of :func:`solve_batch`,
    its exact ones are.
    """
    exponent = _exponents(M)
    scaled = np.ldexp(M, -exponent[:, None, None])  # exact, barring underflow
    low, high, biggest = _extremes(scaled)
    span = high - low
    _, power = np.frexp(np.where(span > 0, span / 9, 1.0))
    c = np.minimum(np.ldexp(1.0, -power), _C_MAX)  # c * span <= 9
    shifted = low - 1 / c
    unit: FloatArray = (scaled - shifted[:, None, None]) * c[:, None, None]
    tiny = np.ldexp(1.0, np.maximum(-1074 - exponent, -1074))
    eta = _TOP * _U + np.where(span > 0, c * (rounding * biggest + tiny), 0.0)
    return unit, eta * _SAFE


def _solve_chunk(
    A: FloatArray,
    B: FloatArray,
    forced: BoolArray,
    offset: int,
    exact: Callable[[int], Game],
    eps: float,
    rounding: float,
    compiled: bool = False,
    integers: IntegerGames | None = None,
) -> tuple[
    npt.NDArray[np.int64],
    FloatArray,
    FloatArray,
    npt.NDArray[np.int64],
    BoolArray,
    BoolArray,
]:
    N, m, n = A.shape
    stage = _compiled_stage if compiled else _float_stage
    found, suspect = stage(A, B, forced, eps, rounding)
    kept = [(g[~suspect[g]], r[~suspect[g]], c[~suspect[g]]) for g, r, c in found]
    games: list[npt.NDArray[np.int64]] = [g + offset for g, _, _ in kept]
    row_parts, col_parts = [r for _, r, _ in kept], [c for _, _, c in kept]
    # An equilibrium of a non-suspect game is isolated; -1 marks "number it in order" below.
    component_parts = [np.full(len(g), -1, dtype=np.int64) for g, _, _ in kept]
    # Equilibria of exactly solved games keep the exact solver's order (rank 1, 2, ...).
    rank_parts = [np.zeros(len(g), dtype=np.int64) for g, _, _ in kept]
    degenerate = np.zeros(N, dtype=bool)
    suspects = np.flatnonzero(suspect)
    solutions = _exact_solutions([offset + int(i) for i in suspects], exact, integers)
    for index, solution in zip(suspects, solutions, strict=True):
        degenerate[index] = solution.degenerate
        eqs = solution.equilibria
        games.append(np.full(len(eqs), offset + index, dtype=np.int64))
        row_parts.append(np.array([[float(p) for p in x] for x, _ in eqs]).reshape(-1, m))
        col_parts.append(np.array([[float(p) for p in y] for _, y in eqs]).reshape(-1, n))
        ids = np.zeros(len(eqs), dtype=np.int64)
        for c, comp in enumerate(_components(solution.pairs)):
            ids[list(comp.equilibria)] = c
        component_parts.append(ids)
        rank_parts.append(np.arange(1, len(eqs) + 1, dtype=np.int64))
    game = np.concatenate([np.zeros(0, dtype=np.int64), *games]).astype(np.int64)
    row: FloatArray = np.concatenate([np.zeros((0, m)), *row_parts])
    col: FloatArray = np.concatenate([np.zeros((0, n)), *col_parts])
    component = np.concatenate([np.zeros(0, dtype=np.int64), *component_parts])
    rank = np.concatenate([np.zeros(0, dtype=np.int64), *rank_parts])
    # Order by game, then as the exact solver does: by -row, then -col, lexicographically.
    # Float keys are rounded so that float noise cannot reorder equal probabilities; an
    # exactly solved game is already in exact order (rounding could tie 1e-38 with 0).
    r_key, c_key = np.round(row, 9), np.round(col, 9)
    keys = [
        *(-c_key[:, j] for j in reversed(range(n))),
        *(-r_key[:, i] for i in reversed(range(m))),
    ]
    order = np.lexsort([*keys, rank, game])
    game, row, col, component = game[order], row[order], col[order], component[order]
    position = np.arange(len(game)) - np.searchsorted(game, game, side="left")
    component = np.where(component < 0, position, component)
    return game, row, col, component, degenerate, suspect


@functools.lru_cache(maxsize=4096)
def _components(pairs: tuple[tuple[int, int], ...]) -> tuple[Component, ...]:
    """:func:`components` of ``pairs``, remembered.

    It depends on the pairs alone, and a sweep's degenerate points repeat a few shapes of
    equilibrium graph many times.
    """
    return components(pairs)


def _exact_solutions(
    indices: list[int], exact: Callable[[int], Game], integers: IntegerGames | None = None
) -> list[ExactSolution]:
    """Step 6: :func:`solve_exact` of the games ``exact(g)`` for ``g`` in ``indices``.

    Many games at once go through the compiled integer kernel
    (:mod:`negotiation.solvers.integer_kernel`, the same enumeration in int64 with the same
    results), which loads numba: it is used when numba is loaded already, or for at least
    :data:`INTEGER_MIN` games. Its integers come from ``integers`` when given (no Fraction
    game is built for those games), else from ``exact(g)``. Games whose integers could
    overflow int64 stay on :func:`solve_exact` of ``exact(g)``.
    """
    loaded = "numba" in sys.modules
    if not indices or (len(indices) < INTEGER_MIN and not loaded):
        return [solve_exact(exact(g)) for g in indices]
    from negotiation.solvers.integer_kernel import (
        integer_games,
        scaled_integer_games,
        solve_integer_games,
    )

    if integers is None:
        games = [exact(g) for g in indices]
        A, B, fits = integer_games(games)
        fast = iter(solve_integer_games(A[fits], B[fits]))
        return [
            next(fast) if ok else solve_exact(game) for game, ok in zip(games, fits, strict=True)
        ]
    A, B, fits = scaled_integer_games(*integers(np.array(indices, dtype=np.int64)))
    fast = iter(solve_integer_games(A[fits], B[fits]))
    return [
        next(fast) if ok else solve_exact(exact(g)) for g, ok in zip(indices, fits, strict=True)
    ]


_Found = list[tuple[npt.NDArray[np.int64], FloatArray, FloatArray]]


def _float_stage(
    A: FloatArray, B: FloatArray, forced: BoolArray, eps: float, rounding: float
) -> tuple[_Found, BoolArray]:
    """Steps 1-5 in numpy: each game's certified equilibria, and which games are suspect."""
    m, n = A.shape[1:]
    unit_A, eta_A = _unit(A, rounding)
    unit_B, eta_B = _unit(B, rounding)
    # Games last, so every payoff entry is one contiguous vector over the games.
    Aq = np.ascontiguousarray(unit_A.transpose(1, 2, 0))  # Aq[i][j]: rows of Q's A' y <= 1
    Bp = np.ascontiguousarray(unit_B.transpose(2, 1, 0))  # Bp[j][i]: rows of P's B'^T x <= 1
    # The original floats in the same layout, for exact tests of equal rows and columns.
    Aq_raw = np.ascontiguousarray(A.transpose(1, 2, 0))
    Bp_raw = np.ascontiguousarray(B.transpose(2, 1, 0))
    suspect = forced.copy()
    found: list[tuple[npt.NDArray[np.int64], FloatArray, FloatArray]] = []
    for k in range(1, min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.combinations(range(n), k):
                # A completely labelled vertex pair of P x Q with these supports: x on
                # rows makes the columns tight in P, y on cols makes the rows tight in Q.
                x, x_ok, x_close, x_vague = _basis(Bp, Bp_raw, eta_B, cols, rows, eps)
                y, y_ok, y_close, y_vague = _basis(Aq, Aq_raw, eta_A, rows, cols, eps)
                hit = x_ok & y_ok
                suspect |= x_close | y_close | (hit & (x_vague | y_vague))
                hits = np.flatnonzero(hit)
                if len(hits):
                    found.append((hits, _spread(x, rows, m, hits), _spread(y, cols, n, hits)))
    return found, suspect


def _compiled_stage(
    A: FloatArray, B: FloatArray, forced: BoolArray, eps: float, rounding: float
) -> tuple[_Found, BoolArray]:
    """Steps 1-5 by :func:`negotiation.solvers.kernels.solve_floats`, the same contract."""
    from negotiation.solvers.kernels import solve_floats  # numba: loaded only when used

    stage = solve_floats(A, B, eps=eps, rounding=rounding, precision=PRECISION)
    suspect: BoolArray = forced | stage.suspect
    return [(stage.game, stage.row, stage.col)], suspect


def _spread(
    v: list[FloatArray], support: tuple[int, ...], size: int, games: npt.NDArray[np.int64]
) -> FloatArray:
    """The normalised mixed strategies of ``games`` from their values on ``support``."""
    out = np.zeros((len(games), size))
    for value, index in zip(v, support, strict=True):
        out[:, index] = value[games]
    out /= out.sum(axis=1, keepdims=True)
    return out


def _basis(
    S: FloatArray,
    raw: FloatArray,
    eta: FloatArray,
    eqs: tuple[int, ...],
    var: tuple[int, ...],
    eps: float,
) -> tuple[list[FloatArray], BoolArray, BoolArray, BoolArray]:
    """Solve sum_v S[e][v] z_v = 1 (e in eqs, v in var) for every game; check the rest.

    ``S`` has shape (equations, variables, games), entries in [7/8, _TOP] within
    ``eta`` (per game) of an exact affine image of the exact game; ``raw`` holds the original floats
    in the same layout. Returns z (one vector per variable) and, per game: whether z is
    certainly a vertex of the exact polytope (every z_v > 0 and every other equation's
    left side < 1, each by more than ``eps`` plus its error bound), whether that is
    undecided (no quantity certainly on the wrong side, some too close to call, NaN
    included: the game is suspect), and whether z is too imprecise to report (a bound
    above :data:`PRECISION` times sum(z)).
    """
    k = len(eqs)
    twins = _equal_lines([[raw[e][v] for v in var] for e in eqs])
    sub = [[S[e][v] for v in var] for e in eqs]
    # |z_t - z*_t| <= base + slope |z_t| for every t.
    z, base, slope = _solve(sub, eta) if k <= 3 else _solve_verified(sub, eta, twins)
    ok = ~twins
    violated = twins.copy()
    size = np.abs(z[0])
    largest = size
    for t in range(1, k):
        magnitude = np.abs(z[t])
        size = size + magnitude
        largest = np.maximum(largest, magnitude)
    with np.errstate(invalid="ignore"):
        floor = eps + base
        for value in z:
            # value > eps + base + slope |value|, and the mirror image below zero.
            shrunk = value - slope * np.abs(value)
            ok &= shrunk > floor
            violated |= value + slope * np.abs(value) < -floor
        others = [e for e in range(len(S)) if e not in eqs]
        if others:
            # |lhs - lhs*| <= sum_v (S_ev + eta) b_v + eta |z_v| + gamma_{k+1} S_ev |z_v|.
            total = k * base + slope * size
            err = (_TOP + eta) * total + (_TOP * _gamma(k + 1) + eta) * size
            margin = eps + err * _SAFE
            for e in others:
                lhs = S[e][var[0]] * z[0]
                for t in range(1, k):
                    lhs = lhs + S[e][var[t]] * z[t]
                ok &= lhs < 1 - margin
                violated |= lhs > 1 + margin
        vague = ~(base + slope * largest <= PRECISION * size)
    return z, ok, ~ok & ~violated, vague


def _equal_lines(sub: list[list[FloatArray]]) -> BoolArray:
    """Per game, whether the square matrix ``sub`` is singular by its pattern, exactly.

    That is: two equal rows or columns, or two constant rows or columns, compared exactly.
    """
    k = len(sub)
    found = np.zeros(sub[0][0].shape, dtype=bool)
    if k == 1:
        return found
    const_rows = [np.ones_like(found) for _ in range(k)]
    const_cols = [np.ones_like(found) for _ in range(k)]
    for a in range(k):
        for s in range(1, k):
            const_rows[a] &= sub[a][s] == sub[a][0]
            const_cols[a] &= sub[s][a] == sub[0][a]
    for a, b in itertools.combinations(range(k), 2):
        rows, cols = np.ones_like(found), np.ones_like(found)
        for s in range(k):
            rows &= sub[a][s] == sub[b][s]
            cols &= sub[s][a] == sub[s][b]
        found |= rows | cols
        found |= (const_rows[a] & const_rows[b]) | (const_cols[a] & const_cols[b])
    return found


def _solve(
    sub: list[list[FloatArray]], eta: FloatArray
) -> tuple[list[FloatArray], FloatArray, FloatArray]:
    """Cramer's rule for sub z = 1 (k <= 3) with a bound on |z - z*| per variable.

    The determinant and the numerators (determinants with one column replaced by ones)
    are computed by explicit cofactor expansion; each is within ``E`` of its exact value
    (module docstring, step 2; the entries are positive, so ``|S| = S``), hence each
    ``z_t = num_t / det`` within ``E (1 + |z_t|) / (|det| - E) + u |z_t|`` of the exact
    solution; infinite when ``|det| <= E``.
    """
    k = len(sub)
    if k == 1:
        (a,) = sub[0]
        det, numerators = a, [np.ones_like(a)]
        E = eta  # the determinant is the entry itself; the numerator 1 is exact
    elif k == 2:
        (a, b), (c, d) = sub
        det, numerators = a * d - b * c, [d - b, a - c]
        x00, x01, x10, x11 = a + eta, b + eta, c + eta, d + eta
        E = eta * (x00 + x01 + x10 + x11) + _gamma(4) * (x00 * x11 + x01 * x10)
    else:
        (a, b, c), (d, e, f), (g, h, i) = sub
        c00, c01, c02 = e * i - f * h, f * g - d * i, d * h - e * g
        c10, c11, c12 = c * h - b * i, a * i - c * g, b * g - a * h
        c20, c21, c22 = b * f - c * e, c * d - a * f, a * e - b * d
        det = a * c00 + b * c01 + c * c02
        numerators = [c00 + c10 + c20, c01 + c11 + c21, c02 + c12 + c22]
        # Permanents of the 2x2 minors of X = S + eta, and the permanent of X.
        X = [[s + eta for s in row] for row in sub]
        p00 = X[1][1] * X[2][2] + X[1][2] * X[2][1]
        p01 = X[1][0] * X[2][2] + X[1][2] * X[2][0]
        p02 = X[1][0] * X[2][1] + X[1][1] * X[2][0]
        p10 = X[0][1] * X[2][2] + X[0][2] * X[2][1]
        p11 = X[0][0] * X[2][2] + X[0][2] * X[2][0]
        p12 = X[0][0] * X[2][1] + X[0][1] * X[2][0]
        p20 = X[0][1] * X[1][2] + X[0][2] * X[1][1]
        p21 = X[0][0] * X[1][2] + X[0][2] * X[1][0]
        p22 = X[0][0] * X[1][1] + X[0][1] * X[1][0]
        minors = p00 + p01 + p02 + p10 + p11 + p12 + p20 + p21 + p22
        perm = X[0][0] * p00 + X[0][1] * p01 + X[0][2] * p02
        E = eta * minors + _gamma(6) * perm
    E = E * _SAFE
    room = np.abs(det) - E
    with np.errstate(divide="ignore", invalid="ignore"):  # singular games get inf below
        z = [num / det for num in numerators]
        base = np.where(room > 0, E / room * _SAFE, np.inf)
    # |z - z*| <= E (1 + |z| (1 + 2u)) / room + u |z| = base + slope |z|.
    return z, base, base * (1 + 2 * _U) + _U * _SAFE


def _solve_verified(
    sub: list[list[FloatArray]], eta: FloatArray, singular: BoolArray
) -> tuple[list[FloatArray], FloatArray, FloatArray]:
    """Solve sub z = 1 (k >= 4) with a verified bound on ||z - z*||, the same for each z_t.

    ``R`` approximates the inverse. If ``alpha``, a bound on ``||I - R S*||`` (the computed
    residual matrix plus its rounding and the input perturbation), is below 1, then
    ``||z - z*|| <= ||R|| r / (1 - alpha)``, where ``r`` bounds ``|1 - S* z|`` (Rump 2010,
    Theorem 10.2; infinity norms, entries of S positive and at most ``_TOP``). Otherwise
    the bound is infinite. Games in ``singular`` (known singular) are not solved.
    """
    k = len(sub)
    S = np.stack([np.stack(row, axis=-1) for row in sub], axis=-2)  # (games, k, k)
    usable = ~singular
    try:
        R = np.linalg.inv(np.where(usable[:, None, None], S, np.eye(k)))
    except np.linalg.LinAlgError:  # another exactly singular matrix: set such games aside
        usable &= np.linalg.det(S) != 0
        R = np.linalg.inv(np.where(usable[:, None, None], S, np.eye(k)))
    gamma = _gamma(k + 1)
    with np.errstate(all="ignore"):
        z = R.sum(axis=2)
        norm_R = np.abs(R).sum(axis=2).max(axis=1)
        norm_z = np.abs(z).sum(axis=1)
        residual = np.abs(1 - np.einsum("gij,gj->gi", S, z)).max(axis=1)
        r = residual + gamma * (1 + _TOP * norm_z) + eta * norm_z
        C = np.abs(np.eye(k) - R @ S).sum(axis=2).max(axis=1)
        alpha = (C + gamma * (norm_R * k * _TOP + 1) + k * eta * norm_R) * _SAFE
        bound = np.where(usable & (alpha < 1), norm_R * r / (1 - alpha) * _SAFE, np.inf)
    bound = np.where(np.isfinite(bound), bound, np.inf)
    return [z[:, t] for t in range(k)], bound, np.zeros_like(bound)
