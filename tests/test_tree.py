"""Tree scenarios: what valid files build, overrides, sweep families, and every bad input."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError
from negotiation.model.tree import TreeScenario

TREES = Path(__file__).parent / "trees"

ENTRY = """
name = "entry"
[[players]]
id = "entrant"
label = "Entrant"
[[players]]
id = "incumbent"
[tree]
player = "entrant"
[tree.out]
payoffs = { entrant = 0, incumbent = 2 }
[tree.in]
label = "enters"
player = "incumbent"
[tree.in.fight]
payoffs = { entrant = -1, incumbent = -1 }
[tree.in.accommodate]
payoffs = { entrant = 1, incumbent = 1 }
"""

CRITERIA = """
name = "offer"
[[players]]
id = "russia"
[[players]]
id = "us"
[criteria.revenue]
label = "Revenue"
description = "Russian revenue from the deal"
[criteria.security]
[weights.russia]
revenue = 1
[weights.us]
security = 2
[tree]
player = "russia"
[tree.none]
scores = {}
[tree.offer]
player = "us"
[tree.offer.accept]
scores = { revenue = 3, security = 0.5 }
[tree.offer.decline]
scores = { security = -0.1 }
"""

PRIOR = """
name = "prior"
[[players]]
id = "a"
[tree]
chance = { strong = 0.9, weak = "rest" }
[tree.strong]
payoffs = { a = 1 }
[tree.weak]
player = "a"
x = { payoffs = { a = 0 } }
y = { payoffs = { a = 2 } }
"""


def parse(text: str, origin: str = "t.toml", **overrides: Any) -> TreeScenario:
    """Parse tree text with overrides given as keyword arguments (dots as __)."""
    return TreeScenario.from_string(
        text, origin, {k.replace("__", "."): v for k, v in overrides.items()}
    )


def error(text: str, **overrides: Any) -> ScenarioError:
    """The ScenarioError that parsing the text raises."""
    with pytest.raises(ScenarioError) as caught:
        parse(text, **overrides)
    return caught.value


# -- what valid files build -----------------------------------------------------------------


def test_nodes_are_toml_paths_in_preorder() -> None:
    """Node ids are the TOML paths of their tables, listed depth first in file order."""
    tree = parse(ENTRY)
    assert [n.id for n in tree.nodes] == [
        "tree",
        "tree.out",
        "tree.in",
        "tree.in.fight",
        "tree.in.accommodate",
    ]
    root = tree.root
    assert root.kind == "decision"
    assert root.actions == ("out", "in")
    assert tree.players[root.player].id == "entrant"
    assert tree.node("tree.in").label == "enters"
    assert tree.node("tree.out").label == "out"  # the action id stands in for a label
    assert tree.node("tree.in.fight").payoffs == (Fraction(-1), Fraction(-1))
    assert tree.node("tree.in").end == 5
    assert tree.node("tree.out").end == 2
    assert tree.players[0].label == "Entrant"
    assert tree.players[1].label == "incumbent"


def test_every_catalogue_style_test_tree_parses() -> None:
    """Each scenario under tests/trees/ parses and has one root subgame at least."""
    files = sorted(TREES.glob("*.toml"))
    assert len(files) >= 9
    for path in files:
        tree = TreeScenario.from_toml(path)
        assert tree.origin == str(path)
        assert tree.subgame_roots[0] == 0


def test_leaf_payoffs_from_scores_are_weighted_sums() -> None:
    """A scored leaf pays sum of weight x score exactly; unscored criteria count 0."""
    tree = parse(CRITERIA)
    accept = tree.node("tree.offer.accept")
    assert accept.scores == {"revenue": Fraction(3), "security": Fraction(1, 2)}
    assert accept.payoffs == (Fraction(3), Fraction(1))  # russia: 1*3, us: 2*0.5
    assert tree.node("tree.offer.decline").payoffs == (Fraction(0), Fraction(-1, 5))
    assert tree.node("tree.none").payoffs == (Fraction(0), Fraction(0))
    assert [c.label for c in tree.criteria] == ["Revenue", "security"]
    assert tree.criteria[0].description == "Russian revenue from the deal"


def test_chance_probabilities_are_exact_and_rest_completes_them() -> None:
    """0.9 is read as 9/10 and "rest" is exactly 1 minus the other probabilities."""
    tree = parse(PRIOR)
    assert tree.root.kind == "chance"
    assert tree.root.probabilities == (Fraction(9, 10), Fraction(1, 10))
    assert tree.chance_nodes == (0,)


def test_infosets_group_nodes_and_record_perfect_recall() -> None:
    """Nodes sharing an infoset form one set whose actions follow its first node's order."""
    text = (TREES / "matching_pennies.toml").read_text()
    heads = "heads = { payoffs = { even = -1, odd = 1 } }"
    tails = "tails = { payoffs = { even = 1, odd = -1 } }"
    assert f"{heads}\n{tails}" in text
    text = text.replace(f"{heads}\n{tails}", f"{tails}\n{heads}")
    tree = parse(text)
    guess = next(i for i in tree.infosets if i.id == "guess")
    assert guess.named
    assert not guess.singleton
    assert [tree.nodes[v].id for v in guess.nodes] == ["tree.heads", "tree.tails"]
    assert guess.actions == ("heads", "tails")
    second = tree.node("tree.tails")  # written tails first, reordered to the set's order
    assert second.actions == ("heads", "tails")
    assert tree.nodes[second.children[0]].id == "tree.tails.heads"
    assert not tree.perfect_information
    assert tree.subgame_roots == (0,)


def test_subgame_roots_exclude_nodes_an_infoset_crosses() -> None:
    """Subgames start at nodes whose subtree no information set leaves (Selten 1965)."""
    tree = TreeScenario.from_toml(TREES / "entry_chance.toml")
    assert [tree.nodes[v].id for v in tree.subgame_roots] == [
        "tree",
        "tree.strong.in",
        "tree.weak.in",
    ]
    outside = TreeScenario.from_toml(TREES / "outside_option.toml")
    assert [outside.nodes[v].id for v in outside.subgame_roots] == ["tree", "tree.in"]


def test_three_players_and_one_player_trees_are_allowed() -> None:
    """Trees take any number of players, from one up."""
    tree = parse(PRIOR)
    assert tree.player_ids == ("a",)
    three = parse(
        """
name = "three"
[[players]]
id = "a"
[[players]]
id = "b"
[[players]]
id = "c"
[tree]
player = "c"
x = { payoffs = { a = 1, b = 2, c = 3 } }
"""
    )
    assert three.root.payoffs == ()
    assert three.nodes[1].payoffs == (1, 2, 3)


def test_from_toml_reads_files_and_refuses_others(tmp_path: Path) -> None:
    """from_toml reads a regular file and refuses directories, missing and binary files."""
    path = tmp_path / "entry.toml"
    path.write_text(ENTRY)
    assert TreeScenario.from_toml(path).name == "entry"
    for bad, why in [
        (tmp_path, "is a directory"),
        (tmp_path / "missing.toml", "no such file"),
    ]:
        with pytest.raises(ScenarioError, match=why):
            TreeScenario.from_toml(bad)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ScenarioError, match="UTF-8"):
        TreeScenario.from_toml(binary)


# -- overrides ------------------------------------------------------------------------------


def test_override_a_leaf_payoff_by_its_path() -> None:
    """tree.in.fight.payoffs.incumbent addresses one payoff, as issue 10 asks."""
    tree = parse(ENTRY).with_overrides({"tree.in.fight.payoffs.incumbent": Fraction(2)})
    assert tree.node("tree.in.fight").payoffs == (Fraction(-1), Fraction(2))
    assert tree.content["tree"]["in"]["fight"]["payoffs"]["incumbent"] == 2


def test_override_scores_and_weights_including_implicit_zeros() -> None:
    """Scores and weights the file leaves out (0) can be overridden like written ones."""
    tree = parse(
        CRITERIA,
        tree__offer__decline__scores__revenue="1/2",  # not written: was 0
        weights__us__revenue=4,  # not written: was 0
        tree__offer__accept__scores__revenue=5,
    )
    assert tree.node("tree.offer.decline").payoffs == (Fraction(1, 2), Fraction(2 - Fraction(1, 5)))
    assert tree.node("tree.offer.accept").payoffs == (Fraction(5), Fraction(21))


def test_override_a_prior_through_the_rest() -> None:
    """Overriding tree.chance.strong keeps the sum at 1 through the rest."""
    tree = parse(PRIOR, tree__chance__strong="1/3")
    assert tree.root.probabilities == (Fraction(1, 3), Fraction(2, 3))
    assert parse(PRIOR, tree__chance__strong=1).root.probabilities == (1, 0)


def test_overriding_the_rest_names_the_path_to_use() -> None:
    """The rest itself is not a number: the message says which path to override instead."""
    e = error(PRIOR, tree__chance__weak="0.2")
    assert e.key == "tree.chance.weak"
    assert "is the rest" in e.problem
    assert "tree.chance.strong" in e.problem


def test_invalid_overrides_are_refused_like_the_file() -> None:
    """An override that breaks a rule (a probability above 1) fails as the file would."""
    e = error(PRIOR, tree__chance__strong="3/2")
    assert e.key == "tree.chance.strong"
    assert "from 0 to 1" in e.problem
    e = error(ENTRY, tree__in__bite__payoffs__entrant=1)
    assert "unknown override path" in e.problem
    assert "tree.in" in e.problem
    e = error(ENTRY, tree__in__player=1)
    assert "does not name a number" in e.problem


# -- sweep families -------------------------------------------------------------------------


def test_family_numbers_match_overrides_exactly() -> None:
    """At every grid point the family's exact numbers equal the overridden tree's."""
    tree = parse(CRITERIA)
    axes = [
        ("weights.us.security", [Fraction(-1), Fraction(0), Fraction(3, 2), Fraction(4)]),
        ("tree.offer.accept.scores.security", [Fraction(1, 3), Fraction(2)]),
    ]
    family = tree.family(axes)
    for w in axes[0][1]:
        for s in axes[1][1]:
            expected = tree.with_overrides({axes[0][0]: w, axes[1][0]: s}).numbers
            assert family.numbers_at([w, s]) == expected


def test_family_prior_is_affine_through_the_rest() -> None:
    """Sweeping a prior moves both probabilities of a two-outcome chance node."""
    family = parse(PRIOR).family([("tree.chance.strong", [Fraction(0), Fraction(1)])])
    numbers = family.numbers_at([Fraction(1, 4)])
    assert numbers.probabilities[0] == (Fraction(1, 4), Fraction(3, 4))
    _, probabilities, _ = family.floats_at(np.array([[0.25], [1.0]]))
    assert probabilities.tolist() == [[0.25, 0.75], [1.0, 0.0]]


def test_family_floats_leave_untouched_numbers_exact() -> None:
    """A number no swept path touches is exactly float() of its value at every point."""
    tree = parse(CRITERIA.replace("security = -0.1", "security = 0.1"))
    family = tree.family([("weights.russia.revenue", [Fraction(0), Fraction(1, 10), Fraction(7)])])
    payoffs, _, scale = family.floats_at(np.array([[0.0], [0.1], [7.0]]))
    decline = tree.leaves.index(tree.index("tree.offer.decline"))
    assert payoffs[:, decline, 1].tolist() == [0.2, 0.2, 0.2]  # 2 * 0.1, never touched
    accept = tree.leaves.index(tree.index("tree.offer.accept"))
    assert payoffs[:, accept, 0].tolist() == [0.0, 0.30000000000000004, 21.0]
    assert scale.tolist() == [1.0, 1.0, 21.0]


def test_family_refuses_values_outside_its_range_and_invalid_corners() -> None:
    """Grid ends are validated like the file; exact evaluation stays inside the range."""
    with pytest.raises(ScenarioError, match="from 0 to 1"):
        parse(PRIOR).family([("tree.chance.strong", [Fraction(0), Fraction(2)])])
    family = parse(PRIOR).family([("tree.chance.strong", [Fraction(0), Fraction(1, 2)])])
    with pytest.raises(ValueError, match="outside"):
        family.numbers_at([Fraction(3, 4)])


# -- bad input: each class of section 1 of issue 10 ------------------------------------------

BAD: list[tuple[str, str, str, str]] = [
    # (what, replace this, with this, expected key ... message fragment)
    (
        "both player and chance",
        'player = "incumbent"',
        'player = "incumbent"\nchance = { a = 1 }',
        "tree.in.chance",
        "not several",
    ),
    (
        "both player and payoffs",
        'player = "incumbent"',
        'player = "incumbent"\npayoffs = { entrant = 0, incumbent = 0 }',
        "tree.in.payoffs",
        "not several",
    ),
    ("neither player nor chance", 'player = "incumbent"', "", "tree.in", "needs player"),
    (
        "misspelt setting",
        'player = "incumbent"',
        'plyer = "incumbent"',
        "tree.in",
        "misspelling of 'player'",
    ),
    (
        "unknown player",
        'player = "incumbent"',
        'player = "incumbnt"',
        "tree.in.player",
        "did you mean 'incumbent'",
    ),
    (
        "leaf missing a payoff",
        "payoffs = { entrant = 0, incumbent = 2 }",
        "payoffs = { entrant = 0 }",
        "tree.out.payoffs.incumbent",
        "every leaf names",
    ),
    (
        "leaf with an unknown player",
        "payoffs = { entrant = 0, incumbent = 2 }",
        "payoffs = { entrant = 0, incumbent = 2, bank = 1 }",
        "tree.out.payoffs.bank",
        "expected a player id",
    ),
    (
        "string payoff",
        "incumbent = 2 }",
        'incumbent = "two" }',
        "tree.out.payoffs.incumbent",
        "expected a finite number",
    ),
    (
        "nan payoff",
        "incumbent = 2 }",
        "incumbent = nan }",
        "tree.out.payoffs.incumbent",
        "finite number",
    ),
    (
        "empty action set",
        "[tree.in.fight]\npayoffs = { entrant = -1, incumbent = -1 }\n"
        "[tree.in.accommodate]\npayoffs = { entrant = 1, incumbent = 1 }\n",
        "",
        "tree.in",
        "no actions",
    ),
    ("action id not an id", "[tree.out]", '[tree."1out"]', "tree.1out", "expected an id"),
    (
        "leaf with an action",
        "[tree.in.fight]\npayoffs = { entrant = -1, incumbent = -1 }",
        "[tree.in.fight]\npayoffs = { entrant = -1, incumbent = -1 }\nagain = { payoffs = "
        "{ entrant = 0, incumbent = 0 } }",
        "tree.in.fight.again",
        "a leaf cannot have",
    ),
    (
        "strategies listed",
        'id = "entrant"',
        'id = "entrant"\nstrategies = ["in", "out"]',
        "players[0].strategies",
        "list no strategies",
    ),
    ("duplicate player", 'id = "incumbent"', 'id = "entrant"', "players[1].id", "duplicate"),
    (
        "unknown top-level key",
        'name = "entry"',
        'name = "entry"\npayofs = 1',
        "payofs",
        "unknown key",
    ),
]


@pytest.mark.parametrize(("what", "old", "new", "key", "fragment"), BAD, ids=[b[0] for b in BAD])
def test_bad_entry_trees_name_file_key_and_expectation(
    what: str, old: str, new: str, key: str, fragment: str
) -> None:
    """Each kind of bad input raises a ScenarioError naming the file, the key and the rule."""
    assert old in ENTRY, what
    e = error(ENTRY.replace(old, new, 1))
    assert e.source == "t.toml"
    assert e.key == key
    assert fragment in e.problem
    assert str(e).startswith(f"t.toml: {key}: ")


def test_infoset_mixing_players_is_refused() -> None:
    """Nodes of one information set must belong to one player."""
    text = (TREES / "matching_pennies.toml").read_text()
    text = text.replace('[tree.tails]\nplayer = "odd"', '[tree.tails]\nplayer = "even"')
    e = error(text)
    assert e.key == "tree.tails.player"
    assert "mixes players" in e.problem


def test_infoset_mixing_action_sets_is_refused() -> None:
    """Nodes of one information set must offer the same actions."""
    text = (TREES / "matching_pennies.toml").read_text()
    text = text.replace(
        "tails = { payoffs = { even = 1, odd = -1 } }",
        "edge = { payoffs = { even = 1, odd = -1 } }",
    )
    e = error(text)
    assert e.key == "tree.tails"
    assert "same actions as tree.heads (heads, tails)" in e.problem


def test_imperfect_recall_is_refused() -> None:
    """A player who would forget their own earlier move (absent-minded) is refused."""
    e = error(
        """
name = "forgetful"
[[players]]
id = "driver"
[tree]
player = "driver"
infoset = "junction"
exit = { payoffs = { driver = 0 } }
[tree.continue]
player = "driver"
infoset = "junction"
exit = { payoffs = { driver = 4 } }
continue = { payoffs = { driver = 1 } }
"""
    )
    assert e.key == "tree.continue.infoset"
    assert "perfect recall" in e.problem


@pytest.mark.parametrize(
    ("chance", "key", "fragment"),
    [
        ("{ strong = 0.9, weak = 0.2 }", "tree.chance", "sum to 11/10; expected exactly 1"),
        ("{ strong = 1.2, weak = -0.2 }", "tree.chance.strong", "from 0 to 1"),
        ("{ strong = 0.5, weak = -0.5 }", "tree.chance.weak", "from 0 to 1"),
        ('{ strong = "rest", weak = "rest" }', "tree.chance.weak", "only one outcome"),
        ('{ strong = 1.5, weak = "rest" }', "tree.chance.strong", "from 0 to 1"),
        ('{ strong = "most", weak = "rest" }', "tree.chance.strong", "or 'rest'"),
        ("{ strong = 1 }", "tree.weak", "without a probability"),
        ("{ strong = 0.5, weak = 0.25, odd = 0.25 }", "tree.chance.odd", "no node"),
        ("{}", "tree.chance", "an empty table"),
    ],
)
def test_bad_chance_nodes_are_refused(chance: str, key: str, fragment: str) -> None:
    """Probabilities must be non-negative, sum to exactly 1, and match the child tables."""
    e = error(PRIOR.replace('{ strong = 0.9, weak = "rest" }', chance))
    assert e.key == key
    assert fragment in e.problem


def test_criteria_rules_are_enforced() -> None:
    """Scores need criteria, payoffs are refused among scores, and criteria hold no tables."""
    e = error(
        CRITERIA.replace(
            "[tree.none]\nscores = {}", "[tree.none]\npayoffs = { russia = 0, us = 0 }"
        )
    )
    assert e.key == "tree.none.payoffs"
    assert "scores" in e.problem
    e = error(CRITERIA.replace("scores = { revenue = 3", "scores = { revenu = 3"))
    assert e.key == "tree.offer.accept.scores.revenu"
    assert "did you mean 'revenue'" in e.problem
    e = error(CRITERIA.replace("[criteria.security]", "[criteria.security]\nscores = [[1]]"))
    assert e.key == "criteria.security.scores"
    assert "belong to the leaves" in e.problem
    e = error(ENTRY.replace("payoffs = { entrant = 0, incumbent = 2 }", "scores = { x = 1 }"))
    assert e.key == "tree.out.scores"
    assert "[criteria" in e.problem
    e = error(CRITERIA.replace("[weights.us]\nsecurity = 2", ""))
    assert e.key == "weights.us"
    assert "missing" in e.problem


def test_missing_name_tree_and_toml_errors() -> None:
    """A file without name or [tree], or with TOML syntax errors, is refused precisely."""
    assert error(ENTRY.replace('name = "entry"', "")).key == "name"
    e = error(ENTRY[: ENTRY.index("[tree]")])
    assert e.key == "tree"
    assert "root node" in e.problem
    e = error(ENTRY + "\n[tree.out\n")
    assert e.key == ""
    assert "invalid TOML" in e.problem


def test_chance_nodes_have_no_infoset() -> None:
    """An information set on a chance node is refused."""
    e = error(PRIOR.replace("[tree.strong]", 'infoset = "nature"\n[tree.strong]'))
    assert e.key == "tree.infoset"
    assert "chance nodes" in e.problem


def test_magnitude_and_digit_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Numbers beyond 1e100 or with too many digits are refused as LimitErrors."""
    with pytest.raises(LimitError, match="magnitude"):
        parse(ENTRY.replace("incumbent = 2 }", "incumbent = 1e101 }"))
    with pytest.raises(LimitError, match="magnitude"):
        parse(ENTRY.replace("incumbent = 2 }", "incumbent = 1e-5000 }"))
    with pytest.raises(LimitError, match="significant digits"):
        parse(ENTRY.replace("incumbent = 2 }", "incumbent = 0." + "1" * 120 + " }"))


def test_depth_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree deeper than MAX_TREE_DEPTH is refused at the first node beyond the limit."""

    def chain(depth: int) -> dict[str, Any]:
        node: dict[str, Any] = {"payoffs": {"a": 0}}
        for _ in range(depth):
            node = {"player": "a", "go": node}
        return {"name": "deep", "players": [{"id": "a"}], "tree": node}

    deepest = TreeScenario.from_dict(chain(limits.MAX_TREE_DEPTH))
    assert deepest.depth == limits.MAX_TREE_DEPTH
    with pytest.raises(LimitError) as caught:
        TreeScenario.from_dict(chain(limits.MAX_TREE_DEPTH + 1), "deep.toml")
    assert caught.value.key == "tree" + ".go" * (limits.MAX_TREE_DEPTH + 1)
    assert "MAX_TREE_DEPTH" in caught.value.problem
    with pytest.raises(LimitError, match="nest more than"):
        TreeScenario.from_dict(chain(limits.MAX_TREE_DEPTH + 10))


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree with more than MAX_TREE_NODES nodes is refused, naming the limit."""
    monkeypatch.setattr(limits, "MAX_TREE_NODES", 4)
    with pytest.raises(LimitError) as caught:
        parse(ENTRY)
    assert caught.value.key == "tree.in.accommodate"
    assert "MAX_TREE_NODES" in caught.value.problem
