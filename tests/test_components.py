"""Maximal Nash subsets (maximal bicliques) and components of the extreme-equilibrium graph."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from property import SETTINGS, any_games, small_int_games

from negotiation.model.payoffs import Game
from negotiation.solvers.components import Component, NashSubset, components, maximal_nash_subsets
from negotiation.solvers.equilibria import is_equilibrium_exact
from negotiation.solvers.exact import solve_exact

Edges = list[tuple[int, int]]


def subsets_of(edges: Edges) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    """maximal_nash_subsets as a set of (rows, cols) tuples."""
    return {(s.rows, s.cols) for s in maximal_nash_subsets(edges)}


# --------------------------------------------------------------------------------------------
# Hand-made bipartite graphs (edge (i, j): row strategy i against column strategy j)
# --------------------------------------------------------------------------------------------


def test_single_edge() -> None:
    """One extreme equilibrium is one isolated component with one subset."""
    assert maximal_nash_subsets([(0, 0)]) == (NashSubset((0,), (0,)),)
    (component,) = components([(0, 0)])
    assert component.isolated
    assert component == Component((0,), (NashSubset((0,), (0,)),))


def test_path_of_three_edges() -> None:
    """Path r0-c0-r1-c1: two overlapping edges-pairs, {r0,r1}x{c0} and {r1}x{c0,c1}, one piece."""
    edges = [(0, 0), (1, 0), (1, 1)]
    assert maximal_nash_subsets(edges) == (
        NashSubset((0, 1), (0,)),
        NashSubset((1,), (0, 1)),
    )
    (component,) = components(edges)
    assert component.equilibria == (0, 1, 2)
    assert not component.isolated


def test_path_of_four_edges() -> None:
    """Path r0-c0-r1-c1-r2: three maximal bicliques, each a star around an inner vertex."""
    edges = [(0, 0), (1, 0), (1, 1), (2, 1)]
    assert subsets_of(edges) == {((0, 1), (0,)), ((1,), (0, 1)), ((1, 2), (1,))}
    assert [c.equilibria for c in components(edges)] == [(0, 1, 2, 3)]


def test_star_around_a_row_strategy() -> None:
    """A row strategy joined to three column strategies is a single subset {r0} x {c0,c1,c2}."""
    edges = [(0, 0), (0, 1), (0, 2)]
    assert maximal_nash_subsets(edges) == (NashSubset((0,), (0, 1, 2)),)
    assert components(edges) == (Component((0, 1, 2), (NashSubset((0,), (0, 1, 2)),)),)


def test_star_around_a_column_strategy() -> None:
    """A column strategy joined to three row strategies is a single subset {r0,r1,r2} x {c0}."""
    edges = [(0, 0), (1, 0), (2, 0)]
    assert maximal_nash_subsets(edges) == (NashSubset((0, 1, 2), (0,)),)


def test_complete_bipartite_k22() -> None:
    """K_{2,2} is one biclique: every mix of the two rows against every mix of the two columns."""
    edges = [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert maximal_nash_subsets(edges) == (NashSubset((0, 1), (0, 1)),)
    assert components(edges) == (Component((0, 1, 2, 3), (NashSubset((0, 1), (0, 1)),)),)


def test_two_disjoint_pieces() -> None:
    """An isolated edge and a separate star form two components with their own subsets."""
    edges = [(0, 0), (1, 1), (2, 1)]
    assert components(edges) == (
        Component((0,), (NashSubset((0,), (0,)),)),
        Component((1, 2), (NashSubset((1, 2), (1,)),)),
    )


def test_six_cycle_has_six_maximal_bicliques() -> None:
    """The 6-cycle r0-c0-r2-c2-r1-c1-r0 has no 2x2 biclique: its 6 maximal ones are 1x2 and 2x1."""
    edges = [(0, 0), (0, 1), (1, 1), (1, 2), (2, 2), (2, 0)]
    assert subsets_of(edges) == {
        ((0,), (0, 1)),
        ((1,), (1, 2)),
        ((2,), (0, 2)),
        ((0, 2), (0,)),
        ((0, 1), (1,)),
        ((1, 2), (2,)),
    }
    assert len(components(edges)) == 1


def test_biclique_plus_pendant_edge() -> None:
    """K_{2,2} with an extra edge r1-c2: subsets {r0,r1}x{c0,c1} and {r1}x{c0,c1,c2}."""
    edges = [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]
    assert subsets_of(edges) == {((0, 1), (0, 1)), ((1,), (0, 1, 2))}


def test_no_edges() -> None:
    """An empty graph has no subsets and no components."""
    assert maximal_nash_subsets([]) == ()
    assert components([]) == ()


# --------------------------------------------------------------------------------------------
# Random bipartite graphs against the definition, by brute force
# --------------------------------------------------------------------------------------------


def brute_force_maximal_bicliques(edges: Edges) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every (X, Y), X and Y non-empty, with X x Y inside the edges and not inside a larger one."""
    rows = sorted({i for i, _ in edges})
    cols = sorted({j for _, j in edges})
    edge_set = set(edges)

    def nonempty_subsets(items: list[int]) -> list[tuple[int, ...]]:
        return [s for r in range(1, len(items) + 1) for s in itertools.combinations(items, r)]

    bicliques = [
        (x, y)
        for x in nonempty_subsets(rows)
        for y in nonempty_subsets(cols)
        if all((i, j) in edge_set for i in x for j in y)
    ]
    return {
        (x, y)
        for x, y in bicliques
        if not any(
            (set(x) <= set(x2) and set(y) <= set(y2)) and (x, y) != (x2, y2) for x2, y2 in bicliques
        )
    }


def brute_force_components(edges: Edges) -> set[tuple[int, ...]]:
    """Edge indices grouped by connectivity (two edges touch when they share an end)."""
    groups: list[set[int]] = []
    for e, (i, j) in enumerate(edges):
        touching = [g for g in groups if any(edges[f][0] == i or edges[f][1] == j for f in g)]
        merged = {e}.union(*touching)
        groups = [g for g in groups if g not in touching] + [merged]
    return {tuple(sorted(g)) for g in groups}


bipartite_graphs = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=14, unique=True
)


@SETTINGS
@given(bipartite_graphs)
def test_maximal_nash_subsets_match_the_definition(edges: Edges) -> None:
    """On random bipartite graphs the subsets are exactly the maximal bicliques, by brute force."""
    found = maximal_nash_subsets(edges)
    assert len(set(found)) == len(found)
    assert {(s.rows, s.cols) for s in found} == brute_force_maximal_bicliques(edges)


@SETTINGS
@given(bipartite_graphs)
def test_components_match_the_definition(edges: Edges) -> None:
    """Components partition the edges into connected pieces, each with its own bicliques."""
    found = components(edges)
    assert {c.equilibria for c in found} == brute_force_components(edges)
    assert sorted(e for c in found for e in c.equilibria) == list(range(len(edges)))
    for c in found:
        own = [edges[e] for e in c.equilibria]
        assert {(s.rows, s.cols) for s in c.subsets} == brute_force_maximal_bicliques(own)
        assert c.isolated == (len(c.equilibria) == 1)
    # Every maximal biclique of the whole graph lies in exactly one component.
    assert sorted((s.rows, s.cols) for c in found for s in c.subsets) == sorted(
        (s.rows, s.cols) for s in maximal_nash_subsets(edges)
    )


# --------------------------------------------------------------------------------------------
# On games: the subsets really are sets of equilibria
# --------------------------------------------------------------------------------------------


def random_mix(
    rng: np.random.Generator, points: list[tuple[Fraction, ...]]
) -> tuple[Fraction, ...]:
    """A convex combination of ``points`` with random positive rational weights."""
    weights = [Fraction(int(w)) for w in rng.integers(1, 20, size=len(points))]
    total = sum(weights)
    return tuple(
        sum((w * p[k] for w, p in zip(weights, points, strict=True)), Fraction(0)) / total
        for k in range(len(points[0]))
    )


def check_subsets_are_equilibria(game: Game, rng: np.random.Generator, draws: int = 5) -> int:
    """Assert random mixes within each maximal Nash subset are equilibria; count the subsets."""
    solution = solve_exact(game)
    count = 0
    for subset in maximal_nash_subsets(solution.pairs):
        rows = [solution.row_strategies[i] for i in subset.rows]
        cols = [solution.col_strategies[j] for j in subset.cols]
        for _ in range(draws):
            x, y = random_mix(rng, rows), random_mix(rng, cols)
            assert is_equilibrium_exact(game, x, y), (subset, x, y)
        count += 1
    return count


def test_convex_combinations_in_subsets_of_seeded_degenerate_games_are_equilibria() -> None:
    """In 300 seeded random small-integer games, mixes inside every maximal Nash subset hold."""
    rng = np.random.default_rng(4242)
    non_trivial = 0
    for _ in range(300):
        m, n = (int(v) for v in rng.integers(2, 5, size=2))
        game = Game.from_arrays(rng.integers(-2, 3, size=(m, n)), rng.integers(-2, 3, size=(m, n)))
        check_subsets_are_equilibria(game, rng)
        pairs = solve_exact(game).pairs
        non_trivial += any(len(s.rows) * len(s.cols) > 1 for s in maximal_nash_subsets(pairs))
    assert non_trivial > 50  # the sample really contains continua of equilibria


@SETTINGS
@given(small_int_games(), st.integers(0, 2**32 - 1))
def test_convex_combinations_in_subsets_are_equilibria(game: Game, seed: int) -> None:
    """Every random mix of a maximal Nash subset's extreme strategies is an exact equilibrium."""
    assert check_subsets_are_equilibria(game, np.random.default_rng(seed)) >= 1


@SETTINGS
@given(any_games())
def test_unjoined_extreme_strategies_are_not_equilibria(game: Game) -> None:
    """Two extreme strategies not joined by an edge are not an equilibrium, so the graph is whole.

    Both are normalised vertices of the best-response polytopes; if they formed an equilibrium
    they would be a completely labelled vertex pair, i.e. an extreme equilibrium.
    """
    solution = solve_exact(game)
    pairs = set(solution.pairs)
    for i, x in enumerate(solution.row_strategies):
        for j, y in enumerate(solution.col_strategies):
            assert is_equilibrium_exact(game, x, y) == ((i, j) in pairs)


def test_all_zero_game_is_one_square_of_equilibria() -> None:
    """All-zero 2x2: every strategy pair is an equilibrium, one component, one subset of all 4."""
    solution = solve_exact(Game.from_arrays([[0, 0], [0, 0]], [[0, 0], [0, 0]]))
    (component,) = components(solution.pairs)
    assert component.equilibria == (0, 1, 2, 3)
    assert component.subsets == (NashSubset((0, 1), (0, 1)),)
    assert len(solution.row_strategies) == len(solution.col_strategies) == 2


def test_nashpy_issue_82_game_structure() -> None:
    """Nashpy issue #82's game: a path, a star of three, and two isolated equilibria.

    From its 8 extreme equilibria (see test_exact): row (1, 0, 0) meets two columns and
    column (0, 1, 0, 0, 0) two rows (a 3-edge path); row (0, 1, 0) meets three columns (a star);
    the two remaining equilibria share no strategy with anything.
    """
    A = [[0, 0, 6, 0, 0], [0, 0, 3, 2, 1], [4, 3, 0, 0, 1]]
    B = [[3, 0, 2, 1, 0], [0, 2, 0, 0, 4], [4, 0, 2, 4, 4]]
    game = Game.from_arrays([[-a for a in row] for row in A], [[-b for b in row] for row in B])
    solution = solve_exact(game)
    found = components(solution.pairs)
    shapes = sorted(sorted((len(s.rows), len(s.cols)) for s in c.subsets) for c in found)
    assert shapes == [[(1, 1)], [(1, 1)], [(1, 2), (2, 1)], [(1, 3)]]
    check_subsets_are_equilibria(game, np.random.default_rng(82))


@pytest.mark.parametrize(
    ("A", "B", "segments"),
    [
        # Nashpy issue #222 (derived in test_exact): ((p, 1 - p), left) for p in [0, 2/7].
        ([[-3, 3], [-3, 5]], [[2, 7], [4, 2]], [(2, 1)]),
        # A = B = [[1, 1], [0, 0]]: top against any column mix.
        ([[1, 1], [0, 0]], [[1, 1], [0, 0]], [(1, 2)]),
        # A = [[3, 0], [3, 1]], B = [[2, 0], [0, 1]]: a segment and the isolated (bottom, right).
        ([[3, 0], [3, 1]], [[2, 0], [0, 1]], [(1, 1), (2, 1)]),
    ],
)
def test_known_continua(
    A: list[list[int]], B: list[list[int]], segments: list[tuple[int, int]]
) -> None:
    """Hand-derived degenerate games have the expected components, one subset each."""
    solution = solve_exact(Game.from_arrays(A, B))
    found = components(solution.pairs)
    assert all(len(c.subsets) == 1 for c in found)
    assert sorted((len(c.subsets[0].rows), len(c.subsets[0].cols)) for c in found) == segments
