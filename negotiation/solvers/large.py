"""All extreme equilibria of large games: certified floating-point vertex traversal.

:func:`solve_large` returns exactly what :func:`negotiation.solvers.exact.solve_exact`
returns (the same :class:`~negotiation.solvers.exact.ExactSolution`, equilibria, order and
degeneracy flag), for games far beyond the reach of its enumeration of all
``C(m + n, m)`` bases. The equilibria are the completely labelled vertex pairs of the two
best-response polytopes (von Stengel, "Equilibrium computation for two-player games in
strategic and extensive form", ch. 3 of Nisan et al., *Algorithmic Game Theory*, 2007),

    P = {x >= 0 : B'^T x <= 1},  Q = {y >= 0 : A' y <= 1}  (A', B' positive),

and this module finds the vertices by walking each polytope's vertex graph instead of
trying every basis, as lrsnash does (Avis, Rosenberg, Savani and von Stengel,
"Enumeration of Nash equilibria for two-player games", *Economic Theory* 42, 2010):

1. **Float traversal** (compiled with numba): a breadth-first search from the origin over
   bases (sets of tight constraints, as bit masks) of the polytope with its matrix mapped
   affinely onto [1, 10], which keeps every vertex's tight set. At each vertex, for each
   tight constraint, a ratio test finds the vertex at the other end of the edge that
   frees it; near-ties propose every near-minimal candidate.
2. **Certificate for every vertex**, in floating point but rigorous: with ``R`` an
   approximate inverse of the basis matrix ``G`` and ``x`` the computed point, the
   Rump-style bounds ``||I - R G|| <= alpha < 1`` and ``|x* - x| <= ||R|| ||1 - G x|| /
   (1 - alpha)`` (Rump, "Verification methods: Rigorous results using floating-point
   arithmetic", *Acta Numerica* 19, 2010, section 10; rounding errors bounded by Higham,
   *Accuracy and Stability of Numerical Algorithms*, 2002, section 3.1) prove that the
   exact basis solution ``x*`` exists and that every other constraint is strictly slack
   there. Such a basis is a *simple* vertex of the exact polytope. A basis whose margin
   is too small for the proof is checked in exact integer arithmetic with python-flint.
3. **Completeness**: if every visited basis is a certified simple vertex (or is refuted,
   i.e. shown not to be a vertex) and for every certified vertex and every tight
   constraint some proposed neighbour is certified, the certified set is closed under
   adjacency (a certified vertex sharing all but one tight constraint with a simple vertex
   lies on its edge, and a bounded edge has exactly two ends). A polytope's vertex graph
   is connected (Balinski, *Pacific J. Math.* 11, 1961), so the certified set is every
   vertex, and every vertex is simple. No float decision is trusted without proof.
4. If both polytopes are certified simple the game is non-degenerate, and the equilibria
   are the pairs of vertices with complementary label sets, matched by bit mask; only
   those vertices are solved exactly (fraction-free, in checked int64 or python-flint).
   A polytope that cannot be certified (a degenerate game, or one whose float decisions
   are too close to call) is enumerated exactly by lexicographic pivoting
   (:mod:`negotiation.solvers.lexicographic`), degenerate vertices included, and the
   equilibria are the vertex pairs whose labels cover all ``m + n`` labels, exactly as in
   :mod:`negotiation.solvers.exact`.

Cost grows with the number of vertices (bases), not with ``C(m + n, m)``: about 5-10 us
per basis. A random 10x10 game has about 1,000 vertices per polytope and takes about
10 ms of CPU, a 15x15 game about 50,000 and 0.6 s, a 17x17 game about 5 s; games with
payoffs in {-1, 0, 1} (degenerate) take about 30 ms at 12x12 and 1-2 s at 15x15
(``benchmarks/large_games.py``). Games of 64 cells or more search the two polytopes on two
threads. ``max_bases`` bounds the work (LimitError beyond it). The float traversal works
on games with ``m + n <= 62`` (bit masks in 64-bit integers); larger games take the exact
path, whose compiled form has the same bound and whose Python form has none. The first
call in a process loads the compiled code from numba's cache (about 1 s; 20-30 s to
compile when there is no cache).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import cast

import attrs
import flint
import numpy as np
import numpy.typing as npt

from negotiation.errors import LimitError
from negotiation.model.payoffs import Game
from negotiation.model.scenario import Matrix
from negotiation.solvers.exact import ExactSolution, Vector
from negotiation.solvers.lexicographic import (
    MAX_COMPILED_ENTRY,
    TooManyBasesError,
    VertexTable,
    _fits,
    compiled,
    vertex_table,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Largest ``m + n`` the float traversal handles (bases are bit masks in an int64).
MAX_LABELS = 62

#: Default most bases one polytope's search may visit (float traversal or exact search)
#: before :func:`solve_large` raises :class:`~negotiation.errors.LimitError`. Time is about
#: 5-10 us per basis, memory about 60 bytes (float) or a tableau per queued basis (exact).
MAX_BASES = 2_000_000

#: Most bases of one polytope that may need an exact check before the float traversal gives
#: up and the exact path takes the polytope (a degenerate polytope needs many).
MAX_UNCERTAIN = 256

#: Games with at least this many cells enumerate their two polytopes on two threads.
PARALLEL_FROM = 64

#: Relative width of a near-tie in the ratio test: candidates within it are all proposed.
TIE = 1e-9

#: Most candidates proposed for one edge; more means the polytope is (nearly) degenerate.
MAX_CANDIDATES = 4

_U = 2.0**-53  # unit roundoff of float64
#: Factor that covers the rounding of evaluating a bound (relative error < 2**-44 for
#: dimensions up to 64, see _certify).
_INFLATE = 1.0 + 2.0**-30
#: Absolute allowance added to every bound against underflow (entries lie in [1, 10], so
#: no intermediate quantity comes anywhere near the subnormal range otherwise).
_TINY = 1e-280

# Statuses of a visited basis.
_CERTIFIED = 0  # proven: a simple vertex of the exact polytope
_UNCERTAIN = 1  # margins too small for the proof; to be checked exactly
_REFUTED = 2  # proven: the exact basis solution violates a constraint (not a vertex)

# Outcomes of the traversal.
_DONE = 0
_TOO_MANY_BASES = 1
_SINGULAR = 2
_TOO_MANY_TIES = 3
_TOO_MANY_UNCERTAIN = 4


@attrs.frozen
class _Vertices:
    """The non-zero vertices of one polytope, as tight-constraint masks.

    ``exact`` holds the lexicographic search's vertices (with their points) when it
    produced them; float-path vertices are solved exactly only if they are in an
    equilibrium.
    """

    tight: list[int]
    exact: VertexTable | None


def solve_large(game: Game, *, max_bases: int = MAX_BASES) -> ExactSolution:
    """Every extreme equilibrium of ``game``, exactly, as :func:`solve_exact` gives it.

    Raises :class:`~negotiation.errors.LimitError` if a player's best-response polytope
    needs more than ``max_bases`` bases (a random 15x15 game needs about 50,000).

    >>> # The 3x2 example of von Stengel (2007): three equilibria, one of them pure.
    >>> game = Game.from_arrays([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    >>> for x, y in solve_large(game).equilibria:
    ...     print(*x, "|", *y)
    1 0 0 | 1 0
    4/5 1/5 0 | 2/3 1/3
    0 1/3 2/3 | 1/3 2/3
    """
    m, n = game.shape
    A = _integer_matrix(game.A)
    Bt = [list(col) for col in zip(*_integer_matrix(game.B), strict=True)]
    if m * n >= PARALLEL_FROM:  # the compiled searches release the GIL: one per core
        with ThreadPoolExecutor(max_workers=2) as pool:
            row_future = pool.submit(_polytope_vertices, Bt, max_bases, "row")
            col_side = _polytope_vertices(A, max_bases, "column")
            row_side = row_future.result()
    else:
        row_side = _polytope_vertices(Bt, max_bases, "row")  # P: tight bits are the labels
        col_side = _polytope_vertices(A, max_bases, "column")  # Q: bit k < n is label m + k
    low = (1 << n) - 1
    row_labels = row_side.tight
    col_labels = [(t & low) << m | t >> n for t in col_side.tight]
    degenerate = any(t.bit_count() > m for t in row_labels) or any(
        t.bit_count() > n for t in col_labels
    )
    everything = (1 << (m + n)) - 1
    if not degenerate:
        # Simple polytopes: the partner of x is the vertex with exactly the other labels.
        partner = {t: k for k, t in enumerate(col_labels)}
        index_pairs = [
            (i, partner[everything ^ t])
            for i, t in enumerate(row_labels)
            if everything ^ t in partner
        ]
    else:
        index_pairs = _covering_pairs(row_labels, col_labels, everything)
    # Distinct vertices of one polytope are distinct mixed strategies, so equilibria can be
    # ordered and indexed by vertex numbers: rank each side's vertices once, exactly.
    cache: dict[tuple[int, int], tuple[Fraction, float]] = {}
    row_points = _strategies(row_side, {i for i, _ in index_pairs}, Bt, cache)
    col_points = _strategies(col_side, {j for _, j in index_pairs}, A, cache)
    # Rounding is monotone, so a < b implies float(a) <= float(b). When no two distinct
    # probabilities share a float, float keys therefore sort exactly as the fractions do;
    # otherwise each probability is keyed by (float, fraction), exact in every case.
    floats_decide = len({f for _, f in cache.values()}) == len({p for p, _ in cache.values()})
    row_rank = _ranks(row_points, floats_decide)
    col_rank = _ranks(col_points, floats_decide)
    index_pairs.sort(key=lambda pair: (row_rank[pair[0]], col_rank[pair[1]]), reverse=True)
    rows = {i: k for k, i in enumerate(dict.fromkeys(i for i, _ in index_pairs))}
    cols = {j: k for k, j in enumerate(dict.fromkeys(j for _, j in index_pairs))}
    return ExactSolution(
        tuple(row_points[i][0] for i in rows),
        tuple(col_points[j][0] for j in cols),
        tuple((rows[i], cols[j]) for i, j in index_pairs),
        degenerate,
    )


#: A mixed strategy and the floats of its probabilities.
_Strategy = tuple[Vector, tuple[float, ...]]


def _ranks(points: dict[int, _Strategy], floats_decide: bool) -> dict[int, int]:
    """Each vertex's rank in the exact lexicographic order of the mixed strategies."""
    if floats_decide:
        ordered = sorted(points, key=lambda k: points[k][1])
    else:
        ordered = sorted(points, key=lambda k: tuple(zip(points[k][1], points[k][0], strict=True)))
    return {k: rank for rank, k in enumerate(ordered)}


def _strategies(
    side: _Vertices,
    used: set[int],
    M: Sequence[Sequence[int]],
    cache: dict[tuple[int, int], tuple[Fraction, float]],
) -> dict[int, _Strategy]:
    """The exact mixed strategies of the ``used`` vertices, with the floats of their entries.

    Float-path vertices are solved in one compiled fraction-free batch when the entries of
    ``M`` are small enough for checked int64 arithmetic, else (or on overflow) with flint.
    ``cache`` maps ``(numerator, denominator)`` to the probability and its correctly rounded
    float (Python's int division rounds correctly), so each value is made once.
    """
    order = sorted(used)
    numerators: dict[int, list[int]] = {}
    if side.exact is not None:
        numerators = {k: side.exact.point(k) for k in order}
    else:
        masks = [side.tight[k] for k in order]
        if order and max(max(row) for row in M) <= MAX_COMPILED_ENTRY:
            batch, ok = _basis_points(np.array(M, dtype=np.int64), np.array(masks, dtype=np.int64))
            numerators = {
                k: v for k, v, good in zip(order, batch.tolist(), ok, strict=True) if good
            }
        for k, mask in zip(order, masks, strict=True):
            if k not in numerators:
                numerators[k] = _exact_solution(M, mask)[0]
    points: dict[int, _Strategy] = {}
    for k in order:
        values = numerators[k]
        total = sum(values)
        if total < 0:  # a negative determinant scales every numerator by -1
            values, total = [-v for v in values], -total
        fractions, floats = [], []
        for v in values:
            entry = cache.get((v, total))
            if entry is None:
                entry = cache[v, total] = Fraction(v, total), v / total
            fractions.append(entry[0])
            floats.append(entry[1])
        points[k] = tuple(fractions), tuple(floats)
    return points


def _covering_pairs(
    row_labels: list[int], col_labels: list[int], everything: int
) -> list[tuple[int, int]]:
    """Index pairs of vertices whose label sets together cover every label."""
    if everything < 1 << 62:
        rows, cols = _covering(
            np.array(row_labels, dtype=np.int64), np.array(col_labels, dtype=np.int64), everything
        )
        return list(zip(rows.tolist(), cols.tolist(), strict=True))
    pairs: list[tuple[int, int]] = []
    for i, t in enumerate(row_labels):
        need = everything ^ t
        pairs.extend((i, j) for j, u in enumerate(col_labels) if u & need == need)
    return pairs


def _integer_matrix(M: Matrix) -> list[list[int]]:
    """``(M - min M + 1) L`` for ``L`` the lcm of the denominators: integers >= ``L`` >= 1.

    A positive affine change of one player's payoffs changes no equilibrium, no best
    response and no tight set of the polytopes (von Stengel 2007, section 3.2); only the
    integers' numerators and denominators are touched, never a Fraction operation.
    """
    scale = math.lcm(*(v.denominator for row in M for v in row))
    scaled = [[v.numerator * (scale // v.denominator) for v in row] for row in M]
    low = min(min(row) for row in scaled)
    return [[v - low + scale for v in row] for row in scaled]


def _polytope_vertices(M: list[list[int]], max_bases: int, player: str) -> _Vertices:
    """The non-zero vertices of ``{v >= 0 : M v <= 1}``, certified float path or exact path."""
    r, d = len(M), len(M[0])
    try:
        if r + d <= MAX_LABELS:
            tight = _certified_vertices(M, max_bases)
            if tight is not None:
                origin = (1 << d) - 1
                kept = [t for t in tight if t != origin]
                return _Vertices(kept, None)
        exact = vertex_table(M, max_bases=max_bases)
    except TooManyBasesError:
        # P (row player) is {x : B^T x <= 1}: M has n rows and d = m columns; Q is A's.
        shape = f"{d}x{r}" if player == "row" else f"{r}x{d}"
        raise LimitError(
            "game",
            "",
            f"the {player} player's best-response polytope has more than {max_bases:,} "
            f"bases, too many to enumerate every equilibrium of a {shape} game within "
            "the limit (solve_large(..., max_bases=...) raises it)",
        ) from None
    return _Vertices(exact.tight, exact)


def _certified_vertices(M: list[list[int]], max_bases: int) -> list[int] | None:
    """Tight masks of every vertex if the float traversal is certified complete, else None.

    ``None`` means the polytope has a degenerate vertex, or that float arithmetic could not
    decide it; either way the exact path must enumerate it. The first traversal keeps no
    proposals: if it certifies every basis it visits, every proposal was certified and the
    closure holds. Otherwise it runs again, keeping them, to check the closure.
    """
    F = _unit_matrix(M)
    masks, status, cand_vertex, cand_edge, cand_target, outcome = _traverse(
        F, max_bases, TIE, MAX_CANDIDATES, MAX_UNCERTAIN, False
    )
    if outcome == _TOO_MANY_BASES:
        raise TooManyBasesError(max_bases)
    if outcome != _DONE:
        return None
    if (status == _CERTIFIED).all():
        return cast(list[int], masks.tolist())
    masks, status, cand_vertex, cand_edge, cand_target, outcome = _traverse(
        F, max_bases, TIE, MAX_CANDIDATES, MAX_UNCERTAIN, True
    )
    status = status.copy()
    for k in np.flatnonzero(status == _UNCERTAIN):
        verdict = _exact_check(M, int(masks[k]))
        if verdict == 0:
            return None  # a degenerate vertex: the exact path enumerates all of them
        status[k] = _CERTIFIED if verdict > 0 else _REFUTED
    valid = status == _CERTIFIED
    if not _closed(valid, cand_vertex, cand_edge, cand_target, len(M[0])):
        return None
    return cast(list[int], masks[valid].tolist())


def _unit_matrix(M: list[list[int]]) -> FloatArray:
    """``1 + 9 (M - lo) / (hi - lo)``, rounded once per entry, a float matrix in [1, 10].

    Python's int division rounds correctly, so each entry is the exact value rounded once.
    A positive affine change of a positive matrix is a projective map of the polytope onto
    the new one that keeps every tight constraint (von Stengel 2007, section 3.2), so the
    float traversal may work on well-scaled numbers; the certificate accounts for the one
    rounding of each entry.
    """
    lo = min(min(row) for row in M)
    span = max(max(row) for row in M) - lo
    if span == 0:
        return np.ones((len(M), len(M[0])))
    return np.array([[(9 * (v - lo) + span) / span for v in row] for row in M])


def _exact_solution(M: Sequence[Sequence[int]], tight: int) -> tuple[list[int], int]:
    """The basis point of ``tight`` as integer numerators over one denominator (flint)."""
    d = len(M[0])
    support = [k for k in range(d) if not tight >> k & 1]
    rows = [j for j in range(len(M)) if tight >> (d + j) & 1]
    numerators = [0] * d
    if not support:
        return numerators, 1
    G = flint.fmpz_mat([[M[j][k] for k in support] for j in rows])
    solution = cast(flint.fmpq_mat, G.solve(flint.fmpz_mat(len(rows), 1, [1] * len(rows))))
    top, bottom = solution.numer_denom()
    for a, k in enumerate(support):
        numerators[k] = int(top[a, 0])
    return numerators, int(bottom)


def _exact_check(M: Sequence[Sequence[int]], tight: int) -> int:
    """Exact verdict on a basis: 1 simple vertex, 0 degenerate vertex, -1 not a vertex."""
    try:
        numerators, denominator = _exact_solution(M, tight)
    except ZeroDivisionError:
        return -1  # singular: not a basis
    d = len(M[0])
    slacks = [v for k, v in enumerate(numerators) if not tight >> k & 1]
    slacks += [
        denominator - sum(a * v for a, v in zip(M[j], numerators, strict=True))
        for j in range(len(M))
        if not tight >> (d + j) & 1
    ]
    if min(slacks, default=1) < 0:
        return -1
    return 0 if 0 in slacks else 1


# --------------------------------------------------------------------------------------------
# The compiled traversal
# --------------------------------------------------------------------------------------------


@compiled
def _hash(key: int, size: int) -> int:  # pragma: no cover - compiled
    h = key * 0x5851F42D4C957F2D
    h ^= h >> 29
    return h & (size - 1)


@compiled
def _find(keys: IntArray, key: int) -> int:  # pragma: no cover - compiled
    """Slot of ``key`` in the open-addressing table ``keys`` (or the empty slot for it)."""
    size = keys.shape[0]
    slot = _hash(key, size)
    while keys[slot] != -1 and keys[slot] != key:
        slot = (slot + 1) & (size - 1)
    return slot


@compiled
def _invert(
    G: FloatArray, R: FloatArray, pivots: IntArray, s: int
) -> bool:  # pragma: no cover - compiled
    """R[:s, :s] = G[:s, :s]^-1 by in-place Gauss-Jordan with partial pivoting (s^3 flops).

    Row interchanges are undone as column interchanges in reverse order at the end
    (Golub and Van Loan, *Matrix Computations*, 4th ed., 2013, section 3.2); False if a
    pivot is zero or a result is not finite.
    """
    for a in range(s):
        for b in range(s):
            R[a, b] = G[a, b]
    for c in range(s):
        p = c
        for a in range(c + 1, s):
            if abs(R[a, c]) > abs(R[p, c]):
                p = a
        pivots[c] = p
        if p != c:
            for b in range(s):
                R[c, b], R[p, b] = R[p, b], R[c, b]
        pivot = R[c, c]
        if pivot == 0.0 or not np.isfinite(pivot):
            return False
        inverse = 1.0 / pivot
        R[c, c] = 1.0
        for b in range(s):
            R[c, b] *= inverse
        for a in range(s):
            if a != c:
                f = R[a, c]
                if f != 0.0:
                    R[a, c] = 0.0
                    for b in range(s):
                        R[a, b] -= f * R[c, b]
    for c in range(s - 1, -1, -1):
        p = pivots[c]
        if p != c:
            for a in range(s):
                R[a, c], R[a, p] = R[a, p], R[a, c]
    for a in range(s):
        for b in range(s):
            if not np.isfinite(R[a, b]):
                return False
    return True


@compiled
def _certify(
    FK: FloatArray,
    G: FloatArray,
    Gt: FloatArray,
    R: FloatArray,
    x: FloatArray,
    slack: FloatArray,
    row_sums: FloatArray,
    in_basis: npt.NDArray[np.bool_],
    s: int,
) -> int:  # pragma: no cover - compiled
    """Prove the basis a simple vertex (_CERTIFIED) or not a vertex (_REFUTED), or neither.

    ``G`` holds the float basis matrix, the correctly rounded ``G*``: ``|G - G*| <= u|G*|``.
    With ``gamma = gamma_{s+2}`` (Higham 2002, eq. 3.8), the exact ``E = I - R G*`` obeys
    ``|E| <= |fl(I - R G)| + gamma (I + |R||G|)`` and the exact residual ``r* = 1 - G* x``
    obeys ``|r*| <= |fl(1 - G x)| + gamma (1 + |G||x|)``. If ``alpha = ||E|| <= 1/2`` then
    ``G*`` is invertible and ``||x* - x|| <= ||R|| ||r*|| / (1 - alpha) = delta`` (Rump 2010,
    Theorem 10.2). A coordinate of the support is then positive if ``x_k > delta``, and a
    row ``j`` outside the basis is slack if ``fl(1 - F_j x) > gamma (1 + |F_j||x|) +
    (1 + 2u) ||F_j|| delta``; the opposite inequalities prove a violated constraint. Every
    bound is multiplied by ``1 + 2^-30``, which exceeds the relative rounding error of
    computing it (< gamma_{3s+4} < 2^-44 for s <= 64), and increased by 1e-280 against
    underflow. ``FK`` holds the support's columns of ``F`` and ``Gt`` is ``G`` transposed;
    ``G > 0``, so a row of ``|R||G|`` sums to ``|R_a.|`` times the row sums of ``G``. Fills
    ``x``, ``slack`` (rows of ``F`` outside the basis) and the work space ``row_sums``.
    """
    r = FK.shape[0]
    gamma = (s + 2) * _U / (1.0 - (s + 2) * _U)
    for k in range(s):
        total = 0.0
        for b in range(s):
            total += G[k, b]
        row_sums[k] = total
    alpha = 0.0
    norm_r = 0.0
    for a in range(s):
        total = 0.0
        row_norm = 0.0
        mag = 1.0  # row a of (I + |R||G|) summed: 1 + sum_k |R_ak| (row sum k of G > 0)
        for k in range(s):
            total += R[a, k]
            row_norm += abs(R[a, k])
            mag += abs(R[a, k]) * row_sums[k]
        x[a] = total
        norm_r = max(norm_r, row_norm)
        row_sum = gamma * mag
        for b in range(s):
            acc = 1.0 if a == b else 0.0
            for k in range(s):
                acc -= R[a, k] * Gt[b, k]
            row_sum += abs(acc)
        alpha = max(alpha, row_sum)
    rho = 0.0
    for a in range(s):
        acc = 1.0
        mag = 1.0
        for b in range(s):
            acc -= G[a, b] * x[b]
            mag += G[a, b] * abs(x[b])
        rho = max(rho, abs(acc) + gamma * mag)
    alpha = alpha * _INFLATE + _TINY
    certified = True
    refuted = False
    if not alpha <= 0.5:
        certified = False
        delta = np.inf
    else:
        delta = (norm_r * _INFLATE) * (rho * _INFLATE) / (1.0 - alpha) * _INFLATE + _TINY
    for a in range(s):
        if not x[a] > delta:
            certified = False
            if x[a] < -delta:
                refuted = True
    for j in range(r):
        if in_basis[j]:
            continue
        acc = 1.0
        mag = 1.0
        norm = 0.0
        for a in range(s):
            f = FK[j, a]
            acc -= f * x[a]
            mag += f * abs(x[a])
            norm += f
        slack[j] = acc
        bound = (gamma * mag + (1.0 + 2.0 * _U) * norm * delta) * _INFLATE + _TINY
        if not acc > bound:
            certified = False
            if acc < -bound:
                refuted = True
    if refuted:
        return _REFUTED
    return _CERTIFIED if certified else _UNCERTAIN


@compiled
def _traverse(
    F: FloatArray,
    max_bases: int,
    tie: float,
    max_candidates: int,
    max_uncertain: int,
    keep_proposals: bool,
) -> tuple[IntArray, npt.NDArray[np.int8], IntArray, IntArray, IntArray, int]:  # pragma: no cover
    """Breadth-first search over the bases of ``{v >= 0 : F v <= 1}`` (F in [1, 10]).

    Bit ``k < d`` of a basis mask: ``v_k = 0`` is tight; bit ``d + j``: row ``j`` is tight.
    Returns the masks in visiting order, their statuses, the proposals as triples
    (vertex index, freed tight constraint's position among the mask's bits, proposed
    vertex index; empty unless ``keep_proposals``), and the outcome.
    """
    r, d = F.shape
    capacity = 1024
    masks = np.empty(capacity, np.int64)
    status = np.empty(capacity, np.int8)
    cand_capacity = 4096
    cand_vertex = np.empty(cand_capacity, np.int64)
    cand_edge = np.empty(cand_capacity, np.int64)
    cand_target = np.empty(cand_capacity, np.int64)
    table = np.full(4096, -1, np.int64)
    index = np.empty(4096, np.int64)
    origin = (1 << d) - 1
    masks[0] = origin
    slot = _find(table, origin)
    table[slot] = origin
    index[slot] = 0
    count = 1
    n_cand = 0
    n_uncertain = 0
    support = np.empty(d, np.int64)
    basis_rows = np.empty(d, np.int64)
    in_basis = np.zeros(r, np.bool_)
    FK = np.empty((r, d))
    FBt = np.empty((d, d))
    G = np.empty((d, d))
    Gt = np.empty((d, d))
    R = np.empty((d, d))
    pivots = np.empty(d, np.int64)
    row_sums = np.empty(d)
    x = np.empty(d)
    slack = np.empty(r)
    direction = np.empty(d)
    ratio = np.empty(d + r)
    outcome = _DONE
    i = 0
    while i < count:
        mask = masks[i]
        s = 0
        for k in range(d):
            if not (mask >> k) & 1:
                support[s] = k
                s += 1
        t = 0
        for j in range(r):
            in_basis[j] = ((mask >> (d + j)) & 1) == 1
            if in_basis[j]:
                basis_rows[t] = j
                t += 1
        # Contiguous copies: FK = F[:, support], FBt = F[basis rows, :]^T, G and G^T.
        for j in range(r):
            for a in range(s):
                FK[j, a] = F[j, support[a]]
        for k in range(d):
            for b in range(s):
                FBt[k, b] = F[basis_rows[b], k]
        for a in range(s):
            for b in range(s):
                G[a, b] = FK[basis_rows[a], b]
                Gt[b, a] = G[a, b]
        if not _invert(G, R, pivots, s):
            outcome = _SINGULAR
            break
        verdict = _certify(FK, G, Gt, R, x, slack, row_sums, in_basis, s)
        status[i] = verdict
        if verdict == _UNCERTAIN:
            n_uncertain += 1
            if n_uncertain > max_uncertain:
                outcome = _TOO_MANY_UNCERTAIN
                break
        if verdict == _REFUTED:
            i += 1
            continue
        # One edge per tight constraint: free it, keep the others tight.
        edge = 0
        for bit in range(d + r):
            if not (mask >> bit) & 1:
                continue
            entering = -1
            if bit < d:  # v_bit rises from 0: direction (-R G[:, bit]) on the support, 1 on bit
                entering = bit
                for a in range(s):
                    acc = 0.0
                    for b in range(s):
                        acc += R[a, b] * FBt[bit, b]
                    direction[a] = -acc
            else:  # row bit - d loosens: direction -R e_p on the support
                p = 0
                while basis_rows[p] != bit - d:
                    p += 1
                for a in range(s):
                    direction[a] = -R[a, p]
            best = np.inf
            for c in range(d + r):
                ratio[c] = np.inf
            for a in range(s):  # v_support[a] >= 0 decreases at rate -direction[a]
                rate = -direction[a]
                if rate > 0.0:
                    ratio[support[a]] = max(x[a], 0.0) / rate
                    best = min(best, ratio[support[a]])
            for j in range(r):
                if in_basis[j]:
                    continue
                rate = F[j, entering] if entering >= 0 else 0.0
                for a in range(s):
                    rate += FK[j, a] * direction[a]
                if rate > 0.0:
                    ratio[d + j] = max(slack[j], 0.0) / rate
                    best = min(best, ratio[d + j])
            if best == np.inf:
                outcome = _SINGULAR  # no end to the edge: the arithmetic is not trustworthy
                break
            limit = best * (1.0 + tie) + 1e-15
            proposed = 0
            for c in range(d + r):
                if ratio[c] > limit:
                    continue
                proposed += 1
                if proposed > max_candidates:
                    outcome = _TOO_MANY_TIES
                    break
                child = (mask & ~(1 << bit)) | (1 << c)
                slot = _find(table, child)
                if table[slot] == -1:
                    if count == max_bases:
                        outcome = _TOO_MANY_BASES
                        break
                    if count == capacity:
                        capacity *= 2
                        masks = _grow(masks, capacity)
                        status = _grow_int8(status, capacity)
                    masks[count] = child
                    table[slot] = child
                    index[slot] = count
                    count += 1
                    if 2 * count > table.shape[0]:
                        table, index = _rehash(table, index)
                        slot = _find(table, child)
                if not keep_proposals:
                    continue
                if n_cand == cand_capacity:
                    cand_capacity *= 2
                    cand_vertex = _grow(cand_vertex, cand_capacity)
                    cand_edge = _grow(cand_edge, cand_capacity)
                    cand_target = _grow(cand_target, cand_capacity)
                cand_vertex[n_cand] = i
                cand_edge[n_cand] = edge
                cand_target[n_cand] = index[slot]
                n_cand += 1
            if outcome != _DONE:
                break
            edge += 1
        if outcome != _DONE:
            break
        i += 1
    return (
        masks[:count],
        status[:count],
        cand_vertex[:n_cand],
        cand_edge[:n_cand],
        cand_target[:n_cand],
        outcome,
    )


@compiled
def _basis_points(
    M: IntArray, masks: IntArray
) -> tuple[IntArray, npt.NDArray[np.bool_]]:  # pragma: no cover - compiled
    """Integer multiples ``D x`` of the basis points of ``masks`` (D = +-det of the basis).

    Fraction-free Gauss-Jordan on ``[M[rows, support] | 1]``, every product checked against
    int64 overflow (as in :mod:`negotiation.solvers.lexicographic`); ``ok[q]`` is False
    where a product would overflow or the basis is singular.
    """
    r, d = M.shape
    out = np.zeros((masks.shape[0], d), np.int64)
    ok = np.ones(masks.shape[0], np.bool_)
    X = np.empty((d, d + 1), np.int64)
    support = np.empty(d, np.int64)
    rows = np.empty(d, np.int64)
    for q in range(masks.shape[0]):
        mask = masks[q]
        s = 0
        for k in range(d):
            if not (mask >> k) & 1:
                support[s] = k
                s += 1
        t = 0
        for j in range(r):
            if (mask >> (d + j)) & 1:
                rows[t] = j
                t += 1
        for a in range(s):
            for b in range(s):
                X[a, b] = M[rows[a], support[b]]
            X[a, s] = 1
        previous = 1
        for c in range(s):
            if X[c, c] == 0:
                p = c + 1
                while p < s and X[p, c] == 0:
                    p += 1
                if p == s:
                    ok[q] = False
                    break
                for b in range(s + 1):
                    X[c, b], X[p, b] = X[p, b], X[c, b]
            pivot = X[c, c]
            for a in range(s):
                if a == c:
                    continue
                f = X[a, c]
                for b in range(s + 1):
                    if b == c:
                        continue
                    if not (_fits(pivot, X[a, b]) and _fits(f, X[c, b])):
                        ok[q] = False
                        break
                    X[a, b] = (pivot * X[a, b] - f * X[c, b]) // previous
                if not ok[q]:
                    break
                X[a, c] = 0
            if not ok[q]:
                break
            previous = pivot
        if ok[q]:
            for a in range(s):
                out[q, support[a]] = X[a, s]
    return out, ok


@compiled
def _covering(
    row_labels: IntArray, col_labels: IntArray, everything: int
) -> tuple[IntArray, IntArray]:  # pragma: no cover - compiled
    """Compiled :func:`_covering_pairs` for label masks that fit an int64.

    The column vertices are bucketed by label; for each row vertex only the smallest bucket
    among the labels it lacks is scanned (a partner must have all of them).
    """
    n_labels = 0
    while (everything >> n_labels) & 1:
        n_labels += 1
    sizes = np.zeros(n_labels + 1, np.int64)
    for j in range(col_labels.shape[0]):
        for label in range(n_labels):
            if (col_labels[j] >> label) & 1:
                sizes[label + 1] += 1
    starts = np.cumsum(sizes)
    members = np.empty(starts[n_labels], np.int64)
    filled = starts[:n_labels].copy()
    for j in range(col_labels.shape[0]):
        for label in range(n_labels):
            if (col_labels[j] >> label) & 1:
                members[filled[label]] = j
                filled[label] += 1
    rows = np.empty(1024, np.int64)
    cols = np.empty(1024, np.int64)
    count = 0
    for i in range(row_labels.shape[0]):
        need = everything ^ row_labels[i]
        best = -1
        for label in range(n_labels):
            if (need >> label) & 1 and (best < 0 or sizes[label + 1] < sizes[best + 1]):
                best = label
        if best < 0:
            continue  # only the origin has every label, and it is not listed
        for k in range(starts[best], starts[best + 1]):
            j = members[k]
            if col_labels[j] & need == need:
                if count == rows.shape[0]:
                    rows = _grow(rows, 2 * count)
                    cols = _grow(cols, 2 * count)
                rows[count] = i
                cols[count] = j
                count += 1
    return rows[:count], cols[:count]


@compiled
def _closed(
    valid: npt.NDArray[np.bool_],
    cand_vertex: IntArray,
    cand_edge: IntArray,
    cand_target: IntArray,
    d: int,
) -> bool:  # pragma: no cover - compiled
    """Whether every edge (vertex, freed constraint) of every valid vertex has a valid end."""
    covered = np.zeros((valid.shape[0], d), np.bool_)
    for c in range(cand_vertex.shape[0]):
        if valid[cand_target[c]]:
            covered[cand_vertex[c], cand_edge[c]] = True
    for v in range(valid.shape[0]):
        if valid[v]:
            for e in range(d):
                if not covered[v, e]:
                    return False
    return True


@compiled
def _grow(values: IntArray, capacity: int) -> IntArray:  # pragma: no cover - compiled
    bigger = np.empty(capacity, np.int64)
    bigger[: values.shape[0]] = values
    return bigger


@compiled
def _grow_int8(
    values: npt.NDArray[np.int8], capacity: int
) -> npt.NDArray[np.int8]:  # pragma: no cover - compiled
    bigger = np.empty(capacity, np.int8)
    bigger[: values.shape[0]] = values
    return bigger


@compiled
def _rehash(table: IntArray, index: IntArray) -> tuple[IntArray, IntArray]:  # pragma: no cover
    new_table = np.full(2 * table.shape[0], -1, np.int64)
    new_index = np.empty(2 * table.shape[0], np.int64)
    for slot in range(table.shape[0]):
        key = table[slot]
        if key != -1:
            target = _find(new_table, key)
            new_table[target] = key
            new_index[target] = index[slot]
    return new_table, new_index
