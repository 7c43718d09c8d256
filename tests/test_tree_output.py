"""Trees reach the user: catalogue loading, file protection, the report's JSON and table, plots."""

from __future__ import annotations

import itertools
import json
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from matplotlib import cbook
from matplotlib.figure import Figure
from matplotlib.text import Text
from test_limits import deadline
from test_spe import random_tree

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError
from negotiation.model.catalogue import (
    catalogue,
    file_kind,
    kind,
    load,
    load_matrix,
    load_tree,
    shape_text,
)
from negotiation.model.scenario import Scenario
from negotiation.model.tree import TreeScenario
from negotiation.output.plots import save
from negotiation.output.tree_plots import (
    INFOSET_SPACING,
    MAX_DRAWN_LEAVES,
    infoset_lines,
    legend_entries,
    spe_edges,
    tree_layout,
    tree_plot,
)
from negotiation.output.tree_report import (
    analyse,
    path_words,
    show_document,
    show_text,
    tree_document,
    tree_table,
)
from negotiation.solvers.spe import solve_spe, verify

F = Fraction
TREES = sorted(catalogue("tree"))
ENTRY = (Path(__file__).parent / "trees" / "entry.toml").read_text(encoding="utf-8")


# -- the catalogue ---------------------------------------------------------------------------


def test_catalogue_lists_both_kinds_and_load_tells_them_apart() -> None:
    """catalogue() holds matrices and trees; catalogue(kind) splits them; load gives each type."""
    every, trees, matrices = catalogue(), catalogue("tree"), catalogue("matrix")
    assert set(every) == set(trees) | set(matrices)
    assert not set(trees) & set(matrices)
    assert {"entry", "trust", "centipede", "ultimatum", "stackelberg"} <= set(trees)
    assert {"matching-pennies-tree", "card-game"} <= set(trees)
    assert "rare-earth" in matrices
    for name in every:
        scenario = load(name)
        assert kind(scenario) == file_kind(every[name]) == ("tree" if name in trees else "matrix")
        assert isinstance(scenario, TreeScenario if name in trees else Scenario)
        assert scenario.name == name


def test_every_catalogue_tree_cites_a_source_and_describes_its_answer() -> None:
    """Each shipped tree names its source and says in words what its equilibria are."""
    for name in TREES:
        tree = load_tree(name)
        assert len(tree.source) > 40, name
        assert "equilibri" in tree.description, name


def test_load_matrix_and_load_tree_refuse_the_other_kind() -> None:
    """A command that needs one kind refuses the other in one line naming the file."""
    with pytest.raises(ScenarioError, match="this is a game tree") as caught:
        load_matrix("entry")
    assert caught.value.source.endswith("entry.toml")
    with pytest.raises(ScenarioError, match="this is a matrix scenario"):
        load_tree("chicken")


def test_shape_text_describes_matrices_and_trees() -> None:
    """List can print a size for every scenario: a shape, or a tree's players, nodes, leaves."""
    assert shape_text(load("rare-earth")) == "3x3"
    assert shape_text(load("entry")) == "tree: 2 players, 5 nodes, 3 leaves"
    assert shape_text(load("card-game")) == "tree: 2 players, 11 nodes, 6 leaves, chance, infosets"


def test_overrides_reach_catalogue_trees() -> None:
    """Load applies --set paths to a tree: a leaf payoff and a chance probability."""
    entry = load_tree("entry", {"tree.in.fight.payoffs.incumbent": "2"})
    assert entry.node("tree.in.fight").payoffs == (-1, 2)
    card = load_tree("card-game", {"tree.chance.red": "1/3"})
    assert card.root.probabilities == (F(1, 3), F(2, 3))


def test_load_compiles_player_types_into_the_tree() -> None:
    """A tree file with [types] loads compiled (a chance node over types), priors overridable."""
    path = Path(__file__).parent / "trees" / "types" / "beer_quiche.toml"
    tree = load_tree(str(path), {"types.sender.strong": "1/2"})
    assert kind(tree) == "tree"
    assert tree.root.kind == "chance"
    assert tree.root.probabilities == (F(1, 2), F(1, 2))


# -- known answers of the shipped trees ------------------------------------------------------


def only_spe(name: str) -> Any:
    """The one subgame-perfect equilibrium of a catalogue tree, checked to be the only one."""
    (e,) = solve_spe(load_tree(name)).equilibria
    return e


def test_catalogue_known_answers() -> None:
    """The shipped trees give their textbook answers (sources in each file and below).

    Entry: In / Accommodate (Selten 1978). Trust: Not trust / Abuse, (0, 0) (Kreps 1990).
    Centipede: take at once, (0.40, 0.10) (Rosenthal 1981; McKelvey and Palfrey 1992).
    Stackelberg: the leader makes 6, the follower 3, profits 18 and 9 (Osborne 2004, 6.2).
    Matching pennies: 1/2-1/2 (von Neumann and Morgenstern 1944). Card game: the first
    player bluffs with black 1/3, the second calls 2/3, value 1/3 (Myerson 1991, 3.2).
    """
    assert only_spe("entry").payoffs == (1, 1)
    assert only_spe("trust").at("tree") == {"not_trust": 1, "trust": 0}
    assert only_spe("centipede").payoffs == (F(2, 5), F(1, 10))
    stackelberg = only_spe("stackelberg")
    assert (stackelberg.payoffs, stackelberg.at("tree.q6")) == (
        (18, 9),
        {"q3": 1, "q4": 0, "q6": 0},
    )
    assert only_spe("matching-pennies-tree").at("tree") == {"heads": F(1, 2), "tails": F(1, 2)}
    card = only_spe("card-game")
    assert card.payoffs == (F(1, 3), F(-1, 3))
    assert card.at("tree.black") == {"fold": F(2, 3), "raise": F(1, 3)}
    assert card.at("tree.red.raise") == {"meet": F(2, 3), "pass": F(1, 3)}
    ultimatum = solve_spe(load_tree("ultimatum"))  # Osborne 2004, 6.1.1: two, tied at 0
    assert [e.payoffs for e in ultimatum.equilibria] == [(3, 0), (2, 1)]
    for name in TREES:
        tree = load_tree(name)
        assert all(not verify(tree, e.behaviour) for e in solve_spe(tree).equilibria)


# -- file protection for trees ---------------------------------------------------------------


def test_tree_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO named like a tree file is refused at once, as for matrix scenarios."""
    fifo = tmp_path / "tree.toml"
    os.mkfifo(fifo)
    with deadline(2), pytest.raises(ScenarioError, match="FIFO"):
        load(str(fifo))
    with deadline(2), pytest.raises(ScenarioError, match="FIFO"):
        TreeScenario.from_toml(fifo)


def test_dev_zero_is_refused_for_trees() -> None:
    """/dev/zero is refused as a character device by load and by TreeScenario.from_toml."""
    with deadline(2), pytest.raises(ScenarioError, match="character device"):
        load("/dev/zero")
    with deadline(2), pytest.raises(ScenarioError, match="character device"):
        TreeScenario.from_toml("/dev/zero")


def test_oversize_tree_file_is_refused_from_its_size(tmp_path: Path) -> None:
    """A tree file over MAX_FILE_BYTES is a LimitError before any parsing."""
    path = tmp_path / "big.toml"
    path.write_text(ENTRY + "#" + "x" * limits.MAX_FILE_BYTES + "\n", encoding="utf-8")
    with deadline(2), pytest.raises(LimitError, match="MAX_FILE_BYTES"):
        load(str(path))
    with deadline(2), pytest.raises(LimitError, match="MAX_FILE_BYTES"):
        TreeScenario.from_toml(path)


def test_tree_file_with_bom_and_old_mac_line_ends_reads(tmp_path: Path) -> None:
    """A UTF-8 byte order mark and CR-only line ends are read in tree files too."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ENTRY.replace("\n", "\r").encode())
    tree = load(str(path))
    assert isinstance(tree, TreeScenario)
    assert tree.node("tree.in.fight").payoffs == (-1, -1)
    assert TreeScenario.from_toml(path).name == "entry"


def test_tree_number_beyond_the_limits_is_a_limit_error_at_its_key() -> None:
    """1e-99999999... in a tree (decimal.InvalidOperation before) names the key and the limit."""
    text = ENTRY.replace("entrant = 0,", "entrant = 1e-" + "9" * 30 + ",")
    with deadline(2), pytest.raises(LimitError) as caught:
        TreeScenario.from_string(text, "t.toml")
    assert caught.value.key == "tree.out.payoffs.entrant"
    assert "magnitude" in caught.value.problem


def test_tree_text_with_nul_or_bad_toml_is_refused_like_a_matrix_scenario() -> None:
    """NUL bytes and TOML syntax errors in tree text get the matrix reader's messages."""
    with pytest.raises(ScenarioError, match="NUL"):
        TreeScenario.from_string(ENTRY + "\x00")
    twice = ENTRY.replace('player = "entrant"', 'player = "entrant"\nplayer = "incumbent"')
    with pytest.raises(ScenarioError, match="this key is already set") as caught:
        TreeScenario.from_string(twice)
    assert caught.value.key == "tree.player"


# -- the JSON document -----------------------------------------------------------------------


def document(name: str, **overrides: str) -> dict[str, Any]:
    """The JSON document of a catalogue tree, through a JSON round trip (so it is plain)."""
    tree = load_tree(name, {k.replace("__", "."): v for k, v in overrides.items()})
    return dict(json.loads(json.dumps(tree_document(analyse(tree)))))


def test_entry_document_holds_the_spe_and_the_non_credible_threat() -> None:
    """Entry: one SPE with behaviour at both nodes; the reduced form's Out/Fight is marked."""
    d = document("entry")
    assert (d["kind"], d["scenario"], d["ties"], d["complete"]) == ("tree", "entry", False, True)
    (spe,) = d["subgame_perfect"]
    assert spe["payoffs"] == {"entrant": 1.0, "incumbent": 1.0}
    assert spe["outcome"] == {"tree.in.accommodate": 1.0}
    assert spe["strategies"] == {
        "entrant": {"tree": {"out": 0.0, "in": 1.0}},
        "incumbent": {"tree.in": {"fight": 0.0, "accommodate": 1.0}},
    }
    assert [p["plans"] for p in d["players"]] == [["out", "in"], ["fight", "accommodate"]]
    marks = [(e["support"]["incumbent"], e["subgame_perfect"]) for e in d["equilibria"]]
    assert marks == [(["fight"], False), (["fight", "accommodate"], False), (["accommodate"], True)]
    detail = d["equilibria"][0]["threat_detail"]
    assert (detail["node"], detail["actions"], detail["better"], detail["gain"]) == (
        "tree.in",
        ["fight"],
        ["accommodate"],
        2.0,
    )
    assert d["reduced_form"]["payoffs"]["entrant"] == [[0.0, 0.0], [-1.0, 1.0]]


def test_strategies_cover_every_node_on_and_off_the_path() -> None:
    """Ultimatum: each SPE gives the responder's choice at all four offers, reached or not."""
    d = document("ultimatum")
    assert d["ties"]
    assert d["tied_nodes"] == ["tree.offer0"]
    assert not d["complete"]
    offers = {f"tree.offer{k}" for k in range(4)}
    for spe in d["subgame_perfect"]:
        assert set(spe["strategies"]["responder"]) == offers
        assert spe["tied_nodes"] == ["tree.offer0"]
    second = d["subgame_perfect"][1]
    assert second["strategies"]["responder"]["tree.offer0"] == {"accept": 0.0, "reject": 1.0}
    assert second["outcome"] == {"tree.offer1.accept": 1.0}
    assert any("mixing between tied choices" in n for n in d["notes"])


def test_exact_strings_match_the_floats_and_outcomes_sum_to_one() -> None:
    """Card game: every float is its exact string's value; each outcome's probabilities sum to 1."""
    d = document("card-game")
    (spe,) = d["subgame_perfect"]
    assert sum(Fraction(p) for p in spe["exact"]["outcome"].values()) == 1
    for leaf, p in spe["outcome"].items():
        assert p == float(Fraction(spe["exact"]["outcome"][leaf]))
    assert spe["exact"]["strategies"]["caller"] == {
        "tree.red.raise": {"meet": "2/3", "pass": "1/3"},
        "tree.black.raise": {"meet": "2/3", "pass": "1/3"},
    }
    chance = d["nodes"][0]
    assert (chance["kind"], chance["exact"]["probabilities"]) == (
        "chance",
        {"red": "1/2", "black": "1/2"},
    )


def test_overrides_are_recorded_and_change_the_answer() -> None:
    """With fighting worth 2 to the incumbent the entrant stays out, and the override is listed."""
    tree = load_tree("entry", {"tree.in.fight.payoffs.incumbent": "2"})
    d = tree_document(analyse(tree), [("tree.in.fight.payoffs.incumbent", F(2))])
    assert d["overrides"] == [
        {"path": "tree.in.fight.payoffs.incumbent", "value": 2.0, "exact": "2"}
    ]
    (spe,) = d["subgame_perfect"]
    assert spe["outcome"] == {"tree.out": 1.0}
    assert spe["words"] == "Entrant stays out."


def test_three_player_tree_has_no_reduced_form_and_says_so() -> None:
    """A three-player tree reports its SPE, an empty equilibria list and a note why."""
    tree = random_tree(3, players=3, chance=False)
    d = tree_document(analyse(tree))
    assert d["subgame_perfect"]
    assert d["equilibria"] == []
    assert d["reduced_form"] is None
    assert any("two-player trees only" in n for n in d["notes"])
    assert "plans" not in d["players"][0]


def test_reduced_form_beyond_the_limits_still_reports_the_spe() -> None:
    """256 plans for one player exceed the exact engine: the SPE stay, a note names the limit."""
    responder = {"player": "b", "yes": {"payoffs": {"a": 1, "b": 1}}}
    responder["no"] = {"payoffs": {"a": 0, "b": 0}}
    tree = TreeScenario.from_dict(
        {
            "name": "many",
            "players": [{"id": "a"}, {"id": "b"}],
            "tree": {"player": "a", **{f"o{k}": dict(responder) for k in range(8)}},
        }
    )
    analysis = analyse(tree)
    assert analysis.reduced is None
    d = tree_document(analysis)
    assert len(d["subgame_perfect"]) == 8  # a is indifferent between its eight offers
    assert d["equilibria"] == []
    assert any("256 plans" in n and "MAX_STRATEGIES" in n for n in d["notes"])


def test_show_document_holds_criteria_weights_and_leaf_scores() -> None:
    """The show document of a criteria tree holds each weight and each leaf's scores, exactly."""
    tree = load_tree(str(Path(__file__).parent / "trees" / "offer.toml"))
    d = json.loads(json.dumps(show_document(tree, [("weights.buyer.cost", F(-1, 2))])))
    leverage = next(c for c in d["criteria"] if c["id"] == "leverage")
    assert leverage["weights"] == {"seller": 0.5, "buyer": -1.0}
    assert leverage["exact"]["weights"] == {"seller": "1/2", "buyer": "-1"}
    leaf = next(n for n in d["nodes"] if n["id"] == "tree.large.accept.exploit")
    assert leaf["exact"]["scores"] == {"revenue": "1", "supply": "-1", "leverage": "5/2"}
    assert leaf["exact"]["payoffs"] == {"seller": "9/4", "buyer": "-7/2"}
    assert d["subgame_roots"][0] == "tree"


def test_show_text_lists_players_weights_and_the_tree() -> None:
    """The show text of a criteria tree prints the weights and draws the tree with payoffs."""
    text = show_text(load_tree(str(Path(__file__).parent / "trees" / "offer.toml")))
    assert "  leverage (Leverage over the buyer): seller 0.5, buyer -1" in text
    assert "|-- small: buyer moves  [tree.small]" in text
    assert "exploit: (2.25, -3.5)" in text


def test_a_large_reduced_form_is_solved_by_the_large_game_engine() -> None:
    """5 offers x 32 answer plans (C(37, 5) = 435,897 bases) is solved by the vertex traversal.

    Every plan pair is an outcome-equivalent best response somewhere, so the form is highly
    degenerate; the reduced form's equilibria all give the SPE payoffs or the (0, 0) refusal.
    """
    responder = {"player": "b", "yes": {"payoffs": {"a": 1, "b": 1}}}
    responder["no"] = {"payoffs": {"a": 0, "b": 0}}
    tree = TreeScenario.from_dict(
        {
            "name": "budget",
            "players": [{"id": "a"}, {"id": "b"}],
            "tree": {"player": "a", **{f"o{k}": dict(responder) for k in range(5)}},
        }
    )
    with deadline(30):
        analysis = analyse(tree)
    assert len(analysis.spe.equilibria) == 5
    assert analysis.reduced is not None
    assert analysis.notes == ()
    assert analysis.reduced.equilibria
    assert {tuple(e.payoffs) for e in analysis.reduced.equilibria} <= {
        (Fraction(1), Fraction(1)),
        (Fraction(0), Fraction(0)),
    }


# -- the table -------------------------------------------------------------------------------


def test_table_shows_the_tree_the_path_in_words_and_the_threat() -> None:
    """Entry's table draws the tree, says the SPE in a sentence and names the threat."""
    text = tree_table(analyse(load_tree("entry")))
    assert "`-- enters (in): Incumbent moves  [tree.in]" in text
    assert "#1  Entrant enters; Incumbent accommodates." in text
    assert "not subgame perfect: incumbent threatens fight at tree.in" in text
    assert "1 subgame perfect, 2 resting on a non-credible threat" in text


def test_table_words_mixed_choices_and_chance() -> None:
    """The card game's path names the draw, the bluff and the call with their probabilities."""
    tree = load_tree("card-game")
    (e,) = solve_spe(tree).equilibria
    assert path_words(tree, e.behaviour) == (
        "Chance: red card (1/2) or black card (1/2); if red card: [Player 1 raises; "
        "Player 2 meets (2/3) or passes (1/3)]; if black card: [Player 1 folds (2/3) or "
        "raises (1/3); if Player 1 raises: [Player 2 meets (2/3) or passes (1/3)]]."
    )


def test_table_lists_off_path_choices_and_ties() -> None:
    """Ultimatum's table says what the responder would do at offers never made, and the tie."""
    text = tree_table(analyse(load_tree("ultimatum")))
    assert "#2  Proposer offers 1; Responder accepts." in text
    assert "off the path: at tree.offer0 Responder rejects; at tree.offer2 Responder" in text
    assert "a tied choice at tree.offer0" in text


def test_long_listings_are_cut_and_summarised() -> None:
    """Stackelberg's 116 reduced-form equilibria: 20 written out, the rest counted by threat."""
    text = tree_table(analyse(load_tree("stackelberg")))
    assert "116 extreme" in text
    assert "#20  " in text
    assert "#21  " not in text
    assert "... and 96 more (see --format json)" in text
    assert "of them: follower threatens q6 at tree.q6" in text
    assert all(len(line) <= 88 for line in text.splitlines() if not line.startswith(("|", "`")))


def test_table_escapes_terminal_control_characters() -> None:
    """A label holding an escape sequence is printed as a visible escape, never raw."""
    hostile = ENTRY.replace('label = "fights"', 'label = "fights\\u001b[2J"')
    text = tree_table(analyse(TreeScenario.from_string(hostile)))
    assert "\x1b" not in text
    assert "fights\\x1b[2J (fight)" in text


# -- plots -----------------------------------------------------------------------------------


def test_layout_puts_leaves_in_rows_and_parents_between_their_children() -> None:
    """On every catalogue tree and 30 random ones: leaf rows 0..n-1, parents midway, no clash."""
    trees = [load_tree(name) for name in TREES] + [random_tree(s) for s in range(30)]
    for tree in trees:
        layout = tree_layout(tree)
        leaves = tree.leaves
        assert [layout.y[v] for v in leaves] == [float(k) for k in range(len(leaves))]
        assert {layout.x[v] for v in leaves} == {float(tree.depth)}
        assert layout.rows == len(leaves)
        assert layout.columns == tree.depth + 1
        for node in tree.nodes:
            if not node.children:
                continue
            first, last = node.children[0], node.children[-1]
            assert layout.y[node.index] == (layout.y[first] + layout.y[last]) / 2
            assert layout.x[node.index] == node.depth
            rows = [layout.y[c] for c in node.children]
            assert all(b - a >= 1 for a, b in itertools.pairwise(rows))


def test_spe_edges_mark_the_path_and_the_choices_off_it() -> None:
    """Ultimatum's second SPE: offer 1 accepted on the path; reject 0, accept 2 and 3 off it."""
    tree = load_tree("ultimatum")
    second = solve_spe(tree).equilibria[1]
    marks = [(tree.nodes[m.child].id, m.on_path, m.probability) for m in spe_edges(tree, second)]
    assert marks == [
        ("tree.offer1", True, 1),
        ("tree.offer0.reject", False, 1),
        ("tree.offer1.accept", True, 1),
        ("tree.offer2.accept", False, 1),
        ("tree.offer3.accept", False, 1),
    ]


def test_interleaved_information_sets_are_drawn_apart() -> None:
    """Beer-quiche: the receiver's two sets share a column, so their lines differ in x and dash."""
    tree = load_tree(str(Path(__file__).parent / "trees" / "types" / "beer_quiche.toml"))
    layout = tree_layout(tree)
    beer, quiche = infoset_lines(tree, layout)
    assert [tree.infosets[line.infoset].id for line in (beer, quiche)] == ["beer", "quiche"]
    assert (beer.dash, quiche.dash) == (0, 1)
    assert beer.xs[0] != quiche.xs[0]
    assert abs(beer.xs[0] - quiche.xs[0]) == pytest.approx(INFOSET_SPACING)
    assert [layout.y[v] for v in tree.infosets[beer.infoset].nodes] == list(beer.ys)


def texts(figure: Figure) -> list[str]:
    """Every text drawn on the figure's first axes, the title included."""
    ax = figure.axes[0]
    return [t.get_text() for t in ax.findobj(Text)]


def test_plot_draws_players_actions_payoffs_and_infosets() -> None:
    """The card game's figure names both players, every action and every leaf's payoffs."""
    tree = load_tree("card-game")
    figure = tree_plot(tree, solve_spe(tree).equilibria)
    drawn = texts(figure)
    for label in ("Player 1", "Player 2", "chance", "red card", "folds", "meets", "p = 1/2"):
        assert label in drawn
    for payoffs in ("(1, -1)", "(2, -2)", "(-1, 1)", "(-2, 2)"):
        assert payoffs in drawn
    assert "plays with 1/3" in drawn  # the bluff
    dashed = [
        line
        for line in figure.axes[0].get_lines()
        if line.get_linestyle() not in ("-", "None", ":") and len(line.get_xdata()) == 2
    ]
    assert len(dashed) == 1  # the one information set joining the second player's nodes
    assert [text for text, _, _ in legend_entries(tree, solve_spe(tree).equilibria)] == [
        "subgame-perfect path",
        "information set 'after-raise' (Player 2)",
    ]


def test_plot_of_several_equilibria_gives_each_a_legend_entry(tmp_path: Path) -> None:
    """Ultimatum: both SPE listed in the legend, off-path choices too; the PNG is written."""
    tree = load_tree("ultimatum")
    figure = tree_plot(tree, solve_spe(tree).equilibria)
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert legend == [
        "subgame-perfect equilibrium 1",
        "subgame-perfect equilibrium 2",
        "its choices off the path",
    ]
    save(figure, tmp_path / "ultimatum.png", "png")
    assert (tmp_path / "ultimatum.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_labels_leave_no_short_word_alone_on_a_line() -> None:
    """rare-earth-trap's two-line action labels are balanced: no line is a single word.

    'declines and keeps the status quo' once wrapped at 30 characters as '... status' /
    'quo', and 'accepts and diversifies (hedges)' left '(hedges)' alone.
    """
    tree = load_tree("rare-earth-trap")
    drawn = texts(tree_plot(tree))
    assert "declines and keeps\nthe status quo" in drawn
    assert "accepts and\ndiversifies (hedges)" in drawn
    assert "makes the limited offer\n(Russia only)" in drawn  # no lone word: kept as it was
    labels = {tree.nodes[c].label for node in tree.nodes for c in node.children}
    wrapped = [t for t in drawn if "\n" in t and t.replace("\n", " ") in labels]
    assert len(wrapped) >= 4
    assert all(len(line.split()) > 1 for t in wrapped for line in t.split("\n")), wrapped


def test_plot_escapes_mathtext_and_draws_into_a_given_axes() -> None:
    """Labels with $ are drawn literally; an axes passed in is drawn into, its figure returned."""
    hostile = ENTRY.replace('label = "fights"', 'label = "fights $\\\\alpha$"')
    tree = TreeScenario.from_string(hostile)
    figure = Figure()
    ax = figure.add_subplot()
    assert tree_plot(tree, ax=ax, title="Costs in $ and $") is figure
    assert ax.get_title(loc="left").startswith("Costs in \\$ and \\$\n")
    drawn = [t for t in texts(figure) if "fights" in t]
    assert drawn
    assert not any(cbook.is_math_text(t) for t in drawn)


def test_trees_too_large_to_read_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond MAX_DRAWN_LEAVES leaves the plot is a LimitError pointing to the JSON output."""
    import negotiation.output.tree_plots as tree_plots

    assert MAX_DRAWN_LEAVES >= 100
    monkeypatch.setattr(tree_plots, "MAX_DRAWN_LEAVES", 2)
    with pytest.raises(LimitError, match="MAX_DRAWN_LEAVES"):
        tree_plot(load_tree("entry"))


# -- perfect Bayesian equilibria in the report (issue 11 section 3) ---------------------------


def test_beer_quiche_json_has_two_pooling_sets_and_only_beer_is_intuitive() -> None:
    """Beer-Quiche: pooling PBE on beer and quiche only; only beer survives the Intuitive Criterion.

    Known answer: Cho and Kreps 1987, section II (payoffs 2.9 and 0.9 on beer, 2.1 and 0.9
    on quiche, no separating equilibrium).
    """
    document = tree_document(analyse(load_tree("beer-quiche")))
    assert document["perfect_bayesian_computed"] is True
    assert document["types"] == ["strong", "weak"]
    assert document["signalling"] is True
    pbe = document["perfect_bayesian"]
    assert {p["kind"] for p in pbe} == {"pooling"}
    by_payoffs = {
        (p["exact"]["payoffs"]["sender"], p["exact"]["payoffs"]["receiver"], p["intuitive"])
        for p in pbe
    }
    assert by_payoffs == {("29/10", "9/10", True), ("21/10", "9/10", False)}
    for p in pbe:
        on_beer = p["strategies"]["sender"]["tree.strong"]["beer"] == 1.0
        on_path, off_path = ("beer", "quiche") if on_beer else ("quiche", "beer")
        # On the path the belief is the prior (both types pool); off it the receiver duels
        # only if it believes the sender weak with probability at least 1/2.
        assert p["exact"]["beliefs"][on_path] == {
            f"tree.strong.{on_path}": "9/10",
            f"tree.weak.{on_path}": "1/10",
        }
        assert p["exact"]["off_path_beliefs"][off_path][f"tree.weak.{off_path}"][0] == "1/2"
        assert p["intuitive"] is on_beer
        if not on_beer:
            assert p["intuitive_broken_by"] == [{"message": "beer", "type": "strong"}]
    assert json.loads(json.dumps(document)) == document


def test_beer_quiche_table_says_each_pbe_in_words() -> None:
    """The table format names each PBE set's kind, path and Intuitive Criterion verdict.

    The catalogue's labels are verb phrases, so every clause reads as a sentence (R2 found
    "Receiver no duel" when they were nouns).
    """
    text = tree_table(analyse(load_tree("beer-quiche")))
    assert "Perfect Bayesian equilibria: 2 sets, 4 extreme equilibria" in text
    flat = " ".join(text.split())
    assert (
        "pooling (sender 29/10, receiver 9/10): Sender, whatever its type, orders beer; after "
        "Sender orders beer, Receiver does not duel" in flat
    )
    assert "Sender, whatever its type, orders quiche" in flat
    assert (
        "fails the Intuitive Criterion (the strong type would deviate: Sender orders beer)" in flat
    )
    assert "Receiver duels (1/2) or does not duel (1/2)" in flat  # SPE and PBE alike
    assert "no duel" not in flat.replace("no_duel", "")


def test_a_pbe_set_of_one_point_is_said_with_its_probabilities() -> None:
    """The card game's one PBE (a set of one point) gives its mixtures' probabilities.

    Known answer (Myerson 1991, section 3.2; games/card_game.toml): with a black card
    Player 1 raises with probability 1/3, Player 2 meets with probability 2/3.
    """
    text = tree_table(analyse(load_tree("card-game")))
    flat = " ".join(text.split())
    assert (
        "hybrid (dealer 1/3, caller -1/3): Player 1 (red card) raises; Player 1 (black card) "
        "folds (2/3) or raises (1/3); after Player 1 raises, Player 2 meets (2/3) or passes "
        "(1/3); survives the Intuitive Criterion" in flat
    )


def test_written_types_and_hand_written_infosets_give_the_same_pbe_document() -> None:
    """Beer-Quiche from [types] and written by hand with a chance node give the same PBE."""
    folder = Path(__file__).parent / "trees" / "types"
    typed = tree_document(analyse(load_tree(folder / "beer_quiche.toml")))
    by_hand = tree_document(analyse(load_tree(folder / "beer_quiche_tree.toml")))

    def summary(d: dict[str, Any]) -> list[tuple[Any, ...]]:
        return sorted(
            (p["kind"], str(p["exact"]["payoffs"]), p["intuitive"]) for p in d["perfect_bayesian"]
        )

    assert summary(typed) == summary(by_hand)
    assert len(summary(typed)) == 4


def test_perfect_information_trees_carry_the_pbe_keys_as_not_computed() -> None:
    """A tree where every player sees every move keeps the PBE keys, null, with the reason."""
    document = tree_document(analyse(load_tree("entry")))
    assert document["perfect_bayesian_computed"] is False
    assert document["perfect_bayesian"] is None
    assert document["perfect_bayesian_sets"] is None
    assert "perfect information" in document["perfect_bayesian_notes"][0]
    assert "Perfect Bayesian" not in tree_table(analyse(load_tree("entry")))
