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
3. For small ``eps`` the lex-feasible bases are the vertices of the perturbed polytope,
   which is bounded and simple, so its vertex graph is connected (Balinski, "On the graph
   structure of convex polyhedra in n-space", *Pacific J. Math.* 11, 1961): a
   breadth-first search from the origin's basis visits every lex-feasible basis.
4. Every vertex ``v`` of the original polytope is the point (at ``eps = 0``) of some
   lex-feasible basis: ``v`` is the unique maximiser of some linear objective, and the
   lexicographic simplex method maximising it from the origin's basis ends, without
   cycling, at a lex-feasible basis whose reduced costs prove its point optimal, so that
   point is ``v``. Hence the search meets every vertex, degenerate ones included, and
   reads each vertex's tight constraints exactly from its tableau.

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
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import attrs
import numba
import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

#: A fraction-free tableau: one row per basic variable, columns ``[rhs, v..., s...]``.
Tableau = list[list[int]]

_Function = TypeVar("_Function", bound=Callable[..., Any])


def compiled(function: _Function) -> _Function:
    """``numba.njit(cache=True, nogil=True)``, typed for mypy.

    Compiled on first call and cached on disk after; free to run beside other threads, as
    compiled code touches no Python object.
    """
    return cast(_Function, numba.njit(cache=True, nogil=True)(function))


@attrs.frozen
class ExactVertex:
    """A non-zero vertex ``numerators / denominator`` and the constraints tight there.

    ``tight`` is a bit mask: bit ``k < d`` means ``v_k = 0``, bit ``d + i`` means row ``i`` of
    ``M v <= 1`` holds with equality (``d`` is the dimension).
    """

    numerators: tuple[int, ...]
    denominator: int
    tight: int


#: Largest ``rows + columns`` of ``M`` for the compiled search (bases are int64 bit masks).
MAX_COMPILED_LABELS = 62

#: Most memory the compiled search spends on the tableaux of queued bases; beyond it a
#: queued basis keeps only its mask and its tableau is rebuilt when it is taken.
MAX_TABLEAU_BYTES = 32 * 2**20

#: Largest entry of ``M`` for which the compiled search is tried; it checks every product
#: against int64 overflow anyway and hands over to Python's integers if one would overflow.
MAX_COMPILED_ENTRY = 2**31


class TooManyBasesError(Exception):
    """The search met more bases than it was allowed to visit."""


def polytope_vertices(
    M: Sequence[Sequence[int]], *, max_bases: int | None = None
) -> list[ExactVertex]:
    """Every non-zero vertex of ``{v >= 0 : M v <= 1}`` for a positive integer matrix ``M``.

    Vertices are listed once each. The search runs compiled in 64-bit integers, with every
    product checked against overflow, and in Python's unbounded integers when that is not
    enough; both are exact and give the same vertices. It raises :class:`TooManyBasesError`
    if it meets more than ``max_bases`` lex-feasible bases (time grows with them).

    >>> # 2 v1 + v2 <= 1 and v1 + 2 v2 <= 1: corners (1/2, 0), (0, 1/2) and (1/3, 1/3).
    >>> sorted((v.numerators, v.denominator) for v in polytope_vertices([[2, 1], [1, 2]]))
    [((0, 1), 2), ((1, 0), 2), ((1, 1), 3)]
    """
    table = vertex_table(M, max_bases=max_bases)
    if isinstance(table.numerators, list):
        return table.numerators
    return [
        ExactVertex(tuple(num), den, t)
        for t, num, den in zip(
            table.tight, table.numerators.tolist(), table.denominators.tolist(), strict=True
        )
    ]


@attrs.frozen
class VertexTable:
    """Vertices as columns: ``tight[k]``, and row ``k`` of ``numerators`` over ``denominators[k]``.

    From the compiled search the numbers are int64 arrays (compact for many vertices);
    from the Python-integer search ``numerators`` is the list of :class:`ExactVertex`
    itself and ``denominators`` is empty.
    """

    tight: list[int]
    numerators: IntArray | list[ExactVertex]
    denominators: IntArray

    def point(self, k: int) -> list[int]:
        """Numerators of vertex ``k`` (over a common denominator, which the ray ignores)."""
        if isinstance(self.numerators, list):
            return list(self.numerators[k].numerators)
        return cast(list[int], self.numerators[k].tolist())


def vertex_table(M: Sequence[Sequence[int]], *, max_bases: int | None = None) -> VertexTable:
    """The vertices of :func:`polytope_vertices` as a :class:`VertexTable`."""
    r, d = len(M), len(M[0])
    if any(v <= 0 for row in M for v in row):
        raise ValueError("M must be a positive integer matrix")
    if r + d <= MAX_COMPILED_LABELS and max(max(row) for row in M) <= MAX_COMPILED_ENTRY:
        pool = max(1, MAX_TABLEAU_BYTES // (8 * r * (1 + d + r)))
        tight, numerators, denominators, outcome = _search_int64(
            np.array(M, dtype=np.int64), -1 if max_bases is None else max_bases, pool
        )
        if outcome == _TOO_MANY:
            raise TooManyBasesError(max_bases)
        if outcome == _FINISHED:
            return VertexTable(cast(list[int], tight.tolist()), numerators, denominators)
    found = _search_python(M, max_bases)
    return VertexTable([v.tight for v in found], found, np.zeros(0, np.int64))


def _search_python(M: Sequence[Sequence[int]], max_bases: int | None = None) -> list[ExactVertex]:
    """The search in Python's integers: pivots from the parent's tableau (any size)."""
    r, d = len(M), len(M[0])
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
                if max_bases is not None and len(seen) == max_bases:
                    raise TooManyBasesError(max_bases)
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


# --------------------------------------------------------------------------------------------
# The compiled search, in 64-bit integers with every product checked against overflow
# --------------------------------------------------------------------------------------------

# Outcomes of the compiled search.
_FINISHED = 0
_OVERFLOW = 1
_TOO_MANY = 2

#: A product of two int64 whose float estimate stays below this fits in an int64, and so
#: does the difference of two of them (the estimate's relative error is below 2^-51).
_PRODUCT_LIMIT = 4.0e18


@compiled
def _fits(a: int, b: int) -> bool:  # pragma: no cover - compiled
    return abs(float(a) * float(b)) < _PRODUCT_LIMIT


@compiled
def _leaving_row(T: IntArray, column: int, d: int) -> int:  # pragma: no cover - compiled
    """The lexicographic ratio test of :func:`_lex_ratio_test` on an int64 tableau.

    Returns -1 if a product would overflow or no row competes.
    """
    r = T.shape[0]
    best = -1
    for i in range(r):
        a = T[i, column]
        if a <= 0:
            continue
        if best < 0:
            best = i
            continue
        b = T[best, column]
        for step in range(r + 1):
            c = 0 if step == 0 else d + step  # the right-hand side, then the columns of B^-1
            if not (_fits(T[i, c], b) and _fits(T[best, c], a)):
                return -1
            lhs = T[i, c] * b
            rhs = T[best, c] * a
            if lhs != rhs:
                if lhs < rhs:
                    best = i
                break
    return best


@compiled
def _slot(keys: IntArray, key: int) -> int:  # pragma: no cover - compiled
    """Slot of ``key`` in the open-addressing set ``keys`` (or the empty slot for it)."""
    size: int = keys.shape[0]
    slot = ((key * 0x5851F42D4C957F2D) >> 17) & (size - 1)
    while keys[slot] != -1 and keys[slot] != key:
        slot = (slot + 1) & (size - 1)
    return slot


@compiled
def _larger_set(keys: IntArray) -> IntArray:  # pragma: no cover - compiled
    bigger = np.full(2 * keys.shape[0], -1, np.int64)
    for key in keys:
        if key != -1:
            bigger[_slot(bigger, key)] = key
    return bigger


@compiled
def _gcd(a: int, b: int) -> int:  # pragma: no cover - compiled
    a, b = abs(a), abs(b)
    while b:
        a, b = b, a % b
    return a


@compiled
def _search_int64(
    M: IntArray, max_bases: int, pool_size: int
) -> tuple[IntArray, IntArray, IntArray, int]:  # pragma: no cover - compiled
    """The breadth-first lexicographic search of :func:`_search_python`, in int64.

    As there, a basis's tableau is made by one fraction-free pivot from its parent's when
    the basis is discovered, and kept only until the basis is taken from the queue. At
    most ``pool_size`` tableaux are kept at once (memory stays bounded); a basis found
    while the pool is full keeps only its mask, and its tableau is rebuilt from scratch by
    fraction-free Gauss-Jordan when it is taken. Returns the tight masks, reduced
    numerators and denominators of the distinct non-zero vertices, and the outcome:
    _FINISHED, _OVERFLOW (a product would overflow) or _TOO_MANY (more than ``max_bases``
    bases, if ``max_bases >= 0``); only _FINISHED comes with meaningful vertices.
    """
    r, d = M.shape
    n_var = d + r
    width = 1 + n_var
    capacity = min(256, pool_size)
    tableaux = np.empty((capacity, r, width), np.int64)
    dets = np.empty(capacity, np.int64)
    basics = np.empty((capacity, r), np.int64)
    free = np.arange(capacity - 1, -1, -1).astype(np.int64)  # a stack of free pool slots
    n_free = capacity
    scratch = np.empty((r, r + width), np.int64)  # Gauss-Jordan work space: [B | rest]
    basic_scratch = np.empty(r, np.int64)
    masks = np.empty(1024, np.int64)
    slots = np.empty(1024, np.int64)  # pool slot of each queued basis, or -1
    seen = np.full(4096, -1, np.int64)
    vertices = np.full(1024, -1, np.int64)
    tight_out = np.empty(256, np.int64)
    numerators = np.empty((256, d), np.int64)
    denominators = np.empty(256, np.int64)
    n_vertices = 0
    origin = (1 << d) - 1
    n_free -= 1
    first = free[n_free]
    for row in range(r):
        tableaux[first, row, 0] = 1
        for k in range(d):
            tableaux[first, row, 1 + k] = M[row, k]
        for j in range(r):
            tableaux[first, row, 1 + d + j] = 1 if j == row else 0
        basics[first, row] = d + row
    dets[first] = 1
    masks[0] = origin
    slots[0] = first
    seen[_slot(seen, origin)] = origin
    count = 1
    i = 0
    while i < count:
        nonbasic = masks[i]
        slot_i = slots[i]
        if slot_i >= 0:
            T = tableaux[slot_i]
            det = dets[slot_i]
            basic = basics[slot_i]
        else:
            det = _rebuild(M, nonbasic, scratch, basic_scratch)
            if det == 0:
                return tight_out[:0], numerators[:0], denominators[:0], _OVERFLOW
            T = scratch[:, r:]
            basic = basic_scratch
        tight = nonbasic
        for row in range(r):
            if T[row, 0] == 0:
                tight |= 1 << basic[row]  # a basic variable at zero: degenerate basis
        if tight != origin:
            slot = _slot(vertices, tight)
            if vertices[slot] == -1:
                vertices[slot] = tight
                if 2 * (n_vertices + 1) > vertices.shape[0]:
                    vertices = _larger_set(vertices)
                if n_vertices == tight_out.shape[0]:
                    size = 2 * n_vertices
                    grown_tight = np.empty(size, np.int64)
                    grown_tight[:n_vertices] = tight_out
                    tight_out = grown_tight
                    grown_num = np.empty((size, d), np.int64)
                    grown_num[:n_vertices] = numerators
                    numerators = grown_num
                    grown_den = np.empty(size, np.int64)
                    grown_den[:n_vertices] = denominators
                    denominators = grown_den
                g = det
                for k in range(d):
                    numerators[n_vertices, k] = 0
                for row in range(r):
                    if basic[row] < d:
                        numerators[n_vertices, basic[row]] = T[row, 0]
                        g = _gcd(g, T[row, 0])
                for k in range(d):
                    numerators[n_vertices, k] //= g
                denominators[n_vertices] = det // g
                tight_out[n_vertices] = tight
                n_vertices += 1
        for var in range(n_var):
            if not (nonbasic >> var) & 1:
                continue
            p = _leaving_row(T, 1 + var, d)
            if p < 0:
                return tight_out[:0], numerators[:0], denominators[:0], _OVERFLOW
            child = (nonbasic & ~(1 << var)) | (1 << basic[p])
            slot = _slot(seen, child)
            if seen[slot] != -1:
                continue
            if count == max_bases:
                return tight_out[:0], numerators[:0], denominators[:0], _TOO_MANY
            seen[slot] = child
            if count == masks.shape[0]:
                masks = _grow_int64(masks, 2 * count)
                slots = _grow_int64(slots, 2 * count)
            masks[count] = child
            if 2 * (count + 1) > seen.shape[0]:
                seen = _larger_set(seen)
            if n_free == 0 and capacity < pool_size:  # grow the pool, up to pool_size
                bigger = min(2 * capacity, pool_size)
                bigger_t = np.empty((bigger, r, width), np.int64)
                bigger_t[:capacity] = tableaux
                tableaux = bigger_t
                bigger_d = np.empty(bigger, np.int64)
                bigger_d[:capacity] = dets
                dets = bigger_d
                bigger_b = np.empty((bigger, r), np.int64)
                bigger_b[:capacity] = basics
                basics = bigger_b
                free = np.empty(bigger, np.int64)
                for k in range(bigger - capacity):
                    free[k] = bigger - 1 - k
                n_free = bigger - capacity
                capacity = bigger
                if slot_i >= 0:
                    T = tableaux[slot_i]
                    basic = basics[slot_i]
            if n_free == 0:
                slots[count] = -1  # rebuilt when taken
            else:
                n_free -= 1
                q = free[n_free]
                if not _pivot_into(T, det, p, 1 + var, tableaux[q]):
                    return tight_out[:0], numerators[:0], denominators[:0], _OVERFLOW
                dets[q] = T[p, 1 + var]
                basics[q] = basic
                basics[q, p] = var
                slots[count] = q
            count += 1
        if slot_i >= 0:
            free[n_free] = slot_i
            n_free += 1
        i += 1
    return tight_out[:n_vertices], numerators[:n_vertices], denominators[:n_vertices], _FINISHED


@compiled
def _grow_int64(values: IntArray, size: int) -> IntArray:  # pragma: no cover - compiled
    bigger = np.empty(size, np.int64)
    bigger[: values.shape[0]] = values
    return bigger


@compiled
def _rebuild(
    M: IntArray, nonbasic: int, X: IntArray, basic: IntArray
) -> int:  # pragma: no cover - compiled
    """The tableau of a basis from scratch, into ``X[:, r:]``; returns its denominator.

    Fraction-free Gauss-Jordan on ``[B | 1 | M | I]`` (Bareiss 1968; Nakos, Turner and
    Williams, "Fraction-free algorithms for linear and polynomial equations", ACM SIGSAM
    Bulletin 31, 1997) leaves ``[D I | D B^-1 [1 | M | I]]`` with ``D = +-det B``, every
    division exact; the sign is made positive. ``basic`` gets the basic variables in
    increasing order (row ``i`` of the tableau belongs to ``basic[i]``). Returns 0 if the
    basis is singular or a product would overflow.
    """
    r, d = M.shape
    t = 0
    for var in range(d + r):
        if not (nonbasic >> var) & 1:
            basic[t] = var
            t += 1
    for row in range(r):
        for c in range(r):
            var = basic[c]
            X[row, c] = M[row, var] if var < d else (1 if var - d == row else 0)
        X[row, r] = 1
        for k in range(d):
            X[row, r + 1 + k] = M[row, k]
        for j in range(r):
            X[row, r + 1 + d + j] = 1 if j == row else 0
    ncol = X.shape[1]
    previous = 1
    for k in range(r):
        if X[k, k] == 0:
            p = k + 1
            while p < r and X[p, k] == 0:
                p += 1
            if p == r:
                return 0
            for j in range(ncol):
                X[k, j], X[p, j] = X[p, j], X[k, j]
        pivot = X[k, k]
        for i in range(r):
            if i == k:
                continue
            f = X[i, k]
            for j in range(ncol):
                if j == k:
                    continue
                if not (_fits(pivot, X[i, j]) and _fits(f, X[k, j])):
                    return 0
                X[i, j] = (pivot * X[i, j] - f * X[k, j]) // previous
            X[i, k] = 0
        previous = pivot
    if previous < 0:
        for row in range(r):
            for j in range(ncol):
                X[row, j] = -X[row, j]
        previous = -previous
    return previous


@compiled
def _pivot_into(
    T: IntArray, det: int, row: int, column: int, out: IntArray
) -> bool:  # pragma: no cover - compiled
    """The fraction-free pivot of :func:`_pivot`, written into ``out``; False on overflow."""
    r, width = T.shape
    a = T[row, column]
    for i in range(r):
        if i == row:
            for c in range(width):
                out[i, c] = T[i, c]
            continue
        f = T[i, column]
        for c in range(width):
            if not (_fits(T[i, c], a) and _fits(f, T[row, c])):
                return False
            out[i, c] = (T[i, c] * a - f * T[row, c]) // det
    return True
