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
from negotiation.solvers import batch, integer_kernel
from negotiation.solvers.exact import _positive_integers
from negotiation.solvers.integer_kernel import (
    _largest_allowed,
    fits,
    integer_games,
    positive_integers,
    solve_integer_games,
)

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
    real = integer_kernel.integer_games

    def none_fit(games: Any) -> Any:
        A, B, ok = real(games)
        return A, B, np.zeros_like(ok)

    monkeypatch.setattr(integer_kernel, "integer_games", none_fit)


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


def _sweep_csv(out: Path) -> bytes:
    result = CliRunner().invoke(
        main,
        ["sweep", "rare-earth", "--param", "weights.us.supply_security=0:6:41",
         "--param", "weights.us.diversification_cost=0:3:41", "--out", str(out), "--quiet"],
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
