"""Every vertex of a best-response polytope by exact lexicographic pivoting, degenerate or not.

This is the exact path of :mod:`negotiation.solvers.large`, used for the polytopes whose
floating-point traversal cannot be certified (degenerate games, above all). It visits the
vertex graph of the polytope ``{v >= 0 : M v <= 1}`` (``M`` a positive integer matrix)
after a *lexicographic perturbation* of the right-hand side, ``1 + (eps, eps^2, ...)``,
which makes the polytope simple without losing any vertex:

1. Write the polytope in dictionary form, ``M v + s = 1`` with ``v, s >= 0``; a basis is a
   set of ``r`` basic variables (``r`` = rows of ``M``), the others are zero. Perturbing the
   right-hand side to ``1 + (eps, ..., eps^r)`` makes every basic variable a non-zero
   polynomial in ``eps``, so no basis of the perturbed polytope is degenerate
   (Dantzig, Orden and Wolfe, "The generalized simplex method for minimizing a linear form
   under linear inequality restraints", *Pacific J. Math.* 5, 1955).
2. A basis is feasible for all small ``eps > 0`` (*lex-feasible*) exactly when each row of
   ``[B^-1 1 | B^-1]`` is lexicographically positive. The pivot of the lexicographic ratio
   test keeps this property, and from a lex-feasible basis reaches, for each non-basic
   variable, the one neighbouring vertex of the perturbed polytope.
3. The perturbed polytope is bounded and simple, so its vertex graph is connected
   (Balinski, "On the graph structure of convex polyhedra in n-space", *Pacific J. Math.*
   11, 1961): a breadth-first search from the origin's basis visits every lex-feasible
   basis. As ``eps -> 0`` each perturbed vertex tends to a vertex of the original
   polytope, and each original vertex is such a limit (it is the unique maximiser of some
   linear objective, and so are the perturbed maximisers near it), so the search meets
   every vertex, degenerate ones included.

This is the search lrs makes (Avis, "lrs: A revised implementation of the reverse search
vertex enumeration algorithm", in *Polytopes: Combinatorics and Computation*, 2000, with
the same lexicographic rule), kept here as a plain breadth-first search with a set of
visited bases instead of reverse search, and with the same integer (fraction-free)
pivoting: the tableau is kept as integers over one common denominator, the basis
determinant (Edmonds 1967; Bareiss 1968), so every number is exact and no fraction is ever
reduced.

The cost is one pivot per lex-feasible basis, typically a small multiple of the number of
vertices: far below the ``C(m + n, m)`` bases of :mod:`negotiation.solvers.exact`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

import attrs

#: A fraction-free tableau: one row per basic variable, columns ``[rhs, v..., s...]``.
Tableau = list[list[int]]


@attrs.frozen
class ExactVertex:
    """A non-zero vertex ``numerators / denominator`` and the constraints tight there.

    ``tight`` is a bit mask: bit ``k < d`` means ``v_k = 0``, bit ``d + i`` means row ``i`` of
    ``M v <= 1`` holds with equality (``d`` is the dimension).
    """

    numerators: tuple[int, ...]
    denominator: int
    tight: int


def polytope_vertices(M: Sequence[Sequence[int]]) -> list[ExactVertex]:
    """Every non-zero vertex of ``{v >= 0 : M v <= 1}`` for a positive integer matrix ``M``.

    Vertices are listed once each, in the order the search meets them.

    >>> # 2 v1 + v2 <= 1 and v1 + 2 v2 <= 1: corners (1/2, 0), (0, 1/2) and (1/3, 1/3).
    >>> sorted((v.numerators, v.denominator) for v in polytope_vertices([[2, 1], [1, 2]]))
    [((0, 1), 2), ((1, 0), 2), ((1, 1), 3)]
    """
    r, d = len(M), len(M[0])
    if any(v <= 0 for row in M for v in row):
        raise ValueError("M must be a positive integer matrix")
    width = 1 + d + r
    lex_columns = [0, *range(1 + d, width)]
    start: Tableau = [[1, *M[i], *(int(i == k) for k in range(r))] for i in range(r)]
    origin = (1 << d) - 1  # the non-basic variables (tight constraints) of the origin's basis
    seen = {origin}
    # Each entry: the parent's tableau, denominator and basic variables, the pivot to make
    # (row, entering variable) and the child's non-basic set; pivoting when an entry is
    # taken keeps only two levels of the search in memory.
    queue: deque[tuple[Tableau, int, tuple[int, ...], int, int, int]] = deque(
        [(start, 1, tuple(range(d, d + r)), -1, -1, origin)]
    )
    found: dict[tuple[int, ...], ExactVertex] = {}
    while queue:
        parent, parent_det, parent_basic, row, entering, nonbasic = queue.popleft()
        if row < 0:
            tableau, det, basic = parent, parent_det, parent_basic
        else:
            tableau, det = _pivot(parent, parent_det, row, 1 + entering)
            basic = (*parent_basic[:row], entering, *parent_basic[row + 1 :])
        _record(tableau, det, basic, nonbasic, d, found)
        for var in range(d + r):
            if not nonbasic >> var & 1:
                continue
            leaving_row = _lex_ratio_test(tableau, 1 + var, lex_columns)
            child = nonbasic & ~(1 << var) | 1 << basic[leaving_row]
            if child not in seen:
                seen.add(child)
                queue.append((tableau, det, basic, leaving_row, var, child))
    return list(found.values())


def _record(
    tableau: Tableau,
    det: int,
    basic: tuple[int, ...],
    nonbasic: int,
    d: int,
    found: dict[tuple[int, ...], ExactVertex],
) -> None:
    """Add the vertex of this basis to ``found`` (keyed by its ray) unless it is the origin."""
    point = [0] * d
    tight = nonbasic
    for row, var in zip(tableau, basic, strict=True):
        if row[0] == 0:
            tight |= 1 << var  # a degenerate basis: a basic variable at zero is tight too
        elif var < d:
            point[var] = row[0]
    divisor = math.gcd(*point)
    if divisor == 0:
        return  # the origin, which is not a mixed strategy
    ray = tuple(v // divisor for v in point)
    if ray not in found:
        g = math.gcd(divisor, det)
        found[ray] = ExactVertex(tuple(v // g for v in point), det // g, tight)


def _lex_ratio_test(tableau: Tableau, column: int, lex_columns: list[int]) -> int:
    """The row leaving the basis when ``column`` enters: the lexicographic minimum ratio.

    Rows with a positive entry in ``column`` compete; row ``i`` beats row ``k`` if
    ``[rhs_i, (B^-1)_i] / a_i`` is lexicographically smaller than ``[rhs_k, (B^-1)_k] / a_k``,
    compared by cross-multiplication (both ``a`` are positive). Rows of ``B^-1`` are linearly
    independent, so the minimum is unique. A bounded polytope always has a competitor.
    """
    best = -1
    best_row: list[int] = []
    for i, row in enumerate(tableau):
        a = row[column]
        if a <= 0:
            continue
        if best < 0:
            best, best_row = i, row
            continue
        b = best_row[column]
        for c in lex_columns:
            lhs, rhs = row[c] * b, best_row[c] * a
            if lhs != rhs:
                if lhs < rhs:
                    best, best_row = i, row
                break
    if best < 0:
        raise AssertionError("unbounded edge in a bounded polytope")  # pragma: no cover
    return best


def _pivot(tableau: Tableau, det: int, row: int, column: int) -> tuple[Tableau, int]:
    """Fraction-free pivot on ``tableau[row][column]`` (positive); returns the new determinant.

    Row ``i != row`` becomes ``(a * t_i - t_i[column] * t_row) / det`` with ``a`` the pivot;
    every division is exact because the entries are minors of the constraint matrix
    (Edmonds 1967; the same update lrs uses).
    """
    pivot_row = tableau[row]
    a = pivot_row[column]
    new: Tableau = []
    for i, current in enumerate(tableau):
        if i == row:
            new.append(pivot_row)
            continue
        f = current[column]
        if f == 0:
            new.append([x * a // det for x in current])
        else:
            new.append([(x * a - f * y) // det for x, y in zip(current, pivot_row, strict=True)])
    return new, a
