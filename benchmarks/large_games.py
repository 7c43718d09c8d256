"""Benchmark solve_large on single large games against QuantEcon, Gambit and solve_exact.

Run on demand (not part of the test suite):

    .venv/bin/pip install -e ".[bench]"           # QuantEcon (numba), benchmark-only
    .venv/bin/python benchmarks/large_games.py     # about ten minutes on 2 cores
    .venv/bin/python benchmarks/large_games.py --quick

For square games 2x2 .. 15x15 with standard normal payoffs (seeded), it prints the median
and largest seconds per game, all extreme equilibria, of

- ``solve_large`` (exact: certified float traversal, exact fallback),
- QuantEcon's ``vertex_enumeration`` (floats, qhull; assumes a non-degenerate game),
- Gambit's ``enummixed`` in double precision (pygambit; the issue's comparison),
- ``solve_exact`` (exact enumeration of every basis, the project's reference),

the ratio of each to ``solve_large``, and whether every solver found as many equilibria as
``solve_large`` on every game. A solver is skipped at the next size once its median passes
``--budget / 8`` seconds. Then degenerate games: {-1, 0, 1} payoffs and identity
(coordination) games, whose 2^n - 1 equilibria are a known answer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import flint
import numba
import numpy as np
import pygambit

from negotiation import Game, solve_exact
from negotiation.solvers.large import solve_large

Solver = Callable[[np.ndarray, np.ndarray], int]  # returns the number of equilibria found


def large(A: np.ndarray, B: np.ndarray) -> int:
    return len(solve_large(Game.from_arrays(A, B)).pairs)


def exact(A: np.ndarray, B: np.ndarray) -> int:
    return len(solve_exact(Game.from_arrays(A, B)).pairs)


def gambit(A: np.ndarray, B: np.ndarray) -> int:
    # The test suite's adapter passes every payoff as an exact rational and works with
    # pygambit 16.7 and 17.x; enummixed then runs in double precision.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from test_exact import gambit_game

    result = pygambit.nash.enummixed_solve(gambit_game(Game.from_arrays(A, B)), rational=False)
    return len(result.equilibria)


def quantecon_solver() -> Solver | None:
    try:
        from quantecon.game_theory import NormalFormGame, Player, vertex_enumeration
    except ImportError:
        return None

    def solve(A: np.ndarray, B: np.ndarray) -> int:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(vertex_enumeration(NormalFormGame((Player(A), Player(B.T)))))

    solve(np.eye(2), np.eye(2))  # compile (numba)
    return solve


def first_call_seconds() -> str:
    """Time of the first solve in a fresh process: numba's compile, or its cache load."""
    code = (
        "import time; t = time.perf_counter();"
        "from negotiation import Game; from negotiation.solvers.large import solve_large;"
        "solve_large(Game.from_arrays([[1, 0], [0, 1]], [[1, 0], [0, 1]]));"
        "print(f'{time.perf_counter() - t:.2f}')"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return run.stdout.strip()


def timed(
    solver: Solver, games: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[list[float], list[int]]:
    seconds, counts = [], []
    for A, B in games:
        start = time.perf_counter()
        counts.append(solver(A, B))
        seconds.append(time.perf_counter() - start)
    return seconds, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 games per size, up to 12x12")
    parser.add_argument("--games", type=int, default=7, help="games per size (default 7)")
    parser.add_argument("--budget", type=float, default=16.0, help="seconds per game (see above)")
    parser.add_argument("--seed", type=int, default=20250324)
    args = parser.parse_args()
    count = 3 if args.quick else args.games
    largest = 12 if args.quick else 15
    rng = np.random.default_rng(args.seed)
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (timings are wall "
        "clock; other work on the machine inflates them)"
    )
    print(
        f"numpy {np.__version__}, numba {numba.__version__}, "
        f"python-flint {flint.__version__}, pygambit {pygambit.__version__}"
    )
    print(
        f"first solve_large call in a fresh process (numba cache load or compile): "
        f"{first_call_seconds()} s"
    )
    solvers: dict[str, Solver] = {"solve_large": large}
    qe = quantecon_solver()
    if qe is None:
        print("QuantEcon not installed (pip install -e '.[bench]'): its column is skipped")
    else:
        solvers["QuantEcon vertex_enum"] = qe
    solvers["Gambit enummixed (double)"] = gambit
    solvers["solve_exact"] = exact
    active = dict.fromkeys(solvers, True)
    names = list(solvers)
    print(
        f"\nRandom n x n games, standard normal payoffs, {count} games per size: "
        "median s/game (largest) and, after the first column, the ratio to solve_large"
    )
    print(f"{'n':>3} | " + " | ".join(f"{name:>27}" for name in names) + " | equilibria (median)")
    for n in range(2, largest + 1):
        games = [(rng.standard_normal((n, n)), rng.standard_normal((n, n))) for _ in range(count)]
        cells, reference, note = [], None, ""
        base = 0.0
        for name in names:
            if not active[name]:
                cells.append(f"{'-':>27}")
                continue
            seconds, counts = timed(solvers[name], games)
            median = statistics.median(seconds)
            if reference is None:
                reference, base = counts, median
                cells.append(f"{median:10.4f} ({max(seconds):8.4f})      ")
            else:
                same = "" if counts == reference else " !"
                note += f" {name} counts differ: {counts} vs {reference};" if same else ""
                cells.append(f"{median:10.4f} x{median / base:8.1f}{same:2}     ")
            active[name] = median <= args.budget / 8
        equilibria = statistics.median(reference) if reference else 0
        print(f"{n:>3} | " + " | ".join(cells) + f" | {equilibria:g}{note}")

    print("\nDegenerate games: payoffs in {-1, 0, 1}, median s/game (solve_exact up to 7x7)")
    for n in range(4, 13 if not args.quick else 10, 2 if not args.quick else 3):
        games = [
            (rng.integers(-1, 2, (n, n)).astype(float), rng.integers(-1, 2, (n, n)).astype(float))
            for _ in range(count)
        ]
        s_large, c_large = timed(large, games)
        line = f"{n:>3}x{n:<3} solve_large {statistics.median(s_large):8.4f} s"
        if n <= 7:
            s_exact, c_exact = timed(exact, games)
            agree = "same counts" if c_exact == c_large else "COUNTS DIFFER"
            line += f"   solve_exact {statistics.median(s_exact):8.4f} s ({agree})"
        print(line + f"   equilibria {c_large}")

    print("\nIdentity (coordination) games: 2^n - 1 equilibria (Quint and Shubik 1997)")
    for n in (8, 10, 12, 15) if not args.quick else (8, 10):
        eye = np.eye(n)
        seconds, counts = timed(large, [(eye, eye)])
        ok = "ok" if counts[0] == 2**n - 1 else f"WRONG (expected {2**n - 1})"
        print(f"{n:>3}x{n:<3} solve_large {seconds[0]:8.3f} s, {counts[0]} equilibria {ok}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
