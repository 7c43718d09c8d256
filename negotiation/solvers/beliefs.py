"""Beliefs at information sets, reach and values of a profile, and exact verification.

**Beliefs.** On the path they are Bayes' rule. Off the path, the beliefs that make every
action a player uses a best reply at a set whose actions lead to outcomes form a polytope
(:func:`belief_polytope`), reported per node as the interval ``[low, high]`` of that node's
probability over it (:func:`belief_ranges`, exact linear programming).

**Verification.** :func:`verify_assessment` checks a whole assessment (behaviour and a
belief at every set) exactly: distributions, Bayes' rule on the path, and at every set the
mover's continuation no worse than the best one, an exact sequence-form best response from
that set (von Stengel 2007, section 3.10); the definition of weak perfect Bayesian
equilibrium is Mas-Colell, Whinston and Green, *Microeconomic Theory*, 1995, section 9.C.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

from negotiation.model.tree import TreeNumbers, TreeScenario
from negotiation.solvers.exact import Vector
from negotiation.solvers.linear import F0, F1, linprog
from negotiation.solvers.pbe_results import Behaviour
from negotiation.solvers.reduced import Plan


def belief_polytope(
    tree: TreeScenario,
    i: int,
    support: Iterable[int],
    value: Callable[[int], tuple[Fraction, ...]],
) -> tuple[list[list[Fraction]], list[Fraction]] | None:
    """The beliefs at set ``i`` under which every action in ``support`` is a best reply.

    Returns the constraint rows ``A mu <= 0`` (with ``mu`` over the set's nodes, in the
    simplex) or None if no belief qualifies. ``value(child)`` gives a terminal's payoffs.
    """
    info = tree.infosets[i]
    nodes = info.nodes
    player = info.player
    payoff = [
        [value(tree.nodes[v].children[k])[player] for k in range(len(info.actions))] for v in nodes
    ]
    rows: list[list[Fraction]] = []
    for a in support:
        for b in range(len(info.actions)):
            if b != a:
                rows.append([payoff[n][b] - payoff[n][a] for n in range(len(nodes))])
    feasible = linprog([F0] * len(nodes), rows, [F0] * len(rows), [[F1] * len(nodes)], [F1])
    if feasible is None:
        return None
    return rows, [F0] * len(rows)


def belief_ranges(
    rows: Sequence[Sequence[Fraction]], size: int
) -> tuple[list[tuple[Fraction, Fraction]], list[tuple[Fraction, ...]]]:
    """Each node's lowest and highest belief over ``{mu in simplex : rows . mu <= 0}``.

    Returns the intervals and the beliefs attaining them (for verification).
    """
    b = [F0] * len(rows)
    ranges: list[tuple[Fraction, Fraction]] = []
    witnesses: list[tuple[Fraction, ...]] = []
    for n in range(size):
        c = [F1 if j == n else F0 for j in range(size)]
        high = linprog(c, rows, b, [[F1] * size], [F1])
        low = linprog([-x for x in c], rows, b, [[F1] * size], [F1])
        assert high is not None
        assert low is not None
        ranges.append((-low[0], high[0]))
        for found in (low[1], high[1]):
            if found not in witnesses:
                witnesses.append(found)
    return ranges, witnesses


def node_reach(tree: TreeScenario, numbers: TreeNumbers, behaviour: Behaviour) -> list[Fraction]:
    """The probability of reaching every node (chance and behaviour), in preorder."""
    reach = [F0] * len(tree.nodes)
    reach[0] = F1
    for node in tree.nodes:
        if node.kind == "leaf":
            continue
        probs = (
            numbers.probabilities[node.index] if node.kind == "chance" else behaviour[node.infoset]
        )
        for child, p in zip(node.children, probs, strict=True):
            reach[child] = reach[node.index] * p
    return reach


def node_values(
    tree: TreeScenario, numbers: TreeNumbers, behaviour: Behaviour
) -> list[tuple[Fraction, ...]]:
    """Every player's expected payoff from every node on, under ``behaviour`` (bottom up)."""
    values: list[tuple[Fraction, ...]] = [()] * len(tree.nodes)
    for node in reversed(tree.nodes):
        if node.kind == "leaf":
            values[node.index] = numbers.payoffs[node.index]
            continue
        probs = (
            numbers.probabilities[node.index] if node.kind == "chance" else behaviour[node.infoset]
        )
        total = [F0] * len(tree.players)
        for child, p in zip(node.children, probs, strict=True):
            if p:
                total = [a + p * b for a, b in zip(total, values[child], strict=True)]
        values[node.index] = tuple(total)
    return values


def realisation_of_plans(
    plans: Sequence[Plan], mix: Vector, moves: Sequence[tuple[int, int]]
) -> tuple[Fraction, ...]:
    """The realisation plan of a mixture of plans: each move's total probability."""
    realised: dict[tuple[int, int], Fraction] = {}
    for plan, weight in zip(plans, mix, strict=True):
        if weight:
            for move in plan:
                realised[move] = realised.get(move, F0) + weight
    return tuple(realised.get(m, F0) for m in moves)


def realisation_of_behaviour(
    tree: TreeScenario, behaviour: Behaviour, moves: Sequence[tuple[int, int]]
) -> tuple[Fraction, ...]:
    """The sequence-form realisation plan of a player's behaviour (von Stengel 2007, 3.10)."""
    out = []
    for i, k in moves:
        prob = behaviour[i][k]
        for j, a in tree.infosets[i].sequence:
            prob *= behaviour[j][a]
        out.append(prob)
    return tuple(out)


def verify_assessment(
    tree: TreeScenario,
    behaviour: Sequence[Sequence[Fraction]],
    beliefs: Mapping[int, Sequence[Fraction]],
    numbers: TreeNumbers | None = None,
) -> list[str]:
    """The reasons an assessment is not a weak perfect Bayesian equilibrium (empty if it is).

    ``behaviour[i]`` and ``beliefs[i]`` give, at every information set ``i``, a probability
    per action and per node (in the set's node order). Checked exactly, for any two-player
    or larger tree with perfect recall: every behaviour and belief is a probability
    distribution; beliefs are Bayes' rule at every set play reaches; and at every set the
    mover's continuation is worth as much, under the belief there and everybody's behaviour
    later, as the best continuation (a sequence-form best response over the mover's later
    sets; von Stengel 2007, section 3.10).
    """
    numbers = numbers or tree.numbers
    problems: list[str] = []
    for info in tree.infosets:
        beta = behaviour[info.index]
        mu = beliefs.get(info.index)
        if len(beta) != len(info.actions) or any(p < 0 for p in beta) or sum(beta) != 1:
            problems.append(f"behaviour at {info.id} is not a probability distribution")
        if mu is None or len(mu) != len(info.nodes) or any(p < 0 for p in mu) or sum(mu) != 1:
            problems.append(f"the belief at {info.id} is not a probability distribution")
    if problems:
        return problems
    frozen = tuple(tuple(b) for b in behaviour)
    reach = node_reach(tree, numbers, frozen)
    for info in tree.infosets:
        total = sum((reach[v] for v in info.nodes), F0)
        mu = beliefs[info.index]
        if total > 0 and any(m != reach[v] / total for m, v in zip(mu, info.nodes, strict=True)):
            problems.append(f"the belief at {info.id} is not Bayes' rule on the path")
        follow, best = _continuation(tree, numbers, frozen, info.index, mu)
        if follow < best:
            problems.append(
                f"{tree.players[info.player].id} gains {best - follow} by deviating at {info.id} "
                "given the belief there"
            )
    return problems


def _continuation(
    tree: TreeScenario,
    numbers: TreeNumbers,
    behaviour: Behaviour,
    start: int,
    belief: Sequence[Fraction],
) -> tuple[Fraction, Fraction]:
    """The mover's value at a set (belief-weighted) when following behaviour, and at best."""
    info = tree.infosets[start]
    player = info.player
    direct: dict[tuple[int, int], Fraction] = {}
    following: dict[tuple[int, int], set[int]] = {}
    stack: list[tuple[int, Fraction, tuple[int, int] | None]] = [
        (v, mu, None) for v, mu in zip(info.nodes, belief, strict=True) if mu
    ]
    while stack:
        v, weight, last = stack.pop()
        node = tree.nodes[v]
        if node.kind == "leaf":
            assert last is not None
            direct[last] = direct.get(last, F0) + weight * numbers.payoffs[v][player]
        elif node.kind == "chance":
            for child, p in zip(node.children, numbers.probabilities[v], strict=True):
                if p:
                    stack.append((child, weight * p, last))
        elif node.player == player:
            if node.infoset != start:
                assert last is not None
                following.setdefault(last, set()).add(node.infoset)
            for k, child in enumerate(node.children):
                stack.append((child, weight, (node.infoset, k)))
        else:
            for child, p in zip(node.children, behaviour[node.infoset], strict=True):
                if p:
                    stack.append((child, weight * p, last))

    def value(i: int, best: bool) -> Fraction:
        options = []
        for k in range(len(tree.infosets[i].actions)):
            total = direct.get((i, k), F0)
            for j in following.get((i, k), ()):
                total += value(j, best)
            options.append(total)
        if best:
            return max(options)
        return sum((p * x for p, x in zip(behaviour[i], options, strict=True)), F0)

    return value(start, False), value(start, True)
