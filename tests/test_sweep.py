"""Parameter sweeps: grids, exact payoffs at every point, change points, regimes."""

from __future__ import annotations

import csv
import itertools
from fractions import Fraction
from pathlib import Path

import hypothesis.strategies as st
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from negotiation import load, payoff_matrices, solve
from negotiation.cli import main
from negotiation.errors import ScenarioError
from negotiation.studies.sweep import Axis, Grid, _GameFamily, change_points, regimes, sweep


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
            ("weights.russia.wedge", "criteria.wedge.scores[accept][full]"),
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
    assert _GameFamily(scenario, grid).at((a, b)) == expected


def test_sweep_rows_follow_the_csv_layout() -> None:
    """Rows carry point, the swept path, equilibrium, every probability, payoffs and flags."""
    result = sweep(
        load("rare-earth"), Grid((Axis.linspace("weights.us.supply_security", 3, 5, 5),))
    )
    assert result.columns == [
        "point", "weights.us.supply_security", "equilibrium",
        "prob.us.accept", "prob.us.reject", "prob.us.diversify",
        "prob.russia.full", "prob.russia.limited", "prob.russia.withhold",
        "payoff.us", "payoff.russia", "pure", "degenerate", "component",
    ]  # fmt: skip
    assert all(list(row) == result.columns for row in result.rows)
    # Five points, the middle one (weight 4) degenerate with two extreme equilibria.
    assert [row["point"] for row in result.rows] == [0, 1, 2, 2, 3, 4]
    assert [row["degenerate"] for row in result.rows] == [False, False, True, True, False, False]


def test_every_point_equals_solving_it_alone() -> None:
    """Each grid point's rows are the equilibria of the scenario solved with that override."""
    scenario = load("rare-earth")
    grid = Grid(
        (
            Axis.linspace("weights.us.supply_security", 0, 6, 4),
            Axis.parse_values("weights.russia.wedge=-1,0,1"),
        )
    )
    points = sweep(scenario, grid).points()
    for index, (s, w) in enumerate(grid.points()):
        alone = solve(
            scenario.with_overrides({"weights.us.supply_security": s, "weights.russia.wedge": w})
        )
        got = [(r["prob.us.accept"], r["prob.russia.full"]) for r in points[index]]
        expected = [(float(e.row[0]), float(e.col[0])) for e in alone.equilibria]
        assert len(got) == len(expected)
        assert got == [pytest.approx(pair, abs=1e-12) for pair in expected]
        assert points[index][0]["degenerate"] == alone.degenerate


def test_change_point_at_the_degenerate_threshold() -> None:
    """Along supply security the equilibrium flips exactly at 4, a degenerate grid point."""
    result = sweep(
        load("rare-earth"), Grid((Axis.linspace("weights.us.supply_security", 0, 6, 13),))
    )
    (change,) = change_points(result)
    assert (change.low, change.high) == (4.0, 4.0)
    assert change.before == "Diversify / Full offer"
    assert change.after == "Accept / Full offer"


def test_change_point_between_grid_values() -> None:
    """When no grid value hits the threshold, the change is reported as an interval."""
    result = sweep(
        load("rare-earth"), Grid((Axis.parse_values("weights.us.supply_security=3.9,4.1"),))
    )
    (change,) = change_points(result)
    assert (change.low, change.high) == (3.9, 4.1)


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
