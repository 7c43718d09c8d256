"""Parameter sweeps: grids, exact payoffs at every point, change points, regimes."""

from __future__ import annotations

import csv
import itertools
import tracemalloc
from fractions import Fraction
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from negotiation import load, payoff_matrices, solve
from negotiation.cli import main
from negotiation.errors import LimitError, ScenarioError
from negotiation.limits import MAX_GRID_POINTS
from negotiation.model.scenario import Scenario
from negotiation.studies.family import GameFamily
from negotiation.studies.sweep import Axis, Grid, change_points, regimes, solve_points, sweep


def test_linspace_is_exact_and_inclusive() -> None:
    """NUM values from START to STOP, both included, as exact fractions."""
    axis = Axis.linspace("weights.us.wedge", Fraction(1, 3), 1, 3)
    assert axis.values == (Fraction(1, 3), Fraction(2, 3), Fraction(1))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("weights.us.wedge", "expected PATH=START:STOP:NUM"),
        ("weights.us.wedge=0:1", "expected PATH=START:STOP:NUM"),
        ("weights.us.wedge=0:1:x", "NUM must be a whole number"),
        ("weights.us.wedge=0:1:1", "NUM must be at least 2"),
        ("weights.us.wedge=a:1:3", "expected a finite number"),
    ],
)
def test_bad_range_specs_are_rejected(spec: str, expected: str) -> None:
    """A malformed --param names itself and what was expected."""
    with pytest.raises(ScenarioError, match=expected):
        Axis.parse_range(spec)


def test_grid_rejects_three_axes_and_repeated_paths() -> None:
    """A grid has one or two axes, on different paths."""
    a = Axis.linspace("weights.us.wedge", 0, 1, 2)
    with pytest.raises(ValueError, match="different paths"):
        Grid((a, a))
    with pytest.raises(ValueError, match="one or two"):
        Grid((a, Axis.linspace("x.y", 0, 1, 2), Axis.linspace("x.z", 0, 1, 2)))


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(
        [
            ("weights.us.supply_security", "weights.us.legitimacy"),
            ("weights.russia.alliance_cohesion", "criteria.alliance_cohesion.scores[accept][full]"),
            ("criteria.legitimacy.scores[0][0]", "weights.us.legitimacy"),  # a weight x score
        ]
    ),
    st.fractions(-5, 5, max_denominator=7),
    st.fractions(-5, 5, max_denominator=7),
)
def test_interpolated_games_equal_rebuilt_scenarios(
    paths: tuple[str, str], a: Fraction, b: Fraction
) -> None:
    """The multilinear shortcut gives exactly the payoffs of re-reading the overridden file."""
    scenario = load("rare-earth")
    grid = Grid((Axis(paths[0], (a,)), Axis(paths[1], (b,))))
    expected = payoff_matrices(scenario.with_overrides({paths[0]: a, paths[1]: b}))
    assert GameFamily(scenario, grid).at((a, b)) == expected


def test_sweep_rows_follow_the_csv_layout() -> None:
    """Rows carry point, the swept path, equilibrium, every probability, payoffs and flags.

    By hand on games/rare_earth.toml: the US diversifies whatever Russia does (1, 11/10, 6/5
    against at most -1/5, -1/10, 0 from accept or reject), and against diversify Russia
    gets -3/4 - h/4 from the full offer, -7/8 - h/4 from the limited one and -1 from
    withholding (h: its China weight), so Russia withholds above h = 1 and both are
    equilibria, a degenerate game, at h = 1 (an exact solve of each point agrees, and finds
    the other four games non-degenerate).
    """
    path = "weights.russia.china_relations"
    result = sweep(
        load("rare-earth"), Grid((Axis.linspace(path, Fraction(1, 2), Fraction(3, 2), 5),))
    )
    assert result.columns == [
        "point", path, "equilibrium",
        "prob.us.accept", "prob.us.reject", "prob.us.diversify",
        "prob.russia.full", "prob.russia.limited", "prob.russia.withhold",
        "payoff.us", "payoff.russia", "pure", "degenerate", "component",
    ]  # fmt: skip
    assert all(list(row) == result.columns for row in result.rows)
    # Five points, the middle one (h = 1) degenerate with two extreme equilibria.
    assert [row["point"] for row in result.rows] == [0, 1, 2, 2, 3, 4]
    assert [row["degenerate"] for row in result.rows] == [False, False, True, True, False, False]


def test_every_point_equals_solving_it_alone() -> None:
    """Each grid point's rows are the equilibria of the scenario solved with that override."""
    scenario = load("rare-earth")
    grid = Grid(
        (
            Axis.linspace("weights.us.supply_security", 0, 6, 4),
            Axis.parse_values("weights.russia.alliance_cohesion=-1,0,1"),
        )
    )
    points = sweep(scenario, grid).points()
    for index, (s, w) in enumerate(grid.points()):
        alone = solve(
            scenario.with_overrides(
                {"weights.us.supply_security": s, "weights.russia.alliance_cohesion": w}
            )
        )
        got = [(r["prob.us.accept"], r["prob.russia.full"]) for r in points[index]]
        expected = [(float(e.row[0]), float(e.col[0])) for e in alone.equilibria]
        assert len(got) == len(expected)
        assert got == [pytest.approx(pair, abs=1e-12) for pair in expected]
        assert points[index][0]["degenerate"] == alone.degenerate


COST = "weights.us.diversification_cost"


def test_change_point_at_the_degenerate_threshold() -> None:
    """Along the US cost weight the equilibrium flips exactly at 9/5, a degenerate grid point.

    By hand on games/rare_earth.toml: Russia's full offer is strictly dominant (against
    accept, reject, diversify it gives 4, 1/8, -7/8; limited 15/8, 0, -1; withhold 0, 0,
    -1). Against it the US gets -1/5 from reject and 8/5 - c from diversify (supply 1 +
    alliance 0.8 x 3/4 - c), so it rejects above c = 9/5 and is indifferent at 9/5. The
    games above 9/5 are degenerate too (accept and reject both 0 against withhold), with
    the same single equilibrium: they hold no change.
    """
    result = sweep(load("rare-earth"), Grid((Axis.linspace(COST, 0, 3, 16),)))  # steps of 1/5
    (change,) = change_points(result)
    assert (change.low, change.high) == (1.8, 1.8)
    assert change.before == "Diversify / Full offer"
    assert change.after == "Reject / Full offer"


def test_change_point_between_grid_values() -> None:
    """When no grid value hits the threshold, the change is reported as an interval."""
    result = sweep(load("rare-earth"), Grid((Axis.parse_values(f"{COST}=1.7,1.9"),)))
    (change,) = change_points(result)  # the threshold 9/5 (derived above) is in between
    assert (change.low, change.high) == (1.7, 1.9)


def test_regimes_count_grid_points() -> None:
    """Regime counts add up to the number of grid points, largest regime first."""
    grid = Grid(
        (
            Axis.linspace("weights.us.supply_security", 0, 6, 7),
            Axis.linspace("weights.us.legitimacy", 0, 2, 5),
        )
    )
    counts = regimes(sweep(load("rare-earth"), grid))
    assert sum(counts.values()) == len(grid) == 35
    assert list(counts.values()) == sorted(counts.values(), reverse=True)


def test_tsebelis_paradox_in_results_csv(tmp_path: Path) -> None:
    """Raising the target's penalty lowers enforcement; violation stays at 1/4 (Tsebelis 1990).

    In the mixed equilibrium the sender's enforcement probability e makes the target
    indifferent: 0 = -penalty * e + 3 * (1 - e), so e = 3 / (3 + penalty); the target's
    violation probability v makes the sender indifferent: -1 = -4 v, so v = 1/4, whatever
    the penalty. Read from the results.csv the CLI writes.
    """
    out = tmp_path / "tsebelis"
    result = CliRunner().invoke(
        main,
        ["sweep", "inspection-criteria", "--param", "weights.target.penalty=1:9:9", "--out",
         str(out), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with open(out / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9  # one equilibrium per point
    penalties = [float(r["weights.target.penalty"]) for r in rows]
    enforce = [float(r["prob.sender.enforce"]) for r in rows]
    violate = [float(r["prob.target.violate"]) for r in rows]
    assert penalties == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert all(later < earlier for earlier, later in itertools.pairwise(enforce))
    assert enforce == pytest.approx([3 / (3 + p) for p in penalties], abs=1e-12)
    assert violate == [0.25] * 9


def _tables(A: list[list[object]], B: list[list[object]]) -> Scenario:
    """A scenario with direct tables; strategies r1, r2, ... and c1, c2, ..."""
    return Scenario.from_dict(
        {
            "name": "t",
            "players": [
                {"id": "row", "strategies": [f"r{i + 1}" for i in range(len(A))]},
                {"id": "col", "strategies": [f"c{j + 1}" for j in range(len(A[0]))]},
            ],
            "payoffs": {"row": A, "col": B},
        }
    )


@pytest.mark.parametrize("solver", ["batch", "per-game"])
def test_degenerate_point_without_a_change_holds_no_change(solver: str) -> None:
    """Issue 8: A(w) = [[w, 1, w], [0.35, 0, 0.3]] over w = 0:1:11 changes between 0.3 and 0.4.

    At w = 3/10 the game is degenerate (a tie against the dominated third column) but its
    only equilibrium is still r2/c1, as at 0.2; the change is at w = 0.35, off the grid.
    """
    scenario = Scenario.from_dict(
        {
            "name": "t",
            "players": [
                {"id": "row", "strategies": ["r1", "r2"]},
                {"id": "col", "strategies": ["c1", "c2", "c3"]},
            ],
            "criteria": {
                "w": {"scores": [[1, 0, 1], [0, 0, 0]]},
                "base": {"scores": [[0, 1, 0], [Fraction(35, 100), 0, Fraction(3, 10)]]},
                "col": {"scores": [[2, 1, 0], [2, 1, 0]]},
            },
            "weights": {"row": {"w": 0, "base": 1}, "col": {"col": 1}},
        }
    )
    result = sweep(scenario, Grid((Axis.linspace("weights.row.w", 0, 1, 11),)), solver=solver)
    assert result.points()[3][0]["degenerate"]  # w = 0.3
    (change,) = change_points(result)
    assert (change.low, change.high) == (0.3, 0.4)
    assert (change.before, change.after) == ("r2 / c1", "r1 / c1")


def test_degenerate_grid_end_is_not_a_change_point() -> None:
    """A degenerate first point: the other side is unknown, so the change is an interval."""
    result = sweep(load("rare-earth"), Grid((Axis.parse_values(f"{COST}=9/5,2"),)))
    (change,) = change_points(result)  # 9/5: the tie derived above
    assert (change.low, change.high) == (1.8, 2.0)


def test_values_are_sorted_so_change_points_are_right() -> None:
    """Issue 13: --values typed out of order give the change points of the sorted grid."""
    axis = Axis.parse_values(f"{COST}=5,1,9/5,1/3,1.7")
    assert [str(v) for v in axis.values] == ["1/3", "1", "17/10", "9/5", "5"]
    (change,) = change_points(sweep(load("rare-earth"), Grid((axis,))))
    assert (change.low, change.high) == (1.8, 1.8)  # the threshold 9/5 derived above


def test_repeated_values_are_refused() -> None:
    """Issue 13: `--values 1,4,1/3,4` names --values, the path and the repeated value."""
    with pytest.raises(ScenarioError, match=r"--values: weights\.us\.wedge: 4 repeats 4") as info:
        Axis.parse_values("weights.us.wedge=1,4,1/3,4")
    assert info.value.source == "--values"
    with pytest.raises(ScenarioError, match=r"0\.5 repeats 1/2"):
        Axis.parse_values("weights.us.wedge=1/2,0.5")


def test_axes_must_be_monotone() -> None:
    """An axis built directly must be strictly monotone; a range must not repeat its end."""
    with pytest.raises(ValueError, match="strictly increasing or strictly decreasing"):
        Axis("weights.us.wedge", (Fraction(1), Fraction(4), Fraction(1, 3)))
    assert len(Axis("weights.us.wedge", (3, 2, 1)).values) == 3  # decreasing is fine
    with pytest.raises(ScenarioError, match="START and STOP must differ"):
        Axis.parse_range("weights.us.wedge=1:1:5")


def test_huge_axes_are_lazy_and_refused_by_the_grid() -> None:
    """Issue 8: 1e8 values build no Fractions; the grid refuses them with the limit's advice."""
    axis = Axis.linspace("weights.us.wedge", 0, 1, 10**8)
    assert len(axis.values) == 10**8
    assert axis.values[-1] == 1
    assert axis.values[1] == Fraction(1, 10**8 - 1)
    with pytest.raises(LimitError, match="split the sweep into ranges") as info:
        Grid((axis,))
    assert (info.value.source, info.value.key) == ("--param", "weights.us.wedge")
    two = Axis.linspace("weights.us.legitimacy", 0, 1, 100_000)
    with pytest.raises(LimitError, match="100,000 x 100,000 = 10,000,000,000 grid points"):
        Grid((two, Axis.linspace("weights.us.wedge", 0, 1, 100_000)))
    with pytest.raises(LimitError):
        Grid((Axis.parse_range("weights.us.wedge=0:1:100000000"),))


def test_solve_points_streams_a_grid_at_the_limit() -> None:
    """The first block of a 2000 x 2000 grid comes out without materialising the grid."""
    grid = Grid(
        (
            Axis.linspace("weights.us.supply_security", 0, 6, 2000),
            Axis.linspace("weights.us.legitimacy", 0, 3, 2000),
        )
    )
    assert len(grid) == MAX_GRID_POINTS
    tracemalloc.start()
    try:
        point, rows = next(solve_points(load("rare-earth"), grid))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert point == 0
    assert rows
    assert peak < 50 * 2**20  # the grid's 4e6 points as Fractions would take gigabytes


def test_every_listed_value_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 8: every --values value goes through the file's validation, not only the ends."""
    seen: list[object] = []
    original = Scenario.with_overrides

    def spy(self: Scenario, overrides: Any) -> Scenario:
        seen.extend(dict(overrides).values())
        return original(self, overrides)

    monkeypatch.setattr(Scenario, "with_overrides", spy)
    axis = Axis.parse_values(f"{COST}=-1,1e-7,1/3,2,7")
    GameFamily(load("rare-earth"), Grid((axis,)))
    assert set(axis.values) <= set(seen)


def test_one_number_swept_twice_is_refused() -> None:
    """Issue 8: `[accept][full]` and `[0][0]` name one cell; two axes on it are refused."""
    grid = Grid(
        (
            Axis.linspace("criteria.sanctions.scores[accept][full]", 0, 1, 3),
            Axis.linspace("criteria.sanctions.scores[0][0]", 0, 1, 3),
        )
    )
    with pytest.raises(ScenarioError, match=r"names the same number as criteria\.sanctions"):
        sweep(load("rare-earth"), grid)


def test_sweep_floats_keep_ties_that_rounding_would_invent() -> None:
    """Two different exact payoffs in one row that round to one float go to the exact solver."""
    scenario = _tables(
        [[1, Fraction(10**20 + 1, 10**20)], [0, 2]],
        [[1, 0], [0, 1]],
    )
    grid = Grid((Axis.parse_values("payoffs.row[r1][c1]=0,1,2"),))
    block = GameFamily(scenario, grid).block(np.arange(3, dtype=np.int64))
    assert block.A[1, 0].tolist() == [1.0, 1.0]  # 1 and 1 + 1e-20 share a float
    assert block.force_exact.tolist() == [False, True, False]
    batch = sweep(scenario, grid)
    assert batch.rows == sweep(scenario, grid, solver="per-game").rows


def test_an_axis_longer_than_sys_maxsize_is_refused_as_a_grid_limit() -> None:
    """NUM past sys.maxsize is refused by the grid limit, not an OverflowError (fuzz R3/F1)."""
    import sys

    from negotiation.errors import LimitError

    axis = Axis.parse_range(f"weights.us.legitimacy=0:1:{sys.maxsize + 1}")
    with pytest.raises(LimitError):
        Grid((axis,))
