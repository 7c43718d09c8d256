"""Prior thresholds: where the perfect Bayesian equilibria change along a prior.

Along the prior of the root's chance node, the PBE change only where the set of *support
patterns* that admit a PBE changes. With the joint probabilities ``tau = prior x
behaviour`` of the informed player as variables, the conditions of a pattern are linear in
``(tau, prior)`` jointly, so the priors where it admits a PBE form an interval whose ends
are exact rationals, found by linear programming (:func:`negotiation.solvers.linear.
linprog`): no bisection. Between two sweep points whose regimes differ, the ends of every
pattern met are evaluated until no new pattern appears, so every change there is found
exactly (like any sweep, changes that undo themselves between two points with the same
regime are not looked for). Where a game's conditions are not linear that way, the
function brackets the change by exact bisection and says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from negotiation.errors import ScenarioError
from negotiation.model.tree import TreeScenario
from negotiation.solvers.linear import F0, F1, linprog
from negotiation.solvers.pbe_engine import Engine, solve_assessments
from negotiation.solvers.pbe_results import PBESolution, UnsupportedError


@attrs.frozen
class Threshold:
    """A prior at which the perfect Bayesian equilibria change.

    ``before``, ``at`` and ``after`` are the regimes (:func:`regime`) just below, at and
    just above it. When ``exact``, ``low == high`` is the threshold itself, an exact
    rational; otherwise the change lies in ``[low, high]`` (found by exact bisection).
    """

    low: Fraction
    high: Fraction
    exact: bool
    before: str
    at: str
    after: str

    @property
    def value(self) -> Fraction | None:
        """The threshold, when it is known exactly."""
        return self.low if self.exact else None


def regime(solution: PBESolution) -> str:
    """The PBE sets in words without mixing probabilities, sorted: what a threshold changes."""
    if not solution.computed:
        return "not computed"
    words = set()
    for s in solution.sets:
        text = f"{s.kind or 'equilibrium'}: {s.pattern}"
        if solution.signalling:
            if s.intuitive is None:
                text += " (intuitive at some points)"
            else:
                text += " (intuitive)" if s.intuitive else " (not intuitive)"
        words.add(text)
    return " | ".join(sorted(words)) or "no perfect Bayesian equilibrium"


class _NotLinearError(Exception):
    """The conditions of a pattern are not linear in (joint probabilities, prior)."""


def prior_thresholds(
    tree: TreeScenario, path: str, values: Iterable[object], *, bisections: int = 40
) -> tuple[Threshold, ...]:
    """Where the perfect Bayesian equilibria change along a sweep of the prior ``path``.

    ``values`` are the sweep's points (numbers or text such as ``"1/3"``). Between two
    points whose regimes (:func:`regime`) differ the change is located exactly when
    ``path`` is a probability of the root's chance node (``types.<player>.<type>`` in a
    scenario with types, ``tree.chance.<outcome>`` in a plain tree) and the game's
    conditions are linear in it (see the module docstring): each support pattern found
    admits a PBE on an interval of priors whose ends are computed by exact linear
    programming, and the regime is evaluated exactly at every end and between them. The
    thresholds are those ends where the regime changes. Otherwise the change is bracketed
    by ``bisections`` exact bisection steps and the threshold says it is not exact.

    The Kreps-Wilson trust game: the truster trusts an unknown trustee iff the prior of the
    honest type is at least 1/3 (``10 p - 5 (1 - p) >= 0``):

    >>> from negotiation.model.types import tree_from_string
    >>> tree = tree_from_string('''
    ... name = "trust"
    ... [[players]]
    ... id = "truster"
    ... [[players]]
    ... id = "trustee"
    ... [types.trustee]
    ... honest = 0.5
    ... opportunist = "rest"
    ... [tree]
    ... player = "truster"
    ... out = { payoffs = { truster = 0, trustee = 0 } }
    ... [tree.trust]
    ... player = "trustee"
    ... honor = { payoffs = { truster = 10, trustee = { honest = 10, opportunist = 10 } } }
    ... abuse = { payoffs = { truster = -5, trustee = { honest = 5, opportunist = 15 } } }
    ... ''')
    >>> [(str(t.value), t.exact) for t in prior_thresholds(tree, "types.trustee.honest",
    ...                                                     ["0.1", "0.5", "0.9"])]
    [('1/3', True)]
    """
    from negotiation.model import overrides as _overrides

    grid = sorted({x for _, x in _overrides.normalise([(path, v) for v in values])})
    if len(grid) < 2:
        return ()
    labels: dict[Fraction, str] = {}
    found: dict[Fraction, frozenset[Any]] = {}

    def evaluate(x: Fraction) -> str:
        if x not in labels:
            solution = solve_assessments(tree.with_overrides({path: x}))
            if not solution.computed:
                raise ScenarioError(tree.origin, path, f"at {x}: {solution.notes[0]}")
            labels[x] = regime(solution)
            found[x] = solution.patterns
        return labels[x]

    for x in grid:
        evaluate(x)
    lp = _PatternProgram.build(tree, path, grid[0], grid[-1])
    if lp is not None:
        try:
            return _exact_thresholds(lp, grid, labels, found, evaluate)
        except _NotLinearError:
            pass
    return _bracketed(grid, labels, evaluate, bisections)


def _exact_thresholds(
    lp: _PatternProgram,
    grid: Sequence[Fraction],
    labels: dict[Fraction, str],
    found: dict[Fraction, frozenset[Any]],
    evaluate: Callable[[Fraction], str],
) -> tuple[Threshold, ...]:
    """Thresholds as ends of the patterns' intervals, within the gaps where regimes differ.

    Inside each such gap the regime is evaluated exactly at every end of the interval of a
    pattern met so far and between consecutive ends, until no new pattern turns up: then
    the regime is constant between consecutive ends, and the ends where it changes are
    the thresholds.
    """
    lo, hi = grid[0], grid[-1]
    gaps = [(a, b) for a, b in itertools.pairwise(grid) if labels[a] != labels[b]]
    intervals: dict[Any, tuple[Fraction, Fraction] | None] = {}
    ends: set[Fraction] = set(lp.zero_priors(lo, hi))
    for _ in range(50):
        for pattern in set().union(*found.values()) - intervals.keys():
            intervals[pattern] = lp.interval(pattern, lo, hi)
            ends.update(intervals[pattern] or ())
        before = len(intervals)
        for a, b in gaps:
            inside = sorted({a, b} | {x for x in ends if a < x < b})
            for x in inside + [(u + v) / 2 for u, v in itertools.pairwise(inside)]:
                evaluate(x)
        if len(set().union(*found.values())) == before:
            break
    else:  # pragma: no cover - each round adds patterns from a finite set
        raise _NotLinearError
    points = sorted(labels)
    out: list[Threshold] = []
    explained: set[tuple[Fraction, Fraction]] = set()
    for k, c in enumerate(points):
        if c not in ends:
            continue
        left = labels[points[k - 1]] if k > 0 else labels[c]
        right = labels[points[k + 1]] if k + 1 < len(points) else labels[c]
        if left != labels[c] or right != labels[c]:
            out.append(Threshold(c, c, True, left, labels[c], right))
        if k > 0:
            explained.add((points[k - 1], c))
        if k + 1 < len(points):
            explained.add((c, points[k + 1]))
    for a, b in itertools.pairwise(points):
        if labels[a] != labels[b] and (a, b) not in explained:
            raise _NotLinearError  # a change no pattern end explains: be honest, bisect
    return tuple(out)


def _bracketed(
    grid: Sequence[Fraction],
    labels: dict[Fraction, str],
    evaluate: Callable[[Fraction], str],
    bisections: int,
) -> tuple[Threshold, ...]:
    out = []
    for a, b in itertools.pairwise(grid):
        if labels[a] == labels[b]:
            continue
        low, high = a, b
        for _ in range(bisections):
            mid = (low + high) / 2
            if evaluate(mid) == labels[low]:
                low = mid
            else:
                high = mid
        out.append(Threshold(low, high, False, labels[low], labels[high], labels[b]))
    return tuple(out)


class _PatternProgram:
    """The linear conditions of support patterns as functions of the root's prior."""

    def __init__(self, tree: TreeScenario, alpha: Sequence[Fraction], gamma: Sequence[Fraction]):
        self.tree = tree
        self.alpha, self.gamma = tuple(alpha), tuple(gamma)  # root probability k = a + g x
        self.engine = Engine(tree, tree.numbers)
        e = self.engine
        per_tail = [e.tail_branches(v) for v in e.tails]
        self.combos = []
        for combo in itertools.product(*per_tail):
            values = {v: b.value for v, b in zip(e.tails, combo, strict=True)}
            for v in tree.leaves:
                values.setdefault(v, tree.numbers.payoffs[v])
            self.combos.append(values)
        # c'(v): the chance probability of the top path to v below the root.
        self.below: dict[int, Fraction] = {}
        for v in e.path:
            prob, w = F1, v
            while tree.nodes[w].parent > 0:
                parent = tree.nodes[w].parent
                node = tree.nodes[parent]
                if node.kind == "chance":
                    prob *= tree.numbers.probabilities[parent][node.children.index(w)]
                w = parent
            self.below[v] = prob
        self.var: dict[tuple[int, int], int] = {}
        for i in e.top_infosets:
            for k in range(len(tree.infosets[i].actions)):
                self.var[(i, k)] = len(self.var)
        self.x = len(self.var)

    @classmethod
    def build(
        cls, tree: TreeScenario, path: str, lo: Fraction, hi: Fraction
    ) -> _PatternProgram | None:
        """The program if ``path`` moves only the root's chance probabilities, else None."""
        a, b = tree.with_overrides({path: lo}), tree.with_overrides({path: hi})
        if a.nodes[0].kind != "chance" or lo == hi:
            return None
        na, nb = a.numbers, b.numbers
        if na.payoffs != nb.payoffs or na.probabilities[1:] != nb.probabilities[1:]:
            return None
        gamma = [
            (q - p) / (hi - lo)
            for p, q in zip(na.probabilities[0], nb.probabilities[0], strict=True)
        ]
        alpha = [p - g * lo for p, g in zip(na.probabilities[0], gamma, strict=True)]
        middle = tree.with_overrides({path: (lo + hi) / 2})
        engine = Engine(middle, middle.numbers)
        try:
            engine.check_class()
        except UnsupportedError:
            return None
        return cls(middle, alpha, gamma)

    def zero_priors(self, lo: Fraction, hi: Fraction) -> list[Fraction]:
        """Swept values in [lo, hi] where some type's prior is 0 (the structure changes)."""
        out = []
        for a, g in zip(self.alpha, self.gamma, strict=True):
            if g != 0 and lo <= -a / g <= hi:
                out.append(-a / g)
        return out

    def interval(
        self, pattern: Any, lo: Fraction, hi: Fraction
    ) -> tuple[Fraction, Fraction] | None:
        """The closed range of priors in [lo, hi] where the pattern admits a PBE (exact LP)."""
        combo, supports_items = pattern
        supports = {i: frozenset(s) for i, s in supports_items}
        values = self.combos[combo]
        rows_ub: list[list[Fraction]] = []
        b_ub: list[Fraction] = []
        rows_eq: list[list[Fraction]] = []
        b_eq: list[Fraction] = []
        n = self.x + 1
        tree, e = self.tree, self.engine

        def add(expr: Mapping[int, Fraction], const: Fraction, equal: bool = False) -> None:
            row = [F0] * n
            for j, c in expr.items():
                row[j] += c
            if equal:
                rows_eq.append(row)
                b_eq.append(-const)
            else:  # expr + const >= 0  ->  -expr <= const
                rows_ub.append([-c for c in row])
                b_ub.append(const)

        # The swept value within the sweep and every prior non-negative.
        add({self.x: F1}, -lo)
        add({self.x: -F1}, hi)
        for a, g in zip(self.alpha, self.gamma, strict=True):
            add({self.x: g}, a)
        for i in e.top_infosets:
            info = tree.infosets[i]
            t = self.within(info.nodes)
            norm: dict[int, Fraction] = {self.var[(i, k)]: F1 for k in range(len(info.actions))}
            if t is None:
                add(norm, -F1, True)
            else:
                norm[self.x] = -self.gamma[t]
                add(norm, -self.alpha[t], True)
            for k in range(len(info.actions)):
                if k not in supports[i]:
                    add({self.var[(i, k)]: F1}, F0, True)
        for i in e.top_infosets:
            info = tree.infosets[i]
            on_path = any(
                self.below[v] > 0 and all(k in supports[j] for j, k in e.path[v][1])
                for v in info.nodes
            )
            if not info.singleton and not on_path:
                continue  # beliefs off the path: free of the prior, checked with the pattern
            for a in supports[i]:
                for b in range(len(info.actions)):
                    if b == a:
                        continue
                    expr, const = self.condition(i, a, b, values, on_path)
                    add(expr, const)
        c = [F0] * n
        c[self.x] = F1
        high = linprog(c, rows_ub, b_ub, rows_eq, b_eq)
        if high is None:
            return None
        c[self.x] = -F1
        low = linprog(c, rows_ub, b_ub, rows_eq, b_eq)
        assert low is not None
        return -low[0], high[0]

    def within(self, nodes: Iterable[int]) -> int | None:
        types = {self.engine.type_of[v] for v in nodes}
        return types.pop() if len(types) == 1 else None

    def condition(
        self, i: int, a: int, b: int, values: Mapping[int, tuple[Fraction, ...]], on_path: bool
    ) -> tuple[dict[int, Fraction], Fraction]:
        """``value(a) - value(b) >= 0`` at set ``i`` as a linear expression in (vars, x).

        Each raw term is ``prior(t) x chance below x [opponent's behaviour] x payoff``; with
        the informed player's joint probabilities as variables (``tau = prior x behaviour``)
        it is linear when the opponent's behaviour in it belongs to the same type, or when
        the whole condition lies in one type and the behaviour spans types (the prior
        divides out). Anything else raises :class:`_NotLinearError`.
        """
        tree, e = self.tree, self.engine
        info = tree.infosets[i]
        player = info.player
        # Raw terms: (type of the node, coefficient, opponent move or None).
        raw: list[tuple[int, Fraction, tuple[int, int] | None]] = []
        weighted = on_path and not info.singleton  # Bayes-weighted over the set's nodes
        for v in info.nodes:
            before = [m for m in e.path[v][1] if tree.infosets[m[0]].player != player]
            weight = self.below[v] if weighted else F1
            for action, sign in ((a, F1), (b, -F1)):
                child = tree.nodes[v].children[action]
                for coef, move in self.terms(child, player, values):
                    if weighted and before:
                        if move is not None:  # pragma: no cover - excluded by the class
                            raise _NotLinearError
                        move = before[0]
                    raw.append((e.type_of[v], sign * weight * coef, move))
        divide = not weighted  # a single node: the condition lies within one type
        expr: dict[int, Fraction] = {}
        const = F0
        spanning = [
            m for _, _, m in raw if m is not None and self.within(tree.infosets[m[0]].nodes) is None
        ]
        inside = [
            m
            for _, _, m in raw
            if m is not None and self.within(tree.infosets[m[0]].nodes) is not None
        ]
        types = {t for t, _, _ in raw}
        if divide or (spanning and not inside and len(types) == 1):
            # Divide by the common prior (the set lies in one type): behaviour spanning
            # types stays a variable, a type's own behaviour must not appear.
            if inside and spanning:
                raise _NotLinearError
            if inside:
                # Multiply through by the prior of the set's type instead: tau appears.
                (t,) = types
                for _, coef, m in raw:
                    if m is None:
                        expr[self.x] = expr.get(self.x, F0) + coef * self.gamma[t]
                        const += coef * self.alpha[t]
                    else:
                        expr[self.var[m]] = expr.get(self.var[m], F0) + coef
                return expr, const
            for _, coef, m in raw:
                if m is None:
                    const += coef
                else:
                    expr[self.var[m]] = expr.get(self.var[m], F0) + coef
            return expr, const
        if spanning:
            raise _NotLinearError
        for t, coef, m in raw:
            if m is None:
                expr[self.x] = expr.get(self.x, F0) + coef * self.gamma[t]
                const += coef * self.alpha[t]
            else:
                expr[self.var[m]] = expr.get(self.var[m], F0) + coef
        return expr, const

    def terms(
        self, w: int, player: int, values: Mapping[int, tuple[Fraction, ...]]
    ) -> list[tuple[Fraction, tuple[int, int] | None]]:
        """``player``'s value at node ``w`` as terms ``coef x [opponent move probability]``."""
        tree, e = self.tree, self.engine
        out: list[tuple[Fraction, tuple[int, int] | None]] = []
        stack: list[tuple[int, Fraction, tuple[int, int] | None]] = [(w, F1, None)]
        while stack:
            v, prob, move = stack.pop()
            node = tree.nodes[v]
            if v in e.terminal or node.kind == "leaf":
                out.append((prob * values[v][player], move))
            elif node.kind == "chance":
                for child, p in zip(node.children, tree.numbers.probabilities[v], strict=True):
                    if p:
                        stack.append((child, prob * p, move))
            else:
                if move is not None or node.player == player:  # pragma: no cover - the class
                    raise _NotLinearError
                for k, child in enumerate(node.children):
                    stack.append((child, prob, (node.infoset, k)))
        return out
