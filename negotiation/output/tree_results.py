"""A tree sweep's output folder: ``results.csv``, ``manifest.json`` and ``summary.json``.

The same rules as matrix sweeps (:mod:`negotiation.output.results`, whose machinery this
module reuses): the folder is locked for the run (:func:`~negotiation.output.results.lock`),
the manifest is written before the first point is solved and says ``"kind": "tree"``, rows
are appended to ``results.csv`` (solved points a block of up to 4,096 at a time between
saves) and made durable (``fsync``) before the manifest that vouches for them is replaced
atomically, every couple of seconds. Ctrl-C or SIGTERM append the points solved so far,
save them and mark the manifest ``interrupted``; ``resume=True``
continues without recomputing them, and the finished file is byte for byte what an
uninterrupted run writes. Everything is validated (:func:`check`) before the folder is
created, including the limit on PBE sweeps
(:data:`negotiation.limits.MAX_PBE_SWEEP_POINTS`).

Reading back (:func:`read`) checks every row against the manifest: the header, each field's
type, finite numbers, the swept values equal to the grid's at that point, ``outcome`` made of
the tree's leaves (recorded in the manifest) with probabilities summing to 1, equilibria
numbered 0, 1, ... and as many per point as the manifest records, one ``ties``,
``degenerate`` and ``pbe`` value per point. A damaged folder is refused with an
:class:`~negotiation.errors.OutputError` naming the file, the line and the problem.

When the sweep completes, a 1-D PBE sweep over a prior also gets its exact prior thresholds
(:func:`negotiation.studies.tree_sweep.find_thresholds`); they are stored in the manifest
(``thresholds``), so that ``negotiation plot`` redraws them without solving anything, and
in ``summary.json``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import platform
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from negotiation import limits
from negotiation.errors import LimitError, OutputError
from negotiation.model.tree import TreeScenario
from negotiation.output import atomic
from negotiation.output import results as base
from negotiation.studies.sweep import Grid
from negotiation.studies.tree_sweep import (
    TreeSweepResult,
    columns,
    find_thresholds,
    solve_points,
    summary_document,
    tree_path_label,
    uses_pbe,
)

KIND = "tree"
#: What the manifest's ``method`` says: subgame perfection, and PBE regimes where they apply.
METHODS = ("subgame-perfect", "subgame-perfect+perfect-bayesian")
#: The manifest's ``solver`` for tree sweeps.
SOLVER = "tree"

_INT_COLUMNS = {"point", "equilibrium"}
_BOOL_COLUMNS = {"ties", "degenerate"}
_TEXT_COLUMNS = {"outcome", "path", "pbe"}
#: Most solved points held before they are appended to results.csv (between saves).
_BLOCK = 4096

#: Slack on outcome probabilities read back (written with 12 significant digits).
_OUTCOME_SLACK = 1e-9


def scenario_content(tree: TreeScenario) -> Mapping[str, Any]:
    """The content that rebuilds ``tree``: the file's own (``[types]`` uncompiled), overrides in."""
    typed = getattr(tree, "typed_content", None)
    return typed if isinstance(typed, Mapping) and typed else tree.content


def check(
    tree: TreeScenario,
    grid: Grid,
    *,
    overrides: Sequence[tuple[str, Fraction]] = (),
    command: Sequence[str] = (),
) -> dict[str, Any]:
    """Everything :func:`run` validates before it touches the disk; the new manifest.

    The grid's paths must be numbers of the tree and the corners of the box they span
    valid (the tree's family is built, which validates each corner like the file); a PBE
    sweep may have at most :data:`~negotiation.limits.MAX_PBE_SWEEP_POINTS` points.
    """
    pbe = uses_pbe(tree)
    if pbe and len(grid) > limits.MAX_PBE_SWEEP_POINTS:
        raise LimitError(
            "--param",
            " x ".join(grid.paths),
            f"{len(grid):,} grid points is more than the limit of "
            f"{limits.MAX_PBE_SWEEP_POINTS:,} for a two-player tree with information sets "
            "(each point's subgame-perfect and perfect Bayesian equilibria are solved "
            "exactly, about 1 to 3 s a point on rare-earth-trap); use fewer points or split "
            "the sweep into ranges, each with its own --out",
        )
    tree.family([(a.path, [a.values[0], a.values[-1]]) for a in grid.axes])
    content = scenario_content(tree)
    return {
        "schema_version": base.SCHEMA_VERSION,
        "kind": KIND,
        "status": "running",
        "scenario": {
            "name": tree.name,
            "title": tree.title,
            "file": tree.origin,
            "sha256": base.content_hash(content),
            "content": base._jsonable(content, exact=False),
        },
        "players": [{"id": p.id, "label": p.label} for p in tree.players],
        "leaves": [tree.nodes[v].id for v in tree.leaves],
        "grid": [
            {
                "path": axis.path,
                "values": [base._float(v, "--param/--values", axis.path) for v in axis.values],
                "exact": [str(v) for v in axis.values],
            }
            for axis in grid.axes
        ],
        "overrides": [
            {"path": p, "value": base._float(v, "--set", p), "exact": str(v)} for p, v in overrides
        ],
        "method": METHODS[pbe],
        "solver": SOLVER,
        "pbe": pbe,
        "versions": {
            "negotiation": version("negotiation"),
            "numpy": version("numpy"),
            "matplotlib": version("matplotlib"),
            "python": platform.python_version(),
        },
        "command": list(command),
        "started": base._now(),
    }


def run(
    tree: TreeScenario,
    grid: Grid,
    folder: str | Path,
    *,
    overrides: Sequence[tuple[str, Fraction]] = (),
    command: Sequence[str] = (),
    resume: bool = False,
    force: bool = True,
    progress: Callable[[int, int], None] | None = None,
    resumed: Callable[[int, int], None] | None = None,
    thresholds: Callable[[], None] | None = None,
    save_every: float = 2.0,
) -> TreeSweepResult:
    """Solve a tree sweep into ``folder``, saving consistent partial results as it goes.

    As :func:`negotiation.output.results.run` for matrix sweeps: ``resume`` continues a
    folder made by the same command (same scenario content, grid and method), ``force``
    replaces a sweep already there, anything else is refused; ``progress(done, total)`` is
    called after each point and ``resumed(reused, total)`` once on resume. ``thresholds()``
    is called before the prior thresholds of a 1-D PBE sweep are looked for (they are
    solved after the grid; the command line says so). Raises
    :class:`~negotiation.output.results.SweepInterrupted` after saving on Ctrl-C or SIGTERM.
    """
    folder = Path(folder)
    manifest = check(tree, grid, overrides=overrides, command=command)
    base.refuse_study(folder)
    created = base.make_folder(folder)
    with base.lock(folder, command):
        try:
            rows: list[dict[str, Any]] = []
            if resume:
                previous = base.read_manifest(folder)
                _check_same_sweep(previous, manifest, folder)
                manifest["started"] = previous["started"]
                manifest["command"] = previous["command"]
                manifest["resumed"] = [
                    *previous.get("resumed", []),
                    {"at": base._now(), "command": list(command)},
                ]
                rows = _read_rows(folder, previous)
                if resumed is not None:
                    resumed(len({r["point"] for r in rows}), len(grid))
            elif base.holds_sweep(folder) and not force:
                raise OutputError(
                    str(folder),
                    "",
                    "already holds a sweep; use --resume to continue it, --force to "
                    "overwrite it, or another --out folder",
                )
            elif base.holds_sweep(folder):
                base.clear(folder)
            result = _solve(tree, grid, folder, manifest, rows, progress, save_every)
        except (base.SweepInterrupted, KeyboardInterrupt):
            raise
        except BaseException:
            if created:
                base.remove_if_unsolved(folder)
            raise
        if result.pbe and len(grid.paths) == 1:
            if thresholds is not None:
                thresholds()
            found, note = find_thresholds(tree, result)
            result = result.with_thresholds(found)
            manifest["thresholds"] = found
            if note:
                manifest["note"] = note
            atomic.write_text(folder / base.MANIFEST, json.dumps(manifest, indent=2) + "\n")
        write_summary(folder, result, manifest)
    return result


def _solve(
    tree: TreeScenario,
    grid: Grid,
    folder: Path,
    manifest: dict[str, Any],
    rows: list[dict[str, Any]],
    progress: Callable[[int, int], None] | None,
    save_every: float,
) -> TreeSweepResult:
    """Solve the points not in ``rows`` (those read back on resume), saving as it goes."""
    total = len(grid)
    names = columns(grid.paths, [p.id for p in tree.players], bool(manifest["pbe"]))
    store = _Store(folder, manifest, names, total)
    done = len({r["point"] for r in rows})
    skip = sorted({int(r["point"]) for r in rows})
    last_save = time.monotonic()
    # Solved points wait here (in order) and go to results.csv a block at a time, so the
    # signal handlers are swapped once per block or save, not once per point.
    pending: list[dict[str, Any]] = []
    waiting = 0
    try:
        with base._signals_deferred(redeliver=True):  # the manifest first: resumable at once
            store.start(rows)
        for _, found in solve_points(tree, grid, skip, pbe=bool(manifest["pbe"])):
            pending += found
            waiting += 1
            done += 1
            due = time.monotonic() - last_save > save_every
            if due or waiting >= _BLOCK:
                with base._signals_deferred(redeliver=True):  # rows and their count in step
                    store.add(pending)
                    pending, waiting = [], 0
                    if due:
                        store.save()
                if due:
                    last_save = time.monotonic()
            if progress is not None:
                progress(done, total)
        with base._signals_deferred(redeliver=True):
            store.add(pending)
            pending = []
    except KeyboardInterrupt as stop:
        with base._signals_deferred(redeliver=False):  # a second Ctrl-C must not cut this save
            store.add(pending)  # every point solved before the stop is kept
            store.save(status="interrupted")
        signum = stop.signum if isinstance(stop, base.SignalInterrupt) else signal.SIGINT
        raise base.SweepInterrupted(store.points_done, total, folder, signum) from None
    finally:
        store.close()
    with base._signals_deferred(redeliver=True):
        store.save(status="complete")
    return _result(manifest, sorted(store.rows, key=lambda r: (r["point"], r["equilibrium"])))


class _Store:
    """results.csv and the manifest of a running tree sweep, saved consistently.

    :meth:`start` writes the header and the rows read back on resume atomically;
    :meth:`add` appends one point's rows; :meth:`save` makes them durable, then replaces the
    manifest that vouches for them (see :class:`negotiation.output.results._Store`).
    """

    def __init__(
        self, folder: Path, manifest: dict[str, Any], names: list[str], total: int
    ) -> None:
        self.folder, self.manifest, self.names, self.total = folder, manifest, names, total
        self.rows: list[dict[str, Any]] = []
        self.counts: dict[int, int] = {}
        self.handle: io.BufferedWriter | None = None

    @property
    def points_done(self) -> int:
        """Grid points solved so far (read back or solved in this run)."""
        return len(self.counts)

    def start(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write the header and the rows so far, then the manifest."""
        for row in rows:
            self._count(row)
        self.rows = list(rows)
        atomic.write_text(self.folder / base.RESULTS, csv_text(self.names, rows, header=True))
        try:
            self.handle = open(self.folder / base.RESULTS, "ab")  # noqa: SIM115 - kept open
        except OSError as error:
            raise OutputError(
                str(self.folder / base.RESULTS), "", f"cannot write ({error.strerror})"
            ) from None
        self._write_manifest("running")

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append one point's rows to results.csv (made durable at the next save)."""
        assert self.handle is not None
        try:
            self.handle.write(csv_text(self.names, rows).encode("utf-8"))
        except OSError as error:
            raise OutputError(
                str(self.folder / base.RESULTS), "", f"cannot write ({error.strerror})"
            ) from None
        self.rows.extend(rows)
        for row in rows:
            self._count(row)

    def _count(self, row: Mapping[str, Any]) -> None:
        point = int(row["point"])
        self.counts[point] = self.counts.get(point, 0) + 1

    def save(self, status: str = "running") -> None:
        """Put the rows so far on disk, then the manifest that vouches for them."""
        if self.handle is not None:
            try:
                base._flush_to_disk(self.handle)
            except OSError as error:
                raise OutputError(
                    str(self.folder / base.RESULTS), "", f"cannot write ({error.strerror})"
                ) from None
        self._write_manifest(status)

    def close(self) -> None:
        """Close results.csv (its rows stay; the manifest says which count)."""
        if self.handle is not None:
            with contextlib.suppress(OSError):
                self.handle.close()
            self.handle = None

    def _write_manifest(self, status: str) -> None:
        self.manifest.update(
            status=status,
            points_total=self.total,
            points_done=len(self.counts),
            rows=sum(self.counts.values()),
            equilibria_per_point=base._run_lengths(self.counts, self.total),
            updated=base._now(),
        )
        if status == "complete":
            self.manifest["finished"] = self.manifest["updated"]
        atomic.write_text(self.folder / base.MANIFEST, json.dumps(self.manifest, indent=2) + "\n")


def csv_text(names: Sequence[str], rows: Sequence[Mapping[str, Any]], header: bool = False) -> str:
    """Rows as ``results.csv`` lines (floats by ``repr``, flags ``true``/``false``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row[name]) for name in names])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    """One cell as text; numpy scalars as the Python numbers they hold."""
    kind = type(value)  # the common exact types first: isinstance on numpy ABCs is slower
    if kind is float:
        return repr(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is str:
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- reading


def read(folder: str | Path) -> TreeSweepResult:
    """Load a tree sweep folder back without solving (manifest and every row checked)."""
    folder = Path(folder)
    manifest = base.read_manifest(folder)
    if manifest.get("kind") != KIND:
        raise OutputError(str(folder / base.MANIFEST), "kind", 'expected "tree"')
    return _result(manifest, _read_rows(folder, manifest))


def _result(manifest: Mapping[str, Any], rows: Sequence[dict[str, Any]]) -> TreeSweepResult:
    grid = manifest["grid"]
    found = manifest.get("thresholds")
    return TreeSweepResult(
        paths=tuple(axis["path"] for axis in grid),
        grid_shape=tuple(len(axis["values"]) for axis in grid),
        axis_values=tuple(tuple(float(v) for v in axis["values"]) for axis in grid),
        exact=tuple(tuple(axis["exact"]) for axis in grid),
        players=tuple((p["id"], p["label"]) for p in manifest["players"]),
        rows=tuple(rows),
        pbe=bool(manifest.get("pbe")),
        thresholds=None if found is None else tuple(found),
    )


def check_manifest(check: Any, manifest: Mapping[str, Any]) -> None:
    """The tree-specific keys of a manifest (called by results.read_manifest): players, leaves."""
    players = check.typed(manifest, "players", list)
    check.that(len(players) >= 1, "players", "expected at least 1 player")
    for k, player in enumerate(players):
        where = f"players[{k}]"
        check.that(isinstance(player, dict), where, "expected an object")
        for key, longest in (("id", limits.MAX_ID_LENGTH), ("label", limits.MAX_LABEL_LENGTH)):
            text = check.typed(player, key, str, f"{where}.")
            check.that(
                0 < len(text) <= longest, f"{where}.{key}", f"expected 1 to {longest} characters"
            )
    ids = [p["id"] for p in players]
    check.that(len(set(ids)) == len(ids), "players", "expected distinct ids")
    leaves = check.typed(manifest, "leaves", list)
    check.that(
        bool(leaves) and all(isinstance(v, str) and v for v in leaves),
        "leaves",
        "expected the ids of the tree's leaves",
    )
    check.that(isinstance(manifest.get("pbe"), bool), "pbe", "expected true or false")
    found = manifest.get("thresholds")
    check.that(found is None or isinstance(found, list), "thresholds", "expected a list")
    for k, threshold in enumerate(found or ()):
        _check_threshold(check, threshold, f"thresholds[{k}]")


def _check_threshold(check: Any, threshold: object, where: str) -> None:
    """One stored prior threshold: every key the plots and the summary read back.

    The layout is :func:`~negotiation.studies.tree_sweep.threshold_document`'s; ``value`` is
    an exact number when ``exact``, else null (the change lies between ``low`` and ``high``).
    """
    check.that(isinstance(threshold, dict), where, "expected an object")
    assert isinstance(threshold, dict)
    for key in ("before", "at", "after"):
        check.typed(threshold, key, str, f"{where}.")
    exact = check.typed(threshold, "exact", bool, f"{where}.")
    for key in ("low", "high"):
        _check_number(check, check.typed(threshold, key, dict, f"{where}."), f"{where}.{key}")
    if "value" not in threshold:
        raise OutputError(check.source, f"{where}.value", "missing")
    value = threshold["value"]
    if exact:
        check.that(
            isinstance(value, dict), f"{where}.value", "expected an object (the threshold is exact)"
        )
        _check_number(check, value, f"{where}.value")
    else:
        check.that(value is None, f"{where}.value", "expected null (the threshold is not exact)")


def _check_number(check: Any, number: Mapping[str, Any], where: str) -> None:
    """A number written both exactly and as a float: ``{"exact": "1/3", "value": 0.333...}``."""
    text = check.typed(number, "exact", str, f"{where}.")
    check.that(
        base._EXACT.fullmatch(text) is not None,
        f"{where}.exact",
        'expected an exact number such as "3" or "-1/20"',
    )
    check.that(
        base._is_finite_number(number.get("value")), f"{where}.value", "expected a finite number"
    )


def _check_same_sweep(
    previous: Mapping[str, Any], current: Mapping[str, Any], folder: Path
) -> None:
    checks = {
        "kind": (previous.get("kind", "matrix"), current["kind"]),
        "scenario.sha256": (previous["scenario"]["sha256"], current["scenario"]["sha256"]),
        "grid": (previous["grid"], current["grid"]),
        "method": (previous["method"], current["method"]),
    }
    for key, (old, new) in checks.items():
        if old != new:
            raise OutputError(
                str(folder / base.MANIFEST),
                key,
                "differs from this command's, so --resume cannot continue it; use the "
                "original command, or a new --out folder",
            )


def _read_rows(folder: Path, manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of results.csv that the manifest vouches for, each checked (module docstring).

    Rows of points the manifest does not record as solved (a save cut between the two
    files) are dropped, as is a last line without its newline (a write cut short).
    """
    path = folder / base.RESULTS
    if not path.exists() and not path.is_symlink() and manifest["rows"] == 0:
        return []
    text = base._complete_lines(
        base._read_text(path, "no such file, but the manifest records solved points")
    )
    grid = manifest["grid"]
    paths = [axis["path"] for axis in grid]
    players = [p["id"] for p in manifest["players"]]
    expected = columns(paths, players, bool(manifest.get("pbe")))
    counts = base._counts(manifest["equilibria_per_point"])
    sizes = [len(axis["values"]) for axis in grid]
    total = math.prod(sizes)
    leaves = set(manifest["leaves"])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise OutputError(str(path), "line 1", f"not CSV ({error})") from None
    if header != expected:
        raise OutputError(
            str(path), "line 1", f"unexpected columns; expected: {', '.join(expected)}"
        )
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[int, int], int] = {}
    line = 1
    try:
        for line, fields in enumerate(reader, start=2):
            if len(fields) != len(expected):
                raise base._RowError(f"expected {len(expected)} fields, got {len(fields)}")
            row = {k: _parse(k, v) for k, v in zip(expected, fields, strict=True)}
            point, k = row["point"], row["equilibrium"]
            if not 0 <= point < total:
                raise base._RowError(f"point {point} is outside the grid (0 to {total - 1})")
            if (point, k) in seen:
                raise base._RowError(
                    f"point {point}, equilibrium {k} is already on line {seen[point, k]}"
                )
            seen[point, k] = line
            rest = point
            for axis in reversed(range(len(grid))):
                rest, i = divmod(rest, sizes[axis])
                if row[paths[axis]] != grid[axis]["values"][i]:
                    raise base._RowError(
                        f"{paths[axis]}: {row[paths[axis]]!r} is not the grid's value at "
                        f"point {point} ({grid[axis]['values'][i]!r})"
                    )
            _check_outcome(row["outcome"], leaves)
            if counts.get(point, 0):
                rows.append(row)
    except base._RowError as error:
        raise OutputError(str(path), f"line {line}", str(error)) from None
    except csv.Error as error:
        raise OutputError(str(path), f"line {line}", f"not CSV ({error})") from None
    return _check_points(rows, counts, path)


def _parse(column: str, text: str) -> Any:
    if column in _INT_COLUMNS:
        return base._whole(column, text)
    if column in _BOOL_COLUMNS:
        return base._flag(column, text)
    if column in _TEXT_COLUMNS:
        if not text:
            raise base._RowError(f"{column}: expected text, got nothing")
        return text
    return base._real(column, text)


def _check_outcome(outcome: str, leaves: set[str]) -> None:
    """``LEAF=PROB;...``: known leaves, probabilities in (0, 1] summing to 1."""
    total = 0.0
    for part in outcome.split(";"):
        leaf, sep, prob = part.rpartition("=")
        if not sep or leaf not in leaves:
            raise base._RowError(
                f"outcome: expected LEAF=PROB joined by ';' with leaves of the tree, got "
                f"{base._short(part)}"
            )
        p = base._real("outcome", prob)
        if not 0 < p <= 1 + _OUTCOME_SLACK:
            raise base._RowError(f"outcome: {p!r} is not a probability")
        total += p
    if abs(total - 1) > 1e-6:
        raise base._RowError(f"outcome: the probabilities sum to {total!r}")


def _check_points(
    rows: list[dict[str, Any]], counts: Mapping[int, int], path: Path
) -> list[dict[str, Any]]:
    rows.sort(key=lambda r: (r["point"], r["equilibrium"]))
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["point"], []).append(row)
    for point, expected in counts.items():
        have = found.get(point, [])
        numbers = [r["equilibrium"] for r in have]
        if numbers != list(range(expected)):
            raise OutputError(
                str(path),
                f"point {point}",
                f"the manifest records {expected} equilibria, results.csv has {len(have)} "
                f"(numbered {numbers[:10]})",
            )
        for key in ("ties", "degenerate", "pbe"):
            if len({r.get(key) for r in have}) > 1:
                raise OutputError(str(path), f"point {point}", f"rows disagree on {key}")
    return rows


# --------------------------------------------------------------------------- summary


def write_summary(
    folder: str | Path, result: TreeSweepResult, manifest: Mapping[str, Any] | None = None
) -> None:
    """Write ``summary.json`` of a tree sweep into ``folder`` (atomically)."""
    folder = Path(folder)
    manifest = base.read_manifest(folder) if manifest is None else manifest
    atomic.write_text(folder / base.SUMMARY, base.summary_json(folder_summary(result, manifest)))


def folder_summary(result: TreeSweepResult, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The summary document of a tree sweep folder, from its result and manifest."""
    scenario = manifest.get("scenario", {})
    criteria = manifest_criteria(manifest)
    return summary_document(
        result,
        scenario={k: scenario[k] for k in ("name", "title", "file", "sha256") if k in scenario},
        status=str(manifest.get("status", "complete")),
        axis_labels=[tree_path_label(p, result.players, criteria) for p in result.paths],
        overrides=[o for o in manifest.get("overrides", []) if isinstance(o, Mapping)],
        note=str(manifest.get("note", "")),
    )


def manifest_criteria(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Criterion id -> label from a manifest's scenario content."""
    from negotiation.studies.summary import manifest_criteria as criteria

    return criteria(manifest)
