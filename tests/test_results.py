"""Sweep folders: atomic, consistent after an interruption, resumable, reproducible."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from negotiation import load
from negotiation.cli import main
from negotiation.errors import OutputError
from negotiation.output.results import SweepInterrupted, read, run, scenario_hash
from negotiation.studies.sweep import Axis, Grid, sweep

GRID = Grid((Axis.linspace("weights.us.supply_security", 0, 6, 25),))


def test_run_writes_results_and_manifest(tmp_path: Path) -> None:
    """A finished run's folder reads back to exactly the in-memory sweep."""
    scenario = load("rare-earth")
    result = run(scenario, GRID, tmp_path, command=["negotiation", "sweep"])
    assert result == sweep(scenario, GRID)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["points_done"] == manifest["points_total"] == 25
    assert manifest["scenario"]["sha256"] == scenario_hash(scenario)
    assert manifest["scenario"]["content"]["weights"]["us"]["legitimacy"] == 1
    assert manifest["grid"][0]["exact"][1] == "1/4"
    assert manifest["command"] == ["negotiation", "sweep"]
    assert {"started", "finished", "versions"} <= set(manifest)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json",
        "results.csv",
        "summary.json",
    ]


def test_scenario_hash_changes_with_an_override() -> None:
    """The content hash tells an overridden scenario from the original."""
    scenario = load("rare-earth")
    assert scenario_hash(scenario) == scenario_hash(load("rare-earth"))
    assert scenario_hash(scenario) != scenario_hash(
        scenario.with_overrides({"weights.us.legitimacy": "1.1"})
    )


def test_interrupted_run_is_consistent_and_resumes(tmp_path: Path) -> None:
    """Ctrl-C after 10 points leaves those 10 on disk; --resume solves only the other 15."""
    scenario = load("rare-earth")
    seen: list[int] = []

    def stop_at_ten(done: int, total: int) -> None:
        seen.append(done)
        if done == 10:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted) as info:
        run(scenario, GRID, tmp_path, progress=stop_at_ten)
    assert (info.value.done, info.value.total) == (10, 25)
    partial = read(tmp_path)
    assert sorted(partial.points()) == list(range(10))
    assert json.loads((tmp_path / "manifest.json").read_text())["status"] == "interrupted"

    counted: list[int] = []
    resumed = run(scenario, GRID, tmp_path, resume=True, progress=lambda d, t: counted.append(d))
    assert counted == list(range(11, 26))  # only the 15 unfinished points were solved
    assert resumed == sweep(scenario, GRID)


def test_resume_refuses_a_different_sweep(tmp_path: Path) -> None:
    """Resuming with another scenario content names the manifest key that differs."""
    run(load("rare-earth"), GRID, tmp_path)
    changed = load("rare-earth", {"weights.us.legitimacy": 2})
    with pytest.raises(OutputError, match=r"scenario.sha256: differs"):
        run(changed, GRID, tmp_path, resume=True)


def test_cli_sweep_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    """A second sweep into a used folder exits 2 unless --force or --resume is given."""
    args = [
        "sweep",
        "rare-earth",
        "--param",
        "weights.us.sanctions=0:1:3",
        "--out",
        str(tmp_path),
        "-q",
    ]
    runner = CliRunner()
    assert runner.invoke(main, args).exit_code == 0
    again = runner.invoke(main, args)
    assert again.exit_code == 2
    assert "--resume" in again.stderr
    assert runner.invoke(main, [*args, "--force"]).exit_code == 0


def test_cli_plot_redraws_without_solving(tmp_path: Path) -> None:
    """`plot DIR` redraws from the folder alone, in the requested format."""
    runner = CliRunner()
    args = ["sweep", "inspection-criteria", "--param", "weights.target.penalty=1:5:5"]
    assert runner.invoke(main, [*args, "--out", str(tmp_path), "-q"]).exit_code == 0
    (tmp_path / "strategies.png").unlink()
    result = runner.invoke(main, ["plot", str(tmp_path), "--image-format", "svg"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "strategies.svg").read_text().lstrip().startswith("<?xml")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert "strategies.svg" in manifest["plots"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--param", "weights.us.nothing=0:1:3"], "has no key 'nothing'"),
        (["--param", "weights.us.sanctions=0:1"], "expected PATH=START:STOP:NUM"),
        (["--values", "weights.us.sanctions=0,x"], "expected a finite number"),
        (["--param", "weights.us.sanctions=0:1:3"] * 2, "different"),
        ([], "one or two"),
    ],
)
def test_cli_sweep_bad_input_exits_2(tmp_path: Path, args: list[str], expected: str) -> None:
    """Bad sweep arguments exit 2 with a message and write nothing."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", "rare-earth", *args, "--out", str(out)])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert not (out / "results.csv").exists()


def test_plot_on_a_folder_without_manifest_exits_2(tmp_path: Path) -> None:
    """`plot` on a folder that holds no sweep says so and exits 2."""
    result = CliRunner().invoke(main, ["plot", str(tmp_path)])
    assert result.exit_code == 2
    assert "manifest.json: no such file" in result.stderr


def test_outputs_get_ordinary_file_permissions(tmp_path: Path) -> None:
    """Atomic writes do not leave the temporary file's private 0600 mode on the output."""
    import os

    from negotiation.output import atomic

    target = tmp_path / "out.txt"
    atomic.write_text(target, "x")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_sigint_leaves_a_consistent_folder_that_resumes(tmp_path: Path) -> None:
    """A real Ctrl-C (SIGINT) to the CLI exits 130, keeps finished points, and --resume ends."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "run"
    exe = Path(sys.executable).with_name("negotiation")
    # The per-game solver is slow enough (about 5 s here) to be interrupted after the
    # first checkpoint, which is written after 2 s.
    args = [str(exe), "sweep", "rare-earth", "--param", "weights.us.supply_security=0:6:61",
            "--param", "weights.us.legitimacy=0:3:61", "--solver", "per-game",
            "--out", str(out), "-q"]  # fmt: skip

    def default_sigint() -> None:  # a shell may start us with SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    deadline = time.monotonic() + 60
    while not (out / "manifest.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the sweep finished before the signal arrived")
    assert process.returncode == 130
    assert "--resume" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    partial = read(out)
    assert len(partial.points()) == manifest["points_done"] < 61 * 61
    finished = subprocess.run([*args, "--resume"], capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    assert len(read(out).points()) == 61 * 61


def test_manifest_content_hashes_like_the_scenario(tmp_path: Path) -> None:
    """The manifest's readable content (floats, "1/3" strings) hashes to the recorded hash."""
    from negotiation.output.results import content_hash

    scenario = load("rare-earth", {"weights.us.legitimacy": "1/3"})
    run(scenario, GRID, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["scenario"]["content"]["weights"]["us"]["legitimacy"] == "1/3"
    assert manifest["scenario"]["content"]["weights"]["us"]["alliance_cohesion"] == 0.8
    assert content_hash(manifest["scenario"]["content"]) == manifest["scenario"]["sha256"]


def test_payoffs_at_a_tie_come_from_exact_payoffs() -> None:
    """At the degenerate threshold both extreme equilibria report exactly -0.2 for the US.

    By hand (games/rare_earth.toml) at diversification-cost weight 9/5, against the full offer:
    reject = 0.8 x (-1/4) = -1/5 and diversify = 1 + 0.8 x 3/4 - 9/5 = -1/5.
    """
    grid = Grid((Axis.parse_values("weights.us.diversification_cost=9/5"),))
    rows = sweep(load("rare-earth"), grid).rows
    assert [row["payoff.us"] for row in rows] == [-0.2, -0.2]


def test_interrupted_two_d_sweep_still_plots(tmp_path: Path) -> None:
    """Unsolved cells of an interrupted 2-D sweep are drawn as such, not a crash."""
    from negotiation.output.plots import UNSOLVED, regime_grid

    grid = Grid((GRID.axes[0], Axis.linspace("weights.us.legitimacy", 0, 2, 3)))

    def stop(done: int, total: int) -> None:
        if done == 20:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted):
        run(load("rare-earth"), grid, tmp_path, progress=stop, solver="per-game")
    assert UNSOLVED in regime_grid(read(tmp_path)).labels
    result = CliRunner().invoke(main, ["plot", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "regimes.png").exists()


@pytest.mark.parametrize(
    ("set_path", "swept"),
    [
        ("weights.us.sanctions", "weights.us.sanctions"),
        ("criteria.sanctions.scores[0][0]", "criteria.sanctions.scores[accept][full]"),
    ],
)
def test_cli_refuses_set_on_a_swept_number(tmp_path: Path, set_path: str, swept: str) -> None:
    """Setting a number with --set that the sweep also varies, however spelt, is refused."""
    args = ["sweep", "rare-earth", "--set", f"{set_path}=1", "--param", f"{swept}=0:1:3"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "both set" in result.stderr


def test_cli_refuses_set_on_a_swept_path(tmp_path: Path) -> None:
    """Setting a number with --set that the sweep also varies is an input error."""
    args = [
        "sweep",
        "rare-earth",
        "--set",
        "weights.us.sanctions=1",
        "--param",
        "weights.us.sanctions=0:1:3",
    ]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "both set weights.us.sanctions" in result.stderr


# --------------------------------------------------------------------------- damaged folders

STAG = Grid((Axis.parse_values("payoffs.row[hare][stag]=2,4"),))  # point 1 is degenerate


def _stag_folder(folder: Path) -> list[str]:
    """A finished stag-hunt sweep (3 equilibria at each point); its results.csv lines."""
    run(load("stag-hunt"), STAG, folder)
    return (folder / "results.csv").read_text().splitlines()


def _edit_csv(folder: Path, change: Callable[[list[str]], list[str]]) -> None:
    lines = (folder / "results.csv").read_text().splitlines()
    (folder / "results.csv").write_text("\n".join(change(lines)) + "\n")


def _cells(line: str, column: int, value: str) -> str:
    cells = line.split(",")
    cells[column] = value
    return ",".join(cells)


# Columns: point, payoffs.row[hare][stag], equilibrium, 4 probabilities, 2 payoffs, pure,
# degenerate, component.
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda ls: ls[:-1], "point 1: the manifest records 3 equilibria, results.csv has 2 "
         "(equilibrium 2 missing)"),
        (lambda ls: [*ls[:5], *ls[6:]], "point 1: the manifest records 3 equilibria, "
         "results.csv has 2 (equilibrium 1 missing)"),
        (lambda ls: [*ls, _cells(ls[1], 0, "999")], "line 8: point 999 is outside the grid "
         "(0 to 1)"),
        (lambda ls: [ls[0], _cells(ls[1], 0, "-5"), *ls[2:]], "line 2: point: expected 0 or "
         "more, got -5"),
        (lambda ls: [ls[0], _cells(ls[1], 3, "nan"), *ls[2:]], "line 2: prob.row.stag: "
         "expected a finite number, got 'nan'"),
        (lambda ls: [ls[0], _cells(ls[1], 3, "-0.5"), *ls[2:]], "line 2: prob.row.stag: -0.5 "
         "is not a probability"),
        (lambda ls: [ls[0], _cells(ls[1], 3, "0.5"), *ls[2:]], "line 2: the probabilities of "
         "row sum to 0.5"),
        (lambda ls: [*ls, ls[3]], "line 8: point 0, equilibrium 2 is already on line 4"),
        (lambda ls: [ls[0], _cells(ls[1], 1, "3.0"), *ls[2:]], "line 2: payoffs.row[hare][stag]"
         ": 3.0 is not the grid's value at point 0 (2.0)"),
        (lambda ls: [ls[0], ls[1] + ",extra", *ls[2:]], "line 2: expected 12 fields, got 13"),
        (lambda ls: [ls[0], _cells(ls[1], 9, "yes"), *ls[2:]], "line 2: pure: expected true or "
         "false, got 'yes'"),
        (lambda ls: [*ls[:4], _cells(ls[4], 10, "false"), *ls[5:]], "point 1: rows disagree on "
         "whether the game is degenerate"),
        (lambda ls: [ls[0].replace("point", "pt"), *ls[1:]], "line 1: unexpected columns"),
    ],
)  # fmt: skip
def test_damaged_results_are_refused_with_the_row(
    tmp_path: Path, change: Callable[[list[str]], list[str]], expected: str
) -> None:
    """read(), plot and --resume refuse a hand-damaged results.csv naming line and problem."""
    _stag_folder(tmp_path)
    _edit_csv(tmp_path, change)
    with pytest.raises(OutputError) as info:
        read(tmp_path)
    assert f"{tmp_path / 'results.csv'}: {expected}" in str(info.value)
    for args in (["plot", str(tmp_path)],
                 ["sweep", "stag-hunt", "--values", "payoffs.row[hare][stag]=2,4",
                  "--out", str(tmp_path), "--resume"]):  # fmt: skip
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2
        assert result.stderr == f"Error: {info.value}\n"


def test_rows_the_manifest_does_not_vouch_for_are_left_out(tmp_path: Path) -> None:
    """Rows of a point the manifest records as unsolved (a save cut short) are dropped."""
    lines = _stag_folder(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest.update(points_done=1, rows=3, equilibria_per_point=[[3, 1], [0, 1]])
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert sorted(read(tmp_path).points()) == [0]
    assert len(lines) == 7  # results.csv still holds both points


def test_non_utf8_results_are_refused(tmp_path: Path) -> None:
    """A byte that is not UTF-8 in results.csv is reported with its line, not a traceback."""
    _stag_folder(tmp_path)
    data = (tmp_path / "results.csv").read_bytes().split(b"\n")
    data[2] = data[2] + b"\xff"
    (tmp_path / "results.csv").write_bytes(b"\n".join(data))
    with pytest.raises(OutputError, match=r"results.csv: line 3: byte \d+ is not UTF-8 text"):
        read(tmp_path)


@pytest.mark.parametrize("name", ["results.csv", "manifest.json"])
def test_a_folder_in_place_of_a_file_is_refused(tmp_path: Path, name: str) -> None:
    """results.csv or manifest.json being a folder is one line, exit 2."""
    _stag_folder(tmp_path)
    (tmp_path / name).unlink()
    (tmp_path / name).mkdir()
    result = CliRunner().invoke(main, ["plot", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / name}: is a folder; expected a file\n"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda m: m.pop("players"), "players: missing"),
        (lambda m: m.update(players="us"), "players: expected a list, got 'us'"),
        (lambda m: m["players"][0].pop("strategies"), "players[0].strategies: missing"),
        (lambda m: m["players"][1].update(label=7), "players[1].label: expected text, got 7"),
        (lambda m: m["players"][0].update(label="x" * 10_000), "players[0].label: expected 1 to "
         "200 characters"),
        (lambda m: m.update(grid=[]), "grid: expected 1 or 2 axes, got 0"),
        (lambda m: m["grid"][0].update(values=["a", "b"]), "grid[0].values: expected finite "
         "numbers"),
        (lambda m: m.update(points_total=99), "points_total: expected 2"),
        (lambda m: m.update(points_done="2"), "points_done: expected a whole number, got '2'"),
        (lambda m: m.update(status="done"), "status: expected one of: running, interrupted, "
         "complete"),
        (lambda m: m.update(equilibria_per_point=[[3, 1]]), "equilibria_per_point: expected 2 "
         "points"),
        (lambda m: m.pop("rows"), "rows: missing"),
        (lambda m: m.update(schema_version=7), "schema_version: expected 1"),
        (lambda m: m["grid"][0].update(exact=["2", "x"]), 'grid[0].exact: expected exact '
         'numbers such as "3" or "-1/20"'),
        (lambda m: m["grid"][0].update(exact=["2", "1/0"]), 'grid[0].exact: expected exact '
         'numbers such as "3" or "-1/20"'),
        # Fuzz finding F2 (R3): "overrides" not a list once stopped `plot` with exit 1.
        (lambda m: m.update(overrides=None), "overrides: expected a list of {path, exact} "
         "objects"),
        (lambda m: m.update(overrides=7), "overrides: expected a list of {path, exact} objects"),
        (lambda m: m.update(overrides=[1]), "overrides[0]: expected a {path, exact} object"),
        (lambda m: m.update(overrides=[{"exact": "1"}]), "overrides[0].path: missing"),
        (lambda m: m.update(overrides=[{"path": "p", "exact": "q"}]), 'overrides[0].exact: '
         'expected an exact number such as "3" or "-1/20"'),
        (lambda m: m.update(overrides=[{"path": "p", "exact": "1", "value": None}]),
         "overrides[0].value: expected a finite number"),
    ],
)  # fmt: skip
def test_damaged_manifests_are_refused_with_the_key(
    tmp_path: Path, edit: Callable[[dict[str, Any]], object], expected: str
) -> None:
    """Manifests with missing keys or wrong types are refused naming the key, exit 2."""
    _stag_folder(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    edit(manifest)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    result = CliRunner().invoke(main, ["plot", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'manifest.json'}: {expected}\n"


def test_a_two_d_point_outside_the_grid_is_refused(tmp_path: Path) -> None:
    """`plot` of a 2-D folder with a point beyond the grid exits 2 naming the line."""
    grid = Grid((GRID.axes[0], Axis.linspace("weights.us.legitimacy", 0, 2, 3)))
    run(load("rare-earth"), grid, tmp_path)
    _edit_csv(tmp_path, lambda ls: [*ls, _cells(ls[-1], 0, "75")])
    result = CliRunner().invoke(main, ["plot", str(tmp_path)])
    assert result.exit_code == 2
    # One equilibrium at each of the 75 points: the header, 75 rows, then the bad line 77.
    assert "line 77: point 75 is outside the grid (0 to 74)" in result.stderr


def test_a_run_that_fails_at_once_leaves_no_folder(tmp_path: Path) -> None:
    """Sweep values beyond a float (1e400) are refused before --out is created."""
    out = tmp_path / "never"
    args = ["sweep", "rare-earth", "--values", "weights.us.sanctions=0,1e400", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
    assert not out.exists()


def test_manifest_records_equilibria_per_point(tmp_path: Path) -> None:
    """The manifest's run-length counts match the rows: 3 equilibria at each stag-hunt point."""
    _stag_folder(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["equilibria_per_point"] == [[3, 2]]
    assert manifest["rows"] == 6
