"""The columnar sweep pipeline writes, reads and summarises exactly what the row pipeline did.

Issue 9, goal 2: results go from the solver to the disk as arrays and ``results.csv`` is
appended block by block, yet its bytes must stay those of the row-by-row writer the
project used before (one dict per row, ``csv.DictWriter``, every float by ``repr``). That
writer is kept below as :func:`legacy_csv`, fed by :func:`solve_points` (which still builds
one dict per row with ``float(x @ A @ y)`` payoffs), and every folder written by
:func:`run` is compared with it byte for byte.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from negotiation import load
from negotiation.model.scenario import Scenario
from negotiation.output import results
from negotiation.output.results import SweepInterrupted, read, run
from negotiation.studies.summary import point_regimes, regime_counts, summary_document
from negotiation.studies.sweep import (
    BLOCK,
    Axis,
    Grid,
    change_points,
    columns,
    player_info,
    regime_label,
    solve_points,
    sweep,
)

#: The README's 1-D sweep: the US stops diversifying above a cost weight of exactly 9/5.
ONE_D = Grid((Axis.linspace("weights.us.diversification_cost", 0, 3, 121),))
TWO_D = Grid(
    (
        Axis.linspace("weights.us.supply_security", 0, 6, 61),
        Axis.linspace("weights.us.diversification_cost", 0, 3, 71),
    )
)
#: Integer payoffs swept over small integers: ties everywhere, most points degenerate.
DEGENERATE = Grid(
    (
        Axis.parse_values("payoffs.row[hare][stag]=-2,-1,0,1,2,3,4,5,6"),
        Axis.parse_values("payoffs.column[stag][hare]=-2,-1,0,1,2,3,4,5,6"),
    )
)


def legacy_csv(scenario: Scenario, grid: Grid) -> str:
    """results.csv as the row-by-row writer wrote it (header, rows sorted, floats by repr)."""

    def cell(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return repr(value)
        return str(value)

    names = columns(grid.paths, player_info(scenario))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    rows = [r for _, point in solve_points(scenario, grid) for r in point]
    rows.sort(key=lambda r: (r["point"], r["equilibrium"]))
    for row in rows:
        writer.writerow({k: cell(row[k]) for k in names})
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "grid"),
    [("rare-earth", ONE_D), ("rare-earth", TWO_D), ("stag-hunt", DEGENERATE)],
    ids=["1-D", "2-D", "degenerate-heavy"],
)
def test_results_csv_bytes_are_the_row_writers(tmp_path: Path, name: str, grid: Grid) -> None:
    """A finished sweep's results.csv is byte for byte what the row-by-row writer wrote."""
    scenario = load(name)
    run(scenario, grid, tmp_path)
    assert (tmp_path / "results.csv").read_bytes() == legacy_csv(scenario, grid).encode()


def test_the_degenerate_grid_is_mostly_degenerate() -> None:
    """The degenerate-heavy grid above really is: most of its points are degenerate games."""
    table = sweep(load("stag-hunt"), DEGENERATE).regime_table()
    assert table.degenerate.mean() > 0.2
    assert (table.count > 1).sum() > 10


def test_interrupted_and_resumed_csv_bytes_are_the_row_writers(tmp_path: Path) -> None:
    """Stopped mid-block, then resumed, a 2-D sweep still ends with the row writer's bytes."""
    scenario = load("rare-earth")
    grid = Grid(
        (
            Axis.linspace("weights.us.supply_security", 0, 6, 91),
            Axis.linspace("weights.us.diversification_cost", 0, 3, 91),
        )
    )
    stop_at = BLOCK + 1234  # inside the second block

    def stop(done: int, total: int) -> None:
        if done == stop_at:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted) as info:
        run(scenario, grid, tmp_path, progress=stop)
    assert info.value.done == stop_at
    partial = read(tmp_path)
    assert list(partial.points()) == list(range(stop_at))
    run(scenario, grid, tmp_path, resume=True)
    assert (tmp_path / "results.csv").read_bytes() == legacy_csv(scenario, grid).encode()


def test_a_row_cut_short_by_a_kill_is_left_out_and_written_over(tmp_path: Path) -> None:
    """Rows past the manifest's count, the last cut mid-line (a kill), are ignored, then redone."""
    scenario = load("rare-earth")

    def stop(done: int, total: int) -> None:
        if done == 50:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted):
        run(scenario, ONE_D, tmp_path, progress=stop)
    full = legacy_csv(scenario, ONE_D)
    written = (tmp_path / "results.csv").read_text()
    assert full.startswith(written)
    # What a kill during the next append leaves: a few more rows, the last one cut short.
    (tmp_path / "results.csv").write_text(full[: len(written) + 500])
    assert list(read(tmp_path).points()) == list(range(50))
    run(scenario, ONE_D, tmp_path, resume=True)
    assert (tmp_path / "results.csv").read_text() == full


def test_fast_reader_agrees_with_the_row_reader(tmp_path: Path) -> None:
    """The array reader returns the same table as the checked row-by-row reader."""
    scenario = load("stag-hunt")
    run(scenario, DEGENERATE, tmp_path)
    manifest = results.read_manifest(tmp_path)
    names = columns(DEGENERATE.paths, player_info(scenario))
    text = (tmp_path / "results.csv").read_text()
    fast = results._fast_csv(text, manifest, names)
    assert fast is not None
    slow = results._read_rows(tmp_path, manifest, names)
    assert [dict(r) for r in read(tmp_path).rows] == slow
    assert fast.same(read(tmp_path).table)


def test_hand_written_numbers_fall_back_to_the_row_reader(tmp_path: Path) -> None:
    """A value written another way ("2.00" for 2.0) is not what this writer writes, yet reads."""
    scenario = load("stag-hunt")
    expected = run(scenario, DEGENERATE, tmp_path)
    lines = (tmp_path / "results.csv").read_text().splitlines()
    cells = lines[1].split(",")
    assert cells[1] == "-2.0"
    cells[1] = "-2.00"
    lines[1] = ",".join(cells)
    (tmp_path / "results.csv").write_text("\n".join(lines) + "\n")
    manifest = results.read_manifest(tmp_path)
    names = columns(DEGENERATE.paths, player_info(scenario))
    assert results._fast_csv((tmp_path / "results.csv").read_text(), manifest, names) is None
    assert read(tmp_path) == expected


def test_regimes_on_arrays_match_labelling_every_point() -> None:
    """Each point's regime from the arrays is regime_label of its rows; counts agree."""
    result = sweep(load("stag-hunt"), DEGENERATE)
    table = result.regime_table()
    grouped = result.points()
    labels = {p: regime_label(grouped[p], result.players) for p in grouped}
    assert {
        p: table.labels[r]
        for p, r in zip(table.points.tolist(), table.regime.tolist(), strict=True)
    } == labels
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    assert regime_counts(result) == dict(sorted(counts.items(), key=lambda i: (-i[1], i[0])))
    assert {p: c.label for p, c in point_regimes(result).items()} == labels


def test_change_points_on_arrays_match_the_row_rule() -> None:
    """change_points on arrays gives the rule of its docstring applied point by point."""
    result = sweep(load("rare-earth"), ONE_D)
    grouped = sorted(result.points().items())
    labels = [regime_label(rows, result.players) for _, rows in grouped]
    xs = [rows[0]["weights.us.diversification_cost"] for _, rows in grouped]
    flags = [rows[0]["degenerate"] for _, rows in grouped]
    expected: list[tuple[float, float, str, str]] = []
    for i in range(len(labels) - 1):
        if labels[i] == labels[i + 1]:
            continue
        inner = [j for j in (i + 1, i) if flags[j] and 0 < j < len(labels) - 1
                 and labels[j - 1] != labels[j] != labels[j + 1]]  # fmt: skip
        low, high = (xs[inner[0]],) * 2 if inner else (xs[i], xs[i + 1])
        if expected and expected[-1][:2] == (low, high):
            expected[-1] = (low, high, expected[-1][2], labels[i + 1])
        else:
            expected.append((low, high, labels[i], labels[i + 1]))
    found = [(c.low, c.high, c.before, c.after) for c in change_points(result)]
    assert found == expected
    # Against the full offer diversifying pays 8/5 - c and rejecting -1/5 (the hand derivation
    # of tests/test_explorer.py): they tie at c = 9/5 = 72 x 0.025, a grid point; above it every
    # point is degenerate too (accept and reject both pay 0 against no offer), holding no change.
    assert found == [(1.8, 1.8, "Diversify / Full offer", "Reject / Full offer")]


def test_sweep_and_summary_build_no_row_objects(tmp_path: Path) -> None:
    """run(), regimes, change points and summary.json never build the .rows view."""
    result = run(load("rare-earth"), TWO_D, tmp_path)
    summary_document(result, [a.values for a in TWO_D.axes])
    regime_counts(result)
    assert "rows" not in result._cache
    one = run(load("rare-earth"), ONE_D, tmp_path / "one")
    change_points(one)
    summary_document(one, [a.values for a in ONE_D.axes])
    assert "rows" not in one._cache


def test_parquet_results_read_back_equal(tmp_path: Path) -> None:
    """results.parquet holds the same table as results.csv, reads back equal and resumes."""
    pytest.importorskip("pyarrow")
    scenario = load("stag-hunt")

    def stop(done: int, total: int) -> None:
        if done == 40:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted):
        run(scenario, DEGENERATE, tmp_path, results_format="parquet", progress=stop)
    assert len(read(tmp_path).points()) == 40
    finished = run(scenario, DEGENERATE, tmp_path, results_format="parquet", resume=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json",
        "results.parquet",
        "summary.json",
    ]
    assert json.loads((tmp_path / "manifest.json").read_text())["results_format"] == "parquet"
    assert finished == read(tmp_path) == sweep(scenario, DEGENERATE)


def test_parquet_damage_is_named_by_row(tmp_path: Path) -> None:
    """A Parquet file whose probabilities do not sum to 1 is refused, naming the row."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    scenario = load("stag-hunt")
    run(scenario, DEGENERATE, tmp_path, results_format="parquet")
    table = pq.read_table(tmp_path / "results.parquet")
    probs = table.column("prob.row.stag").to_numpy().copy()
    probs[3] = 0.5 if probs[3] != 0.5 else 0.25
    index = table.column_names.index("prob.row.stag")
    pq.write_table(
        table.set_column(index, "prob.row.stag", pa.array(probs)), tmp_path / "results.parquet"
    )
    with pytest.raises(
        results.OutputError, match=r"results.parquet: row 4: the probabilities of row"
    ):
        read(tmp_path)


def test_resume_refuses_another_results_format(tmp_path: Path) -> None:
    """A CSV sweep cannot be resumed as Parquet: the manifest key that differs is named."""
    pytest.importorskip("pyarrow")

    def stop(done: int, total: int) -> None:
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted):
        run(load("rare-earth"), ONE_D, tmp_path, progress=stop)
    with pytest.raises(results.OutputError, match="results_format: differs"):
        run(load("rare-earth"), ONE_D, tmp_path, resume=True, results_format="parquet")


def _rows_of(result: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in result.rows]


def test_rows_view_matches_the_row_pipeline() -> None:
    """The lazily built .rows equal the dicts solve_points builds, key order included."""
    scenario = load("rare-earth")
    result = sweep(scenario, TWO_D)
    legacy = [r for _, point in solve_points(scenario, TWO_D) for r in point]
    assert _rows_of(result) == legacy
    assert all(list(r) == result.columns for r in result.rows[:50])
    assert np.array_equal(result.table.point[:5], [0, 1, 2, 3, 4])
