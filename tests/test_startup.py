"""Start-up of the command line: what `negotiation --help`, `--version` and `solve` import.

Issue 9 sets start-up targets (``benchmarks/startup.py`` times them); times vary with the
machine's load, so these tests check their cause instead: the modules a fresh process loads.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from negotiation.cli import choices

#: Runs the command line in a fresh interpreter on argv[1:], then prints (after a marker
#: line) its exit status and every module it loaded, as JSON.
PROBE = """
import json, sys
from negotiation.cli import main
try:
    main(sys.argv[1:])
except SystemExit as end:
    code = end.code
print("-- probe --")
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

#: Heavy third-party packages no start-up should load without need.
HEAVY = {"numpy", "matplotlib", "scipy", "nashpy", "numba", "flint"}


def loaded_by(*args: str) -> set[str]:
    """The modules a fresh ``negotiation ARGS...`` process has loaded when it ends (exit 0)."""
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *args], check=True, capture_output=True, text=True
    )
    report = json.loads(run.stdout.rpartition("-- probe --\n")[2])
    assert report["code"] == 0, run.stderr
    return set(report["modules"])


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_load_neither_numpy_nor_the_library(flag: str) -> None:
    """--help and --version load no numpy, matplotlib, model, solver or report code."""
    modules = loaded_by(flag)
    assert not HEAVY & modules
    ours = {m for m in modules if m.startswith("negotiation.")}
    light = {"negotiation.errors", "negotiation.output", "negotiation.output.escape"}
    assert ours == {"negotiation.cli", "negotiation.cli.app", "negotiation.cli.choices", *light}


def test_exact_solve_loads_no_plotting_nashpy_or_compiled_kernels() -> None:
    """`solve rare-earth --method exact` loads numpy but no matplotlib, nashpy, scipy or numba."""
    modules = loaded_by("solve", "rare-earth", "--method", "exact")
    assert "negotiation.solvers.exact" in modules
    assert "numpy" in modules  # the exact enumeration's front end needs it
    assert not (HEAVY - {"numpy"}) & modules
    assert not {m for m in modules if m.startswith("negotiation.output.") and "plot" in m}
    assert "negotiation.solvers.kernels" not in modules
    assert "negotiation.output.results" not in modules


def test_choices_are_the_librarys_own() -> None:
    """The CLI's copies of --method, --solver and --tol equal the library's constants."""
    from negotiation.solvers import equilibria
    from negotiation.studies import sweep

    assert tuple(equilibria.METHODS) == choices.METHODS
    assert choices.TOLERANCE == equilibria.TOLERANCE
    assert choices.SOLVERS == sweep.SOLVERS


def test_the_boundary_escapes_with_the_reports_printable() -> None:
    """The error boundary and the report escape text with one function, not two copies."""
    from negotiation.output import report

    assert choices.printable is report.printable  # one function, re-exported by both
    assert choices.printable("a\x1b[2J\nb\u202e") == "a\\x1b[2J\\nb\\u202e"
