"""Sweeps at every scale: the batched engine gives the per-game exact solver's answer.

Issue 8, section 1: the default (batched) sweep computed payoffs as ``(1 - v) C0 + v C1``
in floating point, which cancels for large ``v``, and trusted those floats; it reported
wrong equilibria, crashed, or failed on finite values near 1e100. Each example the issue
names is a regression test below (the scenarios are built to match its description; each
failed with the old code, as the test's docstring says), and a property test compares
the two engines on random scenarios with numbers from 1e-12 to 1e15 and mixed scales.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings

from negotiation import solve
from negotiation.model.scenario import Scenario
from negotiation.studies.family import GameFamily
from negotiation.studies.sweep import Axis, Grid, change_points, solve_points, sweep


def _number(x: object) -> Decimal | Fraction:
    """An exact number for a scenario: a Fraction as it is, anything else as a decimal."""
    return x if isinstance(x, Fraction) else Decimal(str(x))


def criteria_scenario(
    shape: tuple[int, int],
    scores: dict[str, list[list[Any]]],
    weights: dict[str, dict[str, Any]],
) -> Scenario:
    """A scenario with players ``row`` (r1, r2, ...) and ``col`` (c1, ...) and criteria."""
    m, n = shape
    return Scenario.from_dict(
        {
            "name": "scale",
            "players": [
                {"id": "row", "strategies": [f"r{i + 1}" for i in range(m)]},
                {"id": "col", "strategies": [f"c{j + 1}" for j in range(n)]},
            ],
            "criteria": {
                k: {"scores": [[_number(x) for x in row] for row in table]}
                for k, table in scores.items()
            },
            "weights": {p: {k: _number(v) for k, v in w.items()} for p, w in weights.items()},
        }
    )


def table_scenario(A: list[list[Any]], B: list[list[Any]]) -> Scenario:
    """A scenario with direct payoff tables ``row`` and ``col``."""
    return Scenario.from_dict(
        {
            "name": "scale",
            "players": [
                {"id": "row", "strategies": [f"r{i + 1}" for i in range(len(A))]},
                {"id": "col", "strategies": [f"c{j + 1}" for j in range(len(A[0]))]},
            ],
            "payoffs": {
                "row": [[_number(x) for x in r] for r in A],
                "col": [[_number(x) for x in r] for r in B],
            },
        }
    )


def assert_batch_equals_per_game(scenario: Scenario, grid: Grid) -> None:
    """Check every point solves alike in both engines.

    Same equilibria (supports exactly, probabilities within 1e-9 relative or 1e-10
    absolute), same degenerate, pure and component columns, equal pure payoffs.
    """
    batch = dict(solve_points(scenario, grid, solver="batch"))
    alone = dict(solve_points(scenario, grid, solver="per-game", method="exact"))
    assert sorted(batch) == sorted(alone) == list(range(len(grid)))
    for point, expected in alone.items():
        got = batch[point]
        assert len(got) == len(expected), (point, got, expected)
        for row, exact in zip(got, expected, strict=True):
            for column, value in exact.items():
                if column.startswith("prob."):
                    assert (row[column] > 0) == (value > 0), (point, column)
                    assert math.isclose(row[column], value, rel_tol=1e-9, abs_tol=1e-10)
                elif column.startswith("payoff."):
                    continue  # floats of a mixed payoff; checked where pure below
                else:
                    assert row[column] == value, (point, column)
            if exact["pure"]:  # a pure payoff is one payoff entry, correctly rounded
                assert [row[c] for c in row if c.startswith("payoff.")] == [
                    exact[c] for c in exact if c.startswith("payoff.")
                ]


# Each example of issue 8, section 1, built to its description.
GDP = table_scenario(
    [["21.42e12", "20.62e12"], ["22.38e12", "20.93e12"]],
    [["20.4e12", "22.41e12"], ["25.51e12", "24.8e12"]],
)
TINY_WEIGHT = criteria_scenario(
    (3, 3),
    {
        "base": [[3, 1, 0], [2, 2, 1], [0, 1, 3]],
        "t": [["1e15", "2e15", 0], [0, "1e15", "2e15"], ["2e15", 0, "1e15"]],
    },
    {"row": {"base": 1, "t": "1e-15"}, "col": {"base": 1}},
)
PER_DOLLAR = criteria_scenario(
    (3, 3),
    {
        "revenue": [
            ["1.5e9", "2e9", "0.5e9"],
            ["1e9", "2.5e9", "1e9"],
            ["2e9", "0.5e9", "1.5e9"],
        ],
        "risk": [[1, 0, 2], [0, 2, 1], [2, 1, 0]],
    },
    {"row": {"revenue": "1e-9", "risk": -1}, "col": {"revenue": "-1e-9", "risk": 1}},
)
BASELINE_1000 = criteria_scenario(
    (3, 3),
    {
        "gain": [[0, 0.75, 0.5], [0.25, 1, 0], [0.5, 0, 0]],
        "base": [
            ["1000.000665", "1000.000554", "1000.000009"],
            ["1000.000961", "1000.000902", "1000.000390"],
            ["1000.000702", "1000.000221", "1000.000992"],
        ],
    },
    {"row": {"gain": 1}, "col": {"base": 1}},
)
TWO_WEIGHTS = criteria_scenario(
    (3, 3),
    {
        "a": [[1, 0, 0.5], [0, 1, 0.25], [0.5, 0.5, 0]],
        "b": [[0, 1, 0.3], [1, 0, 0.6], [0.2, 0.8, 0.4]],
        "base": [[3, 1, 2], [1, 3, 2], [2, 2, 1]],
        "col": [
            ["1000.0000013", "1000.0000021", "1000.0000017"],
            ["1000.0000023", "1000.0000011", "1000.0000019"],
            ["1000.0000018", "1000.0000016", "1000.0000012"],
        ],
    },
    {"row": {"a": 1, "b": 1, "base": 1}, "col": {"col": 1}},
)
NEAR_1E100 = criteria_scenario(
    (2, 2),
    {"a": [["1e100", 0], [0, "9e99"]], "b": [[1, "1e100"], ["3e99", 2]]},
    {"row": {"a": 1, "b": 1}, "col": {"a": -1, "b": "1e100"}},
)


@pytest.mark.parametrize(
    ("scenario", "specs"),
    [
        pytest.param(GDP, ["payoffs.row[r1][c1]=20e12:26e12:7"], id="gdp-2x2"),
        pytest.param(TINY_WEIGHT, ["criteria.t.scores[r1][c1]=1e15:3e15:21"], id="weight-1e-15"),
        pytest.param(
            PER_DOLLAR, ["criteria.revenue.scores[r2][c2]=1e9:3e9:41"], id="per-dollar-1e-9"
        ),
        pytest.param(BASELINE_1000, ["weights.row.gain=0:1e7:41"], id="baseline-1000-to-1e7"),
        pytest.param(
            TWO_WEIGHTS, ["weights.row.a=0:1e4:11", "weights.row.b=0:1e4:11"], id="2d-to-1e4"
        ),
        pytest.param(
            NEAR_1E100, ["weights.row.a=1e99:1e100:3", "weights.row.b=1e99:1e100:3"], id="1e100"
        ),
    ],
)
def test_issue_examples_batch_equals_per_game(scenario: Scenario, specs: list[str]) -> None:
    """Each scale the issue names: the batched sweep equals the per-game exact sweep.

    With the old interpolated floats these gave, in order: 4 of 7 points wrong; "batch
    solver returned non-equilibria"; 32 of 41 wrong; 40 of 41 wrong; "batch solver
    returned non-equilibria"; "payoffs must be finite".
    """
    grid = Grid(tuple(Axis.parse_range(spec) for spec in specs))
    assert_batch_equals_per_game(scenario, grid)


def test_gdp_sweep_payoffs_are_the_exact_dollars() -> None:
    """Pure payoffs are the exact dollars (were off by $4.2 billion), mixed ones to 1e-12."""
    grid = Grid((Axis.parse_range("payoffs.row[r1][c1]=20e12:26e12:7"),))
    result = sweep(GDP, grid)
    for point, rows in result.points().items():
        exact = solve(GDP.with_overrides({grid.paths[0]: grid.point(point)[0]}), "exact")
        assert len(rows) == len(exact.equilibria)
        for row, equilibrium in zip(rows, exact.equilibria, strict=True):
            for column, value in zip(
                ("payoff.row", "payoff.col"), equilibrium.payoffs, strict=True
            ):
                if equilibrium.pure:
                    assert row[column] == float(value)
                else:
                    assert math.isclose(row[column], float(value), rel_tol=1e-12)


def test_1e100_sweep_works_like_solve() -> None:
    """A 2-D sweep with values near 1e100 solves every point as `solve` does (was a crash)."""
    grid = Grid(
        (
            Axis.parse_range("weights.row.a=1e99:1e100:3"),
            Axis.parse_range("weights.row.b=1e99:1e100:3"),
        )
    )
    result = sweep(NEAR_1E100, grid)
    for point, rows in result.points().items():
        a, b = grid.point(point)
        alone = solve(NEAR_1E100.with_overrides({grid.paths[0]: a, grid.paths[1]: b}), "exact")
        assert [r["prob.row.r1"] for r in rows] == [float(e.row[0]) for e in alone.equilibria]


def test_baseline_1000_change_points_match_per_game() -> None:
    """The row weight swept to 1e7 over baseline-1000 column payoffs: no false change points."""
    grid = Grid((Axis.parse_range("weights.row.gain=0:1e7:41"),))
    batch = change_points(sweep(BASELINE_1000, grid))
    alone = change_points(sweep(BASELINE_1000, grid, solver="per-game"))
    assert batch == alone


# ---------------------------------------------------------------- property tests


@st.composite
def scaled_number(draw: st.DrawFn, exponent: int) -> Fraction:
    """0 (one time in ten) or +-(1 to 999) x 10**exponent: three digits, so ties happen."""
    if draw(st.integers(0, 9)) == 0:
        return Fraction(0)
    sign = draw(st.sampled_from([1, -1]))
    return sign * Fraction(draw(st.integers(1, 999))) * Fraction(10) ** exponent


@st.composite
def scaled_sweeps(draw: st.DrawFn) -> tuple[Scenario, Grid]:
    """A random criteria scenario with numbers from 1e-12 to 1e15, and a sweep over it.

    Each criterion's scores share one scale and each weight has its own, both from 1e-12
    to 1e12 (times up to 999), so payoffs mix scales. The swept values are drawn near the
    scale of the number they replace.
    """
    m, n = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    names = ["k0", "k1", "k2"][: draw(st.integers(1, 3))]
    scale = st.integers(-12, 12)
    exponents: dict[str, int] = {}
    scores = {}
    for k in names:
        e = exponents[f"criteria.{k}"] = draw(scale)
        scores[k] = [[draw(scaled_number(e)) for _ in range(n)] for _ in range(m)]
    weights: dict[str, dict[str, Any]] = {}
    for p in ("row", "col"):
        weights[p] = {}
        for k in names:
            e = exponents[f"weights.{p}.{k}"] = draw(scale)
            weights[p][k] = draw(scaled_number(e))
    scenario = criteria_scenario((m, n), scores, weights)
    paths = [f"weights.{p}.{k}" for p in ("row", "col") for k in names] + [
        f"criteria.{k}.scores[{i}][{j}]" for k in names for i in range(m) for j in range(n)
    ]
    chosen = draw(st.lists(st.sampled_from(paths), min_size=1, max_size=2, unique=True))
    axes = []
    for path in chosen:
        e = exponents[path.split(".scores")[0]] + draw(st.integers(-2, 2))
        start = draw(scaled_number(e))
        stop = draw(scaled_number(e).filter(start.__ne__))
        count = draw(st.integers(2, 7 if len(chosen) == 1 else 3))
        axes.append(Axis.linspace(path, start, stop, count))
    return scenario, Grid(tuple(axes))


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(scaled_sweeps())
def test_batch_sweep_equals_per_game_sweep(case: tuple[Scenario, Grid]) -> None:
    """On scenarios with numbers from 1e-12 to 1e15, mixed scales, batch == per-game."""
    assert_batch_equals_per_game(*case)


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(scaled_sweeps())
def test_sweep_floats_are_correctly_rounded(case: tuple[Scenario, Grid]) -> None:
    """Every float payoff of every grid point is exactly float(exact payoff)."""
    scenario, grid = case
    family = GameFamily(scenario, grid)
    block = family.block(np.arange(len(grid), dtype=np.int64))
    for point in range(len(grid)):
        exact_A, exact_B = family.at_point(point).floats()
        assert np.array_equal(block.A[point], exact_A)
        assert np.array_equal(block.B[point], exact_B)
        assert block.values[point].tolist() == [float(v) for v in grid.point(point)]


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(scaled_sweeps())
def test_sweep_integers_are_exact_or_marked_invalid(case: tuple[Scenario, Grid]) -> None:
    """On badly scaled sweeps GameFamily.integers is X / L == the exact game, or marked invalid."""
    scenario, grid = case
    family = GameFamily(scenario, grid)
    X, L, valid = family.integers(np.arange(len(grid), dtype=np.int64))
    for point in range(len(grid)):
        if not valid[point]:
            assert not X[point].any()  # left for the exact game in Fractions
            continue
        game = family.at_point(point)
        got = [[[Fraction(int(x), L) for x in row] for row in X[point, p]] for p in range(2)]
        assert got == [[list(row) for row in game.A], [list(row) for row in game.B]]


def test_1e15_scores_fall_back_to_fractions() -> None:
    """Scores of 1e15 beside weights of 1e-12 leave no common int64 denominator: all invalid."""
    scenario = criteria_scenario(
        (2, 2),
        {"a": [["1e15", 0], [0, "3e15"]], "b": [["1e-12", 0], [0, 1]]},
        {"row": {"a": 1, "b": 1}, "col": {"a": "1e-12", "b": 2}},
    )
    grid = Grid((Axis.linspace("weights.row.b", "1e-12", "3e-12", 5),))
    assert not GameFamily(scenario, grid).integers(np.arange(5, dtype=np.int64))[2].any()
    assert_batch_equals_per_game(scenario, grid)


def test_cancelling_payoffs_are_correctly_rounded() -> None:
    """A payoff that cancels to 0 or to a few units out of 1e15 is still exact."""
    scenario = criteria_scenario(
        (2, 2),
        {"x": [[1, "1e-15"], [3, 0]], "k": [["-1e15", -1], [7, 0]]},
        {"row": {"x": 1, "k": 1}, "col": {"x": 1}},
    )
    # At w = 1e15 the row payoff of (r1, c1) is 1e15 - 1e15 = 0 and of (r1, c2) 1 - 1 = 0.
    grid = Grid((Axis.parse_values("weights.row.x=999999999999999,1e15,1000000000000001"),))
    block = GameFamily(scenario, grid).block(np.arange(3, dtype=np.int64))
    assert block.A[:, 0, 0].tolist() == [-1.0, 0.0, 1.0]
    assert block.A[:, 0, 1].tolist() == [-1e-15, 0.0, 1e-15]
