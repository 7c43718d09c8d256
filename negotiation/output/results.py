"""A sweep's output folder: ``results.csv`` and ``manifest.json``, locked, atomic, checked.

:func:`run` solves a sweep into a folder. It holds an exclusive lock on the folder for the
whole run (:func:`lock`: ``fcntl.flock`` on ``.lock`` inside it, released when the process
ends however it ends, so a killed run leaves no stale lock), writes the manifest before
solving anything, then saves both files every couple of seconds, each replaced atomically
(:mod:`negotiation.output.atomic`). A killed or interrupted run therefore leaves a
consistent folder: the manifest records how many equilibria each finished grid point has,
and every one of them is in ``results.csv``. ``resume=True`` continues from there without
recomputing finished points. Ctrl-C (SIGINT) and, from the command line, SIGTERM save the
finished points and mark the manifest ``interrupted``; a second signal during that save
is ignored rather than allowed to cut it short.

:func:`read` loads a folder back for plotting, and resuming reads it the same way. Both
check what they read against the manifest (types and keys of the manifest, every row's
columns, numbers and ranges, the grid value of each point, duplicated rows, and the number
of equilibria of each point) and refuse a damaged folder with an
:class:`~negotiation.errors.OutputError` naming the file, the line and what is wrong.

``manifest.json`` records what is needed to reproduce any figure: the scenario's content
hash and full resolved content (overrides applied), the grid (exact values as fractions),
the overrides, the method, package versions, the command line and timestamps.

``summary.json`` (:func:`write_summary`, written when a sweep completes) states what the
sweep found, for programs: regimes with the grid points they cover, change points with
exact values, degenerate points (:mod:`negotiation.studies.summary`). It is derived from
the other two files, so ``negotiation plot`` writes it again.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # no stub: signal.py wraps it (see _signals_deferred)
import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import platform
import re
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
import numpy.typing as npt

from negotiation import limits
from negotiation.errors import OutputError, ScenarioError
from negotiation.model.scenario import Scenario
from negotiation.output import atomic
from negotiation.solvers.equilibria import Method
from negotiation.studies.sweep import (
    Grid,
    PlayerInfo,
    ResultTable,
    SweepResult,
    columns,
    player_info,
    solve_table,
)

RESULTS = "results.csv"
#: The results in Parquet (``results_format="parquet"``), in place of ``results.csv``.
RESULTS_PARQUET = "results.parquet"
#: Formats of the results table: CSV (the default) or Parquet (needs pyarrow).
RESULTS_FORMATS = ("csv", "parquet")
MANIFEST = "manifest.json"
SUMMARY = "summary.json"
#: The marker file of an ``explore`` study's folder (:mod:`negotiation.output.explore_folder`),
#: which a sweep refuses to write into (:func:`refuse_study`).
STUDY_MANIFEST = "explore.json"
LOCK = ".lock"
SCHEMA_VERSION = 1
STATUSES = ("running", "interrupted", "complete")

#: File names a manifest may list as plots: plain names in the folder, nothing else, so
#: ``--force`` can never be made to remove a file outside the folder.
PLOT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\.(png|svg|pdf)")

_INT_COLUMNS = {"point", "equilibrium", "component"}
#: An exact grid value in the manifest: an integer or a fraction, of bounded length.
_EXACT = re.compile(r"-?[0-9]{1,400}(/0*[1-9][0-9]{0,400})?")
_BOOL_COLUMNS = {"pure", "degenerate"}
#: Slack on probabilities read back (the batch engine's floats are exact to about 1e-15).
_PROBABILITY_SLACK = 1e-9


class SignalInterrupt(KeyboardInterrupt):
    """A stop asked for by a signal other than SIGINT (the command line maps SIGTERM here)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


class SweepInterrupted(Exception):  # noqa: N818 - a stop the user asked for, not an error
    """The sweep was interrupted (Ctrl-C or SIGTERM); the folder holds the finished points."""

    def __init__(self, done: int, total: int, folder: Path, signum: int = signal.SIGINT) -> None:
        self.done, self.total, self.folder, self.signum = done, total, folder, signum
        how = (
            "interrupted"
            if signum == signal.SIGINT
            else f"stopped by {signal.Signals(signum).name}"
        )
        super().__init__(
            f"{how} after {done} of {total} grid points; {folder} is consistent. "
            "Run the same command with --resume to continue."
        )


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's resolved content, numbers written exactly."""
    return content_hash(scenario.content)


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of scenario content: parsed TOML, or the ``content`` of a manifest.

    Numbers are hashed by exact value, so the manifest's copy (floats and fraction strings)
    hashes like the scenario it came from.
    """
    numbers = {
        key: _numbers_exact(content[key])
        for key in ("payoffs", "criteria", "weights")
        if key in content
    }
    canonical = json.dumps(_jsonable({**content, **numbers}, exact=True), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _numbers_exact(value: Any) -> Any:
    """In the numeric sections of manifest content, read "p/q" strings as fractions."""
    if isinstance(value, Mapping):
        return {k: _numbers_exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_exact(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"-?\d+/\d+", value):
        return Fraction(value)
    return value


# --------------------------------------------------------------------------- locking

_held: dict[str, list[int]] = {}  # real path of a folder -> [lock file descriptor, depth]


@contextlib.contextmanager
def lock(folder: str | Path, command: Sequence[str] = ()) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (which must exist) for the ``with`` block.

    The lock is ``fcntl.flock`` on the file ``.lock`` inside the folder, which also records
    the holder's process id, start time and ``command``, and is removed on release. The
    kernel releases a flock when its process ends, however it ends, so a killed run leaves
    at most an unlocked ``.lock`` file, which the next run reuses. Taking the lock again in
    the same process (a library call inside a command that already holds it) nests.
    Another process's lock raises :class:`~negotiation.errors.OutputError` naming its
    holder. On systems without ``fcntl`` (Windows) no lock is taken.
    """
    folder = Path(folder)
    key = os.path.realpath(folder)
    if key in _held:
        _held[key][1] += 1
        try:
            yield
        finally:
            _held[key][1] -= 1
        return
    if sys.platform == "win32":  # pragma: no cover - the product is tested on POSIX
        yield
        return
    path = folder / LOCK
    fd = _acquire(folder, path)
    try:
        note = f"pid {os.getpid()} since {_now()}: {' '.join(command)}".rstrip(": ") + "\n"
        os.ftruncate(fd, 0)
        os.pwrite(fd, note.encode("utf-8", "replace"), 0)
    except OSError:
        pass  # the lock holds without the note; the note only names the holder
    _held[key] = [fd, 1]
    try:
        yield
    finally:
        del _held[key]
        with contextlib.suppress(OSError):
            path.unlink()  # while still locked, so no one can lock this file meanwhile
        os.close(fd)  # releases the lock


def _acquire(folder: Path, path: Path) -> int:
    """Open and flock ``path``; retry if it was replaced meanwhile (its holder removed it)."""
    import fcntl

    for _ in range(100):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise OutputError(str(folder), "", f"cannot lock ({error.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise OutputError(
                str(folder),
                "",
                f"in use by another run ({holder}); wait for it to end, or use another folder",
            ) from None
        except OSError as error:
            os.close(fd)
            raise OutputError(str(folder), "", f"cannot lock ({error.strerror})") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # we locked a file its holder had just removed: take the new one
    raise OutputError(str(folder), "", "cannot lock (the lock file keeps changing)")


def _holder(fd: int) -> str:
    """Who holds a lock, from the note its holder writes just after taking it."""
    for _ in range(20):  # the holder writes its note right after flock; give it a moment
        note = os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
        if note:
            return note.splitlines()[0]
        time.sleep(0.025)
    return "holder not known yet"


# --------------------------------------------------------------------------- running


def check(
    scenario: Scenario,
    grid: Grid,
    *,
    method: Method | str = "exact",
    solver: str = "batch",
    overrides: Sequence[tuple[str, Fraction]] = (),
    command: Sequence[str] = (),
) -> dict[str, Any]:
    """Everything :func:`run` validates before it touches the disk; the new manifest.

    Each axis's first and last values are applied to the scenario (validated like the
    file, as the sweep itself does) and every value must be a finite float. Raises
    :class:`~negotiation.errors.ScenarioError` (or a subclass) naming what is wrong.
    """
    manifest = _manifest(
        scenario, grid, method if solver == "per-game" else "exact", overrides, command
    )
    manifest["solver"] = solver
    for axis in grid.axes:
        for value in sorted({axis.values[0], axis.values[-1]}):
            scenario.with_overrides({axis.path: value})
    return manifest


def run(
    scenario: Scenario,
    grid: Grid,
    folder: str | Path,
    *,
    method: Method | str = "exact",
    solver: str = "batch",
    overrides: Sequence[tuple[str, Fraction]] = (),
    command: Sequence[str] = (),
    resume: bool = False,
    force: bool = True,
    progress: Callable[[int, int], None] | None = None,
    resumed: Callable[[int, int], None] | None = None,
    save_every: float = 2.0,
    results_format: str = "csv",
) -> SweepResult:
    """Solve a sweep into ``folder``, saving consistent partial results as it goes.

    ``results_format`` is ``"csv"`` (``results.csv``, the default) or ``"parquet"``
    (``results.parquet``, the same columns, for large sweeps; needs pyarrow, the
    ``parquet`` extra). Results are kept in columns from the solver to the disk
    (:func:`negotiation.studies.sweep.solve_table`): CSV rows are appended block by block
    (see :class:`_CsvAppender`), a Parquet file is rewritten atomically at each save.

    ``solver`` and ``method`` choose the engine
    (see :func:`negotiation.studies.sweep.solve_points`).
    ``progress(done, total)`` is called after every grid point. Everything is validated
    (:func:`check`) before the folder is created or touched. The folder is locked for the
    run (:func:`lock`) and the manifest is written before the first point is solved, so even
    a run killed at once leaves a folder that ``resume`` continues.

    A folder that already holds a sweep (a manifest or results) is continued with
    ``resume=True``, replaced with ``force=True`` (its results, manifest and plots are
    removed first, see :func:`clear`), and otherwise refused. With ``resume=True`` the
    folder's manifest must describe the same scenario, grid and method; finished points are
    read back (and checked, see :func:`read`) instead of solved, and ``resumed(reused,
    total)`` is called with how many. (A folder killed before its manifest was written
    holds no sweep, so a run without ``resume`` starts it afresh.) Raises
    :class:`SweepInterrupted` after saving on Ctrl-C or SIGTERM, and
    :class:`~negotiation.errors.OutputError` if the folder cannot be used.
    """
    folder = Path(folder)
    if results_format not in RESULTS_FORMATS:
        raise ValueError(
            f"unknown results format {results_format!r}; expected one of: "
            f"{', '.join(RESULTS_FORMATS)}"
        )
    manifest = check(
        scenario, grid, method=method, solver=solver, overrides=overrides, command=command
    )
    if results_format != "csv":
        _require_pyarrow()
        manifest["results_format"] = results_format
    refuse_study(folder)
    created = make_folder(folder)
    total = len(grid)
    parts: list[ResultTable] = []
    with lock(folder, command):
        try:
            holds = holds_sweep(folder)
            if resume:
                previous = read_manifest(folder)
                _require_matrix(previous, folder)
                _check_same_sweep(previous, manifest, folder)
                manifest["started"] = previous["started"]
                manifest["command"] = previous["command"]
                manifest["resumed"] = [
                    *previous.get("resumed", []),
                    {"at": _now(), "command": list(command)},
                ]
                names = columns(grid.paths, player_info(scenario))
                parts.append(_read_table(folder, previous, names))
                if resumed is not None:
                    resumed(_point_count(parts[0]), total)
            elif holds and not force:
                raise OutputError(
                    str(folder),
                    "",
                    "already holds a sweep; use --resume to continue it, --force to "
                    "overwrite it, or another --out folder",
                )
            elif holds:
                clear(folder)
            return _solve(
                scenario, grid, folder, manifest, parts, method, solver, progress, save_every
            )
        except (SweepInterrupted, KeyboardInterrupt):
            raise
        except BaseException:
            if created:
                remove_if_unsolved(folder)
            raise


def refuse_study(folder: str | Path) -> None:
    """Refuse a folder holding an ``explore`` study (its ``explore.json``) as a sweep's.

    A sweep and a study both write ``summary.json`` and their plots in the folder, so one
    run would replace the other's files; even ``--force`` does not, since it would leave the
    other's remaining files mixed with this run's (fuzz finding F4).
    """
    marker = Path(folder) / STUDY_MANIFEST
    if os.path.lexists(marker):
        raise OutputError(
            str(marker),
            "",
            "this folder holds an explore study, not a sweep; use another --out folder "
            "(or remove the study's folder first)",
        )


def holds_sweep(folder: str | Path) -> bool:
    """Whether ``folder`` holds (part of) a sweep: a manifest or a results file."""
    folder = Path(folder)
    return any(os.path.lexists(folder / name) for name in (MANIFEST, RESULTS, RESULTS_PARQUET))


def remove_if_unsolved(folder: str | Path) -> None:
    """Remove a sweep folder in which no grid point was solved (a run that failed at once).

    Only the files a sweep writes are removed, and the folder itself only if that leaves it
    empty; a folder whose manifest records solved points is left alone. Call it while
    holding :func:`lock`.
    """
    folder = Path(folder)
    try:
        points = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("points_done")
    except (OSError, ValueError, AttributeError):
        points = 0
    if points:
        return
    for name in (RESULTS, RESULTS_PARQUET, MANIFEST):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    with contextlib.suppress(OSError):
        if not any(p.name != LOCK for p in folder.iterdir()):
            (folder / LOCK).unlink(missing_ok=True)
            folder.rmdir()


def _solve(
    scenario: Scenario,
    grid: Grid,
    folder: Path,
    manifest: dict[str, Any],
    parts: list[ResultTable],
    method: Method | str,
    solver: str,
    progress: Callable[[int, int], None] | None,
    save_every: float,
) -> SweepResult:
    """Solve the points not in ``parts`` (those read back on resume), saving as it goes."""
    total = len(grid)
    last_save = time.monotonic()
    players = player_info(scenario)
    strategies = sum(len(sids) for _, sids, _, _ in players)
    store = _Store(folder, manifest, grid.paths, players, total, strategies)
    done = sum(_point_count(p) for p in parts)
    skip = np.unique(np.concatenate([p.point for p in parts])) if parts else ()
    try:
        with _signals_deferred(redeliver=True):  # the manifest first: resumable at once
            store.start(parts)
        for part in solve_table(scenario, grid, solver=solver, method=method, skip=skip):
            count = _point_count(part)
            try:
                for k in range(count):
                    if progress is not None:
                        progress(done + k + 1, total)
            except KeyboardInterrupt:
                # Points up to the one just reported are finished: keep them, then stop.
                with _signals_deferred(redeliver=False):
                    store.add(_first_points(part, k + 1))
                raise
            with _signals_deferred(redeliver=True):  # rows and their count stay in step
                store.add(part)
            done += count
            if time.monotonic() - last_save > save_every:
                began = time.monotonic()
                with _signals_deferred(redeliver=True):
                    store.save()
                last_save = time.monotonic()
                # A Parquet save rewrites every row: space saves out so they cost <= ~20%.
                save_every = max(save_every, 5 * (last_save - began))
    except KeyboardInterrupt as stop:
        with _signals_deferred(redeliver=False):  # a second Ctrl-C must not cut this save
            store.save(status="interrupted")
        signum = stop.signum if isinstance(stop, SignalInterrupt) else signal.SIGINT
        raise SweepInterrupted(store.points_done, total, folder, signum) from None
    finally:
        store.close()
    with _signals_deferred(redeliver=True):
        store.save(status="complete")
    result = SweepResult.from_table(scenario, grid, store.parts)
    write_summary(folder, result, manifest)
    return result


def _first_points(table: ResultTable, count: int) -> ResultTable:
    """The rows of the first ``count`` grid points of ``table`` (its points sorted)."""
    starts = np.flatnonzero(np.concatenate([[True], table.point[1:] != table.point[:-1]]))
    return table if count >= len(starts) else table.take(slice(0, int(starts[count])))


def _point_count(table: ResultTable) -> int:
    """How many grid points a table holds rows of (its points are sorted)."""
    if not len(table):
        return 0
    return int(np.count_nonzero(table.point[1:] != table.point[:-1])) + 1


def write_summary(
    folder: str | Path, result: SweepResult, manifest: Mapping[str, Any] | None = None
) -> None:
    """Write ``summary.json`` into ``folder`` (atomically) for ``result``.

    ``manifest`` defaults to the folder's own (read and checked); the summary takes the
    exact grid values, the scenario's identity, the overrides and the status from it (see
    :func:`negotiation.studies.summary.folder_summary`).
    """
    from negotiation.studies.summary import folder_summary

    folder = Path(folder)
    manifest = read_manifest(folder) if manifest is None else manifest
    document = folder_summary(result, manifest)
    atomic.write_text(folder / SUMMARY, summary_json(document))


def summary_json(document: Mapping[str, Any]) -> str:
    """A summary as JSON text: indented by 2, each ``[first, last]`` run on one line.

    >>> print(summary_json({"points": [[0, 2], [5, 5]]}))
    {
      "points": [
        [0, 2],
        [5, 5]
      ]
    }
    """
    text = json.dumps(document, indent=2)
    return re.sub(r"\[\s+(-?\d+),\s+(-?\d+)\s+\]", r"[\1, \2]", text) + "\n"


#: The signals :func:`_signals_deferred` holds off, as plain numbers (see there).
_DEFERRED = (int(signal.SIGINT), int(signal.SIGTERM))


@contextlib.contextmanager
def _signals_deferred(redeliver: bool) -> Iterator[None]:
    """Hold SIGINT and SIGTERM off while a save runs (in the main thread only).

    A signal that arrives meanwhile is noted; with ``redeliver`` it is raised again, to the
    handlers in force before, once the save is done, otherwise it is dropped.

    A tree sweep enters this once per grid point (40,401 times on a 201 x 201 grid), so the
    handlers are swapped with :mod:`_signal`'s functions, which :func:`signal.signal` and
    :func:`signal.getsignal` wrap only to turn plain numbers into enum members: the same
    system calls at a quarter of the cost (about 7 instead of 30 microseconds a save).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {s: _signal.getsignal(s) for s in _DEFERRED}
    for s, handler in previous.items():
        if handler != _signal.SIG_IGN:
            _signal.signal(s, note)
    try:
        yield
    finally:
        for s, handler in previous.items():
            _signal.signal(s, _signal.SIG_DFL if handler is None else handler)
    if caught and redeliver:
        signal.raise_signal(caught[0])


def make_folder(folder: Path) -> bool:
    """Create ``folder`` (and its parents) if needed; whether it was created.

    Raises :class:`~negotiation.errors.OutputError` if the name is taken by something that
    is not a folder (``--out /dev/null``) or the folder cannot be made.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(str(folder), "", "exists and is not a folder; expected a folder")
    if folder.is_dir():
        return False
    try:
        folder.mkdir(parents=True)
    except FileExistsError:
        if not folder.is_dir():
            raise OutputError(
                str(folder), "", "exists and is not a folder; expected a folder"
            ) from None
        return False
    except OSError as error:
        raise OutputError(str(folder), "", f"cannot create ({error.strerror})") from None
    return True


def clear(folder: str | Path) -> list[str]:
    """Remove a previous sweep's files from ``folder``: results, manifest, summary and plots.

    The plots removed are those the manifest lists (plain file names only, see
    :data:`PLOT_NAME`) and any ``strategies``/``payoffs``/``regimes`` image; other files
    are left alone. Call it while holding :func:`lock`. Returns the names removed.
    """
    folder = Path(folder)
    names = {RESULTS, RESULTS_PARQUET, MANIFEST, SUMMARY}
    names |= {f"{stem}.{ext}" for stem in ("strategies", "payoffs", "regimes")
              for ext in ("png", "svg", "pdf")}  # fmt: skip
    with contextlib.suppress(OutputError):
        plots = read_manifest(folder).get("plots", [])
        names |= {p for p in plots if PLOT_NAME.fullmatch(p)}
    removed = []
    for name in sorted(names):
        path = folder / name
        if path.is_file() or path.is_symlink():
            try:
                path.unlink()
            except OSError as error:
                raise OutputError(str(path), "", f"cannot remove ({error.strerror})") from None
            removed.append(name)
    return removed


def add_files(folder: str | Path, names: Sequence[str]) -> None:
    """Record plot files in the manifest (atomically)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    manifest["plots"] = sorted(set(manifest.get("plots", [])) | set(names))
    atomic.write_text(folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")


def _manifest(
    scenario: Scenario,
    grid: Grid,
    method: str,
    overrides: Sequence[tuple[str, Fraction]],
    command: Sequence[str],
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "status": "running",
        "scenario": {
            "name": scenario.name,
            "title": scenario.title,
            "file": scenario.origin,
            "sha256": scenario_hash(scenario),
            "content": _jsonable(scenario.content, exact=False),
        },
        "players": [
            {
                "id": p.id,
                "label": p.label,
                "strategies": list(p.strategy_ids),
                "strategy_labels": list(p.strategy_labels),
            }
            for p in scenario.players
        ],
        "grid": [
            {
                "path": axis.path,
                "values": [_float(v, "--param/--values", axis.path) for v in axis.values],
                "exact": [str(v) for v in axis.values],
            }
            for axis in grid.axes
        ],
        "overrides": [
            {"path": p, "value": _float(v, "--set", p), "exact": str(v)} for p, v in overrides
        ],
        "method": method,
        "versions": {
            "negotiation": version("negotiation"),
            "nashpy": version("nashpy"),
            "numpy": version("numpy"),
            "matplotlib": version("matplotlib"),
            "python": platform.python_version(),
        },
        "command": list(command),
        "started": _now(),
    }


def _float(value: Fraction, source: str, key: str) -> float:
    """A number as a float, refusing (rather than overflowing on) one beyond float range."""
    try:
        result = float(value)
    except OverflowError:
        result = math.inf
    if not math.isfinite(result):
        raise ScenarioError(source, key, f"{_short(value)} is beyond the range of a float")
    return result


class _Store:
    """The results file and manifest of a running sweep, saved consistently.

    CSV (the default): :meth:`start` writes ``results.csv`` atomically with the header and
    the rows read back on resume; :meth:`add` appends each solved block's rows, encoded
    from the columns (:func:`csv_text`); :meth:`save` flushes them to disk (``fsync``) and
    only then replaces the manifest that vouches for them. The file therefore always
    starts with every row the manifest records, in order; a run killed in the middle of
    an append can leave rows the manifest does not record, the last one possibly cut
    short, which :func:`read` leaves out and a resumed run writes over. Points are solved
    in order, so the rows of a finished run are sorted by point and equilibrium and the
    file is byte for byte what writing all rows at once gives.

    Parquet: :meth:`save` writes ``results.parquet`` from every row so far, atomically.
    """

    def __init__(
        self,
        folder: Path,
        manifest: dict[str, Any],
        paths: tuple[str, ...],
        players: tuple[PlayerInfo, ...],
        total: int,
        strategies: int,
    ) -> None:
        self.folder, self.manifest, self.total = folder, manifest, total
        self.names = columns(paths, players)
        self.dims, self.strategies = len(paths), strategies
        self.parquet = manifest.get("results_format", "csv") == "parquet"
        self.parts: list[ResultTable] = []
        self.handle: io.BufferedWriter | None = None
        self.pending = False

    @property
    def points_done(self) -> int:
        """Grid points solved so far (read back or solved in this run)."""
        return sum(_point_count(p) for p in self.parts)

    def start(self, parts: Sequence[ResultTable]) -> None:
        """Write the results so far (the rows read back on resume, or none), then the manifest."""
        self.parts = list(parts)
        if self.parquet:
            self._write_parquet()
        else:
            body = "".join(csv_text(p) for p in parts)
            atomic.write_text(self.folder / RESULTS, csv_header(self.names) + body)
            try:
                self.handle = open(self.folder / RESULTS, "ab")  # noqa: SIM115 - kept open
            except OSError as error:
                raise OutputError(
                    str(self.folder / RESULTS), "", f"cannot write ({error.strerror})"
                ) from None
        self._write_manifest("running")

    def add(self, part: ResultTable) -> None:
        """Add a solved block's rows (appended to results.csv at once, saved later)."""
        self.parts.append(part)
        if self.handle is not None and len(part):
            self._guard(lambda handle: handle.write(csv_text(part).encode("ascii")))
        self.pending = True

    def save(self, status: str = "running") -> None:
        """Put the rows so far on disk, then the manifest that vouches for them."""
        if self.parquet:
            self._write_parquet()
        elif self.handle is not None:
            self._guard(_flush_to_disk)
        self.pending = False
        self._write_manifest(status)

    def close(self) -> None:
        """Close results.csv (its rows stay; the manifest says which count)."""
        if self.handle is not None:
            with contextlib.suppress(OSError):
                self.handle.close()
            self.handle = None

    def _guard(self, action: Callable[[io.BufferedWriter], object]) -> None:
        assert self.handle is not None
        try:
            action(self.handle)
        except OSError as error:
            raise OutputError(
                str(self.folder / RESULTS), "", f"cannot write ({error.strerror})"
            ) from None

    def _write_parquet(self) -> None:
        table = ResultTable.concatenate(self.parts, self.dims, self.strategies)
        write_parquet(self.folder / RESULTS_PARQUET, table, self.names)

    def _write_manifest(self, status: str) -> None:
        points, counts = _point_counts(self.parts)
        self.manifest.update(
            status=status,
            points_total=self.total,
            points_done=len(points),
            rows=int(counts.sum()),
            equilibria_per_point=_runs_of(points, counts, self.total),
            updated=_now(),
        )
        if status == "complete":
            self.manifest["finished"] = self.manifest["updated"]
        atomic.write_text(self.folder / MANIFEST, json.dumps(self.manifest, indent=2) + "\n")


def _flush_to_disk(handle: io.BufferedWriter) -> None:
    """Write the buffered rows and wait until the disk holds them (before the manifest)."""
    handle.flush()
    os.fsync(handle.fileno())


def _point_counts(
    parts: Sequence[ResultTable],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The solved points (ascending) and their numbers of rows, over all ``parts``."""
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    points, counts = np.unique(np.concatenate([p.point for p in parts]), return_counts=True)
    return points.astype(np.int64), counts.astype(np.int64)


def _runs_of(
    points: npt.NDArray[np.int64], counts: npt.NDArray[np.int64], total: int
) -> list[list[int]]:
    """Equilibria per grid point (0 where not solved) as ``[count, repeat]`` runs, on arrays.

    The same as :func:`_run_lengths` of ``dict(zip(points, counts))``.

    >>> _runs_of(np.array([0, 1, 2, 4]), np.array([1, 1, 3, 1]), 6)
    [[1, 2], [3, 1], [0, 1], [1, 1], [0, 1]]
    """
    per_point = np.zeros(total, dtype=np.int64)
    per_point[points] = counts
    if total == 0:
        return []
    starts = np.flatnonzero(np.concatenate([[True], per_point[1:] != per_point[:-1]]))
    repeats = np.diff(np.append(starts, total))
    return np.stack([per_point[starts], repeats], axis=1).tolist()  # type: ignore[no-any-return]


def csv_header(names: Sequence[str]) -> str:
    """The header line of ``results.csv`` (as :class:`csv.writer` quotes it)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(names)
    return buffer.getvalue()


def csv_text(table: ResultTable) -> str:
    """The ``results.csv`` lines of ``table``'s rows, each ending in a newline.

    Cells are written as the row-by-row writer always wrote them: floats by ``repr`` (the
    shortest text that reads back to the same float), whole numbers by ``str``, flags as
    ``true``/``false``. Each column is formatted from its distinct values only (a sweep's
    columns repeat a few values: 0.0, 1.0, the grid values), so the cost is a join per
    row, not a conversion per cell.
    """
    if not len(table):
        return ""
    cells = [_strings(column) for column in table.columns()]
    return "".join(",".join(row) + "\n" for row in zip(*cells, strict=True))


def _strings(column: npt.NDArray[Any]) -> list[str]:
    """One column's cells as text (see :func:`csv_text`)."""
    if column.dtype == np.bool_:
        words = np.array(["false", "true"], dtype=object)
        return words[column.astype(np.int64)].tolist()  # type: ignore[no-any-return]
    if column.dtype.kind == "f":
        # Distinct by bit pattern, so -0.0 keeps its sign ("-0.0") as repr gives it.
        bits = np.ascontiguousarray(column, dtype=np.float64).view(np.int64)
        unique, inverse = np.unique(bits, return_inverse=True)
        text = np.array([repr(x) for x in unique.view(np.float64).tolist()], dtype=object)
    else:
        unique, inverse = np.unique(column, return_inverse=True)
        text = np.array([str(x) for x in unique.tolist()], dtype=object)
    return text[inverse.reshape(-1)].tolist()  # type: ignore[no-any-return]


def _require_pyarrow() -> Any:
    """``pyarrow.parquet``, or an OutputError saying how to install it."""
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]  # optional extra
    except ImportError:
        raise OutputError(
            "--results-format",
            "parquet",
            "needs pyarrow; install the parquet extra (pip install 'negotiation[parquet]') "
            "or use CSV",
        ) from None
    return pq


def write_parquet(path: Path, table: ResultTable, names: Sequence[str]) -> None:
    """Write ``table`` as a Parquet file with the ``results.csv`` columns, atomically.

    Column types: int64 for ``point``, ``equilibrium`` and ``component``, bool for
    ``pure`` and ``degenerate``, float64 for the rest (the values, not their text).
    """
    pq = _require_pyarrow()
    import pyarrow as pa  # optional extra, imported only to write Parquet

    arrow = pa.table(dict(zip(names, table.columns(), strict=True)))
    atomic.replace(path, lambda tmp: pq.write_table(arrow, tmp))


def _run_lengths(counts: Mapping[int, int], total: int) -> list[list[int]]:
    """Equilibria per grid point (0 where not solved yet) as ``[count, repeat]`` runs.

    >>> _run_lengths({0: 1, 1: 1, 2: 3, 4: 1}, 6)
    [[1, 2], [3, 1], [0, 1], [1, 1], [0, 1]]
    """
    runs: list[list[int]] = []
    point = 0
    for p in sorted(counts):
        if p > point:
            _extend(runs, 0, p - point)
        _extend(runs, counts[p], 1)
        point = p + 1
    if total > point:
        _extend(runs, 0, total - point)
    return runs


def _extend(runs: list[list[int]], count: int, repeat: int) -> None:
    if runs and runs[-1][0] == count:
        runs[-1][1] += repeat
    else:
        runs.append([count, repeat])


# --------------------------------------------------------------------------- reading


def read(folder: str | Path) -> SweepResult:
    """Load a sweep folder's results and grid back, without solving anything.

    The manifest and every row are checked (see the module docstring); a damaged folder
    raises :class:`~negotiation.errors.OutputError` naming the file, line and problem.
    Points the manifest does not yet vouch for (a save cut between the two files) are left
    out.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    _require_matrix(manifest, folder)
    players: tuple[PlayerInfo, ...] = tuple(
        (p["id"], tuple(p["strategies"]), p["label"], tuple(p["strategy_labels"]))
        for p in manifest["players"]
    )
    paths = tuple(axis["path"] for axis in manifest["grid"])
    table = _read_table(folder, manifest, columns(paths, players))
    return SweepResult(
        paths=paths,
        grid_shape=tuple(len(axis["values"]) for axis in manifest["grid"]),
        axis_values=tuple(tuple(float(v) for v in axis["values"]) for axis in manifest["grid"]),
        players=players,
        table=table,
    )


def _require_matrix(manifest: Mapping[str, Any], folder: Path) -> None:
    """Refuse a tree sweep's folder where a matrix sweep's is needed, saying what it is."""
    if manifest.get("kind", "matrix") != "matrix":
        raise OutputError(
            str(folder / MANIFEST),
            "kind",
            "this folder holds a sweep of a game tree; read it with "
            "negotiation.output.tree_results.read (negotiation plot does), or use another "
            "--out folder",
        )


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """A folder's ``manifest.json``, checked key by key against the layout this module writes.

    Raises :class:`~negotiation.errors.OutputError` naming the key and what was expected.
    """
    path = Path(folder) / MANIFEST
    text = _read_text(path, "no such file; expected a sweep folder")
    try:
        manifest = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise OutputError(str(path), "", f"not valid JSON ({_short(error)})") from None
    check = _Checker(str(path))
    check.that(isinstance(manifest, dict), "", "expected a JSON object")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise OutputError(str(path), "schema_version", f"expected {SCHEMA_VERSION}")
    check.choice(manifest, "status", STATUSES)
    for key in ("method", "started"):
        check.typed(manifest, key, str)
    check.typed(manifest, "command", list)
    scenario = check.typed(manifest, "scenario", dict, "")
    check.typed(scenario, "sha256", str, "scenario.")
    kind = manifest.get("kind", "matrix")
    check.that(kind in ("matrix", "tree"), "kind", "expected matrix or tree")
    if kind == "tree":  # a game tree's sweep (negotiation.output.tree_results)
        from negotiation.output.tree_results import check_manifest

        check_manifest(check, manifest)
    else:
        players = check.typed(manifest, "players", list)
        check.that(len(players) == 2, "players", f"expected 2 players, got {len(players)}")
        for k, player in enumerate(players):
            _check_player(check, player, f"players[{k}]")
    grid = check.typed(manifest, "grid", list)
    check.that(1 <= len(grid) <= 2, "grid", f"expected 1 or 2 axes, got {len(grid)}")
    total = 1
    for k, axis in enumerate(grid):
        where = f"grid[{k}]"
        check.that(isinstance(axis, dict), where, "expected an object")
        check.typed(axis, "path", str, f"{where}.")
        values = check.typed(axis, "values", list, f"{where}.")
        check.that(bool(values), f"{where}.values", "expected at least one value")
        check.that(
            all(_is_finite_number(v) for v in values),
            f"{where}.values",
            "expected finite numbers",
        )
        exact = check.typed(axis, "exact", list, f"{where}.")
        check.that(len(exact) == len(values), f"{where}.exact", "expected one per value")
        check.that(
            all(isinstance(v, str) and _EXACT.fullmatch(v) for v in exact),
            f"{where}.exact",
            'expected exact numbers such as "3" or "-1/20"',
        )
        total *= len(values)
    check.that(total <= limits.MAX_GRID_POINTS, "grid", "more points than a sweep may have")
    check.that(len({axis["path"] for axis in grid}) == len(grid), "grid", "two axes on one path")
    check.that(manifest.get("points_total") == total, "points_total", f"expected {total}")
    done = check.typed(manifest, "points_done", int)
    check.that(0 <= done <= total, "points_done", f"expected 0 to {total}")
    check.typed(manifest, "rows", int)
    runs = check.typed(manifest, "equilibria_per_point", list)
    check.that(
        all(
            isinstance(r, list)
            and len(r) == 2
            and all(type(x) is int for x in r)
            and r[0] >= 0
            and r[1] >= 1
            for r in runs
        ),
        "equilibria_per_point",
        "expected [count, repeat] pairs of whole numbers",
    )
    check.that(sum(r[1] for r in runs) == total, "equilibria_per_point", f"expected {total} points")
    check.that(
        sum(r[1] for r in runs if r[0] > 0) == done,
        "equilibria_per_point",
        f"expected {done} solved points (points_done)",
    )
    check.that(
        sum(r[0] * r[1] for r in runs) == manifest["rows"], "rows", "differs from the counts"
    )
    plots = manifest.get("plots", [])
    check.that(
        isinstance(plots, list) and all(isinstance(p, str) for p in plots),
        "plots",
        "expected a list of file names",
    )
    _check_overrides(check, manifest)
    checked: dict[str, Any] = manifest
    return checked


def _check_overrides(check: _Checker, manifest: Mapping[str, Any]) -> None:
    """The ``--set`` overrides a manifest records: a list of ``{path, value, exact}`` objects.

    Optional (a folder written before they were recorded has none); the plot titles and
    ``summary.json`` read every entry's ``path`` and ``exact``, so those are required.
    """
    overrides = manifest.get("overrides", [])
    check.that(isinstance(overrides, list), "overrides", "expected a list of {path, exact} objects")
    for k, override in enumerate(overrides):
        where = f"overrides[{k}]"
        check.that(isinstance(override, dict), where, "expected a {path, exact} object")
        path = check.typed(override, "path", str, f"{where}.")
        check.that(bool(path), f"{where}.path", "expected an override path")
        exact = check.typed(override, "exact", str, f"{where}.")
        check.that(
            _EXACT.fullmatch(exact) is not None,
            f"{where}.exact",
            'expected an exact number such as "3" or "-1/20"',
        )
        check.that(
            _is_finite_number(override.get("value", 0)),
            f"{where}.value",
            "expected a finite number",
        )


def _check_player(check: _Checker, player: object, where: str) -> None:
    check.that(isinstance(player, dict), where, "expected an object")
    assert isinstance(player, dict)
    for key, longest in (("id", limits.MAX_ID_LENGTH), ("label", limits.MAX_LABEL_LENGTH)):
        text = check.typed(player, key, str, f"{where}.")
        check.that(
            0 < len(text) <= longest, f"{where}.{key}", f"expected 1 to {longest} characters"
        )
    strategies = check.typed(player, "strategies", list, f"{where}.")
    labels = check.typed(player, "strategy_labels", list, f"{where}.")
    check.that(
        0 < len(strategies) <= limits.MAX_STRATEGIES,
        f"{where}.strategies",
        f"expected 1 to {limits.MAX_STRATEGIES} strategies",
    )
    check.that(
        all(isinstance(s, str) and 0 < len(s) <= limits.MAX_ID_LENGTH for s in strategies)
        and len(set(strategies)) == len(strategies),
        f"{where}.strategies",
        "expected distinct ids",
    )
    check.that(
        len(labels) == len(strategies)
        and all(isinstance(s, str) and len(s) <= limits.MAX_LABEL_LENGTH for s in labels),
        f"{where}.strategy_labels",
        "expected one label (text) per strategy",
    )


class _Checker:
    """Raise a one-line OutputError for the first thing in a manifest that is wrong."""

    def __init__(self, source: str) -> None:
        self.source = source

    def that(self, condition: bool, key: str, expected: str) -> None:
        if not condition:
            raise OutputError(self.source, key, expected)

    def typed(self, table: Mapping[str, Any], key: str, kind: type, prefix: str = "") -> Any:
        if key not in table:
            raise OutputError(self.source, prefix + key, "missing")
        value = table[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise OutputError(
                self.source, prefix + key, f"expected {_KINDS[kind]}, got {_short(value)}"
            )
        return value

    def choice(self, table: Mapping[str, Any], key: str, allowed: Sequence[str]) -> None:
        value = self.typed(table, key, str)
        self.that(value in allowed, key, f"expected one of: {', '.join(allowed)}")


_KINDS = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "an object",
}


def _is_finite_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _read_text(path: Path, missing: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise OutputError(str(path), "", missing) from None
    except IsADirectoryError:
        raise OutputError(str(path), "", "is a folder; expected a file") from None
    except OSError as error:
        raise OutputError(str(path), "", f"cannot read ({error.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise OutputError(
            str(path), f"line {line}", f"byte {error.start} is not UTF-8 text"
        ) from None


def _read_table(folder: Path, manifest: Mapping[str, Any], expected: list[str]) -> ResultTable:
    """The results the manifest vouches for, as columns, checked (see :func:`_read_rows`).

    ``results.csv`` is first read on arrays (:func:`_fast_csv`): parsed with numpy, then
    accepted only if writing the parsed columns back gives the very same text (so every
    cell was exactly what this module writes, read back exactly) and every check of
    :func:`_read_rows` holds on the arrays. Anything else, a damaged file included, is
    read again row by row by :func:`_read_rows`, which names the line and the problem.
    A last line without its newline is a write cut short by a kill, beyond what the
    manifest vouches for, and is left out.
    """
    players = manifest["players"]
    paths = [axis["path"] for axis in manifest["grid"]]
    info = [
        (p["id"], tuple(p["strategies"]), p["label"], tuple(p["strategy_labels"])) for p in players
    ]
    if manifest.get("results_format", "csv") == "parquet":
        return _read_parquet(folder / RESULTS_PARQUET, manifest, expected, paths, info)
    path = folder / RESULTS
    if not path.exists() and not path.is_symlink() and manifest["rows"] == 0:
        return ResultTable.from_rows([], paths, info)
    text = _complete_lines(_read_text(path, "no such file, but the manifest records solved points"))
    table = _fast_csv(text, manifest, expected)
    if table is not None:
        return table
    return ResultTable.from_rows(_read_rows(folder, manifest, expected, text), paths, info)


def _complete_lines(text: str) -> str:
    """``text`` without a last line that lacks its newline (a write cut short)."""
    if text.endswith("\n") or "\n" not in text:
        return text
    return text[: text.rindex("\n") + 1]


def _fast_csv(text: str, manifest: Mapping[str, Any], expected: list[str]) -> ResultTable | None:
    """results.csv read on arrays, or None if it is not exactly as written here or fails a check."""
    header = csv_header(expected)
    if not text.startswith(header):
        return None
    body = text[len(header) :]
    if '"' in body or "\r" in body:
        return None
    lines, width = body.count("\n"), len(expected)
    flat = np.zeros(0)
    if lines:
        numeric = body.replace("true", "1").replace("false", "0").replace("\n", ",")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy warns (and stops) at text it cannot read
            try:
                flat = np.fromstring(numeric, sep=",")
            except (ValueError, DeprecationWarning):
                return None
    if flat.size != lines * width or not np.isfinite(flat).all():
        return None
    data = flat.reshape(lines, width)
    d, strategies = len(manifest["grid"]), sum(len(p["strategies"]) for p in manifest["players"])
    if (np.abs(data[:, [0, d + 1, width - 1]]) > 2.0**53).any():
        return None
    table = ResultTable(
        point=data[:, 0].astype(np.int64),
        values=data[:, 1 : 1 + d],
        equilibrium=data[:, d + 1].astype(np.int64),
        probs=data[:, d + 2 : d + 2 + strategies],
        payoffs=data[:, d + 2 + strategies : d + 4 + strategies],
        pure=data[:, width - 3] == 1,
        degenerate=data[:, width - 2] == 1,
        component=data[:, width - 1].astype(np.int64),
    )
    if csv_text(table) != body:
        return None
    return _checked(table, manifest)


def _checked(table: ResultTable, manifest: Mapping[str, Any]) -> ResultTable | None:
    """The vouched rows of ``table`` if it passes every check of :func:`_read_rows`, else None.

    Row checks (on every row): whole numbers not negative, the point inside the grid, rows
    in order of point and equilibrium with no pair twice, swept values equal to the grid's,
    probabilities within [0, 1] (with slack) summing to 1 per player. Point checks (on
    the points the manifest records as solved, whose rows are kept): as many equilibria
    as recorded, numbered 0, 1, ..., and one ``degenerate`` flag per point.
    """
    grid = manifest["grid"]
    sizes = [len(axis["values"]) for axis in grid]
    total = math.prod(sizes)
    point, eq = table.point, table.equilibrium
    if len(point) and (
        point.min() < 0 or point.max() >= total or eq.min() < 0 or table.component.min() < 0
    ):
        return None
    step = np.diff(point)
    if not ((step > 0) | ((step == 0) & (np.diff(eq) > 0))).all():
        return None
    rest = point
    for axis in reversed(range(len(grid))):
        rest, index = np.divmod(rest, sizes[axis])
        values = np.array(grid[axis]["values"], dtype=np.float64)
        if not np.array_equal(table.values[:, axis], values[index]):
            return None
    column = 0
    for player in manifest["players"]:
        probs = table.probs[:, column : column + len(player["strategies"])]
        column += len(player["strategies"])
        if ((probs < -_PROBABILITY_SLACK) | (probs > 1 + _PROBABILITY_SLACK)).any():
            return None
        total_p = np.zeros(len(probs))
        for k in range(probs.shape[1]):  # in order, as the row-by-row check adds them
            total_p = total_p + probs[:, k]
        if (np.abs(total_p - 1) > 1e-6).any():
            return None
    counts = np.zeros(total, dtype=np.int64)
    at = 0
    for count, repeat in manifest["equilibria_per_point"]:
        counts[at : at + repeat] = count
        at += repeat
    kept = table.take(counts[point] > 0)
    starts = np.flatnonzero(np.concatenate([[True], kept.point[1:] != kept.point[:-1]]))
    if not len(kept):
        return kept if not counts.any() else None
    found = np.diff(np.append(starts, len(kept)))
    firsts = kept.point[starts]
    if len(firsts) != np.count_nonzero(counts) or not np.array_equal(found, counts[firsts]):
        return None
    position = np.arange(len(kept)) - np.repeat(starts, found)
    if not np.array_equal(kept.equilibrium, position):
        return None
    if not np.array_equal(kept.degenerate, np.repeat(kept.degenerate[starts], found)):
        return None
    return kept


def _read_parquet(
    path: Path,
    manifest: Mapping[str, Any],
    expected: list[str],
    paths: list[str],
    players: list[PlayerInfo],
) -> ResultTable:
    """results.parquet as columns, checked like results.csv (problems named by row)."""
    pq = _require_pyarrow()
    if not path.exists() and not path.is_symlink() and manifest["rows"] == 0:
        return ResultTable.from_rows([], paths, players)
    if not path.exists():
        raise OutputError(str(path), "", "no such file, but the manifest records solved points")
    try:
        arrow = pq.read_table(path)
    except (OSError, ValueError) as error:  # pyarrow's errors derive from these
        raise OutputError(str(path), "", f"not a Parquet file ({_short(error)})") from None
    if arrow.column_names != expected:
        raise OutputError(str(path), "", f"unexpected columns; expected: {', '.join(expected)}")
    kinds = {"point": "i", "equilibrium": "i", "component": "i", "pure": "b", "degenerate": "b"}
    arrays = []
    for name in expected:
        array = arrow.column(name).to_numpy()
        kind = kinds.get(name, "f")
        if array.dtype.kind != kind:
            raise OutputError(str(path), name, f"expected a column of {_KIND_NAMES[kind]}")
        arrays.append(array)
    d, width = len(paths), len(expected)
    strategies = width - d - 7
    table = ResultTable(
        point=arrays[0].astype(np.int64),
        values=np.stack(arrays[1 : 1 + d], axis=1).reshape(-1, d),
        equilibrium=arrays[d + 1].astype(np.int64),
        probs=np.stack(arrays[d + 2 : d + 2 + strategies], axis=1).reshape(-1, strategies),
        payoffs=np.stack(arrays[d + 2 + strategies : d + 4 + strategies], axis=1).reshape(-1, 2),
        pure=arrays[width - 3],
        degenerate=arrays[width - 2],
        component=arrays[width - 1].astype(np.int64),
    )
    if not np.isfinite(table.values).all() or not np.isfinite(table.probs).all():
        raise OutputError(str(path), "", "expected finite numbers")
    if not np.isfinite(table.payoffs).all():
        raise OutputError(str(path), "", "expected finite numbers")
    table = table.sorted()
    checked = _checked(table, manifest)
    if checked is None:
        # Say what is wrong as the row-by-row reader does, numbering rows from 1.
        text = csv_header(expected) + csv_text(table)
        try:
            rows = _read_rows(path.parent, manifest, expected, text, path)
        except OutputError as error:
            where = re.sub(r"line (\d+)", lambda m: f"row {int(m[1]) - 1}", error.key)
            raise OutputError(str(path), where, error.problem) from None
        return ResultTable.from_rows(rows, paths, players)
    return checked


_KIND_NAMES = {"i": "whole numbers", "b": "true/false values", "f": "numbers"}


def _read_rows(
    folder: Path,
    manifest: Mapping[str, Any],
    expected: list[str],
    text: str | None = None,
    path: Path | None = None,
) -> list[dict[str, Any]]:
    """The rows of results.csv that the manifest vouches for, each checked.

    Checked: the header; per row the number of fields, each value's type, finite numbers,
    probabilities in [0, 1] summing to 1 per player, the swept values equal to the grid's
    at that point, the point inside the grid, no (point, equilibrium) twice; per point the
    same ``degenerate`` flag on every row, equilibria numbered 0, 1, ... and as many as the
    manifest records. Rows of points the manifest records as not solved are dropped (a
    save stopped between writing results.csv and the manifest leaves such rows).
    """
    path = folder / RESULTS if path is None else path
    if text is None:
        if not path.exists() and not path.is_symlink() and manifest["rows"] == 0:
            return []
        text = _read_text(path, "no such file, but the manifest records solved points")
    counts = _counts(manifest["equilibria_per_point"])
    grid = manifest["grid"]
    shape = [len(axis["values"]) for axis in grid]
    total = math.prod(shape)
    players = manifest["players"]
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
    parsers = [(k, _parser(k)) for k in expected]
    check = _RowCheck(grid, players)
    line = 1
    try:
        for line, fields in enumerate(reader, start=2):
            if len(fields) != len(expected):
                raise _RowError(f"expected {len(expected)} fields, got {len(fields)}")
            row = {k: parse(k, v) for (k, parse), v in zip(parsers, fields, strict=True)}
            point, k = row["point"], row["equilibrium"]
            if not 0 <= point < total:
                raise _RowError(f"point {point} is outside the grid (0 to {total - 1})")
            if (point, k) in seen:
                raise _RowError(
                    f"point {point}, equilibrium {k} is already on line {seen[point, k]}"
                )
            seen[point, k] = line
            check(row, point)
            if counts.get(point, 0):
                rows.append(row)
    except _RowError as error:
        raise OutputError(str(path), f"line {line}", str(error)) from None
    except csv.Error as error:
        raise OutputError(str(path), f"line {line}", f"not CSV ({error})") from None
    return _check_points(rows, counts, path)


class _RowError(ValueError):
    """What is wrong with one row of results.csv."""


def _counts(runs: Sequence[Sequence[int]]) -> dict[int, int]:
    """Equilibria per solved point, from the manifest's ``[count, repeat]`` runs."""
    counts: dict[int, int] = {}
    point = 0
    for count, repeat in runs:
        if count:
            counts.update(dict.fromkeys(range(point, point + repeat), count))
        point += repeat
    return counts


def _parser(column: str) -> Callable[[str, str], Any]:
    """The function that reads (and checks) one cell of ``column``."""
    if column in _INT_COLUMNS:
        return _whole
    if column in _BOOL_COLUMNS:
        return _flag
    return _real


def _whole(column: str, text: str) -> int:
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    if text[:1] == "-" and text[1:].isascii() and text[1:].isdigit():
        shown = text if len(text) <= 20 else _short(text)
        raise _RowError(f"{column}: expected 0 or more, got {shown}")
    raise _RowError(f"{column}: expected a whole number, got {_short(text)}")


def _flag(column: str, text: str) -> bool:
    if text == "true":
        return True
    if text == "false":
        return False
    raise _RowError(f"{column}: expected true or false, got {_short(text)}")


def _real(column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _RowError(f"{column}: expected a number, got {_short(text)}") from None
    if not math.isfinite(value):
        raise _RowError(f"{column}: expected a finite number, got {_short(text)}")
    return value


class _RowCheck:
    """Check one row against the grid (swept values) and as probabilities (ranges, sums)."""

    def __init__(
        self, grid: Sequence[Mapping[str, Any]], players: Sequence[Mapping[str, Any]]
    ) -> None:
        self.axes = [(axis["path"], axis["values"]) for axis in grid]
        self.sizes = [len(values) for _, values in self.axes]
        self.players = [
            (player["id"], [f"prob.{player['id']}.{s}" for s in player["strategies"]])
            for player in players
        ]

    def __call__(self, row: Mapping[str, Any], point: int) -> None:
        rest = point
        for (path, values), size in zip(reversed(self.axes), reversed(self.sizes), strict=True):
            rest, i = divmod(rest, size)
            if row[path] != values[i]:
                raise _RowError(
                    f"{path}: {row[path]!r} is not the grid's value at point {point} "
                    f"({values[i]!r})"
                )
        for pid, keys in self.players:
            total = 0.0
            for key in keys:
                p = row[key]
                if p < -_PROBABILITY_SLACK or p > 1 + _PROBABILITY_SLACK:
                    raise _RowError(f"{key}: {p!r} is not a probability")
                total += p
            if abs(total - 1) > 1e-6:
                raise _RowError(f"the probabilities of {pid} sum to {total!r}")


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
            missing = sorted(set(range(expected)) - set(numbers))
            detail = (
                f"equilibrium {', '.join(map(str, missing))} missing"
                if missing
                else f"equilibria numbered {numbers}"
            )
            raise OutputError(
                str(path),
                f"point {point}",
                f"the manifest records {expected} equilibria, results.csv has "
                f"{len(have)} ({detail})",
            )
        if len({r["degenerate"] for r in have}) > 1:
            raise OutputError(
                str(path), f"point {point}", "rows disagree on whether the game is degenerate"
            )
    return rows


def _check_same_sweep(
    previous: Mapping[str, Any], current: Mapping[str, Any], folder: Path
) -> None:
    checks = {
        "scenario.sha256": (previous["scenario"]["sha256"], current["scenario"]["sha256"]),
        "grid": (previous["grid"], current["grid"]),
        "solver": (previous.get("solver"), current.get("solver")),
        "method": (previous["method"], current["method"]),
        "results_format": (
            previous.get("results_format", "csv"),
            current.get("results_format", "csv"),
        ),
    }
    for key, (old, new) in checks.items():
        if old != new:
            raise OutputError(
                str(folder / MANIFEST),
                key,
                "differs from this command's, so --resume cannot continue it; use the "
                "original command, or a new --out folder",
            )


def _short(value: object, limit: int = 60) -> str:
    """A value for a message, cut to ``limit`` characters."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}...({len(text)} characters)"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _jsonable(value: Any, exact: bool) -> Any:
    """Parsed TOML content as JSON.

    With ``exact``, every number as its exact fraction string (for hashing). Otherwise
    numbers that a float holds exactly in decimal (0.9, 3) are JSON numbers and the rest
    fraction strings ("1/3"), so the content reads naturally and is still exact; hashing
    it again gives the same hash.
    """
    if isinstance(value, Mapping):
        return {k: _jsonable(v, exact) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v, exact) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal, Fraction)):
        number = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
        if exact:
            return str(number)
        if number.denominator == 1:
            return number.numerator
        # A float where it reads back exactly (0.9), else the exact fraction as a string.
        return float(number) if Fraction(repr(float(number))) == number else str(number)
    return str(value)
