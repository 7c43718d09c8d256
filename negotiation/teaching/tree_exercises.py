"""Exercises on game trees, with every answer and printed number computed by the solvers.

Topics: backward induction (:func:`negotiation.solvers.spe.solve_spe`), a threat that is not
credible (:func:`negotiation.solvers.reduced.solve_reduced`), mixing behind an information
set. Answers are actions at a node, read by id or label; the texts are templates filled from
these facts (:class:`negotiation.teaching.questions.Exercise`).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from negotiation.model.catalogue import load_tree
from negotiation.model.tree import TreeScenario
from negotiation.solvers.reduced import ReducedEquilibrium, solve_reduced
from negotiation.solvers.spe import SubgamePerfect, solve_spe
from negotiation.teaching.questions import Exercise, Facts
from negotiation.teaching.text import Affine, and_, frac, num, where

Behaviour = Sequence[tuple[Fraction, ...] | None]


def node_values(tree: TreeScenario, behaviour: Behaviour) -> list[tuple[Fraction, ...]]:
    """Every node's expected payoffs under a behaviour profile, computed from the leaves up.

    The bookkeeping of backward induction (Osborne and Rubinstein 1994, section 6.2): a
    leaf is worth its payoffs, a chance or decision node the average of its children's
    worth under the chance probabilities or the behaviour. A set the profile leaves open
    (None) counts as its first action; the exercises read values only where it is set.
    """
    numbers = tree.numbers
    zero = Fraction(0)
    values: list[tuple[Fraction, ...]] = [() for _ in tree.nodes]
    for node in reversed(tree.nodes):
        v = node.index
        if node.kind == "leaf":
            values[v] = numbers.payoffs[v]
            continue
        weights = numbers.probabilities[v] if node.kind == "chance" else behaviour[node.infoset]
        if weights is None:
            weights = tuple(Fraction(int(k == 0)) for k in range(len(node.children)))
        values[v] = tuple(
            sum((w * values[c][i] for w, c in zip(weights, node.children, strict=True)), zero)
            for i in range(len(tree.players))
        )
    return values


def _reach(tree: TreeScenario, behaviour: Behaviour) -> list[Fraction]:
    """The probability that play reaches each node under a behaviour profile."""
    numbers = tree.numbers
    reach = [Fraction(0) for _ in tree.nodes]
    reach[0] = Fraction(1)
    for node in tree.nodes:  # preorder: a parent comes before its children
        if node.kind == "leaf":
            continue
        v = node.index
        weights = numbers.probabilities[v] if node.kind == "chance" else behaviour[node.infoset]
        for w, c in zip(weights or (Fraction(0),) * len(node.children), node.children, strict=True):
            reach[c] = reach[v] * w
    return reach


def _only_spe(name: str) -> SubgamePerfect:
    """The one subgame-perfect equilibrium of a catalogue tree."""
    (eq,) = solve_spe(load_tree(name)).equilibria
    return eq


def _chosen(eq: SubgamePerfect, node_id: str) -> str:
    """The action a pure subgame-perfect equilibrium takes at a node."""
    beta = eq.at(node_id)
    assert beta is not None
    (action,) = [a for a, p in beta.items() if p == 1]
    return action


def _paying(tree: TreeScenario, payoffs: Sequence[Fraction]) -> str:
    return and_([f"{p.label} {num(x)}" for p, x in zip(tree.players, payoffs, strict=True)])


#: The tree of the backward-induction exercise.
SEQUENTIAL = "rare-earth-sequential"


def _first_move() -> str:
    """What the first mover of the sequential rare-earth game does in its one SPE."""
    return _chosen(_only_spe(SEQUENTIAL), "tree")


def _backward_facts() -> Facts:
    """Each decision of the SPE, last movers first, with what every action pays the mover."""
    tree = load_tree(SEQUENTIAL)
    eq = _only_spe(SEQUENTIAL)
    values = node_values(tree, eq.behaviour)
    steps = []
    decisions = [n for n in tree.nodes if n.kind == "decision"]
    for node in sorted(decisions, key=lambda n: (-n.depth, n.index)):
        k = node.player
        pays = ", ".join(
            f"{a} {num(values[c][k])}" for a, c in zip(node.actions, node.children, strict=True)
        )
        steps.append(
            f"{where(tree, node.index)} {tree.players[k].label} takes "
            f"{_chosen(eq, node.id)} ({pays})"
        )
    return {
        "first": tree.players[tree.root.player].label,
        "second": tree.players[1 - tree.root.player].label,
        "steps": "; ".join(steps),
        "answer": _chosen(eq, "tree"),
        "path": eq.path,
        "payoffs": _paying(tree, eq.payoffs),
    }


#: The tree of the threat exercise, and the node where the threat would be carried out.
ENTRY, ENTRY_NODE = "entry", "tree.in"


def _threatening() -> list[ReducedEquilibrium]:
    """The reduced-form equilibria of the entry game that rest on a non-credible threat."""
    return [e for e in solve_reduced(load_tree(ENTRY)).equilibria if e.threat is not None]


def _threatened() -> str:
    """The action the threats of the entry game's reduced-form equilibria name."""
    (action,) = {a for e in _threatening() for a in e.threat.actions}  # type: ignore[union-attr]
    return action


def _threat_facts() -> Facts:
    tree = load_tree(ENTRY)
    node = tree.node(ENTRY_NODE)
    root = tree.root
    k = root.player
    pay = tree.numbers.payoffs
    threats = _threatening()
    first = threats[0].threat
    assert first is not None
    (fight,) = first.actions
    (better,) = first.better
    f, b = (node.actions.index(a) for a in (fight, better))
    enter = Affine(
        pay[node.children[f]][k] - pay[node.children[b]][k], pay[node.children[b]][k], "q"
    )
    stay = [c for c in root.children if c != node.index]
    (out,) = stay
    probabilities = [e.behaviour[node.infoset] for e in threats]
    q = [beta[f] for beta in probabilities if beta is not None]
    spe = _only_spe(ENTRY)
    return {
        "entrant": tree.players[k].label,
        "incumbent": tree.players[node.player].label,
        "out": tree.nodes[out].label,
        "out_pays": pay[out][k],
        "enter_pays": enter,
        "fight": fight,
        "q": frac(min(q)),
        "q_high": frac(max(q)),
        "better": better,
        "gain": first.gain,
        "path": spe.path,
        "payoffs": _paying(tree, spe.payoffs),
    }


#: The tree of the information-set exercise: the node and action whose probability is asked.
CARD, BLUFF_NODE, BLUFF = "card-game", "tree.black", "raise"


def _bluff() -> Fraction:
    """How often the first player raises with a black card in Myerson's card game."""
    beta = _only_spe(CARD).at(BLUFF_NODE)
    assert beta is not None
    return beta[BLUFF]


def _bluff_lines() -> tuple[TreeScenario, SubgamePerfect, int, list[tuple[str, Affine]]]:
    """The responder's expected payoff of each action at her information set, in b.

    b is the probability of the bluff; the responder does not see which node of her set
    she is at, so an action's worth is the sum over the set's nodes of the chance of
    reaching that node times what the action pays there (Myerson 1991, section 3.2). Both
    are affine in b, so their values at b = 0 and b = 1 fix them; the tests check others.
    """
    tree = load_tree(CARD)
    eq = _only_spe(CARD)
    bluff = tree.node(BLUFF_NODE)
    after = tree.nodes[bluff.children[bluff.actions.index(BLUFF)]]
    info = tree.infosets[after.infoset]
    values = node_values(tree, eq.behaviour)

    def worth(b: Fraction, action: int) -> Fraction:
        behaviour = list(eq.behaviour)
        behaviour[bluff.infoset] = tuple(b if a == BLUFF else 1 - b for a in bluff.actions)
        reach = _reach(tree, behaviour)
        return sum(
            (reach[v] * values[tree.nodes[v].children[action]][info.player] for v in info.nodes),
            Fraction(0),
        )

    lines = [
        (a, Affine(worth(Fraction(1), i) - worth(Fraction(0), i), worth(Fraction(0), i), "b"))
        for i, a in enumerate(info.actions)
    ]
    return tree, eq, info.index, lines


def _bluff_facts() -> Facts:
    tree, eq, infoset, lines = _bluff_lines()
    (first, first_pays), (second, second_pays) = lines
    info = tree.infosets[infoset]
    bluff = tree.node(BLUFF_NODE)
    others = []
    for v in info.nodes:
        parent = tree.nodes[tree.nodes[v].parent]
        if parent.index != bluff.index:
            beta = eq.at(parent.id)
            assert beta is not None
            others.append(
                f"with a {parent.label} with probability {frac(beta[tree.nodes[v].action])}"
            )
    mix = eq.behaviour[infoset]
    assert mix is not None
    return {
        "mover": tree.players[bluff.player].label,
        "responder": tree.players[info.player].label,
        "bluff": BLUFF,
        "card": bluff.label,
        "others": and_(others),
        "first": first,
        "second": second,
        "first_pays": first_pays,
        "second_pays": second_pays,
        "b": frac(first_pays.root_with(second_pays)),
        "mix": frac(mix[0]),
        "value": eq.payoffs[bluff.player],
    }


TREE_EXERCISES: list[Exercise] = [
    Exercise(
        "sequential-offer",
        "Backward induction: who offers what",
        "backward induction",
        "action",
        "In `rare-earth-sequential`, {first} makes an offer or none, then {second} "
        "answers, and after a deal {first} keeps or breaks it. What does {first} do at "
        "the start in the subgame-perfect equilibrium?",
        "Start from the last moves: what does {first} do after each deal? Knowing that, "
        "what does {second} answer to each offer? Only then compare the offers.",
        "Working back from the last moves (each action with what it pays the mover): "
        "{steps}. So {first} takes {answer}, and the path of play is {path}, paying "
        "{payoffs}.",
        _first_move,
        _backward_facts,
        game=SEQUENTIAL,
        node="tree",
    ),
    Exercise(
        "entry-threat",
        "A threat that is not credible",
        "subgame perfection and threats",
        "action",
        "In `entry`, the strategic form has Nash equilibria in which the {entrant} "
        "{out}. What does the {incumbent} threaten to do if the {entrant} enters?",
        "Which reply to entry would make staying out the {entrant}'s best reply? Then ask "
        "whether the {incumbent} would carry it out once the {entrant} is in.",
        "Staying out pays the {entrant} {out_pays}; entering pays {enter_pays} if the "
        "{incumbent} plays {fight} with probability q, so the {entrant} stays out in "
        "equilibrium while q >= {q} (the extreme equilibria have q = {q} and q = "
        "{q_high}). But once the {entrant} is in, {better} pays the {incumbent} {gain} "
        "more than {fight}: the threat is not credible. Backward induction (Selten 1978) "
        "keeps only the path {path}, paying {payoffs}.",
        _threatened,
        _threat_facts,
        game=ENTRY,
        node=ENTRY_NODE,
    ),
    Exercise(
        "card-game-bluff",
        "Bluffing behind an information set",
        "information sets and mixed behaviour",
        "probability",
        "In `card-game`, with what probability does {mover} {bluff} with a {card} (a "
        "bluff) in equilibrium?",
        "{responder} sees the {bluff} but not the card: the bluffing must leave her "
        "indifferent between her replies.",
        "{mover} plays {bluff} {others} and with a {card} with probability b. Counting "
        "the chance of each card, {responder}'s {first} then pays {first_pays} and "
        "{second} pays {second_pays}; they are equal at b = {b}, so only then is "
        "{responder} willing to mix ({first} with probability {mix}), and {mover} "
        "expects {value} a game (Myerson 1991).",
        _bluff,
        _bluff_facts,
    ),
]
