"""Time an uncertainty study of the rare-earth scenario with its 11 weights varied.

Run on demand: python benchmarks/explore.py [--samples 1000000] [--workers 2]. Every weight
the file holds is scaled by its own draw from U(0, 2) (``--scale 'weights.**=uniform:0:2'``).
Prints, in process and on a local Dask cluster of WORKERS single-threaded processes:

- wall seconds and draws per second of ``explore`` (draws, payoffs, solving, totals), and
  of the analysis that follows (confidence factors, sensitivity, rules);
- the overhead against raw ``solve_batch`` on the same games (the same payoff arrays,
  solved chunk by chunk): explore's draw-and-solve time over the raw solve time;
- peak resident memory of this process and of each worker.

The machine's load is printed too: on a shared machine, wall times grow with it.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from negotiation import load, solve_batch
from negotiation.studies.explore import (
    CHUNK,
    Study,
    Totals,
    chunk_ranges,
    finish,
    local_cluster,
    plan,
    run_chunks,
)
from negotiation.studies.sampling import unit_points


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def study(samples: int) -> Study:
    return Study(load("rare-earth"), scale=["weights.**=uniform:0:2"], samples=samples, seed=1)


def timed_explore(samples: int, **where: object) -> tuple[float, float, float]:
    """Seconds for the chunks, seconds for the analysis, CPU seconds of this process."""
    resolved = plan(study(samples))
    totals = Totals(resolved)
    cpu = time.process_time()
    start = time.perf_counter()
    run_chunks(
        resolved,
        chunk_ranges(resolved.samples, CHUNK),
        lambda r: totals.add(r, resolved.analysis_samples),
        keep=resolved.analysis_samples,
        **where,  # type: ignore[arg-type]
    )
    chunks = time.perf_counter() - start
    start = time.perf_counter()
    result = finish(resolved, totals, "rare-earth")
    analysis = time.perf_counter() - start
    shares = ", ".join(f"{r['label']} {r['share']:.2%}" for r in result.summary["regimes"][:4])
    print(f"    regimes: {shares}")
    return chunks, analysis, time.process_time() - cpu


def raw_solve(samples: int) -> float:
    """Seconds of solve_batch alone on the same games, chunk by chunk."""
    resolved = plan(study(samples))
    model = resolved.model
    total = 0.0
    for lo, hi in chunk_ranges(resolved.samples, CHUNK):
        x = resolved.values(unit_points(resolved.sampler, resolved.seed, resolved.dims, lo, hi))
        A, B, forced = model.payoffs(x)
        start = time.perf_counter()
        solve_batch(A, B, exact=lambda g, x=x: model.exact(x, g), rounding=2.0**-52,
                    force_exact=forced, chunk=len(x))  # fmt: skip
        total += time.perf_counter() - start
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    n = args.samples
    print(f"rare-earth, 11 weights x U(0, 2), {n:,} draws; load average {os.getloadavg()[0]:.1f}")
    timed_explore(2048)  # compile the payoff kernel and import everything first

    chunks, analysis, cpu = timed_explore(n)
    print(
        f"  in process: {chunks:.1f} s for the draws ({n / chunks:,.0f} draws/s, "
        f"{cpu:.1f} s CPU with the analysis), {analysis:.1f} s analysis; "
        f"peak RSS {peak_mb():,.0f} MB"
    )

    from distributed import Client

    with local_cluster(args.workers) as cluster, Client(cluster) as client:
        client.run(lambda: timed_explore.__module__)  # workers up
        chunks, analysis, _ = timed_explore(n, scheduler=client)
        worker_mb = client.run(peak_mb)
    print(
        f"  {args.workers} Dask workers: {chunks:.1f} s for the draws ({n / chunks:,.0f} draws/s), "
        f"{analysis:.1f} s analysis; worker peak RSS "
        + ", ".join(f"{mb:,.0f} MB" for mb in worker_mb.values())
    )

    raw = raw_solve(n)
    in_process = timed_explore(n)[0]
    print(
        f"  raw solve_batch on the same games: {raw:.1f} s ({n / raw:,.0f} games/s); "
        f"explore's draws in process took {in_process:.1f} s: overhead x{in_process / raw:.2f}"
    )
    print(f"  load average now {os.getloadavg()[0]:.1f}; main process peak RSS {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
