"""Sweep folders: atomic, consistent after an interruption, resumable, reproducible."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "results.csv"]


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
        "weights.us.wedge=0:1:3",
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
    result = runner.invoke(main, ["plot", str(tmp_path), "--format", "svg"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "strategies.svg").read_text().lstrip().startswith("<?xml")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert "strategies.svg" in manifest["plots"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--param", "weights.us.nothing=0:1:3"], "has no key 'nothing'"),
        (["--param", "weights.us.wedge=0:1"], "expected PATH=START:STOP:NUM"),
        (["--values", "weights.us.wedge=0,x"], "expected a finite number"),
        (["--param", "weights.us.wedge=0:1:3", "--param", "weights.us.wedge=0:1:3"], "different"),
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
    """At the degenerate threshold both extreme equilibria report exactly 2.2 for the US."""
    grid = Grid((Axis.parse_values("weights.us.supply_security=4"),))
    rows = sweep(load("rare-earth"), grid).rows
    assert [row["payoff.us"] for row in rows] == [2.2, 2.2]


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
        ("weights.us.wedge", "weights.us.wedge"),
        ("criteria.wedge.scores[0][0]", "criteria.wedge.scores[accept][full]"),
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
        "weights.us.wedge=1",
        "--param",
        "weights.us.wedge=0:1:3",
    ]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "both set weights.us.wedge" in result.stderr
