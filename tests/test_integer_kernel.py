"""The compiled integer vertex enumeration gives solve_exact's answer, field for field."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from negotiation import Game, solve_batch, solve_exact
from negotiation.cli.app import main
from negotiation.model.catalogue import load_matrix
from negotiation.output.results import run
from negotiation.solvers import batch, integer_kernel
from negotiation.solvers.exact import _positive_integers
from negotiation.solvers.integer_kernel import (
    _largest_allowed,
    fits,
    integer_games,
    positive_integers,
    scaled_integer_games,
    solve_integer_games,
)
from negotiation.studies import sweep as sweep_module
from negotiation.studies.family import INTEGER_LIMIT, GameFamily
from negotiation.studies.sweep import Axis, Grid

SHAPES = [(2, 2), (2, 3), (3, 2), (3, 3), (2, 4), (4, 3), (4, 4), (4, 5)]


def _random_games(seed: int, shape: tuple[int, int], count: int, high: int) -> list[Game]:
    """``count`` games with payoffs drawn uniformly from {0, ..., high - 1}."""
    rng = np.random.default_rng(seed)
    return [
        Game.from_arrays(rng.integers(0, high, shape), rng.integers(0, high, shape))
        for _ in range(count)
    ]


@pytest.mark.parametrize("shape", SHAPES)
def test_identical_to_solve_exact_on_tied_games(shape: tuple[int, int]) -> None:
    """Seeded games with payoffs in {0, 1, 2} (mostly degenerate): every field is solve_exact's."""
    count = 100 if shape[0] * shape[1] >= 16 else 400
    games = _random_games(sum(shape), shape, count, 3)
    A, B, ok = integer_games(games)
    assert ok.all()
    solutions = solve_integer_games(A, B)
    expected = [solve_exact(game) for game in games]
    assert solutions == expected
    assert sum(s.degenerate for s in expected) >= count // 2  # ties are frequent


def test_identical_to_solve_exact_on_wider_payoffs() -> None:
    """Games with payoffs in {0..9}, mostly nondegenerate, agree with solve_exact too."""
    for shape in SHAPES[:6]:
        games = _random_games(7, shape, 200, 10)
        A, B, _ = integer_games(games)
        expected = [solve_exact(game) for game in games]
        assert solve_integer_games(A, B) == expected
        assert any(not s.degenerate for s in expected)


def test_positive_integers_are_exact_py_integers() -> None:
    """The fast integer scaling equals exact.py's on random rationals with mixed signs."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        A = [
            [Fraction(int(rng.integers(-50, 50)), int(rng.integers(1, 30))) for _ in range(3)]
            for _ in range(2)
        ]
        game = Game.from_arrays(A, A)
        flat = [v for row in _positive_integers(game.A) for v in row]
        assert positive_integers(game.A) == flat


def _bound_games(largest: int) -> list[Game]:
    """Degenerate and mixed 3x3 games whose exact.py integers reach exactly ``largest``.

    Every matrix holds 1, so exact.py's integers are the entries themselves.
    """
    L = largest
    return [
        Game.from_arrays([[L, 1, 1], [1, L, 1], [1, 1, L]], [[1, L, L], [L, 1, L], [L, L, 1]]),
        Game.from_arrays([[L, 1, L], [L, L - 1, 1], [1, 1, 1]], [[L, 1, 1], [L, L, 1], [1, L, L]]),
        Game.from_arrays(
            [[L, L - 2, 1], [L - 1, L, 1], [1, 2, L]], [[1, L, 2], [L, 1, 3], [L, 2, 1]]
        ),
    ]


def test_games_at_the_int64_bound() -> None:
    """Just under the bound the kernel solves the games exactly; just over they stay in Python."""
    limit = _largest_allowed(3)
    assert fits(3, limit)
    assert not fits(3, limit + 1)
    under, over = _bound_games(limit), _bound_games(limit + 1)
    A, B, ok = integer_games(under)
    assert ok.all()
    assert A.max() == limit
    assert solve_integer_games(A, B) == [solve_exact(game) for game in under]
    assert not integer_games(over)[2].any()
    # The batch's exact step: the kernel for the first, solve_exact for the others.
    games = under + over
    solutions = batch._exact_solutions(list(range(len(games))), games.__getitem__)
    assert solutions == [solve_exact(game) for game in games]
    assert any(s.degenerate for s in solutions)
    assert any(not s.degenerate for s in solutions)


def _python_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every game fail the bound, so the batch uses solve_exact for all of them."""
    real, scaled = integer_kernel.integer_games, integer_kernel.scaled_integer_games

    def none_fit(games: Any) -> Any:
        A, B, ok = real(games)
        return A, B, np.zeros_like(ok)

    def none_scaled(X: Any, L: int, valid: Any) -> Any:
        A, B, ok = scaled(X, L, valid)
        return A, B, np.zeros_like(ok)

    monkeypatch.setattr(integer_kernel, "integer_games", none_fit)
    monkeypatch.setattr(integer_kernel, "scaled_integer_games", none_scaled)


def _fractions_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sweeps build every exact game in Fractions (no ``exact_integers``), as before J3."""
    real = batch.solve_batch

    def without_integers(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("exact_integers", None)
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "solve_batch", without_integers)


def _at_point_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the exact games built in Fractions from now on."""
    real, built = GameFamily.at_point, []

    def counting(self: GameFamily, index: int) -> Game:
        built.append(index)
        return real(self, index)

    monkeypatch.setattr(GameFamily, "at_point", counting)
    return built


def _calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the games the kernel solves from now on."""
    real, solved = integer_kernel.solve_integer_games, []

    def counting(A: Any, B: Any) -> Any:
        solved.append(len(A))
        return real(A, B)

    monkeypatch.setattr(integer_kernel, "solve_integer_games", counting)
    return solved


def test_solve_batch_same_with_and_without_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """solve_batch's arrays are the same whether its exact step uses the kernel or Python."""
    rng = np.random.default_rng(11)
    A = rng.integers(0, 3, (600, 3, 3)).astype(float)
    B = rng.integers(0, 3, (600, 3, 3)).astype(float)
    solved = _calls(monkeypatch)
    fast = solve_batch(A, B)
    assert sum(solved) == fast.exact_games > 300
    _python_only(monkeypatch)
    slow = solve_batch(A, B)
    for name in ("game", "row", "col", "component", "degenerate", "exact"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name


def _sweep_csv(out: Path, num: int = 41) -> bytes:
    result = CliRunner().invoke(
        main,
        ["sweep", "rare-earth", "--param", f"weights.us.supply_security=0:6:{num}",
         "--param", f"weights.us.diversification_cost=0:3:{num}", "--out", str(out), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return (out / "results.csv").read_bytes()


def test_rare_earth_map_results_csv_is_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rare-earth map (41 x 41) writes the same results.csv with the kernel as without it."""
    solved = _calls(monkeypatch)
    fast = _sweep_csv(tmp_path / "kernel")
    assert sum(solved) > 100  # the map's degenerate points went through the kernel
    _python_only(monkeypatch)
    slow = _sweep_csv(tmp_path / "python")
    assert fast == slow
    degenerate = [line.split(b",")[13] for line in fast.splitlines()[1:]]
    assert degenerate.count(b"true") == sum(solved)  # 240 of 1681 points, each solved once


def test_kernel_needs_no_ordering_luck() -> None:
    """Permuting strategies permutes solve_integer_games' answer exactly as solve_exact's."""
    (game,) = _random_games(5, (3, 3), 1, 2)
    for rows in itertools.permutations(range(3)):
        A = [game.A[i] for i in rows]
        B = [game.B[i] for i in rows]
        permuted = Game.from_arrays(A, B)
        a, b, _ = integer_games([permuted])
        assert solve_integer_games(a, b) == [solve_exact(permuted)]


# ------------------------------------------------ a sweep's exact games as integers (J3)

#: The README's 1001 x 1001 rare-earth map (about 136,000 of its points are degenerate).
MAP = Grid(
    (
        Axis.linspace("weights.us.supply_security", 0, 6, 1001),
        Axis.linspace("weights.us.diversification_cost", 0, 3, 1001),
    )
)
#: Explicit --values axes with unlike denominators, negative values included.
VALUES = Grid(
    (
        Axis.parse_values("weights.us.supply_security=-3/7,0,1/3,2,9/4,5"),
        Axis.parse_values("weights.us.diversification_cost=-1,1/6,3/5,1,7/3,3"),
    )
)


def _assert_integers_are_exact(family: GameFamily, points: Any) -> np.ndarray[Any, Any]:
    """Check X / L is at_point's game at every valid point and X is 0 elsewhere."""
    X, L, valid = family.integers(points)
    assert 1 <= L <= INTEGER_LIMIT
    for g, point in enumerate(points):
        if not valid[g]:
            assert not X[g].any()
            continue
        game = family.at_point(int(point))
        for p, table in enumerate((game.A, game.B)):
            for i, row in enumerate(table):
                for j, value in enumerate(row):
                    assert Fraction(int(X[g, p, i, j]), L) == value, (point, p, i, j)
    return valid


@pytest.mark.parametrize(
    "grid",
    [MAP, VALUES, Grid((Axis.linspace("weights.russia.china_relations", "-1/3", "7/2", 999),))],
    ids=["rare-earth 1001x1001", "--values", "1-D"],
)
def test_family_integers_are_at_point_exactly(grid: Grid) -> None:
    """GameFamily.integers gives at_point's exact payoffs times L on seeded random points."""
    family = GameFamily(load_matrix("rare-earth"), grid)
    points = np.random.default_rng(9).integers(0, len(grid), 300)
    assert _assert_integers_are_exact(family, points).all()


def test_family_integers_mark_large_points_invalid() -> None:
    """Points whose L * payoff passes the int64 bound are marked invalid and left 0."""
    scenario = load_matrix("rare-earth")
    big = Grid((Axis.linspace("weights.us.supply_security", 0, 10**17, 9),))
    valid = _assert_integers_are_exact(GameFamily(scenario, big), np.arange(9))
    assert valid[0]
    assert not valid[-1]
    tiny = Grid((Axis.linspace("weights.us.supply_security", 0, Fraction(1, 10**20), 3),))
    assert not GameFamily(scenario, tiny).integers(np.arange(3))[2].any()  # L > 2**60


def test_scaled_integer_games_are_integer_games() -> None:
    """From X / L integers, the kernel's matrices and fits flags equal those built in Fractions."""
    rng = np.random.default_rng(21)
    for shape in [(2, 2), (3, 3), (2, 4)]:
        for L in [1, 6, 1000, 2**40 + 3]:
            # Small multiples of a common factor, so the gcd step matters; some games huge.
            X = rng.integers(-40, 40, (300, 2, *shape)) * int(rng.integers(1, 50))
            X[::7] *= 10**12
            valid = rng.random(300) < 0.9
            games = [
                Game.from_arrays(
                    [[Fraction(int(v), L) for v in row] for row in X[g, 0]],
                    [[Fraction(int(v), L) for v in row] for row in X[g, 1]],
                )
                for g in range(300)
            ]
            A, B, ok = scaled_integer_games(X, L, valid)
            A2, B2, ok2 = integer_games(games)
            assert np.array_equal(ok, ok2 & valid)
            assert np.array_equal(A[ok], A2[ok])
            assert np.array_equal(B[ok], B2[ok])
            # L = 2**40 + 3 leaves the primitive matrices near 2**40: none fit the kernel.
            assert ok.sum() > 200 if L <= 1000 else not ok.any()
            assert (valid & ~ok2).any()  # too large for the kernel: left to solve_exact
            assert (ok2 & ~valid).any() or L > 1000  # marked invalid by the caller: left too


@pytest.mark.parametrize(
    ("num", "grid"), [(41, None), (201, None), (None, VALUES)], ids=["41x41", "201x201", "values"]
)
def test_results_csv_identical_with_integer_games(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, num: int | None, grid: Grid | None
) -> None:
    """A sweep writes the same results.csv bytes from integer games as from Fraction games."""

    def write(out: Path) -> bytes:
        if grid is None:
            assert num is not None
            return _sweep_csv(out, num)
        run(load_matrix("rare-earth"), grid, out)
        return (out / "results.csv").read_bytes()

    with monkeypatch.context() as patch:
        built = _at_point_calls(patch)
        fast = write(tmp_path / "integers")
        assert built == []  # no exact game was built in Fractions
    _fractions_only(monkeypatch)
    built = _at_point_calls(monkeypatch)
    slow = write(tmp_path / "fractions")
    assert fast == slow
    assert len(built) > 0  # the reference really built its exact games in Fractions
    if num == 201:
        assert len(built) > 5000  # thousands of degenerate points compared


def test_sweep_with_huge_axis_values_falls_back_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Points beyond the int64 bound go to Fraction games and solve as the per-game solver does."""
    scenario = load_matrix("rare-earth")
    grid = Grid((Axis.linspace("weights.us.supply_security", 0, 10**17, 9),))
    built = _at_point_calls(monkeypatch)
    batch = dict(sweep_module.solve_points(scenario, grid))
    alone = dict(sweep_module.solve_points(scenario, grid, solver="per-game", method="exact"))
    assert [[r["degenerate"] for r in rows] for rows in batch.values()] == [
        [r["degenerate"] for r in rows] for rows in alone.values()
    ]
    for point, rows in alone.items():
        for row, got in zip(rows, batch[point], strict=True):
            probs = [c for c in row if c.startswith("prob.")]
            assert [row[c] for c in probs] == [got[c] for c in probs], point
    assert built  # the large points were built in Fractions
