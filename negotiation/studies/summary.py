"""What a sweep found, as data: regimes, change points and degenerate points.

:func:`summary_document` builds the content of a sweep folder's ``summary.json``, a stable
interface (documented in ``docs/reference/summary-json.md``; keys may be added, never
renamed or removed)::

    {"schema_version": 1, "scenario": {...}, "overrides": [...], "status": str,
     "axes": [{"path": str, "label": str, "count": int}, ...],
     "points_total": int, "points_solved": int,
     "degenerate": {"count": int, "points": [[first, last], ...]},
     "change_points": [{"at_grid_point": bool, "low": VALUE, "high": VALUE,
                        "before": str, "after": str}, ...] or null (2-D sweeps),
     "regimes": [{"label": str, "count": int, "degenerate": int, "equilibria": [...],
                  "points": [[first, last], ...], "bounds": [...]}, ...]}

where VALUE is ``{"index": int, "exact": "23/5", "value": 4.6}``: a grid value as its
position on the axis, as an exact fraction and as a float. Point numbers are those of
``results.csv``; sets of points are runs ``[first, last]`` of consecutive point numbers
(both included), so a regime covering a region of a 601 x 601 map takes one run per row of
the grid rather than one number per cell.

Regimes, change points and degenerate points are those of
:func:`negotiation.studies.sweep.regimes`, :func:`~negotiation.studies.sweep.change_points`
and the ``degenerate`` column; this module only arranges them with exact grid values.
:func:`regime_content` describes a regime by the supports of its equilibria, which is also
what the regime map's colours are a function of (:mod:`negotiation.output.plots`).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from negotiation.errors import ScenarioError
from negotiation.model.overrides import parse_path
from negotiation.studies.sweep import SweepResult, change_points, regime_label

#: Version of the summary.json layout; bumped only if a key changes meaning.
SCHEMA_VERSION = 1

Players = Sequence[tuple[str, tuple[str, ...], str, tuple[str, ...]]]


@attrs.frozen
class RegimeContent:
    """A regime described by its equilibria's supports, in table positions.

    ``equilibria`` holds, for each equilibrium in the order of the regime's label, the row
    player's support, the column player's support (positions in the payoff table) and
    whether it is pure. ``outcomes`` are the pure outcomes ``(row, column)`` that some
    equilibrium of the regime plays with positive probability, in table order: the one
    outcome of a pure equilibrium, or every cell of a mixed equilibrium's supports.
    """

    label: str
    equilibria: tuple[tuple[tuple[int, ...], tuple[int, ...], bool], ...]

    @property
    def outcomes(self) -> tuple[tuple[int, int], ...]:
        """Every (row, column) cell in the supports of the regime's equilibria, sorted."""
        cells = {(r, c) for rows, cols, _ in self.equilibria for r in rows for c in cols}
        return tuple(sorted(cells))

    @property
    def single_pure(self) -> bool:
        """Whether the regime is exactly one pure equilibrium."""
        return len(self.equilibria) == 1 and self.equilibria[0][2]


def regime_content(rows: Sequence[Mapping[str, Any]], players: Players) -> RegimeContent:
    """The regime of one grid point's rows (its equilibria), by supports.

    A strategy is in a support when its probability is positive, the rule
    :func:`~negotiation.studies.sweep.regime_label` names regimes by, so two points with one
    label have one content.
    """
    equilibria = []
    for row in rows:
        supports = [
            tuple(k for k, s in enumerate(sids) if row[f"prob.{pid}.{s}"] > 0)
            for pid, sids, _, _ in players
        ]
        equilibria.append((supports[0], supports[1], bool(row["pure"])))
    return RegimeContent(regime_label(rows, players), tuple(equilibria))


def point_regimes(result: SweepResult) -> dict[int, RegimeContent]:
    """Each solved grid point's regime, by point number.

    Computed from :meth:`SweepResult.regime_table
    <negotiation.studies.sweep.SweepResult.regime_table>` (regimes found on the result's
    columns, each named once), so a 1001 x 1001 map costs a dict of a million entries,
    not a label per point. The answer for the most recent result is kept (a fresh copy of
    the dict is returned each time), since the summary, the printed report and the
    regime map all ask for it.
    """
    cached = _last.get("result")
    if cached is not None and cached() is result:
        return dict(_last["regimes"])
    contents = regime_contents(result)
    table = result.regime_table()
    out = dict(
        zip(table.points.tolist(), [contents[k] for k in table.regime.tolist()], strict=True)
    )
    _last.update(result=weakref.ref(result), regimes=out)
    return dict(out)


def regime_contents(result: SweepResult) -> list[RegimeContent]:
    """The content of each regime of :meth:`SweepResult.regime_table`, by regime number."""
    table = result.regime_table()
    grouped = result.points()
    return [
        regime_content(grouped[int(table.points[i])], result.players)
        for i in table.examples.tolist()
    ]


_last: dict[str, Any] = {}


def regime_counts(result: SweepResult) -> dict[str, int]:
    """How many grid points each regime covers, largest first (then by label).

    The same as :func:`negotiation.studies.sweep.regimes`.
    """
    return result.regime_table().counts()


def path_label(path: str, players: Players, criteria: Mapping[str, str] | None = None) -> str:
    """An override path in words, from the scenario's labels; the path itself if unknown.

    ``players`` are (id, strategy ids, label, strategy labels) as in
    :attr:`SweepResult.players <negotiation.studies.sweep.SweepResult>`, ``criteria`` maps
    criterion ids to labels. A weight is "<player> weight on <criterion>", a score
    "<criterion> score of (<row strategy>, <column strategy>)", a direct payoff "<player>
    payoff at (<row strategy>, <column strategy>)".

    >>> players = [("us", ("accept", "reject"), "United States", ("Accept", "Reject")),
    ...            ("russia", ("full",), "Russia", ("Full offer",))]
    >>> path_label("weights.us.supply_security", players, {"supply_security": "Supply security"})
    'United States weight on supply security'
    >>> path_label("criteria.wedge.scores[1][full]", players, {"wedge": "US-allies wedge"})
    'US-allies wedge score of (Reject, Full offer)'
    >>> path_label("payoffs.russia[accept][0]", players)
    'Russia payoff at (Accept, Full offer)'
    """
    try:
        parts = parse_path(path)
    except ScenarioError:
        return path
    names = {pid: label for pid, _, label, _ in players}
    known = dict(criteria or {})

    def cell(r: str | int, c: str | int) -> str | None:
        sides = [_strategy(players[k], part) for k, part in ((0, r), (1, c))]
        return None if None in sides else f"({sides[0]}, {sides[1]})"

    head = parts[0]
    if head == "weights" and len(parts) == 3 and parts[1] in names and isinstance(parts[2], str):
        criterion = known.get(parts[2], parts[2])
        return f"{names[str(parts[1])]} weight on {_lower_first(criterion)}"
    if head == "criteria" and len(parts) == 5 and parts[2] == "scores" and len(players) == 2:
        where = cell(parts[3], parts[4])
        if where is not None:
            return f"{known.get(str(parts[1]), str(parts[1]))} score of {where}"
    if head == "payoffs" and len(parts) == 4 and parts[1] in names and len(players) == 2:
        where = cell(parts[2], parts[3])
        if where is not None:
            return f"{names[str(parts[1])]} payoff at {where}"
    return path


def _strategy(
    player: tuple[str, tuple[str, ...], str, tuple[str, ...]], part: str | int
) -> str | None:
    _, sids, _, labels = player
    if isinstance(part, int):
        return labels[part] if 0 <= part < len(labels) else None
    if part.startswith("[]") and part[2:] in sids:
        return labels[sids.index(part[2:])]
    return None


def _lower_first(text: str) -> str:
    """``Supply security`` -> ``supply security``; ``US-allies wedge`` stays as it is."""
    word = text.split(" ", 1)[0]
    if len(word) > 1 and word[0].isupper() and word[1:].islower():
        return text[0].lower() + text[1:]
    return text


def runs(points: Sequence[int]) -> list[list[int]]:
    """Sorted point numbers as runs ``[first, last]`` of consecutive numbers.

    >>> runs([0, 1, 2, 5, 7, 8])
    [[0, 2], [5, 5], [7, 8]]
    """
    out: list[list[int]] = []
    for p in points:
        if out and out[-1][1] == p - 1:
            out[-1][1] = p
        else:
            out.append([p, p])
    return out


def array_runs(points: npt.NDArray[np.int64]) -> list[list[int]]:
    """Ascending point numbers as runs ``[first, last]``, as :func:`runs`, on an array.

    >>> array_runs(np.array([0, 1, 2, 5, 7, 8]))
    [[0, 2], [5, 5], [7, 8]]
    """
    if not len(points):
        return []
    breaks = np.flatnonzero(np.diff(points) != 1)
    firsts = np.concatenate([points[:1], points[breaks + 1]])
    lasts = np.concatenate([points[breaks], points[-1:]])
    return np.stack([firsts, lasts], axis=1).tolist()  # type: ignore[no-any-return]


def summary_document(
    result: SweepResult,
    exact: Sequence[Sequence[Fraction | str]],
    *,
    scenario: Mapping[str, Any] | None = None,
    status: str = "complete",
    axis_labels: Sequence[str] | None = None,
    overrides: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The JSON-ready summary of a sweep (see the module docstring).

    ``exact`` holds each axis's exact values, in grid order (Fractions, or strings such as
    ``"1/20"`` as the manifest stores them); only the values the summary names are read.
    ``scenario`` is copied as the document's ``scenario`` (name, title, file, sha256) and
    ``overrides`` (``path``, ``value``, ``exact``, as in the manifest) as its ``overrides``;
    ``axis_labels`` name the axes in words (see :func:`negotiation.output.plots.path_label`),
    defaulting to their paths.
    """
    table = result.regime_table()
    contents = regime_contents(result)
    shape = result.grid_shape
    inner = shape[1] if len(shape) == 2 else 1
    labels = list(axis_labels) if axis_labels is not None else list(result.paths)

    def value(axis: int, index: int) -> dict[str, Any]:
        v = Fraction(exact[axis][index])
        return {"index": index, "exact": str(v), "value": float(v)}

    sizes = np.bincount(table.regime, minlength=len(table.labels))
    flagged_per = np.bincount(table.regime[table.degenerate], minlength=len(table.labels))
    order = sorted(range(len(table.labels)), key=lambda k: (-int(sizes[k]), table.labels[k]))
    # Points of each regime, ascending: a stable sort of the points by regime.
    by_regime = np.argsort(table.regime, kind="stable")
    ends = np.cumsum(sizes)
    regimes = []
    for k in order:
        cells = table.points[by_regime[ends[k] - sizes[k] : ends[k]]]
        coords = [cells // inner, cells % inner] if len(shape) == 2 else [cells]
        bounds = []
        for axis, path in enumerate(result.paths):
            along = coords[axis]
            bounds.append({"path": path, "low": value(axis, int(along.min())),
                           "high": value(axis, int(along.max()))})  # fmt: skip
        regimes.append(
            {
                "label": table.labels[k],
                "count": int(sizes[k]),
                "degenerate": int(flagged_per[k]),
                "equilibria": _equilibria(contents[k], result.players),
                "points": array_runs(cells),
                "bounds": bounds,
            }
        )
    flagged = table.points[table.degenerate]
    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": dict(scenario or {}),
        "overrides": [dict(o) for o in overrides],
        "status": status,
        "axes": [
            {"path": path, "label": label, "count": count}
            for path, label, count in zip(result.paths, labels, shape, strict=True)
        ],
        "points_total": _product(shape),
        "points_solved": len(table.points),
        "degenerate": {"count": len(flagged), "points": array_runs(flagged)},
        "change_points": (_change_points(result, value) if len(result.paths) == 1 else None),
        "regimes": regimes,
    }


def manifest_players(
    manifest: Mapping[str, Any],
) -> list[tuple[str, tuple[str, ...], str, tuple[str, ...]]]:
    """The players of a (checked) sweep manifest, as :attr:`SweepResult.players` holds them."""
    return [
        (p["id"], tuple(p["strategies"]), p["label"], tuple(p["strategy_labels"]))
        for p in manifest["players"]
    ]


def manifest_criteria(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Criterion id -> label, from a manifest's scenario content (ids where no label)."""
    scenario = manifest.get("scenario")
    content = scenario.get("content") if isinstance(scenario, Mapping) else None
    tables = content.get("criteria") if isinstance(content, Mapping) else None
    if not isinstance(tables, Mapping):
        return {}
    return {
        str(cid): str(table.get("label", cid))
        for cid, table in tables.items()
        if isinstance(table, Mapping)
    }


def folder_summary(result: SweepResult, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The ``summary.json`` of a sweep folder, from its result and (checked) manifest.

    The exact grid values, the scenario's name, title, file and hash, the overrides and
    the status come from the manifest, the axis labels from its players and criteria.
    """
    players = manifest_players(manifest)
    criteria = manifest_criteria(manifest)
    scenario = manifest.get("scenario", {})
    return summary_document(
        result,
        [axis["exact"] for axis in manifest["grid"]],
        scenario={k: scenario[k] for k in ("name", "title", "file", "sha256") if k in scenario},
        status=str(manifest.get("status", "complete")),
        axis_labels=[path_label(axis["path"], players, criteria) for axis in manifest["grid"]],
        overrides=[o for o in manifest.get("overrides", []) if isinstance(o, Mapping)],
    )


def _equilibria(content: RegimeContent, players: Players) -> list[dict[str, Any]]:
    ids = [(pid, sids) for pid, sids, _, _ in players]
    return [
        {
            "pure": pure,
            "support": {
                pid: [sids[k] for k in support]
                for (pid, sids), support in zip(ids, (rows, cols), strict=True)
            },
        }
        for rows, cols, pure in content.equilibria
    ]


def _change_points(result: SweepResult, value: Any) -> list[dict[str, Any]]:
    """The change points of a 1-D sweep, each end as a grid value (index, exact, float).

    :func:`~negotiation.studies.sweep.change_points` gives the ends as floats, in order
    along the axis; each is matched to the first grid index at or after the previous
    match whose float is equal, so the exact value is the grid's own.
    """
    xs = result.axis_values[0]
    cursor = 0
    out = []
    for change in change_points(result):
        low = _find(xs, change.low, cursor)
        high = low if change.high == change.low else _find(xs, change.high, low)
        cursor = high
        out.append(
            {
                "at_grid_point": low == high,
                "low": value(0, low),
                "high": value(0, high),
                "before": change.before,
                "after": change.after,
            }
        )
    return out


def _find(xs: Sequence[float], x: float, start: int) -> int:
    for i in range(start, len(xs)):
        if xs[i] == x:
            return i
    raise ValueError(f"{x!r} is not a grid value after index {start}")  # pragma: no cover


def _product(shape: Sequence[int]) -> int:
    total = 1
    for n in shape:
        total *= n
    return total
