"""Time a 2-D rare-earth regime map end to end from the CLI, with its peak memory.

Run on demand: python benchmarks/sweep_regime_map.py [--num 201 1001] [--repeat 1]
[--results-format csv]. For each NUM it runs

    negotiation sweep rare-earth --param weights.us.supply_security=0:6:NUM
        --param weights.us.diversification_cost=0:3:NUM --out TMP --quiet

(imports, solving, results.csv, summary.json, the regime map and the printed report:
everything a user waits for) and prints the wall time, the time per grid point and the
peak resident memory of the process (``ru_maxrss`` from ``wait4``, the figure
``/usr/bin/time -v`` reports). Issue 9's targets on a 2-core machine: 201 x 201 under
1.5 s, 1001 x 1001 under 15 s with a peak below 1 GB. The machine's load is printed too,
since a shared machine slows every figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(num: int, results_format: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one sweep of NUM x NUM points."""
    exe = Path(sys.executable).with_name("negotiation")
    with tempfile.TemporaryDirectory() as out:
        command = [
            str(exe), "sweep", "rare-earth",
            "--param", f"weights.us.supply_security=0:6:{num}",
            "--param", f"weights.us.diversification_cost=0:3:{num}",
            "--out", out, "--quiet",
        ]  # fmt: skip
        if results_format != "csv":
            command += ["--results-format", results_format]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--num", type=int, nargs="+", default=[201, 1001])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--results-format", default="csv", choices=["csv", "parquet"])
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    for num in args.num:
        runs = [run_once(num, args.results_format) for _ in range(args.repeat)]
        best = min(runs)
        points = num**2
        print(
            f"{num}x{num} = {points:,} points: {best[0]:.2f} s wall "
            f"({best[0] / points * 1e6:.1f} us per point), peak RSS {best[1]:.0f} MB "
            f"(best of {len(runs)}; CLI end to end, {args.results_format}, plots included)"
        )


if __name__ == "__main__":
    main()
