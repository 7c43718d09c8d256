"""The compiled float stage: a non-suspect game's equilibria are exactly the exact solver's.

Every comparison is against :func:`negotiation.solvers.exact.solve_exact` (itself checked
against Gambit's exact enummixed in test_exact.py). The kernel is compiled once per machine
(numba's cache), so these tests cost a few seconds after the first run.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from property import SETTINGS, any_games

from negotiation import Game, solve_exact
from negotiation.solvers import kernels
from negotiation.solvers.kernels import DELTA_MAP, closed_form_bounds, solve_floats


def check_against_exact(
    A: np.ndarray,
    B: np.ndarray,
    games: list[Game] | None = None,
    atol: float = 1e-10,
    **kwargs: object,
) -> tuple[int, int]:
    """Compare solve_floats with solve_exact game by game; return (suspect, degenerate) counts.

    ``games`` are the exact games (default: the floats' exact binary values). A degenerate
    game must be suspect; a non-suspect game must have exactly the exact solver's set, its
    probabilities within ``atol`` (the kernel promises (support size + 1) * 1e-11).
    """
    stage = solve_floats(A, B, **kwargs)  # type: ignore[arg-type]
    assert np.all(np.diff(stage.game) >= 0)
    bounds = np.searchsorted(stage.game, np.arange(len(A) + 1))
    degenerate = 0
    for g in range(len(A)):
        game = games[g] if games is not None else Game.from_arrays(A[g], B[g])
        exact = solve_exact(game)
        degenerate += exact.degenerate
        if exact.degenerate:
            assert stage.suspect[g], f"degenerate game {g} not flagged"
        if stage.suspect[g]:
            assert bounds[g] == bounds[g + 1], f"suspect game {g} has equilibria listed"
            continue
        found = sorted(
            (tuple(stage.row[e]), tuple(stage.col[e])) for e in range(bounds[g], bounds[g + 1])
        )
        expected = sorted(
            (tuple(float(p) for p in x), tuple(float(p) for p in y)) for x, y in exact.equilibria
        )
        assert len(found) == len(expected), f"game {g}: {found} != {expected}"
        for (x, y), (ex, ey) in zip(found, expected, strict=True):
            np.testing.assert_allclose(x, ex, atol=atol, err_msg=f"game {g}")
            np.testing.assert_allclose(y, ey, atol=atol, err_msg=f"game {g}")
    return int(stage.suspect.sum()), degenerate


SHAPES = [(1, 1), (1, 4), (3, 1), (2, 2), (2, 3), (3, 3), (3, 4), (4, 4), (2, 6), (5, 5)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("distribution", ["normal", "uniform"])
def test_random_games_match_the_exact_solver(shape: tuple[int, int], distribution: str) -> None:
    """Seeded random games: every non-suspect set is the exact one, and almost none are suspect."""
    rng = np.random.default_rng(20250324)
    count = 40 if shape == (5, 5) else 150
    draw = rng.standard_normal if distribution == "normal" else rng.random
    A, B = draw((count, *shape)), draw((count, *shape))
    suspect, degenerate = check_against_exact(A, B)
    assert degenerate == 0
    assert suspect <= 1  # the fast path decides (nearly) every continuous game itself


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (2, 4), (4, 3), (4, 4)])
def test_small_integer_games_flag_every_degenerate_one(shape: tuple[int, int]) -> None:
    """Integer games in [-3, 3] are mostly degenerate: each is flagged, the rest match."""
    rng = np.random.default_rng(7)
    A = rng.integers(-3, 4, (150, *shape)).astype(float)
    B = rng.integers(-3, 4, (150, *shape)).astype(float)
    suspect, degenerate = check_against_exact(A, B)
    assert degenerate > 50
    assert suspect >= degenerate


@SETTINGS
@given(st.lists(any_games(), min_size=1, max_size=4).filter(
    lambda games: len({g.shape for g in games}) == 1
))  # fmt: skip
def test_kernel_matches_exact_by_property(games: list[Game]) -> None:
    """Any batch of same-shaped games (integer, wide or float payoffs) matches solve_exact."""
    A = np.array([game.floats()[0] for game in games])
    B = np.array([game.floats()[1] for game in games])
    check_against_exact(A, B, games)


def badly_scaled(rng: np.random.Generator, count: int, shape: tuple[int, int]) -> np.ndarray:
    """Payoffs with random signs and magnitudes from 1e-12 to 1e15, mixed within each game."""
    magnitude = 10.0 ** rng.uniform(-12, 15, (count, *shape))
    return rng.choice([-1.0, 1.0], (count, *shape)) * magnitude * rng.random((count, *shape))


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (4, 4)])
def test_badly_scaled_games_match_the_exact_solver(shape: tuple[int, int]) -> None:
    """Entries of 1e-12 to 1e15 mixed in one game: decisions are certified or the game flagged."""
    rng = np.random.default_rng(11)
    A, B = badly_scaled(rng, 100, shape), badly_scaled(rng, 100, shape)
    check_against_exact(A, B)


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (4, 4)])
def test_games_at_any_scale_stay_on_the_fast_path(shape: tuple[int, int]) -> None:
    """Games scaled as a whole by 1e-12 to 1e15 (and shifted) are decided without the exact path."""
    rng = np.random.default_rng(12)
    scale = 10.0 ** rng.uniform(-12, 15, (100, 1, 1))
    shift = rng.standard_normal((100, 1, 1)) * scale * 10
    A = rng.standard_normal((100, *shape)) * scale + shift
    B = rng.standard_normal((100, *shape)) * scale - shift
    suspect, _ = check_against_exact(A, B)
    assert suspect <= 1


def test_entries_near_the_largest_float() -> None:
    """Payoffs of +-1e308 (whose span overflows) and +-max float are solved, not turned into nan."""
    big = np.finfo(float).max
    A = np.array(
        [
            [[1e308, -1e308], [-1e308, 1e308]],
            [[big, -big], [-big, big]],
            [[big, 5e-324], [-5e-324, -big]],
            [[1e308, 1.0], [2.0, -1e308]],
        ]
    )
    B = np.array(
        [
            [[-1e308, 1e308], [1e308, -1e308]],
            [[-big, big], [big, -big]],
            [[-big, 1.0], [0.0, big]],
            [[-1e308, 3.0], [1e308, 0.0]],
        ]
    )
    check_against_exact(A, B)
    stage = solve_floats(A[:1], B[:1])
    # Matching pennies scaled by 1e308: the one equilibrium mixes 1/2-1/2 (von Stengel 2007,
    # section 3.2; scaling payoffs by a positive factor leaves equilibria unchanged).
    assert stage.row.tolist() == [[0.5, 0.5]]
    assert stage.col.tolist() == [[0.5, 0.5]]


def test_subnormal_and_tiny_entries() -> None:
    """Games whose entries are all subnormal or near 1e-300 are mapped without overflow."""
    tiny = 5e-324
    A = np.array([[[0.0, tiny], [tiny, 0.0]], [[1e-310, 0.0], [3e-310, 2e-310]]])
    B = np.array([[[tiny, 0.0], [0.0, tiny]], [[1e-300, 3e-300], [2e-300, 0.0]]])
    check_against_exact(A, B)
    stage = solve_floats(A[:1], B[:1])
    # Matching pennies at the scale of 5e-324: one equilibrium, both mix 1/2-1/2
    # (von Stengel 2007, section 3.2).
    assert stage.suspect.tolist() == [False]
    assert (stage.row.tolist(), stage.col.tolist()) == ([[0.5, 0.5]], [[0.5, 0.5]])


def test_constant_and_tied_games_are_flagged() -> None:
    """All-equal payoffs, a constant matrix and tiny ties (1 ulp) are degenerate and flagged."""
    one_ulp = np.nextafter(1.0, 2.0)
    A = np.array([[[0.0, 0.0], [0.0, 0.0]], [[5.0, 5.0], [5.0, 5.0]], [[1.0, 0.0], [one_ulp, 2.0]]])
    B = np.array([[[0.0, 0.0], [0.0, 0.0]], [[1.0, 2.0], [2.0, 1.0]], [[1.0, 1.0], [0.0, 2.0]]])
    check_against_exact(A, B)
    assert solve_floats(A, B).suspect[:2].tolist() == [True, True]


def test_constant_rows_stay_on_the_fast_path() -> None:
    """Two constant rows (as in the rare-earth game) make bases exactly singular, not suspect."""
    A = np.array([[[-3.8, -1.4, -0.4], [0.0, 0.0, 0.0], [0.7, 0.7, 0.7]]])
    B = np.array([[[0.25, -0.5, -1.0], [0.2, 0.1, -0.3], [-0.25, -0.5, -0.75]]])
    stage = solve_floats(A, B)
    assert stage.suspect.tolist() == [False]
    check_against_exact(A, B)


def rounded_games(
    rng: np.random.Generator, count: int, offset: int
) -> tuple[list[Game], np.ndarray, np.ndarray]:
    """Exact 3x3 games with payoffs offset + k/7 (ties are common) and their rounded floats."""
    games = []
    for _ in range(count):
        A = [[Fraction(int(k), 7) + offset for k in row] for row in rng.integers(-3, 4, (3, 3))]
        B = [[Fraction(int(k), 7) for k in row] for row in rng.integers(-3, 4, (3, 3))]
        games.append(Game.from_arrays(A, B))
    A_ = np.array([[[float(v) for v in row] for row in game.A] for game in games])
    B_ = np.array([[[float(v) for v in row] for row in game.B] for game in games])
    return games, A_, B_


def test_declared_rounding_gives_the_exact_games_answer() -> None:
    """With rounding=2**-53, floats rounded from payoffs near 1e9 give the exact game's supports.

    The probabilities are the floats' game's, so they carry the rounding of the input
    (about 1e-7 here): the set of equilibria is exact, the numbers are close.
    """
    games, A, B = rounded_games(np.random.default_rng(5), 150, 10**9)
    suspect, degenerate = check_against_exact(A, B, games, atol=1e-6, rounding=2.0**-53)
    assert degenerate > 50
    assert suspect < 150  # the clear-cut games are still decided on the fast path


def test_a_degeneracy_lost_in_rounding_is_flagged_only_when_declared() -> None:
    """Rows (0, 3/11), (3/11, 0), (1/11, 2/11) plus 3171394568 tie at y = (1/2, 1/2), not in floats.

    The exact game is degenerate (three best responses to a mix of two columns); the
    floats break the tie by far more than eps, so only the declared rounding flags it.
    """
    offset = 3171394568
    exact_A = [
        [Fraction(offset), Fraction(3, 11) + offset],
        [Fraction(3, 11) + offset, Fraction(offset)],
        [Fraction(1, 11) + offset, Fraction(2, 11) + offset],
    ]
    exact_B = [[1, 0], [0, 2], [2, 1]]
    game = Game.from_arrays(exact_A, exact_B)
    assert solve_exact(game).degenerate
    A = np.array([[[float(v) for v in row] for row in exact_A]])
    B = np.array([exact_B], dtype=float)
    assert solve_floats(A, B).suspect.tolist() == [False]  # the floats' own game is decided
    assert solve_floats(A, B, rounding=2.0**-53).suspect.tolist() == [True]


def test_det_min_only_adds_suspicion() -> None:
    """batch.py's determinant guard (det_min) flags more games and changes no other answer."""
    rng = np.random.default_rng(3)
    A = rng.integers(-9, 10, (300, 3, 3)) + rng.random((300, 3, 3)) * 1e-3
    B = rng.integers(-9, 10, (300, 3, 3)) + rng.random((300, 3, 3)) * 1e-3
    plain, guarded = solve_floats(A, B), solve_floats(A, B, det_min=1e-4)
    assert np.all(guarded.suspect >= plain.suspect)
    keep = ~guarded.suspect[plain.game]
    np.testing.assert_array_equal(plain.game[keep], guarded.game)
    np.testing.assert_array_equal(plain.row[keep], guarded.row)


def test_a_near_singular_infeasible_basis_needs_no_exact_solve() -> None:
    """A basis with |det| < 1e-4 that is certainly infeasible leaves its game on the fast path.

    Rows (0, 1e-5) and (1e-5, 2e-5) of A map to nearly parallel rows (determinant about
    -1e-10 on [1, 10]) whose solution has a coordinate of each sign: batch.py's guard
    (det_min=1e-4) sends the game to the exact solver, the certified decision does not.
    """
    A = np.array([[[0.0, 1e-5, 9.0], [1e-5, 2e-5, 5.0], [3.0, 9.0, 1.0]]])
    B = np.array([[[1.0, 4.0, 2.0], [6.0, 3.0, 8.0], [2.0, 7.0, 5.0]]])
    assert solve_floats(A, B, det_min=1e-4).suspect.tolist() == [True]
    assert solve_floats(A, B).suspect.tolist() == [False]
    check_against_exact(A, B)


def test_an_imprecise_equilibrium_sends_its_game_to_the_exact_path() -> None:
    """An equilibrium not certainly within 3e-11 of the exact one makes its game suspect.

    The row player's two rows differ by about 1e-6, so the column mix that makes them
    indifferent is ill-conditioned: even the refined (verified inverse) bound cannot
    certify it to 1e-11; allowing 1e-3 the game is decided, and its set is the exact one.
    """
    A = np.array(
        [[[0.9053558666731177, 0.4463745723640113], [0.9053547169040898, 0.44637481805926604]]]
    )
    B = np.array(
        [[[-0.7342397521567369, 0.8603361703993252], [0.5834151077430849, -1.3654768223639961]]]
    )
    assert not solve_exact(Game.from_arrays(A[0], B[0])).degenerate
    assert solve_floats(A, B).suspect.tolist() == [True]
    assert solve_floats(A, B, precision=1e-3).suspect.tolist() == [False]
    check_against_exact(A, B, atol=3e-3, precision=1e-3)


def test_the_refined_bound_certifies_what_the_static_one_cannot() -> None:
    """A 4x4 game whose mixed equilibrium fails the static bound is certified by the refined one.

    Found among 300,000 normal games (seed 0) as the first game that the static bound of
    the 4 x 4 closed form sent to the exact path on its precision alone; the
    verified-inverse bound certifies it, so it stays on the fast path.
    """
    A = np.array([[
        [0.018585698756396415, 0.38879121009663, -0.5068615363243428, -0.15738796902620494],
        [-0.036475119306275124, -0.12966699061850182, 0.6717591084211462, -0.662831213671069],
        [-1.598086626775378, 0.9645935686825151, 0.9592516509919115, 1.283185429975414],
        [0.3438308967975541, 0.5560087623844618, 0.27494422320403705, -1.9485389842367489],
    ]])  # fmt: skip
    B = np.array([[
        [-3.213822064629225, 1.7763003902238637, -1.0690413793169558, 0.5482212421741302],
        [1.1791325855850658, 1.854991050813956, -0.5990519660923218, 0.3907354391297802],
        [0.5508094093301417, -1.3343575293613879, 1.3105044571803106, 0.08286370424242176],
        [0.26810028071366493, 1.124211145724539, 1.4873723803870877, 1.5249426069251915],
    ]])  # fmt: skip
    stage = solve_floats(A, B)
    assert stage.suspect.tolist() == [False]
    assert len(stage.game) == 3
    check_against_exact(A, B)


def test_output_growth_and_blocks_do_not_change_the_answer() -> None:
    """Many equilibria per game (the output grows) and tiny blocks give identical results.

    A = B = diag(1, 2, 3) is a non-degenerate coordination game with 2**3 - 1 = 7
    equilibria, one per non-empty support (von Stengel 2007, section 3.6).
    """
    rng = np.random.default_rng(1)
    A = np.concatenate([np.tile(np.diag([1.0, 2.0, 3.0]), (60, 1, 1)), rng.random((40, 3, 3))])
    B = np.concatenate([np.tile(np.diag([1.0, 2.0, 3.0]), (60, 1, 1)), rng.random((40, 3, 3))])
    big = solve_floats(A, B)
    assert np.bincount(big.game, minlength=100)[:60].tolist() == [7] * 60
    small = solve_floats(A, B, block=7)
    for one, other in zip(big, small, strict=True):
        np.testing.assert_array_equal(one, other)
    check_against_exact(A[55:65], B[55:65])


def test_empty_batch() -> None:
    """No games give empty columns of the right widths."""
    stage = solve_floats(np.zeros((0, 2, 3)), np.zeros((0, 2, 3)))
    assert stage.game.shape == (0,)
    assert stage.row.shape == (0, 2)
    assert stage.col.shape == (0, 3)
    assert stage.suspect.shape == (0,)


@pytest.mark.parametrize(
    ("A", "B", "options", "message"),
    [
        (np.zeros((2, 2)), np.zeros((2, 2)), {}, "same shape"),
        (np.zeros((1, 2, 2)), np.zeros((1, 2, 3)), {}, "same shape"),
        (np.zeros((1, 0, 2)), np.zeros((1, 0, 2)), {}, "same shape"),
        (np.full((1, 2, 2), np.nan), np.zeros((1, 2, 2)), {}, "finite"),
        (np.zeros((1, 2, 2)), np.full((1, 2, 2), -np.inf), {}, "finite"),
        (np.zeros((1, 2, 2), dtype=complex), np.zeros((1, 2, 2)), {}, "real numbers"),
        (np.full((1, 2, 2), "1"), np.zeros((1, 2, 2)), {}, "real numbers"),
        (np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), {"eps": 0.0}, "eps"),
        (np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), {"eps": float("nan")}, "eps"),
        (np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), {"rounding": -1.0}, "rounding"),
        (np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), {"det_min": -1.0}, "det_min"),
        (np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), {"precision": 0.0}, "precision"),
        (np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), {"block": 0}, "block"),
        (np.zeros((1, 2, 2)), np.zeros((1, 2, 2)), {"block": 2.5}, "block"),
    ],
)
def test_bad_arguments_are_refused(
    A: np.ndarray, B: np.ndarray, options: dict[str, object], message: str
) -> None:
    """Arrays that are not (N, m, n) pairs of finite payoffs, or bad options, raise ValueError."""
    with pytest.raises(ValueError, match=message):
        solve_floats(A, B, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("k", [2, 3, 4])
def test_closed_form_errors_stay_within_their_bounds(k: int) -> None:
    """On random bases in [1, 10] the float D, N_v and slacks W differ from exact by < the bound."""
    rng = np.random.default_rng(k)
    G = 400
    S = 1 + 9 * rng.random((k + 1, k, G))  # rows 0..k-1 form the basis, row k is the slack
    eqs = np.array([list(range(k))])
    var = np.array([list(range(k))])
    bnd = np.empty((4, 3, G))
    for size in range(1, 5):
        bnd[size - 1] = np.array(closed_form_bounds(size, DELTA_MAP))[:, None]
    work, flags = np.empty((k + 1, G)), np.zeros((3, G), dtype=np.uint8)
    basis = {2: kernels._basis_2, 3: kernels._basis_3}
    if k == 4:
        kernels._basis_4(S, eqs, var, 0, G, 1e-7, bnd, work, flags, np.empty((12, G)))
    else:
        basis[k](S, eqs, var, 0, G, 1e-7, bnd, work, flags)
    eD, eN, eW = closed_form_bounds(k, 0.0)  # the entries are exact here: rounding only
    worst = [0.0, 0.0, 0.0]
    for g in range(G):
        exact = [[Fraction(S[e, v, g]) for v in range(k)] for e in range(k + 1)]
        D = _fraction_det(exact[:k])
        N = [
            _fraction_det([[1 if c == v else row[c] for c in range(k)] for row in exact[:k]])
            for v in range(k)
        ]
        W = D - sum(exact[k][v] * N[v] for v in range(k))
        slack = work[0, g] - sum(S[k, v, g] * work[1 + v, g] for v in range(k))
        worst[0] = max(worst[0], abs(float(Fraction(work[0, g]) - D)) / eD)
        errors = [abs(float(Fraction(work[1 + v, g]) - N[v])) / eN for v in range(k)]
        worst[1] = max(worst[1], *errors)
        worst[2] = max(worst[2], abs(float(Fraction(slack) - W)) / eW)
    assert max(worst) < 1, worst


def _fraction_det(M: list[list[Fraction]]) -> Fraction:
    """Determinant by exact Gaussian elimination."""
    M = [row[:] for row in M]
    det = Fraction(1)
    for c in range(len(M)):
        pivot = next(r for r in range(c, len(M)) if M[r][c] != 0)
        if pivot != c:
            M[c], M[pivot] = M[pivot], M[c]
            det = -det
        det *= M[c][c]
        for r in range(c + 1, len(M)):
            factor = M[r][c] / M[c][c]
            M[r] = [a - factor * b for a, b in zip(M[r], M[c], strict=True)]
    return det
