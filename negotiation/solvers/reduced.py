"""The reduced strategic form of a game tree, and its Nash equilibria marked subgame perfect.

A *plan* (von Stengel 2007, section 3.10: "reduced strategy") of a player chooses an action
at each of the player's information sets that the plan's own earlier choices do not exclude.
Two full strategies that differ only at information sets their own earlier choices exclude
reach the same leaves against every strategy of the others (they are *outcome equivalent*),
and the plans are exactly the classes of outcome-equivalent strategies (Kuhn 1953; von
Stengel 2007, ch. 3). With perfect recall, plans are enumerated over the player's
*sequences* (the player's own moves on the way to a node): the plans for a list of
information sets pick an action at each and, recursively, a plan for the information sets
that follow that action.

The reduced strategic form of a two-player tree is a bimatrix :class:`Game` (rows: the first
player's plans), solved with the exact engine
(:func:`negotiation.solvers.equilibria.enumerate_exactly`,
all extreme equilibria, components, degeneracy). Each equilibrium, a pair of mixed plans, is
turned into behaviour (Kuhn 1953): the probability of action ``a`` at information set ``I`` is
the probability of the plans choosing ``a`` at ``I`` divided by that of the plans reaching
``I``; where the latter is 0 the player's own moves exclude ``I`` and the equilibrium says
nothing there.

An equilibrium is **subgame perfect** when its behaviour, completed where it says nothing,
is a Nash equilibrium of every subgame (Selten 1965). :func:`solve_reduced` decides this by
backward induction over the subgames with the equilibrium's behaviour held fixed
(:func:`negotiation.solvers.spe.subgame_perfect_completion`); an equilibrium that is not
subgame perfect rests on a **non-credible threat**: the deepest node (or simultaneous
subgame) off the path where its behaviour would not be chosen, reported as a
:class:`Threat`.

The same machinery (:class:`Fragment`) solves the simultaneous subgames met by the
subgame-perfect solver: a fragment is the part of a tree from a node down to *cut* nodes
whose values are given (leaves, or the roots of subgames already solved).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

import attrs

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError
from negotiation.model.payoffs import Game
from negotiation.model.tree import TreeNumbers, TreeScenario
from negotiation.solvers.components import Component, components
from negotiation.solvers.equilibria import enumerate_exactly
from negotiation.solvers.exact import Vector

#: A player's move: (information set index, action position in the set's actions).
Move = tuple[int, int]

#: A plan: the moves it makes, sorted by information set.
Plan = tuple[Move, ...]

#: Behaviour at information sets: a probability per action, or None where the player's own
#: earlier moves exclude the set (any behaviour there gives the same outcome).
Behaviour = Mapping[int, tuple[Fraction, ...] | None]


class Fragment:
    """The part of a tree from ``root`` down to the nodes ``cut`` says are given values.

    ``numbers`` gives the leaf payoffs and chance probabilities to use (a sweep passes the
    numbers of its grid point; the tree's own are ``tree.numbers``).

    Each terminal of the fragment (a leaf, or a cut node whose value the caller supplies)
    is stored with the chance probability of reaching it within the fragment and the moves
    of every player on the way (:attr:`terminals`), which is all that plans, payoffs and
    best responses need (the sequence form; von Stengel 2007, section 3.10).
    """

    def __init__(
        self,
        tree: TreeScenario,
        root: int,
        cut: Callable[[int], bool],
        numbers: TreeNumbers,
    ) -> None:
        self.tree = tree
        self.root = root
        self.numbers = numbers
        probabilities = numbers.probabilities
        nodes = tree.nodes
        #: Non-terminal nodes of the fragment, in preorder.
        self.nodes: list[int] = []
        #: Terminals: (node, chance probability within the fragment, moves on the way).
        self.terminals: list[tuple[int, Fraction, tuple[Move, ...]]] = []
        #: For each player, the information sets met in the fragment, in preorder.
        self.infosets: dict[int, list[int]] = {}
        #: Each local information set's preceding move of its own player (None: the first).
        self.parent: dict[int, Move | None] = {}
        stack: list[tuple[int, Fraction, tuple[Move, ...]]] = [(root, Fraction(1), ())]
        while stack:
            v, prob, moves = stack.pop()
            node = nodes[v]
            if node.kind == "leaf" or (v != root and cut(v)):
                self.terminals.append((v, prob, moves))
                continue
            self.nodes.append(v)
            if node.kind == "chance":
                for child, p in zip(node.children, probabilities[v], strict=True):
                    stack.append((child, prob * p, moves))
                continue
            info = node.infoset
            if info not in self.parent:
                own = [m for m in moves if tree.infosets[m[0]].player == node.player]
                self.parent[info] = own[-1] if own else None
                self.infosets.setdefault(node.player, []).append(info)
            for k, child in enumerate(node.children):
                stack.append((child, prob, (*moves, (info, k))))
        self.nodes.sort()
        self.terminals.sort()
        for infos in self.infosets.values():
            infos.sort()
        self.following: dict[Move | None, list[int]] = {}
        for info, before in sorted(self.parent.items()):
            self.following.setdefault(before, []).append(info)

    @property
    def movers(self) -> tuple[int, ...]:
        """The players with an information set in the fragment, in player order."""
        return tuple(sorted(self.infosets))

    @property
    def cuts(self) -> tuple[int, ...]:
        """The terminal nodes that are not leaves (their values come from the caller)."""
        return tuple(v for v, _, _ in self.terminals if self.tree.nodes[v].kind != "leaf")

    def count_plans(self, player: int) -> int:
        """How many plans the player has in the fragment (without listing them)."""

        def count(infos: Iterable[int]) -> int:
            total = 1
            for info in infos:
                total *= sum(
                    count(self.following.get((info, k), ()))
                    for k in range(len(self.tree.infosets[info].actions))
                )
            return total

        return count(i for i in self.infosets.get(player, []) if self.parent[i] is None)

    def plans(self, player: int, most: int = limits.MAX_STRATEGIES) -> list[Plan]:
        """The player's plans, in order (earlier information sets vary slowest).

        Raises :class:`~negotiation.errors.LimitError` if there are more than ``most``.
        """
        total = self.count_plans(player)
        if total > most:
            tree = self.tree
            raise LimitError(
                tree.origin,
                tree.nodes[self.root].id,
                f"{tree.players[player].id} has {total} plans in the strategic form of this "
                f"game from {tree.nodes[self.root].id}; the exact engine takes at most {most} "
                "(MAX_STRATEGIES in negotiation/limits.py); the subgame-perfect solver needs "
                "no strategic form where the tree has perfect information",
            )

        def plans(infos: Sequence[int]) -> list[Plan]:
            result: list[Plan] = [()]
            for info in infos:
                options = [
                    ((info, k), *rest)
                    for k in range(len(self.tree.infosets[info].actions))
                    for rest in plans(self.following.get((info, k), []))
                ]
                result = [(*r, *o) for r in result for o in options]
            return result

        roots = [i for i in self.infosets.get(player, []) if self.parent[i] is None]
        return [tuple(sorted(p)) for p in plans(roots)]

    def plan_label(self, plan: Plan) -> str:
        """A plan in words: its actions in order, e.g. ``pass, take`` (``-`` for no move)."""
        infos = self.tree.infosets
        return ", ".join(infos[i].actions[k] for i, k in plan) or "-"

    def payoffs(
        self, plans: Sequence[Plan], values: Mapping[int, tuple[Fraction, ...]]
    ) -> tuple[Fraction, ...]:
        """Expected payoffs of every player when each mover follows one plan.

        ``values`` gives the value vector of every terminal that is not a leaf.
        """
        chosen = {move for plan in plans for move in plan}
        total = [Fraction(0)] * len(self.tree.players)
        for v, prob, moves in self.terminals:
            if prob and all(m in chosen for m in moves):
                for i, x in enumerate(self.value_of(v, values)):
                    total[i] += prob * x
        return tuple(total)

    def value_of(self, v: int, values: Mapping[int, tuple[Fraction, ...]]) -> tuple[Fraction, ...]:
        """A terminal's value vector: a leaf's payoffs, or the value the caller gives."""
        return values.get(v, self.numbers.payoffs[v])

    def behaviour_value(
        self, behaviour: Behaviour, values: Mapping[int, tuple[Fraction, ...]]
    ) -> tuple[Fraction, ...]:
        """Expected payoffs of every player when every mover follows ``behaviour``."""
        total = [Fraction(0)] * len(self.tree.players)
        for v, prob, moves in self.terminals:
            weight = prob * _reach(self.tree, moves, behaviour, None)
            if weight:
                for i, x in enumerate(self.value_of(v, values)):
                    total[i] += weight * x
        return tuple(total)

    def best_response(
        self, player: int, behaviour: Behaviour, values: Mapping[int, tuple[Fraction, ...]]
    ) -> Fraction:
        """The most ``player`` can get in the fragment against the others' ``behaviour``.

        Sequence form (von Stengel 2007, section 3.10): with the others' behaviour and chance
        fixed, each terminal has a weight; the best value after a move of the player is the
        weighted payoff of the terminals it ends at plus, for each information set that
        follows it, the best action's value, computed from the last sets up.
        """
        direct: dict[Move | None, Fraction] = {}
        for v, prob, moves in self.terminals:
            weight = prob * _reach(self.tree, moves, behaviour, player)
            if weight:
                own = [m for m in moves if self.tree.infosets[m[0]].player == player]
                last = own[-1] if own else None
                direct[last] = (
                    direct.get(last, Fraction(0)) + weight * self.value_of(v, values)[player]
                )

        def best(sequence: Move | None) -> Fraction:
            value = direct.get(sequence, Fraction(0))
            for info in self.following.get(sequence, []):
                if self.tree.infosets[info].player == player:
                    arity = len(self.tree.infosets[info].actions)
                    value += max(best((info, k)) for k in range(arity))
            return value

        return best(None)

    def behaviour_from_plans(
        self, player: int, plans: Sequence[Plan], mix: Sequence[Fraction]
    ) -> dict[int, tuple[Fraction, ...] | None]:
        """Behaviour equivalent to a mixture of plans (Kuhn 1953), at the player's sets here.

        At a set the player's own mixture never reaches the result is None.
        """
        realised: dict[Move, Fraction] = {}
        for plan, weight in zip(plans, mix, strict=True):
            if weight:
                for move in plan:
                    realised[move] = realised.get(move, Fraction(0)) + weight
        result: dict[int, tuple[Fraction, ...] | None] = {}
        for info in self.infosets.get(player, []):
            before = self.parent[info]
            reach = Fraction(1) if before is None else realised.get(before, Fraction(0))
            arity = len(self.tree.infosets[info].actions)
            if reach == 0:
                result[info] = None
            else:
                result[info] = tuple(
                    realised.get((info, k), Fraction(0)) / reach for k in range(arity)
                )
        return result


def _reach(
    tree: TreeScenario, moves: Iterable[Move], behaviour: Behaviour, skip: int | None
) -> Fraction:
    """The probability that the moves are made under ``behaviour`` (player ``skip``'s aside).

    Moves come in path order, so a set where behaviour is None (excluded by its player's own
    earlier move) is only met after a move of probability 0, and the product stops there.
    """
    prob = Fraction(1)
    for info, k in moves:
        if skip is not None and tree.infosets[info].player == skip:
            continue
        beta = behaviour.get(info)
        if beta is None:
            raise ValueError(f"no behaviour at information set {info} on a reached path")
        prob *= beta[k]
        if not prob:
            return prob
    return prob


@attrs.frozen
class ReducedForm:
    """The reduced strategic form of a two-player tree.

    ``plans[p]`` lists player ``p``'s plans (rows for the first player, columns for the
    second) and ``labels[p]`` says each in words; ``game`` holds the exact expected payoffs.
    """

    tree: TreeScenario = attrs.field(repr=False)
    plans: tuple[tuple[Plan, ...], tuple[Plan, ...]]
    labels: tuple[tuple[str, ...], tuple[str, ...]]
    game: Game
    fragment: Fragment = attrs.field(repr=False, eq=False)


def reduced_form(tree: TreeScenario, numbers: TreeNumbers | None = None) -> ReducedForm:
    """The reduced strategic form of a two-player tree (plans, labels and payoffs).

    >>> from negotiation.model.catalogue import load_tree
    >>> tree = load_tree("entry")
    >>> form = reduced_form(tree)
    >>> form.labels
    (('out', 'in'), ('fight', 'accommodate'))
    >>> [[int(x) for x in row] for row in form.game.A]
    [[0, 0], [-1, 1]]
    """
    if len(tree.players) != 2:
        raise ScenarioError(
            tree.origin,
            "players",
            f"the reduced strategic form needs exactly two players; this tree has "
            f"{len(tree.players)} (its subgame-perfect equilibria need no strategic form)",
        )
    numbers = numbers or tree.numbers
    fragment = Fragment(tree, 0, lambda v: False, numbers)
    rows, cols = fragment.plans(0), fragment.plans(1)
    empty: dict[int, tuple[Fraction, ...]] = {}
    table = [[fragment.payoffs((r, c), empty) for c in cols] for r in rows]
    game = Game([[x[0] for x in row] for row in table], [[x[1] for x in row] for row in table])
    labels = (
        _unique(fragment.plan_label(p) for p in rows),
        _unique(fragment.plan_label(p) for p in cols),
    )
    return ReducedForm(tree, (tuple(rows), tuple(cols)), labels, game, fragment)


def _unique(labels: Iterable[str]) -> tuple[str, ...]:
    """Labels made unique by numbering repeats (plans at different sets can read alike)."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return tuple(out)


@attrs.frozen
class Threat:
    """Behaviour off the path that the player would not carry out if the node were reached.

    ``node`` is the node (or the root of the simultaneous subgame) where it happens,
    ``actions`` the actions threatened there (played with positive probability but not
    optimal), ``better`` what the player would do instead, ``gain`` how much more that pays
    the player there. When the behaviour belongs to no equilibrium of a simultaneous
    subgame whatever the others do there, ``better`` is empty and ``gain`` 0.
    """

    node: str
    player: str
    actions: tuple[str, ...]
    better: tuple[str, ...]
    gain: Fraction

    @property
    def text(self) -> str:
        """The threat in words."""
        if not self.better:
            return (
                f"{self.player} plays {' / '.join(self.actions)} in the subgame at {self.node}, "
                "which no equilibrium of that subgame does: not credible"
            )
        return (
            f"{self.player} threatens {' / '.join(self.actions)} at {self.node}, but "
            f"{' / '.join(self.better)} pays {self.player} {self.gain} more there: "
            "not credible"
        )


@attrs.frozen
class ReducedEquilibrium:
    """An extreme Nash equilibrium of the reduced form, and whether it is subgame perfect.

    ``behaviour`` holds the equivalent behaviour at every information set (None where the
    player's own plan excludes it). ``subgame_perfect`` is True or False when decided
    exactly, and None when deciding would need a mixed completion at tied nodes that the
    equilibrium leaves open (see :func:`negotiation.solvers.spe.subgame_perfect_completion`).
    """

    row: Vector
    col: Vector
    payoffs: tuple[Fraction, Fraction]
    behaviour: tuple[tuple[Fraction, ...] | None, ...]
    subgame_perfect: bool | None
    threat: Threat | None
    component: int

    @property
    def pure(self) -> bool:
        """Whether each player plays one plan."""
        return sum(p > 0 for p in self.row) == 1 and sum(p > 0 for p in self.col) == 1


@attrs.frozen
class ReducedSolution:
    """All extreme Nash equilibria of a tree's reduced form, each marked subgame perfect."""

    form: ReducedForm
    equilibria: tuple[ReducedEquilibrium, ...]
    degenerate: bool
    components: tuple[Component, ...]
    row_strategies: tuple[Vector, ...]
    col_strategies: tuple[Vector, ...]
    notes: tuple[str, ...] = ()


def solve_reduced(tree: TreeScenario, numbers: TreeNumbers | None = None) -> ReducedSolution:
    """Every extreme Nash equilibrium of a two-player tree's reduced form, marked.

    Selten's entry game: the reduced form has the subgame-perfect (in, accommodate) and a
    continuum of equilibria where the entrant stays out against a threat to fight with
    probability at least 1/2 (its ends are extreme equilibria); the threat is not credible.

    >>> from negotiation.model.catalogue import load_tree
    >>> tree = load_tree("entry")
    >>> solution = solve_reduced(tree)
    >>> [[str(p) for p in e.row + e.col] + [e.subgame_perfect] for e in solution.equilibria]
    [['1', '0', '1', '0', False], ['1', '0', '1/2', '1/2', False], ['0', '1', '0', '1', True]]
    >>> print(solution.equilibria[0].threat.text)
    incumbent threatens fight at tree.in, but accommodate pays incumbent 2 more there: not
    credible
    """
    from negotiation.solvers import spe  # spe builds on Fragment: import here, not at the top

    numbers = numbers or tree.numbers
    form = reduced_form(tree, numbers)
    solution = enumerate_exactly(form.game, tree.origin)
    comps = components(solution.pairs)
    component_of = {e: c for c, comp in enumerate(comps) for e in comp.equilibria}
    fragment = form.fragment
    equilibria = []
    undecided = False
    for e, (x, y) in enumerate(solution.equilibria):
        behaviour: dict[int, tuple[Fraction, ...] | None] = {}
        behaviour.update(fragment.behaviour_from_plans(0, form.plans[0], x))
        behaviour.update(fragment.behaviour_from_plans(1, form.plans[1], y))
        a = sum(
            (p * q * form.game.A[i][j] for i, p in enumerate(x) for j, q in enumerate(y)),
            Fraction(0),
        )
        b = sum(
            (p * q * form.game.B[i][j] for i, p in enumerate(x) for j, q in enumerate(y)),
            Fraction(0),
        )
        fixed = {i: beta for i, beta in behaviour.items() if beta is not None}
        verdict, threat = spe.subgame_perfect_completion(tree, fixed, numbers)
        undecided |= verdict is None
        equilibria.append(
            ReducedEquilibrium(
                x,
                y,
                (a, b),
                tuple(behaviour.get(i) for i in range(len(tree.infosets))),
                verdict,
                threat,
                component_of[e],
            )
        )
    notes = []
    if undecided:
        notes.append(
            "some equilibria leave tied nodes open off their path; whether a mixed choice "
            "there makes them subgame perfect is not decided (marked None)"
        )
    return ReducedSolution(
        form,
        tuple(equilibria),
        solution.degenerate,
        comps,
        solution.row_strategies,
        solution.col_strategies,
        tuple(notes),
    )
