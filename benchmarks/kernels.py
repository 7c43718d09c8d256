"""Benchmark the compiled float stage (negotiation.solvers.kernels) side by side, in one run.

Run on demand (not part of the test suite):

    .venv/bin/pip install -e ".[bench]"          # QuantEcon (numba), benchmark-only
    .venv/bin/python benchmarks/kernels.py        # about 8 minutes on a shared 2-core machine
    .venv/bin/python benchmarks/kernels.py --quick

It prints the numba and numpy versions, the BLAS library, the CPU count and the load
average (the machine may be shared: every time is given as wall clock and as this
process's CPU time, medians of three runs), then:

- for 2x2, 3x3 and 4x4 games with standard normal and with uniform [0, 1) payoffs, on
  1,000,000 games each (seeded): ``solve_floats`` (the kernel: certified equilibria and
  suspect flags), a plain compiled reference (the numba support enumeration below, no
  certification, counting only, on structure-of-arrays input prepared beforehand),
  ``solve_batch`` end to end (exact path, ordering and checks included) with its numpy
  float stage and with this kernel (``compiled=True``), QuantEcon's numba
  ``support_enumeration`` and nashpy's ``support_enumeration`` looped over samples;
  the equilibrium counts of each compared with the kernel's on the games the kernel
  decides, and the time ratios;
- the first call's cost (import plus compile) with an empty numba cache and with the
  cache filled, each in a fresh interpreter;
- 10,000,000 3x3 games streamed through ``solve_floats`` in chunks of 100,000 in a fresh
  interpreter: time and peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from itertools import combinations

import numba
import numpy as np

from negotiation import solve_batch
from negotiation.solvers.kernels import solve_floats

# --------------------------------------------------------------------------------------
# The compiled reference: textbook support enumeration (von Stengel 2007, Algorithm 3.4
# in Nisan et al., Algorithmic Game Theory; nashpy's algorithm), one game at a time, with
# a plain tolerance and no error analysis. It only counts equilibria.
# --------------------------------------------------------------------------------------


@numba.njit(cache=True)
def reference_counts(A, B, size, supports, tol):  # type: ignore[no-untyped-def]
    """Equilibria per game by support enumeration; A[i, j, g] and B[j, i, g] (games last).

    ``supports[0, p]`` and ``supports[1, p]`` are the row and column supports of pair p.
    Per game: copy its payoffs into a small local table (``pay[0] = A``, ``pay[1] = B^T``),
    find each player's best replies to pure strategies (pure equilibria), then for each
    pair of supports (K, J) of equal size k >= 2 solve ``M[K, J] z = w 1, sum z = 1`` for
    each player (closed form for k = 2, Gaussian elimination with partial pivoting
    otherwise) and check z >= -tol and that no other strategy earns more than w + tol.
    One function, early exits, no array rebinding in the loops (each costs an atomic
    reference count in numba).
    """
    m, n, N = A.shape
    kmax, side_max = min(m, n), max(m, n)
    counts = np.zeros(N, dtype=np.int64)
    pay = np.zeros((2, side_max, side_max))
    best = np.empty((2, side_max))  # best[0, j]: max_i A[i, j]; best[1, i]: max_j B[i, j]
    shape = (m, n)
    work = np.empty((kmax + 1, kmax + 2))
    z = np.empty((2, kmax + 1))
    for g in range(N):
        for i in range(m):
            for j in range(n):
                pay[0, i, j] = A[i, j, g]
                pay[1, j, i] = B[j, i, g]
        for side in range(2):
            for v in range(shape[1 - side]):
                best[side, v] = pay[side, 0, v]
                for e in range(1, shape[side]):
                    best[side, v] = max(best[side, v], pay[side, e, v])
        found = 0
        for p in range(len(size)):
            k = size[p]
            if k == 1:
                i, j = supports[0, p, 0], supports[1, p, 0]
                found += (pay[0, i, j] >= best[0, j] - tol) and (pay[1, j, i] >= best[1, i] - tol)
                continue
            ok = True
            for side in range(2):  # 0: y from A (rows K tight); 1: x from B^T (columns J tight)
                if k == 2:
                    i1, i2 = supports[side, p, 0], supports[side, p, 1]
                    j1, j2 = supports[1 - side, p, 0], supports[1 - side, p, 1]
                    d = (pay[side, i1, j1] - pay[side, i1, j2]) - (
                        pay[side, i2, j1] - pay[side, i2, j2]
                    )
                    if abs(d) < 1e-12:
                        ok = False
                        break
                    z[side, 0] = (pay[side, i2, j2] - pay[side, i1, j2]) / d
                    z[side, 1] = 1.0 - z[side, 0]
                    z[side, 2] = pay[side, i1, j1] * z[side, 0] + pay[side, i1, j2] * z[side, 1]
                else:
                    for r in range(k):
                        for c in range(k):
                            work[r, c] = pay[side, supports[side, p, r], supports[1 - side, p, c]]
                        work[r, k] = -1.0
                        work[r, k + 1] = 0.0
                    for c in range(k):
                        work[k, c] = 1.0
                    work[k, k] = 0.0
                    work[k, k + 1] = 1.0
                    for c in range(k + 1):
                        piv = c
                        for r in range(c + 1, k + 1):
                            if abs(work[r, c]) > abs(work[piv, c]):
                                piv = r
                        if abs(work[piv, c]) < 1e-12:
                            ok = False
                            break
                        if piv != c:
                            for t in range(k + 2):
                                work[piv, t], work[c, t] = work[c, t], work[piv, t]
                        for r in range(c + 1, k + 1):
                            f = work[r, c] / work[c, c]
                            for t in range(c, k + 2):
                                work[r, t] -= f * work[c, t]
                    if not ok:
                        break
                    for r in range(k, -1, -1):
                        acc = work[r, k + 1]
                        for t in range(r + 1, k + 1):
                            acc -= work[r, t] * z[side, t]
                        z[side, r] = acc / work[r, r]
                for t in range(k):
                    if z[side, t] < -tol:
                        ok = False
                if not ok:
                    break
                for e in range(shape[side]):
                    acc = 0.0
                    for t in range(k):
                        acc += pay[side, e, supports[1 - side, p, t]] * z[side, t]
                    if acc > z[side, k] + tol:
                        ok = False
                        break
                if not ok:
                    break
            found += ok
        counts[g] = found
    return counts


def reference_tables(m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The support pairs of equal size: sizes and supports[0 or 1, pair, :], padded."""
    size, rows, cols = [], [], []
    for k in range(1, min(m, n) + 1):
        for r in combinations(range(m), k):
            for c in combinations(range(n), k):
                size.append(k)
                rows.append([*r, *[0] * (min(m, n) - k)])
                cols.append([*c, *[0] * (min(m, n) - k)])
    return np.array(size), np.array([rows, cols])


# --------------------------------------------------------------------------------------


def timed(run: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``repeats`` runs, and the last result.

    The previous result is released before each run, so a run reuses the memory of the
    one before (as a streaming caller does) instead of faulting in fresh pages.
    """
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        result = None
        w, c = time.perf_counter(), time.process_time()
        result = run()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return statistics.median(walls), statistics.median(cpus), result


def us(seconds: float, count: int) -> str:
    return f"{seconds / count * 1e6:8.3f}"


def nashpy_counts(A: np.ndarray, B: np.ndarray) -> list[int]:
    import nashpy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        games = (nashpy.Game(a, b) for a, b in zip(A, B, strict=True))
        return [len(list(game.support_enumeration())) for game in games]


def quantecon_counts(A: np.ndarray, B: np.ndarray) -> list[int] | None:
    try:
        from quantecon.game_theory import NormalFormGame, Player, support_enumeration
    except ImportError:
        return None
    return [
        len(support_enumeration(NormalFormGame((Player(a), Player(b.T)))))
        for a, b in zip(A, B, strict=True)
    ]


def environment() -> None:
    print(f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}")
    try:
        from threadpoolctl import threadpool_info

        blas = "; ".join(
            f"{i['internal_api']} {i.get('version')} ({i.get('architecture')}, "
            f"{i['num_threads']} threads)"
            for i in threadpool_info()
        )
    except ImportError:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{info.get('name')} {info.get('version')} (numpy's build information)"
    print(f"BLAS: {blas}")
    try:
        import quantecon

        print(f"QuantEcon {quantecon.__version__}", end=", ")
    except ImportError:
        print("QuantEcon not installed", end=", ")
    import nashpy

    print(f"nashpy {nashpy.__version__}")
    print(
        f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f} (other work shares the machine: see CPU times)"
    )
    print("every engine runs on one thread (the kernels are not parallel)")


def compare_shape(
    rng: np.random.Generator, shape: tuple[int, int], distribution: str, args: argparse.Namespace
) -> None:
    count = args.games
    draw = rng.standard_normal if distribution == "normal" else rng.random
    A, B = draw((count, *shape)), draw((count, *shape))
    m, n = shape
    solve_floats(A[:8], B[:8])  # compiled or loaded from the cache already
    _, first_cpu, _ = timed(lambda: solve_floats(A, B), 1)  # touches fresh memory
    k_wall, k_cpu, stage = timed(lambda: solve_floats(A, B), args.repeats)
    kernel = np.bincount(stage.game, minlength=count)  # type: ignore[attr-defined]
    decided = ~stage.suspect  # type: ignore[attr-defined]

    size, supports = reference_tables(m, n)
    Aq, Bp = np.ascontiguousarray(A.transpose(1, 2, 0)), np.ascontiguousarray(B.transpose(2, 1, 0))
    reference_counts(Aq[:, :, :8].copy(), Bp[:, :, :8].copy(), size, supports, 1e-9)
    r_wall, r_cpu, reference = timed(
        lambda: reference_counts(Aq, Bp, size, supports, 1e-9), args.repeats
    )

    b_wall, b_cpu, result = timed(lambda: solve_batch(A, B, compiled=False), 1)
    batch = np.bincount(result.game, minlength=count)  # type: ignore[attr-defined]
    w_wall, w_cpu, wired = timed(lambda: solve_batch(A, B, compiled=True), 1)
    same = all(
        np.array_equal(getattr(result, f), getattr(wired, f))
        for f in ("game", "component", "degenerate")
    ) and np.allclose(result.row, wired.row, atol=1e-10)  # type: ignore[attr-defined]

    sample = args.sample
    q_wall, q_cpu, qe = 0.0, 0.0, None
    if quantecon_counts(A[:2], B[:2]) is not None:  # compiles QuantEcon's kernels first
        q_wall, q_cpu, qe = timed(lambda: quantecon_counts(A[:sample], B[:sample]), 1)
    nsample = args.nashpy_sample
    n_wall, n_cpu, nash = timed(lambda: nashpy_counts(A[:nsample], B[:nsample]), 1)

    def agree(counts: object, upto: int) -> str:
        c = np.asarray(counts)[:upto]
        mask = decided[:upto]
        return f"{int((c[mask] == kernel[:upto][mask]).sum())}/{int(mask.sum())}"

    print(
        f"\n{m}x{n} {distribution}, {count:,} games: {len(stage.game) / count:.3f} equilibria per "  # type: ignore[attr-defined]
        f"game; kernel leaves {int((~decided).sum())} suspect games to the exact path "
        f"(the numpy float stage {result.exact_games})"  # type: ignore[attr-defined]
    )
    print("  engine                         us/game wall   us/game CPU   counts agree with kernel")
    print(
        f"  kernel solve_floats            {us(k_wall, count)}       {us(k_cpu, count)}"
        f"      (first run, output in fresh memory: {us(first_cpu, count).strip()} CPU)"
    )
    print(
        f"  compiled reference (counts)    {us(r_wall, count)}       {us(r_cpu, count)}"
        f"      {agree(reference, count)}"
    )
    print(
        f"  solve_batch, numpy float stage {us(b_wall, count)}       {us(b_cpu, count)}"
        f"      {agree(batch, count)}"
    )
    print(
        f"  solve_batch with the kernel    {us(w_wall, count)}       {us(w_cpu, count)}"
        f"      same result as with numpy: {same}"
    )
    if qe is not None:
        print(
            f"  QuantEcon loop ({sample:,} games)  {us(q_wall, sample)}       {us(q_cpu, sample)}"
            f"      {agree(qe, sample)}"
        )
    print(
        f"  nashpy loop ({nsample:,} games)      {us(n_wall, nsample)}       {us(n_cpu, nsample)}"
        f"      {agree(nash, nsample)}"
    )
    per = k_cpu / count
    ratios = [
        f"reference {r_cpu / count / per:.2f}x the kernel's",
        f"solve_batch numpy {b_cpu / count / per:.1f}x, with the kernel {w_cpu / count / per:.1f}x",
    ]
    if qe is not None:
        ratios.append(f"QuantEcon {q_cpu / sample / per:,.0f}x")
    ratios.append(f"nashpy {n_cpu / nsample / per:,.0f}x")
    print("  CPU time ratios: " + ", ".join(ratios))


FIRST_CALL = """
import time
w, c = time.perf_counter(), time.process_time()
import numpy as np
from negotiation.solvers.kernels import solve_floats
A = np.random.default_rng(0).standard_normal((4, 3, 3))
solve_floats(A, A)
print(f"{time.perf_counter() - w:.2f} s wall, {time.process_time() - c:.2f} s CPU")
"""

STREAM = """
import sys, time
import numpy as np
from negotiation.solvers.kernels import solve_floats


def peak_mb():
    # VmHWM: this process's own high-water mark (ru_maxrss can report the parent's, from
    # before the fork).
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


total, chunk = int(sys.argv[1]), 100_000
rng = np.random.default_rng(1)
solve_floats(rng.standard_normal((8, 3, 3)), rng.standard_normal((8, 3, 3)))
before = peak_mb()
w, c, found, suspect, kernel = time.perf_counter(), time.process_time(), 0, 0, 0.0
for _ in range(total // chunk):
    A, B = rng.standard_normal((chunk, 3, 3)), rng.standard_normal((chunk, 3, 3))
    k = time.process_time()
    stage = solve_floats(A, B)
    kernel += time.process_time() - k
    found += len(stage.game)
    suspect += int(stage.suspect.sum())
print(
    f"{total:,} games in chunks of {chunk:,}: {time.perf_counter() - w:.1f} s wall, "
    f"{time.process_time() - c:.1f} s CPU of which the kernel {kernel:.1f} s "
    f"({kernel / total * 1e6:.3f} us/game; the rest draws the random games); "
    f"{found:,} equilibria, {suspect} suspect games; peak RSS {peak_mb():.0f} MB "
    f"({before:.0f} MB after imports and the first call)"
)
"""


def first_call_costs() -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = subprocess.run(
            [sys.executable, "-c", FIRST_CALL], env=env, capture_output=True, text=True, check=True
        )
        warm = subprocess.run(
            [sys.executable, "-c", FIRST_CALL], env=env, capture_output=True, text=True, check=True
        )
    print(
        f"\nfirst call (import + solve 4 games) in a fresh interpreter: empty numba cache "
        f"{cold.stdout.strip()}; cache filled {warm.stdout.strip()}"
    )


def stream(total: int) -> None:
    run = subprocess.run(
        [sys.executable, "-c", STREAM, str(total)], capture_output=True, text=True, check=True
    )
    print(f"\nstreaming: {run.stdout.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 games per shape, 1-2 minutes")
    parser.add_argument("--seed", type=int, default=20250324)
    args = parser.parse_args()
    args.games = 100_000 if args.quick else 1_000_000
    args.repeats = 3
    args.sample = 2_000 if args.quick else 10_000
    args.nashpy_sample = 100 if args.quick else 300
    rng = np.random.default_rng(args.seed)
    environment()
    for shape in [(2, 2), (3, 3), (4, 4)]:
        for distribution in ["normal", "uniform"]:
            compare_shape(rng, shape, distribution, args)
    first_call_costs()
    stream(1_000_000 if args.quick else 10_000_000)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
