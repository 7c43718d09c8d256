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
rebuilding it: the numbers come from a :class:`negotiation.model.tree.TreeFamily`, whose
leaf payoffs and probabilities are exact polynomials of the swept numbers. Trees with
imperfect information are solved exactly at every point. On a tree with perfect
information, :class:`BatchInduction` runs backward induction at many points at once in
floating point and carries, beside every value, a rigorous bound on its error; it
certifies each choice and each probability's sign separately, so only comparisons that are
truly close are redone exactly. With ``u = 2**-53`` (Higham 2002, *Accuracy and Stability
of Numerical Algorithms*, sections 2.2 and 3.1; ``gamma(n) = n u / (1 - n u)``):

1. *Numbers.* A number is ``sum over monomials m of c_m m(x)``, each monomial 1, ``x_i`` or
   ``x_i x_j``; each float term ``fl(fl(c_m) fl(m(x)))`` carries at most 5 relative
   roundings (the swept numbers, their product, the coefficient, the term) and the sum of
   ``M`` terms ``M - 1`` more in any order, so the float errs by at most
   ``gamma(M + 4) S`` with ``S`` the sum of the exact terms' magnitudes; ``S`` is computed
   by the same sum of absolute values, so ``S <= mag / (1 - gamma(M + 4))`` and
   ``2 (M + 4) u mag`` bounds the error. This assumes no underflow: a point where a
   nonzero swept number or a product of two is below the normal range is *broken*
   (nothing there is certified), a coefficient that is not a normal float gives its
   numbers an infinite bound, and where the least coefficient times the least nonzero
   monomial may underflow, ``M 2**-1074`` is added (an underflowing rounding errs by at
   most ``2**-1075``).
2. *Chance node.* Its value ``sum p_k v_k`` is summed in order; with exact probabilities
   ``P_k`` (``|p_k - P_k| <= e_k``) and exact child values ``W_k`` (``|v_k - W_k| <= E_k``),
   ``|fl(sum p_k v_k) - sum P_k W_k| <= sum (|p_k| E_k + e_k (|v_k| + E_k)) +
   gamma(n) sum |p_k v_k|``, plus ``16 n 2**-1074`` for underflow, with ``gamma(n) <=
   2 n u``.
3. *Decision node.* The mover takes the first action ``a`` of largest float value. It is
   certified when ``fl(v_a - v_b) > (E_a + E_b) * (1 + 2**-20)`` for every other ``b``:
   then ``W_a >= v_a - E_a > v_b + E_b >= W_b``, so ``a`` is the unique optimal action,
   and the node's value ``v_a`` errs by at most ``E_a``. Otherwise the comparison is
   *close*. A probability's sign is certified when ``|p| > e * (1 + 2**-20)``, or when
   ``e = 0`` (every term exactly 0: then ``p = P = 0``); a probability whose float is 0
   while the exact one is not is therefore never taken for 0. Non-finite values or
   bounds fail every test (NaN compares false).
4. *The bounds' own rounding.* Every bound is a sum and product of non-negative floats;
   each of its terms passes through at most ``arity + 4`` roundings per level, over at
   most :data:`negotiation.limits.MAX_TREE_DEPTH` (64) levels of at most
   :data:`~negotiation.limits.MAX_TREE_NODES` children, fewer than ``2**23`` in all, so it
   is computed within a relative ``2**-29`` of its exact value, inside the slack
   ``2**-20``; underflow of a bound is absorbed by the absolute terms above.

By induction from the leaves, at a point where every choice and sign is certified, every
float choice is the unique subgame-perfect one (perfect information: backward induction
with a unique optimum at every node; Selten 1965) and the signs say exactly which branches
are reached. At other points, :meth:`BatchInduction.resolve` takes the exact numbers there
(:meth:`~negotiation.model.tree.TreeFamily.numbers_at`) and redoes in fractions only the
close comparisons and those above a choice that changes (a certified comparison holds for
the values below it as they were; a changed choice below changes them), keeping every
other choice; the exact probabilities give the signs. Only where a redone comparison is an
exact tie (several subgame-perfect equilibria) is the point solved by :func:`solve_spe`.

The payoff columns are not the float values: a point's choices and signs fix the leaves it
reaches, so each payoff is the polynomial ``sum over reached leaves of exact reach x exact
payoff`` of the family's coefficients, built once per profile of choices and signs and
evaluated at the exact grid values in integers, then rounded once (``_Rows``). Payoffs and
outcome probabilities are therefore ``float`` of the exact values at every point, as those
of the exact solver and of matrix sweeps are.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from negotiation.errors import LimitError
from negotiation.model.payoffs import Game
from negotiation.model.tree import TreeFamily, TreeNumbers, TreeScenario
from negotiation.solvers.components import components
from negotiation.solvers.equilibria import enumerate_exactly
from negotiation.solvers.reduced import Behaviour, Fragment, Threat

#: Most subgame-perfect equilibria listed for one tree (or one subgame): beyond it a
#: :class:`~negotiation.errors.LimitError` says so. Ties multiply equilibria (k tied binary
#: choices off the path give 2**k), so this bounds time and memory. A simultaneous subgame
#: with more extreme equilibria than this is refused as soon as they are counted, before
#: they are mapped to behaviour (a 20x20 degenerate game: 36,583, refused in about 2 s).
MAX_EQUILIBRIA = 10_000

#: Most pure profiles checked in a simultaneous subgame with three or more players moving.
MAX_PROFILES = 1_000_000


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
    show_mixes: bool = True,
) -> str:
    """The path of play in words, e.g. ``Entrant: enters; Incumbent: accommodates``.

    A mixed choice reads ``Matcher: lays heads (1/2) or lays tails (1/2)`` (action labels
    are verb phrases, docs/reference/scenario-format.md); a chance node ``chance: strong
    9/10, weak 1/10``. Where play can continue down several branches, each follows in
    brackets: ``if Matcher lays heads: [...]`` after a mixed choice (an unlabelled action
    reads ``chooses <id>`` there, as in :func:`negotiation.solvers.pbe_engine.action_words`),
    ``if strong: [...]`` after chance. Without ``show_chance`` (``show_mixes``) the chance
    (mixing) probabilities are left out: ``Matcher: lays heads or lays tails``.
    """
    from negotiation.solvers.pbe_engine import action_words

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
            return [f"chance: {', '.join(parts)}", *branches(live, lambda c: tree.nodes[c].label)]
        who = tree.players[node.player].label
        beta = behaviour[node.infoset]
        if beta is None:  # pragma: no cover - unreachable on the path
            return [f"{who}: (any)"]
        live = [(k, c) for k, c in enumerate(node.children) if beta[k] > 0]
        if len(live) == 1:
            c = live[0][1]
            return [f"{who}: {tree.nodes[c].label}", *walk(c)]
        parts = [
            f"{tree.nodes[c].label} ({_show(beta[k])})" if show_mixes else tree.nodes[c].label
            for k, c in live
        ]
        mix = f"{', '.join(parts[:-1])} or {parts[-1]}"
        return [f"{who}: {mix}", *branches(live, lambda c: f"{who} {action_words(tree, c)}")]

    def branches(live: list[tuple[int, int]], condition: Callable[[int], str]) -> list[str]:
        """The play after each live branch, bracketed (one live branch simply continues)."""
        if len(live) == 1:
            return walk(live[0][1])
        return [f"if {condition(c)}: [{'; '.join(rest)}]" for _, c in live if (rest := walk(c))]

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
            if len(solution.equilibria) > MAX_EQUILIBRIA:
                # Refused before each extreme equilibrium is mapped to behaviour (about 2 ms
                # each): the count is known here, not after the listing.
                raise LimitError(
                    tree.origin,
                    root,
                    f"the simultaneous subgame here has {len(solution.equilibria)} extreme "
                    f"equilibria, more than the {MAX_EQUILIBRIA} subgame-perfect equilibria "
                    "listed; MAX_EQUILIBRIA in negotiation/solvers/spe.py bounds the listing: "
                    "break ties by changing payoffs",
                )
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

#: Relative slack on every error bound of the float pass: it covers the rounding of the
#: bounds' own computation (module docstring, step 4).
_SAFETY = 1.0 + 2.0**-20
#: The unit roundoff of binary64.
_UNIT = 2.0**-53
#: The smallest normal binary64 number.
_NORMAL = 2.0**-1022
#: The least subnormal binary64 number; a rounding that underflows errs by half of it.
_SUBNORMAL = 2.0**-1074

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@attrs.frozen(eq=False)
class Induction:
    """What the float pass of :class:`BatchInduction` found at many points.

    ``decisions`` are the tree's decision nodes in preorder; ``choices[g, j]`` is the
    action the pass takes at ``decisions[j]`` at point ``g`` (the first of the largest
    values of the mover), ``close[g, j]`` says that choice is *not* certified (its
    comparison is within the error bounds). Chance edges (chance nodes in preorder, each
    node's actions in order): ``positive`` where the float probability is above 0,
    ``unsure`` where its sign is not certified, ``negative`` where it is certainly below
    0 (outside every valid tree). ``broken`` marks points where some number is not finite
    or a swept value underflows: nothing there is certified. Where :attr:`certified`,
    the choices are exactly the unique subgame-perfect ones and ``positive`` is exactly
    which probabilities are positive (module docstring).
    """

    decisions: tuple[int, ...]
    choices: IntArray
    close: BoolArray
    positive: BoolArray
    unsure: BoolArray
    negative: BoolArray
    broken: BoolArray

    @property
    def certified(self) -> BoolArray:
        """Points where every choice and the sign of every probability is certified."""
        result: BoolArray = ~(self.broken | self.close.any(axis=1) | self.unsure.any(axis=1))
        return result


class BatchInduction:
    """Vectorised backward induction of a perfect-information tree over many points.

    Built once per :class:`~negotiation.model.tree.TreeFamily`: :meth:`solve` runs the
    float pass with a rigorous error bound on every value (module docstring), and
    :meth:`resolve` re-decides, exactly, only what the pass could not certify at a point.
    Used by :func:`sweep_spe` and by the tree studies of ``negotiation explore``
    (:class:`negotiation.studies.explore_tree.TreeModel`).
    """

    def __init__(self, tree: TreeScenario, family: TreeFamily) -> None:
        if not tree.perfect_information:
            raise ValueError(f"{tree.origin}: batched backward induction needs perfect information")
        self.tree = tree
        self.family = family
        self.decisions = tuple(n.index for n in tree.nodes if n.kind == "decision")
        self.leaf_column = {v: k for k, v in enumerate(tree.leaves)}
        offsets, pos = {}, 0
        for v in tree.chance_nodes:
            offsets[v] = pos
            pos += len(tree.nodes[v].children)
        self.edge_offset = offsets
        self.edges = pos
        monomials = family.monomials
        vectors = list(family.coefficients.values())
        size = len(vectors[0])
        dense = np.zeros((len(monomials), size))
        for r, vector in enumerate(vectors):
            for o, c in enumerate(vector):
                if c:
                    dense[r, o] = float(c)
        absolute = np.abs(dense)
        nonzero = np.array([[bool(c) for c in vector] for vector in vectors]).reshape(dense.shape)
        #: Numbers with a coefficient that is not a normal float get an infinite bound.
        self.abnormal = (nonzero & ((absolute < _NORMAL) | ~np.isfinite(absolute))).any(axis=0)
        self.coefficients = dense
        self.magnitudes = absolute
        positive = absolute[nonzero & (absolute >= _NORMAL) & np.isfinite(absolute)]
        self.least = float(positive.min()) if positive.size else 1.0
        self.linear = np.array(
            [(r, *m) for r, m in enumerate(monomials) if len(m) == 1], dtype=np.intp
        ).reshape(-1, 2)
        self.quadratic = np.array(
            [(r, *m) for r, m in enumerate(monomials) if len(m) == 2], dtype=np.intp
        ).reshape(-1, 3)
        #: Relative bound on a number's error, per unit of its terms' magnitude (step 1).
        self.relative = 2.0 * (len(monomials) + 4) * _UNIT
        self.terms = len(monomials)

    def numbers(self, x: npt.ArrayLike) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Every number at the points ``x`` in floats, a bound on each one's error, broken points.

        ``x`` holds the swept numbers of each point, each within a relative ``2**-53`` of
        the exact value (or exact). Numbers are ordered as :meth:`TreeFamily.floats_at`
        orders them (leaf payoffs, leaves in order and players within, then probabilities).
        """
        x = np.asarray(x, dtype=np.float64).reshape(-1, len(self.family.paths))
        points = len(x)
        broken = ~np.isfinite(x).all(axis=1) | ((x != 0) & (np.abs(x) < _NORMAL)).any(axis=1)
        monomials = np.ones((points, self.terms))
        at, dim = self.linear.T
        monomials[:, at] = x[:, dim]
        at, first, second = self.quadratic.T
        product = x[:, first] * x[:, second]
        monomials[:, at] = product
        # A product of two nonzero swept numbers that underflows is not within 2**-53.
        broken |= ((x[:, first] != 0) & (x[:, second] != 0) & (np.abs(product) < _NORMAL)).any(
            axis=1
        )
        with np.errstate(all="ignore"):
            values: FloatArray = monomials @ self.coefficients
            magnitude = np.abs(monomials) @ self.magnitudes
            smallest = np.where(monomials != 0, np.abs(monomials), np.inf).min(axis=1)
            # A term can underflow only if the least coefficient times the least monomial does.
            floor = np.where(smallest * self.least < 2 * _NORMAL, self.terms * _SUBNORMAL, 0.0)
            bounds: FloatArray = self.relative * magnitude + floor[:, None]
        bounds[:, self.abnormal] = np.inf
        broken |= ~np.isfinite(values).all(axis=1) | ~np.isfinite(magnitude).all(axis=1)
        return values, bounds, broken

    def solve(self, x: npt.ArrayLike) -> Induction:
        """The float pass at the points ``x`` (one row of swept numbers per point)."""
        tree = self.tree
        flat, error, broken = self.numbers(x)
        points = len(flat)
        players = len(tree.players)
        split = len(tree.leaves) * players
        payoffs = flat[:, :split].reshape(points, len(tree.leaves), players)
        payoff_error = error[:, :split].reshape(points, len(tree.leaves), players)
        probabilities, probability_error = flat[:, split:], error[:, split:]
        limit = probability_error * _SAFETY
        unsure = (np.abs(probabilities) <= limit) & (probability_error > 0)
        negative = probabilities < -limit
        values: dict[int, tuple[FloatArray, FloatArray]] = {}
        choices = np.zeros((points, len(self.decisions)), dtype=np.intp)
        close = np.zeros((points, len(self.decisions)), dtype=bool)
        column = {v: j for j, v in enumerate(self.decisions)}
        with np.errstate(all="ignore"):
            for node in reversed(tree.nodes):
                v = node.index
                if node.kind == "leaf":
                    k = self.leaf_column[v]
                    values[v] = (payoffs[:, k, :], payoff_error[:, k, :])
                    continue
                children = [values.pop(c) for c in node.children]
                if node.kind == "chance":
                    values[v] = self.expectation(v, children, probabilities, probability_error)
                    continue
                mover = np.stack([value[:, node.player] for value, _ in children], axis=1)
                slack = np.stack([bound[:, node.player] for _, bound in children], axis=1)
                best = np.argmax(mover, axis=1)
                if len(children) > 1:
                    top = np.take_along_axis(mover, best[:, None], axis=1)
                    allowed = np.take_along_axis(slack, best[:, None], axis=1) + slack
                    clear = (top - mover > allowed * _SAFETY) | (
                        np.arange(len(children)) == best[:, None]
                    )
                    close[:, column[v]] = ~clear.all(axis=1)
                choices[:, column[v]] = best
                stacked = np.stack([value for value, _ in children], axis=1)
                bounds = np.stack([bound for _, bound in children], axis=1)
                pick = best[:, None, None]
                values[v] = (
                    np.take_along_axis(stacked, pick, axis=1)[:, 0, :],
                    np.take_along_axis(bounds, pick, axis=1)[:, 0, :],
                )
        return Induction(
            self.decisions, choices, close, probabilities > 0, unsure, negative, broken
        )

    def expectation(
        self,
        v: int,
        children: Sequence[tuple[FloatArray, FloatArray]],
        probabilities: FloatArray,
        probability_error: FloatArray,
    ) -> tuple[FloatArray, FloatArray]:
        """A chance node's value, summed in order, and its error bound (module docstring)."""
        start = self.edge_offset[v]
        n = len(children)
        total = np.zeros_like(children[0][0])
        bound = np.zeros_like(total)
        size = np.zeros_like(total)
        for k, (value, error) in enumerate(children):
            p = probabilities[:, start + k, None]
            e = probability_error[:, start + k, None]
            total += p * value
            bound += np.abs(p) * error + e * (np.abs(value) + error)
            size += np.abs(p * value)
        bound += 2.0 * n * _UNIT * size + n * 16 * _SUBNORMAL
        return total, bound

    def resolve(
        self, induction: Induction, g: int, numbers: TreeNumbers
    ) -> tuple[tuple[int, ...], tuple[bool, ...]] | None:
        """Point ``g``'s choices and positive probabilities, exactly; None at an exact tie.

        ``numbers`` are the exact numbers at the point. Backward induction runs in
        fractions, but compares actions only at the decision nodes whose comparison the
        float pass flagged (every node if the point is broken) or below which some choice
        changed; elsewhere the float choice is certified and kept (module docstring). None
        when a compared node has several optimal actions: the point has several
        subgame-perfect equilibria, for :func:`solve_spe`.
        """
        tree = self.tree
        column = {v: j for j, v in enumerate(self.decisions)}
        broken = bool(induction.broken[g])
        values: list[tuple[Fraction, ...]] = [()] * len(tree.nodes)
        changed = [False] * len(tree.nodes)
        chosen = [int(k) for k in induction.choices[g]]
        for node in reversed(tree.nodes):
            v = node.index
            if node.kind == "leaf":
                values[v] = numbers.payoffs[v]
                continue
            below = any(changed[c] for c in node.children)
            if node.kind == "chance":
                values[v] = _mix(numbers.probabilities[v], [values[c] for c in node.children])
                changed[v] = below
                continue
            j = column[v]
            k = chosen[j]
            if below or broken or induction.close[g, j]:
                worth = [values[c][node.player] for c in node.children]
                best = max(worth)
                optimal = [a for a, w in enumerate(worth) if w == best]
                if len(optimal) > 1:
                    return None
                if optimal[0] != k:
                    k = chosen[j] = optimal[0]
                    below = True
            changed[v] = below
            values[v] = values[node.children[k]]
        positive = tuple(p > 0 for v in tree.chance_nodes for p in numbers.probabilities[v])
        return tuple(chosen), positive


def sweep_spe(
    tree: TreeScenario,
    axes: Sequence[tuple[str, Sequence[Fraction]]],
    skip: Iterable[int] = (),
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Yield ``(point, rows)`` for every grid point not in ``skip``, first axis slowest.

    Rows hold ``point``, each swept path (its value as a float), ``equilibrium``,
    ``payoff.<player>``, ``outcome`` (the leaves reached as ``LEAF=PROB`` joined by ``;``),
    ``ties``, ``degenerate`` and ``path`` (the path of play in words, chance probabilities
    left out so that a prior sweep keeps one label per regime). Payoffs and outcome
    probabilities are the exact ones correctly rounded, at every point. The tree is read
    and built once; see the module docstring for how floating point and exact solving
    share the work.
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

    def exact(
        i: int, index: tuple[int, ...], numbers: TreeNumbers | None = None
    ) -> list[dict[str, Any]]:
        values = [axes[d][1][k] for d, k in enumerate(index)]
        return _exact_rows(tree, numbers or family.numbers_at(values), paths, i, values)

    if not tree.perfect_information:
        for i, index in todo:
            yield i, exact(i, index)
        return
    batch = BatchInduction(tree, family)
    rows_of = _Rows(batch, axes)
    block = max(1, min(4096, 20_000_000 // max(1, len(tree.nodes) * len(tree.players))))
    for start in range(0, len(todo), block):
        chunk = todo[start : start + block]
        x = np.array([[floats[d][k] for d, k in enumerate(index)] for _, index in chunk])
        induction = batch.solve(x)
        certified = induction.certified
        keys = np.concatenate([induction.choices, induction.positive], axis=1).astype(np.int32)
        for g, (i, index) in enumerate(chunk):
            if rows_of.tiny(index):  # a swept value below the normal floats: no bounds
                yield i, exact(i, index)
                continue
            if certified[g]:
                key = keys[g].tobytes()
            else:
                numbers = family.numbers_at([axes[d][1][k] for d, k in enumerate(index)])
                resolved = batch.resolve(induction, g, numbers)
                if resolved is None:  # an exact tie: several subgame-perfect equilibria
                    yield i, exact(i, index, numbers)
                    continue
                chosen, positive = resolved
                key = np.array([*chosen, *positive], dtype=np.int32).tobytes()
            row: dict[str, Any] = {"point": i}
            row.update({p: floats[d][index[d]] for d, p in enumerate(paths)})
            row.update(rows_of.row(key, index))
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


#: A polynomial of the swept numbers: exponent per dimension -> exact coefficient.
_Polynomial = dict[tuple[int, ...], Fraction]


@attrs.frozen
class _Compiled:
    """A polynomial evaluated in integers at grid points (see :class:`_Rows`).

    ``constant`` is its float when it does not vary; otherwise its value at grid point
    ``index`` is ``sum(a * prod(table(d, E_d)[index[d]][e_d])) / denominator`` over
    ``terms`` ``(a, ((d, e_d), ...))``, exactly, and Python's int division rounds it
    correctly.
    """

    constant: float | None
    degrees: tuple[tuple[int, int], ...] = ()
    terms: tuple[tuple[int, tuple[int, ...]], ...] = ()
    denominator: int = 1


@attrs.frozen
class _Regime:
    """What every point with one profile of choices and probability signs shares."""

    label: str
    reached: tuple[str, ...]
    payoffs: tuple[_Compiled, ...]
    reach: tuple[_Compiled, ...]
    outcome: str | None  # the outcome text when no reach probability varies


class _Rows:
    """Rows of decided sweep points with correctly rounded payoffs and outcome probabilities.

    A point's choices and probability signs (its key) fix which leaves it reaches; each
    player's payoff is then the polynomial ``sum over reached leaves of reach x payoff``
    (products of the family's exact polynomials), and each reach probability a product of
    probability polynomials, built once per key. At a grid point, axis ``d``'s value is
    ``n / D_d`` with ``D_d`` the least common denominator of the axis' values, so a
    polynomial of degree ``E_d`` in dimension ``d`` is an integer sum over
    ``prod D_d**E_d`` times the lcm of its coefficients' denominators: evaluated in Python
    integers and rounded once by integer true division, which CPython rounds correctly
    (``long_true_divide``), as :func:`float` rounds a :class:`~fractions.Fraction`.
    """

    def __init__(self, batch: BatchInduction, axes: Sequence[tuple[str, Sequence[Fraction]]]):
        self.batch = batch
        self.tree = batch.tree
        self.dims = len(axes)
        self.scale = [math.lcm(*(Fraction(v).denominator for v in values)) for _, values in axes]
        self.numerators = [
            [int(Fraction(v) * s) for v in values]
            for (_, values), s in zip(axes, self.scale, strict=True)
        ]
        self.small = [[v != 0 and abs(float(v)) < _NORMAL for v in values] for _, values in axes]
        self.tables: dict[tuple[int, int], list[tuple[int, ...]]] = {}
        self.regimes: dict[bytes, _Regime] = {}
        self.polynomials: dict[int, _Polynomial] = {}

    def tiny(self, index: Sequence[int]) -> bool:
        """Whether a swept value at this point underflows as a float (solved exactly)."""
        return any(self.small[d][k] for d, k in enumerate(index))

    def row(self, key: bytes, index: Sequence[int]) -> dict[str, Any]:
        """The row (without point and swept values) of a point decided with this key."""
        regime = self.regimes.get(key)
        if regime is None:
            regime = self.regimes[key] = self.regime(np.frombuffer(key, dtype=np.int32))
        row: dict[str, Any] = {"equilibrium": 0}
        for player, payoff in zip(self.tree.players, regime.payoffs, strict=True):
            row[f"payoff.{player.id}"] = self.evaluate(payoff, index)
        if regime.outcome is not None:
            row["outcome"] = regime.outcome
        else:
            row["outcome"] = ";".join(
                f"{name}={format(self.evaluate(p, index), '.12g')}"
                for name, p in zip(regime.reached, regime.reach, strict=True)
            )
        row["ties"] = False
        row["degenerate"] = False
        row["path"] = regime.label
        return row

    def regime(self, key: npt.NDArray[np.int32]) -> _Regime:
        """Label, reached leaves and compiled polynomials of one key."""
        tree, batch = self.tree, self.batch
        decisions = batch.decisions
        choice = {v: int(k) for v, k in zip(decisions, key[: len(decisions)], strict=True)}
        positive = [bool(s) for s in key[len(decisions) :]]
        behaviour: list[tuple[Fraction, ...] | None] = [None] * len(tree.infosets)
        for v, k in choice.items():
            behaviour[tree.nodes[v].infoset] = _unit(k, len(tree.nodes[v].children))
        probs: list[Sequence[float]] = [() for _ in tree.nodes]
        for v, start in batch.edge_offset.items():
            probs[v] = [float(s) for s in positive[start : start + len(tree.nodes[v].children)]]
        label = describe_path(tree, behaviour, probs, show_chance=False)
        one: _Polynomial = {(0,) * self.dims: Fraction(1)}
        reach: dict[int, _Polynomial] = {0: one}
        reached: list[tuple[int, _Polynomial]] = []
        split = len(tree.leaves) * len(tree.players)
        for node in tree.nodes:
            r = reach.pop(node.index, None)
            if r is None:
                continue
            if node.kind == "leaf":
                reached.append((node.index, r))
            elif node.kind == "decision":
                reach[node.children[choice[node.index]]] = r
            else:
                start = batch.edge_offset[node.index]
                for k, c in enumerate(node.children):
                    if positive[start + k]:
                        reach[c] = _times(r, self.polynomial(split + start + k))
        players = len(tree.players)
        payoffs = []
        for i in range(players):
            total: _Polynomial = {}
            for v, r in reached:
                leaf = self.polynomial(batch.leaf_column[v] * players + i)
                for m, coefficient in _times(r, leaf).items():
                    total[m] = total.get(m, Fraction(0)) + coefficient
            payoffs.append(self.compile(total))
        compiled = tuple(self.compile(r) for _, r in reached)
        names = tuple(tree.nodes[v].id for v, _ in reached)
        outcome = None
        if all(p.constant is not None for p in compiled):
            outcome = ";".join(
                f"{name}={format(p.constant, '.12g')}"
                for name, p in zip(names, compiled, strict=True)
            )
        return _Regime(label, names, tuple(payoffs), compiled, outcome)

    def polynomial(self, number: int) -> _Polynomial:
        """The family's exact polynomial of one number, by exponents."""
        found = self.polynomials.get(number)
        if found is None:
            found = {}
            family = self.batch.family
            for m, vector in zip(family.monomials, family.coefficients.values(), strict=True):
                if vector[number]:
                    found[tuple(1 if d in m else 0 for d in range(self.dims))] = vector[number]
            self.polynomials[number] = found
        return found

    def compile(self, polynomial: _Polynomial) -> _Compiled:
        """A polynomial as integers over one denominator (see the class docstring)."""
        terms = {m: c for m, c in polynomial.items() if c}
        if not terms:
            return _Compiled(0.0)
        if all(not any(m) for m in terms):
            return _Compiled(float(sum(terms.values(), Fraction(0))))
        degrees = tuple((d, top) for d in range(self.dims) if (top := max(m[d] for m in terms)) > 0)
        lcm = math.lcm(*(c.denominator for c in terms.values()))
        denominator = lcm * math.prod(self.scale[d] ** top for d, top in degrees)
        compiled = tuple((int(c * lcm), tuple(m[d] for d, _ in degrees)) for m, c in terms.items())
        return _Compiled(None, degrees, compiled, denominator)

    def evaluate(self, polynomial: _Compiled, index: Sequence[int]) -> float:
        """A compiled polynomial at a grid point, correctly rounded."""
        if polynomial.constant is not None:
            return polynomial.constant
        rows = [self.table(d, top)[index[d]] for d, top in polynomial.degrees]
        total = 0
        for a, exponents in polynomial.terms:
            for row, e in zip(rows, exponents, strict=True):
                a *= row[e]
            total += a
        return total / polynomial.denominator

    def table(self, d: int, top: int) -> list[tuple[int, ...]]:
        """Per value of axis ``d``: ``n**e * D**(top - e)`` for e = 0..top (cached)."""
        found = self.tables.get((d, top))
        if found is None:
            s = self.scale[d]
            found = [
                tuple(n**e * s ** (top - e) for e in range(top + 1)) for n in self.numerators[d]
            ]
            self.tables[d, top] = found
        return found


def _times(p: _Polynomial, q: _Polynomial) -> _Polynomial:
    """The product of two polynomials."""
    product: _Polynomial = {}
    for m, a in p.items():
        for n, b in q.items():
            e = tuple(i + j for i, j in zip(m, n, strict=True))
            product[e] = product.get(e, Fraction(0)) + a * b
    return product


__all__ = [
    "MAX_EQUILIBRIA",
    "MAX_PROFILES",
    "BatchInduction",
    "Induction",
    "SubgameChoice",
    "SubgamePerfect",
    "TreeSolution",
    "describe_path",
    "solve_spe",
    "subgame_perfect_completion",
    "sweep_spe",
    "verify",
]
