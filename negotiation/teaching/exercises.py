"""Classroom exercises whose answers and explanations are computed, with a forgiving checker.

Each exercise's correct answer is computed by the library from the catalogue when it is
checked, never stored, and so is every number its question, hint and explanation print:
the texts are templates without numbers, filled in from facts the library computes from the
scenario (payoffs, indifference lines, thresholds). An exercise therefore cannot drift from
the games it is about. Use :func:`check` in a notebook::

    >>> check("chicken-swerve", "9/10").correct
    True
    >>> print(check("chicken-swerve", 0.5))  # doctest: +ELLIPSIS
    Not yet (chicken-swerve). Hint: In the mixed equilibrium each driver makes the other ...
    >>> print(check("chicken-swerve", "90%").message)  # doctest: +ELLIPSIS
    Correct (chicken-swerve). Against Driver A playing swerve with probability p, ...

How answers are read (:func:`check`):

- *probabilities* and other *numbers*: a fraction (``"3/13"``, a
  :class:`~fractions.Fraction`), or a decimal (number or string) rounded to at least the
  number of places the question states, e.g. ``0.23`` or ``"0.2308"`` for 3/13 when the
  question asks for 2 decimals; a float computed in Python (``3 / 13``) counts as exact;
  a probability may also be a percentage (``"23%"``, ``"23.08 %"``). A decimal with too
  few places, or close but wrongly rounded, is told so, without the reasoning hint.
- *counts*: a whole number, as a number or a string (``3``, ``"3"``).
- *strategies*: a strategy id or label of the player asked about, in any case; *pairs* and
  *dicts* of them as each question shows.
- *actions* in a game tree: an action id or label at the node the question names (its
  answer format says whose move and where), in any case.

An answer that cannot be read is told so, with how it was read and what was expected; the
reasoning hint is kept for answers that are read and wrong. ``...`` (the placeholder in the
student notebook) is "not answered yet". :func:`solution` returns the computed answer.
The notebook ``notebooks/03-classroom-exercises.ipynb`` and its solutions version are
generated from :data:`EXERCISES` by ``notebooks/make_exercises.py``.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal

import attrs

from negotiation.model.catalogue import load_matrix, load_tree
from negotiation.model.payoffs import Game, payoff_matrices
from negotiation.model.scenario import Scenario
from negotiation.model.tree import TreeScenario
from negotiation.solvers.equilibria import Equilibrium, solve
from negotiation.solvers.reduced import ReducedEquilibrium, solve_reduced
from negotiation.solvers.spe import SubgamePerfect, solve_spe

#: A float answer this close (relative to max(1, |answer|)) to the exact answer is that
#: answer computed in floating point, e.g. ``3 / 13``; typed decimals are judged by rounding.
FLOAT_TOLERANCE = 1e-9

#: Decimal places a numeric question asks for unless it says otherwise.
PLACES = 2

Kind = Literal["probability", "number", "count", "strategy", "pairs", "dict", "action"]
Status = Literal["correct", "wrong", "imprecise", "unreadable", "unanswered"]
Facts = Mapping[str, object]


@attrs.frozen
class Feedback:
    """The verdict on one answer: right or wrong, why, and what to read next.

    ``status`` is ``"correct"``; ``"wrong"`` (read, and wrong: the hint follows);
    ``"imprecise"`` (read, and right but for its rounding: too few decimals or wrongly
    rounded); ``"unreadable"`` (not read as an answer of the kind asked: the message says
    how it was read and what was expected); or ``"unanswered"``.
    """

    exercise: str
    status: Status
    headline: str
    detail: str = ""

    @property
    def correct(self) -> bool:
        """Whether the answer is right."""
        return self.status == "correct"

    @property
    def message(self) -> str:
        """The whole verdict as one line of text."""
        return f"{self.headline}. {self.detail}".rstrip()

    def __str__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        return f"**{self.headline}.** {self.detail}".rstrip()


@attrs.frozen
class Affine:
    """An exact affine function ``slope * x + intercept`` of one variable, printed as in class.

    Expected payoffs are affine in a probability and, in a weighted-criteria scenario, in
    any one weight; the explanations print them as ``11p - 10`` or ``2w - 5.8``.
    """

    slope: Fraction
    intercept: Fraction
    var: str = "p"

    def __call__(self, x: Fraction | int) -> Fraction:
        """The value at ``x``, exactly."""
        return self.slope * x + self.intercept

    def root_with(self, other: Affine) -> Fraction:
        """Where this line meets ``other`` (they must not be parallel)."""
        return (other.intercept - self.intercept) / (self.slope - other.slope)

    def __str__(self) -> str:
        if self.slope == 0:
            return _num(self.intercept)
        if self.slope in (1, -1):
            term = f"{'-' if self.slope < 0 else ''}{self.var}"
        else:
            term = f"{_num(self.slope)}{self.var}"
        if self.intercept == 0:
            return term
        if self.slope < 0:  # "1 - 2p" reads better than "-2p + 1"
            return f"{_num(self.intercept)} - {term[1:]}"
        sign = "-" if self.intercept < 0 else "+"
        return f"{term} {sign} {_num(abs(self.intercept))}"


@attrs.frozen
class Exercise:
    """A question, how to compute its answer and its facts, how to read an answer, a hint.

    ``question_template``, ``hint_template`` and ``explanation_template`` hold no numbers of
    their own (the test suite checks this): each number they show is a ``{field}`` filled
    from ``facts()``, which the library computes from the scenario. ``question`` adds the
    answer format (for numbers, the decimal places that count as right).
    """

    id: str
    title: str
    topic: str
    kind: Kind
    question_template: str
    hint_template: str
    explanation_template: str
    answer: Callable[[], Any]
    facts: Callable[[], Facts] = dict
    #: The catalogue game whose strategies and players answers name (strategy/pairs/dict).
    game: str = ""
    #: For a strategy answer, the player (0 = rows, 1 = columns) whose strategy is asked.
    player: int = 0
    #: For numeric answers, the decimal places a decimal must have (at least) to count.
    places: int = PLACES
    #: For an action answer, the node of the game tree ``game`` whose action is asked.
    node: str = ""

    @property
    def question(self) -> str:
        """The question with its numbers filled in, and the answer format it accepts."""
        return f"{self._render(self.question_template)}\n\n*Answer format:* {self.answer_format}"

    @property
    def hint(self) -> str:
        """The hint shown under a wrong answer, numbers filled in."""
        return self._render(self.hint_template)

    @property
    def explanation(self) -> str:
        """The explanation shown under a right answer, numbers computed from the scenario."""
        return self._render(self.explanation_template)

    @property
    def answer_format(self) -> str:
        """What answers are accepted, in words (the precision, for numbers)."""
        decimals = f"a decimal rounded to {self.places} places or more (such as `0.29`)"
        if self.kind == "probability":
            return (
                f"a fraction (such as `2/7`), {decimals}, or a percentage (such as `29%`), "
                "as a number or a string."
            )
        if self.kind == "number":
            return f"an exact number (such as `5/2` or `2.5`) or {decimals}."
        if self.kind == "count":
            return "a whole number."
        if self.kind == "strategy":
            return f"a strategy id or label of {_who(self._scenario(), self.player)}, in any case."
        if self.kind == "action":
            return (
                f"an action id or label of {_mover(load_tree(self.game), self.node)}, in any case."
            )
        return "as in the example above; strategy ids or labels, in any case."

    def check(self, answer: Any) -> Feedback:
        """Say whether ``answer`` is right, as :func:`check` does for a registered exercise.

        Lets a teacher try an exercise of their own without adding it to :data:`EXERCISES`.
        """
        eid = self.id
        if answer is ... or answer is None:
            return Feedback(eid, "unanswered", f"Not answered yet ({eid})")
        try:
            status, note = _grade(self, answer)
        except _UnreadableError as error:
            return Feedback(eid, "unreadable", f"Could not read the answer ({eid})", str(error))
        if status == "correct":
            return Feedback(eid, "correct", f"Correct ({eid})", _join(note, self.explanation))
        if status == "imprecise":
            return Feedback(eid, "imprecise", f"Nearly ({eid})", note)
        return Feedback(eid, "wrong", f"Not yet ({eid})", _join(note, f"Hint: {self.hint}"))

    def _render(self, template: str) -> str:
        facts = self.facts()
        return template.format(**{k: _text(v) for k, v in facts.items()})

    def _scenario(self) -> Scenario:
        return load_matrix(self.game)


# --- Formatting exact numbers --------------------------------------------------------------


def _num(x: Fraction | int) -> str:
    """An exact number as a reader writes it: ``4``, ``-5.8`` (a short decimal) or ``3/13``."""
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:  # a terminating decimal
        return format(Decimal(x.numerator) / Decimal(x.denominator), "f")
    return f"{x.numerator}/{x.denominator}"


def _frac(x: Fraction) -> str:
    """A probability as a class writes it: always a fraction (``9/10``, ``1``)."""
    return str(Fraction(x))


def _and(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return ", ".join(items[:-1]) + " and " * (len(items) > 1) + items[-1]


def _text(value: object) -> str:
    if isinstance(value, Fraction | int) and not isinstance(value, bool):
        return _num(value)
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _matrix(rows: Sequence[Sequence[int]]) -> str:
    return "[" + ", ".join("[" + ", ".join(str(x) for x in row) + "]" for row in rows) + "]"


def _who(scenario: Scenario, k: int) -> str:
    """A player as a sentence names it: "the row player (United States)"."""
    return f"the {('row', 'column')[k]} player ({scenario.players[k].label})"


# --- Facts computed from the games ---------------------------------------------------------


def _indifference(game: Game, mixer: int, strategy: int) -> tuple[tuple[Affine, Affine], Fraction]:
    """The other player's two payoff lines when ``mixer`` plays ``strategy`` with probability p.

    In a 2x2 game, a mixed equilibrium has each player's mix make the other indifferent
    between their two strategies (the indifference characterisation of mixed equilibria:
    M. J. Osborne, An Introduction to Game Theory, 2004, ch. 4). Returns the other player's
    expected payoff of each of their strategies as a function of p, and the p where the
    two are equal.
    """
    other = 1 - strategy
    lines = []
    for own in (0, 1):
        if mixer == 0:  # the row player mixes; the column player's payoffs, column `own`
            here, there = game.B[strategy][own], game.B[other][own]
        else:  # the column player mixes; the row player's payoffs, row `own`
            here, there = game.A[own][strategy], game.A[own][other]
        lines.append(Affine(here - there, there))
    first, second = lines
    return (first, second), first.root_with(second)


def _mixed(name: str, player: int, strategy: int) -> Fraction:
    """Probability of a strategy in the (unique) fully mixed equilibrium of a catalogue game."""
    mixed = [e for e in solve(load_matrix(name), "exact").equilibria if not e.pure]
    return (mixed[0].row if player == 0 else mixed[0].col)[strategy]


def _mix_facts(name: str, mixer: int, strategy: int) -> Facts:
    """Facts for "with what probability does ``mixer`` play ``strategy``" in a 2x2 game."""
    scenario = load_matrix(name)
    (first, second), p = _indifference(payoff_matrices(scenario), mixer, strategy)
    other = scenario.players[1 - mixer]
    return {
        "mixer": scenario.players[mixer].label,
        "strategy": scenario.players[mixer].strategy_ids[strategy],
        "other": other.label,
        "first": other.strategy_ids[0],
        "second": other.strategy_ids[1],
        "first_pays": first,
        "second_pays": second,
        "p": _frac(p),
    }


MIX_EXPLANATION = (
    "Against {mixer} playing {strategy} with probability p, {other}'s {first} pays "
    "{first_pays} and {second} pays {second_pays}; they are equal at p = {p}, so only then "
    "is {other} willing to mix, and any other p leaves {other} a strictly better reply."
)


def _dominance(scenario: Scenario, game: Game, player: int) -> tuple[int | None, str]:
    """A player's strictly dominant strategy (or None), and the payoffs that show it."""
    me = scenario.players[player]
    rows = game.A if player == 0 else tuple(zip(*game.B, strict=True))
    for s, row in enumerate(rows):
        others = [r for k, r in enumerate(rows) if k != s]
        if all(all(a > b for a, b in zip(row, o, strict=True)) for o in others):
            rest = "; ".join(
                f"{me.strategy_ids[k]} pays {_text(list(r))}" for k, r in enumerate(rows) if k != s
            )
            return s, f"{me.label}'s {me.strategy_ids[s]} pays {_text(list(row))}, and {rest}"
    return None, ""


def _dominant() -> dict[str, str]:
    scenario = load_matrix("prisoners-dilemma")
    game = payoff_matrices(scenario)
    result = {}
    for k, player in enumerate(scenario.players):
        s, _ = _dominance(scenario, game, k)
        if s is not None:
            result[player.id] = player.strategy_ids[s]
    return result


def _dominant_facts() -> Facts:
    scenario = load_matrix("prisoners-dilemma")
    game = payoff_matrices(scenario)
    (eq,) = solve(scenario, "exact").equilibria
    row, col = scenario.players
    better = [
        f"({row.strategy_ids[r]}, {col.strategy_ids[c]}) would pay both more "
        f"({_num(game.A[r][c])}, {_num(game.B[r][c])}): the dilemma"
        for r in range(len(game.A))
        for c in range(len(game.A[0]))
        if game.A[r][c] > eq.payoffs[0] and game.B[r][c] > eq.payoffs[1]
    ]
    return {
        "row_reason": _dominance(scenario, game, 0)[1],
        "col_reason": _dominance(scenario, game, 1)[1],
        "other": col.label,
        "columns": " and ".join(col.strategy_ids),
        "keys": f'`{{"{row.id}": "...", "{col.id}": "..."}}`',
        "equilibrium": _profile(scenario, eq),
        "eq_payoffs": list(eq.payoffs),
        "dilemma": f", though {better[0]}" if better else "",
    }


def _profile(scenario: Scenario, eq: Equilibrium) -> str:
    """An equilibrium in words: ``(stag, stag)``, or who mixes what with which probability."""
    row, col = scenario.players
    if eq.pure:
        return f"({row.strategy_ids[eq.support[0][0]]}, {col.strategy_ids[eq.support[1][0]]})"
    parts = []
    for player, mix in ((row, eq.row), (col, eq.col)):
        played = [(player.strategy_ids[k], p) for k, p in enumerate(mix) if p > 0]
        if len(played) == 1:
            parts.append(f"{player.label} plays {played[0][0]}")
        elif len(played) == 2:  # the other probability follows
            parts.append(
                f"{player.label} plays {played[0][0]} with probability {_frac(played[0][1])}"
            )
        else:
            mixes = [f"{sid} with probability {_frac(p)}" for sid, p in played]
            parts.append(f"{player.label} plays {_and(mixes)}")
    return "a mixed one in which " + " and ".join(parts)


def _pure_pairs(name: str) -> set[tuple[str, str]]:
    scenario = load_matrix(name)
    row, col = scenario.players
    return {
        (row.strategy_ids[e.support[0][0]], col.strategy_ids[e.support[1][0]])
        for e in solve(scenario, "exact").equilibria
        if e.pure
    }


def _pure_facts(name: str) -> Facts:
    """Each pure equilibrium with its payoffs, and for every other cell a profitable switch."""
    scenario = load_matrix(name)
    game = payoff_matrices(scenario)
    row, col = scenario.players
    kept, broken = [], []
    for r in range(len(game.A)):
        for c in range(len(game.A[0])):
            cell = f"({row.strategy_ids[r]}, {col.strategy_ids[c]})"
            up = max(range(len(game.A)), key=lambda k: game.A[k][c])
            right = max(range(len(game.A[0])), key=lambda k: game.B[r][k])
            if game.A[up][c] > game.A[r][c]:
                broken.append(
                    f"in {cell} {row.label} gains by switching to {row.strategy_ids[up]} "
                    f"({_num(game.A[r][c])} to {_num(game.A[up][c])})"
                )
            elif game.B[r][right] > game.B[r][c]:
                broken.append(
                    f"in {cell} {col.label} gains by switching to {col.strategy_ids[right]} "
                    f"({_num(game.B[r][c])} to {_num(game.B[r][right])})"
                )
            else:
                kept.append(f"{cell} pays ({_num(game.A[r][c])}, {_num(game.B[r][c])})")
    return {"kept": " and ".join(kept), "broken": "; ".join(broken)}


def _count_facts(name: str) -> Facts:
    scenario = load_matrix(name)
    equilibria = sorted(solve(scenario, "exact").equilibria, key=lambda e: not e.pure)
    return {"listed": _and([_profile(scenario, e) for e in equilibria]), "count": len(equilibria)}


#: The penalty the inspection exercises raise the target's penalty to.
INSPECTION_PENALTY = 10


def _inspection(penalty: int, player: int) -> Fraction:
    scenario = load_matrix("inspection-criteria", {"weights.target.penalty": penalty})
    (eq,) = solve(scenario, "exact").equilibria
    return eq.col[0] if player == 1 else eq.row[1]


def _inspection_facts() -> Facts:
    default = load_matrix("inspection-criteria")
    raised = load_matrix("inspection-criteria", {"weights.target.penalty": INSPECTION_PENALTY})
    target, sender = raised.players
    (comply, violate), e = _indifference(payoff_matrices(raised), 1, 0)
    (enforce, ignore), v = _indifference(payoff_matrices(raised), 0, 1)
    _, e_default = _indifference(payoff_matrices(default), 1, 0)
    _, v_default = _indifference(payoff_matrices(default), 0, 1)
    return {
        "default_penalty": default.weights["target"]["penalty"],
        "penalty": INSPECTION_PENALTY,
        "comply_pays": Affine(comply.slope, comply.intercept, "e"),
        "violate_pays": Affine(violate.slope, violate.intercept, "e"),
        "e": _frac(e),
        "e_default": _frac(e_default),
        "enforce_pays": Affine(enforce.slope, enforce.intercept, "v"),
        "ignore_pays": Affine(ignore.slope, ignore.intercept, "v"),
        "v": _frac(v),
        "v_default": _frac(v_default),
        "target": target.label,
        "sender": sender.label,
    }


def _rare_earth_default() -> str:
    scenario = load_matrix("rare-earth")
    (eq,) = solve(scenario, "exact").equilibria
    return scenario.players[0].strategy_ids[eq.support[0][0]]


def _rare_earth_default_facts() -> Facts:
    scenario = load_matrix("rare-earth")
    game = payoff_matrices(scenario)
    us, russia = scenario.players
    (eq,) = solve(scenario, "exact").equilibria
    s = eq.support[0][0]
    dominant, _ = _dominance(scenario, game, 0)
    others = [
        f"{us.strategy_ids[k]} pays {_text(list(row))}" for k, row in enumerate(game.A) if k != s
    ]
    verdict = (
        f"{us.strategy_ids[s]} pays more than every other strategy in every column, so it is "
        f"strictly dominant for the {us.label}"
        if dominant == s
        else f"{us.strategy_ids[s]} is the best reply to {russia.label}'s "
        f"{russia.strategy_ids[eq.support[1][0]]}"
    )
    return {
        "strategy": us.strategy_ids[s],
        "pays": list(game.A[s]),
        "columns": _and(russia.strategy_ids),
        "russia": russia.label,
        "others": " and ".join(others),
        "verdict": verdict,
    }


def _rare_earth_lines() -> tuple[Affine, Affine]:
    """The US payoffs of accept and diversify against the full offer, as lines in the weight w.

    w is the US's weight on supply security. Payoffs are affine in each weight (payoff = sum
    of weight x score), so the values at w = 0 and w = 1 fix each line; the tests check the
    lines at other weights.
    """
    scenario = load_matrix("rare-earth")
    us, russia = scenario.players
    accept, diversify = us.strategy_ids.index("accept"), us.strategy_ids.index("diversify")
    full = russia.strategy_ids.index("full")

    def payoff(w: int, row: int) -> Fraction:
        game = payoff_matrices(load_matrix("rare-earth", {"weights.us.supply_security": w}))
        return game.A[row][full]

    return tuple(  # type: ignore[return-value]
        Affine(payoff(1, row) - payoff(0, row), payoff(0, row), "w") for row in (accept, diversify)
    )


def _rare_earth_threshold() -> Fraction:
    """The supply-security weight at which accepting the full offer ties with diversifying."""
    accept, diversify = _rare_earth_lines()
    return accept.root_with(diversify)


def _rare_earth_threshold_facts() -> Facts:
    accept, diversify = _rare_earth_lines()
    w = accept.root_with(diversify)
    at = solve(load_matrix("rare-earth", {"weights.us.supply_security": w}), "exact")
    return {
        "accept_pays": accept,
        "diversify_pays": diversify,
        "w": w,
        "degenerate": (
            "the game is degenerate there: every mix of the two is a best reply to the full offer"
            if at.degenerate
            else "the game is not degenerate there"
        ),
        "default": load_matrix("rare-earth").weights["us"]["supply_security"],
    }


#: The degenerate game of the continuum exercise: both rows pay the row player the same
#: against the first column, so a whole segment of her mixes meets that column.
CONTINUUM_A = ((3, 0), (3, 1))
CONTINUUM_B = ((2, 0), (0, 1))


def _continuum_low() -> Fraction:
    game = Game.from_arrays(CONTINUUM_A, CONTINUUM_B)
    solution = solve(game, "exact")
    return min(e.row[0] for e in solution.equilibria if e.support[1] == (0,))


def _continuum_facts() -> Facts:
    game = Game.from_arrays(CONTINUUM_A, CONTINUUM_B)
    (first, second), _ = _indifference(game, 0, 0)
    ends = [e.row for e in solve(game, "exact").equilibria if e.support[1] == (0,)]
    low, high = min(ends, key=lambda x: x[0]), max(ends, key=lambda x: x[0])
    return {
        "A": _matrix(CONTINUUM_A),
        "B": _matrix(CONTINUUM_B),
        "first_pays": first,
        "second_pays": second,
        "low": f"({_num(low[0])}, {_num(low[1])})",
        "high": f"({_num(high[0])}, {_num(high[1])})",
        "p": _frac(low[0]),
        "row_first": _and([_num(game.A[0][0]), _num(game.A[1][0])]),
    }


# --- Facts computed from game trees --------------------------------------------------------

Behaviour = Sequence[tuple[Fraction, ...] | None]


def _where(tree: TreeScenario, v: int) -> str:
    """A node as a reader finds it: "at the start", or "after full, accept" (the actions)."""
    actions = []
    while v > 0:
        node = tree.nodes[v]
        actions.append(node.action)
        v = node.parent
    return "after " + ", ".join(reversed(actions)) if actions else "at the start"


def _mover(tree: TreeScenario, node_id: str) -> str:
    """The player moving at a node, and where: "Incumbent after in"."""
    node = tree.node(node_id)
    return f"{tree.players[node.player].label} ({_where(tree, node.index)})"


def _values(tree: TreeScenario, behaviour: Behaviour) -> list[tuple[Fraction, ...]]:
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
    return _and([f"{p.label} {_num(x)}" for p, x in zip(tree.players, payoffs, strict=True)])


#: The tree of the backward-induction exercise.
SEQUENTIAL = "rare-earth-sequential"


def _first_move() -> str:
    """What the first mover of the sequential rare-earth game does in its one SPE."""
    return _chosen(_only_spe(SEQUENTIAL), "tree")


def _backward_facts() -> Facts:
    """Each decision of the SPE, last movers first, with what every action pays the mover."""
    tree = load_tree(SEQUENTIAL)
    eq = _only_spe(SEQUENTIAL)
    values = _values(tree, eq.behaviour)
    steps = []
    decisions = [n for n in tree.nodes if n.kind == "decision"]
    for node in sorted(decisions, key=lambda n: (-n.depth, n.index)):
        k = node.player
        pays = ", ".join(
            f"{a} {_num(values[c][k])}" for a, c in zip(node.actions, node.children, strict=True)
        )
        steps.append(
            f"{_where(tree, node.index)} {tree.players[k].label} takes "
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
        "q": _frac(min(q)),
        "q_high": _frac(max(q)),
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
    values = _values(tree, eq.behaviour)

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
                f"with a {parent.label} with probability {_frac(beta[tree.nodes[v].action])}"
            )
    mix = eq.behaviour[infoset]
    assert mix is not None
    return {
        "mover": tree.players[bluff.player].label,
        "responder": tree.players[info.player].label,
        "bluff": BLUFF,
        "card": bluff.label,
        "others": _and(others),
        "first": first,
        "second": second,
        "first_pays": first_pays,
        "second_pays": second_pays,
        "b": _frac(first_pays.root_with(second_pays)),
        "mix": _frac(mix[0]),
        "value": eq.payoffs[bluff.player],
    }


EXERCISES: dict[str, Exercise] = {
    e.id: e
    for e in [
        Exercise(
            "dominant-strategies",
            "Dominant strategies",
            "dominance",
            "dict",
            "In `prisoners-dilemma`, which strategy is strictly dominant for each player? "
            "Answer with a dict such as {keys}.",
            "Compare each row of the row player's payoffs with the other row, entry by entry.",
            "Against {other}'s {columns}, {row_reason}; likewise {col_reason}. So the "
            "equilibrium is {equilibrium}, paying ({eq_payoffs}){dilemma}.",
            _dominant,
            _dominant_facts,
            game="prisoners-dilemma",
        ),
        Exercise(
            "pure-equilibria",
            "Pure equilibria",
            "pure equilibria",
            "pairs",
            "List every pure Nash equilibrium of `battle-of-the-sexes` as (row strategy, "
            'column strategy) pairs, e.g. `[("bach", "bach")]`.',
            "A cell is a pure equilibrium when neither player gains by switching alone: check "
            "every cell.",
            "Neither player gains by switching alone where {kept}; in the other cells, {broken}.",
            lambda: _pure_pairs("battle-of-the-sexes"),
            lambda: _pure_facts("battle-of-the-sexes"),
            game="battle-of-the-sexes",
        ),
        Exercise(
            "pennies-heads",
            "Matching pennies",
            "mixed equilibria",
            "probability",
            "In `matching-pennies`, with what probability does the Matcher play heads in "
            "equilibrium?",
            "The Matcher must leave the Mismatcher indifferent between heads and tails.",
            MIX_EXPLANATION,
            lambda: _mixed("matching-pennies", 0, 0),
            lambda: _mix_facts("matching-pennies", 0, 0),
        ),
        Exercise(
            "chicken-swerve",
            "Chicken",
            "mixed equilibria",
            "probability",
            "In `chicken`, with what probability does Driver A swerve in the mixed equilibrium?",
            "In the mixed equilibrium each driver makes the other indifferent between "
            "swerving and going straight.",
            MIX_EXPLANATION,
            lambda: _mixed("chicken", 0, 0),
            lambda: _mix_facts("chicken", 0, 0),
        ),
        Exercise(
            "stag-hunt-count",
            "Stag hunt",
            "multiple equilibria and coordination",
            "count",
            "How many Nash equilibria does `stag-hunt` have (pure and mixed)?",
            "Check every cell for a pure equilibrium, then look for a mix that makes stag and "
            "hare equally good.",
            "The equilibria are {listed}: {count} in all.",
            lambda: len(solve(load_matrix("stag-hunt"), "exact").equilibria),
            lambda: _count_facts("stag-hunt"),
        ),
        Exercise(
            "inspection-enforcement",
            "The inspection paradox (1)",
            "the inspection paradox",
            "probability",
            "In `inspection-criteria`, raise the target's penalty from {default_penalty} to "
            "{penalty} (`weights.target.penalty`). With what probability does the sender "
            "enforce in equilibrium now?",
            "The sender's mix must make the target indifferent: against enforcement with "
            "probability e, what do complying and violating pay?",
            "With the penalty at {penalty}, complying pays {comply_pays} and violating "
            "{violate_pays} against enforcement with probability e; they are equal at "
            "e = {e}. At the default penalty {default_penalty} the sender enforces with "
            "probability {e_default}: a harsher penalty means less enforcement "
            "(Tsebelis 1990).",
            lambda: _inspection(INSPECTION_PENALTY, 1),
            _inspection_facts,
        ),
        Exercise(
            "inspection-violation",
            "The inspection paradox (2)",
            "the inspection paradox",
            "probability",
            "With the penalty at {penalty}, with what probability does the target violate?",
            "The target's mix must make the sender indifferent; does the penalty enter the "
            "sender's payoffs?",
            "Against a target who violates with probability v, enforcing pays {enforce_pays} "
            "and ignoring {ignore_pays}: the penalty is not in the sender's payoffs. They are "
            "equal at v = {v}, at penalty {penalty} as at the default {default_penalty} "
            "(v = {v_default}): only the sender's costs fix it (Tsebelis 1990).",
            lambda: _inspection(INSPECTION_PENALTY, 0),
            _inspection_facts,
        ),
        Exercise(
            "rare-earth-default",
            "The rare-earth offer",
            "dominance",
            "strategy",
            "At the default weights of `rare-earth`, what does the US do in equilibrium?",
            "Compare the US's rows of payoffs column by column (`negotiation show rare-earth`).",
            "Against {russia}'s {columns}, {strategy} pays {pays} and {others}: {verdict}.",
            _rare_earth_default,
            _rare_earth_default_facts,
            game="rare-earth",
            player=0,
        ),
        Exercise(
            "rare-earth-threshold",
            "Where the US response flips",
            "degenerate games and continua",
            "number",
            "Above which weight on supply security (`weights.us.supply_security`, "
            "{default} by default) does the US accept Russia's full offer? Give the exact "
            "threshold.",
            "Against the full offer, write the US payoffs for accept and diversify as "
            "functions of the weight w and set them equal.",
            "Against the full offer, accept pays {accept_pays} and diversify "
            "{diversify_pays} at supply-security weight w: they tie at w = {w}, and "
            "{degenerate}.",
            _rare_earth_threshold,
            _rare_earth_threshold_facts,
        ),
        Exercise(
            "continuum-low",
            "A continuum of equilibria",
            "degenerate games and continua",
            "probability",
            "In the game A = {A}, B = {B}, the column player plays her first column in a "
            "whole segment of equilibria. What is the smallest probability of the first row "
            "in that segment?",
            "The column player must still weakly prefer her first column when the row player "
            "plays the first row with probability p.",
            "Against the first column the row player is indifferent (both rows pay "
            "{row_first}); the column player's first column pays {first_pays} and her second "
            "{second_pays}, so she keeps to the first while p >= {p}: every mix from {low} "
            "to {high} against the first column is an equilibrium.",
            _continuum_low,
            _continuum_facts,
        ),
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
}


def solution(exercise_id: str) -> Any:
    """The correct answer to an exercise, computed by the library."""
    return _exercise(exercise_id).answer()


def check(exercise_id: str, answer: Any) -> Feedback:
    """Say whether ``answer`` is right: with the explanation if so, else why not.

    An answer is first *read* (see the module docstring for the forms accepted); one that
    cannot be read gets a message saying how it was read and what was expected, one read
    and right but for its rounding is told so, and one read and wrong gets the hint.
    """
    return _exercise(exercise_id).check(answer)


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _exercise(exercise_id: str) -> Exercise:
    if exercise_id not in EXERCISES:
        raise KeyError(f"unknown exercise {exercise_id!r}; expected one of: {', '.join(EXERCISES)}")
    return EXERCISES[exercise_id]


class _UnreadableError(Exception):
    """An answer that cannot be read as the kind asked; the message says what was expected."""


def _grade(exercise: Exercise, answer: Any) -> tuple[Status, str]:
    """Read ``answer`` as the exercise's kind and compare it with the computed answer."""
    expected = exercise.answer()
    if exercise.kind in ("probability", "number"):
        return _grade_number(_read_number(answer, exercise.kind), expected, exercise.places)
    if exercise.kind == "count":
        return ("correct" if _read_count(answer) == expected else "wrong"), ""
    if exercise.kind == "action":
        given = _read_action(answer, load_tree(exercise.game), exercise.node)
        return ("correct" if given == expected else "wrong"), ""
    scenario = exercise._scenario()
    if exercise.kind == "strategy":
        given = _read_strategy(answer, scenario, exercise.player)
        return ("correct" if given == expected else "wrong"), ""
    if exercise.kind == "dict":
        return ("correct" if _read_dict(answer, scenario) == expected else "wrong"), ""
    pairs, note = _read_pairs(answer, scenario)
    return ("correct" if pairs == expected else "wrong"), note


# --- Reading numbers -----------------------------------------------------------------------


@attrs.frozen
class _Reading:
    """A numeric answer as read: exact value, decimal places (None: exact form), echo."""

    value: Fraction
    places: int | None
    computed: bool = False  # a Python float: compare within FLOAT_TOLERANCE too
    echo: str = ""  # "I read '50 %' as 0.5." for answers given as text
    percent: bool = False  # written as a percentage


_PERCENT = re.compile(r"^(?P<number>.*?)\s*%$")


def _read_number(answer: Any, kind: Kind) -> _Reading:
    """Read a fraction, decimal, percentage (for a probability) or number-like string."""
    what = "probability" if kind == "probability" else "number"
    forms = (
        "a fraction such as 2/7, a decimal such as 0.29 or a percentage such as 29%"
        if kind == "probability"
        else "a fraction such as 5/2 or a decimal such as 2.5"
    )
    if isinstance(answer, bool):
        raise _UnreadableError(f"{answer} is a yes/no value, not a {what}; expected {forms}.")
    if isinstance(answer, str):
        reading = _read_text(answer, kind, forms)
    elif isinstance(answer, Decimal):
        reading = _read_decimal(answer, answer, forms)
    elif isinstance(answer, numbers.Rational):
        reading = _Reading(Fraction(answer), None)  # an integer or fraction is exact
    elif isinstance(answer, numbers.Real):
        x = float(answer)
        if x != x or x in (float("inf"), float("-inf")):
            raise _UnreadableError(f"{x} is not a finite number; expected {forms}.")
        read = _read_decimal(Decimal(repr(x)), answer, forms)
        reading = _Reading(read.value, read.places, computed=True)
    else:
        raise _UnreadableError(f"{answer!r} is not a {what}; expected one {what}: {forms}.")
    if kind == "probability" and not 0 <= reading.value <= 1:
        value = _num(reading.value)
        percent = (
            f" For a percentage write it with %: '{value}%'."
            if 1 < reading.value <= 100 and not reading.percent
            else ""
        )
        raise _UnreadableError(
            _join(reading.echo, f"{value} is not a probability, which lies between 0 and 1.")
            + percent
        )
    return reading


def _read_text(text: str, kind: Kind, forms: str) -> _Reading:
    raw = text
    text = text.strip().replace("\u2212", "-").replace(" ", "")
    percent = _PERCENT.match(text)
    if percent:
        if kind != "probability":
            raise _UnreadableError(
                f"I read {raw!r} as a percentage, but this question asks for a number, not a "
                f"probability; expected {forms}."
            )
        number = percent.group("number")
        inner = _read_text(number, "number", forms)
        value = inner.value / 100
        # "23%" is 0.23, two decimal places; only a fraction of a percent ("300/13%") is exact.
        places = None if "/" in number else (inner.places or 0) + 2
        return _Reading(value, places, echo=f"I read {raw!r} as {_num(value)}.", percent=True)
    if "," in text and "." not in text and "/" not in text:
        raise _UnreadableError(
            f"I read {raw!r} as text: write decimals with a point, as {text.replace(',', '.')!r}."
        )
    if "/" in text:
        numerator, _, denominator = text.partition("/")
        try:
            value = Fraction(int(numerator), int(denominator))
        except ValueError:
            raise _UnreadableError(
                f"{raw!r} is not a fraction of whole numbers; expected {forms}."
            ) from None
        except ZeroDivisionError:
            raise _UnreadableError(f"{raw!r} divides by zero; expected {forms}.") from None
        return _Reading(value, None, echo=f"I read {raw!r} as {_num(value)}.")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _UnreadableError(f"{raw!r} is not a number; expected {forms}.") from None
    reading = _read_decimal(number, raw, forms)
    return attrs.evolve(reading, echo=f"I read {raw!r} as {_num(reading.value)}.")


def _read_decimal(number: Decimal, raw: object, forms: str) -> _Reading:
    if not number.is_finite():
        raise _UnreadableError(f"{raw!r} is not a finite number; expected {forms}.")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite, so not 'n', 'N' or 'F'
    # A whole number (no decimals) is read as exact, like a fraction.
    return _Reading(Fraction(number), -exponent if exponent < 0 else None)


def _grade_number(reading: _Reading, expected: Fraction, places: int) -> tuple[Status, str]:
    """Compare a read number with the exact answer, judging decimals by their rounding.

    A decimal with k places is right when it is the answer rounded to k places and k is at
    least the places the question asks for; with too few places, or within a unit of the
    asked precision but wrongly rounded, it is "imprecise": the reasoning is right.
    """
    value, echo = reading.value, reading.echo
    if value == expected:
        return "correct", ""
    scale = max(Fraction(1), abs(expected))
    if reading.computed and abs(value - expected) <= Fraction(FLOAT_TOLERANCE) * scale:
        return "correct", ""
    k = reading.places
    if k is None:  # an exact form (whole number or fraction), and not the answer
        return "wrong", echo
    error = abs(value - expected)
    shown = _num(value)
    if error <= Fraction(1, 2 * 10**k):  # the answer rounded to k places
        if k >= places:
            return "correct", f"{shown} is {_num(expected)} rounded to {k} decimals."
        return "imprecise", _join(
            echo,
            f"{shown} has {k} decimal{'s' if k != 1 else ''}; the question asks for at least "
            f"{places}, or an exact fraction.",
        )
    if k >= places and error < Fraction(1, 10**places):
        return "imprecise", _join(
            echo,
            f"{shown} is close, but not the answer rounded to {k} decimals: check the "
            "arithmetic and round to the nearest (not down), or give an exact fraction.",
        )
    return "wrong", echo


def _read_count(answer: Any) -> int:
    expected = "a whole number such as 2 (or '2')"
    if isinstance(answer, bool):
        raise _UnreadableError(f"{answer} is a yes/no value, not a count; expected {expected}.")
    if isinstance(answer, str):
        try:
            value = Fraction(Decimal(answer.strip()))
        except (InvalidOperation, ValueError, OverflowError):
            raise _UnreadableError(f"{answer!r} is not a number; expected {expected}.") from None
    elif isinstance(answer, numbers.Rational):
        value = Fraction(answer)
    elif isinstance(answer, numbers.Real):
        try:
            value = Fraction(float(answer))
        except (ValueError, OverflowError):
            raise _UnreadableError(
                f"{answer!r} is not a finite number; expected {expected}."
            ) from None
    else:
        raise _UnreadableError(f"{answer!r} is not a number; expected {expected}.")
    if value.denominator != 1 or value < 0:
        raise _UnreadableError(f"I read {answer!r} as {_num(value)}; a count is {expected}.")
    return value.numerator


# --- Reading strategies --------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _read_strategy(answer: Any, scenario: Scenario, k: int) -> str:
    """The id of player ``k``'s strategy an answer names by id or label, in any case."""
    player = scenario.players[k]
    if isinstance(answer, str):
        for strategy in player.strategies:
            if _key(answer) in (_key(strategy.id), _key(strategy.label)):
                return strategy.id
    choices = ", ".join(
        s.id if _key(s.id) == _key(s.label) else f"{s.id} ({s.label})" for s in player.strategies
    )
    raise _UnreadableError(
        f"{answer!r} is not a strategy of {_who(scenario, k)}; expected one of: {choices} "
        "(an id or label, in any case)."
    )


def _read_action(answer: Any, tree: TreeScenario, node_id: str) -> str:
    """The action at a tree node that an answer names by id or label, in any case."""
    node = tree.node(node_id)
    labels = [tree.nodes[c].label or a for a, c in zip(node.actions, node.children, strict=True)]
    if isinstance(answer, str):
        for action, label in zip(node.actions, labels, strict=True):
            if _key(answer) in (_key(action), _key(label)):
                return action
    choices = ", ".join(
        a if _key(a) == _key(b) else f"{a} ({b})" for a, b in zip(node.actions, labels, strict=True)
    )
    raise _UnreadableError(
        f"{answer!r} is not an action of {_mover(tree, node_id)}; expected one of: {choices} "
        "(an id or label, in any case)."
    )


def _read_player(answer: Any, scenario: Scenario) -> int:
    if isinstance(answer, str):
        for k, player in enumerate(scenario.players):
            if _key(answer) in (_key(player.id), _key(player.label)):
                return k
    choices = ", ".join(f"{p.id} ({p.label})" for p in scenario.players)
    raise _UnreadableError(f"{answer!r} is not a player of this game; expected: {choices}.")


def _read_dict(answer: Any, scenario: Scenario) -> dict[str, str]:
    players = scenario.players
    example = "{" + ", ".join(f'"{p.id}": "..."' for p in players) + "}"
    if not isinstance(answer, Mapping):
        raise _UnreadableError(
            f"{answer!r} is not a dict; expected a strategy for each player, as {example}."
        )
    read: dict[str, str] = {}
    for key, value in answer.items():
        k = _read_player(key, scenario)
        read[players[k].id] = _read_strategy(value, scenario, k)
    missing = [p.id for p in players if p.id not in read]
    if missing:
        raise _UnreadableError(
            f"No strategy for {', '.join(missing)}; expected one for each player, as {example}."
        )
    return read


def _read_pairs(answer: Any, scenario: Scenario) -> tuple[set[tuple[str, str]], str]:
    """A collection of (row strategy, column strategy) pairs; a lone pair counts as one."""
    row, col = scenario.players
    example = f'[("{row.strategy_ids[0]}", "{col.strategy_ids[0]}")]'
    if isinstance(answer, str | Mapping) or not isinstance(answer, Iterable):
        raise _UnreadableError(
            f"{answer!r} is not a list of pairs; expected a list such as {example}."
        )
    items = list(answer)
    note = ""
    if len(items) == 2 and all(isinstance(x, str) for x in items):
        items, note = [tuple(items)], f"I read {answer!r} as the one pair {tuple(items)!r}."
    pairs = set()
    for item in items:
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
            raise _UnreadableError(
                f"{item!r} is not a (row strategy, column strategy) pair; expected a list "
                f"such as {example}."
            )
        pairs.add((_read_strategy(item[0], scenario, 0), _read_strategy(item[1], scenario, 1)))
    return pairs, note
