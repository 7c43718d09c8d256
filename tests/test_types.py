"""Player types with a prior: the TOML format, its compilation to a tree, overrides, errors."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from negotiation.errors import ScenarioError
from negotiation.model.tree import TreeScenario
from negotiation.model.types import (
    TypedTreeScenario,
    compile_types,
    has_types,
    read_tree,
    tree_from_string,
)

TYPES = Path(__file__).parent / "trees" / "types"
F = Fraction
BEER_QUICHE = (TYPES / "beer_quiche.toml").read_text()

CRITERIA = """
name = "offer"
[[players]]
id = "russia"
[[players]]
id = "us"
[types.russia]
trap = 0.25
genuine = "rest"
[criteria.revenue]
label = "Revenue"
[criteria.leverage]
[criteria.security]
[weights.russia]
revenue = 1
[weights.russia.trap]
leverage = 2
revenue = 0.5
[weights.us]
security = 1
leverage = -1
[tree]
player = "russia"
[tree.none]
scores = {}
[tree.offer]
player = "us"
[tree.offer.decline]
scores = { security = { trap = 1, genuine = 0.5 } }
[tree.offer.accept]
player = "russia"
honour = { scores = { revenue = 3, security = 2 } }
weaponise = { scores = { revenue = 1, leverage = 3, security = -3 } }
"""


def parse(text: str, **overrides: Any) -> TypedTreeScenario:
    """Parse typed tree text (origin t.toml) with overrides as keyword arguments (__ for .)."""
    tree = tree_from_string(text, "t.toml", {k.replace("__", "."): v for k, v in overrides.items()})
    assert isinstance(tree, TypedTreeScenario)
    return tree


def error(text: str, **overrides: Any) -> ScenarioError:
    """The ScenarioError that parsing typed text raises."""
    with pytest.raises(ScenarioError) as caught:
        parse(text, **overrides)
    return caught.value


# -- compilation -----------------------------------------------------------------------------


def test_types_compile_to_a_chance_node_copies_and_infosets() -> None:
    """Beer-Quiche: a chance node over types, a copy per type, the receiver's copies joined."""
    tree = parse(BEER_QUICHE)
    assert [n.id for n in tree.nodes] == [
        "tree",
        "tree.strong",
        "tree.strong.beer",
        "tree.strong.beer.duel",
        "tree.strong.beer.no_duel",
        "tree.strong.quiche",
        "tree.strong.quiche.duel",
        "tree.strong.quiche.no_duel",
        "tree.weak",
        "tree.weak.beer",
        "tree.weak.beer.duel",
        "tree.weak.beer.no_duel",
        "tree.weak.quiche",
        "tree.weak.quiche.duel",
        "tree.weak.quiche.no_duel",
    ]
    assert tree.root.kind == "chance"
    assert tree.root.probabilities == (F(9, 10), F(1, 10))
    infosets = {i.id: [tree.nodes[v].id for v in i.nodes] for i in tree.infosets}
    assert infosets == {
        "tree.strong": ["tree.strong"],
        "beer": ["tree.strong.beer", "tree.weak.beer"],
        "quiche": ["tree.strong.quiche", "tree.weak.quiche"],
        "tree.weak": ["tree.weak"],
    }
    # Type-dependent numbers resolved in each copy (Cho and Kreps 1987 payoffs).
    assert tree.node("tree.strong.beer.duel").payoffs == (1, 0)
    assert tree.node("tree.weak.beer.duel").payoffs == (0, 1)
    assert tree.node("tree.weak.quiche.no_duel").payoffs == (3, 0)
    assert tree.node("tree.weak.quiche.no_duel").label == "does not duel"
    info = tree.type_info
    assert info is not None
    assert [(p.id, p.types, p.prior) for p in info.players] == [
        ("sender", ("strong", "weak"), (F(9, 10), F(1, 10)))
    ]
    assert info.profile["tree.weak.beer.duel"] == {"sender": "weak"}
    assert info.original["tree.weak.beer.duel"] == "tree.beer.duel"


def test_hand_written_chance_and_infosets_build_the_same_tree() -> None:
    """The [types] form and the hand-written chance node with infosets give identical trees."""
    typed = read_tree(TYPES / "beer_quiche.toml")
    plain = read_tree(TYPES / "beer_quiche_tree.toml")
    assert isinstance(typed, TypedTreeScenario)
    assert type(plain) is TreeScenario

    def shape(tree: TreeScenario) -> list[Any]:
        return [(n.id, n.kind, n.label, n.actions, n.payoffs, n.probabilities) for n in tree.nodes]

    assert shape(typed) == shape(plain)
    assert [(i.id, i.nodes, i.actions) for i in typed.infosets] == [
        (i.id, i.nodes, i.actions) for i in plain.infosets
    ]
    assert typed.subgame_roots == plain.subgame_roots == (0,)  # the receiver spans types


def test_untyped_first_mover_joins_all_copies_and_typed_player_knows_its_type() -> None:
    """The untyped truster's root copies form one set; each trustee type moves alone."""
    tree = read_tree(TYPES / "trust_honest.toml")
    infosets = {i.id: [tree.nodes[v].id for v in i.nodes] for i in tree.infosets}
    assert infosets == {
        "root": ["tree.honest", "tree.opportunist"],
        "tree.honest.trust": ["tree.honest.trust"],
        "tree.opportunist.trust": ["tree.opportunist.trust"],
    }
    assert tree.node("tree.honest.trust.abuse").payoffs == (-5, 5)
    assert tree.node("tree.opportunist.trust.abuse").payoffs == (-5, 15)


def test_type_dependent_weights_split_criteria_per_type() -> None:
    """[weights.russia.trap] splits the criteria it weighs per type; payoffs match by hand."""
    tree = parse(CRITERIA)
    assert [c.id for c in tree.criteria] == [
        "revenue-trap",
        "revenue-genuine",
        "leverage-trap",
        "leverage-genuine",
        "security",
    ]
    assert [c.label for c in tree.criteria][:2] == ["Revenue (trap)", "Revenue (genuine)"]
    assert tree.weights["russia"] == {
        "revenue-trap": F(1, 2),
        "revenue-genuine": 1,
        "leverage-trap": 2,
    }
    assert tree.weights["us"] == {"security": 1, "leverage-trap": -1, "leverage-genuine": -1}
    # Trap weaponises: russia 0.5*1 + 2*3 = 6.5; us 1*(-3) - 3 = -6.
    assert tree.node("tree.trap.offer.accept.weaponise").payoffs == (F(13, 2), -6)
    # Genuine weaponises: russia 1*1 (leverage unweighted) = 1; us -3 - 3 = -6.
    assert tree.node("tree.genuine.offer.accept.weaponise").payoffs == (1, -6)
    assert tree.node("tree.genuine.offer.accept.honour").payoffs == (3, 2)
    # A type-dependent score: the US's security when declining.
    assert tree.node("tree.trap.offer.decline").payoffs == (0, 1)
    assert tree.node("tree.genuine.offer.decline").payoffs == (0, F(1, 2))


def test_two_typed_players_nest_chance_nodes_and_join_what_each_cannot_see() -> None:
    """With two typed players each node joins the copies differing only in the other's type."""
    text = """
name = "both"
[[players]]
id = "a"
[[players]]
id = "b"
[types.a]
hi = 0.5
lo = "rest"
[types.b]
x = 0.25
y = "rest"
[tree]
player = "a"
[tree.go]
player = "b"
l = { payoffs = { a = { hi = 1, lo = 0 }, b = { x = 2, y = 0 } } }
r = { payoffs = { a = 0, b = 1 } }
[tree.stop]
payoffs = { a = 0, b = 0 }
"""
    tree = parse(text)
    assert tree.root.probabilities == (F(1, 2), F(1, 2))
    assert tree.node("tree.hi").kind == "chance"
    assert tree.node("tree.hi").probabilities == (F(1, 4), F(3, 4))
    infosets = {i.id: [tree.nodes[v].id for v in i.nodes] for i in tree.infosets}
    assert infosets == {
        "root-hi": ["tree.hi.x", "tree.hi.y"],
        "go-x": ["tree.hi.x.go", "tree.lo.x.go"],
        "go-y": ["tree.hi.y.go", "tree.lo.y.go"],
        "root-lo": ["tree.lo.x", "tree.lo.y"],
    }
    assert tree.node("tree.lo.x.go.l").payoffs == (0, 2)
    assert tree.with_overrides({"types.b.x": "1/3"}).node("tree.lo").probabilities == (
        F(1, 3),
        F(2, 3),
    )


def test_compile_types_gives_raw_tree_content_and_has_types_detects_the_form() -> None:
    """compile_types maps typed content to content TreeScenario.from_dict accepts."""
    data = {
        "name": "g",
        "players": [{"id": "a"}, {"id": "b"}],
        "types": {"a": {"hi": F(1, 3), "lo": "rest"}},
        "tree": {"player": "a", "x": {"payoffs": {"a": {"hi": 1, "lo": 0}, "b": 0}}},
    }
    assert has_types(data)
    raw = compile_types(data)
    assert not has_types(raw)
    tree = TreeScenario.from_dict(raw)
    assert [n.id for n in tree.nodes] == ["tree", "tree.hi", "tree.hi.x", "tree.lo", "tree.lo.x"]
    assert tree.node("tree.hi.x").payoffs == (1, 0)
    assert data["types"] == {"a": {"hi": F(1, 3), "lo": "rest"}}  # the input is not modified


# -- overrides and sweeps ---------------------------------------------------------------------


def test_the_prior_is_overridden_by_its_file_path_and_the_rest_follows() -> None:
    """types.sender.strong sets the prior; the 'rest' type keeps the sum exactly 1."""
    tree = parse(BEER_QUICHE, types__sender__strong="1/3")
    assert tree.root.probabilities == (F(1, 3), F(2, 3))
    assert tree.with_overrides({"types.sender.strong": 0}).root.probabilities == (0, 1)


def test_type_dependent_numbers_weights_and_implicit_zeros_are_overridable() -> None:
    """Paths of the file reach per-type numbers, per-type weights, and unset weights/scores."""
    tree = parse(
        CRITERIA,
        tree__offer__decline__scores__security__genuine=2,
        weights__russia__trap__leverage=4,
        weights__us__revenue=1,
        weights__russia__genuine__leverage=1,
        tree__none__scores__revenue=-1,
    )
    assert tree.node("tree.genuine.offer.decline").payoffs == (0, 2)
    assert tree.node("tree.trap.offer.accept.weaponise").payoffs == (F(25, 2), -5)
    assert tree.node("tree.genuine.offer.accept.weaponise").payoffs == (4, -5)
    assert tree.node("tree.trap.none").payoffs == (F(-1, 2), -1)


def test_a_sweep_family_follows_the_prior_exactly() -> None:
    """TreeFamily over types.sender.strong evaluates the prior and its complement exactly."""
    tree = parse(BEER_QUICHE)
    family = tree.family([("types.sender.strong", [F(0), F(1)])])
    assert family.numbers_at([F(3, 10)]).probabilities[0] == (F(3, 10), F(7, 10))
    assert family.numbers_at([F(1)]).probabilities[0] == (1, 0)


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        ("strong = 0.9", "strong = 1.2", "types.sender.strong", "from 0 to 1, got 6/5"),
        ("strong = 0.9", "strong = -0.1", "types.sender.strong", "from 0 to 1, got -1/10"),
        ("strong = 0.9", 'strong = "x"', "types.sender.strong", "or 'rest'"),
        ('weak = "rest"', "weak = 0.2", "types.sender", "sum to 11/10; expected exactly 1"),
        ("strong = 0.9", 'strong = "rest"', "types.sender.weak", "only one type may be 'rest'"),
        ('weak = "rest"', "", "types.sender", "at least two types"),
        (
            "[types.sender]",
            "[types.sendr]",
            "types.sendr",
            "unknown player (did you mean 'sender'?)",
        ),
        ("strong = 0.9", "player = 0.9", "types.sender.player", "expected a type id"),
        (
            "sender = { strong = 1, weak = 0 }",
            "sender = { strong = 1, wek = 0 }",
            "tree.beer.duel.payoffs.sender.wek",
            "unknown type of 'sender'",
        ),
        (
            "sender = { strong = 1, weak = 0 }",
            "sender = { strong = 1 }",
            "tree.beer.duel.payoffs.sender.weak",
            "missing; expected the number for type 'weak'",
        ),
        (
            "sender = { strong = 1, weak = 0 }",
            "sender = { hot = 1, cold = 0 }",
            "tree.beer.duel.payoffs.sender.hot",
            "unknown type, expected: strong, weak",
        ),
        (
            "sender = { strong = 1, weak = 0 }",
            'sender = { strong = "x", weak = 0 }',
            "tree.beer.duel.payoffs.sender.strong",
            "expected a finite number",
        ),
    ],
)
def test_bad_types_name_the_file_key_and_expectation(
    old: str, new: str, key: str, fragment: str
) -> None:
    """Each bad input names t.toml, the key as written in the file, and what was expected."""
    assert old in BEER_QUICHE
    e = error(BEER_QUICHE.replace(old, new, 1))
    assert e.source == "t.toml"
    assert e.key == key
    assert fragment in e.problem


def test_bad_type_dependent_weights_are_refused() -> None:
    """A weights sub-table must name a type, and list criteria with numbers."""
    e = error(CRITERIA.replace("[weights.russia.trap]", "[weights.russia.trp]"))
    assert e.key == "weights.russia.trp"
    assert "unknown type (did you mean 'trap'?)" in e.problem
    e = error(CRITERIA.replace("leverage = 2\nrevenue = 0.5", "leverge = 2"))
    assert e.key == "weights.russia.trap.leverge"
    assert "unknown criterion (did you mean 'leverage'?)" in e.problem


def test_errors_in_compiled_parts_name_the_file_keys() -> None:
    """Errors found by the tree parser in a copy name the node as the file writes it."""
    e = error(BEER_QUICHE.replace("[tree.quiche.no_duel]", "[tree.quiche.no_duel]\nplayer = 'x'"))
    assert e.key == "tree.quiche.no_duel.payoffs"
    e = error(BEER_QUICHE.replace('player = "sender"', 'player = "sendr"'))
    assert e.key == "tree.player"
    assert "unknown player" in e.problem


def test_bad_overrides_are_refused_with_the_path_to_use() -> None:
    """Overriding the rest type, an unknown key or a compiled path says what to write instead."""
    tree = parse(BEER_QUICHE)
    with pytest.raises(ScenarioError, match="override another type of this player instead"):
        tree.with_overrides({"types.sender.weak": "0.5"})
    with pytest.raises(ScenarioError, match="address numbers by the file's paths"):
        tree.with_overrides({"tree.chance.strong": "0.5"})
    with pytest.raises(ScenarioError, match="has no key 'stong' \\(did you mean 'strong'\\?\\)"):
        tree.with_overrides({"types.sender.stong": "0.5"})
    with pytest.raises(ScenarioError, match="from 0 to 1, got 2"):
        tree.with_overrides({"types.sender.strong": 2})
    with pytest.raises(ScenarioError, match="does not name a number"):
        tree.with_overrides({"tree.beer.duel.payoffs.sender": 1})


def test_a_derived_infoset_name_that_clashes_is_refused() -> None:
    """A joined set named after its node may not take a name the file already uses."""
    text = BEER_QUICHE.replace(
        '[tree.quiche]\nplayer = "receiver"', '[tree.quiche]\nplayer = "receiver"\ninfoset = "beer"'
    )
    e = error(text)
    assert e.key == "tree.quiche"
    assert "would be called 'beer', which the information set of tree.beer already is" in e.problem
