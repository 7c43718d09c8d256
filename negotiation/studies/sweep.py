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
from negotiation.solvers.batch import COMPILED_MIN, BatchResult, solve_batch
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
    if _length(values) == 0:  # len() of a Linspace overflows past sys.maxsize values
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

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: (player id, strategy ids, player label, strategy labels) of one player.
PlayerInfo = tuple[str, tuple[str, ...], str, tuple[str, ...]]


@attrs.frozen(eq=False)
class ResultTable:
    """A sweep's results in columns: entry ``r`` is one (grid point, equilibrium) row.

    The columnar form of ``results.csv`` (see the module docstring), kept as numpy arrays
    from the solver to the disk so that no Python object is built per row: ``point``,
    ``equilibrium``, ``component`` (int64), ``values`` (rows x axes, the swept values as
    floats), ``probs`` (rows x (m + n), the row player's strategies then the column
    player's), ``payoffs`` (rows x 2), ``pure`` and ``degenerate`` (bool). Rows are
    ordered by point, then equilibrium, when they come from a sweep or a folder.
    """

    point: IntArray
    values: FloatArray
    equilibrium: IntArray
    probs: FloatArray
    payoffs: FloatArray
    pure: BoolArray
    degenerate: BoolArray
    component: IntArray

    @classmethod
    def empty(cls, dims: int, strategies: int) -> ResultTable:
        """A table with no rows for ``dims`` axes and ``strategies`` strategies in all."""
        ints = np.zeros(0, dtype=np.int64)
        flags = np.zeros(0, dtype=bool)
        return cls(
            ints,
            np.zeros((0, dims)),
            ints,
            np.zeros((0, strategies)),
            np.zeros((0, 2)),
            flags,
            flags,
            ints,
        )

    @classmethod
    def concatenate(cls, parts: Sequence[ResultTable], dims: int, strategies: int) -> ResultTable:
        """The rows of ``parts`` one after another (an empty table if there are none)."""
        if not parts:
            return cls.empty(dims, strategies)
        if len(parts) == 1:
            return parts[0]
        return cls(
            *(
                np.concatenate([getattr(p, field.name) for p in parts])
                for field in attrs.fields(cls)
            )
        )

    @classmethod
    def from_rows(
        cls, rows: Sequence[Mapping[str, Any]], paths: Sequence[str], players: Sequence[PlayerInfo]
    ) -> ResultTable:
        """The table of row dicts keyed by the ``results.csv`` column names (any order kept)."""
        probs = [f"prob.{pid}.{s}" for pid, sids, _, _ in players for s in sids]
        if not rows:
            return cls.empty(len(paths), len(probs))

        def column(keys: Sequence[str], kind: type) -> npt.NDArray[Any]:
            array: npt.NDArray[Any] = np.array([[r[k] for k in keys] for r in rows], dtype=kind)
            return array.reshape(len(rows), len(keys))

        return cls(
            column(["point"], np.int64)[:, 0],
            column(paths, np.float64),
            column(["equilibrium"], np.int64)[:, 0],
            column(probs, np.float64),
            column([f"payoff.{pid}" for pid, _, _, _ in players], np.float64),
            column(["pure"], bool)[:, 0],
            column(["degenerate"], bool)[:, 0],
            column(["component"], np.int64)[:, 0],
        )

    def __len__(self) -> int:
        return len(self.point)

    def take(self, index: npt.NDArray[Any] | slice) -> ResultTable:
        """The rows selected by ``index`` (a slice, a boolean mask or row numbers)."""
        return ResultTable(
            *(getattr(self, field.name)[index] for field in attrs.fields(ResultTable))
        )

    def sorted(self) -> ResultTable:
        """The rows ordered by point, then equilibrium (stable)."""
        order = np.lexsort((self.equilibrium, self.point))
        if np.array_equal(order, np.arange(len(order))):
            return self
        return self.take(order)

    def same(self, other: ResultTable) -> bool:
        """Whether both tables hold equal values in every column (0.0 equals -0.0)."""
        return all(
            np.array_equal(getattr(self, f.name), getattr(other, f.name))
            for f in attrs.fields(ResultTable)
        )

    def columns(self) -> list[npt.NDArray[Any]]:
        """The table's columns in ``results.csv`` order, each one-dimensional."""
        return [
            self.point,
            *self.values.T,
            self.equilibrium,
            *self.probs.T,
            *self.payoffs.T,
            self.pure,
            self.degenerate,
            self.component,
        ]


def solve_table(
    scenario: Scenario,
    grid: Grid,
    *,
    solver: str = "batch",
    method: Method | str = "exact",
    skip: Iterable[int] = (),
) -> Iterator[ResultTable]:
    """The results of every grid point not in ``skip``, as tables in point order.

    The columnar twin of :func:`solve_points`, with the same engines: the batched engine
    yields one table per block of :data:`BLOCK` grid points, built from the engine's
    arrays without a Python object per row (payoffs are ``x @ A @ y`` evaluated by
    ``numpy.matmul`` exactly as :func:`solve_points` evaluates them one at a time, so the
    floats are the same bit for bit); ``solver="per-game"`` yields one table per point.
    A block whose points were all skipped yields nothing. A grid of at least
    :data:`negotiation.solvers.batch.COMPILED_MIN` points is solved with the compiled
    float stage throughout (the exact fallback is the same), a smaller one with numpy.
    """
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; expected one of: {', '.join(SOLVERS)}")
    paths, players = grid.paths, player_info(scenario)
    if solver == "per-game":
        for result in sweep_points(scenario, grid, method, skip):
            yield ResultTable.from_rows(point_rows(scenario, grid, result), paths, players)
        return
    family = GameFamily(scenario, grid)
    skipped = np.unique(np.fromiter((int(i) for i in skip), dtype=np.int64))
    total = len(grid)
    compiled = total >= COMPILED_MIN  # one float stage for the whole sweep
    for start in range(0, total, BLOCK):
        stop = min(start + BLOCK, total)
        points = np.arange(start, stop, dtype=np.int64)
        if len(skipped):
            lo, hi = np.searchsorted(skipped, [start, stop])
            if hi > lo:
                points = np.setdiff1d(points, skipped[lo:hi], assume_unique=True)
        if not len(points):
            continue
        block = family.block(points)
        batch = solve_batch(
            block.A,
            block.B,
            exact=functools.partial(_exact_game, family, points),
            exact_integers=functools.partial(_integer_games, family, points),
            force_exact=block.force_exact,
            compiled=compiled,
        )
        yield _batch_table(points, block, batch)


def _batch_table(points: IntArray, block: Block, result: BatchResult) -> ResultTable:
    """The table of a solved block: one row per equilibrium, in the engine's order."""
    g = result.game
    x, y = result.row, result.col
    # Batched matmul runs numpy's per-pair kernel, the one ``x @ A @ y`` uses for a single
    # equilibrium, so the payoffs are those floats exactly (a results.csv test checks).
    left, right = x[:, None, :], y[:, :, None]
    payoffs = np.stack(
        [np.matmul(np.matmul(left, M[g]), right)[:, 0, 0] for M in (block.A, block.B)], axis=1
    )
    first = np.searchsorted(g, g, side="left")
    return ResultTable(
        point=points[g],
        values=block.values[g],
        equilibrium=np.arange(len(g), dtype=np.int64) - first,
        probs=np.concatenate([x, y], axis=1),
        payoffs=payoffs,
        pure=((x > 0).sum(axis=1) == 1) & ((y > 0).sum(axis=1) == 1),
        degenerate=result.degenerate[g],
        component=result.component.astype(np.int64),
    )


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
    block; no list of all points is built. Rows are dicts keyed by the ``results.csv``
    columns, built one at a time: convenient for a few points; sweeps and folders use
    :func:`solve_table`, which builds none.
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
    compiled = total >= COMPILED_MIN  # the float stage solve_table picks
    for start in range(0, total, BLOCK):
        todo = [i for i in range(start, min(start + BLOCK, total)) if i not in skipped]
        if not todo:
            continue
        points = np.array(todo, dtype=np.int64)
        block = family.block(points)
        batch = solve_batch(
            block.A,
            block.B,
            exact=functools.partial(_exact_game, family, points),
            exact_integers=functools.partial(_integer_games, family, points),
            force_exact=block.force_exact,
            compiled=compiled,
        )
        for g, index in enumerate(todo):
            yield index, _batch_rows(scenario, grid, index, block, batch, g)


def _exact_game(family: GameFamily, points: npt.NDArray[np.int64], g: int) -> Game:
    return family.at_point(int(points[g]))


def _integer_games(
    family: GameFamily, points: npt.NDArray[np.int64], games: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], int, npt.NDArray[np.bool_]]:
    """The exact games ``games`` of a block as integers (GameFamily.integers): no Fractions."""
    return family.integers(points[games])


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
    parts = list(solve_table(scenario, grid, solver=solver, method=method))
    return SweepResult.from_table(scenario, grid, parts)


@attrs.frozen(eq=False)
class SweepResult:
    """A sweep's results as a table: one row per (grid point, equilibrium).

    The results are stored in columns (:attr:`table`, a :class:`ResultTable`), in the order
    of ``results.csv``. ``players`` holds (player id, strategy ids, player label, strategy
    labels) for the row and column players, enough to label plots without the scenario.

    For code that reads rows, :attr:`rows` (dicts keyed by the ``results.csv`` column
    names) and :meth:`points` (rows grouped by grid point) are views built on demand;
    regimes and change points (:meth:`regime_table`, :func:`regimes`,
    :func:`change_points`) are computed on the columns, so a large sweep never builds a
    Python object per row. Two results are equal when their grids, players and every
    value of every row are.
    """

    paths: tuple[str, ...]
    grid_shape: tuple[int, ...]
    axis_values: tuple[tuple[float, ...], ...]
    players: tuple[PlayerInfo, ...]
    table: ResultTable
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SweepResult):
            return NotImplemented
        return (
            (self.paths, self.grid_shape, self.axis_values, self.players)
            == (other.paths, other.grid_shape, other.axis_values, other.players)
        ) and self.table.same(other.table)

    __hash__ = None  # type: ignore[assignment]  # mutable-looking arrays inside: unhashable

    @property
    def columns(self) -> list[str]:
        """The column names of ``results.csv``, in order."""
        return columns(self.paths, self.players)

    @classmethod
    def from_table(
        cls, scenario: Scenario, grid: Grid, parts: Sequence[ResultTable]
    ) -> SweepResult:
        """Collect result tables (in any order) into a result, rows sorted."""
        players = player_info(scenario)
        strategies = sum(len(sids) for _, sids, _, _ in players)
        table = ResultTable.concatenate(parts, len(grid.axes), strategies).sorted()
        return cls(
            paths=grid.paths,
            grid_shape=grid.shape,
            axis_values=tuple(tuple(float(v) for v in a.values) for a in grid.axes),
            players=players,
            table=table,
        )

    @classmethod
    def from_rows(
        cls, scenario: Scenario, grid: Grid, rows: Iterable[dict[str, Any]]
    ) -> SweepResult:
        """Collect table rows (dicts, in any order) into a result."""
        table = ResultTable.from_rows(list(rows), grid.paths, player_info(scenario))
        return cls.from_table(scenario, grid, [table])

    @property
    def rows(self) -> tuple[dict[str, Any], ...]:
        """The rows as dicts keyed by the ``results.csv`` column names (built on first use).

        A compatibility view: building it costs about a microsecond per cell, so code that
        handles large sweeps reads :attr:`table` instead.
        """
        rows: tuple[dict[str, Any], ...] | None = self._cache.get("rows")
        if rows is None:
            names = self.columns
            cells = [_python(c) for c in self.table.columns()]
            rows = tuple(
                dict(zip(names, values, strict=True)) for values in zip(*cells, strict=True)
            )
            self._cache["rows"] = rows
        return rows

    def points(self) -> Mapping[int, Sequence[Mapping[str, Any]]]:
        """The rows grouped by grid point: a read-only mapping from each solved point.

        Each point's rows are built when it is looked up (from :attr:`rows` once those
        exist, so they are the same objects), so asking for a few points of a large sweep
        costs little.
        """
        return _Points(self)

    def regime_table(self) -> RegimeTable:
        """Each solved point's regime and flags, computed on the columns (once)."""
        found: RegimeTable | None = self._cache.get("regimes")
        if found is None:
            found = self._cache["regimes"] = _regime_table(self)
        return found

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (requires pandas, which is optional)."""
        import pandas as pd  # type: ignore[import-untyped]  # optional, imported on demand

        data = dict(zip(self.columns, self.table.columns(), strict=True))
        return pd.DataFrame(data, columns=self.columns)


def _python(column: npt.NDArray[Any]) -> list[Any]:
    """A column as Python ints, floats or bools."""
    values: list[Any] = column.tolist()
    return values


class _RowView(Mapping[str, Any]):
    """Row ``index`` of a result's table, read as a dict keyed by column name."""

    __slots__ = ("_index", "_lookup")

    def __init__(self, lookup: dict[str, tuple[npt.NDArray[Any], int]], index: int) -> None:
        self._lookup, self._index = lookup, index

    def __getitem__(self, key: str) -> Any:
        column, k = self._lookup[key]
        value: Any = (column[self._index] if k < 0 else column[self._index, k]).item()
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._lookup)

    def __len__(self) -> int:
        return len(self._lookup)

    def __repr__(self) -> str:
        return repr(dict(self))


class _Points(Mapping[int, Sequence[Mapping[str, Any]]]):
    """A result's rows grouped by grid point (see :meth:`SweepResult.points`).

    Looking a point up costs a dict lookup (none when the solved points are 0, 1, 2, ...)
    and one small object per row.
    """

    def __init__(self, result: SweepResult) -> None:
        self._result = result
        regimes = result.regime_table()
        self._points: list[int] = result._cache.get("point_list") or regimes.points.tolist()
        self._first: list[int] = result._cache.get("first_list") or regimes.first.tolist()
        result._cache.update(point_list=self._points, first_list=self._first)
        self._rows = len(result.table)
        self._dense = not self._points or self._points[-1] == len(self._points) - 1
        self._where: dict[int, int] | None = None
        self._lookup = _row_lookup(result)

    def _position(self, point: object) -> int | None:
        if not isinstance(point, (int, np.integer)) or isinstance(point, bool):
            return None
        if self._dense:
            i = int(point)
            return i if 0 <= i < len(self._points) else None
        if self._where is None:
            self._where = {p: i for i, p in enumerate(self._points)}
        return self._where.get(int(point))

    def __getitem__(self, point: int) -> list[Mapping[str, Any]]:
        i = self._position(point)
        if i is None:
            raise KeyError(point)
        lo = self._first[i]
        hi = self._first[i + 1] if i + 1 < len(self._first) else self._rows
        rows: tuple[dict[str, Any], ...] | None = self._result._cache.get("rows")
        if rows is not None:
            return list(rows[lo:hi])
        lookup = self._lookup
        return [_RowView(lookup, r) for r in range(lo, hi)]

    def __iter__(self) -> Iterator[int]:
        return iter(self._points)

    def __len__(self) -> int:
        return len(self._points)

    def __contains__(self, point: object) -> bool:
        return self._position(point) is not None


def _row_lookup(result: SweepResult) -> dict[str, tuple[npt.NDArray[Any], int]]:
    """Column name -> (array, column within it, or -1 for a 1-D array), cached."""
    lookup: dict[str, tuple[npt.NDArray[Any], int]] | None = result._cache.get("lookup")
    if lookup is None:
        t = result.table
        probs = [f"prob.{pid}.{s}" for pid, sids, _, _ in result.players for s in sids]
        lookup = {"point": (t.point, -1)}
        lookup.update({p: (t.values, d) for d, p in enumerate(result.paths)})
        lookup["equilibrium"] = (t.equilibrium, -1)
        lookup.update({name: (t.probs, k) for k, name in enumerate(probs)})
        lookup.update(
            {f"payoff.{pid}": (t.payoffs, k) for k, (pid, *_) in enumerate(result.players)}
        )
        lookup.update(pure=(t.pure, -1), degenerate=(t.degenerate, -1), component=(t.component, -1))
        result._cache["lookup"] = lookup
    return lookup


def player_info(scenario: Scenario) -> tuple[PlayerInfo, ...]:
    """(id, strategy ids, label, strategy labels) of both players."""
    return tuple((p.id, p.strategy_ids, p.label, p.strategy_labels) for p in scenario.players)


def columns(paths: Sequence[str], players: Sequence[PlayerInfo]) -> list[str]:
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


# --------------------------------------------------------------------------- regimes


@attrs.frozen(eq=False)
class RegimeTable:
    """Each solved grid point's equilibrium set, as arrays (see :func:`regime_label`).

    ``points`` are the solved grid points in ascending order; for each, ``first`` is its
    first row in the result's table, ``count`` its number of equilibria, ``degenerate``
    whether its game is degenerate and ``regime`` its regime: an index into ``labels``
    (numbered in order of first appearance along the points). ``examples[k]`` is the
    position in ``points`` of the first point of regime ``k``. Two points share a regime
    exactly when :func:`regime_label` names their rows alike.
    """

    points: IntArray
    first: IntArray
    count: IntArray
    degenerate: BoolArray
    regime: IntArray
    labels: tuple[str, ...]
    examples: IntArray

    def counts(self) -> dict[str, int]:
        """Grid points per regime label, largest first (then by label)."""
        sizes = np.bincount(self.regime, minlength=len(self.labels)).tolist()
        pairs = sorted(zip(self.labels, sizes, strict=True), key=lambda item: (-item[1], item[0]))
        return dict(pairs)


def _regime_table(result: SweepResult) -> RegimeTable:
    """Group the rows by point and name each point's equilibrium set, on arrays.

    A row's *code* is its supports and purity (what :func:`regime_label` reads); a point
    with one equilibrium is keyed by its row's code, a point with several (degenerate
    points, few) by the tuple of its codes. Each distinct key is named once with
    :func:`regime_label` on one example point, and keys that get the same name are one
    regime.
    """
    t = result.table
    rows = len(t)
    if rows == 0:
        empty = np.zeros(0, dtype=np.int64)
        return RegimeTable(empty, empty, empty, np.zeros(0, dtype=bool), empty, (), empty)
    starts = np.flatnonzero(np.concatenate([[True], t.point[1:] != t.point[:-1]]))
    count = np.diff(np.append(starts, rows))
    support = np.concatenate([t.probs > 0, t.pure[:, None]], axis=1)
    if support.shape[1] <= 62:
        code = support.astype(np.int64) @ (
            np.int64(1) << np.arange(support.shape[1], dtype=np.int64)
        )
    else:  # more strategies than bits in an int64: number the distinct patterns instead
        code = np.unique(support, axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)
    single = count == 1
    key = np.empty(len(starts), dtype=np.int64)
    singles, single_keys = np.unique(code[starts[single]], return_inverse=True)
    key[single] = single_keys.reshape(-1)
    multi: dict[tuple[int, ...], int] = {}
    for i in np.flatnonzero(~single).tolist():
        lo = int(starts[i])
        codes = tuple(code[lo : lo + int(count[i])].tolist())
        key[i] = multi.setdefault(codes, len(singles) + len(multi))
    # Name every key once, by the rows of its first point; keys with one name merge.
    keys, example = np.unique(key, return_index=True)
    order = np.argsort(example, kind="stable")  # regimes numbered by first appearance
    lookup = _row_lookup(result)
    names: dict[str, int] = {}
    regime_of_key = np.empty(int(keys.max()) + 1 if len(keys) else 0, dtype=np.int64)
    examples: list[int] = []
    for k in order.tolist():
        i = int(example[k])
        lo = int(starts[i])
        label = regime_label(
            [_RowView(lookup, r) for r in range(lo, lo + int(count[i]))], result.players
        )
        if label not in names:
            names[label] = len(names)
            examples.append(i)
        regime_of_key[keys[k]] = names[label]
    return RegimeTable(
        points=t.point[starts],
        first=starts.astype(np.int64),
        count=count.astype(np.int64),
        degenerate=t.degenerate[starts],
        regime=regime_of_key[key],
        labels=tuple(names),
        examples=np.array(examples, dtype=np.int64),
    )


def regimes(result: SweepResult) -> dict[str, int]:
    """How many grid points each regime (equilibrium set, see :func:`regime_label`) covers."""
    return result.regime_table().counts()


def regime_label(
    rows: Sequence[Mapping[str, Any]],
    players: Sequence[PlayerInfo],
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
    values, whichever way the axis runs. Only the places where the regime changes are
    visited (on the regime array of :meth:`SweepResult.regime_table`).
    """
    if len(result.paths) != 1:
        raise ValueError("change points need a 1-D sweep")
    table = result.regime_table()
    regime, names = table.regime, table.labels
    xs = result.table.values[table.first, 0]
    degenerate = table.degenerate
    last = len(regime) - 1

    def holds(i: int) -> bool:
        """Whether point i holds the changes on both its sides (degenerate, set unlike both)."""
        return bool(degenerate[i] and 0 < i < last and regime[i - 1] != regime[i] != regime[i + 1])

    changes: list[ChangePoint] = []
    for i in np.flatnonzero(regime[:-1] != regime[1:]).tolist():
        if holds(i + 1):
            low = high = float(xs[i + 1])
        elif holds(i):
            low = high = float(xs[i])
        else:
            low, high = float(xs[i]), float(xs[i + 1])
        before, after = names[regime[i]], names[regime[i + 1]]
        if changes and (changes[-1].low, changes[-1].high) == (low, high):
            # A degenerate point between two regimes: one change, from the first to the last.
            changes[-1] = attrs.evolve(changes[-1], after=after)
        else:
            changes.append(ChangePoint(low, high, before, after))
    return changes
