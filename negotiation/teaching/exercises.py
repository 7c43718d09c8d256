"""Classroom exercises with check functions that say right or wrong, with a hint.

Each exercise's correct answer is computed by the library from the catalogue when it is
checked, never stored, so an exercise cannot drift from the games it is about. Use
:func:`check` in a notebook::

    >>> check("chicken-swerve", "9/10").correct
    True
    >>> print(check("chicken-swerve", 0.5))  # doctest: +ELLIPSIS
    Not yet (chicken-swerve). Hint: In the mixed equilibrium each driver makes the other ...

Answers may be numbers (``0.9``, ``"9/10"``, a Fraction), strategy ids or labels (any
case), or collections of them, as each question says. ``...`` (the placeholder in the
student notebook) is "not answered yet". :func:`solution` returns the computed answer.
The notebook ``notebooks/03-classroom-exercises.ipynb`` and its solutions version are
generated from :data:`EXERCISES` by ``notebooks/make_exercises.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

import attrs

from negotiation.model.catalogue import load
from negotiation.model.payoffs import Game, payoff_matrices
from negotiation.solvers.equilibria import solve

#: Numeric answers within this distance of the right value count as right.
TOLERANCE = 1e-6


@attrs.frozen
class Feedback:
    """The verdict on one answer: right or wrong, and what to read next."""

    exercise: str
    correct: bool
    message: str

    def __str__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        head, _, tail = self.message.partition(". ")
        return f"**{head.rstrip('.')}.** {tail}".rstrip()


@attrs.frozen
class Exercise:
    """A question, how to compute its answer, how to compare an answer, and a hint."""

    id: str
    title: str
    topic: str
    question: str
    hint: str
    explanation: str
    answer: Callable[[], Any]
    kind: str  # "number", "strategy", "pairs", "count" or "dict"


def _mixed(name: str, player: int, strategy: int) -> Fraction:
    """Probability of a strategy in the (unique) fully mixed equilibrium of a catalogue game."""
    mixed = [e for e in solve(load(name), "exact").equilibria if not e.pure]
    return (mixed[0].row if player == 0 else mixed[0].col)[strategy]


def _dominant() -> dict[str, str]:
    scenario = load("prisoners-dilemma")
    game = payoff_matrices(scenario)
    result = {}
    for player, matrix in zip(
        scenario.players, (game.A, list(zip(*game.B, strict=True))), strict=True
    ):
        for s, row in enumerate(matrix):
            others = [r for k, r in enumerate(matrix) if k != s]
            if all(all(a > b for a, b in zip(row, other, strict=True)) for other in others):
                result[player.id] = player.strategy_ids[s]
    return result


def _pure_pairs(name: str) -> set[tuple[str, str]]:
    scenario = load(name)
    row, col = scenario.players
    return {
        (row.strategy_ids[e.support[0][0]], col.strategy_ids[e.support[1][0]])
        for e in solve(scenario, "exact").equilibria
        if e.pure
    }


def _inspection(penalty: int, player: int) -> Fraction:
    scenario = load("inspection-criteria", {"weights.target.penalty": penalty})
    (eq,) = solve(scenario, "exact").equilibria
    return eq.col[0] if player == 1 else eq.row[1]


def _rare_earth_default() -> str:
    (eq,) = solve(load("rare-earth"), "exact").equilibria
    return load("rare-earth").players[0].strategy_ids[eq.support[0][0]]


def _rare_earth_threshold() -> Fraction:
    """The supply-security weight at which accepting the full offer ties with diversifying.

    Payoffs are affine in the weight, so the tie solves d(0) + t (d(1) - d(0)) = 0, where
    d(w) is accept minus diversify against the full offer at weight w.
    """

    def gap(w: int) -> Fraction:
        game = payoff_matrices(load("rare-earth", {"weights.us.supply_security": w}))
        return game.A[0][0] - game.A[2][0]

    return gap(0) / (gap(0) - gap(1))


def _continuum_low() -> Fraction:
    game = Game.from_arrays([[3, 0], [3, 1]], [[2, 0], [0, 1]])
    solution = solve(game, "exact")
    return min(e.row[0] for e in solution.equilibria if e.support[1] == (0,))


EXERCISES: dict[str, Exercise] = {
    e.id: e
    for e in [
        Exercise(
            "dominant-strategies",
            "Dominant strategies",
            "dominance",
            "In `prisoners-dilemma`, which strategy is strictly dominant for each player? "
            'Answer with a dict such as `{"row": "...", "column": "..."}`.',
            "Compare each row of the row player's payoffs with the other row, entry by entry.",
            "Defecting pays more than cooperating whatever the other prisoner does, for both.",
            _dominant,
            "dict",
        ),
        Exercise(
            "pure-equilibria",
            "Pure equilibria",
            "pure equilibria",
            "List every pure Nash equilibrium of `battle-of-the-sexes` as (row strategy, "
            'column strategy) pairs, e.g. `[("bach", "bach")]`.',
            "A cell is a pure equilibrium when neither player gains by switching alone: check "
            "all four cells.",
            "Both coordination outcomes are equilibria; the mismatched cells are not.",
            lambda: _pure_pairs("battle-of-the-sexes"),
            "pairs",
        ),
        Exercise(
            "pennies-heads",
            "Matching pennies",
            "mixed equilibria",
            "In `matching-pennies`, with what probability does the Matcher play heads in "
            "equilibrium?",
            "The Matcher must leave the Mismatcher indifferent between heads and tails.",
            "Only a 50-50 mix leaves the opponent nothing to exploit.",
            lambda: _mixed("matching-pennies", 0, 0),
            "number",
        ),
        Exercise(
            "chicken-swerve",
            "Chicken",
            "mixed equilibria",
            "In `chicken`, with what probability does Driver A swerve in the mixed equilibrium?",
            "In the mixed equilibrium each driver makes the other indifferent between "
            "swerving and going straight.",
            "Swerving pays -(1-p) and going straight 11p - 10 against a driver who swerves "
            "with probability p; they are equal at p = 9/10.",
            lambda: _mixed("chicken", 0, 0),
            "number",
        ),
        Exercise(
            "stag-hunt-count",
            "Stag hunt",
            "multiple equilibria and coordination",
            "How many Nash equilibria does `stag-hunt` have (pure and mixed)?",
            "Two pure coordination outcomes, and look for a mix that makes stag and hare "
            "equally good.",
            "Both hunt stag, both hunt hare, and a mixed equilibrium in which each hunts stag "
            "with probability 3/4.",
            lambda: len(solve(load("stag-hunt"), "exact").equilibria),
            "count",
        ),
        Exercise(
            "inspection-enforcement",
            "The inspection paradox (1)",
            "the inspection paradox",
            "In `inspection-criteria`, raise the target's penalty from 5 to 10 "
            "(`weights.target.penalty`). With what probability does the sender enforce in "
            "equilibrium now?",
            "The sender's mix must make the target indifferent: 0 = -penalty e + 3 (1 - e).",
            "e = 3 / (3 + penalty) = 3/13: a harsher penalty means less enforcement "
            "(Tsebelis 1990).",
            lambda: _inspection(10, 1),
            "number",
        ),
        Exercise(
            "inspection-violation",
            "The inspection paradox (2)",
            "the inspection paradox",
            "With the penalty at 10, with what probability does the target violate?",
            "The target's mix must make the sender indifferent; does the penalty enter the "
            "sender's payoffs?",
            "v = 1/4 whatever the penalty: only the sender's costs fix it (Tsebelis 1990).",
            lambda: _inspection(10, 0),
            "number",
        ),
        Exercise(
            "rare-earth-default",
            "The rare-earth offer",
            "dominance",
            "At the default weights of `rare-earth`, what does the US do in equilibrium? "
            "(a strategy id or label)",
            "Compare the US's rows of payoffs column by column (`negotiation show rare-earth`).",
            "Diversify is dominant for the US at the default weights.",
            _rare_earth_default,
            "strategy",
        ),
        Exercise(
            "rare-earth-threshold",
            "Where the US response flips",
            "degenerate games and continua",
            "Above which weight on supply security (`weights.us.supply_security`) does the "
            "US accept Russia's full offer? Give the exact threshold.",
            "Against the full offer, write the US payoffs for accept and diversify as "
            "functions of the weight w and set them equal.",
            "Accept pays 2w - 3.8 and diversify 0.5w + 0.2 against the full offer: they tie "
            "at w = 4, where the game is degenerate.",
            _rare_earth_threshold,
            "number",
        ),
        Exercise(
            "continuum-low",
            "A continuum of equilibria",
            "degenerate games and continua",
            "In the game A = [[3, 0], [3, 1]], B = [[2, 0], [0, 1]], the column player "
            "plays her first column in a whole segment of equilibria. What is the smallest "
            "probability of the first row in that segment?",
            "The column player must still prefer her first column: 2p >= 1 - p.",
            "p >= 1/3: every mix from (1/3, 2/3) to (1, 0) against the first column is an "
            "equilibrium.",
            _continuum_low,
            "number",
        ),
    ]
}


def solution(exercise_id: str) -> Any:
    """The correct answer to an exercise, computed by the library."""
    return _exercise(exercise_id).answer()


def check(exercise_id: str, answer: Any) -> Feedback:
    """Say whether ``answer`` is right, with a hint if not and an explanation if so."""
    exercise = _exercise(exercise_id)
    if answer is ...:
        return Feedback(exercise.id, False, f"Not answered yet ({exercise.id}).")
    try:
        right = _same(exercise.kind, answer, exercise.answer(), exercise.id)
    except (TypeError, ValueError, ZeroDivisionError):
        right = False
    if right:
        return Feedback(exercise.id, True, f"Correct ({exercise.id}). {exercise.explanation}")
    return Feedback(exercise.id, False, f"Not yet ({exercise.id}). Hint: {exercise.hint}")


def _exercise(exercise_id: str) -> Exercise:
    if exercise_id not in EXERCISES:
        raise KeyError(f"unknown exercise {exercise_id!r}; expected one of: {', '.join(EXERCISES)}")
    return EXERCISES[exercise_id]


def _same(kind: str, answer: Any, expected: Any, exercise_id: str) -> bool:
    if kind == "number":
        return bool(abs(_number(answer) - expected) <= TOLERANCE)
    if kind == "count":
        return not isinstance(answer, bool) and int(answer) == answer == expected
    if kind == "strategy":
        return bool(_strategy(answer) == expected)
    if kind == "dict":
        given = {k: _strategy(v) for k, v in answer.items()} if isinstance(answer, dict) else None
        return bool(given == expected)
    if kind == "pairs":
        return bool({(_strategy(a), _strategy(b)) for a, b in _pairs(answer)} == expected)
    raise ValueError(f"{exercise_id}: unknown answer kind {kind!r}")


def _number(answer: Any) -> Fraction:
    if isinstance(answer, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(answer, str):
        return Fraction(answer.strip())
    return Fraction(answer)


def _strategy(answer: Any) -> str:
    """A strategy answer in canonical form: its id.

    The exercises' strategies are labelled by their ids, capitalised, so lower case turns a
    label into its id.
    """
    return str(answer).strip().lower()


def _pairs(answer: Iterable[Any]) -> list[tuple[Any, Any]]:
    return [(a, b) for a, b in answer]
