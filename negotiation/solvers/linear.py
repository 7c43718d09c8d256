"""Exact linear programming and convex-hull tests for the perfect Bayesian solver.

:func:`linprog` is a two-phase tableau simplex method in rational arithmetic with Bland's
rule, which cannot cycle (Bland, "New finite pivoting rules for the simplex method",
*Mathematics of Operations Research* 2, 1977). :func:`in_hull` decides whether a point is a
convex combination of others: floating point only proposes (HiGHS through scipy) and a
proposal is accepted only with an exactly checked certificate, else :func:`linprog`
decides. :func:`simplex_vertices` lists the vertices of a simplex cut by homogeneous
inequalities by solving every basis exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

from negotiation.errors import LimitError

#: Most candidate bases tried when listing the vertices of one polytope exactly.
MAX_VERTEX_BASES = 200_000

F0, F1 = Fraction(0), Fraction(1)


def linprog(
    c: Sequence[Fraction],
    A_ub: Sequence[Sequence[Fraction]] = (),
    b_ub: Sequence[Fraction] = (),
    A_eq: Sequence[Sequence[Fraction]] = (),
    b_eq: Sequence[Fraction] = (),
) -> tuple[Fraction, tuple[Fraction, ...]] | None:
    """Maximise ``c x`` subject to ``A_ub x <= b_ub``, ``A_eq x = b_eq``, ``x >= 0``, exactly.

    Two-phase tableau simplex method in rational arithmetic with Bland's rule, which cannot
    cycle (Bland, "New finite pivoting rules for the simplex method", *Mathematics of
    Operations Research* 2, 1977). Returns (optimum, solution), or None if infeasible;
    raises :class:`ValueError` if unbounded.

    >>> linprog([1, 1], [[1, 2], [3, 1]], [4, 6])
    (Fraction(14, 5), (Fraction(8, 5), Fraction(6, 5)))
    >>> linprog([1], A_eq=[[1]], b_eq=[-1]) is None
    True
    """
    n = len(c)
    n_slack = len(A_ub)
    rows: list[list[Fraction]] = []
    for k, (row, b) in enumerate(zip(A_ub, b_ub, strict=True)):
        slack = [F0] * n_slack
        slack[k] = F1
        rows.append([Fraction(x) for x in row] + slack + [Fraction(b)])
    for row, b in zip(A_eq, b_eq, strict=True):
        rows.append([Fraction(x) for x in row] + [F0] * n_slack + [Fraction(b)])
    width = n + n_slack
    m = len(rows)
    for i in range(m):
        if rows[i][-1] < 0:
            rows[i] = [-x for x in rows[i]]
    # Artificial variables width .. width + m - 1, one per row, basic at the start.
    table = [
        row[:-1] + [F1 if j == i else F0 for j in range(m)] + [row[-1]]
        for i, row in enumerate(rows)
    ]
    basis = [width + i for i in range(m)]
    # Phase 1: maximise -sum(artificials); the objective row holds reduced costs and -value.
    objective = [sum((table[i][j] for i in range(m)), F0) for j in range(width)] + [F0] * m
    objective.append(sum((table[i][-1] for i in range(m)), F0))
    _optimise(table, basis, objective, width + m)
    if objective[-1] != 0:
        return None
    # Drive the artificial variables out of the basis (a row with no other entry is redundant).
    i = 0
    while i < len(table):
        if basis[i] >= width:
            j = next((j for j in range(width) if table[i][j] != 0), None)
            if j is None:
                del table[i]
                del basis[i]
                continue
            _pivot(table, basis, objective, i, j)
        i += 1
    for row in table:
        del row[width:-1]
    # Phase 2: reduced costs of c with the current basis.
    costs = [Fraction(x) for x in c] + [F0] * n_slack
    objective = [*costs, F0]
    for i, j in enumerate(basis):
        if costs[j]:
            factor = costs[j]
            objective = [o - factor * t for o, t in zip(objective, table[i], strict=True)]
    _optimise(table, basis, objective, width)
    x = [F0] * width
    for i, j in enumerate(basis):
        x[j] = table[i][-1]
    value = sum((costs[j] * x[j] for j in range(width)), F0)
    return value, tuple(x[:n])


def _optimise(
    table: list[list[Fraction]], basis: list[int], objective: list[Fraction], columns: int
) -> None:
    """Pivot until no reduced cost in ``objective`` is positive (Bland's rule)."""
    while True:
        entering = next((j for j in range(columns) if objective[j] > 0), None)
        if entering is None:
            return
        leaving, best = -1, F0
        for i, row in enumerate(table):
            if row[entering] > 0:
                ratio = row[-1] / row[entering]
                if leaving < 0 or ratio < best or (ratio == best and basis[i] < basis[leaving]):
                    leaving, best = i, ratio
        if leaving < 0:
            raise ValueError("the linear program is unbounded")
        _pivot(table, basis, objective, leaving, entering)


def _pivot(
    table: list[list[Fraction]], basis: list[int], objective: list[Fraction], i: int, j: int
) -> None:
    pivot = table[i][j]
    if pivot != 1:
        table[i] = [x / pivot for x in table[i]]
    row = table[i]
    for k, other in enumerate(table):
        if k != i and other[j] != 0:
            factor = other[j]
            table[k] = [a - factor * b if b else a for a, b in zip(other, row, strict=True)]
    if objective[j] != 0:
        factor = objective[j]
        objective[:] = [a - factor * b if b else a for a, b in zip(objective, row, strict=True)]
    basis[i] = j


def in_hull(point: Sequence[Fraction], points: Sequence[Sequence[Fraction]]) -> bool:
    """Whether ``point`` is a convex combination of ``points``, decided exactly.

    Floating point only proposes (HiGHS through scipy, a dependency of nashpy): a
    proposed combination is re-solved exactly on its support and checked, a proposed
    separating hyperplane is rounded to rationals, made valid for every point exactly and
    checked to cut ``point`` off. If neither certificate holds, exact linear programming
    (:func:`linprog`) decides.
    """
    if not points:
        return False
    if tuple(point) in {tuple(p) for p in points}:
        return True
    verdict = _hull_certificate(point, points)
    if verdict is not None:
        return verdict
    dims = len(point)
    A_eq = [[p[d] for p in points] for d in range(dims)] + [[F1] * len(points)]
    b_eq = [*point, F1]
    return linprog([F0] * len(points), A_eq=A_eq, b_eq=b_eq) is not None


def _hull_certificate(
    point: Sequence[Fraction], points: Sequence[Sequence[Fraction]]
) -> bool | None:
    """An exactly checked answer to :func:`in_hull` from floating-point proposals, or None."""
    import numpy as np
    from scipy.optimize import linprog as float_lp  # type: ignore[import-untyped]

    V = np.array([[float(x) for x in p] for p in points])
    target = np.array([float(x) for x in point])
    k, dims = V.shape
    A_eq = np.vstack([V.T, np.ones((1, k))])
    b_eq = np.append(target, 1.0)
    found = float_lp(np.zeros(k), A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if found.status == 0:
        support = [j for j in range(k) if found.x[j] > 1e-9]
        rows = [[points[j][d] for j in support] for d in range(dims)] + [[F1] * len(support)]
        weights = _solve_consistent(rows, [*point, F1])
        if weights is not None and all(w >= 0 for w in weights):
            return True
        return None
    # A hyperplane a.x <= b holding at every point and failing at ``point``.
    c = np.append(-target, 1.0)  # minimise b - a.point
    A_ub = np.hstack([V, -np.ones((k, 1))])
    bounds = [(-1.0, 1.0)] * dims + [(None, None)]
    cut = float_lp(c, A_ub=A_ub, b_ub=np.zeros(k), bounds=bounds, method="highs")
    if cut.status != 0:
        return None
    a = [Fraction(float(x)).limit_denominator(10**6) for x in cut.x[:dims]]
    b = max(sum((ai * p[d] for d, ai in enumerate(a)), F0) for p in points)
    if sum((ai * point[d] for d, ai in enumerate(a)), F0) > b:
        return False
    return None


def _solve_consistent(
    M: Sequence[Sequence[Fraction]], b: Sequence[Fraction]
) -> list[Fraction] | None:
    """A solution of ``M x = b`` (free variables 0) by exact elimination, or None."""
    rows = [[*row, rhs] for row, rhs in zip(M, b, strict=True)]
    width = len(M[0]) if M else 0
    pivots: list[int] = []
    r = 0
    for col in range(width):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        inv = 1 / rows[r][col]
        rows[r] = [x * inv for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                f = rows[i][col]
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[r], strict=True)]
        pivots.append(col)
        r += 1
    if any(row[-1] != 0 for row in rows[r:]):
        return None
    x = [F0] * width
    for i, col in enumerate(pivots):
        x[col] = rows[i][-1]
    return x


def _solve_square(M: Sequence[Sequence[Fraction]], b: Sequence[Fraction]) -> list[Fraction] | None:
    """The unique solution of ``M x = b`` (Gaussian elimination, exact), or None if singular."""
    size = len(M)
    a = [[*row, rhs] for row, rhs in zip(M, b, strict=True)]
    for col in range(size):
        pivot = next((r for r in range(col, size) if a[r][col] != 0), None)
        if pivot is None:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        inv = 1 / a[col][col]
        a[col] = [x * inv for x in a[col]]
        for r in range(size):
            if r != col and a[r][col] != 0:
                f = a[r][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[r][size] for r in range(size)]


def simplex_vertices(G: Sequence[Sequence[Fraction]], k: int) -> list[tuple[Fraction, ...]]:
    """Vertices of ``{w in R^k : w >= 0, sum w = 1, G w >= 0}``, exactly.

    A vertex is a basic solution: with ``r`` rows in ``G`` it has at most ``r + 1``
    non-zero entries, fixed by ``sum w = 1`` and as many tight rows as it has entries
    beyond the first. Every such choice is solved exactly and kept if feasible.
    """
    found: list[tuple[Fraction, ...]] = []
    tried = 0
    for size in range(1, min(k, len(G) + 1) + 1):
        for support in itertools.combinations(range(k), size):
            for tight in itertools.combinations(range(len(G)), size - 1):
                tried += 1
                if tried > MAX_VERTEX_BASES:
                    raise LimitError(
                        "pbe",
                        "",
                        f"a strategy polytope cut by {len(G)} conditions in dimension {k - 1} "
                        f"has over {MAX_VERTEX_BASES:,} candidate vertices",
                    )
                M = [[G[t][j] for j in support] for t in tight] + [[F1] * size]
                solved = _solve_square(M, [F0] * (size - 1) + [F1])
                if solved is None or any(x < 0 for x in solved):
                    continue
                w = [F0] * k
                for j, x in zip(support, solved, strict=True):
                    w[j] = x
                if any(sum((g[j] * w[j] for j in range(k)), F0) < 0 for g in G):
                    continue
                if tuple(w) not in found:
                    found.append(tuple(w))
    return found
