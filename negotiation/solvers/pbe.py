"""Perfect Bayesian equilibria of two-player trees, the Intuitive Criterion and prior thresholds.

An *assessment* is a behaviour profile with a *belief* (a probability over its nodes) at
every information set. It is a **weak perfect Bayesian equilibrium** (Mas-Colell, Whinston
and Green, *Microeconomic Theory*, 1995, section 9.C) when every player's continuation is
optimal at every information set given the belief there and the others' behaviour
(*sequential rationality*), and beliefs follow Bayes' rule wherever the profile reaches the
set with positive probability; off the path beliefs are free. It is a **sequential
equilibrium** (Kreps and Wilson, "Sequential equilibria", *Econometrica* 50, 1982) when the
beliefs are moreover limits of Bayes beliefs of fully mixed profiles converging to it.
Every weak PBE is a Nash equilibrium, so the PBE are found among the Nash equilibria of
the reduced strategic form, exactly:

1. **Perfect-information parts.** Every maximal subtree whose information sets are all
   single nodes is a subgame in which sequential rationality is backward induction: it is
   replaced by the value of each of its pure subgame-perfect equilibria (each tie a branch;
   mixtures at ties give further PBE, not listed, as in :mod:`negotiation.solvers.spe`).
2. **The top game** that remains is solved as a bimatrix game (its reduced strategic form,
   :class:`negotiation.solvers.reduced.Fragment`) with the exact engine: every extreme
   equilibrium and the maximal Nash subsets ``conv(X) x conv(Y)`` (Avis, Rosenberg, Savani
   and von Stengel 2010), which describe the whole Nash set, continua included.
3. **Sequential rationality in the top game.** Exactness is guaranteed on the class of trees
   where, in the top game, every player moves at most once on every path and every
   information set off the path with several nodes is followed by terminals only: signalling
   games (a type, a message, a response; Cho and Kreps 1987), screening and trust games with
   types, simultaneous Bayesian games, and all of these with perfect-information tails (an
   accepted offer honoured or weaponised). There, sequential rationality is the one-shot
   condition at every information set: on the path it holds in every Nash equilibrium; off
   the path, at a set with several nodes some belief must make every action played a best
   reply (a linear feasibility problem in the belief, solved by exact linear programming),
   and at a single node every action played must be optimal against the others' behaviour
   (linear in the opponent's mixture). These conditions depend on a profile only through
   its *support pattern* (the actions played at each set), and in a maximal Nash subset
   (mapped to behaviour) the profiles with a given pattern form the relative interior of
   the face spanned by the vertices supported inside it, so the PBE part of every such face
   is a polytope computed exactly; since the set of weak PBE strategy profiles is closed,
   its closure consists of PBE. The answer is the union of these polytopes, each reported
   by its vertices (:attr:`PBESolution.equilibria`) as a :class:`PBESet`. Trees outside
   the class get their Nash equilibria and a note saying that the PBE were not computed,
   never a guess.
4. **Every reported PBE is verified** (:func:`verify_assessment`) as a full assessment:
   behaviour a distribution everywhere, Bayes' rule on the path, and at every information
   set the continuation no worse than the best one (an exact sequence-form best response
   from that set; von Stengel 2007, section 3.10), once for every extreme belief reported.

**Beliefs.** On the path they are Bayes' rule; off the path the admissible beliefs at a set
form a polytope, reported per node as the interval ``[low, high]`` of that node's
probability over the polytope (for two nodes, the whole set). **Sequential**: on the class
above, consistent beliefs at a set off the path are the convex hull of the chance-weighted
distributions over the nodes behind each of the opponent's moves (trembles at different
moves are independent); it is decided exactly when every chance probability is positive and
no two sets off the path are tied by shared moves, else reported as unknown.

**Kinds.** With a chance node at the root (the types) and two or more types of positive
prior, an equilibrium is *separating* when every information set spanning several types
that play reaches is reached by one type only, *pooling* when every such set reached is
reached by every type with the prior unchanged (nothing is revealed), *hybrid*
(semi-separating) otherwise.

**The Intuitive Criterion** (Cho and Kreps, "Signaling games and stable equilibria",
*Quarterly Journal of Economics* 102, 1987, section IV), for signalling games: for a
message ``m`` no type sends, ``D(m)`` holds the types whose equilibrium payoff exceeds the
most ``m`` could bring them against any best response of the receiver to any belief; the
equilibrium fails when some type outside ``D(m)`` gets more from ``m`` than its
equilibrium payoff against every best response to beliefs on the types outside ``D(m)``.
Each PBE says whether it survives and, if not, which message and type break it.

**Prior thresholds** (:func:`prior_thresholds`). Along the prior of the root's chance node,
the PBE change only where the set of *support patterns* that admit a PBE changes. With the
joint probabilities ``tau = prior x behaviour`` of the informed player as variables, the
conditions of a pattern are linear in ``(tau, prior)`` jointly, so the priors where it
admits a PBE form an interval whose ends are exact rationals, found by linear programming:
no bisection. Between two sweep points whose regimes differ, the ends of every pattern met
are evaluated until no new pattern appears, so every change there is found exactly (like
any sweep, changes that undo themselves between two points with the same regime are not
looked for). Where a game's conditions are not linear that way, the function brackets the
change by exact bisection and says so.

Floating point only ever proposes: hull memberships are proposed by HiGHS (through scipy)
and accepted only with an exactly checked certificate, and every decision is exact.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError
from negotiation.model.payoffs import Game
from negotiation.model.tree import TreeNumbers, TreeScenario
from negotiation.solvers.components import Component, components
from negotiation.solvers.equilibria import enumerate_exactly
from negotiation.solvers.exact import ExactSolution, Vector, solve_exact
from negotiation.solvers.reduced import Fragment, Plan, ReducedSolution, reduced_form

#: Behaviour at every information set (a probability per action), in infoset order.
Behaviour = tuple[tuple[Fraction, ...], ...]

#: Most pure subgame-perfect branches of the perfect-information parts taken together.
MAX_BRANCHES = 256

#: Most faces examined in one maximal Nash subset of the top game.
MAX_FACES = 1 << 14

#: Most candidate bases tried when listing the vertices of one polytope exactly.
MAX_VERTEX_BASES = 200_000

F0, F1 = Fraction(0), Fraction(1)


class UnsupportedError(Exception):
    """The tree is outside the class where PBE are computed exactly (the message says why)."""


# ============================================================================================
# Exact linear programming
# ============================================================================================


def linprog(
    c: Sequence[Fraction],
    A_ub: Sequence[Sequence[Fraction]] = (),
    b_ub: Sequence[Fraction] = (),
    A_eq: Sequence[Sequence[Fraction]] = (),
    b_eq: Sequence[Fraction] = (),
) -> tuple[Fraction, tuple[Fraction, ...]] | None:
    """Maximise ``c x`` subject to ``A_ub x <= b_ub``, ``A_eq x = b_eq``, ``x >= 0``, exactly.

    Two-phase tableau simplex method in rational arithmetic with Bland's rule, which cannot
    cycle (Bland, "New finite pivoting rules for the simplex method", *Mathematics of
    Operations Research* 2, 1977). Returns (optimum, solution), or None if infeasible;
    raises :class:`ValueError` if unbounded.

    >>> linprog([1, 1], [[1, 2], [3, 1]], [4, 6])
    (Fraction(14, 5), (Fraction(8, 5), Fraction(6, 5)))
    >>> linprog([1], A_eq=[[1]], b_eq=[-1]) is None
    True
    """
    n = len(c)
    n_slack = len(A_ub)
    rows: list[list[Fraction]] = []
    for k, (row, b) in enumerate(zip(A_ub, b_ub, strict=True)):
        slack = [F0] * n_slack
        slack[k] = F1
        rows.append([Fraction(x) for x in row] + slack + [Fraction(b)])
    for row, b in zip(A_eq, b_eq, strict=True):
        rows.append([Fraction(x) for x in row] + [F0] * n_slack + [Fraction(b)])
    width = n + n_slack
    m = len(rows)
    for i in range(m):
        if rows[i][-1] < 0:
            rows[i] = [-x for x in rows[i]]
    # Artificial variables width .. width + m - 1, one per row, basic at the start.
    table = [
        row[:-1] + [F1 if j == i else F0 for j in range(m)] + [row[-1]]
        for i, row in enumerate(rows)
    ]
    basis = [width + i for i in range(m)]
    # Phase 1: maximise -sum(artificials); the objective row holds reduced costs and -value.
    objective = [sum((table[i][j] for i in range(m)), F0) for j in range(width)] + [F0] * m
    objective.append(sum((table[i][-1] for i in range(m)), F0))
    _optimise(table, basis, objective, width + m)
    if objective[-1] != 0:
        return None
    # Drive the artificial variables out of the basis (a row with no other entry is redundant).
    i = 0
    while i < len(table):
        if basis[i] >= width:
            j = next((j for j in range(width) if table[i][j] != 0), None)
            if j is None:
                del table[i]
                del basis[i]
                continue
            _pivot(table, basis, objective, i, j)
        i += 1
    for row in table:
        del row[width:-1]
    # Phase 2: reduced costs of c with the current basis.
    costs = [Fraction(x) for x in c] + [F0] * n_slack
    objective = [*costs, F0]
    for i, j in enumerate(basis):
        if costs[j]:
            factor = costs[j]
            objective = [o - factor * t for o, t in zip(objective, table[i], strict=True)]
    _optimise(table, basis, objective, width)
    x = [F0] * width
    for i, j in enumerate(basis):
        x[j] = table[i][-1]
    value = sum((costs[j] * x[j] for j in range(width)), F0)
    return value, tuple(x[:n])


def _optimise(
    table: list[list[Fraction]], basis: list[int], objective: list[Fraction], columns: int
) -> None:
    """Pivot until no reduced cost in ``objective`` is positive (Bland's rule)."""
    while True:
        entering = next((j for j in range(columns) if objective[j] > 0), None)
        if entering is None:
            return
        leaving, best = -1, F0
        for i, row in enumerate(table):
            if row[entering] > 0:
                ratio = row[-1] / row[entering]
                if leaving < 0 or ratio < best or (ratio == best and basis[i] < basis[leaving]):
                    leaving, best = i, ratio
        if leaving < 0:
            raise ValueError("the linear program is unbounded")
        _pivot(table, basis, objective, leaving, entering)


def _pivot(
    table: list[list[Fraction]], basis: list[int], objective: list[Fraction], i: int, j: int
) -> None:
    pivot = table[i][j]
    if pivot != 1:
        table[i] = [x / pivot for x in table[i]]
    row = table[i]
    for k, other in enumerate(table):
        if k != i and other[j] != 0:
            factor = other[j]
            table[k] = [a - factor * b if b else a for a, b in zip(other, row, strict=True)]
    if objective[j] != 0:
        factor = objective[j]
        objective[:] = [a - factor * b if b else a for a, b in zip(objective, row, strict=True)]
    basis[i] = j


def _in_hull(point: Sequence[Fraction], points: Sequence[Sequence[Fraction]]) -> bool:
    """Whether ``point`` is a convex combination of ``points``, decided exactly.

    Floating point only proposes (HiGHS through scipy, a dependency of nashpy): a
    proposed combination is re-solved exactly on its support and checked, a proposed
    separating hyperplane is rounded to rationals, made valid for every point exactly and
    checked to cut ``point`` off. If neither certificate holds, exact linear programming
    (:func:`linprog`) decides.
    """
    if not points:
        return False
    if tuple(point) in {tuple(p) for p in points}:
        return True
    verdict = _hull_certificate(point, points)
    if verdict is not None:
        return verdict
    dims = len(point)
    A_eq = [[p[d] for p in points] for d in range(dims)] + [[F1] * len(points)]
    b_eq = [*point, F1]
    return linprog([F0] * len(points), A_eq=A_eq, b_eq=b_eq) is not None


def _hull_certificate(
    point: Sequence[Fraction], points: Sequence[Sequence[Fraction]]
) -> bool | None:
    """An exactly checked answer to :func:`_in_hull` from floating-point proposals, or None."""
    import numpy as np
    from scipy.optimize import linprog as float_lp  # type: ignore[import-untyped]

    V = np.array([[float(x) for x in p] for p in points])
    target = np.array([float(x) for x in point])
    k, dims = V.shape
    A_eq = np.vstack([V.T, np.ones((1, k))])
    b_eq = np.append(target, 1.0)
    found = float_lp(np.zeros(k), A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if found.status == 0:
        support = [j for j in range(k) if found.x[j] > 1e-9]
        rows = [[points[j][d] for j in support] for d in range(dims)] + [[F1] * len(support)]
        weights = _solve_consistent(rows, [*point, F1])
        if weights is not None and all(w >= 0 for w in weights):
            return True
        return None
    # A hyperplane a.x <= b holding at every point and failing at ``point``.
    c = np.append(-target, 1.0)  # minimise b - a.point
    A_ub = np.hstack([V, -np.ones((k, 1))])
    bounds = [(-1.0, 1.0)] * dims + [(None, None)]
    cut = float_lp(c, A_ub=A_ub, b_ub=np.zeros(k), bounds=bounds, method="highs")
    if cut.status != 0:
        return None
    a = [Fraction(float(x)).limit_denominator(10**6) for x in cut.x[:dims]]
    b = max(sum((ai * p[d] for d, ai in enumerate(a)), F0) for p in points)
    if sum((ai * point[d] for d, ai in enumerate(a)), F0) > b:
        return False
    return None


def _solve_consistent(
    M: Sequence[Sequence[Fraction]], b: Sequence[Fraction]
) -> list[Fraction] | None:
    """A solution of ``M x = b`` (free variables 0) by exact elimination, or None."""
    rows = [[*row, rhs] for row, rhs in zip(M, b, strict=True)]
    width = len(M[0]) if M else 0
    pivots: list[int] = []
    r = 0
    for col in range(width):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        inv = 1 / rows[r][col]
        rows[r] = [x * inv for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                f = rows[i][col]
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[r], strict=True)]
        pivots.append(col)
        r += 1
    if any(row[-1] != 0 for row in rows[r:]):
        return None
    x = [F0] * width
    for i, col in enumerate(pivots):
        x[col] = rows[i][-1]
    return x


def _solve_square(M: Sequence[Sequence[Fraction]], b: Sequence[Fraction]) -> list[Fraction] | None:
    """The unique solution of ``M x = b`` (Gaussian elimination, exact), or None if singular."""
    size = len(M)
    a = [[*row, rhs] for row, rhs in zip(M, b, strict=True)]
    for col in range(size):
        pivot = next((r for r in range(col, size) if a[r][col] != 0), None)
        if pivot is None:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        inv = 1 / a[col][col]
        a[col] = [x * inv for x in a[col]]
        for r in range(size):
            if r != col and a[r][col] != 0:
                f = a[r][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[r][size] for r in range(size)]


def _simplex_vertices(G: Sequence[Sequence[Fraction]], k: int) -> list[tuple[Fraction, ...]]:
    """Vertices of ``{w in R^k : w >= 0, sum w = 1, G w >= 0}``, exactly.

    A vertex is a basic solution: with ``r`` rows in ``G`` it has at most ``r + 1``
    non-zero entries, fixed by ``sum w = 1`` and as many tight rows as it has entries
    beyond the first. Every such choice is solved exactly and kept if feasible.
    """
    found: list[tuple[Fraction, ...]] = []
    tried = 0
    for size in range(1, min(k, len(G) + 1) + 1):
        for support in itertools.combinations(range(k), size):
            for tight in itertools.combinations(range(len(G)), size - 1):
                tried += 1
                if tried > MAX_VERTEX_BASES:
                    raise LimitError(
                        "pbe",
                        "",
                        f"a strategy polytope cut by {len(G)} conditions in dimension {k - 1} "
                        f"has over {MAX_VERTEX_BASES:,} candidate vertices",
                    )
                M = [[G[t][j] for j in support] for t in tight] + [[F1] * size]
                solved = _solve_square(M, [F0] * (size - 1) + [F1])
                if solved is None or any(x < 0 for x in solved):
                    continue
                w = [F0] * k
                for j, x in zip(support, solved, strict=True):
                    w[j] = x
                if any(sum((g[j] * w[j] for j in range(k)), F0) < 0 for g in G):
                    continue
                if tuple(w) not in found:
                    found.append(tuple(w))
    return found


# ============================================================================================
# Results
# ============================================================================================


@attrs.frozen
class Deviation:
    """A message off the path and a type that breaks an equilibrium by sending it."""

    message: str
    type: str


@attrs.frozen
class PerfectBayesian:
    """One perfect Bayesian equilibrium: a vertex of the PBE set, with its beliefs.

    ``behaviour[i]`` gives each action's probability at information set ``i`` (everywhere,
    on and off the path). ``beliefs[i]`` is the Bayes belief over the nodes of each
    information set with several nodes that play reaches; ``off_path[i]`` the interval of
    each node's probability over the admissible beliefs at each such set play does not
    reach. ``kind`` is ``pooling``, ``separating``, ``hybrid`` or None (no types at the
    root); ``intuitive`` whether it survives the Intuitive Criterion (None when the game is
    not a signalling game) and ``broken_by`` the deviations that break it; ``sequential``
    whether some admissible beliefs are consistent (None when not decided).
    ``component`` indexes the components of the Nash equilibria of the whole tree's
    reduced form (-1 when they were not computed) and ``sets`` the :class:`PBESet` s
    holding it.
    """

    behaviour: Behaviour
    payoffs: tuple[Fraction, ...]
    beliefs: Mapping[int, Mapping[int, Fraction]]
    off_path: Mapping[int, Mapping[int, tuple[Fraction, Fraction]]]
    kind: str | None
    intuitive: bool | None
    broken_by: tuple[Deviation, ...]
    sequential: bool | None
    component: int
    sets: tuple[int, ...]
    description: str


@attrs.frozen
class PBESet:
    """A polytope of perfect Bayesian equilibria: every mixture of its vertices is one.

    ``equilibria`` indexes its vertices in :attr:`PBESolution.equilibria` (every mixture of
    one vertex set per player, as for maximal Nash subsets). ``point`` is its centroid, a
    relative-interior point, whose beliefs off the path (``off_path``), ``kind`` and
    ``sequential`` hold throughout the relative interior; ``intuitive`` is decided at the
    vertices and the centroid (None when they disagree). ``payoff_range`` gives each
    player's lowest and highest payoff over the set. ``pattern`` says in words who plays
    what (supports, without mixing probabilities) and what is believed off the path in
    the relative interior; ``description`` adds the Intuitive Criterion's verdict.
    """

    equilibria: tuple[int, ...]
    point: PerfectBayesian
    payoff_range: tuple[tuple[Fraction, Fraction], ...]
    component: int
    kind: str | None
    intuitive: bool | None
    sequential: bool | None
    pattern: str
    description: str


@attrs.frozen
class NashForm:
    """The Nash equilibria of the whole tree's reduced strategic form (exact engine)."""

    plans: tuple[tuple[Plan, ...], tuple[Plan, ...]]
    game: Game
    solution: ExactSolution
    components: tuple[Component, ...]

    @classmethod
    def from_reduced(cls, reduced: ReducedSolution) -> NashForm:
        """The same equilibria as :func:`negotiation.solvers.reduced.solve_reduced` found."""
        rows, cols = reduced.row_strategies, reduced.col_strategies
        pairs = tuple((rows.index(e.row), cols.index(e.col)) for e in reduced.equilibria)
        solution = ExactSolution(rows, cols, pairs, reduced.degenerate)
        return cls(reduced.form.plans, reduced.form.game, solution, reduced.components)


@attrs.frozen
class PBESolution:
    """The perfect Bayesian equilibria of a tree, and what was computed.

    ``computed`` is False when the tree lies outside the class where they are computed
    exactly (``notes`` says why); ``equilibria`` and ``sets`` are then empty, which means
    *not computed*, not *none*.
    """

    tree: TreeScenario = attrs.field(repr=False)
    numbers: TreeNumbers = attrs.field(repr=False)
    computed: bool
    equilibria: tuple[PerfectBayesian, ...]
    sets: tuple[PBESet, ...]
    nash: NashForm | None
    types: tuple[str, ...]
    signalling: bool
    notes: tuple[str, ...] = ()
    #: Support patterns that admit a PBE (every face found), for prior thresholds.
    patterns: frozenset[Any] = attrs.field(default=frozenset(), repr=False, eq=False)


# ============================================================================================
# Solving
# ============================================================================================


def solve_pbe(
    tree: TreeScenario,
    numbers: TreeNumbers | None = None,
    *,
    nash: bool = True,
    reduced: ReducedSolution | None = None,
) -> PBESolution:
    """Every perfect Bayesian equilibrium of a two-player tree, exactly (module docstring).

    Each PBE is matched to the component of the whole tree's reduced-form Nash equilibria
    that holds it. ``reduced`` passes those equilibria when the caller has them already
    (:func:`negotiation.solvers.reduced.solve_reduced` at the same numbers, as
    :func:`negotiation.output.tree_report.analyse` does), so they are not computed twice.
    Otherwise they are computed here within the exact engine's limits; beyond them (a tree
    with types, whose plans multiply across types, can have a reduced form with millions
    of vertices) each ``component`` is -1 and a note says why. ``nash=False`` skips them
    (``component`` -1, no note), which thresholds use: the PBE themselves never need them.

    Selten's entry game, whose only PBE is its subgame-perfect equilibrium:

    >>> from negotiation.model.catalogue import load_tree
    >>> tree = load_tree("entry")
    >>> solution = solve_pbe(tree)
    >>> [(e.description, [int(x) for x in e.payoffs]) for e in solution.equilibria]
    [('Entrant: enters; Incumbent: accommodates', [1, 1])]
    """
    if len(tree.players) != 2:
        raise ScenarioError(
            tree.origin,
            "players",
            f"perfect Bayesian equilibria are computed for two players; this tree has "
            f"{len(tree.players)}",
        )
    numbers = numbers or tree.numbers
    engine = _Engine(tree, numbers)
    nash_form: NashForm | None = None
    skipped: list[str] = []
    if reduced is not None:
        nash_form = NashForm.from_reduced(reduced)
    elif nash:
        try:
            nash_form = _nash_form(tree, numbers)
        except LimitError as error:
            skipped.append(
                "each perfect Bayesian equilibrium's 'component' is -1: the Nash equilibria "
                f"of the reduced strategic form are not computed ({error.problem})"
            )
    types = engine.types
    try:
        engine.check_class()
        result = engine.solve(nash_form)
        if skipped:
            result = attrs.evolve(result, notes=(*result.notes, *skipped))
    except UnsupportedError as why:
        return PBESolution(
            tree,
            numbers,
            False,
            (),
            (),
            nash_form,
            types,
            False,
            (
                f"perfect Bayesian equilibria not computed: {why}. They are computed exactly "
                "when, once perfect-information parts are solved, each player moves at most "
                "once on every path and every information set off the path with several "
                "nodes leads to outcomes directly (signalling, screening and trust games)",
            ),
        )
    return result


def _nash_form(tree: TreeScenario, numbers: TreeNumbers) -> NashForm:
    """The reduced form's Nash equilibria, within the exact engine's documented limits.

    Raises :class:`~negotiation.errors.LimitError` beyond them (checked as the engine
    goes, never an unbounded run).
    """
    form = reduced_form(tree, numbers)
    solution = enumerate_exactly(form.game, tree.origin)
    return NashForm(form.plans, form.game, solution, components(solution.pairs))


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


class _Engine:
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
        pieces = _maximal(pieces)
        analysis = _PointAnalysis(self, nash_form)
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
            and all(v in b.v0 or _in_hull(v, b.v0) for v in a.v0)
            and all(v in b.v1 or _in_hull(v, b.v1) for v in a.v1)
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
        if all(x in (0, 1) for x in v) or not _in_hull(v, unique[:k] + unique[k + 1 :])
    )


class _TopGame:
    """The game above the perfect-information parts, for one choice of their branches."""

    def __init__(
        self, engine: _Engine, values: Mapping[int, tuple[Fraction, ...]], combo: int
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
            found = _belief_polytope(self.e.tree, i, support, self.terminal_values)
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
    weights = _simplex_vertices(rows, len(vectors))
    out = []
    for w in weights:
        point = tuple(
            sum((wk * v[d] for wk, v in zip(w, vectors, strict=True)), F0)
            for d in range(len(vectors[0]))
        )
        if point not in out:
            out.append(point)
    return out


def _belief_polytope(
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


def _belief_ranges(
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


# ============================================================================================
# One equilibrium: beliefs, kind, Intuitive Criterion, consistency, component, words
# ============================================================================================


@attrs.frozen
class _Signalling:
    """A signalling game: types at the root, a sender's message, a receiver's response.

    ``senders[t]`` is type ``t``'s decision node; ``responses[m]`` the receiver's
    information set after message ``m`` (None when the message ends the game).
    """

    sender: int
    receiver: int
    senders: tuple[int, ...]
    messages: tuple[str, ...]
    responses: tuple[int | None, ...]


def _signalling(engine: _Engine) -> _Signalling | None:
    """The signalling structure of the top game, if it has one (Cho and Kreps 1987)."""
    tree = engine.tree
    nodes = tree.nodes
    root = nodes[0]
    if root.kind != "chance" or 0 in engine.tail_set:
        return None
    senders = root.children
    first = nodes[senders[0]]
    if any(
        nodes[v].kind != "decision"
        or v in engine.terminal
        or nodes[v].player != first.player
        or not tree.infosets[nodes[v].infoset].singleton
        or nodes[v].actions != first.actions
        for v in senders
    ):
        return None
    receiver = 1 - first.player
    responses: list[int | None] = []
    for k in range(len(first.actions)):
        targets = [nodes[v].children[k] for v in senders]
        if all(t in engine.terminal or nodes[t].kind == "leaf" for t in targets):
            responses.append(None)
            continue
        if any(nodes[t].kind != "decision" or t in engine.terminal for t in targets):
            return None
        info = nodes[targets[0]].infoset
        if (
            nodes[targets[0]].player != receiver
            or sorted(tree.infosets[info].nodes) != sorted(targets)
            or any(
                c not in engine.terminal and nodes[c].kind != "leaf"
                for t in targets
                for c in nodes[t].children
            )
        ):
            return None
        responses.append(info)
    if all(r is None for r in responses):
        return None
    return _Signalling(first.player, receiver, tuple(senders), first.actions, tuple(responses))


class _PointAnalysis:
    """Everything reported about one behaviour profile of the tree."""

    def __init__(self, engine: _Engine, nash_form: NashForm | None) -> None:
        self.e = engine
        self.tree = engine.tree
        self.numbers = engine.numbers
        self.nash = nash_form
        self.signalling = _signalling(engine)
        self.realised: dict[int, list[tuple[Fraction, ...]]] = {}
        if nash_form is not None:
            moves = [self._moves(p) for p in (0, 1)]
            self.moves = moves
            for p, strategies in (
                (0, nash_form.solution.row_strategies),
                (1, nash_form.solution.col_strategies),
            ):
                self.realised[p] = [
                    _realisation_of_plans(nash_form.plans[p], x, moves[p]) for x in strategies
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
        tree, numbers = self.tree, self.numbers
        reach = _reach(tree, numbers, behaviour)
        values = _values(tree, numbers, behaviour)
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
            found = _belief_polytope(tree, info.index, support, lambda v: values[v])
            if found is None:  # pragma: no cover - every reported point is a PBE
                raise RuntimeError(f"internal error: no belief justifies play at {info.id}")
            rows = found[0]
            ranges, points = _belief_ranges(rows, len(info.nodes))
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
        """The Intuitive Criterion (Cho and Kreps 1987, section IV) at one equilibrium."""
        sig = self.signalling
        if sig is None:
            return None, ()
        tree = self.tree
        prior = self.numbers.probabilities[0]
        theta = [t for t, p in enumerate(prior) if p > 0]
        ustar = {t: values[sig.senders[t]][sig.sender] for t in theta}
        broken: list[Deviation] = []
        for m, response in enumerate(sig.responses):
            if response is None:
                continue
            sent = sum(
                (prior[t] * behaviour[tree.nodes[sig.senders[t]].infoset][m] for t in theta), F0
            )
            if sent > 0:
                continue
            node_of = {tree.nodes[v].parent: v for v in tree.infosets[response].nodes}
            table = {
                t: [values[c] for c in tree.nodes[node_of[sig.senders[t]]].children] for t in theta
            }
            everyone = self._best_replies(table, theta, sig.receiver)
            dominated = {
                t for t in theta if ustar[t] > max(table[t][r][sig.sender] for r in everyone)
            }
            rest = [t for t in theta if t not in dominated]
            if not rest:
                continue
            credible = self._best_replies(table, rest, sig.receiver)
            for t in rest:
                if ustar[t] < min(table[t][r][sig.sender] for r in credible):
                    broken.append(Deviation(sig.messages[m], self.e.types[t]))
        return not broken, tuple(broken)

    @staticmethod
    def _best_replies(
        table: Mapping[int, Sequence[tuple[Fraction, ...]]], types: Sequence[int], receiver: int
    ) -> list[int]:
        """Responses that are a best reply to some belief over ``types`` (exact LP each)."""
        arity = len(table[types[0]])
        out = []
        for r in range(arity):
            rows = [
                [table[t][b][receiver] - table[t][r][receiver] for t in types]
                for b in range(arity)
                if b != r
            ]
            ones = [[F1] * len(types)]
            if linprog([F0] * len(types), rows, [F0] * len(rows), ones, [F1]) is not None:
                out.append(r)
        return out

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
        mine = [_realisation_of_behaviour(tree, behaviour, self.moves[p]) for p in (0, 1)]
        for c, comp in enumerate(self.nash.components):
            for subset in comp.subsets:
                xs = [self.realised[0][i] for i in subset.rows]
                ys = [self.realised[1][j] for j in subset.cols]
                if (mine[0] in xs or _in_hull(mine[0], xs)) and (
                    mine[1] in ys or _in_hull(mine[1], ys)
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
        reach = _reach(tree, self.numbers, behaviour)
        if off_path is None:
            values = _values(tree, self.numbers, behaviour)
            off_path = {}
            for info in tree.infosets:
                if info.singleton or sum((reach[v] for v in info.nodes), F0) > 0:
                    continue
                support = [k for k, p in enumerate(behaviour[info.index]) if p > 0]
                found = _belief_polytope(tree, info.index, support, lambda v: values[v])
                if found is not None:
                    ranges, _ = _belief_ranges(found[0], len(info.nodes))
                    off_path[info.index] = dict(zip(info.nodes, ranges, strict=True))
        if self.signalling is not None:
            parts = self._signalling_words(behaviour, reach, off_path, numbers)
        else:
            parts = self._general_words(behaviour, reach, off_path, numbers)
        if intuitive is not None and intuitive[0] is not None:
            if intuitive[0]:
                parts.append("survives the Intuitive Criterion")
            else:
                why = ", ".join(f"{d.type} would send {d.message}" for d in intuitive[1])
                parts.append(f"fails the Intuitive Criterion ({why})")
        return "; ".join(parts)

    def _choice(
        self, info: int, beta: Sequence[Fraction], numbers: bool, plain: bool = False
    ) -> str:
        """``chooses a`` or ``mixes a 1/2, b 1/2`` (``choose``, ``mix`` when ``plain``)."""
        labels = self._labels(info)
        live = [(labels[k], p) for k, p in enumerate(beta) if p > 0]
        if len(live) == 1:
            return f"{'choose' if plain else 'chooses'} {live[0][0]}"
        verb = "mix" if plain else "mixes"
        if numbers:
            return f"{verb} " + ", ".join(f"{a} {p}" for a, p in live)
        return f"{verb} " + " / ".join(a for a, _ in live)

    def _labels(self, info: int) -> list[str]:
        tree = self.tree
        first = tree.nodes[tree.infosets[info].nodes[0]]
        return [tree.nodes[c].label for c in first.children]

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
        type_label = [tree.nodes[v].label for v in tree.nodes[0].children]
        choice = {t: behaviour[tree.nodes[sig.senders[t]].infoset] for t in range(len(sig.senders))}
        parts = []
        pure = [max(choice[t]) == 1 for t in theta]
        if all(pure) and len({choice[t] for t in theta}) == 1 and len(theta) > 1:
            info = tree.nodes[sig.senders[theta[0]]].infoset
            every = "both" if len(theta) == 2 else "all"
            word = self._choice(info, choice[theta[0]], numbers, plain=True)
            parts.append(f"{every} types of {sender} {word}")
        else:
            for t in theta:
                info = tree.nodes[sig.senders[t]].infoset
                parts.append(f"{sender} ({type_label[t]}) {self._choice(info, choice[t], numbers)}")
        for t, p in enumerate(prior):
            if p == 0:
                info = tree.nodes[sig.senders[t]].infoset
                word = self._choice(info, choice[t], numbers, plain=True)
                parts.append(f"{sender} ({type_label[t]}, prior 0) would {word}")
        for m, response in enumerate(sig.responses):
            if response is None:
                continue
            beta = behaviour[response]
            word = self._choice(response, beta, numbers)
            message = self._labels(tree.nodes[sig.senders[0]].infoset)[m]
            if response in off_path:
                belief = self._belief_words(off_path[response])
                if belief:
                    parts.append(
                        f"after {message} (off the path) {receiver} believes {belief} and {word}"
                    )
                else:
                    parts.append(
                        f"after {message} (off the path) {receiver} {word} whatever it believes"
                    )
            else:
                parts.append(f"after {message} {receiver} {word}")
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

        Without types at the root the path reads as in :func:`~negotiation.solvers.spe.
        describe_path`; with types every information set is said once, in tree order, the
        informed player's sets qualified by type.
        """
        from negotiation.solvers.spe import describe_path

        tree, e = self.tree, self.e
        parts: list[str] = []
        if not e.types and numbers:
            parts.append(describe_path(tree, behaviour, self.numbers.probabilities))
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
                where = f"at {info.id} (off the path)"
                if belief:
                    parts.append(f"{where} {names[info.index]} believes {belief} and {word}")
                else:
                    parts.append(f"{where} {names[info.index]} {word} whatever it believes")
            else:
                parts.append(f"off the path {who} {word}")
        return parts


def _reach(tree: TreeScenario, numbers: TreeNumbers, behaviour: Behaviour) -> list[Fraction]:
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


def _values(
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


def _realisation_of_plans(
    plans: Sequence[Plan], mix: Vector, moves: Sequence[tuple[int, int]]
) -> tuple[Fraction, ...]:
    realised: dict[tuple[int, int], Fraction] = {}
    for plan, weight in zip(plans, mix, strict=True):
        if weight:
            for move in plan:
                realised[move] = realised.get(move, F0) + weight
    return tuple(realised.get(m, F0) for m in moves)


def _realisation_of_behaviour(
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


# ============================================================================================
# Verification
# ============================================================================================


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
    reach = _reach(tree, numbers, frozen)
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


# ============================================================================================
# JSON
# ============================================================================================


def pbe_document(solution: PBESolution) -> dict[str, Any]:
    """The perfect Bayesian equilibria as JSON-ready data (keys may be added, never renamed).

    ``perfect_bayesian`` lists every extreme PBE (null when not computed): ``payoffs``,
    ``kind`` (``pooling``, ``separating``, ``hybrid`` or null), ``strategies`` (behaviour of
    each player at each of its decision nodes, on and off the path), ``beliefs`` (Bayes, at
    every reached information set with several nodes), ``off_path_beliefs`` (each node's
    ``[low, high]`` over the admissible beliefs, at every unreached set with several
    nodes), ``intuitive`` (null unless a signalling game) with ``intuitive_broken_by``,
    ``sequential`` (null when not decided), ``component`` (of the reduced form's Nash
    equilibria; -1 when not computed), ``sets`` (the ``perfect_bayesian_sets`` holding it),
    ``description`` (in words) and ``exact`` (payoffs and beliefs as exact fractions).
    ``perfect_bayesian_sets`` describes every PBE: each set is every mixture of its
    ``equilibria`` (one vertex set per player) and gives the beliefs and kind of its
    relative interior.
    """
    tree = solution.tree
    ids = tree.player_ids

    def number(x: Fraction) -> float:
        return float(x)

    def point(p: PerfectBayesian) -> dict[str, Any]:
        strategies: dict[str, dict[str, dict[str, float]]] = {pid: {} for pid in ids}
        for node in tree.nodes:
            if node.kind == "decision":
                beta = p.behaviour[node.infoset]
                strategies[ids[node.player]][node.id] = {
                    a: number(x) for a, x in zip(node.actions, beta, strict=True)
                }
        beliefs = {
            tree.infosets[i].id: {tree.nodes[v].id: number(x) for v, x in b.items()}
            for i, b in p.beliefs.items()
        }
        off = {
            tree.infosets[i].id: {
                tree.nodes[v].id: [number(lo), number(hi)] for v, (lo, hi) in r.items()
            }
            for i, r in p.off_path.items()
        }
        return {
            "payoffs": {pid: number(x) for pid, x in zip(ids, p.payoffs, strict=True)},
            "kind": p.kind,
            "strategies": strategies,
            "beliefs": beliefs,
            "off_path_beliefs": off,
            "intuitive": p.intuitive,
            "intuitive_broken_by": [{"message": d.message, "type": d.type} for d in p.broken_by],
            "sequential": p.sequential,
            "component": p.component,
            "sets": list(p.sets),
            "description": p.description,
            "exact": {
                "payoffs": {pid: str(x) for pid, x in zip(ids, p.payoffs, strict=True)},
                "beliefs": {
                    tree.infosets[i].id: {tree.nodes[v].id: str(x) for v, x in b.items()}
                    for i, b in p.beliefs.items()
                },
                "off_path_beliefs": {
                    tree.infosets[i].id: {
                        tree.nodes[v].id: [str(lo), str(hi)] for v, (lo, hi) in r.items()
                    }
                    for i, r in p.off_path.items()
                },
            },
        }

    sets = []
    for s in solution.sets:
        centre = point(s.point)
        sets.append(
            {
                "equilibria": list(s.equilibria),
                "kind": s.kind,
                "intuitive": s.intuitive,
                "sequential": s.sequential,
                "component": s.component,
                "payoff_range": {
                    pid: [number(lo), number(hi)]
                    for pid, (lo, hi) in zip(ids, s.payoff_range, strict=True)
                },
                "off_path_beliefs": centre["off_path_beliefs"],
                "pattern": s.pattern,
                "description": s.description,
            }
        )
    return {
        "types": list(solution.types),
        "signalling": solution.signalling,
        "perfect_bayesian_computed": solution.computed,
        "perfect_bayesian": [point(p) for p in solution.equilibria] if solution.computed else None,
        "perfect_bayesian_sets": sets if solution.computed else None,
        "perfect_bayesian_notes": list(solution.notes),
    }


def pbe_text(solution: PBESolution) -> list[str]:
    """The perfect Bayesian equilibria as lines of text, for the table format.

    One line per :class:`PBESet` (kind, payoffs, the set in words with the Intuitive
    Criterion's verdict), then its vertices in words when it has several, then the notes.

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
    >>> for line in pbe_text(solve_pbe(tree)):
    ...     print(line)
    Perfect Bayesian equilibria: 1 set, 1 extreme equilibrium
      #0 pooling (truster 5/2, trustee 25/2): truster chooses trust; trustee (honest) chooses
         honor; trustee (opportunist) chooses abuse
    """
    if not solution.computed:
        return list(solution.notes)
    ids = solution.tree.player_ids
    count = len(solution.sets)
    extreme = len(solution.equilibria)
    lines = [
        f"Perfect Bayesian equilibria: {count} set{'s' if count != 1 else ''}, {extreme} "
        f"extreme equilibri{'a' if extreme != 1 else 'um'}"
    ]
    for k, s in enumerate(solution.sets):
        payoffs = ", ".join(
            f"{pid} {lo}" if lo == hi else f"{pid} {lo} to {hi}"
            for pid, (lo, hi) in zip(ids, s.payoff_range, strict=True)
        )
        lines.append(f"  #{k} {s.kind or 'equilibrium'} ({payoffs}): {s.description}")
        if len(s.equilibria) > 1:
            for j in s.equilibria:
                lines.append(f"     vertex {j}: {solution.equilibria[j].description}")
    lines += list(solution.notes)
    return lines


# ============================================================================================
# Prior thresholds
# ============================================================================================


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
            solution = solve_pbe(tree.with_overrides({path: x}), nash=False)
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
        self.engine = _Engine(tree, tree.numbers)
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
        engine = _Engine(middle, middle.numbers)
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
