"""Time the per-game solver on random games (run on demand: python benchmarks/solve_per_game.py).

Prints the mean time per game of the exact enumeration alone and of `solve` with each
nashpy cross-check method, for several shapes, on seeded random games.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from negotiation import Game, solve, solve_exact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--games", type=int, default=200, help="games per shape")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"{'shape':>6} {'what':>22} {'ms/game':>9}")
    for shape in [(2, 2), (3, 3), (4, 4), (5, 5), (3, 6), (6, 6)]:
        count = args.games if shape[0] * shape[1] <= 25 else max(5, args.games // 20)
        games = [
            Game.from_arrays(rng.integers(-100, 101, shape), rng.integers(-100, 101, shape))
            for _ in range(count)
        ]
        runs = [("exact enumeration", lambda g: solve_exact(g))]
        if shape[0] <= 4:
            runs += [
                (f"solve --method {m}", lambda g, m=m: solve(g, m)) for m in ("support", "vertex")
            ]
        for label, fn in runs:
            start = time.perf_counter()
            for game in games:
                fn(game)
            per_game = (time.perf_counter() - start) / count * 1e3
            print(f"{shape[0]}x{shape[1]:<4} {label:>22} {per_game:9.2f}")


if __name__ == "__main__":
    main()
