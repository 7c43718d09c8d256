"""Payoff matrices: weights times scores, exactly, and the per-cell breakdown."""

from __future__ import annotations

from fractions import Fraction

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given

from negotiation import Game, Scenario, cell_breakdown, load, payoff_matrices

numbers = st.fractions(min_value=-10, max_value=10, max_denominator=20)


@st.composite
def criteria_scenarios(draw: st.DrawFn) -> Scenario:
    """A valid criteria scenario of random shape, criteria, scores and (sparse) weights."""
    m, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    k = draw(st.integers(1, 4))
    table = st.lists(st.lists(numbers, min_size=n, max_size=n), min_size=m, max_size=m)
    criteria = {f"c{i}": {"scores": draw(table)} for i in range(k)}
    weights = {
        pid: draw(st.dictionaries(st.sampled_from(sorted(criteria)), numbers)) for pid in ("a", "b")
    }
    data = {
        "name": "random",
        "players": [
            {"id": "a", "strategies": [f"r{i}" for i in range(m)]},
            {"id": "b", "strategies": [f"s{j}" for j in range(n)]},
        ],
        "criteria": criteria,
        "weights": weights,
    }
    return Scenario.from_dict(data)


@given(criteria_scenarios())
def test_payoff_is_the_weighted_sum_of_scores(scenario: Scenario) -> None:
    """Each payoff equals sum_k weight[p][k] * scores_k, with unweighted criteria counting 0."""
    game = payoff_matrices(scenario)
    for pid, matrix in zip(scenario.player_ids, (game.A, game.B), strict=True):
        expected = sum(
            (
                np.array(c.scores, dtype=object) * scenario.weights[pid].get(c.id, Fraction(0))
                for c in scenario.criteria
            ),
            np.zeros(scenario.shape, dtype=object),
        )
        assert [list(row) for row in matrix] == expected.tolist()


@given(criteria_scenarios(), numbers)
def test_payoffs_are_linear_in_a_weight(scenario: Scenario, delta: Fraction) -> None:
    """Raising one weight by delta adds delta times that criterion's scores, nothing else."""
    criterion = scenario.criteria[0]
    old = scenario.weights["a"].get(criterion.id, Fraction(0))
    changed = scenario.with_overrides({f"weights.a.{criterion.id}": old + delta})
    before, after = payoff_matrices(scenario), payoff_matrices(changed)
    m, n = scenario.shape
    for r in range(m):
        for c in range(n):
            assert after.A[r][c] - before.A[r][c] == delta * criterion.scores[r][c]
            assert after.B[r][c] == before.B[r][c]


@given(criteria_scenarios())
def test_breakdown_terms_sum_to_the_payoff(scenario: Scenario) -> None:
    """In every cell, the breakdown's weight x score terms add up to the payoff matrix entry."""
    game = payoff_matrices(scenario)
    m, n = scenario.shape
    for r in range(m):
        for c in range(n):
            cell = cell_breakdown(scenario, r, c)
            for pid, matrix in zip(scenario.player_ids, (game.A, game.B), strict=True):
                assert sum((t.value for t in cell.terms[pid]), Fraction(0)) == matrix[r][c]
                assert cell.totals[pid] == matrix[r][c]


def test_rare_earth_payoffs_by_hand() -> None:
    """Both payoffs of an accepted full offer, computed by hand from games/rare_earth.toml.

    US (weight x score): supply 1 x 1/2 + law 1 x -2 + allies 0.8 x -2 + dependence
    0.8 x -1/2 + cost 0.6 x 0 + revenue -0.3 x 1/2 = 0.5 - 2 - 1.6 - 0.4 - 0.15 = -73/20.
    Russia: revenue 1 x 1/2 + sanctions 1 x 1/2 + law -1 x -2 + allies -1 x -2 + dependence
    -0.5 x -1/2 + China 0.5 x -1 + deposits 0.5 x -3/2 = 0.5 + 0.5 + 2 + 2 + 0.25 - 0.5 - 0.75
    = 4.
    """
    game = payoff_matrices(load("rare-earth"))
    assert game.A[0][0] == Fraction(-73, 20)
    assert game.B[0][0] == 4


def test_direct_tables_are_used_as_given() -> None:
    """A direct-payoff scenario's matrices are its tables (Axelrod 1984 payoffs for the PD)."""
    game = payoff_matrices(load("prisoners-dilemma"))
    assert game.A == ((3, 0), (5, 1))
    assert game.B == ((3, 5), (0, 1))
    cell = cell_breakdown(load("prisoners-dilemma"), "defect", "cooperate")
    assert cell.terms == {"row": (), "column": ()}
    assert cell.totals == {"row": 5, "column": 0}


def test_game_from_floats_is_exact_binary_value() -> None:
    """Floats become the exact rational of their binary value, so 0.1 is not 1/10."""
    game = Game.from_arrays(np.array([[0.1]]), [[1]])
    assert game.A[0][0] == Fraction(0.1)
    assert game.A[0][0] != Fraction(1, 10)


@pytest.mark.parametrize(
    ("A", "B", "error"),
    [
        ([[1, 2], [3]], [[1, 2], [3, 4]], ValueError),
        ([[1, 2]], [[1], [2]], ValueError),
        ([[float("nan")]], [[1]], ValueError),
        ([[True]], [[1]], TypeError),
        ([["1"]], [[1]], TypeError),
    ],
)
def test_game_rejects_bad_arrays(A: object, B: object, error: type[Exception]) -> None:
    """Ragged, mismatched, non-finite and non-numeric payoffs are refused."""
    with pytest.raises(error):
        Game.from_arrays(A, B)


def test_cell_breakdown_rejects_unknown_strategy() -> None:
    """An unknown strategy id in a cell breakdown raises KeyError naming the choices."""
    with pytest.raises(KeyError, match="accept, reject, diversify"):
        cell_breakdown(load("rare-earth"), "surrender", "full")
