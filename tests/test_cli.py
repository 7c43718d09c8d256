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
    assert "-3.8" in out  # US payoff for accepting the full offer


def test_show_cell_breaks_a_cell_down() -> None:
    """`show --cell` lists weight, score and product per criterion and their total."""
    code, out, _ = run("show", "rare-earth", "--cell", "accept", "full")
    assert code == 0
    lines = [line.split() for line in out.splitlines()]
    assert ["legitimacy", "1", "-2", "-2"] in lines  # US: weight 1 x score -2
    assert ["legitimacy", "-1", "-2", "2"] in lines  # Russia gains what the law loses
    assert ["total", "-3.8"] in lines
    assert ["total", "8"] in lines


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
    assert row.split() == ["1", "pure", "Diversify", "Full", "offer", "0.7", "-0.25"]
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
    """Weighing supply security 4.5 times makes accepting the full offer the equilibrium."""
    out = run("solve", "rare-earth", "--set", "weights.us.supply_security=4.5")[1]
    row = next(line for line in out.splitlines() if line.startswith("1  "))
    assert row.split()[:4] == ["1", "pure", "Accept", "Full"]


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
    assert "valid scenario 'rare-earth' (3x3, 7 criteria)" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["solve", "no-such-game"], "not a file and not a catalogue name"),
        (["solve", "rare-earth", "--set", "weights.us.legitimcy=2"], "did you mean 'legitimacy'"),
        (["solve", "rare-earth", "--set", "weights.us.legitimacy=hi"], "expected a finite number"),
        (["solve", "rare-earth", "--set", "weights.us.legitimacy"], "expected PATH=VALUE"),
        (["solve", "rare-earth", "--set", "criteria.wedge.scores[3][0]=1"], "out of range"),
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

    monkeypatch.setattr("negotiation.cli.solve", broken)
    code, _, err = run("solve", "chicken")
    assert code == 1
    assert err.startswith("Error: internal error (RuntimeError: boom). This is a bug")
    assert "please report it" in err
    assert err.count("\n") == 1


def test_running_out_of_memory_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """MemoryError is an environment failure: one line suggesting a smaller problem, exit 2."""

    def hungry(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr("negotiation.cli.solve", hungry)
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
