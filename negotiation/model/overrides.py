"""Override paths: address any number a scenario file holds.

The syntax mirrors the file's own keys::

    weights.us.legitimacy                  a weight
    criteria.supply_security.scores[0][2]  one cell of a criterion table, by position
    criteria.supply_security.scores[accept][withhold]
                                           the same cell, by strategy ids (row player's
                                           strategy first, then the column player's)
    payoffs.sender[1][0]                   one cell of a direct payoff table

Dotted parts are TOML keys; bracketed parts index the rows and columns of a table, either
by zero-based position or by strategy id. Only numbers can be overridden, and the result is
validated exactly like the file (see :meth:`negotiation.model.scenario.Scenario.from_dict`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError
from negotiation.limits import quoted, shown

if TYPE_CHECKING:
    from negotiation.model.scenario import Scenario

#: A parsed override path: TOML keys (str) and table indices (int or strategy id in brackets).
Path = tuple[str | int, ...]

_KEY = r"[A-Za-z0-9_-]+"
_PART = re.compile(rf"\.?({_KEY})|\[({_KEY})\]")
_INDEX_NAME = "[]"  # marker prefix for bracketed strategy ids, never a valid TOML bare key
_MAX_INDEX_DIGITS = 9  # a bracketed position with more digits is out of range of any table

#: A number as ``--set`` and ``--values`` take it: a decimal in the syntax of Python and
#: TOML (``-1.5``, ``2e-3``, ``1_000``), or a fraction ``p/q``. ASCII digits only.
_DIGITS = r"[0-9]+(?:_[0-9]+)*"  # underscores only between digits, as in Python and TOML
_DECIMAL = re.compile(
    rf"[+-]?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?"
)
_FRACTION = re.compile(rf"([+-]?)({_DIGITS})\s*/\s*({_DIGITS})")


def parse_path(text: str, source: str = "--set") -> Path:
    """Split an override path into its parts.

    >>> parse_path("criteria.gain.scores[1][enforce]")
    ('criteria', 'gain', 'scores', 1, '[]enforce')

    Bracketed strategy ids are returned with a ``"[]"`` prefix so they are never confused
    with a key; :func:`apply` resolves them against the players' strategy ids.
    """
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        match = _PART.match(text, pos)
        if match is None or (pos == 0 and text.startswith(".")):
            raise ScenarioError(
                source,
                shown(text),
                "expected a path like weights.us.legitimacy or criteria.gain.scores[0][1] "
                "(keys separated by dots, table cells in brackets)",
            )
        key, index = match.groups()
        if key is not None:
            parts.append(key)
        elif index.isdigit():
            if len(index.lstrip("0")) > _MAX_INDEX_DIGITS:
                raise ScenarioError(
                    source, shown(text), f"index [{shown(index, 20)}] is out of range of any table"
                )
            parts.append(int(index))
        else:
            parts.append(_INDEX_NAME + index)
        pos = match.end()
    if not parts or not isinstance(parts[0], str):
        raise ScenarioError(source, shown(text), "expected a path that starts with a key")
    return tuple(parts)


def format_path(parts: Iterable[str | int]) -> str:
    """Write a path back in override syntax.

    >>> format_path(["criteria", "gain", "scores", 1, 0])
    'criteria.gain.scores[1][0]'
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(_INDEX_NAME):
            out += f"[{part[len(_INDEX_NAME) :]}]"
        else:
            out += f".{part}" if out else part
    return out


def parse_number(text: str, source: str = "--set", key: str = "") -> Fraction:
    """Read a number exactly: integers, decimals, scientific notation or a fraction ``p/q``.

    >>> parse_number("0.9"), parse_number("1/3"), parse_number("-2e-1")
    (Fraction(9, 10), Fraction(1, 3), Fraction(-1, 5))

    The text is checked against :mod:`negotiation.limits` before the number is built, so
    ``1e-99999999`` or a 5,000-digit fraction is refused at once with a
    :class:`~negotiation.errors.LimitError`.
    """
    written = text.strip()
    if fraction := _FRACTION.fullmatch(written):
        sign, *parts = fraction.groups()
        for part in parts:
            if problem := limits.integer_text_problem(part):
                raise LimitError(source, shown(key), problem)
        try:
            numerator, denominator = (int(part) for part in parts)
            value = Fraction(-numerator if sign == "-" else numerator, denominator)
        except (ValueError, ZeroDivisionError):
            raise _not_a_number(source, key, text) from None
    elif _DECIMAL.fullmatch(written):
        if problem := limits.decimal_text_problem(written):
            raise LimitError(source, shown(key), problem)
        decimal = Decimal(written)
        if problem := limits.number_problem(decimal):
            raise LimitError(source, shown(key), problem)
        return Fraction(decimal)
    else:
        raise _not_a_number(source, key, text)
    if problem := limits.number_problem(value):
        raise LimitError(source, shown(key), problem)
    return value


def _not_a_number(source: str, key: str, text: str) -> ScenarioError:
    return ScenarioError(
        source,
        shown(key),
        f"expected a finite number (e.g. 0.9, -2, 1e-3, 1/3), got {quoted(text)}",
    )


def parse_assignment(text: str, source: str = "--set") -> tuple[str, Fraction]:
    """Parse ``PATH=VALUE`` as given to ``--set``.

    >>> parse_assignment("weights.us.legitimacy=0.9")
    ('weights.us.legitimacy', Fraction(9, 10))
    """
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError(
            source, shown(text), "expected PATH=VALUE, e.g. weights.us.legitimacy=0.9"
        )
    path = path.strip()
    parse_path(path, source)
    return path, parse_number(value, source, path)


def normalise(
    overrides: Mapping[str, object] | Iterable[tuple[str, object]], source: str = "--set"
) -> tuple[tuple[str, Fraction], ...]:
    """Turn overrides (a mapping or pairs; string or numeric values) into exact pairs.

    Each path's syntax and each value is checked; the result is (path, Fraction) pairs.
    """
    items = overrides.items() if isinstance(overrides, Mapping) else overrides
    result = []
    for path, value in items:
        parse_path(path, source)
        where = shown(path)
        if isinstance(value, bool):
            raise ScenarioError(source, where, f"expected a number, got {value!r}")
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise ScenarioError(source, where, f"expected a finite number, got {value!r}")
            # A float typed by a user means its shortest decimal form: 0.1 is 1/10.
            value = Decimal(repr(value))
        if isinstance(value, (int, Fraction, Decimal)):
            if isinstance(value, Decimal) and not value.is_finite():
                raise ScenarioError(source, where, f"expected a finite number, got {value}")
            if problem := limits.number_problem(value):
                raise LimitError(source, where, problem)
            number = Fraction(value)
        elif isinstance(value, str):
            number = parse_number(value, source, path)
        else:
            raise ScenarioError(source, where, f"expected a number, got {type(value).__name__}")
        result.append((path, number))
    return tuple(result)


def apply(
    data: dict[str, object],
    overrides: Iterable[tuple[str, Fraction]],
    strategies: tuple[tuple[str, ...], tuple[str, ...]],
    criteria: Iterable[str],
    origin: str,
) -> None:
    """Set each overridden number in the raw scenario ``data`` (in place).

    ``strategies`` holds the row and column players' strategy ids, used to resolve
    bracketed ids; ``criteria`` the criterion ids, so that a weight a player leaves out
    (an implicit 0) can still be set. A path must end at a number that the file holds,
    or at such an implicit weight; anything else is an unknown override path.
    """
    criteria = tuple(criteria)
    for path_text, value in overrides:
        parts = parse_path(path_text)
        node: object = data
        axis: int | None = None  # inside a payoff or score table: 0 rows, 1 columns
        for depth, part in enumerate(parts):
            key: str | int
            if isinstance(part, str) and not part.startswith(_INDEX_NAME):
                if not isinstance(node, dict):
                    raise _unknown(origin, path_text, parts[:depth], "is not a table of keys")
                is_weight = len(parts) == 3 and parts[0] == "weights" and depth == 2
                if part not in node and not (is_weight and part in criteria):
                    known = [*node, *(criteria if is_weight else ())]
                    hint = difflib.get_close_matches(part, [str(k) for k in known], n=1)
                    why = f"has no key {quoted(part)}" + (
                        f" (did you mean {quoted(hint[0])}?)" if hint else ""
                    )
                    raise _unknown(origin, path_text, parts[:depth], why)
                key = part
                axis = 0 if _is_table_path(parts[: depth + 1]) else None
            else:
                if not isinstance(node, list):
                    raise _unknown(origin, path_text, parts[:depth], "is not a list or table")
                key = _resolve_index(part, node, axis, strategies, origin, path_text)
                axis = None if axis is None else axis + 1
            if depth == len(parts) - 1:
                _set_number(node, key, value, origin, path_text)
            else:
                node = node[key]  # type: ignore[index]


def _is_table_path(keys: Path) -> bool:
    return (len(keys) == 2 and keys[0] == "payoffs") or (
        len(keys) == 3 and keys[0] == "criteria" and keys[2] == "scores"
    )


def _resolve_index(
    part: str | int,
    node: list[object],
    axis: int | None,
    strategies: tuple[tuple[str, ...], tuple[str, ...]],
    origin: str,
    path_text: str,
) -> int:
    if isinstance(part, int):
        index = part
    else:
        name = part[len(_INDEX_NAME) :]
        if axis not in (0, 1):
            axis = None
        if axis is None or name not in strategies[axis]:
            expected = ", ".join(strategies[axis]) if axis is not None else "a position"
            raise ScenarioError(
                origin,
                shown(path_text),
                f"unknown index [{shown(name)}]: expected one of {expected}",
            )
        index = strategies[axis].index(name)
    if not 0 <= index < len(node):
        raise ScenarioError(
            origin, shown(path_text), f"index {index} out of range: expected 0 to {len(node) - 1}"
        )
    return index


def _set_number(
    container: dict[str, object] | list[object],
    key: str | int,
    value: Fraction,
    origin: str,
    path_text: str,
) -> None:
    if isinstance(container, dict):
        assert isinstance(key, str)
        current = container.get(key, 0)
    else:
        assert isinstance(key, int)
        current = container[key]
    # A float is a number too: Scenario.from_dict takes content with floats (as from JSON),
    # which the parser reads as their shortest decimal form; refusing them here made every
    # override of such a number "not a number in the file".
    if isinstance(current, bool) or not isinstance(current, (int, float, Decimal, Fraction)):
        raise ScenarioError(
            origin, shown(path_text), "unknown override path: it does not name a number in the file"
        )
    container[key] = value  # type: ignore[index]


def _unknown(origin: str, path_text: str, prefix: Path, why: str) -> ScenarioError:
    where = shown(format_path(prefix)) or "the file"
    return ScenarioError(origin, shown(path_text), f"unknown override path: {where} {why}")


def canonical_path(text: str, scenario: Scenario) -> str:
    """An override path with table cells by position, so two spellings of one number match.

    >>> from negotiation import load
    >>> canonical_path("criteria.alliance_cohesion.scores[accept][full]", load("rare-earth"))
    'criteria.alliance_cohesion.scores[0][0]'
    """
    players = scenario.players
    parts, out, axis = parse_path(text), [], 0
    for part in parts:
        if isinstance(part, str) and part.startswith(_INDEX_NAME):
            name = part[len(_INDEX_NAME) :]
            ids = players[axis].strategy_ids if axis < 2 else ()
            out.append(ids.index(name) if name in ids else part)
            axis += 1
        else:
            axis = axis + 1 if isinstance(part, int) else 0
            out.append(part)
    return format_path(out)
