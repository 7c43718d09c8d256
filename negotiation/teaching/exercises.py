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
student notebook) is "not answered yet". :func:`solution` returns the computed answer. A
wrong answer that a typical slip gives (the prior where a posterior is asked, a complement,
another threshold) is told which slip, before the hint.

The exercises live by topic in :mod:`~negotiation.teaching.matrix_exercises`,
:mod:`~negotiation.teaching.tree_exercises` and :mod:`~negotiation.teaching.belief_exercises`;
:mod:`~negotiation.teaching.questions` defines :class:`Exercise` and :class:`Feedback`,
:mod:`~negotiation.teaching.answers` reads and grades answers. This module gathers the
registry. The notebook ``notebooks/03-classroom-exercises.ipynb`` and its solutions version are
generated from :data:`EXERCISES` by ``notebooks/make_exercises.py``.
"""

from __future__ import annotations

from typing import Any

from negotiation.teaching.answers import FLOAT_TOLERANCE, PLACES, Kind, Status
from negotiation.teaching.belief_exercises import BELIEF_EXERCISES
from negotiation.teaching.matrix_exercises import MATRIX_EXERCISES
from negotiation.teaching.questions import Exercise, Facts, Feedback
from negotiation.teaching.text import Affine
from negotiation.teaching.tree_exercises import TREE_EXERCISES

__all__ = [
    "EXERCISES",
    "FLOAT_TOLERANCE",
    "PLACES",
    "Affine",
    "Exercise",
    "Facts",
    "Feedback",
    "Kind",
    "Status",
    "check",
    "solution",
]

#: Every exercise, in notebook order: matrix games, game trees, beliefs and signalling.
EXERCISES: dict[str, Exercise] = {
    e.id: e for e in [*MATRIX_EXERCISES, *TREE_EXERCISES, *BELIEF_EXERCISES]
}


def solution(exercise_id: str) -> Any:
    """The correct answer to an exercise, computed by the library."""
    return _exercise(exercise_id).answer()


def check(exercise_id: str, answer: Any) -> Feedback:
    """Say whether ``answer`` is right: with the explanation if so, else why not.

    An answer is first *read* (see the module docstring for the forms accepted); one that
    cannot be read gets a message saying how it was read and what was expected, one read
    and right but for its rounding is told so, and one read and wrong gets the hint (after
    the slip it reveals, for a typical wrong answer).
    """
    return _exercise(exercise_id).check(answer)


def _exercise(exercise_id: str) -> Exercise:
    if exercise_id not in EXERCISES:
        raise KeyError(f"unknown exercise {exercise_id!r}; expected one of: {', '.join(EXERCISES)}")
    return EXERCISES[exercise_id]
