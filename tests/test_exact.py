"""Exact vertex enumeration: agreement with Gambit, game-theoretic laws, degeneracy, known games."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import pygambit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from property import (
    SETTINGS,
    any_games,
    nondegenerate_games,
    small_int_games,
    wide_int_games,
)

from negotiation.model.payoffs import Game
from negotiation.solvers.equilibria import is_equilibrium_exact
from negotiation.solvers.exact import ExactSolution, is_degenerate, solve_exact

Vector = tuple[Fraction, ...]
Pair = tuple[Vector, Vector]

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def fr(*values: int | str) -> Vector:
    """A strategy written with ints and 'p/q' strings, as exact fractions."""
    return tuple(Fraction(v) for v in values)


def unit(k: int, size: int) -> Vector:
    """The pure strategy k out of size strategies."""
    return tuple(Fraction(int(i == k)) for i in range(size))


def equilibria(game: Game) -> set[Pair]:
    """The extreme equilibria solve_exact reports, as a set."""
    return set(solve_exact(game).equilibria)


def gambit_game(game: Game) -> Any:
    """The game as a pygambit strategic game, every payoff passed as an exact ``Rational``.

    Both pygambit 16.7 and 17.x read a ``pygambit.Rational`` as "p/q" text, so no payoff
    is rounded on the way (a plain float would go through ``Decimal(str(x))``, its shortest
    decimal, not its binary value). 17.0 moved ``from_arrays`` from ``Game`` to
    ``StrategicGame``; the class is chosen by what the installed pygambit has.
    """
    A, B = (
        np.array([[pygambit.Rational(v) for v in row] for row in M], dtype=object)
        for M in (game.A, game.B)
    )
    strategic = getattr(pygambit, "StrategicGame", None) or pygambit.Game
    return strategic.from_arrays(A, B)


def gambit_profile(g: Any, profile: Any) -> Pair:
    """One pygambit mixed strategy profile of a two-player game, as exact fractions.

    pygambit 17 keys players, strategies and profiles by label (``g.players`` yields
    labels, ``g.get_strategies(label)`` lists a player's strategy labels in order and
    ``profile[player][strategy]`` is a probability); 16.x yields ``Player`` objects whose
    ``strategies`` index the profile directly. Chosen by whether ``get_strategies`` exists.
    """
    if hasattr(g, "get_strategies"):  # pygambit >= 17
        mixed = [[profile[p][s] for s in g.get_strategies(p)] for p in g.players]
    else:  # pygambit 16.x
        mixed = [[profile[s] for s in p.strategies] for p in g.players]
    for probability in itertools.chain(*mixed):
        if not isinstance(probability, Fraction):  # pygambit.Rational subclasses Fraction
            raise TypeError(f"pygambit returned {probability!r}, not an exact rational")
    x, y = mixed
    return tuple(Fraction(p) for p in x), tuple(Fraction(p) for p in y)


def gambit_equilibria(game: Game) -> set[Pair]:
    """Gambit's exact extreme equilibria (``enummixed_solve(rational=True)``), as a set.

    Works with pygambit 16.7 and 17.x (see ``gambit_game`` and ``gambit_profile``).
    """
    g = gambit_game(game)
    result = pygambit.nash.enummixed_solve(g, rational=True)
    return {gambit_profile(g, e) for e in result.equilibria}


def transpose(M: tuple[tuple[Fraction, ...], ...]) -> list[list[Fraction]]:
    """The transpose of a payoff table."""
    return [list(col) for col in zip(*M, strict=True)]


def value(x: Vector, M: tuple[tuple[Fraction, ...], ...], y: Vector) -> Fraction:
    """x^T M y, exactly."""
    return sum((x[i] * M[i][j] * y[j] for i in range(len(x)) for j in range(len(y))), Fraction(0))


def best_rows(game: Game, y: Vector) -> set[int]:
    """The row player's pure best responses to y."""
    values = [sum((a * q for a, q in zip(row, y, strict=True)), Fraction(0)) for row in game.A]
    return {i for i, v in enumerate(values) if v == max(values)}


def best_cols(game: Game, x: Vector) -> set[int]:
    """The column player's pure best responses to x."""
    values = [
        sum((b * p for b, p in zip(col, x, strict=True)), Fraction(0))
        for col in zip(*game.B, strict=True)
    ]
    return {j for j, v in enumerate(values) if v == max(values)}


def support(v: Vector) -> set[int]:
    """Indices with positive probability."""
    return {i for i, p in enumerate(v) if p > 0}


# --------------------------------------------------------------------------------------------
# (i) Agreement with an independent exact oracle: Gambit's enummixed (vertex enumeration)
# --------------------------------------------------------------------------------------------

SHAPES = [(2, 2), (3, 3), (2, 4), (4, 3), (4, 4)]
SAMPLES = 100  # games per (kind, shape); 1500 games in all, about 20 s


def random_game(rng: np.random.Generator, kind: str, shape: tuple[int, int]) -> Game:
    """A random game of the given kind drawn from ``rng``."""

    def draw() -> np.ndarray:
        if kind == "wide":  # integers in [-10**6, 10**6]: almost never degenerate
            return rng.integers(-(10**6), 10**6, size=shape, endpoint=True)
        if kind == "small":  # integers in [-3, 3]: many ties, often degenerate
            return rng.integers(-3, 3, size=shape, endpoint=True)
        return rng.standard_normal(size=shape)  # floats, solved at their exact binary values

    return Game.from_arrays(draw(), draw())


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("kind", "seed"), [("wide", 101), ("small", 202), ("float", 303)])
def test_agrees_with_gambit_on_seeded_random_games(
    kind: str, seed: int, shape: tuple[int, int]
) -> None:
    """On 100 seeded random games per kind and shape, the extreme equilibria equal Gambit's."""
    rng = np.random.default_rng([seed, *shape])
    disagreements, degenerate = [], 0
    for _ in range(SAMPLES):
        game = random_game(rng, kind, shape)
        solution = solve_exact(game)
        degenerate += solution.degenerate
        assert len(set(solution.equilibria)) == len(solution.equilibria)  # no duplicates
        if set(solution.equilibria) != gambit_equilibria(game):
            disagreements.append(game)
    assert disagreements == []
    if kind == "small":
        # The sample really exercises degenerate games (a fixed fact of this seed).
        assert degenerate > 0


@settings(SETTINGS, max_examples=60)  # float games with tiny entries are slow for both solvers
@given(any_games())
def test_agrees_with_gambit_by_property(game: Game) -> None:
    """On Hypothesis-drawn games of every kind and shape up to 4x4, the set equals Gambit's."""
    assert equilibria(game) == gambit_equilibria(game)


def test_gambit_oracle_reads_the_von_stengel_3x2_example() -> None:
    """The oracle adapter returns the 3 hand-verified equilibria of a non-square game, unswapped.

    Von Stengel 2007 (AGT ch. 3) example, verified by hand in test_von_stengel_3x2_example:
    a 3x2 game catches any mix-up of players or of strategy order in the adapter.
    """
    game = Game.from_arrays([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    assert gambit_equilibria(game) == {
        (fr(1, 0, 0), fr(1, 0)),
        (fr("4/5", "1/5", 0), fr("2/3", "1/3")),
        (fr(0, "1/3", "2/3"), fr("1/3", "2/3")),
    }


def test_gambit_oracle_receives_payoffs_exactly() -> None:
    """Gambit sees the float 0.3 below 3/10 (its binary value), not tied with it as a decimal.

    Fraction(0.3) = 5404319552844595/18014398509481984 < 3/10, so the first row is strictly
    better: one equilibrium. Two equal 3/10 payoffs are a tie: both rows are extreme.
    """
    below = Game.from_arrays([[Fraction(3, 10)], [0.3]], [[0], [0]])
    tied = Game.from_arrays([[Fraction(3, 10)], [Fraction(3, 10)]], [[0], [0]])
    assert gambit_equilibria(below) == {(fr(1, 0), fr(1))}
    assert gambit_equilibria(tied) == {(fr(1, 0), fr(1)), (fr(0, 1), fr(1))}


# --------------------------------------------------------------------------------------------
# (ii) Game-theoretic facts
# --------------------------------------------------------------------------------------------


@SETTINGS
@given(any_games())
def test_every_equilibrium_is_an_exact_mutual_best_response(game: Game) -> None:
    """Each reported pair is a pair of probability vectors that are exact best responses."""
    m, n = game.shape
    solution = solve_exact(game)
    # Nash (1951): every finite game has an equilibrium, hence at least one extreme one.
    assert solution.equilibria
    for x, y in solution.equilibria:
        assert len(x) == m
        assert len(y) == n
        assert all(isinstance(p, Fraction) and p >= 0 for p in x + y)
        assert sum(x) == 1
        assert sum(y) == 1
        assert is_equilibrium_exact(game, x, y)


@SETTINGS
@given(any_games())
def test_solution_indexing_is_consistent(game: Game) -> None:
    """Strategies are distinct and all used, pairs are unique, and the order is fixed."""
    solution = solve_exact(game)
    assert len(set(solution.row_strategies)) == len(solution.row_strategies)
    assert len(set(solution.col_strategies)) == len(solution.col_strategies)
    assert len(set(solution.pairs)) == len(solution.pairs)
    assert {i for i, _ in solution.pairs} == set(range(len(solution.row_strategies)))
    assert {j for _, j in solution.pairs} == set(range(len(solution.col_strategies)))
    assert is_degenerate(game) == solution.degenerate
    # A fixed order (decreasing row, then column probabilities), so output is reproducible.
    assert list(solution.equilibria) == sorted(solution.equilibria, reverse=True)


@SETTINGS
@given(any_games())
def test_pure_equilibria_are_exactly_the_mutual_best_reply_cells(game: Game) -> None:
    """The pure extreme equilibria are the cells that are best replies both ways (brute force)."""
    m, n = game.shape
    cells = {
        (i, j)
        for i in range(m)
        for j in range(n)
        if game.A[i][j] == max(game.A[k][j] for k in range(m))
        and game.B[i][j] == max(game.B[i][k] for k in range(n))
    }
    pure = {
        (x.index(1), y.index(1))
        for x, y in solve_exact(game).equilibria
        if max(x) == 1 and max(y) == 1
    }
    # A pure equilibrium is always a vertex pair of the best-response polytopes, so none of
    # them may be missing from the extreme equilibria.
    assert pure == cells


@SETTINGS
@given(nondegenerate_games(any_games()))
def test_nondegenerate_games_have_an_odd_number_of_equilibria(game: Game) -> None:
    """A non-degenerate game has an odd number of equilibria.

    Shapley, 'A note on the Lemke-Howson algorithm', Mathematical Programming Study 1 (1974);
    also von Stengel 2007 (AGT ch. 3), corollary of the Lemke-Howson algorithm.
    """
    assert len(solve_exact(game).equilibria) % 2 == 1


@SETTINGS
@given(nondegenerate_games(any_games()))
def test_nondegenerate_best_responses_are_exactly_the_other_support(game: Game) -> None:
    """In a non-degenerate game each equilibrium strategy's best responses are the other's support.

    Equal support sizes are von Stengel 2007 (AGT ch. 3), Proposition 3.3: x has at most
    |supp x| best responses, and supp y must lie among them.
    """
    for x, y in solve_exact(game).equilibria:
        assert len(support(x)) == len(support(y))
        assert best_cols(game, x) == support(y)
        assert best_rows(game, y) == support(x)


@SETTINGS
@given(nondegenerate_games(any_games()))
def test_nondegenerate_equilibria_are_isolated(game: Game) -> None:
    """In a non-degenerate game no two extreme equilibria share a strategy (they are isolated)."""
    solution = solve_exact(game)
    assert len(solution.row_strategies) == len(solution.pairs)
    assert len(solution.col_strategies) == len(solution.pairs)


@SETTINGS
@given(any_games(), st.integers(-1000, 1000), st.booleans())
def test_invariant_under_adding_a_constant(game: Game, c: int, to_row_player: bool) -> None:
    """Adding a constant to one player's payoffs changes neither equilibria nor degeneracy."""
    A = [[a + c * to_row_player for a in row] for row in game.A]
    B = [[b + c * (not to_row_player) for b in row] for row in game.B]
    shifted = Game.from_arrays(A, B)
    assert equilibria(shifted) == equilibria(game)
    assert is_degenerate(shifted) == is_degenerate(game)


@SETTINGS
@given(
    any_games(),
    st.fractions(min_value=Fraction(1, 1000), max_value=1000, max_denominator=1000),
    st.booleans(),
)
def test_invariant_under_positive_scaling(game: Game, k: Fraction, scale_row: bool) -> None:
    """Multiplying one player's payoffs by a positive constant changes neither answer."""
    A = [[a * (k if scale_row else 1) for a in row] for row in game.A]
    B = [[b * (1 if scale_row else k) for b in row] for row in game.B]
    scaled = Game.from_arrays(A, B)
    assert equilibria(scaled) == equilibria(game)
    assert is_degenerate(scaled) == is_degenerate(game)


@SETTINGS
@given(any_games(max_side=4), st.data())
def test_invariant_under_opponent_dependent_shifts(game: Game, data: st.DataObject) -> None:
    """Adding c_j to column j of A and d_i to row i of B changes no best response, no answer."""
    m, n = game.shape
    c = data.draw(st.lists(st.integers(-50, 50), min_size=n, max_size=n))
    d = data.draw(st.lists(st.integers(-50, 50), min_size=m, max_size=m))
    A = [[game.A[i][j] + c[j] for j in range(n)] for i in range(m)]
    B = [[game.B[i][j] + d[i] for j in range(n)] for i in range(m)]
    shifted = Game.from_arrays(A, B)
    assert equilibria(shifted) == equilibria(game)
    assert is_degenerate(shifted) == is_degenerate(game)


@SETTINGS
@given(any_games())
def test_swapping_players_swaps_equilibria(game: Game) -> None:
    """The game (B^T, A^T) has exactly the equilibria (y, x) for the equilibria (x, y)."""
    swapped = Game.from_arrays(transpose(game.B), transpose(game.A))
    assert equilibria(swapped) == {(y, x) for x, y in equilibria(game)}
    assert is_degenerate(swapped) == is_degenerate(game)


@SETTINGS
@given(any_games(), st.data())
def test_relabelling_strategies_permutes_equilibria(game: Game, data: st.DataObject) -> None:
    """Reordering each player's strategies reorders the equilibrium strategies the same way."""
    m, n = game.shape
    rows = data.draw(st.permutations(range(m)))
    cols = data.draw(st.permutations(range(n)))
    A = [[game.A[r][c] for c in cols] for r in rows]
    B = [[game.B[r][c] for c in cols] for r in rows]
    expected = {(tuple(x[r] for r in rows), tuple(y[c] for c in cols)) for x, y in equilibria(game)}
    assert equilibria(Game.from_arrays(A, B)) == expected


@SETTINGS
@given(any_games(), st.data())
def test_strictly_dominant_strategy_is_always_played(game: Game, data: st.DataObject) -> None:
    """With a strictly dominant row r the extreme equilibria are (r, j) for j best against r."""
    m, n = game.shape
    r = data.draw(st.integers(0, m - 1))
    A = [list(row) for row in game.A]
    for j in range(n):
        A[r][j] = max(A[i][j] for i in range(m)) + 1
    dominant = Game.from_arrays(A, game.B)
    best = max(game.B[r])
    expected = {(unit(r, m), unit(j, n)) for j in range(n) if game.B[r][j] == best}
    assert equilibria(dominant) == expected


@SETTINGS
@given(any_games(max_side=3), st.data())
def test_adding_a_strictly_dominated_row_changes_nothing(game: Game, data: st.DataObject) -> None:
    """A new row strictly dominated by an old one is never played; other equilibria stay."""
    m, n = game.shape
    k = data.draw(st.integers(0, m - 1), label="dominating row")
    at = data.draw(st.integers(0, m), label="position of the new row")
    gaps = data.draw(st.lists(st.integers(1, 5), min_size=n, max_size=n), label="gaps")
    b_new = data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n), label="new B row")
    A = [list(row) for row in game.A]
    B = [list(row) for row in game.B]
    A.insert(at, [a - g for a, g in zip(game.A[k], gaps, strict=True)])
    B.insert(at, [Fraction(b) for b in b_new])
    expected = {((*x[:at], Fraction(0), *x[at:]), y) for x, y in equilibria(game)}
    assert equilibria(Game.from_arrays(A, B)) == expected


@SETTINGS
@given(nondegenerate_games(any_games(max_side=3)))
def test_duplicating_a_played_row_splits_its_weight(game: Game) -> None:
    """A copy of a row played in equilibrium makes the game degenerate and splits that row's mass.

    With row i duplicated as row m, (x', y) is an equilibrium exactly when merging x'_m into
    x'_i gives an equilibrium (x, y); on a non-degenerate game each (x, y) is isolated, so its
    extreme copies put all of x_i on row i or all of it on row m.
    """
    x0, _ = solve_exact(game).equilibria[0]
    i = min(support(x0))
    doubled = Game.from_arrays([*game.A, game.A[i]], [*game.B, game.B[i]])
    expected = set()
    zero = Fraction(0)
    for x, y in equilibria(game):
        expected.add(((*x, zero), y))
        if x[i] > 0:
            moved = tuple(zero if k == i else p for k, p in enumerate(x))
            expected.add(((*moved, x[i]), y))
    assert is_degenerate(doubled)
    assert equilibria(doubled) == expected


@SETTINGS
@given(st.one_of(small_int_games(), wide_int_games(max_side=3)))
def test_zero_sum_equilibria_are_interchangeable_with_one_value(game: Game) -> None:
    """In a zero-sum game every extreme row strategy pairs with every extreme column strategy.

    Equilibrium strategies of a zero-sum game are interchangeable and all give the value
    (von Neumann 1928; Osborne and Rubinstein, A Course in Game Theory, 1994, Prop. 22.2).
    """
    zero_sum = Game.from_arrays(game.A, [[-a for a in row] for row in game.A])
    solution = solve_exact(zero_sum)
    rows, cols = solution.row_strategies, solution.col_strategies
    assert len(solution.pairs) == len(rows) * len(cols)
    values = {value(x, zero_sum.A, y) for x, y in solution.equilibria}
    assert len(values) == 1


@SETTINGS
@given(st.integers(1, 4), st.data())
def test_symmetric_games_have_a_symmetric_equilibrium(size: int, data: st.DataObject) -> None:
    """When B = A^T the equilibrium set is symmetric and contains some (x, x) (Nash 1951)."""
    element = data.draw(st.sampled_from([st.integers(-3, 3), st.integers(-(10**6), 10**6)]))
    A = data.draw(
        st.lists(st.lists(element, min_size=size, max_size=size), min_size=size, max_size=size)
    )
    found = equilibria(Game.from_arrays(A, [list(col) for col in zip(*A, strict=True)]))
    assert {(y, x) for x, y in found} == found
    assert any(x == y for x, y in found)


# --------------------------------------------------------------------------------------------
# (iii) Degeneracy detection
# --------------------------------------------------------------------------------------------


def test_all_zero_game_is_degenerate_with_four_pure_equilibria() -> None:
    """In the all-zero 2x2 game everything is an equilibrium: the extremes are the 4 pure pairs."""
    game = Game.from_arrays([[0, 0], [0, 0]], [[0, 0], [0, 0]])
    solution = solve_exact(game)
    assert solution.degenerate
    assert set(solution.equilibria) == {(unit(i, 2), unit(j, 2)) for i in (0, 1) for j in (0, 1)}


@pytest.mark.parametrize(
    ("w", "degenerate", "expected"),
    [
        # w = 2: row payoffs 3*y1 and 2*y1 + y2; column payoffs 2*x1 and x2. Pure equilibria
        # (top, left) and (bottom, right); the mixed one makes each opponent indifferent:
        # 3*y1 = y1 + 1 gives y1 = 1/2, and 2*x1 = 1 - x1 gives x1 = 1/3.
        (
            2,
            False,
            {
                (fr(1, 0), fr(1, 0)),
                (fr("1/3", "2/3"), fr("1/2", "1/2")),
                (fr(0, 1), fr(0, 1)),
            },
        ),
        # w = 3: bottom pays 3*y1 + y2 >= 3*y1, with equality only against left, so against
        # left both rows are best responses (degenerate). Any x with 2*x1 >= x2, i.e.
        # x1 >= 1/3, keeps left a best reply: the segment from (1/3, 2/3) to (1, 0) against
        # left, with 2 extreme points; against any y with y2 > 0 bottom is strictly best and
        # the reply is right, giving (bottom, right). 3 extreme equilibria.
        (
            3,
            True,
            {
                (fr(1, 0), fr(1, 0)),
                (fr("1/3", "2/3"), fr(1, 0)),
                (fr(0, 1), fr(0, 1)),
            },
        ),
        # w = 4: bottom pays 4*y1 + y2 > 3*y1 always, so bottom strictly dominates top and the
        # column player answers bottom with right: the unique equilibrium is (bottom, right).
        (4, False, {(fr(0, 1), fr(0, 1))}),
    ],
)
def test_degeneracy_switches_on_exactly_at_a_tie(
    w: int, degenerate: bool, expected: set[Pair]
) -> None:
    """A = [[3, 0], [w, 1]], B = [[2, 0], [0, 1]] is degenerate only at the tie w = 3."""
    game = Game.from_arrays([[3, 0], [w, 1]], [[2, 0], [0, 1]])
    solution = solve_exact(game)
    assert solution.degenerate is degenerate
    assert set(solution.equilibria) == expected


def test_duplicated_row_of_rock_paper_scissors_is_degenerate() -> None:
    """Rock-paper-scissors with rock listed twice is degenerate; rock's 1/3 goes to either copy.

    Merging the two rocks gives rock-paper-scissors, whose unique equilibrium is uniform; the
    column player must still mix uniformly, so the row player's equilibria are the segment
    between putting rock's 1/3 on the first copy and putting it on the second.
    """
    A = [[0, -1, 1], [1, 0, -1], [-1, 1, 0], [0, -1, 1]]
    B = [[-a for a in row] for row in A]
    third = Fraction(1, 3)
    solution = solve_exact(Game.from_arrays(A, B))
    assert solution.degenerate
    assert set(solution.equilibria) == {
        ((third, third, third, Fraction(0)), (third, third, third)),
        ((Fraction(0), third, third, third), (third, third, third)),
    }


def test_duplicated_column_of_battle_of_the_sexes_is_degenerate() -> None:
    """Repeating a column of battle of the sexes makes it degenerate, with each answer doubled.

    Equilibria of the original (Osborne 2004, 2.7.2): (B, B), (S, S) and ((2/3, 1/3),
    (1/3, 2/3)); the column player's weight on Stravinsky can sit on either copy.
    """
    game = Game.from_arrays([[2, 0, 0], [0, 1, 1]], [[1, 0, 0], [0, 2, 2]])
    assert is_degenerate(game)
    assert equilibria(game) == {
        (fr(1, 0), fr(1, 0, 0)),
        (fr(0, 1), fr(0, 1, 0)),
        (fr(0, 1), fr(0, 0, 1)),
        (fr("2/3", "1/3"), fr("1/3", "2/3", 0)),
        (fr("2/3", "1/3"), fr("1/3", 0, "2/3")),
    }


def test_pure_strategy_with_two_best_responses_is_degenerate() -> None:
    """A 1x2 game with a tie for the column player is degenerate (1 strategy, 2 best replies)."""
    game = Game.from_arrays([[1, 2]], [[5, 5]])
    solution = solve_exact(game)
    assert solution.degenerate
    assert set(solution.equilibria) == {(fr(1), fr(1, 0)), (fr(1), fr(0, 1))}


def test_one_by_one_game_is_nondegenerate() -> None:
    """The 1x1 game has one strategy each, one best response each: non-degenerate, one answer."""
    solution = solve_exact(Game.from_arrays([[7]], [[-7]]))
    assert not solution.degenerate
    assert solution.equilibria == ((fr(1), fr(1)),)


def test_float_payoffs_are_compared_exactly() -> None:
    """0.1 + 0.2 and 0.3 differ as floats, so no tie; as fractions 1/10 + 2/10 = 3/10 ties."""
    as_floats = Game.from_arrays([[0.1 + 0.2], [0.3]], [[0.0], [0.0]])
    as_fractions = Game.from_arrays([[Fraction(3, 10)], [Fraction(3, 10)]], [[0], [0]])
    assert not is_degenerate(as_floats)
    assert equilibria(as_floats) == {(fr(1, 0), fr(1))}  # 0.30000000000000004 > 0.3
    assert is_degenerate(as_fractions)
    assert equilibria(as_fractions) == {(fr(1, 0), fr(1)), (fr(0, 1), fr(1))}


@pytest.mark.parametrize(
    "game",
    [
        Game.from_arrays([[0, 0], [0, 0]], [[0, 0], [0, 0]]),
        Game.from_arrays([[3, 0], [3, 1]], [[2, 0], [0, 1]]),
        Game.from_arrays([[1, 2]], [[5, 5]]),
    ],
    ids=["all-zero", "w=3", "1x2-tie"],
)
def test_degenerate_games_stay_degenerate_under_affine_changes(game: Game) -> None:
    """Degeneracy is a property of best responses, so 5*A - 7 and 2*B + 1 keep it."""
    changed = Game.from_arrays(
        [[5 * a - 7 for a in row] for row in game.A], [[2 * b + 1 for b in row] for row in game.B]
    )
    assert is_degenerate(changed)
    assert equilibria(changed) == equilibria(game)


# --------------------------------------------------------------------------------------------
# (iv) Known answers from the literature
# --------------------------------------------------------------------------------------------


def test_von_stengel_3x2_example() -> None:
    """Von Stengel 2007 (AGT ch. 3) 3x2 example: exactly three equilibria, verified by hand.

    A = [[3, 3], [2, 5], [0, 6]], B = [[3, 2], [2, 6], [3, 1]].
    * x = (1, 0, 0): columns pay 3 and 2, so left; against left rows pay 3, 2, 0: top.
    * x = (4/5, 1/5, 0): columns pay 12/5 + 2/5 = 14/5 and 8/5 + 6/5 = 14/5; y = (2/3, 1/3):
      rows pay 3, 4/3 + 5/3 = 3 and 2, so the support {top, middle} is best.
    * x = (0, 1/3, 2/3): columns pay 2/3 + 2 = 8/3 and 2 + 2/3 = 8/3; y = (1/3, 2/3): rows
      pay 3, 2/3 + 10/3 = 4 and 4, so {middle, bottom} is best.
    """
    game = Game.from_arrays([[3, 3], [2, 5], [0, 6]], [[3, 2], [2, 6], [3, 1]])
    solution = solve_exact(game)
    assert not solution.degenerate
    assert set(solution.equilibria) == {
        (fr(1, 0, 0), fr(1, 0)),
        (fr("4/5", "1/5", 0), fr("2/3", "1/3")),
        (fr(0, "1/3", "2/3"), fr("1/3", "2/3")),
    }


def test_degenerate_variant_of_the_von_stengel_example() -> None:
    """Raising B[0][1] from 2 to 3 in the 3x2 example makes top tie both columns (derived by hand).

    Against top both columns pay 3, so any y keeping top a best reply works: top pays 3,
    middle 2*y1 + 5*y2 and bottom 6*y2, so y1 >= 2/3 (middle) and y1 >= 1/2 (bottom): the
    segment from (2/3, 1/3) to (1, 0). The old mixed equilibrium ((4/5, 1/5, 0), (2/3, 1/3))
    dies (right now pays 18/5 > 14/5 to the column player); ((0, 1/3, 2/3), (1/3, 2/3)) does
    not involve B's first row and survives.
    """
    game = Game.from_arrays([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    solution = solve_exact(game)
    assert solution.degenerate
    assert set(solution.equilibria) == {
        (fr(1, 0, 0), fr(1, 0)),
        (fr(1, 0, 0), fr("2/3", "1/3")),
        (fr(0, "1/3", "2/3"), fr("1/3", "2/3")),
    }


def test_nashpy_issue_82_degenerate_game() -> None:
    """The degenerate 3x5 game of nashpy issue #82 has the 8 extreme equilibria listed there.

    https://github.com/drvinceknight/Nashpy/issues/82: the players there minimise, so the
    game solved is (-A, -B); the 8 equilibria were confirmed in the issue with an independent
    support enumeration and Savani's online solver.
    """
    A = [[0, 0, 6, 0, 0], [0, 0, 3, 2, 1], [4, 3, 0, 0, 1]]
    B = [[3, 0, 2, 1, 0], [0, 2, 0, 0, 4], [4, 0, 2, 4, 4]]
    game = Game.from_arrays([[-a for a in row] for row in A], [[-b for b in row] for row in B])
    solution = solve_exact(game)
    assert solution.degenerate
    assert set(solution.equilibria) == {
        (fr(1, 0, 0), fr(0, 1, 0, 0, 0)),
        (fr(1, 0, 0), fr(0, 0, 0, 0, 1)),
        (fr("2/3", "1/3", 0), fr(0, 1, 0, 0, 0)),
        (fr("1/3", "1/2", "1/6"), fr(0, "4/9", "2/9", "1/3", 0)),
        (fr(0, "1/2", "1/2"), fr(0, "1/2", "1/2", 0, 0)),
        (fr(0, 1, 0), fr("3/7", 0, "4/7", 0, 0)),
        (fr(0, 1, 0), fr(1, 0, 0, 0, 0)),
        (fr(0, 1, 0), fr("3/8", 0, "1/4", "3/8", 0)),
    }


def test_nashpy_issue_222_continuum() -> None:
    """Nashpy issue #222's game has the continuum ((p, 1 - p), left) for p in [0, 2/7].

    https://github.com/drvinceknight/Nashpy/issues/222, A = [[-3, 3], [-3, 5]],
    B = [[2, 7], [4, 2]]. Derived by hand: against left both rows pay -3; left pays the column
    player 2p + 4(1 - p) and right 7p + 2(1 - p), so left is a best reply iff p <= 2/7.
    Against any y with y2 > 0 bottom is strictly better (5 > 3), and the reply to bottom is
    left: no other equilibrium. Extreme points: p = 0 and p = 2/7.
    """
    game = Game.from_arrays([[-3, 3], [-3, 5]], [[2, 7], [4, 2]])
    solution = solve_exact(game)
    assert solution.degenerate
    assert set(solution.equilibria) == {(fr(0, 1), fr(1, 0)), (fr("2/7", "5/7"), fr(1, 0))}


def test_indifferent_column_player_gives_a_segment() -> None:
    """A = B = [[1, 1], [0, 0]]: top is strictly dominant and the column player indifferent.

    Derived by hand: the row player always plays top; against top both columns pay 1, so
    every y is a best reply: the equilibria are (top, y) for all y, with extremes left, right.
    """
    game = Game.from_arrays([[1, 1], [0, 0]], [[1, 1], [0, 0]])
    solution = solve_exact(game)
    assert solution.degenerate
    assert set(solution.equilibria) == {(fr(1, 0), fr(1, 0)), (fr(1, 0), fr(0, 1))}


def test_exact_solution_equilibria_property_matches_pairs() -> None:
    """ExactSolution.equilibria reads the index pairs into the strategy lists."""
    solution = ExactSolution(
        row_strategies=(fr(1, 0), fr(0, 1)),
        col_strategies=(fr(1, 0),),
        pairs=((1, 0), (0, 0)),
        degenerate=True,
    )
    assert solution.equilibria == ((fr(0, 1), fr(1, 0)), (fr(1, 0), fr(1, 0)))


def test_matches_the_closed_form_solution_of_2x2_games() -> None:
    """On seeded random non-degenerate 2x2 games, equilibria match a hand-written 2x2 solver.

    For 2x2 games the equilibria are the pure mutual best replies plus, when both players'
    indifference probabilities lie strictly inside (0, 1), the fully mixed pair.
    """
    rng = np.random.default_rng(2222)
    checked = 0
    for _ in range(200):
        A = rng.integers(-9, 10, size=(2, 2)).tolist()
        B = rng.integers(-9, 10, size=(2, 2)).tolist()
        game = Game.from_arrays(A, B)
        if is_degenerate(game):
            continue
        checked += 1
        expected = set()
        for i, j in itertools.product(range(2), range(2)):
            if A[i][j] >= A[1 - i][j] and B[i][j] >= B[i][1 - j]:
                expected.add((unit(i, 2), unit(j, 2)))
        # Row p = P(top) makes the column player indifferent; q = P(left) the row player.
        db = B[0][0] - B[0][1] - B[1][0] + B[1][1]
        da = A[0][0] - A[0][1] - A[1][0] + A[1][1]
        if db != 0 and da != 0:
            p = Fraction(B[1][1] - B[1][0], db)
            q = Fraction(A[1][1] - A[0][1], da)
            if 0 < p < 1 and 0 < q < 1:
                expected.add(((p, 1 - p), (q, 1 - q)))
        assert equilibria(game) == expected
    assert checked > 100
