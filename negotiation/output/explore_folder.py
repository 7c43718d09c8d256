"""An uncertainty study's output folder: chunks saved as they finish, resumable, atomic.

:func:`run` runs a study (:mod:`negotiation.studies.explore`) into a folder::

    explore.json       the study (scenario hash and content, what varies, seed, sampler,
                       draws), its status, package versions, command and timestamps
    chunks/            one finished chunk per pair of files, <start>-<stop>.json (totals)
                       and <start>-<stop>.npz (the chunk's kept draws)
    summary.json       the results (see negotiation.studies.explore.summary)
    samples.parquet    every draw, when asked (keep_samples)
    acceptability.png, sensitivity.png, scatter.png, convergence.png

Every file is written atomically (:mod:`negotiation.output.atomic`): a chunk's ``.npz``
first, then its ``.json``, which marks it finished. The folder is locked for the run
(:func:`negotiation.output.results.lock`). A killed or interrupted run leaves its finished
chunks; ``resume=True`` checks that the folder holds the same study, reads them back
(checking each) and computes only the rest. Because every total is exact
(:class:`negotiation.studies.explore.ChunkResult`), the resumed run writes the same bytes
as an uninterrupted one, as does any chunk size, worker count or scheduler.
``summary.json`` and ``samples.parquet`` hold nothing else (no times, no chunk size);
those go to ``explore.json``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import re
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from negotiation.errors import OutputError, UserError
from negotiation.output import atomic
from negotiation.output.explore_plots import save_plots
from negotiation.output.results import STUDY_MANIFEST, holds_sweep, lock, make_folder
from negotiation.studies.explore import (
    CHUNK,
    ChunkResult,
    ExploreResult,
    Plan,
    Study,
    Totals,
    chunk_ranges,
    finish,
    plan,
    run_chunks,
)
from negotiation.studies.sampling import STREAM_BLOCK

MANIFEST = STUDY_MANIFEST  # "explore.json"
SUMMARY = "summary.json"
SAMPLES = "samples.parquet"
CHUNKS = "chunks"
SCHEMA_VERSION = 1

#: Rows per row group of ``samples.parquet`` (fixed, so the file is the same however the
#: draws were chunked).
ROW_GROUP = 65_536

PLOT_NAMES = ("acceptability", "sensitivity", "scatter", "convergence")
_CHUNK_NAME = re.compile(r"([0-9]{12})-([0-9]{12})\.json")


class ExploreInterrupted(Exception):  # noqa: N818 - a stop the user asked for, not an error
    """The study was interrupted; the folder keeps every finished chunk.

    ``signum`` is the signal that stopped it (SIGINT for Ctrl-C; the command line maps
    SIGTERM to :class:`negotiation.output.results.SignalInterrupt`).
    """

    def __init__(self, done: int, total: int, folder: Path, signum: int = signal.SIGINT) -> None:
        self.done, self.total, self.folder, self.signum = done, total, folder, signum
        how = (
            "interrupted"
            if signum == signal.SIGINT
            else f"stopped by {signal.Signals(signum).name}"
        )
        super().__init__(
            f"{how} after {done:,} of {total:,} draws; {folder} keeps the finished "
            "chunks. Run the same command with --resume to continue."
        )


def identity(study: Study, resolved: Plan, keep_samples: bool) -> dict[str, Any]:
    """What must match for ``resume``: the scenario's content hash and the study."""
    content = _jsonable(study.scenario.content)
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return {
        "scenario": study.scenario.name,
        "scenario_sha256": digest,
        "study": study.identity(),
        "draws": resolved.samples,
        "keep_samples": keep_samples,
    }


def run(
    study: Study,
    folder: str | Path,
    *,
    chunk: int = CHUNK,
    scheduler: Any = None,
    workers: int | None = None,
    resume: bool = False,
    force: bool = False,
    keep_samples: bool = False,
    plots: bool = True,
    plot_format: str = "png",
    command: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> ExploreResult:
    """Run ``study`` into ``folder`` (see the module docstring); the finished result.

    Everything is validated before the folder is touched. A folder holding a study is
    continued with ``resume=True`` (the study must be the same), replaced with
    ``force=True``, and otherwise refused. ``progress(done, total)`` is called after each
    chunk with draws done. Ctrl-C raises :class:`ExploreInterrupted` once the finished
    chunks are safe. ``keep_samples`` writes ``samples.parquet`` (needs pyarrow);
    ``scheduler``/``workers`` run chunks on Dask
    (:func:`negotiation.studies.explore.run_chunks`).
    """
    resolved = plan(study)
    if keep_samples:
        _require_pyarrow()
    if plot_format not in ("png", "svg", "pdf"):
        raise UserError("--format", plot_format, "expected png, svg or pdf")
    folder = Path(folder)
    wanted = identity(study, resolved, keep_samples)
    _refuse_other(folder, resume)
    make_folder(folder)
    keep = resolved.samples if keep_samples else resolved.analysis_samples
    with lock(folder, command):
        holds = (folder / MANIFEST).exists()
        manifest = _read_manifest(folder) if holds and resume else None
        if manifest is not None and manifest.get("identity") != wanted:
            raise OutputError(
                str(folder),
                MANIFEST,
                "holds a different study (scenario, what varies, seed, sampler or draws "
                "differ); use another --out folder, or --force to replace it",
            )
        if holds and not resume:
            if not force:
                raise OutputError(
                    str(folder),
                    "",
                    "already holds a study; use --resume to continue it, --force to "
                    "replace it, or another --out folder",
                )
            clear(folder)
        started = manifest["started"] if manifest else _now()
        record = {
            "schema": SCHEMA_VERSION,
            "identity": wanted,
            "status": "running",
            "started": started,
            "command": list(command),
            "chunk": chunk,
            "scheduler": None if scheduler is None else str(scheduler),
            "workers": workers,
            "versions": _versions(),
        }
        _write_manifest(folder, record)
        chunks = folder / CHUNKS
        chunks.mkdir(exist_ok=True)
        totals = Totals(resolved)
        if resume:
            for result in read_chunks(folder, resolved, keep):
                totals.add(result, resolved.analysis_samples)
        ranges = chunk_ranges(resolved.samples, chunk, skip=totals.done)

        def save(result: ChunkResult) -> None:
            save_chunk(folder, result)
            totals.add(result, resolved.analysis_samples)
            if progress is not None:
                progress(totals.samples, resolved.samples)

        try:
            run_chunks(resolved, ranges, save, keep=keep, scheduler=scheduler, workers=workers)
        except KeyboardInterrupt as stop:
            record["status"] = "interrupted"
            _write_manifest(folder, record)
            signum = getattr(stop, "signum", signal.SIGINT)
            raise ExploreInterrupted(totals.samples, resolved.samples, folder, signum) from None
        finished = finish(resolved, totals, study.scenario.name, baseline=study.scenario)
        atomic.write_text(folder / SUMMARY, finished.to_json())
        if keep_samples:
            write_samples(folder, resolved)
        written = save_plots(finished.summary, finished.rows, folder, plot_format) if plots else []
        record.update(status="complete", finished=_now(), plots=written)
        _write_manifest(folder, record)
        return finished


def _refuse_other(folder: Path, resume: bool) -> None:
    """Refuse a sweep's folder, and ``resume`` of a folder that holds no study.

    A sweep and a study both write ``summary.json`` and plots, so neither tool writes into
    the other's folder, even with ``--force`` (fuzz finding F4); ``--resume`` of a missing
    study is refused as ``sweep --resume`` refuses a missing sweep, rather than starting one.
    """
    if holds_sweep(folder):
        raise OutputError(
            str(folder),
            "",
            "this folder holds a sweep (manifest.json), not an explore study; use another "
            "--out folder (or remove the sweep's folder first)",
        )
    if resume and not (folder / MANIFEST).is_file():
        raise OutputError(
            str(folder / MANIFEST),
            "",
            "no such file; expected an explore study's folder to resume (run without "
            "--resume to start one)",
        )


def clear(folder: Path) -> None:
    """Remove a previous study's files (its manifest, summary, samples, plots, chunks)."""
    names = [MANIFEST, SUMMARY, SAMPLES]
    names += [f"{p}.{ext}" for p in PLOT_NAMES for ext in ("png", "svg", "pdf")]
    for name in names:
        path = folder / name
        if path.is_file() or path.is_symlink():
            try:
                path.unlink()
            except OSError as error:
                raise OutputError(str(path), "", f"cannot remove ({error.strerror})") from None
    chunks = folder / CHUNKS
    if chunks.is_dir() and not chunks.is_symlink():
        for path in chunks.iterdir():
            if re.fullmatch(r"\.?[0-9]{12}-[0-9]{12}\.(json|npz)(\..*\.tmp)?", path.name):
                path.unlink()


def save_chunk(folder: Path, result: ChunkResult) -> None:
    """Write one chunk: its draws (``.npz``), then its totals (``.json``), atomically."""
    stem = folder / CHUNKS / f"{result.start:012d}-{result.stop:012d}"

    def arrays(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, allow_pickle=False, **result.rows)

    atomic.replace(stem.with_suffix(".npz"), arrays)
    atomic.write_text(stem.with_suffix(".json"), result.to_json() + "\n")


def read_chunks(folder: Path, resolved: Plan, keep: int) -> Iterator[ChunkResult]:
    """The finished chunks of ``folder``, checked, in order, read one at a time.

    Raises :class:`~negotiation.errors.OutputError` naming the file for a damaged chunk
    or chunks that overlap.
    """
    chunks = folder / CHUNKS
    if not chunks.is_dir():
        return
    found = []
    for path in chunks.iterdir():
        match = _CHUNK_NAME.fullmatch(path.name)
        if match:
            found.append((int(match[1]), int(match[2]), path))
    found.sort()
    for (_, before, _), (start, stop, _) in itertools.pairwise(found):
        if start < before:
            raise OutputError(
                str(chunks), "", f"chunks ending at {before} and {start}-{stop} overlap; the "
                "folder is damaged (use --force to start again)"
            )  # fmt: skip
    for start, stop, path in found:
        yield _read_chunk(path, resolved, keep, start, stop)


def _read_chunk(path: Path, resolved: Plan, keep: int, start: int, stop: int) -> ChunkResult:
    def damaged(why: str) -> OutputError:
        return OutputError(str(path), "", f"damaged chunk ({why}); use --force to start again")

    try:
        with np.load(path.with_suffix(".npz"), allow_pickle=False) as data:
            rows = {k: data[k] for k in ("x", "regime", "probs", "degenerate")}
        result = ChunkResult.from_json(path.read_text(encoding="utf-8"), rows)
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as error:
        raise damaged(type(error).__name__) from None
    kept = max(0, min(stop, keep) - start)
    width = len(resolved.inputs)
    strategies = len(resolved.strategies)
    checks = [
        (result.start, result.stop) == (start, stop),
        0 <= start < stop <= resolved.samples,
        start % STREAM_BLOCK == 0 and (stop % STREAM_BLOCK == 0 or stop == resolved.samples),
        sum(sum(c) for c in result.counts.values()) == stop - start,
        len(result.played) == strategies and len(result.prob_sums) == strategies,
        rows["x"].shape == (kept, width) and rows["probs"].shape == (kept, strategies),
        rows["regime"].shape == (kept,) and rows["degenerate"].shape == (kept,),
        bool(np.all((rows["regime"] >= 0) & (rows["regime"] < len(result.labels))))
        if kept
        else True,
        all(len(v) == len(resolved.weight_columns) for v in result.weight_sums.values()),
        set(result.weight_sums) <= set(result.labels),
    ]
    if not all(checks):
        raise damaged("its contents do not fit the study")
    return result


def write_samples(folder: Path, resolved: Plan) -> None:
    """Write ``samples.parquet``, every draw, from the saved chunks.

    Columns: ``sample``, one per varied path, ``regime``, ``degenerate`` and
    ``prob.<player>.<strategy>``; row groups of :data:`ROW_GROUP` rows.
    """
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    names = ["sample", *(i.path for i in resolved.inputs), "regime", "degenerate"]
    names += [f"prob.{pid}.{sid}" for pid, sid in resolved.strategies]
    if len(set(names)) != len(names):
        raise OutputError(str(folder / SAMPLES), "", "two columns would have the same name")

    def tables() -> Any:
        for c in read_chunks(folder, resolved, resolved.samples):
            rows = c.rows
            labels = np.array(c.labels, dtype=object)[rows["regime"]]
            columns = [np.arange(c.start, c.stop, dtype=np.int64)]
            columns += [rows["x"][:, i] for i in range(len(resolved.inputs))]
            columns += [pa.array(labels.tolist(), type=pa.string()), rows["degenerate"]]
            columns += [rows["probs"][:, i] for i in range(len(resolved.strategies))]
            yield pa.table(columns, names=names)

    def write(tmp: Path) -> None:
        buffer: list[Any] = []
        size = 0
        writer = None
        for table in tables():
            buffer.append(table)
            size += table.num_rows
            while size >= ROW_GROUP:
                joined = pa.concat_tables(buffer)
                writer = writer or pq.ParquetWriter(tmp, joined.schema)
                writer.write_table(joined.slice(0, ROW_GROUP), row_group_size=ROW_GROUP)
                buffer, size = [joined.slice(ROW_GROUP)], size - ROW_GROUP
        if size or writer is None:
            joined = pa.concat_tables(buffer)
            writer = writer or pq.ParquetWriter(tmp, joined.schema)
            writer.write_table(joined, row_group_size=ROW_GROUP)
        writer.close()

    atomic.replace(folder / SAMPLES, write)


def _require_pyarrow() -> None:
    try:
        import pyarrow.parquet  # noqa: F401 - only checks that pyarrow is installed
    except ImportError:
        raise UserError(
            "--keep-samples", "", "needs pyarrow: pip install 'negotiation[parquet]'"
        ) from None


def read_summary(folder: str | Path) -> dict[str, Any]:
    """A finished study's ``summary.json`` (an :class:`OutputError` if missing or bad)."""
    path = Path(folder) / SUMMARY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(str(path), "", "no such file; is the study finished?") from None
    except (OSError, ValueError) as error:
        raise OutputError(str(path), "", f"cannot be read ({type(error).__name__})") from None
    if not isinstance(data, dict) or "regimes" not in data:
        raise OutputError(str(path), "", "is not an explore summary")
    return data


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise OutputError(str(path), "", f"cannot be read ({type(error).__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("started"), str):
        raise OutputError(str(path), "", "is not an explore manifest")
    return data


def _write_manifest(folder: Path, record: Mapping[str, Any]) -> None:
    atomic.write_text(folder / MANIFEST, json.dumps(record, indent=2, sort_keys=True) + "\n")


def _versions() -> dict[str, str]:
    out = {}
    for name in ("negotiation", "numpy", "scipy", "SALib"):
        with contextlib.suppress(Exception):
            out[name] = version(name)
    return out


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _jsonable(value: Any) -> Any:
    """Scenario content as JSON: numbers exactly (integers, or ``"p/q"`` strings)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal | Fraction | float):
        exact = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
        return str(exact)
    return str(value)


__all__ = [
    "ExploreInterrupted",
    "clear",
    "identity",
    "read_chunks",
    "read_summary",
    "run",
    "save_chunk",
    "write_samples",
]
