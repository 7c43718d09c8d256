"""negotiation: game-theoretic negotiation scenarios, from weighted criteria to equilibria.

The pipeline reads from the module list: :mod:`~negotiation.scenario` (TOML files, validated)
-> :mod:`~negotiation.payoffs` (weights x scores) -> :mod:`~negotiation.equilibria` (every
equilibrium, verified; exact reference in :mod:`~negotiation.exact`, continua in
:mod:`~negotiation.components`) -> :mod:`~negotiation.sweep` (grids of parameters;
folders in :mod:`~negotiation.results`) -> :mod:`~negotiation.plots` ->
:mod:`~negotiation.report` (tables and JSON) -> :mod:`~negotiation.cli`.

>>> from negotiation import load, solve
>>> solution = solve(load("prisoners-dilemma"))
>>> [(e.support, [float(p) for p in e.payoffs]) for e in solution.equilibria]
[(((1,), (1,)), [1.0, 1.0])]
"""

from importlib.metadata import version as _version

from negotiation.batch import BatchResult, solve_batch
from negotiation.catalogue import catalogue, load
from negotiation.components import Component, NashSubset
from negotiation.equilibria import METHODS, Equilibrium, Solution, is_equilibrium, solve
from negotiation.errors import ScenarioError
from negotiation.exact import ExactSolution, is_degenerate, solve_exact
from negotiation.payoffs import CellBreakdown, Game, cell_breakdown, payoff_matrices
from negotiation.scenario import Criterion, Player, Scenario, Strategy
from negotiation.sweep import Axis, Grid, SweepResult, change_points, regimes, sweep

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
