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

from importlib.metadata import version as _version

from negotiation.errors import ScenarioError
from negotiation.model.catalogue import catalogue, load
from negotiation.model.payoffs import CellBreakdown, Game, cell_breakdown, payoff_matrices
from negotiation.model.scenario import Criterion, Player, Scenario, Strategy
from negotiation.solvers.batch import BatchResult, solve_batch
from negotiation.solvers.components import Component, NashSubset
from negotiation.solvers.equilibria import METHODS, Equilibrium, Solution, is_equilibrium, solve
from negotiation.solvers.exact import ExactSolution, is_degenerate, solve_exact
from negotiation.studies.sweep import Axis, Grid, SweepResult, change_points, regimes, sweep

__version__ = _version("negotiation")

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
