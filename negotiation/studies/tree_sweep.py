"""Sweeps of game trees: every subgame-perfect equilibrium at every grid point, in words.

A tree sweep solves a tree scenario (:class:`~negotiation.model.tree.TreeScenario`) at every
point of a 1-D or 2-D grid of its numbers (:class:`~negotiation.studies.sweep.Grid`) and
gives one row per (grid point, subgame-perfect equilibrium), the layout of a tree sweep's
``results.csv``:

``point``, one column per swept path, ``equilibrium``, ``payoff.<player>`` for every player,
``outcome`` (the leaves reached as ``LEAF=PROB`` joined by ``;``), ``ties`` (several optimal
actions at some node: each gives its own equilibrium), ``degenerate`` (a simultaneous
subgame is degenerate), ``path`` (the path of play in words) and, for two-player trees with
information sets, ``pbe``.

**Solving.** :func:`negotiation.solvers.spe.sweep_spe` does the subgame-perfect part: the tree
is read and built once, its numbers at each point come from a
:class:`~negotiation.model.tree.TreeFamily`, perfect-information trees are solved by a
vectorised backward induction whose near-ties are re-decided exactly, and other trees
exactly at every point. For a **two-player tree with information sets** (signalling, trust
and screening games with types) each point also gets its perfect Bayesian regime,
:func:`negotiation.solvers.pbe.regime` of :func:`~negotiation.solvers.pbe.solve_pbe` at that
point's numbers (from one :class:`~negotiation.model.tree.TreeFamily`, so nothing is
re-read either); that costs about 1 to 3 s a point on ``rare-earth-trap``, which is why
such sweeps are bounded by :data:`negotiation.limits.MAX_PBE_SWEEP_POINTS`.

**Regimes.** A point's regime is what its equilibria *do*, in words: the perfect Bayesian
regime where it is computed, otherwise the set of distinct subgame-perfect paths of play,
sorted and joined by :data:`SEPARATOR` (several paths at one point are ties, reported as a
set, never one of them). Change points along a 1-D sweep compare neighbouring points'
regimes, as matrix sweeps do (:func:`negotiation.studies.sweep.change_points`): a change is
placed *at* a grid point when its regime differs from both neighbours' and the point has
ties or a degenerate subgame (subgame-perfect regimes), or is an exact prior threshold (PBE
regimes), else between the two points.

**Prior thresholds.** A 1-D PBE sweep over a prior (``types.<player>.<type>``, or a chance
probability ``<node>.chance.<action>``) also locates where the PBE change, with
:func:`negotiation.solvers.pbe.prior_thresholds`: exactly (rational ends of exact linear
programs) where the game's conditions are linear in the prior, else by exact bisection, and
then it says so. Only the neighbouring grid values whose regimes differ are handed to it,
which finds the same thresholds as the whole grid would (it searches only between values
whose regimes differ) at a fraction of the cost.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from negotiation.errors import ScenarioError
from negotiation.model.overrides import parse_path
from negotiation.model.tree import TreeScenario
from negotiation.studies.summary import array_runs, path_label
from negotiation.studies.sweep import Grid

#: Joins the parts of a regime label: several subgame-perfect paths, or several PBE sets
#: (the separator :func:`negotiation.solvers.pbe.regime` uses).
SEPARATOR = " | "

#: :func:`negotiation.solvers.pbe.regime` of a point whose PBE were not computed.
NOT_COMPUTED = "not computed"

#: Prefix of the regime label of a point of a PBE sweep whose PBE were not computed (the
#: tree lies outside the class where they are exact there): its subgame-perfect paths.
SPE_FALLBACK = "PBE not computed; subgame perfect: "

#: Layout version of a tree sweep's summary.json (as for matrix sweeps).
SCHEMA_VERSION = 1

Players = tuple[tuple[str, str], ...]


def uses_pbe(tree: TreeScenario) -> bool:
    """Whether a sweep of ``tree`` labels its points by perfect Bayesian regimes.

    Two players and some information set of several nodes: signalling, trust and screening
    games (with or without ``[types]``), simultaneous stages.
    """
    return len(tree.players) == 2 and not tree.perfect_information


def is_prior_path(path: str) -> bool:
    """Whether ``path`` names a probability of a chance move (a prior).

    >>> is_prior_path("types.russia.trap"), is_prior_path("tree.chance.strong")
    (True, True)
    >>> is_prior_path("weights.us.supply_security")
    False
    """
    try:
        parts = parse_path(path)
    except ScenarioError:
        return False
    if parts[0] == "types" and len(parts) == 3:
        return True
    return (
        parts[0] == "tree"
        and len(parts) >= 3
        and parts[-2] == "chance"
        and all(isinstance(p, str) for p in parts)
    )


def columns(paths: Sequence[str], player_ids: Sequence[str], pbe: bool) -> list[str]:
    """The columns of a tree sweep's ``results.csv``, in order (see the module docstring).

    >>> columns(["types.russia.trap"], ["us", "russia"], True)[-6:]
    ['payoff.russia', 'outcome', 'ties', 'degenerate', 'path', 'pbe']
    """
    return [
        "point",
        *paths,
        "equilibrium",
        *(f"payoff.{p}" for p in player_ids),
        "outcome",
        "ties",
        "degenerate",
        "path",
        *(["pbe"] if pbe else []),
    ]


def pbe_regime(tree: TreeScenario, numbers: Any) -> str:
    """The perfect Bayesian regime of ``tree`` at ``numbers`` (``nash=False``: faster)."""
    from negotiation.solvers.pbe import regime, solve_pbe

    return regime(solve_pbe(tree, numbers, nash=False))


def solve_points(
    tree: TreeScenario, grid: Grid, skip: Sequence[int] = (), *, pbe: bool | None = None
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Yield ``(point, rows)`` for every grid point not in ``skip``, in order of point.

    Rows are :func:`~negotiation.solvers.spe.sweep_spe` 's, plus ``pbe`` (the point's
    perfect Bayesian regime) on every row when ``pbe`` (by default: :func:`uses_pbe`).
    The tree is built once; the PBE numbers come from one family of it.
    """
    from negotiation.solvers.spe import sweep_spe

    pbe = uses_pbe(tree) if pbe is None else pbe
    axes = [(axis.path, axis.values) for axis in grid.axes]
    family = tree.family(axes) if pbe else None
    for point, rows in sweep_spe(tree, axes, skip):
        if family is not None:
            label = pbe_regime(tree, family.numbers_at(grid.point(point)))
            for row in rows:
                row["pbe"] = label
        yield point, rows


def point_label(rows: Sequence[Mapping[str, Any]]) -> str:
    """A grid point's regime label from its rows (see the module docstring)."""
    pbe = rows[0].get("pbe")
    paths = SEPARATOR.join(sorted({str(r["path"]) for r in rows}))
    if pbe is None:
        return paths
    if pbe == NOT_COMPUTED:
        return SPE_FALLBACK + paths
    return str(pbe)


def parts(label: str) -> tuple[str, ...]:
    """The paths (or PBE sets) a regime label joins: one for a plain regime, several at ties.

    >>> parts("A | B")
    ('A', 'B')
    """
    return tuple(label.removeprefix(SPE_FALLBACK).split(SEPARATOR))


def point_flag(rows: Sequence[Mapping[str, Any]]) -> str:
    """``ties``, ``degenerate``, both, or "" : why a point may hold a change of regime."""
    words = [w for w in ("degenerate", "ties") if rows[0].get(w)]
    return ", ".join(words)


@attrs.frozen
class TreeRegimes:
    """Each solved grid point's regime, in order of point.

    ``labels`` are numbered in order of first appearance along the points; ``index[k]`` is
    the regime of ``points[k]``, ``flags[k]`` why that point may hold a change
    (:func:`point_flag`) and ``count[k]`` its number of subgame-perfect equilibria.
    """

    points: tuple[int, ...]
    index: tuple[int, ...]
    labels: tuple[str, ...]
    flags: tuple[str, ...]
    count: tuple[int, ...]

    def counts(self) -> dict[str, int]:
        """Grid points per regime label, largest first (then by label)."""
        sizes = [0] * len(self.labels)
        for k in self.index:
            sizes[k] += 1
        pairs = sorted(zip(self.labels, sizes, strict=True), key=lambda p: (-p[1], p[0]))
        return dict(pairs)

    @property
    def parts(self) -> tuple[str, ...]:
        """Every path (or PBE set) that some regime holds, in order of first appearance."""
        seen: dict[str, None] = {}
        for label in self.labels:
            seen.update(dict.fromkeys(parts(label)))
        return tuple(seen)


@attrs.frozen
class TreeChange:
    """Where the regime changes along a 1-D tree sweep.

    ``low_index``/``high_index`` are grid indices (equal when the change is at a grid
    point), ``low``/``high`` their values; ``flag`` says why a change at a grid point is
    there (:func:`point_flag`, or ``exact threshold``).
    """

    low_index: int
    high_index: int
    low: float
    high: float
    before: str
    after: str
    flag: str = ""

    @property
    def at_grid_point(self) -> bool:
        """Whether the change is at a grid point rather than between two."""
        return self.low_index == self.high_index

    @property
    def x(self) -> float:
        """Where to draw it: the grid point, or the midpoint of the interval."""
        return (self.low + self.high) / 2


@attrs.frozen(eq=False)
class TreeSweepResult:
    """A tree sweep's rows and grid (see the module docstring for the columns).

    ``exact`` holds each axis's exact values as strings (as the manifest stores them),
    ``players`` (id, label) pairs, ``pbe`` whether rows carry the ``pbe`` column, and
    ``thresholds`` the prior thresholds as JSON-ready objects (:func:`threshold_document`),
    None when none were looked for.
    """

    paths: tuple[str, ...]
    grid_shape: tuple[int, ...]
    axis_values: tuple[tuple[float, ...], ...]
    exact: tuple[tuple[str, ...], ...]
    players: Players
    rows: tuple[dict[str, Any], ...]
    pbe: bool
    thresholds: tuple[Mapping[str, Any], ...] | None = None

    @property
    def columns(self) -> list[str]:
        """The results.csv columns of this sweep."""
        return columns(self.paths, [p for p, _ in self.players], self.pbe)

    @functools.cached_property
    def _points(self) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        for row in self.rows:
            out.setdefault(int(row["point"]), []).append(row)
        return dict(sorted(out.items()))

    def points(self) -> dict[int, list[dict[str, Any]]]:
        """Rows by grid point, points ascending."""
        return self._points

    @functools.cached_property
    def _regimes(self) -> TreeRegimes:
        names: dict[str, int] = {}
        points, index, flags, count = [], [], [], []
        for point, rows in self.points().items():
            label = point_label(rows)
            points.append(point)
            index.append(names.setdefault(label, len(names)))
            flags.append(point_flag(rows))
            count.append(len(rows))
        return TreeRegimes(tuple(points), tuple(index), tuple(names), tuple(flags), tuple(count))

    def regimes(self) -> TreeRegimes:
        """Each solved point's regime (see :class:`TreeRegimes`)."""
        return self._regimes

    def with_thresholds(self, thresholds: Sequence[Mapping[str, Any]] | None) -> TreeSweepResult:
        """A copy that carries ``thresholds``."""
        return attrs.evolve(self, thresholds=None if thresholds is None else tuple(thresholds))

    def change_points(self) -> list[TreeChange]:
        """Where the regime changes along a 1-D sweep (see the module docstring)."""
        if len(self.paths) != 1:
            raise ValueError("change points need a 1-D sweep")
        table = self.regimes()
        regime, points = table.index, table.points
        xs = self.axis_values[0]
        exact_at = {
            str(t["value"]["exact"])
            for t in self.thresholds or ()
            if t.get("exact") and t.get("value")
        }
        # A PBE regime changes at a grid point only at an exact prior threshold; the
        # subgame-perfect flags (ties, degenerate subgames) say nothing about it.
        flags = [
            ("" if self.pbe else f) or ("exact threshold" if self.exact[0][p] in exact_at else "")
            for f, p in zip(table.flags, points, strict=True)
        ]
        last = len(regime) - 1

        def holds(i: int) -> bool:
            return bool(flags[i]) and 0 < i < last and regime[i - 1] != regime[i] != regime[i + 1]

        changes: list[TreeChange] = []
        for i in range(last):
            if regime[i] == regime[i + 1]:
                continue
            if holds(i + 1):
                lo = hi = i + 1
            elif holds(i):
                lo = hi = i
            else:
                lo, hi = i, i + 1
            before, after = table.labels[regime[i]], table.labels[regime[i + 1]]
            flag = flags[lo] if lo == hi else ""
            if changes and (changes[-1].low_index, changes[-1].high_index) == (
                points[lo],
                points[hi],
            ):
                changes[-1] = attrs.evolve(changes[-1], after=after)
                continue
            changes.append(
                TreeChange(points[lo], points[hi], xs[points[lo]], xs[points[hi]], before,
                           after, flag)
            )  # fmt: skip
        return changes


# --------------------------------------------------------------------------- thresholds


def threshold_document(threshold: Any) -> dict[str, Any]:
    """A :class:`negotiation.solvers.pbe.Threshold` as JSON: each number exact and float."""

    def number(x: Fraction) -> dict[str, Any]:
        return {"exact": str(x), "value": float(x)}

    value = threshold.value
    return {
        "low": number(threshold.low),
        "high": number(threshold.high),
        "exact": bool(threshold.exact),
        "value": None if value is None else number(value),
        "before": threshold.before,
        "at": threshold.at,
        "after": threshold.after,
    }


def find_thresholds(
    tree: TreeScenario, result: TreeSweepResult
) -> tuple[list[dict[str, Any]] | None, str]:
    """The prior thresholds of a 1-D PBE sweep over a prior, and a note ("" if none).

    None (with the reason) when they do not apply: a 2-D sweep, a path that is not a prior,
    no ``pbe`` column, a point whose PBE were not computed. Only the grid values on either
    side of each change of regime are passed to
    :func:`~negotiation.solvers.pbe.prior_thresholds` (see the module docstring).
    """
    from negotiation.solvers.pbe import prior_thresholds

    if len(result.paths) != 1 or not result.pbe or not is_prior_path(result.paths[0]):
        return None, ""
    table = result.regimes()
    if any(label.startswith(SPE_FALLBACK) for label in table.labels):
        return None, "prior thresholds not computed: the PBE are not computed at some points"
    chosen: set[int] = set()
    for k in range(len(table.points) - 1):
        if table.index[k] != table.index[k + 1]:
            chosen.update((table.points[k], table.points[k + 1]))
    if not chosen:
        return [], ""
    values = [result.exact[0][p] for p in sorted(chosen)]
    found = prior_thresholds(tree, result.paths[0], values)
    return [threshold_document(t) for t in found], ""


# --------------------------------------------------------------------------- summary


def regime_numbers(result: TreeSweepResult) -> dict[str, str]:
    """``R1``, ``R2``, ... for every regime a 1-D sweep meets, in order along its axis.

    The regimes met are those of the grid points and, at each prior threshold, the regime
    below it, the one at it (where that differs from both sides) and the one above; they
    are numbered by where they are met (below a threshold before at it, before above it).
    PBE regimes in words run to hundreds of characters, so the console summary lists them
    once under these numbers; ``summary.json`` (``regime_numbers``) and the payoff plot's
    legend use the same numbers. A 2-D sweep numbers none (an empty dict).

    >>> from negotiation.model.catalogue import load_tree
    >>> from negotiation.studies.sweep import Axis, Grid
    >>> grid = Grid((Axis.parse_values("tree.in.fight.payoffs.incumbent=-1,1,2"),))
    >>> for label, n in regime_numbers(sweep_tree(load_tree("entry"), grid)).items():
    ...     print(n, label)
    R1 Entrant: enters; Incumbent: accommodates
    R2 Entrant: enters; Incumbent: accommodates | Entrant: stays out
    R3 Entrant: stays out
    """
    if len(result.paths) != 1:
        return {}
    table = result.regimes()
    xs = result.axis_values[0]
    met = [(xs[p], 0, table.labels[k]) for p, k in zip(table.points, table.index, strict=True)]
    for t in result.thresholds or ():
        x = float((t["value"] or t["low"])["value"])
        met += [(x, -1, str(t["before"])), (x, 1, str(t["after"]))]
        if t["at"] not in (t["before"], t["after"]):
            met.append((x, 0, str(t["at"])))
    every = dict.fromkeys(label for _, _, label in sorted(met, key=lambda m: m[:2]))
    return {label: f"R{k + 1}" for k, label in enumerate(every)}


def tree_path_label(path: str, players: Players, criteria: Mapping[str, str]) -> str:
    """An override path of a tree in words; priors are named, weights as for matrices.

    >>> tree_path_label("types.russia.trap", (("russia", "Russia"),), {})
    "P(Russia's type is 'trap')"
    >>> tree_path_label("tree.chance.strong", (), {})
    "P(chance move 'strong' at tree)"
    """
    try:
        found = parse_path(path)
    except ScenarioError:
        return path
    names = dict(players)
    if found[0] == "types" and len(found) == 3:
        who = names.get(str(found[1]), str(found[1]))
        return f"P({who}'s type is '{found[2]}')"
    if is_prior_path(path):
        node = ".".join(str(p) for p in found[:-2])
        return f"P(chance move '{found[-1]}' at {node})"
    return path_label(path, [(p, (), label, ()) for p, label in players], criteria)


def summary_document(
    result: TreeSweepResult,
    *,
    scenario: Mapping[str, Any] | None = None,
    status: str = "complete",
    axis_labels: Sequence[str] | None = None,
    overrides: Sequence[Mapping[str, Any]] = (),
    note: str = "",
) -> dict[str, Any]:
    """The ``summary.json`` of a tree sweep (documented in docs/reference/summary-json.md).

    As for matrix sweeps (``axes``, ``points_total``, ``points_solved``, ``change_points``,
    ``regimes`` with ``points`` as runs and ``bounds``), with ``kind: "tree"``,
    ``labelled_by`` (``perfect_bayesian`` or ``subgame_perfect``), ``ties`` beside
    ``degenerate``, each regime's distinct subgame-perfect ``paths`` and ``thresholds``
    (a list for a 1-D PBE sweep over a prior, else null). A 1-D sweep also numbers its
    regimes as the console summary and the plot do (:func:`regime_numbers`): each regime's
    ``number``, and ``regime_numbers``, every regime met (including those met only at a
    prior threshold) as ``{"number", "label"}`` in order; both null for a 2-D sweep.
    """
    table = result.regimes()
    shape = result.grid_shape
    inner = shape[1] if len(shape) == 2 else 1
    labels = list(axis_labels) if axis_labels is not None else list(result.paths)
    by_point = result.points()

    def value(axis: int, index: int) -> dict[str, Any]:
        v = Fraction(result.exact[axis][index])
        return {"index": index, "exact": str(v), "value": float(v)}

    members: list[list[int]] = [[] for _ in table.labels]
    for point, k in zip(table.points, table.index, strict=True):
        members[k].append(point)
    order = sorted(range(len(table.labels)), key=lambda k: (-len(members[k]), table.labels[k]))
    flags = dict(zip(table.points, table.flags, strict=True))
    numbers = regime_numbers(result)
    regimes = []
    for k in order:
        cells = members[k]
        bounds = []
        for axis, path in enumerate(result.paths):
            along = [c // inner if (len(shape) == 2 and axis == 0) else
                     (c % inner if len(shape) == 2 else c) for c in cells]  # fmt: skip
            bounds.append({"path": path, "low": value(axis, min(along)),
                           "high": value(axis, max(along))})  # fmt: skip
        paths: dict[str, None] = {}
        for c in cells:
            paths.update(dict.fromkeys(sorted({str(r["path"]) for r in by_point[c]})))
        regimes.append(
            {
                "label": table.labels[k],
                "number": numbers.get(table.labels[k]),
                "count": len(cells),
                "ties": sum("ties" in flags[c] for c in cells),
                "degenerate": sum("degenerate" in flags[c] for c in cells),
                "paths": list(paths),
                "points": _runs(cells),
                "bounds": bounds,
            }
        )
    tied = [p for p, f in zip(table.points, table.flags, strict=True) if "ties" in f]
    flagged = [p for p, f in zip(table.points, table.flags, strict=True) if "degenerate" in f]
    changes = None
    if len(result.paths) == 1:
        changes = [
            {
                "at_grid_point": c.at_grid_point,
                "low": value(0, c.low_index),
                "high": value(0, c.high_index),
                "before": c.before,
                "after": c.after,
                "flag": c.flag,
            }
            for c in result.change_points()
        ]
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "tree",
        "scenario": dict(scenario or {}),
        "overrides": [dict(o) for o in overrides],
        "status": status,
        "labelled_by": "perfect_bayesian" if result.pbe else "subgame_perfect",
        "axes": [
            {"path": path, "label": label, "count": count}
            for path, label, count in zip(result.paths, labels, shape, strict=True)
        ],
        "points_total": math.prod(shape),
        "points_solved": len(table.points),
        "ties": {"count": len(tied), "points": _runs(tied)},
        "degenerate": {"count": len(flagged), "points": _runs(flagged)},
        "change_points": changes,
        "regimes": regimes,
        "regime_numbers": (
            [{"number": n, "label": label} for label, n in numbers.items()]
            if len(result.paths) == 1
            else None
        ),
        "thresholds": None if result.thresholds is None else [dict(t) for t in result.thresholds],
    }
    if note:
        document["note"] = note
    return document


def _runs(points: Sequence[int]) -> list[list[int]]:
    import numpy as np

    return array_runs(np.array(sorted(points), dtype=np.int64))


def sweep_tree(
    tree: TreeScenario,
    grid: Grid,
    *,
    progress: Callable[[int, int], None] | None = None,
    thresholds: bool = True,
) -> TreeSweepResult:
    """Solve a tree sweep in memory (no folder): rows, regimes and, if asked, thresholds.

    The sequential rare-earth game: Russia stops offering above a weight of 1 on its
    relations with China, and at exactly 1 both answers are subgame perfect (ties):

    >>> from negotiation.model.catalogue import load_tree
    >>> from negotiation.studies.sweep import Axis
    >>> tree = load_tree("rare-earth-sequential")
    >>> result = sweep_tree(tree, Grid((Axis.linspace("weights.russia.china_relations", 0, 2, 5),)))
    >>> [(c.low, c.flag) for c in result.change_points()]
    [(1.0, 'ties')]
    """
    pbe = uses_pbe(tree)
    rows: list[dict[str, Any]] = []
    total = len(grid)
    for done, (_, found) in enumerate(solve_points(tree, grid, pbe=pbe), start=1):
        rows.extend(found)
        if progress is not None:
            progress(done, total)
    result = TreeSweepResult(
        paths=grid.paths,
        grid_shape=grid.shape,
        axis_values=tuple(tuple(float(v) for v in a.values) for a in grid.axes),
        exact=tuple(tuple(str(v) for v in a.values) for a in grid.axes),
        players=tuple((p.id, p.label) for p in tree.players),
        rows=tuple(rows),
        pbe=pbe,
    )
    if thresholds:
        found_thresholds, _ = find_thresholds(tree, result)
        result = result.with_thresholds(found_thresholds)
    return result
