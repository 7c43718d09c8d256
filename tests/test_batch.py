"""The batched engine: the exact solver's answer for every game, degenerate ones included."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from property import SETTINGS, any_games

from negotiation import Game, load, solve_batch, solve_exact
from negotiation.solvers.batch import (
    BatchResult,
    _equal_lines,
    _solve,
    _solve_verified,
    _verify,
)
from negotiation.studies.family import GameFamily
from negotiation.studies.sweep import Axis, Grid


def exact_floats(game: Game) -> tuple[list[list[float]], list[list[float]], bool]:
    """The exact solver's equilibria as float lists, and its degeneracy flag."""
    solution = solve_exact(game)
    rows = [[float(p) for p in x] for x, _ in solution.equilibria]
    cols = [[float(p) for p in y] for _, y in solution.equilibria]
    return rows, cols, solution.degenerate


def assert_same_as_exact(A: np.ndarray, B: np.ndarray, **kwargs: object) -> int:
    """Check solve_batch against solve_exact game by game; return the degenerate count."""
    result = solve_batch(A, B, **kwargs)  # type: ignore[arg-type]
    for g in range(len(A)):
        rows, cols, degenerate = exact_floats(Game.from_arrays(A[g], B[g]))
        got = result.equilibria_of(g)
        assert len(got) == len(rows), g
        for (x, y), ex, ey in zip(got, rows, cols, strict=True):
            np.testing.assert_allclose(x, ex, atol=1e-9)
            np.testing.assert_allclose(y, ey, atol=1e-9)
        assert result.degenerate[g] == degenerate, g
    return int(result.degenerate.sum())


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (2, 4), (4, 3), (4, 4), (3, 6), (5, 5)])
def test_random_float_games_match_the_exact_solver(shape: tuple[int, int]) -> None:
    """On seeded normal-payoff games (never degenerate) every equilibrium set is the exact one."""
    rng = np.random.default_rng(2024)
    A, B = rng.standard_normal((300, *shape)), rng.standard_normal((300, *shape))
    assert assert_same_as_exact(A, B) == 0


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (2, 4), (4, 3)])
def test_small_integer_games_match_including_degenerate(shape: tuple[int, int]) -> None:
    """Integer games in [-3, 3] are mostly degenerate; each is flagged and solved completely."""
    rng = np.random.default_rng(7)
    A = rng.integers(-3, 4, (200, *shape)).astype(float)
    B = rng.integers(-3, 4, (200, *shape)).astype(float)
    assert assert_same_as_exact(A, B) > 50


@SETTINGS
@given(st.lists(any_games(), min_size=1, max_size=4).filter(
    lambda games: len({g.shape for g in games}) == 1
))  # fmt: skip
def test_batch_matches_exact_by_property(games: list[Game]) -> None:
    """Any batch of same-shaped games (integer, wide or float payoffs) matches solve_exact."""
    A = np.array([game.floats()[0] for game in games])
    B = np.array([game.floats()[1] for game in games])
    assert_same_as_exact(A, B)


def test_chunk_boundaries_do_not_matter() -> None:
    """Solving in chunks of 7 gives exactly the result of one chunk."""
    rng = np.random.default_rng(11)
    A = rng.integers(-2, 3, (50, 3, 3)).astype(float)
    B = rng.standard_normal((50, 3, 3))
    one, many = solve_batch(A, B), solve_batch(A, B, chunk=7)
    for field in ("game", "row", "col", "component", "degenerate"):
        np.testing.assert_array_equal(getattr(one, field), getattr(many, field))


def test_known_degenerate_games() -> None:
    """The w=3 game (3 extreme equilibria, two in one component) and the all-zero game."""
    A = np.array([[[3, 0], [3, 1]], [[0, 0], [0, 0]]], dtype=float)
    B = np.array([[[2, 0], [0, 1]], [[0, 0], [0, 0]]], dtype=float)
    result = solve_batch(A, B)
    assert result.degenerate.tolist() == [True, True]
    assert result.game.tolist() == [0, 0, 0, 1, 1, 1, 1]
    # Game 0: (row 1, col 1), (1/3 row 1 + 2/3 row 2, col 1) form one segment; (row 2, col 2).
    np.testing.assert_allclose(result.row[1], [1 / 3, 2 / 3])
    assert result.component.tolist() == [0, 0, 1, 0, 0, 0, 0]


def test_constant_rows_are_not_sent_to_the_exact_solver() -> None:
    """Rare-earth grid games (two constant US rows) stay on the fast path unless tied."""
    scenario = load("rare-earth")
    grid = Grid(
        (
            Axis.linspace("weights.us.supply_security", Fraction(1, 10), 6, 20),
            Axis.linspace("weights.us.legitimacy", Fraction(1, 10), 3, 20),
        )
    )
    family = GameFamily(scenario, grid)
    points = list(grid.points())
    block = family.block(np.arange(len(grid)))
    result = solve_batch(block.A, block.B, exact=family.at_point, force_exact=block.force_exact)
    assert result.exact_games < len(points) // 10
    for g, point in enumerate(points):
        expected = solve_exact(family.at(point))
        assert len(result.equilibria_of(g)) == len(expected.equilibria)
        assert result.degenerate[g] == expected.degenerate


def test_exact_callback_keeps_ties_that_floats_break() -> None:
    """With the exact game supplied, a tie on paper is found even if floats break it."""
    tie = Fraction(1, 10) + Fraction(2, 10)  # 0.3 exactly; 0.1 + 0.2 in floats is not 0.3
    exact = Game.from_arrays([[tie, 0], [Fraction(3, 10), 1]], [[2, 0], [0, 1]])
    A = np.array([[[0.1 + 0.2, 0.0], [0.3, 1.0]]])
    B = np.array([[[2.0, 0.0], [0.0, 1.0]]])
    assert solve_batch(A, B).degenerate.tolist() == [False]  # the floats are not tied
    assert solve_batch(A, B, exact=lambda g: exact).degenerate.tolist() == [True]


@pytest.mark.parametrize(
    ("A", "B", "message"),
    [
        (np.zeros((2, 2)), np.zeros((2, 2)), "same shape"),
        (np.zeros((1, 2, 2)), np.zeros((1, 2, 3)), "same shape"),
        (np.full((1, 2, 2), np.nan), np.zeros((1, 2, 2)), "finite"),
    ],
)
def test_bad_arrays_are_refused(A: np.ndarray, B: np.ndarray, message: str) -> None:
    """Arrays that are not (N, m, n) pairs of finite payoffs raise ValueError."""
    with pytest.raises(ValueError, match=message):
        solve_batch(A, B)


@pytest.mark.parametrize("kind", ["normal", "integer"])
def test_batch_agrees_with_gambit(kind: str) -> None:
    """solve_batch matches pygambit's exact enummixed (an independent oracle) on 200 games."""
    from test_exact import gambit_equilibria

    rng = np.random.default_rng(99)
    if kind == "normal":
        A, B = rng.standard_normal((200, 3, 3)), rng.standard_normal((200, 3, 3))
    else:
        A = rng.integers(-2, 3, (200, 3, 3)).astype(float)
        B = rng.integers(-2, 3, (200, 3, 3)).astype(float)
    result = solve_batch(A, B)
    for g in range(200):
        oracle = gambit_equilibria(Game.from_arrays(A[g], B[g]))
        got = result.equilibria_of(g)
        assert len(got) == len(oracle)
        for x, y in got:
            assert any(
                np.allclose(x, [float(p) for p in ox], atol=1e-9)
                and np.allclose(y, [float(p) for p in oy], atol=1e-9)
                for ox, oy in oracle
            )


def test_payoffs_near_the_float_limit() -> None:
    """Issue 8 section 7: A = [[1e308, -1e308], [-1e308, 1e308]], B = -A is solved.

    Its one equilibrium has both players mixing 1/2-1/2 (the old engine returned
    [nan, nan], flagged non-degenerate).
    """
    A = np.array([[[1e308, -1e308], [-1e308, 1e308]]])
    result = solve_batch(A, -A)
    assert result.row.tolist() == [[0.5, 0.5]]
    assert result.col.tolist() == [[0.5, 0.5]]
    assert result.degenerate.tolist() == [False]


def test_verification_fails_on_nan() -> None:
    """A NaN strategy can never pass the final best-response check."""
    A = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    bad = BatchResult(
        game=np.array([0]),
        row=np.array([[np.nan, np.nan]]),
        col=np.array([[0.5, 0.5]]),
        component=np.array([0]),
        degenerate=np.array([False]),
        exact=np.array([False]),
    )
    with pytest.raises(AssertionError, match="non-equilibria"):
        _verify(A, A, bad)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eps": -1}, "eps must be a positive finite number"),
        ({"eps": 0.0}, "eps must be a positive finite number"),
        ({"eps": float("nan")}, "eps must be a positive finite number"),
        ({"eps": float("inf")}, "eps must be a positive finite number"),
        ({"chunk": 0}, "chunk must be a positive whole number"),
        ({"chunk": -1}, "chunk must be a positive whole number"),
        ({"chunk": 2.5}, "chunk must be a positive whole number"),
        ({"chunk": True}, "chunk must be a positive whole number"),
        ({"rounding": -1e-16}, "rounding must be in"),
        ({"rounding": float("nan")}, "rounding must be in"),
        ({"force_exact": [True, False]}, "force_exact must be 1 booleans"),
        ({"exact": 3}, "exact must be None or a callable"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    """Issue 8 section 7: every argument is checked, with a ValueError that says what is wrong."""
    A = np.array([[[1.0, -1.0], [-1.0, 1.0]]])
    with pytest.raises(ValueError, match=message):
        solve_batch(A, -A, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("A", "message"),
    [
        (np.array([[[1 + 1j, 0], [0, 1]]]), "must hold real numbers, got an array of complex"),
        (np.array([[["1", "0"], ["0", "1"]]]), "must hold real numbers, got an array of <U1"),
        (
            np.array([[[True, False], [False, True]]]),
            "must hold real numbers, got an array of bool",
        ),
        (np.array([[[Fraction(1), "x"], [0, 1]]], dtype=object), "got str 'x'"),
        (np.array([[[10**400, 0], [0, 1]]], dtype=object), "payoffs must be finite"),
    ],
)
def test_non_real_payoffs_are_refused(A: np.ndarray, message: str) -> None:
    """Complex, string, boolean and non-finite payoffs raise instead of being coerced."""
    with pytest.raises(ValueError, match=message):
        solve_batch(A, np.zeros((1, 2, 2)))


def test_empty_batch_gives_an_empty_result() -> None:
    """A batch of no games of shape 3x2 gives no equilibria, shaped for 3x2 games."""
    result = solve_batch(np.zeros((0, 3, 2)), np.zeros((0, 3, 2)))
    assert result.row.shape == (0, 3)
    assert result.col.shape == (0, 2)
    assert len(result.game) == len(result.degenerate) == result.exact_games == 0


def test_object_arrays_of_fractions_are_read() -> None:
    """Exact numbers in an object array are accepted as their float values."""
    A = np.array([[[Fraction(1), Fraction(-1)], [Fraction(-1), Fraction(1)]]], dtype=object)
    result = solve_batch(A, -A)
    assert result.row.tolist() == [[0.5, 0.5]]


def test_exactly_solved_games_keep_the_exact_order() -> None:
    """A probability of 2**-126 is not rounded to 0 when ordering an exact game's equilibria."""
    A, B = np.zeros((1, 3, 4)), np.zeros((1, 3, 4))
    B[0, 1, 1], B[0, 2, 1] = 1, -(2.0**-126)
    result = solve_batch(A, B)
    expected = solve_exact(Game.from_arrays(A[0], B[0])).equilibria
    assert [(x.tolist(), y.tolist()) for x, y in result.equilibria_of(0)] == [
        ([float(p) for p in x], [float(p) for p in y]) for x, y in expected
    ]


def test_payoffs_beyond_float_precision_go_to_the_exact_solver() -> None:
    """Payoffs 1e17 and 1e17 + 1 share a float: the exact game decides, not the floats.

    The floats say every row pays 1e17; exactly, row 2 pays 1e17 + 1 against column 1.
    """
    big = 10**17
    exact = Game.from_arrays([[big, big + 1], [big + 1, big]], [[1, 0], [0, 1]])
    A = np.array([[[1e17, 1e17], [1e17, 1e17]]])  # the float payoffs of the exact game
    B = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    result = solve_batch(A, B, exact=lambda g: exact)
    assert result.exact.tolist() == [True]
    assert result.degenerate.tolist() == [False]  # the exact game is not degenerate
    assert [(x.tolist(), y.tolist()) for x, y in result.equilibria_of(0)] == [
        ([0.5, 0.5], [0.5, 0.5])
    ]


def test_force_exact_sends_games_to_the_exact_solver() -> None:
    """Games marked in force_exact are solved exactly, whatever their floats say."""
    rng = np.random.default_rng(5)
    A, B = rng.standard_normal((4, 3, 3)), rng.standard_normal((4, 3, 3))
    result = solve_batch(A, B, force_exact=np.array([False, True, False, True]))
    assert result.exact.tolist() == [False, True, False, True]
    assert_same_as_exact(A, B, force_exact=np.array([False, True, False, True]))


def _exact_solution(S: list[list[Fraction]]) -> list[Fraction] | None:
    """The exact solution of S z = 1 by Gaussian elimination in fractions (None if singular)."""
    k = len(S)
    rows = [[*row, Fraction(1)] for row in S]
    for c in range(k):
        pivot = next((r for r in range(c, k) if rows[r][c] != 0), None)
        if pivot is None:
            return None
        rows[c], rows[pivot] = rows[pivot], rows[c]
        for r in range(k):
            if r != c and rows[r][c] != 0:
                f = rows[r][c] / rows[c][c]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[c], strict=True)]
    return [rows[i][k] / rows[i][i] for i in range(k)]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.integers(1, 7),
    st.integers(0, 2**32),
    st.sampled_from([0.0, 1e-15, 1e-12, 1e-9]),
    st.sampled_from(["uniform", "near-singular", "integer"]),
)
def test_solution_bounds_hold_against_exact_arithmetic(
    k: int, seed: int, eta: float, kind: str
) -> None:
    """The engine's bound on |z - z*| holds for bases of size 1 to 7, ill-conditioned ones too.

    z* solves exactly a system within eta of the one solved in floats. (The old guard
    claimed an error of about 1e-15/det; issue 8 measured 1.6e-7 at 7x7.)
    """
    rng = np.random.default_rng(seed)
    if kind == "integer":
        S = rng.integers(1, 11, (k, k)).astype(float)
    else:
        S = rng.uniform(1, 10, (k, k))
    if kind == "near-singular" and k > 1:
        S[-1] = S[0] + rng.uniform(-1e-9, 1e-9, k) * 10  # a row within 1e-8 of another
        S = np.clip(S, 1, 10)
    perturbation = rng.uniform(-eta, eta, (k, k))
    exact = [
        [Fraction(float(S[i, j])) + Fraction(float(perturbation[i, j])) for j in range(k)]
        for i in range(k)
    ]
    sub = [[np.array([S[i, j]]) for j in range(k)] for i in range(k)]
    eta_bound = np.array([eta * (1 + 1e-6) + 2.0**-1074])
    twins = _equal_lines(sub)
    if k <= 3:
        z, base, slope = _solve(sub, eta_bound)
    else:
        z, base, slope = _solve_verified(sub, eta_bound, twins)
    solution = _exact_solution(exact)
    for t in range(k):
        bound = float(base[0] + slope[0] * abs(z[t][0]))
        if solution is None or not np.isfinite(bound):
            continue  # singular, or no claim made: the engine sends such games away
        assert abs(Fraction(float(z[t][0])) - solution[t]) <= Fraction(bound)


@pytest.mark.parametrize("ulps", [1, 3, 8])
def test_payoffs_a_few_ulps_apart(ulps: int) -> None:
    """Games whose payoffs differ only in their last bits are solved as the exact solver does."""
    one = 1.0 + 2.0**-52 * ulps
    A = np.array([[[1.0, one], [one, 1.0]], [[-1.0, -one], [-one, -1.0]]])
    B = np.array([[[one, 1.0], [1.0, one]], [[0.5, 0.5 + 2.0**-53], [0.5, 0.5]]])
    assert_same_as_exact(A, B)


# --------------------------------------------------------------------------- compiled stage


def assert_same_result(one: BatchResult, other: BatchResult) -> None:
    """Both results list the same equilibria (probabilities to 1e-12) with the same flags."""
    for field in ("game", "component", "degenerate"):
        np.testing.assert_array_equal(getattr(one, field), getattr(other, field))
    np.testing.assert_allclose(one.row, other.row, rtol=0, atol=1e-12)
    np.testing.assert_allclose(one.col, other.col, rtol=0, atol=1e-12)


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (2, 4), (4, 3), (5, 5)])
def test_compiled_stage_matches_the_exact_solver(shape: tuple[int, int]) -> None:
    """With the numba float stage, normal and small-integer games still match solve_exact."""
    rng = np.random.default_rng(99)
    A, B = rng.standard_normal((150, *shape)), rng.standard_normal((150, *shape))
    assert assert_same_as_exact(A, B, compiled=True) == 0
    A = rng.integers(-3, 4, (150, *shape)).astype(float)
    B = rng.integers(-3, 4, (150, *shape)).astype(float)
    assert assert_same_as_exact(A, B, compiled=True) > 20


def test_compiled_and_numpy_stages_agree_on_a_sweep() -> None:
    """On rare-earth sweep blocks (ties forced exact) both float stages give one answer."""
    scenario = load("rare-earth")
    grid = Grid(
        (
            Axis.linspace("weights.us.supply_security", 0, 6, 61),
            Axis.linspace("weights.us.diversification_cost", 0, 3, 61),
        )
    )
    family = GameFamily(scenario, grid)
    block = family.block(np.arange(len(grid)))
    kwargs = {"exact": family.at_point, "force_exact": block.force_exact}
    compiled = solve_batch(block.A, block.B, compiled=True, **kwargs)  # type: ignore[arg-type]
    plain = solve_batch(block.A, block.B, compiled=False, **kwargs)  # type: ignore[arg-type]
    assert_same_result(compiled, plain)
    # Identical to the last bit here, so results.csv does not depend on the stage.
    assert np.array_equal(compiled.row, plain.row)
    assert np.array_equal(compiled.col, plain.col)
    assert compiled.degenerate.sum() > 0


def test_default_stage_depends_only_on_batch_size() -> None:
    """compiled=None uses numpy below COMPILED_MIN games: the same floats as compiled=False."""
    from negotiation.solvers.batch import COMPILED_MIN

    rng = np.random.default_rng(5)
    A, B = rng.standard_normal((200, 3, 3)), rng.standard_normal((200, 3, 3))
    assert COMPILED_MIN > 200
    default, plain = solve_batch(A, B), solve_batch(A, B, compiled=False)
    assert np.array_equal(default.row, plain.row)
    assert np.array_equal(default.col, plain.col)
    assert_same_result(default, solve_batch(A, B, compiled=True))
