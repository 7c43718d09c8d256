"""Every subgame-perfect equilibrium of a game tree, exactly, and tree sweeps.

A behaviour profile is subgame perfect when it is a Nash equilibrium of every subgame
(Selten 1965). A subgame starts at a node alone in its information set whose subtree no
information set leaves (:attr:`negotiation.model.tree.TreeScenario.subgame_roots`).

**Backward induction over subgames** (Selten 1965; Osborne and Rubinstein 1994, sections 6.2
and 11.2; von Stengel 2007, section 3.10) finds them all. Subgames are solved from the last
up. In a subgame, the nearest subgames below it are already solved: each offers a list of
*branches* (its subgame-perfect equilibria, each with a value for every player). For every
combination of branches below, the subgame's *local game* (its nodes down to those subgames,
whose values now stand in for them) is solved:

- a **decision node** whose children are leaves or subgames (perfect information there): the
  mover takes an action of highest value. When several actions tie, **each tied action gives
  its own subgame-perfect equilibrium**, and the node is named in ``ties``. Mixing between
  tied actions is subgame perfect too and gives further equilibria, which are not listed
  (the note says so);
- a **chance node**: its value is the expectation;
- an **imperfect-information local game** (a simultaneous stage, or information sets that
  span several nodes): its reduced strategic form (:class:`negotiation.solvers.reduced.Fragment`)
  is solved. With two players moving in it, the exact engine
  (:func:`negotiation.solvers.equilibria.enumerate_exactly`: the reference enumeration for
  small local games, the certified vertex traversal of :mod:`negotiation.solvers.large` for
  large ones, such as the root of a tree with player types, whose plans multiply across
  types) gives every extreme equilibrium and the components; **every extreme equilibrium is
  carried up as its own branch**, once per distinct behaviour (extreme equilibria of the
  strategic form that differ only in how plans couple choices at different information sets
  prescribe the same behaviour; Kuhn 1953). On a degenerate subgame the equilibria between
  them give further subgame-perfect equilibria, said in a note. With one player moving,
  every optimal pure plan is a branch (ties named). With three or more players moving, only
  the **pure** equilibria are computed, exactly, and the note says plainly that mixed
  equilibria of that subgame are not.

Perfect-information trees therefore need no strategic form at all, for any number of players.
Arithmetic is exact (:class:`fractions.Fraction`) throughout, and **every reported equilibrium
is verified** by :func:`verify`: behaviour is a probability distribution at every information
set, and in every subgame no player gains by deviating in its local game given the
continuation values (at a perfect-information node: no profitable one-shot deviation; in a
simultaneous subgame: Nash, checked by exact best responses in the sequence form), which by
the one-shot deviation principle for finite games is subgame perfection.

**Sweeps** (:func:`sweep_spe`) solve a tree at every grid point without re-reading or
rebuilding it: the numbers come from a :class:`negotiation.model.tree.TreeFamily`. On a tree
with perfect information every point is first solved by a vectorised backward induction in
floating point; a point where any comparison is closer than ``1e-9`` times the largest
payoff magnitude at that point (a tie, or nearly one), or where a chance probability is
within ``1e-12`` of 0 without being 0, is solved again exactly. Rounding errors are far
smaller than that margin (each value is a convex combination of leaf payoffs computed with at
most a few operations per level, at most ``64 * (actions + 2)`` roundings of relative size
``2**-53``), so every decision taken in floating point is the exact one. Trees with imperfect
information are solved exactly at every point.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from negotiation.errors import LimitError
from negotiation.model.payoffs import Game
from negotiation.model.tree import TreeNumbers, TreeScenario
from negotiation.solvers.components import components
from negotiation.solvers.equilibria import enumerate_exactly
from negotiation.solvers.reduced import Behaviour, Fragment, Threat

#: Most subgame-perfect equilibria listed for one tree (or one subgame): beyond it a
#: :class:`~negotiation.errors.LimitError` says so. Ties multiply equilibria (k tied binary
#: choices off the path give 2**k), so this bounds time and memory.
MAX_EQUILIBRIA = 10_000

#: Most pure profiles checked in a simultaneous subgame with three or more players moving.
MAX_PROFILES = 1_000_000

#: Relative margin below which a floating-point comparison in a sweep is re-decided exactly.
SWEEP_MARGIN = 1e-9

#: A probability within this of 0 (and not 0) sends a sweep point to the exact solver.
SWEEP_ZERO = 1e-12


@attrs.frozen
class SubgameChoice:
    """Which equilibrium of an imperfect-information subgame a subgame-perfect one uses.

    ``equilibrium`` indexes the subgame's equilibria (for the continuation values below it),
    of which there are ``count``: extreme equilibria from the exact engine, one per distinct
    behaviour, when two players move in it (``component`` and ``degenerate`` as in matrix
    solutions), or pure equilibria only when three or more do (``pure_only``), or optimal
    pure plans when one does.
    """

    root: str
    players: tuple[str, ...]
    equilibrium: int
    count: int
    component: int
    degenerate: bool
    pure_only: bool


@attrs.frozen
class SubgamePerfect:
    """One subgame-perfect equilibrium: behaviour everywhere, payoffs and the leaves reached.

    ``behaviour[i]`` gives the probability of each action of information set ``i`` (in the
    set's action order), or None where the player's own moves in a simultaneous subgame
    exclude the set: any behaviour there gives the same equilibrium. ``outcome`` lists the
    leaves reached with positive probability. ``ties`` names the nodes where this
    equilibrium takes one of several optimal actions (each gives its own equilibrium).
    """

    tree: TreeScenario = attrs.field(eq=False, repr=False)
    payoffs: tuple[Fraction, ...]
    behaviour: tuple[tuple[Fraction, ...] | None, ...]
    outcome: tuple[tuple[int, Fraction], ...]
    ties: tuple[int, ...] = ()
    subgames: tuple[SubgameChoice, ...] = ()
    #: The numbers it was solved with (the tree's own unless a sweep gave others).
    numbers: TreeNumbers | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def pure(self) -> bool:
        """Whether every player chooses one action with probability 1 wherever it matters."""
        return all(b is None or max(b) == 1 for b in self.behaviour)

    @property
    def tied_nodes(self) -> tuple[str, ...]:
        """The ids of the tied nodes (see :attr:`ties`)."""
        return tuple(self.tree.nodes[v].id for v in self.ties)

    @property
    def reached(self) -> dict[str, Fraction]:
        """Leaves reached, by id, with their probability."""
        return {self.tree.nodes[v].id: p for v, p in self.outcome}

    def at(self, node_id: str) -> dict[str, Fraction] | None:
        """Behaviour at a decision node: each action's probability (None: unrestricted)."""
        node = self.tree.node(node_id)
        beta = self.behaviour[node.infoset]
        return None if beta is None else dict(zip(node.actions, beta, strict=True))

    def strategies(self) -> dict[str, dict[str, dict[str, Fraction] | None]]:
        """Behaviour of every player at every one of their nodes, on and off the path."""
        result: dict[str, dict[str, dict[str, Fraction] | None]] = {
            p.id: {} for p in self.tree.players
        }
        for node in self.tree.nodes:
            if node.kind == "decision":
                result[self.tree.players[node.player].id][node.id] = self.at(node.id)
        return result

    @property
    def path(self) -> str:
        """The path of play in words (see :func:`describe_path`)."""
        numbers = self.numbers or self.tree.numbers
        return describe_path(self.tree, self.behaviour, numbers.probabilities)


@attrs.frozen
class TreeSolution:
    """Every subgame-perfect equilibrium of a tree found exactly, and what that covers.

    ``complete`` is True when ``equilibria`` is the whole set; otherwise ``notes`` say what
    else exists (mixtures at tied nodes, points between the extreme equilibria of a
    degenerate simultaneous subgame, mixed equilibria of subgames with three or more players
    moving) and what is not computed.
    """

    tree: TreeScenario = attrs.field(repr=False)
    equilibria: tuple[SubgamePerfect, ...]
    subgame_roots: tuple[str, ...]
    ties: bool
    tied_nodes: tuple[str, ...]
    degenerate: bool
    complete: bool
    notes: tuple[str, ...] = ()


def solve_spe(tree: TreeScenario, numbers: TreeNumbers | None = None) -> TreeSolution:
    """Every subgame-perfect equilibrium of ``tree`` (with ``numbers``, default its own).

    Selten's entry game has one: the entrant comes in and the incumbent accommodates.

    >>> from negotiation.model.catalogue import load_tree
    >>> tree = load_tree("entry")
    >>> solution = solve_spe(tree)
    >>> [(e.path, [int(x) for x in e.payoffs]) for e in solution.equilibria]
    [('Entrant: enters; Incumbent: accommodates', [1, 1])]
    """
    numbers = numbers or tree.numbers
    engine = _Engine(tree, numbers, None)
    branches = engine.branches(0)
    equilibria = []
    for branch in branches:
        behaviour, ties, choices = _flatten(branch, len(tree.infosets))
        problems = verify(tree, behaviour, numbers)
        if problems:  # pragma: no cover - a failure here is a bug in this module
            raise RuntimeError(f"internal error: unverified equilibrium: {problems[0]}")
        equilibria.append(
            SubgamePerfect(
                tree,
                branch.value,
                behaviour,
                _outcome(tree, behaviour, numbers),
                tuple(sorted(set(ties))),
                tuple(choices),
                numbers,
            )
        )
    tied = sorted({v for e in equilibria for v in e.ties} | engine.tied)
    notes = list(engine.notes)
    if tied:
        notes.insert(
            0,
            f"ties at {', '.join(tree.nodes[v].id for v in tied)}: each optimal choice there "
            "gives its own subgame-perfect equilibrium (listed); mixing between tied choices "
            "gives further ones (not listed)",
        )
    if not equilibria:
        notes.append(
            "no subgame-perfect equilibrium was found among those computed (pure equilibria "
            "of subgames where three or more players move); mixed ones exist (Nash 1951) but "
            "are not computed"
        )
    return TreeSolution(
        tree,
        tuple(equilibria),
        tuple(tree.nodes[v].id for v in tree.subgame_roots),
        bool(tied),
        tuple(tree.nodes[v].id for v in tied),
        engine.degenerate,
        not tied and not engine.degenerate and not engine.pure_only,
        tuple(notes),
    )


def subgame_perfect_completion(
    tree: TreeScenario,
    fixed: Mapping[int, tuple[Fraction, ...]],
    numbers: TreeNumbers | None = None,
) -> tuple[bool | None, Threat | None]:
    """Whether behaviour given at some information sets extends to a subgame-perfect one.

    ``fixed`` gives behaviour at the information sets where it is known (for a Nash
    equilibrium of the reduced form: every set its player's own plan does not exclude).
    Backward induction runs with that behaviour held fixed: at a fixed set it is checked
    (each action played must be optimal, or the local game Nash), elsewhere the choices of
    :func:`solve_spe` are tried. Returns (True, None) if some completion is subgame perfect;
    (False, threat) if none is, with the deepest non-credible behaviour found; (None, None)
    when the only candidates left would need a mixed choice at a tied open node (or a
    non-extreme equilibrium of a degenerate open subgame), which is not searched.
    """
    numbers = numbers or tree.numbers
    engine = _Engine(tree, numbers, fixed)
    if engine.branches(0):
        return True, None
    if engine.open:
        return None, None
    return False, engine.threats[0] if engine.threats else None


def verify(
    tree: TreeScenario,
    behaviour: Sequence[tuple[Fraction, ...] | None],
    numbers: TreeNumbers | None = None,
) -> list[str]:
    """The reasons a behaviour profile is not subgame perfect (empty if it is), exactly.

    Checks that behaviour is a probability distribution at every information set where it is
    given, then, in every subgame, that no player gains by deviating within its local game
    given the continuation values of the subgames below: a one-shot check at a node with
    perfect information, exact best responses (sequence form) in an imperfect-information
    local game.
    """
    numbers = numbers or tree.numbers
    problems: list[str] = []
    for info, beta in zip(tree.infosets, behaviour, strict=True):
        if beta is None:
            continue
        if len(beta) != len(info.actions) or any(p < 0 for p in beta) or sum(beta) != 1:
            problems.append(f"behaviour at {info.id} is not a probability distribution")
    if problems:
        return problems
    values = _node_values(tree, behaviour, numbers)
    roots = frozenset(tree.subgame_roots)
    by_infoset = dict(enumerate(behaviour))
    for v in tree.subgame_roots:
        node = tree.nodes[v]
        if values[v] is None:
            problems.append(f"{node.id}: behaviour is missing on the path of its subgame")
            continue
        if all(tree.nodes[c].kind == "leaf" or c in roots for c in node.children):
            if node.kind == "chance":
                continue
            beta = behaviour[node.infoset]
            child_values = [values[c] for c in node.children]
            if beta is None or any(x is None for x in child_values):
                problems.append(f"{node.id}: behaviour is missing at a subgame's root")
                continue
            best = max(x[node.player] for x in child_values if x is not None)
            for k, p in enumerate(beta):
                value = child_values[k]
                if p > 0 and value is not None and value[node.player] < best:
                    problems.append(
                        f"{node.id}: {tree.players[node.player].id} plays "
                        f"{node.actions[k]}, worth {value[node.player]}, but {best} is "
                        "available"
                    )
            continue
        fragment = Fragment(tree, v, lambda c: c in roots, numbers)
        given = {c: values[c] for c in fragment.cuts}
        if any(x is None for x in given.values()):
            problems.append(f"{node.id}: a subgame below has no value")
            continue
        cut_values = {c: x for c, x in given.items() if x is not None}
        current = fragment.behaviour_value(by_infoset, cut_values)
        for player in fragment.movers:
            best_value = fragment.best_response(player, by_infoset, cut_values)
            if best_value > current[player]:
                problems.append(
                    f"{node.id}: {tree.players[player].id} gains {best_value - current[player]} "
                    "by deviating in this subgame"
                )
    return problems


def describe_path(
    tree: TreeScenario,
    behaviour: Sequence[tuple[Fraction, ...] | None],
    probabilities: Sequence[Sequence[Fraction | float]] | None = None,
    *,
    show_chance: bool = True,
) -> str:
    """The path of play in words, e.g. ``entrant: in; incumbent: accommodate``.

    A mixed choice reads ``player mixes a 1/2, b 1/2``; a chance node ``chance: strong
    9/10, weak 1/10``. Where play can continue down several branches, each follows in
    brackets (``after a: [...]``, ``if strong: [...]``). Player and action labels are used.
    """
    probabilities = probabilities or tree.numbers.probabilities

    def walk(v: int) -> list[str]:
        node = tree.nodes[v]
        if node.kind == "leaf":
            return []
        if node.kind == "chance":
            probs = probabilities[v]
            live = [(k, c) for k, c in enumerate(node.children) if probs[k] > 0]
            if show_chance:
                parts = [f"{tree.nodes[c].label} {_show(probs[k])}" for k, c in live]
            else:
                parts = [tree.nodes[c].label for _, c in live]
            return [f"chance: {', '.join(parts)}", *_branches("if", live)]
        who = tree.players[node.player].label
        beta = behaviour[node.infoset]
        if beta is None:  # pragma: no cover - unreachable on the path
            return [f"{who}: (any)"]
        live = [(k, c) for k, c in enumerate(node.children) if beta[k] > 0]
        if len(live) == 1:
            c = live[0][1]
            return [f"{who}: {tree.nodes[c].label}", *walk(c)]
        mix = ", ".join(f"{tree.nodes[c].label} {_show(beta[k])}" for k, c in live)
        return [f"{who} mixes {mix}", *_branches("after", live)]

    def _branches(word: str, live: list[tuple[int, int]]) -> list[str]:
        if len(live) == 1:
            return walk(live[0][1])
        out = []
        for _, c in live:
            rest = walk(c)
            if rest:
                out.append(f"{word} {tree.nodes[c].label}: [{'; '.join(rest)}]")
        return out

    return "; ".join(walk(0))


def _show(p: Fraction | float) -> str:
    return str(p) if isinstance(p, Fraction) else format(p, ".6g")


# -- the engine ------------------------------------------------------------------------------


#: A local game's equilibrium: behaviour at its sets, tied nodes, and which one it is.
_Local = tuple[dict[int, tuple[Fraction, ...] | None], tuple[int, ...], SubgameChoice | None]


@attrs.frozen
class _Branch:
    """A subgame-perfect equilibrium of one subgame, built from branches of those below."""

    value: tuple[Fraction, ...]
    moves: tuple[tuple[int, tuple[Fraction, ...] | None], ...] = ()
    below: tuple[_Branch, ...] = ()
    ties: tuple[int, ...] = ()
    choice: SubgameChoice | None = None


class _Engine:
    """Backward induction over subgames, optionally with behaviour fixed at some sets."""

    def __init__(
        self,
        tree: TreeScenario,
        numbers: TreeNumbers,
        fixed: Mapping[int, tuple[Fraction, ...]] | None,
    ) -> None:
        self.tree = tree
        self.numbers = numbers
        self.fixed = fixed
        self.roots = frozenset(tree.subgame_roots)
        self.memo: dict[int, list[_Branch]] = {}
        self.threats: list[Threat] = []
        self.notes: dict[str, None] = {}  # an ordered set
        self.tied: set[int] = set()
        self.degenerate = False
        self.pure_only = False
        self.open = False  # fixed mode: some open completions were not searched

    def branches(self, v: int) -> list[_Branch]:
        tree = self.tree
        node = tree.nodes[v]
        if node.kind == "leaf":
            return [_Branch(self.numbers.payoffs[v])]
        if v in self.memo:
            return self.memo[v]
        simple = all(tree.nodes[c].kind == "leaf" or c in self.roots for c in node.children)
        fragment = None
        if simple:
            terminals = list(node.children)
        else:
            fragment = Fragment(tree, v, self.roots.__contains__, self.numbers)
            terminals = [t for t, _, _ in fragment.terminals]
        lists = [self.branches(c) for c in terminals]
        combos = math.prod(len(options) for options in lists)
        if combos > MAX_EQUILIBRIA:
            raise self.too_many(v, combos)
        out: list[_Branch] = []
        for combo in itertools.product(*lists):
            if fragment is None:
                out.extend(self.simple(v, combo))
            else:
                values = {c: b.value for c, b in zip(terminals, combo, strict=True)}
                out.extend(self.general(fragment, combo, values))
            if len(out) > MAX_EQUILIBRIA:
                raise self.too_many(v, len(out))
        self.memo[v] = out
        return out

    def too_many(self, v: int, count: int) -> LimitError:
        return LimitError(
            self.tree.origin,
            self.tree.nodes[v].id,
            f"the subgame here has more than {MAX_EQUILIBRIA} subgame-perfect equilibria "
            f"({count} at least), mostly from ties; MAX_EQUILIBRIA in "
            "negotiation/solvers/spe.py bounds the listing: break ties by changing payoffs",
        )

    def simple(self, v: int, combo: Sequence[_Branch]) -> list[_Branch]:
        """A node whose children are leaves or subgames: chance, or a perfect-information move."""
        node = self.tree.nodes[v]
        values = [b.value for b in combo]
        if node.kind == "chance":
            probs = self.numbers.probabilities[v]
            return [_Branch(_mix(probs, values), (), tuple(combo))]
        i, info = node.player, node.infoset
        best = max(x[i] for x in values)
        optimal = [k for k, x in enumerate(values) if x[i] == best]
        if self.fixed is not None and info in self.fixed:
            beta = self.fixed[info]
            bad = [k for k, p in enumerate(beta) if p > 0 and values[k][i] < best]
            if bad:
                self.threats.append(
                    Threat(
                        node.id,
                        self.tree.players[i].id,
                        tuple(node.actions[k] for k in bad),
                        tuple(node.actions[k] for k in optimal),
                        best - min(values[k][i] for k in bad),
                    )
                )
                return []
            return [_Branch(_mix(beta, values), ((info, beta),), tuple(combo))]
        if len(optimal) > 1:
            if self.fixed is not None:
                self.open = True
            self.tied.add(v)
        ties = (v,) if len(optimal) > 1 else ()
        arity = len(node.children)
        return [_Branch(values[k], ((info, _unit(k, arity)),), tuple(combo), ties) for k in optimal]

    def general(
        self,
        fragment: Fragment,
        combo: Sequence[_Branch],
        values: Mapping[int, tuple[Fraction, ...]],
    ) -> list[_Branch]:
        """An imperfect-information local game: its equilibria, given the values below."""
        local = [i for p in fragment.movers for i in fragment.infosets[p]]
        fixed = self.fixed
        if fixed is not None and all(i in fixed for i in local):
            behaviour: dict[int, tuple[Fraction, ...] | None] = {i: fixed[i] for i in local}
            threat = self.nash_threat(fragment, behaviour, values)
            if threat is not None:
                self.threats.append(threat)
                return []
            value = fragment.behaviour_value(behaviour, values)
            return [_Branch(value, tuple(sorted(behaviour.items())), tuple(combo))]
        candidates = self.local_equilibria(fragment, values)
        if fixed is not None:
            given = [i for i in local if i in fixed]
            consistent: list[_Local] = []
            for behaviour, ties, choice in candidates:
                if all(behaviour[i] is None or behaviour[i] == fixed[i] for i in given):
                    consistent.append(({**behaviour, **{i: fixed[i] for i in given}}, ties, choice))
            loose = any(
                ties or (c is not None and (c.degenerate or c.pure_only))
                for _, ties, c in candidates
            )
            self.open |= loose
            if not consistent and not loose:
                i = given[0]
                info = self.tree.infosets[i]
                self.threats.append(
                    Threat(
                        self.tree.nodes[fragment.root].id,
                        self.tree.players[info.player].id,
                        tuple(a for a, q in zip(info.actions, fixed[i], strict=True) if q > 0),
                        (),
                        Fraction(0),
                    )
                )
            candidates = consistent
        return [
            _Branch(
                fragment.behaviour_value(behaviour, values),
                tuple(sorted(behaviour.items())),
                tuple(combo),
                ties,
                choice,
            )
            for behaviour, ties, choice in candidates
        ]

    def local_equilibria(
        self, fragment: Fragment, values: Mapping[int, tuple[Fraction, ...]]
    ) -> list[_Local]:
        tree = self.tree
        movers = fragment.movers
        root = tree.nodes[fragment.root].id
        ids = tuple(tree.players[p].id for p in movers)
        if len(movers) == 1:
            (i,) = movers
            plans = fragment.plans(i, MAX_PROFILES)
            worth = [fragment.payoffs((plan,), values)[i] for plan in plans]
            best = max(worth)
            optimal = [k for k, w in enumerate(worth) if w == best]
            ties = (fragment.root,) if len(optimal) > 1 else ()
            if ties:
                self.tied.add(fragment.root)
            return [
                (
                    fragment.behaviour_from_plans(i, plans, _unit(k, len(plans))),
                    ties,
                    SubgameChoice(root, ids, e, len(optimal), e, len(optimal) > 1, False),
                )
                for e, k in enumerate(optimal)
            ]
        if len(movers) == 2:
            a, b = movers
            rows, cols = fragment.plans(a), fragment.plans(b)
            table = [[fragment.payoffs((r, c), values) for c in cols] for r in rows]
            game = Game(
                [[x[a] for x in row] for row in table], [[x[b] for x in row] for row in table]
            )
            # Small local games by the reference enumeration, large ones (a typed tree's
            # root, whose plans multiply across types) by the certified vertex traversal.
            solution = enumerate_exactly(game, tree.origin)
            component_of = {
                e: k for k, comp in enumerate(components(solution.pairs)) for e in comp.equilibria
            }
            if solution.degenerate:
                self.degenerate = True
                self.notes[
                    f"the simultaneous subgame at {root} is degenerate (for some continuation): "
                    "each of its extreme equilibria gives a subgame-perfect equilibrium (listed); "
                    "the equilibria between them (its components) give further ones"
                ] = None
            # Distinct extreme equilibria of the local strategic form can prescribe the same
            # behaviour (Kuhn 1953: mixtures of plans that differ only in how they couple
            # choices at different sets): each behaviour is one equilibrium, listed once.
            distinct: dict[tuple[tuple[int, tuple[Fraction, ...] | None], ...], int] = {}
            for e, (x, y) in enumerate(solution.equilibria):
                behaviour = fragment.behaviour_from_plans(a, rows, x)
                behaviour.update(fragment.behaviour_from_plans(b, cols, y))
                distinct.setdefault(tuple(sorted(behaviour.items())), e)
            result: list[_Local] = []
            for k, (key, e) in enumerate(distinct.items()):
                choice = SubgameChoice(
                    root, ids, k, len(distinct), component_of[e], solution.degenerate, False
                )
                result.append((dict(key), (), choice))
            return result
        return self.pure_equilibria(fragment, values)

    def pure_equilibria(
        self, fragment: Fragment, values: Mapping[int, tuple[Fraction, ...]]
    ) -> list[_Local]:
        """Pure equilibria of a local game with three or more players moving, exactly."""
        tree = self.tree
        movers = fragment.movers
        root = tree.nodes[fragment.root].id
        self.pure_only = True
        self.notes[
            f"the simultaneous subgame at {root} has {len(movers)} players moving: only its "
            "pure equilibria are computed (exactly); its mixed equilibria, and the "
            "subgame-perfect equilibria built on them, are not"
        ] = None
        plans = [fragment.plans(p, MAX_PROFILES) for p in movers]
        total = math.prod(len(p) for p in plans)
        if total > MAX_PROFILES:
            raise LimitError(
                tree.origin,
                root,
                f"the simultaneous subgame here has {total} pure profiles; at most "
                f"{MAX_PROFILES} are checked (MAX_PROFILES in negotiation/solvers/spe.py)",
            )
        payoff: dict[tuple[int, ...], tuple[Fraction, ...]] = {}
        for profile in itertools.product(*(range(len(p)) for p in plans)):
            chosen = [plans[m][k] for m, k in enumerate(profile)]
            payoff[profile] = fragment.payoffs(chosen, values)
        found = []
        for profile, value in payoff.items():
            stable = all(
                payoff[(*profile[:m], alt, *profile[m + 1 :])][p] <= value[p]
                for m, p in enumerate(movers)
                for alt in range(len(plans[m]))
            )
            if stable:
                found.append(profile)
        ids = tuple(tree.players[p].id for p in movers)
        pure: list[_Local] = []
        for e, profile in enumerate(found):
            behaviour: dict[int, tuple[Fraction, ...] | None] = {}
            for m, p in enumerate(movers):
                mix = _unit(profile[m], len(plans[m]))
                behaviour.update(fragment.behaviour_from_plans(p, plans[m], mix))
            pure.append((behaviour, (), SubgameChoice(root, ids, e, len(found), e, False, True)))
        return pure

    def nash_threat(
        self,
        fragment: Fragment,
        behaviour: Behaviour,
        values: Mapping[int, tuple[Fraction, ...]],
    ) -> Threat | None:
        """The first player who gains by deviating in a local game, as a threat, or None."""
        tree = self.tree
        current = fragment.behaviour_value(behaviour, values)
        for p in fragment.movers:
            best = fragment.best_response(p, behaviour, values)
            if best <= current[p]:
                continue
            plans = fragment.plans(p, MAX_PROFILES)
            worth = []
            for plan in plans:
                trial = dict(behaviour)
                trial.update(
                    fragment.behaviour_from_plans(p, plans, _unit(plans.index(plan), len(plans)))
                )
                worth.append(fragment.behaviour_value(trial, values)[p])
            better = tuple(
                fragment.plan_label(plan) for plan, w in zip(plans, worth, strict=True) if w == best
            )
            played = tuple(
                tree.infosets[i].actions[k]
                for i in fragment.infosets[p]
                for k, q in enumerate(behaviour.get(i) or ())
                if q > 0
            )
            return Threat(
                tree.nodes[fragment.root].id, tree.players[p].id, played, better, best - current[p]
            )
        return None


def _flatten(
    branch: _Branch, infosets: int
) -> tuple[tuple[tuple[Fraction, ...] | None, ...], list[int], list[SubgameChoice]]:
    behaviour: list[tuple[Fraction, ...] | None] = [None] * infosets
    ties: list[int] = []
    choices: list[SubgameChoice] = []
    stack = [branch]
    while stack:
        b = stack.pop()
        for info, beta in b.moves:
            behaviour[info] = beta
        ties.extend(b.ties)
        if b.choice is not None:
            choices.append(b.choice)
        stack.extend(b.below)
    choices.sort(key=lambda c: c.root)
    return tuple(behaviour), ties, choices


def _mix(
    weights: Sequence[Fraction], values: Sequence[tuple[Fraction, ...]]
) -> tuple[Fraction, ...]:
    size = len(values[0])
    return tuple(
        sum((w * x[i] for w, x in zip(weights, values, strict=True) if w), Fraction(0))
        for i in range(size)
    )


def _unit(k: int, size: int) -> tuple[Fraction, ...]:
    return tuple(Fraction(int(j == k)) for j in range(size))


def _node_values(
    tree: TreeScenario,
    behaviour: Sequence[tuple[Fraction, ...] | None],
    numbers: TreeNumbers,
) -> list[tuple[Fraction, ...] | None]:
    """Every node's expected payoffs under the profile (None where behaviour is missing)."""
    values: list[tuple[Fraction, ...] | None] = [None] * len(tree.nodes)
    for node in reversed(tree.nodes):
        v = node.index
        if node.kind == "leaf":
            values[v] = numbers.payoffs[v]
            continue
        weights = numbers.probabilities[v] if node.kind == "chance" else behaviour[node.infoset]
        if weights is None:
            continue
        live = [(w, values[c]) for w, c in zip(weights, node.children, strict=True) if w]
        if any(x is None for _, x in live):
            continue
        values[v] = _mix([w for w, _ in live], [x for _, x in live if x is not None])
    return values


def _outcome(
    tree: TreeScenario,
    behaviour: Sequence[tuple[Fraction, ...] | None],
    numbers: TreeNumbers,
) -> tuple[tuple[int, Fraction], ...]:
    """The leaves reached with positive probability, in preorder."""
    reach = {0: Fraction(1)}
    result = []
    for node in tree.nodes:
        p = reach.get(node.index)
        if not p:
            continue
        if node.kind == "leaf":
            result.append((node.index, p))
            continue
        weights = (
            numbers.probabilities[node.index] if node.kind == "chance" else behaviour[node.infoset]
        )
        if weights is None:  # pragma: no cover - excluded sets are never reached
            raise RuntimeError(f"internal error: {node.id} reached without behaviour")
        for w, c in zip(weights, node.children, strict=True):
            if w:
                reach[c] = p * w
    return tuple(result)


# -- sweeps ---------------------------------------------------------------------------------


def sweep_spe(
    tree: TreeScenario,
    axes: Sequence[tuple[str, Sequence[Fraction]]],
    skip: Iterable[int] = (),
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Yield ``(point, rows)`` for every grid point not in ``skip``, first axis slowest.

    Rows hold ``point``, each swept path (its value as a float), ``equilibrium``,
    ``payoff.<player>``, ``outcome`` (the leaves reached as ``LEAF=PROB`` joined by ``;``),
    ``ties``, ``degenerate`` and ``path`` (the path of play in words, chance probabilities
    left out so that a prior sweep keeps one label per regime). The tree is read and built
    once; see the module docstring for how floating point and exact solving share the work.
    """
    family = tree.family(axes)
    paths = [path for path, _ in axes]
    floats = [[float(v) for v in values] for _, values in axes]
    skipped = set(skip)
    todo = [
        (i, index)
        for i, index in enumerate(itertools.product(*(range(len(v)) for _, v in axes)))
        if i not in skipped
    ]

    def exact(i: int, index: tuple[int, ...]) -> list[dict[str, Any]]:
        values = [axes[d][1][k] for d, k in enumerate(index)]
        return _exact_rows(tree, family.numbers_at(values), paths, i, values)

    if not tree.perfect_information:
        for i, index in todo:
            yield i, exact(i, index)
        return
    batch = _Batch(tree)
    block = max(1, min(4096, 20_000_000 // max(1, len(tree.nodes) * len(tree.players))))
    for start in range(0, len(todo), block):
        chunk = todo[start : start + block]
        x = np.array([[floats[d][k] for d, k in enumerate(index)] for _, index in chunk])
        payoffs, probabilities, scale = family.floats_at(x)
        rows = batch.solve(payoffs, probabilities, scale)
        for g, (i, index) in enumerate(chunk):
            found = rows[g]
            if found is None:
                yield i, exact(i, index)
                continue
            row: dict[str, Any] = {"point": i}
            row.update({p: float(x[g, d]) for d, p in enumerate(paths)})
            row.update(found)
            yield i, [row]


def _exact_rows(
    tree: TreeScenario,
    numbers: TreeNumbers,
    paths: Sequence[str],
    point: int,
    values: Sequence[Fraction],
) -> list[dict[str, Any]]:
    solution = solve_spe(tree, numbers)
    rows = []
    for k, spe in enumerate(solution.equilibria):
        row: dict[str, Any] = {"point": point}
        row.update({p: float(v) for p, v in zip(paths, values, strict=True)})
        row["equilibrium"] = k
        for player, value in zip(tree.players, spe.payoffs, strict=True):
            row[f"payoff.{player.id}"] = float(value)
        row["outcome"] = ";".join(
            f"{tree.nodes[v].id}={format(float(p), '.12g')}" for v, p in spe.outcome
        )
        row["ties"] = solution.ties
        row["degenerate"] = solution.degenerate
        row["path"] = describe_path(tree, spe.behaviour, numbers.probabilities, show_chance=False)
        rows.append(row)
    return rows


class _Batch:
    """Vectorised backward induction of a perfect-information tree over many points."""

    def __init__(self, tree: TreeScenario) -> None:
        self.tree = tree
        self.leaf_column = {v: k for k, v in enumerate(tree.leaves)}
        offsets, pos = {}, 0
        for v in tree.chance_nodes:
            offsets[v] = pos
            pos += len(tree.nodes[v].children)
        self.edge_offset = offsets
        self.decisions = [n.index for n in tree.nodes if n.kind == "decision"]
        self.labels: dict[bytes, str] = {}
        self.leaves_reached: dict[bytes, list[tuple[int, str]]] = {}

    def solve(
        self,
        payoffs: npt.NDArray[np.float64],
        probabilities: npt.NDArray[np.float64],
        scale: npt.NDArray[np.float64],
    ) -> list[dict[str, Any] | None]:
        """Rows (without point and paths) per point, or None where exact solving is needed."""
        tree = self.tree
        points = len(payoffs)
        margin = SWEEP_MARGIN * scale
        suspect = np.zeros(points, dtype=bool)
        near_zero = (probabilities != 0) & (np.abs(probabilities) <= SWEEP_ZERO)
        if probabilities.size:
            suspect |= near_zero.any(axis=1)
        values: dict[int, npt.NDArray[np.float64]] = {}
        choice: dict[int, npt.NDArray[np.intp]] = {}
        for node in reversed(tree.nodes):
            v = node.index
            if node.kind == "leaf":
                values[v] = payoffs[:, self.leaf_column[v], :]
                continue
            children = [values.pop(c) for c in node.children]
            if node.kind == "chance":
                start = self.edge_offset[v]
                total = np.zeros_like(children[0])
                for k, child in enumerate(children):
                    total += probabilities[:, start + k, None] * child
                values[v] = total
                continue
            mover = np.stack([c[:, node.player] for c in children], axis=1)
            best = np.argmax(mover, axis=1)
            if len(children) > 1:
                top = np.take_along_axis(mover, best[:, None], axis=1)[:, 0]
                others = mover.copy()
                np.put_along_axis(others, best[:, None], -np.inf, axis=1)
                suspect |= top - others.max(axis=1) <= margin
            choice[v] = best
            stacked = np.stack(children, axis=1)
            values[v] = np.take_along_axis(stacked, best[:, None, None], axis=1)[:, 0, :]
        root_values = values[0]
        # Leaves reached: top down, with the chosen actions and chance probabilities.
        reach: dict[int, npt.NDArray[np.float64]] = {0: np.ones(points)}
        for node in tree.nodes:
            r = reach.pop(node.index)
            if node.kind == "leaf":
                reach[node.index] = r  # keep leaves
                continue
            for k, c in enumerate(node.children):
                if node.kind == "chance":
                    reach[c] = r * probabilities[:, self.edge_offset[node.index] + k]
                else:
                    reach[c] = r * (choice[node.index] == k)
        leaves = list(tree.leaves)
        leaf_reach = np.stack([reach[v] for v in leaves], axis=1)
        keys = np.concatenate(
            [
                np.stack([choice[v] for v in self.decisions], axis=1).astype(np.int32)
                if self.decisions
                else np.zeros((points, 0), dtype=np.int32),
                (probabilities > 0).astype(np.int32),
            ],
            axis=1,
        )
        rows: list[dict[str, Any] | None] = []
        for g in range(points):
            if suspect[g]:
                rows.append(None)
                continue
            row: dict[str, Any] = {"equilibrium": 0}
            for player, value in zip(tree.players, root_values[g], strict=True):
                row[f"payoff.{player.id}"] = float(value)
            reached = self.reached(keys[g], leaf_reach[g])
            row["outcome"] = ";".join(
                f"{name}={format(float(leaf_reach[g, k]), '.12g')}" for k, name in reached
            )
            row["ties"] = False
            row["degenerate"] = False
            row["path"] = self.label(keys[g], probabilities[g])
            rows.append(row)
        return rows

    def reached(
        self, key: npt.NDArray[np.int32], reach: npt.NDArray[np.float64]
    ) -> list[tuple[int, str]]:
        """The leaves reached (position, id) under a profile of choices (cached)."""
        raw = key.tobytes()
        if raw not in self.leaves_reached:
            leaves = self.tree.leaves
            self.leaves_reached[raw] = [
                (k, self.tree.nodes[v].id) for k, v in enumerate(leaves) if reach[k] > 0
            ]
        return self.leaves_reached[raw]

    def label(self, key: npt.NDArray[np.int32], probabilities: npt.NDArray[np.float64]) -> str:
        """The path in words for a profile of choices (cached: regimes repeat)."""
        raw = key.tobytes()
        if raw not in self.labels:
            tree = self.tree
            behaviour: list[tuple[Fraction, ...] | None] = [None] * len(tree.infosets)
            for v, k in zip(self.decisions, key[: len(self.decisions)], strict=True):
                node = tree.nodes[v]
                behaviour[node.infoset] = _unit(int(k), len(node.children))
            probs: list[Sequence[float]] = [() for _ in tree.nodes]
            for v, start in self.edge_offset.items():
                probs[v] = [
                    float(p) for p in probabilities[start : start + len(tree.nodes[v].children)]
                ]
            self.labels[raw] = describe_path(tree, behaviour, probs, show_chance=False)
        return self.labels[raw]


__all__ = [
    "MAX_EQUILIBRIA",
    "MAX_PROFILES",
    "SubgameChoice",
    "SubgamePerfect",
    "TreeSolution",
    "describe_path",
    "solve_spe",
    "subgame_perfect_completion",
    "sweep_spe",
    "verify",
]
