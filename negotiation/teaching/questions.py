"""An exercise (a question whose answer and numbers are computed) and the verdict on an answer.

:class:`Exercise` holds templates without numbers and functions that compute the answer and
the facts the templates show, so the texts cannot drift from the games they are about;
:class:`Feedback` is what :meth:`Exercise.check` says about one answer. The registry of
exercises is :data:`negotiation.teaching.exercises.EXERCISES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from negotiation.model.catalogue import load_matrix, load_tree
from negotiation.model.scenario import Scenario
from negotiation.teaching.answers import PLACES, Kind, Status, UnreadableError, grade, join
from negotiation.teaching.text import mover, text, who

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


def _no_mistakes() -> Mapping[object, str]:
    return {}


@attrs.frozen
class Exercise:
    """A question, how to compute its answer and its facts, how to read an answer, a hint.

    ``question_template``, ``hint_template`` and ``explanation_template`` hold no numbers of
    their own (the test suite checks this): each number they show is a ``{field}`` filled
    from ``facts()``, which the library computes from the scenario. ``question`` adds the
    answer format (for numbers, the decimal places that count as right).

    ``mistakes()`` maps typical wrong answers (as an answer is read: a Fraction, a strategy
    or action id), computed like the answer, to templates saying which slip gives them; a
    wrong answer that matches one gets that diagnosis before the hint.
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
    #: Typical wrong answers and, for each, a template saying which slip gives it.
    mistakes: Callable[[], Mapping[object, str]] = _no_mistakes

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
            return f"a strategy id or label of {who(self._scenario(), self.player)}, in any case."
        if self.kind == "action":
            tree = load_tree(self.game)
            return f"an action id or label of {mover(tree, self.node)}, in any case."
        return "as in the example above; strategy ids or labels, in any case."

    def diagnosis(self, mistake: object) -> str:
        """What a typical wrong answer reveals, numbers filled in ("" if it is not one)."""
        template = self.mistakes().get(mistake)
        return self._render(template) if template else ""

    def check(self, answer: Any) -> Feedback:
        """Say whether ``answer`` is right, as :func:`check` does for a registered exercise.

        Lets a teacher try an exercise of their own without adding it to :data:`EXERCISES`.
        """
        eid = self.id
        if answer is ... or answer is None:
            return Feedback(eid, "unanswered", f"Not answered yet ({eid})")
        try:
            mistakes = self.mistakes()
            graded = grade(
                self.kind,
                answer,
                self.answer(),
                places=self.places,
                game=self.game,
                player=self.player,
                node=self.node,
                mistakes=tuple(mistakes),
            )
        except UnreadableError as error:
            return Feedback(eid, "unreadable", f"Could not read the answer ({eid})", str(error))
        if graded.status == "correct":
            return Feedback(eid, "correct", f"Correct ({eid})", join(graded.note, self.explanation))
        if graded.status == "imprecise":
            return Feedback(eid, "imprecise", f"Nearly ({eid})", graded.note)
        slip = self.diagnosis(graded.mistake) if graded.mistake is not None else ""
        return Feedback(
            eid, "wrong", f"Not yet ({eid})", join(graded.note, slip, f"Hint: {self.hint}")
        )

    def _render(self, template: str) -> str:
        facts = self.facts()
        return template.format(**{k: text(v) for k, v in facts.items()})

    def _scenario(self) -> Scenario:
        return load_matrix(self.game)
