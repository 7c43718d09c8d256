"""Gambit .efg and .nfg interop: exact round trips through pygambit 17, import, bad files."""

from __future__ import annotations

import io
import os
from fractions import Fraction
from pathlib import Path

import pygambit
import pytest
import test_spe
from pygambit import H

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError
from negotiation.model.catalogue import catalogue, load, load_matrix, load_tree
from negotiation.model.payoffs import payoff_matrices
from negotiation.model.tree import TreeScenario
from negotiation.output.gambit_io import efg_text, efg_tree, nfg_text, read_efg
from negotiation.solvers.equilibria import solve
from negotiation.solvers.spe import solve_spe

F = Fraction
TREES = sorted(catalogue("tree"))
#: Trees whose reduced form is too large to enumerate every equilibrium (rare-earth-sequential
#: has 9x32 plans, past MAX_LARGE_BASES; rare-earth-trap more): compared on structure only.
LARGE_TREES = [n for n in ("rare-earth-sequential", "rare-earth-trap") if n in TREES]
MATRICES = sorted(catalogue("matrix"))


def structure(tree: TreeScenario) -> tuple[object, ...]:
    """Everything a round trip must keep: node ids and kinds, numbers, information sets."""
    infosets = sorted(tuple(tree.nodes[v].id for v in info.nodes) for info in tree.infosets)
    return (
        tree.player_ids,
        [(n.id, n.kind, n.actions) for n in tree.nodes],
        tree.numbers,
        infosets,
    )


# -- export and round trips ------------------------------------------------------------------


@pytest.mark.parametrize("name", TREES)
def test_catalogue_tree_round_trips_through_pygambit(name: str) -> None:
    """Gambit reads our .efg exactly: it writes the same text back, and we read that back."""
    tree = load_tree(name)
    text = efg_text(tree)
    game = pygambit.read_efg(io.StringIO(text))
    assert game.to_efg() == text
    back = efg_tree(game.to_efg(), name=tree.name)
    assert structure(back) == structure(tree)


@pytest.mark.parametrize("name", TREES)
def test_gambit_reads_every_payoff_and_probability_exactly(name: str) -> None:
    """Each leaf is an outcome named by its node id whose payoffs Gambit holds as our exact ones."""
    tree = load_tree(name)
    game = pygambit.read_efg(io.StringIO(efg_text(tree)))
    for v in tree.leaves:
        payoffs = game.get_outcome_payoffs(tree.nodes[v].id)
        assert [Fraction(payoffs[p]) for p in tree.player_ids] == list(tree.nodes[v].payoffs)
    for v in tree.chance_nodes:
        node = tree.nodes[v]
        actions = node.id.split(".")[1:]
        probs = game.get_action_probs(H.path(*actions))
        assert {a: Fraction(p) for a, p in probs.items()} == dict(
            zip(node.actions, node.probabilities, strict=True)
        )


def test_round_trip_keeps_chance_probabilities_of_thirds_exact() -> None:
    """A prior of 1/3 (no finite decimal) and payoffs like -7/3 survive the round trip exactly."""
    tree = test_spe.load("entry_chance", tree__chance__strong="1/3")
    tree = tree.with_overrides({"tree.weak.in.fight.payoffs.incumbent": "-7/3"})
    text = efg_text(tree)
    assert '"strong" 1/3 "weak" 2/3' in text
    assert "{ -1, -7/3 }" in text
    back = efg_tree(pygambit.read_efg(io.StringIO(text)).to_efg(), name=tree.name)
    assert structure(back) == structure(tree)


def test_criteria_tree_is_exported_with_its_computed_payoffs() -> None:
    """A tree scored on weighted criteria is written with each leaf's exact weighted payoff."""
    tree = test_spe.load("offer")
    game = pygambit.read_efg(io.StringIO(efg_text(tree)))
    leaf = tree.node("tree.large.accept.exploit")
    payoffs = game.get_outcome_payoffs(leaf.id)
    # seller: revenue 1 x 1 + leverage 0.5 x 2.5; buyer: supply -1 x 1 - leverage 2.5.
    assert [Fraction(payoffs[p]) for p in tree.player_ids] == [F(9, 4), F(-7, 2)]
    assert list(leaf.payoffs) == [F(9, 4), F(-7, 2)]


@pytest.mark.parametrize("name", [n for n in TREES if n not in LARGE_TREES])
def test_gambit_agrees_on_subgames_and_equilibria_of_exported_trees(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through our writer, Gambit finds the same subgame roots, reduced form and equilibria.

    tests/test_spe.py's oracle comparison (pygambit 17: subgame roots, its own reduced form
    matched plan by plan, enummixed_solve) is run on the library's .efg writer.
    """
    monkeypatch.setattr(test_spe, "to_efg", efg_text)
    test_spe.gambit_check(load_tree(name))


@pytest.mark.parametrize("name", LARGE_TREES)
def test_gambit_agrees_on_the_subgames_of_large_exported_trees(name: str) -> None:
    """Gambit reads our .efg of a large tree with the same subgame roots; ours round-trips."""
    tree = load_tree(name)
    text = efg_text(tree)
    g = pygambit.read_efg(io.StringIO(text))
    roots = {test_spe.node_id(h.actions) for h in g.get_subgame_roots()}
    assert roots == {tree.nodes[v].id for v in tree.subgame_roots}
    assert structure(efg_tree(text)) == structure(tree)


def test_gambit_agrees_on_random_trees_through_our_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """On 20 seeded random trees (chance, information sets) the same comparison holds."""
    monkeypatch.setattr(test_spe, "to_efg", efg_text)
    trees = test_spe.small_random_trees(20, 100)
    for tree in trees:
        test_spe.gambit_check(tree)
    assert any(not t.perfect_information for t in trees)
    assert any(t.chance_nodes for t in trees)


@pytest.mark.parametrize("name", MATRICES)
def test_nfg_export_is_read_exactly_by_gambit(name: str) -> None:
    """Gambit reads our .nfg with our strategy ids and exactly our payoff tables."""
    scenario = load_matrix(name)
    game = pygambit.read_nfg(io.StringIO(nfg_text(scenario)))
    assert list(game.players) == list(scenario.player_ids)
    for player, pid in zip(scenario.players, game.players, strict=True):
        assert list(game.get_strategies(pid)) == list(player.strategy_ids)
    A, B = game.to_arrays(dtype=Fraction)
    ours = payoff_matrices(scenario)
    assert [[Fraction(x) for x in row] for row in A] == [list(row) for row in ours.A]
    assert [[Fraction(x) for x in row] for row in B] == [list(row) for row in ours.B]


def test_nfg_equilibria_from_gambit_match_ours() -> None:
    """Gambit's enummixed on our exported .nfg of three games finds exactly our equilibria."""
    for name in ("rare-earth", "inspection", "battle-of-the-sexes"):
        scenario = load_matrix(name)
        game = pygambit.read_nfg(io.StringIO(nfg_text(scenario)))
        row, col = game.players
        theirs = {
            (
                tuple(Fraction(e[row][s]) for s in game.get_strategies(row)),
                tuple(Fraction(e[col][s]) for s in game.get_strategies(col)),
            )
            for e in pygambit.nash.enummixed_solve(game, rational=True).equilibria
        }
        ours = {(e.row, e.col) for e in solve(scenario, "exact").equilibria}
        assert theirs == ours, name


# -- import ----------------------------------------------------------------------------------


def myerson_card_game() -> str:
    """Myerson's card game built with pygambit 17, payoffs partly as incremental outcomes.

    The pot goes to whoever the card favours (1 each way) at the nodes after the draw, and
    each terminal outcome adds what the betting changes (Myerson 1991, section 2.1).
    """
    g = pygambit.ExtensiveGame(["Dealer", "Caller"], title="Card game")
    g.append_event(H.path(), {"Red": pygambit.Rational(1, 2), "Black": pygambit.Rational(1, 2)})
    g.append_move(H.path("Red"), "Dealer", ["Raise", "Fold"])
    g.append_move(H.path("Black"), "Dealer", ["Raise", "Fold"])
    g.append_move(H.after("Raise"), "Caller", ["Meet", "Pass"])
    g.make_outcome(H.path("Red"), {"Dealer": 1, "Caller": -1}, "red wins")
    g.make_outcome(H.path("Black"), {"Dealer": -1, "Caller": 1}, "black loses")
    g.make_outcome(H.path("Red", "Raise", "Meet"), {"Dealer": 1, "Caller": -1}, "red called")
    g.make_outcome(H.path("Black", "Raise", "Meet"), {"Dealer": -1, "Caller": 1}, "black called")
    g.make_outcome(H.path("Black", "Raise", "Pass"), {"Dealer": 2, "Caller": -2}, "bluff works")
    return str(g.to_efg())


def test_pygambit_card_game_imports_with_incremental_payoffs_summed() -> None:
    """Outcomes above the leaves add up; the game is our catalogue card game, leaf for leaf."""
    tree = efg_tree(myerson_card_game(), name="card")
    ours = load_tree("card-game")
    imported = {n.id.lower(): n.payoffs for n in tree.nodes if n.kind == "leaf"}
    assert imported == {n.id: n.payoffs for n in ours.nodes if n.kind == "leaf"}
    assert tree.player_ids == ("Dealer", "Caller")
    assert tree.title == "Card game"


def test_imported_card_game_has_myersons_equilibrium() -> None:
    """Solved after import: raise with red, bluff with black 1/3, call 2/3, value 1/3.

    Myerson (1991), section 3.2, for the card game of section 2.1.
    """
    (e,) = solve_spe(efg_tree(myerson_card_game(), name="card")).equilibria
    assert e.payoffs == (F(1, 3), F(-1, 3))
    assert e.at("tree.Black") == {"Raise": F(1, 3), "Fold": F(2, 3)}
    assert e.at("tree.Red") == {"Raise": 1, "Fold": 0}
    assert e.at("tree.Red.Raise") == {"Meet": F(2, 3), "Pass": F(1, 3)}


HAND_WRITTEN = r"""EFG 2 R "Hand \"written\"" { "Player 1" "2nd player" }
"A comment
over two lines"

p "root" 1 1 "" { "Go left" "" "payoffs" } 0
c "" 1 "" { "hi" 0.25 "lo" 3/4 } 7 "entry fee" { -1 .5 }
p "" 2 1 "guess" { "A" "B" } 0
t "" 1 "one" { 1, 2 }
t "" 2 "two" { 3 4 }
p "" 2 1 0
t "" 1
t "" 0
t "" 3 "three" { 1e-3, -2/6 }
t "" 0
"""


def test_hand_written_file_uses_every_optional_form() -> None:
    """Omitted repeats, decimals, fractions, comma-less payoffs and odd labels all read right."""
    tree = efg_tree(HAND_WRITTEN, "hand.efg", name="hand")
    assert tree.player_ids == ("Player_1", "player2nd_player")
    assert [p.label for p in tree.players] == ["Player 1", "2nd player"]
    assert tree.title == 'Hand "written"'
    assert tree.description == "A comment\nover two lines"
    root = tree.root
    assert root.actions == ("Go_left", "a2", "payoffs-2")  # a node setting cannot be an action
    assert root.description == "root"
    assert [tree.nodes[c].label for c in root.children] == ["Go left", "a2", "payoffs"]
    chance = tree.node("tree.Go_left")
    assert chance.probabilities == (F(1, 4), F(3, 4))
    # The chance node's outcome (-1, 1/2) is added to every leaf below it.
    assert tree.node("tree.Go_left.hi.A").payoffs == (0, F(5, 2))
    assert tree.node("tree.Go_left.hi.B").payoffs == (2, F(9, 2))
    assert tree.node("tree.Go_left.lo.A").payoffs == (0, F(5, 2))  # outcome 1 repeated
    assert tree.node("tree.Go_left.lo.B").payoffs == (-1, F(1, 2))  # outcome 0: nothing
    assert tree.node("tree.a2").payoffs == (F(1, 1000), F(-1, 3))
    assert tree.node("tree.payoffs-2").payoffs == (0, 0)
    (guess,) = [i for i in tree.infosets if not i.singleton]
    assert guess.id == "guess"
    assert [tree.nodes[v].id for v in guess.nodes] == ["tree.Go_left.hi", "tree.Go_left.lo"]


def test_load_reads_efg_files_with_overrides(tmp_path: Path) -> None:
    """catalogue.load takes a .efg path, names the scenario after the file, applies --set."""
    path = tmp_path / "my game.efg"
    path.write_text(efg_text(load_tree("entry")), encoding="utf-8")
    tree = load(str(path), {"tree.in.fight.payoffs.incumbent": "3/2"})
    assert isinstance(tree, TreeScenario)
    assert tree.name == "my_game"
    assert tree.node("tree.in.fight").payoffs == (-1, F(3, 2))
    assert tree.origin == str(path)
    assert read_efg(path).node("tree.in.fight").payoffs == (-1, -1)


def test_efg_files_get_the_same_file_protection(tmp_path: Path) -> None:
    """A FIFO, a missing file, a directory and non-UTF-8 bytes named .efg are refused at once."""
    fifo = tmp_path / "pipe.efg"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="FIFO"):
        load(str(fifo))
    with pytest.raises(ScenarioError, match="no such file"):
        load(str(tmp_path / "missing.efg"))
    folder = tmp_path / "folder.efg"
    folder.mkdir()
    with pytest.raises(ScenarioError, match="is a directory"):
        load(str(folder))
    latin = tmp_path / "latin.efg"
    latin.write_bytes(b'EFG 2 R "caf\xe9" { "a" }\n')
    with pytest.raises(ScenarioError, match="byte 0xe9"):
        load(str(latin))


# -- bad files -------------------------------------------------------------------------------

ENTRY = efg_text(load_tree("entry"))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", "line 1", "the file ends early; expected 'EFG'"),
        ("NFG 1 R", "line 1", "expected 'EFG'"),
        (ENTRY.replace("EFG 2 R", "EFG 3 R"), "line 1", "expected version 2"),
        (ENTRY.replace('p "" 2 1', 'p "" 3 1'), "line 6", "player 3 does not exist"),
        (ENTRY.replace('p "" 2 1 "" { "fight" "accommodate" }', 'p "" 2 1'), "line 6",
         "used before its actions"),
        (ENTRY.replace("{ 0, 2 }", "{ 0, 2, 5 }"), "line 5", "expected 2, one per player"),
        (ENTRY.replace("{ 0, 2 }", "{ 0, x }"), "line 5", "expected a payoff, got x"),
        (ENTRY.replace("{ 0, 2 }", "{ 0, 1/0 }"), "line 5", "divides by 0"),
        (ENTRY.rsplit("\n", 2)[0] + "\n", "line 7", "still needs 1 more child node"),
        (ENTRY + 't "" 4 "extra" { 0, 0 }\n', "line 9", "text after the last node"),
        (ENTRY.replace('"tree.in.accommodate"', '"tree.in.accommodate'), "line 8", "not closed"),
        (ENTRY.replace('p "" 1 1', 'q "" 1 1'), "line 4", "expected a node"),
        (ENTRY.replace("t \"\" 2", "t \"\" 0"), "line 7", "null outcome"),
    ],
)  # fmt: skip
def test_bad_efg_is_refused_with_its_line(text: str, line: str, words: str) -> None:
    """Each malformed file is a ScenarioError naming the file, the line and what was expected."""
    with pytest.raises(ScenarioError) as caught:
        efg_tree(text, "bad.efg")
    assert (caught.value.source, caught.value.key) == ("bad.efg", line)
    assert words in caught.value.problem


def test_chance_probabilities_must_be_a_distribution_exactly() -> None:
    """Decimals that do not sum to 1, and negative probabilities, are refused at their line."""
    text = """EFG 2 R "c" { "a" } ""
c "" 1 "" { "x" 0.333333 "y" 0.666666 } 0
t "" 1 "x" { 1 }
t "" 2 "y" { 2 }
"""
    with pytest.raises(ScenarioError, match=r"sum to 999999/1000000; expected exactly 1") as e:
        efg_tree(text)
    assert e.value.key == "line 2"
    with pytest.raises(ScenarioError, match="expected 0 or more"):
        efg_tree(text.replace("0.333333", "-1/2").replace("0.666666", "3/2"))


def test_mismatched_repeat_declarations_are_refused() -> None:
    """An information set or outcome declared twice with different contents is an error."""
    text = """EFG 2 R "m" { "a" "b" } ""
p "" 1 1 "" { "l" "r" } 0
p "" 2 1 "" { "x" "y" } 0
t "" 1 "o1" { 1, 1 }
t "" 2 "o2" { 2, 2 }
p "" 2 1 "" { "x" "z" } 0
t "" 1 "o1" { 1, 1 }
t "" 3 "o3" { 3, 3 }
"""
    with pytest.raises(ScenarioError, match="declared on line 3 with actions x, y") as e:
        efg_tree(text)
    assert e.value.key == "line 6"
    clash = text.replace('{ "x" "z" }', '{ "x" "y" }').replace(
        '"o1" { 1, 1 }\nt "" 3', '"o1" { 9, 1 }\nt "" 3'
    )
    with pytest.raises(ScenarioError, match="outcome 1 was declared with other payoffs"):
        efg_tree(clash)


def test_numbers_beyond_the_limits_are_limit_errors() -> None:
    """A payoff of 1e-99999999 or with 200 digits is refused from its text, at its line."""
    for hostile in ("1e-99999999999999", "1" * 200, "1/" + "3" * 200, "1e400"):
        with pytest.raises(LimitError) as caught:
            efg_tree(ENTRY.replace("{ 0, 2 }", f"{{ 0, {hostile} }}"), "big.efg")
        assert caught.value.key == "line 5"


def test_tree_size_and_depth_limits_apply_to_efg(monkeypatch: pytest.MonkeyPatch) -> None:
    """MAX_TREE_NODES and MAX_TREE_DEPTH are checked while reading, naming the line."""
    monkeypatch.setattr(limits, "MAX_TREE_NODES", 4)
    with pytest.raises(LimitError, match="MAX_TREE_NODES") as caught:
        efg_tree(ENTRY)
    assert caught.value.key == "line 8"
    monkeypatch.setattr(limits, "MAX_TREE_NODES", 100_000)
    chain = 'EFG 2 R "deep" { "a" } ""\n' + 'p "" 1 1 "" { "go" } 0\n' * 70 + 't "" 1 "end" { 1 }\n'
    with pytest.raises(LimitError, match="MAX_TREE_DEPTH"):
        efg_tree(chain)


def test_oversize_efg_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text beyond MAX_FILE_BYTES is refused before it is tokenised."""
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    with pytest.raises(LimitError, match="MAX_FILE_BYTES"):
        efg_tree(ENTRY)
