"""A seeded fuzzer over the command line's tree commands: sweep, explore, plot, solve, export.

It drives ``negotiation`` on the catalogue's game trees with hostile options (sweep paths and
values, priors and chance probabilities out of range, distributions, globs, sample counts,
resumes on folders of another kind), damaged sweep folders, hand-written bad tree files
(types of unknown players, priors not summing to 1, information sets mixing players, trees
at and past the depth limit) and seeded mutations of the catalogue's tree files. The rule
every case keeps (issue 8, "Keep"; ``negotiation.errors``): exit 0, or exit 2 with exactly
one line ``Error: ...`` on standard error, never a traceback and never exit 1, within a
time bound per case. Most cases run in-process with click's CliRunner; a few run as real
processes. Findings of /work/notes/R3_report.md are regression tests here (F1 to F5, fixed)
or strict xfails whose docstring holds the minimal case (F6).
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import tomllib
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import numpy as np
import pytest
from click.testing import CliRunner

from negotiation.cli import main

SEED = 20_251_129
#: Seconds one case (all its commands) may take; generous for a busy 2-core machine.
CASE_SECONDS = 30
GAMES = Path(__file__).resolve().parents[1] / "games"
#: Trees that solve in milliseconds, for cases that may reach the solver.
CHEAP_TREES = (
    "entry", "trust", "centipede", "ultimatum", "stackelberg", "matching_pennies_tree",
    "card_game", "beer_quiche",
)  # fmt: skip
NUMBER = re.compile(rb"(?<![\w.\"])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w\"])")
#: Hostile number texts for options: out of range, too long, not numbers at all.
HOSTILE = [
    "1e400", "-1e-400", "1e-300", "1e300", "9" * 5000, "1." + "1" * 5000, "nan", "-inf",
    "inf", "1e100", "-1e100", "1e-100", "-0", "0x7f", "1_000", "1/3", "-2/7", "1/0", "0/5",
    "2", "-1", "0", "0.5", "1", "1.0000000001", "3" * 100, "1e-99999999999999", "", " 1",
    "+1", "--1", "1e", ".5", "5.", "\u0663", "\u00bd", "1E2",
]  # fmt: skip


class CaseTimeout(BaseException):
    """A case ran past its time bound (a BaseException, so no handler can swallow it)."""


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise CaseTimeout in the block if it runs longer than ``seconds``."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def broken_rule(code: int, stdout: str, stderr: str) -> str | None:
    """What breaks the rule (exit 0, or 2 with one ``Error:`` line), if anything."""
    if "Traceback" in stdout + stderr:
        return "traceback"
    if code == 0:
        return None
    if code != 2:
        return f"exit {code}"
    if stderr.count("\n") != 1 or not stderr.endswith("\n") or not stderr.startswith("Error: "):
        return f"exit 2 with {stderr.count(chr(10))} lines on stderr"
    return None


def run(args: Sequence[str]) -> tuple[int, str, str]:
    """Run the CLI in-process within the case time bound; (exit code, stdout, stderr)."""
    try:
        with time_bound(CASE_SECONDS):
            result = CliRunner().invoke(main, list(args))
    except CaseTimeout:
        return -1, "", f"ran over {CASE_SECONDS} s\n"
    return result.exit_code, result.stdout, result.stderr


def check_all(cases: Sequence[Sequence[str]]) -> dict[str, int]:
    """Run every command; fail listing each one that breaks the rule; count the exit codes."""
    failures = []
    counts = {"ok": 0, "refused": 0}
    for args in cases:
        code, out, err = run(args)
        problem = "timed out" if code == -1 else broken_rule(code, out, err)
        if problem:
            failures.append(f"{' '.join(a[:100] for a in args)}\n    {problem}: {err[-300:]!r}")
        else:
            counts["ok" if code == 0 else "refused"] += 1
    assert not failures, "\n".join(failures)
    return counts


def refused(args: Sequence[str], *words: str) -> str:
    """Run a command that must be refused in one line naming ``words``; return the line."""
    code, out, err = run(args)
    assert broken_rule(code, out, err) is None, err
    assert code == 2, (args, out, err)
    for word in words:
        assert word in err, (word, err)
    return err


def numeric_paths(data: bytes) -> list[str]:
    """The override paths of the numbers a TOML text holds (players and [uncertainty] left out)."""
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    found: list[str] = []

    def walk(value: object, prefix: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if not (prefix == "" and key in ("players", "uncertainty")):
                    walk(inner, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found.append(prefix)

    walk(document, "")
    return found


def hostile(rng: np.random.Generator) -> str:
    """A hostile number text half the time, else a random float of any scale."""
    if rng.random() < 0.5:
        return HOSTILE[int(rng.integers(len(HOSTILE)))]
    return repr(float(rng.standard_normal() * 10.0 ** rng.integers(-5, 5)))


def catalogue_name(stem: str) -> str:
    """The catalogue name of a games/ file stem."""
    return stem.replace("_", "-")


# --------------------------------------------------------------------------- sweep options


def test_hostile_sweep_arguments_on_trees_are_refused_in_one_line(tmp_path: Path) -> None:
    """Bad --param/--values/--set on trees: one line naming the key and the expectation."""
    out = str(tmp_path / "out")
    e = "tree.out.payoffs.entrant"
    cases: list[tuple[list[str], tuple[str, ...]]] = [
        (["card-game", "--param", "tree.chance.red=-0.5:1.5:5"], ("chance.red", "probability")),
        (["card-game", "--values", "tree.chance.red=0,2"], ("chance.red", "probability")),
        (["card-game", "--param", "tree.chance.black=0:1:5"], ("tree.chance.black", "rest")),
        (["beer-quiche", "--param", "types.sender.weak=0:1:5"], ("types.sender.weak", "rest")),
        (["beer-quiche", "--values", "types.sender.strong=1.5"], ("types.sender.strong", "0 to 1")),
        (["rare-earth-trap", "--param", "types.russia.genuine=0:1:3"], ("genuine", "rest")),
        (["entry", "--param", "tree.out.label=0:1:3"], ("tree.out.label", "number")),
        (["entry", "--param", "tree.out.payoffs=0:1:3"], ("tree.out.payoffs", "number")),
        (["entry", "--param", "tree.in.player=0:1:3"], ("tree.in.player", "number")),
        (["entry", "--param", f"{e}.x=0:1:3"], (e, "table of keys")),
        (["entry", "--param", "tree[0]=0:1:3"], ("tree[0]",)),
        (["entry", "--param", "tree..out=0:1:3"], ("tree..out", "path")),
        (["entry", "--values", f"{e}=1e-300,1e300"], (e, "1e-100")),
        (["entry", "--values", f"{e}=0,1.{'3' * 5000}"], (e, "significant digits")),
        (["entry", "--param", f"{e}=0:1{'0' * 5000}:3"], (e, "at most 1e100")),
        (["entry", "--param", f"{e}=0:1:1{'0' * 5000}"], ("NUM",)),
        (["entry", "--values", f"{e}=nan"], (e, "finite")),
        (["entry", "--values", f"{e}=inf,-inf"], (e, "finite")),
        (["entry", "--param", f"{e}=0:inf:3"], (e, "finite")),
        (["entry", "--param", f"{e}=1/0:1:3"], (e, "finite")),
        (["entry", "--param", f"{e}=0:1:0"], ("NUM",)),
        (["entry", "--param", f"{e}=0:1:-3"], ("NUM",)),
        (["entry", "--param", f"{e}=1:1:3"], ("START and STOP",)),
        (["entry", "--param", f"{e}=0:1:5000000"], ("4,000,000",)),
        (["entry", "--param", f"{e}=0:1:9223372036854775807"], ("4,000,000",)),
        (["entry", "--values", f"{e}=1,1,1"], (e, "once")),
        (["entry", "--param", f"{e}=0:1:3", "--param", f"{e}=0:1:3"], ("different paths",)),
        (["entry", "--param", f"{e}=0:1:3", "--values", f"{e}=1,2"], ("different paths",)),
        (["entry", "--param", f"{e}=0:1:3", "--set", f"{e}=5"], ("--set", e)),
        (["entry", "--set", f"{e}=x", "--param", "tree.in.fight.payoffs.entrant=0:1:3"], (e,)),
        (["entry", "--set", "tree.out.payoffs.nobody=1", "--param", f"{e}=0:1:3"], ("nobody",)),
        (["entry", "--param", f"{e}=0:1:3", "--method", "support"], ("--method", "tree")),
        (["entry", "--param", f"{e}=0:1:3", "--solver", "per-game"], ()),
        (["rare-earth-sequential", "--param", "types.russia.trap=0:1:3"], ("types",)),
        (["rare-earth-trap", "--param", "types.russia.trap=0:1:1001"], ("1,000",)),
        (["rare-earth-trap", "--param", "types.russia.trap=0:1:40",
          "--param", "weights.us.supply_security=0:40:30"], ("1,000",)),
    ]  # fmt: skip
    for args, words in cases:
        refused(["sweep", *args, "--out", out, "-q"], *words)
        assert not Path(out).exists(), args


def test_a_grid_count_beyond_the_index_size_is_refused_in_one_line(tmp_path: Path) -> None:
    """NUM = 2**63 in --param is refused by the grid limit, not an OverflowError (exit 1).

    Regression for R3_report.md F1 (fixed in 4cc6951): ``negotiation sweep entry --param
    tree.out.payoffs.entrant=0:1:9223372036854775808 --out d`` exited 1 with ``internal error
    (OverflowError: cannot fit 'int' into an index-sized integer)``.
    """
    spec = "tree.out.payoffs.entrant=0:1:9223372036854775808"
    refused(["sweep", "entry", "--param", spec, "--out", str(tmp_path / "d")], "4,000,000")


def test_random_sweep_options_on_cheap_trees_keep_the_rule(tmp_path: Path) -> None:
    """Forty seeded random --param/--values/--set combinations over the trees' own numbers."""
    rng = np.random.default_rng([SEED, 1])
    cases = []
    for k in range(40):
        stem = CHEAP_TREES[int(rng.integers(len(CHEAP_TREES)))]
        paths = numeric_paths((GAMES / f"{stem}.toml").read_bytes())
        p1, p2 = (paths[int(rng.integers(len(paths)))] for _ in range(2))
        if rng.random() < 0.15:
            p1 += str(rng.choice([".x", "[0]", "..", ".", "[x][y]", "-"]))
        a, b = hostile(rng), hostile(rng)
        forms = [
            ["--param", f"{p1}={a}:{b}:{int(rng.integers(-2, 4))}"],
            ["--values", f"{p1}=" + ",".join(hostile(rng) for _ in range(int(rng.integers(1, 4))))],
            ["--param", f"{p1}={a}:{b}:2", "--values", f"{p2}={hostile(rng)},{hostile(rng)}"],
            ["--param", f"{p1}=0:1:3", "--set", f"{p2}={a}"],
            ["--values", f"{p1}={a},{b}", "--set", f"{p2}={hostile(rng)}", "--set", f"{p2}={b}"],
        ]  # fmt: skip
        options = forms[int(rng.integers(len(forms)))]
        cases.append(
            ["sweep", catalogue_name(stem), *options, "--out", str(tmp_path / f"o{k}"), "-q"]
        )
    counts = check_all(cases)
    assert counts["ok"] >= 2, counts
    assert counts["refused"] >= 20, counts


# --------------------------------------------------------------------------- sweep folders


def test_resume_on_a_folder_of_another_kind_is_refused(tmp_path: Path) -> None:
    """--resume of a tree sweep in a matrix folder (and back), or with another grid: one line."""
    tree, matrix = str(tmp_path / "tree"), str(tmp_path / "matrix")
    entry = ["sweep", "entry", "--param", "tree.out.payoffs.entrant=0:1:3", "-q"]
    assert run([*entry, "--out", tree])[0] == 0
    assert run(["sweep", "prisoners-dilemma", "--param", "payoffs.row[0][0]=0:1:3",
                "--out", matrix, "-q"])[0] == 0  # fmt: skip
    refused([*entry, "--out", matrix, "--resume"], "kind")
    refused(["sweep", "prisoners-dilemma", "--param", "payoffs.row[0][0]=0:1:3",
             "--out", tree, "--resume", "-q"], "tree")  # fmt: skip
    refused(["sweep", "entry", "--param", "tree.out.payoffs.entrant=0:1:4", "--out", tree,
             "--resume", "-q"], "grid")  # fmt: skip
    refused([*entry, "--set", "tree.in.fight.payoffs.entrant=3", "--out", tree, "--resume"])
    refused([*entry, "--out", tree], "already holds a sweep")
    refused([*entry, "--out", tree, "--resume", "--force"], "--resume/--force")
    refused([*entry, "--out", str(tmp_path / "none"), "--resume"], "no such file")
    assert run([*entry, "--out", tree, "--resume"])[0] == 0


def _damaged(text: str, rng: np.random.Generator, random_cases: int) -> Iterator[str]:
    """Seeded damage to a text file: empty, cut, bit flips, deletions, a repeated line."""
    lines = text.splitlines(keepends=True)
    yield ""
    yield text[: len(text) // 2]
    yield "".join([*lines, lines[-1]])
    yield "\x00\xff garbage\n"
    for _ in range(random_cases):
        data = bytearray(text.encode())
        for _ in range(int(rng.integers(1, 4))):
            data[int(rng.integers(len(data)))] ^= 1 << int(rng.integers(8))
        yield data.decode("utf-8", "replace")
        start = int(rng.integers(len(text)))
        yield text[:start] + text[start + int(rng.integers(1, 30)) :]


@pytest.fixture(scope="module")
def prior_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 1-D PBE sweep of beer-quiche over P(strong), with its prior thresholds."""
    folder = tmp_path_factory.mktemp("bq") / "sweep"
    args = ["sweep", "beer-quiche", "--param", "types.sender.strong=0:1:4", "--out", str(folder)]
    assert run([*args, "-q"])[0] == 0
    assert json.loads((folder / "manifest.json").read_text())["thresholds"]
    return folder


def _plot_copy(source: Path, target: Path, name: str, text: str) -> tuple[int, str, str]:
    """Copy a sweep folder, replace one file's text, run ``negotiation plot`` on the copy."""
    target.mkdir()
    for path in source.iterdir():
        if path.is_file() and path.name != ".lock":
            (target / path.name).write_bytes(path.read_bytes())
    (target / name).write_text(text)
    return run(["plot", str(target)])


def test_plot_on_damaged_tree_sweep_files_keeps_the_rule(prior_sweep: Path, tmp_path: Path) -> None:
    """Damaged results.csv, manifest.json and summary.json of a tree sweep: plot keeps the rule."""
    rng = np.random.default_rng([SEED, 2])
    failures = []
    k = 0
    # A damaged summary.json is simply rewritten (a full redraw, ~1 s), so fewer of those.
    for name, random_cases in (("results.csv", 4), ("manifest.json", 4), ("summary.json", 0)):
        for text in _damaged((prior_sweep / name).read_text(), rng, random_cases):
            k += 1
            code, out, err = _plot_copy(prior_sweep, tmp_path / f"d{k}", name, text)
            problem = broken_rule(code, out, err)
            if problem:
                failures.append(f"{name} #{k}: {problem}: {err[-200:]!r}")
    assert not failures, "\n".join(failures)


def test_plot_refuses_a_manifest_whose_overrides_are_not_a_list(
    prior_sweep: Path, tmp_path: Path
) -> None:
    """A manifest with ``"overrides": null`` (or a number) is refused in one line naming the key.

    Regression for R3_report.md F2 (fixed in 9d11473): ``negotiation plot DIR`` on a folder
    with ``"overrides": null`` in manifest.json exited 1 with ``internal error (TypeError:
    'NoneType' object is not iterable)``.
    """
    manifest = json.loads((prior_sweep / "manifest.json").read_text())
    for k, value in enumerate([None, -1, True, [{"path": 1}]]):
        manifest["overrides"] = value
        code, out, err = _plot_copy(
            prior_sweep, tmp_path / f"d{k}", "manifest.json", json.dumps(manifest)
        )
        assert broken_rule(code, out, err) is None, err
        assert code == 2, (value, err)
        assert "overrides" in err, (value, err)


def test_plot_refuses_damaged_prior_thresholds(prior_sweep: Path, tmp_path: Path) -> None:
    """A threshold entry without its keys (or with a null value) is refused in one line.

    Regression for R3_report.md F3 (fixed in 9d11473): after ``negotiation sweep beer-quiche
    --param types.sender.strong=0:1:4 --out bq``, ``"thresholds": [{}]`` in bq/manifest.json
    made ``negotiation plot bq`` exit 1 with ``internal error (KeyError: 'before')``.
    """
    manifest = json.loads((prior_sweep / "manifest.json").read_text())
    damaged: list[Callable[[list[dict[str, object]]], object]] = [
        lambda found: found.__setitem__(0, {}),
        lambda found: found[0].__setitem__("value", None),
        lambda found: found[0].__setitem__("value", {"value": 0.5, "exact": "x"}),
        lambda found: found[0].pop("before"),
    ]
    failures = []
    for k, damage in enumerate(damaged):
        copy = json.loads(json.dumps(manifest))
        damage(copy["thresholds"])
        code, out, err = _plot_copy(
            prior_sweep, tmp_path / f"d{k}", "manifest.json", json.dumps(copy)
        )
        if broken_rule(code, out, err) or code != 2 or "thresholds" not in err:
            failures.append((k, code, err))
    assert not failures, failures


# --------------------------------------------------------------------------- explore


def test_hostile_explore_arguments_on_trees_are_refused_in_one_line(tmp_path: Path) -> None:
    """Malformed distributions, empty globs, priors beyond [0, 1], bad sample counts: one line."""
    out = str(tmp_path / "study")
    e = "tree.out.payoffs.entrant"
    cases: list[tuple[list[str], tuple[str, ...]]] = [
        (["entry", "--vary", f"{e}=uniform:2:0"], ("LO < HI",)),
        (["entry", "--vary", f"{e}=uniform:0:0"], ("LO < HI",)),
        (["entry", "--vary", f"{e}=uniform:0"], ("uniform:LO:HI",)),
        (["entry", "--vary", f"{e}=uniform:nan:1"], ("nan",)),
        (["entry", "--vary", f"{e}=uniform:-inf:1"], ("-inf",)),
        (["entry", "--vary", f"{e}=uniform:1e-300:1"], ("1e-100",)),
        (["entry", "--vary", f"{e}=uniform:0:1e300"], ("1e100",)),
        (["entry", "--vary", f"{e}=normal:0:-1"], ("SIGMA",)),
        (["entry", "--vary", f"{e}=normal:0:1:100:101"], ("mass",)),
        (["entry", "--vary", f"{e}=triangular:0:5:1"], ("MODE",)),
        (["entry", "--vary", f"{e}=beta:0:1:0:1"], ("A > 0",)),
        (["entry", "--vary", f"{e}=choice:"], ("choice",)),
        (["entry", "--vary", f"{e}=choice:1,1,1"], ("differ",)),
        (["entry", "--vary", f"{e}=gauss:0:1"], ("gauss",)),
        (["entry", "--vary", f"{e}="], ("PATH=DIST",)),
        (["entry", "--vary", "tree.out.label=uniform:0:1"], ("tree.out.label",)),
        (["entry", "--vary", f"{e}=uniform:0:1", "--vary", f"{e}=uniform:0:2"], ("already",)),
        (["entry", "--scale", "nomatch.*=uniform:0.5:1.5"], ("matches no number",)),
        (["entry", "--scale", "weights.*=uniform:0.5:1.5"], ("matches no number",)),
        (["entry", "--scale", "[=uniform:0.5:1.5"], ("matches no number",)),
        (["entry", "--simplex", "entrant"], ("criteria",)),
        (["entry"], ("nothing varies",)),
        (["beer-quiche", "--vary", "types.sender.strong=uniform:0:2"], ("0 to 1",)),
        (["beer-quiche", "--vary", "types.sender.strong=uniform:-1:1"], ("0 to 1",)),
        (["beer-quiche", "--vary", "types.sender.strong=normal:0.5:1"], ("[0, 1]",)),
        (["beer-quiche", "--vary", "types.sender.weak=uniform:0:1"], ("rest",)),
        (["beer-quiche", "--scale", "types.**=uniform:0.5:1.5"], ("types.sender.strong",)),
        (["card-game", "--vary", "tree.chance.red=uniform:0:1.5"], ("probability",)),
        (["card-game", "--vary", "tree.chance.black=uniform:0:1"], ("rest",)),
        (["rare-earth-sequential", "--simplex", "us:supply_security"], ("two criteria",)),
        (["rare-earth-sequential", "--simplex", "us", "--order", "us: a >= b >= a"], ("twice",)),
        (["rare-earth-sequential", "--order", "us: supply_security >= legitimacy"], ("--simplex",)),
        (["beer-quiche", "--vary", "types.sender.strong=uniform:0:1", "--samples", "20001"],
         ("20,000",)),
    ]  # fmt: skip
    for args, words in cases:
        extra = [] if "--samples" in args else ["--samples", "8"]
        refused(["explore", *args, *extra, "--out", out, "-q"], *words)
    for count in ("0", "-1", "99999999999999999999999"):
        refused(["explore", "entry", "--vary", f"{e}=uniform:0:2", "--samples", count,
                 "--out", out, "-q"], "--samples")  # fmt: skip


def test_random_explore_options_on_cheap_trees_keep_the_rule(tmp_path: Path) -> None:
    """Twenty seeded random --vary/--scale distributions over the trees' own numbers."""
    rng = np.random.default_rng([SEED, 3])
    cases = []
    for k in range(20):
        stem = CHEAP_TREES[int(rng.integers(len(CHEAP_TREES)))]
        paths = numeric_paths((GAMES / f"{stem}.toml").read_bytes())
        path = paths[int(rng.integers(len(paths)))]
        a, b = hostile(rng), hostile(rng)
        dists = [f"uniform:{a}:{b}", f"normal:{a}:{b}", f"triangular:{a}:{hostile(rng)}:{b}",
                 f"beta:{a}:{b}:0:1", f"choice:{a},{b}", f"normal:{a}:{b}:0:1"]  # fmt: skip
        dist = dists[int(rng.integers(len(dists)))]
        if rng.random() < 0.5:
            option = ["--vary", f"{path}={dist}"]
        else:
            globs = [path, path.rsplit(".", 1)[0] + ".*", "tree.**", "types.**", "*"]
            option = ["--scale", f"{globs[int(rng.integers(len(globs)))]}={dist}"]
        samples = str(int(rng.integers(1, 6)) * 10)
        out = str(tmp_path / f"x{k}")
        cases.append(
            ["explore", catalogue_name(stem), *option, "--samples", samples, "--out", out, "-q"]
        )
    counts = check_all(cases)
    assert counts["refused"] >= 10, counts


def test_explore_resume_mismatches_are_refused(tmp_path: Path) -> None:
    """--resume with another distribution, sample count, seed or scenario: one line, exit 2."""
    out = str(tmp_path / "study")
    base = ["explore", "card-game", "--vary", "tree.chance.red=uniform:0:1", "--samples", "20"]
    assert run([*base, "--out", out, "-q"])[0] == 0
    for args in (
        ["explore", "card-game", "--vary", "tree.chance.red=uniform:0:0.5", "--samples", "20"],
        ["explore", "card-game", "--vary", "tree.chance.red=uniform:0:1", "--samples", "21"],
        [*base, "--seed", "3"],
        ["explore", "entry", "--vary", "tree.out.payoffs.entrant=uniform:0:2", "--samples", "20"],
    ):
        refused([*args, "--out", out, "--resume", "-q"], "different study")
    refused([*base, "--out", out, "-q"], "already holds a study")
    refused([*base, "--out", out, "--resume", "--force", "-q"], "--resume/--force")


def test_sweep_and_explore_refuse_each_others_folders(tmp_path: Path) -> None:
    """Explore refuses a sweep's folder and sweep a study's, even with --resume or --force.

    Regression for R3_report.md F4 (fixed in 117342f): ``negotiation explore entry --vary
    tree.out.payoffs.entrant=uniform:0:2 --samples 20 --out d --resume`` on a sweep's folder
    exited 0 and replaced its summary.json (and ``sweep`` the reverse, without --force).
    """
    swept, studied = tmp_path / "swept", tmp_path / "studied"
    sweep = ["sweep", "entry", "--param", "tree.out.payoffs.entrant=0:1:3", "-q"]
    study = ["explore", "entry", "--vary", "tree.out.payoffs.entrant=uniform:0:2",
             "--samples", "20", "-q"]  # fmt: skip
    assert run([*sweep, "--out", str(swept)])[0] == 0
    assert run([*study, "--out", str(studied)])[0] == 0
    before = {p: p.read_bytes() for p in (swept / "summary.json", studied / "summary.json")}
    for flag in ([], ["--resume"], ["--force"]):
        refused([*study, "--out", str(swept), *flag], "sweep")
        refused([*sweep, "--out", str(studied), *flag], "explore study")
    assert {p: p.read_bytes() for p in before} == before
    refused([*study, "--out", str(tmp_path / "none"), "--resume"], "no such file")


def test_simplex_over_type_dependent_weights_names_the_option_not_the_file(tmp_path: Path) -> None:
    """--simplex russia on rare-earth-trap is refused as --simplex, not blamed on the file.

    Regression for R3_report.md F5 (fixed in 9fe7228): ``negotiation explore rare-earth-trap
    --simplex russia --samples 2 --out d`` exited 2 with ``Error: .../rare_earth_trap.toml:
    weights.russia.trap_sprung-trap: unknown override path`` (a compiled criterion's name).
    """
    out = str(tmp_path / "d")
    for spec in ("russia", "russia:russian_revenue,trap_sprung-trap"):
        err = refused(["explore", "rare-earth-trap", "--simplex", spec, "--samples", "2",
                       "--out", out, "-q"], "--simplex", "russia", "expected")  # fmt: skip
        offered = err.split("expected")[-1]  # the criteria it offers: the file's own
        assert "trap_sprung-trap" not in offered, err
        assert "legitimacy" in offered, err
        assert spec != "russia" or "trap_sprung-trap" not in err, err


def test_a_small_explore_study_prints_nothing_on_stderr(tmp_path: Path) -> None:
    """A successful quiet study of a tree writes nothing on standard error.

    Minimal case (fuzz finding F6, fixed): ``negotiation explore entry --vary
    tree.out.payoffs.entrant=uniform:0:2 --samples 8 --out d -q`` exited 0 but printed
    matplotlib's ``UserWarning: No artists with labels found to put in legend``
    (explore_plots.py called ``legend()`` on an empty sensitivity panel).
    """
    args = ["explore", "entry", "--vary", "tree.out.payoffs.entrant=uniform:0:2",
            "--samples", "8", "--out", str(tmp_path / "d"), "-q"]  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:  # the CLI would print them on stderr
        warnings.simplefilter("always")
        code, _, err = run(args)
    assert code == 0, err
    assert not [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


# --------------------------------------------------------------------------- tree files

HEAD = 'name = "x"\n[[players]]\nid = "a"\n[[players]]\nid = "b"\n'
LEAVES = "l = { payoffs = { a = 1, b = 0 } }\nr = { payoffs = { a = 0, b = 1 } }\n"
TYPED = '[tree]\nplayer = "a"\n' + LEAVES
BAD_TREES: dict[str, tuple[str, str]] = {
    "types of an unknown player": (
        HEAD + '[types.zed]\nhi = 0.5\nlo = "rest"\n' + TYPED, "types.zed"),
    "prior sums to 1/2": (HEAD + "[types.a]\nhi = 0.2\nlo = 0.3\n" + TYPED, "types.a"),
    "prior sums to 11/10": (HEAD + "[types.a]\nhi = 0.2\nlo = 0.9\n" + TYPED, "types.a"),
    "two rest types": (HEAD + '[types.a]\nhi = "rest"\nlo = "rest"\n' + TYPED, "types.a.lo"),
    "rest below 0": (HEAD + '[types.a]\nhi = 0.7\nm = 0.6\nlo = "rest"\n' + TYPED, "types.a"),
    "one type": (HEAD + "[types.a]\nonly = 1\n" + TYPED, "types.a"),
    "prior 1e-300": (HEAD + '[types.a]\nhi = 1e-300\nlo = "rest"\n' + TYPED, "types.a.hi"),
    "prior nan": (HEAD + '[types.a]\nhi = nan\nlo = "rest"\n' + TYPED, "types.a.hi"),
    "prior text": (HEAD + '[types.a]\nhi = "half"\nlo = "rest"\n' + TYPED, "types.a.hi"),
    "payoff of an unknown type": (
        HEAD + '[types.a]\nhi = 0.5\nlo = "rest"\n[tree]\nplayer = "a"\n'
        'l = { payoffs = { a = { hi = 1, zz = 0 }, b = 0 } }\nr = { payoffs = { a = 0, b = 1 } }\n',
        "tree.l.payoffs.a.zz"),
    "information set mixing players": (
        HEAD + '[tree]\nplayer = "a"\n[tree.l]\nplayer = "b"\ninfoset = "s"\n' + LEAVES
        + '[tree.r]\nplayer = "a"\ninfoset = "s"\n' + LEAVES, "mixes players"),
    "information set with other actions": (
        HEAD + '[tree]\nplayer = "a"\n[tree.l]\nplayer = "b"\ninfoset = "s"\n' + LEAVES
        + '[tree.r]\nplayer = "b"\ninfoset = "s"\nl = { payoffs = { a = 1, b = 0 } }\n'
        'x = { payoffs = { a = 0, b = 1 } }\n', "same actions"),
    "absent-minded information set": (
        HEAD + '[tree]\nplayer = "a"\ninfoset = "s"\n[tree.l]\nplayer = "a"\ninfoset = "s"\n'
        + LEAVES + "[tree.r]\npayoffs = { a = 0, b = 0 }\n", "perfect recall"),
    "chance node with an information set": (
        HEAD + '[tree]\nchance = { l = 0.5, r = "rest" }\ninfoset = "s"\n' + LEAVES,
        "tree.infoset"),
    "chance probabilities sum to 7/5": (
        HEAD + "[tree]\nchance = { l = 0.7, r = 0.7 }\n" + LEAVES, "tree.chance"),
    "leaf without a player's payoff": (
        HEAD + '[tree]\nplayer = "a"\nl = { payoffs = { a = 1 } }\n'
        "r = { payoffs = { a = 0, b = 1 } }\n", "tree.l.payoffs.b"),
    "node of an unknown player": (HEAD + '[tree]\nplayer = "c"\n' + LEAVES, "tree.player"),
    "tree is a list": ('name = "x"\ntree = [1, 2]\n' + HEAD[11:], "tree"),
}  # fmt: skip


def chain(depth: int) -> str:
    """A centipede-like tree whose deepest leaf lies ``depth`` moves below the root."""
    parts = [HEAD]
    path = "tree"
    for d in range(depth - 1):
        parts.append(f'[{path}]\nplayer = "{"ab"[d % 2]}"\n[{path}.stop]\n')
        parts.append(f"payoffs = {{ a = {d}, b = {depth - d} }}\n")
        path += ".go"
    parts.append(f'[{path}]\nplayer = "a"\n')
    parts.append(
        f"[{path}.x]\npayoffs = {{ a = 1, b = 1 }}\n[{path}.y]\npayoffs = {{ a = 0, b = 2 }}\n"
    )
    return "".join(parts)


def test_bad_tree_files_are_refused_in_one_line_by_every_command(tmp_path: Path) -> None:
    """Types of unknown players, bad priors, mixed information sets...: one line, every command."""
    for name, (text, key) in BAD_TREES.items():
        path = tmp_path / (re.sub(r"\W+", "_", name) + ".toml")
        path.write_text(text)
        for command in (["validate"], ["solve"], ["show"], ["export", "--to", "efg"]):
            err = refused([command[0], str(path), *command[1:]], str(path))
            assert key in err, (name, command, err)


def test_trees_at_the_depth_limit_pass_and_past_it_are_refused(tmp_path: Path) -> None:
    """A tree 64 moves deep (MAX_TREE_DEPTH) solves, shows and exports; 65 is refused."""
    deep, deeper = tmp_path / "deep.toml", tmp_path / "deeper.toml"
    deep.write_text(chain(64))
    deeper.write_text(chain(65))
    efg = str(tmp_path / "d.efg")
    counts = check_all(
        [["solve", str(deep), "--format", "json"], ["show", str(deep)],
         ["export", str(deep), "--to", "efg", "-o", efg]]
    )  # fmt: skip
    assert counts == {"ok": 3, "refused": 0}
    refused(["solve", str(deeper)], "65 moves", "MAX_TREE_DEPTH")
    refused(["sweep", str(deeper), "--param", "tree.stop.payoffs.a=0:1:3",
             "--out", str(tmp_path / "s")], "MAX_TREE_DEPTH")  # fmt: skip


def _mutated(data: bytes, rng: np.random.Generator) -> bytes:
    """One seeded mutation: bit flips, a deletion, a repeated line, a hostile number or a cut."""
    kind = int(rng.integers(5))
    out = bytearray(data)
    if kind == 0:
        for _ in range(int(rng.integers(1, 4))):
            out[int(rng.integers(len(out)))] ^= 1 << int(rng.integers(8))
        return bytes(out)
    if kind == 1:
        start = int(rng.integers(len(data)))
        return data[:start] + data[start + int(rng.integers(1, 40)) :]
    if kind == 2:
        lines = data.splitlines(keepends=True)
        k = int(rng.integers(len(lines)))
        return b"".join([*lines[: k + 1], lines[k], *lines[k + 1 :]])
    if kind == 3:
        match = list(NUMBER.finditer(data))[int(rng.integers(len(NUMBER.findall(data))))]
        return data[: match.start()] + hostile(rng).encode() + data[match.end() :]
    return data[: int(rng.integers(len(data)))]


def test_mutated_tree_files_through_export_and_sweep_keep_the_rule(tmp_path: Path) -> None:
    """Thirty mutated cheap catalogue trees: validate, then export --to efg and a 3-point sweep."""
    rng = np.random.default_rng([SEED, 4])
    cases = []
    valid = 0
    for k in range(30):
        data = _mutated(
            (GAMES / f"{CHEAP_TREES[int(rng.integers(len(CHEAP_TREES)))]}.toml").read_bytes(), rng
        )
        path = tmp_path / f"m{k}.toml"
        path.write_bytes(data)
        code, out, err = run(["validate", str(path)])
        assert broken_rule(code, out, err) is None, (data[:200], err)
        if code:
            continue
        valid += 1
        paths = numeric_paths(data) or ["tree.x"]
        cases.append(["export", str(path), "--to", "efg", "-o", str(tmp_path / f"m{k}.efg")])
        spec = f"{paths[int(rng.integers(len(paths)))]}=0:1:3"
        cases.append(["sweep", str(path), "--param", spec, "--out", str(tmp_path / f"o{k}"), "-q"])
    check_all(cases)
    assert valid >= 8


def test_tree_commands_keep_the_rule_as_real_processes(tmp_path: Path) -> None:
    """A handful of tree refusals through the installed command, in real processes."""
    exe = str(Path(sys.executable).with_name("negotiation"))
    broken = []
    for args in (
        ["sweep", "card-game", "--param", "tree.chance.black=0:1", "--out", str(tmp_path / "a")],
        ["sweep", "beer-quiche", "--values", "types.sender.strong=1.5", "--out", str(tmp_path)],
        ["explore", "beer-quiche", "--vary", "types.sender.strong=uniform:0:2", "--samples", "8",
         "--out", str(tmp_path / "c")],
        ["plot", str(tmp_path / "none")],
    ):  # fmt: skip
        try:
            done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            broken.append((args, "timed out"))
            continue
        problem = broken_rule(done.returncode, done.stdout, done.stderr)
        if problem or done.returncode != 2:
            broken.append((args, f"{problem}: {done.stderr[-300:]}"))
    assert not broken
