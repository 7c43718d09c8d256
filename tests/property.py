"""Hypothesis strategies that draw bimatrix games for the property tests.

Every strategy draws a :class:`negotiation.model.payoffs.Game` of shape ``m x n`` with
``1 <= m, n <= 4`` (up to 4x4 by default). Three payoff distributions:

* :func:`small_int_games`: integers in ``[-3, 3]``. Ties are common, so many of these games are
  degenerate (equilibria in continua, pure strategies with several best responses).
* :func:`wide_int_games`: integers in ``[-10**6, 10**6]``, all entries of a matrix distinct.
  Degenerate games are rare here.
* :func:`float_games`: finite floats in ``[-100, 100]`` (no subnormals), taken by
  :meth:`Game.from_arrays` at their exact binary value.

:func:`nondegenerate_games` filters any of them to non-degenerate games, and :data:`SETTINGS`
is the shared Hypothesis profile: derandomized (the same examples on every run, so a failure
reproduces), no deadline (no timed assertions), no example database written to disk.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from negotiation.model.payoffs import Game
from negotiation.solvers.exact import is_degenerate

#: Shared Hypothesis settings: reproducible, untimed, nothing stored between runs.
SETTINGS = settings(
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)

MAX_SIDE = 4

SMALL = st.integers(min_value=-3, max_value=3)
WIDE = st.integers(min_value=-(10**6), max_value=10**6)
FLOATS = st.floats(
    min_value=-100.0,
    max_value=100.0,
    allow_nan=False,
    allow_infinity=False,
    allow_subnormal=False,
)


@st.composite
def shapes(draw: st.DrawFn, min_side: int = 1, max_side: int = MAX_SIDE) -> tuple[int, int]:
    """A game shape ``(m, n)`` with both sides in ``[min_side, max_side]``."""
    side = st.integers(min_value=min_side, max_value=max_side)
    return draw(side), draw(side)


@st.composite
def matrices(
    draw: st.DrawFn, shape: tuple[int, int], elements: st.SearchStrategy[object], unique: bool
) -> list[list[object]]:
    """An ``m x n`` table of payoffs drawn from ``elements`` (all distinct if ``unique``)."""
    m, n = shape
    flat = draw(st.lists(elements, min_size=m * n, max_size=m * n, unique=unique))
    return [flat[i * n : (i + 1) * n] for i in range(m)]


@st.composite
def games(
    draw: st.DrawFn,
    elements: st.SearchStrategy[object],
    unique: bool = False,
    min_side: int = 1,
    max_side: int = MAX_SIDE,
) -> Game:
    """A bimatrix game whose payoffs are drawn from ``elements``."""
    shape = draw(shapes(min_side, max_side))
    return Game.from_arrays(
        draw(matrices(shape, elements, unique)), draw(matrices(shape, elements, unique))
    )


def small_int_games(min_side: int = 1, max_side: int = MAX_SIDE) -> st.SearchStrategy[Game]:
    """Games with integer payoffs in [-3, 3]: ties abound, many are degenerate."""
    return games(SMALL, min_side=min_side, max_side=max_side)


def wide_int_games(min_side: int = 1, max_side: int = MAX_SIDE) -> st.SearchStrategy[Game]:
    """Games with distinct integer payoffs in [-10**6, 10**6]: almost never degenerate."""
    return games(WIDE, unique=True, min_side=min_side, max_side=max_side)


def float_games(min_side: int = 1, max_side: int = MAX_SIDE) -> st.SearchStrategy[Game]:
    """Games with finite float payoffs in [-100, 100], solved at their exact binary values."""
    return games(FLOATS, min_side=min_side, max_side=max_side)


def any_games(min_side: int = 1, max_side: int = MAX_SIDE) -> st.SearchStrategy[Game]:
    """Any of the three kinds of game."""
    return st.one_of(
        small_int_games(min_side, max_side),
        wide_int_games(min_side, max_side),
        float_games(min_side, max_side),
    )


def nondegenerate_games(
    base: st.SearchStrategy[Game] | None = None,
) -> st.SearchStrategy[Game]:
    """Games from ``base`` (default: wide-range integer games) that are not degenerate."""
    return (base if base is not None else wide_int_games()).filter(
        lambda game: not is_degenerate(game)
    )
