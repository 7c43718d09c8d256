"""Time uncertainty studies of game trees in process: draws per second of ``explore``.

Run on demand: python benchmarks/explore_trees.py [--samples 200000]. Two studies:

- ``rare-earth-sequential`` with Russia's seven weights each scaled by its own draw from
  U(0, 2) (``--scale 'weights.russia.*=uniform:0:2'``): a 22-node tree with perfect
  information, solved by the batched backward induction with exact fallback;
- ``entry`` with the incumbent's fight payoff uniform on [-2, 2].

For each it prints the time to plan the study (building the tree's exact polynomials from
d + 2 rebuilds of the tree), the wall seconds and draws per second of the chunks (draws, the tree's
numbers, solving, totals), the analysis that follows (confidence factors, sensitivity,
rules), and the share of draws the exact solver decided. The machine's load is printed too:
on a shared machine, wall times grow with it.
"""

from __future__ import annotations

import argparse
import os
import time

from negotiation import load
from negotiation.studies.explore import (
    CHUNK,
    Study,
    Totals,
    chunk_ranges,
    finish,
    plan,
    run_chunks,
)

STUDIES = {
    "rare-earth-sequential": {"scale": ["weights.russia.*=uniform:0:2"]},
    "entry": {"vary": ["tree.in.fight.payoffs.incumbent=uniform:-2:2"]},
}


def run(name: str, samples: int) -> None:
    """Time one study in process and print its figures."""
    settings = STUDIES[name]
    study = Study(load(name), samples=samples, seed=1, **settings)  # type: ignore[arg-type]
    start = time.perf_counter()
    resolved = plan(study)
    planned = time.perf_counter() - start
    totals = Totals(resolved)
    start = time.perf_counter()
    run_chunks(
        resolved,
        chunk_ranges(resolved.samples, CHUNK),
        lambda r: totals.add(r, resolved.analysis_samples),
        keep=resolved.analysis_samples,
    )
    chunks = time.perf_counter() - start
    start = time.perf_counter()
    result = finish(resolved, totals, name, baseline=study.scenario)
    analysis = time.perf_counter() - start
    print(f"{name}: {len(resolved.inputs)} numbers vary, {samples:,} draws")
    print(f"  plan (exact polynomials): {planned:.2f} s")
    print(f"  chunks: {chunks:.2f} s, {samples / chunks:,.0f} draws/s")
    print(f"  analysis: {analysis:.2f} s")
    print(f"  exact share: {result.summary['exact']:.4%}")
    for r in result.summary["regimes"][:3]:
        print(f"    {r['share']:.2%}  {r['label']}")


def main() -> None:
    """Parse the options and run both studies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200_000)
    args = parser.parse_args()
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name in STUDIES:
        run(name, args.samples)


if __name__ == "__main__":
    main()
