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
   solve B'^T[J, K] x_K = 1 exactly and keep feasible solutions; likewise for Q. Every
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
from collections.abc import Sequence
from fractions import Fraction

import attrs

from negotiation.payoffs import Game
from negotiation.scenario import Matrix

#: An exact mixed strategy (or polytope point).
Vector = tuple[Fraction, ...]


@attrs.frozen
class Vertex:
    """A non-zero vertex of a best-response polytope and its set of labels."""

    point: Vector
    labels: frozenset[int]


@attrs.frozen
class ExactSolution:
    """The extreme equilibria of a game.

    ``row_strategies`` and ``col_strategies`` are the distinct mixed strategies that occur in
    some extreme equilibrium; ``pairs`` lists the extreme equilibria as index pairs into them
    (this is the bipartite graph whose cliques are the maximal Nash subsets, see
    :mod:`negotiation.components`).
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
    A = _positive(game.A)
    Bt = _transpose(_positive(game.B))
    # P: variables x (m), tight rows of B'^T are labels m + j; zeros x_i are labels i.
    row_vertices = _vertices(Bt, zero_label=0, tight_label=m)
    # Q: variables y (n), tight rows of A' are labels i; zeros y_j are labels m + j.
    col_vertices = _vertices(A, zero_label=m, tight_label=0)
    degenerate = any(len(v.labels) > m for v in row_vertices) or any(
        len(v.labels) > n for v in col_vertices
    )
    everything = frozenset(range(m + n))
    found = [
        (_normalised(x.point), _normalised(y.point))
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


def _vertices(M: Matrix, zero_label: int, tight_label: int) -> list[Vertex]:
    """All non-zero vertices of {v >= 0 : M v <= 1}, with their labels.

    A zero coordinate v_k carries label ``zero_label + k``; a tight row ``(M v)_i = 1``
    carries label ``tight_label + i``.
    """
    rows, dim = len(M), len(M[0])
    seen: dict[Vector, Vertex] = {}
    for size in range(1, min(rows, dim) + 1):
        for support in itertools.combinations(range(dim), size):
            for tight in itertools.combinations(range(rows), size):
                sub = [[M[i][k] for k in support] for i in tight]
                solution = _solve(sub, [Fraction(1)] * size)
                if solution is None or any(v < 0 for v in solution):
                    continue
                point = [Fraction(0)] * dim
                for k, v in zip(support, solution, strict=True):
                    point[k] = v
                vector = tuple(point)
                if vector in seen:
                    continue
                slack = [
                    sum((M[i][k] * point[k] for k in support), Fraction(0)) for i in range(rows)
                ]
                if any(s > 1 for s in slack):
                    continue
                labels = frozenset(
                    [zero_label + k for k in range(dim) if point[k] == 0]
                    + [tight_label + i for i in range(rows) if slack[i] == 1]
                )
                seen[vector] = Vertex(vector, labels)
    return list(seen.values())


def _solve(M: list[list[Fraction]], b: Sequence[Fraction]) -> list[Fraction] | None:
    """Solve the square system M x = b exactly; None if M is singular."""
    size = len(M)
    aug = [[*row, b[i]] for i, row in enumerate(M)]
    for col in range(size):
        pivot = next((r for r in range(col, size) if aug[r][col] != 0), None)
        if pivot is None:
            return None
        aug[col], aug[pivot] = aug[pivot], aug[col]
        inverse = 1 / aug[col][col]
        pivot_row = [v * inverse for v in aug[col]]
        aug[col] = pivot_row
        for r in range(size):
            factor = aug[r][col]
            if r != col and factor != 0:
                aug[r] = [a - factor * p for a, p in zip(aug[r], pivot_row, strict=True)]
    return [aug[r][size] for r in range(size)]


def _positive(M: Matrix) -> Matrix:
    """M shifted by a constant so that every entry is at least 1."""
    shift = 1 - min(min(row) for row in M)
    return tuple(tuple(v + shift for v in row) for row in M)


def _transpose(M: Matrix) -> Matrix:
    return tuple(zip(*M, strict=True))


def _normalised(point: Vector) -> Vector:
    total = sum(point, Fraction(0))
    return tuple(v / total for v in point)
