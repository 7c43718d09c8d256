"""Batched equilibrium engine: every equilibrium of many same-shaped games at once.

:func:`solve_batch` runs vertex enumeration of the best-response polytopes (the algorithm
of :mod:`negotiation.solvers.exact`) for all games together, vectorised with numpy over the games
and looped over the C(m + n, m) bases, in chunks so memory stays bounded:

1. Each game's payoffs are mapped affinely onto [1, 10] per player (equilibria unchanged),
   which keeps every basis well conditioned.
2. For each basis (support K, tight set T, |K| = |T|), the square systems of all games are
   solved at once; a solution is a vertex if it is non-negative and satisfies every
   inequality.
3. Every such decision is made with a margin ``eps``: a game in which any quantity lies
   within ``eps`` of its boundary (a probability near 0, a slack near 0), or with a basis
   whose determinant is below :data:`DET_MIN`, is *suspect*. (A basis with two parallel
   rows or columns, such as two constant rows, is singular, defines no vertex and raises
   no suspicion: scenarios often have constant rows. Parallelism is tested in floating
   point, so lines parallel to within rounding, 1e-16, count as parallel.) A degenerate
   game always is suspect, because a degenerate vertex has more tight constraints than
   its basis accounts for.
4. For the other games all decisions are robust, so the completely labelled vertex pairs
   found in floating point are exactly the equilibria of the exact solver.
5. Suspect games are handed to the exact solver (:func:`negotiation.solvers.exact.solve_exact`),
   which decides degeneracy exactly and returns every extreme equilibrium.

The result is complete for every game, degenerate or not.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import attrs
import numpy as np
import numpy.typing as npt

from negotiation.model.payoffs import Game
from negotiation.solvers.components import components
from negotiation.solvers.exact import solve_exact

FloatArray = npt.NDArray[np.float64]

#: Margin of the floating-point decisions; quantities closer than this to a boundary send
#: their game to the exact solver.
EPS = 1e-7

#: Smallest basis determinant trusted in floating point (entries lie in [1, 10]): the
#: rounding error of a solution is about 1e-15 / det, far below EPS when det >= 1e-4.
DET_MIN = 1e-4

#: Games solved together; bounds memory at a few hundred MB for 3x3 games.
CHUNK = 20_000


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
    degenerate: npt.NDArray[np.bool_]
    #: Which games went to the exact solver.
    exact: npt.NDArray[np.bool_]

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
    eps: float = EPS,
    chunk: int = CHUNK,
) -> BatchResult:
    """All extreme equilibria of N games of the same shape, from arrays of shape (N, m, n).

    ``exact(g)``, if given, returns the exact game ``g`` for the exact solver (a sweep
    passes its exactly computed payoffs, so a tie on paper stays a tie); by default game
    ``g`` is taken at the exact binary value of its float payoffs.

    >>> pennies = np.array([[[1, -1], [-1, 1]]])
    >>> result = solve_batch(pennies, -pennies)
    >>> result.game.tolist(), result.row.tolist(), result.degenerate.tolist()
    ([0], [[0.5, 0.5]], [False])
    """
    A_, B_ = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A_.ndim != 3 or A_.shape != B_.shape or 0 in A_.shape:
        raise ValueError(f"A and B must have the same shape (N, m, n), got {A_.shape}, {B_.shape}")
    if not (np.isfinite(A_).all() and np.isfinite(B_).all()):
        raise ValueError("payoffs must be finite")
    if exact is None:
        exact = lambda g: Game.from_arrays(A_[g], B_[g])  # noqa: E731 - a one-line default
    parts = [
        _solve_chunk(A_[start : start + chunk], B_[start : start + chunk], start, exact, eps)
        for start in range(0, len(A_), chunk)
    ]
    result = BatchResult(
        game=np.concatenate([p[0] for p in parts]),
        row=np.concatenate([p[1] for p in parts]),
        col=np.concatenate([p[2] for p in parts]),
        component=np.concatenate([p[3] for p in parts]),
        degenerate=np.concatenate([p[4] for p in parts]),
        exact=np.concatenate([p[5] for p in parts]),
    )
    _verify(A_, B_, result)
    return result


#: Relative tolerance of the final best-response check of every equilibrium.
TOLERANCE = 1e-9


def _verify(A: FloatArray, B: FloatArray, result: BatchResult) -> None:
    """Check every equilibrium is a mutual best response in floating point (else a bug)."""
    for start in range(0, len(result.game), CHUNK):
        g = result.game[start : start + CHUNK]
        x, y = result.row[start : start + CHUNK], result.col[start : start + CHUNK]
        a, b = A[g], B[g]
        row_values = np.einsum("eij,ej->ei", a, y)
        col_values = np.einsum("eij,ei->ej", b, x)
        scale = TOLERANCE * np.maximum(
            1, np.maximum(np.abs(a).max(axis=(1, 2)), np.abs(b).max(axis=(1, 2)))
        )
        gain_row = row_values.max(axis=1) - (x * row_values).sum(axis=1)
        gain_col = col_values.max(axis=1) - (y * col_values).sum(axis=1)
        bad = (gain_row > scale) | (gain_col > scale) | (x.min(axis=1) < 0) | (y.min(axis=1) < 0)
        if bad.any():
            raise AssertionError(f"batch solver returned non-equilibria in games {g[bad][:5]}")


def _solve_chunk(
    A: FloatArray, B: FloatArray, offset: int, exact: Callable[[int], Game], eps: float
) -> tuple[
    npt.NDArray[np.int64],
    FloatArray,
    FloatArray,
    npt.NDArray[np.int64],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
]:
    N, m, n = A.shape
    # Games last, so every payoff entry is one contiguous vector over the games.
    Aq = np.ascontiguousarray(_unit(A).transpose(1, 2, 0))  # Aq[i][j]: rows of Q's A' y <= 1
    Bp = np.ascontiguousarray(_unit(B).transpose(2, 1, 0))  # Bp[j][i]: rows of P's B'^T x <= 1
    suspect = np.zeros(N, dtype=bool)
    found: list[tuple[npt.NDArray[np.int64], FloatArray, FloatArray]] = []
    for k in range(1, min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.combinations(range(n), k):
                # A completely labelled vertex pair of P x Q with these supports: x on
                # rows makes the columns tight in P, y on cols makes the rows tight in Q.
                x, x_ok, x_close = _basis(Bp, cols, rows, eps)
                y, y_ok, y_close = _basis(Aq, rows, cols, eps)
                suspect |= x_close | y_close
                hits = np.flatnonzero(x_ok & y_ok)
                if len(hits):
                    found.append((hits, _spread(x, rows, m, hits), _spread(y, cols, n, hits)))
    kept = [(g[~suspect[g]], r[~suspect[g]], c[~suspect[g]]) for g, r, c in found]
    games: list[npt.NDArray[np.int64]] = [g + offset for g, _, _ in kept]
    row_parts, col_parts = [r for _, r, _ in kept], [c for _, _, c in kept]
    # An equilibrium of a non-suspect game is isolated; -1 marks "number it in order" below.
    component_parts = [np.full(len(g), -1, dtype=np.int64) for g, _, _ in kept]
    degenerate = np.zeros(N, dtype=bool)
    for index in np.flatnonzero(suspect):
        solution = solve_exact(exact(offset + int(index)))
        degenerate[index] = solution.degenerate
        eqs = solution.equilibria
        games.append(np.full(len(eqs), offset + index, dtype=np.int64))
        row_parts.append(np.array([[float(p) for p in x] for x, _ in eqs]).reshape(-1, m))
        col_parts.append(np.array([[float(p) for p in y] for _, y in eqs]).reshape(-1, n))
        ids = np.zeros(len(eqs), dtype=np.int64)
        for c, comp in enumerate(components(solution.pairs)):
            ids[list(comp.equilibria)] = c
        component_parts.append(ids)
    game = np.concatenate([np.zeros(0, dtype=np.int64), *games]).astype(np.int64)
    row: FloatArray = np.concatenate([np.zeros((0, m)), *row_parts])
    col: FloatArray = np.concatenate([np.zeros((0, n)), *col_parts])
    component = np.concatenate([np.zeros(0, dtype=np.int64), *component_parts])
    # Order by game, then as the exact solver does: by -row, then -col, lexicographically.
    # Keys are rounded so that float noise cannot reorder equal probabilities.
    r_key, c_key = np.round(row, 9), np.round(col, 9)
    keys = [
        *(-c_key[:, j] for j in reversed(range(n))),
        *(-r_key[:, i] for i in reversed(range(m))),
    ]
    order = np.lexsort([*keys, game])
    game, row, col, component = game[order], row[order], col[order], component[order]
    position = np.arange(len(game)) - np.searchsorted(game, game, side="left")
    component = np.where(component < 0, position, component)
    return game, row, col, component, degenerate, suspect


def _unit(M: FloatArray) -> FloatArray:
    """Each game's matrix mapped affinely onto [1, 10] (a constant matrix becomes all 1)."""
    low = M.min(axis=(1, 2), keepdims=True)
    span = M.max(axis=(1, 2), keepdims=True) - low
    unit: FloatArray = 1 + 9 * (M - low) / np.where(span > 0, span, 1)
    return unit


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
    S: FloatArray, eqs: tuple[int, ...], var: tuple[int, ...], eps: float
) -> tuple[list[FloatArray], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Solve sum_v S[e][v] z_v = 1 (e in eqs, v in var) for every game; check the rest.

    ``S`` has shape (equations, variables, games), entries in [1, 10]. Returns z (one vector
    per variable), whether z is a vertex (z >= 0 and every other equation's left side
    <= 1, all by more than ``eps``), and whether any of those quantities, or the
    determinant, is too close to its boundary (the game is then suspect).
    """
    sub = [[S[e][v] for v in var] for e in eqs]
    det, numerators = _cramer(sub)
    # Two parallel rows or columns of the basis make it singular: it defines no vertex,
    # which is no reason for suspicion. Any other small determinant is.
    twins = _proportional_lines(sub)
    singular = (np.abs(det) < DET_MIN) & ~twins
    others = [e for e in range(len(S)) if e not in eqs]
    with np.errstate(divide="ignore", invalid="ignore"):  # singular games are masked below
        z = [num / det for num in numerators]
        lhs = [sum(S[e][v] * z[t] for t, v in enumerate(var)) for e in others]
    violated = np.zeros(det.shape, dtype=bool)
    close = singular.copy()
    for value in z:
        violated |= value < -eps
        close |= np.abs(value) <= eps
    for value in lhs:
        violated |= value > 1 + eps
        close |= np.abs(value - 1) <= eps
    violated |= singular | twins
    close &= ~violated | singular
    return z, ~violated & ~close, close


def _proportional_lines(sub: list[list[FloatArray]]) -> npt.NDArray[np.bool_]:
    """Per game, whether two rows or two columns of the square matrix ``sub`` are parallel.

    Rows a and b are parallel when a_s * b_t == a_t * b_s for every pair (s, t), tested in
    floating point; equal or constant rows pass exactly.
    """
    k = len(sub)
    found = np.zeros(sub[0][0].shape, dtype=bool)
    for a, b in itertools.combinations(range(k), 2):
        rows, cols = np.ones_like(found), np.ones_like(found)
        for s, t in itertools.combinations(range(k), 2):
            rows &= sub[a][s] * sub[b][t] == sub[a][t] * sub[b][s]
            cols &= sub[s][a] * sub[t][b] == sub[t][a] * sub[s][b]
        found |= rows | cols
    return found


def _cramer(sub: list[list[FloatArray]]) -> tuple[FloatArray, list[FloatArray]]:
    """Determinant and the numerators of Cramer's rule for sub z = 1, vectorised over games."""
    k = len(sub)
    if k == 1:
        return sub[0][0], [np.ones_like(sub[0][0])]
    if k == 2:
        (a, b), (c, d) = sub
        return a * d - b * c, [d - b, a - c]
    if k == 3:
        (a, b, c), (d, e, f), (g, h, i) = sub
        c00, c01, c02 = e * i - f * h, f * g - d * i, d * h - e * g
        c10, c11, c12 = c * h - b * i, a * i - c * g, b * g - a * h
        c20, c21, c22 = b * f - c * e, c * d - a * f, a * e - b * d
        det = a * c00 + b * c01 + c * c02
        return det, [c00 + c10 + c20, c01 + c11 + c21, c02 + c12 + c22]
    stacked = np.stack([np.stack(row, axis=-1) for row in sub], axis=-2)  # (games, k, k)
    det = np.linalg.det(stacked)
    safe = np.where(np.abs(det)[:, None, None] > 0, stacked, np.eye(k))
    z = np.linalg.solve(safe, np.ones((len(det), k, 1)))[:, :, 0]
    return det, [z[:, t] * det for t in range(k)]
