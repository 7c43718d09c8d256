"""The perfect Bayesian solver's engine: the top game, its Nash subsets, faces and points.

The steps of :mod:`negotiation.solvers.pbe`'s docstring: perfect-information parts are
solved by backward induction (:meth:`Engine.tail_branches`); the top game that remains is
solved as a bimatrix game by the exact engine (every extreme equilibrium and maximal Nash
subset; Avis, Rosenberg, Savani and von Stengel 2010); each maximal Nash subset is examined
one support pattern (face) at a time for sequential rationality (:class:`_TopGame`); and
every point reported is analysed (beliefs, kind, Intuitive Criterion, consistency,
component, words) and verified exactly (:class:`PointAnalysis`).
:func:`solve_assessments` runs it all for one tree at one set of numbers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError
from negotiation.model.payoffs import Game
from negotiation.model.tree import TreeNumbers, TreeScenario
from negotiation.solvers.beliefs import (
    belief_polytope,
    belief_ranges,
    node_reach,
    node_values,
    realisation_of_behaviour,
    realisation_of_plans,
    verify_assessment,
)
from negotiation.solvers.components import components
from negotiation.solvers.exact import ExactSolution, Vector, solve_exact
from negotiation.solvers.intuitive import intuitive_criterion, signalling_structure
from negotiation.solvers.linear import F0, F1, in_hull, linprog, simplex_vertices
from negotiation.solvers.pbe_results import (
    Behaviour,
    Deviation,
    NashForm,
    PBESet,
    PBESolution,
    PerfectBayesian,
    UnsupportedError,
)
from negotiation.solvers.reduced import Fragment, Plan

#: Most pure subgame-perfect branches of the perfect-information parts taken together.
MAX_BRANCHES = 256

#: Most faces examined in one maximal Nash subset of the top game.
MAX_FACES = 1 << 14


def _solve_game(game: Game) -> ExactSolution:
    """All extreme equilibria exactly: enumeration when small, certified traversal when not."""
    m, n = game.shape
    if math.comb(m + n, m) <= limits.MAX_EXACT_BASES:
        return solve_exact(game)
    from negotiation.solvers.large import solve_large  # numba and flint: only when needed

    return solve_large(game)


@attrs.frozen
class _Tail:
    """A pure subgame-perfect branch of a perfect-information part: behaviour and value."""

    behaviour: Mapping[int, tuple[Fraction, ...]]
    value: tuple[Fraction, ...]


@attrs.frozen
class _Term:
    """``coef x`` the probability of action ``action`` at information set ``infoset``."""

    coef: Fraction
    infoset: int  # -1: a constant term
    action: int


class Engine:
    """The analysis of one tree at one set of numbers."""

    def __init__(self, tree: TreeScenario, numbers: TreeNumbers) -> None:
        self.tree = tree
        self.numbers = numbers
        nodes = tree.nodes
        root = nodes[0]
        self.types: tuple[str, ...] = root.actions if root.kind == "chance" else ()
        # type_of[v]: position of the root's chance outcome above v (-1 at the root / none).
        self.type_of = [-1] * len(nodes)
        if self.types:
            for k, child in enumerate(root.children):
                for v in range(child, nodes[child].end):
                    self.type_of[v] = k
        # Perfect-information parts: maximal subtrees whose decision nodes are all alone
        # in their information sets.
        perfect = [False] * len(nodes)
        for node in reversed(nodes):
            if node.kind == "leaf":
                perfect[node.index] = True
            else:
                alone = node.kind == "chance" or tree.infosets[node.infoset].singleton
                perfect[node.index] = alone and all(perfect[c] for c in node.children)
        self.tails = tuple(
            n.index
            for n in nodes
            if n.kind != "leaf" and perfect[n.index] and (n.parent < 0 or not perfect[n.parent])
        )
        tail_set = set(self.tails)
        self.tail_set = tail_set
        self.inside = [False] * len(nodes)  # in a perfect-information part (root included)
        for v in self.tails:
            for w in range(v, nodes[v].end):
                self.inside[w] = True
        self.terminal = {v for v in self.tails} | {
            v for v in tree.leaves if not self.inside[v] or v in tail_set
        }
        # Top nodes: decision and chance nodes not inside a perfect-information part.
        self.top = [n.index for n in nodes if n.kind != "leaf" and not self.inside[n.index]]
        self.top_infosets = sorted(
            {nodes[v].infoset for v in self.top if nodes[v].kind == "decision"}
        )
        self.top_of_player: dict[int, list[int]] = {0: [], 1: []}
        for i in self.top_infosets:
            self.top_of_player[tree.infosets[i].player].append(i)
        #: Nodes of the perfect-information parts where several choices are optimal.
        self.tied: set[int] = set()
        # For every top node and terminal: chance factor and moves on the way (top part).
        self.path: dict[int, tuple[Fraction, tuple[tuple[int, int], ...]]] = {}
        if not self.inside[0] or 0 in tail_set:
            self._paths()
        #: Support patterns examined so far, against :data:`negotiation.limits.MAX_PBE_PATTERNS`.
        self.patterns_examined = 0

    def _paths(self) -> None:
        nodes = self.tree.nodes
        stack: list[tuple[int, Fraction, tuple[tuple[int, int], ...]]] = [(0, F1, ())]
        while stack:
            v, prob, moves = stack.pop()
            self.path[v] = (prob, moves)
            if v in self.terminal or nodes[v].kind == "leaf":
                continue
            node = nodes[v]
            if node.kind == "chance":
                for child, p in zip(node.children, self.numbers.probabilities[v], strict=True):
                    stack.append((child, prob * p, moves))
            else:
                for k, child in enumerate(node.children):
                    stack.append((child, prob, (*moves, (node.infoset, k))))

    # -- the class -----------------------------------------------------------------------------

    def check_class(self) -> None:
        """Raise :class:`UnsupportedError` unless every player moves at most once per top path."""
        if 0 in self.tail_set:
            return
        tree = self.tree
        for v, (_, moves) in self.path.items():
            players = [tree.infosets[i].player for i, _ in moves]
            if len(players) != len(set(players)):
                first = tree.infosets[moves[0][0]]
                who = tree.players[tree.infosets[moves[-1][0]].player].id
                raise UnsupportedError(
                    f"{who} moves twice on the path to {tree.nodes[v].id} (after {first.id}) "
                    "outside a perfect-information part"
                )

    # -- perfect-information parts --------------------------------------------------------------

    def tail_branches(self, v: int) -> list[_Tail]:
        """Every pure subgame-perfect equilibrium of the perfect-information subtree at ``v``."""
        tree, nodes = self.tree, self.tree.nodes
        node = nodes[v]
        if node.kind == "leaf":
            return [_Tail({}, self.numbers.payoffs[v])]
        children = [self.tail_branches(c) for c in node.children]
        if node.kind == "chance":
            out = []
            for combo in itertools.product(*children):
                behaviour: dict[int, tuple[Fraction, ...]] = {}
                value = [F0] * len(tree.players)
                for branch, p in zip(combo, self.numbers.probabilities[v], strict=True):
                    behaviour.update(branch.behaviour)
                    value = [a + p * b for a, b in zip(value, branch.value, strict=True)]
                out.append(_Tail(behaviour, tuple(value)))
                self._cap(len(out))
            return out
        # For every combination of branches below, each action of highest value for the
        # mover is a branch (a continuation fixed below, then an optimal choice here).
        mover = node.player
        arity = len(node.children)
        out = []
        for combo in itertools.product(*children):
            best = max(branch.value[mover] for branch in combo)
            below: dict[int, tuple[Fraction, ...]] = {}
            for branch in combo:
                below.update(branch.behaviour)
            if sum(branch.value[mover] == best for branch in combo) > 1:
                self.tied.add(v)
            for k, branch in enumerate(combo):
                if branch.value[mover] == best:
                    behaviour = dict(below)
                    behaviour[node.infoset] = tuple(F1 if j == k else F0 for j in range(arity))
                    out.append(_Tail(behaviour, branch.value))
                    self._cap(len(out))
        return out

    def examine_pattern(self) -> None:
        """Count one support pattern examined; refuse past ``MAX_PBE_PATTERNS`` (a work budget)."""
        self.patterns_examined += 1
        if self.patterns_examined > limits.MAX_PBE_PATTERNS:
            raise LimitError(
                "pbe",
                "",
                f"more than {limits.MAX_PBE_PATTERNS:,} support patterns of the Nash subsets "
                "would be examined (limit MAX_PBE_PATTERNS)",
            )

    def _cap(self, count: int) -> None:
        if count > MAX_BRANCHES:
            raise LimitError(
                self.tree.origin,
                "",
                f"the perfect-information parts of this tree have more than {MAX_BRANCHES} "
                "subgame-perfect branches (ties); perfect Bayesian equilibria list each, so "
                "break some ties",
            )

    # -- solving -------------------------------------------------------------------------------

    def solve(self, nash_form: NashForm | None) -> PBESolution:
        """Every PBE: each choice of tails, its top game's faces, each point analysed."""
        tree = self.tree
        per_tail = [self.tail_branches(v) for v in self.tails]
        combos = list(itertools.product(*per_tail))
        self._cap(len(combos))
        notes: list[str] = []
        tied = [tree.nodes[v].id for v in sorted(self.tied)]
        if tied:
            notes.append(
                f"ties in the perfect-information parts at {', '.join(tied)}: each optimal "
                "choice gives its own perfect Bayesian equilibria (listed); mixing between "
                "tied choices gives further ones (not listed)"
            )
        pieces: list[_Piece] = []
        patterns: set[Any] = set()
        for index, combo in enumerate(combos):
            tail_behaviour: dict[int, tuple[Fraction, ...]] = {}
            values: dict[int, tuple[Fraction, ...]] = {}
            for v, branch in zip(self.tails, combo, strict=True):
                tail_behaviour.update(branch.behaviour)
                values[v] = branch.value
            for v in tree.leaves:
                if v in self.terminal:
                    values[v] = self.numbers.payoffs[v]
            top = _TopGame(self, values, index)
            found, seen = top.pieces()
            for piece in found:
                pieces.append(attrs.evolve(piece, tails=tuple(sorted(tail_behaviour.items()))))
            patterns |= {
                (index, tuple(sorted((k, tuple(sorted(s))) for k, s in p.items()))) for p in seen
            }
        _check_hull_work(pieces)
        pieces = _maximal(pieces)
        analysis = PointAnalysis(self, nash_form)
        points: list[PerfectBayesian] = []
        index_of: dict[Behaviour, int] = {}
        sets: list[PBESet] = []
        for piece in pieces:
            members = []
            for b0 in piece.v0:
                for b1 in piece.v1:
                    behaviour = self.behaviour(b0, b1, piece.tails)
                    if behaviour not in index_of:
                        index_of[behaviour] = len(points)
                        points.append(analysis.point(behaviour))
                    members.append(index_of[behaviour])
            c0 = _centroid(piece.v0)
            c1 = _centroid(piece.v1)
            centre = analysis.point(self.behaviour(c0, c1, piece.tails))
            verdicts = {points[k].intuitive for k in members} | {centre.intuitive}
            intuitive = verdicts.pop() if len(verdicts) == 1 else None
            payoffs = [points[k].payoffs for k in members]
            pattern = analysis.words(centre.behaviour, numbers=False)
            description = pattern
            if analysis.signalling is not None:
                description += {
                    True: "; survives the Intuitive Criterion",
                    False: "; fails the Intuitive Criterion",
                    None: "; survives the Intuitive Criterion at some of its points only",
                }[intuitive]
            sets.append(
                PBESet(
                    tuple(members),
                    centre,
                    tuple(
                        (min(p[i] for p in payoffs), max(p[i] for p in payoffs))
                        for i in range(len(tree.players))
                    ),
                    centre.component,
                    centre.kind,
                    intuitive,
                    centre.sequential,
                    pattern,
                    description,
                )
            )
        points = [
            attrs.evolve(p, sets=tuple(s for s, st in enumerate(sets) if k in st.equilibria))
            for k, p in enumerate(points)
        ]
        if self.types and any(p == 0 for p in self.numbers.probabilities[0]):
            notes.append(
                "a type has prior 0: its behaviour is still required to be optimal (sequential "
                "rationality), and sequential equilibrium is not decided"
            )
        return PBESolution(
            tree,
            self.numbers,
            True,
            tuple(points),
            tuple(sets),
            nash_form,
            self.types,
            analysis.signalling is not None,
            tuple(notes),
            frozenset(patterns),
        )

    def behaviour(
        self,
        b0: tuple[Fraction, ...],
        b1: tuple[Fraction, ...],
        tails: Sequence[tuple[int, tuple[Fraction, ...]]],
    ) -> Behaviour:
        """Full behaviour from the two players' top marginals and the tails' choices."""
        out: dict[int, tuple[Fraction, ...]] = dict(tails)
        for player, vector in ((0, b0), (1, b1)):
            pos = 0
            for i in self.top_of_player[player]:
                arity = len(self.tree.infosets[i].actions)
                out[i] = tuple(vector[pos : pos + arity])
                pos += arity
        return tuple(out[i] for i in range(len(self.tree.infosets)))


def _centroid(vectors: Sequence[tuple[Fraction, ...]]) -> tuple[Fraction, ...]:
    n = len(vectors)
    return tuple(sum(col, F0) / n for col in zip(*vectors, strict=True)) if vectors[0] else ()


@attrs.frozen
class _Piece:
    """A polytope of PBE: every mixture of ``v0`` (player 0's top marginals) against ``v1``."""

    v0: tuple[tuple[Fraction, ...], ...]
    v1: tuple[tuple[Fraction, ...], ...]
    combo: int
    tails: tuple[tuple[int, tuple[Fraction, ...]], ...] = ()


def hull_work(pieces: Sequence[_Piece]) -> int:
    """The most points :func:`_maximal` tests hulls against, known before it starts.

    Reducing a piece's ``n`` distinct vectors to vertices tests each against the ``n - 1``
    others (none when ``n <= 2``); dropping a piece ``a`` inside ``b`` tests ``a``'s
    vertices against ``b``'s, for every ordered pair with the same tails. Each test is a
    linear programme whose size grows with the points, so their sum is the work.
    """
    sizes = [(len(set(p.v0)), len(set(p.v1))) for p in pieces]
    work = sum(n * (n - 1) for n0, n1 in sizes for n in (n0, n1) if n > 2)
    for a, (a0, a1) in zip(pieces, sizes, strict=True):
        for b, (b0, b1) in zip(pieces, sizes, strict=True):
            if a is not b and a.combo == b.combo and a.tails == b.tails:
                work += a0 * b0 + a1 * b1
    return work


def _check_hull_work(pieces: Sequence[_Piece]) -> None:
    """Refuse, before any hull test, past :data:`negotiation.limits.MAX_PBE_HULL_WORK`."""
    work = hull_work(pieces)
    if work > limits.MAX_PBE_HULL_WORK:
        largest = max(len(set(p.v0)) * len(set(p.v1)) for p in pieces)
        raise LimitError(
            "pbe",
            "",
            f"their {len(pieces):,} polytopes (the largest with {largest:,} vertex pairs) "
            f"need {work:,} exact hull-test points, more than {limits.MAX_PBE_HULL_WORK:,} "
            "(limit MAX_PBE_HULL_WORK)",
        )


def _maximal(pieces: Sequence[_Piece]) -> list[_Piece]:
    """Drop pieces contained in others; reduce each to its vertices (exact hull tests)."""
    reduced = []
    for piece in pieces:
        reduced.append(
            attrs.evolve(piece, v0=_hull_vertices(piece.v0), v1=_hull_vertices(piece.v1))
        )
    order = sorted(range(len(reduced)), key=lambda k: -(len(reduced[k].v0) * len(reduced[k].v1)))
    ranked = [reduced[k] for k in order]

    def contains(b: _Piece, a: _Piece) -> bool:
        return (
            b.combo == a.combo
            and b.tails == a.tails
            and all(v in b.v0 or in_hull(v, b.v0) for v in a.v0)
            and all(v in b.v1 or in_hull(v, b.v1) for v in a.v1)
        )

    keep = []
    for k, a in enumerate(ranked):
        # Drop a piece inside another (of two equal pieces, the later one).
        if not any(
            j != k and contains(b, a) and (j < k or not contains(a, b))
            for j, b in enumerate(ranked)
        ):
            keep.append(a)
    keep.sort(
        key=lambda p: (p.combo, [[-x for x in v] for v in p.v0], [[-x for x in v] for v in p.v1])
    )
    return keep


def _hull_vertices(vectors: Sequence[tuple[Fraction, ...]]) -> tuple[tuple[Fraction, ...], ...]:
    """The vectors that are not mixtures of the others, purest first.

    A vector of zeros and ones is a vertex of the product of simplices holding every
    behaviour, hence of any hull it lies in; the others are tested by linear programming.
    """
    unique = sorted(set(vectors), key=lambda v: [-x for x in v])
    if len(unique) <= 2:
        return tuple(unique)
    return tuple(
        v
        for k, v in enumerate(unique)
        if all(x in (0, 1) for x in v) or not in_hull(v, unique[:k] + unique[k + 1 :])
    )


class _TopGame:
    """The game above the perfect-information parts, for one choice of their branches."""

    def __init__(
        self, engine: Engine, values: Mapping[int, tuple[Fraction, ...]], combo: int
    ) -> None:
        self.e = engine
        self.values = values
        self.combo = combo
        #: Whether some belief justifies a support at an information set, by (set, support).
        self.justified: dict[tuple[int, frozenset[int]], bool] = {}
        tree = engine.tree
        self.trivial = 0 in engine.tail_set
        if self.trivial:
            return
        fragment = Fragment(tree, 0, lambda v: v in engine.tail_set, engine.numbers)
        never = self.never_rational()
        self.rows, self.cols = (
            [plan for plan in fragment.plans(p) if not never.intersection(plan)] for p in (0, 1)
        )
        table = [[fragment.payoffs((r, c), values) for c in self.cols] for r in self.rows]
        self.game = Game(
            [[x[0] for x in row] for row in table], [[x[1] for x in row] for row in table]
        )

    def never_rational(self) -> set[tuple[int, int]]:
        """Top moves no PBE plays: worse than another action at every node of their set.

        At a set whose actions all lead to outcomes (terminals of the top game, whose values
        are fixed for this choice of tails), an action paying the mover less than another
        one at every node of the set is a best reply to no belief, so sequential
        rationality gives it probability 0 in every PBE, on the path or off it. The plans
        using it are left out of the top game: a Nash equilibrium of the rest is one of the
        whole top game (swapping such an action for the better one never pays less), and
        the best replies to any belief, hence the Intuitive Criterion, are unchanged. On
        rare-earth-trap (four US answers) this leaves 4 of the US's 32 plans at supply
        weight 40 (accepting and keeping the status quo pay less than hedging and
        diversifying against either type) and 1 at the default weights, where hedging does
        too. Sets followed by further moves are left alone (their values depend on
        behaviour).
        """
        tree, e = self.e.tree, self.e
        out: set[tuple[int, int]] = set()
        for i in e.top_infosets:
            info = tree.infosets[i]
            children = [tree.nodes[v].children for v in info.nodes]
            if any(c not in self.values for kids in children for c in kids):
                continue
            worth = [[self.values[c][info.player] for c in kids] for kids in children]
            for a in range(len(info.actions)):
                if any(
                    all(row[b] > row[a] for row in worth)
                    for b in range(len(info.actions))
                    if b != a
                ):
                    out.add((i, a))
        return out

    def marginals(self, player: int, plans: Sequence[Plan], mix: Vector) -> tuple[Fraction, ...]:
        """The player's behaviour at its top sets (all first moves) from a mixed plan."""
        realised: dict[tuple[int, int], Fraction] = {}
        for plan, weight in zip(plans, mix, strict=True):
            if weight:
                for move in plan:
                    realised[move] = realised.get(move, F0) + weight
        out: list[Fraction] = []
        for i in self.e.top_of_player[player]:
            out += [realised.get((i, k), F0) for k in range(len(self.e.tree.infosets[i].actions))]
        return tuple(out)

    def pieces(self) -> tuple[list[_Piece], list[dict[int, frozenset[int]]]]:
        """The PBE polytopes of every maximal Nash subset, and every pattern admitting PBE."""
        if self.trivial:
            return [_Piece(((),), ((),), self.combo)], [{}]
        solution = _solve_game(self.game)
        rows = [self.marginals(0, self.rows, x) for x in solution.row_strategies]
        cols = [self.marginals(1, self.cols, y) for y in solution.col_strategies]
        pieces: list[_Piece] = []
        patterns: list[dict[int, frozenset[int]]] = []
        done: set[tuple[tuple[tuple[Fraction, ...], ...], tuple[tuple[Fraction, ...], ...]]] = set()
        for comp in components(solution.pairs):
            for subset in comp.subsets:
                xs = tuple(sorted({rows[i] for i in subset.rows}))
                ys = tuple(sorted({cols[j] for j in subset.cols}))
                if (xs, ys) not in done:
                    done.add((xs, ys))
                    self.faces(xs, ys, pieces, patterns)
        return pieces, patterns

    def faces(
        self,
        xs: Sequence[tuple[Fraction, ...]],
        ys: Sequence[tuple[Fraction, ...]],
        pieces: list[_Piece],
        patterns: list[dict[int, frozenset[int]]],
    ) -> None:
        """Examine ``conv(xs) x conv(ys)`` one support pattern at a time.

        The points of the polytope whose support is a given pattern form the relative
        interior of the face cut out by the coordinates outside it (``b >= 0`` holds on the
        polytope, so ``b = 0`` defines a face), spanned by the vertices inside the pattern.
        Every PBE condition is constant on it, up to the linear cuts of single nodes off
        the path (see :meth:`face`).
        """
        full: list[tuple[frozenset[int], frozenset[int]]] = []  # PBE throughout, no cuts
        for fx, fxs in _support_faces(xs):
            for fy, fys in _support_faces(ys):
                self.e.examine_pattern()
                if any(fx <= a and fy <= b for a, b in full):
                    # Inside a face that is PBE throughout (the PBE set is closed): its
                    # relative interior is PBE too; only its pattern is recorded.
                    patterns.append(self.supports(fxs, fys))
                    continue
                verdict = self.face(fxs, fys)
                if verdict is None:
                    continue
                cut0, cut1, pattern = verdict
                patterns.append(pattern)
                if not cut0 and not cut1:
                    full.append((fx, fy))
                    pieces.append(_Piece(tuple(fxs), tuple(fys), self.combo))
                    continue
                v0 = _cut(fxs, cut0)
                v1 = _cut(fys, cut1)
                if v0 and v1:
                    pieces.append(_Piece(tuple(v0), tuple(v1), self.combo))

    def supports(
        self, xs: Sequence[tuple[Fraction, ...]], ys: Sequence[tuple[Fraction, ...]]
    ) -> dict[int, frozenset[int]]:
        """The actions played at each top set somewhere in ``conv(xs) x conv(ys)``."""
        tree = self.e.tree
        supports: dict[int, frozenset[int]] = {}
        for player, vectors in ((0, xs), (1, ys)):
            pos = 0
            for i in self.e.top_of_player[player]:
                arity = len(tree.infosets[i].actions)
                supports[i] = frozenset(
                    k for k in range(arity) if any(v[pos + k] > 0 for v in vectors)
                )
                pos += arity
        return supports

    def face(
        self, xs: Sequence[tuple[Fraction, ...]], ys: Sequence[tuple[Fraction, ...]]
    ) -> tuple[list[list[Fraction]], list[list[Fraction]], dict[int, frozenset[int]]] | None:
        """Whether the relative interior of ``conv(xs) x conv(ys)`` holds PBE.

        Returns None if not; else the linear cuts each player's singleton conditions put on
        the *opponent's* weights (rows ``g`` with ``g . w >= 0``) and the support pattern.
        """
        e = self.e
        tree = e.tree
        supports = self.supports(xs, ys)
        cuts: dict[int, list[list[Fraction]]] = {0: [], 1: []}
        for i in e.top_infosets:
            info = tree.infosets[i]
            if self.on_path(i, supports):
                continue
            if not info.singleton:
                if not self.beliefs_exist(i, supports[i]):
                    return None
                continue
            v = info.nodes[0]
            opponent = 1 - info.player
            weights = ys if opponent == 1 else xs
            for a in supports[i]:
                for b in range(len(info.actions)):
                    if b == a:
                        continue
                    diff = self.linear_value(v, a, info.player)
                    other = self.linear_value(v, b, info.player)
                    row = [
                        _evaluate(diff, w, e.top_of_player[opponent], tree)
                        - _evaluate(other, w, e.top_of_player[opponent], tree)
                        for w in weights
                    ]
                    if all(r >= 0 for r in row):
                        continue
                    if all(r == row[0] for r in row):
                        return None  # a constant condition that fails
                    cuts[opponent].append(row)
        for player, vectors in ((0, xs), (1, ys)):
            rows = cuts[player]
            if rows and not _relative_interior(rows, len(vectors)):
                return None
        return cuts[0], cuts[1], supports

    def on_path(self, i: int, supports: Mapping[int, frozenset[int]]) -> bool:
        return any(self.reached(v, supports) for v in self.e.tree.infosets[i].nodes)

    def reached(self, v: int, supports: Mapping[int, frozenset[int]]) -> bool:
        prob, moves = self.e.path[v]
        return prob > 0 and all(k in supports[i] for i, k in moves)

    def beliefs_exist(self, i: int, support: frozenset[int]) -> bool:
        key = (i, support)
        if key not in self.justified:
            found = belief_polytope(self.e.tree, i, support, self.terminal_values)
            self.justified[key] = found is not None
        return self.justified[key]

    def terminal_values(self, v: int) -> tuple[Fraction, ...]:
        if v not in self.e.terminal:
            info = self.e.tree.nodes[self.e.tree.nodes[v].parent]
            raise UnsupportedError(
                f"the information set of {info.id} can be off the path and is followed by "
                "further moves, so its beliefs and the play after it interact"
            )
        return self.values[v]

    def linear_value(self, v: int, a: int, player: int) -> list[_Term]:
        """``player``'s value of action ``a`` at ``v``, linear in the opponent's marginals."""
        tree = self.e.tree
        out: list[_Term] = []
        stack: list[tuple[int, Fraction, int, int]] = [(tree.nodes[v].children[a], F1, -1, 0)]
        while stack:
            w, prob, info, act = stack.pop()
            if w in self.e.terminal or tree.nodes[w].kind == "leaf":
                out.append(_Term(prob * self.values[w][player], info, act))
                continue
            node = tree.nodes[w]
            if node.kind == "chance":
                for child, p in zip(node.children, self.e.numbers.probabilities[w], strict=True):
                    if p:
                        stack.append((child, prob * p, info, act))
                continue
            if node.player == player or info >= 0:  # pragma: no cover - excluded by the class
                raise UnsupportedError(
                    f"{tree.players[node.player].id} moves twice after {tree.nodes[v].id}"
                )
            for k, child in enumerate(node.children):
                stack.append((child, prob, node.infoset, k))
        return out


def _support_faces(
    vectors: Sequence[tuple[Fraction, ...]],
) -> list[tuple[frozenset[int], list[tuple[Fraction, ...]]]]:
    """Every support pattern of ``conv(vectors)`` with the vertices spanning its face.

    The pattern of a face is the union of its vertices' supports, and the face of a set of
    coordinates holds the vertices supported inside it; closing the vertices' supports
    under union-then-face gives every pattern. Largest first.
    """
    supports = [frozenset(k for k, x in enumerate(v) if x > 0) for v in vectors]

    def close(tau: frozenset[int]) -> frozenset[int]:
        return frozenset().union(*(s for s in supports if s <= tau))

    family: set[frozenset[int]] = set()
    frontier = {close(s) for s in supports}
    while frontier:
        family |= frontier
        frontier = {close(a | b) for a in frontier for b in family} - family
        if len(family) > MAX_FACES:
            raise LimitError(
                "pbe",
                "",
                f"a Nash subset has over {MAX_FACES:,} support patterns; perfect Bayesian "
                "equilibria are not enumerated that far",
            )
    ordered = sorted(family, key=lambda f: (-len(f), sorted(f)))
    return [(f, [v for v, s in zip(vectors, supports, strict=True) if s <= f]) for f in ordered]


def _evaluate(
    terms: Sequence[_Term],
    marginals: tuple[Fraction, ...],
    infosets: Sequence[int],
    tree: TreeScenario,
) -> Fraction:
    offsets: dict[int, int] = {}
    pos = 0
    for i in infosets:
        offsets[i] = pos
        pos += len(tree.infosets[i].actions)
    total = F0
    for t in terms:
        total += t.coef if t.infoset < 0 else t.coef * marginals[offsets[t.infoset] + t.action]
    return total


def _relative_interior(rows: Sequence[Sequence[Fraction]], k: int) -> bool:
    """Whether some ``w > 0`` with ``sum w = 1`` satisfies ``g . w >= 0`` for every row."""
    # Variables w_1..w_k, t: maximise t with w_j >= t.
    A_ub = [[-F1 if j == i else F0 for j in range(k)] + [F1] for i in range(k)]
    A_ub += [[-g for g in row] + [F0] for row in rows]
    b_ub = [F0] * len(A_ub)
    result = linprog([F0] * k + [F1], A_ub, b_ub, [[F1] * k + [F0]], [F1])
    return result is not None and result[0] > 0


def _cut(
    vectors: Sequence[tuple[Fraction, ...]], rows: Sequence[Sequence[Fraction]]
) -> list[tuple[Fraction, ...]]:
    """Vertices of ``{sum w_k vectors_k : w in the simplex, g . w >= 0 for every row}``."""
    if not rows:
        return list(vectors)
    weights = simplex_vertices(rows, len(vectors))
    out = []
    for w in weights:
        point = tuple(
            sum((wk * v[d] for wk, v in zip(w, vectors, strict=True)), F0)
            for d in range(len(vectors[0]))
        )
        if point not in out:
            out.append(point)
    return out


class PointAnalysis:
    """Everything reported about one behaviour profile of the tree."""

    def __init__(self, engine: Engine, nash_form: NashForm | None) -> None:
        self.e = engine
        self.tree = engine.tree
        self.numbers = engine.numbers
        self.nash = nash_form
        self.signalling = signalling_structure(engine.tree, engine.tail_set, engine.terminal)
        self.realised: dict[int, list[tuple[Fraction, ...]]] = {}
        if nash_form is not None:
            moves = [self._moves(p) for p in (0, 1)]
            self.moves = moves
            for p, strategies in (
                (0, nash_form.solution.row_strategies),
                (1, nash_form.solution.col_strategies),
            ):
                self.realised[p] = [
                    realisation_of_plans(nash_form.plans[p], x, moves[p]) for x in strategies
                ]

    def _moves(self, player: int) -> list[tuple[int, int]]:
        return [
            (i, k)
            for i, info in enumerate(self.tree.infosets)
            if info.player == player
            for k in range(len(info.actions))
        ]

    # -- the point -----------------------------------------------------------------------------

    def point(self, behaviour: Behaviour) -> PerfectBayesian:
        """One profile's beliefs, kind, verdicts, component and words, verified exactly."""
        tree, numbers = self.tree, self.numbers
        reach = node_reach(tree, numbers, behaviour)
        values = node_values(tree, numbers, behaviour)
        payoffs = values[0]
        beliefs: dict[int, dict[int, Fraction]] = {}
        off_path: dict[int, dict[int, tuple[Fraction, Fraction]]] = {}
        witnesses: dict[int, list[tuple[Fraction, ...]]] = {}
        polytopes: dict[int, list[list[Fraction]]] = {}
        for info in tree.infosets:
            if info.singleton:
                continue
            total = sum((reach[v] for v in info.nodes), F0)
            if total > 0:
                beliefs[info.index] = {v: reach[v] / total for v in info.nodes}
                continue
            support = [k for k, p in enumerate(behaviour[info.index]) if p > 0]
            found = belief_polytope(tree, info.index, support, lambda v: values[v])
            if found is None:  # pragma: no cover - every reported point is a PBE
                raise RuntimeError(f"internal error: no belief justifies play at {info.id}")
            rows = found[0]
            ranges, points = belief_ranges(rows, len(info.nodes))
            off_path[info.index] = dict(zip(info.nodes, ranges, strict=True))
            witnesses[info.index] = points
            polytopes[info.index] = rows
        self.verify(behaviour, beliefs, witnesses)
        kind = self.kind(reach)
        intuitive, broken = self.intuitive(behaviour, values)
        sequential = self.sequential(polytopes)
        component = self.component(behaviour)
        return PerfectBayesian(
            behaviour,
            payoffs,
            beliefs,
            off_path,
            kind,
            intuitive,
            broken,
            sequential,
            component,
            (),
            self.words(behaviour, off_path=off_path, intuitive=(intuitive, broken)),
        )

    def verify(
        self,
        behaviour: Behaviour,
        beliefs: Mapping[int, Mapping[int, Fraction]],
        witnesses: Mapping[int, Sequence[tuple[Fraction, ...]]],
    ) -> None:
        """Check the assessment exactly with every extreme belief reported off the path."""
        tree = self.tree
        base: dict[int, tuple[Fraction, ...]] = {}
        for info in tree.infosets:
            if info.singleton:
                base[info.index] = (F1,)
            elif info.index in beliefs:
                base[info.index] = tuple(beliefs[info.index][v] for v in info.nodes)
            else:
                base[info.index] = witnesses[info.index][0]
        trials = [base] + [{**base, i: w} for i, points in witnesses.items() for w in points[1:]]
        for assessment in trials:
            problems = verify_assessment(tree, behaviour, assessment, self.numbers)
            if problems:  # pragma: no cover - a failure here is a bug in this module
                raise RuntimeError(f"internal error: unverified PBE: {problems[0]}")

    def kind(self, reach: Sequence[Fraction]) -> str | None:
        """Pooling, separating or hybrid, from what reached uninformed sets reveal."""
        e = self.e
        if not e.types:
            return None
        prior = self.numbers.probabilities[0]
        positive = frozenset(k for k, p in enumerate(prior) if p > 0)
        if len(positive) < 2:
            return None  # one possible type: nothing to reveal or hide
        reached = []
        for info in self.tree.infosets:
            spanned = {e.type_of[v] for v in info.nodes}
            if len(spanned) < 2:
                continue
            mass: dict[int, Fraction] = {}
            for v in info.nodes:
                if reach[v] > 0:
                    mass[e.type_of[v]] = mass.get(e.type_of[v], F0) + reach[v]
            if mass:
                reached.append(mass)
        if not reached:
            return None
        if all(len(m) == 1 for m in reached):
            return "separating"
        if all(
            frozenset(m) == positive and all(m[t] / sum(m.values()) == prior[t] for t in m)
            for m in reached
        ):
            return "pooling"
        return "hybrid"

    def intuitive(
        self, behaviour: Behaviour, values: Sequence[tuple[Fraction, ...]]
    ) -> tuple[bool | None, tuple[Deviation, ...]]:
        """The Intuitive Criterion at one equilibrium (None: not a signalling game)."""
        if self.signalling is None:
            return None, ()
        prior = self.numbers.probabilities[0]
        return intuitive_criterion(
            self.signalling, self.tree, prior, self.e.types, behaviour, values
        )

    def sequential(self, polytopes: Mapping[int, Sequence[Sequence[Fraction]]]) -> bool | None:
        """Whether some admissible beliefs off the path are consistent (Kreps and Wilson 1982).

        Decided on the class of :func:`solve_pbe` when every chance probability is positive
        and the sets off the path share no cycle of opponent moves; else None.
        """
        tree, e = self.tree, self.e
        if any(p == 0 for probs in self.numbers.probabilities for p in probs):
            return None
        groups: dict[int, dict[tuple[int, int] | None, dict[int, Fraction]]] = {}
        for i in polytopes:
            info = tree.infosets[i]
            for v in info.nodes:
                if v not in e.path:  # pragma: no cover - sets with several nodes are on top
                    return None
                prob, moves = e.path[v]
                own = [m for m in moves if tree.infosets[m[0]].player != info.player]
                key = own[-1] if own else None
                groups.setdefault(i, {}).setdefault(key, {})[v] = prob
        # Sets tied by two shared opponent moves (a cycle) would couple their beliefs.
        parent: dict[Any, Any] = {}

        def find(x: Any) -> Any:
            while parent.setdefault(x, x) != x:
                x = parent[x]
            return x

        for i, by_move in groups.items():
            for key in by_move:
                a, b = find(("set", i)), find(("move", key))
                if a == b:
                    return None
                parent[a] = b
        for i, rows in polytopes.items():
            info = tree.infosets[i]
            vertices = []
            for weights in groups[i].values():
                total = sum(weights.values(), F0)
                vertices.append([weights.get(v, F0) / total for v in info.nodes])
            k = len(vertices)
            A_ub = [
                [sum((row[n] * vert[n] for n in range(len(info.nodes))), F0) for vert in vertices]
                for row in rows
            ]
            if linprog([F0] * k, A_ub, [F0] * len(A_ub), [[F1] * k], [F1]) is None:
                return False
        return True

    def component(self, behaviour: Behaviour) -> int:
        """The component of the reduced form's Nash equilibria holding this profile."""
        if self.nash is None:
            return -1
        tree = self.tree
        mine = [realisation_of_behaviour(tree, behaviour, self.moves[p]) for p in (0, 1)]
        for c, comp in enumerate(self.nash.components):
            for subset in comp.subsets:
                xs = [self.realised[0][i] for i in subset.rows]
                ys = [self.realised[1][j] for j in subset.cols]
                if (mine[0] in xs or in_hull(mine[0], xs)) and (
                    mine[1] in ys or in_hull(mine[1], ys)
                ):
                    return c
        raise RuntimeError(  # pragma: no cover - every PBE is a Nash equilibrium
            "internal error: a perfect Bayesian equilibrium outside the Nash equilibria"
        )

    # -- words ---------------------------------------------------------------------------------

    def words(
        self,
        behaviour: Behaviour,
        *,
        numbers: bool = True,
        off_path: Mapping[int, Mapping[int, tuple[Fraction, Fraction]]] | None = None,
        intuitive: tuple[bool | None, tuple[Deviation, ...]] | None = None,
    ) -> str:
        """The equilibrium in words: who does what, and what is believed off the path."""
        tree = self.tree
        reach = node_reach(tree, self.numbers, behaviour)
        if off_path is None:
            values = node_values(tree, self.numbers, behaviour)
            off_path = {}
            for info in tree.infosets:
                if info.singleton or sum((reach[v] for v in info.nodes), F0) > 0:
                    continue
                support = [k for k, p in enumerate(behaviour[info.index]) if p > 0]
                found = belief_polytope(tree, info.index, support, lambda v: values[v])
                if found is not None:
                    ranges, _ = belief_ranges(found[0], len(info.nodes))
                    off_path[info.index] = dict(zip(info.nodes, ranges, strict=True))
        if self.signalling is not None:
            parts = self._signalling_words(behaviour, reach, off_path, numbers)
        else:
            parts = self._general_words(behaviour, reach, off_path, numbers)
        if intuitive is not None and intuitive[0] is not None:
            if intuitive[0]:
                parts.append("survives the Intuitive Criterion")
            else:
                why = "; ".join(self._deviation_words(d) for d in intuitive[1])
                parts.append(f"fails the Intuitive Criterion ({why})")
        return "; ".join(parts)

    def _choice(self, info: int, beta: Sequence[Fraction], numbers: bool) -> str:
        """What the mover at set ``info`` does, as a verb phrase after its label.

        ``orders beer``; a mixture ``duels (1/2) or does not duel (1/2)``, or without
        numbers ``duels or does not duel, at random`` (each action read by
        :func:`action_words`).
        """
        acts = self._acts(info)
        live = [(acts[k], p) for k, p in enumerate(beta) if p > 0]
        if len(live) == 1:
            return live[0][0]
        if numbers:
            return " or ".join(f"{a} ({p})" for a, p in live)
        return " or ".join(a for a, _ in live) + ", at random"

    def _acts(self, info: int) -> list[str]:
        """Each action at set ``info`` as a verb phrase (:func:`action_words`)."""
        tree = self.tree
        first = tree.nodes[tree.infosets[info].nodes[0]]
        return [action_words(tree, c) for c in first.children]

    def _type_label(self, t: int) -> str:
        tree = self.tree
        return tree.nodes[tree.nodes[0].children[t]].label

    def _deviation_words(self, d: Deviation) -> str:
        """A deviation that breaks the Intuitive Criterion, in words.

        ``the strong type would deviate: Sender orders beer`` (Cho and Kreps 1987, section IV).
        """
        sig = self.signalling
        assert sig is not None
        sender = self.tree.players[sig.sender].label
        message = self._acts(self.tree.nodes[sig.senders[0]].infoset)[sig.messages.index(d.message)]
        kind = self._type_label(self.e.types.index(d.type))
        return f"the {kind} type would deviate: {sender} {message}"

    def _belief_words(self, ranges: Mapping[int, tuple[Fraction, Fraction]]) -> str:
        """What is believed off the path: each node's range, by type where nodes are types."""
        tree, e = self.tree, self.e
        by_type = bool(e.types) and len({e.type_of[v] for v in ranges}) == len(ranges)

        def name(v: int) -> str:
            if by_type:
                return tree.nodes[tree.nodes[0].children[e.type_of[v]]].label
            return tree.nodes[v].id

        def phrase(v: int) -> str:
            lo, hi = ranges[v]
            if lo == hi:
                return f"{name(v)} with probability {lo}"
            if hi == 1:
                return f"{name(v)} with probability at least {lo}"
            if lo == 0:
                return f"{name(v)} with probability at most {hi}"
            return f"{name(v)} with probability from {lo} to {hi}"

        informative = [v for v, (lo, hi) in ranges.items() if lo != 0 or hi != 1]
        if not informative:
            return ""
        if len(ranges) == 2:
            # One node says it all; "at least" reads best, then an exact value.
            def rank(v: int) -> int:
                lo, hi = ranges[v]
                return 0 if hi == 1 and lo > 0 else 1 if lo == hi else 2

            return phrase(min(informative, key=rank))
        return ", ".join(phrase(v) for v in informative)

    def _signalling_words(
        self,
        behaviour: Behaviour,
        reach: Sequence[Fraction],
        off_path: Mapping[int, Mapping[int, tuple[Fraction, Fraction]]],
        numbers: bool,
    ) -> list[str]:
        sig = self.signalling
        assert sig is not None
        tree = self.tree
        sender = tree.players[sig.sender].label
        receiver = tree.players[sig.receiver].label
        prior = self.numbers.probabilities[0]
        theta = [t for t, p in enumerate(prior) if p > 0]
        choice = {t: behaviour[tree.nodes[sig.senders[t]].infoset] for t in range(len(sig.senders))}
        parts = []
        pure = [max(choice[t]) == 1 for t in theta]
        if all(pure) and len({choice[t] for t in theta}) == 1 and len(theta) > 1:
            info = tree.nodes[sig.senders[theta[0]]].infoset
            word = self._choice(info, choice[theta[0]], numbers)
            parts.append(f"{sender}, whatever its type, {word}")
        else:
            for t in theta:
                info = tree.nodes[sig.senders[t]].infoset
                word = self._choice(info, choice[t], numbers)
                parts.append(f"{sender} ({self._type_label(t)}) {word}")
        for t, p in enumerate(prior):
            if p == 0:
                info = tree.nodes[sig.senders[t]].infoset
                word = self._choice(info, choice[t], numbers)
                parts.append(f"{sender} ({self._type_label(t)}, prior 0) {word}")
        messages = self._acts(tree.nodes[sig.senders[0]].infoset)
        for m, response in enumerate(sig.responses):
            if response is None:
                continue
            word = self._choice(response, behaviour[response], numbers)
            after = f"after {sender} {messages[m]}"
            if response in off_path:
                belief = self._belief_words(off_path[response])
                if belief:
                    parts.append(f"{after} (off the path), {receiver} believes {belief} and {word}")
                else:
                    parts.append(f"{after} (off the path), {receiver} {word} whatever it believes")
            else:
                parts.append(f"{after}, {receiver} {word}")
        parts += self._tail_words(behaviour, reach, numbers)
        return parts

    def _tail_words(
        self, behaviour: Behaviour, reach: Sequence[Fraction], numbers: bool
    ) -> list[str]:
        """What happens on the path inside the perfect-information parts, in words."""
        tree, e = self.tree, self.e
        parts = []
        for root in e.tails:
            if reach[root] == 0:
                continue
            for v in range(root, tree.nodes[root].end):
                node = tree.nodes[v]
                if node.kind != "decision" or reach[v] == 0:
                    continue
                who = tree.players[node.player].label
                if (
                    e.types
                    and e.type_of[v] >= 0
                    and tree.players[node.player].id in self._informed()
                ):
                    who = f"{who} ({tree.nodes[tree.nodes[0].children[e.type_of[v]]].label})"
                word = self._choice(node.infoset, behaviour[node.infoset], numbers)
                text = f"then {who} {word}"
                if text not in parts:
                    parts.append(text)
        return parts

    def _informed(self) -> set[str]:
        e, tree = self.e, self.tree
        out = set()
        for p, player in enumerate(tree.players):
            sets = [i for i in tree.infosets if i.player == p]
            if sets and all(len({e.type_of[v] for v in i.nodes}) == 1 for i in sets):
                out.add(player.id)
        return out

    def _general_words(
        self,
        behaviour: Behaviour,
        reach: Sequence[Fraction],
        off_path: Mapping[int, Mapping[int, tuple[Fraction, Fraction]]],
        numbers: bool,
    ) -> list[str]:
        """Words for any tree: the path, then what is believed and done off it.

        Without types at the root the path reads as :func:`path_clauses` gives it; with
        types every information set is said once, in tree order, the informed player's sets
        qualified by type.
        """
        tree, e = self.tree, self.e
        parts: list[str] = []
        if not e.types and numbers:
            parts += path_clauses(tree, behaviour, self.numbers.probabilities)
        informed = self._informed()
        names = {}
        for info in tree.infosets:
            who = tree.players[info.player].label
            types = {e.type_of[v] for v in info.nodes}
            if e.types and len(types) == 1 and tree.players[info.player].id in informed:
                who = f"{who} ({tree.nodes[tree.nodes[0].children[types.pop()]].label})"
            names[info.index] = who
        shared = {n for n in names.values() if list(names.values()).count(n) > 1}
        for info in tree.infosets:
            reached = sum((reach[v] for v in info.nodes), F0) > 0
            if not e.types and numbers and (reached or info.singleton):
                continue  # said by the path, or a single node off the path
            who = names[info.index]
            if who in shared:
                who = f"{who} at {info.id}"
            word = self._choice(info.index, behaviour[info.index], numbers)
            if reached:
                parts.append(f"{who} {word}")
            elif info.index in off_path:
                belief = self._belief_words(off_path[info.index])
                where = f"at {info.id} (off the path),"
                if belief:
                    parts.append(f"{where} {names[info.index]} believes {belief} and {word}")
                else:
                    parts.append(f"{where} {names[info.index]} {word} whatever it believes")
            else:
                parts.append(f"off the path {who} {word}")
        return parts


def action_words(tree: TreeScenario, child: int) -> str:
    """What choosing the action leading to ``child`` reads as after its player's label.

    An action's label is a verb phrase in the third person, what the player does
    (``makes the full offer``, docs/reference/scenario-format.md), so the player's label
    followed by it is a sentence: ``Russia makes the full offer``. An action without a label
    (its label is its id) reads ``chooses <id>``.

    >>> from negotiation.model.catalogue import load_tree
    >>> tree = load_tree("entry")
    >>> [action_words(tree, c) for c in tree.root.children]
    ['stays out', 'enters']
    """
    node = tree.nodes[child]
    return node.label if node.label != node.action else f"chooses {node.action}"


def path_clauses(
    tree: TreeScenario,
    behaviour: Sequence[Sequence[Fraction] | None],
    probabilities: Sequence[Sequence[Fraction]],
    show: Callable[[Fraction], str] = str,
) -> list[str]:
    """The path of play as clauses: ``Entrant enters``, ``Incumbent accommodates``.

    Each move reads as the player's label and :func:`action_words`; a mixed choice
    ``Player 2 meets (2/3) or passes (1/3)``, a move of nature ``chance: red card (1/2) or
    black card (1/2)`` (``show`` writes each probability). Where play can go on down
    several branches, each follows in brackets: ``if red card: [...]`` after a move of
    nature, ``if Player 1 raises: [...]`` after a mixed choice.
    """

    def walk(v: int) -> list[str]:
        node = tree.nodes[v]
        if node.kind == "leaf":
            return []
        if node.kind == "chance":
            probs = probabilities[v]
            live = [(c, probs[k]) for k, c in enumerate(node.children) if probs[k] > 0]
            if len(live) == 1:
                return [f"chance: {tree.nodes[live[0][0]].label}", *walk(live[0][0])]
            choice = " or ".join(f"{tree.nodes[c].label} ({show(p)})" for c, p in live)
            return [f"chance: {choice}", *branches([(c, tree.nodes[c].label) for c, _ in live])]
        who = tree.players[node.player].label
        beta = behaviour[node.infoset]
        if beta is None:  # pragma: no cover - a set on the path is never excluded
            return [f"{who}: any"]
        live = [(c, beta[k]) for k, c in enumerate(node.children) if beta[k] > 0]
        if len(live) == 1:
            return [f"{who} {action_words(tree, live[0][0])}", *walk(live[0][0])]
        choice = " or ".join(f"{action_words(tree, c)} ({show(p)})" for c, p in live)
        return [
            f"{who} {choice}",
            *branches([(c, f"{who} {action_words(tree, c)}") for c, _ in live]),
        ]

    def branches(live: list[tuple[int, str]]) -> list[str]:
        out = []
        for c, condition in live:
            rest = walk(c)
            if rest:
                out.append(f"if {condition}: [{'; '.join(rest)}]")
        return out

    return walk(0)


def solve_assessments(
    tree: TreeScenario,
    numbers: TreeNumbers | None = None,
    nash_form: NashForm | None = None,
    notes: Sequence[str] = (),
) -> PBESolution:
    """Every perfect Bayesian equilibrium of a two-player tree (see :mod:`negotiation.solvers.pbe`).

    ``nash_form`` (the reduced form's Nash equilibria, or None) is what each PBE's
    ``component`` refers to; ``notes`` are added to the solution's. A tree outside the class
    where PBE are computed exactly gets a solution with ``computed`` False and a note why.
    """
    if len(tree.players) != 2:
        raise ScenarioError(
            tree.origin,
            "players",
            f"perfect Bayesian equilibria are computed for two players; this tree has "
            f"{len(tree.players)}",
        )
    numbers = numbers or tree.numbers
    engine = Engine(tree, numbers)
    try:
        engine.check_class()
        result = engine.solve(nash_form)
    except UnsupportedError as why:
        return PBESolution(
            tree,
            numbers,
            False,
            (),
            (),
            nash_form,
            engine.types,
            False,
            (
                f"perfect Bayesian equilibria not computed: {why}. They are computed exactly "
                "when, once perfect-information parts are solved, each player moves at most "
                "once on every path and every information set off the path with several "
                "nodes leads to outcomes directly (signalling, screening and trust games)",
            ),
        )
    if notes:
        result = attrs.evolve(result, notes=(*result.notes, *notes))
    return result
