"""All extreme Nash equilibria of a bimatrix game, in exact rational arithmetic.

This is the reference solver every other path is checked against. It enumerates the
vertices of the two best-response polytopes and pairs the completely labelled ones
(von Stengel, "Equilibrium computation for two-player games in strategic and extensive
form", ch. 3 of Nisan et al., *Algorithmic Game Theory*, 2007, Algorithm 3.5; Avis,
Rosenberg, Savani and von Stengel, "Enumeration of Nash equilibria for two-player games",
*Economic Theory* 42, 2010, section 2):

1. Shift both payoff matrices to be positive (equilibria are unchanged), giving A' and B'.
2. Build the polytopes, with labels 0..m-1 for row strategies and m..m+n-1 for columns::

       P = {x in R^m : x >= 0 (label i), B'^T x <= 1 (label m + j)}
       Q = {y in R^n : A' y <= 1 (label i), y >= 0 (label m + j)}

3. Enumerate every vertex of P: for each support K of rows and each set J of |K| columns,
   solve B'^T[J, K] x_K = 1 exactly (Cramer's rule in integers after scaling the payoffs
   to integers) and keep feasible solutions; likewise for Q. Every
   vertex has a basis of this form, so the enumeration is complete, degenerate polytopes
   included (a degenerate vertex is found once per basis and deduplicated).
4. A pair of non-zero vertices (x, y) whose labels together cover all m + n labels is an
   extreme equilibrium (x / sum(x), y / sum(y)); these are all of them.

The game is *degenerate* when some mixed strategy with support of size k has more than k
pure best responses (von Stengel 2007, Definition 3.2). On the polytopes this is exactly a
point with more labels than dimensions, and such a point exists if and only if some vertex
has one, which step 3 sees directly.

Cost grows as C(m + n, m) small exact solves per polytope: instant for the catalogue's games
(20 bases for a 3x3 game), about a second for 6x6, impractical beyond about 9x9.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import attrs

from negotiation.model.payoffs import Game
from negotiation.model.scenario import Matrix

#: An exact mixed strategy (or polytope point).
Vector = tuple[Fraction, ...]


@attrs.frozen
class Vertex:
    """A non-zero vertex of a best-response polytope and its labels.

    The point is normalised to sum to 1: it is the mixed strategy of the vertex.
    """

    point: Vector
    labels: frozenset[int]


@attrs.frozen
class ExactSolution:
    """The extreme equilibria of a game.

    ``row_strategies`` and ``col_strategies`` are the distinct mixed strategies that occur in
    some extreme equilibrium; ``pairs`` lists the extreme equilibria as index pairs into them
    (this is the bipartite graph whose cliques are the maximal Nash subsets, see
    :mod:`negotiation.solvers.components`).
    """

    row_strategies: tuple[Vector, ...]
    col_strategies: tuple[Vector, ...]
    pairs: tuple[tuple[int, int], ...]
    degenerate: bool

    @property
    def equilibria(self) -> tuple[tuple[Vector, Vector], ...]:
        """The extreme equilibria as (row strategy, column strategy) pairs."""
        return tuple((self.row_strategies[i], self.col_strategies[j]) for i, j in self.pairs)


def solve_exact(game: Game) -> ExactSolution:
    """Every extreme Nash equilibrium of ``game``, exactly, and whether it is degenerate.

    >>> # Matching pennies: one equilibrium, both players mix 1/2-1/2.
    >>> sol = solve_exact(Game.from_arrays([[1, -1], [-1, 1]], [[-1, 1], [1, -1]]))
    >>> [tuple(map(str, x)) + tuple(map(str, y)) for x, y in sol.equilibria]
    [('1/2', '1/2', '1/2', '1/2')]
    >>> sol.degenerate
    False
    """
    m, n = game.shape
    A = _positive_integers(game.A)
    Bt = [list(col) for col in zip(*_positive_integers(game.B), strict=True)]
    # P: variables x (m), tight rows of B'^T are labels m + j; zeros x_i are labels i.
    row_vertices = _vertices(Bt, zero_label=0, tight_label=m)
    # Q: variables y (n), tight rows of A' are labels i; zeros y_j are labels m + j.
    col_vertices = _vertices(A, zero_label=m, tight_label=0)
    degenerate = any(len(v.labels) > m for v in row_vertices) or any(
        len(v.labels) > n for v in col_vertices
    )
    everything = frozenset(range(m + n))
    found = [
        (x.point, y.point)
        for x in row_vertices
        for y in col_vertices
        if x.labels | y.labels == everything
    ]
    found.sort(key=lambda e: (tuple(-p for p in e[0]), tuple(-p for p in e[1])))
    rows = list(dict.fromkeys(x for x, _ in found))
    cols = list(dict.fromkeys(y for _, y in found))
    pairs = tuple((rows.index(x), cols.index(y)) for x, y in found)
    return ExactSolution(tuple(rows), tuple(cols), pairs, degenerate)


def is_degenerate(game: Game) -> bool:
    """Whether some mixed strategy of support size k has more than k pure best responses.

    >>> # A=[[3,0],[3,1]]: both rows are best responses to the first column.
    >>> is_degenerate(Game.from_arrays([[3, 0], [3, 1]], [[2, 0], [0, 1]]))
    True
    """
    return solve_exact(game).degenerate


def _vertices(M: list[list[int]], zero_label: int, tight_label: int) -> list[Vertex]:
    """All non-zero vertices of {v >= 0 : M v <= 1} (M a positive integer matrix).

    A zero coordinate v_k carries label ``zero_label + k``; a tight row ``(M v)_i = 1``
    carries label ``tight_label + i``. Each basis is solved by Cramer's rule in integers
    (v = numerators / det), which is exact and much faster than rational elimination.
    Returned points are normalised to sum to 1 (the mixed strategy of the vertex).
    """
    rows, dim = len(M), len(M[0])
    seen: dict[tuple[int, ...], Vertex] = {}
    for size in range(1, min(rows, dim) + 1):
        for support in itertools.combinations(range(dim), size):
            columns = [[M[i][k] for k in support] for i in range(rows)]
            for tight in itertools.combinations(range(rows), size):
                solved = _cramer([columns[i] for i in tight])
                if solved is None:
                    continue
                numerators, det = solved
                if any(v < 0 for v in numerators):
                    continue
                divisor = math.gcd(*numerators)
                key = (*(v // divisor for v in numerators), *support)  # ray of the point
                if key in seen:
                    continue
                slack = [
                    sum(a * v for a, v in zip(row, numerators, strict=True)) for row in columns
                ]
                if any(s > det for s in slack):
                    continue
                point = [0] * dim
                for k, v in zip(support, numerators, strict=True):
                    point[k] = v
                labels = frozenset(
                    [zero_label + k for k in range(dim) if point[k] == 0]
                    + [tight_label + i for i in range(rows) if slack[i] == det]
                )
                total = sum(point)
                seen[key] = Vertex(tuple(Fraction(v, total) for v in point), labels)
    return list({v.point: v for v in seen.values()}.values())


def _cramer(M: list[list[int]]) -> tuple[list[int], int] | None:
    """Solve M v = (1, ..., 1) for square integer M: (numerators, det) with det > 0.

    v_k = numerators[k] / det; None if M is singular.
    """
    det = _det(M)
    if det == 0:
        return None
    size = len(M)
    numerators = [
        _det([[1 if c == k else row[c] for c in range(size)] for row in M]) for k in range(size)
    ]
    if det < 0:
        return [-v for v in numerators], -det
    return numerators, det


def _det(M: list[list[int]]) -> int:
    """Determinant of a square integer matrix (explicit up to 3x3, else Bareiss 1968)."""
    size = len(M)
    if size == 1:
        return M[0][0]
    if size == 2:
        return M[0][0] * M[1][1] - M[0][1] * M[1][0]
    if size == 3:
        (a, b, c), (d, e, f), (g, h, i) = M
        return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    w = [row[:] for row in M]
    sign, previous = 1, 1
    for k in range(size - 1):
        if w[k][k] == 0:
            swap = next((r for r in range(k + 1, size) if w[r][k] != 0), None)
            if swap is None:
                return 0
            w[k], w[swap] = w[swap], w[k]
            sign = -sign
        for r in range(k + 1, size):
            for c in range(k + 1, size):
                w[r][c] = (w[r][c] * w[k][k] - w[r][k] * w[k][c]) // previous
        previous = w[k][k]
    return sign * w[size - 1][size - 1]


def _positive_integers(M: Matrix) -> list[list[int]]:
    """M shifted to entries >= 1 and scaled to integers (neither changes the equilibria)."""
    shift = 1 - min(min(row) for row in M)
    scale = math.lcm(*((v + shift).denominator for row in M for v in row))
    return [[int((v + shift) * scale) for v in row] for row in M]
