"""The batched engine: the exact solver's answer for every game, degenerate ones included."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from property import SETTINGS, any_games

from negotiation import Game, load, solve_batch, solve_exact
from negotiation.studies.sweep import Axis, Grid, _GameFamily


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
    family = _GameFamily(scenario, grid)
    points = list(grid.points())
    A, B = family.floats_at(np.array([[float(v) for v in p] for p in points]))
    result = solve_batch(A, B, exact=lambda g: family.at(points[g]))
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
