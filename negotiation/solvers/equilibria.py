"""Nash equilibria: complete, verified, and cross-checked between two algorithms.

:func:`solve` runs the nashpy algorithm you choose and, beside it, the exact rational
vertex enumeration of :mod:`negotiation.solvers.exact`, then reports:

* every extreme equilibrium (on a non-degenerate game: every equilibrium), from the exact
  enumeration, so the answer never depends on a floating-point threshold;
* for each, whether the chosen nashpy algorithm found it too;
* whether the game is degenerate, and the connected components of the equilibrium set with
  their maximal Nash subsets (:mod:`negotiation.solvers.components`);
* notes on every disagreement: equilibria nashpy missed, candidates it returned that are
  not equilibria, warnings and errors it raised.

Why not trust nashpy alone: at default settings its support enumeration rejects a
probability of about -1e-17 with a strict ``>= 0`` test and so misses an equilibrium in
about 1% of random 3x3 games; on degenerate games it misses equilibria (nashpy issue #82),
and its vertex enumeration can return nothing or raise (issue #222). Parameter sweeps land
on degenerate games routinely.

Every reported equilibrium is verified as a mutual best response twice: exactly, in
rational arithmetic, and in floating point within ``tol`` times the largest absolute payoff
(at least 1), which is the check a reader of the float output can repeat.

Every part runs in bounded time, with budgets in :mod:`negotiation.limits`: small games
go to the reference enumeration (refused before any work beyond
:data:`~negotiation.limits.MAX_EXACT_BASES` steps, see :func:`exact_cost`), larger ones to
the certified vertex traversal of :mod:`negotiation.solvers.large` (refused past
:data:`~negotiation.limits.MAX_LARGE_BASES` bases, see :func:`enumerate_exactly`), each
with a :class:`~negotiation.errors.LimitError`; a nashpy cross-check whose cost exceeds
its budget (:func:`cross_check_cost`) is skipped with a note saying why and how to run it anyway.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from fractions import Fraction
from functools import partial
from itertools import cycle
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from negotiation import limits
from negotiation.errors import LimitError
from negotiation.limits import shown
from negotiation.model.payoffs import Game, payoff_matrices
from negotiation.model.scenario import Matrix, Scenario
from negotiation.solvers.components import Component, components
from negotiation.solvers.exact import ExactSolution, Vector, solve_exact

Method = Literal["support", "vertex", "lemke-howson", "exact"]

#: The algorithms :func:`solve` can cross-check, with what each runs.
METHODS: dict[str, str] = {
    "support": "nashpy support enumeration (Nisan et al. 2007, Algorithm 3.4)",
    "vertex": "nashpy vertex enumeration (Nisan et al. 2007, Algorithm 3.5)",
    "lemke-howson": "nashpy Lemke-Howson from every starting label (Nisan et al. 2007, 3.6)",
    "exact": "exact rational vertex enumeration only",
}

#: Default relative tolerance of the floating-point best-response check.
TOLERANCE = 1e-9

_MATCH = 1e-6  # how close a nashpy candidate must be to an exact equilibrium to be it


@attrs.frozen
class Equilibrium:
    """One extreme Nash equilibrium: exact mixed strategies and expected payoffs."""

    row: Vector
    col: Vector
    payoffs: tuple[Fraction, Fraction]
    #: Whether the chosen nashpy algorithm returned this equilibrium too.
    found_by_method: bool = True

    @property
    def pure(self) -> bool:
        """Whether both players play a single strategy with probability 1."""
        return sum(p > 0 for p in self.row) == 1 and sum(p > 0 for p in self.col) == 1

    @property
    def strategies(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The two mixed strategies as float arrays."""
        return np.array([float(p) for p in self.row]), np.array([float(p) for p in self.col])

    @property
    def support(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Indices of the strategies each player plays with positive probability."""
        return (
            tuple(i for i, p in enumerate(self.row) if p > 0),
            tuple(j for j, p in enumerate(self.col) if p > 0),
        )


@attrs.frozen
class Solution:
    """All extreme equilibria of a game, its degeneracy and the structure of its equilibria.

    On a non-degenerate game ``equilibria`` is the whole equilibrium set. On a degenerate
    game it is every extreme equilibrium, and ``components`` describes every equilibrium as
    unions of maximal Nash subsets (convex hulls of extreme equilibria).
    """

    game: Game
    equilibria: tuple[Equilibrium, ...]
    degenerate: bool
    components: tuple[Component, ...]
    #: Extreme row and column strategies; NashSubset indices refer to these.
    row_strategies: tuple[Vector, ...]
    col_strategies: tuple[Vector, ...]
    method: str
    tolerance: float
    notes: tuple[str, ...] = ()


def solve(
    game: Game | Scenario, method: Method | str = "support", tol: float = TOLERANCE
) -> Solution:
    """Every extreme Nash equilibrium of a game or scenario, verified and cross-checked.

    ``method`` picks the nashpy algorithm to run beside the exact enumeration (see
    :data:`METHODS`); ``"exact"`` skips nashpy. The reported set does not depend on it.

    Raises :class:`~negotiation.errors.LimitError` if the game is too large to enumerate
    exactly (:func:`exact_cost` over :data:`negotiation.limits.MAX_EXACT_BASES`). A
    cross-check over its budget is not run: the solution then says ``method="exact"`` and
    a note names the method asked for, its cost and how to run it.

    >>> from negotiation import load
    >>> sol = solve(load("battle-of-the-sexes"))
    >>> [(e.pure, [str(p) for p in e.row]) for e in sol.equilibria]
    [(True, ['1', '0']), (False, ['2/3', '1/3']), (True, ['0', '1'])]
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of: {', '.join(METHODS)}")
    source = "game"
    if isinstance(game, Scenario):
        source = shown(game.origin, 4096)
        game = payoff_matrices(game)
    notes: list[str] = []
    if method != "exact" and (skipped := _skipped_cross_check(game, method)):
        notes.append(skipped)
        method = "exact"
    exact = enumerate_exactly(game, source)
    A_float, B_float = game.floats()
    found = [method == "exact"] * len(exact.pairs)
    if method != "exact":
        found = _cross_check(game, exact.equilibria, method, tol, notes)
    equilibria = []
    for (x, y), was_found in zip(exact.equilibria, found, strict=True):
        if not is_equilibrium_exact(game, x, y):
            raise AssertionError(f"exact enumeration returned a non-equilibrium {x}, {y}")
        xf, yf = np.array([float(p) for p in x]), np.array([float(p) for p in y])
        if not is_equilibrium(A_float, B_float, xf, yf, tol):
            raise AssertionError(f"equilibrium {x}, {y} fails the float check at tol={tol}")
        equilibria.append(Equilibrium(x, y, _payoffs(game, x, y), was_found))
    if exact.degenerate:
        notes.insert(
            0,
            "The game is degenerate (a mixed strategy with k strategies in its support has "
            "more than k best responses): equilibria may form continua. Listed are all "
            "extreme equilibria; the components below describe every equilibrium.",
        )
    return Solution(
        game=game,
        equilibria=tuple(equilibria),
        degenerate=exact.degenerate,
        components=components(exact.pairs),
        row_strategies=exact.row_strategies,
        col_strategies=exact.col_strategies,
        method=method,
        tolerance=tol,
        notes=tuple(notes),
    )


def enumerate_exactly(game: Game, source: str = "game") -> ExactSolution:
    """Every extreme equilibrium of ``game``, exactly, by the engine that suits its size.

    Games of at most :data:`~negotiation.limits.SMALL_GAME_BASES` bases (about 6x6) go to
    the reference enumeration :func:`~negotiation.solvers.exact.solve_exact` (no compiled
    code to load); larger ones to :func:`~negotiation.solvers.large.solve_large`, a
    certified vertex traversal that returns the same :class:`ExactSolution` (tested
    against the reference and Gambit) for games far beyond the reference's reach, bounded
    by :data:`~negotiation.limits.MAX_LARGE_BASES` bases per best-response polytope
    (:data:`~negotiation.limits.MAX_WIDE_BASES` beyond 62 strategies in all).
    Raises :class:`~negotiation.errors.LimitError`, naming ``source``, beyond either bound.
    """
    m, n = game.shape
    if math.comb(m + n, m) <= limits.SMALL_GAME_BASES:
        check_exact_budget(game, source)
        return solve_exact(game)
    from negotiation.solvers.large import solve_large  # numba: loaded only for large games

    wide = m + n > 62
    budget, name = (
        (limits.MAX_WIDE_BASES, "MAX_WIDE_BASES")
        if wide
        else (limits.MAX_LARGE_BASES, "MAX_LARGE_BASES")
    )
    try:
        return solve_large(game, max_bases=budget)
    except LimitError as error:
        raise LimitError(
            source,
            "",
            f"{error.problem} (negotiation.limits.{name} = {budget:,}); remove dominated or "
            "redundant strategies",
        ) from None


def exact_cost(game: Game) -> int:
    """Steps of the exact enumeration of ``game``: what :data:`MAX_EXACT_BASES` bounds.

    The enumeration (:mod:`negotiation.solvers.exact`) solves one small linear system per
    basis, ``C(m + n, m)`` of them, in integers after scaling the payoffs; a system of
    integers of ``b`` > 256 bits costs about ``(b / 256) ** 2`` as much (measured: 6x6
    games take 0.1 s with 8-bit payoffs, 0.8 s with 1,000 bits, 10 s with 4,000 bits), so
    each basis counts ``ceil(b / 256) ** 2`` steps. Computed from the shape and the
    denominators alone, and stopped as soon as the budget is exceeded, so it is cheap.

    >>> exact_cost(Game.from_arrays([[1, 2], [3, 4]], [[0, 1], [1, 0]]))
    6
    >>> exact_cost(Game.from_arrays([[Fraction(1, 3**1000)]], [[0]]))  # 1,586-bit integers
    98

    """
    m, n = game.shape
    bases = math.comb(m + n, m)
    budget = limits.MAX_EXACT_BASES
    cap = 256 * (math.isqrt(max(budget // bases, 0)) + 2)  # more bits cannot fit the budget
    bits = max(_integer_bits(game.A, cap), _integer_bits(game.B, cap))
    return bases * max(1, -(-bits // 256)) ** 2


def check_exact_budget(game: Game, source: str = "game") -> None:
    """Raise :class:`~negotiation.errors.LimitError` if ``game`` is too large to solve exactly.

    >>> check_exact_budget(Game.from_arrays([[0] * 9] * 9, [[0] * 9] * 9))
    Traceback (most recent call last):
    ...
    negotiation.errors.LimitError: game: a 9x9 game needs about 48,620 exact enumeration steps ...
    """
    cost = exact_cost(game)
    if cost <= limits.MAX_EXACT_BASES:
        return
    m, n = game.shape
    raise LimitError(
        source,
        "",
        f"a {m}x{n} game needs about {cost:,} exact enumeration steps "
        f"(C({m + n}, {m}) = {math.comb(m + n, m):,} bases"
        + ("" if cost == math.comb(m + n, m) else ", of large integers")
        + f"), over the limit of {limits.MAX_EXACT_BASES:,} (negotiation.limits."
        "MAX_EXACT_BASES, about 3 s; an 8x8 game of small numbers fits): remove dominated "
        "or redundant strategies, or write the payoffs with fewer digits",
    )


def _integer_bits(M: Matrix, cap: int) -> int:
    """Bits of the largest entry of ``M`` once shifted positive and scaled to integers.

    Mirrors the exact solver's scaling: every entry times the least common multiple of
    the denominators. Stops at ``cap`` bits, since the caller needs no more.
    """
    values = [v for row in M for v in row]
    scale = 1
    for v in values:
        scale = math.lcm(scale, v.denominator)
        if scale.bit_length() > cap:
            return cap + 1
    spread = max(values) - min(values) + 1
    return scale.bit_length() + math.ceil(spread).bit_length()


def cross_check_cost(shape: tuple[int, int], method: str) -> tuple[int, int]:
    """The cost of nashpy's ``method`` on a game of ``shape``, and its budget.

    Support enumeration (nashpy 0.0.43) tries every pair of non-empty supports,
    ``(2**m - 1) * (2**n - 1)``; vertex enumeration builds polytopes with up to
    ``C(m + n, m)`` bases in up to ``max(m, n)`` dimensions (counted as their product);
    Lemke-Howson runs ``m + n`` paths of up to :data:`MAX_PIVOTS` pivots on tableaux of
    ``m + n`` rows, counted ``(m + n) ** 3``.

    >>> cross_check_cost((1, 20), "support")
    (1048575, 5000)
    """
    m, n = shape
    if method == "support":
        return (2**m - 1) * (2**n - 1), limits.MAX_SUPPORT_PAIRS
    if method == "vertex":
        return math.comb(m + n, m) * max(m, n), limits.MAX_VERTEX_WORK
    if method == "lemke-howson":
        return (m + n) ** 3, limits.MAX_LEMKE_HOWSON_WORK
    return 0, 0


_COST_UNITS = {
    "support": ("support pairs", "MAX_SUPPORT_PAIRS", "nashpy.Game(A, B).support_enumeration()"),
    "vertex": ("bases x dimension", "MAX_VERTEX_WORK", "nashpy.Game(A, B).vertex_enumeration()"),
    "lemke-howson": (
        "(m + n)^3 tableau work",
        "MAX_LEMKE_HOWSON_WORK",
        "nashpy.Game(A, B).lemke_howson(initial_dropped_label=k)",
    ),
}


def _skipped_cross_check(game: Game, method: str) -> str | None:
    """The note explaining why ``method`` is not run on ``game``, or None if it runs."""
    cost, budget = cross_check_cost(game.shape, method)
    if cost <= budget:
        return None
    unit, limit, call = _COST_UNITS[method]
    m, n = game.shape
    return (
        f"The {METHODS[method].split(' (')[0]} cross-check was not run: a {m}x{n} game costs "
        f"{cost:,} {unit}, over its budget of {budget:,} (negotiation.limits.{limit}). The "
        "equilibria come from the exact enumeration alone; to run the cross-check anyway, "
        f"raise the limit in Python or call {call} on the payoff arrays."
    )


def pure_equilibria(game: Game) -> tuple[tuple[int, int], ...]:
    """Every pure Nash equilibrium of ``game`` as (row, column) positions, exactly.

    A cell is a pure equilibrium when its row is a best response to its column and its
    column a best response to its row. This reads each payoff a few times, so it answers
    at once for games far beyond the exact enumeration's budget (plots outline pure
    equilibria of any game).

    >>> pure_equilibria(Game.from_arrays([[3, 0], [5, 1]], [[3, 5], [0, 1]]))
    ((1, 1),)
    """
    m, n = game.shape
    best_rows = [max(game.A[r][c] for r in range(m)) for c in range(n)]
    best_cols = [max(row) for row in game.B]
    return tuple(
        (r, c)
        for r in range(m)
        for c in range(n)
        if game.A[r][c] == best_rows[c] and game.B[r][c] == best_cols[r]
    )


def is_equilibrium(
    A: npt.ArrayLike,
    B: npt.ArrayLike,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    tol: float = TOLERANCE,
) -> bool:
    """Whether (x, y) is a mutual best response in floating point.

    Both must be probability vectors (entries >= -tol, summing to 1 within tol), and no pure
    strategy may gain more than ``tol * max(1, max |payoff|)`` over the mix it deviates from.

    >>> is_equilibrium([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], [0.5, 0.5], [0.5, 0.5])
    True
    >>> is_equilibrium([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], [1, 0], [1, 0])
    False
    """
    A_, B_ = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    x_, y_ = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x_.shape != (A_.shape[0],) or y_.shape != (A_.shape[1],):
        return False
    if not (np.all(np.isfinite(x_)) and np.all(np.isfinite(y_))):
        return False
    scale = tol * max(1.0, float(np.abs(A_).max()), float(np.abs(B_).max()))
    if min(x_.min(), y_.min()) < -tol or max(abs(x_.sum() - 1), abs(y_.sum() - 1)) > tol:
        return False
    row_values, col_values = A_ @ y_, x_ @ B_
    return bool(
        row_values.max() - x_ @ row_values <= scale and col_values.max() - col_values @ y_ <= scale
    )


def is_equilibrium_exact(game: Game, x: Vector, y: Vector) -> bool:
    """Whether (x, y) is exactly a mutual best response (rational arithmetic, no tolerance)."""
    if any(p < 0 for p in x + y) or sum(x) != 1 or sum(y) != 1:
        return False
    row_values = _apply(game.A, y)
    col_values = _apply(_transpose(game.B), x)
    row_value = sum((p * v for p, v in zip(x, row_values, strict=True)), Fraction(0))
    col_value = sum((q * v for q, v in zip(y, col_values, strict=True)), Fraction(0))
    return max(row_values) == row_value and max(col_values) == col_value


def _payoffs(game: Game, x: Vector, y: Vector) -> tuple[Fraction, Fraction]:
    row_values, col_values = _apply(game.A, y), _apply(game.B, y)
    return (
        sum((p * v for p, v in zip(x, row_values, strict=True)), Fraction(0)),
        sum((p * v for p, v in zip(x, col_values, strict=True)), Fraction(0)),
    )


def _apply(M: Matrix, v: Vector) -> list[Fraction]:
    return [sum((a * b for a, b in zip(row, v, strict=True)), Fraction(0)) for row in M]


def _transpose(M: Matrix) -> Matrix:
    return tuple(zip(*M, strict=True))


def _cross_check(
    game: Game,
    exact: tuple[tuple[Vector, Vector], ...],
    method: str,
    tol: float,
    notes: list[str],
) -> list[bool]:
    """Run nashpy's ``method``, match its output to the exact equilibria, note differences.

    Returns, for each exact equilibrium, whether nashpy found it.
    """
    A, B = game.floats()
    name = METHODS[method].split(" (")[0]
    candidates: list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = []
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        for attempt in _nashpy_runs(A, B, method):
            try:
                for x, y in attempt():
                    candidates.append((np.asarray(x, dtype=float), np.asarray(y, dtype=float)))
            except Exception as error:
                notes.append(
                    f"{name} raised {type(error).__name__}: {error}; equilibria it did not "
                    "return come from the exact enumeration."
                )
    messages = sorted({" ".join(str(w.message).split()) for w in caught})
    if messages:
        notes.append(f"{name} warned: " + " | ".join(messages))
    exact_float = [
        (np.array([float(p) for p in x]), np.array([float(p) for p in y])) for x, y in exact
    ]
    found = [False] * len(exact)
    rejected = non_extreme = 0
    for x, y in candidates:
        match = next(
            (
                k
                for k, (ex, ey) in enumerate(exact_float)
                if x.shape == ex.shape
                and y.shape == ey.shape
                and max(np.abs(x - ex).max(), np.abs(y - ey).max()) <= _MATCH
            ),
            None,
        )
        if match is not None:
            found[match] = True
        elif is_equilibrium(A, B, x, y, tol):
            non_extreme += 1
        else:
            rejected += 1
    missed = found.count(False)
    if missed:
        notes.append(
            f"{name} found {len(exact) - missed} of the {len(exact)} extreme equilibria; "
            f"the other {missed} {'was' if missed == 1 else 'were'} recovered by exact "
            "vertex enumeration."
        )
    if rejected:
        notes.append(
            f"{name} returned {rejected} candidate(s) that fail the best-response check "
            f"at tol={tol:g}; discarded."
        )
    if non_extreme:
        notes.append(
            f"{name} returned {non_extreme} equilibrium point(s) that are not extreme; "
            "they lie inside the components listed."
        )
    return found


def _nashpy_runs(
    A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], method: str
) -> list[Callable[[], Iterable[Any]]]:
    """The nashpy calls for ``method``.

    Lemke-Howson gets one call per starting label, so a failure from one label does not
    hide the others.
    """
    import nashpy  # imported only for a cross-check: it loads scipy (about 0.5 s)

    game = nashpy.Game(A, B)
    if method == "support":
        return [game.support_enumeration]
    if method == "vertex":
        return [game.vertex_enumeration]
    m, n = A.shape
    return [partial(lambda k: [_lemke_howson(A, B, k)], k) for k in range(m + n)]


#: Pivot limit for one Lemke-Howson path; a path that has not ended by then is cycling.
MAX_PIVOTS = 1000


def _lemke_howson(
    A: npt.NDArray[np.float64], B: npt.NDArray[np.float64], label: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Nashpy's Lemke-Howson from one dropped label, with a pivot limit.

    The loop is nashpy's own (``nashpy.algorithms.lemke_howson``, Algorithm 3.6 of Nisan
    et al. 2007) on nashpy's tableaux, but nashpy's loop has no limit and never ends on
    some degenerate games (a 1x1 game, for one); here it stops after :data:`MAX_PIVOTS`.
    Payoffs are first shifted to be positive, which the method assumes.
    """
    from nashpy.linalg import create_col_tableau, create_row_tableau

    A = A - A.min() + 1
    B = B - B.min() + 1
    col_tableau = create_col_tableau(A, True)
    row_tableau = create_row_tableau(B, True)
    if label in row_tableau.non_basic_variables:
        tableaux = cycle((row_tableau, col_tableau))
    else:
        tableaux = cycle((col_tableau, row_tableau))
    entering = label
    for _ in range(MAX_PIVOTS):
        entering = next(tableaux).pivot_and_drop_label(entering)
        labels = col_tableau.non_basic_variables | row_tableau.non_basic_variables
        if labels == col_tableau.labels:
            return (
                row_tableau.to_strategy(col_tableau.non_basic_variables),
                col_tableau.to_strategy(row_tableau.non_basic_variables),
            )
    raise RuntimeError(f"no equilibrium after {MAX_PIVOTS} pivots from label {label}")
