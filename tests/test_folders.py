"""Output folders and files under concurrency, signals, kills and hostile targets.

Real processes are started where the behaviour depends on the operating system (locks,
SIGKILL, SIGTERM, a second Ctrl-C, read-only and full file systems); everything else runs
in-process with click's CliRunner.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from negotiation import load
from negotiation.cli import main
from negotiation.output import atomic, results
from negotiation.studies.sweep import Axis, Grid, sweep

EXE = str(Path(sys.executable).with_name("negotiation"))
#: A per-game sweep that takes several seconds: long enough to signal or kill it midway.
SLOW = ["sweep", "rare-earth", "--param", "weights.us.supply_security=0:6:41",
        "--param", "weights.us.legitimacy=0:3:41", "--solver", "per-game", "-q"]  # fmt: skip
SLOW_GRID = Grid(
    (
        Axis.linspace("weights.us.supply_security", 0, 6, 41),
        Axis.linspace("weights.us.legitimacy", 0, 3, 41),
    )
)


def _default_signals() -> None:  # a shell may start us with SIGINT ignored
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [EXE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_signals,
    )


def _wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"{path} did not appear within {timeout} s")
        time.sleep(0.01)


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- locking


def test_two_sweeps_started_together_one_is_refused(tmp_path: Path) -> None:
    """Two sweeps started at once into one folder: one runs, the other exits 2 naming its pid."""
    out = str(tmp_path / "shared")
    first, second = _start(*SLOW, "--out", out), _start(*SLOW, "--out", out)
    outcomes = [(p, *p.communicate(timeout=300)) for p in (first, second)]
    codes = sorted(p.returncode for p, _, _ in outcomes)
    assert codes == [0, 2], [(p.returncode, err) for p, _, err in outcomes]
    (winner, _, _), (_, _, err) = sorted(outcomes, key=lambda o: o[0].returncode)
    assert err.count("\n") == 1
    assert f"in use by another run (pid {winner.pid} " in err
    assert len(results.read(out).points()) == 41 * 41
    assert not (tmp_path / "shared" / results.LOCK).exists()  # removed on release


def test_a_held_lock_refuses_sweep_and_plot(tmp_path: Path) -> None:
    """While another holder has the folder, sweep and plot exit 2 with the holder's pid."""
    out = tmp_path / "busy"
    args = ["sweep", "stag-hunt", "--values", "payoffs.row[1][0]=2,4", "--out", str(out), "-q"]
    assert _cli(*args)[0] == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from negotiation.output.results import lock\n"
         "with lock(sys.argv[1], ['holder']):\n"
         "    print('held', flush=True); time.sleep(60)\n", str(out)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        for command in ([*args, "--force"], ["plot", str(out)]):
            code, _, err = _cli(*command)
            assert code == 2
            assert f"in use by another run (pid {holder.pid} since " in err
            assert err.rstrip().endswith("holder); wait for it to end, or use another folder")
    finally:
        holder.kill()
        holder.communicate()
    assert _cli("plot", str(out))[0] == 0  # the kernel dropped the dead holder's lock


def test_a_stale_lock_file_does_not_block(tmp_path: Path) -> None:
    """A lock file left by a killed run (not locked by anyone) is taken over."""
    out = tmp_path / "stale"
    out.mkdir()
    (out / results.LOCK).write_text("pid 999999 since 2020-01-01: negotiation sweep\n")
    code, _, err = _cli("sweep", "chicken", "--values", "payoffs.row[0][0]=0,1", "--out", str(out))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "payoffs.png",
        "results.csv",
        "strategies.png",
        "summary.json",
    ]


def test_lock_nests_within_one_process(tmp_path: Path) -> None:
    """The CLI holds the lock around results.run, which takes it again without deadlock."""
    with results.lock(tmp_path, ["outer"]):
        with results.lock(tmp_path, ["inner"]):
            note = (tmp_path / results.LOCK).read_text()
        assert note.startswith(f"pid {os.getpid()} since ")
        assert note.rstrip().endswith(": outer")
    assert not (tmp_path / results.LOCK).exists()


# --------------------------------------------------------------------------- kills and signals


def test_sigkill_at_random_moments_leaves_resumable_folders(tmp_path: Path) -> None:
    """SIGKILL at seeded random moments never leaves a folder that read() or --resume refuses."""
    rng = np.random.default_rng(8)
    expected = sweep(load("rare-earth"), SLOW_GRID, solver="per-game")
    for k, delay in enumerate(rng.uniform(0.0, 4.0, size=3)):
        out = tmp_path / f"killed{k}"
        process = _start(*SLOW, "--out", str(out))
        _wait_for(out / results.MANIFEST)
        time.sleep(delay)
        process.kill()
        process.communicate(timeout=60)
        manifest = results.read_manifest(out)
        assert manifest["status"] in ("running", "complete")
        assert len(results.read(out).points()) == manifest["points_done"]
        finished = subprocess.run(
            [EXE, *SLOW, "--out", str(out), "--resume"], capture_output=True, text=True
        )
        assert finished.returncode == 0, finished.stderr
        assert f"resuming: reused {manifest['points_done']} of 1681 grid points" in finished.stderr
        assert results.read(out) == expected


def test_killed_before_its_first_save_the_sweep_resumes(tmp_path: Path) -> None:
    """A sweep killed as soon as its folder appears is resumable: the manifest came first."""
    out = tmp_path / "early"
    process = _start(*SLOW, "--out", str(out))
    _wait_for(out / results.MANIFEST)
    process.kill()
    process.communicate(timeout=60)
    assert results.read_manifest(out)["status"] == "running"
    code, _, err = _cli(*SLOW, "--out", str(out))
    assert code == 2
    assert "already holds a sweep; use --resume" in err
    code, _, err = _cli(*SLOW, "--out", str(out), "--resume")
    assert code == 0, err
    assert len(results.read(out).points()) == 41 * 41


def test_a_folder_killed_before_its_manifest_starts_afresh(tmp_path: Path) -> None:
    """A folder holding only the lock file of a killed run is not a sweep: a new one starts."""
    out = tmp_path / "bare"
    out.mkdir()
    (out / results.LOCK).touch()
    code, _, err = _cli("sweep", "chicken", "--values", "payoffs.row[0][0]=0,1", "--out", str(out))
    assert code == 0, err


def test_sigterm_is_handled_like_ctrl_c(tmp_path: Path) -> None:
    """SIGTERM saves the finished points, says so, exits 143, and --resume reports its reuse."""
    out = tmp_path / "term"
    # 81 x 81 points solved one by one (about 7 s at least): still solving when signalled.
    slower = [a.replace(":41", ":81") for a in SLOW]
    process = _start(*slower, "--out", str(out))
    _wait_for(out / results.MANIFEST)
    time.sleep(2.5)  # past the first periodic save
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the sweep finished before the signal arrived")
    assert process.returncode == 143, err
    assert err.startswith("stopped by SIGTERM after ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
    manifest = results.read_manifest(out)
    assert manifest["status"] == "interrupted"
    done = manifest["points_done"]
    assert len(results.read(out).points()) == done
    code, _, err = _cli(*slower, "--out", str(out), "--resume")
    assert code == 0
    assert f"resuming: reused {done} of 6561 grid points from {out}; solving the other" in err


def test_ctrl_c_twice_quickly_still_exits_130_with_a_consistent_folder(tmp_path: Path) -> None:
    """A second Ctrl-C while the first is being saved neither aborts nor prints a traceback."""
    out = tmp_path / "twice"
    process = _start(*SLOW, "--out", str(out))
    _wait_for(out / results.MANIFEST)
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the sweep finished before the signal arrived")
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "Aborted" not in err
    assert len(err.strip().splitlines()) == 1
    manifest = results.read_manifest(out)
    assert manifest["status"] == "interrupted"
    assert len(results.read(out).points()) == manifest["points_done"]


# --------------------------------------------------------------------------- --force


def test_force_removes_the_old_sweeps_plots_and_nothing_else(tmp_path: Path) -> None:
    """--force replaces results, manifest and the listed plots; other files stay."""
    out = tmp_path / "f"
    one_d = ["sweep", "chicken", "--values", "payoffs.row[0][0]=0,1", "--out", str(out)]
    assert _cli(*one_d)[0] == 0
    assert (out / "strategies.png").exists()
    (out / "notes.txt").write_text("mine")
    outside = tmp_path / "outside.png"
    outside.write_text("not the sweep's")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["plots"].append("../outside.png")  # a hand-edited manifest cannot reach out
    (out / "manifest.json").write_text(json.dumps(manifest))
    two_d = [*one_d[:4], "--values", "payoffs.column[0][0]=0,1", *one_d[4:], "--force"]
    code, _, err = _cli(*two_d)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "notes.txt",
        "regimes.png",
        "results.csv",
        "summary.json",
    ]
    assert outside.read_text() == "not the sweep's"


def test_resume_and_force_together_are_refused(tmp_path: Path) -> None:
    """--resume and --force contradict each other: exit 2 before anything is written."""
    code, _, err = _cli(*SLOW, "--out", str(tmp_path / "x"), "--resume", "--force")
    assert code == 2
    assert "give one of them, not both" in err
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- output targets


def test_output_to_a_character_device_writes_through() -> None:
    """-o /dev/null writes into the device and leaves it a device (run as root it was replaced)."""
    before = os.stat("/dev/null")
    code, out, err = _cli("solve", "chicken", "-o", "/dev/null")
    assert code == 0, err
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert out == ""


def test_output_to_dash_is_standard_output() -> None:
    """-o - prints the document on standard output and writes no file named '-'."""
    code, out, err = _cli("solve", "matching-pennies", "--format", "json", "-o", "-")
    assert code == 0, err
    assert json.loads(out)["scenario"] == "matching-pennies"
    assert not Path("-").exists()


def test_output_to_a_fifo_writes_through(tmp_path: Path) -> None:
    """A FIFO target is opened and written, not replaced by a regular file."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, _, err = _cli("solve", "chicken", "--format", "json", "-o", str(fifo))
    reader.join(timeout=30)
    assert code == 0, err
    assert json.loads(received[0])["scenario"] == "chicken"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    """A symlinked -o target: the file it points to is replaced atomically; the link stays."""
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "created.json")
    for target in (link, dangling):
        code, _, err = _cli("solve", "chicken", "--format", "json", "-o", str(target))
        assert code == 0, err
        assert target.is_symlink()
    assert json.loads(real.read_text())["scenario"] == "chicken"
    assert json.loads((tmp_path / "created.json").read_text())["scenario"] == "chicken"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "created.json",
        "dangling.json",
        "link.json",
        "real.json",
    ]


def test_atomic_targets_are_classified() -> None:
    """Regular and new names are replaced; devices and /dev links are written through."""
    assert atomic.target("/dev/null")[0] == "through"
    assert atomic.target("/dev/stdout")[0] == "through"
    assert atomic.target("-")[0] == "stdout"
    assert atomic.target("/no/such/dir/x.json") == ("replace", Path("/no/such/dir/x.json"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["solve", "chicken", "-o", "/no/such/dir/x.json"], "cannot write (No such file"),
        (["show", "chicken", "--plot", "/no/such/dir/x.png"], "cannot write (No such file"),
        (["sweep", "chicken", "--values", "payoffs.row[0][0]=0,1", "--out", "/dev/null"],
         "/dev/null: exists and is not a folder"),
    ],
)  # fmt: skip
def test_unwritable_targets_exit_2_in_one_line(args: list[str], expected: str) -> None:
    """An output that cannot be written is one line naming it, exit 2."""
    code, _, err = _cli(*args)
    assert code == 2
    assert expected in err
    assert err.count("\n") == 1


# --------------------------------------------------------------------------- file systems


def _namespaces_work() -> bool:
    try:
        done = subprocess.run(["unshare", "-Urm", "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


needs_namespaces = pytest.mark.skipif(
    not _namespaces_work(), reason="needs unshare -Urm (user and mount namespaces)"
)


def _finished_sweep(folder: Path) -> None:
    args = ["sweep", "chicken", "--values", "payoffs.row[0][0]=0,1,2", "--out", str(folder)]
    assert _cli(*args)[0] == 0


@needs_namespaces
def test_plot_on_a_read_only_file_system_exits_2(tmp_path: Path) -> None:
    """`plot` into a folder mounted read-only says so in one line, exit 2, no traceback."""
    folder = tmp_path / "ro"
    _finished_sweep(folder)
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && '
    script += f'exec "{EXE}" plot "{folder}" --image-format svg'
    done = subprocess.run(["unshare", "-Urm", "sh", "-c", script], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Error: ")
    assert "Read-only file system" in done.stderr
    assert done.stderr.count("\n") == 1


@needs_namespaces
def test_plot_on_a_full_disk_exits_2_and_leaves_no_partial_file(tmp_path: Path) -> None:
    """`plot` on a full file system: one line, exit 2, and no partial or temporary file left."""
    source = tmp_path / "src"
    _finished_sweep(source)
    mount = tmp_path / "small"
    mount.mkdir()
    script = (
        f'mount -t tmpfs -o size=256k none "{mount}" && cp -r "{source}/." "{mount}" && '
        f'rm "{mount}"/*.png && (head -c 10M /dev/zero > "{mount}/filler" 2>/dev/null; true) && '
        f'"{EXE}" plot "{mount}" --image-format png; echo "status=$?"; ls -a "{mount}"'
    )
    done = subprocess.run(["unshare", "-Urm", "sh", "-c", script], capture_output=True, text=True)
    assert "status=2" in done.stdout, done.stderr
    assert "No space left on device" in done.stderr
    assert done.stderr.count("\n") == 1
    listing = done.stdout.split("status=2", 1)[1].split()
    assert sorted(listing) == [".", "..", "filler", "manifest.json", "results.csv", "summary.json"]
