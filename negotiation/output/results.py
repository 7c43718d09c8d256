"""A sweep's output folder: ``results.csv`` and ``manifest.json``, written atomically.

:func:`run` solves a sweep into a folder, saving both files every couple of seconds, each
replaced atomically (:mod:`negotiation.output.atomic`), so a killed or interrupted run leaves a
consistent folder: every row of ``results.csv`` belongs to a finished grid point and the
manifest says how many points are done. ``resume=True`` continues from there without
recomputing finished points. :func:`read` loads a folder back for plotting.

``manifest.json`` records what is needed to reproduce any figure: the scenario's content
hash and full resolved content (overrides applied), the grid (exact values as fractions),
the overrides, the method, package versions, the command line and timestamps.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import platform
import re
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from importlib.metadata import version
from pathlib import Path
from typing import Any

from negotiation.errors import ScenarioError
from negotiation.model.scenario import Scenario
from negotiation.output import atomic
from negotiation.solvers.equilibria import Method
from negotiation.studies.sweep import Grid, SweepResult, columns, player_info, solve_points

RESULTS = "results.csv"
MANIFEST = "manifest.json"
SCHEMA_VERSION = 1

_INT_COLUMNS = {"point", "equilibrium", "component"}
_BOOL_COLUMNS = {"pure", "degenerate"}


class SweepInterrupted(Exception):  # noqa: N818 - a stop the user asked for, not an error
    """The sweep was interrupted (Ctrl-C); the folder holds the points finished so far."""

    def __init__(self, done: int, total: int, folder: Path) -> None:
        self.done, self.total, self.folder = done, total, folder
        super().__init__(
            f"interrupted after {done} of {total} grid points; {folder} is consistent. "
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
    progress: Callable[[int, int], None] | None = None,
    save_every: float = 2.0,
) -> SweepResult:
    """Solve a sweep into ``folder``, saving consistent partial results as it goes.

    ``solver`` and ``method`` choose the engine
    (see :func:`negotiation.studies.sweep.solve_points`).
    ``progress(done, total)`` is called after every grid point. With ``resume=True`` the
    folder's manifest must describe the same scenario, grid and method, and finished points
    are read back instead of solved. Raises :class:`SweepInterrupted` on Ctrl-C after
    saving, and :class:`~negotiation.errors.ScenarioError` if a resumed folder does not
    match.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(
        scenario, grid, method if solver == "per-game" else "exact", overrides, command
    )
    manifest["solver"] = solver
    rows: list[dict[str, Any]] = []
    if resume:
        previous = _read_manifest(folder)
        _check_same_sweep(previous, manifest, folder)
        manifest["started"] = previous["started"]
        manifest["command"] = previous["command"]
        manifest["resumed"] = [
            *previous.get("resumed", []),
            {"at": _now(), "command": list(command)},
        ]
        rows = list(_read_rows(folder, columns(grid.paths, player_info(scenario))))
    done = {row["point"] for row in rows}
    total = len(grid)
    last_save = time.monotonic()
    try:
        for point, point_rows in solve_points(
            scenario, grid, solver=solver, method=method, skip=done
        ):
            rows.extend(point_rows)
            done.add(point)
            if progress is not None:
                progress(len(done), total)
            if time.monotonic() - last_save > save_every:
                began = time.monotonic()
                _save(folder, manifest, grid, scenario, rows, len(done), total)
                last_save = time.monotonic()
                # Each save rewrites every row: space saves out so they cost at most ~20%.
                save_every = max(save_every, 5 * (last_save - began))
    except KeyboardInterrupt:
        _save(folder, manifest, grid, scenario, rows, len(done), total, status="interrupted")
        raise SweepInterrupted(len(done), total, folder) from None
    _save(folder, manifest, grid, scenario, rows, len(done), total, status="complete")
    return read(folder)


def read(folder: str | Path) -> SweepResult:
    """Load a sweep folder's results and grid back, without solving anything."""
    folder = Path(folder)
    manifest = _read_manifest(folder)
    players = tuple(
        (p["id"], tuple(p["strategies"]), p["label"], tuple(p["strategy_labels"]))
        for p in manifest["players"]
    )
    paths = tuple(axis["path"] for axis in manifest["grid"])
    rows = _read_rows(folder, columns(paths, players))
    return SweepResult(
        paths=paths,
        grid_shape=tuple(len(axis["values"]) for axis in manifest["grid"]),
        axis_values=tuple(tuple(axis["values"]) for axis in manifest["grid"]),
        players=players,
        rows=tuple(sorted(rows, key=lambda r: (r["point"], r["equilibrium"]))),
    )


def add_files(folder: str | Path, names: Sequence[str]) -> None:
    """Record plot files in the manifest (atomically)."""
    folder = Path(folder)
    manifest = _read_manifest(folder)
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
                "values": [float(v) for v in axis.values],
                "exact": [str(v) for v in axis.values],
            }
            for axis in grid.axes
        ],
        "overrides": [{"path": p, "value": float(v), "exact": str(v)} for p, v in overrides],
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


def _save(
    folder: Path,
    manifest: dict[str, Any],
    grid: Grid,
    scenario: Scenario,
    rows: list[dict[str, Any]],
    done: int,
    total: int,
    status: str = "running",
) -> None:
    """Write results.csv, then the manifest that vouches for it (both atomically)."""
    names = columns(grid.paths, player_info(scenario))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: (r["point"], r["equilibrium"])):
        writer.writerow({k: _cell(row[k]) for k in names})
    atomic.write_text(folder / RESULTS, buffer.getvalue())
    manifest.update(status=status, points_total=total, points_done=done, updated=_now())
    if status == "complete":
        manifest["finished"] = manifest["updated"]
    atomic.write_text(folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _read_rows(folder: Path, expected: list[str]) -> list[dict[str, Any]]:
    path = folder / RESULTS
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != expected:
        raise ScenarioError(str(path), "", f"unexpected columns; expected: {', '.join(expected)}")
    rows = []
    for line, raw in enumerate(reader, start=2):
        try:
            rows.append({k: _parse(k, v) for k, v in raw.items()})
        except (TypeError, ValueError):
            raise ScenarioError(str(path), f"line {line}", "malformed row") from None
    return rows


def _parse(column: str, text: str) -> object:
    if column in _INT_COLUMNS:
        return int(text)
    if column in _BOOL_COLUMNS:
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"
    return float(text)


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(str(path), "", "no such file; expected a sweep folder") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ScenarioError(str(path), "", f"not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("schema_version") != SCHEMA_VERSION:
        raise ScenarioError(str(path), "schema_version", f"expected {SCHEMA_VERSION}")
    return manifest


def _check_same_sweep(
    previous: Mapping[str, Any], current: Mapping[str, Any], folder: Path
) -> None:
    checks = {
        "scenario.sha256": (previous["scenario"]["sha256"], current["scenario"]["sha256"]),
        "grid": (previous["grid"], current["grid"]),
        "solver": (previous.get("solver"), current.get("solver")),
        "method": (previous["method"], current["method"]),
    }
    for key, (old, new) in checks.items():
        if old != new:
            raise ScenarioError(
                str(folder / MANIFEST),
                key,
                "differs from this command's, so --resume cannot continue it; use the "
                "original command, or a new --out folder",
            )


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
