"""solve(): complete, verified equilibria whatever nashpy does; the float best-response check."""

from __future__ import annotations

import warnings
from fractions import Fraction

import nashpy
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from property import SETTINGS, any_games

from negotiation import catalogue, load
from negotiation.model.payoffs import Game, payoff_matrices
from negotiation.solvers.components import components
from negotiation.solvers.equilibria import (
    METHODS,
    TOLERANCE,
    Solution,
    is_equilibrium,
    is_equilibrium_exact,
    solve,
)
from negotiation.solvers.exact import solve_exact

NASHPY_METHODS = ["support", "vertex", "lemke-howson"]
ALL_METHODS = [*NASHPY_METHODS, "exact"]
Vector = tuple[Fraction, ...]


def fr(*values: object) -> Vector:
    """A strategy written with ints and 'p/q' strings, as exact fractions."""
    return tuple(Fraction(v) for v in values)  # type: ignore[arg-type]


def negated(M: list[list[int]]) -> list[list[int]]:
    """-M."""
    return [[-v for v in row] for row in M]


def reported(solution: Solution) -> list[tuple[Vector, Vector]]:
    """The (row, col) strategies of a solution's equilibria, in order."""
    return [(e.row, e.col) for e in solution.equilibria]


def nashpy_finds(A: np.ndarray, B: np.ndarray, x: Vector, y: Vector) -> bool:
    """Whether nashpy's default support enumeration returns (x, y), to 1e-6."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        candidates = list(nashpy.Game(A, B).support_enumeration())
    xf, yf = np.array([float(p) for p in x]), np.array([float(p) for p in y])
    return any(
        np.allclose(cx, xf, rtol=0, atol=1e-6) and np.allclose(cy, yf, rtol=0, atol=1e-6)
        for cx, cy in candidates
    )


# A random non-degenerate 3x3 game on which nashpy 0.0.43's support enumeration, at default
# settings, misses the mixed equilibrium with supports {0, 2} x {0, 2}: its np.linalg.solve
# returns -2.47e-17 for the column probability that is exactly 0 and the strict ``>= 0`` test
# rejects it. Found by drawing A, B = rng.random((3, 3)), rng.random((3, 3)) repeatedly from
# rng = numpy.random.default_rng(0) and comparing nashpy with solve_exact: this is draw index
# 10, the first where nashpy returned fewer equilibria (26 of the first 2000 draws, about
# 1.3%, none of them degenerate). The floats are written with repr, so they are exact.
MISS_A = [
    [0.8607014095476777, 0.24714674032210748, 0.1412465569010316],
    [0.670061849314936, 0.7146185366547527, 0.16705292878227218],
    [0.395557273104876, 0.9102557662160548, 0.561400767550223],
]
MISS_B = [
    [0.5783359149262727, 0.19412977289079358, 0.5260222486178752],
    [0.5234347273949199, 0.08893564024627199, 0.9819426931267062],
    [0.5713956004557744, 0.006408882664310167, 0.7726492012253886],
]

ISSUE_82_A = [[0, 0, 6, 0, 0], [0, 0, 3, 2, 1], [4, 3, 0, 0, 1]]
ISSUE_82_B = [[3, 0, 2, 1, 0], [0, 2, 0, 0, 4], [4, 0, 2, 4, 4]]

EXTRA_GAMES = {
    "all-zero": Game.from_arrays([[0, 0], [0, 0]], [[0, 0], [0, 0]]),
    "tie-w3": Game.from_arrays([[3, 0], [3, 1]], [[2, 0], [0, 1]]),
    "von-stengel-3x2": Game.from_arrays([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]]),
    "nashpy-82": Game.from_arrays(negated(ISSUE_82_A), negated(ISSUE_82_B)),
    "nashpy-222": Game.from_arrays([[-3, 3], [-3, 5]], [[2, 7], [4, 2]]),
    "nashpy-miss": Game.from_arrays(MISS_A, MISS_B),
}


def _seeded_games() -> dict[str, Game]:
    """Seeded random 3x3 and 2x4 games: small integers (often degenerate) and normal floats."""
    rng = np.random.default_rng(7)
    games = {}
    for k in range(6):
        shape = (3, 3) if k % 2 else (2, 4)
        games[f"small-{k}"] = Game.from_arrays(
            rng.integers(-2, 3, size=shape), rng.integers(-2, 3, size=shape)
        )
        games[f"float-{k}"] = Game.from_arrays(
            rng.standard_normal(size=shape), rng.standard_normal(size=shape)
        )
    return games


GAMES = (
    {name: payoff_matrices(load(name)) for name in catalogue("matrix")}
    | EXTRA_GAMES
    | _seeded_games()
)


# --------------------------------------------------------------------------------------------
# Whatever the method, the answer is the exact one, and it is verified
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(GAMES))
@pytest.mark.parametrize("method", ALL_METHODS)
def test_every_method_reports_the_exact_set(method: str, name: str) -> None:
    """Every method reports the same extreme equilibria, degeneracy and components as exact."""
    game = GAMES[name]
    exact = solve_exact(game)
    solution = solve(game, method)
    assert reported(solution) == list(exact.equilibria)
    assert solution.degenerate == exact.degenerate
    assert solution.components == components(exact.pairs)
    assert solution.row_strategies == exact.row_strategies
    assert solution.col_strategies == exact.col_strategies
    assert solution.method == method
    assert solution.game == game


@pytest.mark.parametrize("name", list(GAMES))
@pytest.mark.parametrize("method", ALL_METHODS)
def test_every_reported_equilibrium_passes_both_checks(method: str, name: str) -> None:
    """Each reported equilibrium passes the float and exact checks and has its exact payoffs.

    The float check runs at the solution's own tolerance; payoffs are x^T A y and x^T B y.
    """
    game = GAMES[name]
    solution = solve(game, method)
    A, B = game.floats()
    for e in solution.equilibria:
        xf, yf = e.strategies
        assert is_equilibrium(A, B, xf, yf, solution.tolerance)
        assert is_equilibrium_exact(game, e.row, e.col)
        m, n = game.shape
        row_pay = sum(e.row[i] * game.A[i][j] * e.col[j] for i in range(m) for j in range(n))
        col_pay = sum(e.row[i] * game.B[i][j] * e.col[j] for i in range(m) for j in range(n))
        assert e.payoffs == (row_pay, col_pay)


@pytest.mark.parametrize("method", NASHPY_METHODS)
@SETTINGS
@given(game=any_games(max_side=3))
def test_every_method_reports_the_exact_set_by_property(method: str, game: Game) -> None:
    """On Hypothesis-drawn games, every nashpy method yields exactly solve_exact's equilibria."""
    solution = solve(game, method)
    assert reported(solution) == list(solve_exact(game).equilibria)
    A, B = game.floats()
    assert all(is_equilibrium(A, B, *e.strategies, solution.tolerance) for e in solution.equilibria)


# Regression: nashpy 0.0.43's own lemke_howson pivots forever from label 0 on any m x 1 game,
# which made solve(..., "lemke-howson") hang; solve must stop such a path and still answer.
def test_lemke_howson_terminates_on_a_single_column_game() -> None:
    """Lemke-Howson cross-checking terminates on single-column games with the exact answer."""
    solution = solve(Game.from_arrays([[1]], [[2]]), "lemke-howson")
    assert reported(solution) == [(fr(1), fr(1))]
    solution = solve(Game.from_arrays([[1], [3], [2]], [[0], [0], [5]]), "lemke-howson")
    assert reported(solution) == [(fr(0, 1, 0), fr(1))]


def test_exact_method_runs_no_nashpy_and_finds_everything() -> None:
    """With method 'exact' every equilibrium counts as found and there are no notes."""
    solution = solve(load("battle-of-the-sexes"), "exact")
    assert all(e.found_by_method for e in solution.equilibria)
    assert solution.notes == ()


def test_support_enumeration_finds_everything_on_nondegenerate_catalogue_games() -> None:
    """Support enumeration finds every equilibrium of each non-degenerate catalogue game."""
    checked = 0
    for name in catalogue("matrix"):
        solution = solve(load(name), "support")
        if solution.degenerate:
            continue
        checked += 1
        assert all(e.found_by_method for e in solution.equilibria), name
        assert solution.notes == (), name
    assert checked >= 1


def test_scenario_and_its_game_give_the_same_solution() -> None:
    """Solving a scenario equals solving its payoff matrices."""
    scenario = load("inspection-criteria")
    assert reported(solve(scenario)) == reported(solve(payoff_matrices(scenario)))


def test_unknown_method_is_rejected() -> None:
    """An unknown method name raises ValueError naming the valid ones."""
    with pytest.raises(ValueError, match="unknown method 'simplex'"):
        solve(load("chicken"), "simplex")
    assert set(METHODS) == set(ALL_METHODS)


def test_tolerance_is_recorded() -> None:
    """The tolerance used is the one passed, and TOLERANCE by default."""
    assert solve(load("chicken")).tolerance == TOLERANCE
    assert solve(load("chicken"), tol=1e-12).tolerance == 1e-12


# --------------------------------------------------------------------------------------------
# nashpy's known failures are caught and reported
# --------------------------------------------------------------------------------------------


def test_missed_equilibrium_of_support_enumeration_is_recovered() -> None:
    """On the seeded non-degenerate 3x3 game the full set of 3 equilibria is reported.

    If nashpy (at its default settings) misses the mixed one, as 0.0.43 does with numpy's
    LAPACK, it is marked not found and a note says so; a fixed nashpy need not miss it.
    """
    game = Game.from_arrays(MISS_A, MISS_B)
    exact = solve_exact(game)
    assert not exact.degenerate
    assert len(exact.equilibria) == 3
    solution = solve(game, "support")
    assert reported(solution) == list(exact.equilibria)
    mixed = [e for e in solution.equilibria if not e.pure]
    assert len(mixed) == 1
    assert mixed[0].support == ((0, 2), (0, 2))
    A, B = game.floats()
    missed = [e for e in solution.equilibria if not nashpy_finds(A, B, e.row, e.col)]
    assert [e for e in solution.equilibria if not e.found_by_method] == missed
    if missed:
        n = len(missed)
        assert any(f"found {3 - n} of the 3 extreme equilibria" in note for note in solution.notes)
    else:
        assert solution.notes == ()


def _nashpy_vertex_error(A: list[list[int]], B: list[list[int]]) -> Exception | None:
    """The exception nashpy's vertex enumeration raises on (A, B), if any."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            list(
                nashpy.Game(np.array(A, dtype=float), np.array(B, dtype=float)).vertex_enumeration()
            )
        except Exception as error:  # whatever nashpy raises is what solve reports
            return error
    return None


def test_vertex_enumeration_crash_on_all_zero_game_is_reported() -> None:
    """On the all-zero 2x2 game 'vertex' reports all 4 pure pairs and notes nashpy's error.

    nashpy 0.0.43's vertex enumeration raises TypeError on this game; the note on it is only
    required while nashpy still raises.
    """
    zeros = [[0, 0], [0, 0]]
    solution = solve(Game.from_arrays(zeros, zeros), "vertex")
    unit = (fr(1, 0), fr(0, 1))
    assert set(reported(solution)) == {(x, y) for x in unit for y in unit}
    assert solution.degenerate
    assert "degenerate" in solution.notes[0]
    error = _nashpy_vertex_error(zeros, zeros)
    if error is not None:
        assert any(f"raised {type(error).__name__}" in note for note in solution.notes)


def test_support_enumeration_misses_on_nashpy_issue_82_are_recovered() -> None:
    """On the degenerate game of nashpy issue #82 all 8 extreme equilibria are reported.

    https://github.com/drvinceknight/Nashpy/issues/82 (minimising players, so (-A, -B)):
    support enumeration returned 5 of 8 there; whatever it returns, the set is complete and
    anything it missed is flagged and counted in a note.
    """
    game = Game.from_arrays(negated(ISSUE_82_A), negated(ISSUE_82_B))
    solution = solve(game, "support")
    assert len(solution.equilibria) == 8
    assert solution.degenerate
    missed = sum(not e.found_by_method for e in solution.equilibria)
    if missed:
        assert any(f"found {8 - missed} of the 8" in note for note in solution.notes)


# --------------------------------------------------------------------------------------------
# Known answers for the catalogue games
# --------------------------------------------------------------------------------------------


def answers(name: str) -> list[tuple[Vector, Vector, tuple[Fraction, Fraction]]]:
    """(row, col, payoffs) of each equilibrium of a catalogue game, for every method agreed."""
    solutions = [solve(load(name), method) for method in ALL_METHODS]
    first = [(e.row, e.col, e.payoffs) for e in solutions[0].equilibria]
    for other in solutions[1:]:
        assert [(e.row, e.col, e.payoffs) for e in other.equilibria] == first
    assert not solutions[0].degenerate
    return first


def test_battle_of_the_sexes() -> None:
    """Two pure equilibria and ((2/3, 1/3), (1/3, 2/3)) (Osborne 2004, 2.7.2 and 114.1).

    Row = [[2, 0], [0, 1]], column = [[1, 0], [0, 2]]. Player 2 is indifferent when
    x1 = 2 * x2, so x = (2/3, 1/3); player 1 when 2 * y1 = y2, so y = (1/3, 2/3); each then
    gets 2/3.
    """
    third, two_thirds = Fraction(1, 3), Fraction(2, 3)
    assert set(answers("battle-of-the-sexes")) == {
        (fr(1, 0), fr(1, 0), (2, 1)),
        (fr(0, 1), fr(0, 1), (1, 2)),
        ((two_thirds, third), (third, two_thirds), (two_thirds, two_thirds)),
    }


def test_matching_pennies() -> None:
    """The unique equilibrium mixes 1/2-1/2 on both sides with value 0.

    Von Neumann and Morgenstern, Theory of Games and Economic Behavior (1944), section 17.1.
    """
    half = fr("1/2", "1/2")
    assert answers("matching-pennies") == [(half, half, (0, 0))]


def test_rock_paper_scissors() -> None:
    """The unique equilibrium is uniform, 1/3 each, value 0 (Osborne 2004, exercise 120.2)."""
    uniform = fr("1/3", "1/3", "1/3")
    assert answers("rock-paper-scissors") == [(uniform, uniform, (0, 0))]


def test_prisoners_dilemma() -> None:
    """The unique equilibrium is (defect, defect) with payoff P = 1 each.

    Defection strictly dominates cooperation (5 > 3 and 1 > 0; Axelrod 1984 payoffs).
    """
    assert answers("prisoners-dilemma") == [(fr(0, 1), fr(0, 1), (1, 1))]


def test_inspection_game() -> None:
    """Target violates with 1/4 and sender enforces with 3/8 (Tsebelis 1990), derived below.

    Target = [[0, 0], [-5, 3]], sender = [[-1, 0], [-1, -4]] (rows comply, violate; columns
    enforce, ignore). Sender indifferent: enforce pays -1, ignore pays -4 * v, so v = 1/4.
    Target indifferent: comply pays 0, violate pays -5 * e + 3 * (1 - e), so e = 3/8. Payoffs:
    the target gets 0 (what complying pays), the sender -1 (what enforcing pays).
    """
    assert answers("inspection") == [(fr("3/4", "1/4"), fr("3/8", "5/8"), (0, -1))]
    assert answers("inspection-criteria") == answers("inspection")


def test_stag_hunt() -> None:
    """Both stag, both hare, and each hunting stag with 3/4 (Skyrms 2004), derived below.

    Row = [[4, 0], [3, 3]]: stag pays 4 * q, hare pays 3, so indifference at q = 3/4, and by
    symmetry p = 3/4; the mixed payoff is 3 each.
    """
    assert set(answers("stag-hunt")) == {
        (fr(1, 0), fr(1, 0), (4, 4)),
        (fr(0, 1), fr(0, 1), (3, 3)),
        (fr("3/4", "1/4"), fr("3/4", "1/4"), (3, 3)),
    }


def test_chicken() -> None:
    """One swerves, the other goes straight, or both swerve with 9/10, derived below.

    Row = [[0, -1], [1, -10]]: swerve pays -(1 - q), straight pays q - 10 * (1 - q), so
    indifference at q = 9/10 (by symmetry p = 9/10), with payoff -1/10 each.
    """
    tenth = Fraction(-1, 10)
    assert set(answers("chicken")) == {
        (fr(1, 0), fr(0, 1), (-1, 1)),
        (fr(0, 1), fr(1, 0), (1, -1)),
        (fr("9/10", "1/10"), fr("9/10", "1/10"), (tenth, tenth)),
    }


def test_equilibrium_properties() -> None:
    """pure, support and strategies describe battle of the sexes' equilibria correctly."""
    by_purity = {e.pure: e for e in solve(load("battle-of-the-sexes")).equilibria}
    mixed, pure = by_purity[False], by_purity[True]
    assert mixed.support == ((0, 1), (0, 1))
    assert pure.support in {((0,), (0,)), ((1,), (1,))}
    row, col = mixed.strategies
    np.testing.assert_allclose(row, [2 / 3, 1 / 3])
    np.testing.assert_allclose(col, [1 / 3, 2 / 3])


# --------------------------------------------------------------------------------------------
# is_equilibrium: the float best-response check
# --------------------------------------------------------------------------------------------

PENNIES_A = [[1, -1], [-1, 1]]
PENNIES_B = [[-1, 1], [1, -1]]


def test_is_equilibrium_accepts_the_equilibrium() -> None:
    """The 1/2-1/2 mix is the equilibrium of matching pennies."""
    assert is_equilibrium(PENNIES_A, PENNIES_B, [0.5, 0.5], [0.5, 0.5])


@pytest.mark.parametrize(
    ("x", "y"),
    [([1, 0], [1, 0]), ([1, 0], [0.5, 0.5]), ([0.6, 0.4], [0.5, 0.5])],
)
def test_is_equilibrium_rejects_profitable_deviations(x: list[float], y: list[float]) -> None:
    """A profile where some player gains by deviating is rejected."""
    assert not is_equilibrium(PENNIES_A, PENNIES_B, x, y)


def test_is_equilibrium_tolerance_decides_tiny_gains() -> None:
    """A deviation gain of 2e-12 passes at tol 1e-9 and fails at tol 1e-13."""
    d = 1e-12
    x = [0.5 + d, 0.5 - d]  # the column player gains 2 * d by deviating
    assert is_equilibrium(PENNIES_A, PENNIES_B, x, [0.5, 0.5])
    assert is_equilibrium(PENNIES_A, PENNIES_B, x, [0.5, 0.5], tol=1e-9)
    assert not is_equilibrium(PENNIES_A, PENNIES_B, x, [0.5, 0.5], tol=1e-13)


def test_is_equilibrium_tolerance_is_relative_to_payoffs() -> None:
    """With payoffs scaled by 1e6 a gain of 2e-6 is within tol 1e-9 times the largest payoff."""
    d = 1e-12
    x = [0.5 + d, 0.5 - d]
    big_a = (np.array(PENNIES_A) * 1e6).tolist()
    big_b = (np.array(PENNIES_B) * 1e6).tolist()
    assert is_equilibrium(big_a, big_b, x, [0.5, 0.5], tol=1e-9)
    # The same gain is rejected when the tolerance is too small even relative to 1e6.
    assert not is_equilibrium(big_a, big_b, x, [0.5, 0.5], tol=1e-19)


def test_is_equilibrium_requires_probability_vectors() -> None:
    """Entries below -tol, sums away from 1, wrong shapes and NaN are all rejected."""
    pd_a, pd_b = [[3, 0], [5, 1]], [[3, 5], [0, 1]]
    assert is_equilibrium(pd_a, pd_b, [0, 1], [0, 1])
    assert is_equilibrium(pd_a, pd_b, [-1e-12, 1 + 1e-12], [0, 1])  # within tol
    assert not is_equilibrium(pd_a, pd_b, [-0.1, 1.1], [0, 1])
    assert not is_equilibrium(pd_a, pd_b, [0, 0.9], [0, 1])
    assert not is_equilibrium(pd_a, pd_b, [0, 1.1], [0, 1])
    assert not is_equilibrium(pd_a, pd_b, [0, 0, 1], [0, 1])
    assert not is_equilibrium(pd_a, pd_b, [0, 1], [1])
    assert not is_equilibrium(pd_a, pd_b, [np.nan, 1], [0, 1])


def test_is_equilibrium_exact_has_no_tolerance() -> None:
    """The exact check rejects a 1e-30 deviation that the float check cannot even see."""
    game = Game.from_arrays(PENNIES_A, PENNIES_B)
    d = Fraction(1, 10**30)
    half = Fraction(1, 2)
    assert is_equilibrium_exact(game, (half, half), (half, half))
    assert not is_equilibrium_exact(game, (half + d, half - d), (half, half))
    assert not is_equilibrium_exact(game, (Fraction(1), Fraction(0)), (half, half))
    assert not is_equilibrium_exact(game, (half, half), (half, half - d))  # sums to < 1
    assert not is_equilibrium_exact(game, (-d, 1 + d), (half, half))  # negative entry


@SETTINGS
@given(any_games(max_side=3), st.integers(0, 2**32 - 1))
def test_float_check_accepts_every_exact_equilibrium(game: Game, seed: int) -> None:
    """Exact equilibria pass the float check; pure profiles with a real deviation gain fail it."""
    A, B = game.floats()
    for x, y in solve_exact(game).equilibria:
        assert is_equilibrium(A, B, [float(p) for p in x], [float(p) for p in y])
    # And a random pure profile that is not an exact equilibrium fails by a real margin
    # whenever its exact deviation gain exceeds the tolerance band.
    rng = np.random.default_rng(seed)
    m, n = game.shape
    i, j = int(rng.integers(m)), int(rng.integers(n))
    x = tuple(Fraction(int(k == i)) for k in range(m))
    y = tuple(Fraction(int(k == j)) for k in range(n))
    gain = max(
        max(game.A[k][j] for k in range(m)) - game.A[i][j],
        max(game.B[i][k] for k in range(n)) - game.B[i][j],
    )
    scale = max(1.0, float(np.abs(A).max()), float(np.abs(B).max()))
    if float(gain) > 1e-6 * scale:
        assert not is_equilibrium_exact(game, x, y)
        assert not is_equilibrium(A, B, [float(p) for p in x], [float(p) for p in y])
