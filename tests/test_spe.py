"""Subgame-perfect equilibria and reduced forms of trees: known answers, Gambit, sweeps."""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pygambit
import pytest

from negotiation.errors import LimitError, ScenarioError
from negotiation.model.catalogue import load_tree
from negotiation.model.payoffs import Game
from negotiation.model.tree import TreeScenario
from negotiation.solvers import spe as spe_module
from negotiation.solvers.exact import solve_exact
from negotiation.solvers.reduced import Fragment, reduced_form, solve_reduced
from negotiation.solvers.spe import (
    SubgamePerfect,
    TreeSolution,
    describe_path,
    solve_spe,
    sweep_spe,
    verify,
)

TREES = Path(__file__).parent / "trees"
F = Fraction


def load(name: str, **overrides: Any) -> TreeScenario:
    """A test tree from tests/trees/, with overrides given as keyword arguments."""
    return TreeScenario.from_toml(
        TREES / f"{name}.toml", {k.replace("__", "."): v for k, v in overrides.items()}
    )


def behaviour_by_id(e: SubgamePerfect) -> dict[str, dict[str, Fraction] | None]:
    """Behaviour at every decision node, keyed by node id then action."""
    return {node: at for moves in e.strategies().values() for node, at in moves.items()}


def payoffs(solution: TreeSolution) -> list[tuple[Fraction, ...]]:
    """The payoffs of every listed equilibrium, in order."""
    return [e.payoffs for e in solution.equilibria]


# -- known answers ---------------------------------------------------------------------------


def test_entry_game_has_one_spe_in_accommodate() -> None:
    """Selten's entry game: the unique SPE is In / Accommodate (Selten 1978; issue 10)."""
    solution = solve_spe(load("entry"))
    assert payoffs(solution) == [(1, 1)]
    (e,) = solution.equilibria
    assert behaviour_by_id(e) == {
        "tree": {"out": 0, "in": 1},
        "tree.in": {"fight": 0, "accommodate": 1},
    }
    assert e.path == "Entrant: enters; Incumbent: accommodates"
    assert e.reached == {"tree.in.accommodate": 1}
    assert solution.complete
    assert not solution.ties
    assert solution.subgame_roots == ("tree", "tree.in")


def test_entry_game_reduced_form_has_out_fight_and_a_continuum() -> None:
    """The reduced form also has Out/Fight: a segment where Fight has probability >= 1/2.

    By hand: the entrant gets 0 out and (1 - f) - f = 1 - 2f in, so staying out is a best
    reply iff f >= 1/2; against Out the incumbent is indifferent. The segment's ends
    (f = 1 and f = 1/2) are extreme equilibria joined in one component, neither subgame
    perfect: fighting at tree.in is a non-credible threat (accommodating pays 1 > -1).
    """
    solution = solve_reduced(load("entry"))
    assert solution.form.labels == (("out", "in"), ("fight", "accommodate"))
    got = [(e.row, e.col, e.subgame_perfect) for e in solution.equilibria]
    assert got == [
        ((1, 0), (1, 0), False),
        ((1, 0), (F(1, 2), F(1, 2)), False),
        ((0, 1), (0, 1), True),
    ]
    assert [c.equilibria for c in solution.components] == [(0, 1), (2,)]
    assert solution.degenerate
    threat = solution.equilibria[0].threat
    assert threat is not None
    assert (threat.node, threat.player, threat.actions, threat.better, threat.gain) == (
        "tree.in",
        "incumbent",
        ("fight",),
        ("accommodate",),
        2,
    )
    assert "not credible" in threat.text
    assert solution.equilibria[2].threat is None


def test_trust_game_spe_is_not_trust_and_abuse() -> None:
    """Kreps's trust game: the SPE is Not trust / Abuse (Kreps 1990), payoffs (0, 0)."""
    (e,) = solve_spe(load("trust")).equilibria
    assert e.payoffs == (0, 0)
    assert behaviour_by_id(e) == {
        "tree": {"not_trust": 1, "trust": 0},
        "tree.trust": {"honor": 0, "abuse": 1},
    }
    reduced = solve_reduced(load("trust"))
    # Not trust is a best reply iff 10(1 - a) - 5a <= 0, i.e. abuse with probability >= 2/3.
    assert [(e.col, e.subgame_perfect) for e in reduced.equilibria] == [
        ((F(1, 3), F(2, 3)), False),
        ((0, 1), True),
    ]
    threat = reduced.equilibria[0].threat
    assert threat is not None
    assert threat.actions == ("honor",)
    assert threat.gain == 5


def test_centipede_game_takes_at_once() -> None:
    """Four-move centipede: every player takes at every node (McKelvey and Palfrey 1992)."""
    solution = solve_spe(load("centipede"))
    (e,) = solution.equilibria
    assert e.payoffs == (F(2, 5), F(1, 10))
    assert all(at == {"take": 1, "pass": 0} for at in behaviour_by_id(e).values())
    assert e.path == "red: take"
    reduced = solve_reduced(load("centipede"))
    assert reduced.form.labels[0] == ("take", "pass, take", "pass, pass")
    # Every Nash equilibrium has red take at once; only blue taking everywhere is perfect.
    assert all(eq.row == (1, 0, 0) for eq in reduced.equilibria)
    assert [eq.col for eq in reduced.equilibria if eq.subgame_perfect] == [(1, 0, 0)]
    assert all(eq.threat is not None for eq in reduced.equilibria if not eq.subgame_perfect)


def test_ultimatum_game_ties_at_zero_give_two_spe() -> None:
    """Discrete ultimatum game: two SPE, the responder indifferent at a zero offer.

    Osborne (2004), section 6.1.1: with whole units the responder accepts every positive
    offer; at 0 accepting and rejecting tie, and each choice gives an SPE: offer 0 accepted
    (3, 0), or offer 1 accepted after a rejected 0 (2, 1).
    """
    solution = solve_spe(load("ultimatum"))
    assert payoffs(solution) == [(3, 0), (2, 1)]
    assert solution.ties
    assert solution.tied_nodes == ("tree.offer0",)
    assert not solution.complete
    assert "mixing between tied choices" in solution.notes[0]
    first, second = solution.equilibria
    assert first.at("tree.offer0") == {"accept": 1, "reject": 0}
    assert second.at("tree.offer0") == {"accept": 0, "reject": 1}
    for e in solution.equilibria:
        assert e.tied_nodes == ("tree.offer0",)
        assert all(e.at(f"tree.offer{x}") == {"accept": 1, "reject": 0} for x in (1, 2, 3))
    assert second.path == "proposer: offers 1; responder: accept"


def test_stackelberg_leader_gains_from_moving_first() -> None:
    """Stackelberg: the leader makes 6 and the follower 3, profits 18 > 16 (Cournot).

    Osborne (2004), section 6.2.2: with inverse demand 12 - Q and no cost the leader's
    output is (12 - 0)/2 = 6 and the follower's 3; Cournot outputs are 4 each (profit 16).
    """
    (leader,) = solve_spe(load("stackelberg")).equilibria
    assert leader.payoffs == (18, 9)
    assert leader.at("tree") == {"q3": 0, "q4": 0, "q6": 1}
    follower = {
        node: max(at, key=lambda a: at[a])
        for node, at in leader.strategies()["follower"].items()
        if at
    }
    assert follower == {"tree.q3": "q4", "tree.q4": "q4", "tree.q6": "q3"}
    (cournot,) = solve_spe(load("cournot")).equilibria
    assert cournot.payoffs == (16, 16)
    assert leader.payoffs[0] > cournot.payoffs[0]  # the first-mover advantage


def test_matching_pennies_tree_has_one_mixed_spe() -> None:
    """Matching pennies with an information set: the unique SPE mixes 1/2-1/2 (von Neumann)."""
    solution = solve_spe(load("matching_pennies"))
    (e,) = solution.equilibria
    assert e.payoffs == (0, 0)
    assert not e.pure
    assert set(map(tuple, (v.values() for v in behaviour_by_id(e).values() if v))) == {
        (F(1, 2), F(1, 2))
    }
    assert len(e.reached) == 4
    assert set(e.reached.values()) == {F(1, 4)}
    (choice,) = e.subgames
    assert (choice.root, choice.count, choice.degenerate) == ("tree", 1, False)
    assert solution.complete


def test_chance_node_with_hidden_type() -> None:
    """Entry against a hidden type, computed by hand: entering earns 9/10 (-1) + 1/10 (1) < 0.

    The strong incumbent fights (2 > 1), the weak one accommodates (1 > -1); the entrant,
    not seeing the type, compares 0 with -p + (1 - p) and stays out iff p >= 1/2.
    """
    (e,) = solve_spe(load("entry_chance")).equilibria
    assert e.payoffs == (0, 3)
    assert e.at("tree.strong") == {"out": 1, "in": 0} == e.at("tree.weak")
    assert e.at("tree.strong.in") == {"fight": 1, "accommodate": 0}
    assert e.at("tree.weak.in") == {"fight": 0, "accommodate": 1}
    assert e.reached == {"tree.strong.out": F(9, 10), "tree.weak.out": F(1, 10)}
    assert (
        e.path
        == "chance: strong 9/10, weak 1/10; if strong: [entrant: out]; if weak: [entrant: out]"
    )
    tie = solve_spe(load("entry_chance", tree__chance__strong="1/2"))
    assert payoffs(tie) == [(0, 3), (0, F(3, 2))]
    assert tie.tied_nodes == ("tree",)


def test_chance_node_with_observed_type() -> None:
    """The entrant who sees the type enters only against the weak one: 1/10 on average."""
    text = (TREES / "entry_chance.toml").read_text().replace('infoset = "entrant"\n', "")
    tree = TreeScenario.from_string(text)
    assert tree.perfect_information
    (e,) = solve_spe(tree).equilibria
    assert e.payoffs == (F(1, 10), F(9, 10) * 3 + F(1, 10))
    assert e.reached == {"tree.strong.out": F(9, 10), "tree.weak.in.accommodate": F(1, 10)}


def test_outside_option_carries_every_equilibrium_of_the_stage_up() -> None:
    """Battle of the sexes after an outside option: one SPE per stage equilibrium.

    By hand: the stage has (top, left) worth 3 to Ann, (bottom, right) worth 1 and the
    mixed equilibrium (Ann top 3/4, Bob left 1/4) worth 3/4; Ann enters only for the first.
    """
    solution = solve_spe(load("outside_option"))
    assert payoffs(solution) == [(3, 1), (2, 2), (2, 2)]
    mixed = solution.equilibria[1]
    assert mixed.at("tree.in") == {"top": F(3, 4), "bottom": F(1, 4)}
    assert mixed.at("tree.in.top") == {"left": F(1, 4), "right": F(3, 4)}
    assert [c.equilibrium for e in solution.equilibria for c in e.subgames] == [0, 1, 2]
    assert solution.equilibria[1].path == solution.equilibria[2].path == "ann: out"
    reduced = solve_reduced(load("outside_option"))
    marks = [(e.row, e.col, e.subgame_perfect) for e in reduced.equilibria]
    assert marks == [
        ((1, 0, 0), (F(2, 3), F(1, 3)), False),
        ((1, 0, 0), (0, 1), True),
        ((0, 1, 0), (1, 0), True),
    ]
    threat = reduced.equilibria[0].threat
    assert threat is not None
    assert threat.node == "tree.in"
    assert threat.better == ()


def test_degenerate_simultaneous_subgame_keeps_every_extreme_equilibrium() -> None:
    """A degenerate stage (README's game) gives one SPE per extreme equilibrium, flagged."""
    A, B = [[3, 0], [3, 1]], [[2, 0], [0, 1]]
    tree = TreeScenario.from_dict(
        {
            "name": "stage",
            "players": [{"id": "row"}, {"id": "col"}],
            "tree": {
                "player": "row",
                **{
                    r: {
                        "player": "col",
                        "infoset": "col",
                        **{
                            c: {"payoffs": {"row": A[i][j], "col": B[i][j]}}
                            for j, c in enumerate("lr")
                        },
                    }
                    for i, r in enumerate("tb")
                },
            },
        }
    )
    solution = solve_spe(tree)
    exact = solve_exact(Game.from_arrays(A, B))
    assert len(solution.equilibria) == len(exact.equilibria) == 3
    assert solution.degenerate
    assert not solution.complete
    assert [c.component for e in solution.equilibria for c in e.subgames] == [0, 0, 1]
    assert any("degenerate" in note for note in solution.notes)


def test_three_player_perfect_information_tree() -> None:
    """Backward induction needs no strategic form: a three-player chain, solved by hand.

    c chooses between 1 for everyone (stop) and letting b choose; b prefers (0, 2, 0) to
    letting a choose between (3, 1, 2) and (2, 0, 3); a would take 3; so b stops with 2
    and c, getting 0 there, stops at once.
    """
    tree = TreeScenario.from_dict(
        {
            "name": "chain",
            "players": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "tree": {
                "player": "c",
                "stop": {"payoffs": {"a": 1, "b": 1, "c": 1}},
                "go": {
                    "player": "b",
                    "stop": {"payoffs": {"a": 0, "b": 2, "c": 0}},
                    "go": {
                        "player": "a",
                        "x": {"payoffs": {"a": 3, "b": 1, "c": 2}},
                        "y": {"payoffs": {"a": 2, "b": 0, "c": 3}},
                    },
                },
            },
        }
    )
    (e,) = solve_spe(tree).equilibria
    assert e.payoffs == (1, 1, 1)
    assert e.at("tree.go") == {"stop": 1, "go": 0}
    assert e.at("tree.go.go") == {"x": 1, "y": 0}
    with pytest.raises(ScenarioError, match="exactly two players"):
        reduced_form(tree)


def test_three_player_simultaneous_subgame_reports_pure_equilibria_only() -> None:
    """Three players choosing at once (all matching pays 1): pure equilibria AAA and BBB.

    Any 2-1 split lets the odd one out gain by switching, so the pure equilibria are the
    two unanimous profiles; the mixed ones (e.g. everyone 1/2-1/2) are not computed and
    the solution says so.
    """

    def stage(depth: int, chosen: str) -> dict[str, Any]:
        if depth == 3:
            win = int(len(set(chosen)) == 1)
            return {"payoffs": {p: win for p in "xyz"}}
        node: dict[str, Any] = {"player": "xyz"[depth]}
        if depth:
            node["infoset"] = f"i{depth}"
        node.update({a: stage(depth + 1, chosen + a) for a in ("A", "B")})
        return node

    tree = TreeScenario.from_dict(
        {"name": "meet", "players": [{"id": p} for p in "xyz"], "tree": stage(0, "")}
    )
    solution = solve_spe(tree)
    assert [e.reached for e in solution.equilibria] == [{"tree.A.A.A": 1}, {"tree.B.B.B": 1}]
    assert not solution.complete
    assert any("only its pure equilibria" in note for note in solution.notes)
    assert all(c.pure_only for e in solution.equilibria for c in e.subgames)


# -- verification ----------------------------------------------------------------------------


def test_verify_finds_the_non_credible_threat() -> None:
    """verify() rejects Out/Fight at tree.in and a pure profile in matching pennies."""
    entry = load("entry")
    out_fight = ((F(1), F(0)), (F(1), F(0)))
    (problem,) = verify(entry, out_fight)
    assert problem.startswith("tree.in: incumbent plays fight")
    pennies = load("matching_pennies")
    pure = ((F(1), F(0)), (F(1), F(0)))
    assert any("gains" in p for p in verify(pennies, pure))
    assert verify(entry, ((F(1, 2), F(1, 3)), (F(0), F(1)))) == [
        "behaviour at tree is not a probability distribution"
    ]


def test_every_listed_spe_passes_verification() -> None:
    """Every equilibrium of every test tree is subgame perfect by the independent check."""
    for path in sorted(TREES.glob("*.toml")):
        tree = TreeScenario.from_toml(path)
        for e in solve_spe(tree).equilibria:
            assert verify(tree, e.behaviour) == [], path.name


# -- limits ----------------------------------------------------------------------------------


def test_too_many_equilibria_is_a_limit_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ties multiply equilibria; beyond MAX_EQUILIBRIA the solver stops with a LimitError."""
    monkeypatch.setattr(spe_module, "MAX_EQUILIBRIA", 1)
    with pytest.raises(LimitError, match="MAX_EQUILIBRIA"):
        solve_spe(load("ultimatum"))


def test_reduced_form_beyond_the_engine_is_a_limit_error() -> None:
    """Nine offers give the responder 2**9 plans: refused; the SPE solver still answers."""
    offers = {
        f"offer{x}": {
            "player": "responder",
            "accept": {"payoffs": {"proposer": 8 - x, "responder": x}},
            "reject": {"payoffs": {"proposer": 0, "responder": 0}},
        }
        for x in range(9)
    }
    tree = TreeScenario.from_dict(
        {
            "name": "big",
            "players": [{"id": "proposer"}, {"id": "responder"}],
            "tree": {"player": "proposer", **offers},
        }
    )
    with pytest.raises(LimitError, match="512 plans"):
        reduced_form(tree)
    assert len(solve_spe(tree).equilibria) == 2


# -- random trees: Gambit and game-theoretic laws ---------------------------------------------


def random_tree(seed: int, players: int = 2, depth: int = 3, chance: bool = True) -> TreeScenario:
    """A random tree with chance nodes and information sets that keep perfect recall.

    Decision nodes of one player with the same own history and number of actions are
    grouped at random into information sets (any such grouping has perfect recall);
    payoffs are integers from -9 to 9 and chance probabilities multiples of 1/4.
    """
    rng = np.random.default_rng(seed)
    ids = [f"p{i}" for i in range(players)]

    def build(d: int) -> dict[str, Any]:
        if d == depth or (d > 0 and rng.random() < 0.2):
            return {"payoffs": {p: int(rng.integers(-9, 10)) for p in ids}}
        if chance and d < depth - 1 and rng.random() < 0.2:
            first = Fraction(int(rng.integers(0, 5)), 4)
            return {"chance": {"s": first, "w": "rest"}, "s": build(d + 1), "w": build(d + 1)}
        player = int(rng.integers(players))
        arity = 3 if rng.random() < 0.2 else 2
        node: dict[str, Any] = {"player": ids[player]}
        node.update({f"a{k}": build(d + 1) for k in range(arity)})
        return node

    root = build(0)
    if "payoffs" in root:
        root = {"player": ids[0], "a0": root, "a1": build(1)}
    # Top down, breadth first, so that a node's own history names earlier sets already.
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    names: dict[int, str] = {}
    histories: dict[int, tuple[Any, ...]] = {id(root): ()}
    queue = [root]
    while queue:
        node = queue.pop(0)
        own = histories[id(node)]
        if "player" in node:
            arity = sum(1 for k in node if k.startswith("a"))
            key = (node["player"], tuple(h for h in own if h[0] == node["player"]), arity)
            members = groups.setdefault(key, [])
            if members and rng.random() < 0.8:
                names[id(node)] = names[id(members[int(rng.integers(len(members)))])]
            else:
                names[id(node)] = f"i{len(names)}"
            members.append(node)
            node["infoset"] = names[id(node)]
        for key, child in node.items():
            if not isinstance(child, dict) or key == "chance" or "payoffs" in child:
                continue
            move = (node["player"], names[id(node)], key) if "player" in node else ("chance", key)
            histories[id(child)] = (*own, move)
            queue.append(child)
    return TreeScenario.from_dict(
        {"name": f"random-{seed}", "players": [{"id": p} for p in ids], "tree": root}
    )


def small_random_trees(count: int, first_seed: int, chance: bool = True) -> list[TreeScenario]:
    """The first ``count`` random trees from ``first_seed`` on whose reduced form is small.

    At most 8 plans per player and 40 plan pairs keep the exact enumeration of each reduced
    form (and Gambit's) to milliseconds; larger draws are skipped, deterministically.
    """
    trees: list[TreeScenario] = []
    seed = first_seed
    while len(trees) < count:
        tree = random_tree(seed, chance=chance)
        seed += 1
        whole = Fragment(tree, 0, lambda v: False, tree.numbers)
        rows, cols = whole.count_plans(0), whole.count_plans(1)
        if max(rows, cols) <= 8 and rows * cols <= 40:
            trees.append(tree)
    return trees


def to_efg(tree: TreeScenario) -> str:
    """The tree in Gambit's .efg format (actions labelled by their ids, exact numbers)."""
    names = " ".join(f'"{p.id}"' for p in tree.players)
    lines = [f'EFG 2 R "{tree.name}" {{ {names} }}', '""', ""]
    numbering: dict[int, int] = {}
    counts = [0] * len(tree.players)
    chance = outcome = 0
    for node in tree.nodes:  # preorder
        if node.kind == "leaf":
            outcome += 1
            values = ", ".join(str(x) for x in node.payoffs)
            lines.append(f't "" {outcome} "" {{ {values} }}')
        elif node.kind == "chance":
            chance += 1
            moves = " ".join(
                f'"{a}" {p}' for a, p in zip(node.actions, node.probabilities, strict=True)
            )
            lines.append(f'c "" {chance} "" {{ {moves} }} 0')
        else:
            if node.infoset not in numbering:
                counts[node.player] += 1
                numbering[node.infoset] = counts[node.player]
            moves = " ".join(f'"{a}"' for a in node.actions)
            lines.append(f'p "" {node.player + 1} {numbering[node.infoset]} "" {{ {moves} }} 0')
    return "\n".join(lines) + "\n"


def node_id(actions: Sequence[str]) -> str:
    """Our node id for a Gambit history (its action labels from the root)."""
    return ".".join(["tree", *actions])


def gambit_check(tree: TreeScenario) -> None:
    """Compare one tree with pygambit: subgame roots, reduced form and Nash equilibria.

    pygambit 17 reads the .efg, builds its own reduced strategic form and lists subgame
    roots; its strategies are matched to our plans through the actions they prescribe, so
    the two reduced forms are compared entry by entry before the equilibrium sets are.
    """
    form = reduced_form(tree)
    ours = {(e.row, e.col) for e in solve_reduced(tree).equilibria}
    g = pygambit.read_efg(io.StringIO(to_efg(tree)))
    roots = {node_id(h.actions) for h in g.get_subgame_roots()}
    assert roots == {tree.nodes[v].id for v in tree.subgame_roots}
    order = []
    for p, player in enumerate(g.players):
        plans = {
            frozenset((tree.infosets[i].id, tree.infosets[i].actions[k]) for i, k in plan): n
            for n, plan in enumerate(form.plans[p])
        }
        theirs = []
        for s in g.get_strategies(player):
            prescribed = frozenset(
                (tree.infosets[tree.node(node_id(h.actions)).infoset].id, action)
                for h, action in g.get_behavior(player, s).items()
            )
            theirs.append(plans[prescribed])
        assert sorted(theirs) == list(range(len(form.plans[p])))
        order.append(theirs)
    tables = g.to_arrays(dtype=Fraction)
    for which, ours_table in enumerate((form.game.A, form.game.B)):
        for i, r in enumerate(order[0]):
            for j, c in enumerate(order[1]):
                assert Fraction(tables[which][i][j]) == ours_table[r][c]
    found = set()
    for profile in pygambit.nash.enummixed_solve(g, rational=True).equilibria:
        mixed = []
        for p, player in enumerate(g.players):
            x = [Fraction(0)] * len(form.plans[p])
            for s, n in zip(g.get_strategies(player), order[p], strict=True):
                x[n] = Fraction(profile[player][s])
            mixed.append(tuple(x))
        found.add((mixed[0], mixed[1]))
    assert found == ours


def gambit_check_strategic(tree: TreeScenario) -> None:
    """Pygambit 16.x: compare our reduced form's equilibria with Gambit's on that form."""
    from test_exact import gambit_equilibria

    form = reduced_form(tree)
    ours = {(e.row, e.col) for e in solve_reduced(tree).equilibria}
    assert ours == gambit_equilibria(form.game)


def test_agrees_with_gambit_on_random_trees() -> None:
    """On 60 seeded random trees (chance, information sets) Gambit agrees exactly.

    With pygambit 17 (ExtensiveGame): its subgame roots, its own reduced strategic form and
    its enummixed equilibria. With 16.x only the strategic form is compared: our reduced
    form's equilibria against enummixed on the same tables.
    """
    check = gambit_check if hasattr(pygambit, "ExtensiveGame") else gambit_check_strategic
    trees = small_random_trees(60, 0)
    for tree in trees:
        check(tree)
    assert sum(not t.perfect_information for t in trees) >= 20  # information sets were tried
    assert sum(bool(t.chance_nodes) for t in trees) >= 10  # and chance nodes


def test_no_two_subgame_perfect_equilibria_prescribe_the_same_behaviour() -> None:
    """Extreme equilibria of a local form that couple plans differently are listed once.

    rare-earth-trap's root is a degenerate local game (32 US plans x 9 pairs of offers by
    type, solved by the certified large engine) whose 13 extreme equilibria give 10
    distinct behaviour profiles (some differ only in how the US's mixed plans couple its
    choices at different information sets); random trees with information sets are
    checked the same way.
    """
    trap = solve_spe(load_tree("rare-earth-trap"))
    assert len(trap.equilibria) == 10
    for tree in [load_tree("rare-earth-trap"), *small_random_trees(40, 3000)]:
        behaviours = [e.behaviour for e in solve_spe(tree).equilibria]
        assert len(behaviours) == len(set(behaviours))


def mixed_plans(plans: Sequence[Any], behaviour: Any) -> tuple[Fraction, ...]:
    """The mixed strategy realisation-equivalent to behaviour (Kuhn 1953).

    A plan's probability is the product of the behaviour probabilities of its moves; at a
    set where behaviour is unrestricted (None) the first action stands in.
    """
    out = []
    for plan in plans:
        p = Fraction(1)
        for info, k in plan:
            beta = behaviour[info]
            p *= beta[k] if beta is not None else Fraction(int(k == 0))
        out.append(p)
    return tuple(out)


def test_every_spe_is_a_nash_equilibrium_of_the_reduced_form() -> None:
    """On random trees each SPE, as mixed plans (Kuhn 1953), is Nash in the reduced form."""
    checked = 0
    for tree in small_random_trees(40, 1000):
        form = reduced_form(tree)
        A, B = form.game.A, form.game.B
        for e in solve_spe(tree).equilibria:
            x = mixed_plans(form.plans[0], e.behaviour)
            y = mixed_plans(form.plans[1], e.behaviour)
            assert sum(x) == 1
            assert sum(y) == 1
            rows = [sum(a * q for a, q in zip(row, y, strict=True)) for row in A]
            cols = [sum(B[i][j] * x[i] for i in range(len(x))) for j in range(len(y))]
            value = (
                sum(p * r for p, r in zip(x, rows, strict=True)),
                sum(q * c for q, c in zip(y, cols, strict=True)),
            )
            assert value == e.payoffs
            assert max(rows) == value[0]
            assert max(cols) == value[1]
            checked += 1
    assert checked >= 40


def test_generic_perfect_information_trees_have_one_spe_and_one_perfect_ne_outcome() -> None:
    """Distinct payoffs: a unique SPE (Kuhn 1953), and every NE marked perfect pays the same."""
    for seed, tree in enumerate(small_random_trees(30, 2000, chance=False)):
        if not tree.perfect_information:
            tree = TreeScenario.from_dict(_strip_infosets(dict(tree.content)))
        leaves = [x for v in tree.leaves for x in tree.nodes[v].payoffs]
        values = np.random.default_rng(seed).permutation(len(leaves))
        overrides = {}
        k = 0
        for v in tree.leaves:
            for p in tree.player_ids:
                overrides[f"{tree.nodes[v].id}.payoffs.{p}"] = int(values[k])
                k += 1
        tree = tree.with_overrides(overrides)
        (e,) = solve_spe(tree).equilibria
        marked = [r for r in solve_reduced(tree).equilibria if r.subgame_perfect]
        assert marked
        assert all(r.payoffs == e.payoffs for r in marked)


def _strip_infosets(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_infosets(v) for k, v in node.items() if k != "infoset"}
    return node


# -- words -----------------------------------------------------------------------------------


def test_paths_in_words_show_mixing_and_branches() -> None:
    """Mixed moves and chance branches read naturally, and chance numbers can be hidden.

    The fixture's actions are unlabelled, so a branch reads "if even chooses heads"; the
    catalogue's labelled tree reads "if Matcher lays heads" (verb-phrase labels,
    docs/reference/scenario-format.md).
    """
    (e,) = solve_spe(load("matching_pennies")).equilibria
    assert e.path == (
        "even: heads (1/2) or tails (1/2); if even chooses heads: [odd: heads (1/2) or tails "
        "(1/2)]; if even chooses tails: [odd: heads (1/2) or tails (1/2)]"
    )
    (m,) = solve_spe(load_tree("matching-pennies-tree")).equilibria
    assert m.path == (
        "Matcher: lays heads (1/2) or lays tails (1/2); if Matcher lays heads: [Mismatcher: "
        "lays heads (1/2) or lays tails (1/2)]; if Matcher lays tails: [Mismatcher: lays "
        "heads (1/2) or lays tails (1/2)]"
    )
    tree = load("entry_chance")
    (f,) = solve_spe(tree).equilibria
    hidden = describe_path(tree, f.behaviour, show_chance=False)
    assert hidden == "chance: strong, weak; if strong: [entrant: out]; if weak: [entrant: out]"


# -- sweeps ----------------------------------------------------------------------------------


def exact_rows(
    tree: TreeScenario, axes: Sequence[tuple[str, Sequence[Fraction]]]
) -> list[list[dict[str, Any]]]:
    """Rows of every grid point computed the slow way: override, rebuild, solve exactly."""
    out = []
    for i, values in enumerate(itertools.product(*(v for _, v in axes))):
        overridden = tree.with_overrides(dict(zip([p for p, _ in axes], values, strict=True)))
        out.append(
            spe_module._exact_rows(overridden, overridden.numbers, [p for p, _ in axes], i, values)
        )
    return out


def test_sweep_of_a_perfect_information_tree_matches_exact_solving() -> None:
    """The vectorised sweep gives, at every point, exactly the rows of exact solving."""
    tree = load("stackelberg")
    axes = [
        ("tree.q6.q3.payoffs.leader", [F(k) for k in range(21)]),
        ("tree.q4.q4.payoffs.follower", [F(k) for k in (10, 15, 16, 20)]),
    ]
    got = [rows for _, rows in sweep_spe(tree, axes)]
    expected = exact_rows(tree, axes)
    assert len(got) == len(expected) == 21 * 4
    for mine, theirs in zip(got, expected, strict=True):
        assert mine == theirs
    tied = [rows for rows in got if rows[0]["ties"]]
    assert tied
    assert all(len(rows) >= 2 for rows in tied)


def test_sweep_of_a_prior_finds_the_threshold_exactly() -> None:
    """Sweeping P(strong) over [0, 1]: enter below 1/2, stay out above, both at 1/2 exactly."""
    tree = load("entry_chance")
    axes = [("tree.chance.strong", [F(k, 10) for k in range(11)])]
    points = dict(sweep_spe(tree, axes))
    assert points == dict(enumerate(exact_rows(tree, axes)))
    enter = [i for i, rows in points.items() if all("entrant: in" in r["path"] for r in rows)]
    stay = [i for i, rows in points.items() if all("entrant: out" in r["path"] for r in rows)]
    assert enter == [0, 1, 2, 3, 4]
    assert stay == [6, 7, 8, 9, 10]
    assert len(points[5]) == 2
    assert points[5][0]["ties"]
    assert points[0][0]["outcome"] == "tree.weak.in.accommodate=1"
    assert points[3][0]["outcome"] == "tree.strong.in.fight=0.3;tree.weak.in.accommodate=0.7"


def test_sweep_skips_points_and_reports_columns() -> None:
    """Skipped points are not solved; rows carry the documented columns."""
    tree = load("entry")
    axes = [("tree.in.fight.payoffs.incumbent", [F(-2), F(1), F(3)])]
    points = dict(sweep_spe(tree, axes, skip=[0]))
    assert sorted(points) == [1, 2]
    row = points[2][0]
    assert list(row) == [
        "point",
        "tree.in.fight.payoffs.incumbent",
        "equilibrium",
        "payoff.entrant",
        "payoff.incumbent",
        "outcome",
        "ties",
        "degenerate",
        "path",
    ]
    assert row["path"] == "Entrant: stays out"
    assert row["payoff.incumbent"] == 2.0
    # At 1 the incumbent is indifferent: fighting (then staying out) or accommodating.
    assert [r["path"] for r in points[1]] == [
        "Entrant: stays out",
        "Entrant: enters; Incumbent: accommodates",
    ]
    assert all(r["ties"] for r in points[1])


def test_sweep_of_an_imperfect_information_tree_uses_the_swept_payoffs() -> None:
    """Simultaneous subgames are solved with each point's own payoffs (exactly, per point)."""
    tree = load("outside_option")
    axes = [
        ("tree.out.payoffs.ann", [F(0), F(3, 4), F(2), F(4)]),
        ("tree.in.top.left.payoffs.bob", [F(-2), F(1, 20), F(1), F(3)]),
    ]
    points = dict(sweep_spe(tree, axes))
    assert points == dict(enumerate(exact_rows(tree, axes)))
    # Bob's payoff -2 at (top, left) leaves (bottom, right) as the only stage equilibrium.
    assert [r["path"] for r in points[0]] == ["ann: in; ann: bottom; bob: right"]
    # An option worth 4 beats every stage equilibrium (3 at most): out in all three SPE.
    assert [r["path"] for r in points[15]] == ["ann: out"] * 3


def test_batch_induction_choices_are_the_exact_ones_where_certified() -> None:
    """BatchInduction's certified choices are solve_spe's unique ones at every grid point.

    On Stackelberg's leader payoff grid (ties included), each point the float pass
    certifies has one SPE whose action at every decision node is the pass's choice; every
    point it leaves uncertified is re-decided by resolve, which agrees with solve_spe
    or returns None exactly where solve_spe finds several SPE.
    """
    tree = load("stackelberg")
    path = "tree.q6.q3.payoffs.leader"
    values = [F(k) for k in range(21)]
    batch = spe_module.BatchInduction(tree, tree.family([(path, values)]))
    induction = batch.solve(np.array([[float(v)] for v in values]))
    assert induction.decisions == tuple(n.index for n in tree.nodes if n.kind == "decision")
    for g, value in enumerate(values):
        at = tree.with_overrides({path: value})
        solution = solve_spe(at)
        if induction.certified[g]:
            chosen = tuple(int(k) for k in induction.choices[g])
        else:
            resolved = batch.resolve(induction, g, at.numbers)
            assert (resolved is None) == (len(solution.equilibria) > 1), value
            if resolved is None:
                continue
            chosen = resolved[0]
        (e,) = solution.equilibria
        expected = tuple(
            e.behaviour[tree.nodes[v].infoset].index(1)  # type: ignore[union-attr]
            for v in induction.decisions
        )
        assert chosen == expected, value
    assert not induction.certified.all()  # the grid holds ties


def test_an_interrupted_tree_sweep_keeps_every_point_solved_before_the_stop(
    tmp_path: Path,
) -> None:
    """Points wait in a block between saves; a stop still appends and vouches for them all.

    With saves far apart (save_every=1e9) nothing is saved while solving, so the 7 points
    solved before Ctrl-C are written by the interrupted save, and a resume gives the bytes
    of an uninterrupted run.
    """
    from negotiation.output import results, tree_results
    from negotiation.studies.sweep import Axis, Grid

    tree = load_tree("rare-earth-sequential")
    grid = Grid(
        (
            Axis.parse_range("weights.us.supply_security=0:10:6"),
            Axis.parse_range("weights.russia.china_relations=0:2:5"),
        )
    )
    tree_results.run(tree, grid, tmp_path / "whole")

    def stop(done: int, total: int) -> None:
        if done == 7:
            raise KeyboardInterrupt

    with pytest.raises(results.SweepInterrupted):
        tree_results.run(tree, grid, tmp_path / "cut", progress=stop, save_every=1e9)
    manifest = results.read_manifest(tmp_path / "cut")
    assert (manifest["status"], manifest["points_done"]) == ("interrupted", 7)
    tree_results.run(tree, grid, tmp_path / "cut", resume=True)
    whole = (tmp_path / "whole" / results.RESULTS).read_bytes()
    assert (tmp_path / "cut" / results.RESULTS).read_bytes() == whole
