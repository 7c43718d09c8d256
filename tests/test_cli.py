"""The command line: output of each command, the JSON interface, and exit 2 on bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from negotiation import load, solve
from negotiation.cli import main


def run(*args: str) -> tuple[int, str, str]:
    """Invoke the CLI in-process; return exit code, stdout and stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_the_catalogue() -> None:
    """`list` names every catalogue scenario with its shape and title."""
    code, out, _ = run("list")
    assert code == 0
    assert "rare-earth" in out
    assert "3x3" in out
    assert "Prisoner's dilemma" in out


def test_show_prints_weights_and_both_matrices() -> None:
    """`show` prints the criteria with both players' weights and both payoff matrices."""
    code, out, _ = run("show", "rare-earth")
    assert code == 0
    assert "Payoffs to United States (us)" in out
    assert "Payoffs to Russia (russia)" in out
    assert "supply_security" in out
    assert "-3.65" in out  # US payoff for accepting the full offer


def test_show_cell_breaks_a_cell_down() -> None:
    """`show --cell` lists weight, score and product per criterion and their total."""
    code, out, _ = run("show", "rare-earth", "--cell", "accept", "full")
    assert code == 0
    lines = [line.split() for line in out.splitlines()]
    assert ["legitimacy", "1", "-2", "-2"] in lines  # US: weight 1 x score -2
    assert ["legitimacy", "-1", "-2", "2"] in lines  # Russia gains what the law loses
    assert ["total", "-3.65"] in lines
    assert ["total", "4"] in lines


def test_show_cell_accepts_positions_and_rejects_unknown_ids() -> None:
    """`--cell 0 0` addresses the first cell; an unknown strategy exits 2 naming it."""
    assert run("show", "rare-earth", "--cell", "0", "0")[0] == 0
    code, _, err = run("show", "rare-earth", "--cell", "acept", "full")
    assert code == 2
    assert "unknown strategy 'acept'" in err


def test_solve_table_names_strategies_and_payoffs() -> None:
    """`solve` prints the default rare-earth equilibrium: the US diversifies, Russia offers all."""
    code, out, _ = run("solve", "rare-earth")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("1  "))
    assert row.split() == ["1", "pure", "Diversify", "Full", "offer", "1", "-0.875"]
    assert "non-degenerate" in out


def test_solve_json_has_the_documented_shape() -> None:
    """`solve --format json` prints the stable document: scenario, players, payoffs, ..."""
    code, out, _ = run("solve", "battle-of-the-sexes", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert {"scenario", "players", "payoffs", "degenerate", "equilibria"} <= set(doc)
    assert doc["scenario"] == "battle-of-the-sexes"
    assert [p["id"] for p in doc["players"]] == ["row", "column"]
    assert doc["players"][0]["strategies"] == ["bach", "stravinsky"]
    assert doc["payoffs"]["row"] == [[2.0, 0.0], [0.0, 1.0]]
    assert doc["degenerate"] is False
    assert len(doc["equilibria"]) == 3
    for eq in doc["equilibria"]:
        assert set(eq) >= {"strategies", "payoffs", "pure"}
        assert set(eq["strategies"]) == {"row", "column"}
        assert all(isinstance(p, float) for p in eq["strategies"]["row"])
    mixed = [eq for eq in doc["equilibria"] if not eq["pure"]]
    assert mixed[0]["exact"]["strategies"]["row"] == ["2/3", "1/3"]  # Osborne (2004) 114.1


def test_solve_json_matches_the_library() -> None:
    """The JSON equilibria are the library's, probability for probability."""
    doc = json.loads(run("solve", "chicken", "--format", "json")[1])
    solution = solve(load("chicken"))
    assert [eq["strategies"]["row"] for eq in doc["equilibria"]] == [
        [float(p) for p in e.row] for e in solution.equilibria
    ]


def test_solve_json_reports_components_of_degenerate_games() -> None:
    """A degenerate override gives degenerate: true and a component spanning two equilibria."""
    code, out, _ = run("solve", "stag-hunt", "--set", "payoffs.row[1][0]=4", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["degenerate"] is True
    assert doc["overrides"] == [{"path": "payoffs.row[1][0]", "value": 4.0, "exact": "4"}]
    sizes = sorted(len(c["equilibria"]) for c in doc["components"])
    assert sizes == [1, 2]


@pytest.mark.parametrize("method", ["support", "vertex", "lemke-howson", "exact"])
def test_every_method_reports_the_same_set(method: str) -> None:
    """The reported equilibria do not depend on the cross-checking method."""
    doc = json.loads(run("solve", "stag-hunt", "--method", method, "--format", "json")[1])
    assert [eq["exact"]["strategies"] for eq in doc["equilibria"]] == [
        {"row": ["1", "0"], "column": ["1", "0"]},
        {"row": ["3/4", "1/4"], "column": ["3/4", "1/4"]},
        {"row": ["0", "1"], "column": ["0", "1"]},
    ]


def test_solve_override_flips_the_rare_earth_equilibrium() -> None:
    """A diversification-cost weight of 2 (above 9/5) makes rejecting the full offer the answer."""
    out = run("solve", "rare-earth", "--set", "weights.us.diversification_cost=2")[1]
    row = next(line for line in out.splitlines() if line.startswith("1  "))
    assert row.split()[:4] == ["1", "pure", "Reject", "Full"]


def test_solve_output_file_is_written(tmp_path: Path) -> None:
    """`-o FILE` writes the document to the file and nothing to stdout."""
    target = tmp_path / "eq.json"
    code, out, _ = run("solve", "matching-pennies", "--format", "json", "-o", str(target))
    assert code == 0
    assert out == ""
    assert json.loads(target.read_text())["equilibria"][0]["strategies"]["row"] == [0.5, 0.5]
    assert [p.name for p in tmp_path.iterdir()] == ["eq.json"]  # no temporary file left


def test_validate_accepts_a_good_file() -> None:
    """`validate` on a catalogue file says it is valid and exits 0."""
    code, out, _ = run("validate", "rare-earth")
    assert code == 0
    assert "valid scenario 'rare-earth' (3x3, 9 criteria)" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["solve", "no-such-game"], "not a file and not a catalogue name"),
        (["solve", "rare-earth", "--set", "weights.us.legitimcy=2"], "did you mean 'legitimacy'"),
        (["solve", "rare-earth", "--set", "weights.us.legitimacy=hi"], "expected a finite number"),
        (["solve", "rare-earth", "--set", "weights.us.legitimacy"], "expected PATH=VALUE"),
        (["solve", "rare-earth", "--set", "criteria.sanctions.scores[3][0]=1"], "out of range"),
        (["solve", "rare-earth", "--method", "magic"], "Invalid value for '--method'"),
        (["show", "missing.toml"], "missing.toml: no such file"),
        (["validate", "."], "is a directory"),
    ],
)
def test_bad_input_exits_2_without_traceback(args: list[str], expected: str) -> None:
    """Bad input exits with status 2 and a message, never a traceback."""
    code, out, err = run(*args)
    assert code == 2
    assert expected in err
    assert "Traceback" not in out + err


def test_validate_bad_file_names_file_and_key(tmp_path: Path) -> None:
    """`validate` on a broken file exits 2 naming the file and the key path."""
    bad = tmp_path / "bad.toml"
    text = load("inspection").origin
    bad.write_text(Path(text).read_text().replace("[[0, 0], [-5, 3]]", "[[0, 0], [-5]]"))
    code, _, err = run("validate", str(bad))
    assert code == 2
    assert f"{bad}: payoffs.target[1]: expected a row of 2 numbers" in err


# --------------------------------------------------------------------------- the error boundary


@pytest.mark.parametrize("tol", ["nan", "inf", "-inf", "0", "1e-2", "abc"])
def test_bad_tolerances_exit_2_in_one_line(tol: str) -> None:
    """--tol outside (0, 0.001], nan and inf included, is a one-line usage error."""
    code, _, err = run("solve", "chicken", "--tol", tol)
    assert code == 2
    assert err.startswith("Error: Invalid value for '--tol'")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["solve", "--bogus"], "Error: No such option '--bogus'. (see 'negotiation solve --help')"),
        (["frobnicate"], "Error: No such command 'frobnicate'. (see 'negotiation --help')"),
        (["solve"], "Error: Missing argument 'SCENARIO'. (see 'negotiation solve --help')"),
        (["show", "chicken", "--cell", "0"], "Error: Option '--cell' requires 2 arguments."),
    ],
)
def test_usage_errors_are_one_line(args: list[str], expected: str) -> None:
    """Usage errors (click prints four lines by default) print as one line, exit 2."""
    code, _, err = run(*args)
    assert code == 2
    assert err.startswith(expected)
    assert err.count("\n") == 1


@pytest.mark.parametrize("command", ["validate", "solve", "show"])
def test_an_empty_scenario_name_is_refused(command: str) -> None:
    """An empty SCENARIO or FILE says it is empty, not that '.' is a directory."""
    code, _, err = run(command, "")
    assert code == 2
    assert "empty; expected" in err
    assert "directory" not in err


def test_an_internal_error_exits_1_with_a_hint_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug (an exception that is not a UserError) is one line, exit 1, asking for a report."""

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("negotiation.cli.app.solve", broken)
    code, _, err = run("solve", "chicken")
    assert code == 1
    assert err.startswith("Error: internal error (RuntimeError: boom). This is a bug")
    assert "please report it" in err
    assert err.count("\n") == 1


def test_running_out_of_memory_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """MemoryError is an environment failure: one line suggesting a smaller problem, exit 2."""

    def hungry(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr("negotiation.cli.app.solve", hungry)
    code, _, err = run("solve", "chicken")
    assert code == 2
    assert err.startswith("Error: out of memory; try a smaller scenario or grid")


def test_huge_words_in_messages_are_cut() -> None:
    """A 100,000-character override path is not echoed in full: the message stays short."""
    code, _, err = run("solve", "rare-earth", "--set", "weights.us." + "x" * 100_000 + "=1")
    assert code == 2
    assert err.count("\n") == 1
    assert len(err) < 1200


def _labelled(tmp_path: Path, label: str, title: str) -> Path:
    """A copy of the inspection game with one strategy label and the title replaced."""
    text = Path(load("inspection").origin).read_text(encoding="utf-8")
    text = re.sub(r'(?m)^title = ".*"$', lambda m: f"title = {json.dumps(title)}", text)
    table = f'{{id = "comply", label = {json.dumps(label)}}}'
    text = text.replace('strategies = ["comply", "violate"]', f'strategies = [{table}, "violate"]')
    path = tmp_path / "labelled.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["show"], ["solve"], ["show", "--cell", "0", "0"]])
def test_control_characters_in_labels_never_reach_the_terminal(
    tmp_path: Path, command: list[str]
) -> None:
    """A title or label holding ESC or a newline is printed escaped (or refused), never raw."""
    path = _labelled(tmp_path, "Comply\nFAKE: 1 equilibrium", "Evil\x1b[2J\x1b[H title")
    code, out, err = run(command[0], str(path), *command[1:])
    assert "\x1b" not in out + err
    assert "\nFAKE" not in out + err
    if code == 0:
        assert "\\x1b[2J" in out or "\\nFAKE" in out
    else:  # the parser may refuse control characters outright
        assert code == 2
        assert err.count("\n") == 1


def test_tex_in_labels_is_drawn_literally(tmp_path: Path) -> None:
    r"""Labels such as '$\foo$' (invalid mathtext) do not stop `show --plot`."""
    path = _labelled(tmp_path, "$\\foo$ and $5", "Costs $\\alpha$")
    code, _, err = run("show", str(path), "--plot", str(tmp_path / "h.png"))
    assert code == 0, err
    assert (tmp_path / "h.png").read_bytes().startswith(b"\x89PNG")


# --------------------------------------------------------------------------- one meaning per option


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "rare-earth"],
        ["show", "rare-earth", "--cell", "accept", "full"],
        ["solve", "chicken"],
        ["validate", "chicken"],
    ],
)
def test_every_printing_command_takes_format_json(args: list[str]) -> None:
    """--format json means the same on every command that prints: one JSON document."""
    code, out, _ = run(*args, "--format", "json")
    assert code == 0
    assert json.loads(out)


@pytest.mark.parametrize("command", [["sweep", "chicken"], ["plot"], ["solve", "chicken"]])
def test_a_picture_format_given_to_format_points_to_image_format(
    tmp_path: Path, command: list[str]
) -> None:
    """`--format svg`, the old picture option, exits 2 naming --image-format."""
    args = [*command, "--format", "svg"]
    if command[0] == "sweep":
        args += ["--values", "payoffs.row[0][0]=1,2", "--out", str(tmp_path / "s")]
    elif command[0] == "plot":
        args.insert(1, str(tmp_path))
    code, _, err = run(*args)
    assert code == 2
    assert "use --image-format svg" in err
    assert err.count("\n") == 1


def test_sweep_and_plot_take_image_format(tmp_path: Path) -> None:
    """--image-format chooses the picture format of sweep and plot."""
    out = tmp_path / "s"
    args = ["sweep", "chicken", "--values", "payoffs.row[0][0]=1,2", "--out", str(out)]
    assert run(*args, "--image-format", "pdf")[0] == 0
    assert (out / "strategies.pdf").read_bytes().startswith(b"%PDF")
    code, out_text, _ = run("plot", str(out), "--image-format", "svg", "--format", "json")
    assert code == 0
    assert json.loads(out_text) == {
        "folder": str(out),
        "wrote": ["strategies.svg", "payoffs.svg", "summary.json"],
    }


def test_show_json_has_exact_and_float_payoffs() -> None:
    """`show --format json` gives weights, scores and payoffs as floats and as fractions."""
    doc = json.loads(run("show", "rare-earth", "--set", "weights.us.legitimacy=1/3",
                         "--format", "json")[1])  # fmt: skip
    assert doc["overrides"] == [{"path": "weights.us.legitimacy", "value": 1 / 3, "exact": "1/3"}]
    law = next(c for c in doc["criteria"] if c["id"] == "legitimacy")
    assert law["exact"]["weights"] == {"us": "1/3", "russia": "-1"}
    # Accept / full: 1/2 - 2/3 - 8/5 - 2/5 - 3/20 (games/rare_earth.toml, law weight 1/3).
    assert doc["exact"]["payoffs"]["us"][0][0] == "-139/60"
    assert doc["payoffs"]["us"][0][0] == pytest.approx(-139 / 60)


def test_show_cell_json_breaks_the_cell_down() -> None:
    """`show --cell --format json` lists each term and the totals, exactly."""
    doc = json.loads(run("show", "rare-earth", "--cell", "accept", "full", "--format", "json")[1])
    assert (doc["row"], doc["col"]) == ("accept", "full")
    assert doc["exact"]["totals"] == {"us": "-73/20", "russia": "4"}
    law = next(t for t in doc["terms"]["us"] if t["criterion"] == "legitimacy")
    assert law["exact"] == {"weight": "1", "score": "-2", "value": "-2"}


# --------------------------------------------------------------------------- small inconsistencies


def test_show_prints_the_override_line_as_solve_does() -> None:
    """`show --set` states the override on an `override:` line, like `solve --set`."""
    args = ["rare-earth", "--set", "weights.us.diversification_cost=2.5"]
    line = "  override: weights.us.diversification_cost = 2.5"
    assert line in run("show", *args)[1].splitlines()
    assert line in run("solve", *args)[1].splitlines()
    assert run("show", *args, "--cell", "accept", "full")[1].splitlines()[1] == line


def test_show_wraps_the_source_without_breaking_its_url() -> None:
    """The rare-earth source wraps between words; its URL stays one piece on one line."""
    out = run("show", "rare-earth")[1].splitlines()
    url = "https://world-today-news.com/russias-rare-earth-minerals-strategic-moves-as-moscow-courts-trumps-america"
    start = next(k for k, line in enumerate(out) if line.startswith("Source: World Today News"))
    assert out[start:start + 4] == [
        "Source: World Today News, 'Russia's Rare Earth Strategy: Moscow's Strategic Courtship of",
        "Trump's America', March 2025,",
        url + ";",  # the source goes on with the figures' sources (USGS, IEA)
        "USGS Mineral Commodity Summaries 2025; IEA Global Critical Minerals Outlook 2024.",
    ]  # fmt: skip


def test_sweep_summary_counts_in_words(tmp_path: Path) -> None:
    """One grid point is `1 grid point`; one change is `changes once`."""
    out = run("sweep", "chicken", "--values", "payoffs.row[0][0]=1", "--out", str(tmp_path / "a"))[
        1
    ]
    assert out.startswith("Solved 1 grid point over payoffs.row[0][0] (")
    args = ["sweep", "rare-earth", "--param", "weights.us.diversification_cost=0:3:13"]
    out = run(*args, "--out", str(tmp_path / "b"))[1]
    assert "The equilibrium set changes once along weights.us.diversification_cost:" in out


def test_a_sweep_with_no_change_names_its_equilibrium(tmp_path: Path) -> None:
    """No supply-security weight changes the answer: the summary names Diversify / Full offer."""
    args = ["sweep", "rare-earth", "--param", "weights.us.supply_security=0:3:7"]
    lines = run(*args, "--out", str(tmp_path / "a"))[1].splitlines()
    assert lines[1:3] == [
        "The equilibrium set is the same at every grid point along weights.us.supply_security:",
        "  Diversify / Full offer",
    ]


def test_degenerate_notes_come_before_the_components_they_announce() -> None:
    """The note that speaks of "the components below" is printed above them."""
    out = run("solve", "rare-earth", "--set", "weights.us.diversification_cost=9/5")[1]
    note = out.index("the components below describe every equilibrium")
    assert note < out.index("Components of the equilibrium set:")
    assert out.index("Cross-check:") < out.index("Components of the equilibrium set:")


def _zero_game(tmp_path: Path, n: int) -> Path:
    """An n x n game paying 0 everywhere: every profile is an equilibrium (one component)."""
    zeros = [[0] * n] * n
    labels = ", ".join(f'{{id = "r{i}", label = "row strategy number {i}"}}' for i in range(n))
    path = tmp_path / "zeros.toml"
    path.write_text(
        f'name = "zeros"\n[[players]]\nid = "a"\nstrategies = [{labels}]\n'
        f'[[players]]\nid = "b"\nstrategies = {json.dumps([f"c{i}" for i in range(n)])}\n'
        f"[payoffs]\na = {zeros}\nb = {zeros}\n"
    )
    return path


def test_a_large_components_block_is_wrapped_and_summarised(tmp_path: Path) -> None:
    """A 7x7 all-zero game's component (49 extreme equilibria) prints in short lines."""
    out = run("solve", str(_zero_game(tmp_path, 7)), "--method", "exact")[1]
    block = out[out.index("Components of the equilibrium set:") :].splitlines()
    assert block[1] == "  1. #1 to #49: a continuum, the union of these sets of equilibria:"
    assert all(len(line) <= 88 for line in block)
    text = " ".join(" ".join(block).split())  # the block's words, wrapping undone
    assert "a plays any mix of 7 strategies: [row strategy number 0]" in text
    assert "and 1 more; b plays any mix of 7 strategies: [c0]" in text


def test_many_maximal_nash_subsets_are_cut_with_a_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SHOWN_SUBSETS sets a component says how many it leaves out (found by search)."""
    from negotiation.output import report

    path = tmp_path / "three.toml"
    path.write_text(
        'name = "three"\n[[players]]\nid = "a"\nstrategies = ["x", "y", "z"]\n'
        '[[players]]\nid = "b"\nstrategies = ["u", "v", "w"]\n[payoffs]\n'
        "a = [[1, 0, 1], [0, 0, 1], [0, 0, 0]]\nb = [[0, 0, 1], [1, 1, 0], [1, 0, 1]]\n"
    )
    full = run("solve", str(path), "--method", "exact")[1]
    assert full.count("     - a plays") == 3  # one component, three maximal Nash subsets
    monkeypatch.setattr(report, "SHOWN_SUBSETS", 1)
    cut = run("solve", str(path), "--method", "exact")[1]
    assert cut.count("     - a plays") == 1
    assert "     ... and 2 more such sets (the JSON output lists them all)" in cut


def test_no_catalogue_scenario_crashes_a_command() -> None:
    """Every catalogue entry, game trees included, lists, validates and shows (or exits 2)."""
    from negotiation.model.catalogue import catalogue

    assert run("list")[0] == 0
    assert run("list", "--format", "json")[0] == 0
    for name in catalogue():
        assert run("validate", name)[0] == 0, name
        assert run("validate", name, "--format", "json")[0] == 0, name
        code, _, err = run("show", name)
        assert code == 0 or (code == 2 and "this is a game tree" in err), name


def test_a_grid_over_the_limit_says_how_to_split_it(tmp_path: Path) -> None:
    """A grid beyond MAX_GRID_POINTS gets the limit's own advice, and no folder is made."""
    out = tmp_path / "big"
    code, _, err = run(
        "sweep", "rare-earth", "--param", "weights.us.supply_security=0:6:3000",
        "--param", "weights.us.legitimacy=0:1:3000", "--out", str(out),
    )  # fmt: skip
    assert code == 2
    assert "9,000,000 grid points is more than the limit" in err
    assert "split the sweep into ranges" in err
    assert "give one or two of --param" not in err
    assert not out.exists()


def test_lazy_commands_are_listed_by_their_own_help_without_importing_them() -> None:
    """`negotiation --help` lists explore and export with their own words, importing neither."""
    import importlib
    import subprocess
    import sys

    from negotiation.cli.app import LAZY_COMMANDS, LAZY_HELP

    assert set(LAZY_HELP) == set(LAZY_COMMANDS)
    for name, target in LAZY_COMMANDS.items():
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert LAZY_HELP[name] == command.get_short_help_str(limit=1000), name
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from negotiation.cli import main\n"
        "out = CliRunner().invoke(main, ['--help']).output\n"
        "assert 'explore' in out and 'export' in out, out\n"
        "print(sorted(m for m in sys.modules if m.startswith('negotiation.cli.')))\n"
        "print(sorted({'nashpy', 'scipy', 'numba', 'matplotlib'} & set(sys.modules)))\n"
    )
    lines = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    assert lines == ["['negotiation.cli.app', 'negotiation.cli.choices']", "[]"]


def test_a_stop_after_a_progress_bar_ends_its_line_with_a_real_newline() -> None:
    """A stop message that starts a fresh line prints a real newline, not an escaped one."""
    import click

    from negotiation.cli.app import Boundary, Stop

    @click.group(cls=Boundary)
    def group() -> None:
        """A throwaway group under the real error boundary."""

    @group.command()
    def halt() -> None:
        raise Stop("\ninterrupted after 3 of 9 grid points", 130)

    result = CliRunner().invoke(group, ["halt"])
    assert result.exit_code == 130
    assert result.stderr == "\ninterrupted after 3 of 9 grid points\n"


def test_a_reported_stop_keeps_ignoring_interrupts_at_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a stop is reported, an atexit hook ignores a late Ctrl-C during shutdown.

    (A second Ctrl-C arriving while the interpreter shut down killed the process with
    SIGINT, exit -2, instead of 130; in-process the handlers are still restored.)
    """
    import signal

    import click

    from negotiation.cli import app

    hooks: list[object] = []
    monkeypatch.setattr(app, "_EXIT_HOOK", False)
    monkeypatch.setattr(app.atexit, "register", hooks.append)

    @click.group(cls=app.Boundary)
    def group() -> None:
        """A throwaway group under the real error boundary."""

    @group.command()
    def halt() -> None:
        raise app.Stop("interrupted after 3 of 9 grid points", 130)

    before = signal.getsignal(signal.SIGINT)
    result = CliRunner().invoke(group, ["halt"])
    assert result.exit_code == 130
    assert hooks == [app._ignore_at_exit]
    assert signal.getsignal(signal.SIGINT) == before  # restored for the in-process caller
