"""Reading students' answers and grading them against the computed answer.

An answer is first *read* as the kind of answer a question asks for (a probability, a
number, a count, a strategy, pairs or a dict of strategies, an action in a game tree), in
the forms a teacher would accept: fractions, decimals rounded to the places asked,
percentages for probabilities, ids or labels in any case. An answer that cannot be read
raises :class:`UnreadableError` with how it was read and what was expected; a read answer
is then compared with the exact answer (:func:`grade`). The forms are listed in the
docstring of :mod:`negotiation.teaching.exercises`.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal

import attrs

from negotiation.model.catalogue import load_matrix, load_tree
from negotiation.model.scenario import Scenario
from negotiation.model.tree import TreeScenario
from negotiation.teaching.text import mover, num, who

#: A float answer this close (relative to max(1, |answer|)) to the exact answer is that
#: answer computed in floating point, e.g. ``3 / 13``; typed decimals are judged by rounding.
FLOAT_TOLERANCE = 1e-9

#: Decimal places a numeric question asks for unless it says otherwise.
PLACES = 2

Kind = Literal["probability", "number", "count", "strategy", "pairs", "dict", "action"]
Status = Literal["correct", "wrong", "imprecise", "unreadable", "unanswered"]


def join(*parts: str) -> str:
    """Non-empty sentences joined by spaces."""
    return " ".join(p for p in parts if p)


@attrs.frozen
class Graded:
    """The verdict on a read answer: its status, a note on how it was read, a known mistake.

    ``mistake`` is the key of the first of the given typical mistakes the answer matches
    (None if none): a wrong answer that a known slip of reasoning gives.
    """

    status: Status
    note: str = ""
    mistake: object = None


def grade(
    kind: Kind,
    answer: Any,
    expected: Any,
    *,
    places: int = PLACES,
    game: str = "",
    player: int = 0,
    node: str = "",
    mistakes: Collection[object] = (),
) -> Graded:
    """Read ``answer`` as ``kind`` and compare it with ``expected``, the computed answer.

    ``game`` names the catalogue game (matrix or tree) whose strategies or actions an answer
    names, ``player`` the player whose strategy is asked, ``node`` the tree node whose action
    is asked. ``mistakes`` are wrong answers (values as the answer is read: a Fraction, a
    strategy or action id) that typical slips give; a wrong answer matching one says which.
    Raises :class:`UnreadableError` for an answer that cannot be read as ``kind``.
    """
    if kind in ("probability", "number"):
        reading = read_number(answer, kind)
        status, note = grade_number(reading, expected, places)
        if status != "wrong":
            return Graded(status, note)
        slip = next((m for m in mistakes if _rounds_to(reading, m, places)), None)
        return Graded(status, note, slip)
    note = ""
    given: object
    if kind == "count":
        given = read_count(answer)
    elif kind == "action":
        given = read_action(answer, load_tree(game), node)
    elif kind == "strategy":
        given = read_strategy(answer, load_matrix(game), player)
    elif kind == "dict":
        given = read_dict(answer, load_matrix(game))
    else:
        given, note = read_pairs(answer, load_matrix(game))
    if given == expected:
        return Graded("correct", note)
    return Graded("wrong", note, next((m for m in mistakes if m == given), None))


class UnreadableError(Exception):
    """An answer that cannot be read as the kind asked; the message says what was expected."""


# --- Reading numbers -----------------------------------------------------------------------


@attrs.frozen
class Reading:
    """A numeric answer as read: exact value, decimal places (None: exact form), echo."""

    value: Fraction
    places: int | None
    computed: bool = False  # a Python float: compare within FLOAT_TOLERANCE too
    echo: str = ""  # "I read '50 %' as 0.5." for answers given as text
    percent: bool = False  # written as a percentage


_PERCENT = re.compile(r"^(?P<number>.*?)\s*%$")


def read_number(answer: Any, kind: Kind) -> Reading:
    """Read a fraction, decimal, percentage (for a probability) or number-like string."""
    what = "probability" if kind == "probability" else "number"
    forms = (
        "a fraction such as 2/7, a decimal such as 0.29 or a percentage such as 29%"
        if kind == "probability"
        else "a fraction such as 5/2 or a decimal such as 2.5"
    )
    if isinstance(answer, bool):
        raise UnreadableError(f"{answer} is a yes/no value, not a {what}; expected {forms}.")
    if isinstance(answer, str):
        reading = _read_text(answer, kind, forms)
    elif isinstance(answer, Decimal):
        reading = _read_decimal(answer, answer, forms)
    elif isinstance(answer, numbers.Rational):
        reading = Reading(Fraction(answer), None)  # an integer or fraction is exact
    elif isinstance(answer, numbers.Real):
        x = float(answer)
        if x != x or x in (float("inf"), float("-inf")):
            raise UnreadableError(f"{x} is not a finite number; expected {forms}.")
        read = _read_decimal(Decimal(repr(x)), answer, forms)
        reading = Reading(read.value, read.places, computed=True)
    else:
        raise UnreadableError(f"{answer!r} is not a {what}; expected one {what}: {forms}.")
    if kind == "probability" and not 0 <= reading.value <= 1:
        value = num(reading.value)
        percent = (
            f" For a percentage write it with %: '{value}%'."
            if 1 < reading.value <= 100 and not reading.percent
            else ""
        )
        raise UnreadableError(
            join(reading.echo, f"{value} is not a probability, which lies between 0 and 1.")
            + percent
        )
    return reading


def _read_text(text: str, kind: Kind, forms: str) -> Reading:
    raw = text
    text = text.strip().replace("\u2212", "-").replace(" ", "")
    percent = _PERCENT.match(text)
    if percent:
        if kind != "probability":
            raise UnreadableError(
                f"I read {raw!r} as a percentage, but this question asks for a number, not a "
                f"probability; expected {forms}."
            )
        number = percent.group("number")
        inner = _read_text(number, "number", forms)
        value = inner.value / 100
        # "23%" is 0.23, two decimal places; only a fraction of a percent ("300/13%") is exact.
        places = None if "/" in number else (inner.places or 0) + 2
        return Reading(value, places, echo=f"I read {raw!r} as {num(value)}.", percent=True)
    if "," in text and "." not in text and "/" not in text:
        raise UnreadableError(
            f"I read {raw!r} as text: write decimals with a point, as {text.replace(',', '.')!r}."
        )
    if "/" in text:
        numerator, _, denominator = text.partition("/")
        try:
            value = Fraction(int(numerator), int(denominator))
        except ValueError:
            raise UnreadableError(
                f"{raw!r} is not a fraction of whole numbers; expected {forms}."
            ) from None
        except ZeroDivisionError:
            raise UnreadableError(f"{raw!r} divides by zero; expected {forms}.") from None
        return Reading(value, None, echo=f"I read {raw!r} as {num(value)}.")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise UnreadableError(f"{raw!r} is not a number; expected {forms}.") from None
    reading = _read_decimal(number, raw, forms)
    return attrs.evolve(reading, echo=f"I read {raw!r} as {num(reading.value)}.")


def _read_decimal(number: Decimal, raw: object, forms: str) -> Reading:
    if not number.is_finite():
        raise UnreadableError(f"{raw!r} is not a finite number; expected {forms}.")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite, so not 'n', 'N' or 'F'
    # A whole number (no decimals) is read as exact, like a fraction.
    return Reading(Fraction(number), -exponent if exponent < 0 else None)


def grade_number(reading: Reading, expected: Fraction, places: int) -> tuple[Status, str]:
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
    shown = num(value)
    if error <= Fraction(1, 2 * 10**k):  # the answer rounded to k places
        if k >= places:
            return "correct", f"{shown} is {num(expected)} rounded to {k} decimals."
        return "imprecise", join(
            echo,
            f"{shown} has {k} decimal{'s' if k != 1 else ''}; the question asks for at least "
            f"{places}, or an exact fraction.",
        )
    if k >= places and error < Fraction(1, 10**places):
        return "imprecise", join(
            echo,
            f"{shown} is close, but not the answer rounded to {k} decimals: check the "
            "arithmetic and round to the nearest (not down), or give an exact fraction.",
        )
    return "wrong", echo


def _rounds_to(reading: Reading, value: object, places: int) -> bool:
    """Whether a read number is ``value`` (a number), exactly or as a right answer would be."""
    if not isinstance(value, Fraction | int):
        return False
    return grade_number(reading, Fraction(value), places)[0] == "correct"


def read_count(answer: Any) -> int:
    """A whole number of at least 0, from a number or a numeric string."""
    expected = "a whole number such as 2 (or '2')"
    if isinstance(answer, bool):
        raise UnreadableError(f"{answer} is a yes/no value, not a count; expected {expected}.")
    if isinstance(answer, str):
        try:
            value = Fraction(Decimal(answer.strip()))
        except (InvalidOperation, ValueError, OverflowError):
            raise UnreadableError(f"{answer!r} is not a number; expected {expected}.") from None
    elif isinstance(answer, numbers.Rational):
        value = Fraction(answer)
    elif isinstance(answer, numbers.Real):
        try:
            value = Fraction(float(answer))
        except (ValueError, OverflowError):
            raise UnreadableError(
                f"{answer!r} is not a finite number; expected {expected}."
            ) from None
    else:
        raise UnreadableError(f"{answer!r} is not a number; expected {expected}.")
    if value.denominator != 1 or value < 0:
        raise UnreadableError(f"I read {answer!r} as {num(value)}; a count is {expected}.")
    return value.numerator


# --- Reading strategies --------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_strategy(answer: Any, scenario: Scenario, k: int) -> str:
    """The id of player ``k``'s strategy an answer names by id or label, in any case."""
    player = scenario.players[k]
    if isinstance(answer, str):
        for strategy in player.strategies:
            if _key(answer) in (_key(strategy.id), _key(strategy.label)):
                return strategy.id
    choices = ", ".join(
        s.id if _key(s.id) == _key(s.label) else f"{s.id} ({s.label})" for s in player.strategies
    )
    raise UnreadableError(
        f"{answer!r} is not a strategy of {who(scenario, k)}; expected one of: {choices} "
        "(an id or label, in any case)."
    )


def read_action(answer: Any, tree: TreeScenario, node_id: str) -> str:
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
    raise UnreadableError(
        f"{answer!r} is not an action of {mover(tree, node_id)}; expected one of: {choices} "
        "(an id or label, in any case)."
    )


def _read_player(answer: Any, scenario: Scenario) -> int:
    if isinstance(answer, str):
        for k, player in enumerate(scenario.players):
            if _key(answer) in (_key(player.id), _key(player.label)):
                return k
    choices = ", ".join(f"{p.id} ({p.label})" for p in scenario.players)
    raise UnreadableError(f"{answer!r} is not a player of this game; expected: {choices}.")


def read_dict(answer: Any, scenario: Scenario) -> dict[str, str]:
    """A strategy for each player, keyed by player id or label: player id -> strategy id."""
    players = scenario.players
    example = "{" + ", ".join(f'"{p.id}": "..."' for p in players) + "}"
    if not isinstance(answer, Mapping):
        raise UnreadableError(
            f"{answer!r} is not a dict; expected a strategy for each player, as {example}."
        )
    read: dict[str, str] = {}
    for key, value in answer.items():
        k = _read_player(key, scenario)
        read[players[k].id] = read_strategy(value, scenario, k)
    missing = [p.id for p in players if p.id not in read]
    if missing:
        raise UnreadableError(
            f"No strategy for {', '.join(missing)}; expected one for each player, as {example}."
        )
    return read


def read_pairs(answer: Any, scenario: Scenario) -> tuple[set[tuple[str, str]], str]:
    """A collection of (row strategy, column strategy) pairs; a lone pair counts as one."""
    row, col = scenario.players
    example = f'[("{row.strategy_ids[0]}", "{col.strategy_ids[0]}")]'
    if isinstance(answer, str | Mapping) or not isinstance(answer, Iterable):
        raise UnreadableError(
            f"{answer!r} is not a list of pairs; expected a list such as {example}."
        )
    items = list(answer)
    note = ""
    if len(items) == 2 and all(isinstance(x, str) for x in items):
        items, note = [tuple(items)], f"I read {answer!r} as the one pair {tuple(items)!r}."
    pairs = set()
    for item in items:
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
            raise UnreadableError(
                f"{item!r} is not a (row strategy, column strategy) pair; expected a list "
                f"such as {example}."
            )
        pairs.add((read_strategy(item[0], scenario, 0), read_strategy(item[1], scenario, 1)))
    return pairs, note
