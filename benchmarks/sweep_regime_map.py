"""Time a 2-D sweep of the rare-earth scenario from the CLI, plots included.

Run on demand: python benchmarks/sweep_regime_map.py [--num 201]. Prints the wall time of
`negotiation sweep` on a NUM x NUM grid over the US's supply-security and legitimacy
weights, and the time per grid point.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--num", type=int, default=201)
    args = parser.parse_args()
    exe = Path(sys.executable).with_name("negotiation")
    with tempfile.TemporaryDirectory() as out:
        command = [
            str(exe), "sweep", "rare-earth",
            "--param", f"weights.us.supply_security=0:6:{args.num}",
            "--param", f"weights.us.legitimacy=-2:3:{args.num}",
            "--out", out, "--quiet",
        ]  # fmt: skip
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
    points = args.num**2
    print(
        f"{args.num}x{args.num} = {points} points: {elapsed:.1f} s wall, "
        f"{elapsed / points * 1e3:.2f} ms per point (CLI, plots included)"
    )


if __name__ == "__main__":
    main()
