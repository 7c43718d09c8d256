"""solve_large: the same extreme equilibria as the exact enumeration, on every kind of game.

The oracle for small games is a verbatim copy of the pure-Python enumeration of all bases
that :mod:`negotiation.solvers.exact` used when this engine was written (it agrees with
Gambit's ``enummixed`` on the test_exact suite), kept here so that later changes to
``exact.py`` cannot change the yardstick. Gambit's exact ``enummixed`` checks a few larger
games directly.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from property import SETTINGS, any_games
from test_exact import gambit_equilibria

import negotiation.solvers.large as large
import negotiation.solvers.lexicographic as lexicographic
from negotiation.errors import LimitError
from negotiation.model.payoffs import Game
from negotiation.solvers.equilibria import is_equilibrium_exact
from negotiation.solvers.exact import ExactSolution, Vector
from negotiation.solvers.large import solve_large
from negotiation.solvers.lexicographic import ExactVertex, VertexTable, polytope_vertices

# --------------------------------------------------------------------------------------------
# The oracle: exact.py's enumeration of every basis, as of this engine's first version
# --------------------------------------------------------------------------------------------


def reference(game: Game) -> ExactSolution:
    """Every extreme equilibrium by trying all C(m + n, m) bases of both polytopes exactly."""
    m, n = game.shape
    A = _positive_integers(game.A)
    Bt = [list(col) for col in zip(*_positive_integers(game.B), strict=True)]
    row_vertices = _reference_vertices(Bt, zero_label=0, tight_label=m)
    col_vertices = _reference_vertices(A, zero_label=m, tight_label=0)
    degenerate = any(len(labels) > m for _, labels in row_vertices) or any(
        len(labels) > n for _, labels in col_vertices
    )
    everything = frozenset(range(m + n))
    found = [(x, y) for x, lx in row_vertices for y, ly in col_vertices if lx | ly == everything]
    found.sort(key=lambda e: (tuple(-p for p in e[0]), tuple(-p for p in e[1])))
    rows = list(dict.fromkeys(x for x, _ in found))
    cols = list(dict.fromkeys(y for _, y in found))
    pairs = tuple((rows.index(x), cols.index(y)) for x, y in found)
    return ExactSolution(tuple(rows), tuple(cols), pairs, degenerate)


def _reference_vertices(
    M: list[list[int]], zero_label: int, tight_label: int
) -> list[tuple[Vector, frozenset[int]]]:
    rows, dim = len(M), len(M[0])
    seen: dict[tuple[int, ...], tuple[Vector, frozenset[int]]] = {}
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
                key = (*(v // divisor for v in numerators), *support)
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
                seen[key] = (tuple(Fraction(v, total) for v in point), labels)
    return list({v[0]: v for v in seen.values()}.values())


def _cramer(M: list[list[int]]) -> tuple[list[int], int] | None:
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
    size = len(M)
    if size == 1:
        return M[0][0]
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


def _positive_integers(M: tuple[tuple[Fraction, ...], ...]) -> list[list[int]]:
    shift = 1 - min(min(row) for row in M)
    scale = math.lcm(*((v + shift).denominator for row in M for v in row))
    return [[int((v + shift) * scale) for v in row] for row in M]


# --------------------------------------------------------------------------------------------
# Random games of every kind
# --------------------------------------------------------------------------------------------

KINDS = ["normal", "wide", "small", "ternary", "duplicates", "scaled", "extreme", "near-tie"]


def random_game(rng: np.random.Generator, kind: str, shape: tuple[int, int]) -> Game:
    """A random game of one kind, drawn from ``rng``.

    normal: standard normal floats (at their exact binary values); wide: integers in
    [-10**6, 10**6]; small: integers in [-3, 3]; ternary: integers in {-1, 0, 1} (mostly
    degenerate); duplicates: small integers with the last row and column copies of the
    first (degenerate whenever a copied strategy can be a best response); scaled: normal floats
    times 10**k, k uniform in [-30, 30] per entry; extreme: fractions near the product's
    limits 10**-100 and 10**100; near-tie: ternary integers plus noise of size 1e-12, so
    float decisions sit right at their boundary.
    """
    m, n = shape

    def draw() -> object:
        if kind == "normal":
            return rng.standard_normal(shape)
        if kind == "wide":
            return rng.integers(-(10**6), 10**6, size=shape, endpoint=True)
        if kind == "small":
            return rng.integers(-3, 3, size=shape, endpoint=True)
        if kind == "ternary":
            return rng.integers(-1, 1, size=shape, endpoint=True)
        if kind == "scaled":
            return rng.standard_normal(shape) * 10.0 ** rng.integers(-30, 30, size=shape)
        if kind == "extreme":
            exponents = rng.choice([-100, -99, 0, 99, 100], size=shape)
            signs = rng.choice([-1, 1], size=shape)
            return [
                [int(s) * Fraction(10) ** int(e) for s, e in zip(srow, erow, strict=True)]
                for srow, erow in zip(signs, exponents, strict=True)
            ]
        return rng.integers(-1, 1, size=shape, endpoint=True) + 1e-12 * rng.standard_normal(shape)

    if kind == "duplicates":
        A = rng.integers(-3, 3, size=shape, endpoint=True)
        B = rng.integers(-3, 3, size=shape, endpoint=True)
        for M in (A, B):
            M[m - 1], M[:, n - 1] = M[0].copy(), M[:, 0].copy()
        return Game.from_arrays(A, B)
    return Game.from_arrays(draw(), draw())


SHAPES = [(1, 1), (1, 4), (3, 1), (2, 2), (2, 5), (3, 3), (4, 3), (4, 4), (3, 6), (5, 5), (6, 6)]


@pytest.mark.parametrize("kind", KINDS)
def test_agrees_with_the_reference_enumeration_on_random_games(kind: str) -> None:
    """On seeded random games of every kind from 1x1 to 6x6, the solution is the reference's.

    Equality is of the whole ExactSolution: strategies, their order, the index pairs and the
    degeneracy flag.
    """
    rng = np.random.default_rng([2024, KINDS.index(kind)])
    degenerate = 0
    for shape in SHAPES:
        for _ in range(4 if shape[0] * shape[1] >= 25 else 10):
            game = random_game(rng, kind, shape)
            expected = reference(game)
            assert solve_large(game) == expected, (kind, game)
            degenerate += expected.degenerate
    if kind in ("ternary", "duplicates"):
        assert degenerate > 0  # the sample really contains degenerate games


@SETTINGS
@given(any_games())
def test_agrees_with_the_reference_by_property(game: Game) -> None:
    """On Hypothesis-drawn games up to 4x4 (small, wide and float payoffs) the solution agrees."""
    assert solve_large(game) == reference(game)


@pytest.mark.parametrize(
    ("kind", "shape", "seed"),
    [("ternary", (7, 7), 1), ("small", (7, 6), 2), ("ternary", (8, 8), 3), ("wide", (7, 7), 4)],
)
def test_agrees_with_gambit_on_larger_games(kind: str, shape: tuple[int, int], seed: int) -> None:
    """On 7x7 and 8x8 integer games the extreme equilibria are Gambit's enummixed (exact)."""
    game = random_game(np.random.default_rng(seed), kind, shape)
    assert set(solve_large(game).equilibria) == gambit_equilibria(game)


def test_near_ties_are_settled_by_exact_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Games 1e-12 away from degenerate need exact checks of some bases, and still agree.

    The exact check is counted, so the test fails if the sample stops exercising it.
    """
    checks = 0
    real_check = large._exact_check

    def counting_check(M: list[list[int]], tight: int) -> int:
        nonlocal checks
        checks += 1
        return real_check(M, tight)

    monkeypatch.setattr(large, "_exact_check", counting_check)
    rng = np.random.default_rng(77)
    for _ in range(20):
        game = random_game(rng, "near-tie", (5, 5))
        assert solve_large(game) == reference(game)
    assert checks > 0


# --------------------------------------------------------------------------------------------
# Known answers and laws on large games
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 10])
def test_identity_coordination_game_has_two_to_the_n_minus_one_equilibria(n: int) -> None:
    """The n x n coordination game A = B = I has 2^n - 1 equilibria, uniform on each support.

    Quint and Shubik, "A bound on the number of Nash equilibria in a coordination game",
    Economics Letters 1997 (also von Stengel, "New maximal numbers of equilibria in bimatrix
    games", Discrete Comput. Geom. 21, 1999, section 1). By hand: uniform play on a
    non-empty set S gives every strategy in S the payoff 1/|S| and every other strategy 0,
    so (uniform on S, uniform on S) is an equilibrium for each of the 2^n - 1 sets S, and
    the game is non-degenerate, so these are all.
    """
    eye = np.eye(n, dtype=int)
    solution = solve_large(Game.from_arrays(eye, eye))
    assert not solution.degenerate
    expected = set()
    for size in range(1, n + 1):
        for support in itertools.combinations(range(n), size):
            uniform = tuple(Fraction(int(k in support), size) for k in range(n))
            expected.add((uniform, uniform))
    assert len(solution.equilibria) == 2**n - 1
    assert set(solution.equilibria) == expected


@pytest.mark.parametrize("shape", [(10, 10), (32, 31)], ids=["10x10", "32x31"])
def test_all_zero_game_has_every_pure_pair_as_extreme_equilibrium(shape: tuple[int, int]) -> None:
    """With constant payoffs the extreme equilibria are the m n pure pairs.

    Derived by hand: every strategy is a best response to everything, so every profile is an
    equilibrium; the equilibrium set is the product of the two simplices, whose vertices are
    the pure pairs. 32x31 has more labels (63) than the float traversal's masks hold, so it
    takes the exact path.
    """
    m, n = shape
    solution = solve_large(Game.from_arrays(np.zeros(shape, int), np.zeros(shape, int)))
    units_m = [tuple(Fraction(int(k == i)) for k in range(m)) for i in range(m)]
    units_n = [tuple(Fraction(int(k == j)) for k in range(n)) for j in range(n)]
    assert solution.degenerate
    assert set(solution.equilibria) == set(itertools.product(units_m, units_n))


@pytest.mark.parametrize("seed", [1, 2])
def test_nondegenerate_10x10_games_have_odd_numbers_of_exact_equilibria(seed: int) -> None:
    """A random 10x10 float game is non-degenerate, with an odd number of exact equilibria.

    Oddness: Shapley, "A note on the Lemke-Howson algorithm", Math. Programming Study 1,
    1974. Every reported pair is checked as an exact mutual best response, and the two
    players' polytopes are enumerated again by the exact lexicographic search, which must
    give the same vertices as the certified float traversal.
    """
    rng = np.random.default_rng(seed)
    game = random_game(rng, "normal", (10, 10))
    solution = solve_large(game)
    assert not solution.degenerate
    assert len(solution.equilibria) % 2 == 1
    assert all(is_equilibrium_exact(game, x, y) for x, y in solution.equilibria)
    for M in (large._integer_matrix(game.A), large._integer_matrix(_transposed(game.B))):
        certified = large._certified_vertices(M, large.MAX_BASES)
        assert certified is not None
        exact = {v.tight for v in polytope_vertices(M)}
        assert set(certified) - {(1 << len(M[0])) - 1} == exact


def test_duplicating_strategies_of_a_large_game_splits_their_weight() -> None:
    """Copying row 0 and column 0 of a non-degenerate 8x8 game doubles each equilibrium's options.

    With row i copied as a new last row, (x', y) is an equilibrium exactly when merging the
    copy's probability into row i gives an equilibrium of the original; an isolated
    equilibrium's extreme copies put all of x_i on one of the two rows (likewise for
    columns), as in test_exact's small-game version of this law.
    """
    rng = np.random.default_rng(8)
    game = random_game(rng, "wide", (8, 8))
    base = solve_large(game)
    assert not base.degenerate
    A = [[*row, row[0]] for row in game.A]
    B = [[*row, row[0]] for row in game.B]
    doubled = Game.from_arrays([*A, A[0]], [*B, B[0]])

    def split(v: Vector) -> set[Vector]:
        zero = Fraction(0)
        options = {(*v, zero)}
        if v[0] > 0:
            options.add((zero, *v[1:], v[0]))
        return options

    expected = {(x2, y2) for x, y in base.equilibria for x2 in split(x) for y2 in split(y)}
    solution = solve_large(doubled)
    assert solution.degenerate
    assert set(solution.equilibria) == expected


# --------------------------------------------------------------------------------------------
# The parts
# --------------------------------------------------------------------------------------------


def test_certified_traversal_refuses_degenerate_polytopes() -> None:
    """The float traversal never certifies a polytope with a degenerate vertex (None instead).

    M = [[1, 1], [1, 1]] makes both rows tight at once at (1, 0) and (0, 1); a 4x4 matrix of
    ones and twos in which row 3 repeats row 0 does the same in dimension 4.
    """
    assert large._certified_vertices([[1, 1], [1, 1]], 100) is None
    M = [[1, 2, 1, 2], [2, 1, 2, 2], [2, 2, 1, 1], [1, 2, 1, 2]]
    assert large._certified_vertices(M, 100) is None
    assert any(v.tight.bit_count() > 4 for v in polytope_vertices(M))


@pytest.mark.parametrize("kind", ["ternary", "small", "wide"])
def test_lexicographic_search_finds_every_vertex(kind: str) -> None:
    """The lexicographic search gives the reference's vertices and tight sets, degenerate or not."""
    rng = np.random.default_rng([5, KINDS.index(kind)])
    for shape in [(1, 3), (2, 2), (3, 4), (4, 4), (5, 3), (5, 5)]:
        for _ in range(5):
            M = _positive_integers(random_game(rng, kind, shape).A)
            d = shape[1]
            expected = {
                (point, sum(1 << label for label in labels))
                for point, labels in _reference_vertices(M, zero_label=0, tight_label=d)
            }
            found = set()
            for v in polytope_vertices(M):
                total = sum(v.numerators)
                found.add((tuple(Fraction(p, total) for p in v.numerators), v.tight))
            assert found == expected


@pytest.mark.parametrize("pool", [1, 3, 10**6], ids=["pool-1", "pool-3", "unbounded"])
def test_compiled_and_python_searches_agree(pool: int) -> None:
    """The int64 search and the Python-integer search give the same vertices, tight sets too.

    A pool of 1 or 3 tableaux forces most bases to be rebuilt from scratch, as a search
    beyond its memory budget does.
    """
    rng = np.random.default_rng(31)
    for trial in range(60):
        r, d = (int(v) for v in rng.integers(1, 7, size=2))
        M = rng.integers(1, [2, 3, 10][trial % 3], size=(r, d), endpoint=True).tolist()
        if trial % 4 == 0:
            M.append(list(M[0]))  # a repeated row: degenerate vertices
        compiled = lexicographic._search_int64(np.array(M, dtype=np.int64), -1, pool)
        assert compiled[3] == lexicographic._FINISHED
        python = {(v.tight, v.numerators, v.denominator) for v in lexicographic._search_python(M)}
        assert python == {
            (t, tuple(num), den)
            for t, num, den in zip(*(a.tolist() for a in compiled[:3]), strict=True)
        }


def test_overflowing_products_hand_the_search_to_python_integers() -> None:
    """Entries near 2^31 overflow int64 products; the search then runs in Python, still exact."""
    rng = np.random.default_rng(32)
    M = rng.integers(2**30, 2**31, size=(5, 5)).tolist()
    outcome = lexicographic._search_int64(np.array(M, dtype=np.int64), -1, 100)[3]
    assert outcome == lexicographic._OVERFLOW
    expected = {
        (point, sum(1 << label for label in labels))
        for point, labels in _reference_vertices(M, zero_label=0, tight_label=5)
    }
    found = set()
    for v in polytope_vertices(M):
        total = sum(v.numerators)
        found.add((tuple(Fraction(p, total) for p in v.numerators), v.tight))
    assert found == expected


@pytest.mark.parametrize("kind", ["normal", "ternary"])
def test_too_many_bases_is_a_limit_error(kind: str) -> None:
    """A basis budget too small for the game stops the search with a LimitError naming it.

    Normal payoffs take the float traversal, ternary ones (degenerate) the exact search.
    """
    game = random_game(np.random.default_rng(9), kind, (7, 7))
    with pytest.raises(LimitError, match="best-response polytope has more than 20 bases"):
        solve_large(game, max_bases=20)
    assert solve_large(game, max_bases=100_000) == reference(game)


def test_both_exact_searches_honour_the_basis_budget() -> None:
    """The compiled and the Python-integer searches both stop at max_bases."""
    M = [[1, 2, 1, 2], [2, 1, 2, 2], [2, 2, 1, 1], [1, 2, 1, 2]]
    assert len(polytope_vertices(M, max_bases=1000)) > 0
    with pytest.raises(lexicographic.TooManyBasesError):
        polytope_vertices(M, max_bases=3)
    with pytest.raises(lexicographic.TooManyBasesError):
        lexicographic._search_python(M, max_bases=3)


def test_lexicographic_search_rejects_non_positive_matrices() -> None:
    """The polytope must be bounded and the origin a vertex, so M must be positive."""
    with pytest.raises(ValueError, match="positive"):
        polytope_vertices([[1, 0], [1, 1]])


def test_strategies_sort_exactly_even_where_floats_tie() -> None:
    """Mixed strategies closer than float resolution are still ranked in exact order.

    The three points (10^30 + 1, 2 10^30 - 1), (10^30, 2 10^30) and (10^30 - 1, 2 10^30 + 1),
    each over 3 10^30, have equal floats, so the floats cannot decide; the ranks must follow
    the fractions. Where floats do decide, both rankings agree.
    """
    big = 10**30
    vertices = [
        ExactVertex((big, 2 * big), 1, 0),
        ExactVertex((big + 1, 2 * big - 1), 1, 0),
        ExactVertex((big - 1, 2 * big + 1), 1, 0),
        ExactVertex((1, 2), 1, 0),  # the same strategy as the first, in other terms
        ExactVertex((1, 1), 1, 0),
    ]
    side = large._Vertices([0] * 5, VertexTable([0] * 5, vertices, np.zeros(0, np.int64)))
    cache: dict[tuple[int, int], tuple[Fraction, float]] = {}
    points = large._strategies(side, {0, 1, 2, 4}, [[1]], cache)
    assert len({p[1][0] for p in points.values()}) == 2  # three points share one float
    ranks = large._ranks(points, floats_decide=False)
    assert ranks == {2: 0, 0: 1, 1: 2, 4: 3}
    apart = large._strategies(side, {3, 4}, [[1]], {})
    assert large._ranks(apart, floats_decide=True) == large._ranks(apart, floats_decide=False)


def _transposed(M: tuple[tuple[Fraction, ...], ...]) -> tuple[tuple[Fraction, ...], ...]:
    return tuple(zip(*M, strict=True))


def test_the_limit_message_gives_the_game_shape_rows_by_columns() -> None:
    """A wide 7x9 game past its budget is called "a 7x9 game", whichever polytope stops first."""
    game = random_game(np.random.default_rng(9), "normal", (7, 9))
    with pytest.raises(LimitError, match="of a 7x9 game"):
        solve_large(game, max_bases=20)
