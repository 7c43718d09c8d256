"""Payoff matrices: from a scenario's weights and scores to a bimatrix game.

For a scenario with criteria, each player's payoff in each cell is the weighted sum of that
cell's criterion scores::

    payoff[p][r][c] = sum over criteria k of weights[p][k] * criteria[k].scores[r][c]

(a criterion the player does not weigh counts 0). A scenario with direct tables uses them
as they are. Arithmetic is exact (:class:`fractions.Fraction`); :meth:`Game.floats` gives
numpy arrays for plotting and for nashpy.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from fractions import Fraction

import attrs
import numpy as np
import numpy.typing as npt

from negotiation.errors import ScenarioError
from negotiation.limits import quoted
from negotiation.model.scenario import Matrix, Player, Scenario


def _to_matrix(value: object) -> Matrix:
    rows = [list(row) for row in value]  # type: ignore[attr-defined]
    if not rows or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("a payoff matrix must be a non-empty rectangular table")
    return tuple(tuple(_exact(x) for x in row) for row in rows)


def _exact(x: object) -> Fraction:
    """An exact rational for a number; a float is taken at its exact binary value."""
    if isinstance(x, (bool, np.bool_)):
        raise TypeError("payoffs must be numbers, not booleans")
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, (float, np.floating)):
        if not np.isfinite(x):
            raise ValueError(f"payoffs must be finite, got {x}")
        return Fraction(float(x))
    if isinstance(x, (Fraction, Decimal)):
        return Fraction(x)
    raise TypeError(f"payoffs must be numbers, got {type(x).__name__}")


@attrs.frozen
class Game:
    """A bimatrix game with exact payoffs.

    ``A`` holds the row player's payoffs and ``B`` the column player's, both of shape
    (rows, columns).

    >>> Game.from_arrays([[3, 0], [5, 1]], [[3, 5], [0, 1]]).shape
    (2, 2)
    """

    A: Matrix = attrs.field(converter=_to_matrix)
    B: Matrix = attrs.field(converter=_to_matrix)

    def __attrs_post_init__(self) -> None:
        if (len(self.A), len(self.A[0])) != (len(self.B), len(self.B[0])):
            raise ValueError("A and B must have the same shape")

    @classmethod
    def from_arrays(cls, A: object, B: object) -> Game:
        """Build a game from nested sequences or numpy arrays of numbers.

        Floats are taken at their exact binary value, so the game solved is exactly the
        one given; integers and :class:`~fractions.Fraction` are exact already.
        """
        return cls(A, B)

    @property
    def shape(self) -> tuple[int, int]:
        """Numbers of row and column strategies."""
        return len(self.A), len(self.A[0])

    def floats(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The payoff matrices as float arrays."""
        return (
            np.array([[float(x) for x in row] for row in self.A]),
            np.array([[float(x) for x in row] for row in self.B]),
        )


def payoff_matrices(scenario: Scenario) -> Game:
    """The game a scenario describes: direct tables, or weights times scores.

    >>> from negotiation import load
    >>> game = payoff_matrices(load("inspection"))
    >>> [[float(x) for x in row] for row in game.A]
    [[0.0, 0.0], [-5.0, 3.0]]
    """
    row_id, col_id = scenario.player_ids
    if scenario.payoffs is not None:
        return Game(scenario.payoffs[row_id], scenario.payoffs[col_id])
    return Game(_weighted(scenario, row_id), _weighted(scenario, col_id))


def _weighted(scenario: Scenario, player_id: str) -> Matrix:
    m, n = scenario.shape
    weights = scenario.weights[player_id]
    return tuple(
        tuple(
            sum(
                (weights.get(c.id, Fraction(0)) * c.scores[r][k] for c in scenario.criteria),
                Fraction(0),
            )
            for k in range(n)
        )
        for r in range(m)
    )


@attrs.frozen
class Term:
    """One criterion's contribution to a payoff: ``weight * score``."""

    criterion: str
    weight: Fraction
    score: Fraction

    @property
    def value(self) -> Fraction:
        """The contribution, ``weight * score``."""
        return self.weight * self.score


@attrs.frozen
class CellBreakdown:
    """Why a cell pays what it pays: for each player, the criterion terms and their sum."""

    row: str
    col: str
    terms: dict[str, tuple[Term, ...]]
    totals: dict[str, Fraction]


class UnknownStrategyError(ScenarioError, KeyError):
    """A cell names a strategy the player does not have.

    A :class:`~negotiation.errors.ScenarioError` (one line, exit status 2 on the command
    line) and, as :func:`cell_breakdown` raised before, a :class:`KeyError`.
    """

    __str__ = ScenarioError.__str__  # KeyError's would wrap the message in quotes


def cell_breakdown(
    scenario: Scenario, row: str | int, col: str | int, source: str = "--cell"
) -> CellBreakdown:
    """Break the payoffs of one outcome down by criterion (which weight times which score).

    ``row`` and ``col`` name strategies of the row and the column player: by id, by
    zero-based position, or by id or label in any case (``"Diversify"``, ``"full offer"``).
    For a scenario with direct tables there are no criteria and each player's term list is
    empty. An unknown strategy raises :class:`UnknownStrategyError` naming ``source``.

    >>> from negotiation import load
    >>> cell = cell_breakdown(load("inspection-criteria"), "violate", "ignore")
    >>> [(t.criterion, str(t.weight), str(t.score)) for t in cell.terms["target"]]
    [('gain', '3', '1'), ('penalty', '5', '0'), ('enforcement', '0', '0')]
    >>> cell.totals["target"]
    Fraction(3, 1)
    >>> cell_breakdown(load("rare-earth"), "Diversify", "Full offer").row
    'diversify'
    """
    r = _index(row, scenario.players[0], source)
    c = _index(col, scenario.players[1], source)
    game = payoff_matrices(scenario)
    terms = {
        pid: tuple(
            Term(k.id, scenario.weights[pid].get(k.id, Fraction(0)), k.scores[r][c])
            for k in scenario.criteria
        )
        for pid in scenario.player_ids
    }
    row_id, col_id = scenario.player_ids
    return CellBreakdown(
        scenario.players[0].strategy_ids[r],
        scenario.players[1].strategy_ids[c],
        terms,
        {row_id: game.A[r][c], col_id: game.B[r][c]},
    )


def _index(key: str | int, player: Player, source: str) -> int:
    """The position of the strategy ``key`` names: id, position, then id or label in any case.

    An exact id wins over everything; a case-insensitive match must be unique.
    """
    ids = player.strategy_ids
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(ids):
        return key
    if not isinstance(key, str):
        raise _unknown(key, player, source)
    if key in ids:
        return ids.index(key)
    if key.isascii() and key.isdigit() and len(key) <= 9 and int(key) < len(ids):
        return int(key)
    folded = " ".join(key.split()).casefold()
    for names in (ids, player.strategy_labels):
        found = {i for i, name in enumerate(names) if " ".join(name.split()).casefold() == folded}
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            raise UnknownStrategyError(
                source,
                "",
                f"strategy {quoted(key)} of {player.id} is ambiguous: it matches "
                f"{', '.join(ids[i] for i in sorted(found))} in all but case; write the exact id",
            )
    raise _unknown(key, player, source)


def _unknown(key: object, player: Player, source: str) -> UnknownStrategyError:
    ids = player.strategy_ids
    text = key if isinstance(key, str) else repr(key)
    folded = {name.casefold(): sid for sid, name in zip(ids, player.strategy_labels, strict=True)}
    folded.update({sid.casefold(): sid for sid in ids})
    hint = difflib.get_close_matches(text.casefold()[:200], folded, n=1)
    did_you_mean = f" (did you mean {folded[hint[0]]!r}?)" if hint else ""
    return UnknownStrategyError(
        source,
        "",
        f"unknown strategy {quoted(text)} of {player.id}{did_you_mean}; expected one of: "
        f"{', '.join(ids)} (an id or label in any case, or a position from 0 to {len(ids) - 1})",
    )
