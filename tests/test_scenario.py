"""Scenario files: what valid files build, and the message every kind of bad input gets."""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import pytest

from negotiation import Axis, Grid, Scenario, ScenarioError, change_points, load, sweep
from negotiation.model.catalogue import load_tree
from negotiation.model.tree import TreeScenario

CRITERIA = """
name = "mini"
title = "A small criteria game"
[[players]]
id = "target"
strategies = ["comply", "violate"]
[[players]]
id = "sender"
label = "The sender"
strategies = [{ id = "enforce", label = "Enforce" }, "ignore"]
[criteria.gain]
description = "Unpunished gain"
scores = [[0, 0], [0, 1]]
[criteria.penalty]
scores = [[0, 0], [-1, 0]]
[weights.target]
gain = 3.0
penalty = 5
[weights.sender]
gain = -4
"""

DIRECT = """
name = "direct"
[[players]]
id = "row"
strategies = ["a", "b"]
[[players]]
id = "col"
strategies = ["x", "y", "z"]
[payoffs]
row = [[1, 2, 3], [4, 5, 6]]
col = [[0, 0, 0], [1, 1, 1]]
"""


def test_criteria_scenario_builds_exact_values() -> None:
    """A valid criteria file gives players, labels, exact scores and weights."""
    s = Scenario.from_string(CRITERIA, "mini.toml")
    assert s.name == "mini"
    assert s.player_ids == ("target", "sender")
    assert s.players[1].label == "The sender"
    assert s.players[1].strategy_labels == ("Enforce", "ignore")
    assert s.players[0].label == "target"  # the id stands in for a missing label
    assert s.criteria[1].scores == ((0, 0), (-1, 0))
    assert s.weights["target"] == {"gain": Fraction(3), "penalty": Fraction(5)}
    assert s.payoffs is None
    assert s.shape == (2, 2)


def test_decimals_are_exact() -> None:
    """Decimal weights are read exactly, so 0.1 + 0.2 is exactly 0.3 (no float rounding)."""
    text = CRITERIA.replace("gain = 3.0", "gain = 0.1").replace("penalty = 5", "penalty = 0.2")
    s = Scenario.from_string(text)
    assert s.weights["target"]["gain"] + s.weights["target"]["penalty"] == Fraction(3, 10)


def test_direct_scenario_builds_rectangular_tables() -> None:
    """Direct payoff tables may be non-square; rows follow the first player."""
    s = Scenario.from_string(DIRECT)
    assert s.shape == (2, 3)
    assert s.payoffs is not None
    assert s.payoffs["row"][1] == (4, 5, 6)
    assert s.criteria == ()


def test_from_toml_reads_a_file(tmp_path: Path) -> None:
    """from_toml reads a file and records it as the origin used in messages."""
    path = tmp_path / "mini.toml"
    path.write_text(CRITERIA)
    assert Scenario.from_toml(path).origin == str(path)


def test_with_overrides_changes_only_the_named_number() -> None:
    """with_overrides returns a revalidated copy and leaves the original untouched."""
    s = Scenario.from_string(CRITERIA)
    t = s.with_overrides({"weights.target.gain": "1/3", "criteria.gain.scores[violate][ignore]": 2})
    assert t.weights["target"]["gain"] == Fraction(1, 3)
    assert t.criteria[0].scores[1][1] == 2
    assert s.weights["target"]["gain"] == 3
    assert s.criteria[0].scores[1][1] == 1


def test_override_can_set_an_implicit_zero_weight() -> None:
    """A weight the file leaves out (an implicit 0) can be set by an override."""
    s = Scenario.from_string(CRITERIA, overrides={"weights.sender.penalty": "2"})
    assert s.weights["sender"]["penalty"] == 2


def test_override_by_position_and_by_id_agree() -> None:
    """criteria.X.scores[r][c] by position and by strategy ids address the same cell."""
    by_pos = Scenario.from_string(CRITERIA, overrides={"criteria.penalty.scores[1][0]": "-3"})
    by_id = Scenario.from_string(
        CRITERIA, overrides={"criteria.penalty.scores[violate][enforce]": "-3"}
    )
    assert by_pos == by_id
    assert by_pos.criteria[1].scores[1][0] == -3


def _json_floats(content: object) -> object:
    """Scenario content as it comes back from JSON: every non-integer number a float."""
    return json.loads(json.dumps(content, default=float))


def test_overrides_reach_the_floats_of_a_from_dict_scenario() -> None:
    """A number held as a float (content read from JSON) takes --set and sweep overrides.

    The parser reads a float as its shortest decimal form, so the override must give the
    same scenario as overriding the TOML file, whose numbers are exact decimals.
    """
    data = _json_floats(load("rare-earth").content)
    assert isinstance(data, dict)
    assert isinstance(data["weights"]["us"]["legitimacy"], float)
    scenario = Scenario.from_dict(data, "rare_earth.json")
    assert scenario == load("rare-earth")
    changes = {
        "weights.us.legitimacy": "1/3",
        "criteria.alliance_cohesion.scores[reject][full]": "-0.5",
    }
    assert scenario.with_overrides(changes) == load("rare-earth", changes)
    assert Scenario.from_dict(data, overrides=changes) == load("rare-earth", changes)
    path = "weights.us.diversification_cost"
    grid = Grid((Axis.parse_values(f"{path}=1.7,9/5,1.9"),))
    assert change_points(sweep(scenario, grid)) == change_points(sweep(load("rare-earth"), grid))


def test_overrides_reach_the_floats_of_a_from_dict_tree() -> None:
    """The same holds for a game tree built from JSON content (one override code path)."""
    data = _json_floats(load_tree("rare-earth-sequential").content)
    assert isinstance(data, dict)
    tree = TreeScenario.from_dict(data, "rare_earth_sequential.json")
    change = {"weights.russia.china_relations": "1.1"}
    assert tree.with_overrides(change) == load_tree("rare-earth-sequential", change)


def _error(text: str, overrides: dict[str, object] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_string(text, "bad.toml", overrides or {})
    return info.value


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('name = "x"\n[[players]\n', "", "invalid TOML"),
        ('name = "x"\n[[players]]\nid = "a"\n', "players", "exactly two"),
        (CRITERIA + '[[players]]\nid = "c"\nstrategies = ["u"]\n', "players", "got 3 players"),
        (CRITERIA.replace('id = "sender"', 'id = "target"'), "players[1].id", "duplicate"),
        (
            CRITERIA.replace('"comply", "violate"', '"comply", "comply"'),
            "players[0].strategies[1]",
            "duplicate strategy id",
        ),
        (
            CRITERIA.replace('["comply", "violate"]', "[]"),
            "players[0].strategies",
            "non-empty list",
        ),
        (CRITERIA.replace('"comply"', '"1st"'), "players[0].strategies[0]", "expected an id"),
        (CRITERIA.replace("[[0, 0], [0, 1]]", "[[0, 0]]"), "criteria.gain.scores", "got 1 row"),
        (
            CRITERIA.replace("[[0, 0], [0, 1]]", "[[0, 0], [0, 1, 2]]"),
            "criteria.gain.scores[1]",
            "row of 2 numbers",
        ),
        (
            CRITERIA.replace("[[0, 0], [0, 1]]", "[[0, 0], [0, nan]]"),
            "criteria.gain.scores[1][1]",
            "finite number, got NaN",
        ),
        (
            CRITERIA.replace("[[0, 0], [0, 1]]", "[[0, 0], [0, inf]]"),
            "criteria.gain.scores[1][1]",
            "finite number, got Infinity",
        ),
        (
            CRITERIA.replace("[[0, 0], [0, 1]]", '[[0, 0], [0, "1"]]'),
            "criteria.gain.scores[1][1]",
            "got string '1'",
        ),
        (
            CRITERIA.replace("[[0, 0], [0, 1]]", "[[0, 0], [0, true]]"),
            "criteria.gain.scores[1][1]",
            "got boolean true",
        ),
        (
            CRITERIA.replace("gain = 3.0", 'gain = "high"'),
            "weights.target.gain",
            "got string 'high'",
        ),
        (CRITERIA.replace("gain = 3.0", "gain = 1e400"), "weights.target.gain", "at most 1e100"),
        (
            CRITERIA.replace("[[0, 0], [0, 1]]", "[[0, 0], [0, -2e101]]"),
            "criteria.gain.scores[1][1]",
            "at most 1e100",
        ),
        (
            CRITERIA.replace("[criteria.gain]", "[criteria]\n[criteria.gain]").split(
                "[criteria.gain]"
            )[0]
            + "[weights.target]\n[weights.sender]\n",
            "criteria",
            "got an empty table",
        ),
        (CRITERIA + "[payoffs]\ntarget = [[0, 0], [0, 0]]\n", "payoffs", "not both"),
        (
            CRITERIA.replace("gain = 3.0", "gian = 3.0"),
            "weights.target.gian",
            "did you mean 'gain'",
        ),
        (CRITERIA + "[weights.nobody]\ngain = 1\n", "weights.nobody", "unknown key"),
        (CRITERIA.replace("[weights.sender]\ngain = -4\n", ""), "weights.sender", "missing"),
        (CRITERIA.replace('title = "A small', 'titel = "A small'), "titel", "did you mean 'title'"),
        (
            CRITERIA.replace('description = "Unpunished gain"', 'descripton = "x"'),
            "criteria.gain.descripton",
            "unknown key",
        ),
        (
            CRITERIA.replace('id = "target"', 'id = "target"\nstratgies = []'),
            "players[0].stratgies",
            "did you mean 'strategies'",
        ),
        (CRITERIA.replace('name = "mini"', ""), "name", "missing"),
        (
            CRITERIA.replace('title = "A small criteria game"', "title = 3"),
            "title",
            "expected a string",
        ),
        (DIRECT.replace("col = [[0, 0, 0], [1, 1, 1]]", ""), "payoffs.col", "missing"),
        (DIRECT + "other = [[0, 0, 0], [1, 1, 1]]\n", "payoffs.other", "unknown key"),
        (
            DIRECT.replace("[[1, 2, 3], [4, 5, 6]]", "[[1, 2], [4, 5]]"),
            "payoffs.row[0]",
            "row of 3 numbers",
        ),
        (DIRECT.replace("[payoffs]", "[nothing]").split("row = [[1")[0], "nothing", "unknown key"),
        (CRITERIA.split("[criteria.gain]")[0], "", "expected payoff tables"),
        (CRITERIA.replace("scores = [[0, 0], [-1, 0]]", ""), "criteria.penalty.scores", "missing"),
        (
            CRITERIA.replace("[weights.sender]\ngain = -4", "[weights]\nsender = 2"),
            "weights.sender",
            "expected a table",
        ),
    ],
)
def test_bad_content_names_the_key(text: str, key: str, expected: str) -> None:
    """Each kind of invalid content raises a ScenarioError naming the file and the key."""
    error = _error(text)
    assert error.source == "bad.toml"
    assert error.key == key
    assert expected in error.problem
    assert str(error).startswith(f"bad.toml: {key}" if key else "bad.toml: ")


def test_toml_syntax_error_gives_the_line() -> None:
    """A TOML syntax error reports its line and column."""
    assert "line 2" in str(_error('name = "x"\n[[players]\n'))


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("weights.target.nothing", "1", "has no key 'nothing'"),
        ("weights.nobody.gain", "1", "weights has no key 'nobody'"),
        ("criteria.gain.scores[2][0]", "1", "out of range"),
        ("criteria.gain.scores[violate][nobody]", "1", "unknown index [nobody]"),
        ("criteria.gain.description", "1", "does not name a number"),
        ("players[0].id", "1", "does not name a number"),
        ("criteria.gain.scores[0]", "1", "does not name a number"),
        ("weights.target.gain", "abc", "expected a finite number"),
        ("weights.target.gain", "nan", "expected a finite number"),
        ("weights.target.gain", "inf", "expected a finite number"),
        ("weights..gain", "1", "expected a path"),
    ],
)
def test_bad_override_names_the_path(path: str, value: str, expected: str) -> None:
    """Unknown override paths and non-numeric values raise a ScenarioError naming the path."""
    error = _error(CRITERIA, {path: value})
    assert error.key == path
    assert expected in error.problem


def test_override_float_nan_is_rejected() -> None:
    """A float NaN passed through the Python API is rejected like the string 'nan'."""
    assert "finite" in _error(CRITERIA, {"weights.target.gain": float("nan")}).problem


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d, "is a directory"),
        (lambda d: d / "missing.toml", "no such file"),
        (lambda d: _write(d / "bin.toml", bytes(range(256))), "not a UTF-8 text file"),
        (lambda d: _write(d / "nul.toml", b'name = "x"\x00\n'), "NUL"),
        (lambda d: _write(d / "empty.toml", b""), "missing; expected the scenario's name"),
    ],
)
def test_unreadable_files_are_reported(tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    """Directories, missing, binary and empty files give a ScenarioError naming the path."""
    path = make(tmp_path)
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(path)
    assert info.value.source == str(path)
    assert expected in info.value.problem


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_unreadable_permission_is_reported(tmp_path: Path) -> None:
    """A file without read permission gives a ScenarioError, not an OSError."""
    path = _write(tmp_path / "locked.toml", CRITERIA.encode())
    path.chmod(0)
    with pytest.raises(ScenarioError, match="cannot be read"):
        Scenario.from_toml(path)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_catalogue_scenarios_all_validate() -> None:
    """Every scenario shipped in games/ loads and has the file name as its name."""
    from negotiation import catalogue

    names = catalogue()
    assert {
        "rare-earth",
        "prisoners-dilemma",
        "battle-of-the-sexes",
        "chicken",
        "stag-hunt",
        "matching-pennies",
        "rock-paper-scissors",
        "inspection",
    } <= set(names)
    for name in names:
        assert load(name).name == name


def test_unknown_catalogue_name_lists_the_catalogue() -> None:
    """An unknown name that is not a path says so and lists the catalogue."""
    with pytest.raises(ScenarioError, match="rare-earth"):
        load("rare-eath")


DOCS = Path(__file__).resolve().parent.parent / "docs" / "reference" / "scenario-format.md"
DEAL = DOCS.read_text(encoding="utf-8").split("```toml\n")[1].split("```")[0]
DIRECT_DOC = DOCS.read_text(encoding="utf-8").split("```toml\n")[2].split("```")[0]


@pytest.mark.parametrize(
    ("base", "old", "new"),
    [
        (DIRECT_DOC, '[[players]]\nid = "col"\nstrategies = ["left", "right"]\n', ""),
        (DIRECT_DOC, "col = [[1, 0], [0, 1]]", "col = [[1, 0]]"),
        (DEAL, "scores = [[-1, 0], [0, 0]]", "scores = [[-1, 0], [0]]"),
        (DEAL, "risk = 1.5", "risk = 1e-500"),
        (DEAL, "risk = 1.5", "risk = 0." + "1" * 101),
        (DEAL, "risk = 1.5", "risk = " + "1" * 5000),
        (DIRECT_DOC, "[payoffs]", "[payoffs]\nextra = " + "[" * 100 + "]" * 100),
        (
            DIRECT_DOC,
            "col = [[1, 0], [0, 1]]\n",
            "col = [[1, 0], [0, 1]]\ncol = [[0, 0], [0, 0]]\n",
        ),
        (DIRECT_DOC, 'id = "row"', 'id = "row"\nlabel = "Row\\tplayer"'),
        (DIRECT_DOC, 'id = "row"', 'id = "' + "r" * 65 + '"'),
        (
            DIRECT_DOC,
            'strategies = ["left", "right"]',
            "strategies = [" + ", ".join(f'"s{i}"' for i in range(101)) + "]",
        ),
    ],
)
def test_documented_messages_are_the_real_ones(base: str, old: str, new: str) -> None:
    """The scenario-format page shows, word for word, the message each of these files gets.

    Among them the singular 'got 1 player' / 'got 1 row' / 'got 1 number' (the page said
    'got 1 players'), and the messages for numbers, nesting and sizes beyond the limits.
    """
    assert old in base
    with pytest.raises(ScenarioError) as info:
        Scenario.from_string(base.replace(old, new, 1), "bad.toml")
    message = f"Error: {info.value}"
    page = DOCS.read_text(encoding="utf-8")
    assert f"`{message}`" in page, message
