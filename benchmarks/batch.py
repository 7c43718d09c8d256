"""Benchmark the batched engine against nashpy and QuantEcon, side by side in one run.

Run on demand (not part of the test suite):

    .venv/bin/pip install -e ".[bench]"        # QuantEcon (numba), benchmark-only
    .venv/bin/python benchmarks/batch.py        # about five minutes on 2 cores

It prints, for random 3x3 games with standard normal payoffs (seeded):
- solve_batch time per game on 1,000,000 games, all equilibria;
- the nashpy support-enumeration loop and the QuantEcon numba support-enumeration loop
  per game on a sample of the same games, and the speed ratios;
- set agreement with pygambit's exact enummixed on 10,000 non-degenerate games;
- on 10,000 small-integer games (mostly degenerate): how many are degenerate, and whether
  every one was flagged and solved exactly as the exact solver does;
- peak memory (max RSS) while streaming 10,000,000 games in chunks of 100,000;
- per-game times for 4x4, 5x5 and 3x6 games.
Use --quick for a smaller run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

import nashpy
import numpy as np

from negotiation import Game, solve_batch, solve_exact


def per_game(seconds: float, count: int) -> str:
    return f"{seconds / count * 1e6:9.2f} us/game"


def time_batch(rng: np.random.Generator, n: int, shape: tuple[int, int]) -> float:
    A, B = rng.standard_normal((n, *shape)), rng.standard_normal((n, *shape))
    start = time.perf_counter()
    solve_batch(A, B)
    return time.perf_counter() - start


def nashpy_loop(A: np.ndarray, B: np.ndarray) -> tuple[float, list[int]]:
    counts = []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a, b in zip(A, B, strict=True):
            counts.append(len(list(nashpy.Game(a, b).support_enumeration())))
    return time.perf_counter() - start, counts


def quantecon_loop(A: np.ndarray, B: np.ndarray) -> tuple[float, list[int]] | None:
    try:
        from quantecon.game_theory import NormalFormGame, Player, support_enumeration
    except ImportError:
        return None
    support_enumeration(NormalFormGame((Player(A[0]), Player(B[0].T))))  # compile (numba)
    counts = []
    start = time.perf_counter()
    for a, b in zip(A, B, strict=True):
        counts.append(len(support_enumeration(NormalFormGame((Player(a), Player(b.T))))))
    return time.perf_counter() - start, counts


def gambit_agreement(A: np.ndarray, B: np.ndarray) -> tuple[int, int]:
    # The test suite's oracle adapter works with pygambit 16.7 and 17.x alike.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from test_exact import gambit_equilibria

    result = solve_batch(A, B)
    agree = 0
    for g in range(len(A)):
        oracle = [
            ([float(p) for p in x], [float(p) for p in y])
            for x, y in gambit_equilibria(Game.from_arrays(A[g], B[g]))
        ]
        got = result.equilibria_of(g)
        agree += len(got) == len(oracle) and all(
            any(
                np.allclose(x, ox, atol=1e-9) and np.allclose(y, oy, atol=1e-9) for ox, oy in oracle
            )
            for x, y in got
        )
    return agree, len(A)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, about 30 s")
    parser.add_argument("--seed", type=int, default=20250324)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    big = 100_000 if args.quick else 1_000_000
    sample = 300 if args.quick else 2_000
    oracle = 500 if args.quick else 10_000
    stream = 1_000_000 if args.quick else 10_000_000

    A, B = rng.standard_normal((big, 3, 3)), rng.standard_normal((big, 3, 3))
    start = time.perf_counter()
    result = solve_batch(A, B)
    t_batch = time.perf_counter() - start
    print(
        f"solve_batch, {big:,} random 3x3 games: {t_batch:.2f} s,{per_game(t_batch, big)}, "
        f"{len(result.game):,} equilibria, {result.exact_games} games sent to the exact path"
    )

    a, b = A[:sample], B[:sample]
    batch_counts = np.bincount(
        result.game[np.isin(result.game, np.arange(sample))], minlength=sample
    )
    t_nashpy, n_counts = nashpy_loop(a, b)
    ratio = (t_nashpy / sample) / (t_batch / big)
    agree = sum(int(x == y) for x, y in zip(n_counts, batch_counts, strict=True))
    print(
        f"nashpy support_enumeration loop, {sample} of the same games:{per_game(t_nashpy, sample)}"
        f"  -> solve_batch is {ratio:,.0f}x faster; equilibrium counts agree on {agree}/{sample}"
    )
    qe = quantecon_loop(a, b)
    if qe is None:
        print("QuantEcon not installed (pip install -e '.[bench]'): loop skipped")
    else:
        t_qe, q_counts = qe
        ratio = (t_qe / sample) / (t_batch / big)
        agree = sum(int(x == y) for x, y in zip(q_counts, batch_counts, strict=True))
        print(
            f"QuantEcon support_enumeration loop (numba), same games:{per_game(t_qe, sample)}  -> "
            f"solve_batch is {ratio:,.1f}x faster; equilibrium counts agree on {agree}/{sample}"
        )

    oa, ob = rng.standard_normal((oracle, 3, 3)), rng.standard_normal((oracle, 3, 3))
    agree, total = gambit_agreement(oa, ob)
    print(f"agreement with pygambit exact enummixed: {agree}/{total} random non-degenerate games")

    ia = rng.integers(-3, 4, (oracle, 3, 3)).astype(float)
    ib = rng.integers(-3, 4, (oracle, 3, 3)).astype(float)
    result = solve_batch(ia, ib)
    flagged = same = degenerate = 0
    for g in range(oracle):
        exact = solve_exact(Game.from_arrays(ia[g], ib[g]))
        degenerate += exact.degenerate
        flagged += exact.degenerate and bool(result.degenerate[g])
        same += len(result.equilibria_of(g)) == len(exact.equilibria)
    print(
        f"small-integer 3x3 games: {degenerate}/{oracle} degenerate, {flagged} of them flagged; "
        f"equilibrium sets of the same size as the exact solver's in {same}/{oracle}"
    )

    chunk = 100_000
    start = time.perf_counter()
    for _ in range(stream // chunk):
        solve_batch(rng.standard_normal((chunk, 3, 3)), rng.standard_normal((chunk, 3, 3)))
    t_stream = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"streamed {stream:,} games in chunks of {chunk:,}: {t_stream:.1f} s, "
        f"peak memory (max RSS of this process) {peak:.0f} MB"
    )

    for shape in [(4, 4), (5, 5), (3, 6)]:
        n = 20_000 if args.quick else 100_000
        t = time_batch(rng, n, shape)
        print(f"solve_batch {shape[0]}x{shape[1]}, {n:,} games:{per_game(t, n)}")


if __name__ == "__main__":
    main()
