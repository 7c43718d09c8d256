"""Tree solvers at every scale, against independent oracles (issue 10, section 2).

Property tests over random game trees whose numbers mix scales from 1e-12 to 1e15 (both
signs, exact ties made on purpose, every number written into the TOML as decimal text, so
it is read exactly):

1. :func:`negotiation.solvers.spe.solve_spe` on perfect-information trees (2-3 players,
   depth <= 4, branching 2-3, chance nodes with tiny, zero and ordinary probabilities)
   equals a brute-force oracle written here: every pure behaviour profile is enumerated and
   kept when no player gains by a one-shot deviation at any node given the continuation,
   which for finite perfect-information trees is exactly subgame perfection (the one-shot
   deviation principle; Osborne and Rubinstein 1994, Lemma 98.2; Selten 1965). Ties are
   sets: each tied choice is its own SPE, so the two sets of profiles must be equal.
2. :func:`negotiation.solvers.spe.sweep_spe` (floats with an exact fallback) gives at every
   grid point exactly the rows of ``solve_spe`` at that point, for a swept leaf payoff, a
   swept weight of a scored tree, a swept chance probability and a swept deep leaf, on grids
   that straddle exact ties computed here.
3. :func:`negotiation.studies.explore.explore` on trees labels each draw with the regime
   ``solve_spe`` finds at the drawn numbers (taken at their exact binary values).
4. :func:`negotiation.solvers.pbe.solve_pbe` on random two-type signalling games with badly
   scaled payoffs: every reported PBE passes :func:`~negotiation.solvers.pbe.verify_assessment`
   exactly at both ends of every off-path belief interval, and the pure PBE agree with the
   brute-force search of ``tests/test_pbe.py``.

Hypothesis runs derandomised with no deadline and no example database, like the other
property tests (``tests/property.py``), with bounded example counts so the file runs in
well under a minute on a 2-core machine.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from test_pbe import in_solution, pure_pbe

from negotiation.model.tree import TreeScenario
from negotiation.model.types import tree_from_string
from negotiation.solvers import spe as spe_module
from negotiation.solvers.pbe import PerfectBayesian, solve_pbe, verify_assessment
from negotiation.solvers.spe import describe_path, solve_spe, sweep_spe
from negotiation.studies.explore import Study, explore

#: Reproducible, untimed, nothing stored: the shared profile of tests/property.py.
PROPERTY = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ACTIONS = ("x0", "x1", "x2")
MAX_DEPTH = 4
#: Most pure profiles of a random tree (the oracle enumerates them all).
MAX_PROFILES = 300
#: Chance probabilities other than the remainder: zero, tiny, ordinary, nearly one.
PROBABILITIES = ("0", "1e-12", "2.5e-13", "0.25", "0.5", "0.3", "0.999999999999")


# --------------------------------------------------------------------------- random trees


@attrs.frozen
class Num:
    """A number as written into the TOML (``text``) and its exact value."""

    text: str
    value: Fraction


@attrs.frozen
class RNode:
    """A node of a random tree, kept apart from the library's parser (the oracle's input).

    ``kind`` is ``leaf``, ``decision`` or ``chance``; a leaf holds ``numbers`` (per player,
    or per criterion in a scored tree); a chance node ``probs`` (the last is the rest).
    """

    id: str
    kind: str
    player: int = -1
    children: tuple[RNode, ...] = ()
    probs: tuple[Num, ...] = ()
    numbers: tuple[Num | None, ...] = ()


ZERO = Num("0", Fraction(0))


#: Exponents of scaled numbers: 1e-12 to about 1e15 (times up to 999).
MIXED = (-12, 12)


@st.composite
def scaled(draw: st.DrawFn, band: tuple[int, int] = MIXED) -> Num:
    """0, or +-(1 to 999) x 10**e with e in ``band``: by default magnitudes 1e-12 to ~1e15."""
    if draw(st.integers(0, 9)) == 0:
        return ZERO
    sign = draw(st.sampled_from(["", "-"]))
    mantissa = draw(st.integers(1, 999))
    exponent = draw(st.integers(*band))
    value = Fraction(mantissa) * Fraction(10) ** exponent
    return Num(f"{sign}{mantissa}e{exponent}", -value if sign else value)


@st.composite
def numbers(draw: st.DrawFn, pool: Sequence[Num], band: tuple[int, int] = MIXED) -> Num:
    """A scaled number, half the time one of the tree's ``pool`` (exact ties on purpose)."""
    if len(pool) > 0 and draw(st.booleans()):
        return draw(st.sampled_from(list(pool)))
    return draw(scaled(band))


@st.composite
def chance_probs(draw: st.DrawFn, arity: int) -> tuple[Num, ...]:
    """Probabilities for a chance node: the last one is the remainder (``"rest"``)."""
    chosen: list[Num] = []
    total = Fraction(0)
    for _ in range(arity - 1):
        text = draw(st.sampled_from(PROBABILITIES))
        value = Fraction(text)
        if total + value > 1:
            text, value = "0", Fraction(0)
        chosen.append(Num(text, value))
        total += value
    return (*chosen, Num('"rest"', 1 - total))


@st.composite
def subtree(
    draw: st.DrawFn,
    node_id: str,
    depth: int,
    players: int,
    width: int,
    pool: Sequence[Num],
    budget: list[int],
    *,
    root: bool = False,
    band: tuple[int, int] = MIXED,
) -> RNode:
    """A random node and its subtree; ``budget[0]`` counts pure profiles (capped)."""
    kind = "decision"
    if not root:
        kinds = ["leaf", "leaf", "decision", "decision", "chance"]
        kind = "leaf" if depth >= MAX_DEPTH else draw(st.sampled_from(kinds))
    arity = draw(st.integers(2, 3))
    if kind == "decision" and budget[0] * arity > MAX_PROFILES:
        kind = "chance" if depth < MAX_DEPTH and budget[0] * 3 <= MAX_PROFILES else "leaf"
    if kind == "leaf":
        values = tuple(draw(numbers(pool, band)) for _ in range(width))
        return RNode(node_id, "leaf", numbers=values)
    if kind == "decision":
        budget[0] *= arity
    children = tuple(
        draw(subtree(f"{node_id}.{a}", depth + 1, players, width, pool, budget, band=band))
        for a in ACTIONS[:arity]
    )
    if kind == "chance":
        return RNode(node_id, "chance", children=children, probs=draw(chance_probs(arity)))
    return RNode(node_id, "decision", draw(st.integers(0, players - 1)), children)


@attrs.frozen
class Case:
    """A random tree: its TOML text, the oracle's copy and what the leaves hold."""

    players: tuple[str, ...]
    root: RNode
    criteria: tuple[str, ...] = ()
    weights: tuple[tuple[Num | None, ...], ...] = ()

    @property
    def toml(self) -> str:
        """The scenario as TOML text, every number as written decimal text."""
        lines = ['name = "random"']
        for p in self.players:
            lines += ["[[players]]", f'id = "{p}"']
        if self.criteria:
            for k in self.criteria:
                lines += [f"[criteria.{k}]", f'label = "{k}"']
            for p, row in zip(self.players, self.weights, strict=True):
                lines.append(f"[weights.{p}]")
                lines += [
                    f"{k} = {w.text}"
                    for k, w in zip(self.criteria, row, strict=True)
                    if w is not None
                ]
        stack = [self.root]
        while stack:
            node = stack.pop()
            lines.append(f"[{node.id}]")
            if node.kind == "leaf":
                keys = self.criteria or self.players
                table = ", ".join(
                    f"{k} = {x.text}"
                    for k, x in zip(keys, node.numbers, strict=True)
                    if x is not None
                )
                lines.append(f"{'scores' if self.criteria else 'payoffs'} = {{ {table} }}")
            elif node.kind == "chance":
                table = ", ".join(
                    f"{a} = {p.text}" for a, p in zip(ACTIONS, node.probs, strict=False)
                )
                lines.append(f"chance = {{ {table} }}")
            else:
                lines.append(f'player = "{self.players[node.player]}"')
            stack.extend(reversed(node.children))
        return "\n".join(lines) + "\n"

    def tree(self) -> TreeScenario:
        """The library's reading of :attr:`toml`."""
        return TreeScenario.from_string(self.toml)

    def payoffs(self, leaf: RNode) -> tuple[Fraction, ...]:
        """Every player's payoff at a leaf, exactly (weights x scores in a scored tree)."""
        if not self.criteria:
            return tuple(x.value if x else Fraction(0) for x in leaf.numbers)
        return tuple(
            sum(
                (
                    (w.value if w else Fraction(0)) * (s.value if s else Fraction(0))
                    for w, s in zip(row, leaf.numbers, strict=True)
                ),
                Fraction(0),
            )
            for row in self.weights
        )


@st.composite
def random_trees(draw: st.DrawFn) -> Case:
    """A perfect-information tree: 2-3 players, depth <= 4, branching 2-3, mixed scales."""
    players = tuple(f"p{i}" for i in range(draw(st.integers(2, 3))))
    pool = draw(st.lists(scaled(), min_size=1, max_size=3))
    root = draw(subtree("tree", 0, len(players), len(players), pool, [1], root=True))
    return Case(players, root)


# --------------------------------------------------------------------------- the oracle


@attrs.frozen
class Pure:
    """A pure subgame-perfect equilibrium found by the oracle."""

    choices: frozenset[tuple[str, str]]
    payoffs: tuple[Fraction, ...]
    reached: frozenset[tuple[str, Fraction]]
    ties: frozenset[str]


def nodes_of(root: RNode) -> list[RNode]:
    """Every node in preorder."""
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def brute_force_spe(case: Case) -> set[Pure]:
    """Every pure profile with no profitable one-shot deviation anywhere, in Fractions.

    All pure behaviour profiles (an action at every decision node, on and off the path) are
    enumerated; each node's value is computed bottom up (chance nodes take expectations)
    and the profile is kept when at every decision node the chosen action is worth at least
    as much to the mover as every other action, given the profile's continuation.
    """
    order = nodes_of(case.root)
    decisions = [n for n in order if n.kind == "decision"]
    found = set()
    for profile in itertools.product(*(range(len(n.children)) for n in decisions)):
        choice = {n.id: k for n, k in zip(decisions, profile, strict=True)}
        value: dict[str, tuple[Fraction, ...]] = {}
        for node in reversed(order):
            if node.kind == "leaf":
                value[node.id] = case.payoffs(node)
            elif node.kind == "chance":
                value[node.id] = tuple(
                    sum(
                        (
                            p.value * value[c.id][i]
                            for p, c in zip(node.probs, node.children, strict=True)
                        ),
                        Fraction(0),
                    )
                    for i in range(len(case.players))
                )
            else:
                value[node.id] = value[node.children[choice[node.id]].id]
        ties = set()
        stable = True
        for node in decisions:
            mine = [value[c.id][node.player] for c in node.children]
            if mine[choice[node.id]] < max(mine):
                stable = False
                break
            if mine.count(max(mine)) > 1:
                ties.add(node.id)
        if not stable:
            continue
        reached: dict[str, Fraction] = {}
        stack = [(case.root, Fraction(1))]
        while stack:
            node, prob = stack.pop()
            if node.kind == "leaf":
                reached[node.id] = prob
            elif node.kind == "chance":
                stack += [
                    (c, prob * p.value)
                    for c, p in zip(node.children, node.probs, strict=True)
                    if p.value
                ]
            else:
                stack.append((node.children[choice[node.id]], prob))
        found.add(
            Pure(
                frozenset((v, ACTIONS[k]) for v, k in choice.items()),
                value[case.root.id],
                frozenset(reached.items()),
                frozenset(ties),
            )
        )
    return found


def solver_spe(tree: TreeScenario) -> tuple[set[Pure], bool, set[str]]:
    """solve_spe's equilibria in the oracle's terms, its ties flag and its tied nodes."""
    solution = solve_spe(tree)
    found = set()
    for e in solution.equilibria:
        choices = set()
        for player in e.strategies().values():
            for node_id, beta in player.items():
                assert beta is not None
                (played,) = [a for a, p in beta.items() if p]
                assert beta[played] == 1
                choices.add((node_id, played))
        found.add(
            Pure(
                frozenset(choices),
                e.payoffs,
                frozenset(e.reached.items()),
                frozenset(e.tied_nodes),
            )
        )
    assert len(found) == len(solution.equilibria)  # no SPE listed twice
    return found, solution.ties, set(solution.tied_nodes)


@settings(PROPERTY, max_examples=120)
@given(random_trees())
def test_solve_spe_equals_the_brute_force_oracle(case: Case) -> None:
    """On random badly scaled perfect-information trees solve_spe's SPE set is the oracle's."""
    tree = case.tree()
    expected = brute_force_spe(case)
    got, ties, tied_nodes = solver_spe(tree)
    assert got == expected
    every_tie = {v for e in expected for v in e.ties}
    assert ties == bool(every_tie)
    assert tied_nodes == every_tie


# --------------------------------------------------------------------------- sweeps

CRITERIA = ("k0", "k1", "k2")


@attrs.frozen
class SweepCase:
    """A tree, one swept path, and values for it that straddle an exact tie."""

    case: Case
    path: str
    values: tuple[Fraction, ...]


def node_value(tree: TreeScenario, node_id: str) -> tuple[Fraction, ...]:
    """The value of a node without decisions below it (leaves and chance nodes only)."""
    node = tree.node(node_id)
    if node.kind == "leaf":
        return node.payoffs
    assert node.kind == "chance"
    parts = [node_value(tree, tree.nodes[c].id) for c in node.children]
    return tuple(
        sum((p * x[i] for p, x in zip(node.probabilities, parts, strict=True)), Fraction(0))
        for i in range(len(tree.players))
    )


def tie_point(tree: TreeScenario, path: str) -> Fraction | None:
    """Where the root's mover values ``tree.x0`` (a lottery) and ``tree.x1`` (a leaf) alike.

    Both values are affine in the swept number, so the difference g is too: the tie is at
    -g(0) / (g(1) - g(0)), computed from the trees overridden at 0 and 1.
    """
    g = []
    for x in (0, 1):
        at = tree.with_overrides({path: x})
        g.append(node_value(at, "tree.x0")[0] - node_value(at, "tree.x1")[0])
    if g[0] == g[1]:
        return None
    return -g[0] / (g[1] - g[0])


def nearby(x: Fraction, probability: bool) -> list[Fraction]:
    """Values around ``x``: ulp-sized, 1e-9-relative and 1e-12-absolute steps both ways."""
    steps = [abs(x) * Fraction(10) ** -e for e in (15, 9, 3)] + [Fraction(10) ** -12, Fraction(1)]
    out = [x, -x, 2 * x] + [x + s for s in steps] + [x - s for s in steps]
    if probability:
        out = [v for v in out if 0 <= v <= 1]
    return out


@st.composite
def sweep_cases(draw: st.DrawFn, pooled: bool = True, mixed: bool = True) -> SweepCase:
    """A root of p0 over a lottery (x0), a leaf (x1) and a random subtree (x2), and a sweep.

    The swept number is a leaf payoff at x1 (``payoff``), a weight of p0 in a scored tree
    (``weight``), the lottery's first probability (``chance``) or any payoff of the random
    subtree (``deep``). The grid holds the exact tie of x0 and x1 when there is one, values
    a hair and further away on both sides, 0, and scaled values of both signs. Without
    ``pooled`` leaves share no numbers on purpose; without ``mixed`` every number of the
    tree lies within two decades somewhere from 1e-12 to 1e15 (so floats decide more).
    """
    kind = draw(st.sampled_from(["payoff", "weight", "chance", "deep"]))
    scored = kind == "weight" or (kind == "chance" and draw(st.booleans()))
    players = tuple(f"p{i}" for i in range(draw(st.integers(2, 3))))
    width = len(CRITERIA) if scored else len(players)
    low = draw(st.integers(-12, 11))
    band = MIXED if mixed else (low, low + 1)
    pool = draw(st.lists(scaled(band), min_size=1, max_size=3)) if pooled else []

    def leaf(node_id: str) -> RNode:
        values: tuple[Num | None, ...] = tuple(draw(numbers(pool, band)) for _ in range(width))
        if scored:  # a leaf need not score every criterion (unscored counts 0)
            values = tuple(v if draw(st.integers(0, 3)) else None for v in values)
        return RNode(node_id, "leaf", numbers=values)

    lottery = RNode(
        "tree.x0",
        "chance",
        children=(leaf("tree.x0.x0"), leaf("tree.x0.x1")),
        probs=draw(chance_probs(2)),
    )
    rest = draw(subtree("tree.x2", 1, len(players), width, pool, [1], band=band))
    root = RNode("tree", "decision", 0, (lottery, leaf("tree.x1"), rest))
    weights: tuple[tuple[Num | None, ...], ...] = ()
    if scored:
        weights = tuple(
            tuple(
                draw(scaled(band)) if draw(st.integers(0, 4)) else None
                for _ in range(len(CRITERIA))
            )
            for _ in players
        )
    case = Case(players, root, CRITERIA if scored else (), weights)
    if kind == "payoff":
        path = "tree.x1.payoffs.p0"
    elif kind == "weight":
        path = f"weights.p0.{draw(st.sampled_from(CRITERIA))}"
    elif kind == "chance":
        path = "tree.x0.chance.x0"
    else:
        leaves = [n for n in nodes_of(root) if n.kind == "leaf"]
        target = draw(st.sampled_from(leaves))
        path = f"{target.id}.payoffs.{draw(st.sampled_from(players))}"
    tree = case.tree()
    values: list[Fraction] = [Fraction(0)]
    tie = tie_point(tree, path) if kind != "deep" else None
    if tie is not None:
        values += nearby(tie, kind == "chance")
    if kind == "chance":
        values += [Fraction(t) for t in ("1e-12", "2e-12", "1e-15", "0.5", "0.999999999999", "1")]
    else:
        values += [draw(scaled(band)).value for _ in range(4)]
        if kind == "deep":  # the other leaves' payoffs: exact ties at the grid points
            values += sorted({x for e in nodes_of(root) if e.kind == "leaf" for x in
                              case.payoffs(e)})[:6]  # fmt: skip
    return SweepCase(case, path, tuple(sorted(set(values))))


#: Sweeps with and without pooled ties, over mixed scales or one scale band.
ANY_SWEEP = st.tuples(st.booleans(), st.booleans()).flatmap(lambda f: sweep_cases(*f))


def expected_rows(
    tree: TreeScenario, path: str, value: Fraction
) -> list[tuple[tuple[Fraction, ...], str, str, bool]]:
    """solve_spe's answer at one point, as sweep rows: payoffs (exact), outcome, path, ties."""
    at = tree.with_overrides({path: value})
    solution = solve_spe(at)
    numbers = at.numbers
    return sorted(
        (
            e.payoffs,
            ";".join(f"{at.nodes[v].id}={format(float(p), '.12g')}" for v, p in e.outcome),
            describe_path(at, e.behaviour, numbers.probabilities, show_chance=False),
            solution.ties,
        )
        for e in solution.equilibria
    )


def compare_sweep(sweep: SweepCase) -> None:
    """Check sweep_spe against solve_spe at every grid point of ``sweep``.

    Paths, outcomes and ties must be equal, and payoffs ``float`` of the exact values.
    """
    tree = sweep.case.tree()
    got = dict(sweep_spe(tree, [(sweep.path, list(sweep.values))]))
    assert sorted(got) == list(range(len(sweep.values)))
    players = tree.player_ids
    for point, value in enumerate(sweep.values):
        rows = got[point]
        assert all(row[sweep.path] == float(value) for row in rows)
        # SPE differing only off the path share a row's content: compare multisets.
        exact_rows = expected_rows(tree, sweep.path, value)
        keys = sorted((row["outcome"], row["path"], row["ties"]) for row in rows)
        assert keys == sorted((r[1], r[2], r[3]) for r in exact_rows), (point, value)
        expected = {(r[1], r[2], r[3]): r[0] for r in exact_rows}
        found = {
            (row["outcome"], row["path"], row["ties"]): tuple(row[f"payoff.{p}"] for p in players)
            for row in rows
        }
        for key, payoffs in expected.items():
            assert found[key] == tuple(float(x) for x in payoffs), (point, value)


@settings(PROPERTY, max_examples=120)
@given(ANY_SWEEP)
def test_sweep_spe_rows_equal_solve_spe_at_every_point(sweep: SweepCase) -> None:
    """Every grid point of sweep_spe holds solve_spe's SPE there, payoffs correctly rounded.

    Paths, outcomes and ties are equal, and every payoff is ``float`` of the exact one (it
    was not before E2's finding 1: the float pass added float terms, so scores 1e15 and
    -99999999999999.999 under weights 0.1 and 1 gave 0.005551115123125783 for an exact
    1/1000, and a leaf scored 1e-6 under weight 1e-12 read 9.999999999999999e-19).
    """
    compare_sweep(sweep)


CANCEL = """
name = "cancel"
[[players]]
id = "a"
[criteria.big]
label = "big"
[criteria.small]
label = "small"
[weights.a]
big = 0.1
small = 1
[tree]
player = "a"
[tree.keep]
scores = { small = -1e7 }
[tree.take]
scores = { big = 1e15, small = -99999999999999.999 }
"""


def test_a_cancelling_payoff_is_reported_correctly_rounded() -> None:
    """The minimal example of E2's finding 1: at weight 1/10, take is worth exactly 1/1000.

    1/10 x 1e15 - 99999999999999.999 = 1/1000 (and keep is worth -1e7, far below, so the
    float pass decides the point); the sweep reported 0.005551115123125783 before, and at
    weight 2/10 100000000000000.02 for 1e14 - 1/1000 (float: 100000000000000.0).
    """
    tree = TreeScenario.from_string(CANCEL)
    weight = [Fraction(1, 10), Fraction(2, 10)]
    (exact,) = solve_spe(tree).equilibria
    assert exact.payoffs == (Fraction(1, 1000),)
    rows = dict(sweep_spe(tree, [("weights.a.big", weight)]))
    assert rows[0][0]["path"] == "a: take"
    assert rows[0][0]["payoff.a"] == 0.001
    assert rows[1][0]["payoff.a"] == float(Fraction(10**14) - Fraction(1, 1000))


MIXED_SCALES = """
name = "mixed"
[[players]]
id = "a"
[[players]]
id = "b"
[tree]
player = "a"
[tree.big]
payoffs = { a = -1e15, b = 1e15 }
[tree.small]
player = "b"
[tree.small.low]
payoffs = { a = 1e-6, b = 1e-6 }
[tree.small.high]
payoffs = { a = 2e-6, b = 3e-6 }
"""


def counting_solve_spe(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls sweep_spe makes to solve_spe (one list entry per call)."""
    calls: list[int] = []
    original = spe_module.solve_spe

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(spe_module, "solve_spe", counted)
    return calls


def test_clear_comparisons_beside_huge_payoffs_are_decided_in_floats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Player b's choice of 1e-6 or 1.25e-6..3e-6 is certified beside a leaf worth 1e15.

    The old margin (1e-9 x the largest payoff, 1e6 here) sent every point to solve_spe;
    each comparison's own error bound is about 1e-21, so none goes there now, and the rows
    are solve_spe's (b takes high, a then prefers 2e-6 to -1e15), payoffs exact.
    """
    tree = TreeScenario.from_string(MIXED_SCALES)
    calls = counting_solve_spe(monkeypatch)
    values = [Fraction(k, 4) * Fraction(10) ** -6 for k in range(5, 13)]
    got = dict(sweep_spe(tree, [("tree.small.high.payoffs.b", values)]))
    assert calls == []
    monkeypatch.undo()
    for point, value in enumerate(values):
        (row,) = got[point]
        ((payoffs, outcome, path, ties),) = expected_rows(tree, "tree.small.high.payoffs.b", value)
        assert (row["outcome"], row["path"], row["ties"]) == (outcome, path, ties)
        assert (row["payoff.a"], row["payoff.b"]) == tuple(float(x) for x in payoffs)


NEAR_TIE = """
name = "near"
[[players]]
id = "a"
[[players]]
id = "b"
[tree]
player = "a"
[tree.left]
payoffs = { a = 1, b = 0 }
[tree.right]
player = "b"
[tree.right.up]
payoffs = { a = 1, b = 1 }
[tree.right.down]
payoffs = { a = 0, b = 0 }
"""


def test_a_near_tie_is_redecided_exactly_and_only_an_exact_tie_reaches_solve_spe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A's payoff 1 +- 1e-20 at up reads 1.0 in floats; the flagged comparison is redone.

    Exactly: below 1 a goes left, above 1 right (b then up), at 1 both are subgame perfect.
    Only the tie (two SPE) is solved by solve_spe; the other two points are re-decided
    from the exact numbers, and every row equals solve_spe's.
    """
    tree = TreeScenario.from_string(NEAR_TIE)
    path = "tree.right.up.payoffs.a"
    hair = Fraction(1, 10**20)
    values = [1 - hair, Fraction(1), 1 + hair]
    calls = counting_solve_spe(monkeypatch)
    got = dict(sweep_spe(tree, [(path, values)]))
    assert len(calls) == 1
    monkeypatch.undo()
    assert [r["path"] for r in got[0]] == ["a: left"]
    assert [r["path"] for r in got[2]] == ["a: right; b: up"]
    assert len(got[1]) == 2
    assert got[1][0]["ties"]
    for point, value in enumerate(values):
        rows = sorted(
            (tuple(r[f"payoff.{p}"] for p in ("a", "b")), r["outcome"], r["path"], r["ties"])
            for r in got[point]
        )
        exact = [
            (tuple(float(x) for x in e[0]), e[1], e[2], e[3])
            for e in expected_rows(tree, path, value)
        ]
        assert rows == sorted(exact), value


# --------------------------------------------------------------------------- explore


def regime_at(tree: TreeScenario, path: str, x: float) -> tuple[str, dict[str, float], bool]:
    """solve_spe's regime at a draw (its exact binary value), per-strategy means, degenerate.

    The label is the one path of play in words, or ``N equilibrium paths: A | B`` (sorted)
    when the SPE take several paths, as explore_tree's module docstring defines regimes.
    """
    at = tree.with_overrides({path: Fraction(x)})
    solution = solve_spe(at)
    numbers = at.numbers
    paths = sorted(
        {
            describe_path(at, e.behaviour, numbers.probabilities, show_chance=False)
            for e in solution.equilibria
        }
    )
    label = paths[0] if len(paths) == 1 else f"{len(paths)} equilibrium paths: " + " | ".join(paths)
    means: dict[str, float] = {}
    for e in solution.equilibria:
        for player in e.strategies().values():
            for node_id, beta in player.items():
                assert beta is not None
                for action, p in beta.items():
                    key = f"{node_id}:{action}"
                    means[key] = means.get(key, 0.0) + float(p) / len(solution.equilibria)
    degenerate = solution.ties or solution.degenerate or len(solution.equilibria) > 1
    return label, means, degenerate


@settings(PROPERTY, max_examples=8)
@given(ANY_SWEEP)
def test_explore_regimes_equal_solve_spe_at_every_draw(sweep: SweepCase) -> None:
    """Each explore draw on a badly scaled tree has solve_spe's regime there (2 x 300 draws).

    The draws come from a choice among the sweep's values (exact ties and values a hair
    away) as floats, and from a uniform distribution over their range.
    """
    tree = sweep.case.tree()
    floats = sorted({float(v) for v in sweep.values} | {0.0, 1e-12})
    choice = "choice:" + ",".join(repr(x) for x in floats)
    uniform = f"uniform:{floats[0]!r}:{floats[-1]!r}"
    known: dict[float, tuple[str, dict[str, float], bool]] = {}
    for dist in (choice, uniform):
        study = Study(
            tree,
            vary=[f"{sweep.path}={dist}"],
            samples=300,
            seed=5,
            analysis_samples=300,
            confidence_samples=0,
        )
        result = explore(study)
        rows = result.rows
        strategies = [s for _, s in result.plan.strategies]
        assert len(rows["regime"]) == 300
        for x, regime, probs, degenerate in zip(
            rows["x"][:, 0], rows["regime"], rows["probs"], rows["degenerate"], strict=True
        ):
            if float(x) not in known:
                known[float(x)] = regime_at(tree, sweep.path, float(x))
            label, means, tied = known[float(x)]
            assert regime == label, (dist, x)
            assert bool(degenerate) == tied, (dist, x)
            assert np.allclose(probs, [means[s] for s in strategies], rtol=0, atol=1e-12), x


# --------------------------------------------------------------------------- signalling

PRIORS = ("0", "1e-12", "0.25", "0.5", "0.3333333333333", "0.999999999999", "1")


@st.composite
def signalling_games(draw: st.DrawFn) -> str:
    """A two-type, two-message, two-response signalling game as TOML, badly scaled.

    The shape of ``random_signalling`` in tests/test_pbe.py (so its brute force applies),
    with a prior from :data:`PRIORS` (0 and 1 included) and payoffs from 1e-12 to 1e15,
    half of them from a small pool so that ties, and so continua of PBE, are common.
    """
    pool = draw(st.lists(scaled(), min_size=1, max_size=3))
    lines = [
        'name = "signal"',
        "[[players]]",
        'id = "s"',
        "[[players]]",
        'id = "r"',
        "[types.s]",
        f"t1 = {draw(st.sampled_from(PRIORS))}",
        't2 = "rest"',
        "[tree]",
        'player = "s"',
    ]
    for m in ("m1", "m2"):
        lines += [f"[tree.{m}]", 'player = "r"']
        for a in ("a", "b"):
            cells = {
                who: ", ".join(f"{t} = {draw(numbers(pool)).text}" for t in ("t1", "t2"))
                for who in ("s", "r")
            }
            lines += [
                f"[tree.{m}.{a}]",
                f"payoffs = {{ s = {{ {cells['s']} }}, r = {{ {cells['r']} }} }}",
            ]
    return "\n".join(lines) + "\n"


def assessments(tree: TreeScenario, e: PerfectBayesian) -> list[dict[int, tuple[Fraction, ...]]]:
    """Every belief system an equilibrium reports: Bayes on the path, interval ends off it."""
    options: list[list[tuple[Fraction, ...]]] = []
    for info in tree.infosets:
        if info.singleton:
            options.append([(Fraction(1),)])
        elif info.index in e.beliefs:
            options.append([tuple(e.beliefs[info.index][v] for v in info.nodes)])
        else:
            first, second = info.nodes
            low, high = e.off_path[info.index][first]
            assert e.off_path[info.index][second] == (1 - high, 1 - low)
            options.append([(low, 1 - low), (high, 1 - high)])
    return [dict(enumerate(choice)) for choice in itertools.product(*options)]


@settings(PROPERTY, max_examples=60)
@given(signalling_games())
def test_pbe_of_badly_scaled_signalling_games_verify_and_match_brute_force(text: str) -> None:
    """Every reported PBE verifies exactly at each reported belief; pure PBE = brute force."""
    tree = tree_from_string(text)
    solution = solve_pbe(tree, nash=False)
    assert solution.computed
    assert solution.equilibria
    for e in solution.equilibria:
        for beliefs in assessments(tree, e):
            assert verify_assessment(tree, e.behaviour, beliefs) == []
    brute = pure_pbe(tree)
    for profile in brute:
        assert in_solution(solution, profile)
    for e in solution.equilibria:
        if all(max(beta) == 1 for beta in e.behaviour):
            assert [tuple(beta) for beta in e.behaviour] in brute


TINY = """
name = "tiny"
[[players]]
id = "a"
[tree]
player = "a"
[tree.safe]
payoffs = { a = 0 }
[tree.gamble]
chance = { win = 0.5, lose = "rest" }
[tree.gamble.win]
payoffs = { a = 1 }
[tree.gamble.lose]
payoffs = { a = -1 }
"""


def test_a_probability_cancelling_to_zero_in_floats_is_solved_exactly() -> None:
    """At win = 1 - 1e-21 the lose branch is reached (1e-21), though 1 - float(win) is 0.0.

    solve_spe's path there is 'a: gamble; chance: win, lose'; the float pass of sweep_spe
    computes the probability of lose as exactly 0.0 (E2's finding 2: it used to report
    'a: gamble; chance: win' with the lose leaf dropped); its error bound (terms 1 and
    -1) leaves the sign unsure, so the point is re-decided with exact numbers.
    """
    tree = TreeScenario.from_string(TINY)
    path = "tree.gamble.chance.win"
    win = Fraction(1) - Fraction(1, 10**21)
    at = tree.with_overrides({path: win})
    (exact,) = solve_spe(at).equilibria
    assert exact.reached == {"tree.gamble.win": win, "tree.gamble.lose": 1 - win}
    rows = dict(sweep_spe(tree, [(path, [win, Fraction(1)])]))
    assert rows[0][0]["path"] == "a: gamble; chance: win, lose"
    assert rows[0][0]["outcome"] == "tree.gamble.win=1;tree.gamble.lose=1e-21"
