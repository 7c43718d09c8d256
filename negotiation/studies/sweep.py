"""Parameter sweeps: solve a scenario at every point of a 1-D or 2-D grid of its numbers.

Any number the scenario file holds can be swept, addressed by its override path
(:mod:`negotiation.model.overrides`). Every grid point is solved completely, degenerate points
included (all extreme equilibria, flagged), and the result is a table with one row per
(grid point, equilibrium), the layout of ``results.csv``:

``point``, one column per swept path named exactly as the path, ``equilibrium``,
``prob.<player>.<strategy>`` for every strategy of both players, ``payoff.<player>``,
``pure``, ``degenerate``, ``component``.

Payoffs are multilinear in the swept numbers (each payoff is a sum of weight x score, and a
path names one weight or one score), so the payoff matrices at every grid point are
computed exactly from the scenario evaluated at the 2**d corners of the unit cube, without
re-reading the scenario per point.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from functools import partial
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from negotiation.errors import ScenarioError
from negotiation.model.overrides import parse_number, parse_path
from negotiation.model.payoffs import Game, payoff_matrices
from negotiation.model.scenario import Matrix, Scenario
from negotiation.solvers.batch import BatchResult, solve_batch
from negotiation.solvers.equilibria import Method, Solution, solve


@attrs.frozen
class Axis:
    """One swept number: its override path and the values it takes, in order."""

    path: str
    values: tuple[Fraction, ...] = attrs.field(validator=attrs.validators.min_len(1))

    @classmethod
    def linspace(cls, path: str, start: object, stop: object, num: int) -> Axis:
        """``num`` evenly spaced values from ``start`` to ``stop``, both included, exactly.

        >>> [str(v) for v in Axis.linspace("weights.us.legitimacy", 0, 1, 5).values]
        ['0', '1/4', '1/2', '3/4', '1']
        """
        lo, hi = Fraction(str(start)), Fraction(str(stop))
        if num < 1 or (num == 1 and lo != hi):
            raise ValueError(f"{path}: NUM must be >= 2 (or 1 with START == STOP), got {num}")
        if num == 1:
            return cls(path, (lo,))
        return cls(path, tuple(lo + (hi - lo) * i / (num - 1) for i in range(num)))

    @classmethod
    def parse_range(cls, spec: str) -> Axis:
        """Parse ``PATH=START:STOP:NUM`` as given to ``--param``.

        >>> axis = Axis.parse_range("weights.us.supply_security=0:5:11")
        >>> axis.path, float(axis.values[1]), len(axis.values)
        ('weights.us.supply_security', 0.5, 11)
        """
        path, _, rest = _split(spec, "--param", "PATH=START:STOP:NUM")
        parts = rest.split(":")
        if len(parts) != 3:
            raise ScenarioError("--param", spec, "expected PATH=START:STOP:NUM, e.g. w=0:1:11")
        start, stop = (parse_number(p, "--param", path) for p in parts[:2])
        try:
            num = int(parts[2])
        except ValueError:
            raise ScenarioError("--param", spec, "NUM must be a whole number") from None
        if num < 2 and not (num == 1 and start == stop):
            raise ScenarioError("--param", spec, "NUM must be at least 2")
        return cls.linspace(path, start, stop, num)

    @classmethod
    def parse_values(cls, spec: str) -> Axis:
        """Parse ``PATH=v1,v2,...`` as given to ``--values``.

        >>> [str(v) for v in Axis.parse_values("weights.us.wedge=0,1/2,2").values]
        ['0', '1/2', '2']
        """
        path, _, rest = _split(spec, "--values", "PATH=v1,v2,...")
        values = tuple(parse_number(v, "--values", path) for v in rest.split(","))
        return cls(path, values)


def _split(spec: str, option: str, form: str) -> tuple[str, str, str]:
    path, sep, rest = spec.partition("=")
    path = path.strip()
    if not sep or not path or not rest.strip():
        raise ScenarioError(option, spec, f"expected {form}")
    parse_path(path, option)
    return path, sep, rest


@attrs.frozen
class Grid:
    """The points of a sweep: the product of one or two axes, first axis slowest."""

    axes: tuple[Axis, ...] = attrs.field()

    @axes.validator
    def _check(self, attribute: object, axes: tuple[Axis, ...]) -> None:
        if not 1 <= len(axes) <= 2:
            raise ValueError("a sweep has one or two axes")
        if len({a.path for a in axes}) != len(axes):
            raise ValueError("the two axes must sweep different paths")

    @property
    def paths(self) -> tuple[str, ...]:
        """The swept paths, in axis order."""
        return tuple(a.path for a in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values on each axis."""
        return tuple(len(a.values) for a in self.axes)

    def __len__(self) -> int:
        size = 1
        for n in self.shape:
            size *= n
        return size

    def points(self) -> Iterator[tuple[Fraction, ...]]:
        """The grid's points in order (the first axis varies slowest)."""
        return itertools.product(*(a.values for a in self.axes))


@attrs.frozen
class PointResult:
    """The complete solution at one grid point."""

    point: int
    values: tuple[Fraction, ...]
    solution: Solution


def sweep_points(
    scenario: Scenario,
    grid: Grid,
    method: Method | str = "exact",
    skip: Iterable[int] = (),
) -> Iterator[PointResult]:
    """Solve ``scenario`` at each grid point in order, lazily, skipping indices in ``skip``.

    Raises :class:`~negotiation.errors.ScenarioError` at once if a path is unknown or a
    value invalid at any corner of the grid (validated exactly like the file).
    """
    games = _GameFamily(scenario, grid)
    skipped = set(skip)
    for index, values in enumerate(grid.points()):
        if index in skipped:
            continue
        yield PointResult(index, values, solve(games.at(values), method))


#: Engines that can solve a sweep: the batched engine, or one game at a time.
SOLVERS = ("batch", "per-game")

#: Grid points solved together by the batched engine between progress reports.
BLOCK = 4096


def solve_points(
    scenario: Scenario,
    grid: Grid,
    *,
    solver: str = "batch",
    method: Method | str = "exact",
    skip: Iterable[int] = (),
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Yield ``(point, rows)`` for every grid point not in ``skip``, in order.

    ``solver="batch"`` (the default) solves blocks of points with
    :func:`negotiation.solvers.batch.solve_batch`, handing suspect points to the exact solver with
    their exactly computed payoffs; ``solver="per-game"`` calls :func:`solve` at each point
    with the chosen nashpy ``method`` cross-checked (slower, for comparison).
    """
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; expected one of: {', '.join(SOLVERS)}")
    if solver == "per-game":
        for result in sweep_points(scenario, grid, method, skip):
            yield result.point, point_rows(scenario, grid, result)
        return
    family = _GameFamily(scenario, grid)
    skipped = set(skip)
    todo = [(i, v) for i, v in enumerate(grid.points()) if i not in skipped]
    for start in range(0, len(todo), BLOCK):
        block = todo[start : start + BLOCK]
        values = np.array([[float(v) for v in vals] for _, vals in block])
        A, B = family.floats_at(values)
        batch = solve_batch(A, B, exact=partial(_exact_game, family, block))
        for g, (index, vals) in enumerate(block):
            # Points solved exactly (ties) report payoffs from their exact matrices too.
            a, b = family.at(vals).floats() if batch.exact[g] else (A[g], B[g])
            yield index, _batch_rows(scenario, grid, index, vals, a, b, batch, g)


def _exact_game(family: _GameFamily, block: list[tuple[int, tuple[Fraction, ...]]], g: int) -> Game:
    return family.at(block[g][1])


def _batch_rows(
    scenario: Scenario,
    grid: Grid,
    index: int,
    values: Sequence[Fraction],
    A: npt.NDArray[np.float64],
    B: npt.NDArray[np.float64],
    result: BatchResult,
    g: int,
) -> list[dict[str, Any]]:
    lo, hi = np.searchsorted(result.game, [g, g + 1])
    return [
        _row(
            scenario,
            grid,
            index,
            values,
            k,
            strategies=(result.row[e], result.col[e]),
            payoffs=(result.row[e] @ A @ result.col[e], result.row[e] @ B @ result.col[e]),
            degenerate=bool(result.degenerate[g]),
            component=int(result.component[e]),
        )
        for k, e in enumerate(range(lo, hi))
    ]


def _row(
    scenario: Scenario,
    grid: Grid,
    point: int,
    values: Sequence[Fraction],
    k: int,
    *,
    strategies: tuple[Sequence[Any], Sequence[Any]],
    payoffs: tuple[Any, Any],
    degenerate: bool,
    component: int,
) -> dict[str, Any]:
    """One row of the results table (see the module docstring for the columns)."""
    row: dict[str, Any] = {"point": point}
    row.update({p: float(v) for p, v in zip(grid.paths, values, strict=True)})
    row["equilibrium"] = k
    for player, strategy in zip(scenario.players, strategies, strict=True):
        for sid, p in zip(player.strategy_ids, strategy, strict=True):
            row[f"prob.{player.id}.{sid}"] = float(p)
    for player, value in zip(scenario.players, payoffs, strict=True):
        row[f"payoff.{player.id}"] = float(value)
    row["pure"] = all(sum(p > 0 for p in strategy) == 1 for strategy in strategies)
    row["degenerate"] = degenerate
    row["component"] = component
    return row


def sweep(
    scenario: Scenario,
    grid: Grid,
    method: Method | str = "exact",
    solver: str = "batch",
) -> SweepResult:
    """Solve ``scenario`` at every grid point; see :class:`SweepResult`.

    >>> from negotiation import load
    >>> grid = Grid((Axis.linspace("weights.target.penalty", 1, 9, 3),))
    >>> result = sweep(load("inspection-criteria"), grid)
    >>> [(row["weights.target.penalty"], round(row["prob.sender.enforce"], 12))
    ...  for row in result.rows]
    [(1.0, 0.75), (5.0, 0.375), (9.0, 0.25)]
    """
    rows = [
        r for _, point in solve_points(scenario, grid, solver=solver, method=method) for r in point
    ]
    return SweepResult.from_rows(scenario, grid, rows)


class _GameFamily:
    """Exact payoff matrices of a scenario as a multilinear function of the swept values.

    A payoff is a sum of weight x score terms and each swept path is one weight or one
    score, so each payoff is affine in each swept value separately. Evaluating the scenario
    at the 2**d corners of {0, 1}**d therefore determines it everywhere; the corners are
    built through :meth:`Scenario.with_overrides`, so paths and values are validated like
    the file. Every grid value is validated too, at its first and last point.
    """

    def __init__(self, scenario: Scenario, grid: Grid) -> None:
        self.dims = len(grid.axes)
        for axis in grid.axes:  # validate each value range at its ends, like the file would
            for value in (axis.values[0], axis.values[-1]):
                scenario.with_overrides({axis.path: value})
        self.corners: dict[tuple[int, ...], Game] = {
            bits: payoff_matrices(
                scenario.with_overrides(dict(zip(grid.paths, map(Fraction, bits), strict=True)))
            )
            for bits in itertools.product((0, 1), repeat=self.dims)
        }

    def floats_at(
        self, values: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Float payoffs at many points at once: ``values`` (points, dims) -> (points, m, n)."""
        shape = (len(values), *next(iter(self.corners.values())).shape)
        A, B = np.zeros(shape), np.zeros(shape)
        for bits, game in self.corners.items():
            w = np.ones(len(values))
            for d, bit in enumerate(bits):
                w *= values[:, d] if bit else 1 - values[:, d]
            corner_A, corner_B = game.floats()
            A += w[:, None, None] * corner_A
            B += w[:, None, None] * corner_B
        return A, B

    def at(self, values: Sequence[Fraction]) -> Game:
        """The game at one point: sum over corners of the multilinear interpolation weights."""
        weights = []
        for bits, game in self.corners.items():
            w = Fraction(1)
            for bit, v in zip(bits, values, strict=True):
                w *= v if bit else 1 - v
            weights.append((w, game))
        return Game(_combine(weights, "A"), _combine(weights, "B"))


def _combine(weights: list[tuple[Fraction, Game]], which: str) -> Matrix:
    tables = [(w, getattr(g, which)) for w, g in weights if w != 0]
    m, n = len(tables[0][1]), len(tables[0][1][0])
    return tuple(
        tuple(sum((w * t[r][c] for w, t in tables), Fraction(0)) for c in range(n))
        for r in range(m)
    )


@attrs.frozen
class SweepResult:
    """A sweep's results as a table: one row per (grid point, equilibrium).

    ``rows`` are dicts keyed by the ``results.csv`` column names (see the module
    docstring); ``players`` holds (player id, strategy ids, player label, strategy labels)
    for the row and column players, enough to label plots without the scenario.
    """

    paths: tuple[str, ...]
    grid_shape: tuple[int, ...]
    axis_values: tuple[tuple[float, ...], ...]
    players: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...]
    rows: tuple[dict[str, Any], ...]

    @property
    def columns(self) -> list[str]:
        """The column names of ``results.csv``, in order."""
        return columns(self.paths, self.players)

    @classmethod
    def from_rows(
        cls, scenario: Scenario, grid: Grid, rows: Iterable[dict[str, Any]]
    ) -> SweepResult:
        """Collect table rows (in any order) into a result."""
        return cls(
            paths=grid.paths,
            grid_shape=grid.shape,
            axis_values=tuple(tuple(float(v) for v in a.values) for a in grid.axes),
            players=player_info(scenario),
            rows=tuple(sorted(rows, key=lambda r: (r["point"], r["equilibrium"]))),
        )

    def points(self) -> dict[int, list[dict[str, Any]]]:
        """The rows grouped by grid point (computed once, then a shallow copy each call)."""
        return dict(self._grouped)

    @functools.cached_property
    def _grouped(self) -> dict[int, list[dict[str, Any]]]:
        grouped: dict[int, list[dict[str, Any]]] = {}
        for row in self.rows:
            grouped.setdefault(row["point"], []).append(row)
        return grouped

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (requires pandas, which is optional)."""
        import pandas as pd  # type: ignore[import-untyped]  # optional, imported on demand

        return pd.DataFrame(list(self.rows), columns=self.columns)


def player_info(
    scenario: Scenario,
) -> tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...]:
    """(id, strategy ids, label, strategy labels) of both players."""
    return tuple((p.id, p.strategy_ids, p.label, p.strategy_labels) for p in scenario.players)


def columns(
    paths: Sequence[str], players: Sequence[tuple[str, tuple[str, ...], str, tuple[str, ...]]]
) -> list[str]:
    """The ``results.csv`` column names for these swept paths and players."""
    probs = [f"prob.{pid}.{s}" for pid, strategies, _, _ in players for s in strategies]
    payoffs = [f"payoff.{pid}" for pid, _, _, _ in players]
    return ["point", *paths, "equilibrium", *probs, *payoffs, "pure", "degenerate", "component"]


def point_rows(scenario: Scenario, grid: Grid, result: PointResult) -> list[dict[str, Any]]:
    """The table rows of one solved grid point, one per extreme equilibrium."""
    solution = result.solution
    component_of = {e: c for c, comp in enumerate(solution.components) for e in comp.equilibria}
    return [
        _row(
            scenario,
            grid,
            result.point,
            result.values,
            k,
            strategies=(eq.row, eq.col),
            payoffs=eq.payoffs,
            degenerate=solution.degenerate,
            component=component_of[k],
        )
        for k, eq in enumerate(solution.equilibria)
    ]


def regimes(result: SweepResult) -> dict[str, int]:
    """How many grid points each regime (equilibrium set, see :func:`regime_label`) covers."""
    counts: dict[str, int] = {}
    for rows in result.points().values():
        label = regime_label(rows, result.players)
        counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def regime_label(
    rows: Sequence[Mapping[str, Any]],
    players: Sequence[tuple[str, tuple[str, ...], str, tuple[str, ...]]],
) -> str:
    """Name a grid point's equilibrium set in strategy labels.

    One equilibrium: ``Diversify / Full offer``, with ``+`` joining the strategies a player
    mixes (``Accept+Reject / Full offer+Withhold (mixed)``); several: ``3 equilibria:``
    followed by each, separated by ``;``.
    """

    def one(row: Mapping[str, Any]) -> str:
        sides = []
        for pid, sids, _, labels in players:
            played = [
                lab for s, lab in zip(sids, labels, strict=True) if row[f"prob.{pid}.{s}"] > 0
            ]
            sides.append("+".join(played))
        return " / ".join(sides) + ("" if row["pure"] else " (mixed)")

    if len(rows) == 1:
        return one(rows[0])
    return f"{len(rows)} equilibria: " + "; ".join(one(r) for r in rows)


@attrs.frozen
class ChangePoint:
    """Where the equilibrium set changes along a 1-D sweep.

    ``low == high`` when the change happens at a grid point (there the game is degenerate);
    otherwise the change lies strictly between two neighbouring grid values.
    """

    low: float
    high: float
    before: str
    after: str

    @property
    def x(self) -> float:
        """Where to draw it: the grid point, or the midpoint of the interval."""
        return (self.low + self.high) / 2


def change_points(result: SweepResult) -> list[ChangePoint]:
    """The places along a 1-D sweep where the equilibrium set changes.

    Neighbouring grid points are compared by their regime labels (the supports of their
    equilibria). Where one of the two is degenerate, the change is placed at it: generic
    changes of the equilibrium set happen exactly at degenerate games.
    """
    if len(result.paths) != 1:
        raise ValueError("change points need a 1-D sweep")
    path = result.paths[0]
    points = sorted(result.points().items())
    labels = [regime_label(rows, result.players) for _, rows in points]
    xs = [rows[0][path] for _, rows in points]
    degenerate = [rows[0]["degenerate"] for _, rows in points]
    changes: list[ChangePoint] = []
    for i in range(len(points) - 1):
        if labels[i] == labels[i + 1]:
            continue
        if degenerate[i + 1] and not degenerate[i]:
            low = high = xs[i + 1]
        elif degenerate[i] and not degenerate[i + 1]:
            low = high = xs[i]
        else:
            low, high = xs[i], xs[i + 1]
        if changes and (changes[-1].low, changes[-1].high) == (low, high):
            # A degenerate point between two regimes: one change, from the first to the last.
            changes[-1] = attrs.evolve(changes[-1], after=labels[i + 1])
        else:
            changes.append(ChangePoint(low, high, labels[i], labels[i + 1]))
    return changes
