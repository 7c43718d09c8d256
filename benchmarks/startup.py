"""Start-up time of the command line (issue 9 goal 4, issue 13 item 6); run on demand.

    .venv/bin/python benchmarks/startup.py [--runs 7]

Times whole processes (median of ``--runs``) for ``negotiation --help``, ``--version``,
``validate rare-earth``, ``solve rare-earth --method exact`` and ``solve rare-earth`` (the
default, which cross-checks with nashpy and so loads scipy), plus ``import negotiation``
and ``import negotiation.cli`` alone. Targets: --help and --version under 0.3 s,
``solve rare-earth`` under 0.6 s on a 2-core machine. Prints the load average, since a
busy machine inflates every figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import negotiation": [sys.executable, "-c", "import negotiation"],
    "import negotiation.cli": [sys.executable, "-c", "import negotiation.cli"],
    "negotiation --help": [str(BIN / "negotiation"), "--help"],
    "negotiation --version": [str(BIN / "negotiation"), "--version"],
    "validate rare-earth": [str(BIN / "negotiation"), "validate", "rare-earth"],
    "solve rare-earth --method exact": [
        str(BIN / "negotiation"),
        "solve",
        "rare-earth",
        "--method",
        "exact",
    ],
    "solve rare-earth": [str(BIN / "negotiation"), "solve", "rare-earth"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for name, command in COMMANDS.items():
        subprocess.run(command, check=True, capture_output=True)  # warm the file cache
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        print(f"{name:34s} median {statistics.median(times):.3f} s  min {min(times):.3f} s")


if __name__ == "__main__":
    main()
