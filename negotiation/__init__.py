"""negotiation: game-theoretic negotiation scenarios, from weighted criteria to equilibria.

The package is laid out by pipeline stage, so the data flow reads from the tree:

- :mod:`negotiation.model`: scenario files parsed and validated (``scenario``), overrides of
  their numbers (``overrides``), weights x scores (``payoffs``), the catalogue (``catalogue``);
- :mod:`negotiation.solvers`: every equilibrium, verified (``equilibria``), the exact
  reference (``exact``), the batched engine (``batch``), continua (``components``);
- :mod:`negotiation.studies`: many games at once, such as parameter sweeps (``sweep``);
- :mod:`negotiation.output`: tables and JSON (``report``), plots (``plots``), sweep folders
  (``results``), atomic file writes (``atomic``);
- :mod:`negotiation.teaching`: classroom exercises; :mod:`negotiation.cli`: the command.

>>> from negotiation import load, solve
>>> solution = solve(load("prisoners-dilemma"))
>>> [(e.support, [float(p) for p in e.payoffs]) for e in solution.equilibria]
[(((1,), (1,)), [1.0, 1.0])]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from negotiation.errors import ScenarioError
    from negotiation.model.catalogue import catalogue, load
    from negotiation.model.payoffs import CellBreakdown, Game, cell_breakdown, payoff_matrices
    from negotiation.model.scenario import Criterion, Player, Scenario, Strategy
    from negotiation.solvers.batch import BatchResult, solve_batch
    from negotiation.solvers.components import Component, NashSubset
    from negotiation.solvers.equilibria import METHODS, Equilibrium, Solution, is_equilibrium, solve
    from negotiation.solvers.exact import ExactSolution, is_degenerate, solve_exact
    from negotiation.studies.sweep import Axis, Grid, SweepResult, change_points, regimes, sweep

#: Where each public name lives. Names are imported on first use (PEP 562), so that
#: ``import negotiation`` and the command line start fast: numpy, nashpy, matplotlib and
#: numba load only when something needs them.
_EXPORTS: dict[str, str] = {
    "Axis": "negotiation.studies.sweep",
    "BatchResult": "negotiation.solvers.batch",
    "CellBreakdown": "negotiation.model.payoffs",
    "Component": "negotiation.solvers.components",
    "Criterion": "negotiation.model.scenario",
    "Equilibrium": "negotiation.solvers.equilibria",
    "ExactSolution": "negotiation.solvers.exact",
    "Game": "negotiation.model.payoffs",
    "Grid": "negotiation.studies.sweep",
    "METHODS": "negotiation.solvers.equilibria",
    "NashSubset": "negotiation.solvers.components",
    "Player": "negotiation.model.scenario",
    "Scenario": "negotiation.model.scenario",
    "ScenarioError": "negotiation.errors",
    "Solution": "negotiation.solvers.equilibria",
    "Strategy": "negotiation.model.scenario",
    "SweepResult": "negotiation.studies.sweep",
    "catalogue": "negotiation.model.catalogue",
    "cell_breakdown": "negotiation.model.payoffs",
    "change_points": "negotiation.studies.sweep",
    "is_degenerate": "negotiation.solvers.exact",
    "is_equilibrium": "negotiation.solvers.equilibria",
    "load": "negotiation.model.catalogue",
    "payoff_matrices": "negotiation.model.payoffs",
    "regimes": "negotiation.studies.sweep",
    "solve": "negotiation.solvers.equilibria",
    "solve_batch": "negotiation.solvers.batch",
    "solve_exact": "negotiation.solvers.exact",
    "sweep": "negotiation.studies.sweep",
}

__all__ = [
    "METHODS",
    "Axis",
    "BatchResult",
    "CellBreakdown",
    "Component",
    "Criterion",
    "Equilibrium",
    "ExactSolution",
    "Game",
    "Grid",
    "NashSubset",
    "Player",
    "Scenario",
    "ScenarioError",
    "Solution",
    "Strategy",
    "SweepResult",
    "__version__",
    "catalogue",
    "cell_breakdown",
    "change_points",
    "is_degenerate",
    "is_equilibrium",
    "load",
    "payoff_matrices",
    "regimes",
    "solve",
    "solve_batch",
    "solve_exact",
    "sweep",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name == "__version__":
        from importlib.metadata import version

        value: Any = version("negotiation")
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'negotiation' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
