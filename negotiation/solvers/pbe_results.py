"""What the perfect Bayesian solver reports: equilibria, their sets, and the solution.

Plain frozen values (attrs), shared by the solver (:mod:`negotiation.solvers.pbe_engine`),
the prior thresholds (:mod:`negotiation.solvers.prior_threshold`) and the report
(:mod:`negotiation.output.pbe_report`); the definitions they carry are in the module
docstring of :mod:`negotiation.solvers.pbe`.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import attrs

from negotiation.model.payoffs import Game
from negotiation.model.tree import TreeNumbers, TreeScenario
from negotiation.solvers.components import Component
from negotiation.solvers.exact import ExactSolution
from negotiation.solvers.reduced import Plan, ReducedSolution

#: Behaviour at every information set (a probability per action), in infoset order.
Behaviour = tuple[tuple[Fraction, ...], ...]


class UnsupportedError(Exception):
    """The tree is outside the class where PBE are computed exactly (the message says why)."""


@attrs.frozen
class Deviation:
    """A message off the path and a type that breaks an equilibrium by sending it."""

    message: str
    type: str


@attrs.frozen
class PerfectBayesian:
    """One perfect Bayesian equilibrium: a vertex of the PBE set, with its beliefs.

    ``behaviour[i]`` gives each action's probability at information set ``i`` (everywhere,
    on and off the path). ``beliefs[i]`` is the Bayes belief over the nodes of each
    information set with several nodes that play reaches; ``off_path[i]`` the interval of
    each node's probability over the admissible beliefs at each such set play does not
    reach. ``kind`` is ``pooling``, ``separating``, ``hybrid`` or None (no types at the
    root); ``intuitive`` whether it survives the Intuitive Criterion (None when the game is
    not a signalling game) and ``broken_by`` the deviations that break it; ``sequential``
    whether some admissible beliefs are consistent (None when not decided).
    ``component`` indexes the components of the Nash equilibria of the whole tree's
    reduced form (-1 when they were not computed) and ``sets`` the :class:`PBESet` s
    holding it.
    """

    behaviour: Behaviour
    payoffs: tuple[Fraction, ...]
    beliefs: Mapping[int, Mapping[int, Fraction]]
    off_path: Mapping[int, Mapping[int, tuple[Fraction, Fraction]]]
    kind: str | None
    intuitive: bool | None
    broken_by: tuple[Deviation, ...]
    sequential: bool | None
    component: int
    sets: tuple[int, ...]
    description: str


@attrs.frozen
class PBESet:
    """A polytope of perfect Bayesian equilibria: every mixture of its vertices is one.

    ``equilibria`` indexes its vertices in :attr:`PBESolution.equilibria` (every mixture of
    one vertex set per player, as for maximal Nash subsets). ``point`` is its centroid, a
    relative-interior point, whose beliefs off the path (``off_path``), ``kind`` and
    ``sequential`` hold throughout the relative interior; ``intuitive`` is decided at the
    vertices and the centroid (None when they disagree). ``payoff_range`` gives each
    player's lowest and highest payoff over the set. ``pattern`` says in words who plays
    what (supports, without mixing probabilities) and what is believed off the path in
    the relative interior; ``description`` adds the Intuitive Criterion's verdict.
    """

    equilibria: tuple[int, ...]
    point: PerfectBayesian
    payoff_range: tuple[tuple[Fraction, Fraction], ...]
    component: int
    kind: str | None
    intuitive: bool | None
    sequential: bool | None
    pattern: str
    description: str


@attrs.frozen
class NashForm:
    """The Nash equilibria of the whole tree's reduced strategic form (exact engine)."""

    plans: tuple[tuple[Plan, ...], tuple[Plan, ...]]
    game: Game
    solution: ExactSolution
    components: tuple[Component, ...]

    @classmethod
    def from_reduced(cls, reduced: ReducedSolution) -> NashForm:
        """The same equilibria as :func:`negotiation.solvers.reduced.solve_reduced` found."""
        rows, cols = reduced.row_strategies, reduced.col_strategies
        pairs = tuple((rows.index(e.row), cols.index(e.col)) for e in reduced.equilibria)
        solution = ExactSolution(rows, cols, pairs, reduced.degenerate)
        return cls(reduced.form.plans, reduced.form.game, solution, reduced.components)


@attrs.frozen
class PBESolution:
    """The perfect Bayesian equilibria of a tree, and what was computed.

    ``computed`` is False when the tree lies outside the class where they are computed
    exactly (``notes`` says why); ``equilibria`` and ``sets`` are then empty, which means
    *not computed*, not *none*.
    """

    tree: TreeScenario = attrs.field(repr=False)
    numbers: TreeNumbers = attrs.field(repr=False)
    computed: bool
    equilibria: tuple[PerfectBayesian, ...]
    sets: tuple[PBESet, ...]
    nash: NashForm | None
    types: tuple[str, ...]
    signalling: bool
    notes: tuple[str, ...] = ()
    #: Support patterns that admit a PBE (every face found), for prior thresholds.
    patterns: frozenset[Any] = attrs.field(default=frozenset(), repr=False, eq=False)
