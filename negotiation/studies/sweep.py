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
re-reading the scenario per point (:mod:`negotiation.studies.family`). The batched engine
gets them as correctly rounded floats and hands every point whose floats could decide
anything wrongly to the exact solver with its exact payoffs.

Grids are streamed: an evenly spaced axis computes its values on demand, points are
solved in blocks of :data:`BLOCK`, and a grid of more than
:data:`negotiation.limits.MAX_GRID_POINTS` points is refused before any work.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from negotiation.errors import LimitError, ScenarioError
from negotiation.limits import MAX_GRID_POINTS
from negotiation.model.overrides import parse_number, parse_path
from negotiation.model.payoffs import Game
from negotiation.model.scenario import Scenario
from negotiation.solvers.batch import BatchResult, solve_batch
from negotiation.solvers.equilibria import Method, Solution, solve
from negotiation.studies.family import Block, GameFamily, Linspace


def _as_values(values: Iterable[object]) -> Sequence[Fraction]:
    """An axis's values: a :class:`Linspace` as it is, else a tuple of exact numbers.

    A float is taken at its exact binary value.
    """
    if isinstance(values, Linspace):
        return values
    exact = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, Fraction, Decimal)):
            raise TypeError(f"axis values must be numbers, got {type(v).__name__}")
        exact.append(v if isinstance(v, Fraction) else Fraction(v))
    return tuple(exact)


def _check_values(instance: Axis, attribute: object, values: Sequence[Fraction]) -> None:
    if len(values) == 0:
        raise ValueError(f"{instance.path}: an axis needs at least one value")
    if isinstance(values, Linspace):
        return
    steps = [b - a for a, b in itertools.pairwise(values)]
    if not (all(d > 0 for d in steps) or all(d < 0 for d in steps)):
        raise ValueError(
            f"{instance.path}: values must be strictly increasing or strictly decreasing "
            "(sorted, no repeats), so that neighbouring grid points are neighbours"
        )


def _length(values: Sequence[Fraction]) -> int:
    """The number of values, as a Python int even beyond ``sys.maxsize``."""
    return values.num if isinstance(values, Linspace) else len(values)


@attrs.frozen
class Axis:
    """One swept number: its override path and the values it takes, in order.

    ``values`` is a tuple of :class:`~fractions.Fraction`, or for :meth:`linspace` a
    :class:`~negotiation.studies.family.Linspace`, a sequence that computes each value on
    demand (so ``values[i]``, ``len(values)`` and iteration work the same). Values are
    strictly monotone: neighbouring grid points are neighbouring values, which change
    points rely on; :meth:`parse_values` sorts its list.
    """

    path: str
    values: Sequence[Fraction] = attrs.field(
        converter=_as_values, validator=_check_values, eq=tuple
    )

    @classmethod
    def linspace(cls, path: str, start: object, stop: object, num: int) -> Axis:
        """``num`` evenly spaced values from ``start`` to ``stop``, both included, exactly.

        Nothing is computed per value until it is used, so ``num`` is bounded only by the
        grid limit (:data:`negotiation.limits.MAX_GRID_POINTS`, checked by :class:`Grid`).

        >>> [str(v) for v in Axis.linspace("weights.us.legitimacy", 0, 1, 5).values]
        ['0', '1/4', '1/2', '3/4', '1']
        """
        lo, hi = Fraction(str(start)), Fraction(str(stop))
        if num < 1 or (num == 1 and lo != hi):
            raise ValueError(f"{path}: NUM must be >= 2 (or 1 with START == STOP), got {num}")
        if num > 1 and lo == hi:
            raise ValueError(f"{path}: START and STOP must differ when NUM > 1, got {lo}")
        return cls(path, Linspace(lo, hi, num))

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
        if num > 1 and start == stop:
            raise ScenarioError("--param", spec, "START and STOP must differ when NUM > 1")
        return cls.linspace(path, start, stop, num)

    @classmethod
    def parse_values(cls, spec: str) -> Axis:
        """Parse ``PATH=v1,v2,...`` as given to ``--values``; the values are sorted.

        Sorting makes neighbouring grid points neighbouring values, so change points mean
        what they say whatever order the values were typed in; a value given twice is
        refused (:class:`~negotiation.errors.ScenarioError` naming it).

        >>> [str(v) for v in Axis.parse_values("weights.us.wedge=2,0,1/2").values]
        ['0', '1/2', '2']
        """
        path, _, rest = _split(spec, "--values", "PATH=v1,v2,...")
        texts = rest.split(",")
        values = [parse_number(v, "--values", path) for v in texts]
        first: dict[Fraction, str] = {}
        for text, value in zip(texts, values, strict=True):
            if value in first:
                raise ScenarioError(
                    "--values",
                    path,
                    f"{text.strip()} repeats {first[value].strip()}; give each value once",
                )
            first[value] = text
        return cls(path, tuple(sorted(values)))


def _split(spec: str, option: str, form: str) -> tuple[str, str, str]:
    path, sep, rest = spec.partition("=")
    path = path.strip()
    if not sep or not path or not rest.strip():
        raise ScenarioError(option, spec, f"expected {form}")
    parse_path(path, option)
    return path, sep, rest


@attrs.frozen
class Grid:
    """The points of a sweep: the product of one or two axes, first axis slowest.

    At most :data:`negotiation.limits.MAX_GRID_POINTS` points
    (:class:`~negotiation.errors.LimitError` otherwise, before any value is computed).
    """

    axes: tuple[Axis, ...] = attrs.field()

    @axes.validator
    def _check(self, attribute: object, axes: tuple[Axis, ...]) -> None:
        if not 1 <= len(axes) <= 2:
            raise ValueError("a sweep has one or two axes")
        if len({a.path for a in axes}) != len(axes):
            raise ValueError("the two axes must sweep different paths")
        sizes = [_length(a.values) for a in axes]
        total = math.prod(sizes)
        if total > MAX_GRID_POINTS:
            product = f"{' x '.join(f'{n:,}' for n in sizes)} = " if len(sizes) > 1 else ""
            raise LimitError(
                "--param",
                " x ".join(a.path for a in axes),
                f"{product}{total:,} grid points is more than the limit of "
                f"{MAX_GRID_POINTS:,}; split the sweep into ranges (several sweeps over "
                "parts of each range, each with its own --out)",
            )

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
        """The grid's points in order (the first axis varies slowest), one at a time."""
        if len(self.axes) == 1:
            for value in self.axes[0].values:
                yield (value,)
            return
        outer, inner = (a.values for a in self.axes)
        for first in outer:
            for second in inner:
                yield first, second

    def point(self, index: int) -> tuple[Fraction, ...]:
        """The swept values at grid point ``index``."""
        coords = self.coordinates(np.array([index], dtype=np.int64))[0]
        return tuple(a.values[int(i)] for a, i in zip(self.axes, coords, strict=True))

    def coordinates(self, points: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Each point's index along each axis, shape (points, axes)."""
        if len(self.axes) == 1:
            return points[:, None]
        inner = len(self.axes[1].values)
        return np.stack([points // inner, points % inner], axis=1)


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

    Raises :class:`~negotiation.errors.ScenarioError` at once if a path is unknown, two
    axes name the same number, or a value is invalid (every value of a ``--values`` list,
    the ends of a range; validated exactly like the file).
    """
    games = GameFamily(scenario, grid)
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

    ``solver="batch"`` (the default) solves blocks of :data:`BLOCK` points with
    :func:`negotiation.solvers.batch.solve_batch` from correctly rounded float payoffs,
    handing every point where a float decision could be wrong to the exact solver with its
    exact payoffs; ``solver="per-game"`` calls :func:`solve` at each point with the chosen
    nashpy ``method`` cross-checked (slower, for comparison). Points are produced block by
    block; no list of all points is built.
    """
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; expected one of: {', '.join(SOLVERS)}")
    if solver == "per-game":
        for result in sweep_points(scenario, grid, method, skip):
            yield result.point, point_rows(scenario, grid, result)
        return
    family = GameFamily(scenario, grid)
    skipped = set(skip)
    total = len(grid)
    for start in range(0, total, BLOCK):
        todo = [i for i in range(start, min(start + BLOCK, total)) if i not in skipped]
        if not todo:
            continue
        points = np.array(todo, dtype=np.int64)
        block = family.block(points)
        exact = functools.partial(_exact_game, family, points)
        batch = solve_batch(block.A, block.B, exact=exact, force_exact=block.force_exact)
        for g, index in enumerate(todo):
            yield index, _batch_rows(scenario, grid, index, block, batch, g)


def _exact_game(family: GameFamily, points: npt.NDArray[np.int64], g: int) -> Game:
    return family.at_point(int(points[g]))


def _batch_rows(
    scenario: Scenario,
    grid: Grid,
    index: int,
    block: Block,
    result: BatchResult,
    g: int,
) -> list[dict[str, Any]]:
    lo, hi = np.searchsorted(result.game, [g, g + 1])
    A, B = block.A[g], block.B[g]
    values = block.values[g].tolist()
    rows = []
    for k, e in enumerate(range(lo, hi)):
        x, y = result.row[e], result.col[e]
        rows.append(
            _row(
                scenario,
                grid,
                index,
                values,
                k,
                strategies=(x.tolist(), y.tolist()),
                payoffs=(float(x @ A @ y), float(x @ B @ y)),
                degenerate=bool(result.degenerate[g]),
                component=int(result.component[e]),
            )
        )
    return rows


def _row(
    scenario: Scenario,
    grid: Grid,
    point: int,
    values: Sequence[Any],
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

    ``low == high`` when the change happens at a grid point (there the game is degenerate
    and its equilibrium set differs from those on both sides); otherwise the change lies
    between two neighbouring grid values, ``low`` the earlier one along the axis.
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
    equilibria). Generic changes of the equilibrium set happen exactly at degenerate games,
    so a change is placed *at* a degenerate grid point when that point's equilibrium set
    differs from its neighbours' on both sides (at the first or last grid point, from its
    one neighbour's and the change is placed between them, since the other side is
    unknown). A point that is degenerate for another reason, with the same equilibria as
    one neighbour (a tie against a dominated strategy, say), does not hold the change: it
    lies between that point and the neighbour on the other side.

    Axes are strictly monotone (:class:`Axis`), so neighbouring points are neighbouring
    values, whichever way the axis runs.
    """
    if len(result.paths) != 1:
        raise ValueError("change points need a 1-D sweep")
    path = result.paths[0]
    points = sorted(result.points().items())
    labels = [regime_label(rows, result.players) for _, rows in points]
    xs = [rows[0][path] for _, rows in points]
    degenerate = [rows[0]["degenerate"] for _, rows in points]
    last = len(points) - 1

    def holds(i: int) -> bool:
        """Whether point i holds the changes on both its sides (degenerate, set unlike both)."""
        return degenerate[i] and 0 < i < last and labels[i - 1] != labels[i] != labels[i + 1]

    changes: list[ChangePoint] = []
    for i in range(last):
        if labels[i] == labels[i + 1]:
            continue
        if holds(i + 1):
            low = high = xs[i + 1]
        elif holds(i):
            low = high = xs[i]
        else:
            low, high = xs[i], xs[i + 1]
        if changes and (changes[-1].low, changes[-1].high) == (low, high):
            # A degenerate point between two regimes: one change, from the first to the last.
            changes[-1] = attrs.evolve(changes[-1], after=labels[i + 1])
        else:
            changes.append(ChangePoint(low, high, labels[i], labels[i + 1]))
    return changes
